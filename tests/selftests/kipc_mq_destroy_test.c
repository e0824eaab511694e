// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: the end of a kipc message queue.  Plain destroy (mq_unlink: the name goes, the
 * attachments go on working), DESTROY_NOW (IPC_RMID: EIDRM for every attachment after), and
 * auto-destroy with the last close.  A waiter woken by DESTROY_NOW is in
 * kipc_mq_block_test.c, poll after it in kipc_mq_poll_test.c.
 */
#include "kipc_selftest.h"

KIPC_MQ_FIXTURE(mq, "mq")

/* ==== destroy ================================================================================= */

TEST_F(mq, destroy_a_missing_name_is_enoent)
{
	REQUIRE_MQ();
	EXPECT_EQ(-ENOENT, kipc_destroy(self->ctl, self->name, 0));
	EXPECT_EQ(-ENOENT, kipc_destroy(self->ctl, self->name, KIPC_DESTROY_NOW));
}

/* Plain destroy is mq_unlink: the name goes, attachments go on working. */
TEST_F(mq, destroy_keeps_attachments_working)
{
	struct kipc_stat st;
	char buf[64];
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, put(fd, "before", 0));
	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name, 0));

	EXPECT_EQ(-ENOENT, kipc_mq_attach(self->name, RW));
	EXPECT_EQ(-ENOENT, kipc_stat_name(self->ctl, self->name, &st));
	EXPECT_EQ(-ENOENT, kipc_destroy(self->ctl, self->name, 0));

	EXPECT_EQ(0, put(fd, "after", 0));
	EXPECT_EQ(6, get(fd, buf, NULL));
	EXPECT_STREQ("before", buf);
	EXPECT_EQ(5, get(fd, buf, NULL));
	EXPECT_STREQ("after", buf);
	ASSERT_EQ(0, kipc_stat_self(fd, &st));
	EXPECT_TRUE(st.state & KIPC_STATE_DESTROYED);
	EXPECT_FALSE(st.state & KIPC_STATE_DEAD);
	close(fd);
}

TEST_F(mq, destroy_frees_the_name_for_a_new_channel)
{
	struct kipc_create c;
	char buf[64];
	int old, new;

	REQUIRE_MQ();
	old = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, old);
	ASSERT_EQ(0, put(old, "old", 0));
	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name, 0));

	create_arg(&c, self->name);
	new = create_fd(&c);
	ASSERT_LE(0, new) TH_LOG("%s", strerror(-new));
	EXPECT_EQ(1, c.created);
	EXPECT_EQ(0, depth_of(new));

	/* Two queues now: what goes into one never comes out of the other. */
	ASSERT_EQ(0, put(new, "new", 0));
	EXPECT_EQ(3, get(old, buf, NULL));
	EXPECT_STREQ("old", buf);
	EXPECT_EQ(-EAGAIN, get(old, buf, NULL));
	EXPECT_EQ(3, get(new, buf, NULL));
	EXPECT_STREQ("new", buf);
	close(old);
	close(new);
}

/*
 * DESTROY_NOW is IPC_RMID: every later call on an old attachment fails with EIDRM, but for
 * STAT_SELF, which is where the fd learns its channel is dead.
 */
TEST_F(mq, destroy_now_gives_eidrm)
{
	struct kipc_stat st;
	char buf[64];
	int fd, r;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	r = kipc_mq_attach(self->name, KIPC_ACCESS_READ);
	ASSERT_LE(0, r);
	ASSERT_EQ(0, put(fd, "queued", 0));
	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name, KIPC_DESTROY_NOW));

	EXPECT_EQ(-EIDRM, put(fd, "x", 0));
	EXPECT_EQ(-EIDRM, get(fd, buf, NULL));
	EXPECT_EQ(-EIDRM, get(r, buf, NULL));
	ASSERT_EQ(0, kipc_stat_self(fd, &st));
	EXPECT_EQ(KIPC_STATE_DEAD | KIPC_STATE_DESTROYED,
		  st.state & (KIPC_STATE_DEAD | KIPC_STATE_DESTROYED));
	EXPECT_EQ(0, st.depth);
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(EIDRM, errno);
	EXPECT_EQ(-1, read(r, buf, sizeof(buf)));
	EXPECT_EQ(EIDRM, errno);
	EXPECT_EQ(-ENOENT, kipc_stat_name(self->ctl, self->name, &st));
	EXPECT_EQ(-ENOENT, kipc_mq_attach(self->name, RW));
	close(fd);
	close(r);
}

/* ==== auto-destroy ============================================================================ */

TEST_F(mq, autodestroy_without_access_is_einval)
{
	struct kipc_create c;
	struct kipc_stat st;

	REQUIRE_MQ();
	create_arg(&c, self->name);
	c.flags |= KIPC_CREATE_AUTODESTROY;
	c.access = 0;
	EXPECT_EQ(-EINVAL, kipc_create(self->ctl, &c));
	EXPECT_EQ(-ENOENT, kipc_stat_name(self->ctl, self->name, &st));
}

TEST_F(mq, autodestroy_goes_with_the_last_close)
{
	struct kipc_create c;
	struct kipc_stat st;
	int fd1, fd2;

	REQUIRE_MQ();
	create_arg(&c, self->name);
	c.flags |= KIPC_CREATE_AUTODESTROY;
	fd1 = create_fd(&c);
	ASSERT_LE(0, fd1) TH_LOG("%s", strerror(-fd1));
	ASSERT_EQ(0, kipc_stat_self(fd1, &st));
	EXPECT_TRUE(st.state & KIPC_STATE_AUTODESTROY);

	fd2 = kipc_mq_attach(self->name, KIPC_ACCESS_READ);
	ASSERT_LE(0, fd2);
	close(fd1);
	ASSERT_EQ(0, kipc_stat_name(self->ctl, self->name, &st));
	EXPECT_EQ(1, st.attachments);
	close(fd2);
	EXPECT_EQ(-ENOENT, kipc_stat_name(self->ctl, self->name, &st));
	EXPECT_EQ(-ENOENT, kipc_mq_attach(self->name, KIPC_ACCESS_READ));
}

TEST_F(mq, autodestroy_goes_when_its_owner_is_killed)
{
	struct kipc_create c;
	struct kipc_stat st;
	int sync[2];
	pid_t pid;

	REQUIRE_MQ();
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		create_arg(&c, self->name);
		c.flags |= KIPC_CREATE_AUTODESTROY;
		CHILD_EXPECT(1, 1, create_fd(&c) >= 0);
		child_ready(sync[1]);
		pause();
		_exit(2);
	}
	ASSERT_TRUE(wait_blocked(sync[0], pid));
	ASSERT_EQ(0, kipc_stat_name(self->ctl, self->name, &st));
	kill(pid, SIGKILL);
	EXPECT_EQ(256 + SIGKILL, reap(pid));
	EXPECT_EQ(-ENOENT, kipc_stat_name(self->ctl, self->name, &st));
}

TEST_HARNESS_MAIN
