/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kipc kselftests share, so each helper is written (and fixed) once: raw ioctls,
 * queues and shared-page channels made the usual way, child processes that block while the
 * parent watches, module parameters in sysfs, and the fixtures that skip where /dev/kipc, its
 * message queues or its shared-page channels are missing.  Everything is static inline or a
 * macro: each test is one .c file.
 *
 * The tests of the fixtures here work on channels named after the test and its pid, and
 * destroy them on the way out.  Blocking scenarios fork: the child blocks, the parent waits
 * until it sleeps in the kernel and then wakes it.  Children never use the harness's ASSERTs;
 * they exit with the number of the step that went wrong (CHILD_EXPECT) or with an errno the
 * parent checks.
 */
#ifndef KIPC_SELFTEST_H
#define KIPC_SELFTEST_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kipc_fault_inject.h"
#include "kipc.h"

/* The size rules are stated in offsetofend() of a struct's last required field. */
#ifndef offsetofend
#define offsetofend(T, m) (offsetof(T, m) + sizeof(((T *)0)->m))
#endif

#define PARAM_DIR	"/sys/module/kipc/parameters/"
#define RW		(KIPC_ACCESS_READ | KIPC_ACCESS_WRITE)
#define RDWR		(PROT_READ | PROT_WRITE)
#define NB		KIPC_MSG_NONBLOCK
#define MSEC		1000000ULL	/* nanoseconds */
/* A timed wait may end up to this much early by the kernel's clock rounding. */
#define SLACK_NS	(10 * MSEC)
/* An address user space can never hand the kernel: copy_from/to_user must fault. */
#define KERNEL_ADDR	((void *)0xffff800000000000ULL)
/* The skip reason wherever a module without message queues cannot run a test. */
#define KIPC_NO_MQ	"the module has no message queues (KIPC_FEATURE_MQ)"
/* And where one without shared-page channels cannot. */
#define KIPC_NO_SHM	"the module has no shared-page channels (KIPC_FEATURE_SHM)"

/* ---- plain helpers --------------------------------------------------------------------------- */

/* An ioctl without libkipc in between, for the arguments the library would never build. */
static inline int raw_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? errno : 0;
}

static inline __u64 clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The name fields are fixed arrays: zero-filled, so the kernel sees no stale bytes. */
static inline void copy_name(char dst[KIPC_NAME_MAX], const char *name)
{
	memset(dst, 0, KIPC_NAME_MAX);
	memcpy(dst, name, strnlen(name, KIPC_NAME_MAX - 1));
}

/* The usual create: a new message queue, mode 0600, EXCL, attached read-write. */
static inline void create_arg(struct kipc_create *c, const char *name)
{
	memset(c, 0, sizeof(*c));
	c->flags = KIPC_CREATE_EXCL;
	c->type = KIPC_TYPE_MQ;
	c->mode = 0600;
	c->access = RW;
	copy_name(c->name, name);
}

/* Open a new fd and create @c on it.  Return: the fd, or -errno. */
static inline int create_fd(struct kipc_create *c)
{
	int fd, ret;

	fd = kipc_open(0);
	if (fd < 0)
		return fd;
	ret = kipc_create(fd, c);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/*
 * A new fd on the new queue @name (EXCL, 0600, read-write); 0 for a limit or the overflow
 * policy takes the module's default.  Return: the fd, or -errno.
 */
static inline int q_new(const char *name, unsigned int max_msgs, unsigned int max_msg_size,
			unsigned int overflow)
{
	struct kipc_create c;

	create_arg(&c, name);
	c.max_msgs = max_msgs;
	c.max_msg_size = max_msg_size;
	c.overflow = overflow;
	return create_fd(&c);
}

/*
 * A new fd attached to the existing channel @name, of either type, with KIPC_IOC_ATTACH (the
 * library's kipc_mq_attach() does just that).  Return: the fd, or -errno.
 */
static inline int attach_new(const char *name, unsigned int access)
{
	return kipc_mq_attach(name, access);
}

/* Send the string @s without waiting. */
static inline int put(int fd, const char *s, unsigned int prio)
{
	return kipc_send(fd, s, strlen(s), prio, 0, 0);
}

/* Receive into @buf (64 bytes, NUL-terminated on success) without waiting. */
static inline long get(int fd, char buf[64], unsigned int *prio)
{
	long n = kipc_recv(fd, buf, 63, prio, 0, 0);

	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* How many messages wait on @fd's queue, or -errno. */
static inline int depth_of(int fd)
{
	struct kipc_stat st;
	int ret = kipc_stat_self(fd, &st);

	return ret ? ret : (int)st.depth;
}

/* What poll(2) reports for @fd at once, of POLLIN, POLLOUT and their NORM twins, or -1. */
static inline short revents(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM };

	return poll(&p, 1, 0) < 0 ? -1 : p.revents;
}

/* ---- child processes ------------------------------------------------------------------------- */

/*
 * The children a test forked and has not reaped: a test that fails half-way must not leave
 * them blocked in the kernel, so the fixture's teardown calls kill_children().
 */
static pid_t children[8];

static inline pid_t fork_child(void)
{
	unsigned int i;
	pid_t pid;

	/* Nothing buffered may be written twice, by parent and child. */
	fflush(NULL);
	pid = fork();
	if (pid > 0) {
		for (i = 0; i < sizeof(children) / sizeof(children[0]); i++) {
			if (!children[i]) {
				children[i] = pid;
				break;
			}
		}
	}
	return pid;
}

static inline void forget_child(pid_t pid)
{
	unsigned int i;

	for (i = 0; i < sizeof(children) / sizeof(children[0]); i++)
		if (children[i] == pid)
			children[i] = 0;
}

/*
 * Wait for @pid for up to @secs, so a child that hangs fails the test instead of the run.
 * Return: its exit status, 256 + the signal that killed it, -1 when it cannot be waited for,
 * or -2 when it was still running (then it is killed).
 */
static inline int reap_within(pid_t pid, unsigned int secs)
{
	unsigned int i;
	int status;

	for (i = 0; i < secs * 100; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid) {
			forget_child(pid);
			return WIFEXITED(status) ? WEXITSTATUS(status) : 256 + WTERMSIG(status);
		}
		if (r < 0)
			return -1;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	forget_child(pid);
	return -2;
}

/* reap_within() 5 s: the children of most tests only block until the parent acts. */
static inline int reap(pid_t pid)
{
	return reap_within(pid, 5);
}

static inline void kill_children(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(children) / sizeof(children[0]); i++) {
		if (children[i]) {
			kill(children[i], SIGKILL);
			waitpid(children[i], NULL, 0);
			children[i] = 0;
		}
	}
}

/* Child: tell the parent, through @wfd, that the next call blocks. */
static inline void child_ready(int wfd)
{
	char c = 1;

	if (write(wfd, &c, 1) != 1)
		_exit(98);
}

/* The state letter of /proc/@pid/stat ('S': sleeping), or '?'. */
static inline char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = '\0';
	/* The command name may hold anything, ')' included: the state follows the last one. */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

/*
 * Parent: wait for the child's word on @rfd, then until it sleeps (in the call that blocks),
 * so that what the parent does next reaches a waiter and not a child still on its way.
 * Return: true once it sleeps, false after 5 s.
 */
static inline bool wait_blocked(int rfd, pid_t pid)
{
	char c;
	int i;

	if (read(rfd, &c, 1) != 1)
		return false;
	for (i = 0; i < 500; i++) {
		if (proc_state(pid) == 'S') {
			usleep(20000);
			return true;
		}
		usleep(10000);
	}
	return false;
}

/* Wait up to 5 s for a byte from the other process (child_ready()) on @rfd. */
static inline bool await_peer(int rfd)
{
	struct pollfd p = { .fd = rfd, .events = POLLIN };
	char c;

	return poll(&p, 1, 5000) == 1 && read(rfd, &c, 1) == 1;
}

/* ---- module parameters ----------------------------------------------------------------------- */

/* Open /sys/module/kipc/parameters/@name.  Return: the fd, or -errno. */
static inline int open_param(const char *name, int flags)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	fd = open(path, flags);
	return fd < 0 ? -errno : fd;
}

/* The text of parameter @name, NUL-terminated.  Return: 0 or -errno. */
static inline int read_param_text(const char *name, char *text, size_t len)
{
	int fd = open_param(name, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = read(fd, text, len - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	text[n] = '\0';
	return 0;
}

/* Write @text in one write(), so the parameter's setter sees it whole.  Return: 0 or -errno. */
static inline int write_param_text(const char *name, const char *text)
{
	int fd = open_param(name, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = write(fd, text, strlen(text));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

/* The first parameter a test changed with set_param(), and its value before. */
static char saved_param[32], saved_value[32];

/* Set a parameter; KIPC_TEARDOWN_ALL() puts the first one changed back.  Return: 0 or -errno. */
static inline int set_param(const char *name, unsigned long long v)
{
	char text[32];
	int ret;

	if (!saved_param[0]) {
		ret = read_param_text(name, saved_value, sizeof(saved_value));
		if (ret)
			return ret;
		snprintf(saved_param, sizeof(saved_param), "%s", name);
	}
	snprintf(text, sizeof(text), "%llu\n", v);
	return write_param_text(name, text);
}

/* Put back what set_param() changed, if anything. */
static inline void restore_param(void)
{
	if (saved_param[0])
		write_param_text(saved_param, saved_value);
}

/* ---- shared-page channels -------------------------------------------------------------------- */

/* The page size, which shared-page channels are sized in: KIPC_SETUP_SHM() sets it. */
static size_t pg __attribute__((unused));

/* A new shared-page channel @name (EXCL, 0600) of @size bytes, attached with @access. */
static inline int shm_new(const char *name, unsigned int access, __u64 size)
{
	return kipc_shm_open(name, KIPC_CREATE_EXCL, 0600, access, size);
}

/* The raw create of a new shared-page channel: EXCL, 0600, read-write, @size bytes. */
static inline void shm_create_arg(struct kipc_create *c, const char *name, __u64 size)
{
	memset(c, 0, sizeof(*c));
	c->flags = KIPC_CREATE_EXCL;
	c->type = KIPC_TYPE_SHM;
	c->mode = 0600;
	c->access = RW;
	c->shm_size = size;
	copy_name(c->name, name);
}

/* mmap(2) of @len bytes at @off that is expected to fail.  Return: its errno, or 0. */
static inline int map_errno(int fd, size_t len, int prot, int flags, off_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, len);
	return 0;
}

/* A MAP_SHARED mapping of @len bytes at @off, or NULL. */
static inline char *map_at(int fd, size_t len, int prot, off_t off)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, off);

	return p == MAP_FAILED ? NULL : p;
}

/* stat.mappings of the channel @name, or -errno. */
static inline long mappings_of(int ctl, const char *name)
{
	struct kipc_stat st;
	int ret = kipc_stat_name(ctl, name, &st);

	return ret ? ret : (long)st.mappings;
}

/* The doorbell of the channel behind @fd, or -errno. */
static inline long long doorbell_of(int fd)
{
	struct kipc_stat st;
	int ret = kipc_stat_self(fd, &st);

	return ret ? ret : (long long)st.doorbell;
}

/* Whether all @len bytes at @p are zero. */
static inline bool all_zero(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/* ---- module state in debugfs (root) --------------------------------------------------------- */

#define KIPC_STATE	"/sys/kernel/debug/kipc/state"

/* One line of the debugfs state file ("channels", "messages", "alive"...), or -1 without it. */
static inline long state_value(const char *key)
{
	char line[128], fmt[64];
	long v = -1;
	FILE *f = fopen(KIPC_STATE, "r");

	if (!f)
		return -1;
	snprintf(fmt, sizeof(fmt), "%s %%ld", key);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, fmt, &v) == 1)
			break;
	fclose(f);
	return v;
}

/* Channels in every namespace, from debugfs, or -1 without it. */
static inline int channels_total(void)
{
	return (int)state_value("channels");
}

/* Wait up to 5 s (the collector runs every 0.5 s) for the count to reach @want. */
static inline int wait_channels(int want)
{
	int i, n = -1;

	for (i = 0; i < 100; i++) {
		n = channels_total();
		if (n == want)
			return n;
		usleep(50 * 1000);
	}
	return n;
}

/* ---- fixtures -------------------------------------------------------------------------------- */

/*
 * The fields KIPC_SETUP_MQ() fills and KIPC_TEARDOWN() cleans up; a fixture (or a struct
 * inside it) declares them and passes itself.
 */
#define KIPC_FIXTURE_FIELDS							\
	int ctl;			/* an unattached kipc fd, or -errno */	\
	const char *skip;		/* why the test cannot run, or NULL */	\
	struct kipc_info info;							\
	char name[KIPC_NAME_MAX];	/* this test's channel */		\
	char name2[KIPC_NAME_MAX];	/* and its second, when it needs one */	\
	char name3[KIPC_NAME_MAX]

/*
 * The name of a test's @nth channel (1 to 3): "<prefix><pid>[-<nth>].<test>".  The pid and
 * the test keep runs side by side, and tests of one run, from meeting on a name.
 */
static inline void test_chan_name(char dst[KIPC_NAME_MAX], const char *prefix, int nth,
				  const char *test)
{
	if (nth == 1)
		snprintf(dst, KIPC_NAME_MAX, "%s%d.%s", prefix, getpid(), test);
	else
		snprintf(dst, KIPC_NAME_MAX, "%s%d-%d.%s", prefix, getpid(), nth, test);
}

/*
 * Setup: open an unattached kipc fd into @fd.  Without the device (no module) the test skips,
 * with the reason kept in @skip for REQUIRE_KIPC(); any other failure fails it.
 */
#define KIPC_SETUP(fd, skip) do {						\
	(fd) = kipc_open(0);							\
	if ((fd) == -ENOENT) {							\
		(skip) = kipc_strerror(fd);					\
		SKIP(return, "%s", (skip));					\
	}									\
	ASSERT_LE(0, (fd)) TH_LOG("%s", kipc_strerror(fd));			\
} while (0)

/*
 * Setup for channels of one type: KIPC_SETUP(), the module's info, a skip (for @why) where it
 * lacks @feature, and the test's channel names from @prefix.  @fx has KIPC_FIXTURE_FIELDS.
 */
#define KIPC_SETUP_TYPE(fx, prefix, feature, why) do {				\
	KIPC_SETUP((fx)->ctl, (fx)->skip);					\
	ASSERT_EQ(0, kipc_get_info((fx)->ctl, &(fx)->info));			\
	if (!((fx)->info.features & (feature))) {				\
		(fx)->skip = (why);						\
		SKIP(return, "%s", (fx)->skip);					\
	}									\
	test_chan_name((fx)->name, prefix, 1, _metadata->name);			\
	test_chan_name((fx)->name2, prefix, 2, _metadata->name);		\
	test_chan_name((fx)->name3, prefix, 3, _metadata->name);		\
} while (0)

/* Setup for message queues: KIPC_SETUP_TYPE() that skips where the module has none. */
#define KIPC_SETUP_MQ(fx, prefix)						\
	KIPC_SETUP_TYPE(fx, prefix, KIPC_FEATURE_MQ, KIPC_NO_MQ)

/* Setup for shared-page channels: pg, then KIPC_SETUP_TYPE() that skips without them. */
#define KIPC_SETUP_SHM(fx, prefix) do {						\
	pg = sysconf(_SC_PAGESIZE);						\
	KIPC_SETUP_TYPE(fx, prefix, KIPC_FEATURE_SHM, KIPC_NO_SHM);		\
} while (0)

/* Teardown: the test's channels go at once (a name it never created just fails), then ctl. */
#define KIPC_TEARDOWN(fx) do {							\
	if ((fx)->ctl >= 0) {							\
		kipc_destroy((fx)->ctl, (fx)->name, KIPC_DESTROY_NOW);		\
		kipc_destroy((fx)->ctl, (fx)->name2, KIPC_DESTROY_NOW);		\
		kipc_destroy((fx)->ctl, (fx)->name3, KIPC_DESTROY_NOW);		\
		close((fx)->ctl);						\
	}									\
} while (0)

/*
 * Teardown for tests that fork, arm guards and change parameters: the children a failed test
 * left behind, its alarm, the parameter it changed, then KIPC_TEARDOWN().
 */
#define KIPC_TEARDOWN_ALL(fx) do {						\
	kill_children();							\
	alarm(0);								\
	restore_param();							\
	KIPC_TEARDOWN(fx);							\
} while (0)

/*
 * The fixture @fname of the mq and shm tests: KIPC_FIXTURE_FIELDS, set up by @setup
 * (KIPC_SETUP_MQ or KIPC_SETUP_SHM) with the channel name @prefix, torn down by
 * KIPC_TEARDOWN_ALL().  A FIXTURE_VARIANT(@fname) may follow.
 */
#define KIPC_CHANNEL_FIXTURE(fname, setup, prefix)				\
	FIXTURE(fname) {							\
		KIPC_FIXTURE_FIELDS;						\
	};									\
	FIXTURE_SETUP(fname)							\
	{									\
		setup(self, prefix);						\
	}									\
	FIXTURE_TEARDOWN(fname)							\
	{									\
		KIPC_TEARDOWN_ALL(self);					\
	}

#define KIPC_MQ_FIXTURE(fname, prefix)	KIPC_CHANNEL_FIXTURE(fname, KIPC_SETUP_MQ, prefix)
#define KIPC_SHM_FIXTURE(fname, prefix)	KIPC_CHANNEL_FIXTURE(fname, KIPC_SETUP_SHM, prefix)

/*
 * Where a test body finds its fixture's state: self, unless the file defines KIPC_FX (before
 * including this) as, say, a struct inside self.
 */
#ifndef KIPC_FX
#define KIPC_FX self
#endif

/*
 * The 6.1 harness still runs a test's body after its setup skipped, so each body starts with
 * one of these as well.  REQUIRE_MQ() is the same check where the setup was KIPC_SETUP_MQ().
 */
#define REQUIRE_KIPC() do {							\
	if ((KIPC_FX)->skip)							\
		SKIP(return, "%s", (KIPC_FX)->skip);				\
} while (0)

#define REQUIRE_MQ()	REQUIRE_KIPC()

#define REQUIRE_ROOT() do {							\
	REQUIRE_KIPC();								\
	if (geteuid() != 0)							\
		SKIP(return, "needs root");					\
} while (0)

/*
 * Features beyond message queues (batches, calls, the doorbell) are optional: their tests
 * skip without.  REQUIRE_FEATURE(KIPC_FEATURE_SHM) is the check where the setup was
 * KIPC_SETUP_SHM().
 */
#define REQUIRE_FEATURE(bit) do {						\
	REQUIRE_KIPC();								\
	if (!((KIPC_FX)->info.features & (bit)))				\
		SKIP(return, "the module lacks " #bit);				\
} while (0)

/* ---- signals and children's verdicts ----------------------------------------------------------- */

static inline void on_signal(int sig)
{
	(void)sig;
}

static inline int catch_signal(int sig, int flags)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

/* A call that must not wait is cut short by SIGALRM (EINTR) after @secs instead of hanging. */
static inline void arm_guard(unsigned int secs)
{
	catch_signal(SIGALRM, 0);
	alarm(secs);
}

static inline bool child_running(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0;
}

/* The exit code of a child whose whole job was one call: 0, or the errno it failed with. */
static inline int errno_exit(long ret)
{
	return ret < 0 ? (int)-ret : 0;
}

#define CHILD_EXPECT(step, expected, seen) do {					\
	long __exp = (long)(expected), __seen = (long)(seen);			\
	if (__exp != __seen) {							\
		fprintf(stderr, "# child step %d: expected %s (%ld), got %s (%ld)\n", \
			step, #expected, __exp, #seen, __seen);			\
		_exit(step);							\
	}									\
} while (0)

/*
 * For TEST()s without a fixture: skip unless /dev/kipc opens and the module implements every
 * bit of @bits.
 */
#define REQUIRE_MODULE_FEATURES(bits) do {					\
	int fd_ = kipc_open(0);							\
	if (fd_ < 0)								\
		SKIP(return, "%s", kipc_strerror(fd_));				\
	if (kipc_has_feature(fd_, (bits)) != 1)					\
		SKIP(close(fd_); return, "the module lacks " #bits);		\
	close(fd_);								\
} while (0)

#endif /* KIPC_SELFTEST_H */
