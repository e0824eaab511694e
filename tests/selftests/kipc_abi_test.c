// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: the skeleton ABI of /dev/kipc: the info ioctl, the struct size rules, unknown
 * commands, the module parameters in sysfs.  Skips where the module is not loaded.
 */
#include <sys/stat.h>

#include "kipc_selftest.h"

/* Each first-version size the header exports ends at the field its comment names. */
#define VER0_ENDS_AT(_ver0, _struct, _last)						\
	_Static_assert(_ver0 == offsetofend(struct _struct, _last), #_ver0 " is not " #_last "'s end")
VER0_ENDS_AT(KIPC_INFO_SIZE_VER0, kipc_info, features);
VER0_ENDS_AT(KIPC_CREATE_SIZE_VER0, kipc_create, overflow);
VER0_ENDS_AT(KIPC_ATTACH_SIZE_VER0, kipc_attach, name);
VER0_ENDS_AT(KIPC_DESTROY_SIZE_VER0, kipc_destroy, name);
VER0_ENDS_AT(KIPC_STAT_SIZE_VER0, kipc_stat, name);
VER0_ENDS_AT(KIPC_LIST_SIZE_VER0, kipc_list, __reserved);
VER0_ENDS_AT(KIPC_LIST_ENTRY_SIZE_VER0, kipc_list_entry, id);
VER0_ENDS_AT(KIPC_MSG_SIZE_VER0, kipc_msg, timeout_ns);
VER0_ENDS_AT(KIPC_MSG_VEC_SIZE_VER0, kipc_msg_vec, priority);
VER0_ENDS_AT(KIPC_BATCH_SIZE_VER0, kipc_batch, __reserved);
VER0_ENDS_AT(KIPC_CALL_SIZE_VER0, kipc_call, timeout_ns);
VER0_ENDS_AT(KIPC_NOTIFY_SIZE_VER0, kipc_notify, seq);
VER0_ENDS_AT(KIPC_WAIT_SIZE_VER0, kipc_wait, observed);

FIXTURE(dev) {
	int fd;
	const char *skip;		/* why the test cannot run, or NULL */
};

FIXTURE_SETUP(dev)
{
	KIPC_SETUP(self->fd, self->skip);
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(dev, info_reports_abi_and_features)
{
	struct kipc_info info;

	REQUIRE_KIPC();
	ASSERT_EQ(0, kipc_get_info(self->fd, &info));
	EXPECT_EQ(KIPC_ABI_VERSION, info.abi_version);
	EXPECT_TRUE(info.features & KIPC_FEATURE_INFO);
	EXPECT_EQ(sizeof(info), info.size);
	EXPECT_EQ(KIPC_NAME_MAX - 1, info.max_name_len);
	EXPECT_LT(0, info.max_channels);
	EXPECT_LT(0, info.max_msg_size);
	EXPECT_LT(0, info.max_msgs);
	EXPECT_LE(info.max_msg_size, info.max_user_bytes);
	EXPECT_LE(4096, info.max_shm_size);
}

TEST_F(dev, device_node_is_a_char_device)
{
	struct stat st;

	REQUIRE_KIPC();
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST_F(dev, unknown_commands_give_enotty)
{
	struct kipc_info info = { .size = sizeof(info) };

	REQUIRE_KIPC();
	/* A command number past the table. */
	EXPECT_EQ(ENOTTY, raw_ioctl(self->fd, _IO(KIPC_IOCTL_TYPE, 0x7f), &info));
	/* A known number with another type, direction or size encoded. */
	EXPECT_EQ(ENOTTY, raw_ioctl(self->fd, _IO(KIPC_IOCTL_TYPE + 1, KIPC_CMD_INFO), &info));
	EXPECT_EQ(ENOTTY, raw_ioctl(self->fd, _IOWR(KIPC_IOCTL_TYPE, KIPC_CMD_INFO,
						    struct kipc_info), &info));
	/* Generic commands the device does not implement. */
	EXPECT_EQ(ENOTTY, raw_ioctl(self->fd, FIONREAD, &info));
	EXPECT_EQ(ENOTTY, raw_ioctl(self->fd, TCGETS, &info));
}

/* One byte short of the last required field: EINVAL, and nothing is written. */
TEST_F(dev, size_one_byte_short_is_einval)
{
	struct kipc_info info;

	REQUIRE_KIPC();
	memset(&info, 0, sizeof(info));
	info.size = KIPC_INFO_SIZE_VER0 - 1;
	EXPECT_EQ(EINVAL, raw_ioctl(self->fd, KIPC_IOC_INFO, &info));
	EXPECT_EQ(0, info.abi_version);

	info.size = 0;
	EXPECT_EQ(EINVAL, raw_ioctl(self->fd, KIPC_IOC_INFO, &info));
}

/* Longer than the kernel's struct with a non-zero tail: E2BIG. */
TEST_F(dev, size_one_byte_long_nonzero_tail_is_e2big)
{
	struct {
		struct kipc_info info;
		__u8 tail[8];
	} buf;

	REQUIRE_KIPC();
	memset(&buf, 0, sizeof(buf));
	buf.info.size = sizeof(buf.info) + 1;
	buf.tail[0] = 1;
	EXPECT_EQ(E2BIG, raw_ioctl(self->fd, KIPC_IOC_INFO, &buf));
	EXPECT_EQ(0, buf.info.abi_version);

	/* The non-zero byte further out, still inside the caller's size. */
	buf.tail[0] = 0;
	buf.tail[7] = 0xff;
	buf.info.size = sizeof(buf);
	EXPECT_EQ(E2BIG, raw_ioctl(self->fd, KIPC_IOC_INFO, &buf));
}

/* Longer with a zero tail: works, and the tail stays untouched. */
TEST_F(dev, size_one_byte_long_zero_tail_works)
{
	struct {
		struct kipc_info info;
		__u8 tail[8];
	} buf;
	int i;

	REQUIRE_KIPC();
	memset(&buf, 0, sizeof(buf));
	buf.info.size = sizeof(buf.info) + 1;
	ASSERT_EQ(0, raw_ioctl(self->fd, KIPC_IOC_INFO, &buf));
	EXPECT_EQ(KIPC_ABI_VERSION, buf.info.abi_version);
	EXPECT_EQ(sizeof(buf.info) + 1, buf.info.size);
	for (i = 0; i < 8; i++)
		EXPECT_EQ(0, buf.tail[i]);
}

/* An old caller that knew only the required fields: works, nothing written past its size. */
TEST_F(dev, old_small_struct_is_not_overrun)
{
	const size_t old = KIPC_INFO_SIZE_VER0;
	unsigned char raw[sizeof(struct kipc_info)];
	struct kipc_info *info = (struct kipc_info *)raw;
	size_t i;

	REQUIRE_KIPC();
	memset(raw, 0xa5, sizeof(raw));
	memset(raw, 0, old);
	info->size = old;
	ASSERT_EQ(0, raw_ioctl(self->fd, KIPC_IOC_INFO, raw));
	EXPECT_EQ(KIPC_ABI_VERSION, info->abi_version);
	EXPECT_TRUE(info->features & KIPC_FEATURE_INFO);
	for (i = old; i < sizeof(raw); i++)
		EXPECT_EQ(0xa5, raw[i]);
}

TEST_F(dev, unknown_flag_is_eopnotsupp)
{
	struct kipc_info info;
	int bit;

	REQUIRE_KIPC();
	for (bit = 0; bit < 32; bit++) {
		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		info.flags = 1U << bit;
		EXPECT_EQ(EOPNOTSUPP, raw_ioctl(self->fd, KIPC_IOC_INFO, &info));
	}
}

TEST_F(dev, reserved_field_is_einval)
{
	struct kipc_info info;

	REQUIRE_KIPC();
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.__reserved = 1;
	EXPECT_EQ(EINVAL, raw_ioctl(self->fd, KIPC_IOC_INFO, &info));
}

TEST_F(dev, bad_pointers_are_efault)
{
	REQUIRE_KIPC();
	EXPECT_EQ(EFAULT, raw_ioctl(self->fd, KIPC_IOC_INFO, NULL));
	EXPECT_EQ(EFAULT, raw_ioctl(self->fd, KIPC_IOC_INFO, (void *)1));
	EXPECT_EQ(EFAULT, raw_ioctl(self->fd, KIPC_IOC_INFO, KERNEL_ADDR));
}

static int read_param(const char *name, unsigned long long *v)
{
	char text[32];
	int ret = read_param_text(name, text, sizeof(text));

	if (ret)
		return ret;
	return sscanf(text, "%llu", v) == 1 ? 0 : -EINVAL;
}

TEST_F(dev, params_in_sysfs_match_info)
{
	struct kipc_info info;
	unsigned long long v;

	REQUIRE_KIPC();
	ASSERT_EQ(0, kipc_get_info(self->fd, &info));
	ASSERT_EQ(0, read_param("max_channels", &v));
	EXPECT_EQ(info.max_channels, v);
	ASSERT_EQ(0, read_param("max_msg_size", &v));
	EXPECT_EQ(info.max_msg_size, v);
	ASSERT_EQ(0, read_param("max_msgs", &v));
	EXPECT_EQ(info.max_msgs, v);
	ASSERT_EQ(0, read_param("max_user_bytes", &v));
	EXPECT_EQ(info.max_user_bytes, v);
	ASSERT_EQ(0, read_param("max_shm_size", &v));
	EXPECT_EQ(info.max_shm_size, v);
}

TEST_F(dev, params_refuse_out_of_range_and_apply_in_range)
{
	struct kipc_info info;
	unsigned long long saved, v;
	char text[32];

	REQUIRE_KIPC();
	if (geteuid() != 0)
		SKIP(return, "writing module parameters needs root");
	ASSERT_EQ(0, read_param("max_msgs", &saved));

	EXPECT_EQ(-ERANGE, write_param_text("max_msgs", "0\n"));
	EXPECT_EQ(-ERANGE, write_param_text("max_msgs", "99999999999\n"));
	EXPECT_EQ(-EINVAL, write_param_text("max_msgs", "lots\n"));
	ASSERT_EQ(0, read_param("max_msgs", &v));
	EXPECT_EQ(saved, v);

	EXPECT_EQ(0, write_param_text("max_msgs", "77\n"));
	ASSERT_EQ(0, kipc_get_info(self->fd, &info));
	EXPECT_EQ(77, info.max_msgs);

	snprintf(text, sizeof(text), "%llu\n", saved);
	EXPECT_EQ(0, write_param_text("max_msgs", text));
	ASSERT_EQ(0, kipc_get_info(self->fd, &info));
	EXPECT_EQ(saved, info.max_msgs);
}

TEST_HARNESS_MAIN
