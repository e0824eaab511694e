// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: what keeps one tenant of /dev/kipc away from another's channels and memory.
 *
 *  - Containers.  The device node is shared, channels are per IPC namespace: a process in its
 *    own user, IPC and mount namespaces cannot attach, stat, destroy or list the host's
 *    channels (not even a 0666 one), can reuse their names without disturbing them, and sees
 *    owners through its own uid map.  An fd attached before the unshare keeps working, as any
 *    open file does.
 *  - Capabilities.  Root in a child user namespace is not CAP_IPC_OWNER over the channels of
 *    an IPC namespace owned by the init user namespace.
 *  - Memory cgroups.  Queued messages and shared pages are charged to the memory cgroup of the
 *    sender or of whoever first touches a page, so memory.max stops a user that kipc's own
 *    limits (raised here out of the way) would let through, and destroying the channel gives
 *    the charges back.
 *
 * Everything here needs root (the container child drops to an unprivileged uid itself); the
 * memory cgroup tests mount cgroup2 on /sys/fs/cgroup when nothing has.  A memcg OOM kill
 * prints an OOM report, with its stack dump, in the kernel log: tests/vm/run.sh knows that
 * report and does not count its stack dump as trouble.
 */
#include <grp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "kipc_selftest.h"

#define NOBODY		65534
/* What the kernel reports for an id with no mapping in the caller's user namespace. */
#define OVERFLOW_ID	65534
/* The container's uid and gid on the host, as a rootless container's subordinate range. */
#define CONTAINER_ID	100000
/* A child that "cannot run here" (e.g. unprivileged user namespaces are off) exits with this. */
#define CHILD_CANNOT	200
#define CAP_IPC_OWNER_BIT	15

#define CG_MOUNT	"/sys/fs/cgroup"

/* The memory cgroup tests: the limit, and what a tenant tries to get past it. */
#define MEMCG_LIMIT	(8ULL << 20)
#define QMSG_SIZE	65536U
#define QMSG_LIMIT	1024U			/* 64 MiB of messages: 8 times the limit */
#define SHM_SIZE	(32ULL << 20)
/* What may stay charged to the cgroup once everything is gone: per-cpu charge caches. */
#define MEMCG_SLACK	(2ULL << 20)
/* A child of a memory cgroup test that was never stopped. */
#define CHILD_NEVER_STOPPED	201

/* ---- plain helpers ------------------------------------------------------------------------- */

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

static int read_file(const char *path, char *text, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, text, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	text[n] = '\0';
	return 0;
}

/*
 * Give up every privilege: supplementary groups, then gid, then uid (which clears caps).  The
 * change of uid also made the process undumpable, which hands its /proc/self files to root:
 * undo that, so that it can still write its own uid_map.
 */
static int become(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid) ||
	    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		return -errno;
	return 0;
}

/*
 * Child: unshare a user namespace (with @more namespaces) and map the caller's own uid and gid
 * to root in it, the way an unprivileged container runtime does.  Return: 0 or -errno.
 */
static int enter_userns(int more)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];
	int ret;

	if (unshare(CLONE_NEWUSER | more))
		return -errno;
	/* gid_map is refused to an unprivileged writer until setgroups(2) is off. */
	ret = write_file("/proc/self/setgroups", "deny");
	if (ret)
		return ret;
	snprintf(map, sizeof(map), "0 %u 1\n", uid);
	ret = write_file("/proc/self/uid_map", map);
	if (ret)
		return ret;
	snprintf(map, sizeof(map), "0 %u 1\n", gid);
	return write_file("/proc/self/gid_map", map);
}

/* Whether the caller's effective capabilities hold CAP_IPC_OWNER (in its user namespace). */
static bool has_cap_ipc_owner(void)
{
	char status[4096], *p;
	unsigned long long eff;

	if (read_file("/proc/self/status", status, sizeof(status)))
		return false;
	p = strstr(status, "CapEff:");
	if (!p || sscanf(p, "CapEff: %llx", &eff) != 1)
		return false;
	return eff & (1ULL << CAP_IPC_OWNER_BIT);
}

static void send_byte(int fd)
{
	char c = 1;

	if (write(fd, &c, 1) != 1)
		_exit(98);
}

static bool recv_byte(int fd)
{
	char c;

	return read(fd, &c, 1) == 1;
}

/* How many channels named @name the caller's namespace lists; the last one's id in @id. */
static int listed_as(int ctl, const char *name, __u32 *id)
{
	struct kipc_list_entry e[64];
	int n, i, found = 0;

	n = kipc_list_all(ctl, e, 64, NULL);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		if (!strcmp(e[i].name, name)) {
			found++;
			*id = e[i].id;
		}
	}
	return found;
}

/* ==== containers ============================================================================ */

FIXTURE(iso) {
	KIPC_FIXTURE_FIELDS;
};

FIXTURE_SETUP(iso)
{
	KIPC_SETUP_MQ(self, "iso");
}

FIXTURE_TEARDOWN(iso)
{
	kill_children();
	KIPC_TEARDOWN(self);
}

/*
 * The container: an unprivileged uid that unshares user, IPC and mount namespaces and is root
 * inside.  It holds @inherited, attached by the host to @name before the fork.  It reports on
 * @ready and waits on @done, so the host can look while the container and its channel live.
 */
static void container_child(const char *name, const char *name2, int inherited, int ready,
			    int done)
{
	struct kipc_list_entry e[4];
	struct kipc_create c;
	struct kipc_stat st;
	unsigned int total;
	char buf[64];
	int ret, ctl, own;

	if (become(CONTAINER_ID, CONTAINER_ID))
		_exit(CHILD_CANNOT);
	ret = enter_userns(CLONE_NEWIPC | CLONE_NEWNS);
	if (ret == -EPERM || ret == -EINVAL || ret == -ENOSPC || ret == -EUSERS)
		_exit(CHILD_CANNOT);
	CHILD_EXPECT(1, 0, ret);
	CHILD_EXPECT(2, 0, (int)geteuid());
	/* Nothing mounted in here propagates back to the host. */
	CHILD_EXPECT(3, 0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ? -errno : 0);

	/* The device is the host's; its channels are not, even the 0666 one. */
	ctl = kipc_open(0);
	CHILD_EXPECT(4, 1, ctl >= 0);
	CHILD_EXPECT(5, 0, kipc_list_all(ctl, e, 4, &total));
	CHILD_EXPECT(6, 0, total);
	CHILD_EXPECT(7, -ENOENT, kipc_mq_attach(name, KIPC_ACCESS_READ));
	CHILD_EXPECT(8, -ENOENT, kipc_mq_attach(name, RW));
	CHILD_EXPECT(9, -ENOENT, kipc_mq_attach(name2, KIPC_ACCESS_WRITE));
	CHILD_EXPECT(10, -ENOENT, kipc_stat_name(ctl, name, &st));
	CHILD_EXPECT(11, -ENOENT, kipc_stat_name(ctl, name2, &st));
	CHILD_EXPECT(12, -ENOENT, kipc_destroy(ctl, name, 0));
	CHILD_EXPECT(13, -ENOENT, kipc_destroy(ctl, name2, KIPC_DESTROY_NOW));

	/* Its own channel of the same name; EXCL, so it is a new one and not the host's. */
	create_arg(&c, name);
	own = create_fd(&c);
	CHILD_EXPECT(14, 1, own >= 0);
	CHILD_EXPECT(15, 1, c.created);
	CHILD_EXPECT(16, 0, put(own, "container", 0));
	/* Owner and creator are its mapped root (host uid CONTAINER_ID). */
	CHILD_EXPECT(17, 0, kipc_stat_self(own, &st));
	CHILD_EXPECT(18, 0, st.uid);
	CHILD_EXPECT(19, 0, st.gid);
	CHILD_EXPECT(20, 0, st.cuid);
	CHILD_EXPECT(21, 0, st.cgid);
	CHILD_EXPECT(22, 1, st.depth);
	CHILD_EXPECT(23, 1, kipc_list_all(ctl, e, 4, &total));
	CHILD_EXPECT(24, 1, total);
	CHILD_EXPECT(25, 0, strcmp(e[0].name, name));
	CHILD_EXPECT(26, 0, e[0].uid);

	/*
	 * An fd attached before the unshare is a capability already granted, as for any open
	 * file: it still reaches the host's channel.  Its owner, host root, has no mapping here.
	 */
	CHILD_EXPECT(27, 0, kipc_stat_self(inherited, &st));
	CHILD_EXPECT(28, 0, strcmp(st.name, name));
	CHILD_EXPECT(29, OVERFLOW_ID, st.uid);
	CHILD_EXPECT(30, 0666, st.mode);
	CHILD_EXPECT(31, 2, st.depth);
	CHILD_EXPECT(32, 6, get(inherited, buf, NULL));
	CHILD_EXPECT(33, 0, strcmp(buf, "host-a"));
	CHILD_EXPECT(34, 0, put(inherited, "from-container", 0));

	send_byte(ready);
	if (!recv_byte(done))
		_exit(97);
	/* The host's look did not touch the container's channel. */
	CHILD_EXPECT(35, 1, depth_of(own));
	_exit(0);
}

/* A helper of the host's, in the container's IPC namespace but the host's user namespace. */
static int stat_in_ns_of(pid_t pid, const char *name, struct kipc_stat *st)
{
	char path[64];
	int nsfd, ctl, ret;

	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", pid);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return -errno;
	ret = setns(nsfd, CLONE_NEWIPC) ? -errno : 0;
	close(nsfd);
	if (ret)
		return ret;
	ctl = kipc_open(0);
	if (ctl < 0)
		return ctl;
	ret = kipc_stat_name(ctl, name, st);
	close(ctl);
	return ret;
}

TEST_F(iso, container_cannot_reach_host_channels)
{
	int inherited, secret, ctl_before, ready[2], done[2], status;
	struct kipc_stat host, st, *seen;
	pid_t pid, peek;
	char buf[64];
	__u32 id;

	REQUIRE_ROOT();
	/* A world-writable queue, so that only the namespace stands in the way, and a 0600 one. */
	inherited = kipc_mq_open(self->name, KIPC_MQ_ATTR(.create_flags = KIPC_CREATE_EXCL, .mode = 0666, .access = RW));
	ASSERT_LE(0, inherited) TH_LOG("%s", kipc_strerror(inherited));
	ASSERT_EQ(0, put(inherited, "host-a", 0));
	ASSERT_EQ(0, put(inherited, "host-b", 0));
	secret = kipc_mq_open(self->name2, KIPC_MQ_ATTR(.create_flags = KIPC_CREATE_EXCL, .mode = 0600, .access = RW));
	ASSERT_LE(0, secret);
	ASSERT_EQ(0, put(secret, "secret", 0));
	ASSERT_EQ(0, kipc_stat_self(inherited, &host));
	ctl_before = channels_total();

	/* What the host and the container see of the container's channel meets here. */
	seen = mmap(NULL, sizeof(*seen), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		    -1, 0);
	ASSERT_NE(MAP_FAILED, seen);
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(done));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0)
		container_child(self->name, self->name2, inherited, ready[1], done[0]);
	close(ready[1]);
	close(done[0]);
	if (!recv_byte(ready[0])) {
		status = reap(pid);
		if (status == CHILD_CANNOT)
			SKIP(return, "user namespaces are refused to an unprivileged uid here");
		ASSERT_EQ(0, status) TH_LOG("the container failed before it was ready");
	}

	/* The host's channels: the same ones, with what the inherited fd did and nothing else. */
	ASSERT_EQ(0, kipc_stat_name(self->ctl, self->name, &st));
	EXPECT_EQ(host.id, st.id);
	EXPECT_EQ(0, st.uid);
	EXPECT_EQ(0666, st.mode);
	EXPECT_EQ(2, st.depth);
	EXPECT_EQ(1, listed_as(self->ctl, self->name, &id));
	EXPECT_EQ(host.id, id);
	EXPECT_EQ(1, depth_of(secret));

	/* Seen from the host's user namespace, the container's root is uid CONTAINER_ID. */
	memset(seen, 0, sizeof(*seen));
	peek = fork_child();
	ASSERT_LE(0, peek);
	if (peek == 0)
		_exit(errno_exit(stat_in_ns_of(pid, self->name, seen)));
	EXPECT_EQ(0, reap(peek));
	EXPECT_NE(host.id, seen->id);
	EXPECT_EQ(0, strcmp(seen->name, self->name));
	EXPECT_EQ(CONTAINER_ID, seen->uid);
	EXPECT_EQ(CONTAINER_ID, seen->gid);
	EXPECT_EQ(CONTAINER_ID, seen->cuid);
	EXPECT_EQ(1, seen->depth);

	send_byte(done[1]);
	EXPECT_EQ(0, reap(pid));

	/* The container is gone, and so is its namespace; the host's channel is as it was. */
	EXPECT_EQ(6, get(inherited, buf, NULL));
	EXPECT_STREQ("host-b", buf);
	EXPECT_EQ(14, get(inherited, buf, NULL));
	EXPECT_STREQ("from-container", buf);
	ASSERT_EQ(0, kipc_stat_name(self->ctl, self->name, &st));
	EXPECT_EQ(host.id, st.id);
	EXPECT_EQ(1, listed_as(self->ctl, self->name, &id));
	EXPECT_EQ(6, get(secret, buf, NULL));
	EXPECT_STREQ("secret", buf);
	if (ctl_before >= 0)
		EXPECT_EQ(ctl_before, wait_channels(ctl_before));
	munmap(seen, sizeof(*seen));
	close(secret);
	close(inherited);
	close(ready[0]);
	close(done[1]);
}

/*
 * Root in a child user namespace has every capability there, and none over an IPC namespace
 * the init user namespace owns: a 0600 channel of the host's root stays closed to it.
 */
TEST_F(iso, userns_root_is_not_ipc_owner_of_host_channels)
{
	struct kipc_create c;
	struct kipc_stat st;
	int status;
	pid_t pid;

	REQUIRE_ROOT();
	create_arg(&c, self->name);
	c.access = 0;
	ASSERT_EQ(0, kipc_create(self->ctl, &c));

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ctl, ret;

		if (become(NOBODY, NOBODY))
			_exit(CHILD_CANNOT);
		/* Plain nobody first: the channel is closed to it. */
		CHILD_EXPECT(1, -EACCES, kipc_mq_attach(self->name, KIPC_ACCESS_READ));
		ret = enter_userns(0);
		if (ret == -EPERM || ret == -EINVAL || ret == -ENOSPC || ret == -EUSERS)
			_exit(CHILD_CANNOT);
		CHILD_EXPECT(2, 0, ret);
		CHILD_EXPECT(3, 0, (int)geteuid());
		CHILD_EXPECT(4, true, has_cap_ipc_owner());
		CHILD_EXPECT(5, -EACCES, kipc_mq_attach(self->name, KIPC_ACCESS_READ));
		CHILD_EXPECT(6, -EACCES, kipc_mq_attach(self->name, KIPC_ACCESS_WRITE));
		CHILD_EXPECT(7, -EACCES, kipc_mq_attach(self->name, RW));
		/* Opening it through create (no EXCL) checks the same. */
		CHILD_EXPECT(8, -EACCES, kipc_mq_open(self->name, KIPC_MQ_ATTR(.mode = 0600, .access = RW)));
		ctl = kipc_open(0);
		CHILD_EXPECT(9, 1, ctl >= 0);
		CHILD_EXPECT(10, -EPERM, kipc_destroy(ctl, self->name, 0));
		CHILD_EXPECT(11, -EPERM, kipc_destroy(ctl, self->name, KIPC_DESTROY_NOW));
		_exit(0);
	}
	status = reap(pid);
	if (status == CHILD_CANNOT)
		SKIP(return, "user namespaces are refused to an unprivileged uid here");
	EXPECT_EQ(0, status);
	/* Still there, still whole. */
	ASSERT_EQ(0, kipc_stat_name(self->ctl, self->name, &st));
	EXPECT_EQ(c.id, st.id);
	EXPECT_EQ(0, st.state);
}

/* ==== memory cgroups ======================================================================== */

/* The kipc limits that must not be what stops a tenant here, and the values they get. */
static const struct {
	const char *name;
	unsigned long long value;
} raised[] = {
	{ "max_user_bytes", 1ULL << 30 },
	{ "max_msgs", 1U << 20 },
	{ "max_msg_size", 1U << 20 },
	{ "max_shm_size", 1ULL << 30 },
};

#define NR_RAISED	ARRAY_SIZE(raised)

FIXTURE(memcg) {
	KIPC_FIXTURE_FIELDS;
	char saved[NR_RAISED][32];	/* each parameter's value before, "" if not changed */
	char root[128];			/* the cgroup2 mount */
	char dir[192];			/* the test's cgroup, "" until made */
	bool mounted;			/* whether the test mounted cgroup2 */
	/* What the tenant got done, for the parent to read after the memcg killed it. */
	unsigned long long *progress;
};

static int cg_path(char *dst, size_t len, const char *dir, const char *file)
{
	return snprintf(dst, len, "%s/%s", dir, file) >= (int)len ? -ENAMETOOLONG : 0;
}

static int cg_write(const char *dir, const char *file, const char *text)
{
	char path[256];

	if (cg_path(path, sizeof(path), dir, file))
		return -ENAMETOOLONG;
	return write_file(path, text);
}

/* A cgroup file holding one number ("max" reads as ~0).  Return: the number, or -1. */
static long long cg_read(const char *dir, const char *file)
{
	char path[256], text[64];

	if (cg_path(path, sizeof(path), dir, file) || read_file(path, text, sizeof(text)))
		return -1;
	if (!strncmp(text, "max", 3))
		return -2;
	return strtoll(text, NULL, 10);
}

/* One counter of a flat-keyed file such as memory.events.  Return: the count, or -1. */
static long long cg_key(const char *dir, const char *file, const char *key)
{
	char path[256], text[1024], *line;
	size_t klen = strlen(key);

	if (cg_path(path, sizeof(path), dir, file) || read_file(path, text, sizeof(text)))
		return -1;
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		if (!strncmp(line, key, klen) && line[klen] == ' ')
			return strtoll(line + klen + 1, NULL, 10);
	return -1;
}

/* Where cgroup2 is mounted, mounting it on CG_MOUNT when it is nowhere.  Return: 0 or -errno. */
static int cg2_find_or_mount(char *root, size_t len, bool *mounted)
{
	char dev[128], dir[128], type[64];
	int i, ret = -ENOENT;
	FILE *f;

	for (i = 0; i < 2; i++) {
		f = fopen("/proc/self/mounts", "r");
		if (!f)
			return -errno;
		while (fscanf(f, "%127s %127s %63s %*[^\n]", dev, dir, type) == 3) {
			if (!strcmp(type, "cgroup2")) {
				snprintf(root, len, "%s", dir);
				ret = 0;
				break;
			}
		}
		fclose(f);
		if (!ret || i)
			return ret;
		mkdir(CG_MOUNT, 0755);
		if (mount("none", CG_MOUNT, "cgroup2", 0, NULL) == 0) {
			*mounted = true;
			snprintf(root, len, "%s", CG_MOUNT);
			return 0;
		}
		/* EBUSY: someone mounted it meanwhile; look again. */
		if (errno != EBUSY)
			return -errno;
	}
	return ret;
}

/* Set up the test's cgroup with memory.max.  Return: NULL, or why the test cannot run. */
static const char *cgroup_make(struct _test_data_memcg *self)
{
	char text[256];

	if (cg2_find_or_mount(self->root, sizeof(self->root), &self->mounted))
		return "cgroup2 is not available";
	if (cg_path(text, sizeof(text), self->root, "cgroup.controllers") ||
	    read_file(text, text, sizeof(text)) || !strstr(text, "memory"))
		return "the memory controller is not available on cgroup2";
	if (cg_write(self->root, "cgroup.subtree_control", "+memory"))
		return "cannot enable the memory controller";
	snprintf(self->dir, sizeof(self->dir), "%s/kipc-iso-%d", self->root, getpid());
	if (mkdir(self->dir, 0755)) {
		self->dir[0] = '\0';
		return "cannot make a cgroup";
	}
	snprintf(text, sizeof(text), "%llu", MEMCG_LIMIT);
	if (cg_write(self->dir, "memory.max", text))
		return "cannot set memory.max";
	/* No swap to move anonymous or shmem pages to, if this kernel swaps at all. */
	cg_write(self->dir, "memory.swap.max", "0");
	return NULL;
}

static void cgroup_remove(struct _test_data_memcg *self)
{
	int i;

	if (self->dir[0]) {
		/* The last child may still be on its way out of the cgroup. */
		for (i = 0; i < 200 && rmdir(self->dir) && errno == EBUSY; i++)
			usleep(10000);
		self->dir[0] = '\0';
	}
	if (self->mounted)
		umount2(self->root, MNT_DETACH);
}

/* Raise the kipc limits out of the way; the teardown puts back what was changed. */
static int raise_params(struct _test_data_memcg *self)
{
	char text[32];
	unsigned int i;
	int ret;

	for (i = 0; i < NR_RAISED; i++) {
		ret = read_param_text(raised[i].name, self->saved[i], sizeof(self->saved[i]));
		if (ret)
			return ret;
		snprintf(text, sizeof(text), "%llu\n", raised[i].value);
		ret = write_param_text(raised[i].name, text);
		if (ret) {
			self->saved[i][0] = '\0';
			return ret;
		}
	}
	return 0;
}

static void restore_params(struct _test_data_memcg *self)
{
	unsigned int i;

	for (i = 0; i < NR_RAISED; i++)
		if (self->saved[i][0])
			write_param_text(raised[i].name, self->saved[i]);
}

FIXTURE_SETUP(memcg)
{
	KIPC_SETUP_MQ(self, "iso");
	if (geteuid() != 0) {
		self->skip = "needs root";
		SKIP(return, "%s", self->skip);
	}
	/* An OOM kill under random allocation failures tells nothing about either. */
	if (kipc_fault_injecting()) {
		self->skip = "memory cgroup limits are not tested under fault injection";
		SKIP(return, "%s", self->skip);
	}
	self->skip = cgroup_make(self);
	if (self->skip)
		SKIP(return, "%s", self->skip);
	ASSERT_EQ(0, raise_params(self));
	/* Shared with the tenant, and touched here first: charged to this cgroup, not its. */
	self->progress = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			      -1, 0);
	ASSERT_NE(MAP_FAILED, self->progress);
	*self->progress = 0;
}

FIXTURE_TEARDOWN(memcg)
{
	kill_children();
	KIPC_TEARDOWN(self);
	restore_params(self);
	cgroup_remove(self);
	if (self->progress && self->progress != MAP_FAILED)
		munmap((void *)self->progress, 4096);
}

/* Fork the tenant into the test's cgroup; it runs @fn once it is there.  Return: its pid. */
static pid_t fork_tenant(struct _test_data_memcg *self,
			 void (*fn)(struct _test_data_memcg *self))
{
	int go[2];
	char pidtext[32];
	pid_t pid;

	if (pipe(go))
		return -errno;
	pid = fork_child();
	if (pid == 0) {
		close(go[1]);
		if (!recv_byte(go[0]))
			_exit(97);
		fn(self);
		_exit(96);
	}
	close(go[0]);
	if (pid > 0) {
		snprintf(pidtext, sizeof(pidtext), "%d", pid);
		if (cg_write(self->dir, "cgroup.procs", pidtext)) {
			kill_children();
			pid = -EIO;
		} else {
			send_byte(go[1]);
		}
	}
	close(go[1]);
	return pid;
}

/* Wait up to 5 s for the cgroup's charges to fall to @limit.  Return: memory.current. */
static long long wait_current_below(const char *dir, long long limit)
{
	long long cur = -1;
	int i;

	for (i = 0; i < 100; i++) {
		cur = cg_read(dir, "memory.current");
		if (cur >= 0 && cur <= limit)
			break;
		usleep(50 * 1000);
	}
	return cur;
}

static const char *stop_name(int status)
{
	if (status == ENOMEM)
		return "ENOMEM";
	if (status == 256 + SIGKILL)
		return "SIGKILL (memcg OOM kill)";
	if (status == 256 + SIGBUS)
		return "SIGBUS";
	return "something else";
}

/* The tenant: 64 KiB messages into one queue, without waiting, until a send fails. */
static void queue_tenant(struct _test_data_memcg *self)
{
	static char msg[QMSG_SIZE];
	unsigned int i;
	int fd, ret;

	memset(msg, 'q', sizeof(msg));
	fd = q_new(self->name, 4 * QMSG_LIMIT, QMSG_SIZE, KIPC_OVERFLOW_FAIL);
	if (fd < 0)
		_exit(150);
	for (i = 0; i < QMSG_LIMIT; i++) {
		ret = kipc_send(fd, msg, sizeof(msg), 0, 0, 0);
		if (ret)
			_exit(-ret);
		__atomic_store_n(self->progress, i + 1, __ATOMIC_RELAXED);
	}
	_exit(CHILD_NEVER_STOPPED);
}

TEST_F_TIMEOUT(memcg, queued_messages_stop_at_memory_max, 180)
{
	long long max, oom, oom_kill, peak, held, after;
	struct kipc_stat st;
	int status;
	pid_t pid;

	REQUIRE_MQ();
	pid = fork_tenant(self, queue_tenant);
	ASSERT_LT(0, pid);
	status = reap_within(pid, 150);
	ASSERT_EQ(0, kipc_stat_name(self->ctl, self->name, &st)) TH_LOG("the tenant made no queue");
	max = cg_key(self->dir, "memory.events", "max");
	oom = cg_key(self->dir, "memory.events", "oom");
	oom_kill = cg_key(self->dir, "memory.events", "oom_kill");
	peak = cg_read(self->dir, "memory.peak");
	held = cg_read(self->dir, "memory.current");
	TH_LOG("queue tenant stopped by %s (status %d) after %llu messages", stop_name(status),
	       status, *self->progress);
	TH_LOG("%llu bytes queued, memory.max %llu, memory.current %lld, memory.peak %lld",
	       (unsigned long long)st.bytes, MEMCG_LIMIT, held, peak);
	TH_LOG("memory.events: max %lld oom %lld oom_kill %lld", max, oom, oom_kill);

	/* The memcg, not a kipc limit (EDQUOT, EAGAIN) nor nothing at all, stopped it. */
	EXPECT_TRUE(status == ENOMEM || status == 256 + SIGKILL);
	EXPECT_EQ(*self->progress, st.depth);
	EXPECT_LE(st.bytes, MEMCG_LIMIT);
	/* Stopped by the limit, not by anything well before it. */
	EXPECT_LE(MEMCG_LIMIT / 4, st.bytes);
	EXPECT_LT(0, max);
	if (status == 256 + SIGKILL) {
		EXPECT_LT(0, oom);
		EXPECT_LT(0, oom_kill);
	}
	if (peak >= 0)
		EXPECT_LE(peak, (long long)MEMCG_LIMIT);
	/* The tenant is gone; what it queued is still charged to its cgroup. */
	EXPECT_LE((long long)st.bytes, held);

	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name, KIPC_DESTROY_NOW));
	after = wait_current_below(self->dir, MEMCG_SLACK);
	TH_LOG("memory.current after the destroy: %lld", after);
	EXPECT_LE(0, after);
	EXPECT_LE(after, (long long)MEMCG_SLACK);
}

/* The tenant: a shared-page channel four times the limit, every page written. */
static void shm_tenant(struct _test_data_memcg *self)
{
	long page = sysconf(_SC_PAGESIZE);
	char *mem;
	size_t size, off;
	int fd, err;

	fd = kipc_shm_open(self->name, KIPC_CREATE_EXCL, 0600, RW, SHM_SIZE);
	if (fd < 0)
		_exit(150);
	mem = kipc_shm_map(fd, PROT_READ | PROT_WRITE, &size, &err);
	if (!mem)
		_exit(151);
	for (off = 0; off < size; off += page) {
		mem[off] = 1;
		__atomic_store_n(self->progress, off / page + 1, __ATOMIC_RELAXED);
	}
	_exit(CHILD_NEVER_STOPPED);
}

TEST_F_TIMEOUT(memcg, shared_pages_stop_at_memory_max, 180)
{
	long long oom_kill, peak, held, after, touched;
	long page = sysconf(_SC_PAGESIZE);
	struct kipc_stat st;
	int status;
	pid_t pid;

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
	pid = fork_tenant(self, shm_tenant);
	ASSERT_LT(0, pid);
	status = reap_within(pid, 150);
	ASSERT_EQ(0, kipc_stat_name(self->ctl, self->name, &st))
		TH_LOG("the tenant made no channel");
	touched = *self->progress * page;
	oom_kill = cg_key(self->dir, "memory.events", "oom_kill");
	peak = cg_read(self->dir, "memory.peak");
	held = cg_read(self->dir, "memory.current");
	TH_LOG("shm tenant stopped by %s (status %d) after %lld of %llu bytes", stop_name(status),
	       status, touched, (unsigned long long)st.shm_size);
	TH_LOG("memory.max %llu, memory.current %lld, memory.peak %lld, oom_kill %lld",
	       MEMCG_LIMIT, held, peak, oom_kill);

	EXPECT_EQ(SHM_SIZE, st.shm_size);
	EXPECT_TRUE(status == 256 + SIGKILL || status == 256 + SIGBUS);
	if (status == 256 + SIGKILL)
		EXPECT_LT(0, oom_kill);
	EXPECT_LE(touched, (long long)MEMCG_LIMIT);
	EXPECT_LE(MEMCG_LIMIT / 4, touched);
	if (peak >= 0)
		EXPECT_LE(peak, (long long)MEMCG_LIMIT);
	/* The pages belong to the channel, not to the dead tenant: still charged. */
	EXPECT_LE(touched / 2, held);

	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name, KIPC_DESTROY_NOW));
	after = wait_current_below(self->dir, MEMCG_SLACK);
	TH_LOG("memory.current after the destroy: %lld", after);
	EXPECT_LE(0, after);
	EXPECT_LE(after, (long long)MEMCG_SLACK);
}

TEST_HARNESS_MAIN
