// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: a receive asleep on an empty queue is handed the next message directly (as
 * POSIX mq's pipelined send), a large one is copied straight into its buffer, and a queue
 * keeps the buffers of consumed small messages for the next ones.  None may lose, duplicate
 * or mix up a message: a hand-off to a bad buffer puts the message back, a sleeper that
 * cannot take it passes it on, one that left (timeout, signal, death) is never handed
 * anything, a direct copy that would need a page fault goes the queued way without writing
 * through a shared page, and a reused buffer carries no bytes of its past.
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
	n = kipc_recv(fd, buf, room, &prio, 0, timeout_ns ? (__s64)timeout_ns : KIPC_FOREVER);
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
	if (pid > 0 && wait_blocked(ready[0], pid) && !kipc_send(fd, msg, len, 3, 0, KIPC_FOREVER))
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
	ASSERT_EQ(0, kipc_send(self->fd, "hello", 5, 3, 0, KIPC_FOREVER));
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
	ASSERT_EQ(0, kipc_send(self->fd, "kept", 4, 3, 0, KIPC_FOREVER));
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
	ASSERT_EQ(0, kipc_send(self->fd, msg, 32, 3, 0, KIPC_FOREVER));
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
		ASSERT_EQ(0, kipc_send(self->fd, "same", 4, 3, 0, KIPC_FOREVER));
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
	EXPECT_EQ(-ETIMEDOUT, kipc_recv(self->fd, buf, sizeof(buf), &prio, 0,
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
		_exit(errno_exit(kipc_recv(self->fd, buf, sizeof(buf), NULL, 0, KIPC_FOREVER)));
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

/* ---- direct copies of large messages --------------------------------------------------------- */

#define BIG		(128 * 1024)
#define DIRECT_MIN	(64 * 1024)	/* direct_copy_min's default */

/* debugfs's direct_copies or direct_misses so far, or -1 where debugfs does not tell. */
static long direct_count(const char *which)
{
	char path[96], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/debug/kipc/direct_%s", which);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

FIXTURE(direct) {
	KIPC_FIXTURE_FIELDS;
	int fd;
	int ready[2];
	char *msg;
	long copies, misses;	/* the counts when the test began */
	char min_param[32];	/* direct_copy_min as it was */
};

FIXTURE_SETUP(direct)
{
	self->fd = -1;
	self->ready[0] = self->ready[1] = -1;
	self->msg = NULL;
	self->min_param[0] = 0;
	KIPC_SETUP_MQ(self, "dc");
	if (self->info.max_msg_size < BIG) {
		self->skip = "max_msg_size is below 128 KiB";
		SKIP(return, "%s", self->skip);
	}
	self->fd = q_new(self->name, 4, BIG, KIPC_OVERFLOW_BLOCK);
	ASSERT_LE(0, self->fd) TH_LOG("%s", kipc_strerror(self->fd));
	ASSERT_EQ(0, pipe(self->ready));
	self->msg = malloc(BIG);
	ASSERT_NE(NULL, self->msg);
	for (int i = 0; i < BIG; i++)
		self->msg[i] = (char)(i * 7 + i / 4096);
	ASSERT_EQ(0, read_param_text("direct_copy_min", self->min_param,
				     sizeof(self->min_param)));
	self->copies = direct_count("copies");
	self->misses = direct_count("misses");
}

FIXTURE_TEARDOWN(direct)
{
	kill_children();
	if (self->min_param[0])
		write_param_text("direct_copy_min", self->min_param);
	free(self->msg);
	if (self->ready[0] >= 0) {
		close(self->ready[0]);
		close(self->ready[1]);
	}
	if (self->fd >= 0)
		close(self->fd);
	KIPC_TEARDOWN(self);
}

/* Direct copies and misses since the test began are @copies and @misses (where debugfs tells). */
#define EXPECT_DIRECT(f, ncopies, nmisses) do {					\
	if ((f)->copies >= 0) {								\
		EXPECT_EQ((f)->copies + (ncopies), direct_count("copies"));		\
		EXPECT_EQ((f)->misses + (nmisses), direct_count("misses"));		\
	}										\
} while (0)

/* The receive's own buffer is written by the send: whole, nothing past it, counted as a receive. */
TEST_F(direct, a_large_message_goes_straight_into_the_sleeping_receive)
{
	static const unsigned int sizes[] = { DIRECT_MIN, DIRECT_MIN + 1, 100 * 1024 + 3, BIG };
	struct kipc_stat st;
	unsigned int i;

	REQUIRE_MQ();
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		EXPECT_EQ(0, one_sleeper_gets(self->fd, BIG, self->msg, sizes[i], 0))
			TH_LOG("size %u", sizes[i]);
	ASSERT_EQ(0, kipc_stat_self(self->fd, &st));
	EXPECT_EQ(0U, st.depth);
	EXPECT_EQ(4ULL, st.sent);
	EXPECT_EQ(4ULL, st.received);
	EXPECT_EQ((__u32)getpid(), st.last_send_pid);
	EXPECT_DIRECT(self, 4, 0);
}

/* Below direct_copy_min, or with it 0, a message is handed over as before. */
TEST_F(direct, direct_copy_min_sets_where_it_starts_and_0_turns_it_off)
{
	REQUIRE_MQ();
	EXPECT_EQ(0, one_sleeper_gets(self->fd, BIG, self->msg, DIRECT_MIN - 1, 0));
	EXPECT_DIRECT(self, 0, 0);
	ASSERT_EQ(0, write_param_text("direct_copy_min", "0"));
	EXPECT_EQ(0, one_sleeper_gets(self->fd, BIG, self->msg, BIG, 0));
	EXPECT_DIRECT(self, 0, 0);
	ASSERT_EQ(0, write_param_text("direct_copy_min", "1"));
	EXPECT_EQ(0, one_sleeper_gets(self->fd, BIG, self->msg, 1, 0));
	EXPECT_DIRECT(self, 1, 0);
	EXPECT_EQ(-ERANGE, write_param_text("direct_copy_min", "16777217"));
}

/* A timed receive (the hrtimer sleep) is copied into as well. */
TEST_F(direct, a_timed_receive_gets_a_large_message)
{
	REQUIRE_MQ();
	EXPECT_EQ(0, one_sleeper_gets(self->fd, BIG, self->msg, BIG, 20000 * MSEC));
	EXPECT_DIRECT(self, 1, 0);
}

/* A room larger than the queue allows is no obstacle; one smaller than the message is skipped. */
TEST_F(direct, the_receive_room_decides_not_the_queue)
{
	unsigned int prio;
	char *in;
	pid_t pid;

	REQUIRE_MQ();
	EXPECT_EQ(0, one_sleeper_gets(self->fd, 4 * BIG, self->msg, BIG, 0));
	EXPECT_DIRECT(self, 1, 0);
	/* Too small: it learns the length it needs, and the message stays queued. */
	pid = sleeper(self->fd, self->ready[1], BIG - 1, NULL, 0, "", 0);
	ASSERT_TRUE(wait_blocked(self->ready[0], pid));
	ASSERT_EQ(0, kipc_send(self->fd, self->msg, BIG, 3, 0, KIPC_FOREVER));
	EXPECT_EQ(EMSGSIZE, reap(pid));
	EXPECT_EQ(1, depth_of(self->fd));
	EXPECT_DIRECT(self, 1, 0);
	in = malloc(BIG);
	ASSERT_NE(NULL, in);
	ASSERT_EQ(BIG, kipc_recv(self->fd, in, BIG, &prio, 0, 0));
	EXPECT_EQ(0, memcmp(in, self->msg, BIG));
	free(in);
}

/*
 * A buffer whose pages were never touched would need faults: the attempt is a miss, and the
 * message goes the queued way, whose copy faults the pages in in the receive's own context.
 */
TEST_F(direct, an_untouched_receive_buffer_takes_the_queued_way)
{
	char *fresh;
	pid_t pid;

	REQUIRE_MQ();
	fresh = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, fresh);
	pid = sleeper(self->fd, self->ready[1], BIG, fresh, BIG, self->msg, 0);
	ASSERT_TRUE(wait_blocked(self->ready[0], pid));
	ASSERT_EQ(0, kipc_send(self->fd, self->msg, BIG, 3, 0, KIPC_FOREVER));
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(0, depth_of(self->fd));
	EXPECT_DIRECT(self, 0, 1);
	munmap(fresh, BIG);
}

/*
 * After fork() the receive's buffer is shared copy-on-write with its parent: the copy must not
 * write through the shared pages.  It misses; the queued copy breaks the sharing; the parent's
 * bytes stay its own.
 */
TEST_F(direct, a_copy_on_write_buffer_is_never_written_through)
{
	char *shared;
	pid_t pid;
	int i;

	REQUIRE_MQ();
	shared = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, shared);
	memset(shared, 'P', BIG);
	pid = sleeper(self->fd, self->ready[1], BIG, shared, BIG, self->msg, 0);
	ASSERT_TRUE(wait_blocked(self->ready[0], pid));
	ASSERT_EQ(0, kipc_send(self->fd, self->msg, BIG, 3, 0, KIPC_FOREVER));
	EXPECT_EQ(0, reap(pid));
	for (i = 0; i < BIG && shared[i] == 'P'; i++)
		;
	EXPECT_EQ(BIG, i);
	EXPECT_DIRECT(self, 0, 1);
	munmap(shared, BIG);
}

/* A buffer the receive cannot write: a miss, then EFAULT with the message kept, whole. */
TEST_F(direct, a_read_only_receive_buffer_loses_no_large_message)
{
	unsigned int prio;
	char *ro, *in;
	pid_t pid;

	REQUIRE_MQ();
	ro = mmap(NULL, BIG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	pid = sleeper(self->fd, self->ready[1], BIG, ro, 0, "", 0);
	ASSERT_TRUE(wait_blocked(self->ready[0], pid));
	ASSERT_EQ(0, kipc_send(self->fd, self->msg, BIG, 3, 0, KIPC_FOREVER));
	EXPECT_EQ(EFAULT, reap(pid));
	EXPECT_DIRECT(self, 0, 1);
	in = malloc(BIG);
	ASSERT_NE(NULL, in);
	ASSERT_EQ(BIG, kipc_recv(self->fd, in, BIG, &prio, 0, 0));
	EXPECT_EQ(0, memcmp(in, self->msg, BIG));
	EXPECT_EQ(3U, prio);
	free(in);
	munmap(ro, BIG);
}

/* The sender's buffer faults half-way: EFAULT before any effect, and the receive waits on. */
TEST_F(direct, a_bad_sender_buffer_fails_and_leaves_the_receive_waiting)
{
	struct kipc_stat st;
	char *src;
	pid_t pid;

	REQUIRE_MQ();
	src = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, src);
	memcpy(src, self->msg, BIG / 2);
	ASSERT_EQ(0, mprotect(src + BIG / 2, BIG / 2, PROT_NONE));
	pid = sleeper(self->fd, self->ready[1], BIG, NULL, BIG / 2 + 8192, self->msg, 0);
	ASSERT_TRUE(wait_blocked(self->ready[0], pid));
	EXPECT_EQ(-EFAULT, kipc_send(self->fd, src, BIG, 3, 0, KIPC_FOREVER));
	usleep(50000);
	EXPECT_TRUE(child_running(pid));
	ASSERT_EQ(0, kipc_stat_self(self->fd, &st));
	EXPECT_EQ(0U, st.depth);
	EXPECT_EQ(0ULL, st.sent);
	EXPECT_EQ(0ULL, st.received);
	EXPECT_DIRECT(self, 0, 0);
	/* The receive's buffer is untouched: the next message lands whole, 0xaa after it. */
	ASSERT_EQ(0, kipc_send(self->fd, self->msg, BIG / 2 + 8192, 3, 0, KIPC_FOREVER));
	EXPECT_EQ(0, reap(pid));
	EXPECT_DIRECT(self, 1, 0);
	munmap(src, BIG);
}

/* A signal to a receive that is about to be copied into changes nothing the receive gets. */
TEST_F(direct, a_signalled_receive_gets_its_message_or_eintr_never_half)
{
	int round, got = 0, intr = 0;

	REQUIRE_MQ();
	for (round = 0; round < 20; round++) {
		pid_t pid = fork_child();

		ASSERT_LE(0, pid);
		if (pid == 0) {
			unsigned int prio;
			char *in = malloc(BIG);
			long n;

			if (!in)
				_exit(99);
			memset(in, 0xaa, BIG);
			catch_signal(SIGUSR1, 0);
			child_ready(self->ready[1]);
			n = kipc_recv(self->fd, in, BIG, &prio, 0, KIPC_FOREVER);
			if (n < 0)
				_exit(errno_exit(n));
			CHILD_EXPECT(1, BIG, n);
			CHILD_EXPECT(2, 0, memcmp(in, self->msg, BIG));
			_exit(0);
		}
		ASSERT_TRUE(wait_blocked(self->ready[0], pid));
		ASSERT_EQ(0, kill(pid, SIGUSR1));
		ASSERT_EQ(0, kipc_send(self->fd, self->msg, BIG, 3, 0, KIPC_FOREVER));
		switch (reap(pid)) {
		case 0:
			got++;
			break;
		case EINTR: {
			/* It left before the send: the message is queued, whole. */
			char *in = malloc(BIG);
			unsigned int prio;

			ASSERT_NE(NULL, in);
			ASSERT_EQ(BIG, kipc_recv(self->fd, in, BIG, &prio, 0, 0));
			EXPECT_EQ(0, memcmp(in, self->msg, BIG));
			free(in);
			intr++;
			break;
		}
		default:
			EXPECT_TRUE(0) TH_LOG("round %d: neither the message nor EINTR", round);
		}
		ASSERT_EQ(0, depth_of(self->fd));
	}
	EXPECT_EQ(20, got + intr);
}

/* CALL's request and its reply both go straight into the sleeping side's buffer. */
TEST_F(direct, a_large_call_and_its_large_reply_arrive_whole)
{
	unsigned int prio = 0;
	char *reply, *want;
	int rfd, i;
	pid_t pid;

	REQUIRE_MQ();
	rfd = q_new(self->name2, 4, BIG, KIPC_OVERFLOW_BLOCK);
	ASSERT_LE(0, rfd) TH_LOG("%s", kipc_strerror(rfd));
	want = malloc(BIG);
	reply = malloc(BIG);
	ASSERT_NE(NULL, want);
	ASSERT_NE(NULL, reply);
	for (i = 0; i < BIG; i++)
		want[i] = (char)~self->msg[i];
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *in = malloc(BIG);
		long n;

		if (!in)
			_exit(99);
		memset(in, 0x55, BIG);
		child_ready(self->ready[1]);
		n = kipc_recv(self->fd, in, BIG, &prio, 0, KIPC_FOREVER);
		CHILD_EXPECT(1, BIG, n);
		CHILD_EXPECT(2, 0, memcmp(in, self->msg, BIG));
		CHILD_EXPECT(3, 0, kipc_send(rfd, want, BIG, 5, 0, KIPC_FOREVER));
		_exit(0);
	}
	ASSERT_TRUE(wait_blocked(self->ready[0], pid));
	/*
	 * Written after fork(), or its pages would be copy-on-write and miss; and not with 0,
	 * which malloc() and memset() would turn into a calloc() that touches no page.
	 */
	memset(reply, 0x55, BIG);
	EXPECT_EQ(BIG, kipc_call(self->fd, self->msg, BIG, 3, rfd, reply, BIG, &prio, 0, KIPC_FOREVER));
	EXPECT_EQ(5U, prio);
	EXPECT_EQ(0, memcmp(reply, want, BIG));
	EXPECT_EQ(0, reap(pid));
	/* The request went directly; the reply does when the caller sleeps first (one CPU). */
	if (self->copies >= 0) {
		EXPECT_LE(self->copies + 1, direct_count("copies"));
		EXPECT_EQ(self->misses, direct_count("misses"));
	}
	free(reply);
	free(want);
	close(rfd);
}

/* ---- kept buffers ---------------------------------------------------------------------------- */

/* A short message in a buffer a long one used: only its own bytes come out. */
TEST_F(handoff, a_reused_buffer_carries_no_stale_bytes)
{
	char big[400], buf[400];
	unsigned int prio;

	REQUIRE_MQ();
	memset(big, 'A', sizeof(big));
	ASSERT_EQ(0, kipc_send(self->fd, big, sizeof(big), 0, 0, 0));
	ASSERT_EQ((long)sizeof(big), kipc_recv(self->fd, buf, sizeof(buf), &prio, 0, 0));
	ASSERT_EQ(0, kipc_send(self->fd, "bbbbbbbbbb", 10, 0, 0, 0));
	memset(buf, 'z', sizeof(buf));
	ASSERT_EQ(10, kipc_recv(self->fd, buf, sizeof(buf), &prio, 0, 0));
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
						       0, 0));
			}
			for (j = i; j < n && j < i + 8; j++) {
				unsigned int len = sizes[(j + round) % n];

				memset(in, 0xee, sizeof(in));
				ASSERT_EQ((long)len, kipc_recv(self->fd, in, sizeof(in), &prio, 0, 0));
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
