// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for kipc's insides.  Loaded after kipc.ko in the debug VM; reaches the module's
 * internals through symbols exported only when the kernel has KUnit.
 */
#include <kunit/test.h>
#include <linux/module.h>

#include "kipc_internal.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

static void kipc_param_accepts_its_range(struct kunit *test)
{
	struct kipc_param_range r = { .min = 2, .max = 100, .val = 10 };
	u64 v = 0;

	KUNIT_EXPECT_EQ(test, kipc_param_parse(&r, "2", &v), 0);
	KUNIT_EXPECT_EQ(test, v, 2ULL);
	KUNIT_EXPECT_EQ(test, kipc_param_parse(&r, "100\n", &v), 0);
	KUNIT_EXPECT_EQ(test, v, 100ULL);
	KUNIT_EXPECT_EQ(test, kipc_param_parse(&r, "0x10", &v), 0);
	KUNIT_EXPECT_EQ(test, v, 16ULL);
	/* Parsing never writes the live value: only the sysfs setter does. */
	KUNIT_EXPECT_EQ(test, kipc_param_get(&r), 10ULL);
}

static void kipc_param_refuses_outside_range(struct kunit *test)
{
	struct kipc_param_range r = { .min = 2, .max = 100, .val = 10 };
	u64 v = 77;

	KUNIT_EXPECT_EQ(test, kipc_param_parse(&r, "1", &v), -ERANGE);
	KUNIT_EXPECT_EQ(test, kipc_param_parse(&r, "101", &v), -ERANGE);
	KUNIT_EXPECT_EQ(test, kipc_param_parse(&r, "18446744073709551615", &v), -ERANGE);
	KUNIT_EXPECT_EQ(test, v, 77ULL);
}

static void kipc_param_refuses_junk(struct kunit *test)
{
	struct kipc_param_range r = { .min = 0, .max = 100, .val = 10 };
	u64 v = 77;

	KUNIT_EXPECT_EQ(test, kipc_param_parse(&r, "", &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_param_parse(&r, "ten", &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_param_parse(&r, "-1", &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_param_parse(&r, "5x", &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_param_parse(&r, "99999999999999999999999", &v), -ERANGE);
	KUNIT_EXPECT_EQ(test, v, 77ULL);
}

static void kipc_param_defaults_are_in_range(struct kunit *test)
{
	const struct kipc_param_range *all[] = {
		&kipc_max_channels, &kipc_max_msg_size, &kipc_max_msgs,
		&kipc_max_user_bytes, &kipc_max_shm_size,
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(all); i++) {
		KUNIT_EXPECT_LE(test, all[i]->min, kipc_param_get(all[i]));
		KUNIT_EXPECT_GE(test, all[i]->max, kipc_param_get(all[i]));
	}
	/* A whole largest message must fit in one user's byte budget. */
	KUNIT_EXPECT_LE(test, kipc_max_msg_size.max, kipc_max_user_bytes.max);
}

static void kipc_info_reports_abi_and_features(struct kunit *test)
{
	struct kipc_info info = { .size = sizeof(info) };

	kipc_fill_info(&info);
	KUNIT_EXPECT_EQ(test, info.abi_version, (u32)KIPC_ABI_VERSION);
	KUNIT_EXPECT_TRUE(test, info.features & KIPC_FEATURE_INFO);
	KUNIT_EXPECT_EQ(test, info.max_name_len, (u32)KIPC_NAME_MAX - 1);
	KUNIT_EXPECT_EQ(test, info.__reserved, 0U);
	KUNIT_EXPECT_EQ(test, info.flags, 0U);
}

static void kipc_info_follows_params(struct kunit *test)
{
	struct kipc_info info = { .size = sizeof(info) };
	u64 saved = kipc_param_get(&kipc_max_msgs);

	WRITE_ONCE(kipc_max_msgs.val, 123);
	kipc_fill_info(&info);
	WRITE_ONCE(kipc_max_msgs.val, saved);
	KUNIT_EXPECT_EQ(test, info.max_msgs, 123U);
	KUNIT_EXPECT_EQ(test, info.max_msg_size, (u32)kipc_param_get(&kipc_max_msg_size));
	KUNIT_EXPECT_EQ(test, info.max_user_bytes, kipc_param_get(&kipc_max_user_bytes));
	KUNIT_EXPECT_EQ(test, info.max_shm_size, kipc_param_get(&kipc_max_shm_size));
}

static struct kunit_case kipc_params_cases[] = {
	KUNIT_CASE(kipc_param_accepts_its_range),
	KUNIT_CASE(kipc_param_refuses_outside_range),
	KUNIT_CASE(kipc_param_refuses_junk),
	KUNIT_CASE(kipc_param_defaults_are_in_range),
	{}
};

static struct kunit_suite kipc_params_suite = {
	.name = "kipc_params",
	.test_cases = kipc_params_cases,
};

static struct kunit_case kipc_info_cases[] = {
	KUNIT_CASE(kipc_info_reports_abi_and_features),
	KUNIT_CASE(kipc_info_follows_params),
	{}
};

static struct kunit_suite kipc_info_suite = {
	.name = "kipc_info",
	.test_cases = kipc_info_cases,
};

kunit_test_suites(&kipc_params_suite, &kipc_info_suite);

MODULE_DESCRIPTION("KUnit tests for kipc");
MODULE_LICENSE("GPL");
