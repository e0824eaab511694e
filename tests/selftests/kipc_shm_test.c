// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: kipc shared-page channels (KIPC_TYPE_SHM), the basics: create and its size
 * rules, memory shared between processes, and a futex in it.  The rest of the shared-page
 * tests are by topic in kipc_shm_*_test.c: the rules of mmap, the lifetime of the memory, the
 * doorbell (KIPC_IOC_NOTIFY, KIPC_IOC_WAIT and the struct rules of both), and the doorbell
 * through poll, read and write.
 *
 * Every test skips where /dev/kipc is missing or the module lacks KIPC_FEATURE_SHM; the test
 * that lowers max_shm_size needs root.
 */
#include <limits.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "kipc_selftest.h"

static long futex(uint32_t *word, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, word, op, val, ts, NULL, 0);
}

KIPC_SHM_FIXTURE(shm, "shm")

/* ==== create ================================================================================== */

TEST_F(shm, create_size_0_on_a_new_name_is_enoent)
{
	struct kipc_create c;
	struct kipc_stat st;

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
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

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
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

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
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

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
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

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
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

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
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

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
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

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
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

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
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

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
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

/* ==== a futex in the shared memory ============================================================ */

TEST_F(shm, futex_in_the_mapping_wakes_across_processes)
{
	struct timespec ts = { .tv_sec = 5 };
	uint32_t *word;
	size_t len;
	pid_t pid;
	char *p;
	int fd;

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
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

TEST_HARNESS_MAIN
