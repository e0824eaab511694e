// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: the doorbell of a kipc shared-page channel through poll(2), epoll, read(2) and
 * write(2): readable from a ring until the fd consumes it (each fd for itself), writable by
 * access, HUP and ERR after DESTROY_NOW, read(2) of the sequence and write(2) of 8 bytes to
 * ring.
 *
 * Every test skips where /dev/kipc is missing or the module lacks KIPC_FEATURE_SHM or
 * KIPC_FEATURE_DOORBELL.
 */
#include <sys/epoll.h>

#include "kipc_selftest.h"

#define P_IN	(POLLIN | POLLRDNORM)
#define P_OUT	(POLLOUT | POLLWRNORM)

KIPC_SHM_FIXTURE(shm, "shm")

/* ==== poll ==================================================================================== */

TEST_F(shm, poll_in_until_consumed_by_wait)
{
	int fd, r;

	REQUIRE_FEATURE(KIPC_FEATURE_DOORBELL);
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	r = attach_new(self->name, KIPC_ACCESS_READ);
	ASSERT_LE(0, r);
	EXPECT_EQ(P_OUT, revents(fd));
	EXPECT_EQ(0, revents(r));

	ASSERT_EQ(0, kipc_notify(fd, NULL));
	EXPECT_EQ(P_IN | P_OUT, revents(fd));
	EXPECT_EQ(P_IN, revents(r));
	/* Each fd consumes for itself. */
	ASSERT_EQ(0, kipc_wait(r, 0, 0, 0, NULL));
	EXPECT_EQ(0, revents(r));
	EXPECT_EQ(P_IN | P_OUT, revents(fd));
	ASSERT_EQ(0, kipc_wait(fd, 0, 0, 0, NULL));
	EXPECT_EQ(P_OUT, revents(fd));

	ASSERT_EQ(0, kipc_notify(fd, NULL));
	EXPECT_EQ(P_IN, revents(r));
	EXPECT_EQ(P_IN | P_OUT, revents(fd));
	close(r);
	close(fd);
}

/* A new attachment has seen every ring before it: no EPOLLIN, and read(2) waits for the next. */
TEST_F(shm, a_new_attachment_starts_at_the_current_ring)
{
	__u64 seq = 0;
	int fd, r;

	REQUIRE_FEATURE(KIPC_FEATURE_DOORBELL);
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_notify(fd, NULL));
	ASSERT_EQ(0, kipc_notify(fd, NULL));
	r = attach_new(self->name, KIPC_ACCESS_READ);
	ASSERT_LE(0, r);
	EXPECT_EQ(0, revents(r));
	ASSERT_EQ(0, fcntl(r, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, read(r, &seq, sizeof(seq)));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, kipc_notify(fd, NULL));
	EXPECT_EQ(P_IN, revents(r));
	EXPECT_EQ(sizeof(seq), read(r, &seq, sizeof(seq)));
	EXPECT_EQ(3, seq);
	close(r);
	close(fd);
}

TEST_F(shm, poll_in_until_consumed_by_read)
{
	__u64 v = 0;
	int fd, r;

	REQUIRE_FEATURE(KIPC_FEATURE_DOORBELL);
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	r = attach_new(self->name, KIPC_ACCESS_READ);
	ASSERT_LE(0, r);
	EXPECT_EQ(0, revents(r));
	ASSERT_EQ(8, write(fd, &v, sizeof(v)));
	ASSERT_EQ(8, write(fd, &v, sizeof(v)));
	EXPECT_EQ(P_IN, revents(r));
	arm_guard(3);
	ASSERT_EQ(8, read(r, &v, sizeof(v)));
	alarm(0);
	EXPECT_EQ(2, v);
	EXPECT_EQ(0, revents(r));
	EXPECT_EQ(P_IN | P_OUT, revents(fd));
	close(r);
	close(fd);
}

TEST_F(shm, poll_out_only_for_writable_attachments)
{
	int fd, r, w;

	REQUIRE_FEATURE(KIPC_FEATURE_DOORBELL);
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	r = attach_new(self->name, KIPC_ACCESS_READ);
	ASSERT_LE(0, r);
	w = attach_new(self->name, KIPC_ACCESS_WRITE);
	ASSERT_LE(0, w);
	EXPECT_EQ(P_OUT, revents(fd));
	EXPECT_EQ(0, revents(r));
	EXPECT_EQ(P_OUT, revents(w));
	/* Rung: in for those that can wait, out stays where it was. */
	ASSERT_EQ(0, kipc_notify(w, NULL));
	EXPECT_EQ(P_IN | P_OUT, revents(fd));
	EXPECT_EQ(P_IN, revents(r));
	EXPECT_EQ(P_OUT, revents(w));
	close(r);
	close(w);
	close(fd);
}

TEST_F(shm, epoll_wakes_on_a_notify)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd, r, ep;
	pid_t pid;

	REQUIRE_FEATURE(KIPC_FEATURE_DOORBELL);
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	r = attach_new(self->name, KIPC_ACCESS_READ);
	ASSERT_LE(0, r);
	ep = epoll_create1(0);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, r, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		usleep(100000);
		_exit(errno_exit(kipc_notify(fd, NULL)));
	}
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 5000));
	/* epoll reports only what was asked for (and HUP/ERR): EPOLLIN. */
	EXPECT_EQ(EPOLLIN, ev.events & (EPOLLIN | EPOLLOUT | EPOLLHUP | EPOLLERR));
	EXPECT_EQ(0, reap(pid));
	/* Level-triggered: still ready until r consumes. */
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(0, kipc_wait(r, 0, 0, 0, NULL));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	close(ep);
	close(fd);
	close(r);
}

TEST_F(shm, poll_reports_hup_and_err_after_destroy_now)
{
	struct epoll_event ev = { .events = EPOLLIN };
	const short bad = POLLHUP | POLLERR;
	int fd, r, ep;

	REQUIRE_FEATURE(KIPC_FEATURE_DOORBELL);
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	r = attach_new(self->name, KIPC_ACCESS_READ);
	ASSERT_LE(0, r);
	ep = epoll_create1(0);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, r, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name, KIPC_DESTROY_NOW));
	EXPECT_EQ(bad, revents(fd) & bad);
	EXPECT_EQ(bad, revents(r) & bad);
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 1000));
	EXPECT_EQ(EPOLLHUP | EPOLLERR, ev.events & (EPOLLHUP | EPOLLERR));
	close(ep);
	close(r);
	close(fd);
}

/* ==== read and write ========================================================================== */

TEST_F(shm, read_returns_the_seq_and_blocks_until_rung)
{
	int sync[2], fd, r;
	__u64 v = 0;
	pid_t pid;

	REQUIRE_FEATURE(KIPC_FEATURE_DOORBELL);
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	r = attach_new(self->name, KIPC_ACCESS_READ);
	ASSERT_LE(0, r);
	/* Rung already: at once, with the sequence now. */
	ASSERT_EQ(0, kipc_notify(fd, NULL));
	ASSERT_EQ(0, kipc_notify(fd, NULL));
	arm_guard(3);
	ASSERT_EQ(8, read(r, &v, sizeof(v)));
	alarm(0);
	EXPECT_EQ(2, v);

	/* Not rung since: it waits. */
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u64 got = 0;

		child_ready(sync[1]);
		CHILD_EXPECT(1, 8, read(r, &got, sizeof(got)));
		CHILD_EXPECT(2, 3, got);
		_exit(0);
	}
	ASSERT_TRUE(wait_blocked(sync[0], pid));
	EXPECT_TRUE(child_running(pid));
	v = 0xdeadbeef;
	ASSERT_EQ(8, write(fd, &v, sizeof(v)));
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(3, doorbell_of(fd));
	close(r);
	close(fd);
}

TEST_F(shm, read_on_an_o_nonblock_fd_is_eagain)
{
	__u64 v = 0;
	int fd, r;

	REQUIRE_FEATURE(KIPC_FEATURE_DOORBELL);
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	r = attach_new(self->name, KIPC_ACCESS_READ);
	ASSERT_LE(0, r);
	ASSERT_EQ(0, fcntl(r, F_SETFL, fcntl(r, F_GETFL) | O_NONBLOCK));
	arm_guard(3);
	EXPECT_EQ(-1, read(r, &v, sizeof(v)));
	EXPECT_EQ(EAGAIN, errno);
	/* The ioctl waits the same way on such an fd. */
	EXPECT_EQ(-EAGAIN, kipc_wait(r, 0, 0, KIPC_FOREVER, NULL));
	ASSERT_EQ(0, kipc_notify(fd, NULL));
	EXPECT_EQ(8, read(r, &v, sizeof(v)));
	EXPECT_EQ(1, v);
	EXPECT_EQ(-1, read(r, &v, sizeof(v)));
	EXPECT_EQ(EAGAIN, errno);
	alarm(0);
	close(r);
	close(fd);
}

TEST_F(shm, read_of_fewer_than_8_bytes_is_einval)
{
	static const size_t lens[] = { 1, 4, 7 };
	char buf[8];
	unsigned int i;
	int fd;

	REQUIRE_FEATURE(KIPC_FEATURE_DOORBELL);
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_notify(fd, NULL));
	arm_guard(3);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		EXPECT_EQ(-1, read(fd, buf, lens[i]));
		EXPECT_EQ(EINVAL, errno) TH_LOG("%zu bytes", lens[i]);
	}
	alarm(0);
	/* Nothing was consumed. */
	EXPECT_EQ(P_IN | P_OUT, revents(fd));
	close(fd);
}

TEST_F(shm, write_of_8_bytes_rings_other_lengths_are_einval)
{
	static const size_t lens[] = { 1, 4, 7, 9, 16 };
	char buf[16] = { 0 };
	unsigned int i;
	int fd;

	REQUIRE_FEATURE(KIPC_FEATURE_DOORBELL);
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	ASSERT_EQ(8, write(fd, buf, 8));
	EXPECT_EQ(1, doorbell_of(fd));
	memset(buf, 0xff, sizeof(buf));
	ASSERT_EQ(8, write(fd, buf, 8));	/* any value */
	EXPECT_EQ(2, doorbell_of(fd));
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		EXPECT_EQ(-1, write(fd, buf, lens[i]));
		EXPECT_EQ(EINVAL, errno) TH_LOG("%zu bytes", lens[i]);
	}
	EXPECT_EQ(2, doorbell_of(fd));
	close(fd);
}

TEST_HARNESS_MAIN
