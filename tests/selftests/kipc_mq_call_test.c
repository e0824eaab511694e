// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: KIPC_IOC_CALL, a send and the receive of its reply in one call: a round trip
 * with a server, the access both fds need, and a timeout that still reports the request as
 * sent.  The tests skip where the module lacks KIPC_FEATURE_CALL.
 */
#include "kipc_selftest.h"

KIPC_MQ_FIXTURE(mq, "mq")

TEST_F(mq, call_round_trip_with_a_server)
{
	unsigned int prio = 0;
	char reply[64];
	int req, rep;
	long n;
	pid_t pid;

	REQUIRE_FEATURE(KIPC_FEATURE_CALL);
	req = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, req);
	rep = q_new(self->name2, 0, 0, 0);
	ASSERT_LE(0, rep);

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int in = kipc_mq_attach(self->name, KIPC_ACCESS_READ);
		int out = kipc_mq_attach(self->name2, KIPC_ACCESS_WRITE);
		unsigned int p = 0;
		char buf[64];
		long len;

		CHILD_EXPECT(1, 1, in >= 0 && out >= 0);
		len = kipc_recv(in, buf + 3, sizeof(buf) - 3, &p, 0, 5000 * MSEC);
		CHILD_EXPECT(2, 4, len);
		CHILD_EXPECT(3, 2, p);
		memcpy(buf, "re:", 3);
		CHILD_EXPECT(4, 0, kipc_send(out, buf, len + 3, 7, 0, KIPC_FOREVER));
		_exit(0);
	}
	n = kipc_call(req, "ping", 4, 2, rep, reply, sizeof(reply), &prio, 0,
		      5000 * MSEC);
	ASSERT_EQ(7, n) TH_LOG("%s", n < 0 ? strerror(-n) : "wrong length");
	EXPECT_EQ(0, memcmp(reply, "re:ping", 7));
	EXPECT_EQ(7, prio);
	EXPECT_EQ(0, reap(pid));
	close(req);
	close(rep);
}

TEST_F(mq, call_needs_a_reply_fd_attached_for_read_ebadf)
{
	int req, rep, w_only, r_only, p[2];
	char reply[64];

	REQUIRE_FEATURE(KIPC_FEATURE_CALL);
	req = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, req);
	rep = q_new(self->name2, 0, 0, 0);
	ASSERT_LE(0, rep);
	w_only = kipc_mq_attach(self->name2, KIPC_ACCESS_WRITE);
	ASSERT_LE(0, w_only);
	r_only = kipc_mq_attach(self->name, KIPC_ACCESS_READ);
	ASSERT_LE(0, r_only);
	ASSERT_EQ(0, pipe(p));

	arm_guard(5);
	/* Not a kipc fd, not attached, attached without READ, not an fd at all. */
	EXPECT_EQ(-EBADF, kipc_call(req, "q", 1, 0, p[0], reply, sizeof(reply), NULL, 0, 0));
	EXPECT_EQ(-EBADF, kipc_call(req, "q", 1, 0, self->ctl, reply, sizeof(reply), NULL, 0, 0));
	EXPECT_EQ(-EBADF, kipc_call(req, "q", 1, 0, w_only, reply, sizeof(reply), NULL, 0, 0));
	EXPECT_EQ(-EBADF, kipc_call(req, "q", 1, 0, -1, reply, sizeof(reply), NULL, 0, 0));
	/* The request side needs WRITE. */
	EXPECT_EQ(-EBADF, kipc_call(r_only, "q", 1, 0, rep, reply, sizeof(reply), NULL, 0, 0));
	alarm(0);
	close(p[0]);
	close(p[1]);
	close(req);
	close(rep);
	close(w_only);
	close(r_only);
}

TEST_F(mq, call_timeout_reports_the_request_as_sent)
{
	struct kipc_call c;
	char reply[64];
	int req, rep;
	__u64 t0;

	REQUIRE_FEATURE(KIPC_FEATURE_CALL);
	req = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, req);
	rep = q_new(self->name2, 0, 0, 0);
	ASSERT_LE(0, rep);

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.flags = KIPC_MSG_TIMEOUT;
	c.req_buf = (__u64)(unsigned long)"nobody home";
	c.req_len = 11;
	c.reply_fd = rep;
	c.reply_buf = (__u64)(unsigned long)reply;
	c.reply_len = sizeof(reply);
	c.timeout_ns = 200 * MSEC;
	t0 = clock_ns(CLOCK_MONOTONIC);
	EXPECT_EQ(ETIMEDOUT, raw_ioctl(req, KIPC_IOC_CALL, &c));
	EXPECT_LE(200 * MSEC - SLACK_NS, clock_ns(CLOCK_MONOTONIC) - t0);
	EXPECT_EQ(1, c.sent) TH_LOG("sent must be written back even when the reply fails");
	EXPECT_EQ(1, depth_of(req));
	close(req);
	close(rep);
}

TEST_HARNESS_MAIN
