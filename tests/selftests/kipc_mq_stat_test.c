// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: what kipc tells about its message queues: KIPC_IOC_STAT by name and of an fd's
 * own channel (counters, pids, times, attachments), and KIPC_IOC_LIST (id order, the total,
 * short rooms and the entry size rules).
 */
#include "kipc_selftest.h"

KIPC_MQ_FIXTURE(mq, "mq")

/* ==== stat ==================================================================================== */

TEST_F(mq, stat_of_a_missing_name_is_enoent)
{
	struct kipc_stat st;

	REQUIRE_MQ();
	EXPECT_EQ(-ENOENT, kipc_stat_name(self->ctl, self->name, &st));
}

TEST_F(mq, stat_counts_messages_bytes_pids_and_times)
{
	struct kipc_stat st;
	char buf[64];
	pid_t pid;
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, put(fd, "aa", 1));
	ASSERT_EQ(0, put(fd, "bbb", 2));
	ASSERT_EQ(0, put(fd, "c", 0));

	/* The receive comes from another process, so the two pids differ. */
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_EXPECT(1, 3, get(fd, buf, NULL));
		_exit(0);
	}
	ASSERT_EQ(0, reap(pid));

	ASSERT_EQ(0, kipc_stat_self(fd, &st));
	EXPECT_EQ(3, st.sent);
	EXPECT_EQ(1, st.received);
	EXPECT_EQ(2, st.depth);
	EXPECT_EQ(3, st.bytes);
	EXPECT_EQ(0, st.dropped);
	EXPECT_EQ(getpid(), st.last_send_pid);
	EXPECT_EQ(pid, st.last_recv_pid);
	EXPECT_LE(st.ctime_ns, st.send_time_ns);
	EXPECT_LE(st.send_time_ns, st.recv_time_ns);
	EXPECT_GE(clock_ns(CLOCK_REALTIME) + 1000 * MSEC, st.recv_time_ns);
	close(fd);
}

TEST_F(mq, stat_counts_attachments)
{
	struct kipc_stat st;
	int fd, r, w;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	r = kipc_mq_attach(self->name, KIPC_ACCESS_READ);
	ASSERT_LE(0, r);
	w = kipc_mq_attach(self->name, KIPC_ACCESS_WRITE);
	ASSERT_LE(0, w);
	ASSERT_EQ(0, kipc_stat_name(self->ctl, self->name, &st));
	EXPECT_EQ(3, st.attachments);
	close(r);
	ASSERT_EQ(0, kipc_stat_name(self->ctl, self->name, &st));
	EXPECT_EQ(2, st.attachments);
	close(fd);
	close(w);
}

/* ==== list ==================================================================================== */

TEST_F(mq, list_shows_channels_in_id_order)
{
	struct kipc_list_entry *e;
	struct kipc_stat st1, st2;
	unsigned int total, i, found = 0;
	int fd1, fd2, n;

	REQUIRE_MQ();
	fd1 = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd1);
	fd2 = q_new(self->name2, 0, 0, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, put(fd2, "x", 0));
	ASSERT_EQ(0, kipc_stat_self(fd1, &st1));
	ASSERT_EQ(0, kipc_stat_self(fd2, &st2));

	ASSERT_EQ(0, kipc_list_all(self->ctl, NULL, 0, &total));
	ASSERT_LE(2, total);
	e = calloc(total + 4, sizeof(*e));
	ASSERT_NE(NULL, e);
	n = kipc_list_all(self->ctl, e, total + 4, &total);
	ASSERT_EQ(total, n);
	for (i = 0; i < (unsigned int)n; i++) {
		if (i > 0)
			EXPECT_LT(e[i - 1].id, e[i].id);
		if (!strcmp(e[i].name, self->name)) {
			found |= 1;
			EXPECT_EQ(st1.id, e[i].id);
			EXPECT_EQ(KIPC_TYPE_MQ, e[i].type);
			EXPECT_EQ(0600, e[i].mode);
			EXPECT_EQ(geteuid(), e[i].uid);
			EXPECT_EQ(getegid(), e[i].gid);
			EXPECT_EQ(1, e[i].attachments);
			EXPECT_EQ(0, e[i].depth);
		} else if (!strcmp(e[i].name, self->name2)) {
			found |= 2;
			EXPECT_EQ(st2.id, e[i].id);
			EXPECT_EQ(1, e[i].depth);
		}
	}
	EXPECT_EQ(3, found);
	free(e);
	close(fd1);
	close(fd2);
}

TEST_F(mq, list_with_no_room_reports_the_total)
{
	struct kipc_list l = { .entry_size = sizeof(struct kipc_list_entry) };
	int fd1, fd2;

	REQUIRE_MQ();
	fd1 = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd1);
	fd2 = q_new(self->name2, 0, 0, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, kipc_list(self->ctl, &l));
	EXPECT_EQ(0, l.count);
	EXPECT_LE(2, l.total);
	close(fd1);
	close(fd2);
}

TEST_F(mq, list_with_little_room_fills_it_and_reports_the_total)
{
	struct kipc_list_entry e[2];
	unsigned int total, i;
	unsigned char *p;
	int fd1, fd2;

	REQUIRE_MQ();
	fd1 = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd1);
	fd2 = q_new(self->name2, 0, 0, 0);
	ASSERT_LE(0, fd2);
	memset(e, 0xa5, sizeof(e));
	ASSERT_EQ(1, kipc_list_all(self->ctl, e, 1, &total));
	EXPECT_LE(2, total);
	EXPECT_LT(0, strnlen(e[0].name, KIPC_NAME_MAX));
	EXPECT_GT(KIPC_NAME_MAX, strnlen(e[0].name, KIPC_NAME_MAX));
	/* Nothing written past the room given. */
	p = (unsigned char *)&e[1];
	for (i = 0; i < sizeof(e[1]); i++)
		ASSERT_EQ(0xa5, p[i]);
	close(fd1);
	close(fd2);
}

TEST_F(mq, list_entry_size_rules)
{
	const size_t small = KIPC_LIST_ENTRY_SIZE_VER0;
	const size_t big = sizeof(struct kipc_list_entry) + 8;
	struct kipc_list l;
	unsigned char *buf;
	unsigned int i, total, mine;
	size_t j;
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_list_all(self->ctl, NULL, 0, &total));
	buf = malloc((total + 1) * big + 64);
	ASSERT_NE(NULL, buf);

	memset(&l, 0, sizeof(l));
	l.entries = (__u64)(unsigned long)buf;
	l.count = total;
	l.entry_size = small - 1;
	EXPECT_EQ(-EINVAL, kipc_list(self->ctl, &l));
	l.entry_size = 0;
	EXPECT_EQ(-EINVAL, kipc_list(self->ctl, &l));

	/* An old, short entry: packed at that stride, nothing past count * entry_size. */
	memset(buf, 0xa5, (total + 1) * big + 64);
	l.count = total;
	l.entry_size = small;
	ASSERT_EQ(0, kipc_list(self->ctl, &l));
	ASSERT_EQ(total, l.count);
	/* Other channels may exist (another test's, left behind): this one must be among them. */
	for (i = 0, mine = 0; i < l.count; i++) {
		struct kipc_list_entry *e = (struct kipc_list_entry *)(buf + i * small);

		EXPECT_GT(KIPC_NAME_MAX, strnlen(e->name, KIPC_NAME_MAX));
		EXPECT_TRUE(e->type == KIPC_TYPE_MQ || e->type == KIPC_TYPE_SHM);
		if (!strcmp(e->name, self->name)) {
			mine++;
			EXPECT_EQ(KIPC_TYPE_MQ, e->type);
		}
	}
	EXPECT_EQ(1, mine);
	for (j = l.count * small; j < (total + 1) * big + 64; j++)
		ASSERT_EQ(0xa5, buf[j]) TH_LOG("byte %zu", j);

	/* A newer, longer entry: the part this kernel does not know is zero-filled. */
	memset(buf, 0xa5, (total + 1) * big + 64);
	l.count = total;
	l.entry_size = big;
	ASSERT_EQ(0, kipc_list(self->ctl, &l));
	ASSERT_EQ(total, l.count);
	for (i = 0; i < l.count; i++)
		for (j = sizeof(struct kipc_list_entry); j < big; j++)
			ASSERT_EQ(0, buf[i * big + j]);
	free(buf);
	close(fd);
}

TEST_HARNESS_MAIN
