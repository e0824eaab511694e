// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: random sequences of kipc operations from several processes at once.
 *
 *   kipc-fuzz --seed N --ops M [--procs P] [--verbose]
 *
 * P workers (default 4) each run M/P operations on a small shared name space (8 names), so
 * that creates, destroys, sends, maps and closes collide.  The operations: open, dup, close,
 * create (MQ and SHM, random and invalid attributes), attach, destroy (plain and now), stat,
 * list, info, send, receive, batch send and receive, call, read, write, mmap, munmap,
 * mprotect (and touching the mapped pages), notify, wait, poll, epoll, fork (the child runs a
 * few operations of its own, sometimes in a new IPC namespace, and exits) and, as root,
 * changing the module's limits in sysfs.  Arguments are valid most of the time and otherwise
 * wrong in the ways the ABI defines: struct sizes one byte short or with a non-zero tail,
 * unknown flags, bad pointers (NULL, unmapped, read-only, kernel), lengths past the limits,
 * invalid names, the wrong channel type.  The last worker runs as nobody, so permission
 * checks are exercised too.
 *
 * Reproducible: each worker draws from its own stream, splitmix64 seeded from (seed, worker);
 * every operation draws the same number of values whatever happened before, so the same seed
 * gives every process the same sequence of operations and arguments.  The outcomes of course
 * depend on how the processes interleave.
 *
 * Never hangs: every call that could block has a timeout of at most 2 ms or does not block
 * (KIPC_MSG_NONBLOCK, O_NONBLOCK).  Each process re-arms alarm() before every operation, and
 * the parent kills a worker whose progress counter has not moved for 30 s, after printing
 * where it sleeps (/proc/PID/stack).
 *
 * Checks: every error must be one the ABI documents for that operation (a few are predicted
 * exactly: EBADF for a closed fd, EFAULT for a bad struct pointer, EINVAL for a struct one byte
 * short, E2BIG for a non-zero tail); every received message carries a valid self-checksum,
 * its length and priority; stat counters add up (sent >= received + dropped + depth, depth <=
 * max_msgs, no counter that looks underflowed); list answers are ordered and well-formed;
 * poll agrees with stat; the doorbell moves.  At the end, with every process gone and every
 * name destroyed, the module's debugfs state must show no channel, message or shared page
 * left.  Any failure prints the seed, the worker and the operation index.
 *
 * Exit: 0 when every check held, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kipc.h"
#include "kipc-vmprog.h"

#define NR_NAMES	8	/* the shared name space */
#define NR_SLOTS	8	/* fds per process */
#define NR_MAPS		8	/* mappings per process */
#define MAP_PAGES_MAX	16	/* tracked pages per mapping */
#define NR_CHILDREN	2	/* live children per worker */
#define CHILD_OPS_MAX	24
#define STUCK_SECONDS	30	/* the parent's watchdog */
#define ALARM_SECONDS	60	/* each process's own */
#define MAX_ERRNO	140
#define PG		4096UL
#define offsetofend(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

/* ---- The deterministic random stream ---------------------------------------------------- */

/* An operation's arguments: always the same number of draws, whatever the operation. */
#define NR_ARGS 24
struct args {
	uint64_t v[NR_ARGS];
	unsigned int next;
};

static uint32_t pick(struct args *a, uint32_t n)
{
	uint64_t v = a->v[a->next++ % NR_ARGS];

	return n ? (uint32_t)(v % n) : 0;
}

static uint64_t pick64(struct args *a)
{
	return a->v[a->next++ % NR_ARGS];
}

/* ---- Operations and their documented errors --------------------------------------------- */

enum op {
	OP_OPEN, OP_DUP, OP_CLOSE, OP_CREATE, OP_ATTACH, OP_DESTROY, OP_STAT, OP_LIST, OP_INFO,
	OP_SEND, OP_RECV, OP_SEND_BATCH, OP_RECV_BATCH, OP_CALL, OP_READ, OP_WRITE,
	OP_MMAP, OP_MUNMAP, OP_MPROTECT, OP_NOTIFY, OP_WAIT, OP_POLL, OP_EPOLL, OP_FORK,
	OP_PARAM, OP_MQ_NOTIFY, OP_NR
};

#define IOCTL_ERRS	EBADF, EINVAL, E2BIG, EOPNOTSUPP, EFAULT, ENOMEM
#define SEND_ERRS	ENOTCONN, EMSGSIZE, EAGAIN, ETIMEDOUT, EINTR, EIDRM, EDQUOT
#define RECV_ERRS	ENOTCONN, EMSGSIZE, EAGAIN, ETIMEDOUT, EINTR, EIDRM

/* Each list ends with 0.  These are the README's tables, nothing more. */
static const int errs_open[] = { EMFILE, ENFILE, ENOMEM, 0 };
static const int errs_dup[] = { EBADF, EMFILE, 0 };
static const int errs_close[] = { 0 };
static const int errs_create[] = { IOCTL_ERRS, EEXIST, ENOSPC, EMFILE, ENOBUFS, ERANGE, EBUSY,
				   EACCES, ENOENT, ENAMETOOLONG, EDQUOT, 0 };
static const int errs_attach[] = { IOCTL_ERRS, ENOENT, EACCES, EBUSY, ENAMETOOLONG, 0 };
static const int errs_destroy[] = { IOCTL_ERRS, ENOENT, EPERM, ENAMETOOLONG, 0 };
static const int errs_stat[] = { IOCTL_ERRS, ENOENT, ENOTCONN, EIDRM, ENAMETOOLONG, 0 };
static const int errs_list[] = { IOCTL_ERRS, 0 };
static const int errs_send[] = { IOCTL_ERRS, SEND_ERRS, 0 };
static const int errs_recv[] = { IOCTL_ERRS, RECV_ERRS, 0 };
static const int errs_batch[] = { IOCTL_ERRS, SEND_ERRS, 0 };
static const int errs_rbatch[] = { IOCTL_ERRS, RECV_ERRS, 0 };
static const int errs_call[] = { IOCTL_ERRS, SEND_ERRS, 0 };
static const int errs_read[] = { EBADF, EINVAL, EFAULT, ENOMEM, RECV_ERRS, 0 };
static const int errs_write[] = { EBADF, EINVAL, EFAULT, ENOMEM, SEND_ERRS, 0 };
static const int errs_mmap[] = { EBADF, ENOTCONN, ENODEV, EIDRM, EINVAL, EACCES, ENOMEM,
				 EOVERFLOW, 0 };
static const int errs_munmap[] = { EINVAL, 0 };
static const int errs_mprotect[] = { EACCES, ENOMEM, EINVAL, 0 };
static const int errs_notify[] = { IOCTL_ERRS, ENOTCONN, EIDRM, 0 };
static const int errs_wait[] = { IOCTL_ERRS, ENOTCONN, EIDRM, EAGAIN, ETIMEDOUT, EINTR, 0 };
static const int errs_mq_notify[] = { IOCTL_ERRS, ENOTCONN, EIDRM, EBUSY, 0 };
static const int errs_poll[] = { EINTR, ENOMEM, 0 };
static const int errs_epoll[] = { EBADF, EEXIST, ENOENT, ENOMEM, EINTR, 0 };
static const int errs_fork[] = { EAGAIN, ENOMEM, 0 };
static const int errs_param[] = { EACCES, EPERM, EINVAL, ERANGE, 0 };

/*
 * An ioctl whose struct is built at argpage, run by run_ioctl(): memset, fill, arg_variant(),
 * do_ioctl(), outcome(), check.  fill() makes the draws, chooses the fd (its return) and fills
 * the struct, recording in the context what check() will need; check(), if any, verifies what
 * came back, @whole when the struct was passed at argpage itself (not moved, read-only or bad).
 */
struct ioctl_ctx {
	int fd;			/* fill()'s choice (set by the runner) */
	int expect;		/* the errno arg_variant() predicts, or 0 (set by the runner) */
	struct slot *slot;	/* create, attach: the slot whose type hint a success sets */
	uint8_t *buf;		/* recv, call: the receive buffer; list: entries to read */
	uint32_t room;		/* the receive buffer's room, or each batch entry's */
	uint32_t count;		/* list, batches: the entries offered */
	uint32_t esize;		/* list, batches: the size of one */
	uint64_t seq;		/* wait: the doorbell value waited from */
};

struct ioctl_desc {
	unsigned long cmd;	/* KIPC_IOC_* */
	size_t size;		/* the struct's */
	size_t size_ver0;	/* KIPC_*_SIZE_VER0 */
	int (*fill)(struct args *a, void *arg, struct ioctl_ctx *cx);
	void (*check)(const void *arg, long ret, bool whole, const struct ioctl_ctx *cx);
};

/* An operation: a plain function, or an ioctl for run_ioctl(). */
struct op_desc {
	const char *name;
	unsigned int weight;		/* out of the sum of all; children never fork */
	const int *errs;		/* the documented errors, ending with 0 */
	void (*fn)(struct args *a);
	const struct ioctl_desc *ioctl;
};

/* The table is in the driver's section, after the operations. */
static const struct op_desc op_table[OP_NR];

/* ---- Shared counters (MAP_SHARED, so children and workers add to the same ones) --------- */

struct worker_stats {
	uint64_t progress;		/* operations started, by the worker and its children */
	uint64_t ops;			/* the worker's own */
	uint64_t child_ops;
	uint64_t forks;
	uint64_t failures;
	uint64_t msgs_checked;
	int32_t pid;
	uint32_t cur_op;		/* the worker's current operation index and kind */
	uint32_t cur_kind;
	uint64_t done[OP_NR];		/* calls that succeeded */
	uint64_t tried[OP_NR];
	uint32_t err[OP_NR][MAX_ERRNO];
};

static struct worker_stats *stats;	/* [procs] */
static uint64_t g_seed;
static unsigned int g_procs = 4;
static bool g_verbose;

/* This process's identity, for messages. */
static struct {
	unsigned int worker;
	bool child;
	uint64_t op;			/* operation index in this process's sequence */
	enum op kind;
	struct worker_stats *st;
	bool root;
} me;

static void add(uint64_t *p, uint64_t v)
{
	__atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "FAIL seed=%" PRIu64 " worker=%u%s op=%" PRIu64 " (%s): ",
		     g_seed, me.worker, me.child ? " (child)" : "", me.op, op_table[me.kind].name);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	/* One write, so lines from different processes do not interleave. */
	dprintf(STDOUT_FILENO, "%s\n", line);
	add(&me.st->failures, 1);
}

/* The errno's symbolic name (glibc's table), or its number. */
static const char *errname(int e)
{
	static char buf[24];
	const char *name = strerrorname_np(e);

	if (name)
		return name;
	snprintf(buf, sizeof(buf), "errno %d", e);
	return buf;
}

/*
 * Count the outcome of one call and check it.  @ret < 0 is -errno.  @expect, when non-zero,
 * is the one errno this call must fail with.
 */
static void outcome(enum op kind, long ret, int expect)
{
	const int *e;
	int err;

	if (ret >= 0) {
		add(&me.st->done[kind], 1);
		if (expect)
			fail("succeeded, expected %s", errname(expect));
		return;
	}
	err = (int)-ret;
	if (err < MAX_ERRNO)
		__atomic_fetch_add(&me.st->err[kind][err], 1, __ATOMIC_RELAXED);
	if (expect) {
		if (err != expect)
			fail("%s, expected %s", errname(err), errname(expect));
		return;
	}
	for (e = op_table[kind].errs; *e; e++)
		if (*e == err)
			return;
	fail("undocumented error %s", errname(err));
}

/* ---- Per-process state ------------------------------------------------------------------ */

/*
 * @type is a hint: what this process last attached the fd to (children may attach a shared
 * file behind its back).  It only steers which fd an operation picks, never a check.
 */
struct slot {
	int fd;
	bool nonblock;
	uint32_t type;
};

struct map {
	char *addr;
	unsigned int pages;
	signed char prot[MAP_PAGES_MAX];	/* -1: unmapped; else PROT_* known to hold */
};

static struct slot slots[NR_SLOTS];
static struct map maps[NR_MAPS];
static int epfd = -1;
static pid_t children[NR_CHILDREN];

/* Memory for arguments: a struct area, message buffers and the bad pointers. */
static uint8_t *argpage;		/* 1 page, read-write */
static uint8_t *argpage_ro;		/* the same memory, read-only (a second view of a memfd) */
static uint8_t *nopage;			/* PROT_NONE */
static uint8_t *ropage;			/* read-only, holds a valid 256-byte message */
static uint8_t *sendbuf;		/* 72 KiB */
static uint8_t *recvbuf;		/* 72 KiB, followed by the PROT_NONE page */
static uint8_t *rbatch_bufs;		/* KIPC_BATCH_MAX x 256 bytes */
static uint8_t *vecbuf;			/* KIPC_BATCH_MAX x 32 bytes */
#define BIG_BUF		(72 * 1024)
#define KERNEL_PTR	((void *)0xffffffff81000000UL)
#define NEVER_MAPPED	((void *)0x1000UL)	/* below mmap_min_addr: nothing is ever there */

static const char *const names[NR_NAMES] = {
	"fz-0", "fz-1", "fz-2", "fz-3", "fz-4", "fz.5", "fz:6@x",
	"fz-a-name-of-sixty-three-bytes-which-is-the-longest-allowed-abc",
};

/* A name: mostly from the pool, sometimes invalid in one of the ABI's ways. */
static void fill_name(char *dst, struct args *a)
{
	uint32_t v = pick(a, 100);

	memset(dst, 0, KIPC_NAME_MAX);
	if (v < 92) {
		strcpy(dst, names[v % NR_NAMES]);
		return;
	}
	switch (v) {
	case 92: case 93:
		break;				/* empty: EINVAL */
	case 94: case 95:
		memset(dst, 'x', KIPC_NAME_MAX);	/* no NUL: ENAMETOOLONG */
		break;
	case 96:
		strcpy(dst, "fz/0");		/* EINVAL */
		break;
	case 97:
		strcpy(dst, "fz\xc3\xa9");	/* not ASCII: EINVAL */
		break;
	case 98:
		strcpy(dst, "fz 0");
		break;
	default:
		dst[0] = '\n';
		break;
	}
}

/* ---- Messages that check themselves ------------------------------------------------------ */

#define MSG_MAGIC 0x6b697063u	/* "kipc" */
struct msg_hdr {
	uint32_t magic;
	uint32_t len;
	uint32_t prio;
	uint32_t sum;
};

static uint8_t short_byte(size_t i, size_t len)
{
	return (uint8_t)(0xa5 ^ (i * 29) ^ len);
}

/* Write a valid message of @len bytes at @buf: a header with a checksum, or a pattern. */
static void build_msg(uint8_t *buf, size_t len, uint32_t prio, uint64_t salt)
{
	struct msg_hdr h;
	size_t i;

	if (len < sizeof(h)) {
		for (i = 0; i < len; i++)
			buf[i] = short_byte(i, len);
		return;
	}
	for (i = sizeof(h); i < len; i++)
		buf[i] = (uint8_t)(salt + i * 7);
	h.magic = MSG_MAGIC;
	h.len = (uint32_t)len;
	h.prio = prio;
	h.sum = fnv1a(buf + sizeof(h), len - sizeof(h), fnv1a((uint8_t *)&h, 12, FNV1A_INIT));
	memcpy(buf, &h, sizeof(h));
}

/* A message that arrived: @len bytes with priority @prio (write(2) sends priority 0). */
#define ANY_PRIO 0xffffffffu	/* read(2) does not say */

static void check_msg(const uint8_t *buf, size_t len, uint32_t prio, const char *how)
{
	struct msg_hdr h;
	size_t i;

	add(&me.st->msgs_checked, 1);
	if (prio > KIPC_PRIO_MAX && prio != ANY_PRIO) {
		fail("%s: priority %u above KIPC_PRIO_MAX", how, prio);
		return;
	}
	if (len < sizeof(h)) {
		for (i = 0; i < len; i++)
			if (buf[i] != short_byte(i, len)) {
				fail("%s: short message of %zu bytes is corrupt at byte %zu", how,
				     len, i);
				return;
			}
		return;
	}
	memcpy(&h, buf, sizeof(h));
	if (h.magic != MSG_MAGIC || h.len != len) {
		fail("%s: message of %zu bytes has a bad header (magic %#x, len %u)", how, len,
		     h.magic, h.len);
		return;
	}
	if (h.sum != fnv1a(buf + sizeof(h), len - sizeof(h),
			   fnv1a((const uint8_t *)&h, 12, FNV1A_INIT)))
		fail("%s: message of %zu bytes fails its checksum", how, len);
	else if (h.prio != prio && prio != ANY_PRIO)
		fail("%s: message sent at priority %u arrived with priority %u", how, h.prio, prio);
}

/* ---- Picking fds and flags ---------------------------------------------------------------- */

/*
 * An fd for an operation on channels of @type (0: any).  One time in ten the slot drawn is
 * used as it is, empty or not; otherwise the first open slot from there, preferring one whose
 * hint is @type.  The draws are fixed; only the choice among them follows the state.
 */
static struct slot *pick_slot_for(struct args *a, uint32_t type)
{
	uint32_t start = pick(a, NR_SLOTS), raw = pick(a, 10), i;
	struct slot *any = NULL;

	if (!raw)
		return &slots[start];
	for (i = 0; i < NR_SLOTS; i++) {
		struct slot *s = &slots[(start + i) % NR_SLOTS];

		if (s->fd < 0)
			continue;
		if (!type || s->type == type)
			return s;
		if (!any)
			any = s;
	}
	return any ? any : &slots[start];
}

static int slot_fd_for(struct args *a, uint32_t type)
{
	return pick_slot_for(a, type)->fd;
}

static int slot_fd(struct args *a)
{
	return slot_fd_for(a, 0);
}

static struct slot *pick_slot(struct args *a)
{
	return &slots[pick(a, NR_SLOTS)];
}

/* Flags for a call that might wait: never "wait for ever". */
static uint32_t wait_flags(struct args *a, uint64_t *timeout_ns)
{
	uint32_t v = pick(a, 20);

	*timeout_ns = pick(a, 2000001);		/* up to 2 ms */
	if (v < 9)
		return KIPC_MSG_NONBLOCK;
	if (v < 18)
		return KIPC_MSG_TIMEOUT;
	if (v == 18)
		return KIPC_MSG_TIMEOUT | KIPC_MSG_NONBLOCK;
	return KIPC_MSG_NONBLOCK | 0x80;	/* unknown bit: EOPNOTSUPP before anything */
}

/*
 * The struct argument of an ioctl, built at argpage: where it lives and what size it claims.
 * Returns the pointer to pass and sets *@expect to the errno the call must give, if one is
 * certain (0 otherwise).  The struct's fields are filled by the caller first, at argpage.
 */
static void *arg_variant(struct args *a, int fd, size_t ksize, size_t min, int *expect)
{
	uint32_t v = pick(a, 100);
	uint32_t *size = (uint32_t *)argpage;

	*expect = 0;
	memset(argpage + ksize, 0, 64);
	*size = (uint32_t)ksize;
	if (fd < 0) {
		*expect = EBADF;
		return argpage;
	}
	if (v < 86)
		return argpage;
	switch (v) {
	case 86: case 87:
		*size = (uint32_t)min - 1;		/* one byte short */
		*expect = EINVAL;
		return argpage;
	case 88:
		*size = 0;
		*expect = EINVAL;
		return argpage;
	case 89: case 90:
		*size = (uint32_t)ksize + 24;		/* a longer struct, zero tail: fine */
		return argpage;
	case 91: case 92:
		*size = (uint32_t)ksize + 24;
		argpage[ksize + 1 + pick(a, 23)] = 0x5a;	/* non-zero tail */
		*expect = E2BIG;
		return argpage;
	case 93:
		/* A page (the most a size may be: more is E2BIG), running off into nothing. */
		*size = (uint32_t)PG;
		*expect = EFAULT;
		return argpage + PG - ksize;		/* (the struct is moved there below) */
	case 94:
		*expect = EFAULT;
		return NULL;
	case 95:
		*expect = EFAULT;
		return nopage;
	case 96:
		*expect = EFAULT;
		return KERNEL_PTR;
	default:
		return argpage_ro;			/* input fine, output cannot be written */
	}
}

/* Issue an ioctl whose struct is at argpage, through @p (see arg_variant). */
static long do_ioctl(int fd, unsigned long cmd, void *p, size_t ksize)
{
	if (p == argpage + PG - ksize)
		memmove(p, argpage, ksize);
	return ioctl(fd, cmd, p) < 0 ? -errno : 0;
}

/* ---- The operations ------------------------------------------------------------------------ */

static long stat_self(int fd, struct kipc_stat *st);

static uint32_t pick_access(struct args *a)
{
	uint32_t v = pick(a, 10);

	return v < 6 ? KIPC_ACCESS_READ | KIPC_ACCESS_WRITE : v < 8 ? KIPC_ACCESS_READ :
	       KIPC_ACCESS_WRITE;
}

/*
 * Open the device; half the time also create or open a pool channel with valid attributes and
 * attach to it, as kipc_mq_open() and kipc_shm_open() do.
 */
static void op_open(struct args *a)
{
	static const uint32_t depths[] = { 0, 4, 16 };
	static const uint64_t sizes[] = { 0, 4096, 8192, 65536 };
	struct slot *s = pick_slot(a);
	bool nb = pick(a, 2), attach = pick(a, 2);
	struct kipc_create c = { .size = sizeof(c) };
	int fd;

	c.type = pick(a, 2) ? KIPC_TYPE_MQ : KIPC_TYPE_SHM;
	c.mode = pick(a, 4) ? 0666 : 0600;
	c.access = pick_access(a);
	strcpy(c.name, names[pick(a, NR_NAMES)]);
	if (c.type == KIPC_TYPE_MQ) {
		c.max_msgs = depths[pick(a, 3)];
		c.overflow = pick(a, 3);
	} else {
		c.shm_size = sizes[pick(a, 4)];
	}
	if (s->fd >= 0)
		close(s->fd);
	fd = open(KIPC_DEVICE_PATH, O_RDWR | O_CLOEXEC | (nb ? O_NONBLOCK : 0));
	s->fd = fd;
	s->nonblock = nb;
	s->type = 0;
	outcome(OP_OPEN, fd < 0 ? -errno : 0, 0);
	if (fd < 0 || !attach)
		return;
	/* Counted as a create: its errors are the create's. */
	add(&me.st->tried[OP_CREATE], 1);
	me.kind = OP_CREATE;
	if (ioctl(fd, KIPC_IOC_CREATE, &c) == 0) {
		s->type = c.type;
		outcome(OP_CREATE, 0, 0);
	} else {
		outcome(OP_CREATE, -errno, 0);
	}
	me.kind = OP_OPEN;
}

static void op_dup(struct args *a)
{
	struct slot *from = pick_slot_for(a, 0), *to = pick_slot(a);
	int fd;

	if (from == to) {
		outcome(OP_DUP, 0, 0);
		return;
	}
	if (to->fd >= 0)
		close(to->fd);
	fd = from->fd >= 0 ? fcntl(from->fd, F_DUPFD_CLOEXEC, 0) : -1;
	if (from->fd < 0)
		errno = EBADF;
	to->fd = fd;
	to->nonblock = from->nonblock;
	to->type = from->type;
	outcome(OP_DUP, fd < 0 ? -errno : 0, from->fd < 0 ? EBADF : 0);
}

static void op_close(struct args *a)
{
	struct slot *s = pick_slot(a);

	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	outcome(OP_CLOSE, 0, 0);
}

static const uint32_t msgs_choices[] = { 0, 1, 4, 16, 64, 4096, 4097 };
static const uint32_t msgsize_choices[] = { 0, 16, 256, 4096, 65536, 1 << 20, (1 << 20) + 1 };
static const uint64_t shmsize_choices[] = { 0, 1, 4096, 8192, 12288, 65536, 64ULL << 20,
					    (64ULL << 20) + 1, ~0ULL };

static int fill_create(struct args *a, void *arg, struct ioctl_ctx *cx)
{
	struct kipc_create *c = arg;
	uint32_t v;

	cx->slot = pick_slot_for(a, 0);
	v = pick(a, 100);
	c->type = pick(a, 10) ? (pick(a, 2) ? KIPC_TYPE_MQ : KIPC_TYPE_SHM) : pick(a, 4);
	c->flags = pick(a, 3) ? 0 : KIPC_CREATE_EXCL;
	if (!pick(a, 4))
		c->flags |= KIPC_CREATE_AUTODESTROY;
	if (!pick(a, 6))
		c->flags |= KIPC_CREATE_RLIMIT;
	c->mode = pick(a, 4) ? 0666 : (pick(a, 2) ? 0600 : 0644);
	c->access = pick(a, 8) ? pick_access(a) : pick(a, 6);	/* 0 and 4, 5 are odd */
	fill_name(c->name, a);
	if (c->type == KIPC_TYPE_SHM) {
		c->shm_size = shmsize_choices[pick(a, 9)];
	} else {
		c->max_msgs = msgs_choices[pick(a, 7)];
		c->max_msg_size = msgsize_choices[pick(a, 7)];
		c->overflow = pick(a, 7);	/* 3..6 unknown */
		if (c->overflow > 2 && pick(a, 2))
			c->overflow = 0;
	}
	/* The odd ones out: flags, mode, queue attributes on SHM, id or created set. */
	if (v < 3)
		c->flags |= 0x100;
	else if (v < 5)
		c->mode = 01777;
	else if (v < 7)
		c->max_msgs = 8;
	else if (v < 8)
		c->id = 1;
	return cx->slot->fd;
}

static void check_create(const void *arg, long ret, bool whole, const struct ioctl_ctx *cx)
{
	const struct kipc_create *c = arg;

	if (ret || !whole)
		return;
	if (c->access)
		cx->slot->type = c->type;
	if (c->created > 1)
		fail("create: created = %u", c->created);
	if (!c->id)
		fail("create: id 0");
}

static int fill_attach(struct args *a, void *arg, struct ioctl_ctx *cx)
{
	struct kipc_attach *at = arg;

	cx->slot = pick_slot_for(a, 0);
	at->access = pick(a, 10) ? pick_access(a) : pick(a, 8);
	fill_name(at->name, a);
	if (!pick(a, 40))
		at->flags = 1;
	if (!pick(a, 40))
		at->id = 7;
	return cx->slot->fd;
}

static void check_attach(const void *arg, long ret, bool whole, const struct ioctl_ctx *cx)
{
	struct kipc_stat st;

	(void)arg;
	(void)whole;
	/* What did we attach to?  (An fd attaches once: this cannot change.) */
	if (!ret && !stat_self(cx->fd, &st))
		cx->slot->type = st.type;
}

static int fill_destroy(struct args *a, void *arg, struct ioctl_ctx *cx)
{
	struct kipc_destroy *d = arg;
	int fd = slot_fd(a);
	uint32_t v = pick(a, 20);

	(void)cx;
	d->flags = v < 12 ? 0 : v < 19 ? KIPC_DESTROY_NOW : 0x2;
	fill_name(d->name, a);
	return fd;
}

/* Counters that can only come from an underflow or a leak. */
#define ABSURD 1000000u

static void check_stat_fields(const struct kipc_stat *st, const char *how)
{
	if (st->type != KIPC_TYPE_MQ && st->type != KIPC_TYPE_SHM)
		fail("%s: type %u", how, st->type);
	if (st->attachments > ABSURD)
		fail("%s: attachments %u (underflow?)", how, st->attachments);
	if (!memchr(st->name, 0, KIPC_NAME_MAX))
		fail("%s: name not terminated", how);
	if (st->__reserved2)
		fail("%s: reserved field not zero", how);
	if (st->access & ~(KIPC_ACCESS_READ | KIPC_ACCESS_WRITE))
		fail("%s: access %#x", how, st->access);
	if (!(st->flags & KIPC_STAT_SELF) && st->access)
		fail("%s: access %#x by name", how, st->access);
	if (st->type == KIPC_TYPE_MQ) {
		if (st->sent < st->received + st->dropped + st->depth)
			fail("%s: sent %llu < received %llu + dropped %llu + depth %u", how,
			     (unsigned long long)st->sent, (unsigned long long)st->received,
			     (unsigned long long)st->dropped, st->depth);
		if (st->depth > st->max_msgs)
			fail("%s: depth %u above max_msgs %u", how, st->depth, st->max_msgs);
		if (st->depth == 0 && st->bytes)
			fail("%s: empty queue holds %llu bytes", how, (unsigned long long)st->bytes);
		if (st->bytes > (uint64_t)st->depth * st->max_msg_size)
			fail("%s: %llu bytes in %u messages of at most %u", how,
			     (unsigned long long)st->bytes, st->depth, st->max_msg_size);
		if (st->shm_size || st->mappings || st->doorbell)
			fail("%s: MQ channel with SHM fields", how);
	} else {
		if (!st->shm_size || st->shm_size % PG)
			fail("%s: shm_size %llu", how, (unsigned long long)st->shm_size);
		if (st->mappings > ABSURD)
			fail("%s: mappings %u (underflow?)", how, st->mappings);
		if (st->depth || st->sent || st->max_msgs)
			fail("%s: SHM channel with queue fields", how);
	}
}

static int fill_stat(struct args *a, void *arg, struct ioctl_ctx *cx)
{
	struct kipc_stat *st = arg;
	int fd = slot_fd(a);

	(void)cx;
	st->flags = pick(a, 2) ? KIPC_STAT_SELF : 0;
	if (!pick(a, 30))
		st->flags |= 0x10;
	fill_name(st->name, a);
	return fd;
}

static void check_stat(const void *arg, long ret, bool whole, const struct ioctl_ctx *cx)
{
	const struct kipc_stat *st = arg;

	(void)cx;
	if (!ret && whole && st->size >= sizeof(*st))
		check_stat_fields(st, "stat");
}

static int fill_list(struct args *a, void *arg, struct ioctl_ctx *cx)
{
	static const uint32_t counts[] = { 0, 1, 3, 8, 64 };
	static const uint32_t esizes[] = { sizeof(struct kipc_list_entry),
		KIPC_LIST_ENTRY_SIZE_VER0, KIPC_LIST_ENTRY_SIZE_VER0 - 1,
		sizeof(struct kipc_list_entry) + 8, PG + 1 };
	struct kipc_list *l = arg;
	int fd = slot_fd(a);
	uint32_t where = pick(a, 20);

	l->count = cx->count = counts[pick(a, 5)];
	l->entry_size = cx->esize = esizes[pick(a, 5)];
	cx->buf = where < 17 ? recvbuf : NULL;		/* the others are not ours to read */
	l->entries = (uintptr_t)(where < 17 ? recvbuf : where == 17 ? NULL :
				 where == 18 ? ropage : (uint8_t *)KERNEL_PTR);
	if (!pick(a, 40))
		l->__reserved = 1;
	return fd;
}

static void check_list(const void *arg, long ret, bool whole, const struct ioctl_ctx *cx)
{
	const struct kipc_list *l = arg;
	const uint8_t *entries = cx->buf;
	uint32_t count = cx->count, esize = cx->esize, i, prev = 0;

	if (ret || !whole || !entries)
		return;
	if (l->count > count || l->count > l->total)
		fail("list: count %u of room %u, total %u", l->count, count, l->total);
	for (i = 0; i < l->count && i < count; i++) {
		struct kipc_list_entry e = { 0 };

		memcpy(&e, entries + (size_t)i * esize, esize < sizeof(e) ? esize : sizeof(e));
		if (!memchr(e.name, 0, KIPC_NAME_MAX) || !e.name[0])
			fail("list: entry %u has a bad name", i);
		if (e.id <= prev)
			fail("list: entry %u id %u after %u (not in id order)", i, e.id, prev);
		prev = e.id;
		if (esize >= offsetofend(struct kipc_list_entry, type) &&
		    e.type != KIPC_TYPE_MQ && e.type != KIPC_TYPE_SHM)
			fail("list: entry %u type %u", i, e.type);
		if (esize > sizeof(e)) {
			const uint8_t *tail = entries + (size_t)i * esize + sizeof(e);
			uint32_t k;

			for (k = 0; k < esize - sizeof(e); k++)
				if (tail[k])
					fail("list: entry %u: bytes past the kernel's entry not zeroed",
					     i);
		}
	}
}

static int fill_info(struct args *a, void *arg, struct ioctl_ctx *cx)
{
	struct kipc_info *in = arg;
	int fd = slot_fd(a);

	(void)cx;
	if (!pick(a, 20))
		in->flags = 1;
	return fd;
}

static void check_info(const void *arg, long ret, bool whole, const struct ioctl_ctx *cx)
{
	const struct kipc_info *in = arg;

	(void)cx;
	if (ret || !whole || in->size < sizeof(*in))
		return;
	if (in->abi_version != KIPC_ABI_VERSION)
		fail("info: abi %u", in->abi_version);
	if ((in->features & (KIPC_FEATURE_MQ | KIPC_FEATURE_SHM)) !=
	    (KIPC_FEATURE_MQ | KIPC_FEATURE_SHM))
		fail("info: features %#llx", (unsigned long long)in->features);
}

/* A send buffer: mostly a valid message; sometimes a bad pointer or an absurd length. */
static const void *send_payload(struct args *a, uint32_t *len, uint32_t *prio)
{
	static const uint32_t lens[] = { 0, 1, 15, 16, 17, 100, 256, 1000, 4096, 8000, 65536,
					 65537, 70000 };
	uint32_t v = pick(a, 100);
	uint8_t *buf = sendbuf + (v & 1);	/* misaligned half the time: must not matter */
	uint64_t salt = pick64(a);

	*len = lens[pick(a, 13)];
	if (*len > 4096 && pick(a, 3))
		*len = 64 + (uint32_t)(salt % 200);
	if (v < 90) {
		build_msg(buf, *len, *prio, salt);
		return buf;
	}
	switch (v) {
	case 90: case 91:
		/* Sending needs only read access; ropage holds a message of priority 0. */
		if (*prio <= KIPC_PRIO_MAX)
			*prio = 0;
		*len = 256;
		return ropage;
	case 92:
		*len = 0xffffffffu;			/* EMSGSIZE before anything is read */
		return buf;
	case 93:
		*len = 64;
		return NULL;
	case 94:
		*len = 64;
		return KERNEL_PTR;
	case 95: case 96:
		/* Runs into the PROT_NONE page after recvbuf. */
		*len = 512;
		return recvbuf + BIG_BUF - 100;
	default:
		build_msg(buf, *len, *prio, salt);
		return buf;
	}
}

static uint32_t pick_prio(struct args *a)
{
	uint32_t v = pick(a, 50);

	if (v == 0)
		return KIPC_PRIO_MAX + 1;		/* EINVAL */
	if (v == 1)
		return 0xffffffffu;
	if (v == 2)
		return KIPC_PRIO_MAX;
	return v % 4;
}

static int fill_send(struct args *a, void *arg, struct ioctl_ctx *cx)
{
	struct kipc_msg *m = arg;
	int fd = slot_fd_for(a, KIPC_TYPE_MQ);
	uint32_t prio = pick_prio(a), len;
	uint64_t timeout;

	(void)cx;
	m->flags = wait_flags(a, &timeout);
	m->timeout_ns = timeout;
	m->buf = (uintptr_t)send_payload(a, &len, &prio);
	m->len = len;
	m->priority = prio;
	return fd;
}

/* A receive buffer of some room; sometimes one that cannot be written. */
static uint8_t *recv_room(struct args *a, uint32_t *room)
{
	static const uint32_t rooms[] = { 0, 8, 16, 100, 300, 4096, 65536, BIG_BUF };
	uint32_t v = pick(a, 100);

	*room = rooms[pick(a, 8)];
	if (v < 92)
		return recvbuf + BIG_BUF - *room;	/* flush with the PROT_NONE page */
	if (v < 95)
		return ropage;				/* EFAULT: the message stays queued */
	if (v < 97)
		return NULL;
	if (v < 98)
		return KERNEL_PTR;
	return nopage;
}

static bool writable_buf(const uint8_t *b)
{
	return b && b != ropage && b != nopage && b != (uint8_t *)KERNEL_PTR;
}

static int fill_recv(struct args *a, void *arg, struct ioctl_ctx *cx)
{
	struct kipc_msg *m = arg;
	int fd = slot_fd_for(a, KIPC_TYPE_MQ);
	uint64_t timeout;

	m->flags = wait_flags(a, &timeout);
	m->timeout_ns = timeout;
	cx->buf = recv_room(a, &cx->room);
	m->buf = (uintptr_t)cx->buf;
	m->len = cx->room;
	m->priority = 12345;
	return fd;
}

static void check_recv(const void *arg, long ret, bool whole, const struct ioctl_ctx *cx)
{
	const struct kipc_msg *m = arg;

	if (!whole)
		return;
	if (!ret) {
		if (m->len > cx->room)
			fail("recv: %u bytes into a buffer of %u", m->len, cx->room);
		else if (writable_buf(cx->buf))
			check_msg(cx->buf, m->len, m->priority, "recv");
		else if (m->len)
			fail("recv: %u bytes into an unwritable buffer succeeded", m->len);
	} else if (ret == -EMSGSIZE && m->len <= cx->room) {
		fail("recv: EMSGSIZE but needs %u of %u", m->len, cx->room);
	}
}

static const uint32_t batch_counts[] = { 1, 2, 3, 8, 16, 1, 4, KIPC_BATCH_MAX, 0,
					 KIPC_BATCH_MAX + 1 };
static const uint32_t vec_sizes[] = { sizeof(struct kipc_msg_vec), sizeof(struct kipc_msg_vec),
				      sizeof(struct kipc_msg_vec), 16, 15, 32, 32, PG + 8 };

/*
 * The start of a batch: its shape (how many entries, each how big, recorded in @cx and the
 * struct) and which entry goes wrong how (the return, used by the caller).
 */
static uint32_t batch_shape(struct args *a, struct kipc_batch *b, struct ioctl_ctx *cx)
{
	b->count = cx->count = batch_counts[pick(a, 10)];
	b->vec_size = cx->esize = vec_sizes[pick(a, 8)];
	return pick(a, 8);
}

/* The fd and the wait of a batch, after the caller's own draw. */
static int batch_wait(struct args *a, struct kipc_batch *b)
{
	int fd = slot_fd_for(a, KIPC_TYPE_MQ);
	uint64_t timeout;

	b->flags = wait_flags(a, &timeout);
	b->timeout_ns = timeout;
	return fd;
}

/* Entry @i of the batch's vector at vecbuf. */
static struct kipc_msg_vec *batch_vec(const struct ioctl_ctx *cx, uint32_t i)
{
	return (struct kipc_msg_vec *)(vecbuf + (size_t)i * cx->esize);
}

/* How many entries of the vector to build at vecbuf (cleared): all, or none if it does not fit. */
static uint32_t batch_vecs(const struct ioctl_ctx *cx)
{
	if (cx->esize > 32 || cx->count > KIPC_BATCH_MAX)
		return 0;
	memset(vecbuf, 0, (size_t)cx->count * cx->esize);
	return cx->count;
}

static int fill_send_batch(struct args *a, void *arg, struct ioctl_ctx *cx)
{
	struct kipc_batch *b = arg;
	uint32_t tail = batch_shape(a, b, cx), count = cx->count, vsize = cx->esize, i, n, len;
	uint32_t prio = pick_prio(a), vprio = prio % (KIPC_PRIO_MAX + 1);
	int fd = batch_wait(a, b);
	const void *buf = send_payload(a, &len, &vprio);

	for (i = 0, n = batch_vecs(cx); i < n; i++) {
		struct kipc_msg_vec *v = batch_vec(cx, i);

		v->buf = (uintptr_t)buf;
		v->len = len;
		/* The same message each time: its header names one priority. */
		v->priority = vprio;
		if (i == 0 && prio > KIPC_PRIO_MAX)
			v->priority = prio;
		if (vsize >= 24 && tail == 0 && i == count / 2)
			v->__reserved = 1;		/* EINVAL at this entry */
		if (vsize == 32 && tail == 1 && i == count - 1)
			vecbuf[(size_t)i * vsize + 28] = 1;	/* E2BIG there */
	}
	b->vec = (uintptr_t)(tail == 2 && count < 8 ? (uint8_t *)KERNEL_PTR : vecbuf);
	if (!pick(a, 40))
		b->__reserved = 1;
	return fd;
}

static void check_send_batch(const void *arg, long ret, bool whole, const struct ioctl_ctx *cx)
{
	const struct kipc_batch *b = arg;

	if (!ret && whole && (b->done == 0 || b->done > cx->count))
		fail("send_batch: done %u of %u on success", b->done, cx->count);
}

static int fill_recv_batch(struct args *a, void *arg, struct ioctl_ctx *cx)
{
	struct kipc_batch *b = arg;
	uint32_t tail = batch_shape(a, b, cx), count = cx->count, vsize = cx->esize, i, n;
	uint32_t room = cx->room = pick(a, 3) ? 256 : 20;
	int fd = batch_wait(a, b);

	for (i = 0, n = batch_vecs(cx); i < n; i++) {
		struct kipc_msg_vec *v = batch_vec(cx, i);

		v->buf = (uintptr_t)(rbatch_bufs + (size_t)i * 256);
		v->len = room;
		v->priority = 99999;
		if (tail == 0 && i == count - 1 && count > 1)
			v->buf = (uintptr_t)ropage;	/* EFAULT at the last entry */
		if (tail == 1 && vsize >= 24 && i == count / 2)
			v->__reserved = 1;
	}
	b->vec = (uintptr_t)(tail == 2 && count < 8 ? (uint8_t *)nopage : vecbuf);
	return fd;
}

static void check_recv_batch(const void *arg, long ret, bool whole, const struct ioctl_ctx *cx)
{
	const struct kipc_batch *b = arg;
	uint32_t i;

	if (ret || !whole)
		return;
	if (b->done == 0 || b->done > cx->count) {
		fail("recv_batch: done %u of %u on success", b->done, cx->count);
		return;
	}
	for (i = 0; i < b->done; i++) {
		const struct kipc_msg_vec *v = batch_vec(cx, i);

		if (v->len > cx->room)
			fail("recv_batch: entry %u: %u bytes in %u", i, v->len, cx->room);
		else if ((uint8_t *)(uintptr_t)v->buf != ropage)
			check_msg(rbatch_bufs + (size_t)i * 256, v->len, v->priority, "recv_batch");
	}
}

static int fill_call(struct args *a, void *arg, struct ioctl_ctx *cx)
{
	struct kipc_call *c = arg;
	int fd = slot_fd_for(a, KIPC_TYPE_MQ);
	uint32_t prio = pick_prio(a), len, r = pick(a, 20);
	uint64_t timeout;

	c->flags = wait_flags(a, &timeout);
	c->timeout_ns = timeout;
	c->req_buf = (uintptr_t)send_payload(a, &len, &prio);
	c->req_len = len;
	c->req_priority = prio;
	cx->buf = recv_room(a, &cx->room);
	c->reply_fd = (uint32_t)(r < 16 ? slot_fd_for(a, KIPC_TYPE_MQ) : r < 18 ? STDIN_FILENO :
				 r < 19 ? 9999 : -1);
	c->reply_buf = (uintptr_t)cx->buf;
	c->reply_len = cx->room;
	c->sent = 77;
	return fd;
}

static void check_call(const void *arg, long ret, bool whole, const struct ioctl_ctx *cx)
{
	const struct kipc_call *c = arg;

	if (!whole)
		return;
	if (!ret) {
		/* (do_ioctl() makes KIPC_SEND_DROPPED a 0: a DROP queue dropped the request.) */
		if (c->sent == 0 && c->reply_len == 0)
			return;
		if (c->sent != 1)
			fail("call: succeeded with sent = %u", c->sent);
		if (c->reply_len > cx->room)
			fail("call: reply of %u bytes in %u", c->reply_len, cx->room);
		else if (writable_buf(cx->buf))
			check_msg(cx->buf, c->reply_len, c->reply_priority, "call reply");
	} else if (c->sent > 1 && ret != -EOPNOTSUPP && !cx->expect) {
		fail("call: sent = %u after %s", c->sent, errname((int)-ret));
	}
}

/* read(2)/write(2) only on O_NONBLOCK fds: on the others they could wait for ever. */
static void op_read(struct args *a)
{
	struct slot *s = pick_slot_for(a, pick(a, 3));
	uint32_t room;
	uint8_t *buf = recv_room(a, &room);
	ssize_t n;

	if (s->fd < 0 || !s->nonblock)
		return;
	n = read(s->fd, buf, room);
	outcome(OP_READ, n < 0 ? -errno : 0, 0);
	if (n > 0 && (size_t)n > room)
		fail("read: %zd bytes in %u", n, room);
	/* An SHM fd returns 8 bytes of doorbell: any other length is a message. */
	else if (n >= 0 && n != 8 && writable_buf(buf))
		check_msg(buf, (size_t)n, ANY_PRIO, "read");
}

static void op_write(struct args *a)
{
	struct slot *s = pick_slot_for(a, pick(a, 3));
	uint32_t len, prio = 0;
	const void *buf = send_payload(a, &len, &prio);
	ssize_t n;

	if (s->fd < 0 || !s->nonblock)
		return;
	if (pick(a, 4) == 0 && len != 8) {
		len = 8;			/* the doorbell's size, and a valid message */
		buf = sendbuf;
		build_msg(sendbuf, len, 0, 0);
	}
	n = write(s->fd, buf, len);
	outcome(OP_WRITE, n < 0 ? -errno : 0, 0);
	if (n >= 0 && (size_t)n != len)
		fail("write: %zd of %u bytes", n, len);
}

/* ---- Mappings ------------------------------------------------------------------------------ */

static void touch(struct map *m)
{
	unsigned int i;

	for (i = 0; i < m->pages; i++) {
		volatile uint8_t *b = (volatile uint8_t *)m->addr + i * PG;

		if (m->prot[i] < 0)
			continue;
		if (m->prot[i] & PROT_WRITE)
			b[me.worker * 8] = (uint8_t)me.op;
		else if (m->prot[i] & PROT_READ)
			(void)b[me.worker * 8];
	}
}

/*
 * Unmap what is left of @m, run by run: never the whole original range, since a later mmap
 * may have been placed in a hole an earlier partial munmap left, and belong to another entry.
 */
static int map_release(struct map *m)
{
	unsigned int i, j;
	int ret = 0;

	for (i = 0; m->addr && i < m->pages; i = j) {
		for (; i < m->pages && m->prot[i] < 0; i++)
			;
		for (j = i; j < m->pages && m->prot[j] >= 0; j++)
			;
		if (j > i && munmap(m->addr + (size_t)i * PG, (size_t)(j - i) * PG))
			ret = -errno;
	}
	memset(m, 0, sizeof(*m));
	return ret;
}

static void op_mmap(struct args *a)
{
	static const int prots[] = { PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE,
				     PROT_WRITE, PROT_NONE, PROT_READ | PROT_EXEC };
	static const uint32_t lens[] = { 1, 1, 1, 1, 2, 3, 16, 17, 0 };
	static const uint32_t offs[] = { 0, 0, 0, 0, 0, 1, 2, 15, 1u << 20 };
	struct map *m = &maps[pick(a, NR_MAPS)];
	int fd = slot_fd_for(a, KIPC_TYPE_SHM), prot = prots[pick(a, 6)];
	uint32_t pages = lens[pick(a, 9)], off = offs[pick(a, 9)], i;
	int flags = pick(a, 12) ? MAP_SHARED : MAP_PRIVATE;
	void *addr;

	map_release(m);
	addr = mmap(NULL, (size_t)pages * PG, prot, flags, fd, (off_t)off * PG);
	outcome(OP_MMAP, addr == MAP_FAILED ? -errno : 0, 0);
	if (addr == MAP_FAILED)
		return;
	if (flags == MAP_PRIVATE)
		fail("mmap: MAP_PRIVATE succeeded");
	if (pages > MAP_PAGES_MAX) {
		munmap(addr, (size_t)pages * PG);
		return;
	}
	m->addr = addr;
	m->pages = pages;
	for (i = 0; i < pages; i++)
		m->prot[i] = (signed char)prot;
	touch(m);
}

static void op_munmap(struct args *a)
{
	struct map *m = &maps[pick(a, NR_MAPS)];
	uint32_t how = pick(a, 4), i;
	int ret;

	if (!m->addr) {
		/* Nothing of ours there: unmapping a hole is fine. */
		outcome(OP_MUNMAP, munmap(NEVER_MAPPED, PG) ? -errno : 0, 0);
		return;
	}
	if (how == 0 || m->pages == 1) {
		outcome(OP_MUNMAP, map_release(m), 0);
		return;
	}
	/* One page out of the middle (or an end): the VMA splits. */
	i = pick(a, m->pages);
	if (m->prot[i] < 0)
		return;
	ret = munmap(m->addr + (size_t)i * PG, PG);
	outcome(OP_MUNMAP, ret ? -errno : 0, 0);
	if (!ret)
		m->prot[i] = -1;
	touch(m);
}

static void op_mprotect(struct args *a)
{
	static const int prots[] = { PROT_READ, PROT_READ | PROT_WRITE, PROT_NONE, PROT_WRITE };
	struct map *m = &maps[pick(a, NR_MAPS)];
	int prot = prots[pick(a, 4)];
	uint32_t first = pick(a, 2), i, j, n;
	int ret;

	if (!m->addr)
		return;
	n = first ? 1 : m->pages;
	if (m->prot[0] < 0) {
		/* Protecting what is not mapped: ENOMEM. */
		ret = mprotect(NEVER_MAPPED, PG, prot);
		outcome(OP_MPROTECT, ret ? -errno : 0, ENOMEM);
		return;
	}
	/* Run by run, as map_release(): a hole may hold another entry's mapping by now. */
	for (i = 0, ret = 0; i < n && !ret; i = j) {
		for (; i < n && m->prot[i] < 0; i++)
			;
		for (j = i; j < n && m->prot[j] >= 0; j++)
			;
		if (j > i && mprotect(m->addr + (size_t)i * PG, (size_t)(j - i) * PG, prot))
			ret = -errno;
	}
	outcome(OP_MPROTECT, ret, 0);
	for (i = 0; i < n; i++) {
		if (m->prot[i] < 0)
			continue;
		/* A failure may have changed part of the range: touch none of it. */
		m->prot[i] = (signed char)(ret ? PROT_NONE : prot);
	}
	touch(m);
}

/* ---- The doorbell ---------------------------------------------------------------------------- */

static int fill_notify(struct args *a, void *arg, struct ioctl_ctx *cx)
{
	struct kipc_notify *n = arg;
	int fd = slot_fd_for(a, KIPC_TYPE_SHM);

	(void)cx;
	if (!pick(a, 30))
		n->flags = 1;
	return fd;
}

static void check_notify(const void *arg, long ret, bool whole, const struct ioctl_ctx *cx)
{
	const struct kipc_notify *n = arg;

	(void)cx;
	if (!ret && whole && n->seq == 0)
		fail("notify: the doorbell is still 0 after a ring");
}

/* ---- A queue's notification ------------------------------------------------------------------ */

/*
 * Signals a registration may ask for: ones whose default is to be ignored, so that a fired
 * notification cannot end the fuzzer; then the ones out of range.
 */
static const int notify_signals[] = { SIGURG, SIGWINCH, 0, 65, -1 };

static int fill_mq_notify(struct args *a, void *arg, struct ioctl_ctx *cx)
{
	static int efd = -1;
	struct kipc_mq_notify *n = arg;
	int fd = slot_fd_for(a, KIPC_TYPE_MQ);

	(void)cx;
	if (efd < 0)
		efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!pick(a, 4)) {
		n->flags = KIPC_MQ_NOTIFY_REMOVE;
	} else {
		n->method = pick(a, 8) ? pick(a, 3) : pick(a, 6);	/* 3..5 unknown */
		if (n->method == KIPC_MQ_NOTIFY_SIGNAL) {
			n->signo = notify_signals[pick(a, 8) ? pick(a, 2) : pick(a, 5)];
			n->value = pick64(a);
		} else if (n->method == KIPC_MQ_NOTIFY_EVENTFD) {
			n->eventfd = pick(a, 6) ? efd : (int)pick(a, 64);
		}
	}
	/* The odd ones out: an unknown flag, a field that REMOVE or the method does not take. */
	if (!pick(a, 30))
		n->flags |= 0x2;
	/* A signal for a method that takes none (never a real SIGHUP registration). */
	if (!pick(a, 30) && n->method != KIPC_MQ_NOTIFY_SIGNAL)
		n->signo = 1;
	return fd;
}

static void check_mq_notify(const void *arg, long ret, bool whole, const struct ioctl_ctx *cx)
{
	const struct kipc_mq_notify *n = arg;

	(void)cx;
	if (!ret && whole && n->removed > 1)
		fail("mq_notify: removed is %u", n->removed);
	if (!ret && whole && !(n->flags & KIPC_MQ_NOTIFY_REMOVE) && n->removed)
		fail("mq_notify: a registration reported removed = %u", n->removed);
}

static int fill_wait(struct args *a, void *arg, struct ioctl_ctx *cx)
{
	struct kipc_wait *w = arg;
	int fd = slot_fd_for(a, KIPC_TYPE_SHM);
	uint64_t timeout;

	w->seq = cx->seq = pick(a, 4) ? pick(a, 3) : pick64(a);
	w->flags = wait_flags(a, &timeout);
	w->timeout_ns = timeout;
	return fd;
}

static void check_wait(const void *arg, long ret, bool whole, const struct ioctl_ctx *cx)
{
	const struct kipc_wait *w = arg;

	/* The doorbell only grows: a wait from 0 that succeeds has seen it move. */
	if (!ret && whole && cx->seq == 0 && w->observed == 0)
		fail("wait: returned with the doorbell still at 0");
}

/* Every ioctl operation: the struct at argpage, filled, passed in some variant, checked. */
static void run_ioctl(struct args *a, enum op kind)
{
	const struct ioctl_desc *d = op_table[kind].ioctl;
	struct ioctl_ctx cx = { 0 };
	void *p;
	long ret;

	memset(argpage, 0, 512);
	cx.fd = d->fill(a, argpage, &cx);
	p = arg_variant(a, cx.fd, d->size, d->size_ver0, &cx.expect);
	ret = do_ioctl(cx.fd, d->cmd, p, d->size);
	outcome(kind, ret, cx.expect);
	if (d->check)
		d->check(argpage, ret, p == argpage, &cx);
}

/* ---- poll and epoll ------------------------------------------------------------------------ */

/* What STAT_SELF says about an fd: 0 attached and alive, else -errno. */
static long stat_self(int fd, struct kipc_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->flags = KIPC_STAT_SELF;
	return ioctl(fd, KIPC_IOC_STAT, st) < 0 ? -errno : 0;
}

static void op_poll(struct args *a)
{
	struct pollfd pfd[3];
	unsigned int n = 1 + pick(a, 3), i;
	int timeout = pick(a, 3) ? 0 : 1, ret;

	for (i = 0; i < n; i++) {
		pfd[i].fd = slot_fd(a);
		pfd[i].events = POLLIN | POLLOUT;
		pfd[i].revents = 0;
	}
	ret = poll(pfd, n, timeout);
	outcome(OP_POLL, ret < 0 ? -errno : 0, 0);
	if (ret <= 0)
		return;
	for (i = 0; i < n; i++) {
		struct kipc_stat st;
		long s;

		if (pfd[i].fd < 0 || !pfd[i].revents)
			continue;
		s = stat_self(pfd[i].fd, &st);
		/* Attaching and dying are one-way: a later stat cannot go back. */
		if ((pfd[i].revents & POLLHUP) && (s || !(st.state & KIPC_STATE_DEAD)))
			fail("poll: POLLHUP but stat says %s", s ? errname((int)-s) : "alive");
		if ((pfd[i].revents & (POLLIN | POLLOUT)) && s == -ENOTCONN)
			fail("poll: %#x on an fd that stat says is unattached", pfd[i].revents);
	}
}

static void op_epoll(struct args *a)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT }, out[4];
	uint32_t v = pick(a, 4);
	int fd = slot_fd(a), ret;

	if (epfd < 0)
		epfd = epoll_create1(EPOLL_CLOEXEC);
	ev.data.fd = fd;
	if (v == 0)
		ret = epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
	else if (v == 1)
		ret = epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
	else
		ret = epoll_wait(epfd, out, 4, v == 3);
	outcome(OP_EPOLL, ret < 0 ? -errno : 0, 0);
}

/* ---- fork and the module's limits ---------------------------------------------------------- */

static void reap_children(bool block)
{
	unsigned int i;
	int status;

	for (i = 0; i < NR_CHILDREN; i++) {
		pid_t r;

		if (children[i] <= 0)
			continue;
		r = waitpid(children[i], &status, block ? 0 : WNOHANG);
		if (r == 0)
			continue;
		if (r == children[i] && WIFSIGNALED(status))
			fail("child %d killed by signal %d", r, WTERMSIG(status));
		children[i] = 0;
	}
}

static void run_ops(uint64_t seed, uint64_t nops);
static void setup_argpage(void);

static void op_fork(struct args *a)
{
	uint64_t child_seed = pick64(a);
	uint32_t nops = 1 + pick(a, CHILD_OPS_MAX), newns = pick(a, 4) == 0;
	unsigned int i;
	pid_t pid;

	for (i = 0; i < NR_CHILDREN && children[i] > 0; i++)
		;
	if (i == NR_CHILDREN) {
		reap_children(true);
		i = 0;
	}
	pid = fork();
	if (pid < 0) {
		outcome(OP_FORK, -errno, 0);
		return;
	}
	if (pid == 0) {
		me.child = true;
		memset(children, 0, sizeof(children));
		setup_argpage();
		if (newns && me.root && unshare(CLONE_NEWIPC))
			fail("unshare(CLONE_NEWIPC): %s", strerror(errno));
		run_ops(child_seed, nops);
		_exit(0);
	}
	children[i] = pid;
	add(&me.st->forks, 1);
	outcome(OP_FORK, 0, 0);
}

static const char *const params[] = { "max_msgs", "max_msg_size", "max_user_bytes",
				      "max_shm_size", "max_channels", "max_user_channels",
				      "max_user_shm_bytes", "direct_copy_min" };
#define NR_PARAMS	(sizeof(params) / sizeof(params[0]))
static const char *const param_values[NR_PARAMS][3] = {
	{ "4096", "8", "1" }, { "1048576", "4096", "65536" },
	{ "67108864", "16384", "4096" }, { "67108864", "4096", "16384" }, { "1024", "4", "0" },
	{ "256", "4", "0" }, { "268435456", "16384", "1" }, { "65536", "0", "1" },
};
static char param_saved[NR_PARAMS][32];

static void op_param(struct args *a)
{
	uint32_t which = pick(a, NR_PARAMS), v = pick(a, 6);
	char path[96];
	const char *val = param_values[which][v < 3 ? 0 : v - 3];
	int fd;
	ssize_t n;

	if (v < 3 && param_saved[which][0])
		val = param_saved[which];	/* back to the starting value, mostly */
	snprintf(path, sizeof(path), "/sys/module/kipc/parameters/%s", params[which]);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		outcome(OP_PARAM, -errno, 0);
		return;
	}
	n = write(fd, val, strlen(val));
	outcome(OP_PARAM, n < 0 ? -errno : 0, 0);
	close(fd);
}

static void params_save(void)
{
	unsigned int i;

	for (i = 0; i < NR_PARAMS; i++) {
		char path[96];
		FILE *f;

		snprintf(path, sizeof(path), "/sys/module/kipc/parameters/%s", params[i]);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(param_saved[i], sizeof(param_saved[i]), f))
			param_saved[i][strcspn(param_saved[i], "\n")] = 0;
		fclose(f);
	}
}

static void params_restore(void)
{
	unsigned int i;

	for (i = 0; i < NR_PARAMS; i++) {
		char path[96];
		int fd;

		if (!param_saved[i][0])
			continue;
		snprintf(path, sizeof(path), "/sys/module/kipc/parameters/%s", params[i]);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, param_saved[i], strlen(param_saved[i])) < 0)
			printf("kipc-fuzz: cannot restore %s\n", params[i]);
		if (fd >= 0)
			close(fd);
	}
}

/* ---- The driver --------------------------------------------------------------------------- */

static enum op pick_op(uint64_t v, bool child)
{
	static unsigned int total;
	unsigned int i, w;

	if (!total)
		for (i = 0; i < OP_NR; i++)
			total += op_table[i].weight;
	w = (unsigned int)(v % total);
	for (i = 0; i < OP_NR; i++) {
		if (w < op_table[i].weight)
			break;
		w -= op_table[i].weight;
	}
	if (i == OP_FORK && child)
		return OP_STAT;
	if (i == OP_PARAM && !me.root)
		return OP_INFO;
	return (enum op)i;
}

/* An ioctl operation: the command, its struct, the struct's first size, fill and check. */
#define IOCTL(cmd, type, size_ver0, fill, check) \
	.ioctl = &(const struct ioctl_desc){ cmd, sizeof(type), size_ver0, fill, check }

static const struct op_desc op_table[OP_NR] = {
	[OP_OPEN] = { "open", 40, errs_open, .fn = op_open },
	[OP_DUP] = { "dup", 10, errs_dup, .fn = op_dup },
	[OP_CLOSE] = { "close", 25, errs_close, .fn = op_close },
	[OP_CREATE] = { "create", 70, errs_create, IOCTL(KIPC_IOC_CREATE, struct kipc_create,
			KIPC_CREATE_SIZE_VER0, fill_create, check_create) },
	[OP_ATTACH] = { "attach", 45, errs_attach, IOCTL(KIPC_IOC_ATTACH, struct kipc_attach,
			KIPC_ATTACH_SIZE_VER0, fill_attach, check_attach) },
	[OP_DESTROY] = { "destroy", 25, errs_destroy, IOCTL(KIPC_IOC_DESTROY, struct kipc_destroy,
			 KIPC_DESTROY_SIZE_VER0, fill_destroy, NULL) },
	[OP_STAT] = { "stat", 40, errs_stat, IOCTL(KIPC_IOC_STAT, struct kipc_stat,
		      KIPC_STAT_SIZE_VER0, fill_stat, check_stat) },
	[OP_LIST] = { "list", 12, errs_list, IOCTL(KIPC_IOC_LIST, struct kipc_list,
		      KIPC_LIST_SIZE_VER0, fill_list, check_list) },
	[OP_INFO] = { "info", 4, errs_list, IOCTL(KIPC_IOC_INFO, struct kipc_info,
		      KIPC_INFO_SIZE_VER0, fill_info, check_info) },
	[OP_SEND] = { "send", 110, errs_send, IOCTL(KIPC_IOC_SEND, struct kipc_msg,
		      KIPC_MSG_SIZE_VER0, fill_send, NULL) },
	[OP_RECV] = { "recv", 90, errs_recv, IOCTL(KIPC_IOC_RECV, struct kipc_msg,
		      KIPC_MSG_SIZE_VER0, fill_recv, check_recv) },
	[OP_SEND_BATCH] = { "send_batch", 35, errs_batch, IOCTL(KIPC_IOC_SEND_BATCH,
			    struct kipc_batch, KIPC_BATCH_SIZE_VER0, fill_send_batch,
			    check_send_batch) },
	[OP_RECV_BATCH] = { "recv_batch", 35, errs_rbatch, IOCTL(KIPC_IOC_RECV_BATCH,
			    struct kipc_batch, KIPC_BATCH_SIZE_VER0, fill_recv_batch,
			    check_recv_batch) },
	[OP_CALL] = { "call", 30, errs_call, IOCTL(KIPC_IOC_CALL, struct kipc_call,
		      KIPC_CALL_SIZE_VER0, fill_call, check_call) },
	[OP_READ] = { "read", 20, errs_read, .fn = op_read },
	[OP_WRITE] = { "write", 20, errs_write, .fn = op_write },
	[OP_MMAP] = { "mmap", 45, errs_mmap, .fn = op_mmap },
	[OP_MUNMAP] = { "munmap", 30, errs_munmap, .fn = op_munmap },
	[OP_MPROTECT] = { "mprotect", 20, errs_mprotect, .fn = op_mprotect },
	[OP_NOTIFY] = { "notify", 35, errs_notify, IOCTL(KIPC_IOC_NOTIFY, struct kipc_notify,
			KIPC_NOTIFY_SIZE_VER0, fill_notify, check_notify) },
	[OP_WAIT] = { "wait", 35, errs_wait, IOCTL(KIPC_IOC_WAIT, struct kipc_wait,
		      KIPC_WAIT_SIZE_VER0, fill_wait, check_wait) },
	[OP_POLL] = { "poll", 25, errs_poll, .fn = op_poll },
	[OP_EPOLL] = { "epoll", 20, errs_epoll, .fn = op_epoll },
	[OP_FORK] = { "fork", 8, errs_fork, .fn = op_fork },
	[OP_PARAM] = { "param", 2, errs_param, .fn = op_param },
	[OP_MQ_NOTIFY] = { "mq_notify", 30, errs_mq_notify, IOCTL(KIPC_IOC_MQ_NOTIFY,
			   struct kipc_mq_notify, KIPC_MQ_NOTIFY_SIZE_VER0, fill_mq_notify,
			   check_mq_notify) },
};
static void run_ops(uint64_t seed, uint64_t nops)
{
	uint64_t state = seed, i;
	struct args a;
	unsigned int k;

	for (i = 0; i < nops; i++) {
		uint64_t kindv = splitmix64(&state);

		for (k = 0; k < NR_ARGS; k++)
			a.v[k] = splitmix64(&state);
		a.next = 0;
		me.op = i;
		me.kind = pick_op(kindv, me.child);
		if (!me.child) {
			me.st->cur_op = (uint32_t)i;
			me.st->cur_kind = me.kind;
		}
		add(&me.st->progress, 1);
		add(&me.st->tried[me.kind], 1);
		add(me.child ? &me.st->child_ops : &me.st->ops, 1);
		if (g_verbose && !me.child)
			dprintf(STDOUT_FILENO, "w%u %" PRIu64 " %s\n", me.worker, i,
				op_table[me.kind].name);
		alarm(ALARM_SECONDS);
		if (op_table[me.kind].ioctl)
			run_ioctl(&a, me.kind);
		else
			op_table[me.kind].fn(&a);
		if (!me.child)
			reap_children(false);
	}
	alarm(0);
}

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	dprintf(STDOUT_FILENO, "FAIL seed=%" PRIu64 " worker=%u%s op=%" PRIu64
		" (%s): signal %d at %p\n", g_seed, me.worker, me.child ? " (child)" : "", me.op,
		op_table[me.kind].name, sig, si->si_addr);
	_exit(2);
}

static void *map_or_die(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

/* The struct page and its read-only view: private to each process, children included. */
static void setup_argpage(void)
{
	int mfd;

	if (argpage) {
		munmap(argpage, 2 * PG);
		munmap(argpage_ro, PG);
	}
	mfd = memfd_create("kipc-fuzz-args", MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, PG) < 0) {
		perror("memfd");
		exit(1);
	}
	/* argpage is followed by a PROT_NONE page, so a struct that runs off it faults. */
	argpage = map_or_die(2 * PG, PROT_NONE);
	argpage = mmap(argpage, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, mfd, 0);
	argpage_ro = mmap(NULL, PG, PROT_READ, MAP_SHARED, mfd, 0);
	if (argpage == MAP_FAILED || argpage_ro == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	close(mfd);
}

static void setup_memory(void)
{
	uint8_t *big;

	setup_argpage();
	nopage = map_or_die(PG, PROT_NONE);
	ropage = map_or_die(PG, PROT_READ | PROT_WRITE);
	build_msg(ropage, 256, 0, 0);
	mprotect(ropage, PG, PROT_READ);
	sendbuf = map_or_die(BIG_BUF + PG, PROT_READ | PROT_WRITE);
	/* recvbuf ends where a PROT_NONE page begins. */
	big = map_or_die(BIG_BUF + PG, PROT_READ | PROT_WRITE);
	mprotect(big + BIG_BUF, PG, PROT_NONE);
	recvbuf = big;
	rbatch_bufs = map_or_die((size_t)KIPC_BATCH_MAX * 256, PROT_READ | PROT_WRITE);
	vecbuf = map_or_die((size_t)KIPC_BATCH_MAX * 32 + PG, PROT_READ | PROT_WRITE);
}

static void worker(unsigned int idx, uint64_t nops)
{
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO };
	unsigned int i;

	me.worker = idx;
	me.st = &stats[idx];
	me.st->pid = getpid();
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	setup_memory();
	for (i = 0; i < NR_SLOTS; i++)
		slots[i].fd = -1;
	me.root = geteuid() == 0;
	/* The last worker is nobody: others' 0600 channels, EPERM on destroy, no sysfs. */
	if (g_procs > 1 && idx == g_procs - 1 && me.root) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			fail("cannot become nobody: %s", strerror(errno));
		me.root = false;
	}
	run_ops(stream_seed(g_seed, idx), nops);
	reap_children(true);
	_exit(me.st->failures ? 1 : 0);
}

/* ---- The parent: watchdog, totals, final state ------------------------------------------- */

static void dump_stuck(unsigned int w)
{
	char path[64], buf[4096];
	const char *files[] = { "wchan", "stack" };
	unsigned int i;

	printf("FAIL seed=%" PRIu64 " worker=%u op=%u (%s): no progress for %d s\n", g_seed, w,
	       stats[w].cur_op, op_table[stats[w].cur_kind % OP_NR].name, STUCK_SECONDS);
	for (i = 0; i < 2; i++) {
		ssize_t n;
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/%s", stats[w].pid, files[i]);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = 0;
			printf("  %s: %s\n", path, buf);
		}
	}
	fflush(stdout);
}

static int final_state(int at_start)
{
	int ret;

	if (at_start) {
		printf("kipc-fuzz: the module held channels before the run; final check skipped\n");
		return 0;
	}
	ret = kipc_state_settles("kipc-fuzz");
	if (ret) {
		struct kipc_list_entry e[16];
		unsigned int total, i;
		int fd = kipc_open(0), n;

		n = fd < 0 ? fd : kipc_list_all(fd, e, 16, &total);
		for (i = 0; n > 0 && i < (unsigned int)n; i++)
			printf("  left: %s type %u id %u attachments %u depth %u\n", e[i].name,
			       e[i].type, e[i].id, e[i].attachments, e[i].depth);
		if (fd >= 0)
			close(fd);
		printf("FAIL seed=%" PRIu64 ": state left behind\n", g_seed);
	}
	return ret;
}

static void destroy_all(void)
{
	unsigned int i;
	int fd = kipc_open(0);

	if (fd < 0)
		return;
	for (i = 0; i < NR_NAMES; i++)
		kipc_destroy(fd, names[i], KIPC_DESTROY_NOW);
	close(fd);
}

static void print_totals(double secs)
{
	uint64_t tried[OP_NR] = { 0 }, done[OP_NR] = { 0 }, errs[MAX_ERRNO] = { 0 };
	uint64_t ops = 0, child_ops = 0, forks = 0, msgs = 0, fails = 0;
	unsigned int w, k, e;

	for (w = 0; w < g_procs; w++) {
		ops += stats[w].ops;
		child_ops += stats[w].child_ops;
		forks += stats[w].forks;
		msgs += stats[w].msgs_checked;
		fails += stats[w].failures;
		for (k = 0; k < OP_NR; k++) {
			tried[k] += stats[w].tried[k];
			done[k] += stats[w].done[k];
			for (e = 0; e < MAX_ERRNO; e++)
				errs[e] += stats[w].err[k][e];
		}
	}
	printf("kipc-fuzz: %" PRIu64 " operations by %u workers (+%" PRIu64 " by %" PRIu64
	       " children) in %.1f s: %.0f ops/s; %" PRIu64 " messages checked\n",
	       ops, g_procs, child_ops, forks, secs, secs > 0 ? (ops + child_ops) / secs : 0.0,
	       msgs);
	printf("  %-11s %8s %8s  errors\n", "operation", "tried", "ok");
	for (k = 0; k < OP_NR; k++) {
		char line[512];
		int n = 0;

		line[0] = 0;
		for (e = 0; e < MAX_ERRNO; e++) {
			uint64_t c = 0;

			for (w = 0; w < g_procs; w++)
				c += stats[w].err[k][e];
			if (c && n < (int)sizeof(line) - 40)
				n += snprintf(line + n, sizeof(line) - n, " %s:%" PRIu64, errname((int)e),
					      c);
		}
		printf("  %-11s %8" PRIu64 " %8" PRIu64 " %s\n", op_table[k].name, tried[k],
		       done[k], line);
	}
	printf("  errors by errno:");
	for (e = 0; e < MAX_ERRNO; e++)
		if (errs[e])
			printf(" %s:%" PRIu64, errname((int)e), errs[e]);
	printf("\n  check failures: %" PRIu64 "\n", fails);
}

static void usage(void)
{
	fprintf(stderr, "usage: kipc-fuzz --seed N --ops M [--procs P] [--verbose]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	uint64_t nops = 100000;
	struct timespec t0, t1;
	unsigned int w, alive;
	uint64_t last[64] = { 0 };
	int stalled[64] = { 0 }, i, failed = 0;
	bool seeded = false;
	pid_t pids[64];
	int held_at_start;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			g_seed = strtoull(argv[++i], NULL, 0), seeded = true;
		else if (!strcmp(argv[i], "--ops") && i + 1 < argc)
			nops = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--procs") && i + 1 < argc)
			g_procs = (unsigned int)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--verbose"))
			g_verbose = true;
		else
			usage();
	}
	if (!g_procs || g_procs > 64)
		usage();
	if (!seeded) {
		clock_gettime(CLOCK_REALTIME, &t0);
		g_seed = (uint64_t)t0.tv_nsec ^ ((uint64_t)t0.tv_sec << 20);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("kipc-fuzz: seed %" PRIu64 ", %" PRIu64 " operations, %u processes "
	       "(replay: kipc-fuzz --seed %" PRIu64 " --ops %" PRIu64 " --procs %u)\n",
	       g_seed, nops, g_procs, g_seed, nops, g_procs);
	i = kipc_open(0);
	if (i < 0) {
		printf("kipc-fuzz: %s\n", kipc_strerror(i));
		return 1;
	}
	close(i);
	held_at_start = kipc_state_held() > 0;
	if (geteuid() == 0)
		params_save();

	/* Children of a worker that dies come to us, so the end can wait for every one. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	stats = mmap(NULL, sizeof(*stats) * g_procs, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (stats == MAP_FAILED)
		return perror("mmap"), 1;
	me.st = &stats[0];
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (w = 0; w < g_procs; w++) {
		pids[w] = fork();
		if (pids[w] < 0)
			return perror("fork"), 1;
		if (pids[w] == 0)
			worker(w, nops / g_procs + (w < nops % g_procs));
	}

	/* Watch: every second, every worker must have made progress within STUCK_SECONDS. */
	for (alive = g_procs; alive;) {
		int status;
		pid_t r = waitpid(-1, &status, WNOHANG);

		if (r > 0) {
			for (w = 0; w < g_procs && pids[w] != r; w++)
				;
			if (w == g_procs)
				continue;
			pids[w] = 0;
			alive--;
			if (WIFSIGNALED(status)) {
				printf("FAIL seed=%" PRIu64 " worker=%u op=%u (%s): killed by signal %d\n",
				       g_seed, w, stats[w].cur_op,
				       op_table[stats[w].cur_kind % OP_NR].name, WTERMSIG(status));
				failed = 1;
			} else if (WEXITSTATUS(status)) {
				failed = 1;
			}
			continue;
		}
		sleep(1);
		for (w = 0; w < g_procs; w++) {
			if (!pids[w])
				continue;
			if (stats[w].progress != last[w]) {
				last[w] = stats[w].progress;
				stalled[w] = 0;
			} else if (++stalled[w] == STUCK_SECONDS) {
				dump_stuck(w);
				kill(-pids[w], SIGKILL);
				kill(pids[w], SIGKILL);
				failed = 1;
			} else if (stalled[w] == STUCK_SECONDS + 15) {
				printf("FAIL: worker %u (pid %d) survives SIGKILL: it sleeps in the "
				       "kernel uninterruptibly\n", w, pids[w]);
				print_totals(0);
				return 1;
			}
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* Orphans of dead workers: each has its own alarm, so this ends. */
	while (wait(NULL) > 0 || errno == EINTR)
		;

	destroy_all();
	if (geteuid() == 0)
		params_restore();
	print_totals((t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	for (w = 0; w < g_procs; w++)
		failed |= stats[w].failures != 0;
	failed |= final_state(held_at_start);
	printf("kipc-fuzz: %s (seed %" PRIu64 ")\n", failed ? "FAILED" : "passed", g_seed);
	return failed;
}
