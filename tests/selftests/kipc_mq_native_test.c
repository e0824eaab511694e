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
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/msg.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kipc.h"

#define RW		(KIPC_ACCESS_READ | KIPC_ACCESS_WRITE)
#define NB		KIPC_MSG_NONBLOCK
#define MSEC		1000000ULL	/* nanoseconds */
#define SLACK_NS	(10 * MSEC)
#define WAIT_NS		(200 * MSEC)

/* POSIX queues small enough for the default /proc/sys/fs/mqueue limits. */
#define PMQ_MAXMSG	4
#define PMQ_MSGSIZE	64

struct sysv_msg {
	long mtype;
	char mtext[128];
};

/* ---- helpers -------------------------------------------------------------------------------- */

static __u64 clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* An absolute CLOCK_REALTIME deadline @ns from now, as POSIX mq wants it. */
static struct timespec deadline_in(__u64 ns)
{
	__u64 t = clock_ns(CLOCK_REALTIME) + ns;
	struct timespec ts = { .tv_sec = t / 1000000000ULL, .tv_nsec = t % 1000000000ULL };

	return ts;
}

/* A new fd on the new kipc queue @name (EXCL, 0600, read-write).  Return: fd or -errno. */
static int kq_new(const char *name, unsigned int max_msgs, unsigned int max_msg_size)
{
	struct kipc_create c = {
		.flags = KIPC_CREATE_EXCL,
		.type = KIPC_TYPE_MQ,
		.mode = 0600,
		.access = RW,
		.max_msgs = max_msgs,
		.max_msg_size = max_msg_size,
	};
	int fd, ret;

	memcpy(c.name, name, strnlen(name, KIPC_NAME_MAX - 1));
	fd = kipc_open(0);
	if (fd < 0)
		return fd;
	ret = kipc_create(fd, &c);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

static int kput(int fd, const char *s, unsigned int prio)
{
	return kipc_send(fd, s, strlen(s), prio, NB, 0);
}

static long kget(int fd, char buf[64], unsigned int *prio)
{
	long n = kipc_recv(fd, buf, 63, prio, NB, 0);

	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static int kdepth(int fd)
{
	struct kipc_stat st;
	int ret = kipc_stat_self(fd, &st);

	return ret ? ret : (int)st.depth;
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

/* ---- child processes ------------------------------------------------------------------------ */

static pid_t children[4];

static pid_t fork_child(void)
{
	unsigned int i;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	for (i = 0; pid > 0 && i < sizeof(children) / sizeof(children[0]); i++) {
		if (!children[i]) {
			children[i] = pid;
			break;
		}
	}
	return pid;
}

/* Wait up to 5 s.  Return: exit status, 256 + signal, or -2 if it still ran (now killed). */
static int reap(pid_t pid)
{
	int status = 0, i, ret = -2;
	unsigned int j;

	for (i = 0; i < 500; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			ret = WIFEXITED(status) ? WEXITSTATUS(status) : 256 + WTERMSIG(status);
			break;
		}
		usleep(10000);
	}
	if (ret == -2) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	for (j = 0; j < sizeof(children) / sizeof(children[0]); j++)
		if (children[j] == pid)
			children[j] = 0;
	return ret;
}

static void kill_children(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(children) / sizeof(children[0]); i++) {
		if (children[i]) {
			kill(children[i], SIGKILL);
			waitpid(children[i], NULL, 0);
			children[i] = 0;
		}
	}
}

static void child_ready(int wfd)
{
	char c = 1;

	if (write(wfd, &c, 1) != 1)
		_exit(98);
}

static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

/* Wait for the child's word on @rfd, then until it sleeps.  Return: false after 5 s. */
static bool wait_blocked(int rfd, pid_t pid)
{
	char c;
	int i;

	if (read(rfd, &c, 1) != 1)
		return false;
	for (i = 0; i < 500; i++) {
		if (proc_state(pid) == 'S') {
			usleep(20000);
			return true;
		}
		usleep(10000);
	}
	return false;
}

/* ---- the fixture ---------------------------------------------------------------------------- */

FIXTURE(nat) {
	int ctl;
	const char *skip;
	char name[KIPC_NAME_MAX];	/* the kipc queue */
	char pname[64];			/* the POSIX queue */
	mqd_t mq;
	int msqid;			/* the SysV queue */
};

#define REQUIRE_MQ() do {							\
	if (self->skip)								\
		SKIP(return, "%s", self->skip);					\
} while (0)

FIXTURE_SETUP(nat)
{
	struct kipc_info info;

	self->mq = (mqd_t)-1;
	self->msqid = -1;
	snprintf(self->name, sizeof(self->name), "nat%d.%s", getpid(), _metadata->name);
	snprintf(self->pname, sizeof(self->pname), "/kipc-nat.%d", getpid());
	self->ctl = kipc_open(0);
	if (self->ctl == -ENOENT) {
		self->skip = kipc_strerror(self->ctl);
		SKIP(return, "%s", self->skip);
	}
	ASSERT_LE(0, self->ctl) TH_LOG("%s", kipc_strerror(self->ctl));
	ASSERT_EQ(0, kipc_get_info(self->ctl, &info));
	if (!(info.features & KIPC_FEATURE_MQ)) {
		self->skip = "the module has no message queues (KIPC_FEATURE_MQ)";
		SKIP(return, "%s", self->skip);
	}
}

FIXTURE_TEARDOWN(nat)
{
	kill_children();
	if (self->mq != (mqd_t)-1)
		mq_close(self->mq);
	mq_unlink(self->pname);
	if (self->msqid >= 0)
		msgctl(self->msqid, IPC_RMID, NULL);
	if (self->ctl >= 0) {
		kipc_destroy(self->ctl, self->name, KIPC_DESTROY_NOW);
		close(self->ctl);
	}
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
	fd = kq_new(self->name, 0, 0);
	ASSERT_LE(0, fd);
	OPEN_POSIX(O_NONBLOCK);
	OPEN_SYSV(0);

	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, kput(fd, in[i].text, in[i].prio));
		ASSERT_EQ(0, mq_send(self->mq, in[i].text, 1, in[i].prio));
		ASSERT_EQ(0, sysv_put(self->msqid, in[i].prio, in[i].text, 0));
	}
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(1, kget(fd, buf, &prio));
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
	fd = kq_new(self->name, 4, 0);
	ASSERT_LE(0, fd);
	OPEN_POSIX(O_NONBLOCK);
	/* Differs: SysV is full by bytes; 64 bytes hold four 16-byte messages. */
	OPEN_SYSV(64);

	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, kput(fd, msg16, 0));
		ASSERT_EQ(0, mq_send(self->mq, msg16, 16, 0));
		ASSERT_EQ(0, sysv_put(self->msqid, 1, msg16, IPC_NOWAIT));
	}
	EXPECT_EQ(-EAGAIN, kput(fd, msg16, 0));
	EXPECT_EQ(-1, mq_send(self->mq, msg16, 16, 0));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(-EAGAIN, sysv_put(self->msqid, 1, msg16, IPC_NOWAIT));

	EXPECT_EQ(4, kdepth(fd));
	EXPECT_EQ(4, pmq_depth(self->mq));
	EXPECT_EQ(4, sysv_depth(self->msqid));
	close(fd);
}

TEST_F(nat, empty_queue_nonblocking)
{
	char buf[PMQ_MSGSIZE];
	int fd;

	REQUIRE_MQ();
	fd = kq_new(self->name, 0, 0);
	ASSERT_LE(0, fd);
	OPEN_POSIX(O_NONBLOCK);
	OPEN_SYSV(0);

	EXPECT_EQ(-EAGAIN, kget(fd, buf, NULL));
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
	fd = kq_new(self->name, 0, 0);
	ASSERT_LE(0, fd);
	OPEN_POSIX(0);

	t0 = clock_ns(CLOCK_MONOTONIC);
	EXPECT_EQ(-ETIMEDOUT, kipc_recv(fd, buf, sizeof(buf), NULL, KIPC_MSG_TIMEOUT, WAIT_NS));
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
	fd = kq_new(self->name, PMQ_MAXMSG, 0);
	ASSERT_LE(0, fd);
	OPEN_POSIX(0);
	for (i = 0; i < PMQ_MAXMSG; i++) {
		ASSERT_EQ(0, kput(fd, "x", 0));
		ASSERT_EQ(0, mq_send(self->mq, "x", 1, 0));
	}

	t0 = clock_ns(CLOCK_MONOTONIC);
	EXPECT_EQ(-ETIMEDOUT, kipc_send(fd, "y", 1, 0, KIPC_MSG_TIMEOUT, WAIT_NS));
	EXPECT_LE(WAIT_NS - SLACK_NS, clock_ns(CLOCK_MONOTONIC) - t0);

	t0 = clock_ns(CLOCK_MONOTONIC);
	ts = deadline_in(WAIT_NS);
	EXPECT_EQ(-1, mq_timedsend(self->mq, "y", 1, 0, &ts));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_LE(WAIT_NS - SLACK_NS, clock_ns(CLOCK_MONOTONIC) - t0);

	EXPECT_EQ(PMQ_MAXMSG, kdepth(fd));
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
	fd = kq_new(self->name, 0, PMQ_MSGSIZE);
	ASSERT_LE(0, fd);
	OPEN_POSIX(O_NONBLOCK);
	OPEN_SYSV(0);

	EXPECT_EQ(-EMSGSIZE, kipc_send(fd, buf, PMQ_MSGSIZE + 1, 0, NB, 0));
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
	EXPECT_EQ(0, kipc_send(fd, buf, PMQ_MSGSIZE, 0, NB, 0));
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
	fd = kq_new(self->name, 0, PMQ_MSGSIZE);
	ASSERT_LE(0, fd);
	OPEN_POSIX(O_NONBLOCK);
	OPEN_SYSV(0);
	ASSERT_EQ(0, kput(fd, msg, 0));
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
	EXPECT_EQ(1, kdepth(fd));

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
	EXPECT_EQ(10, kipc_recv(fd, buf, 10, NULL, NB, 0));
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
	fd = kq_new(self->name, 0, 0);
	ASSERT_LE(0, fd);
	OPEN_POSIX(O_NONBLOCK);
	OPEN_SYSV(0);

	EXPECT_EQ(0, kipc_send(fd, buf, 0, 2, NB, 0));
	EXPECT_EQ(0, mq_send(self->mq, buf, 0, 2));
	EXPECT_EQ(0, sysv_put(self->msqid, 2, "", IPC_NOWAIT));

	EXPECT_EQ(0, kipc_recv(fd, buf, sizeof(buf), &prio, NB, 0));
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
	fd = kq_new(self->name, 0, 0);
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
				n = kipc_recv(fd, buf, sizeof(buf), NULL, 0, 0);
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
	ASSERT_EQ(0, kput(fd, "wake", 0));
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
	fd = kq_new(self->name, 0, 0);
	ASSERT_LE(0, fd);
	OPEN_POSIX(O_NONBLOCK);
	ASSERT_EQ(0, kput(fd, "old", 0));
	ASSERT_EQ(0, mq_send(self->mq, "old", 3, 0));

	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name, 0));
	ASSERT_EQ(0, mq_unlink(self->pname));

	/* The name is gone... */
	EXPECT_EQ(-ENOENT, kipc_mq_attach(self->name, RW));
	EXPECT_EQ((mqd_t)-1, mq_open(self->pname, O_RDWR));
	EXPECT_EQ(ENOENT, errno);

	/* ...the open queue is not. */
	EXPECT_EQ(0, kput(fd, "more", 0));
	EXPECT_EQ(0, mq_send(self->mq, "more", 4, 0));
	EXPECT_EQ(3, kget(fd, buf, NULL));
	EXPECT_EQ(3, mq_receive(self->mq, buf, sizeof(buf), NULL));

	/* A queue created under the name now is a new, empty one. */
	fresh = kq_new(self->name, 0, 0);
	ASSERT_LE(0, fresh);
	EXPECT_EQ(0, kdepth(fresh));
	EXPECT_EQ(1, kdepth(fd));
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
	fd = kq_new(self->name, 0, 0);
	ASSERT_LE(0, fd);
	OPEN_SYSV(0);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pipe(sync[i]));
		pid[i] = fork_child();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			child_ready(sync[i][1]);
			if (i == 0) {
				long n = kipc_recv(fd, buf, sizeof(buf), NULL, 0, 0);

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
	EXPECT_EQ(-EIDRM, kget(fd, buf, NULL));
	EXPECT_EQ(-EIDRM, kput(fd, "x", 0));
	EXPECT_EQ(-EINVAL, sysv_get(old_id, 0, buf, NULL, 0));
	EXPECT_EQ(-EINVAL, sysv_put(old_id, 1, "x", IPC_NOWAIT));
	close(fd);
}

TEST_HARNESS_MAIN
