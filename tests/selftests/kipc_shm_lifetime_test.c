// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: the lifetime of a kipc shared-page channel's memory: mappings outlive the fd,
 * the name and DESTROY_NOW; stat counts them; the memory goes with the last unmap and the
 * last close; auto-destroy takes the name but not the mapping.
 *
 * The memory-accounting checks read /sys/kernel/debug/kipc/state and are left out (with a
 * note) where it cannot be read.
 */
#include "kipc_selftest.h"

/*
 * shm_channels and shm_bytes of /sys/kernel/debug/kipc/state.  Return: false when the file
 * cannot be read (no debugfs, not root) or lacks them.
 */
static bool shm_state(long long *channels, long long *bytes)
{
	char buf[512], *p;
	ssize_t n;
	int fd;

	fd = open(KIPC_STATE, O_RDONLY);
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

KIPC_SHM_FIXTURE(shm, "shm")

TEST_F(shm, mapping_outlives_close_and_destroy)
{
	struct kipc_stat st;
	size_t len;
	pid_t pid;
	char *p;
	int fd;

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
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

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
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

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
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

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
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

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
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

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
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
		TH_LOG("%s cannot be read: the memory accounting was not checked", KIPC_STATE);
	}
}

TEST_F(shm, memory_is_freed_after_the_last_close)
{
	long long c0, b0, c, b;
	int fd, fd2;
	bool have;
	size_t len;
	char *p;

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
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
		TH_LOG("%s cannot be read: the memory accounting was not checked", KIPC_STATE);
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

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
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

TEST_HARNESS_MAIN
