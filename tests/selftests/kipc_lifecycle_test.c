// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: channel lifetime across IPC namespaces.  A namespace's channels go when nobody
 * can reach the namespace any more, and not before: an nsfs fd keeps it reachable.
 * Reads /sys/kernel/debug/kipc/state (root, debugfs) to count channels in all namespaces.
 */
#include <sched.h>
#include <sys/socket.h>

#include "kipc_selftest.h"

#define REQUIRE_STATE() do {							\
	REQUIRE_MODULE_FEATURES(KIPC_FEATURE_MQ);				\
	if (channels_total() < 0)						\
		SKIP(return, "no " KIPC_STATE " (needs root and debugfs)");		\
} while (0)

/* In a child: enter a new IPC namespace, create @n channels, then signal @ready and wait. */
static pid_t child_in_new_ns(int n, int ready_fd, int hold_fd)
{
	pid_t pid = fork();
	char name[32], c = 0;
	int i, fd;

	if (pid)
		return pid;
	if (unshare(CLONE_NEWIPC))
		_exit(10);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "ns-chan-%d", i);
		fd = kipc_mq_open(name, KIPC_MQ_ATTR(.create_flags = KIPC_CREATE_EXCL, .mode = 0600, .access = KIPC_ACCESS_WRITE));
		if (fd < 0)
			_exit(11);
		if (kipc_send(fd, "x", 1, 0, 0, KIPC_FOREVER))
			_exit(12);
		close(fd);
	}
	if (write(ready_fd, &c, 1) != 1)
		_exit(13);
	if (hold_fd >= 0 && read(hold_fd, &c, 1) < 0)
		_exit(14);
	_exit(0);
}

/*
 * The caller's namespace is alive, whichever it is: its channels outlive several collector
 * periods.  Run from the VM's init, this is the initial namespace, which 7.x no longer counts
 * references on (a collector going by the count alone empties it every half second).
 */
TEST(a_living_namespace_keeps_its_channels)
{
	int ctl, fd, again;
	char c;

	REQUIRE_STATE();
	ctl = kipc_open(0);
	ASSERT_LE(0, ctl);
	kipc_destroy(ctl, "live-ns-chan", KIPC_DESTROY_NOW);
	fd = kipc_mq_open("live-ns-chan", KIPC_MQ_ATTR(.create_flags = KIPC_CREATE_EXCL, .mode = 0600, .access = KIPC_ACCESS_WRITE));
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_send(fd, "x", 1, 0, 0, KIPC_FOREVER));
	close(fd);
	/* Three collector periods with no fd open: only the name holds the channel. */
	usleep(1600 * 1000);
	again = kipc_mq_attach("live-ns-chan", KIPC_ACCESS_READ);
	ASSERT_LE(0, again);
	EXPECT_EQ(1, kipc_recv(again, &c, 1, NULL, 0, 0));
	close(again);
	EXPECT_EQ(0, kipc_destroy(ctl, "live-ns-chan", KIPC_DESTROY_NOW));
	close(ctl);
}

TEST(channels_of_a_dead_namespace_are_freed)
{
	int before, ready[2], status;
	char c;
	pid_t pid;

	REQUIRE_STATE();
	before = channels_total();
	ASSERT_EQ(0, pipe(ready));
	pid = child_in_new_ns(3, ready[1], -1);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The channels outlive their creator for a moment, then the collector frees them. */
	EXPECT_EQ(before, wait_channels(before));
	close(ready[0]);
	close(ready[1]);
}

TEST(an_nsfs_fd_keeps_the_namespace_and_its_channels)
{
	int before, ready[2], hold[2], status, nsfd, fd;
	char path[64], c = 0;
	pid_t pid;

	REQUIRE_STATE();
	before = channels_total();
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(hold));
	pid = child_in_new_ns(2, ready[1], hold[0]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", pid);
	nsfd = open(path, O_RDONLY);
	ASSERT_LE(0, nsfd);
	ASSERT_EQ(1, write(hold[1], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));

	/* The creator is gone but the namespace is reachable: the channels stay. */
	usleep(1500 * 1000);
	EXPECT_EQ(before + 2, channels_total());

	pid = fork();
	if (pid == 0) {
		long n;

		if (setns(nsfd, CLONE_NEWIPC))
			_exit(20);
		fd = kipc_mq_attach("ns-chan-1", KIPC_ACCESS_READ);
		if (fd < 0)
			_exit(21);
		n = kipc_recv(fd, &c, 1, NULL, 0, 0);
		_exit(n == 1 && c == 'x' ? 0 : 22);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	close(nsfd);
	EXPECT_EQ(before, wait_channels(before));
	close(ready[0]);
	close(ready[1]);
	close(hold[0]);
	close(hold[1]);
}

TEST(the_parent_namespace_never_sees_the_childs_channels)
{
	struct kipc_list_entry e[64];
	unsigned int total;
	int ready[2], hold[2], status, fd, n, i;
	char c = 0;
	pid_t pid;

	REQUIRE_STATE();
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(hold));
	pid = child_in_new_ns(2, ready[1], hold[0]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	fd = kipc_open(0);
	ASSERT_LE(0, fd);
	n = kipc_list_all(fd, e, 64, &total);
	ASSERT_LE(0, n);
	for (i = 0; i < n; i++)
		EXPECT_NE(0, strncmp(e[i].name, "ns-chan-", 8)) TH_LOG("saw %s", e[i].name);
	EXPECT_EQ(-ENOENT, kipc_mq_attach("ns-chan-0", KIPC_ACCESS_READ));
	close(fd);
	ASSERT_EQ(1, write(hold[1], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(ready[0]);
	close(ready[1]);
	close(hold[0]);
	close(hold[1]);
}

static long wait_state(const char *key, long want)
{
	long v = -1;
	int i;

	for (i = 0; i < 50 && (v = state_value(key)) != want; i++)
		usleep(100 * 1000);
	return v;
}

/* Child: in a new IPC namespace, create a queue and pass its fd over @sock; then exit. */
static void __attribute__((noreturn)) pass_a_queue_out(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, c = 'q';
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	int fd;

	if (unshare(CLONE_NEWIPC))
		_exit(10);
	fd = kipc_mq_open("held-from-outside", KIPC_MQ_ATTR(.create_flags = KIPC_CREATE_EXCL, .mode = 0600, .access = KIPC_ACCESS_READ | KIPC_ACCESS_WRITE));
	if (fd < 0)
		_exit(11);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	_exit(sendmsg(sock, &mh, 0) == 1 ? 0 : 12);
}

/*
 * A channel that an fd outside still holds must not keep its dead namespace alive: kipc lets
 * the namespace go (its SysV and POSIX objects with it) and keeps only the count, and the
 * channel works on until its fd closes (review: the namespace stayed until the fd closed).
 */
TEST(a_channel_held_from_outside_lets_its_dead_namespace_go)
{
	char cbuf[CMSG_SPACE(sizeof(int))], c, buf[64];
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	long namespaces, alive;
	int sv[2], status, fd;
	pid_t pid;

	REQUIRE_STATE();
	if (geteuid() != 0)
		SKIP(return, "needs root (unshare of an IPC namespace)");
	/* Let the collector finish with what earlier tests left (it runs every half second). */
	usleep(1200 * 1000);
	namespaces = state_value("namespaces");
	alive = state_value("alive");
	if (alive < 0)
		SKIP(return, "the module's state has no alive count");
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		pass_a_queue_out(sv[1]);
	ASSERT_EQ(1, recvmsg(sv[0], &mh, 0));
	ASSERT_NE(NULL, CMSG_FIRSTHDR(&mh));
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof(int));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* The namespace is gone from kipc's table; the channel still counts, and works. */
	EXPECT_EQ(namespaces, wait_state("namespaces", namespaces));
	EXPECT_EQ(alive + 1, state_value("alive"));
	EXPECT_EQ(0, put(fd, "still here", 0));
	EXPECT_EQ(10, get(fd, buf, NULL));
	close(fd);
	EXPECT_EQ(alive, wait_state("alive", alive));
	close(sv[0]);
	close(sv[1]);
}

TEST_HARNESS_MAIN
