// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: who may use a kipc message queue: the mode against other users, the owner's
 * rights, root, IPC namespaces, and the per-user byte budget.  Every test needs root (it
 * changes credentials, namespaces or module parameters) and skips without.  The mq_perm
 * fixture runs its test once for each mode of a channel root made.
 */
#include <grp.h>
#include <sched.h>

#include "kipc_selftest.h"

#define NOBODY		65534
#define OTHER_ID	65533
/* A child that "cannot run here" (e.g. unshare is refused) exits with this. */
#define CHILD_CANNOT	200

/* Give up every privilege: supplementary groups, then gid, then uid (which clears caps). */
static int become(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
		return -errno;
	return 0;
}

/* A channel created by root with @mode, unattached. */
static int root_channel(int ctl, const char *name, unsigned int mode)
{
	struct kipc_create c;

	create_arg(&c, name);
	c.access = 0;
	c.mode = mode;
	return kipc_create(ctl, &c);
}

KIPC_MQ_FIXTURE(mq, "mq")

/* A channel root made with the variant's mode, and what another user's attach gets. */
KIPC_MQ_FIXTURE(mq_perm, "mq")

FIXTURE_VARIANT(mq_perm) {
	unsigned int mode;
	int read, write, rw;	/* 0: it attaches; else the -errno */
};

FIXTURE_VARIANT_ADD(mq_perm, mode_0600) {
	.mode = 0600,
	.read = -EACCES,
	.write = -EACCES,
	.rw = -EACCES,
};

FIXTURE_VARIANT_ADD(mq_perm, mode_0644) {
	.mode = 0644,
	.read = 0,
	.write = -EACCES,
	.rw = -EACCES,
};

FIXTURE_VARIANT_ADD(mq_perm, mode_0666) {
	.mode = 0666,
	.read = 0,
	.write = 0,
	.rw = 0,
};

/* An attach's result as the variants state it: 0 for an fd, else the -errno. */
static int attached(int fd)
{
	return fd < 0 ? fd : 0;
}

/* ==== permissions ============================================================================= */

TEST_F(mq_perm, other_users_get_what_the_mode_allows)
{
	struct kipc_stat st;
	pid_t pid;

	REQUIRE_ROOT();
	ASSERT_EQ(0, root_channel(self->ctl, self->name, variant->mode));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char buf[64];
		int ctl, r, w, fd;

		CHILD_EXPECT(1, 0, become(NOBODY, NOBODY));
		ctl = kipc_open(0);
		CHILD_EXPECT(2, 1, ctl >= 0);
		r = kipc_mq_attach(self->name, KIPC_ACCESS_READ);
		CHILD_EXPECT(3, variant->read, attached(r));
		if (r >= 0)
			CHILD_EXPECT(4, -EAGAIN, get(r, buf, NULL));
		w = kipc_mq_attach(self->name, KIPC_ACCESS_WRITE);
		CHILD_EXPECT(5, variant->write, attached(w));
		fd = kipc_mq_attach(self->name, RW);
		CHILD_EXPECT(6, variant->rw, attached(fd));
		if (fd >= 0) {
			CHILD_EXPECT(7, 0, put(fd, "hi", 0));
			CHILD_EXPECT(8, 2, get(fd, buf, NULL));
		}
		/* Access to the queue is not ownership of it. */
		CHILD_EXPECT(9, -EPERM, kipc_destroy(ctl, self->name, 0));
		CHILD_EXPECT(10, -EPERM, kipc_destroy(ctl, self->name, KIPC_DESTROY_NOW));
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(0, kipc_stat_name(self->ctl, self->name, &st));
}

TEST_F(mq, perm_owner_class_and_destroy_rights)
{
	struct kipc_stat st;
	pid_t pid;

	REQUIRE_ROOT();
	/* nobody creates a 0600 channel and leaves. */
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ctl;

		CHILD_EXPECT(1, 0, become(NOBODY, NOBODY));
		ctl = kipc_open(0);
		CHILD_EXPECT(2, 1, ctl >= 0);
		CHILD_EXPECT(3, 0, root_channel(ctl, self->name, 0600));
		_exit(0);
	}
	ASSERT_EQ(0, reap(pid));
	ASSERT_EQ(0, kipc_stat_name(self->ctl, self->name, &st));
	EXPECT_EQ(NOBODY, st.uid);
	EXPECT_EQ(NOBODY, st.gid);
	EXPECT_EQ(NOBODY, st.cuid);
	EXPECT_EQ(NOBODY, st.cgid);

	/* Another user may neither attach nor destroy. */
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ctl;

		CHILD_EXPECT(1, 0, become(OTHER_ID, OTHER_ID));
		ctl = kipc_open(0);
		CHILD_EXPECT(2, 1, ctl >= 0);
		CHILD_EXPECT(3, -EACCES, kipc_mq_attach(self->name, KIPC_ACCESS_READ));
		CHILD_EXPECT(4, -EPERM, kipc_destroy(ctl, self->name, 0));
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid));

	/* The owner may do both. */
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ctl, fd;

		CHILD_EXPECT(1, 0, become(NOBODY, NOBODY));
		ctl = kipc_open(0);
		CHILD_EXPECT(2, 1, ctl >= 0);
		fd = kipc_mq_attach(self->name, RW);
		CHILD_EXPECT(3, 1, fd >= 0);
		CHILD_EXPECT(4, 0, kipc_destroy(ctl, self->name, 0));
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(-ENOENT, kipc_stat_name(self->ctl, self->name, &st));
}

TEST_F(mq, root_bypasses_the_mode)
{
	int r, w;

	REQUIRE_ROOT();
	ASSERT_EQ(0, root_channel(self->ctl, self->name, 0));
	r = kipc_mq_attach(self->name, KIPC_ACCESS_READ);
	EXPECT_LE(0, r);
	w = kipc_mq_attach(self->name, KIPC_ACCESS_WRITE);
	EXPECT_LE(0, w);
	EXPECT_EQ(0, put(w, "x", 0));
	close(r);
	close(w);
}

/* ==== IPC namespaces ========================================================================== */

TEST_F(mq, ipc_namespace_hides_channels)
{
	struct kipc_list_entry e[4];
	struct kipc_create c;
	unsigned int total;
	int fd, status;
	pid_t pid;

	REQUIRE_ROOT();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, put(fd, "parent", 0));

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ctl, own;

		if (unshare(CLONE_NEWIPC))
			_exit(CHILD_CANNOT);
		/* Fresh fds, opened inside the new namespace. */
		CHILD_EXPECT(1, -ENOENT, kipc_mq_attach(self->name, KIPC_ACCESS_READ));
		ctl = kipc_open(0);
		CHILD_EXPECT(2, 1, ctl >= 0);
		CHILD_EXPECT(3, 0, kipc_list_all(ctl, e, 4, &total));
		CHILD_EXPECT(4, 0, total);
		create_arg(&c, self->name);
		own = create_fd(&c);
		CHILD_EXPECT(5, 1, own >= 0);
		CHILD_EXPECT(6, 1, c.created);
		CHILD_EXPECT(7, 0, depth_of(own));
		CHILD_EXPECT(8, 0, kipc_destroy(ctl, self->name, 0));
		_exit(0);
	}
	status = reap(pid);
	if (status == CHILD_CANNOT)
		SKIP(return, "unshare(CLONE_NEWIPC) is refused here");
	EXPECT_EQ(0, status);
	/* The parent's channel is untouched. */
	EXPECT_EQ(1, depth_of(fd));
	close(fd);
}

/* ==== the per-user byte budget ================================================================ */

TEST_F(mq, user_byte_budget_is_edquot)
{
	static char payload[1024];
	char buf[1024];
	int fd, ret = 0, i;

	REQUIRE_ROOT();
	/* The smallest budget the parameter takes: four such messages at most. */
	ASSERT_EQ(0, set_param("max_user_bytes", 4096));
	fd = q_new(self->name, 16, sizeof(payload), KIPC_OVERFLOW_BLOCK);
	ASSERT_LE(0, fd);
	for (i = 0; i < 8; i++) {
		ret = kipc_send(fd, payload, sizeof(payload), 0, 0, 0);
		if (ret)
			break;
	}
	EXPECT_EQ(-EDQUOT, ret);
	EXPECT_LE(1, i);
	EXPECT_GE(4, i);

	/* Receiving gives the bytes back. */
	ASSERT_EQ(sizeof(buf), kipc_recv(fd, buf, sizeof(buf), NULL, 0, 0));
	EXPECT_EQ(0, kipc_send(fd, payload, sizeof(payload), 0, 0, 0));
	close(fd);
}

TEST_HARNESS_MAIN
