// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: the limits that keep one user, or one IPC namespace, from taking all of kipc.
 * A limit that can be walked around is no limit, so each test tries the way around it:
 *
 *  - max_channels counts a channel until it is freed, not until its name goes.  A channel
 *    destroyed by name lives on while an fd is attached or (shared pages) a mapping exists;
 *    otherwise create, map, destroy, close in a loop would pin memory without end.
 *    INFO's ns_channels shows those channels too.
 *  - max_user_bytes is charged to the euid of the task that sends, not to whoever opened the
 *    fd: an fd passed to another uid (inherited across fork + setresuid, or over SCM_RIGHTS)
 *    must not spend the opener's budget, nor let the sender spend someone else's.
 *  - Finding the caller's IPC namespace costs the same with 2000 other namespaces around
 *    (the old code walked a list of all of them, and ran its collector over all of them, on
 *    every create): the median create + destroy beside them stays under 2.5 times the one
 *    without them.
 *  - max_user_channels (EMFILE) and max_user_shm_bytes (ENOBUFS) hold per user, root
 *    included, count a channel until it is freed, and one user at its cap stops no one else.
 *    INFO reports each user's usage.
 *
 * Everything here needs root: the tests lower module parameters (the fixture's teardown
 * puts back every one it changed, also when a test fails) and switch to uid 65534.  The
 * per-user limits need KIPC_FEATURE_USER_LIMITS; the other tests check INFO's usage fields
 * only where the module has it, and the behaviour everywhere.
 *
 * Channels are named after the test and its pid; the teardown destroys all of them, unmaps
 * what a test mapped and closes what it held, so a failed test leaves nothing behind (on
 * older modules a mapping pins the module).  Children never use the harness's ASSERTs; they exit with
 * the number of the step that went wrong (CHILD_EXPECT).
 */
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "kipc_selftest.h"

#define NOBODY		65534
/* A child that cannot run here (e.g. the kernel refuses more IPC namespaces) exits with this. */
#define CHILD_CANNOT	200

#define NAMES_MAX	48	/* a test's channel names: chan(self, 0 .. NAMES_MAX - 1) */
#define ROOT_NAMES	24	/* where root's names start when a child uses the first ones */
#define HELD_MAX	48	/* fds and mappings a test holds at once */

/* max_channels: how many destroyed channels a test keeps alive. */
#define HELD_CHANNELS	16

/* max_user_bytes: the budget, and what fills it. */
#define BUDGET		(64 * 1024)
#define PAYLOAD		1024
/* "A few dozen bytes" of overhead per message, with room to spare. */
#define OVERHEAD_MAX	256
#define FILL_MAX	(2 * BUDGET / PAYLOAD)

/* The namespace scaling test. */
#define EXTRA_NS	2000
#define PAIRS		301
#define WARMUP		50
#define SLOWDOWN_MAX	2.5

/* How long a freed channel may take to leave the counts (the collector runs about each second). */
#define COLLECT_MS	3000

/* The parameters a test may change; the teardown puts back each one it did. */
static const char *const limit_params[] = {
	"max_channels", "max_user_bytes", "max_user_channels", "max_user_shm_bytes",
};

#define NR_PARAMS	(sizeof(limit_params) / sizeof(limit_params[0]))

/* INFO's usage fields. */
enum usage { NS_CHANNELS, USER_CHANNELS, USER_BYTES, USER_SHM_BYTES };

#define NO_USAGE	(~0ULL)

/* What a child saw, for the parent to judge. */
struct child_report {
	int sent;		/* messages that went before the send that failed */
	int err;		/* that send's -errno */
	__u64 before;		/* the child's INFO user_bytes before it sent */
	__u64 after;		/* and after */
};

struct held_map {
	void *addr;
	size_t len;
};

/* ---- plain helpers --------------------------------------------------------------------------- */

/* Give up every privilege: supplementary groups, then gid, then uid (which clears caps). */
static int become(uid_t uid)
{
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
		return -errno;
	return 0;
}

static __u64 usage_field(const struct kipc_info *info, enum usage what)
{
	switch (what) {
	case NS_CHANNELS:
		return info->ns_channels;
	case USER_CHANNELS:
		return info->user_channels;
	case USER_BYTES:
		return info->user_bytes;
	case USER_SHM_BYTES:
		return info->user_shm_bytes;
	}
	return NO_USAGE;
}

/* INFO's @what for the caller, through an fd of its own (for children).  NO_USAGE on error. */
static __u64 my_usage(enum usage what)
{
	struct kipc_info info;
	int fd = kipc_open(0), ret;

	if (fd < 0)
		return NO_USAGE;
	ret = kipc_get_info(fd, &info);
	close(fd);
	return ret ? NO_USAGE : usage_field(&info, what);
}

/* Wait up to 10 s for a byte from the other process on @rfd. */
static bool await_byte(int rfd)
{
	struct pollfd p = { .fd = rfd, .events = POLLIN };
	char c;

	return poll(&p, 1, 10000) == 1 && read(rfd, &c, 1) == 1;
}

/* Pass @fd over the unix socket @sock (SCM_RIGHTS).  Return: 0 or -errno. */
static int send_fd(int sock, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctrl;
	char byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctrl.buf, .msg_controllen = sizeof(ctrl.buf),
	};
	struct cmsghdr *cm;

	memset(&ctrl, 0, sizeof(ctrl));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -errno;
}

/* The fd that send_fd() passed.  Return: the fd, or -errno. */
static int recv_fd(int sock)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctrl;
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctrl.buf, .msg_controllen = sizeof(ctrl.buf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) != 1)
		return -errno ?: -EIO;
	cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(sizeof(int)))
		return -EBADMSG;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* Whether fill_budget() and drain() go by batches of BATCH messages, not one by one. */
static bool in_batches;
#define BATCH		16

/* Send PAYLOAD-byte messages through @fd, without waiting, until one fails (*@err). */
static int fill_budget(int fd, int *err)
{
	static char payload[PAYLOAD];
	struct kipc_msg_vec vec[BATCH];
	int n, i, ret = 0;

	for (i = 0; i < BATCH; i++)
		vec[i] = (struct kipc_msg_vec){ .buf = (__u64)(unsigned long)payload,
						.len = sizeof(payload) };
	for (n = 0; n < FILL_MAX; n += ret) {
		if (!in_batches) {
			ret = kipc_send(fd, payload, sizeof(payload), 0, 0, 0);
			if (ret)
				break;
			ret = 1;
			continue;
		}
		/* A batch past the budget sends what fits; the next one says why no more. */
		ret = kipc_send_batch(fd, vec, BATCH, 0, 0);
		if (ret <= 0)
			break;
	}
	*err = ret > 0 ? 0 : ret;
	return n;
}

/* Receive everything queued on @fd.  Return: how many messages there were. */
static int drain(int fd)
{
	static char buf[BATCH][PAYLOAD];
	struct kipc_msg_vec vec[BATCH];
	int n = 0, i, ret;

	while (n < 4 * FILL_MAX) {
		if (!in_batches) {
			if (kipc_recv(fd, buf[0], sizeof(buf[0]), NULL, 0, 0) < 0)
				break;
			n++;
			continue;
		}
		for (i = 0; i < BATCH; i++)
			vec[i] = (struct kipc_msg_vec){ .buf = (__u64)(unsigned long)buf[i],
							.len = sizeof(buf[i]) };
		ret = kipc_recv_batch(fd, vec, BATCH, 0, 0);
		if (ret <= 0)
			break;
		n += ret;
	}
	return n;
}

/* Messages a whole budget holds at least, when @used bytes of it are spent already. */
static int fresh_fill(__u64 used)
{
	return used >= BUDGET ? 0 : (BUDGET - used) / (PAYLOAD + OVERHEAD_MAX);
}

/* @bytes is what @n messages of PAYLOAD bytes may have been charged. */
#define EXPECT_CHARGED(n, bytes) do {						\
	EXPECT_LE((__u64)(n) * PAYLOAD, (bytes));				\
	EXPECT_GE((__u64)(n) * (PAYLOAD + OVERHEAD_MAX), (bytes));		\
} while (0)

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* The median time of @n pairs of create + destroy of the queue @name.  Return: ns, or 0. */
static __u64 median_pair_ns(int ctl, const char *name, unsigned int n)
{
	static __u64 t[PAIRS];
	struct kipc_create c;
	unsigned int i;
	__u64 t0;

	if (n > PAIRS)
		return 0;
	for (i = 0; i < WARMUP + n; i++) {
		create_arg(&c, name);
		c.access = 0;
		t0 = clock_ns(CLOCK_MONOTONIC);
		if (kipc_create(ctl, &c) || kipc_destroy(ctl, name, 0))
			return 0;
		if (i >= WARMUP)
			t[i - WARMUP] = clock_ns(CLOCK_MONOTONIC) - t0;
	}
	qsort(t, n, sizeof(t[0]), cmp_u64);
	return t[n / 2];
}

/* Wait up to @secs for the debugfs count of channels in all namespaces to be @want. */
static int wait_channels_total(int want, unsigned int secs)
{
	unsigned int i;
	int n = -1;

	for (i = 0; i < secs * 10; i++) {
		n = channels_total();
		if (n == want)
			break;
		usleep(100 * 1000);
	}
	return n;
}

/*
 * The named channels of every namespace, once the collector has taken those of namespaces
 * that earlier tests left dead (it runs every half second, off every caller's path): the count
 * must hold still for 1.5 s.  Return: the count, or -1 without debugfs.
 */
static int settled_channels_total(void)
{
	int n = channels_total(), last, still = 0, i;

	for (i = 0; n >= 0 && i < 100 && still < 15; i++) {
		usleep(100 * 1000);
		last = n;
		n = channels_total();
		still = n == last ? still + 1 : 0;
	}
	return n;
}

/*
 * The child of the scaling test: @n more IPC namespaces, one channel in each, each kept
 * alive by an open nsfs fd.  It reports on @ready once they all exist and ends on @done.
 */
static void namespaces_child(unsigned int n, int ready, int done)
{
	struct rlimit rl = { .rlim_cur = n + 64, .rlim_max = n + 64 };
	struct kipc_create c;
	unsigned int i;
	int ctl, nsfd;
	char byte;

	CHILD_EXPECT(1, 0, setrlimit(RLIMIT_NOFILE, &rl) ? -errno : 0);
	ctl = kipc_open(0);
	CHILD_EXPECT(2, 1, ctl >= 0);
	for (i = 0; i < n; i++) {
		if (unshare(CLONE_NEWIPC)) {
			fprintf(stderr, "# namespace %u: unshare: %s\n", i, strerror(errno));
			_exit(errno == ENOSPC || errno == ENOMEM || errno == EPERM ?
			      CHILD_CANNOT : 3);
		}
		nsfd = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);
		CHILD_EXPECT(4, 1, nsfd >= 0);
		create_arg(&c, "limits-scale");
		c.access = 0;
		CHILD_EXPECT(5, 0, kipc_create(ctl, &c));
	}
	child_ready(ready);
	if (read(done, &byte, 1) < 0)
		_exit(6);
	_exit(0);
}

/* ---- the fixture ----------------------------------------------------------------------------- */

FIXTURE(limits) {
	KIPC_FIXTURE_FIELDS;
	bool user_limits;		/* KIPC_FEATURE_USER_LIMITS */
	long pg;
	pid_t pid;			/* the test's, for chan() in its children too */
	const char *test;
	char saved[NR_PARAMS][32];	/* each parameter's value before, "" if not changed */
	int fds[HELD_MAX];
	unsigned int nfds;
	struct held_map maps[HELD_MAX];
	unsigned int nmaps;
	struct child_report *report;	/* shared with the children */
	int channels_before;		/* debugfs count before namespaces were made, or -1 */
};

/* The test's channel @i: "lim<pid>:<i>.<test>". */
static const char *chan(const FIXTURE_DATA(limits) *self, unsigned int i)
{
	static char names[4][KIPC_NAME_MAX];
	static unsigned int next;
	char *dst = names[next++ % 4];

	snprintf(dst, KIPC_NAME_MAX, "lim%d:%u.%s", self->pid, i, self->test);
	return dst;
}

/* Set parameter @name; the teardown puts back the value it had first.  Return: 0 or -errno. */
static int set_limit(FIXTURE_DATA(limits) *self, const char *name, unsigned long long v)
{
	char text[32];
	unsigned int i;
	int ret;

	for (i = 0; i < NR_PARAMS; i++)
		if (!strcmp(limit_params[i], name))
			break;
	if (i == NR_PARAMS)
		return -EINVAL;
	if (!self->saved[i][0]) {
		ret = read_param_text(name, self->saved[i], sizeof(self->saved[i]));
		if (ret) {
			self->saved[i][0] = '\0';
			return ret;
		}
	}
	snprintf(text, sizeof(text), "%llu\n", v);
	return write_param_text(name, text);
}

static void restore_limits(FIXTURE_DATA(limits) *self)
{
	unsigned int i;

	for (i = 0; i < NR_PARAMS; i++)
		if (self->saved[i][0])
			write_param_text(limit_params[i], self->saved[i]);
}

/* Keep @fd (when it is one) for the teardown to close.  Return: @fd. */
static int hold_fd(FIXTURE_DATA(limits) *self, int fd)
{
	if (fd >= 0 && self->nfds < HELD_MAX)
		self->fds[self->nfds++] = fd;
	return fd;
}

static void drop_fd(FIXTURE_DATA(limits) *self, int fd)
{
	unsigned int i;

	for (i = 0; i < self->nfds; i++)
		if (self->fds[i] == fd)
			self->fds[i] = -1;
	close(fd);
}

static void drop_maps(FIXTURE_DATA(limits) *self, unsigned int from, unsigned int to)
{
	unsigned int i;

	for (i = from; i < to && i < self->nmaps; i++) {
		if (self->maps[i].addr) {
			munmap(self->maps[i].addr, self->maps[i].len);
			self->maps[i].addr = NULL;
		}
	}
}

/* INFO's @what as uid @uid sees it (usage is the caller's euid's).  NO_USAGE on error. */
static __u64 usage_as(FIXTURE_DATA(limits) *self, uid_t uid, enum usage what)
{
	struct kipc_info info;
	int ret;

	if (uid && seteuid(uid))
		return NO_USAGE;
	ret = kipc_get_info(self->ctl, &info);
	if (uid && seteuid(0))
		abort();
	return ret ? NO_USAGE : usage_field(&info, what);
}

/* Wait up to COLLECT_MS for usage_as() to be @want.  Return: the last value seen. */
static __u64 wait_usage(FIXTURE_DATA(limits) *self, uid_t uid, enum usage what, __u64 want)
{
	__u64 v = NO_USAGE;
	int i;

	for (i = 0; i < COLLECT_MS / 50; i++) {
		v = usage_as(self, uid, what);
		if (v == want)
			break;
		usleep(50 * 1000);
	}
	return v;
}

/*
 * The channels in the caller's namespace, as max_channels counts them: ns_channels where the
 * module reports it (waiting, up to COLLECT_MS, for channels freed just before to leave it),
 * else the named ones, which is all an older module counts.  Return: the count, or -errno.
 */
static int ns_channels(FIXTURE_DATA(limits) *self, bool settle)
{
	unsigned int total;
	__u64 n = NO_USAGE;
	int ret, i;

	ret = kipc_list_all(self->ctl, NULL, 0, &total);
	if (ret < 0)
		return ret;
	if (!self->user_limits)
		return total;
	for (i = 0; i < COLLECT_MS / 50; i++) {
		n = usage_as(self, 0, NS_CHANNELS);
		if (!settle || n == total)
			break;
		usleep(50 * 1000);
	}
	return n == NO_USAGE ? -EIO : (int)n;
}

/* A new queue chan(@i), held.  Return: 0, or -errno. */
static int try_queue(FIXTURE_DATA(limits) *self, unsigned int i)
{
	int fd = q_new(chan(self, i), 0, 0, 0);

	return hold_fd(self, fd) < 0 ? fd : 0;
}

/*
 * The loop that max_channels must stop: a new one-page shared-page channel chan(@i), mapped,
 * destroyed by name and its fd closed: only the (held) mapping keeps it.  Return: 0, or -errno.
 */
static int shm_cycle(FIXTURE_DATA(limits) *self, unsigned int i)
{
	int fd, ret, err = -EIO;
	size_t len;
	void *p;

	if (self->nmaps == HELD_MAX)
		return -ENOBUFS;
	fd = kipc_shm_open(chan(self, i), KIPC_CREATE_EXCL, 0600, RW, self->pg);
	if (fd < 0)
		return fd;
	p = kipc_shm_map(fd, PROT_READ | PROT_WRITE, &len, &err);
	if (p) {
		self->maps[self->nmaps].addr = p;
		self->maps[self->nmaps++].len = len;
	}
	ret = kipc_destroy(self->ctl, chan(self, i), 0);
	close(fd);
	return p ? ret : err;
}

/*
 * The queue the byte-budget tests fill: self->name, 0666 (both uids use it), room for more
 * messages than two budgets, full is EAGAIN (never EDQUOT).  @access 0 leaves it unattached.
 * Return: the fd it was created on, or -errno.
 */
static int budget_queue(FIXTURE_DATA(limits) *self, unsigned int access)
{
	struct kipc_create c;
	int ret;

	create_arg(&c, self->name);
	c.mode = 0666;
	c.access = access;
	c.max_msgs = 4 * FILL_MAX;
	c.max_msg_size = PAYLOAD;
	c.overflow = KIPC_OVERFLOW_FAIL;
	if (!access) {
		ret = kipc_create(self->ctl, &c);
		return ret ?: self->ctl;
	}
	return hold_fd(self, create_fd(&c));
}

/*
 * Fork a child that is uid @uid and sends through @fd (inherited) or, with @fd < 0, through
 * an fd it opens itself on self->name, until a send fails.  What it saw lands in
 * self->report.  Return: its exit status (0: it ran to the end).
 */
static int send_as(FIXTURE_DATA(limits) *self, uid_t uid, int fd)
{
	struct child_report *r = self->report;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	pid = fork_child();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (uid)
			CHILD_EXPECT(1, 0, become(uid));
		if (fd < 0)
			fd = kipc_mq_attach(self->name, RW);
		CHILD_EXPECT(2, 1, fd >= 0);
		r->before = my_usage(USER_BYTES);
		r->sent = fill_budget(fd, &r->err);
		r->after = my_usage(USER_BYTES);
		_exit(0);
	}
	return reap_within(pid, 30);
}

FIXTURE_SETUP(limits)
{
	self->pid = getpid();
	self->test = _metadata->name;
	self->pg = sysconf(_SC_PAGESIZE);
	self->channels_before = -1;
	KIPC_SETUP_MQ(self, "lim");
	self->user_limits = self->info.features & KIPC_FEATURE_USER_LIMITS;
	self->report = mmap(NULL, sizeof(*self->report), PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->report);
}

FIXTURE_TEARDOWN(limits)
{
	unsigned int i;

	/* Under fault injection too, the cleanup must not fail half-way. */
	kipc_fault_inject_here(0);
	kill_children();
	/* The channels of namespaces that died with a child go before the next test counts. */
	if (self->channels_before >= 0)
		wait_channels_total(self->channels_before, 60);
	/* A test that failed between seteuid() calls must still clean up as root. */
	if (geteuid() != getuid() && seteuid(getuid()))
		TH_LOG("cannot get back to uid %d", getuid());
	drop_maps(self, 0, self->nmaps);
	for (i = 0; i < self->nfds; i++)
		if (self->fds[i] >= 0)
			close(self->fds[i]);
	if (self->ctl >= 0)
		for (i = 0; i < NAMES_MAX; i++)
			kipc_destroy(self->ctl, chan(self, i), KIPC_DESTROY_NOW);
	restore_limits(self);
	if (self->report && self->report != MAP_FAILED)
		munmap(self->report, sizeof(*self->report));
	KIPC_TEARDOWN(self);
}

#define REQUIRE_USER_LIMITS()	REQUIRE_FEATURE(KIPC_FEATURE_USER_LIMITS)

/* ==== max_channels counts channels until they are freed ======================================= */

TEST_F_TIMEOUT(limits, queues_destroyed_but_attached_count_against_max_channels, 60)
{
	int fds[HELD_CHANNELS], base, ret, i;

	REQUIRE_ROOT();
	base = ns_channels(self, true);
	ASSERT_LE(0, base);
	ASSERT_EQ(0, set_limit(self, "max_channels", base + HELD_CHANNELS));

	for (i = 0; i < HELD_CHANNELS; i++) {
		fds[i] = hold_fd(self, q_new(chan(self, i), 0, 0, 0));
		ASSERT_LE(0, fds[i]) TH_LOG("queue %d: %s", i, kipc_strerror(fds[i]));
		ASSERT_EQ(0, kipc_destroy(self->ctl, chan(self, i), 0));
	}
	/* Their names are gone; the attachments keep them, and they still work. */
	EXPECT_EQ(0, put(fds[0], "still here", 0));
	if (self->user_limits)
		EXPECT_EQ(base + HELD_CHANNELS, ns_channels(self, false));

	ret = try_queue(self, HELD_CHANNELS);
	EXPECT_EQ(-ENOSPC, ret)
		TH_LOG("%d queues destroyed by name but still attached left room for another: %s",
		       HELD_CHANNELS, ret ? kipc_strerror(ret) : "created");

	/* The last close frees one, at once: room for exactly one more. */
	drop_fd(self, fds[0]);
	ret = try_queue(self, HELD_CHANNELS + 1);
	EXPECT_EQ(0, ret) TH_LOG("after a close: %s", kipc_strerror(ret));
	EXPECT_EQ(-ENOSPC, try_queue(self, HELD_CHANNELS + 2));
	if (self->user_limits)
		EXPECT_EQ(base + HELD_CHANNELS, ns_channels(self, false));
}

TEST_F_TIMEOUT(limits, mapped_shm_channels_count_against_max_channels_until_munmap, 60)
{
	int base, ret = 0, i;

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
	REQUIRE_ROOT();
	base = ns_channels(self, true);
	ASSERT_LE(0, base);
	ASSERT_EQ(0, set_limit(self, "max_channels", base + HELD_CHANNELS));

	/* Create, map, destroy, close: only the mapping is left of each, and it still counts. */
	for (i = 0; i <= HELD_CHANNELS; i++) {
		ret = shm_cycle(self, i);
		if (ret)
			break;
	}
	EXPECT_EQ(HELD_CHANNELS, i)
		TH_LOG("the loop made %d channels under max_channels = %d + %d", i, base,
		       HELD_CHANNELS);
	EXPECT_EQ(-ENOSPC, ret) TH_LOG("%s", ret ? kipc_strerror(ret) : "no error");
	if (self->user_limits)
		EXPECT_EQ(base + HELD_CHANNELS, ns_channels(self, false));

	/* The last munmap of one frees it at once for a create that needs the room. */
	drop_maps(self, 0, 1);
	ret = shm_cycle(self, HELD_CHANNELS + 1);
	EXPECT_EQ(0, ret) TH_LOG("after one munmap: %s", kipc_strerror(ret));
	EXPECT_EQ(-ENOSPC, shm_cycle(self, HELD_CHANNELS + 2));

	/* With every mapping gone, all the room is back, and the limit holds again. */
	drop_maps(self, 0, self->nmaps);
	for (i = 0; i <= HELD_CHANNELS; i++) {
		ret = shm_cycle(self, HELD_CHANNELS + 3 + i);
		if (ret)
			break;
	}
	EXPECT_EQ(HELD_CHANNELS, i) TH_LOG("after munmap of all: %s", kipc_strerror(ret));
	EXPECT_EQ(-ENOSPC, ret);
	drop_maps(self, 0, self->nmaps);
	/* Freed without a create asking for the room too, by the collector. */
	if (self->user_limits)
		EXPECT_EQ(base, ns_channels(self, true));
}

/* ==== max_user_bytes is charged to the sender ================================================= */

/*
 * Uid @first sends through @fd until EDQUOT; then uid @second, through @second_fd (-1: an fd
 * it opens itself).  Each must have found a whole budget of its own: the first's sends are
 * charged to the first, whoever opened @fd, and to no one else.  Then everything is received
 * and both are uncharged.
 */
static void two_senders(struct __test_metadata *_metadata, FIXTURE_DATA(limits) *self, int fd,
			uid_t first, uid_t second, int second_fd)
{
	__u64 first_used = 0, second_used = 0;
	struct child_report *r = self->report;
	int first_sent, second_sent;

	ASSERT_EQ(BUDGET, self->info.max_user_bytes);
	if (self->user_limits) {
		first_used = usage_as(self, first, USER_BYTES);
		second_used = usage_as(self, second, USER_BYTES);
		ASSERT_NE(NO_USAGE, first_used);
		ASSERT_NE(NO_USAGE, second_used);
	}

	ASSERT_EQ(0, send_as(self, first, fd));
	first_sent = r->sent;
	EXPECT_EQ(-EDQUOT, r->err) TH_LOG("uid %d stopped by %s", first, kipc_strerror(r->err));
	EXPECT_LE(fresh_fill(first_used), first_sent)
		TH_LOG("uid %d: only %d messages in a budget of %d bytes", first, first_sent,
		       BUDGET);
	if (self->user_limits) {
		EXPECT_EQ(first_used, r->before);
		EXPECT_CHARGED(first_sent, r->after - r->before);
		EXPECT_EQ(second_used, usage_as(self, second, USER_BYTES))
			TH_LOG("uid %d's sends were charged to uid %d", first, second);
	}

	ASSERT_EQ(0, send_as(self, second, second_fd));
	second_sent = r->sent;
	EXPECT_EQ(-EDQUOT, r->err) TH_LOG("uid %d stopped by %s", second, kipc_strerror(r->err));
	EXPECT_LE(fresh_fill(second_used), second_sent)
		TH_LOG("uid %d had room for %d messages only: uid %d's sends spent its budget",
		       second, second_sent, first);
	if (self->user_limits) {
		EXPECT_EQ(second_used, r->before);
		EXPECT_CHARGED(second_sent, r->after - r->before);
		EXPECT_CHARGED(first_sent, usage_as(self, first, USER_BYTES) - first_used);
	}

	/* Each uncharge goes to whoever was charged. */
	EXPECT_EQ(first_sent + second_sent, drain(fd));
	if (self->user_limits) {
		EXPECT_EQ(first_used, usage_as(self, first, USER_BYTES));
		EXPECT_EQ(second_used, usage_as(self, second, USER_BYTES));
	}
}

TEST_F_TIMEOUT(limits, root_fd_used_by_nobody_charges_nobody, 120)
{
	int fd;

	REQUIRE_ROOT();
	ASSERT_EQ(0, set_limit(self, "max_user_bytes", BUDGET));
	ASSERT_EQ(0, kipc_get_info(self->ctl, &self->info));
	fd = budget_queue(self, RW);
	ASSERT_LE(0, fd) TH_LOG("%s", kipc_strerror(fd));
	/* Opened by root; nobody gets it across fork + setresuid, then root sends on it too. */
	two_senders(_metadata, self, fd, NOBODY, 0, fd);
}

/*
 * The same by batches: one that passes the budget sends as many as fit, each charged to the
 * uid that sent it, and batch receives that take both uids' messages at once uncharge each.
 */
TEST_F_TIMEOUT(limits, batches_on_a_root_fd_charge_their_sender, 120)
{
	int fd;

	REQUIRE_ROOT();
	REQUIRE_FEATURE(KIPC_FEATURE_BATCH);
	in_batches = true;
	ASSERT_EQ(0, set_limit(self, "max_user_bytes", BUDGET));
	ASSERT_EQ(0, kipc_get_info(self->ctl, &self->info));
	fd = budget_queue(self, RW);
	ASSERT_LE(0, fd) TH_LOG("%s", kipc_strerror(fd));
	two_senders(_metadata, self, fd, NOBODY, 0, fd);
}

TEST_F_TIMEOUT(limits, nobody_fd_passed_to_root_charges_root, 120)
{
	int sv[2], fd, ret;
	pid_t pid;

	REQUIRE_ROOT();
	ASSERT_EQ(0, set_limit(self, "max_user_bytes", BUDGET));
	ASSERT_EQ(0, kipc_get_info(self->ctl, &self->info));
	ret = budget_queue(self, 0);
	ASSERT_LE(0, ret) TH_LOG("%s", kipc_strerror(ret));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_EXPECT(1, 0, become(NOBODY));
		fd = kipc_mq_attach(self->name, RW);
		CHILD_EXPECT(2, 1, fd >= 0);
		CHILD_EXPECT(3, 0, send_fd(sv[1], fd));
		_exit(0);
	}
	/* Only the child holds the other end: if it fails, the receive sees the end. */
	close(sv[1]);
	fd = hold_fd(self, recv_fd(sv[0]));
	EXPECT_EQ(0, reap(pid));
	close(sv[0]);
	ASSERT_LE(0, fd) TH_LOG("%s", kipc_strerror(fd));
	/* Root sends on nobody's fd; then nobody on one of its own. */
	two_senders(_metadata, self, fd, 0, NOBODY, -1);
}

TEST_F_TIMEOUT(limits, nobody_fd_inherited_by_root_charges_root, 120)
{
	int fd, ret;

	REQUIRE_ROOT();
	ASSERT_EQ(0, set_limit(self, "max_user_bytes", BUDGET));
	ASSERT_EQ(0, kipc_get_info(self->ctl, &self->info));
	ret = budget_queue(self, 0);
	ASSERT_LE(0, ret) TH_LOG("%s", kipc_strerror(ret));
	/* Opened while the euid is nobody's, kept as root; root's child inherits it. */
	ASSERT_EQ(0, seteuid(NOBODY));
	fd = kipc_mq_attach(self->name, RW);
	ASSERT_EQ(0, seteuid(0));
	hold_fd(self, fd);
	ASSERT_LE(0, fd) TH_LOG("%s", kipc_strerror(fd));
	two_senders(_metadata, self, fd, 0, NOBODY, -1);
}

/* ==== finding the namespace does not cost more with more namespaces =========================== */

/*
 * The pairs are timed alone, beside the namespaces, and alone again once the namespaces are
 * gone: the mean of the two lone medians is the reference, so that a drift of the machine's
 * speed while the namespaces are made (the VM is emulated, its host shared) cannot pass for
 * a slowdown, or hide one.
 */
TEST_F_TIMEOUT(limits, create_destroy_no_slower_beside_2000_namespaces, 280)
{
	__u64 alone, alone_again, beside;
	volatile __u64 used = 0;
	int ready[2], done[2], anchor, total, status;
	struct pollfd p;
	double ref;
	pid_t pid;
	char c;

	REQUIRE_ROOT();
	if (kipc_fault_injecting())
		SKIP(return, "timings mean nothing under fault injection");
	/* Root's channels in every namespace count against its max_user_channels. */
	if (self->user_limits) {
		used = usage_as(self, 0, USER_CHANNELS);
		ASSERT_NE(NO_USAGE, used);
		ASSERT_EQ(0, set_limit(self, "max_user_channels", used + EXTRA_NS + 16));
	}
	/* A channel of its own keeps the initial namespace known to kipc all along. */
	anchor = hold_fd(self, q_new(self->name2, 0, 0, 0));
	ASSERT_LE(0, anchor) TH_LOG("%s", kipc_strerror(anchor));
	total = settled_channels_total();
	self->channels_before = total;
	alone = median_pair_ns(self->ctl, self->name, PAIRS);
	ASSERT_LT(0, alone);

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(done));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0)
		namespaces_child(EXTRA_NS, ready[1], done[0]);
	close(ready[1]);
	close(done[0]);
	p = (struct pollfd){ .fd = ready[0], .events = POLLIN };
	if (poll(&p, 1, 200 * 1000) != 1 || read(ready[0], &c, 1) != 1) {
		status = reap(pid);
		if (status == CHILD_CANNOT)
			SKIP(return, "the kernel refused %d more IPC namespaces", EXTRA_NS);
		ASSERT_EQ(0, status) TH_LOG("the namespace child failed");
	}
	if (total >= 0)
		EXPECT_EQ(total + EXTRA_NS, channels_total());
	beside = median_pair_ns(self->ctl, self->name, PAIRS);
	ASSERT_LT(0, beside);

	/* The namespaces die with the child; their channels go with them. */
	ASSERT_EQ(1, write(done[1], "x", 1));
	EXPECT_EQ(0, reap_within(pid, 60));
	close(ready[0]);
	close(done[1]);
	if (total >= 0) {
		EXPECT_EQ(total, wait_channels_total(total, 60));
	} else {
		sleep(2);
	}
	/*
	 * And root's channels of those namespaces are freed, not only unnamed: the tests after
	 * this one start from root's usage of before (the collector may still be at it).
	 */
	if (self->user_limits) {
		__u64 now = NO_USAGE;

		for (status = 0; status < 600; status++) {
			now = usage_as(self, 0, USER_CHANNELS);
			if (now <= used + 1)	/* + the anchor */
				break;
			usleep(100 * 1000);
		}
		EXPECT_GE(used + 1, now) TH_LOG("root still holds %llu channels 60 s later",
						(unsigned long long)now);
	}
	alone_again = median_pair_ns(self->ctl, self->name, PAIRS);
	ASSERT_LT(0, alone_again);

	ref = (alone + alone_again) / 2.0;
	TH_LOG("create + destroy, median of %d: %llu ns alone, %llu ns beside %d namespaces, "
	       "%llu ns alone again (x%.2f)", PAIRS, (unsigned long long)alone,
	       (unsigned long long)beside, EXTRA_NS, (unsigned long long)alone_again,
	       beside / ref);
	EXPECT_LT((double)beside, SLOWDOWN_MAX * ref)
		TH_LOG("finding the namespace costs more with more namespaces");
}

/* ==== per-user limits ========================================================================= */

/*
 * The child of the channel-cap test: uid nobody, with @room channels left before its cap of
 * @cap.  It fills them (queues, and a shared-page channel), destroys their names, and reports
 * on @tell that it is at its cap; once told on @hear, it checks what frees them.
 */
static void channel_cap_child(FIXTURE_DATA(limits) *self, unsigned int cap, unsigned int room,
			      int tell, int hear)
{
	int fds[NAMES_MAX], shm, fd = -1, i;
	size_t len;
	void *map;

	CHILD_EXPECT(1, 0, become(NOBODY));
	for (i = 0; i < (int)room - 1; i++) {
		fds[i] = kipc_mq_open(chan(self, i), KIPC_MQ_ATTR(.create_flags = KIPC_CREATE_EXCL, .mode = 0666, .access = RW));
		CHILD_EXPECT(2, 1, fds[i] >= 0);
	}
	shm = kipc_shm_open(chan(self, room - 1), KIPC_CREATE_EXCL, 0666, RW, self->pg);
	CHILD_EXPECT(3, 1, shm >= 0);
	map = kipc_shm_map(shm, PROT_READ | PROT_WRITE, &len, NULL);
	CHILD_EXPECT(4, 1, map != NULL);
	CHILD_EXPECT(5, cap, my_usage(USER_CHANNELS));
	/* One more is over the user's cap: EMFILE, not the namespace's ENOSPC. */
	CHILD_EXPECT(6, -EMFILE, kipc_mq_open(chan(self, room), KIPC_MQ_ATTR(.create_flags = KIPC_CREATE_EXCL, .mode = 0666, .access = RW)));

	/* Names gone; attachments and a mapping (its fd closed) keep them: still counted. */
	for (i = 0; i < (int)room; i++)
		CHILD_EXPECT(7, 0, kipc_destroy(shm, chan(self, i), 0));
	close(shm);
	CHILD_EXPECT(8, cap, my_usage(USER_CHANNELS));
	CHILD_EXPECT(9, -EMFILE, kipc_mq_open(chan(self, room), KIPC_MQ_ATTR(.create_flags = KIPC_CREATE_EXCL, .mode = 0666, .access = RW)));
	child_ready(tell);
	CHILD_EXPECT(10, true, await_byte(hear));

	/* The last close of a destroyed queue frees it, at once. */
	close(fds[0]);
	fd = kipc_mq_open(chan(self, room), KIPC_MQ_ATTR(.create_flags = KIPC_CREATE_EXCL, .mode = 0666, .access = RW));
	CHILD_EXPECT(11, 1, fd >= 0);
	CHILD_EXPECT(12, -EMFILE,
		     kipc_mq_open(chan(self, room + 1), KIPC_MQ_ATTR(.create_flags = KIPC_CREATE_EXCL, .mode = 0666, .access = RW)));
	/* The last munmap frees the shared-page one (allow the collector its time). */
	munmap(map, len);
	for (i = 0; i < COLLECT_MS / 50; i++) {
		fd = kipc_mq_open(chan(self, room + 1), KIPC_MQ_ATTR(.create_flags = KIPC_CREATE_EXCL, .mode = 0666, .access = RW));
		if (fd != -EMFILE)
			break;
		usleep(50 * 1000);
	}
	CHILD_EXPECT(13, 1, fd >= 0);
	CHILD_EXPECT(14, cap, my_usage(USER_CHANNELS));
	CHILD_EXPECT(15, 0, kipc_destroy(fd, chan(self, room + 1), 0));
	CHILD_EXPECT(16, 0, kipc_destroy(fd, chan(self, room), 0));
	_exit(0);
}

TEST_F_TIMEOUT(limits, user_channel_cap_is_emfile_for_that_user_alone, 60)
{
	unsigned int cap, room, root_room, i;
	__u64 root_used, nobody_used;
	int tell[2], hear[2], ret;
	pid_t pid;

	REQUIRE_USER_LIMITS();
	REQUIRE_ROOT();
	root_used = usage_as(self, 0, USER_CHANNELS);
	nobody_used = usage_as(self, NOBODY, USER_CHANNELS);
	ASSERT_NE(NO_USAGE, root_used);
	ASSERT_NE(NO_USAGE, nobody_used);
	cap = (root_used > nobody_used ? root_used : nobody_used) + 6;
	room = cap - nobody_used;
	root_room = cap - root_used;
	if (room > ROOT_NAMES - 4 || ROOT_NAMES + root_room >= NAMES_MAX)
		SKIP(return, "uid 0 or %d has too many channels already", NOBODY);
	ASSERT_EQ(0, set_limit(self, "max_user_channels", cap));
	ASSERT_EQ(0, kipc_get_info(self->ctl, &self->info));
	EXPECT_EQ(cap, self->info.max_user_channels);

	ASSERT_EQ(0, pipe(tell));
	ASSERT_EQ(0, pipe(hear));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0)
		channel_cap_child(self, cap, room, tell[1], hear[0]);
	if (!await_byte(tell[0]))
		ASSERT_EQ(0, reap(pid)) TH_LOG("the child failed before it was at its cap");
	EXPECT_EQ(cap, usage_as(self, NOBODY, USER_CHANNELS));

	/* Nobody at its cap does not stop root, who has a cap of its own. */
	for (i = 0; i < root_room; i++) {
		ret = try_queue(self, ROOT_NAMES + i);
		ASSERT_EQ(0, ret) TH_LOG("root's channel %u of %u: %s", i + 1, root_room,
					 kipc_strerror(ret));
	}
	EXPECT_EQ(cap, usage_as(self, 0, USER_CHANNELS));
	EXPECT_EQ(-EMFILE, try_queue(self, ROOT_NAMES + root_room))
		TH_LOG("root is over its cap too");
	for (i = 0; i < root_room; i++)
		kipc_destroy(self->ctl, chan(self, ROOT_NAMES + i), 0);
	for (i = 0; i < self->nfds; i++)
		if (self->fds[i] >= 0)
			drop_fd(self, self->fds[i]);
	EXPECT_EQ(root_used, usage_as(self, 0, USER_CHANNELS));

	ASSERT_EQ(1, write(hear[1], "x", 1));
	EXPECT_EQ(0, reap_within(pid, 15));
	/* Nothing of the child's is left to count. */
	EXPECT_EQ(nobody_used, wait_usage(self, NOBODY, USER_CHANNELS, nobody_used));
	close(tell[0]);
	close(tell[1]);
	close(hear[0]);
	close(hear[1]);
}

/*
 * The child of the shm-bytes test: uid nobody, with @room bytes (whole pages, 8 at least)
 * left before its cap of @cap.  Like channel_cap_child(), for shared-page bytes.
 */
static void shm_cap_child(FIXTURE_DATA(limits) *self, __u64 cap, __u64 room, int tell, int hear)
{
	const __u64 pg = self->pg;
	int a, b, fd = -1, i;
	size_t len;
	void *map;

	CHILD_EXPECT(1, 0, become(NOBODY));
	a = kipc_shm_open(chan(self, 0), KIPC_CREATE_EXCL, 0666, RW, room - 3 * pg);
	CHILD_EXPECT(2, 1, a >= 0);
	/* Two pages and a byte are three pages: exactly the cap. */
	b = kipc_shm_open(chan(self, 1), KIPC_CREATE_EXCL, 0666, RW, 2 * pg + 1);
	CHILD_EXPECT(3, 1, b >= 0);
	CHILD_EXPECT(4, cap, my_usage(USER_SHM_BYTES));
	/* And one byte is a page more. */
	CHILD_EXPECT(5, -ENOBUFS, kipc_shm_open(chan(self, 2), KIPC_CREATE_EXCL, 0666, RW, 1));

	/* Mapped with its fd closed, or attached: destroyed, both still count. */
	map = kipc_shm_map(a, PROT_READ | PROT_WRITE, &len, NULL);
	CHILD_EXPECT(6, 1, map != NULL);
	CHILD_EXPECT(7, 0, kipc_destroy(a, chan(self, 0), 0));
	CHILD_EXPECT(8, 0, kipc_destroy(a, chan(self, 1), 0));
	close(a);
	CHILD_EXPECT(9, cap, my_usage(USER_SHM_BYTES));
	CHILD_EXPECT(10, -ENOBUFS, kipc_shm_open(chan(self, 2), KIPC_CREATE_EXCL, 0666, RW, 1));
	child_ready(tell);
	CHILD_EXPECT(11, true, await_byte(hear));

	/* The last close frees the attached one at once: its three pages are back. */
	close(b);
	b = kipc_shm_open(chan(self, 2), KIPC_CREATE_EXCL, 0666, RW, 3 * pg);
	CHILD_EXPECT(12, 1, b >= 0);
	CHILD_EXPECT(13, -ENOBUFS, kipc_shm_open(chan(self, 3), KIPC_CREATE_EXCL, 0666, RW, 1));
	/* The last munmap frees the mapped one (allow the collector its time). */
	munmap(map, len);
	for (i = 0; i < COLLECT_MS / 50; i++) {
		fd = kipc_shm_open(chan(self, 3), KIPC_CREATE_EXCL, 0666, RW, room - 3 * pg);
		if (fd != -ENOBUFS)
			break;
		usleep(50 * 1000);
	}
	CHILD_EXPECT(14, 1, fd >= 0);
	CHILD_EXPECT(15, cap, my_usage(USER_SHM_BYTES));
	CHILD_EXPECT(16, 0, kipc_destroy(fd, chan(self, 2), 0));
	CHILD_EXPECT(17, 0, kipc_destroy(fd, chan(self, 3), 0));
	_exit(0);
}

TEST_F_TIMEOUT(limits, user_shm_byte_cap_is_enobufs_for_that_user_alone, 60)
{
	__u64 root_used, nobody_used, cap, room, root_room, pg = self->pg;
	int tell[2], hear[2], fd, fd2;
	pid_t pid;

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
	REQUIRE_USER_LIMITS();
	REQUIRE_ROOT();
	root_used = usage_as(self, 0, USER_SHM_BYTES);
	nobody_used = usage_as(self, NOBODY, USER_SHM_BYTES);
	ASSERT_NE(NO_USAGE, root_used);
	ASSERT_NE(NO_USAGE, nobody_used);
	cap = (root_used > nobody_used ? root_used : nobody_used) + 8 * pg;
	room = cap - nobody_used;
	root_room = cap - root_used;
	if (room > self->info.max_shm_size || root_room > self->info.max_shm_size)
		SKIP(return, "uid 0 or %d has too many shared pages already", NOBODY);
	ASSERT_EQ(0, set_limit(self, "max_user_shm_bytes", cap));
	ASSERT_EQ(0, kipc_get_info(self->ctl, &self->info));
	EXPECT_EQ(cap, self->info.max_user_shm_bytes);

	ASSERT_EQ(0, pipe(tell));
	ASSERT_EQ(0, pipe(hear));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0)
		shm_cap_child(self, cap, room, tell[1], hear[0]);
	if (!await_byte(tell[0]))
		ASSERT_EQ(0, reap(pid)) TH_LOG("the child failed before it was at its cap");
	EXPECT_EQ(cap, usage_as(self, NOBODY, USER_SHM_BYTES));

	/* Nobody at its cap does not stop root, who has a cap of its own. */
	fd = hold_fd(self, kipc_shm_open(chan(self, ROOT_NAMES), KIPC_CREATE_EXCL, 0600, RW,
					 4 * pg));
	ASSERT_LE(0, fd) TH_LOG("%s", kipc_strerror(fd));
	fd2 = hold_fd(self, kipc_shm_open(chan(self, ROOT_NAMES + 1), KIPC_CREATE_EXCL, 0600, RW,
					  root_room - 4 * pg));
	ASSERT_LE(0, fd2) TH_LOG("%s", kipc_strerror(fd2));
	EXPECT_EQ(cap, usage_as(self, 0, USER_SHM_BYTES));
	EXPECT_EQ(-ENOBUFS, kipc_shm_open(chan(self, ROOT_NAMES + 2), KIPC_CREATE_EXCL, 0600, RW,
					  1))
		TH_LOG("root is over its cap too");
	kipc_destroy(self->ctl, chan(self, ROOT_NAMES), KIPC_DESTROY_NOW);
	kipc_destroy(self->ctl, chan(self, ROOT_NAMES + 1), KIPC_DESTROY_NOW);
	drop_fd(self, fd);
	drop_fd(self, fd2);
	EXPECT_EQ(root_used, wait_usage(self, 0, USER_SHM_BYTES, root_used));

	ASSERT_EQ(1, write(hear[1], "x", 1));
	EXPECT_EQ(0, reap_within(pid, 15));
	EXPECT_EQ(nobody_used, wait_usage(self, NOBODY, USER_SHM_BYTES, nobody_used));
	close(tell[0]);
	close(tell[1]);
	close(hear[0]);
	close(hear[1]);
}

TEST_HARNESS_MAIN
