// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: kipc message queues side by side with POSIX message queues (mq_open) and SysV
 * message queues (msgget).  Each test runs one scenario against all of them and asserts what
 * they share; a comment marks each place where kipc deliberately differs:
 *
 *  - order: kipc and POSIX serve the highest priority first, FIFO within one; SysV is FIFO
 *    and selects by mtype (msgtyp < 0 takes the lowest type first).
 *  - full and empty: EAGAIN everywhere when full; on an empty queue SysV says ENOMSG.
 *    SysV counts "full" in bytes (msg_qbytes), kipc and POSIX in messages.
 *  - timeouts: kipc takes a relative CLOCK_MONOTONIC timeout_ns, POSIX an absolute
 *    CLOCK_REALTIME deadline; SysV has no timed receive.
 *  - sizes: an oversized send is EMSGSIZE for kipc and POSIX, EINVAL (> msgmax) for SysV.
 *    A receive with too little room is EMSGSIZE for kipc only when the message does not fit;
 *    POSIX refuses any buffer smaller than mq_msgsize; SysV says E2BIG, or truncates with
 *    MSG_NOERROR (kipc has no truncation).
 *  - removal: kipc's plain destroy is mq_unlink; KIPC_DESTROY_NOW is IPC_RMID (waiters wake
 *    with EIDRM), except that later calls on a kipc attachment keep failing with EIDRM where
 *    SysV, whose id is gone, says EINVAL.
 *
 * Skips where /dev/kipc is missing or the module has no message queues.
 */
#include <mqueue.h>
#include <stdlib.h>
#include <sys/msg.h>

#include "kipc_selftest.h"

#define WAIT_NS		(200 * MSEC)

/* POSIX queues small enough for the default /proc/sys/fs/mqueue limits. */
#define PMQ_MAXMSG	4
#define PMQ_MSGSIZE	64

struct sysv_msg {
	long mtype;
	char mtext[128];
};

/* ---- helpers -------------------------------------------------------------------------------- */

/* An absolute CLOCK_REALTIME deadline @ns from now, as POSIX mq wants it. */
static struct timespec deadline_in(__u64 ns)
{
	__u64 t = clock_ns(CLOCK_REALTIME) + ns;
	struct timespec ts = { .tv_sec = t / 1000000000ULL, .tv_nsec = t % 1000000000ULL };

	return ts;
}

static long pmq_depth(mqd_t mq)
{
	struct mq_attr a;

	return mq_getattr(mq, &a) ? -errno : a.mq_curmsgs;
}

static long sysv_depth(int id)
{
	struct msqid_ds ds;

	return msgctl(id, IPC_STAT, &ds) ? -errno : (long)ds.msg_qnum;
}

static int sysv_put(int id, long type, const char *s, int flags)
{
	struct sysv_msg m = { .mtype = type };

	memcpy(m.mtext, s, strlen(s));
	return msgsnd(id, &m, strlen(s), flags) ? -errno : 0;
}

/* Receive (msgtyp @type, @flags | IPC_NOWAIT) into @buf.  Return: length or -errno. */
static long sysv_get(int id, long type, char buf[64], long *mtype, int flags)
{
	struct sysv_msg m;
	ssize_t n;

	n = msgrcv(id, &m, 63, type, flags | IPC_NOWAIT);
	if (n < 0)
		return -errno;
	memcpy(buf, m.mtext, n);
	buf[n] = '\0';
	if (mtype)
		*mtype = m.mtype;
	return n;
}

/* ---- the fixture ---------------------------------------------------------------------------- */

FIXTURE(nat) {
	KIPC_FIXTURE_FIELDS;		/* name is the kipc queue */
	char pname[64];			/* the POSIX queue */
	mqd_t mq;
	int msqid;			/* the SysV queue */
};

FIXTURE_SETUP(nat)
{
	self->mq = (mqd_t)-1;
	self->msqid = -1;
	snprintf(self->pname, sizeof(self->pname), "/kipc-nat.%d", getpid());
	KIPC_SETUP_MQ(self, "nat");
}

FIXTURE_TEARDOWN(nat)
{
	kill_children();
	if (self->mq != (mqd_t)-1)
		mq_close(self->mq);
	mq_unlink(self->pname);
	if (self->msqid >= 0)
		msgctl(self->msqid, IPC_RMID, NULL);
	KIPC_TEARDOWN(self);
}

/* The POSIX queue of this test, O_RDWR | @oflag.  Return: 0 or -errno. */
static int pmq_new(FIXTURE_DATA(nat) *self, int oflag)
{
	struct mq_attr attr = { .mq_maxmsg = PMQ_MAXMSG, .mq_msgsize = PMQ_MSGSIZE };

	self->mq = mq_open(self->pname, O_RDWR | O_CREAT | O_EXCL | oflag, 0600, &attr);
	return self->mq == (mqd_t)-1 ? -errno : 0;
}

/* The SysV queue of this test; @qbytes != 0 lowers its byte limit.  Return: 0 or -errno. */
static int sysv_new(FIXTURE_DATA(nat) *self, unsigned long qbytes)
{
	struct msqid_ds ds;

	self->msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (self->msqid < 0)
		return -errno;
	if (qbytes) {
		if (msgctl(self->msqid, IPC_STAT, &ds))
			return -errno;
		ds.msg_qbytes = qbytes;
		if (msgctl(self->msqid, IPC_SET, &ds))
			return -errno;
	}
	return 0;
}

#define OPEN_POSIX(oflag) do {							\
	int __r = pmq_new(self, oflag);						\
	if (__r == -ENOSYS)							\
		SKIP(return, "no POSIX message queues in this kernel");		\
	ASSERT_EQ(0, __r) TH_LOG("mq_open: %s", strerror(-__r));		\
} while (0)

#define OPEN_SYSV(qbytes) do {							\
	int __r = sysv_new(self, qbytes);					\
	if (__r == -ENOSYS)							\
		SKIP(return, "no SysV message queues in this kernel");		\
	ASSERT_EQ(0, __r) TH_LOG("msgget: %s", strerror(-__r));			\
} while (0)

/* ==== order =================================================================================== */

TEST_F(nat, priority_order)
{
	static const struct { const char *text; unsigned int prio; } in[] = {
		{ "a", 1 }, { "b", 5 }, { "c", 1 }, { "d", 3 },
	};
	static const char by_priority[] = "bdac";	/* kipc and POSIX */
	static const char fifo[] = "abcd";		/* SysV, msgtyp 0 */
	static const char lowest_type[] = "acdb";	/* SysV, msgtyp -5 */
	unsigned int i, prio;
	char buf[64];
	long type;
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	OPEN_POSIX(O_NONBLOCK);
	OPEN_SYSV(0);

	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, put(fd, in[i].text, in[i].prio));
		ASSERT_EQ(0, mq_send(self->mq, in[i].text, 1, in[i].prio));
		ASSERT_EQ(0, sysv_put(self->msqid, in[i].prio, in[i].text, 0));
	}
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(1, get(fd, buf, &prio));
		EXPECT_EQ(by_priority[i], buf[0]);
		ASSERT_EQ(1, mq_receive(self->mq, buf, PMQ_MSGSIZE, &prio));
		EXPECT_EQ(by_priority[i], buf[0]);
	}
	/* Differs: SysV keeps arrival order, and mtype only selects. */
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(1, sysv_get(self->msqid, 0, buf, &type, 0));
		EXPECT_EQ(fifo[i], buf[0]);
	}
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, sysv_put(self->msqid, in[i].prio, in[i].text, 0));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(1, sysv_get(self->msqid, -5, buf, &type, 0));
		EXPECT_EQ(lowest_type[i], buf[0]);
	}
	close(fd);
}

/* ==== full and empty ========================================================================== */

TEST_F(nat, full_queue_nonblocking_is_eagain)
{
	static const char msg16[] = "0123456789abcdef";
	int fd, i;

	REQUIRE_MQ();
	fd = q_new(self->name, 4, 0, 0);
	ASSERT_LE(0, fd);
	OPEN_POSIX(O_NONBLOCK);
	/* Differs: SysV is full by bytes; 64 bytes hold four 16-byte messages. */
	OPEN_SYSV(64);

	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, put(fd, msg16, 0));
		ASSERT_EQ(0, mq_send(self->mq, msg16, 16, 0));
		ASSERT_EQ(0, sysv_put(self->msqid, 1, msg16, IPC_NOWAIT));
	}
	EXPECT_EQ(-EAGAIN, put(fd, msg16, 0));
	EXPECT_EQ(-1, mq_send(self->mq, msg16, 16, 0));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(-EAGAIN, sysv_put(self->msqid, 1, msg16, IPC_NOWAIT));

	EXPECT_EQ(4, depth_of(fd));
	EXPECT_EQ(4, pmq_depth(self->mq));
	EXPECT_EQ(4, sysv_depth(self->msqid));
	close(fd);
}

TEST_F(nat, empty_queue_nonblocking)
{
	char buf[PMQ_MSGSIZE];
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	OPEN_POSIX(O_NONBLOCK);
	OPEN_SYSV(0);

	EXPECT_EQ(-EAGAIN, get(fd, buf, NULL));
	EXPECT_EQ(-1, mq_receive(self->mq, buf, sizeof(buf), NULL));
	EXPECT_EQ(EAGAIN, errno);
	/* Differs: SysV reports an empty queue as ENOMSG. */
	EXPECT_EQ(-ENOMSG, sysv_get(self->msqid, 0, buf, NULL, 0));
	close(fd);
}

/* ==== timeouts ================================================================================ */

/* Differs: SysV has no timed receive; kipc's timeout is relative, POSIX's absolute. */
TEST_F(nat, receive_timeout_is_etimedout)
{
	struct timespec ts;
	char buf[PMQ_MSGSIZE];
	__u64 t0;
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	OPEN_POSIX(0);

	t0 = clock_ns(CLOCK_MONOTONIC);
	EXPECT_EQ(-ETIMEDOUT, kipc_recv(fd, buf, sizeof(buf), NULL, 0, WAIT_NS));
	EXPECT_LE(WAIT_NS - SLACK_NS, clock_ns(CLOCK_MONOTONIC) - t0);

	t0 = clock_ns(CLOCK_MONOTONIC);
	ts = deadline_in(WAIT_NS);
	EXPECT_EQ(-1, mq_timedreceive(self->mq, buf, sizeof(buf), NULL, &ts));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_LE(WAIT_NS - SLACK_NS, clock_ns(CLOCK_MONOTONIC) - t0);
	close(fd);
}

TEST_F(nat, send_timeout_on_full_is_etimedout)
{
	struct timespec ts;
	__u64 t0;
	int fd, i;

	REQUIRE_MQ();
	fd = q_new(self->name, PMQ_MAXMSG, 0, 0);
	ASSERT_LE(0, fd);
	OPEN_POSIX(0);
	for (i = 0; i < PMQ_MAXMSG; i++) {
		ASSERT_EQ(0, put(fd, "x", 0));
		ASSERT_EQ(0, mq_send(self->mq, "x", 1, 0));
	}

	t0 = clock_ns(CLOCK_MONOTONIC);
	EXPECT_EQ(-ETIMEDOUT, kipc_send(fd, "y", 1, 0, 0, WAIT_NS));
	EXPECT_LE(WAIT_NS - SLACK_NS, clock_ns(CLOCK_MONOTONIC) - t0);

	t0 = clock_ns(CLOCK_MONOTONIC);
	ts = deadline_in(WAIT_NS);
	EXPECT_EQ(-1, mq_timedsend(self->mq, "y", 1, 0, &ts));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_LE(WAIT_NS - SLACK_NS, clock_ns(CLOCK_MONOTONIC) - t0);

	EXPECT_EQ(PMQ_MAXMSG, depth_of(fd));
	EXPECT_EQ(PMQ_MAXMSG, pmq_depth(self->mq));
	close(fd);
}

/* ==== sizes =================================================================================== */

static long sysv_msgmax(void)
{
	long v = 8192;
	FILE *f = fopen("/proc/sys/kernel/msgmax", "r");

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = 8192;
		fclose(f);
	}
	return v;
}

TEST_F(nat, oversized_send)
{
	struct sysv_msg *big;
	long msgmax = sysv_msgmax();
	char buf[PMQ_MSGSIZE + 1];
	int fd;

	REQUIRE_MQ();
	memset(buf, 'x', sizeof(buf));
	fd = q_new(self->name, 0, PMQ_MSGSIZE, 0);
	ASSERT_LE(0, fd);
	OPEN_POSIX(O_NONBLOCK);
	OPEN_SYSV(0);

	EXPECT_EQ(-EMSGSIZE, kipc_send(fd, buf, PMQ_MSGSIZE + 1, 0, 0, 0));
	EXPECT_EQ(-1, mq_send(self->mq, buf, PMQ_MSGSIZE + 1, 0));
	EXPECT_EQ(EMSGSIZE, errno);
	/* Differs: SysV's per-message limit is msgmax, and going past it is EINVAL. */
	big = calloc(1, sizeof(long) + msgmax + 1);
	ASSERT_NE(NULL, big);
	big->mtype = 1;
	EXPECT_EQ(-1, msgsnd(self->msqid, big, msgmax + 1, IPC_NOWAIT));
	EXPECT_EQ(EINVAL, errno);
	free(big);

	/* Exactly the limit is fine everywhere. */
	EXPECT_EQ(0, kipc_send(fd, buf, PMQ_MSGSIZE, 0, 0, 0));
	EXPECT_EQ(0, mq_send(self->mq, buf, PMQ_MSGSIZE, 0));
	close(fd);
}

TEST_F(nat, receive_buffer_too_small)
{
	static const char msg[] = "0123456789";
	char buf[PMQ_MSGSIZE];
	struct sysv_msg sm;
	struct kipc_msg m;
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, PMQ_MSGSIZE, 0);
	ASSERT_LE(0, fd);
	OPEN_POSIX(O_NONBLOCK);
	OPEN_SYSV(0);
	ASSERT_EQ(0, put(fd, msg, 0));
	ASSERT_EQ(0, mq_send(self->mq, msg, 10, 0));
	ASSERT_EQ(0, sysv_put(self->msqid, 1, msg, 0));

	/* kipc: EMSGSIZE, the size needed in len, the message stays. */
	memset(&m, 0, sizeof(m));
	m.size = sizeof(m);
	m.flags = NB;
	m.buf = (__u64)(unsigned long)buf;
	m.len = 4;
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_RECV, &m));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(10, m.len);
	EXPECT_EQ(1, depth_of(fd));

	/* POSIX: EMSGSIZE too, and the message stays... */
	EXPECT_EQ(-1, mq_receive(self->mq, buf, 4, NULL));
	EXPECT_EQ(EMSGSIZE, errno);
	/*
	 * ...but differs: POSIX refuses any buffer below mq_msgsize, even one this message
	 * fits in.  kipc takes any buffer the message fits in (below: exactly 10 bytes).
	 */
	EXPECT_EQ(-1, mq_receive(self->mq, buf, PMQ_MSGSIZE / 2, NULL));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(1, pmq_depth(self->mq));

	/* Differs: SysV says E2BIG (message stays), or truncates under MSG_NOERROR. */
	EXPECT_EQ(-1, msgrcv(self->msqid, &sm, 4, 0, IPC_NOWAIT));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(1, sysv_depth(self->msqid));

	/* Enough room. */
	EXPECT_EQ(10, kipc_recv(fd, buf, 10, NULL, 0, 0));
	EXPECT_EQ(0, memcmp(buf, msg, 10));
	EXPECT_EQ(10, mq_receive(self->mq, buf, PMQ_MSGSIZE, NULL));
	EXPECT_EQ(0, memcmp(buf, msg, 10));
	memset(&sm, 0, sizeof(sm));
	EXPECT_EQ(4, msgrcv(self->msqid, &sm, 4, 0, IPC_NOWAIT | MSG_NOERROR));
	EXPECT_EQ(0, memcmp(sm.mtext, "0123", 4));
	/* The rest of it is gone with it. */
	EXPECT_EQ(0, sysv_depth(self->msqid));
	close(fd);
}

TEST_F(nat, zero_length_messages)
{
	char buf[PMQ_MSGSIZE];
	unsigned int prio;
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	OPEN_POSIX(O_NONBLOCK);
	OPEN_SYSV(0);

	EXPECT_EQ(0, kipc_send(fd, buf, 0, 2, 0, 0));
	EXPECT_EQ(0, mq_send(self->mq, buf, 0, 2));
	EXPECT_EQ(0, sysv_put(self->msqid, 2, "", IPC_NOWAIT));

	EXPECT_EQ(0, kipc_recv(fd, buf, sizeof(buf), &prio, 0, 0));
	EXPECT_EQ(2, prio);
	EXPECT_EQ(0, mq_receive(self->mq, buf, sizeof(buf), &prio));
	EXPECT_EQ(2, prio);
	EXPECT_EQ(0, sysv_get(self->msqid, 0, buf, NULL, 0));
	close(fd);
}

/* ==== blocking and removal ==================================================================== */

TEST_F(nat, blocked_receive_wakes_on_send)
{
	int sync[3][2], fd, i;
	pid_t pid[3];

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	OPEN_POSIX(0);
	OPEN_SYSV(0);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, pipe(sync[i]));
		pid[i] = fork_child();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			struct sysv_msg m;
			char buf[PMQ_MSGSIZE];
			long n;

			/* Exit 0 with the 4-byte message, else the errno, else 99. */
			child_ready(sync[i][1]);
			if (i == 0) {
				n = kipc_recv(fd, buf, sizeof(buf), NULL, 0, KIPC_FOREVER);
				if (n < 0)
					_exit((int)-n);
			} else if (i == 1) {
				n = mq_receive(self->mq, buf, sizeof(buf), NULL);
				if (n < 0)
					_exit(errno);
			} else {
				n = msgrcv(self->msqid, &m, sizeof(m.mtext), 0, 0);
				if (n < 0)
					_exit(errno);
			}
			_exit(n == 4 ? 0 : 99);
		}
	}
	for (i = 0; i < 3; i++)
		ASSERT_TRUE(wait_blocked(sync[i][0], pid[i]));
	ASSERT_EQ(0, put(fd, "wake", 0));
	ASSERT_EQ(0, mq_send(self->mq, "wake", 4, 0));
	ASSERT_EQ(0, sysv_put(self->msqid, 1, "wake", 0));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, reap(pid[i])) TH_LOG("%s", i == 0 ? "kipc" : i == 1 ? "POSIX" : "SysV");
	close(fd);
}

/* kipc's plain destroy is mq_unlink: the name goes, open handles go on working. */
TEST_F(nat, unlink_keeps_open_queues_working)
{
	struct mq_attr attr = { .mq_maxmsg = PMQ_MAXMSG, .mq_msgsize = PMQ_MSGSIZE };
	char buf[PMQ_MSGSIZE];
	mqd_t newer;
	int fd, fresh;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	OPEN_POSIX(O_NONBLOCK);
	ASSERT_EQ(0, put(fd, "old", 0));
	ASSERT_EQ(0, mq_send(self->mq, "old", 3, 0));

	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name, 0));
	ASSERT_EQ(0, mq_unlink(self->pname));

	/* The name is gone... */
	EXPECT_EQ(-ENOENT, kipc_mq_attach(self->name, RW));
	EXPECT_EQ((mqd_t)-1, mq_open(self->pname, O_RDWR));
	EXPECT_EQ(ENOENT, errno);

	/* ...the open queue is not. */
	EXPECT_EQ(0, put(fd, "more", 0));
	EXPECT_EQ(0, mq_send(self->mq, "more", 4, 0));
	EXPECT_EQ(3, get(fd, buf, NULL));
	EXPECT_EQ(3, mq_receive(self->mq, buf, sizeof(buf), NULL));

	/* A queue created under the name now is a new, empty one. */
	fresh = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fresh);
	EXPECT_EQ(0, depth_of(fresh));
	EXPECT_EQ(1, depth_of(fd));
	newer = mq_open(self->pname, O_RDWR | O_CREAT | O_EXCL | O_NONBLOCK, 0600, &attr);
	ASSERT_NE((mqd_t)-1, newer);
	EXPECT_EQ(0, pmq_depth(newer));
	EXPECT_EQ(1, pmq_depth(self->mq));
	mq_close(newer);
	close(fresh);
	close(fd);
}

/* KIPC_DESTROY_NOW is IPC_RMID: blocked receivers wake with EIDRM. */
TEST_F(nat, rmid_wakes_waiters_with_eidrm)
{
	int sync[2][2], fd, i;
	struct sysv_msg m;
	char buf[64];
	pid_t pid[2];
	int old_id;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	OPEN_SYSV(0);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pipe(sync[i]));
		pid[i] = fork_child();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			child_ready(sync[i][1]);
			if (i == 0) {
				long n = kipc_recv(fd, buf, sizeof(buf), NULL, 0, KIPC_FOREVER);

				_exit(n < 0 ? (int)-n : 0);
			}
			_exit(msgrcv(self->msqid, &m, sizeof(m.mtext), 0, 0) < 0 ? errno : 0);
		}
	}
	for (i = 0; i < 2; i++)
		ASSERT_TRUE(wait_blocked(sync[i][0], pid[i]));

	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name, KIPC_DESTROY_NOW));
	ASSERT_EQ(0, msgctl(self->msqid, IPC_RMID, NULL));
	old_id = self->msqid;
	self->msqid = -1;
	EXPECT_EQ(EIDRM, reap(pid[0])) TH_LOG("kipc");
	EXPECT_EQ(EIDRM, reap(pid[1])) TH_LOG("SysV");

	/* Differs: later calls on the kipc attachment say EIDRM; SysV's id is simply gone. */
	EXPECT_EQ(-EIDRM, get(fd, buf, NULL));
	EXPECT_EQ(-EIDRM, put(fd, "x", 0));
	EXPECT_EQ(-EINVAL, sysv_get(old_id, 0, buf, NULL, 0));
	EXPECT_EQ(-EINVAL, sysv_put(old_id, 1, "x", IPC_NOWAIT));
	close(fd);
}

TEST_HARNESS_MAIN
