// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: kipc queue calls that wait, and what ends the wait: a message or room for one,
 * the timeout, a signal (EINTR, or a restart with SA_RESTART) and DESTROY_NOW (EIDRM).  The
 * mq_blocked fixture runs its tests once for a receiver on an empty queue and once for a
 * sender on a full one.
 */
#include "kipc_selftest.h"

KIPC_MQ_FIXTURE(mq, "mq")

/*
 * A call that waits: a receive on an empty queue, or a send on a full one (one message, the
 * block policy).
 */
KIPC_MQ_FIXTURE(mq_blocked, "mq")

FIXTURE_VARIANT(mq_blocked) {
	bool send;
	unsigned int max_msgs, overflow;	/* q_new()'s: 0 for the defaults */
	const char *fill;			/* what is queued before the call, or NULL */
};

FIXTURE_VARIANT_ADD(mq_blocked, receiver) {
	.send = false,
};

FIXTURE_VARIANT_ADD(mq_blocked, sender) {
	.send = true,
	.max_msgs = 1,
	.overflow = KIPC_OVERFLOW_BLOCK,
	.fill = "full",
};

/* The variant's call on @fd, which waits: a receive into 64 bytes, or a send. */
static long blocking_call(const FIXTURE_VARIANT(mq_blocked) *variant, int fd, __s64 timeout_ns)
{
	char buf[64];

	if (variant->send)
		return kipc_send(fd, "more", 4, 0, 0, timeout_ns);
	return kipc_recv(fd, buf, sizeof(buf), NULL, 0, timeout_ns);
}

/* ==== waits that end with a message or room =================================================== */

TEST_F(mq, empty_queue_recv_waits_for_a_send)
{
	int sync[2], fd;
	char buf[64];
	pid_t pid;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned int prio = 0;
		long n;

		child_ready(sync[1]);
		n = kipc_recv(fd, buf, sizeof(buf), &prio, 0, KIPC_FOREVER);
		CHILD_EXPECT(1, 4, n);
		CHILD_EXPECT(2, 0, memcmp(buf, "wake", 4));
		CHILD_EXPECT(3, 9, prio);
		_exit(0);
	}
	ASSERT_TRUE(wait_blocked(sync[0], pid));
	EXPECT_TRUE(child_running(pid));
	ASSERT_EQ(0, put(fd, "wake", 9));
	EXPECT_EQ(0, reap(pid));
	close(fd);
}

TEST_F(mq, full_queue_block_policy_waits_for_room)
{
	int sync[2], fd;
	char buf[64];
	pid_t pid;

	REQUIRE_MQ();
	fd = q_new(self->name, 1, 0, KIPC_OVERFLOW_BLOCK);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, put(fd, "first", 0));
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		child_ready(sync[1]);
		_exit(errno_exit(kipc_send(fd, "second", 6, 0, 0, KIPC_FOREVER)));
	}
	ASSERT_TRUE(wait_blocked(sync[0], pid));
	EXPECT_TRUE(child_running(pid));
	ASSERT_EQ(5, get(fd, buf, NULL));
	EXPECT_STREQ("first", buf);
	EXPECT_EQ(0, reap(pid));
	ASSERT_EQ(6, get(fd, buf, NULL));
	EXPECT_STREQ("second", buf);
	close(fd);
}

/* ==== timeouts ================================================================================ */

TEST_F(mq_blocked, timeout_is_etimedout_after_the_wait)
{
	__u64 t0, waited;
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, variant->max_msgs, 0, variant->overflow);
	ASSERT_LE(0, fd);
	if (variant->fill)
		ASSERT_EQ(0, put(fd, variant->fill, 0));
	t0 = clock_ns(CLOCK_MONOTONIC);
	EXPECT_EQ(-ETIMEDOUT, blocking_call(variant, fd, 200 * MSEC));
	waited = clock_ns(CLOCK_MONOTONIC) - t0;
	EXPECT_LE(200 * MSEC - SLACK_NS, waited);
	EXPECT_GT(5000 * MSEC, waited);
	/* Nothing was taken or added. */
	EXPECT_EQ(variant->fill ? 1 : 0, depth_of(fd));
	close(fd);
}

TEST_F(mq, zero_timeout_is_etimedout_at_once)
{
	char buf[64];
	__u64 t0;
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 1, 0, KIPC_OVERFLOW_BLOCK);
	ASSERT_LE(0, fd);
	arm_guard(3);
	t0 = clock_ns(CLOCK_MONOTONIC);
	EXPECT_EQ(-ETIMEDOUT, kipc_recv(fd, buf, sizeof(buf), NULL, 0, 1));
	ASSERT_EQ(0, kipc_send(fd, "x", 1, 0, 0, 1));
	EXPECT_EQ(-ETIMEDOUT, kipc_send(fd, "y", 1, 0, 0, 1));
	EXPECT_EQ(1, kipc_recv(fd, buf, sizeof(buf), NULL, 0, 1));
	EXPECT_GT(1000 * MSEC, clock_ns(CLOCK_MONOTONIC) - t0);
	alarm(0);
	close(fd);
}

/* ==== signals ================================================================================= */

TEST_F(mq, signal_interrupts_a_wait_with_eintr)
{
	int sync[2], fd;
	char buf[64];
	pid_t pid;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_EXPECT(90, 0, catch_signal(SIGUSR1, 0));
		child_ready(sync[1]);
		_exit(errno_exit(kipc_recv(fd, buf, sizeof(buf), NULL, 0, KIPC_FOREVER)));
	}
	ASSERT_TRUE(wait_blocked(sync[0], pid));
	kill(pid, SIGUSR1);
	EXPECT_EQ(EINTR, reap(pid));
	close(fd);
}

TEST_F(mq, sa_restart_restarts_a_wait_without_timeout)
{
	int sync[2], fd;
	char buf[64];
	pid_t pid;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_EXPECT(90, 0, catch_signal(SIGUSR1, SA_RESTART));
		child_ready(sync[1]);
		CHILD_EXPECT(1, 4, kipc_recv(fd, buf, sizeof(buf), NULL, 0, KIPC_FOREVER));
		CHILD_EXPECT(2, 0, memcmp(buf, "late", 4));
		_exit(0);
	}
	ASSERT_TRUE(wait_blocked(sync[0], pid));
	kill(pid, SIGUSR1);
	usleep(100000);
	EXPECT_TRUE(child_running(pid));
	ASSERT_EQ(0, put(fd, "late", 0));
	EXPECT_EQ(0, reap(pid));
	close(fd);
}

/* A timed wait restarts too, and still ends at its deadline: no EINTR, no extra wait. */
TEST_F(mq, sa_restart_restarts_a_timed_wait_to_its_deadline)
{
	__u64 start;
	int sync[2], fd;
	char buf[64];
	pid_t pid;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_EXPECT(90, 0, catch_signal(SIGUSR1, SA_RESTART));
		child_ready(sync[1]);
		start = clock_ns(CLOCK_MONOTONIC);
		CHILD_EXPECT(1, -ETIMEDOUT, kipc_recv(fd, buf, sizeof(buf), NULL,
						      0, 1500 * MSEC));
		CHILD_EXPECT(2, 1, clock_ns(CLOCK_MONOTONIC) - start >= 1500 * MSEC - SLACK_NS);
		_exit(0);
	}
	ASSERT_TRUE(wait_blocked(sync[0], pid));
	kill(pid, SIGUSR1);
	EXPECT_EQ(0, reap(pid));
	close(fd);
}

/* ==== destroy ================================================================================= */

TEST_F(mq_blocked, destroy_now_wakes_it_with_eidrm)
{
	int sync[2], fd;
	pid_t pid;

	REQUIRE_MQ();
	fd = q_new(self->name, variant->max_msgs, 0, variant->overflow);
	ASSERT_LE(0, fd);
	if (variant->fill)
		ASSERT_EQ(0, put(fd, variant->fill, 0));
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		child_ready(sync[1]);
		_exit(errno_exit(blocking_call(variant, fd, KIPC_FOREVER)));
	}
	ASSERT_TRUE(wait_blocked(sync[0], pid));
	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name, KIPC_DESTROY_NOW));
	EXPECT_EQ(EIDRM, reap(pid));
	close(fd);
}

TEST_HARNESS_MAIN
