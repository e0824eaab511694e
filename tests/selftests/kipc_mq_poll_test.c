// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: kipc message queues under poll(2) and epoll: readable and writable by the fd's
 * access and the queue's state, a wake-up on a send, and HUP and ERR after DESTROY_NOW.
 */
#include <sys/epoll.h>

#include "kipc_selftest.h"

KIPC_MQ_FIXTURE(mq, "mq")

TEST_F(mq, poll_reports_in_and_out_by_access_and_state)
{
	const short in = POLLIN | POLLRDNORM, out = POLLOUT | POLLWRNORM;
	int fd, r, w;

	REQUIRE_MQ();
	fd = q_new(self->name, 1, 0, KIPC_OVERFLOW_BLOCK);
	ASSERT_LE(0, fd);
	r = kipc_mq_attach(self->name, KIPC_ACCESS_READ);
	ASSERT_LE(0, r);
	w = kipc_mq_attach(self->name, KIPC_ACCESS_WRITE);
	ASSERT_LE(0, w);

	/* Empty: room to write, nothing to read. */
	EXPECT_EQ(out, revents(fd));
	EXPECT_EQ(0, revents(r));
	EXPECT_EQ(out, revents(w));

	/* Full (one message): something to read, no room. */
	ASSERT_EQ(0, put(w, "x", 0));
	EXPECT_EQ(in, revents(fd));
	EXPECT_EQ(in, revents(r));
	EXPECT_EQ(0, revents(w));
	close(fd);
	close(r);
	close(w);
}

TEST_F(mq, epoll_wakes_on_a_send)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd, r, ep;
	pid_t pid;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	r = kipc_mq_attach(self->name, KIPC_ACCESS_READ);
	ASSERT_LE(0, r);
	ep = epoll_create1(0);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, r, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		usleep(100000);
		_exit(errno_exit(put(fd, "ping", 0)));
	}
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 5000));
	EXPECT_TRUE(ev.events & EPOLLIN);
	EXPECT_EQ(0, reap(pid));
	close(ep);
	close(fd);
	close(r);
}

TEST_F(mq, destroy_now_makes_poll_report_hup_and_err)
{
	struct pollfd p;
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name, KIPC_DESTROY_NOW));
	p.fd = fd;
	p.events = POLLIN | POLLOUT;
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLHUP | POLLERR, p.revents & (POLLHUP | POLLERR));
	close(fd);
}

TEST_HARNESS_MAIN
