// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: regressions for module bugs found by kipc-fuzz and code reading.  Each test names
 * the bug it pins down.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kipc_selftest.h"

#define REQUIRE_MQ_SHM() REQUIRE_MODULE_FEATURES(KIPC_FEATURE_MQ | KIPC_FEATURE_SHM)

struct race {
	int fd;
	volatile int stop;
	char *ro;
};

static void *failing_receiver(void *arg)
{
	struct race *r = arg;

	while (!r->stop)
		kipc_recv(r->fd, r->ro, 64, NULL, 0, 0);
	return NULL;
}

static void *filling_sender(void *arg)
{
	struct race *r = arg;
	char msg[16] = "x";

	while (!r->stop)
		kipc_send(r->fd, msg, sizeof(msg), 0, 0, 0);
	return NULL;
}

/*
 * A receive whose copy-out faults puts its message back, which may overfill a queue a sender
 * just refilled.  A DROP send then dropped one message, still found the queue full, and lost
 * the dropped one: leaked memory and a user charge never returned (kipc-fuzz seed 1000).
 */
TEST(drop_queue_with_faulting_receives_leaks_nothing)
{
	struct kipc_create c = {
		.type = KIPC_TYPE_MQ, .mode = 0600, .access = RW, .max_msgs = 4,
		.max_msg_size = 64, .overflow = KIPC_OVERFLOW_DROP,
	};
	struct race r = { 0 };
	struct kipc_stat st;
	pthread_t rt, st_thread;
	long before;
	time_t end;

	REQUIRE_MQ_SHM();
	before = state_value("messages");
	if (before < 0)
		SKIP(return, "no " KIPC_STATE " (needs root and debugfs)");
	snprintf(c.name, sizeof(c.name), "regress-drop-%d", getpid());
	r.ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r.ro);
	r.fd = kipc_open(0);
	ASSERT_LE(0, r.fd);
	ASSERT_EQ(0, kipc_create(r.fd, &c));
	ASSERT_EQ(0, pthread_create(&rt, NULL, failing_receiver, &r));
	ASSERT_EQ(0, pthread_create(&st_thread, NULL, filling_sender, &r));
	for (end = time(NULL) + 2; time(NULL) < end;) {
		ASSERT_EQ(0, kipc_stat_self(r.fd, &st));
		/* A put-back may overfill by the receives in flight, never more. */
		EXPECT_LE(st.depth, st.max_msgs + 1);
	}
	r.stop = 1;
	pthread_join(rt, NULL);
	pthread_join(st_thread, NULL);
	ASSERT_EQ(0, kipc_stat_self(r.fd, &st));
	EXPECT_EQ(st.sent, st.received + st.dropped + st.depth);
	ASSERT_EQ(0, kipc_destroy(r.fd, c.name, KIPC_DESTROY_NOW));
	close(r.fd);
	EXPECT_EQ(before, state_value("messages"));
	munmap(r.ro, 4096);
}

/* do_mmap() clears VM_SHARED (not VM_MAYSHARE) for an fd without write mode. */
TEST(shared_read_only_mapping_through_an_o_rdonly_fd)
{
	char name[KIPC_NAME_MAX];
	struct kipc_attach a = { .access = KIPC_ACCESS_READ };
	int fd, ro;
	char *p, *q;

	REQUIRE_MQ_SHM();
	snprintf(name, sizeof(name), "regress-rdonly-%d", getpid());
	fd = kipc_shm_open(name, KIPC_CREATE_EXCL, 0600, RW, 4096);
	ASSERT_LE(0, fd);
	p = kipc_shm_map(fd, PROT_READ | PROT_WRITE, NULL, NULL);
	ASSERT_NE(NULL, p);
	strcpy(p, "seen through O_RDONLY");
	ro = open(KIPC_DEVICE_PATH, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, ro);
	copy_name(a.name, name);
	ASSERT_EQ(0, kipc_attach(ro, &a));
	q = mmap(NULL, 4096, PROT_READ, MAP_SHARED, ro, 0);
	ASSERT_NE(MAP_FAILED, q) TH_LOG("mmap: %s", strerror(errno));
	EXPECT_STREQ("seen through O_RDONLY", q);
	munmap(q, 4096);
	/* Still never writable, nor private. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, ro, 0));
	close(ro);
	munmap(p, 4096);
	kipc_destroy(fd, name, 0);
	close(fd);
}

/* KIPC_IOC_CALL checked the reply fd's type only after the request had gone out. */
TEST(call_with_a_shm_reply_fd_sends_nothing)
{
	char qname[48], sname[48], reply[16];
	struct kipc_call c = { .size = sizeof(c) };
	struct kipc_stat st;
	int q, s;

	REQUIRE_MQ_SHM();
	snprintf(qname, sizeof(qname), "regress-callq-%d", getpid());
	snprintf(sname, sizeof(sname), "regress-calls-%d", getpid());
	q = kipc_mq_open(qname, KIPC_MQ_ATTR(.create_flags = KIPC_CREATE_EXCL, .mode = 0600, .access = RW));
	ASSERT_LE(0, q);
	s = kipc_shm_open(sname, KIPC_CREATE_EXCL, 0600, RW, 4096);
	ASSERT_LE(0, s);
	c.req_buf = (unsigned long)"req";
	c.req_len = 3;
	c.reply_fd = s;
	c.reply_buf = (unsigned long)reply;
	c.reply_len = sizeof(reply);
	EXPECT_EQ(-1, ioctl(q, KIPC_IOC_CALL, &c));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(0, c.sent);
	ASSERT_EQ(0, kipc_stat_self(q, &st));
	EXPECT_EQ(0, st.depth);
	kipc_destroy(q, qname, 0);
	kipc_destroy(s, sname, 0);
	close(q);
	close(s);
}

TEST_HARNESS_MAIN
