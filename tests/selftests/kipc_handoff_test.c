// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: a receive asleep on an empty queue is handed the next message directly (as
 * POSIX mq's pipelined send), and a queue keeps the buffers of consumed small messages for
 * the next ones.  None may lose, duplicate or mix up a message: a hand-off to a bad buffer
 * puts the message back, a sleeper that cannot take it passes it on, one that left (timeout,
 * signal, death) is never handed anything, and a reused buffer carries no bytes of its past.
 */
#include <sys/mman.h>

#include "kipc_selftest.h"

FIXTURE(handoff) {
	KIPC_FIXTURE_FIELDS;
	int fd;
};

FIXTURE_SETUP(handoff)
{
	self->fd = -1;
	KIPC_SETUP_MQ(self, "ho");
	self->fd = q_new(self->name, 8, 4096, KIPC_OVERFLOW_BLOCK);
	ASSERT_LE(0, self->fd) TH_LOG("%s", kipc_strerror(self->fd));
}

FIXTURE_TEARDOWN(handoff)
{
	kill_children();
	if (self->fd >= 0)
		close(self->fd);
	KIPC_TEARDOWN(self);
}

/*
 * A child that blocks in one receive of @room bytes into @buf (NULL: its own, filled with
 * 0xaa), and exits with what it got: 0 for @expect_len bytes of @expect (and 0xaa after them),
 * or the errno.  @ready tells the parent it is about to block.
 */
static pid_t sleeper(int fd, int ready, unsigned int room, void *buf, long expect_len,
		     const char *expect, __u64 timeout_ns)
{
	size_t size = room > 4096 ? room : 4096;
	unsigned char *own = NULL;
	unsigned int prio;
	long n;
	pid_t pid = fork_child();

	if (pid)
		return pid;
	if (!buf) {
		own = malloc(size);
		if (!own)
			_exit(99);
		memset(own, 0xaa, size);
		buf = own;
	}
	child_ready(ready);
	n = kipc_recv(fd, buf, room, &prio, timeout_ns ? KIPC_MSG_TIMEOUT : 0, timeout_ns);
	if (n < 0)
		_exit(errno_exit(n));
	CHILD_EXPECT(1, expect_len, n);
	CHILD_EXPECT(2, 0, memcmp(buf, expect, n));
	if (own && n < (long)size)
		CHILD_EXPECT(3, 0xaa, own[n]);
	CHILD_EXPECT(4, 3, prio);
	_exit(0);
}

/*
 * One sleeper with @room and @timeout_ns, and one send of @len bytes of @msg at priority 3
 * once it sleeps.  Return: the sleeper's verdict (0: it got the message whole), or -1.
 */
static int one_sleeper_gets(int fd, unsigned int room, const char *msg, unsigned int len,
			    __u64 timeout_ns)
{
	int ready[2], ret = -1;
	pid_t pid;

	if (pipe(ready))
		return -1;
	pid = sleeper(fd, ready[1], room, NULL, len, msg, timeout_ns);
	if (pid > 0 && wait_blocked(ready[0], pid) && !kipc_send(fd, msg, len, 3, 0, 0))
		ret = reap(pid);
	close(ready[0]);
	close(ready[1]);
	return ret;
}

TEST_F(handoff, a_sleeping_receive_gets_the_message_and_the_stat_names_it)
{
	struct kipc_stat st;
	int ready[2];
	pid_t pid;

	REQUIRE_MQ();
	ASSERT_EQ(0, pipe(ready));
	pid = sleeper(self->fd, ready[1], 64, NULL, 5, "hello", 0);
	ASSERT_TRUE(wait_blocked(ready[0], pid));
	ASSERT_EQ(0, kipc_send(self->fd, "hello", 5, 3, 0, 0));
	EXPECT_EQ(0, reap(pid));
	ASSERT_EQ(0, kipc_stat_self(self->fd, &st));
	EXPECT_EQ(0U, st.depth);
	EXPECT_EQ(1ULL, st.sent);
	EXPECT_EQ(1ULL, st.received);
	/* The receive was the child's, though the sender counted it. */
	EXPECT_EQ((__u32)pid, st.last_recv_pid);
	EXPECT_EQ((__u32)getpid(), st.last_send_pid);
	close(ready[0]);
	close(ready[1]);
}

TEST_F(handoff, a_timed_receive_is_handed_the_message_before_its_deadline)
{
	REQUIRE_MQ();
	EXPECT_EQ(0, one_sleeper_gets(self->fd, 64, "abc", 3, 20000 * MSEC));
}

/* The hand-off's copy fails: the message goes back on the queue, whole. */
TEST_F(handoff, a_bad_buffer_loses_no_handed_message)
{
	struct kipc_stat st;
	unsigned int prio;
	int ready[2];
	char buf[64];
	void *bad;
	pid_t pid;

	REQUIRE_MQ();
	bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, bad);
	ASSERT_EQ(0, pipe(ready));
	pid = sleeper(self->fd, ready[1], 64, bad, 0, "", 0);
	ASSERT_TRUE(wait_blocked(ready[0], pid));
	ASSERT_EQ(0, kipc_send(self->fd, "kept", 4, 3, 0, 0));
	EXPECT_EQ(EFAULT, reap(pid));
	ASSERT_EQ(0, kipc_stat_self(self->fd, &st));
	EXPECT_EQ(1U, st.depth);
	EXPECT_EQ(0ULL, st.received);
	ASSERT_EQ(4, get(self->fd, buf, &prio));
	EXPECT_STREQ("kept", buf);
	EXPECT_EQ(3U, prio);
	munmap(bad, 4096);
	close(ready[0]);
	close(ready[1]);
}

/* The first sleeper's room is too small: it learns so, and the next sleeper takes it. */
TEST_F(handoff, a_sleeper_too_small_passes_the_message_on)
{
	static const char msg[] = "thirty-two bytes of message text";
	int ready[2];
	pid_t small, big;

	REQUIRE_MQ();
	ASSERT_EQ(0, pipe(ready));
	small = sleeper(self->fd, ready[1], 8, NULL, 0, "", 0);
	ASSERT_TRUE(wait_blocked(ready[0], small));
	big = sleeper(self->fd, ready[1], 64, NULL, 32, msg, 0);
	ASSERT_TRUE(wait_blocked(ready[0], big));
	ASSERT_EQ(0, kipc_send(self->fd, msg, 32, 3, 0, 0));
	EXPECT_EQ(0, reap(big));
	EXPECT_EQ(0, depth_of(self->fd));
	/*
	 * Both woke to look: the small one saw the message first and learnt its size, or
	 * found it taken and sleeps on.  Either way it did not take it.
	 */
	usleep(100000);
	if (proc_state(small) == 'S') {
		kill(small, SIGKILL);
		EXPECT_EQ(256 + SIGKILL, reap(small));
	} else {
		EXPECT_EQ(EMSGSIZE, reap(small));
	}
	close(ready[0]);
	close(ready[1]);
}

TEST_F(handoff, many_sleepers_each_get_one_message)
{
	pid_t pid[4];
	int ready[2], i;

	REQUIRE_MQ();
	ASSERT_EQ(0, pipe(ready));
	for (i = 0; i < 4; i++) {
		pid[i] = sleeper(self->fd, ready[1], 64, NULL, 4, "same", 0);
		ASSERT_TRUE(wait_blocked(ready[0], pid[i]));
	}
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, kipc_send(self->fd, "same", 4, 3, 0, 0));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, reap(pid[i]));
	EXPECT_EQ(0, depth_of(self->fd));
	close(ready[0]);
	close(ready[1]);
}

/* A receive that gave up is off the list: what comes later is queued. */
TEST_F(handoff, a_receive_that_timed_out_is_handed_nothing)
{
	char buf[64];
	unsigned int prio;

	REQUIRE_MQ();
	EXPECT_EQ(-ETIMEDOUT, kipc_recv(self->fd, buf, sizeof(buf), &prio, KIPC_MSG_TIMEOUT,
					20 * MSEC));
	ASSERT_EQ(0, put(self->fd, "later", 3));
	EXPECT_EQ(1, depth_of(self->fd));
}

TEST_F(handoff, a_receive_cut_short_by_a_signal_is_handed_nothing)
{
	int ready[2];
	pid_t pid;

	REQUIRE_MQ();
	ASSERT_EQ(0, pipe(ready));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char buf[64];

		catch_signal(SIGUSR1, 0);
		child_ready(ready[1]);
		_exit(errno_exit(kipc_recv(self->fd, buf, sizeof(buf), NULL, 0, 0)));
	}
	ASSERT_TRUE(wait_blocked(ready[0], pid));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	EXPECT_EQ(EINTR, reap(pid));
	ASSERT_EQ(0, put(self->fd, "later", 3));
	EXPECT_EQ(1, depth_of(self->fd));
	close(ready[0]);
	close(ready[1]);
}

TEST_F(handoff, destroy_now_wakes_every_sleeping_receive)
{
	pid_t pid[3];
	int ready[2], i;

	REQUIRE_MQ();
	ASSERT_EQ(0, pipe(ready));
	for (i = 0; i < 3; i++) {
		pid[i] = sleeper(self->fd, ready[1], 64, NULL, 0, "", 0);
		ASSERT_TRUE(wait_blocked(ready[0], pid[i]));
	}
	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name, KIPC_DESTROY_NOW));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(EIDRM, reap(pid[i]));
	close(ready[0]);
	close(ready[1]);
}

/* ---- kept buffers ---------------------------------------------------------------------------- */

/* A short message in a buffer a long one used: only its own bytes come out. */
TEST_F(handoff, a_reused_buffer_carries_no_stale_bytes)
{
	char big[400], buf[400];
	unsigned int prio;

	REQUIRE_MQ();
	memset(big, 'A', sizeof(big));
	ASSERT_EQ(0, kipc_send(self->fd, big, sizeof(big), 0, NB, 0));
	ASSERT_EQ((long)sizeof(big), kipc_recv(self->fd, buf, sizeof(buf), &prio, NB, 0));
	ASSERT_EQ(0, kipc_send(self->fd, "bbbbbbbbbb", 10, 0, NB, 0));
	memset(buf, 'z', sizeof(buf));
	ASSERT_EQ(10, kipc_recv(self->fd, buf, sizeof(buf), &prio, NB, 0));
	EXPECT_EQ(0, memcmp(buf, "bbbbbbbbbb", 10));
	EXPECT_EQ('z', buf[10]);
	EXPECT_EQ('z', buf[sizeof(buf) - 1]);
}

/* Sizes on both sides of every kept size class and of the largest kept buffer. */
TEST_F(handoff, every_size_class_round_trips_its_bytes)
{
	static const unsigned int sizes[] = { 0, 1, 63, 64, 65, 100, 200, 400, 420, 450, 460,
					      500, 600, 1000, 4096 };
	const unsigned int n = sizeof(sizes) / sizeof(sizes[0]);
	unsigned char out[4096], in[4096];
	unsigned int round, i, j, prio;

	REQUIRE_MQ();
	for (round = 0; round < 4; round++) {
		/* Queue up to the depth of 8 with mixed sizes, then drain: buffers change hands. */
		for (i = 0; i < n; i += 8) {
			for (j = i; j < n && j < i + 8; j++) {
				memset(out, (int)(j + round * 16), sizeof(out));
				ASSERT_EQ(0, kipc_send(self->fd, out, sizes[(j + round) % n], 0,
						       NB, 0));
			}
			for (j = i; j < n && j < i + 8; j++) {
				unsigned int len = sizes[(j + round) % n];

				memset(in, 0xee, sizeof(in));
				ASSERT_EQ((long)len, kipc_recv(self->fd, in, sizeof(in), &prio, NB, 0));
				memset(out, (int)(j + round * 16), len);
				EXPECT_EQ(0, memcmp(in, out, len)) TH_LOG("size %u", len);
				if (len < sizeof(in))
					EXPECT_EQ(0xee, in[len]);
			}
		}
	}
	EXPECT_EQ(0, depth_of(self->fd));
}

/* A kept buffer is not the user's: the byte budget comes back whole. */
TEST_F(handoff, the_budget_comes_back_while_buffers_are_kept)
{
	struct kipc_info before, after;
	unsigned int prio;
	char buf[64];
	int i;

	REQUIRE_FEATURE(KIPC_FEATURE_USER_LIMITS);
	ASSERT_EQ(0, kipc_get_info(self->ctl, &before));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, put(self->fd, "some bytes", 0));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(10, get(self->fd, buf, &prio));
	ASSERT_EQ(0, kipc_get_info(self->ctl, &after));
	EXPECT_EQ(before.user_bytes, after.user_bytes);
}

TEST_HARNESS_MAIN
