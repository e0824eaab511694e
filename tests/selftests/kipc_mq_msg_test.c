// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: messages on a kipc queue without waiting: priority order, the size limits on
 * both sides, zero-length messages, read(2) and write(2), and what a full or an empty queue
 * does to a call that may not wait (NONBLOCK, O_NONBLOCK, the fail and drop policies).  The
 * calls that wait are in kipc_mq_block_test.c.
 */
#include "kipc_selftest.h"

KIPC_MQ_FIXTURE(mq, "mq")

/* ==== messages ================================================================================ */

TEST_F(mq, priority_order_highest_first_fifo_within)
{
	static const struct { const char *text; unsigned int prio; } in[] = {
		{ "a1", 1 }, { "b5", 5 }, { "c1", 1 }, { "max", KIPC_PRIO_MAX }, { "zero", 0 },
		{ "d5", 5 },
	};
	static const char *const out[] = { "max", "b5", "d5", "a1", "c1", "zero" };
	static const unsigned int out_prio[] = { KIPC_PRIO_MAX, 5, 5, 1, 1, 0 };
	unsigned int i, prio;
	char buf[64];
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	for (i = 0; i < 6; i++)
		ASSERT_EQ(0, put(fd, in[i].text, in[i].prio));
	for (i = 0; i < 6; i++) {
		ASSERT_EQ(strlen(out[i]), get(fd, buf, &prio));
		EXPECT_STREQ(out[i], buf);
		EXPECT_EQ(out_prio[i], prio);
	}
	close(fd);
}

TEST_F(mq, priority_above_max_is_einval)
{
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, put(fd, "x", KIPC_PRIO_MAX + 1));
	EXPECT_EQ(-EINVAL, put(fd, "x", 0xffffffff));
	EXPECT_EQ(0, depth_of(fd));
	EXPECT_EQ(0, put(fd, "x", KIPC_PRIO_MAX));
	close(fd);
}

TEST_F(mq, oversized_send_is_emsgsize)
{
	char buf[32];
	int fd;

	REQUIRE_MQ();
	memset(buf, 'x', sizeof(buf));
	fd = q_new(self->name, 0, 16, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EMSGSIZE, kipc_send(fd, buf, 17, 0, 0, 0));
	EXPECT_EQ(-1, write(fd, buf, 17));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(0, depth_of(fd));
	EXPECT_EQ(0, kipc_send(fd, buf, 16, 0, 0, 0));
	close(fd);
}

TEST_F(mq, small_recv_buffer_is_emsgsize_and_keeps_the_message)
{
	struct kipc_msg m;
	char buf[64];
	unsigned int prio;
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, put(fd, "0123456789", 3));

	memset(&m, 0, sizeof(m));
	m.size = sizeof(m);
	m.flags = NB;
	m.buf = (__u64)(unsigned long)buf;
	m.len = 4;
	EXPECT_EQ(EMSGSIZE, raw_ioctl(fd, KIPC_IOC_RECV, &m));
	EXPECT_EQ(10, m.len) TH_LOG("len must report the size needed");
	EXPECT_EQ(-EMSGSIZE, kipc_recv(fd, buf, 9, NULL, 0, 0));
	EXPECT_EQ(1, depth_of(fd));

	/* Exactly enough room is enough. */
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(10, kipc_recv(fd, buf, 10, &prio, 0, 0));
	EXPECT_EQ(0, memcmp(buf, "0123456789", 10));
	EXPECT_EQ(3, prio);
	close(fd);
}

TEST_F(mq, zero_length_messages_work)
{
	struct kipc_stat st;
	unsigned int prio;
	char buf[8];
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_send(fd, buf, 0, 4, 0, 0));
	ASSERT_EQ(0, kipc_stat_self(fd, &st));
	EXPECT_EQ(1, st.depth);
	EXPECT_EQ(0, st.bytes);
	EXPECT_EQ(0, kipc_recv(fd, buf, 0, &prio, 0, 0));
	EXPECT_EQ(4, prio);
	EXPECT_EQ(0, depth_of(fd));
	EXPECT_EQ(0, write(fd, buf, 0));
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));
	close(fd);
}

TEST_F(mq, write_and_read_are_send_and_recv)
{
	unsigned int prio;
	char buf[64];
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(3, write(fd, "low", 3));
	ASSERT_EQ(0, put(fd, "high", 1));

	/* write() sends at priority 0, so "high" comes first. */
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(4, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("high", buf);

	EXPECT_EQ(-1, read(fd, buf, 2));
	EXPECT_EQ(EMSGSIZE, errno);
	ASSERT_EQ(3, get(fd, buf, &prio));
	EXPECT_STREQ("low", buf);
	EXPECT_EQ(0, prio);
	close(fd);
}

/* ==== full and empty queues =================================================================== */

TEST_F(mq, full_queue_nonblock_flag_is_eagain)
{
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 2, 0, KIPC_OVERFLOW_BLOCK);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, put(fd, "1", 0));
	ASSERT_EQ(0, put(fd, "2", 0));
	EXPECT_EQ(-EAGAIN, put(fd, "3", 0));
	EXPECT_EQ(2, depth_of(fd));
	close(fd);
}

TEST_F(mq, o_nonblock_fd_gives_eagain_on_full_and_empty)
{
	char buf[64];
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 1, 0, KIPC_OVERFLOW_BLOCK);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK));

	arm_guard(5);
	EXPECT_EQ(-EAGAIN, kipc_recv(fd, buf, sizeof(buf), NULL, 0, KIPC_FOREVER));
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, kipc_send(fd, "1", 1, 0, 0, KIPC_FOREVER));
	EXPECT_EQ(-EAGAIN, kipc_send(fd, "2", 1, 0, 0, KIPC_FOREVER));
	EXPECT_EQ(-1, write(fd, "2", 1));
	EXPECT_EQ(EAGAIN, errno);
	alarm(0);
	close(fd);
}

TEST_F(mq, full_queue_fail_policy_is_eagain_at_once)
{
	struct kipc_stat st;
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 2, 0, KIPC_OVERFLOW_FAIL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, put(fd, "1", 0));
	ASSERT_EQ(0, put(fd, "2", 0));
	/* No NONBLOCK: the policy alone must refuse.  The guard turns a wait into EINTR. */
	arm_guard(3);
	EXPECT_EQ(-EAGAIN, kipc_send(fd, "3", 1, 0, 0, KIPC_FOREVER));
	alarm(0);
	ASSERT_EQ(0, kipc_stat_self(fd, &st));
	EXPECT_EQ(2, st.depth);
	EXPECT_EQ(0, st.dropped);
	close(fd);
}

TEST_F(mq, full_queue_drop_policy_drops_the_oldest_of_the_lowest)
{
	static const char *const out[] = { "a5", "d3", "c1" };
	struct kipc_stat st;
	unsigned int i;
	char buf[64];
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 3, 0, KIPC_OVERFLOW_DROP);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, put(fd, "a5", 5));
	ASSERT_EQ(0, put(fd, "b1", 1));
	ASSERT_EQ(0, put(fd, "c1", 1));
	arm_guard(3);
	EXPECT_EQ(0, kipc_send(fd, "d3", 2, 3, 0, KIPC_FOREVER));	/* drops b1 */
	alarm(0);
	ASSERT_EQ(0, kipc_stat_self(fd, &st));
	EXPECT_EQ(3, st.depth);
	EXPECT_EQ(1, st.dropped);
	EXPECT_EQ(4, st.sent);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(2, get(fd, buf, NULL));
		EXPECT_STREQ(out[i], buf);
	}
	close(fd);
}

TEST_F(mq, empty_queue_nonblock_is_eagain)
{
	char buf[64];
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EAGAIN, get(fd, buf, NULL));
	close(fd);
}

TEST_HARNESS_MAIN
