// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: batches on a kipc queue (KIPC_IOC_SEND_BATCH, KIPC_IOC_RECV_BATCH): order, the
 * count and vector size rules, waiting for the first message only, a full queue, and copies
 * that fail midway, which queue or keep exactly the messages before.  The tests skip where
 * the module lacks KIPC_FEATURE_BATCH.
 */
#include <pthread.h>

#include "kipc_selftest.h"

KIPC_MQ_FIXTURE(mq, "mq")

/* A page the kernel cannot write to (or read from): copies into or out of it fail. */
static void *unmapped_page(void)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

TEST_F(mq, batch_send_then_batch_recv)
{
	static const char *const text[] = { "a", "bb", "ccc", "dddd" };
	static const unsigned int prio[] = { 1, 3, 2, 3 };
	/* Highest priority first, FIFO within: bb, dddd, ccc, a. */
	static const unsigned int order[] = { 1, 3, 2, 0 };
	struct kipc_msg_vec vec[8];
	char room[8][16];
	unsigned int i;
	int fd;

	REQUIRE_FEATURE(KIPC_FEATURE_BATCH);
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	memset(vec, 0, sizeof(vec));
	for (i = 0; i < 4; i++) {
		vec[i].buf = (__u64)(unsigned long)text[i];
		vec[i].len = strlen(text[i]);
		vec[i].priority = prio[i];
	}
	ASSERT_EQ(4, kipc_send_batch(fd, vec, 4, 0, 0));
	EXPECT_EQ(4, depth_of(fd));

	memset(vec, 0, sizeof(vec));
	for (i = 0; i < 8; i++) {
		vec[i].buf = (__u64)(unsigned long)room[i];
		vec[i].len = sizeof(room[i]);
	}
	ASSERT_EQ(4, kipc_recv_batch(fd, vec, 8, 0, 0));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(strlen(text[order[i]]), vec[i].len);
		EXPECT_EQ(prio[order[i]], vec[i].priority);
		EXPECT_EQ(0, memcmp(room[i], text[order[i]], vec[i].len));
	}
	EXPECT_EQ(0, depth_of(fd));
	close(fd);
}

TEST_F(mq, batch_count_must_be_1_to_1024)
{
	struct kipc_msg_vec *vec;
	char room[2][8];
	unsigned int i;
	int fd;

	REQUIRE_FEATURE(KIPC_FEATURE_BATCH);
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	vec = calloc(KIPC_BATCH_MAX + 1, sizeof(*vec));
	ASSERT_NE(NULL, vec);
	for (i = 0; i <= KIPC_BATCH_MAX; i++) {
		vec[i].buf = (__u64)(unsigned long)room[i % 2];
		vec[i].len = 1;
	}
	EXPECT_EQ(-EINVAL, kipc_send_batch(fd, vec, 0, 0, 0));
	EXPECT_EQ(-EINVAL, kipc_send_batch(fd, vec, KIPC_BATCH_MAX + 1, 0, 0));
	EXPECT_EQ(-EINVAL, kipc_recv_batch(fd, vec, 0, 0, 0));
	EXPECT_EQ(-EINVAL, kipc_recv_batch(fd, vec, KIPC_BATCH_MAX + 1, 0, 0));
	EXPECT_EQ(0, depth_of(fd));

	/* The largest count is accepted; the receive takes what is there. */
	ASSERT_EQ(0, put(fd, "1", 0));
	ASSERT_EQ(0, put(fd, "2", 0));
	for (i = 0; i <= KIPC_BATCH_MAX; i++)
		vec[i].len = sizeof(room[0]);
	EXPECT_EQ(2, kipc_recv_batch(fd, vec, KIPC_BATCH_MAX, 0, 0));
	free(vec);
	close(fd);
}

TEST_F(mq, batch_vec_size_rules)
{
	/* A caller that knew only the fields up to priority. */
	struct { __u64 buf; __u32 len; __u32 priority; } v16[2];
	struct kipc_batch b;
	char room[2][8];
	int fd;

	REQUIRE_FEATURE(KIPC_FEATURE_BATCH);
	ASSERT_EQ(KIPC_MSG_VEC_SIZE_VER0, sizeof(v16[0]));
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	v16[0].buf = (__u64)(unsigned long)"one";
	v16[0].len = 3;
	v16[0].priority = 1;
	v16[1].buf = (__u64)(unsigned long)"two";
	v16[1].len = 3;
	v16[1].priority = 2;

	memset(&b, 0, sizeof(b));
	b.size = sizeof(b);
	b.flags = NB;
	b.vec = (__u64)(unsigned long)v16;
	b.count = 2;
	b.vec_size = sizeof(v16[0]) - 1;
	EXPECT_EQ(EINVAL, raw_ioctl(fd, KIPC_IOC_SEND_BATCH, &b));
	b.vec_size = 0;
	EXPECT_EQ(EINVAL, raw_ioctl(fd, KIPC_IOC_SEND_BATCH, &b));
	EXPECT_EQ(EINVAL, raw_ioctl(fd, KIPC_IOC_RECV_BATCH, &b));
	EXPECT_EQ(0, depth_of(fd));

	b.vec_size = sizeof(v16[0]);
	ASSERT_EQ(0, raw_ioctl(fd, KIPC_IOC_SEND_BATCH, &b));
	EXPECT_EQ(2, b.done);

	memset(v16, 0, sizeof(v16));
	v16[0].buf = (__u64)(unsigned long)room[0];
	v16[0].len = sizeof(room[0]);
	v16[1].buf = (__u64)(unsigned long)room[1];
	v16[1].len = sizeof(room[1]);
	b.done = 0;
	ASSERT_EQ(0, raw_ioctl(fd, KIPC_IOC_RECV_BATCH, &b));
	EXPECT_EQ(2, b.done);
	EXPECT_EQ(3, v16[0].len);
	EXPECT_EQ(2, v16[0].priority);
	EXPECT_EQ(0, memcmp(room[0], "two", 3));
	EXPECT_EQ(3, v16[1].len);
	EXPECT_EQ(1, v16[1].priority);
	EXPECT_EQ(0, memcmp(room[1], "one", 3));
	close(fd);
}

TEST_F(mq, batch_recv_waits_for_the_first_message_only)
{
	int sync[2], fd;
	pid_t pid;

	REQUIRE_FEATURE(KIPC_FEATURE_BATCH);
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_msg_vec vec[4];
		char room[4][8];
		int i, n;

		memset(vec, 0, sizeof(vec));
		for (i = 0; i < 4; i++) {
			vec[i].buf = (__u64)(unsigned long)room[i];
			vec[i].len = sizeof(room[i]);
		}
		child_ready(sync[1]);
		n = kipc_recv_batch(fd, vec, 4, 0, KIPC_FOREVER);
		/* done (1) on success, else 100 + errno. */
		_exit(n < 0 ? 100 - n : n);
	}
	ASSERT_TRUE(wait_blocked(sync[0], pid));
	ASSERT_EQ(0, put(fd, "one", 0));
	EXPECT_EQ(1, reap(pid));
	close(fd);
}

TEST_F(mq, batch_send_stops_when_the_queue_is_full)
{
	struct kipc_msg_vec vec[5];
	unsigned int i;
	int fd;

	REQUIRE_FEATURE(KIPC_FEATURE_BATCH);
	fd = q_new(self->name, 3, 0, KIPC_OVERFLOW_BLOCK);
	ASSERT_LE(0, fd);
	memset(vec, 0, sizeof(vec));
	for (i = 0; i < 5; i++) {
		vec[i].buf = (__u64)(unsigned long)"m";
		vec[i].len = 1;
	}
	/* Room for the first: no wait for it, and none for the rest. */
	arm_guard(3);
	EXPECT_EQ(3, kipc_send_batch(fd, vec, 5, 0, KIPC_FOREVER));
	alarm(0);
	EXPECT_EQ(3, depth_of(fd));
	/* Nothing fits now: the error shows, as done would be 0. */
	EXPECT_EQ(-EAGAIN, kipc_send_batch(fd, vec, 5, 0, 0));
	close(fd);
}

/*
 * A batch receive takes its messages in one lock round and copies them out after.  A copy
 * that fails midway puts that message and every later one back, in their order: nothing is
 * lost, done counts what arrived, and the receive counter only those.
 */
TEST_F(mq, batch_recv_failing_midway_puts_the_rest_back_in_order)
{
	static const char *const text[] = { "hi", "a", "b", "c" };
	static const unsigned int prio[] = { 7, 1, 1, 1 };
	struct kipc_msg_vec vec[4];
	char room[4][16], buf[64];
	struct kipc_stat st;
	unsigned int i, p;
	void *bad;
	int fd;

	REQUIRE_FEATURE(KIPC_FEATURE_BATCH);
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	bad = unmapped_page();
	ASSERT_NE(NULL, bad);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, put(fd, text[i], prio[i]));
	memset(vec, 0, sizeof(vec));
	for (i = 0; i < 4; i++) {
		vec[i].buf = (__u64)(unsigned long)(i == 2 ? bad : room[i]);
		vec[i].len = sizeof(room[i]);
	}
	/* "hi" and "a" arrive; "b" fails to copy; "b" and "c" stay, in that order. */
	ASSERT_EQ(2, kipc_recv_batch(fd, vec, 4, 0, 0));
	EXPECT_EQ(0, memcmp(room[0], "hi", 2));
	EXPECT_EQ(7, vec[0].priority);
	EXPECT_EQ(0, memcmp(room[1], "a", 1));
	ASSERT_EQ(0, kipc_stat_self(fd, &st));
	EXPECT_EQ(2, st.depth);
	EXPECT_EQ(2, st.received);
	EXPECT_EQ(1, get(fd, buf, &p));
	EXPECT_STREQ("b", buf);
	EXPECT_EQ(1, get(fd, buf, &p));
	EXPECT_STREQ("c", buf);
	/* The first copy failing is the call's error, and still loses nothing. */
	ASSERT_EQ(0, put(fd, "z", 0));
	vec[0].buf = (__u64)(unsigned long)bad;
	EXPECT_EQ(-EFAULT, kipc_recv_batch(fd, vec, 4, 0, 0));
	EXPECT_EQ(1, depth_of(fd));
	munmap(bad, 4096);
	close(fd);
}

/* A message that does not fit its entry ends the batch before it, and stays queued. */
TEST_F(mq, batch_recv_stops_before_a_message_too_long_for_its_entry)
{
	struct kipc_msg_vec vec[3];
	char room[3][8], buf[64];
	unsigned int i;
	int fd;

	REQUIRE_FEATURE(KIPC_FEATURE_BATCH);
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, put(fd, "one", 0));
	ASSERT_EQ(0, put(fd, "a longer one", 0));
	ASSERT_EQ(0, put(fd, "three", 0));
	memset(vec, 0, sizeof(vec));
	for (i = 0; i < 3; i++) {
		vec[i].buf = (__u64)(unsigned long)room[i];
		vec[i].len = sizeof(room[i]);
	}
	ASSERT_EQ(1, kipc_recv_batch(fd, vec, 3, 0, 0));
	EXPECT_EQ(3, vec[0].len);
	EXPECT_EQ(2, depth_of(fd));
	/* First in line now, it is the call's EMSGSIZE, with the length it needs. */
	EXPECT_EQ(-EMSGSIZE, kipc_recv_batch(fd, vec, 3, 0, 0));
	EXPECT_EQ(12, vec[0].len);
	EXPECT_EQ(12, get(fd, buf, NULL));
	close(fd);
}

/*
 * A batch send makes every message before it takes the lock: one whose buffer faults ends
 * the batch there, and exactly the ones before it are queued.
 */
TEST_F(mq, batch_send_failing_midway_queues_exactly_the_ones_before)
{
	struct kipc_msg_vec vec[4];
	struct kipc_stat st;
	char buf[64];
	unsigned int i;
	void *bad;
	int fd;

	REQUIRE_FEATURE(KIPC_FEATURE_BATCH);
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	bad = unmapped_page();
	ASSERT_NE(NULL, bad);
	memset(vec, 0, sizeof(vec));
	for (i = 0; i < 4; i++) {
		vec[i].buf = (__u64)(unsigned long)(i == 2 ? bad : "m");
		vec[i].len = 1;
		vec[i].priority = i;
	}
	EXPECT_EQ(2, kipc_send_batch(fd, vec, 4, 0, 0));
	ASSERT_EQ(0, kipc_stat_self(fd, &st));
	EXPECT_EQ(2, st.depth);
	EXPECT_EQ(2, st.sent);
	EXPECT_EQ(1, get(fd, buf, &i));
	EXPECT_EQ(1, i);
	EXPECT_EQ(-EFAULT, kipc_send_batch(fd, &vec[2], 2, 0, 0));
	EXPECT_EQ(1, depth_of(fd));
	munmap(bad, 4096);
	close(fd);
}

TEST_F(mq, batch_error_after_the_first_is_not_reported)
{
	char big[16];
	struct kipc_msg_vec vec[2];
	int fd;

	REQUIRE_FEATURE(KIPC_FEATURE_BATCH);
	memset(big, 'x', sizeof(big));
	fd = q_new(self->name, 0, 8, 0);
	ASSERT_LE(0, fd);
	memset(vec, 0, sizeof(vec));
	vec[0].buf = (__u64)(unsigned long)"ok";
	vec[0].len = 2;
	vec[1].buf = (__u64)(unsigned long)big;
	vec[1].len = 9;
	EXPECT_EQ(1, kipc_send_batch(fd, vec, 2, 0, 0));
	EXPECT_EQ(1, depth_of(fd));

	/* The same error on the first message is the call's error. */
	EXPECT_EQ(-EMSGSIZE, kipc_send_batch(fd, &vec[1], 1, 0, 0));
	EXPECT_EQ(1, depth_of(fd));

	/* And an empty queue on a receive. */
	vec[0].buf = (__u64)(unsigned long)big;
	vec[0].len = sizeof(big);
	vec[1].buf = (__u64)(unsigned long)big;
	vec[1].len = sizeof(big);
	ASSERT_EQ(1, kipc_recv_batch(fd, vec, 2, 0, 0));
	EXPECT_EQ(-EAGAIN, kipc_recv_batch(fd, vec, 2, 0, 0));
	close(fd);
}

/*
 * The vector is read in one copy: where it runs into an unmapped page, the entries wholly
 * before the page count, and the batch is theirs, sent or received; the first entry unreadable
 * is the call's EFAULT.
 */
TEST_F(mq, batch_vector_running_into_an_unmapped_page_counts_the_entries_before)
{
	struct kipc_msg_vec *vec;
	char room[3][8], buf[64];
	unsigned int i, p;
	char *two;
	int fd;

	REQUIRE_FEATURE(KIPC_FEATURE_BATCH);
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, two);
	ASSERT_EQ(0, munmap(two + 4096, 4096));
	/* Three entries end the first page, and the fourth would lie in the second. */
	vec = (struct kipc_msg_vec *)(two + 4096) - 3;
	for (i = 0; i < 3; i++)
		vec[i] = (struct kipc_msg_vec){ .buf = (__u64)(unsigned long)"xyz", .len = i + 1,
						.priority = 2 };
	EXPECT_EQ(3, kipc_send_batch(fd, vec, 6, 0, 0));
	EXPECT_EQ(3, depth_of(fd));
	for (i = 0; i < 3; i++)
		vec[i] = (struct kipc_msg_vec){ .buf = (__u64)(unsigned long)room[i],
						.len = sizeof(room[i]) };
	EXPECT_EQ(3, kipc_recv_batch(fd, vec, 8, 0, 0));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(i + 1, vec[i].len);
		EXPECT_EQ(2, vec[i].priority);
		EXPECT_EQ(0, memcmp(room[i], "xyz", i + 1));
	}
	EXPECT_EQ(0, depth_of(fd));
	/* An entry that straddles into the page is unreadable too, and nothing moves. */
	ASSERT_EQ(0, put(fd, "kept", 0));
	vec = (struct kipc_msg_vec *)(two + 4096 - sizeof(*vec) / 2);
	EXPECT_EQ(-EFAULT, kipc_send_batch(fd, vec, 1, 0, 0));
	EXPECT_EQ(-EFAULT, kipc_recv_batch(fd, vec, 1, 0, 0));
	EXPECT_EQ(1, depth_of(fd));
	EXPECT_EQ(4, get(fd, buf, &p));
	munmap(two, 4096);
	close(fd);
}

/*
 * A batch receive takes a priority's messages as one run: taking part of a run leaves the rest
 * first in line, in order, behind any higher one sent meanwhile and ahead of later ones of
 * their own priority; taking a whole run moves on to the next priority.
 */
TEST_F(mq, batch_recv_takes_part_of_a_priority_and_the_rest_keeps_its_place)
{
	static const char *const text[] = { "a", "b", "c", "d", "e" };
	struct kipc_msg_vec vec[8];
	char room[8][8], buf[64];
	unsigned int i, p;
	int fd;

	REQUIRE_FEATURE(KIPC_FEATURE_BATCH);
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, put(fd, text[i], 4));
	ASSERT_EQ(0, put(fd, "low", 1));
	for (i = 0; i < 8; i++)
		vec[i] = (struct kipc_msg_vec){ .buf = (__u64)(unsigned long)room[i],
						.len = sizeof(room[i]) };
	ASSERT_EQ(2, kipc_recv_batch(fd, vec, 2, 0, 0));
	EXPECT_EQ(0, memcmp(room[0], "a", 1));
	EXPECT_EQ(0, memcmp(room[1], "b", 1));
	ASSERT_EQ(0, put(fd, "f", 4));
	ASSERT_EQ(0, put(fd, "high", 6));
	EXPECT_EQ(4, get(fd, buf, &p));
	EXPECT_STREQ("high", buf);
	EXPECT_EQ(6, p);
	for (i = 0; i < 8; i++)
		vec[i].len = sizeof(room[i]);
	/* c, d, e and f, then the lower level in the same call. */
	ASSERT_EQ(5, kipc_recv_batch(fd, vec, 8, 0, 0));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(1, vec[i].len);
		EXPECT_EQ(4, vec[i].priority);
		EXPECT_EQ("cdef"[i], room[i][0]);
	}
	EXPECT_EQ(3, vec[4].len);
	EXPECT_EQ(1, vec[4].priority);
	EXPECT_EQ(0, memcmp(room[4], "low", 3));
	EXPECT_EQ(0, depth_of(fd));
	close(fd);
}

/* How long a side of the test below waits before it calls the other side stuck. */
#define WAIT_NS		(10LL * 1000 * 1000 * 1000)

/* A message of a batch sender: who sent it, and its place in that sender's stream. */
struct batch_msg {
	unsigned int who;
	unsigned int seq;
};

struct batch_sender {
	int fd;
	unsigned int who;
	unsigned int count;
	int sent;
};

static void *send_batches(void *arg)
{
	struct batch_sender *s = arg;
	struct kipc_msg_vec vec[64];
	struct batch_msg m[64];
	unsigned int i, n;
	int ret;

	/* 200 batches' worth; a full queue takes part of one, and the rest goes next. */
	while (s->sent < 200 * (int)s->count) {
		n = s->count - s->sent % s->count;
		for (i = 0; i < n; i++) {
			m[i] = (struct batch_msg){ .who = s->who, .seq = s->sent + i };
			vec[i] = (struct kipc_msg_vec){ .buf = (__u64)(unsigned long)&m[i],
							.len = sizeof(m[i]) };
		}
		ret = kipc_send_batch(s->fd, vec, n, 0, WAIT_NS);
		if (ret < 0)
			break;
		s->sent += ret;
	}
	return NULL;
}

/*
 * Batches of any size, one after another and at once on one fd: the working memory the fd
 * keeps between them (a page's worth, taken by one call at a time; a larger batch's of its
 * own) changes nothing that anyone sees: every message arrives once, each sender's in order.
 */
TEST_F(mq, batches_of_any_size_at_once_on_one_fd)
{
	unsigned int i, n, next[2] = { 0, 0 };
	struct batch_sender s[2];
	struct kipc_msg_vec *vec;
	struct batch_msg *room;
	pthread_t t[2];
	int fd, got = 0, ret;

	REQUIRE_FEATURE(KIPC_FEATURE_BATCH);
	fd = q_new(self->name, 0, 0, KIPC_OVERFLOW_BLOCK);
	ASSERT_LE(0, fd);
	vec = calloc(1024, sizeof(*vec));
	room = calloc(1024, sizeof(*room));
	ASSERT_NE(NULL, vec);
	ASSERT_NE(NULL, room);
	for (i = 0; i < 2; i++) {
		s[i] = (struct batch_sender){ .fd = fd, .who = i, .count = i ? 64 : 3 };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, send_batches, &s[i]));
	}
	/* Receives of 1024, 1 and 7 entries on the same fd meanwhile. */
	for (n = 0; got < 200 * (3 + 64); n++) {
		unsigned int count = n % 3 == 0 ? 1024 : n % 3 == 1 ? 1 : 7;

		for (i = 0; i < count; i++)
			vec[i] = (struct kipc_msg_vec){ .buf = (__u64)(unsigned long)&room[i],
							.len = sizeof(room[i]) };
		/* Both sides wait, but not for ever: a sender that stopped fails the test. */
		ret = kipc_recv_batch(fd, vec, count, 0, WAIT_NS);
		ASSERT_LT(0, ret) TH_LOG("%s after %d messages", kipc_strerror(ret), got);
		for (i = 0; i < (unsigned int)ret; i++) {
			ASSERT_EQ(sizeof(room[i]), vec[i].len);
			ASSERT_GT(2, room[i].who);
			ASSERT_EQ(next[room[i].who], room[i].seq);
			next[room[i].who]++;
		}
		got += ret;
	}
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_join(t[i], NULL));
	EXPECT_EQ(200 * 3, s[0].sent);
	EXPECT_EQ(200 * 64, s[1].sent);
	EXPECT_EQ(0, depth_of(fd));
	free(vec);
	free(room);
	close(fd);
}

TEST_HARNESS_MAIN
