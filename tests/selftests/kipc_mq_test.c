// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: kipc message-queue channels, the basics: channel names, create and its
 * attributes, and attach.  The rest of the message-queue tests are by topic in
 * kipc_mq_*_test.c: destroy, stat and list, messages, blocking, poll, batches, calls and
 * permissions.  Every test skips where /dev/kipc is missing or the module has no message
 * queues; the one that lowers max_channels needs root.
 */
#include "kipc_selftest.h"

/* ---- helpers that need no fixture -------------------------------------------------------- */

static int attach_raw(int fd, const char *name, unsigned int access)
{
	struct kipc_attach a = { .access = access };

	copy_name(a.name, name);
	return kipc_attach(fd, &a);
}

KIPC_MQ_FIXTURE(mq, "mq")

/* ==== names =================================================================================== */

/* The library refuses a C string that cannot fit before asking the kernel: no module needed. */
TEST(library_refuses_long_names_without_the_kernel)
{
	char name[KIPC_NAME_MAX + 1];
	struct kipc_stat st;

	memset(name, 'a', KIPC_NAME_MAX);
	name[KIPC_NAME_MAX] = '\0';
	EXPECT_EQ(-ENAMETOOLONG, kipc_mq_open(name, KIPC_MQ_ATTR(.mode = 0600, .access = RW)));
	EXPECT_EQ(-ENAMETOOLONG, kipc_mq_attach(name, RW));
	EXPECT_EQ(-ENAMETOOLONG, kipc_destroy(-1, name, 0));
	EXPECT_EQ(-ENAMETOOLONG, kipc_stat_name(-1, name, &st));
}

TEST_F(mq, name_of_63_allowed_bytes_works)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:@-";
	struct kipc_create c;
	struct kipc_stat st;
	int fd, n, i;

	REQUIRE_MQ();
	/* Unique prefix, then every allowed byte, to 63 in all. */
	n = snprintf(self->name, sizeof(self->name), "%d.", getpid());
	for (i = n; i < KIPC_NAME_MAX - 1; i++)
		self->name[i] = set[(i - n) % (sizeof(set) - 1)];
	self->name[KIPC_NAME_MAX - 1] = '\0';
	ASSERT_EQ(KIPC_NAME_MAX - 1, strlen(self->name));

	create_arg(&c, self->name);
	fd = create_fd(&c);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	EXPECT_EQ(1, c.created);
	ASSERT_EQ(0, kipc_stat_name(self->ctl, self->name, &st));
	EXPECT_STREQ(self->name, st.name);
	close(fd);
}

TEST_F(mq, empty_name_is_einval)
{
	struct kipc_create c;

	REQUIRE_MQ();
	create_arg(&c, "");
	EXPECT_EQ(-EINVAL, kipc_create(self->ctl, &c));
	EXPECT_EQ(-EINVAL, attach_raw(self->ctl, "", RW));
	EXPECT_EQ(-EINVAL, kipc_destroy(self->ctl, "", 0));
}

TEST_F(mq, name_with_a_bad_byte_is_einval)
{
	static const unsigned char bad[] = { '/', ' ', 0x01, 0xff, '\n', '*', '\\', 0x7f, '+' };
	struct kipc_create c;
	struct kipc_stat st;
	char name[KIPC_NAME_MAX];
	unsigned int i;

	REQUIRE_MQ();
	for (i = 0; i < sizeof(bad); i++) {
		snprintf(name, sizeof(name), "%.40s%c.x", self->name, bad[i]);
		create_arg(&c, name);
		EXPECT_EQ(-EINVAL, kipc_create(self->ctl, &c)) TH_LOG("byte %#x", bad[i]);
	}
	/* The same rule by name everywhere else. */
	snprintf(name, sizeof(name), "%.40s/x", self->name);
	EXPECT_EQ(-EINVAL, attach_raw(self->ctl, name, RW));
	EXPECT_EQ(-EINVAL, kipc_destroy(self->ctl, name, 0));
	EXPECT_EQ(-EINVAL, kipc_stat_name(self->ctl, name, &st));
}

/* The kernel side of the 64-byte field: no NUL anywhere in it. */
TEST_F(mq, name_without_nul_is_enametoolong)
{
	struct kipc_destroy d = { .size = sizeof(d) };
	struct kipc_attach a = { .access = RW };
	struct kipc_create c;
	struct kipc_stat st;

	REQUIRE_MQ();
	create_arg(&c, "");
	memset(c.name, 'a', KIPC_NAME_MAX);
	EXPECT_EQ(-ENAMETOOLONG, kipc_create(self->ctl, &c));
	memset(a.name, 'a', KIPC_NAME_MAX);
	EXPECT_EQ(-ENAMETOOLONG, kipc_attach(self->ctl, &a));
	memset(d.name, 'a', KIPC_NAME_MAX);
	EXPECT_EQ(ENAMETOOLONG, raw_ioctl(self->ctl, KIPC_IOC_DESTROY, &d));
	memset(&st, 0, sizeof(st));
	memset(st.name, 'a', KIPC_NAME_MAX);
	EXPECT_EQ(-ENAMETOOLONG, kipc_stat(self->ctl, &st));
}

/* ==== create ================================================================================== */

TEST_F(mq, create_reports_created_and_id)
{
	struct kipc_stat st;
	struct kipc_create c;
	int fd;

	REQUIRE_MQ();
	create_arg(&c, self->name);
	fd = create_fd(&c);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	EXPECT_EQ(1, c.created);
	ASSERT_EQ(0, kipc_stat_self(fd, &st));
	EXPECT_EQ(c.id, st.id);
	ASSERT_EQ(0, kipc_stat_name(self->ctl, self->name, &st));
	EXPECT_EQ(c.id, st.id);
	close(fd);
}

TEST_F(mq, create_defaults_and_stat_attributes)
{
	__u64 before, after;
	struct kipc_create c;
	struct kipc_stat st;
	int fd;

	REQUIRE_MQ();
	before = clock_ns(CLOCK_REALTIME);
	create_arg(&c, self->name);
	c.mode = 0640;
	fd = create_fd(&c);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	after = clock_ns(CLOCK_REALTIME);

	ASSERT_EQ(0, kipc_stat_self(fd, &st));
	EXPECT_STREQ(self->name, st.name);
	EXPECT_EQ(KIPC_TYPE_MQ, st.type);
	EXPECT_EQ(0640, st.mode);
	EXPECT_EQ(geteuid(), st.uid);
	EXPECT_EQ(getegid(), st.gid);
	EXPECT_EQ(geteuid(), st.cuid);
	EXPECT_EQ(getegid(), st.cgid);
	EXPECT_EQ(0, st.state);
	EXPECT_EQ(self->info.max_msgs < 256 ? self->info.max_msgs : 256, st.max_msgs);
	EXPECT_EQ(self->info.max_msg_size < 65536 ? self->info.max_msg_size : 65536,
		  st.max_msg_size);
	EXPECT_EQ(KIPC_OVERFLOW_BLOCK, st.overflow);
	EXPECT_EQ(1, st.attachments);
	EXPECT_EQ(0, st.depth);
	EXPECT_EQ(0, st.bytes);
	EXPECT_EQ(0, st.sent);
	EXPECT_EQ(0, st.received);
	EXPECT_EQ(0, st.dropped);
	EXPECT_EQ(0, st.last_send_pid);
	EXPECT_EQ(0, st.last_recv_pid);
	EXPECT_EQ(0, st.send_time_ns);
	EXPECT_EQ(0, st.recv_time_ns);
	/* CLOCK_REALTIME, to within a second of the call. */
	EXPECT_LE(before - 1000 * MSEC, st.ctime_ns);
	EXPECT_GE(after + 1000 * MSEC, st.ctime_ns);
	close(fd);
}

TEST_F(mq, create_unknown_type_is_eopnotsupp)
{
	static const __u32 types[] = { 0, KIPC_TYPE_SHM + 1, 0x100, 0xffffffff };
	struct kipc_create c;
	struct kipc_stat st;
	unsigned int i;

	REQUIRE_MQ();
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		create_arg(&c, self->name);
		c.access = 0;
		c.type = types[i];
		EXPECT_EQ(-EOPNOTSUPP, kipc_create(self->ctl, &c)) TH_LOG("type %u", types[i]);
	}
	EXPECT_EQ(-ENOENT, kipc_stat_name(self->ctl, self->name, &st));
}

TEST_F(mq, create_mode_above_0777_is_einval)
{
	static const __u32 modes[] = { 01000, 02000, 04000, 01777, 0xffffffff };
	struct kipc_create c;
	struct kipc_stat st;
	unsigned int i;

	REQUIRE_MQ();
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		create_arg(&c, self->name);
		c.access = 0;
		c.mode = modes[i];
		EXPECT_EQ(-EINVAL, kipc_create(self->ctl, &c)) TH_LOG("mode %#o", modes[i]);
	}
	create_arg(&c, self->name);
	c.access = 0;
	c.mode = 0777;
	ASSERT_EQ(0, kipc_create(self->ctl, &c));
	ASSERT_EQ(0, kipc_stat_name(self->ctl, self->name, &st));
	EXPECT_EQ(0777, st.mode);
}

TEST_F(mq, create_unknown_overflow_is_eopnotsupp)
{
	struct kipc_create c;
	struct kipc_stat st;

	REQUIRE_MQ();
	create_arg(&c, self->name);
	c.access = 0;
	c.overflow = KIPC_OVERFLOW_DROP + 1;
	EXPECT_EQ(-EOPNOTSUPP, kipc_create(self->ctl, &c));
	c.overflow = 0xffffffff;
	EXPECT_EQ(-EOPNOTSUPP, kipc_create(self->ctl, &c));
	c.overflow = KIPC_OVERFLOW_DROP;
	ASSERT_EQ(0, kipc_create(self->ctl, &c));
	ASSERT_EQ(0, kipc_stat_name(self->ctl, self->name, &st));
	EXPECT_EQ(KIPC_OVERFLOW_DROP, st.overflow);
}

/* An unknown access bit is an unknown flag: EOPNOTSUPP, as everywhere else. */
TEST_F(mq, create_bad_access_bits_are_eopnotsupp)
{
	static const __u32 access[] = { 0x4, 0x8, RW | 0x4, 0x80000000 };
	struct kipc_create c;
	struct kipc_stat st;
	unsigned int i;

	REQUIRE_MQ();
	for (i = 0; i < sizeof(access) / sizeof(access[0]); i++) {
		create_arg(&c, self->name);
		c.access = access[i];
		EXPECT_EQ(-EOPNOTSUPP, kipc_create(self->ctl, &c)) TH_LOG("access %#x", access[i]);
	}
	EXPECT_EQ(-ENOENT, kipc_stat_name(self->ctl, self->name, &st));
}

TEST_F(mq, create_limits_above_the_caps_are_erange)
{
	struct kipc_create c;
	struct kipc_stat st;

	REQUIRE_MQ();
	create_arg(&c, self->name);
	c.access = 0;
	c.max_msgs = self->info.max_msgs + 1;
	EXPECT_EQ(-ERANGE, kipc_create(self->ctl, &c));
	c.max_msgs = 0;
	c.max_msg_size = self->info.max_msg_size + 1;
	EXPECT_EQ(-ERANGE, kipc_create(self->ctl, &c));
	c.max_msgs = 0xffffffff;
	c.max_msg_size = 0xffffffff;
	EXPECT_EQ(-ERANGE, kipc_create(self->ctl, &c));

	/* Exactly at the caps is fine. */
	c.max_msgs = self->info.max_msgs;
	c.max_msg_size = self->info.max_msg_size;
	ASSERT_EQ(0, kipc_create(self->ctl, &c));
	ASSERT_EQ(0, kipc_stat_name(self->ctl, self->name, &st));
	EXPECT_EQ(self->info.max_msgs, st.max_msgs);
	EXPECT_EQ(self->info.max_msg_size, st.max_msg_size);
}

TEST_F(mq, create_excl_on_an_existing_name_is_eexist)
{
	struct kipc_create c;
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	create_arg(&c, self->name);
	EXPECT_EQ(-EEXIST, create_fd(&c));
	c.access = 0;
	EXPECT_EQ(-EEXIST, kipc_create(self->ctl, &c));
	close(fd);
}

TEST_F(mq, create_without_excl_attaches_to_the_existing_channel)
{
	struct kipc_create c, first;
	char buf[64];
	int fd1, fd2, fd3;

	REQUIRE_MQ();
	create_arg(&first, self->name);
	first.max_msgs = 8;
	first.max_msg_size = 128;
	fd1 = create_fd(&first);
	ASSERT_LE(0, fd1);
	EXPECT_EQ(1, first.created);

	/* Attributes left 0: opens what is there. */
	create_arg(&c, self->name);
	c.flags = 0;
	fd2 = create_fd(&c);
	ASSERT_LE(0, fd2) TH_LOG("%s", strerror(-fd2));
	EXPECT_EQ(0, c.created);
	EXPECT_EQ(first.id, c.id);

	/* Attributes equal to the channel's: opens it too. */
	create_arg(&c, self->name);
	c.flags = 0;
	c.max_msgs = 8;
	c.max_msg_size = 128;
	fd3 = create_fd(&c);
	ASSERT_LE(0, fd3) TH_LOG("%s", strerror(-fd3));
	EXPECT_EQ(0, c.created);

	/* One queue behind all three. */
	ASSERT_EQ(0, put(fd2, "shared", 0));
	ASSERT_EQ(6, get(fd1, buf, NULL));
	EXPECT_STREQ("shared", buf);
	close(fd1);
	close(fd2);
	close(fd3);
}

TEST_F(mq, create_existing_with_other_attributes_is_eexist)
{
	struct kipc_create c;
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 8, 128, 0);
	ASSERT_LE(0, fd);
	create_arg(&c, self->name);
	c.flags = 0;
	c.access = 0;
	c.max_msgs = 9;
	EXPECT_EQ(-EEXIST, kipc_create(self->ctl, &c));
	c.max_msgs = 0;
	c.max_msg_size = 64;
	EXPECT_EQ(-EEXIST, kipc_create(self->ctl, &c));
	close(fd);
}

TEST_F(mq, create_without_access_leaves_the_fd_unattached)
{
	struct kipc_create c;
	struct kipc_stat st;
	char buf[64];

	REQUIRE_MQ();
	create_arg(&c, self->name);
	c.access = 0;
	ASSERT_EQ(0, kipc_create(self->ctl, &c));
	EXPECT_EQ(1, c.created);
	EXPECT_EQ(-ENOTCONN, put(self->ctl, "x", 0));
	EXPECT_EQ(-ENOTCONN, kipc_stat_self(self->ctl, &st));
	ASSERT_EQ(0, kipc_stat_name(self->ctl, self->name, &st));
	EXPECT_EQ(0, st.attachments);

	/* It may attach later. */
	ASSERT_EQ(0, attach_raw(self->ctl, self->name, RW));
	EXPECT_EQ(0, put(self->ctl, "x", 0));
	EXPECT_EQ(1, get(self->ctl, buf, NULL));
}

TEST_F(mq, fd_attaches_only_once_ebusy)
{
	struct kipc_create c;
	struct kipc_stat st;
	int fd, other;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	other = q_new(self->name2, 0, 0, 0);
	ASSERT_LE(0, other);

	EXPECT_EQ(-EBUSY, attach_raw(fd, self->name, RW));
	EXPECT_EQ(-EBUSY, attach_raw(fd, self->name2, KIPC_ACCESS_READ));
	/* Create-and-attach of a new name fails the same way, and creates nothing. */
	create_arg(&c, self->name3);
	EXPECT_EQ(-EBUSY, kipc_create(fd, &c));
	EXPECT_EQ(-ENOENT, kipc_stat_name(self->ctl, self->name3, &st));
	/* Still attached where it was. */
	ASSERT_EQ(0, kipc_stat_self(fd, &st));
	EXPECT_STREQ(self->name, st.name);
	close(fd);
	close(other);
}

TEST_F(mq, too_many_channels_is_enospc)
{
	struct kipc_create c;
	unsigned int total;

	REQUIRE_ROOT();
	ASSERT_EQ(0, kipc_list_all(self->ctl, NULL, 0, &total));
	if (total + 1 > 65536)
		SKIP(return, "too many channels already");
	ASSERT_EQ(0, set_param("max_channels", total + 1));

	create_arg(&c, self->name);
	c.access = 0;
	ASSERT_EQ(0, kipc_create(self->ctl, &c));
	create_arg(&c, self->name2);
	c.access = 0;
	EXPECT_EQ(-ENOSPC, kipc_create(self->ctl, &c));

	/* Destroying one makes room again. */
	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name, 0));
	EXPECT_EQ(0, kipc_create(self->ctl, &c));
}

/* ==== attach ================================================================================== */

TEST_F(mq, attach_to_a_missing_name_is_enoent)
{
	REQUIRE_MQ();
	EXPECT_EQ(-ENOENT, attach_raw(self->ctl, self->name, RW));
	EXPECT_EQ(-ENOENT, kipc_mq_attach(self->name, KIPC_ACCESS_READ));
}

/* No access at all is a bad value (EINVAL); an unknown bit is EOPNOTSUPP. */
TEST_F(mq, attach_bad_access_is_einval_or_eopnotsupp)
{
	struct kipc_stat st;
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, attach_raw(self->ctl, self->name, 0));
	EXPECT_EQ(-EOPNOTSUPP, attach_raw(self->ctl, self->name, 0x4));
	EXPECT_EQ(-EOPNOTSUPP, attach_raw(self->ctl, self->name, RW | 0x8));
	EXPECT_EQ(-EOPNOTSUPP, attach_raw(self->ctl, self->name, 0x80000000));
	/* None of them attached it. */
	EXPECT_EQ(-ENOTCONN, kipc_stat_self(self->ctl, &st));
	close(fd);
}

TEST_F(mq, access_decides_send_and_recv_ebadf)
{
	int fd, r, w;
	char buf[64];

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	r = kipc_mq_attach(self->name, KIPC_ACCESS_READ);
	ASSERT_LE(0, r);
	w = kipc_mq_attach(self->name, KIPC_ACCESS_WRITE);
	ASSERT_LE(0, w);

	EXPECT_EQ(-EBADF, put(r, "x", 0));
	EXPECT_EQ(-1, write(r, "x", 1));
	EXPECT_EQ(EBADF, errno);
	ASSERT_EQ(0, put(w, "x", 0));
	EXPECT_EQ(-EBADF, get(w, buf, NULL));
	EXPECT_EQ(-1, read(w, buf, sizeof(buf)));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(1, get(r, buf, NULL));
	close(fd);
	close(r);
	close(w);
}

TEST_F(mq, unattached_fd_is_enotconn)
{
	struct kipc_stat st;
	char buf[64];

	REQUIRE_MQ();
	EXPECT_EQ(-ENOTCONN, put(self->ctl, "x", 0));
	EXPECT_EQ(-ENOTCONN, get(self->ctl, buf, NULL));
	EXPECT_EQ(-ENOTCONN, kipc_stat_self(self->ctl, &st));
	EXPECT_EQ(-1, write(self->ctl, "x", 1));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, read(self->ctl, buf, sizeof(buf)));
	EXPECT_EQ(ENOTCONN, errno);
}

TEST_HARNESS_MAIN
