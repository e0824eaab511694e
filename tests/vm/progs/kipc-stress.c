// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-stress: 8 processes that create, attach, destroy, send, receive, map and kill one
 * another for a while, and a ledger that proves no message was lost or duplicated.
 *
 *   kipc-stress [--seconds N] [--workers W] [--seed S] [--kill-rate R] [--inject lose|dup]
 *
 * Workers share 4 message-queue names and 2 shared-page names.  Each queue is created with
 * random attributes (depth 4/16/64; overflow block, fail or drop), so all three overflow
 * policies run.  A worker sends (single and batch), receives (single and batch), calls,
 * destroys a name (plain or KIPC_DESTROY_NOW), maps, rings and waits on the shared pages,
 * and now and then SIGKILLs another worker.  The supervisor reaps the dead, repairs the
 * ledger for them (below) and starts a new incarnation, until the time is up.
 *
 * The ledger (MAP_SHARED|MAP_ANONYMOUS, so a killed worker's entries survive it)
 * ------------------------------------------------------------------------------
 * Every message is (sender, seq): 24 bytes of header (magic, sender, length, seq, the channel
 * id it was sent to, a checksum) and a payload.  For each one the ledger has a record:
 *  - the sender writes INTENT and the channel id before the ioctl, then CONFIRMED or FAILED
 *    after it (a batch: the first `done' CONFIRMED, the rest FAILED; a call: by its `sent');
 *  - a receiver claims the record with a compare-and-swap of a token unique to this receive
 *    (worker, receive number, buffer index).  A second claim with another token is a
 *    duplicate.  A message whose record is still empty is a phantom; one whose record says
 *    FAILED, or names another channel than the one it came from, is misrouted.
 * Receives land directly in the worker's buffers inside the ledger.  The worker clears them,
 * then bumps its receive number, then calls the kernel; so when a worker is SIGKILLed, what
 * its buffers hold is exactly what the kernel gave it, and the supervisor claims those
 * messages with the same tokens the worker would have used (a claim it had already made is
 * recognised as its own).  Killed receivers therefore lose nothing: "recovered" counts them.
 *
 * A sender killed between INTENT and CONFIRMED/FAILED leaves a message that may or may not
 * have been queued: "in flight at kill".  The kernel decides: each channel's own `sent'
 * counter, read when the channel ends, says how many were accepted (see below).
 *
 * Channel ends, exactly
 * ---------------------
 * An instance (a channel id) ends when its name is destroyed, or at the end of the run.  So
 * that its counters are exact at that moment, destroying a queue name is fenced: each worker
 * publishes which names it is operating on (a bit mask, seq_cst), and checks the name's
 * gate; a destroyer closes the gate (compare-and-swap) and waits until no worker has the
 * name's bit.  A killed worker's bits stay until the supervisor has reaped it (its syscalls
 * are over) and repaired its ledger.  Inside the gate the destroyer stats the name (sent,
 * received, dropped, depth), records that snapshot as pending, destroys, and marks it final.
 * A destroyer killed in between is repaired by the supervisor: if the name still resolves to
 * the snapshot's id, the destroy never happened and the snapshot is void.  After a destroy
 * nobody uses an fd of the old instance again (each fd's id is compared with the name's
 * current id under the gate), so the depth at destroy is what the kernel throws away: with
 * KIPC_DESTROY_NOW at once, with a plain destroy when the last attachment goes.
 *
 * The check, per instance and then in total
 * ------------------------------------------
 *   kernel:   sent == received + dropped + depth-at-end
 *   receives: messages the ledger says were received from it == its `received'
 *   sends:    confirmed + (in-flight that were received) <= sent <= confirmed + in-flight
 * and in total no duplicate, phantom, misrouted or corrupt message.  Together: every
 * confirmed message, and every in-flight one the kernel accepted, was received exactly once
 * or is counted in `dropped' (the drop policy) or `destroyed' (depth at the instance's end).
 * Queues left at the end are drained by the supervisor first, so `destroyed' is only what
 * destroys threw away.  Last, with every worker gone and every name destroyed, the module's
 * debugfs state must count no channel, message or shared page.
 *
 * Shared pages are not part of the conservation: workers map them, write their own cell
 * (an 8-byte word that names its writer), check everyone's, ring and wait, and destroy them
 * with KIPC_DESTROY_NOW without any fence, checking that their mapping still works after.
 *
 * --inject proves the check can fail: receivers then ignore (lose) or claim a second time
 * (dup) one message in a thousand, and the verdict must be "NOT CONSERVED".
 *
 * Exit: 0 when conserved and every check held, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kipc.h"
#include "kipc-vmprog.h"

#define MAX_WORKERS	16
#define NR_QUEUES	4
#define NR_SHM		2
#define SEQ_CAP		(1u << 21)	/* messages per worker (all incarnations) */
#define MAX_SNAPS	(1u << 16)	/* instance ends */
#define RBUF_N		8		/* receive buffers: a batch of up to 8 */
#define MSG_MAX		256		/* every queue's max_msg_size */
#define SHM_SIZE	8192
#define STUCK_SECONDS	30
#define PG		4096

/* ---- The ledger ------------------------------------------------------------------------- */

enum { REC_NONE, REC_INTENT, REC_CONFIRMED, REC_FAILED };

struct rec {
	uint32_t state;
	uint32_t inst;		/* the channel id it was sent to */
	uint64_t token;		/* who received it; 0: nobody */
};

enum { SNAP_EMPTY, SNAP_PENDING, SNAP_FINAL, SNAP_VOID };
enum { END_DESTROY, END_DESTROY_NOW, END_RUN };

struct snap {
	uint32_t status;
	uint32_t id;
	uint32_t slot;
	uint32_t owner;
	uint32_t how;
	uint32_t depth;
	uint64_t sent, received, dropped;
};

struct wstate {
	int32_t pid;
	uint32_t incarnation;
	uint64_t next_seq;		/* only this worker writes it */
	uint32_t hold;			/* bit q: operating on queue q */
	uint32_t pad;
	uint64_t rop;			/* receive number, across incarnations */
	uint32_t rcount;		/* buffers the current receive may fill */
	uint32_t rinst;			/* the instance it receives from */
	uint8_t rbuf[RBUF_N][MSG_MAX];
	/* counters */
	uint64_t progress, sends, sends_ok, recvs, recvd, calls, destroys, kills, shm_ops;
	uint64_t creates, errors;
};

struct ledger {
	uint64_t deadline_ns;
	uint32_t stop;
	uint32_t nworkers;
	uint32_t excl[NR_QUEUES];	/* 0, or 1 + the worker that closed the gate */
	uint32_t current[NR_QUEUES];	/* the instance a queue name resolves to, 0: unknown */
	uint32_t nsnap;
	uint32_t pad;
	uint64_t violations, dups, phantoms, corrupt, misrouted, recovered, restarts, kills_seen;
	struct snap snaps[MAX_SNAPS];
	struct wstate w[MAX_WORKERS + 1];	/* the last one is the supervisor's drain */
};

static struct ledger *L;
static struct rec *recs;		/* [MAX_WORKERS][SEQ_CAP] */
static unsigned int nworkers = 8;
static uint64_t g_seed = 1;
static unsigned int kill_rate = 400;	/* one operation in kill_rate kills someone */
static unsigned int me = MAX_WORKERS;	/* this process's worker index */
static enum { INJECT_NONE, INJECT_LOSE, INJECT_DUP } inject;

static const char *const qnames[NR_QUEUES] = { "st-q0", "st-q1", "st-q2", "st-q3" };
static const char *const snames[NR_SHM] = { "st-s0", "st-s1" };

static struct rec *rec_of(unsigned int w, uint64_t seq)
{
	return &recs[(size_t)w * SEQ_CAP + seq];
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void violation(const char *fmt, ...)
{
	char line[400];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "VIOLATION (%s %u): ",
		     me < MAX_WORKERS ? "worker" : "supervisor", me);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (__atomic_fetch_add(&L->violations, 1, __ATOMIC_RELAXED) < 40)
		dprintf(STDOUT_FILENO, "%s\n", line);
}

/* ---- Messages --------------------------------------------------------------------------- */

#define MSG_MAGIC 0x5354524du	/* "STRM" */

struct msg_hdr {
	uint32_t magic;
	uint16_t sender;
	uint16_t len;
	uint64_t seq;
	uint32_t inst;
	uint32_t sum;
};

static uint32_t msg_sum(const uint8_t *buf, size_t len)
{
	return fnv1a(buf + sizeof(struct msg_hdr), len - sizeof(struct msg_hdr),
		     fnv1a(buf, offsetof(struct msg_hdr, sum), FNV1A_INIT));
}

static size_t build_msg(uint8_t *buf, unsigned int sender, uint64_t seq, uint32_t inst)
{
	size_t len = sizeof(struct msg_hdr) + (seq * 2654435761u + sender) % (MSG_MAX - 23);
	struct msg_hdr h = { MSG_MAGIC, (uint16_t)sender, (uint16_t)len, seq, inst, 0 };
	size_t i;

	memcpy(buf, &h, sizeof(h));
	for (i = sizeof(h); i < len; i++)
		buf[i] = (uint8_t)(seq + i * 13 + sender);
	h.sum = msg_sum(buf, len);
	memcpy(buf, &h, sizeof(h));
	return len;
}

/*
 * Claim the message in @buf (received from instance @inst) for @token.  @len is what the
 * kernel said, or 0 when unknown (a killed receiver's buffer).  Return: 1 claimed now, 0 it
 * was already claimed with this token, -1 a violation (counted).
 */
static int claim(const uint8_t *buf, size_t len, uint32_t inst, uint64_t token)
{
	struct msg_hdr h;
	uint64_t expected = 0;
	struct rec *r;
	uint32_t state;

	memcpy(&h, buf, sizeof(h));
	if (h.magic != MSG_MAGIC || h.len < sizeof(h) || h.len > MSG_MAX || (len && len != h.len) ||
	    h.sum != msg_sum(buf, h.len)) {
		__atomic_fetch_add(&L->corrupt, 1, __ATOMIC_RELAXED);
		violation("corrupt message from instance %u (len %zu, header len %u)", inst, len,
			  h.len);
		return -1;
	}
	if (h.sender >= L->nworkers || h.seq >= SEQ_CAP ||
	    h.seq >= __atomic_load_n(&L->w[h.sender].next_seq, __ATOMIC_ACQUIRE)) {
		__atomic_fetch_add(&L->phantoms, 1, __ATOMIC_RELAXED);
		violation("message %u/%" PRIu64 " was never sent", h.sender, h.seq);
		return -1;
	}
	r = rec_of(h.sender, h.seq);
	state = __atomic_load_n(&r->state, __ATOMIC_ACQUIRE);
	if (state == REC_NONE) {
		__atomic_fetch_add(&L->phantoms, 1, __ATOMIC_RELAXED);
		violation("message %u/%" PRIu64 " has no send record", h.sender, h.seq);
		return -1;
	}
	if (state == REC_FAILED || r->inst != h.inst || h.inst != inst) {
		__atomic_fetch_add(&L->misrouted, 1, __ATOMIC_RELAXED);
		violation("message %u/%" PRIu64 " (state %u, sent to %u, says %u) came from "
			  "instance %u", h.sender, h.seq, state, r->inst, h.inst, inst);
		return -1;
	}
	if (__atomic_compare_exchange_n(&r->token, &expected, token, false, __ATOMIC_SEQ_CST,
					__ATOMIC_SEQ_CST))
		return 1;
	if (expected == token)
		return 0;
	__atomic_fetch_add(&L->dups, 1, __ATOMIC_RELAXED);
	violation("message %u/%" PRIu64 " received twice (tokens %#" PRIx64 ", %#" PRIx64 ")",
		  h.sender, h.seq, expected, token);
	return -1;
}

static uint64_t token_of(unsigned int w, uint64_t rop, unsigned int i)
{
	return ((uint64_t)(w + 1) << 56) | ((rop & 0xffffffffffull) << 8) | i;
}

/* ---- Random ------------------------------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	return splitmix64(&rng_state);
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

/* ---- The gate ----------------------------------------------------------------------------- */

static struct wstate *W;

/* Announce operations on the queues in @mask; false (and nothing held) if a gate is shut. */
static bool hold(uint32_t mask)
{
	unsigned int q;

	__atomic_store_n(&W->hold, mask, __ATOMIC_SEQ_CST);
	for (q = 0; q < NR_QUEUES; q++)
		if ((mask & (1u << q)) && __atomic_load_n(&L->excl[q], __ATOMIC_SEQ_CST)) {
			__atomic_store_n(&W->hold, 0, __ATOMIC_SEQ_CST);
			return false;
		}
	return true;
}

static void unhold(void)
{
	__atomic_store_n(&W->hold, 0, __ATOMIC_RELEASE);
}

/* ---- A worker's queues ----------------------------------------------------------------------- */

struct qfd {
	int fd;
	uint32_t inst;
};

static struct qfd qfds[NR_QUEUES];
static int ctl = -1;			/* an unattached fd, for stat and destroy by name */

static bool allowed(int err, const int *list)
{
	for (; *list; list++)
		if (*list == err)
			return true;
	return false;
}

static void unexpected(const char *what, int err)
{
	__atomic_fetch_add(&W->errors, 1, __ATOMIC_RELAXED);
	violation("%s: unexpected %s", what, strerror(err));
}

/*
 * Under hold of queue @q: make qfds[q] an fd attached to the instance the name resolves to
 * now, creating the queue if there is none.  Return false when that fails.
 */
static bool queue_fd(unsigned int q)
{
	static const uint32_t depths[] = { 4, 16, 64 };
	uint32_t cur = __atomic_load_n(&L->current[q], __ATOMIC_SEQ_CST), expected = 0;
	struct kipc_create c = { .size = sizeof(c) };
	int fd;

	if (qfds[q].fd >= 0 && qfds[q].inst == cur && cur)
		return true;
	/* Destroyed since (or never known): the old instance is never used again. */
	if (qfds[q].fd >= 0)
		close(qfds[q].fd);
	qfds[q].fd = -1;
	fd = open(KIPC_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		unexpected("open", errno);
		return false;
	}
	c.type = KIPC_TYPE_MQ;
	c.mode = 0600;
	c.access = KIPC_ACCESS_READ | KIPC_ACCESS_WRITE;
	strcpy(c.name, qnames[q]);
	c.max_msgs = depths[below(3)];
	c.max_msg_size = MSG_MAX;
	c.overflow = below(3);
	if (ioctl(fd, KIPC_IOC_CREATE, &c)) {
		struct kipc_attach at = { .size = sizeof(at), .access = c.access };

		/* The queue exists with other attributes: take it as it is. */
		if (errno != EEXIST) {
			unexpected("create", errno);
			close(fd);
			return false;
		}
		strcpy(at.name, qnames[q]);
		if (ioctl(fd, KIPC_IOC_ATTACH, &at)) {
			unexpected("attach", errno);
			close(fd);
			return false;
		}
		c.id = at.id;
	} else if (c.created) {
		__atomic_fetch_add(&W->creates, 1, __ATOMIC_RELAXED);
	}
	/* Under hold the name cannot change: adopt the id, or it must be the one known. */
	if (!__atomic_compare_exchange_n(&L->current[q], &expected, c.id, false, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST) && expected != c.id) {
		violation("queue %s resolves to instance %u, the ledger says %u", qnames[q], c.id,
			  expected);
		close(fd);
		return false;
	}
	qfds[q].fd = fd;
	qfds[q].inst = c.id;
	return true;
}

static uint32_t wait_flags(uint64_t *timeout)
{
	*timeout = 200000 + below(1800000);	/* 0.2 to 2 ms */
	return below(2) ? KIPC_MSG_NONBLOCK : KIPC_MSG_TIMEOUT;
}

static const int send_errs[] = { EAGAIN, ETIMEDOUT, 0 };
static const int recv_errs[] = { EAGAIN, ETIMEDOUT, 0 };

/* Reserve @n sequence numbers and write their intents; returns the first. */
static uint64_t intents(unsigned int n, uint32_t inst)
{
	uint64_t seq = W->next_seq;
	unsigned int i;

	if (seq + n > SEQ_CAP)
		return UINT64_MAX;
	for (i = 0; i < n; i++) {
		struct rec *r = rec_of(me, seq + i);

		r->inst = inst;
		__atomic_store_n(&r->state, REC_INTENT, __ATOMIC_RELEASE);
	}
	/* Published after the records, so a receiver that sees the seq sees its record. */
	__atomic_store_n(&W->next_seq, seq + n, __ATOMIC_RELEASE);
	return seq;
}

static void settle(uint64_t seq, unsigned int n, unsigned int done)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		__atomic_store_n(&rec_of(me, seq + i)->state,
				 i < done ? REC_CONFIRMED : REC_FAILED, __ATOMIC_RELEASE);
	W->sends += n;
	W->sends_ok += done;
}

static void op_send(unsigned int q, bool batch)
{
	static uint8_t bufs[RBUF_N][MSG_MAX];
	struct kipc_msg_vec vec[RBUF_N];
	unsigned int n = batch ? 1 + below(RBUF_N) : 1, i, done;
	uint64_t seq, timeout;
	uint32_t flags = wait_flags(&timeout);
	int ret;

	seq = intents(n, qfds[q].inst);
	if (seq == UINT64_MAX)
		return;
	for (i = 0; i < n; i++) {
		vec[i].buf = (uintptr_t)bufs[i];
		vec[i].len = (uint32_t)build_msg(bufs[i], me, seq + i, qfds[q].inst);
		vec[i].priority = below(4);
		vec[i].__reserved = 0;
	}
	if (batch) {
		struct kipc_batch b = { .size = sizeof(b), .flags = flags, .vec = (uintptr_t)vec,
					.count = n, .vec_size = sizeof(vec[0]), .timeout_ns = timeout };

		ret = ioctl(qfds[q].fd, KIPC_IOC_SEND_BATCH, &b) ? -errno : 0;
		done = ret ? 0 : b.done;
		if (!ret && (b.done == 0 || b.done > n))
			violation("send batch: done %u of %u", b.done, n);
	} else {
		struct kipc_msg m = { .size = sizeof(m), .flags = flags, .buf = vec[0].buf,
				      .len = vec[0].len, .priority = vec[0].priority,
				      .timeout_ns = timeout };

		/* KIPC_SEND_DROPPED (1) is a send too: the drop counter has it. */
		ret = ioctl(qfds[q].fd, KIPC_IOC_SEND, &m) < 0 ? -errno : 0;
		done = !ret;
	}
	settle(seq, n, done);
	if (ret && !allowed(-ret, send_errs))
		unexpected(batch ? "send batch" : "send", -ret);
}

/*
 * Publish a receive (see the top of the file).  A SIGKILL can land between any two stores,
 * so at every point the buffers that rcount covers must either be empty or belong to the
 * receive that (rinst, rop) name: cover none, clear, name the instance, cover n, then take
 * the new receive number.  The signal fences keep the compiler to that order; x86 keeps the
 * stores in it.
 */
static uint64_t recv_begin(unsigned int n, uint32_t inst)
{
	__atomic_store_n(&W->rcount, 0, __ATOMIC_SEQ_CST);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	memset(W->rbuf, 0, sizeof(W->rbuf[0]) * n);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&W->rinst, inst, __ATOMIC_SEQ_CST);
	__atomic_store_n(&W->rcount, n, __ATOMIC_SEQ_CST);
	return __atomic_add_fetch(&W->rop, 1, __ATOMIC_SEQ_CST);
}

static void op_recv(unsigned int q, bool batch)
{
	struct kipc_msg_vec vec[RBUF_N];
	unsigned int n = batch ? 1 + below(RBUF_N) : 1, i, done = 0;
	uint64_t rop, timeout;
	uint32_t flags = wait_flags(&timeout), lens[RBUF_N] = { 0 };
	int ret;

	rop = recv_begin(n, qfds[q].inst);
	if (batch) {
		struct kipc_batch b = { .size = sizeof(b), .flags = flags, .vec = (uintptr_t)vec,
					.count = n, .vec_size = sizeof(vec[0]), .timeout_ns = timeout };

		for (i = 0; i < n; i++)
			vec[i] = (struct kipc_msg_vec){ .buf = (uintptr_t)W->rbuf[i], .len = MSG_MAX };
		ret = ioctl(qfds[q].fd, KIPC_IOC_RECV_BATCH, &b) ? -errno : 0;
		if (!ret) {
			done = b.done;
			for (i = 0; i < done && i < n; i++)
				lens[i] = vec[i].len;
		}
	} else {
		struct kipc_msg m = { .size = sizeof(m), .flags = flags, .buf = (uintptr_t)W->rbuf[0],
				      .len = MSG_MAX, .timeout_ns = timeout };

		ret = ioctl(qfds[q].fd, KIPC_IOC_RECV, &m) ? -errno : 0;
		if (!ret) {
			done = 1;
			lens[0] = m.len;
		}
	}
	W->recvs++;
	if (ret && !allowed(-ret, recv_errs))
		unexpected(batch ? "recv batch" : "recv", -ret);
	if (done > n) {
		violation("recv batch: done %u of %u", done, n);
		done = n;
	}
	for (i = 0; i < done; i++) {
		if (inject == INJECT_LOSE && below(1000) == 0)
			continue;
		if (inject == INJECT_DUP && below(1000) == 0)
			claim(W->rbuf[i], lens[i], qfds[q].inst, token_of(me, rop, i) ^ 0x80);
		if (claim(W->rbuf[i], lens[i], qfds[q].inst, token_of(me, rop, i)) > 0)
			W->recvd++;
	}
}

/* A call: the request to queue @q, the reply from queue @r (which may be the same). */
static void op_call(unsigned int q, unsigned int r)
{
	static uint8_t req[MSG_MAX];
	struct kipc_call c = { .size = sizeof(c) };
	uint64_t seq, rop, timeout;
	int ret;

	c.flags = wait_flags(&timeout);
	c.timeout_ns = timeout;
	seq = intents(1, qfds[q].inst);
	if (seq == UINT64_MAX)
		return;
	c.req_buf = (uintptr_t)req;
	c.req_len = (uint32_t)build_msg(req, me, seq, qfds[q].inst);
	c.req_priority = below(4);
	c.reply_fd = (uint32_t)qfds[r].fd;
	c.reply_buf = (uintptr_t)W->rbuf[0];
	c.reply_len = MSG_MAX;
	rop = recv_begin(1, qfds[r].inst);
	ret = ioctl(qfds[q].fd, KIPC_IOC_CALL, &c);
	/*
	 * KIPC_SEND_DROPPED: a full DROP queue dropped the request on arrival (sent = 0, no
	 * reply); the kernel counts it sent and dropped, and so does the ledger.
	 */
	if (ret == KIPC_SEND_DROPPED) {
		settle(seq, 1, true);
		W->calls++;
		if (c.sent || c.reply_len)
			violation("call: dropped, yet sent %u and a reply of %u", c.sent, c.reply_len);
		return;
	}
	ret = ret < 0 ? -errno : 0;
	settle(seq, 1, c.sent == 1);
	W->calls++;
	if (c.sent > 1)
		violation("call: sent = %u", c.sent);
	if (ret && !allowed(-ret, recv_errs))
		unexpected("call", -ret);
	if (!ret && claim(W->rbuf[0], c.reply_len, qfds[r].inst, token_of(me, rop, 0)) > 0)
		W->recvd++;
}

static void op_stat(unsigned int q)
{
	struct kipc_stat st = { .size = sizeof(st), .flags = KIPC_STAT_SELF };

	if (ioctl(qfds[q].fd, KIPC_IOC_STAT, &st)) {
		unexpected("stat", errno);
		return;
	}
	if (st.id != qfds[q].inst)
		violation("stat: fd of instance %u says %u", qfds[q].inst, st.id);
	if (st.sent < st.received + st.dropped + st.depth || st.depth > st.max_msgs)
		violation("stat of %u: sent %llu received %llu dropped %llu depth %u/%u", st.id,
			  (unsigned long long)st.sent, (unsigned long long)st.received,
			  (unsigned long long)st.dropped, st.depth, st.max_msgs);
}

/* ---- Ending an instance: the fenced destroy ---------------------------------------------- */

static int stat_name(const char *name, struct kipc_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	strcpy(st->name, name);
	return ioctl(ctl, KIPC_IOC_STAT, st) ? -errno : 0;
}

/* Record the end of the instance @st of queue @q: returns its snapshot. */
static struct snap *snap_begin(unsigned int q, const struct kipc_stat *st, uint32_t how,
			       unsigned int owner)
{
	uint32_t i = __atomic_fetch_add(&L->nsnap, 1, __ATOMIC_SEQ_CST);
	struct snap *s;

	if (i >= MAX_SNAPS) {
		violation("more than %u instance ends", MAX_SNAPS);
		return NULL;
	}
	s = &L->snaps[i];
	s->id = st->id;
	s->slot = q;
	s->owner = owner;
	s->how = how;
	s->depth = st->depth;
	s->sent = st->sent;
	s->received = st->received;
	s->dropped = st->dropped;
	__atomic_store_n(&s->status, SNAP_PENDING, __ATOMIC_SEQ_CST);
	return s;
}

static void op_destroy(unsigned int q)
{
	uint32_t expected = 0, how = below(2) ? END_DESTROY_NOW : END_DESTROY;
	uint64_t give_up = now_ns() + 20000000000ull;
	struct kipc_stat st;
	struct snap *s;
	unsigned int x;
	int ret;

	if (!__atomic_compare_exchange_n(&L->excl[q], &expected, me + 1, false, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST))
		return;
	/* Wait for everyone inside to come out (the supervisor clears the dead). */
	for (x = 0; x < L->nworkers; x++)
		while (__atomic_load_n(&L->w[x].hold, __ATOMIC_SEQ_CST) & (1u << q)) {
			if (now_ns() > give_up) {
				violation("destroy of %s: worker %u holds the queue for 20 s",
					  qnames[q], x);
				break;
			}
			usleep(200);
		}
	ret = stat_name(qnames[q], &st);
	if (ret == -ENOENT) {
		if (__atomic_load_n(&L->current[q], __ATOMIC_SEQ_CST))
			violation("%s is gone but the ledger knows instance %u", qnames[q],
				  L->current[q]);
		goto out;
	}
	if (ret) {
		unexpected("stat by name", -ret);
		goto out;
	}
	expected = __atomic_load_n(&L->current[q], __ATOMIC_SEQ_CST);
	if (expected && expected != st.id)
		violation("%s resolves to %u, the ledger says %u", qnames[q], st.id, expected);
	s = snap_begin(q, &st, how, me);
	if (!s)
		goto out;
	ret = kipc_destroy(ctl, qnames[q], how == END_DESTROY_NOW ? KIPC_DESTROY_NOW : 0);
	if (ret) {
		unexpected("destroy", -ret);
		__atomic_store_n(&s->status, SNAP_VOID, __ATOMIC_SEQ_CST);
		goto out;
	}
	__atomic_store_n(&s->status, SNAP_FINAL, __ATOMIC_SEQ_CST);
	__atomic_store_n(&L->current[q], 0, __ATOMIC_SEQ_CST);
	W->destroys++;
out:
	__atomic_store_n(&L->excl[q], 0, __ATOMIC_SEQ_CST);
}

/* ---- Shared pages -------------------------------------------------------------------------- */

struct sfd {
	int fd;
	uint64_t *map;
	uint64_t last;		/* what this worker last wrote to its cell */
	uint64_t seen;		/* doorbell */
};

static struct sfd sfds[NR_SHM];

static const int shm_errs[] = { EIDRM, ENOENT, EAGAIN, ETIMEDOUT, 0 };

static void shm_check_cells(struct sfd *s, const char *when)
{
	unsigned int x;

	for (x = 0; x < MAX_WORKERS; x++) {
		uint64_t v = __atomic_load_n(&s->map[x * 8], __ATOMIC_RELAXED);

		if (v && (v & 0xff) != x)
			violation("shm cell %u holds %#" PRIx64 " (%s)", x, v, when);
	}
	if (__atomic_load_n(&s->map[me * 8], __ATOMIC_RELAXED) != s->last)
		violation("shm: my cell holds %#" PRIx64 ", I wrote %#" PRIx64 " (%s)",
			  s->map[me * 8], s->last, when);
}

static void op_shm(unsigned int k)
{
	struct sfd *s = &sfds[k];
	uint32_t what = below(10);
	int ret;

	W->shm_ops++;
	if (s->fd < 0) {
		ret = kipc_shm_open(snames[k], 0, 0600, KIPC_ACCESS_READ | KIPC_ACCESS_WRITE,
				    SHM_SIZE);
		if (ret < 0) {
			if (ret != -EEXIST)
				unexpected("shm open", -ret);
			return;
		}
		s->fd = ret;
		s->seen = 0;
		return;
	}
	if (!s->map && what < 6) {
		int err = 0;
		void *p = kipc_shm_map(s->fd, PROT_READ | PROT_WRITE, NULL, &err);

		if (!p) {
			if (!allowed(-err, shm_errs))
				unexpected("shm map", -err);
			return;
		}
		s->map = p;
		/* A new channel is zero-filled; an old one holds its writers' words. */
		s->last = __atomic_load_n(&s->map[me * 8], __ATOMIC_RELAXED);
		return;
	}
	switch (what) {
	case 0: case 1: case 2:
		if (!s->map)
			break;
		shm_check_cells(s, "before writing");
		s->last = ((s->last >> 8) + 1) << 8 | me;
		__atomic_store_n(&s->map[me * 8], s->last, __ATOMIC_RELAXED);
		ret = kipc_notify(s->fd, NULL);
		if (ret && !allowed(-ret, shm_errs))
			unexpected("notify", -ret);
		break;
	case 3: case 4: {
		__u64 now = 0;

		ret = kipc_wait(s->fd, s->seen, 0, 1000000, &now);
		if (ret && !allowed(-ret, shm_errs))
			unexpected("wait", -ret);
		if (!ret) {
			if (now == s->seen)
				violation("wait returned with the doorbell unchanged");
			s->seen = now;
		}
		break;
	}
	case 5:
		/* Unfenced destroy-now: mappings must survive it. */
		ret = kipc_destroy(ctl, snames[k], KIPC_DESTROY_NOW);
		if (ret && ret != -ENOENT)
			unexpected("shm destroy", -ret);
		if (s->map)
			shm_check_cells(s, "after destroy");
		break;
	case 6: case 7:
		if (s->map) {
			shm_check_cells(s, "before unmap");
			munmap(s->map, SHM_SIZE);
			s->map = NULL;
		}
		break;
	default:
		if (s->map) {
			munmap(s->map, SHM_SIZE);
			s->map = NULL;
		}
		close(s->fd);
		s->fd = -1;
		break;
	}
}

/* ---- Killing -------------------------------------------------------------------------------- */

static void op_kill(void)
{
	unsigned int v = below(L->nworkers);
	pid_t pid;

	if (v == me)
		return;
	pid = __atomic_load_n(&L->w[v].pid, __ATOMIC_SEQ_CST);
	if (pid > 0 && kill(pid, SIGKILL) == 0)
		W->kills++;
}

/* ---- The worker ------------------------------------------------------------------------------ */

static void worker(unsigned int idx)
{
	unsigned int i;

	me = idx;
	W = &L->w[idx];
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	rng_state = stream_seed(g_seed, idx) ^ ((uint64_t)W->incarnation << 40);
	for (i = 0; i < NR_QUEUES; i++)
		qfds[i].fd = -1;
	for (i = 0; i < NR_SHM; i++)
		sfds[i] = (struct sfd){ .fd = -1 };
	ctl = kipc_open(0);
	if (ctl < 0) {
		violation("open: %s", kipc_strerror(ctl));
		_exit(1);
	}
	while (!__atomic_load_n(&L->stop, __ATOMIC_RELAXED) && now_ns() < L->deadline_ns) {
		uint32_t op = below(1000), q = below(NR_QUEUES), r = below(NR_QUEUES);

		__atomic_fetch_add(&W->progress, 1, __ATOMIC_RELAXED);
		alarm(60);
		if (below(kill_rate) == 0) {
			op_kill();
			continue;
		}
		if (op < 30) {
			op_destroy(q);
			continue;
		}
		if (op < 140) {
			op_shm(below(NR_SHM));
			continue;
		}
		if (op >= 960 && r != q) {
			if (!hold((1u << q) | (1u << r)))
				continue;
			if (queue_fd(q) && queue_fd(r))
				op_call(q, r);
			unhold();
			continue;
		}
		if (!hold(1u << q))
			continue;
		if (queue_fd(q)) {
			if (op < 440)
				op_send(q, false);
			else if (op < 540)
				op_send(q, true);
			else if (op < 820)
				op_recv(q, false);
			else if (op < 920)
				op_recv(q, true);
			else if (op < 940)
				op_stat(q);
			else if (op < 960) {
				/* Let go of the attachment (and maybe the last one). */
				close(qfds[q].fd);
				qfds[q].fd = -1;
			} else {
				op_call(q, q);
			}
		}
		unhold();
	}
	alarm(0);
	_exit(0);
}

/* ---- The supervisor ------------------------------------------------------------------------ */

static pid_t start_worker(unsigned int w)
{
	pid_t pid;

	L->w[w].incarnation++;
	L->w[w].hold = 0;
	L->w[w].rcount = 0;
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0)
		worker(w);
	__atomic_store_n(&L->w[w].pid, pid, __ATOMIC_SEQ_CST);
	return pid;
}

/*
 * Worker @w is dead and reaped: nothing of it runs any more.  Claim what its buffers hold,
 * settle a fenced destroy it left half done, and release its holds and gates.
 */
static void repair(unsigned int w)
{
	struct wstate *d = &L->w[w];
	unsigned int i, q;

	__atomic_store_n(&d->pid, 0, __ATOMIC_SEQ_CST);
	for (i = 0; i < d->rcount && i < RBUF_N; i++) {
		struct msg_hdr h;

		memcpy(&h, d->rbuf[i], sizeof(h));
		if (!h.magic)
			continue;
		if (claim(d->rbuf[i], 0, d->rinst, token_of(w, d->rop, i)) > 0) {
			L->recovered++;
			d->recvd++;
		}
	}
	d->rcount = 0;
	for (i = 0; i < L->nsnap && i < MAX_SNAPS; i++) {
		struct snap *s = &L->snaps[i];
		struct kipc_stat st;

		if (s->status != SNAP_PENDING || s->owner != w)
			continue;
		/* Inside its gate nothing else happened: the name still there means no destroy. */
		if (stat_name(qnames[s->slot], &st) == 0 && st.id == s->id) {
			s->status = SNAP_VOID;
		} else {
			s->status = SNAP_FINAL;
			L->current[s->slot] = 0;
		}
	}
	for (q = 0; q < NR_QUEUES; q++) {
		struct kipc_stat st;

		if (L->excl[q] != w + 1)
			continue;
		if (stat_name(qnames[q], &st) == -ENOENT)
			L->current[q] = 0;
		__atomic_store_n(&L->excl[q], 0, __ATOMIC_SEQ_CST);
	}
	__atomic_store_n(&d->hold, 0, __ATOMIC_SEQ_CST);
}

/* The end: drain what is left in each queue, then record and destroy it. */
static void drain_all(void)
{
	unsigned int q, n;

	me = MAX_WORKERS;
	W = &L->w[MAX_WORKERS];
	for (q = 0; q < NR_QUEUES; q++) {
		struct kipc_attach at = { .size = sizeof(at), .access = KIPC_ACCESS_READ };
		struct kipc_stat st;
		struct snap *s;
		int fd, ret;

		if (stat_name(qnames[q], &st))
			continue;
		fd = kipc_open(0);
		strcpy(at.name, qnames[q]);
		if (fd < 0 || ioctl(fd, KIPC_IOC_ATTACH, &at)) {
			violation("drain: cannot attach %s", qnames[q]);
			continue;
		}
		if (L->current[q] && L->current[q] != at.id)
			violation("%s resolves to %u, the ledger says %u", qnames[q], at.id,
				  L->current[q]);
		for (n = 0;; n++) {
			uint64_t rop = recv_begin(1, at.id);
			long len = kipc_recv(fd, W->rbuf[0], MSG_MAX, NULL, 0, 0);

			if (len < 0) {
				if (len != -EAGAIN)
					unexpected("drain", (int)-len);
				break;
			}
			if (claim(W->rbuf[0], (size_t)len, at.id, token_of(MAX_WORKERS, rop, 0)) > 0)
				W->recvd++;
		}
		ret = stat_name(qnames[q], &st);
		close(fd);
		if (ret) {
			unexpected("stat at the end", -ret);
			continue;
		}
		s = snap_begin(q, &st, END_RUN, MAX_WORKERS);
		if (s && kipc_destroy(ctl, qnames[q], KIPC_DESTROY_NOW) == 0)
			s->status = SNAP_FINAL;
		else if (s)
			s->status = SNAP_VOID;
	}
	for (q = 0; q < NR_SHM; q++)
		kipc_destroy(ctl, snames[q], KIPC_DESTROY_NOW);
}

struct tally {
	uint32_t id;
	int snap;
	uint64_t confirmed, inflight, inflight_recvd, received;
};

static struct tally *tally_of(struct tally *t, uint32_t cap, uint32_t id)
{
	uint32_t h = (id * 2654435761u) % cap;

	while (t[h].id && t[h].id != id)
		h = (h + 1) % cap;
	if (!t[h].id) {
		t[h].id = id;
		t[h].snap = -1;
	}
	return &t[h];
}

static int verdict(double secs)
{
	uint32_t cap = 2 * MAX_SNAPS + 1, i, instances = 0, bad_inst = 0;
	struct tally *t = calloc(cap, sizeof(*t));
	uint64_t sent = 0, krecv = 0, dropped = 0, destroyed = 0, confirmed = 0, inflight = 0;
	uint64_t inflight_acc = 0, received = 0, failed = 0, kills = 0, total_sends = 0;
	unsigned int w;

	for (i = 0; i < L->nsnap && i < MAX_SNAPS; i++) {
		struct snap *s = &L->snaps[i];
		struct tally *x;

		if (s->status != SNAP_FINAL)
			continue;
		x = tally_of(t, cap, s->id);
		if (x->snap >= 0)
			violation("instance %u ended twice", s->id);
		x->snap = (int)i;
	}
	for (w = 0; w < L->nworkers; w++) {
		uint64_t seq;

		kills += L->w[w].kills;
		for (seq = 0; seq < L->w[w].next_seq; seq++) {
			struct rec *r = rec_of(w, seq);
			struct tally *x;

			if (r->state == REC_NONE)
				continue;
			total_sends++;
			if (r->state == REC_FAILED) {
				failed++;
				continue;
			}
			x = tally_of(t, cap, r->inst);
			if (r->state == REC_CONFIRMED) {
				x->confirmed++;
			} else {
				x->inflight++;
				x->inflight_recvd += r->token != 0;
			}
			x->received += r->token != 0;
		}
	}
	for (i = 0; i < cap; i++) {
		struct tally *x = &t[i];
		struct snap *s;

		if (!x->id)
			continue;
		instances++;
		if (x->snap < 0) {
			violation("instance %u was sent to but never accounted for", x->id);
			bad_inst++;
			continue;
		}
		s = &L->snaps[x->snap];
		sent += s->sent;
		krecv += s->received;
		dropped += s->dropped;
		if (s->how != END_RUN)
			destroyed += s->depth;
		else if (s->depth)
			violation("instance %u: %u messages left after the drain", s->id, s->depth);
		confirmed += x->confirmed;
		inflight += x->inflight;
		received += x->received;
		if (s->sent >= x->confirmed)
			inflight_acc += s->sent - x->confirmed;
		if (s->sent != s->received + s->dropped + s->depth ||
		    x->received != s->received ||
		    s->sent < x->confirmed + x->inflight_recvd ||
		    s->sent > x->confirmed + x->inflight) {
			bad_inst++;
			violation("instance %u (%s): kernel sent %" PRIu64 " received %" PRIu64
				  " dropped %" PRIu64 " depth %u; ledger confirmed %" PRIu64
				  " in flight %" PRIu64 " (%" PRIu64 " received) received %" PRIu64,
				  s->id, qnames[s->slot], s->sent, s->received, s->dropped, s->depth,
				  x->confirmed, x->inflight, x->inflight_recvd, x->received);
		}
	}
	free(t);

	printf("kipc-stress: %.1f s, %u workers, seed %" PRIu64 ", %u instances ended "
	       "(%u queue names)\n", secs, L->nworkers, g_seed, instances, NR_QUEUES);
	printf("  sends tried %" PRIu64 ": confirmed %" PRIu64 ", failed (EAGAIN/ETIMEDOUT) %"
	       PRIu64 ", in flight at kill %" PRIu64 " (the kernel accepted %" PRIu64 ")\n",
	       total_sends, confirmed, failed, inflight, inflight_acc);
	printf("  kernel: sent %" PRIu64 " = received %" PRIu64 " + dropped %" PRIu64
	       " + destroyed %" PRIu64 "\n", sent, krecv, dropped, destroyed);
	printf("  ledger: received %" PRIu64 " (%" PRIu64 " recovered from killed receivers), "
	       "duplicates %" PRIu64 ", phantoms %" PRIu64 ", misrouted %" PRIu64 ", corrupt %"
	       PRIu64 "\n", received, L->recovered, L->dups, L->phantoms, L->misrouted, L->corrupt);
	printf("  kills sent %" PRIu64 ", workers killed %" PRIu64 " (restarted %" PRIu64 "), "
	       "instances that do not add up %u, violations %" PRIu64 "\n", kills, L->kills_seen,
	       L->restarts, bad_inst, L->violations);
	for (w = 0; w <= L->nworkers; w++) {
		struct wstate *x = &L->w[w == L->nworkers ? MAX_WORKERS : w];

		printf("  %s %2u: ops %" PRIu64 ", sent %" PRIu64 " of %" PRIu64 ", received %"
		       PRIu64 " in %" PRIu64 " calls, calls %" PRIu64 ", creates %" PRIu64
		       ", destroys %" PRIu64 ", shm %" PRIu64 ", kills %" PRIu64 ", incarnations %u\n",
		       w == L->nworkers ? "drain " : "worker", w, x->progress, x->sends_ok, x->sends,
		       x->recvd, x->recvs, x->calls, x->creates, x->destroys, x->shm_ops, x->kills,
		       x->incarnation);
	}
	if (L->violations || bad_inst || sent != krecv + dropped + destroyed) {
		printf("kipc-stress: NOT CONSERVED\n");
		return 1;
	}
	printf("kipc-stress: conserved: %" PRIu64 " messages accepted, each received once (%"
	       PRIu64 "), dropped (%" PRIu64 ") or destroyed (%" PRIu64 ")\n", sent, received,
	       dropped, destroyed);
	return 0;
}

static void dump_stuck(unsigned int w)
{
	char path[64], buf[2048];
	int fd;
	ssize_t n;

	printf("kipc-stress: worker %u (pid %d) made no progress for %d s\n", w, L->w[w].pid,
	       STUCK_SECONDS);
	snprintf(path, sizeof(path), "/proc/%d/stack", L->w[w].pid);
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = 0;
			printf("%s", buf);
		}
		close(fd);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: kipc-stress [--seconds N] [--workers W] [--seed S] "
		"[--kill-rate R] [--inject lose|dup]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	uint64_t last[MAX_WORKERS] = { 0 }, t0, end;
	unsigned int seconds = 60, w, alive, stalled[MAX_WORKERS] = { 0 };
	pid_t pids[MAX_WORKERS];
	uint64_t next_watch;
	int i, failed = 0, held_at_start;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = (unsigned int)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--workers") && i + 1 < argc)
			nworkers = (unsigned int)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			g_seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--kill-rate") && i + 1 < argc)
			kill_rate = (unsigned int)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--inject") && i + 1 < argc && !strcmp(argv[i + 1], "lose"))
			inject = INJECT_LOSE, i++;
		else if (!strcmp(argv[i], "--inject") && i + 1 < argc && !strcmp(argv[i + 1], "dup"))
			inject = INJECT_DUP, i++;
		else
			usage();
	}
	if (nworkers < 2 || nworkers > MAX_WORKERS || !kill_rate)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("kipc-stress: %u workers for %u s, seed %" PRIu64 ", a kill every ~%u operations%s\n",
	       nworkers, seconds, g_seed, kill_rate,
	       inject == INJECT_LOSE ? ", INJECTING LOSSES" : inject == INJECT_DUP ?
	       ", INJECTING DUPLICATES" : "");

	L = mmap(NULL, sizeof(*L), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	recs = mmap(NULL, sizeof(*recs) * (size_t)MAX_WORKERS * SEQ_CAP, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (L == MAP_FAILED || recs == MAP_FAILED)
		return perror("mmap"), 1;
	ctl = kipc_open(0);
	if (ctl < 0) {
		printf("kipc-stress: %s\n", kipc_strerror(ctl));
		return 1;
	}
	held_at_start = kipc_state_held() > 0;
	/* Start clean: names left by an earlier run would hold messages nobody sent. */
	for (w = 0; w < NR_QUEUES; w++)
		kipc_destroy(ctl, qnames[w], KIPC_DESTROY_NOW);
	for (w = 0; w < NR_SHM; w++)
		kipc_destroy(ctl, snames[w], KIPC_DESTROY_NOW);
	L->nworkers = nworkers;
	t0 = now_ns();
	L->deadline_ns = t0 + (uint64_t)seconds * 1000000000ull;
	for (w = 0; w < nworkers; w++)
		pids[w] = start_worker(w);

	next_watch = t0 + 1000000000ull;
	for (alive = nworkers; alive;) {
		int status;
		pid_t r = waitpid(-1, &status, WNOHANG);

		if (r > 0) {
			for (w = 0; w < nworkers && pids[w] != r; w++)
				;
			if (w == nworkers)
				continue;
			repair(w);
			pids[w] = 0;
			if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL) {
				printf("kipc-stress: worker %u died of signal %d\n", w,
				       WTERMSIG(status));
				failed = 1;
			} else if (WIFEXITED(status) && WEXITSTATUS(status)) {
				failed = 1;
			}
			if (WIFSIGNALED(status))
				L->kills_seen++;
			if (WIFSIGNALED(status) && now_ns() < L->deadline_ns) {
				pids[w] = start_worker(w);
				L->restarts++;
			} else {
				alive--;
			}
			continue;
		}
		usleep(2000);
		if (now_ns() < next_watch)
			continue;
		next_watch += 1000000000ull;
		for (w = 0; w < nworkers; w++) {
			if (!pids[w])
				continue;
			if (L->w[w].progress != last[w]) {
				last[w] = L->w[w].progress;
				stalled[w] = 0;
			} else if (++stalled[w] == STUCK_SECONDS) {
				dump_stuck(w);
				failed = 1;
				L->stop = 1;
				kill(pids[w], SIGKILL);
			} else if (stalled[w] == STUCK_SECONDS + 15) {
				printf("kipc-stress: worker %u survives SIGKILL (it sleeps in the "
				       "kernel uninterruptibly)\n", w);
				return 1;
			}
		}
	}
	end = now_ns();
	drain_all();
	close(ctl);
	failed |= verdict((end - t0) / 1e9);
	/* Every worker is gone, every name destroyed: the module must hold nothing now. */
	if (!held_at_start)
		failed |= kipc_state_settles("kipc-stress");
	return failed;
}
