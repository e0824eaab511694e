// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: libkipc's message ring over a kipc shared-page channel, woken by futexes on the
 * mapping or by the channel's doorbell.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kipc_selftest.h"

#define RING_BYTES	(64 * 1024)
#define MESSAGES	20000

static unsigned int msg_len(unsigned int i)
{
	return (i * 7919u) % 3000u;
}

static void msg_fill(unsigned char *buf, unsigned int i)
{
	unsigned int n = msg_len(i), k;

	for (k = 0; k < n; k++)
		buf[k] = (unsigned char)(i + k * 13);
}

static int msg_ok(const unsigned char *buf, long len, unsigned int i)
{
	unsigned int k;

	if (len != (long)msg_len(i))
		return 0;
	for (k = 0; k < msg_len(i); k++)
		if (buf[k] != (unsigned char)(i + k * 13))
			return 0;
	return 1;
}

/* Producer in a child, consumer here; both sides over one channel mapped by each. */
static int run_stream(const char *name, int doorbell)
{
	unsigned char buf[4096];
	struct kipc_ring_doorbell db;
	struct kipc_ring *ring;
	unsigned int i, flags;
	int fd, status, ret;
	size_t size;
	void *mem;
	pid_t pid;

	fd = kipc_shm_open(name, KIPC_CREATE_EXCL | KIPC_CREATE_AUTODESTROY, 0600, RW, RING_BYTES);
	if (fd < 0)
		return fd;
	mem = kipc_shm_map(fd, PROT_READ | PROT_WRITE, &size, &ret);
	if (!mem)
		return ret;
	ret = kipc_ring_init(mem, size, 0);
	if (ret)
		return ret;

	pid = fork();
	if (pid == 0) {
		flags = KIPC_RING_PRODUCER | (doorbell ? KIPC_RING_WAIT_OPS : 0);
		if (doorbell && kipc_ring_doorbell_init(&db, fd))
			_exit(2);
		if (kipc_ring_attach(&ring, mem, size, flags, doorbell ? kipc_ring_doorbell_ops() : NULL,
				     doorbell ? &db : NULL))
			_exit(3);
		for (i = 0; i < MESSAGES; i++) {
			msg_fill(buf, i);
			if (kipc_ring_send(ring, buf, msg_len(i), KIPC_FOREVER))
				_exit(4);
		}
		kipc_ring_close(ring);
		_exit(0);
	}

	flags = KIPC_RING_CONSUMER | (doorbell ? KIPC_RING_WAIT_OPS : 0);
	if (doorbell && kipc_ring_doorbell_init(&db, fd))
		return -EPROTO;
	ret = kipc_ring_attach(&ring, mem, size, flags, doorbell ? kipc_ring_doorbell_ops() : NULL,
			       doorbell ? &db : NULL);
	if (ret)
		return ret;
	for (i = 0; i < MESSAGES; i++) {
		long n = kipc_ring_recv(ring, buf, sizeof(buf), 10LL * 1000 * 1000 * 1000);

		if (!msg_ok(buf, n, i)) {
			ret = n < 0 ? (int)n : -EBADMSG;
			break;
		}
	}
	/* After the last message the producer's close reads as end of stream. */
	if (!ret && kipc_ring_recv(ring, buf, sizeof(buf), 10LL * 1000 * 1000 * 1000) != -EPIPE)
		ret = -EPROTO;
	kipc_ring_close(ring);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		ret = ret ?: -ECHILD;
	munmap(mem, size);
	close(fd);
	return ret;
}

#define REQUIRE_SHM() REQUIRE_MODULE_FEATURES(KIPC_FEATURE_SHM | KIPC_FEATURE_DOORBELL)

TEST(ring_over_kipc_pages_with_futexes)
{
	char name[48];

	REQUIRE_SHM();
	snprintf(name, sizeof(name), "ring-futex-%d", getpid());
	EXPECT_EQ(0, run_stream(name, 0));
}

TEST(ring_over_kipc_pages_with_the_doorbell)
{
	char name[48];
	struct kipc_stat st;
	int ctl;

	REQUIRE_SHM();
	snprintf(name, sizeof(name), "ring-bell-%d", getpid());
	EXPECT_EQ(0, run_stream(name, 1));
	/* Auto-destroy: the channel went with the last fd. */
	ctl = kipc_open(0);
	ASSERT_LE(0, ctl);
	EXPECT_EQ(-ENOENT, kipc_stat_name(ctl, name, &st));
	close(ctl);
}

/*
 * A consumer asleep in the doorbell is woken by a send, and any fd attached to the channel sees
 * the ring in poll(), beside its other fds.  (A side that is not asleep costs the peer no ring:
 * that is the point of the ring.)
 */
TEST(a_send_rings_for_a_sleeping_consumer)
{
	struct kipc_ring_doorbell pdb, cdb;
	struct kipc_ring *prod, *cons;
	struct pollfd pfd;
	char name[48], buf[16];
	int fd, cfd, ofd, ret, status, ready[2];
	size_t size;
	void *mem;
	pid_t pid;

	REQUIRE_SHM();
	ASSERT_EQ(0, pipe(ready));
	snprintf(name, sizeof(name), "ring-poll-%d", getpid());
	fd = kipc_shm_open(name, KIPC_CREATE_EXCL | KIPC_CREATE_AUTODESTROY, 0600, RW, 4096);
	ASSERT_LE(0, fd);
	cfd = kipc_shm_open(name, 0, 0, RW, 0);
	ASSERT_LE(0, cfd);
	ofd = kipc_shm_open(name, 0, 0, KIPC_ACCESS_READ, 0);
	ASSERT_LE(0, ofd);
	mem = kipc_shm_map(fd, PROT_READ | PROT_WRITE, &size, &ret);
	ASSERT_NE(NULL, mem);
	ASSERT_EQ(0, kipc_ring_init(mem, size, 0));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		long n;

		if (kipc_ring_doorbell_init(&cdb, cfd) ||
		    kipc_ring_attach(&cons, mem, size, KIPC_RING_CONSUMER | KIPC_RING_WAIT_OPS,
				     kipc_ring_doorbell_ops(), &cdb))
			_exit(2);
		child_ready(ready[1]);
		n = kipc_ring_recv(cons, buf, sizeof(buf), 10LL * 1000 * 1000 * 1000);
		_exit(n == 4 && !memcmp(buf, "ping", 4) ? 0 : 3);
	}
	ASSERT_EQ(0, kipc_ring_doorbell_init(&pdb, fd));
	ASSERT_EQ(0, kipc_ring_attach(&prod, mem, size, KIPC_RING_PRODUCER | KIPC_RING_WAIT_OPS,
				      kipc_ring_doorbell_ops(), &pdb));
	/* Let the consumer fall asleep in KIPC_IOC_WAIT. */
	ASSERT_TRUE(wait_blocked(ready[0], pid));
	pfd.fd = ofd;
	pfd.events = POLLIN;
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(0, kipc_ring_send(prod, "ping", 4, 0));
	EXPECT_EQ(1, poll(&pfd, 1, 1000));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	kipc_ring_close(prod);
	munmap(mem, size);
	close(ofd);
	close(cfd);
	close(fd);
	close(ready[0]);
	close(ready[1]);
}

TEST_HARNESS_MAIN
