// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: the segment pool (zero-copy hand-off of large buffers over kipc).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kipc_selftest.h"

#define REQUIRE_POOL() REQUIRE_MODULE_FEATURES(KIPC_FEATURE_MQ | KIPC_FEATURE_SHM)

static void pool_name(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, "pool-%s-%d", what, getpid());
}

static void fill(unsigned char *p, size_t len, unsigned int round)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 31 + round);
}

static int check(const unsigned char *p, size_t len, unsigned int round)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (unsigned char)(i * 31 + round))
			return 0;
	return 1;
}

TEST(hand_off_between_processes_in_place)
{
	const unsigned int rounds = 300, nseg = 4;
	const size_t seg = 256 * 1024;
	struct kipc_pool *p;
	unsigned int r, id;
	char name[48];
	int status, err = 0;
	size_t len;
	pid_t pid;

	REQUIRE_POOL();
	pool_name(name, sizeof(name), "handoff");
	ASSERT_EQ(0, kipc_pool_create(name, nseg, seg, 0600, &p));
	ASSERT_EQ(nseg, kipc_pool_segments(p));
	ASSERT_EQ(seg, kipc_pool_segment_size(p));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kipc_pool *c;

		if (kipc_pool_attach(name, &c))
			_exit(1);
		if (kipc_pool_segment_size(c) != seg || kipc_pool_segments(c) != nseg)
			_exit(2);
		for (r = 0; r < rounds; r++) {
			unsigned char *buf = kipc_pool_get(c, &id, 0, KIPC_FOREVER, &err);
			size_t n = (r * 4099) % seg + 1;

			if (!buf)
				_exit(3);
			fill(buf, n, r);
			if (kipc_pool_submit(c, id, n))
				_exit(4);
		}
		kipc_pool_close(c, 0);
		_exit(0);
	}
	for (r = 0; r < rounds; r++) {
		unsigned char *buf = kipc_pool_receive(p, &id, &len, 0, KIPC_FOREVER, &err);

		ASSERT_NE(NULL, buf) TH_LOG("round %u: %s", r, kipc_strerror(err));
		ASSERT_EQ((r * 4099) % seg + 1, len);
		ASSERT_TRUE(check(buf, len, r)) TH_LOG("round %u: data differs", r);
		ASSERT_EQ(0, kipc_pool_release(p, id));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	kipc_pool_close(p, 1);
}

TEST(an_exhausted_pool_gives_eagain_and_refills_on_release)
{
	struct kipc_pool *p;
	unsigned int id[3], extra;
	char name[48];
	int err = 0, i;

	REQUIRE_POOL();
	pool_name(name, sizeof(name), "exhaust");
	ASSERT_EQ(0, kipc_pool_create(name, 3, 4096, 0600, &p));
	for (i = 0; i < 3; i++)
		ASSERT_NE(NULL, kipc_pool_get(p, &id[i], 0, 0, &err));
	EXPECT_EQ(NULL, kipc_pool_get(p, &extra, 0, 0, &err));
	EXPECT_EQ(-EAGAIN, err);
	EXPECT_EQ(NULL, kipc_pool_get(p, &extra, 0, 20 * 1000 * 1000, &err));
	EXPECT_EQ(-ETIMEDOUT, err);
	ASSERT_EQ(0, kipc_pool_release(p, id[1]));
	EXPECT_NE(NULL, kipc_pool_get(p, &extra, 0, 0, &err));
	EXPECT_EQ(id[1], extra);
	kipc_pool_close(p, 1);
}

TEST(segments_map_the_same_pages_in_both_processes)
{
	struct kipc_pool *p, *q;
	unsigned int id, id2;
	unsigned char *a, *b;
	char name[48];
	size_t len;
	int err = 0;

	REQUIRE_POOL();
	pool_name(name, sizeof(name), "same");
	ASSERT_EQ(0, kipc_pool_create(name, 2, 8192, 0600, &p));
	ASSERT_EQ(0, kipc_pool_attach(name, &q));
	a = kipc_pool_get(p, &id, 0, KIPC_FOREVER, &err);
	ASSERT_NE(NULL, a);
	a[100] = 0x5a;
	ASSERT_EQ(0, kipc_pool_submit(p, id, 101));
	b = kipc_pool_receive(q, &id2, &len, 0, KIPC_FOREVER, &err);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(id, id2);
	EXPECT_EQ(101, len);
	EXPECT_EQ(0x5a, b[100]);
	/* Not a copy: a write through one mapping shows through the other at once. */
	b[200] = 0xa5;
	EXPECT_EQ(0xa5, a[200]);
	EXPECT_NE(a, b);
	kipc_pool_close(q, 0);
	kipc_pool_close(p, 1);
}

TEST(bad_arguments)
{
	char name[80], longname[80];
	struct kipc_pool *p, *again;

	REQUIRE_POOL();
	pool_name(name, sizeof(name), "bad");
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	EXPECT_EQ(-EINVAL, kipc_pool_create(name, 0, 4096, 0600, &p));
	EXPECT_EQ(-EINVAL, kipc_pool_create(name, 2, 0, 0600, &p));
	EXPECT_EQ(-ENAMETOOLONG, kipc_pool_create(longname, 2, 4096, 0600, &p));
	/* Room for the name but not for its ".ready" suffix. */
	longname[60] = 0;
	EXPECT_EQ(-ENAMETOOLONG, kipc_pool_create(longname, 2, 4096, 0600, &p));
	EXPECT_EQ(-ENOENT, kipc_pool_attach(name, &p));
	ASSERT_EQ(0, kipc_pool_create(name, 2, 4096, 0600, &p));
	EXPECT_EQ(-EEXIST, kipc_pool_create(name, 2, 4096, 0600, &again));
	EXPECT_EQ(-EINVAL, kipc_pool_submit(p, 2, 1));
	EXPECT_EQ(-EINVAL, kipc_pool_submit(p, 0, 4097));
	EXPECT_EQ(-EINVAL, kipc_pool_release(p, 7));
	kipc_pool_close(p, 1);
	EXPECT_EQ(-ENOENT, kipc_pool_attach(name, &p));
}

/* As another uid (in a child): can it attach to the pool @name?  0 or -errno. */
static int attach_as_nobody(const char *name)
{
	int status, ret;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid) {
		struct kipc_pool *p;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(100);
		ret = kipc_pool_attach(name, &p);
		if (!ret)
			kipc_pool_close(p, 0);
		_exit(-ret);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) == 100)
		return -ECHILD;
	return -WEXITSTATUS(status);
}

/* The pool's mode is every channel's: its queues' too, not only its segments'. */
TEST(the_pool_mode_rules_its_queues_too)
{
	char name[80];
	struct kipc_pool *p;

	REQUIRE_POOL();
	if (geteuid() != 0)
		SKIP(return, "needs root, to attach as another uid");
	pool_name(name, sizeof(name), "mode");
	ASSERT_EQ(0, kipc_pool_create(name, 2, 4096, 0666, &p));
	EXPECT_EQ(0, attach_as_nobody(name));
	kipc_pool_close(p, 1);
	ASSERT_EQ(0, kipc_pool_create(name, 2, 4096, 0600, &p));
	EXPECT_EQ(-EACCES, attach_as_nobody(name));
	kipc_pool_close(p, 1);
}

TEST_HARNESS_MAIN
