// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: the rules of mmap(2) on a kipc shared-page channel: MAP_SHARED only, within the
 * channel's size, only of an attached shared-page channel, and with no more than the
 * attachment's access allows, now or later by mprotect(2).
 */
#include "kipc_selftest.h"

KIPC_SHM_FIXTURE(shm, "shm")

TEST_F(shm, mmap_private_is_einval)
{
	int fd;

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
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

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
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

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
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

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
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

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
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

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
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

TEST_HARNESS_MAIN
