// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: the doorbell of a kipc shared-page channel: KIPC_IOC_NOTIFY rings it,
 * KIPC_IOC_WAIT waits for it to move on from a sequence (at once, without waiting, with a
 * timeout, until another process rings, until a signal or DESTROY_NOW), the access each
 * needs, the counters, and the struct rules of both ioctls.  poll, read and write of the
 * doorbell are in kipc_shm_poll_test.c.
 *
 * Every test skips where /dev/kipc is missing or the module lacks KIPC_FEATURE_SHM or
 * KIPC_FEATURE_DOORBELL.
 */
#include "kipc_selftest.h"

KIPC_SHM_FIXTURE(shm, "shm")

/*
 * KIPC_IOC_NOTIFY's and KIPC_IOC_WAIT's structs follow the same size rules.  Each call that
 * gets through writes back one __u64: the sequence a notify made, the one a wait observed.
 */
KIPC_SHM_FIXTURE(shm_struct, "shm")

FIXTURE_VARIANT(shm_struct) {
	unsigned long cmd;
	__u32 size, ver0;	/* sizeof the struct, and KIPC_*_SIZE_VER0 */
	__u32 too_short;	/* a size short of ver0 other than ver0 - 1 */
	size_t out;		/* where the __u64 written back is */
	__u64 rung;		/* how often the doorbell rings before the calls */
	__u64 out1, out2;	/* what the two calls that get through write back */
};

FIXTURE_VARIANT_ADD(shm_struct, notify) {
	.cmd = KIPC_IOC_NOTIFY,
	.size = sizeof(struct kipc_notify),
	.ver0 = KIPC_NOTIFY_SIZE_VER0,
	.too_short = 0,
	.out = offsetof(struct kipc_notify, seq),
	.rung = 0,
	.out1 = 1,
	.out2 = 2,
};

/* seq 0 differs from the doorbell (1): a call that gets through returns at once. */
FIXTURE_VARIANT_ADD(shm_struct, wait) {
	.cmd = KIPC_IOC_WAIT,
	.size = sizeof(struct kipc_wait),
	.ver0 = KIPC_WAIT_SIZE_VER0,
	.too_short = offsetofend(struct kipc_wait, timeout_ns),
	.out = offsetof(struct kipc_wait, observed),
	.rung = 1,
	.out1 = 1,
	.out2 = 1,
};

/* ==== the doorbell ============================================================================ */

TEST_F(shm, notify_returns_an_increasing_seq)
{
	__u64 seq = 0, i;
	int fd, w;

	REQUIRE_FEATURE(KIPC_FEATURE_DOORBELL);
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, doorbell_of(fd));
	for (i = 1; i <= 5; i++) {
		ASSERT_EQ(0, kipc_notify(fd, &seq));
		EXPECT_EQ(i, seq);
	}
	EXPECT_EQ(5, doorbell_of(fd));
	/* One sequence per channel: another fd rings the same bell. */
	w = attach_new(self->name, KIPC_ACCESS_WRITE);
	ASSERT_LE(0, w);
	ASSERT_EQ(0, kipc_notify(w, &seq));
	EXPECT_EQ(6, seq);
	close(w);
	close(fd);
}

TEST_F(shm, wait_returns_at_once_when_seq_differs)
{
	__u64 now = 0, t0;
	int fd;

	REQUIRE_FEATURE(KIPC_FEATURE_DOORBELL);
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_notify(fd, NULL));
	ASSERT_EQ(0, kipc_notify(fd, NULL));
	arm_guard(3);
	t0 = clock_ns(CLOCK_MONOTONIC);
	EXPECT_EQ(0, kipc_wait(fd, 0, 0, KIPC_FOREVER, &now));
	EXPECT_EQ(2, now);
	now = 0;
	EXPECT_EQ(0, kipc_wait(fd, 1, 0, KIPC_FOREVER, &now));
	EXPECT_EQ(2, now);
	/* A seq from the future is just as different. */
	now = 0;
	EXPECT_EQ(0, kipc_wait(fd, 1000, 0, KIPC_FOREVER, &now));
	EXPECT_EQ(2, now);
	EXPECT_GT(1000 * MSEC, clock_ns(CLOCK_MONOTONIC) - t0);
	alarm(0);
	close(fd);
}

TEST_F(shm, wait_for_the_current_seq_nonblock_is_eagain)
{
	__u64 now = 77;
	struct kipc_wait w = { .size = sizeof(w), .seq = 1, .timeout_ns = 1000 * MSEC };
	int fd;

	REQUIRE_FEATURE(KIPC_FEATURE_DOORBELL);
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	arm_guard(3);
	EXPECT_EQ(-EAGAIN, kipc_wait(fd, 0, 0, 0, &now));
	ASSERT_EQ(0, kipc_notify(fd, NULL));
	EXPECT_EQ(-EAGAIN, kipc_wait(fd, 1, 0, 0, &now));
	EXPECT_EQ(77, now);
	/* In the ioctl, NONBLOCK beats a TIMEOUT given with it (the library never sends both). */
	w.flags = KIPC_MSG_NONBLOCK | KIPC_MSG_TIMEOUT;
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_WAIT, &w));
	EXPECT_EQ(EAGAIN, errno);
	alarm(0);
	close(fd);
}

TEST_F(shm, wait_timeout_is_etimedout_after_the_wait)
{
	__u64 t0, waited;
	int fd;

	REQUIRE_FEATURE(KIPC_FEATURE_DOORBELL);
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_notify(fd, NULL));
	t0 = clock_ns(CLOCK_MONOTONIC);
	EXPECT_EQ(-ETIMEDOUT, kipc_wait(fd, 1, 0, 50 * MSEC, NULL));
	waited = clock_ns(CLOCK_MONOTONIC) - t0;
	EXPECT_LE(50 * MSEC - SLACK_NS, waited);
	EXPECT_GT(5000 * MSEC, waited);
	/* A timeout that is over at once (1 ns) is ETIMEDOUT without sleeping. */
	arm_guard(3);
	EXPECT_EQ(-ETIMEDOUT, kipc_wait(fd, 1, 0, 1, NULL));
	alarm(0);
	EXPECT_EQ(1, doorbell_of(fd));
	close(fd);
}

TEST_F(shm, wait_is_woken_by_a_notify_from_another_process)
{
	int sync[2], fd;
	__u64 seq;
	pid_t pid;

	REQUIRE_FEATURE(KIPC_FEATURE_DOORBELL);
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u64 now = 0;
		int r;

		r = attach_new(self->name, KIPC_ACCESS_READ);
		CHILD_EXPECT(1, 1, r >= 0);
		child_ready(sync[1]);
		CHILD_EXPECT(2, 0, kipc_wait(r, 0, 0, KIPC_FOREVER, &now));
		CHILD_EXPECT(3, 1, now);
		_exit(0);
	}
	ASSERT_TRUE(wait_blocked(sync[0], pid));
	EXPECT_TRUE(child_running(pid));
	ASSERT_EQ(0, kipc_notify(fd, &seq));
	EXPECT_EQ(1, seq);
	EXPECT_EQ(0, reap(pid));
	close(fd);
}

TEST_F(shm, signal_interrupts_a_wait_with_eintr)
{
	int sync[2], fd;
	pid_t pid;

	REQUIRE_FEATURE(KIPC_FEATURE_DOORBELL);
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_EXPECT(90, 0, catch_signal(SIGUSR1, 0));
		child_ready(sync[1]);
		_exit(errno_exit(kipc_wait(fd, 0, 0, KIPC_FOREVER, NULL)));
	}
	ASSERT_TRUE(wait_blocked(sync[0], pid));
	kill(pid, SIGUSR1);
	EXPECT_EQ(EINTR, reap(pid));
	EXPECT_EQ(0, doorbell_of(fd));
	close(fd);
}

TEST_F(shm, notify_needs_write_access_and_wait_needs_read_access)
{
	__u64 seq = 0, now = 0, v = 1;
	int fd, r, w;

	REQUIRE_FEATURE(KIPC_FEATURE_DOORBELL);
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	r = attach_new(self->name, KIPC_ACCESS_READ);
	ASSERT_LE(0, r);
	w = attach_new(self->name, KIPC_ACCESS_WRITE);
	ASSERT_LE(0, w);
	arm_guard(3);

	EXPECT_EQ(-EBADF, kipc_notify(r, &seq));
	EXPECT_EQ(-1, write(r, &v, sizeof(v)));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-EBADF, kipc_wait(w, 0, 0, 0, &now));
	EXPECT_EQ(-EBADF, kipc_wait(w, 5, 0, KIPC_FOREVER, &now));
	EXPECT_EQ(-1, read(w, &v, sizeof(v)));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(0, doorbell_of(fd));

	ASSERT_EQ(0, kipc_notify(w, &seq));
	EXPECT_EQ(1, seq);
	EXPECT_EQ(0, kipc_wait(r, 0, 0, KIPC_FOREVER, &now));
	EXPECT_EQ(1, now);
	alarm(0);
	close(r);
	close(w);
	close(fd);
}

TEST_F(shm, notify_and_wait_on_a_queue_are_ebadf)
{
	__u64 v = 1;
	int q;

	REQUIRE_FEATURE(KIPC_FEATURE_DOORBELL);
	if (!(self->info.features & KIPC_FEATURE_MQ))
		SKIP(return, "the module has no message queues");
	q = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, q);
	arm_guard(3);
	EXPECT_EQ(-EBADF, kipc_notify(q, NULL));
	EXPECT_EQ(-EBADF, kipc_wait(q, 0, 0, 0, NULL));
	EXPECT_EQ(-EBADF, kipc_wait(q, 0, 0, KIPC_FOREVER, NULL));
	alarm(0);
	/* write(2) of 8 bytes on a queue is still a message, not a ring. */
	EXPECT_EQ(8, write(q, &v, sizeof(v)));
	EXPECT_EQ(1, depth_of(q));
	close(q);
}

TEST_F(shm, notify_and_wait_unattached_are_enotconn)
{
	REQUIRE_FEATURE(KIPC_FEATURE_DOORBELL);
	arm_guard(3);
	EXPECT_EQ(-ENOTCONN, kipc_notify(self->ctl, NULL));
	EXPECT_EQ(-ENOTCONN, kipc_wait(self->ctl, 0, 0, KIPC_FOREVER, NULL));
	alarm(0);
}

TEST_F(shm, destroy_now_wakes_a_waiter_with_eidrm)
{
	int sync[2], fd;
	pid_t pid;

	REQUIRE_FEATURE(KIPC_FEATURE_DOORBELL);
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		child_ready(sync[1]);
		_exit(errno_exit(kipc_wait(fd, 0, 0, KIPC_FOREVER, NULL)));
	}
	ASSERT_TRUE(wait_blocked(sync[0], pid));
	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name, KIPC_DESTROY_NOW));
	EXPECT_EQ(EIDRM, reap(pid));
	/* And every later ring or wait. */
	arm_guard(3);
	EXPECT_EQ(-EIDRM, kipc_notify(fd, NULL));
	EXPECT_EQ(-EIDRM, kipc_wait(fd, 0, 0, KIPC_FOREVER, NULL));
	EXPECT_EQ(-EIDRM, kipc_wait(fd, 7, 0, 0, NULL));
	alarm(0);
	close(fd);
}

TEST_F(shm, stat_counts_notifies_and_waits)
{
	struct kipc_stat st;
	__u64 v = 0;
	int fd, r;

	REQUIRE_FEATURE(KIPC_FEATURE_DOORBELL);
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	r = attach_new(self->name, KIPC_ACCESS_READ);
	ASSERT_LE(0, r);
	arm_guard(3);
	ASSERT_EQ(0, kipc_notify(fd, NULL));
	ASSERT_EQ(0, kipc_notify(fd, NULL));
	ASSERT_EQ(8, write(fd, &v, sizeof(v)));
	ASSERT_EQ(0, kipc_wait(r, 0, 0, KIPC_FOREVER, NULL));
	ASSERT_EQ(0, kipc_notify(fd, NULL));
	ASSERT_EQ(8, read(r, &v, sizeof(v)));
	EXPECT_EQ(4, v);
	/* Calls that fail count for nothing. */
	EXPECT_EQ(-EAGAIN, kipc_wait(r, 4, 0, 0, NULL));
	EXPECT_EQ(-EBADF, kipc_notify(r, NULL));
	alarm(0);
	ASSERT_EQ(0, kipc_stat_name(self->ctl, self->name, &st));
	EXPECT_EQ(4, st.notifies);
	EXPECT_EQ(2, st.waits);
	EXPECT_EQ(4, st.doorbell);
	EXPECT_EQ(0, st.sent);
	EXPECT_EQ(0, st.received);
	close(r);
	close(fd);
}

/* ==== the ioctl structs ======================================================================= */

TEST_F(shm_struct, size_rules)
{
	/* Both structs begin with size, flags and seq: u.n.size is either one's size. */
	union {
		struct kipc_notify n;
		struct kipc_wait w;
		unsigned char b[sizeof(struct kipc_wait) + 8];
	} u;
	__u64 out;
	unsigned int i;
	int fd;

	REQUIRE_FEATURE(KIPC_FEATURE_DOORBELL);
	ASSERT_LT(variant->size, sizeof(u.b));
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	for (i = 0; i < variant->rung; i++)
		ASSERT_EQ(0, kipc_notify(fd, NULL));
	arm_guard(3);

	memset(&u, 0, sizeof(u));
	u.n.size = variant->ver0 - 1;
	EXPECT_EQ(EINVAL, raw_ioctl(fd, variant->cmd, &u));
	u.n.size = variant->too_short;
	EXPECT_EQ(EINVAL, raw_ioctl(fd, variant->cmd, &u));

	memset(&u, 0, sizeof(u));
	u.n.size = variant->size + 1;
	u.b[variant->size] = 1;
	EXPECT_EQ(E2BIG, raw_ioctl(fd, variant->cmd, &u));
	memcpy(&out, u.b + variant->out, sizeof(out));
	EXPECT_EQ(0, out);
	EXPECT_EQ(variant->rung, doorbell_of(fd));

	u.b[variant->size] = 0;
	EXPECT_EQ(0, raw_ioctl(fd, variant->cmd, &u));
	memcpy(&out, u.b + variant->out, sizeof(out));
	EXPECT_EQ(variant->out1, out);
	EXPECT_EQ(variant->size + 1, u.n.size);
	EXPECT_EQ(0, u.b[variant->size]);

	/* Exactly the required fields. */
	memset(&u, 0, sizeof(u));
	u.n.size = variant->ver0;
	EXPECT_EQ(0, raw_ioctl(fd, variant->cmd, &u));
	memcpy(&out, u.b + variant->out, sizeof(out));
	EXPECT_EQ(variant->out2, out);
	EXPECT_EQ(variant->out2, doorbell_of(fd));
	alarm(0);
	close(fd);
}

TEST_F(shm, notify_and_wait_unknown_flags_are_eopnotsupp)
{
	static const __u32 notify_bad[] = { 0x1, 0x2, 0x80000000u };
	static const __u32 wait_bad[] = { 0x8, 0x80000000u, KIPC_MSG_NONBLOCK | 0x100 };
	struct kipc_notify n;
	struct kipc_wait w;
	unsigned int i;
	int fd;

	REQUIRE_FEATURE(KIPC_FEATURE_DOORBELL);
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	arm_guard(3);
	for (i = 0; i < sizeof(notify_bad) / sizeof(notify_bad[0]); i++) {
		memset(&n, 0, sizeof(n));
		n.size = sizeof(n);
		n.flags = notify_bad[i];
		EXPECT_EQ(EOPNOTSUPP, raw_ioctl(fd, KIPC_IOC_NOTIFY, &n)) TH_LOG("%#x", n.flags);
	}
	EXPECT_EQ(0, doorbell_of(fd));
	/* seq 0 is the doorbell now: a wait that got through would block (the guard ends it). */
	for (i = 0; i < sizeof(wait_bad) / sizeof(wait_bad[0]); i++) {
		memset(&w, 0, sizeof(w));
		w.size = sizeof(w);
		w.flags = wait_bad[i];
		EXPECT_EQ(EOPNOTSUPP, raw_ioctl(fd, KIPC_IOC_WAIT, &w)) TH_LOG("%#x", w.flags);
	}
	alarm(0);
	close(fd);
}

TEST_F(shm, notify_and_wait_null_arg_is_efault)
{
	int fd;

	REQUIRE_FEATURE(KIPC_FEATURE_DOORBELL);
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EFAULT, raw_ioctl(fd, KIPC_IOC_NOTIFY, NULL));
	EXPECT_EQ(EFAULT, raw_ioctl(fd, KIPC_IOC_WAIT, NULL));
	EXPECT_EQ(0, doorbell_of(fd));
	close(fd);
}

TEST_HARNESS_MAIN
