// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: kipc shared-page channels (KIPC_TYPE_SHM), one behaviour per test: create and
 * its size rules, memory shared between processes, the rules of mmap, the lifetime of the
 * memory (mappings outlive the fd and the name; the memory goes with the last unmap and the
 * last close), auto-destroy, a futex in the shared memory, the doorbell (KIPC_IOC_NOTIFY,
 * KIPC_IOC_WAIT, read/write of 8 bytes, poll/epoll) and the struct rules of its ioctls.
 *
 * Every test skips where /dev/kipc is missing or the module lacks KIPC_FEATURE_SHM; the
 * doorbell tests also skip without KIPC_FEATURE_DOORBELL.  The memory-accounting checks read
 * /sys/kernel/debug/kipc/state and are left out (with a note) where it cannot be read; the
 * test that lowers max_shm_size needs root.
 *
 * Each test works on channels named after itself and its pid, and destroys them on the way
 * out.  Blocking scenarios fork: the child blocks, the parent waits until it sleeps in the
 * kernel and then wakes it.  Children never use the harness's ASSERTs; they exit with the
 * number of the step that went wrong (CHILD_EXPECT) or with an errno the parent checks.
 */
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "kipc_selftest.h"

#define RDWR		(PROT_READ | PROT_WRITE)
#define KIPC_NO_SHM	"the module has no shared-page channels (KIPC_FEATURE_SHM)"
#define STATE_FILE	"/sys/kernel/debug/kipc/state"

static size_t pg;	/* the page size */

/* ---- helpers that need no fixture ---------------------------------------------------------- */

/* A new shared-page channel @name (EXCL, 0600) of @size bytes, attached with @access. */
static int shm_new(const char *name, unsigned int access, __u64 size)
{
	return kipc_shm_open(name, KIPC_CREATE_EXCL, 0600, access, size);
}

/* The raw create of a new shared-page channel: EXCL, 0600, read-write, @size bytes. */
static void shm_create_arg(struct kipc_create *c, const char *name, __u64 size)
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
static int map_errno(int fd, size_t len, int prot, int flags, off_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, len);
	return 0;
}

/* A MAP_SHARED mapping of @len bytes at @off, or NULL. */
static char *map_at(int fd, size_t len, int prot, off_t off)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, off);

	return p == MAP_FAILED ? NULL : p;
}

/* stat.mappings of the channel @name, or -errno. */
static long mappings_of(int ctl, const char *name)
{
	struct kipc_stat st;
	int ret = kipc_stat_name(ctl, name, &st);

	return ret ? ret : (long)st.mappings;
}

/* The doorbell of the channel behind @fd, or -errno. */
static long long doorbell_of(int fd)
{
	struct kipc_stat st;
	int ret = kipc_stat_self(fd, &st);

	return ret ? ret : (long long)st.doorbell;
}

/* Whether all @len bytes at @p are zero. */
static bool all_zero(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * shm_channels and shm_bytes of /sys/kernel/debug/kipc/state.  Return: false when the file
 * cannot be read (no debugfs, not root) or lacks them.
 */
static bool shm_state(long long *channels, long long *bytes)
{
	char buf[512], *p;
	ssize_t n;
	int fd;

	fd = open(STATE_FILE, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strstr(buf, "shm_channels ");
	if (!p || sscanf(p, "shm_channels %lld", channels) != 1)
		return false;
	p = strstr(buf, "shm_bytes ");
	return p && sscanf(p, "shm_bytes %lld", bytes) == 1;
}

static long futex(uint32_t *word, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, word, op, val, ts, NULL, 0);
}

static short revents(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM };

	return poll(&p, 1, 0) < 0 ? -1 : p.revents;
}

#define P_IN	(POLLIN | POLLRDNORM)
#define P_OUT	(POLLOUT | POLLWRNORM)

/* ---- child processes ------------------------------------------------------------------------ */

/* Wait up to 5 s for a byte from the other process on @rfd. */
static bool await_peer(int rfd)
{
	struct pollfd p = { .fd = rfd, .events = POLLIN };
	char c;

	return poll(&p, 1, 5000) == 1 && read(rfd, &c, 1) == 1;
}

/* ---- module parameters ---------------------------------------------------------------------- */

static char saved_param[32], saved_value[32];

/* Set a parameter; the fixture's teardown puts the first one changed back. */
static int set_param(const char *name, unsigned long long v)
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

/* ---- the fixture ---------------------------------------------------------------------------- */

FIXTURE(shm) {
	KIPC_FIXTURE_FIELDS;
};

FIXTURE_SETUP(shm)
{
	pg = sysconf(_SC_PAGESIZE);
	KIPC_SETUP(self->ctl, self->skip);
	ASSERT_EQ(0, kipc_get_info(self->ctl, &self->info));
	if (!(self->info.features & KIPC_FEATURE_SHM)) {
		self->skip = KIPC_NO_SHM;
		SKIP(return, "%s", self->skip);
	}
	test_chan_name(self->name, "shm", 1, _metadata->name);
	test_chan_name(self->name2, "shm", 2, _metadata->name);
	test_chan_name(self->name3, "shm", 3, _metadata->name);
}

FIXTURE_TEARDOWN(shm)
{
	kill_children();
	alarm(0);
	if (saved_param[0])
		write_param_text(saved_param, saved_value);
	KIPC_TEARDOWN(self);
}

#define REQUIRE_SHM()	REQUIRE_KIPC()

#define REQUIRE_DOORBELL() do {							\
	REQUIRE_SHM();								\
	if (!(self->info.features & KIPC_FEATURE_DOORBELL))			\
		SKIP(return, "the module lacks KIPC_FEATURE_DOORBELL");		\
} while (0)

/* ==== create ================================================================================== */

TEST_F(shm, create_size_0_on_a_new_name_is_enoent)
{
	struct kipc_create c;
	struct kipc_stat st;

	REQUIRE_SHM();
	shm_create_arg(&c, self->name, 0);
	EXPECT_EQ(-ENOENT, kipc_create(self->ctl, &c));
	c.flags = 0;
	EXPECT_EQ(-ENOENT, kipc_create(self->ctl, &c));
	EXPECT_EQ(-ENOENT, kipc_shm_open(self->name, 0, 0600, RW, 0));
	/* Nothing was made, and the fd is still free to attach. */
	EXPECT_EQ(-ENOENT, kipc_stat_name(self->ctl, self->name, &st));
	EXPECT_EQ(-ENOTCONN, kipc_stat_self(self->ctl, &st));
}

TEST_F(shm, create_size_above_max_shm_size_is_erange)
{
	struct kipc_create c;
	struct kipc_stat st;

	REQUIRE_SHM();
	ASSERT_LE(pg, self->info.max_shm_size);
	shm_create_arg(&c, self->name, self->info.max_shm_size + 1);
	EXPECT_EQ(-ERANGE, kipc_create(self->ctl, &c));
	shm_create_arg(&c, self->name, ~0ULL);
	EXPECT_EQ(-ERANGE, kipc_create(self->ctl, &c));
	shm_create_arg(&c, self->name, (~0ULL) - pg + 2);	/* would wrap when rounded */
	EXPECT_EQ(-ERANGE, kipc_create(self->ctl, &c));
	EXPECT_EQ(-ENOENT, kipc_stat_name(self->ctl, self->name, &st));
}

TEST_F(shm, create_above_a_lowered_max_shm_size_is_erange)
{
	struct kipc_create c;
	struct kipc_info info;
	int fd;

	REQUIRE_ROOT();
	ASSERT_EQ(0, set_param("max_shm_size", 2 * pg));
	ASSERT_EQ(0, kipc_get_info(self->ctl, &info));
	EXPECT_EQ(2 * pg, info.max_shm_size);

	shm_create_arg(&c, self->name, 2 * pg + 1);
	EXPECT_EQ(-ERANGE, kipc_create(self->ctl, &c));
	fd = shm_new(self->name, RW, 2 * pg);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	close(fd);

	/* A limit that is not a whole number of pages holds after rounding up. */
	ASSERT_EQ(0, set_param("max_shm_size", 2 * pg + 100));
	shm_create_arg(&c, self->name2, 2 * pg + 50);
	EXPECT_EQ(-ERANGE, kipc_create(self->ctl, &c));
	fd = shm_new(self->name2, RW, 2 * pg);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	close(fd);
}

TEST_F(shm, create_queue_attributes_with_shm_are_einval)
{
	struct kipc_create c;

	REQUIRE_SHM();
	shm_create_arg(&c, self->name, pg);
	c.max_msgs = 1;
	EXPECT_EQ(-EINVAL, kipc_create(self->ctl, &c));
	shm_create_arg(&c, self->name, pg);
	c.max_msg_size = 64;
	EXPECT_EQ(-EINVAL, kipc_create(self->ctl, &c));
	shm_create_arg(&c, self->name, pg);
	c.overflow = KIPC_OVERFLOW_FAIL;
	EXPECT_EQ(-EINVAL, kipc_create(self->ctl, &c));
	/* The same when opening an existing one with size 0. */
	shm_create_arg(&c, self->name, 0);
	c.flags = 0;
	c.max_msgs = 1;
	EXPECT_EQ(-EINVAL, kipc_create(self->ctl, &c));
	EXPECT_EQ(-ENOENT, mappings_of(self->ctl, self->name));
}

TEST_F(shm, create_mq_with_shm_size_is_einval)
{
	struct kipc_create c;

	REQUIRE_SHM();
	create_arg(&c, self->name);
	c.shm_size = pg;
	EXPECT_EQ(-EINVAL, kipc_create(self->ctl, &c));
	c.shm_size = 1;
	EXPECT_EQ(-EINVAL, kipc_create(self->ctl, &c));
}

TEST_F(shm, create_rounds_the_size_up_to_pages)
{
	static const struct { __u64 asked, pages; } sizes[] = {
		{ 1, 1 }, { 4096, 1 }, { 4097, 2 }, { 3 * 4096 - 1, 3 },
	};
	struct kipc_stat st;
	char *name[] = { self->name, self->name2, self->name3 };
	unsigned int i;
	size_t len;
	char *p;
	int fd;

	REQUIRE_SHM();
	ASSERT_EQ(4096, pg) TH_LOG("the table assumes 4 KiB pages");
	for (i = 0; i < 3; i++) {
		fd = shm_new(name[i], RW, sizes[i].asked);
		ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
		ASSERT_EQ(0, kipc_stat_self(fd, &st));
		EXPECT_EQ(KIPC_TYPE_SHM, st.type);
		EXPECT_EQ(sizes[i].pages * pg, st.shm_size) TH_LOG("asked %llu", sizes[i].asked);
		EXPECT_EQ(0, st.max_msgs);
		EXPECT_EQ(0, st.max_msg_size);
		EXPECT_EQ(0, st.mappings);
		EXPECT_EQ(0, st.doorbell);
		close(fd);
		ASSERT_EQ(0, kipc_destroy(self->ctl, name[i], 0));
	}
	/* The last one, mapped: the whole rounded size is there. */
	fd = shm_new(self->name, RW, sizes[3].asked);
	ASSERT_LE(0, fd);
	p = kipc_shm_map(fd, RDWR, &len, NULL);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(3 * pg, len);
	p[len - 1] = 'x';
	EXPECT_EQ('x', p[len - 1]);
	munmap(p, len);
	close(fd);
}

TEST_F(shm, create_existing_with_size_0_or_the_same_size_attaches)
{
	struct kipc_create c;
	struct kipc_stat st;
	int fd, fd2, fd3;
	__u32 id;

	REQUIRE_SHM();
	shm_create_arg(&c, self->name, 2 * pg);
	fd = kipc_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_create(fd, &c));
	EXPECT_EQ(1, c.created);
	id = c.id;

	shm_create_arg(&c, self->name, 0);
	c.flags = 0;
	fd2 = kipc_open(0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, kipc_create(fd2, &c));
	EXPECT_EQ(0, c.created);
	EXPECT_EQ(id, c.id);

	/* A size that rounds to the channel's is the same size. */
	shm_create_arg(&c, self->name, 2 * pg - 1);
	c.flags = 0;
	fd3 = kipc_open(0);
	ASSERT_LE(0, fd3);
	ASSERT_EQ(0, kipc_create(fd3, &c));
	EXPECT_EQ(0, c.created);
	EXPECT_EQ(id, c.id);

	ASSERT_EQ(0, kipc_stat_self(fd3, &st));
	EXPECT_EQ(3, st.attachments);
	EXPECT_EQ(2 * pg, st.shm_size);
	close(fd);
	close(fd2);
	close(fd3);
}

TEST_F(shm, create_existing_with_another_size_or_type_is_eexist)
{
	struct kipc_create c;
	int fd;

	REQUIRE_SHM();
	fd = shm_new(self->name, RW, 2 * pg);
	ASSERT_LE(0, fd);
	shm_create_arg(&c, self->name, 3 * pg);
	c.flags = 0;
	EXPECT_EQ(-EEXIST, kipc_create(self->ctl, &c));
	c.shm_size = pg;
	EXPECT_EQ(-EEXIST, kipc_create(self->ctl, &c));
	/* EXCL refuses even the same size. */
	shm_create_arg(&c, self->name, 2 * pg);
	EXPECT_EQ(-EEXIST, kipc_create(self->ctl, &c));
	/* A queue of that name is another type. */
	create_arg(&c, self->name);
	c.flags = 0;
	EXPECT_EQ(-EEXIST, kipc_create(self->ctl, &c));
	EXPECT_EQ(-EEXIST, kipc_shm_open(self->name, 0, 0600, RW, 3 * pg));
	close(fd);
}

/* ==== the memory ============================================================================== */

TEST_F(shm, new_memory_reads_as_zeros)
{
	size_t len;
	char *p;
	int fd;

	REQUIRE_SHM();
	fd = shm_new(self->name, RW, 4 * pg);
	ASSERT_LE(0, fd);
	p = kipc_shm_map(fd, PROT_READ, &len, NULL);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(4 * pg, len);
	EXPECT_TRUE(all_zero(p, len));
	munmap(p, len);

	/* Written, unmapped, mapped again: the data stayed (the memory is the channel's). */
	p = kipc_shm_map(fd, RDWR, &len, NULL);
	ASSERT_NE(NULL, p);
	EXPECT_TRUE(all_zero(p, len));
	strcpy(p + pg, "kept");
	munmap(p, len);
	p = kipc_shm_map(fd, PROT_READ, &len, NULL);
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("kept", p + pg);
	munmap(p, len);
	close(fd);
}

TEST_F(shm, fork_after_open_shares_writes_both_ways)
{
	int to_parent[2], to_child[2], fd, err = 0;
	size_t len;
	pid_t pid;
	char *p;

	REQUIRE_SHM();
	fd = shm_new(self->name, RW, 3 * pg);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(to_parent));
	ASSERT_EQ(0, pipe(to_child));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		size_t clen = 0;
		char *q = kipc_shm_map(fd, RDWR, &clen, NULL);

		CHILD_EXPECT(1, 1, q != NULL);
		CHILD_EXPECT(2, 3 * pg, clen);
		strcpy(q + 2 * pg + 8, "from the child");
		child_ready(to_parent[1]);
		CHILD_EXPECT(3, 1, await_peer(to_child[0]));
		CHILD_EXPECT(4, 0, strcmp(q + 16, "from the parent"));
		_exit(0);
	}
	/* Each process maps for itself, after the fork: nothing is inherited. */
	p = kipc_shm_map(fd, RDWR, &len, &err);
	ASSERT_NE(NULL, p) TH_LOG("%s", strerror(-err));
	ASSERT_TRUE(await_peer(to_parent[0]));
	EXPECT_STREQ("from the child", p + 2 * pg + 8);
	strcpy(p + 16, "from the parent");
	child_ready(to_child[1]);
	EXPECT_EQ(0, reap(pid));
	munmap(p, len);
	close(fd);
}

TEST_F(shm, independent_attaches_share_writes_both_ways)
{
	int to_parent[2], to_child[2], fd, pfd, err = 0;
	size_t len;
	pid_t pid;
	char *p;

	REQUIRE_SHM();
	fd = shm_new(self->name, RW, 3 * pg);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(to_parent));
	ASSERT_EQ(0, pipe(to_child));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		size_t clen = 0;
		int cfd;
		char *q;

		/* The child opens the channel by name (create with size 0). */
		close(fd);
		cfd = kipc_shm_open(self->name, 0, 0, RW, 0);
		CHILD_EXPECT(1, 1, cfd >= 0);
		q = kipc_shm_map(cfd, RDWR, &clen, NULL);
		CHILD_EXPECT(2, 1, q != NULL);
		CHILD_EXPECT(3, 3 * pg, clen);
		strcpy(q + pg, "child wrote this");
		child_ready(to_parent[1]);
		CHILD_EXPECT(4, 1, await_peer(to_child[0]));
		CHILD_EXPECT(5, 0, strcmp(q + 2 * pg + 100, "parent wrote this"));
		_exit(0);
	}
	/* The parent attaches a second fd by name (KIPC_IOC_ATTACH) and maps that one. */
	pfd = attach_new(self->name, RW);
	ASSERT_LE(0, pfd);
	close(fd);
	p = kipc_shm_map(pfd, RDWR, &len, &err);
	ASSERT_NE(NULL, p) TH_LOG("%s", strerror(-err));
	ASSERT_TRUE(await_peer(to_parent[0]));
	EXPECT_STREQ("child wrote this", p + pg);
	strcpy(p + 2 * pg + 100, "parent wrote this");
	child_ready(to_child[1]);
	EXPECT_EQ(0, reap(pid));
	munmap(p, len);
	close(pfd);
}

/* ==== mmap rules ============================================================================== */

TEST_F(shm, mmap_private_is_einval)
{
	int fd;

	REQUIRE_SHM();
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EINVAL, map_errno(fd, pg, PROT_READ, MAP_PRIVATE, 0));
	EXPECT_EQ(EINVAL, map_errno(fd, pg, RDWR, MAP_PRIVATE, 0));
	EXPECT_EQ(0, mappings_of(self->ctl, self->name));
	close(fd);
}

TEST_F(shm, mmap_past_the_end_is_einval)
{
	char *p;
	int fd;

	REQUIRE_SHM();
	fd = shm_new(self->name, RW, 3 * pg);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EINVAL, map_errno(fd, 4 * pg, RDWR, MAP_SHARED, 0));
	EXPECT_EQ(EINVAL, map_errno(fd, pg, RDWR, MAP_SHARED, 3 * pg));
	EXPECT_EQ(EINVAL, map_errno(fd, 2 * pg, RDWR, MAP_SHARED, 2 * pg));
	EXPECT_EQ(EINVAL, map_errno(fd, pg, RDWR, MAP_SHARED, (off_t)1 << 40));
	EXPECT_EQ(0, mappings_of(self->ctl, self->name));

	/* Up to the end works: the last page alone, and a part in the middle. */
	p = map_at(fd, pg, RDWR, 2 * pg);
	ASSERT_NE(NULL, p);
	strcpy(p, "last page");
	EXPECT_EQ(1, mappings_of(self->ctl, self->name));
	munmap(p, pg);
	p = map_at(fd, 2 * pg, PROT_READ, pg);
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("last page", p + pg);
	munmap(p, 2 * pg);
	EXPECT_EQ(0, mappings_of(self->ctl, self->name));
	close(fd);
}

TEST_F(shm, mmap_of_a_queue_is_enodev)
{
	int q;

	REQUIRE_SHM();
	if (!(self->info.features & KIPC_FEATURE_MQ))
		SKIP(return, "the module has no message queues");
	q = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, q);
	EXPECT_EQ(ENODEV, map_errno(q, pg, RDWR, MAP_SHARED, 0));
	EXPECT_EQ(ENODEV, map_errno(q, pg, PROT_READ, MAP_SHARED, 0));
	close(q);
}

TEST_F(shm, mmap_of_an_unattached_fd_is_enotconn)
{
	struct kipc_create c;
	int fd;

	REQUIRE_SHM();
	EXPECT_EQ(ENOTCONN, map_errno(self->ctl, pg, RDWR, MAP_SHARED, 0));
	/* Created without access: the fd stays unattached. */
	shm_create_arg(&c, self->name, pg);
	c.access = 0;
	fd = kipc_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_create(fd, &c));
	EXPECT_EQ(ENOTCONN, map_errno(fd, pg, PROT_READ, MAP_SHARED, 0));
	close(fd);
}

TEST_F(shm, read_only_attachment_maps_read_only)
{
	char *w, *p;
	size_t len;
	int fd, r;

	REQUIRE_SHM();
	fd = shm_new(self->name, RW, 2 * pg);
	ASSERT_LE(0, fd);
	r = attach_new(self->name, KIPC_ACCESS_READ);
	ASSERT_LE(0, r);
	EXPECT_EQ(EACCES, map_errno(r, 2 * pg, RDWR, MAP_SHARED, 0));
	EXPECT_EQ(EACCES, map_errno(r, pg, PROT_WRITE, MAP_SHARED, pg));
	EXPECT_EQ(0, mappings_of(self->ctl, self->name));

	w = kipc_shm_map(fd, RDWR, &len, NULL);
	ASSERT_NE(NULL, w);
	p = map_at(r, 2 * pg, PROT_READ, 0);
	ASSERT_NE(NULL, p);
	strcpy(w + pg, "seen by the reader");
	EXPECT_STREQ("seen by the reader", p + pg);

	/* The mapping can never become writable. */
	EXPECT_EQ(-1, mprotect(p, 2 * pg, RDWR));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect(p + pg, pg, PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(2, mappings_of(self->ctl, self->name));
	munmap(p, 2 * pg);
	munmap(w, len);
	close(r);
	close(fd);
}

TEST_F(shm, write_only_attachment_cannot_map)
{
	int fd, w;

	REQUIRE_SHM();
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	w = attach_new(self->name, KIPC_ACCESS_WRITE);
	ASSERT_LE(0, w);
	EXPECT_EQ(EACCES, map_errno(w, pg, PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(EACCES, map_errno(w, pg, RDWR, MAP_SHARED, 0));
	EXPECT_EQ(EACCES, map_errno(w, pg, PROT_WRITE, MAP_SHARED, 0));
	EXPECT_EQ(0, mappings_of(self->ctl, self->name));
	close(w);
	close(fd);
}

/* ==== lifetime ================================================================================ */

TEST_F(shm, mapping_outlives_close_and_destroy)
{
	struct kipc_stat st;
	size_t len;
	pid_t pid;
	char *p;
	int fd;

	REQUIRE_SHM();
	fd = shm_new(self->name, RW, 3 * pg);
	ASSERT_LE(0, fd);
	p = kipc_shm_map(fd, RDWR, &len, NULL);
	ASSERT_NE(NULL, p);
	strcpy(p, "before");
	close(fd);

	ASSERT_EQ(0, kipc_stat_name(self->ctl, self->name, &st));
	EXPECT_EQ(0, st.attachments);
	EXPECT_EQ(1, st.mappings);
	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name, 0));
	EXPECT_EQ(-ENOENT, kipc_stat_name(self->ctl, self->name, &st));

	/* No fd, no name: the pages are still there, old and new. */
	EXPECT_STREQ("before", p);
	strcpy(p + 2 * pg, "after");
	EXPECT_STREQ("after", p + 2 * pg);

	/* A fork still shares it (the child's copy of the mapping is the same memory). */
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_EXPECT(1, 0, strcmp(p, "before"));
		strcpy(p + pg, "child after destroy");
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid));
	EXPECT_STREQ("child after destroy", p + pg);
	munmap(p, len);
}

/*
 * A mapping's own file answers what shmem's does: msync(MS_SYNC) succeeds and MADV_REMOVE
 * punches the memory out for every mapping (review: the per-mmap file lacked fsync and
 * fallocate, so both failed).
 */
TEST_F(shm, msync_and_madv_remove_work_as_on_shmem)
{
	char *p, *q;
	size_t len;
	int fd;

	REQUIRE_SHM();
	fd = shm_new(self->name, RW, 2 * pg);
	ASSERT_LE(0, fd);
	p = kipc_shm_map(fd, RDWR, &len, NULL);
	ASSERT_NE(NULL, p);
	q = kipc_shm_map(fd, RDWR, NULL, NULL);
	ASSERT_NE(NULL, q);
	strcpy(p, "gone soon");
	strcpy(p + pg, "stays");
	EXPECT_EQ(0, msync(p, len, MS_SYNC));
	ASSERT_EQ(0, madvise(p, pg, MADV_REMOVE)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, q[0]);
	EXPECT_STREQ("stays", q + pg);
	munmap(q, len);
	munmap(p, len);
	close(fd);
}

TEST_F(shm, mapping_outlives_destroy_now)
{
	struct kipc_stat st;
	size_t len;
	char *p;
	int fd;

	REQUIRE_SHM();
	fd = shm_new(self->name, RW, 2 * pg);
	ASSERT_LE(0, fd);
	p = kipc_shm_map(fd, RDWR, &len, NULL);
	ASSERT_NE(NULL, p);
	strcpy(p, "before");
	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name, KIPC_DESTROY_NOW));
	ASSERT_EQ(0, kipc_stat_self(fd, &st));
	EXPECT_TRUE(st.state & KIPC_STATE_DEAD);
	EXPECT_EQ(1, st.mappings);
	/* No new mapping of a dead channel... */
	EXPECT_EQ(EIDRM, map_errno(fd, pg, PROT_READ, MAP_SHARED, 0));
	/* ...but the one there is keeps working, with the fd and after it. */
	EXPECT_STREQ("before", p);
	strcpy(p + pg, "after");
	EXPECT_STREQ("after", p + pg);
	close(fd);
	EXPECT_STREQ("before", p);
	p[len - 1] = 'z';
	EXPECT_EQ('z', p[len - 1]);
	munmap(p, len);
}

TEST_F(shm, stat_mappings_counts_vmas_across_fork)
{
	int go[2], done[2], fd;
	char *a, *b;
	pid_t pid;

	REQUIRE_SHM();
	fd = shm_new(self->name, RW, 2 * pg);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, mappings_of(self->ctl, self->name));
	a = map_at(fd, 2 * pg, RDWR, 0);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(1, mappings_of(self->ctl, self->name));
	b = map_at(fd, pg, PROT_READ, pg);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(2, mappings_of(self->ctl, self->name));

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_EXPECT(1, 1, await_peer(go[0]));
		CHILD_EXPECT(2, 0, munmap(a, 2 * pg));
		child_ready(done[1]);
		CHILD_EXPECT(3, 1, await_peer(go[0]));
		_exit(0);
	}
	/* The child's copies count too. */
	EXPECT_EQ(4, mappings_of(self->ctl, self->name));
	child_ready(go[1]);
	ASSERT_TRUE(await_peer(done[0]));
	EXPECT_EQ(3, mappings_of(self->ctl, self->name));
	munmap(a, 2 * pg);
	EXPECT_EQ(2, mappings_of(self->ctl, self->name));
	child_ready(go[1]);
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(1, mappings_of(self->ctl, self->name));
	munmap(b, pg);
	EXPECT_EQ(0, mappings_of(self->ctl, self->name));
	close(fd);
}

/* "mappings" counts VMAs: a mapping split in three by mprotect is three. */
TEST_F(shm, stat_mappings_counts_each_vma_of_a_split_mapping)
{
	char *p;
	int fd;

	REQUIRE_SHM();
	fd = shm_new(self->name, RW, 3 * pg);
	ASSERT_LE(0, fd);
	p = map_at(fd, 3 * pg, RDWR, 0);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(1, mappings_of(self->ctl, self->name));
	ASSERT_EQ(0, mprotect(p + pg, pg, PROT_READ));
	EXPECT_EQ(3, mappings_of(self->ctl, self->name));
	ASSERT_EQ(0, munmap(p + pg, pg));
	EXPECT_EQ(2, mappings_of(self->ctl, self->name));
	strcpy(p + 2 * pg, "tail");
	ASSERT_EQ(0, munmap(p, 3 * pg));
	EXPECT_EQ(0, mappings_of(self->ctl, self->name));
	p = map_at(fd, pg, PROT_READ, 2 * pg);
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("tail", p);
	munmap(p, pg);
	close(fd);
}

TEST_F(shm, memory_is_freed_after_the_last_unmap)
{
	long long c0, b0, c, b;
	bool have;
	size_t len;
	char *p;
	int fd;

	REQUIRE_SHM();
	have = shm_state(&c0, &b0);
	fd = shm_new(self->name, RW, 3 * pg + 1);
	ASSERT_LE(0, fd);
	if (have) {
		ASSERT_TRUE(shm_state(&c, &b));
		EXPECT_EQ(c0 + 1, c);
		EXPECT_EQ(b0 + 4 * (long long)pg, b);
	}
	p = kipc_shm_map(fd, RDWR, &len, NULL);
	ASSERT_NE(NULL, p);
	memset(p, 0x5a, len);
	close(fd);
	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name, 0));
	/* No fd, no name, one mapping: still there. */
	if (have) {
		ASSERT_TRUE(shm_state(&c, &b));
		EXPECT_EQ(c0 + 1, c);
		EXPECT_EQ(b0 + 4 * (long long)pg, b);
	}
	EXPECT_EQ(0x5a, p[len - 1]);
	munmap(p, len);
	if (have) {
		ASSERT_TRUE(shm_state(&c, &b));
		EXPECT_EQ(c0, c);
		EXPECT_EQ(b0, b);
	} else {
		TH_LOG("%s cannot be read: the memory accounting was not checked", STATE_FILE);
	}
}

TEST_F(shm, memory_is_freed_after_the_last_close)
{
	long long c0, b0, c, b;
	int fd, fd2;
	bool have;
	size_t len;
	char *p;

	REQUIRE_SHM();
	have = shm_state(&c0, &b0);
	fd = shm_new(self->name, RW, 2 * pg);
	ASSERT_LE(0, fd);
	fd2 = attach_new(self->name, KIPC_ACCESS_READ);
	ASSERT_LE(0, fd2);
	p = kipc_shm_map(fd, RDWR, &len, NULL);
	ASSERT_NE(NULL, p);
	memset(p, 1, len);
	munmap(p, len);
	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name, 0));
	close(fd);
	/* No mapping, no name, one fd: still there. */
	if (have) {
		ASSERT_TRUE(shm_state(&c, &b));
		EXPECT_EQ(c0 + 1, c);
		EXPECT_EQ(b0 + 2 * (long long)pg, b);
	}
	p = kipc_shm_map(fd2, PROT_READ, &len, NULL);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(1, p[len - 1]);
	munmap(p, len);
	close(fd2);
	if (have) {
		ASSERT_TRUE(shm_state(&c, &b));
		EXPECT_EQ(c0, c);
		EXPECT_EQ(b0, b);
	} else {
		TH_LOG("%s cannot be read: the memory accounting was not checked", STATE_FILE);
	}
}

TEST_F(shm, autodestroy_removes_the_name_but_not_the_mapping)
{
	long long c0, b0, c, b;
	struct kipc_stat st;
	size_t len, len2;
	int fd, r;
	bool have;
	char *p, *q;

	REQUIRE_SHM();
	have = shm_state(&c0, &b0);
	fd = kipc_shm_open(self->name, KIPC_CREATE_EXCL | KIPC_CREATE_AUTODESTROY, 0600, RW, pg);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	ASSERT_EQ(0, kipc_stat_self(fd, &st));
	EXPECT_EQ(KIPC_STATE_AUTODESTROY, st.state);
	p = kipc_shm_map(fd, RDWR, &len, NULL);
	ASSERT_NE(NULL, p);
	strcpy(p, "auto");
	r = attach_new(self->name, KIPC_ACCESS_READ);
	ASSERT_LE(0, r);
	close(fd);
	/* One attachment left: the name stays. */
	EXPECT_EQ(0, kipc_stat_name(self->ctl, self->name, &st));
	close(r);

	/* The last fd is gone: so is the name, although a mapping remains. */
	EXPECT_EQ(-ENOENT, attach_new(self->name, RW));
	EXPECT_EQ(-ENOENT, kipc_shm_open(self->name, 0, 0600, RW, 0));
	EXPECT_EQ(-ENOENT, kipc_stat_name(self->ctl, self->name, &st));
	EXPECT_STREQ("auto", p);
	strcpy(p + 8, "still");
	EXPECT_STREQ("still", p + 8);
	if (have) {
		ASSERT_TRUE(shm_state(&c, &b));
		EXPECT_EQ(c0 + 1, c);
	}

	/* The name can be taken again, by a new channel with new memory. */
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	q = kipc_shm_map(fd, PROT_READ, &len2, NULL);
	ASSERT_NE(NULL, q);
	EXPECT_TRUE(all_zero(q, len2));
	munmap(q, len2);
	close(fd);
	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name, 0));
	munmap(p, len);
	if (have) {
		ASSERT_TRUE(shm_state(&c, &b));
		EXPECT_EQ(c0, c);
		EXPECT_EQ(b0, b);
	}
}

/* ==== a futex in the shared memory ============================================================ */

TEST_F(shm, futex_in_the_mapping_wakes_across_processes)
{
	struct timespec ts = { .tv_sec = 5 };
	uint32_t *word;
	size_t len;
	pid_t pid;
	char *p;
	int fd;

	REQUIRE_SHM();
	fd = shm_new(self->name, RW, 2 * pg);
	ASSERT_LE(0, fd);
	p = kipc_shm_map(fd, RDWR, &len, NULL);
	ASSERT_NE(NULL, p);
	word = (uint32_t *)(p + pg + 64);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		pid_t parent = getppid();
		uint32_t *w;
		size_t clen;
		long woken;
		int cfd, i;
		char *q;

		/* A mapping of the child's own: the futex key is the page, not the address. */
		cfd = attach_new(self->name, RW);
		CHILD_EXPECT(1, 1, cfd >= 0);
		q = kipc_shm_map(cfd, RDWR, &clen, NULL);
		CHILD_EXPECT(2, 1, q != NULL);
		w = (uint32_t *)(q + pg + 64);
		for (i = 0; i < 500 && proc_state(parent) != 'S'; i++)
			usleep(10000);
		usleep(20000);
		__atomic_store_n(w, 42, __ATOMIC_SEQ_CST);
		woken = futex(w, FUTEX_WAKE, INT_MAX, NULL);
		CHILD_EXPECT(3, 1, woken);
		_exit(0);
	}
	while (__atomic_load_n(word, __ATOMIC_SEQ_CST) == 0) {
		long ret = futex(word, FUTEX_WAIT, 0, &ts);

		if (ret < 0 && errno != EAGAIN && errno != EINTR) {
			EXPECT_EQ(0, errno) TH_LOG("FUTEX_WAIT: %s", strerror(errno));
			break;
		}
	}
	EXPECT_EQ(42, __atomic_load_n(word, __ATOMIC_SEQ_CST));
	EXPECT_EQ(0, reap(pid));
	munmap(p, len);
	close(fd);
}

/* ==== the doorbell ============================================================================ */

TEST_F(shm, notify_returns_an_increasing_seq)
{
	__u64 seq = 0, i;
	int fd, w;

	REQUIRE_DOORBELL();
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, doorbell_of(fd));
	for (i = 1; i <= 5; i++) {
		ASSERT_EQ(0, kipc_notify(fd, &seq));
		EXPECT_EQ(i, seq);
	}
	EXPECT_EQ(5, doorbell_of(fd));
	/* One sequence per channel: another fd rings the same bell. */
	w = attach_new(self->name, KIPC_ACCESS_WRITE);
	ASSERT_LE(0, w);
	ASSERT_EQ(0, kipc_notify(w, &seq));
	EXPECT_EQ(6, seq);
	close(w);
	close(fd);
}

TEST_F(shm, wait_returns_at_once_when_seq_differs)
{
	__u64 now = 0, t0;
	int fd;

	REQUIRE_DOORBELL();
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_notify(fd, NULL));
	ASSERT_EQ(0, kipc_notify(fd, NULL));
	arm_guard(3);
	t0 = clock_ns(CLOCK_MONOTONIC);
	EXPECT_EQ(0, kipc_wait(fd, 0, 0, 0, &now));
	EXPECT_EQ(2, now);
	now = 0;
	EXPECT_EQ(0, kipc_wait(fd, 1, 0, 0, &now));
	EXPECT_EQ(2, now);
	/* A seq from the future is just as different. */
	now = 0;
	EXPECT_EQ(0, kipc_wait(fd, 1000, 0, 0, &now));
	EXPECT_EQ(2, now);
	EXPECT_GT(1000 * MSEC, clock_ns(CLOCK_MONOTONIC) - t0);
	alarm(0);
	close(fd);
}

TEST_F(shm, wait_for_the_current_seq_nonblock_is_eagain)
{
	__u64 now = 77;
	int fd;

	REQUIRE_DOORBELL();
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	arm_guard(3);
	EXPECT_EQ(-EAGAIN, kipc_wait(fd, 0, NB, 0, &now));
	ASSERT_EQ(0, kipc_notify(fd, NULL));
	EXPECT_EQ(-EAGAIN, kipc_wait(fd, 1, NB, 0, &now));
	EXPECT_EQ(77, now);
	EXPECT_EQ(-EAGAIN, kipc_wait(fd, 1, NB | KIPC_MSG_TIMEOUT, 1000 * MSEC, NULL));
	alarm(0);
	close(fd);
}

TEST_F(shm, wait_timeout_is_etimedout_after_the_wait)
{
	__u64 t0, waited;
	int fd;

	REQUIRE_DOORBELL();
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_notify(fd, NULL));
	t0 = clock_ns(CLOCK_MONOTONIC);
	EXPECT_EQ(-ETIMEDOUT, kipc_wait(fd, 1, KIPC_MSG_TIMEOUT, 50 * MSEC, NULL));
	waited = clock_ns(CLOCK_MONOTONIC) - t0;
	EXPECT_LE(50 * MSEC - SLACK_NS, waited);
	EXPECT_GT(5000 * MSEC, waited);
	/* A timeout of 0 is a poll. */
	arm_guard(3);
	EXPECT_EQ(-ETIMEDOUT, kipc_wait(fd, 1, KIPC_MSG_TIMEOUT, 0, NULL));
	alarm(0);
	EXPECT_EQ(1, doorbell_of(fd));
	close(fd);
}

TEST_F(shm, wait_is_woken_by_a_notify_from_another_process)
{
	int sync[2], fd;
	__u64 seq;
	pid_t pid;

	REQUIRE_DOORBELL();
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u64 now = 0;
		int r;

		r = attach_new(self->name, KIPC_ACCESS_READ);
		CHILD_EXPECT(1, 1, r >= 0);
		child_ready(sync[1]);
		CHILD_EXPECT(2, 0, kipc_wait(r, 0, 0, 0, &now));
		CHILD_EXPECT(3, 1, now);
		_exit(0);
	}
	ASSERT_TRUE(wait_blocked(sync[0], pid));
	EXPECT_TRUE(child_running(pid));
	ASSERT_EQ(0, kipc_notify(fd, &seq));
	EXPECT_EQ(1, seq);
	EXPECT_EQ(0, reap(pid));
	close(fd);
}

TEST_F(shm, signal_interrupts_a_wait_with_eintr)
{
	int sync[2], fd;
	pid_t pid;

	REQUIRE_DOORBELL();
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_EXPECT(90, 0, catch_signal(SIGUSR1, 0));
		child_ready(sync[1]);
		_exit(errno_exit(kipc_wait(fd, 0, 0, 0, NULL)));
	}
	ASSERT_TRUE(wait_blocked(sync[0], pid));
	kill(pid, SIGUSR1);
	EXPECT_EQ(EINTR, reap(pid));
	EXPECT_EQ(0, doorbell_of(fd));
	close(fd);
}

TEST_F(shm, notify_needs_write_access_and_wait_needs_read_access)
{
	__u64 seq = 0, now = 0, v = 1;
	int fd, r, w;

	REQUIRE_DOORBELL();
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	r = attach_new(self->name, KIPC_ACCESS_READ);
	ASSERT_LE(0, r);
	w = attach_new(self->name, KIPC_ACCESS_WRITE);
	ASSERT_LE(0, w);
	arm_guard(3);

	EXPECT_EQ(-EBADF, kipc_notify(r, &seq));
	EXPECT_EQ(-1, write(r, &v, sizeof(v)));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-EBADF, kipc_wait(w, 0, NB, 0, &now));
	EXPECT_EQ(-EBADF, kipc_wait(w, 5, 0, 0, &now));
	EXPECT_EQ(-1, read(w, &v, sizeof(v)));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(0, doorbell_of(fd));

	ASSERT_EQ(0, kipc_notify(w, &seq));
	EXPECT_EQ(1, seq);
	EXPECT_EQ(0, kipc_wait(r, 0, 0, 0, &now));
	EXPECT_EQ(1, now);
	alarm(0);
	close(r);
	close(w);
	close(fd);
}

TEST_F(shm, notify_and_wait_on_a_queue_are_ebadf)
{
	__u64 v = 1;
	int q;

	REQUIRE_DOORBELL();
	if (!(self->info.features & KIPC_FEATURE_MQ))
		SKIP(return, "the module has no message queues");
	q = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, q);
	arm_guard(3);
	EXPECT_EQ(-EBADF, kipc_notify(q, NULL));
	EXPECT_EQ(-EBADF, kipc_wait(q, 0, NB, 0, NULL));
	EXPECT_EQ(-EBADF, kipc_wait(q, 0, 0, 0, NULL));
	alarm(0);
	/* write(2) of 8 bytes on a queue is still a message, not a ring. */
	EXPECT_EQ(8, write(q, &v, sizeof(v)));
	EXPECT_EQ(1, depth_of(q));
	close(q);
}

TEST_F(shm, notify_and_wait_unattached_are_enotconn)
{
	REQUIRE_DOORBELL();
	arm_guard(3);
	EXPECT_EQ(-ENOTCONN, kipc_notify(self->ctl, NULL));
	EXPECT_EQ(-ENOTCONN, kipc_wait(self->ctl, 0, 0, 0, NULL));
	alarm(0);
}

TEST_F(shm, destroy_now_wakes_a_waiter_with_eidrm)
{
	int sync[2], fd;
	pid_t pid;

	REQUIRE_DOORBELL();
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		child_ready(sync[1]);
		_exit(errno_exit(kipc_wait(fd, 0, 0, 0, NULL)));
	}
	ASSERT_TRUE(wait_blocked(sync[0], pid));
	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name, KIPC_DESTROY_NOW));
	EXPECT_EQ(EIDRM, reap(pid));
	/* And every later ring or wait. */
	arm_guard(3);
	EXPECT_EQ(-EIDRM, kipc_notify(fd, NULL));
	EXPECT_EQ(-EIDRM, kipc_wait(fd, 0, 0, 0, NULL));
	EXPECT_EQ(-EIDRM, kipc_wait(fd, 7, NB, 0, NULL));
	alarm(0);
	close(fd);
}

TEST_F(shm, stat_counts_notifies_and_waits)
{
	struct kipc_stat st;
	__u64 v = 0;
	int fd, r;

	REQUIRE_DOORBELL();
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	r = attach_new(self->name, KIPC_ACCESS_READ);
	ASSERT_LE(0, r);
	arm_guard(3);
	ASSERT_EQ(0, kipc_notify(fd, NULL));
	ASSERT_EQ(0, kipc_notify(fd, NULL));
	ASSERT_EQ(8, write(fd, &v, sizeof(v)));
	ASSERT_EQ(0, kipc_wait(r, 0, 0, 0, NULL));
	ASSERT_EQ(0, kipc_notify(fd, NULL));
	ASSERT_EQ(8, read(r, &v, sizeof(v)));
	EXPECT_EQ(4, v);
	/* Calls that fail count for nothing. */
	EXPECT_EQ(-EAGAIN, kipc_wait(r, 4, NB, 0, NULL));
	EXPECT_EQ(-EBADF, kipc_notify(r, NULL));
	alarm(0);
	ASSERT_EQ(0, kipc_stat_name(self->ctl, self->name, &st));
	EXPECT_EQ(4, st.notifies);
	EXPECT_EQ(2, st.waits);
	EXPECT_EQ(4, st.doorbell);
	EXPECT_EQ(0, st.sent);
	EXPECT_EQ(0, st.received);
	close(r);
	close(fd);
}

/* ==== poll, read and write ===================================================================== */

TEST_F(shm, poll_in_until_consumed_by_wait)
{
	int fd, r;

	REQUIRE_DOORBELL();
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
	ASSERT_EQ(0, kipc_wait(r, 0, NB, 0, NULL));
	EXPECT_EQ(0, revents(r));
	EXPECT_EQ(P_IN | P_OUT, revents(fd));
	ASSERT_EQ(0, kipc_wait(fd, 0, NB, 0, NULL));
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

	REQUIRE_DOORBELL();
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

	REQUIRE_DOORBELL();
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

	REQUIRE_DOORBELL();
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

	REQUIRE_DOORBELL();
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
	ASSERT_EQ(0, kipc_wait(r, 0, NB, 0, NULL));
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

	REQUIRE_DOORBELL();
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

TEST_F(shm, read_returns_the_seq_and_blocks_until_rung)
{
	int sync[2], fd, r;
	__u64 v = 0;
	pid_t pid;

	REQUIRE_DOORBELL();
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

	REQUIRE_DOORBELL();
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	r = attach_new(self->name, KIPC_ACCESS_READ);
	ASSERT_LE(0, r);
	ASSERT_EQ(0, fcntl(r, F_SETFL, fcntl(r, F_GETFL) | O_NONBLOCK));
	arm_guard(3);
	EXPECT_EQ(-1, read(r, &v, sizeof(v)));
	EXPECT_EQ(EAGAIN, errno);
	/* The ioctl waits the same way on such an fd. */
	EXPECT_EQ(-EAGAIN, kipc_wait(r, 0, 0, 0, NULL));
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

	REQUIRE_DOORBELL();
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

	REQUIRE_DOORBELL();
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

/* ==== the ioctl structs ======================================================================== */

TEST_F(shm, notify_struct_size_rules)
{
	union {
		struct kipc_notify n;
		unsigned char b[sizeof(struct kipc_notify) + 8];
	} u;
	int fd;

	REQUIRE_DOORBELL();
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);

	memset(&u, 0, sizeof(u));
	u.n.size = KIPC_NOTIFY_SIZE_VER0 - 1;
	EXPECT_EQ(EINVAL, raw_ioctl(fd, KIPC_IOC_NOTIFY, &u));
	u.n.size = 0;
	EXPECT_EQ(EINVAL, raw_ioctl(fd, KIPC_IOC_NOTIFY, &u));

	memset(&u, 0, sizeof(u));
	u.n.size = sizeof(u.n) + 1;
	u.b[sizeof(u.n)] = 1;
	EXPECT_EQ(E2BIG, raw_ioctl(fd, KIPC_IOC_NOTIFY, &u));
	EXPECT_EQ(0, doorbell_of(fd));

	u.b[sizeof(u.n)] = 0;
	EXPECT_EQ(0, raw_ioctl(fd, KIPC_IOC_NOTIFY, &u));
	EXPECT_EQ(1, u.n.seq);
	EXPECT_EQ(sizeof(u.n) + 1, u.n.size);
	EXPECT_EQ(0, u.b[sizeof(u.n)]);

	/* Exactly the required fields. */
	memset(&u, 0, sizeof(u));
	u.n.size = KIPC_NOTIFY_SIZE_VER0;
	EXPECT_EQ(0, raw_ioctl(fd, KIPC_IOC_NOTIFY, &u));
	EXPECT_EQ(2, u.n.seq);
	EXPECT_EQ(2, doorbell_of(fd));
	close(fd);
}

TEST_F(shm, wait_struct_size_rules)
{
	union {
		struct kipc_wait w;
		unsigned char b[sizeof(struct kipc_wait) + 8];
	} u;
	int fd;

	REQUIRE_DOORBELL();
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_notify(fd, NULL));
	arm_guard(3);

	/* seq 0 differs from the doorbell (1): a call that gets through returns at once. */
	memset(&u, 0, sizeof(u));
	u.w.size = KIPC_WAIT_SIZE_VER0 - 1;
	EXPECT_EQ(EINVAL, raw_ioctl(fd, KIPC_IOC_WAIT, &u));
	u.w.size = offsetofend(struct kipc_wait, timeout_ns);
	EXPECT_EQ(EINVAL, raw_ioctl(fd, KIPC_IOC_WAIT, &u));

	memset(&u, 0, sizeof(u));
	u.w.size = sizeof(u.w) + 1;
	u.b[sizeof(u.w)] = 1;
	EXPECT_EQ(E2BIG, raw_ioctl(fd, KIPC_IOC_WAIT, &u));
	EXPECT_EQ(0, u.w.observed);

	u.b[sizeof(u.w)] = 0;
	EXPECT_EQ(0, raw_ioctl(fd, KIPC_IOC_WAIT, &u));
	EXPECT_EQ(1, u.w.observed);
	EXPECT_EQ(sizeof(u.w) + 1, u.w.size);
	EXPECT_EQ(0, u.b[sizeof(u.w)]);

	memset(&u, 0, sizeof(u));
	u.w.size = KIPC_WAIT_SIZE_VER0;
	EXPECT_EQ(0, raw_ioctl(fd, KIPC_IOC_WAIT, &u));
	EXPECT_EQ(1, u.w.observed);
	alarm(0);
	close(fd);
}

TEST_F(shm, notify_and_wait_unknown_flags_are_eopnotsupp)
{
	static const __u32 notify_bad[] = { 0x1, 0x2, 0x80000000u };
	static const __u32 wait_bad[] = { 0x8, 0x80000000u, KIPC_MSG_NONBLOCK | 0x100 };
	struct kipc_notify n;
	struct kipc_wait w;
	unsigned int i;
	int fd;

	REQUIRE_DOORBELL();
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	arm_guard(3);
	for (i = 0; i < sizeof(notify_bad) / sizeof(notify_bad[0]); i++) {
		memset(&n, 0, sizeof(n));
		n.size = sizeof(n);
		n.flags = notify_bad[i];
		EXPECT_EQ(EOPNOTSUPP, raw_ioctl(fd, KIPC_IOC_NOTIFY, &n)) TH_LOG("%#x", n.flags);
	}
	EXPECT_EQ(0, doorbell_of(fd));
	/* seq 0 is the doorbell now: a wait that got through would block (the guard ends it). */
	for (i = 0; i < sizeof(wait_bad) / sizeof(wait_bad[0]); i++) {
		memset(&w, 0, sizeof(w));
		w.size = sizeof(w);
		w.flags = wait_bad[i];
		EXPECT_EQ(EOPNOTSUPP, raw_ioctl(fd, KIPC_IOC_WAIT, &w)) TH_LOG("%#x", w.flags);
	}
	alarm(0);
	close(fd);
}

TEST_F(shm, notify_and_wait_null_arg_is_efault)
{
	int fd;

	REQUIRE_DOORBELL();
	fd = shm_new(self->name, RW, pg);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EFAULT, raw_ioctl(fd, KIPC_IOC_NOTIFY, NULL));
	EXPECT_EQ(EFAULT, raw_ioctl(fd, KIPC_IOC_WAIT, NULL));
	EXPECT_EQ(0, doorbell_of(fd));
	close(fd);
}

TEST_HARNESS_MAIN
