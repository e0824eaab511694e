// SPDX-License-Identifier: GPL-2.0
/*
 * What one operation costs, kipc beside the native mechanisms, for reading the kernel paths
 * under icount (where the guest clock counts instructions, so a nanosecond here is one
 * instruction and the figures repeat exactly).  Each line is the median over 15 rounds of
 * 2,000 operations, per operation:
 *
 *   floor      getppid(), and an ioctl kipc refuses at once (ENOTTY): the system call itself
 *   empty      a non-blocking receive from an empty queue (EAGAIN): the path without a message
 *   pair       a non-blocking send and receive of one 64-byte message, by one process
 *   batch      a send batch of 64 and a receive batch of 64 (kipc), a writev of 64 framed
 *              messages and one read (pipe), per message
 *   rt-*       a 64-byte round trip between two processes (context switches included), in
 *              each scheduler regime (below); with sched_yield, two processes taking turns on
 *              one CPU: what the two switches of a round trip cost; with futex, a shared word
 *              and FUTEX_WAKE/FUTEX_WAIT: the cheapest sleep-and-wake round trip there is, the
 *              floor of any blocking request-response
 *
 * Usage: kipc-cost [ROUNDS [ONLY]]   (prints a table; exit status 1 when a mechanism failed)
 * ONLY, as "pair:kipc-mq" or "rt-preempt:kipc-rpc", measures that line alone (for a profiler to watch).
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/msg.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/kipc.h>

#define OPS	2000
#define SIZE	64
#define BATCH	64

static int rounds = 15;
static const char *only;
static int failed;

/* Whether the line @what @mech is to be measured. */
static int wanted(const char *what, const char *mech)
{
	char line[64];

	snprintf(line, sizeof(line), "%s:%s", what, mech);
	return !only || !strcmp(only, line);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* A line's cost, or -2 (printed as nothing) when another line was asked for. */
#define COST(what, mech, expr)	(wanted(what, mech) ? (expr) : -2)
#define LINE(what, mech, expr, base)	row(what, mech, COST(what, mech, expr), base)

typedef int (*op_fn)(void *ctx, int n);

/* The median cost per operation of @fn doing @per operations a call, or -1 when it failed. */
static long long measure(op_fn fn, void *ctx, int per)
{
	long long t[1024], t0;
	int r;

	if (fn(ctx, OPS / per / 10 + 1))	/* warm up */
		return -1;
	for (r = 0; r < rounds; r++) {
		t0 = now_ns();
		if (fn(ctx, OPS / per))
			return -1;
		t[r] = (now_ns() - t0) / ((OPS / per) * per);
	}
	qsort(t, rounds, sizeof(t[0]), cmp);
	return t[rounds / 2];
}

static void row(const char *what, const char *mech, long long cost, long long base)
{
	if (cost == -2)
		return;
	if (cost < 0) {
		printf("%-14s %-12s failed: %s\n", what, mech, strerror(errno));
		failed = 1;
		return;
	}
	if (base > 0)
		printf("%-14s %-12s %8lld  %5.2fx\n", what, mech, cost, (double)cost / base);
	else
		printf("%-14s %-12s %8lld\n", what, mech, cost);
}

/* ---- kipc ---------------------------------------------------------------------------------- */

static int kipc_queue(const char *name, unsigned int max_msgs, unsigned int overflow)
{
	struct kipc_create c = {
		.size = sizeof(c), .flags = KIPC_CREATE_AUTODESTROY, .type = KIPC_TYPE_MQ,
		.mode = 0600, .access = KIPC_ACCESS_READ | KIPC_ACCESS_WRITE,
		.max_msgs = max_msgs, .max_msg_size = 4096, .overflow = overflow,
	};
	int fd = open("/dev/kipc", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -1;
	snprintf(c.name, sizeof(c.name), "%s", name);
	if (ioctl(fd, KIPC_IOC_CREATE, &c) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int kipc_send(int fd, void *buf, unsigned int len, unsigned int flags)
{
	struct kipc_msg m = {
		.size = sizeof(m), .flags = flags, .buf = (unsigned long)buf, .len = len,
	};

	return ioctl(fd, KIPC_IOC_SEND, &m) < 0 ? -1 : 0;
}

static int kipc_recv(int fd, void *buf, unsigned int len, unsigned int flags)
{
	struct kipc_msg m = {
		.size = sizeof(m), .flags = flags, .buf = (unsigned long)buf, .len = len,
	};

	return ioctl(fd, KIPC_IOC_RECV, &m) < 0 ? -1 : (int)m.len;
}

static int op_getppid(void *ctx, int n)
{
	(void)ctx;
	while (n--)
		getppid();
	return 0;
}

static int op_kipc_enotty(void *ctx, int n)
{
	int fd = *(int *)ctx;

	while (n--)
		if (ioctl(fd, _IO(KIPC_IOCTL_TYPE, 0x7f), NULL) == 0 || errno != ENOTTY)
			return -1;
	return 0;
}

static int op_kipc_empty(void *ctx, int n)
{
	char buf[SIZE];
	int fd = *(int *)ctx;

	while (n--)
		if (kipc_recv(fd, buf, sizeof(buf), KIPC_MSG_NONBLOCK) == 0 || errno != EAGAIN)
			return -1;
	return 0;
}

static int op_kipc_pair(void *ctx, int n)
{
	char buf[SIZE] = "x";
	int fd = *(int *)ctx;

	while (n--)
		if (kipc_send(fd, buf, SIZE, KIPC_MSG_NONBLOCK) ||
		    kipc_recv(fd, buf, SIZE, KIPC_MSG_NONBLOCK) != SIZE)
			return -1;
	return 0;
}

/* The same through write(2) and read(2): priority 0, no timeout. */
static int op_kipc_rw_pair(void *ctx, int n)
{
	char buf[SIZE] = "x";
	int fd = *(int *)ctx;

	while (n--)
		if (write(fd, buf, SIZE) != SIZE || read(fd, buf, SIZE) != SIZE)
			return -1;
	return 0;
}

static int op_kipc_batch(void *ctx, int n)
{
	static char data[BATCH][SIZE];
	struct kipc_msg_vec v[BATCH];
	struct kipc_batch b = {
		.size = sizeof(b), .flags = KIPC_MSG_NONBLOCK, .vec = (unsigned long)v,
		.count = BATCH, .vec_size = sizeof(v[0]),
	};
	int fd = *(int *)ctx, i;

	while (n--) {
		for (i = 0; i < BATCH; i++)
			v[i] = (struct kipc_msg_vec){ .buf = (unsigned long)data[i], .len = SIZE };
		if (ioctl(fd, KIPC_IOC_SEND_BATCH, &b) < 0 || b.done != BATCH)
			return -1;
		if (ioctl(fd, KIPC_IOC_RECV_BATCH, &b) < 0 || b.done != BATCH)
			return -1;
	}
	return 0;
}

/* ---- the native mechanisms ------------------------------------------------------------------ */

static int op_posix_pair(void *ctx, int n)
{
	mqd_t q = *(mqd_t *)ctx;
	char buf[SIZE] = "x";
	unsigned int prio;

	while (n--)
		if (mq_send(q, buf, SIZE, 0) || mq_receive(q, buf, SIZE, &prio) != SIZE)
			return -1;
	return 0;
}

struct sysv_buf {
	long mtype;
	char mtext[SIZE];
};

static int op_sysv_pair(void *ctx, int n)
{
	struct sysv_buf m = { .mtype = 1 };
	int id = *(int *)ctx;

	while (n--)
		if (msgsnd(id, &m, SIZE, IPC_NOWAIT) ||
		    msgrcv(id, &m, SIZE, 0, IPC_NOWAIT) != SIZE)
			return -1;
	return 0;
}

static int op_pipe_pair(void *ctx, int n)
{
	int *p = ctx;
	char buf[SIZE] = "x";

	while (n--)
		if (write(p[1], buf, SIZE) != SIZE || read(p[0], buf, SIZE) != SIZE)
			return -1;
	return 0;
}

/* 64 framed messages in one writev, and read back in one read: what a pipe batch can do. */
static int op_pipe_batch(void *ctx, int n)
{
	static char data[BATCH][SIZE], in[BATCH * SIZE];
	struct iovec iov[BATCH];
	int *p = ctx, i;

	while (n--) {
		for (i = 0; i < BATCH; i++)
			iov[i] = (struct iovec){ .iov_base = data[i], .iov_len = SIZE };
		if (writev(p[1], iov, BATCH) != BATCH * SIZE ||
		    read(p[0], in, sizeof(in)) != sizeof(in))
			return -1;
	}
	return 0;
}

/* ---- ping-pong ----------------------------------------------------------------------------- */

/*
 * A 64-byte round trip: @ping on one side, @pong on the other, each given @ctx.  The child
 * answers OPS * (rounds + 1) + its warm-up requests; the parent measures.
 */
struct pingpong {
	int (*ping)(struct pingpong *pp);
	int (*pong)(struct pingpong *pp);
	int fd[4];
	int tx, rx, peer_rx, peer_tx;	/* read/write ping-pongs: the ends each side uses */
	mqd_t q[2];
	_Atomic int *turn;	/* futex: whose turn, in a shared page */
};

static int pp_run(void *ctx, int n)
{
	struct pingpong *pp = ctx;

	while (n--)
		if (pp->ping(pp))
			return -1;
	return 0;
}

static long long pingpong(struct pingpong *pp)
{
	long long cost;
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		while (!pp->pong(pp))
			;
		_exit(0);
	}
	cost = measure(pp_run, pp, 1);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return cost;
}

/* Two processes taking turns on one CPU: the two context switches every round trip costs. */
static int pp_yield(struct pingpong *pp)
{
	(void)pp;
	return sched_yield();
}

/*
 * The cheapest blocking round trip the kernel offers: a futex word in shared memory, each side
 * storing the other's turn, FUTEX_WAKE, then FUTEX_WAIT until its own comes back.
 */
static int pp_futex_turn(struct pingpong *pp, int mine)
{
	atomic_store(pp->turn, !mine);
	syscall(SYS_futex, pp->turn, FUTEX_WAKE, 1, NULL, NULL, 0);
	while (atomic_load(pp->turn) != mine)
		if (syscall(SYS_futex, pp->turn, FUTEX_WAIT, !mine, NULL, NULL, 0) &&
		    errno != EAGAIN && errno != EINTR)
			return -1;
	return 0;
}

static int pp_futex_ping(struct pingpong *pp)
{
	return pp_futex_turn(pp, 0);
}

static int pp_futex_pong(struct pingpong *pp)
{
	/* The child waits for its first turn. */
	while (atomic_load(pp->turn) != 1)
		syscall(SYS_futex, pp->turn, FUTEX_WAIT, 0, NULL, NULL, 0);
	return pp_futex_turn(pp, 1);
}

/* write(2) the request and read(2) the reply: a pipe pair, or kipc queues through read/write. */
static int pp_rw_ping(struct pingpong *pp)
{
	char buf[SIZE] = "x";

	return write(pp->tx, buf, SIZE) != SIZE || read(pp->rx, buf, SIZE) != SIZE;
}

static int pp_rw_pong(struct pingpong *pp)
{
	char buf[SIZE];

	return read(pp->peer_rx, buf, SIZE) != SIZE || write(pp->peer_tx, buf, SIZE) != SIZE;
}

static int pp_posix_ping(struct pingpong *pp)
{
	char buf[SIZE] = "x";

	return mq_send(pp->q[0], buf, SIZE, 0) || mq_receive(pp->q[1], buf, SIZE, NULL) != SIZE;
}

static int pp_posix_pong(struct pingpong *pp)
{
	char buf[SIZE];

	return mq_receive(pp->q[0], buf, SIZE, NULL) != SIZE || mq_send(pp->q[1], buf, SIZE, 0);
}

static int pp_kipc_ping(struct pingpong *pp)
{
	char buf[SIZE] = "x";

	return kipc_send(pp->fd[0], buf, SIZE, 0) || kipc_recv(pp->fd[1], buf, SIZE, 0) != SIZE;
}

static int pp_kipc_pong(struct pingpong *pp)
{
	char buf[SIZE];

	return kipc_recv(pp->fd[0], buf, SIZE, 0) != SIZE || kipc_send(pp->fd[1], buf, SIZE, 0);
}

static int kipc_call(int fd, int reply_fd, void *buf)
{
	struct kipc_call c = {
		.size = sizeof(c), .req_buf = (unsigned long)buf, .req_len = SIZE,
		.reply_fd = reply_fd, .reply_len = SIZE, .reply_buf = (unsigned long)buf,
	};

	return ioctl(fd, KIPC_IOC_CALL, &c) < 0 || c.reply_len != SIZE;
}

/* The client's CALL sends on fd[0] and waits on fd[1]; the server's replies on fd[1] and waits. */
static int pp_rpc_ping(struct pingpong *pp)
{
	char buf[SIZE] = "x";

	return kipc_call(pp->fd[0], pp->fd[1], buf);
}

static int pp_rpc_pong(struct pingpong *pp)
{
	static int started;
	char buf[SIZE];

	if (!started) {
		started = 1;
		return kipc_recv(pp->fd[0], buf, SIZE, 0) != SIZE;
	}
	return kipc_call(pp->fd[1], pp->fd[0], buf);
}

static const char *regime = "";

/*
 * 0: a wake-up preempts the waker; 1: it never does; -1: as it was.  Return: -1 when this
 * kernel has no such knob (EEVDF, 6.6 and later).
 */
static int set_regime(int which)
{
	static const char *knob = "/sys/kernel/debug/sched/wakeup_granularity_ns";
	static char saved[32];
	const char *value = which == 0 ? "0" : which == 1 ? "1000000000" : saved;
	int fd, ok;

	if (which >= 0 && !saved[0]) {
		fd = open(knob, O_RDONLY);
		if (fd < 0)
			return -1;
		ok = read(fd, saved, sizeof(saved) - 1) > 0;
		close(fd);
		if (!ok)
			return -1;
	}
	if (!saved[0])
		return -1;
	fd = open(knob, O_WRONLY);
	if (fd < 0)
		return -1;
	ok = write(fd, value, strlen(value)) > 0;
	close(fd);
	regime = which == 0 ? "preempt" : which == 1 ? "no-preempt" : "";
	return ok ? 0 : -1;
}

/* Every ping-pong line, in the current regime. */
static void pingpongs(void)
{
	struct mq_attr attr = { .mq_maxmsg = 8, .mq_msgsize = SIZE };
	struct pingpong pp = { 0 };
	char what[32];
	long long rt;

	snprintf(what, sizeof(what), "rt%s%s", regime[0] ? "-" : "", regime);
	pp.ping = pp_yield;
	pp.pong = pp_yield;
	LINE(what, "sched_yield", pingpong(&pp), 0);
	pp.turn = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (pp.turn == MAP_FAILED)
		return;
	*pp.turn = 0;
	pp.ping = pp_futex_ping;
	pp.pong = pp_futex_pong;
	LINE(what, "futex", pingpong(&pp), 0);
	munmap(pp.turn, 4096);

	/* Ping-pong: fd[0] carries requests, the other way replies. */
	if (pipe(pp.fd) || pipe(pp.fd + 2))
		return;
	pp.tx = pp.fd[1];
	pp.rx = pp.fd[2];
	pp.peer_rx = pp.fd[0];
	pp.peer_tx = pp.fd[3];
	pp.ping = pp_rw_ping;
	pp.pong = pp_rw_pong;
	rt = COST(what, "pipe", pingpong(&pp));
	row(what, "pipe", rt, 0);
	for (int i = 0; i < 4; i++)
		close(pp.fd[i]);

	attr.mq_flags = 0;
	pp.q[0] = mq_open("/kipc-cost-req", O_RDWR | O_CREAT, 0600, &attr);
	pp.q[1] = mq_open("/kipc-cost-rep", O_RDWR | O_CREAT, 0600, &attr);
	if (pp.q[0] == (mqd_t)-1 || pp.q[1] == (mqd_t)-1)
		return;
	mq_unlink("/kipc-cost-req");
	mq_unlink("/kipc-cost-rep");
	pp.ping = pp_posix_ping;
	pp.pong = pp_posix_pong;
	LINE(what, "posix-mq", pingpong(&pp), rt);
	mq_close(pp.q[0]);
	mq_close(pp.q[1]);

	pp.fd[0] = kipc_queue("cost-req", 8, KIPC_OVERFLOW_BLOCK);
	pp.fd[1] = kipc_queue("cost-rep", 8, KIPC_OVERFLOW_BLOCK);
	if (pp.fd[0] < 0 || pp.fd[1] < 0)
		return;
	pp.ping = pp_kipc_ping;
	pp.pong = pp_kipc_pong;
	LINE(what, "kipc-mq", pingpong(&pp), rt);
	pp.tx = pp.peer_rx = pp.fd[0];
	pp.rx = pp.peer_tx = pp.fd[1];
	pp.ping = pp_rw_ping;
	pp.pong = pp_rw_pong;
	LINE(what, "kipc-rw", pingpong(&pp), rt);
	pp.ping = pp_rpc_ping;
	pp.pong = pp_rpc_pong;
	LINE(what, "kipc-rpc", pingpong(&pp), rt);
	close(pp.fd[0]);
	close(pp.fd[1]);
}

int main(int argc, char **argv)
{
	struct mq_attr attr = { .mq_maxmsg = 8, .mq_msgsize = SIZE };
	long long floor, pair, batch;
	int kfd, bfd, sysv, p[2];
	mqd_t q;

	if (argc > 1)
		rounds = atoi(argv[1]);
	if (rounds < 1 || rounds > 1024)
		rounds = 15;
	if (argc > 2)
		only = argv[2];
	setvbuf(stdout, NULL, _IOLBF, 0);
	kfd = kipc_queue("cost", 8, KIPC_OVERFLOW_FAIL);
	bfd = kipc_queue("cost-batch", BATCH, KIPC_OVERFLOW_FAIL);
	q = mq_open("/kipc-cost", O_RDWR | O_CREAT | O_NONBLOCK, 0600, &attr);
	sysv = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (kfd < 0 || bfd < 0 || q == (mqd_t)-1 || sysv < 0 || pipe(p)) {
		perror("kipc-cost: setting up");
		return 1;
	}
	mq_unlink("/kipc-cost");

	printf("kipc-cost: per operation, guest ns (instructions under icount), median of %d\n",
	       rounds);
	printf("%-14s %-12s %8s  %s\n", "what", "mechanism", "cost", "ratio");
	floor = COST("floor", "getppid", measure(op_getppid, NULL, 1));
	row("floor", "getppid", floor, 0);
	LINE("floor", "kipc-enotty", measure(op_kipc_enotty, &kfd, 1), floor);
	LINE("empty", "kipc-recv", measure(op_kipc_empty, &kfd, 1), floor);

	pair = COST("pair", "pipe", measure(op_pipe_pair, p, 1));
	row("pair", "pipe", pair, 0);
	LINE("pair", "posix-mq", measure(op_posix_pair, &q, 1), pair);
	LINE("pair", "sysv-msg", measure(op_sysv_pair, &sysv, 1), pair);
	LINE("pair", "kipc-mq", measure(op_kipc_pair, &kfd, 1), pair);
	fcntl(kfd, F_SETFL, O_NONBLOCK);
	LINE("pair", "kipc-rw", measure(op_kipc_rw_pair, &kfd, 1), pair);

	batch = COST("batch", "pipe-writev", measure(op_pipe_batch, p, BATCH));
	row("batch", "pipe-writev", batch, 0);
	LINE("batch", "kipc-mq", measure(op_kipc_batch, &bfd, BATCH), batch);
	close(kfd);
	close(bfd);
	mq_close(q);
	msgctl(sysv, IPC_RMID, NULL);
	close(p[0]);
	close(p[1]);

	/*
	 * On one CPU a ping-pong runs in one of two scheduler regimes: the wake-up preempts the
	 * waker (which then finds its reply already there, and never sleeps), or it does not.
	 * Where the scheduler lets us (CFS's wakeup granularity, until 6.6), each line is
	 * measured in both, pinned; elsewhere in whichever comes.
	 */
	for (int regime = 0; regime < 2; regime++) {
		if (set_regime(regime) < 0 && regime)
			break;
		pingpongs();
	}
	set_regime(-1);
	return failed;
}
