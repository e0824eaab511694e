// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for kipc's insides.  Loaded after kipc.ko in the debug VM; reaches the module's
 * internals through symbols exported only when the kernel has KUnit.
 */
#include <kunit/test.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>

#include "kipc_internal.h"

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");

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
		&kipc_max_user_bytes, &kipc_max_shm_size, &kipc_max_user_channels,
		&kipc_max_user_shm_bytes, &kipc_direct_copy_min,
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(all); i++) {
		KUNIT_EXPECT_LE(test, all[i]->min, kipc_param_get(all[i]));
		KUNIT_EXPECT_GE(test, all[i]->max, kipc_param_get(all[i]));
	}
	/* A whole largest message must fit in one user's byte budget. */
	KUNIT_EXPECT_LE(test, kipc_max_msg_size.max, kipc_max_user_bytes.max);
	/* By default no single user can take a whole namespace, nor its shared memory. */
	KUNIT_EXPECT_LT(test, kipc_param_get(&kipc_max_user_channels),
			kipc_param_get(&kipc_max_channels));
	KUNIT_EXPECT_LT(test, kipc_param_get(&kipc_max_user_shm_bytes),
			kipc_param_get(&kipc_max_channels) * kipc_param_get(&kipc_max_shm_size));
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
	KUNIT_EXPECT_EQ(test, info.max_user_channels, kipc_param_get(&kipc_max_user_channels));
	KUNIT_EXPECT_EQ(test, info.max_user_shm_bytes, kipc_param_get(&kipc_max_user_shm_bytes));
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

/* ---- Message queues ------------------------------------------------------------------------ */

/* Names travel in KIPC_NAME_MAX buffers, as they come from user space. */
#define KNAME(s) ((const char[KIPC_NAME_MAX]) { s })

static struct kipc_file *kipc_kunit_file(struct kunit *test)
{
	struct kipc_file *kf = kunit_kzalloc(test, sizeof(*kf), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, kf);
	mutex_init(&kf->lock);
	init_waitqueue_head(&kf->unattached_wq);
	kf->user = kipc_user_get(current_euid());
	KUNIT_ASSERT_NOT_NULL(test, kf->user);
	return kf;
}

static void kipc_kunit_file_done(struct kipc_file *kf)
{
	kipc_registry_detach(kf);
	kipc_user_put(kf->user);
}

/* Create a queue named @name attached to @kf for reading and writing. */
static struct kipc_channel *kipc_kunit_queue(struct kunit *test, struct kipc_file *kf,
					     const char *name, u32 max_msgs, u32 overflow)
{
	struct kipc_create c = {
		.type = KIPC_TYPE_MQ, .mode = 0600, .max_msgs = max_msgs, .overflow = overflow,
		.access = KIPC_ACCESS_READ | KIPC_ACCESS_WRITE,
	};

	strscpy(c.name, name, sizeof(c.name));
	KUNIT_ASSERT_EQ(test, kipc_registry_create(kf, &c), 0);
	KUNIT_ASSERT_EQ(test, c.created, 1U);
	return kipc_file_channel(kf);
}

static struct kipc_msg_buf *kipc_kunit_msg(struct kunit *test, struct kipc_file *kf, u32 prio,
					   u8 tag)
{
	struct kipc_msg_buf *msg = kipc_msg_alloc(kf->user, 1, prio);

	KUNIT_ASSERT_FALSE(test, IS_ERR(msg));
	msg->data[0] = tag;
	return msg;
}

static u8 kipc_kunit_take(struct kunit *test, struct kipc_channel *ch, u32 *prio)
{
	struct kipc_msg_buf *msg;
	u8 tag;

	spin_lock(&ch->lock);
	msg = kipc_mq_peek_locked(ch);
	if (msg)
		kipc_mq_unlink_locked(ch, msg);
	spin_unlock(&ch->lock);
	KUNIT_ASSERT_NOT_NULL(test, msg);
	tag = msg->data[0];
	*prio = msg->prio;
	kipc_msg_free(msg);
	return tag;
}

static void kipc_mq_priority_then_fifo(struct kunit *test)
{
	static const struct { u32 prio; u8 tag; } in[] = {
		{ 1, 'a' }, { 5, 'b' }, { 1, 'c' }, { KIPC_PRIO_MAX, 'd' }, { 0, 'e' }, { 5, 'f' },
		{ 5, 'g' }, { 0, 'h' },
	};
	static const char out[] = "dbfgaceh";
	struct kipc_file *kf = kipc_kunit_file(test);
	struct kipc_channel *ch = kipc_kunit_queue(test, kf, "kunit-prio", 16, 0);
	u32 prio, last = KIPC_PRIO_MAX;
	int i;

	for (i = 0; i < ARRAY_SIZE(in); i++) {
		struct kipc_msg_buf *msg = kipc_kunit_msg(test, kf, in[i].prio, in[i].tag);

		spin_lock(&ch->lock);
		kipc_mq_enqueue_locked(ch, msg, false);
		spin_unlock(&ch->lock);
	}
	KUNIT_EXPECT_EQ(test, ch->depth, (u32)ARRAY_SIZE(in));
	KUNIT_EXPECT_EQ(test, ch->bytes, (u64)ARRAY_SIZE(in));
	for (i = 0; i < ARRAY_SIZE(in); i++) {
		KUNIT_EXPECT_EQ(test, kipc_kunit_take(test, ch, &prio), (u8)out[i]);
		KUNIT_EXPECT_LE(test, prio, last);
		last = prio;
	}
	KUNIT_EXPECT_EQ(test, ch->depth, 0U);
	KUNIT_EXPECT_TRUE(test, RB_EMPTY_ROOT(&ch->prios.rb_root));
	KUNIT_EXPECT_EQ(test, kipc_registry_destroy(KNAME("kunit-prio"), 0), 0);
	kipc_kunit_file_done(kf);
}

/* The level node passes from message to message; a put-back goes to the head. */
static void kipc_mq_level_handover_and_requeue(struct kunit *test)
{
	struct kipc_file *kf = kipc_kunit_file(test);
	struct kipc_channel *ch = kipc_kunit_queue(test, kf, "kunit-level", 16, 0);
	struct kipc_msg_buf *a = kipc_kunit_msg(test, kf, 3, 'a');
	struct kipc_msg_buf *b = kipc_kunit_msg(test, kf, 3, 'b');
	struct kipc_msg_buf *c = kipc_kunit_msg(test, kf, 3, 'c');
	u32 prio;

	spin_lock(&ch->lock);
	kipc_mq_enqueue_locked(ch, a, false);
	kipc_mq_enqueue_locked(ch, b, false);
	kipc_mq_enqueue_locked(ch, c, false);
	KUNIT_EXPECT_TRUE(test, a->owns_level);
	/* Take a off (the level's owner), then put it back as a failed receive would. */
	kipc_mq_unlink_locked(ch, a);
	KUNIT_EXPECT_TRUE(test, b->owns_level);
	kipc_mq_enqueue_locked(ch, a, true);
	KUNIT_EXPECT_FALSE(test, a->owns_level);
	spin_unlock(&ch->lock);

	KUNIT_EXPECT_EQ(test, kipc_kunit_take(test, ch, &prio), (u8)'a');
	KUNIT_EXPECT_EQ(test, kipc_kunit_take(test, ch, &prio), (u8)'b');
	KUNIT_EXPECT_EQ(test, kipc_kunit_take(test, ch, &prio), (u8)'c');
	KUNIT_EXPECT_EQ(test, prio, 3U);
	KUNIT_EXPECT_EQ(test, kipc_registry_destroy(KNAME("kunit-level"), 0), 0);
	kipc_kunit_file_done(kf);
}

/* A batch receive's lock round of up to @n into @msgs; *@first is what is first in line after. */
static u32 kipc_kunit_take_run(struct kipc_channel *ch, const struct kipc_msg_vec *v,
			       struct kipc_msg_buf **msgs, u32 n, struct kipc_msg_buf **first)
{
	u32 taken;

	spin_lock(&ch->lock);
	taken = kipc_mq_take_locked(ch, v, msgs, n);
	*first = kipc_mq_peek_locked(ch);
	spin_unlock(&ch->lock);
	return taken;
}

/*
 * A batch receive takes runs: the rest of a level it took part of, its owner with it, stays
 * first and owned; a whole level leaves the tree and the run goes on to the next; a message
 * too long for its entry ends it.
 */
static void kipc_mq_batch_take_runs(struct kunit *test)
{
	static const struct { u32 prio; u8 tag; } in[] = {
		{ 3, 'a' }, { 3, 'b' }, { 3, 'c' }, { 1, 'd' }, { 1, 'e' }, { 0, 'f' },
	};
	struct kipc_file *kf = kipc_kunit_file(test);
	struct kipc_channel *ch = kipc_kunit_queue(test, kf, "kunit-take", 16, 0);
	struct kipc_msg_vec v[4] = { { .len = 1 }, { .len = 1 }, { .len = 1 }, { .len = 1 } };
	struct kipc_msg_buf *made[ARRAY_SIZE(in)], *msgs[4], *first;
	u32 i, n, prio;

	for (i = 0; i < ARRAY_SIZE(in); i++)
		made[i] = kipc_kunit_msg(test, kf, in[i].prio, in[i].tag);
	spin_lock(&ch->lock);
	for (i = 0; i < ARRAY_SIZE(in); i++)
		kipc_mq_enqueue_locked(ch, made[i], false);
	spin_unlock(&ch->lock);
	/* a and b (a owned the level): c is first in line, and owns it now. */
	n = kipc_kunit_take_run(ch, v, msgs, 2, &first);
	KUNIT_ASSERT_EQ(test, n, 2U);
	KUNIT_EXPECT_EQ(test, msgs[0]->data[0], (u8)'a');
	KUNIT_EXPECT_EQ(test, msgs[1]->data[0], (u8)'b');
	KUNIT_EXPECT_FALSE(test, msgs[0]->owns_level);
	KUNIT_EXPECT_TRUE(test, list_empty(&msgs[0]->node));
	KUNIT_EXPECT_EQ(test, first->data[0], (u8)'c');
	KUNIT_EXPECT_TRUE(test, first->owns_level);
	KUNIT_EXPECT_EQ(test, ch->depth, 4U);
	KUNIT_EXPECT_EQ(test, ch->bytes, 4ULL);
	for (i = 0; i < n; i++)
		kipc_msg_free(msgs[i]);

	/* c (level 3 gone), then d; e does not fit its entry and stays, first and owned. */
	v[2].len = 0;
	n = kipc_kunit_take_run(ch, v, msgs, 4, &first);
	KUNIT_ASSERT_EQ(test, n, 2U);
	KUNIT_EXPECT_EQ(test, msgs[0]->data[0], (u8)'c');
	KUNIT_EXPECT_EQ(test, msgs[1]->data[0], (u8)'d');
	KUNIT_EXPECT_EQ(test, first->data[0], (u8)'e');
	KUNIT_EXPECT_TRUE(test, first->owns_level);
	KUNIT_EXPECT_EQ(test, first->prio, 1U);
	KUNIT_EXPECT_EQ(test, ch->depth, 2U);
	/* c goes; d is kept, to be put back. */
	kipc_msg_free(msgs[0]);

	KUNIT_EXPECT_PTR_EQ(test, rb_first_cached(&ch->prios), &first->level.node);

	/*
	 * d put back at the head, as a failed receive does: e still owns the level.  A run of
	 * d and e takes the owner second; the level leaves the tree, and f's is first.
	 */
	spin_lock(&ch->lock);
	kipc_mq_enqueue_locked(ch, msgs[1], true);
	KUNIT_EXPECT_FALSE(test, msgs[1]->owns_level);
	KUNIT_EXPECT_TRUE(test, first->owns_level);
	spin_unlock(&ch->lock);
	v[2].len = 1;
	n = kipc_kunit_take_run(ch, v, msgs, 2, &first);
	KUNIT_ASSERT_EQ(test, n, 2U);
	KUNIT_EXPECT_EQ(test, msgs[0]->data[0], (u8)'d');
	KUNIT_EXPECT_EQ(test, msgs[1]->data[0], (u8)'e');
	KUNIT_ASSERT_NOT_NULL(test, first);
	KUNIT_EXPECT_EQ(test, first->data[0], (u8)'f');
	KUNIT_EXPECT_PTR_EQ(test, rb_first_cached(&ch->prios), &first->level.node);
	KUNIT_EXPECT_EQ(test, ch->depth, 1U);
	for (i = 0; i < n; i++)
		kipc_msg_free(msgs[i]);

	KUNIT_EXPECT_EQ(test, kipc_kunit_take(test, ch, &prio), (u8)'f');
	KUNIT_EXPECT_TRUE(test, RB_EMPTY_ROOT(&ch->prios.rb_root));
	KUNIT_EXPECT_EQ(test, kipc_registry_destroy(KNAME("kunit-take"), 0), 0);
	kipc_kunit_file_done(kf);
}

static void kipc_mq_drop_takes_oldest_of_lowest(struct kunit *test)
{
	struct kipc_file *kf = kipc_kunit_file(test);
	struct kipc_channel *ch = kipc_kunit_queue(test, kf, "kunit-drop", 4, KIPC_OVERFLOW_DROP);
	struct kipc_msg_buf *in[] = {
		kipc_kunit_msg(test, kf, 2, 'a'), kipc_kunit_msg(test, kf, 1, 'b'),
		kipc_kunit_msg(test, kf, 1, 'c'), kipc_kunit_msg(test, kf, 9, 'd'),
	};
	struct kipc_msg_buf *msg;
	u32 prio;
	int i;

	spin_lock(&ch->lock);
	for (i = 0; i < ARRAY_SIZE(in); i++)
		kipc_mq_enqueue_locked(ch, in[i], false);
	msg = kipc_mq_drop_lowest_locked(ch);
	spin_unlock(&ch->lock);
	KUNIT_ASSERT_NOT_NULL(test, msg);
	KUNIT_EXPECT_EQ(test, msg->data[0], (u8)'b');
	kipc_msg_free(msg);
	KUNIT_EXPECT_EQ(test, ch->dropped, 1ULL);
	KUNIT_EXPECT_EQ(test, ch->depth, 3U);
	KUNIT_EXPECT_EQ(test, kipc_kunit_take(test, ch, &prio), (u8)'d');
	KUNIT_EXPECT_EQ(test, kipc_kunit_take(test, ch, &prio), (u8)'a');
	KUNIT_EXPECT_EQ(test, kipc_kunit_take(test, ch, &prio), (u8)'c');
	spin_lock(&ch->lock);
	KUNIT_EXPECT_NULL(test, kipc_mq_drop_lowest_locked(ch));
	spin_unlock(&ch->lock);
	KUNIT_EXPECT_EQ(test, kipc_registry_destroy(KNAME("kunit-drop"), 0), 0);
	kipc_kunit_file_done(kf);
}

/* A full DROP queue keeps the best max_msgs: a strictly lower newcomer is the one dropped. */
static void kipc_mq_drop_keeps_the_best(struct kunit *test)
{
	struct kipc_file *kf = kipc_kunit_file(test);
	struct kipc_channel *ch = kipc_kunit_queue(test, kf, "kunit-best", 2, KIPC_OVERFLOW_DROP);
	struct kipc_msg_buf *a = kipc_kunit_msg(test, kf, 9, 'a');
	struct kipc_msg_buf *b = kipc_kunit_msg(test, kf, 9, 'b');
	struct kipc_msg_buf *low = kipc_kunit_msg(test, kf, 2, 'l');
	struct kipc_msg_buf *same = kipc_kunit_msg(test, kf, 9, 's');
	struct kipc_msg_buf *high = kipc_kunit_msg(test, kf, 10, 'h');
	u32 prio;

	spin_lock(&ch->lock);
	kipc_mq_enqueue_locked(ch, a, false);
	kipc_mq_enqueue_locked(ch, b, false);
	/* Lower than everything queued: itself. */
	KUNIT_EXPECT_PTR_EQ(test, kipc_mq_drop_for_locked(ch, low), low);
	KUNIT_EXPECT_EQ(test, ch->depth, 2U);
	/* Equal to the lowest: the oldest of the lowest makes room. */
	KUNIT_EXPECT_PTR_EQ(test, kipc_mq_drop_for_locked(ch, same), a);
	kipc_mq_enqueue_locked(ch, same, false);
	/* Higher: again the oldest of the lowest. */
	KUNIT_EXPECT_PTR_EQ(test, kipc_mq_drop_for_locked(ch, high), b);
	kipc_mq_enqueue_locked(ch, high, false);
	spin_unlock(&ch->lock);
	KUNIT_EXPECT_EQ(test, ch->dropped, 3ULL);
	kipc_msg_free(low);
	kipc_msg_free(a);
	kipc_msg_free(b);
	KUNIT_EXPECT_EQ(test, kipc_kunit_take(test, ch, &prio), (u8)'h');
	KUNIT_EXPECT_EQ(test, kipc_kunit_take(test, ch, &prio), (u8)'s');
	KUNIT_EXPECT_EQ(test, kipc_registry_destroy(KNAME("kunit-best"), 0), 0);
	kipc_kunit_file_done(kf);
}

/* Deadlines are absolute; an interrupted relative wait is rewritten in its absolute form. */
static void kipc_mq_deadlines_and_restarts(struct kunit *test)
{
	u32 flags = KIPC_MSG_TIMEOUT;
	u64 timeout = 12345;
	ktime_t d;

	KUNIT_EXPECT_EQ(test, kipc_wait_flags_check(KIPC_MSG_TIMEOUT | KIPC_MSG_ABSTIME), 0);
	KUNIT_EXPECT_EQ(test, kipc_wait_flags_check(KIPC_MSG_ABSTIME), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_wait_flags_check(0x8), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, kipc_deadline(0, 5), KTIME_MAX);
	flags = KIPC_MSG_TIMEOUT | KIPC_MSG_ABSTIME;
	KUNIT_EXPECT_EQ(test, kipc_deadline(flags, 777), (ktime_t)777);
	KUNIT_EXPECT_EQ(test, kipc_deadline(flags, U64_MAX), KTIME_MAX);
	flags = KIPC_MSG_TIMEOUT;
	KUNIT_EXPECT_EQ(test, kipc_deadline(KIPC_MSG_TIMEOUT, U64_MAX), KTIME_MAX);
	d = kipc_deadline(KIPC_MSG_TIMEOUT, 10 * NSEC_PER_SEC);
	KUNIT_EXPECT_GT(test, d, ktime_add_ns(ktime_get(), 9 * NSEC_PER_SEC));
	KUNIT_EXPECT_LE(test, d, ktime_add_ns(ktime_get(), 10 * NSEC_PER_SEC));
	/* The restart, however late, sees the same deadline. */
	kipc_timeout_absolute(&flags, d, &timeout);
	KUNIT_EXPECT_EQ(test, flags, (u32)(KIPC_MSG_TIMEOUT | KIPC_MSG_ABSTIME));
	KUNIT_EXPECT_EQ(test, timeout, (u64)d);
	KUNIT_EXPECT_EQ(test, kipc_deadline(flags, timeout), d);
	/* An absolute deadline, or no timeout, is never rewritten. */
	flags = KIPC_MSG_TIMEOUT | KIPC_MSG_ABSTIME;
	timeout = 99;
	kipc_timeout_absolute(&flags, d, &timeout);
	KUNIT_EXPECT_EQ(test, timeout, 99ULL);
	flags = KIPC_MSG_NONBLOCK;
	kipc_timeout_absolute(&flags, d, &timeout);
	KUNIT_EXPECT_EQ(test, flags, (u32)KIPC_MSG_NONBLOCK);
	KUNIT_EXPECT_EQ(test, timeout, 99ULL);
}

static void kipc_mq_user_budget_is_enforced(struct kunit *test)
{
	struct kipc_user *user = kipc_user_get(current_euid());
	u64 saved = kipc_param_get(&kipc_max_user_bytes);
	u64 before = atomic64_read(&user->bytes);
	struct kipc_msg_buf *msg;

	WRITE_ONCE(kipc_max_user_bytes.val, before + 8192);
	msg = kipc_msg_alloc(user, 4096, 0);
	KUNIT_EXPECT_FALSE(test, IS_ERR(msg));
	KUNIT_EXPECT_EQ(test, PTR_ERR(kipc_msg_alloc(user, 4096, 0)), -EDQUOT);
	KUNIT_EXPECT_GT(test, (u64)atomic64_read(&user->bytes), before + 4096);
	if (!IS_ERR(msg))
		kipc_msg_free(msg);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&user->bytes), before);
	WRITE_ONCE(kipc_max_user_bytes.val, saved);
	kipc_user_put(user);
}

/*
 * KIPC_CREATE_RLIMIT's reservations: a charge fits the limit or leaves the count as it was,
 * and a sum that would wrap is over any limit.
 */
static void kipc_user_rlimit_charge(struct kunit *test)
{
	struct kipc_user *user = kipc_user_get(current_euid());
	u64 before;

	KUNIT_ASSERT_NOT_NULL(test, user);
	before = atomic64_read(&user->mq_bytes);
	KUNIT_EXPECT_EQ(test, kipc_user_charge_rlimit(user, 1000, before + 1500), 0);
	KUNIT_EXPECT_EQ(test, kipc_user_charge_rlimit(user, 1000, before + 1500), -EDQUOT);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&user->mq_bytes), before + 1000);
	KUNIT_EXPECT_EQ(test, kipc_user_charge_rlimit(user, U64_MAX - 10, U64_MAX), -EDQUOT);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&user->mq_bytes), before + 1000);
	kipc_user_uncharge_rlimit(user, 1000);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&user->mq_bytes), before);
	kipc_user_put(user);
}

/*
 * A consumed small message's buffer stays with its queue and serves the next message that
 * fits; one too small for a message is not used for it; large ones are never kept, nor more
 * than the queue's max_msgs; a purge frees them all.  The user's budget is charged only while
 * a message lives.
 */
static void kipc_mq_keeps_small_buffers(struct kunit *test)
{
	struct kipc_file *kf = kipc_kunit_file(test);
	struct kipc_channel *ch = kipc_kunit_queue(test, kf, "kunit-cache", 4, 0);
	u64 before = atomic64_read(&kf->user->bytes);
	struct kipc_msg_buf *a, *b, *big, *small[6];
	int i;

	a = kipc_msg_get(ch, kf->user, 64, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	KUNIT_EXPECT_GE(test, a->cap, (u32)struct_size(a, data, 64));
	kipc_msg_put(ch, a);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&kf->user->bytes), before);
	/* The same buffer again, charged again, and its fields its own. */
	b = kipc_msg_get(ch, kf->user, 10, 7);
	KUNIT_ASSERT_FALSE(test, IS_ERR(b));
	KUNIT_EXPECT_PTR_EQ(test, b, a);
	KUNIT_EXPECT_EQ(test, b->len, 10U);
	KUNIT_EXPECT_EQ(test, b->prio, 7U);
	KUNIT_EXPECT_EQ(test, b->charge, (u64)struct_size(b, data, 10));
	KUNIT_EXPECT_GT(test, (u64)atomic64_read(&kf->user->bytes), before);
	kipc_msg_put(ch, b);
	/* Too small for 400 bytes: a new buffer, and the small one stays. */
	b = kipc_msg_get(ch, kf->user, 400, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(b));
	KUNIT_EXPECT_PTR_NE(test, b, a);
	kipc_msg_put(ch, b);
	/* Past KIPC_MSG_CACHE_MAX nothing is kept. */
	big = kipc_msg_get(ch, kf->user, KIPC_MSG_CACHE_MAX, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(big));
	KUNIT_EXPECT_EQ(test, big->cap, 0U);
	kipc_msg_put(ch, big);
	KUNIT_EXPECT_EQ(test, ch->cache_n, 2U);
	/* A queue of 4 keeps no more than 4. */
	for (i = 0; i < 6; i++) {
		small[i] = kipc_msg_get(ch, kf->user, 1, 0);
		KUNIT_ASSERT_FALSE(test, IS_ERR(small[i]));
	}
	for (i = 0; i < 6; i++)
		kipc_msg_put(ch, small[i]);
	KUNIT_EXPECT_EQ(test, ch->cache_n, 4U);
	kipc_mq_purge(ch);
	KUNIT_EXPECT_EQ(test, ch->cache_n, 0U);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&kf->user->bytes), before);
	KUNIT_EXPECT_EQ(test, kipc_registry_destroy(KNAME("kunit-cache"), 0), 0);
	kipc_kunit_file_done(kf);
}

static void kipc_name_rules(struct kunit *test)
{
	char name[KIPC_NAME_MAX] = {};

	KUNIT_EXPECT_EQ(test, kipc_name_check(name), -EINVAL);
	strscpy(name, "ok.name_1-2:x@y", sizeof(name));
	KUNIT_EXPECT_EQ(test, kipc_name_check(name), 0);
	strscpy(name, "with/slash", sizeof(name));
	KUNIT_EXPECT_EQ(test, kipc_name_check(name), -EINVAL);
	strscpy(name, "with space", sizeof(name));
	KUNIT_EXPECT_EQ(test, kipc_name_check(name), -EINVAL);
	name[0] = '\x01';
	KUNIT_EXPECT_EQ(test, kipc_name_check(name), -EINVAL);
	/* Latin-1 letters are letters to the kernel's ctype, not to kipc. */
	name[0] = '\xff';
	KUNIT_EXPECT_EQ(test, kipc_name_check(name), -EINVAL);
	name[0] = '\xe9';
	KUNIT_EXPECT_EQ(test, kipc_name_check(name), -EINVAL);
	memset(name, 'a', sizeof(name));
	KUNIT_EXPECT_EQ(test, kipc_name_check(name), -ENAMETOOLONG);
	name[KIPC_NAME_MAX - 1] = 0;
	KUNIT_EXPECT_EQ(test, kipc_name_check(name), 0);
}

static void kipc_registry_create_lookup_destroy_reuse(struct kunit *test)
{
	struct kipc_file *kf = kipc_kunit_file(test);
	struct kipc_file *kf2 = kipc_kunit_file(test);
	struct kipc_create c = { .type = KIPC_TYPE_MQ, .mode = 0600 };
	struct kipc_channel *ch, *found;
	u32 first_id;

	strscpy(c.name, "kunit-reuse", sizeof(c.name));
	KUNIT_ASSERT_EQ(test, kipc_registry_create(kf, &c), 0);
	KUNIT_EXPECT_EQ(test, c.created, 1U);
	first_id = c.id;
	found = kipc_channel_lookup(KNAME("kunit-reuse"));
	KUNIT_ASSERT_NOT_NULL(test, found);
	KUNIT_EXPECT_EQ(test, found->id, first_id);
	KUNIT_EXPECT_EQ(test, found->max_msgs,
			min_t(u32, KIPC_DEFAULT_MSGS, kipc_param_get(&kipc_max_msgs)));
	kipc_channel_put(found);

	/* Without EXCL the same name opens; with it, EEXIST. */
	c.id = 0;
	c.created = 0;
	KUNIT_EXPECT_EQ(test, kipc_registry_create(kf, &c), 0);
	KUNIT_EXPECT_EQ(test, c.created, 0U);
	KUNIT_EXPECT_EQ(test, c.id, first_id);
	c.id = 0;
	c.created = 0;
	c.flags = KIPC_CREATE_EXCL;
	KUNIT_EXPECT_EQ(test, kipc_registry_create(kf, &c), -EEXIST);

	/* An attachment survives a plain destroy; the name is free at once. */
	c.flags = 0;
	c.access = KIPC_ACCESS_READ;
	KUNIT_ASSERT_EQ(test, kipc_registry_create(kf2, &c), 0);
	ch = kipc_file_channel(kf2);
	KUNIT_EXPECT_EQ(test, kipc_registry_destroy(KNAME("kunit-reuse"), 0), 0);
	KUNIT_EXPECT_NULL(test, kipc_channel_lookup(KNAME("kunit-reuse")));
	KUNIT_EXPECT_FALSE(test, ch->linked);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(ch->dead));
	KUNIT_EXPECT_EQ(test, kipc_registry_destroy(KNAME("kunit-reuse"), 0), -ENOENT);

	c.id = 0;
	c.created = 0;
	c.access = 0;
	KUNIT_EXPECT_EQ(test, kipc_registry_create(kf, &c), 0);
	KUNIT_EXPECT_EQ(test, c.created, 1U);
	KUNIT_EXPECT_NE(test, c.id, first_id);
	KUNIT_EXPECT_EQ(test, kipc_registry_destroy(KNAME("kunit-reuse"), 0), 0);
	kipc_kunit_file_done(kf2);
	kipc_kunit_file_done(kf);
}

static void kipc_registry_destroy_now_kills(struct kunit *test)
{
	struct kipc_file *kf = kipc_kunit_file(test);
	struct kipc_channel *ch = kipc_kunit_queue(test, kf, "kunit-now", 4, 0);
	struct kipc_stat st = { .flags = KIPC_STAT_SELF };
	struct kipc_msg_buf *msg = kipc_kunit_msg(test, kf, 0, 'x');
	u32 prio;

	spin_lock(&ch->lock);
	kipc_mq_enqueue_locked(ch, msg, false);
	spin_unlock(&ch->lock);
	KUNIT_EXPECT_EQ(test, kipc_registry_destroy(KNAME("kunit-now"), KIPC_DESTROY_NOW), 0);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(ch->dead));
	/* The queued message was freed with the channel's death, not leaked. */
	KUNIT_EXPECT_EQ(test, ch->depth, 0U);
	KUNIT_EXPECT_EQ(test, kipc_mq_send(kf, NULL, 0, 0, 0, KTIME_MAX), -EIDRM);
	KUNIT_EXPECT_EQ(test, kipc_mq_recv(kf, NULL, 0, &prio, NULL, 0, KTIME_MAX), -EIDRM);
	/* The attached fd still sees its channel, and that it is dead. */
	KUNIT_EXPECT_EQ(test, kipc_registry_stat(kf, &st), 0);
	KUNIT_EXPECT_EQ(test, st.state & (KIPC_STATE_DEAD | KIPC_STATE_DESTROYED),
			KIPC_STATE_DEAD | KIPC_STATE_DESTROYED);
	KUNIT_EXPECT_TRUE(test, kipc_mq_poll(kf, NULL, NULL) == (EPOLLHUP | EPOLLERR));
	kipc_kunit_file_done(kf);
}

static void kipc_registry_autodestroy_on_last_detach(struct kunit *test)
{
	struct kipc_file *kf = kipc_kunit_file(test);
	struct kipc_file *kf2 = kipc_kunit_file(test);
	struct kipc_attach a = { .access = KIPC_ACCESS_WRITE };
	struct kipc_create c = {
		.type = KIPC_TYPE_MQ, .mode = 0600, .flags = KIPC_CREATE_AUTODESTROY,
		.access = KIPC_ACCESS_READ,
	};
	struct kipc_channel *found;

	strscpy(c.name, "kunit-auto", sizeof(c.name));
	strscpy(a.name, "kunit-auto", sizeof(a.name));
	KUNIT_ASSERT_EQ(test, kipc_registry_create(kf, &c), 0);
	KUNIT_ASSERT_EQ(test, kipc_registry_attach(kf2, &a), 0);
	kipc_kunit_file_done(kf);
	found = kipc_channel_lookup(KNAME("kunit-auto"));
	KUNIT_EXPECT_NOT_NULL(test, found);
	if (found)
		kipc_channel_put(found);
	kipc_kunit_file_done(kf2);
	KUNIT_EXPECT_NULL(test, kipc_channel_lookup(KNAME("kunit-auto")));
}

static void kipc_registry_channel_limit(struct kunit *test)
{
	struct kipc_file *kf = kipc_kunit_file(test);
	u64 saved = kipc_param_get(&kipc_max_channels);
	struct kipc_create c = { .type = KIPC_TYPE_MQ, .mode = 0600 };

	WRITE_ONCE(kipc_max_channels.val, kipc_registry_ns_channels() + 1);
	strscpy(c.name, "kunit-limit-1", sizeof(c.name));
	KUNIT_EXPECT_EQ(test, kipc_registry_create(kf, &c), 0);
	c.id = 0;
	c.created = 0;
	strscpy(c.name, "kunit-limit-2", sizeof(c.name));
	KUNIT_EXPECT_EQ(test, kipc_registry_create(kf, &c), -ENOSPC);
	WRITE_ONCE(kipc_max_channels.val, saved);
	KUNIT_EXPECT_EQ(test, kipc_registry_destroy(KNAME("kunit-limit-1"), 0), 0);
	kipc_kunit_file_done(kf);
}

/* ---- Shared pages ------------------------------------------------------------------------- */

static void kipc_shm_size_rounding_and_limits(struct kunit *test)
{
	u64 saved = kipc_param_get(&kipc_max_shm_size);
	u64 r = 0;

	KUNIT_EXPECT_EQ(test, kipc_shm_size_check(0, &r), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipc_shm_size_check(1, &r), 0);
	KUNIT_EXPECT_EQ(test, r, (u64)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, kipc_shm_size_check(PAGE_SIZE, &r), 0);
	KUNIT_EXPECT_EQ(test, r, (u64)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, kipc_shm_size_check(PAGE_SIZE + 1, &r), 0);
	KUNIT_EXPECT_EQ(test, r, 2ULL * PAGE_SIZE);

	WRITE_ONCE(kipc_max_shm_size.val, 4 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, kipc_shm_size_check(4 * PAGE_SIZE, &r), 0);
	KUNIT_EXPECT_EQ(test, kipc_shm_size_check(4 * PAGE_SIZE + 1, &r), -ERANGE);
	/* A limit that is not page-aligned still bounds the rounded size. */
	WRITE_ONCE(kipc_max_shm_size.val, 4 * PAGE_SIZE + 100);
	KUNIT_EXPECT_EQ(test, kipc_shm_size_check(4 * PAGE_SIZE + 1, &r), -ERANGE);
	KUNIT_EXPECT_EQ(test, kipc_shm_size_check(U64_MAX, &r), -ERANGE);
	WRITE_ONCE(kipc_max_shm_size.val, saved);
}

static struct kipc_channel *kipc_kunit_shm(struct kunit *test, struct kipc_file *kf,
					   const char *name, u64 size, u32 access)
{
	struct kipc_create c = {
		.type = KIPC_TYPE_SHM, .mode = 0600, .shm_size = size, .access = access,
	};

	strscpy(c.name, name, sizeof(c.name));
	KUNIT_ASSERT_EQ(test, kipc_registry_create(kf, &c), 0);
	return kipc_file_channel(kf);
}

/* The memory lives while anything refers to the channel, and goes with the last reference. */
static void kipc_shm_lifetime_follows_references(struct kunit *test)
{
	struct kipc_file *kf = kipc_kunit_file(test);
	struct kipc_channel *ch;
	u64 channels0, bytes0, channels, bytes;

	kipc_shm_counts(&channels0, &bytes0);
	ch = kipc_kunit_shm(test, kf, "kunit-shm-life", 3 * PAGE_SIZE + 1, KIPC_ACCESS_READ);
	KUNIT_EXPECT_EQ(test, ch->shm_size, 4ULL * PAGE_SIZE);
	kipc_shm_counts(&channels, &bytes);
	KUNIT_EXPECT_EQ(test, channels, channels0 + 1);
	KUNIT_EXPECT_EQ(test, bytes, bytes0 + 4 * PAGE_SIZE);

	/* Stand in for a mapping: an extra reference, as the VMA takes. */
	kref_get(&ch->ref);
	KUNIT_EXPECT_EQ(test, kipc_registry_destroy(KNAME("kunit-shm-life"), 0), 0);
	kipc_kunit_file_done(kf);
	kipc_shm_counts(&channels, &bytes);
	KUNIT_EXPECT_EQ(test, channels, channels0 + 1);
	KUNIT_EXPECT_FALSE(test, ch->linked);

	kipc_channel_put(ch);
	kipc_shm_counts(&channels, &bytes);
	KUNIT_EXPECT_EQ(test, channels, channels0);
	KUNIT_EXPECT_EQ(test, bytes, bytes0);
}

/*
 * A mapping holds the channel through its own file on the shmem inode: the channel, its
 * memory and its place in every limit stay until that file's last reference goes.
 */
static void kipc_shm_mapping_file_holds_the_channel(struct kunit *test)
{
	struct kipc_file *kf = kipc_kunit_file(test);
	struct kipc_user *user = kipc_user_get(kf->user->uid);
	unsigned int ns0 = kipc_registry_ns_channels();
	int user0 = atomic_read(&user->channels);
	s64 shm0 = atomic64_read(&user->shm_bytes);
	struct kipc_channel *ch;
	struct file *map;
	u64 channels0, bytes0, channels, bytes;

	kipc_shm_counts(&channels0, &bytes0);
	ch = kipc_kunit_shm(test, kf, "kunit-shm-map", 2 * PAGE_SIZE,
			    KIPC_ACCESS_READ | KIPC_ACCESS_WRITE);
	map = kipc_shm_map_file(ch);
	KUNIT_ASSERT_FALSE(test, IS_ERR(map));
	/* The same memory: the file is on the channel's shmem inode. */
	KUNIT_EXPECT_PTR_EQ(test, map->f_mapping, ch->shm_file->f_mapping);
	/* Owned by kipc: the VFS drops the module reference after the file's release. */
	KUNIT_EXPECT_STREQ(test, module_name(map->f_op->owner), "kipc");
	KUNIT_EXPECT_EQ(test, kipc_registry_ns_channels(), ns0 + 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&user->channels), user0 + 1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&user->shm_bytes), shm0 + 2 * (s64)PAGE_SIZE);

	/* Name and attachment gone: the mapping's file alone keeps all of it. */
	KUNIT_EXPECT_EQ(test, kipc_registry_destroy(KNAME("kunit-shm-map"), 0), 0);
	kipc_kunit_file_done(kf);
	KUNIT_EXPECT_EQ(test, kipc_registry_ns_channels(), ns0 + 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&user->channels), user0 + 1);
	kipc_shm_counts(&channels, &bytes);
	KUNIT_EXPECT_EQ(test, channels, channels0 + 1);

	/* The last unmap: the file's release frees the channel, and every count goes back. */
	fput(map);
	flush_delayed_fput();
	KUNIT_EXPECT_EQ(test, kipc_registry_ns_channels(), ns0);
	KUNIT_EXPECT_EQ(test, atomic_read(&user->channels), user0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&user->shm_bytes), shm0);
	kipc_shm_counts(&channels, &bytes);
	KUNIT_EXPECT_EQ(test, channels, channels0);
	KUNIT_EXPECT_EQ(test, bytes, bytes0);
	kipc_user_put(user);
}

/* max_user_channels and max_user_shm_bytes: each its own errno, nothing charged on failure. */
static void kipc_user_channel_limits(struct kunit *test)
{
	struct kipc_user *user = kipc_user_get(current_euid());
	u64 saved_channels = kipc_param_get(&kipc_max_user_channels);
	u64 saved_bytes = kipc_param_get(&kipc_max_user_shm_bytes);
	int channels0 = atomic_read(&user->channels);
	s64 bytes0 = atomic64_read(&user->shm_bytes);

	WRITE_ONCE(kipc_max_user_channels.val, channels0 + 2);
	WRITE_ONCE(kipc_max_user_shm_bytes.val, bytes0 + 3 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, kipc_user_charge_channel(user, 2 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, kipc_user_charge_channel(user, 2 * PAGE_SIZE), -ENOBUFS);
	KUNIT_EXPECT_EQ(test, atomic_read(&user->channels), channels0 + 1);
	KUNIT_EXPECT_EQ(test, kipc_user_charge_channel(user, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, kipc_user_charge_channel(user, 0), -EMFILE);
	KUNIT_EXPECT_EQ(test, atomic_read(&user->channels), channels0 + 2);
	KUNIT_EXPECT_EQ(test, atomic64_read(&user->shm_bytes), bytes0 + 3 * (s64)PAGE_SIZE);
	kipc_user_uncharge_channel(user, PAGE_SIZE);
	kipc_user_uncharge_channel(user, 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, atomic_read(&user->channels), channels0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&user->shm_bytes), bytes0);
	WRITE_ONCE(kipc_max_user_channels.val, saved_channels);
	WRITE_ONCE(kipc_max_user_shm_bytes.val, saved_bytes);
	kipc_user_put(user);
}

static void kipc_shm_doorbell_sequence(struct kunit *test)
{
	struct kipc_file *kf = kipc_kunit_file(test);
	struct kipc_channel *ch;
	u64 seq = 0, now = 0;

	ch = kipc_kunit_shm(test, kf, "kunit-shm-bell", PAGE_SIZE,
			    KIPC_ACCESS_READ | KIPC_ACCESS_WRITE);
	KUNIT_EXPECT_TRUE(test, kipc_shm_poll(kf, NULL, NULL) == (EPOLLOUT | EPOLLWRNORM));
	KUNIT_EXPECT_EQ(test, kipc_shm_wait(kf, 0, KIPC_MSG_NONBLOCK, 0, &now), -EAGAIN);
	KUNIT_EXPECT_EQ(test, kipc_shm_wait(kf, 0, KIPC_MSG_TIMEOUT, ktime_get(), &now),
			-ETIMEDOUT);

	KUNIT_EXPECT_EQ(test, kipc_shm_notify(kf, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, 1ULL);
	KUNIT_EXPECT_EQ(test, kipc_shm_notify(kf, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, 2ULL);
	KUNIT_EXPECT_TRUE(test, kipc_shm_poll(kf, NULL, NULL) & EPOLLIN);

	/* A stale sequence returns at once with the current one, and consumes it. */
	KUNIT_EXPECT_EQ(test, kipc_shm_wait(kf, 0, 0, KTIME_MAX, &now), 0);
	KUNIT_EXPECT_EQ(test, now, 2ULL);
	KUNIT_EXPECT_FALSE(test, kipc_shm_poll(kf, NULL, NULL) & EPOLLIN);
	KUNIT_EXPECT_EQ(test, kipc_shm_wait(kf, 2, KIPC_MSG_NONBLOCK, 0, &now), -EAGAIN);
	KUNIT_EXPECT_EQ(test, ch->notifies, 2ULL);
	KUNIT_EXPECT_EQ(test, ch->waits, 1ULL);

	KUNIT_EXPECT_EQ(test, kipc_registry_destroy(KNAME("kunit-shm-bell"), KIPC_DESTROY_NOW), 0);
	KUNIT_EXPECT_EQ(test, kipc_shm_wait(kf, 2, 0, KTIME_MAX, &now), -EIDRM);
	KUNIT_EXPECT_EQ(test, kipc_shm_notify(kf, &seq), -EIDRM);
	KUNIT_EXPECT_TRUE(test, kipc_shm_poll(kf, NULL, NULL) == (EPOLLHUP | EPOLLERR));
	kipc_kunit_file_done(kf);
}

static void kipc_shm_access_rules(struct kunit *test)
{
	struct kipc_file *kf = kipc_kunit_file(test);
	u64 seq, now;
	u32 prio;

	kipc_kunit_shm(test, kf, "kunit-shm-ro", PAGE_SIZE, KIPC_ACCESS_READ);
	KUNIT_EXPECT_EQ(test, kipc_shm_notify(kf, &seq), -EBADF);
	/* A queue operation on a shared-page channel is the wrong type. */
	KUNIT_EXPECT_EQ(test, kipc_mq_recv(kf, NULL, 0, &prio, NULL, KIPC_MSG_NONBLOCK, KTIME_MAX),
			-EBADF);
	KUNIT_EXPECT_EQ(test, kipc_shm_wait(kf, 1, 0, KTIME_MAX, &now), 0);
	KUNIT_EXPECT_EQ(test, kipc_registry_destroy(KNAME("kunit-shm-ro"), 0), 0);
	kipc_kunit_file_done(kf);
}

static struct kunit_case kipc_shm_cases[] = {
	KUNIT_CASE(kipc_shm_size_rounding_and_limits),
	KUNIT_CASE(kipc_shm_lifetime_follows_references),
	KUNIT_CASE(kipc_shm_mapping_file_holds_the_channel),
	KUNIT_CASE(kipc_shm_doorbell_sequence),
	KUNIT_CASE(kipc_shm_access_rules),
	{}
};

static struct kunit_suite kipc_shm_suite = {
	.name = "kipc_shm",
	.test_cases = kipc_shm_cases,
};

static struct kunit_case kipc_mq_cases[] = {
	KUNIT_CASE(kipc_mq_priority_then_fifo),
	KUNIT_CASE(kipc_mq_level_handover_and_requeue),
	KUNIT_CASE(kipc_mq_batch_take_runs),
	KUNIT_CASE(kipc_mq_drop_takes_oldest_of_lowest),
	KUNIT_CASE(kipc_mq_drop_keeps_the_best),
	KUNIT_CASE(kipc_mq_deadlines_and_restarts),
	KUNIT_CASE(kipc_mq_user_budget_is_enforced),
	KUNIT_CASE(kipc_user_rlimit_charge),
	KUNIT_CASE(kipc_mq_keeps_small_buffers),
	{}
};

static struct kunit_suite kipc_mq_suite = {
	.name = "kipc_mq",
	.test_cases = kipc_mq_cases,
};

static struct kunit_case kipc_registry_cases[] = {
	KUNIT_CASE(kipc_name_rules),
	KUNIT_CASE(kipc_registry_create_lookup_destroy_reuse),
	KUNIT_CASE(kipc_registry_destroy_now_kills),
	KUNIT_CASE(kipc_registry_autodestroy_on_last_detach),
	KUNIT_CASE(kipc_registry_channel_limit),
	KUNIT_CASE(kipc_user_channel_limits),
	{}
};

static struct kunit_suite kipc_registry_suite = {
	.name = "kipc_registry",
	.test_cases = kipc_registry_cases,
};

kunit_test_suites(&kipc_params_suite, &kipc_info_suite, &kipc_mq_suite, &kipc_registry_suite,
		  &kipc_shm_suite);

MODULE_DESCRIPTION("KUnit tests for kipc");
MODULE_LICENSE("GPL");
