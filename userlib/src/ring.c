// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * A single-producer, single-consumer ring of variable-size messages in any shared mapping.
 *
 * Layout.  The mapping starts with struct ring_hdr (KIPC_RING_HDR_SIZE bytes, four 128-byte
 * lines) and the data area follows.  Line 0 is set by kipc_ring_init() and then only gains
 * each side's pid and closed flag; line 1 is the producer's index (head), line 2 the
 * consumer's (tail), line 3 the slow path (futex words and waiter flags).  The lines are 128
 * bytes, not 64, because x86 prefetches cache lines in pairs: with 64 the two indices would
 * still bounce together.  The data area is a power of two so that free-running 32-bit indices
 * can be reduced with a mask and stay right across their own wrap at 2^32; head - tail is the
 * number of bytes queued and never exceeds the data size.  Only indices are shared, never
 * pointers, so each process may map the ring at another address.
 *
 * Records.  Every message travels as records of a 16-byte struct ring_rec and a payload padded
 * to 8 bytes (KIPC_RING_REC_SIZE()).  A record kipc_ring_send() writes may straddle the end of
 * the data area: both sides copy in two pieces where it wraps, so no space is lost.
 * A message whose record fits in the data area is one record (offset 0, len == total).  A larger
 * one goes as chunks of half the data area, so that the consumer copies one out while the
 * producer writes the next; each chunk carries the total length and its offset, which lets
 * the consumer check the total against its buffer before it consumes anything, and check that
 * the chunks arrive in order.  Being SPSC, chunks of two messages never interleave; a record at
 * offset 0 always starts a new message.
 *
 * In place.  kipc_ring_reserve() hands out the payload of the next record, to be written where
 * it lies, and kipc_ring_commit() publishes it; kipc_ring_peek() hands out the next message
 * where it lies and kipc_ring_release() frees its room.  A reservation is always contiguous:
 * where its record would straddle the end of the data area, a pad record (RING_REC_PAD, its
 * payload skipped unread) fills the rest of the lap first, and the record starts at offset 0
 * (at 8, when only 8 bytes were left and the pad's own header straddles).  That wastes at most
 * a record's size once a lap, and needs the record to fit in half the data area: then pad and
 * record together never need more than the whole of it (the record only wraps when it starts
 * past the middle), so a reservation always fits once the consumer has drained the ring.
 * kipc_ring_inplace_max() is that limit, the payload of a chunk.  Sent records do not pad, so a
 * peek gives up to two spans: one for a message made in place, two where a sent one wraps.
 * A chunked message (larger than the data area) cannot be made or read in place: peek gives
 * -EMSGSIZE and leaves it to kipc_ring_recv().  The pad is the only record whose flags are not
 * zero; a consumer of a library from before the in-place API (KIPC_0.3) reports -EPROTO at one,
 * so a ring written in place needs this version on both sides (the header's version is
 * unchanged: rings written by copy alone are the same as before).
 *
 * Memory order.  Each side owns its index: it keeps it in the handle (ring->pos) and only
 * stores it, with release, after its copies into or out of the data area, so the peer's acquire
 * load of that index orders those copies before its own use of the bytes.  The in-place paths
 * keep this with the caller's own accesses in the place of the copies: reserve publishes
 * nothing (the pad header and the caller's bytes are written into room the consumer's index
 * gave back, before any store of the head), commit writes the record header and then stores
 * the head with release, so the caller's writes between reserve and commit happen before the
 * consumer's acquire load lets it read them; peek returns only after the acquire load that
 * covers the whole record, and release stores the tail with release after the caller's reads,
 * so the producer reuses the room only after them.  The caller's accesses must be ordered
 * before commit or release by the calling thread (its own program order, or a lock or join if
 * another thread made them).  The peer's index is cached (ring->peer) and loaded again only
 * when the cache says there is not enough, so the fast path reads no line the peer writes.
 *
 * Waiting.  A side that must wait sets its "waiting" flag, issues a seq_cst fence and checks
 * again; the side that publishes an index stores it, issues a seq_cst fence and then reads the
 * flag.  This is Dekker's pattern: either the checker sees the new index or the publisher sees
 * the flag.  Only then does the publisher bump the sleeper's futex word and wake it, so a ring
 * nobody sleeps on costs no syscall.  The sleeper sleeps on the word it read before it set the
 * flag, so a wake that comes between its check and its sleep makes the sleep return at once.
 * Waiting goes through struct kipc_ring_wait_ops: the default is FUTEX_WAIT/FUTEX_WAKE, shared
 * (not FUTEX_PRIVATE_FLAG) because the sides may be different processes.
 *
 * Spinning.  A side that would sleep first spins, for at most spin_ns (KIPC_RING_SPIN_NS by
 * default, kipc_ring_set_spin() to change it), re-checking with a pause between looks: a wake-up
 * of a sleeping process costs tens of microseconds, a cache-line transfer a fraction of one, so
 * a peer that answers within the budget costs no syscall at all.  It does not spin where that
 * cannot help: on one CPU (the peer cannot run meanwhile), and while the peer itself sleeps
 * waiting for this side (it cannot be about to answer).  The time spun is counted
 * (kipc_ring_spin_ns()), so that what spinning buys is seen beside what it burns.
 *
 * Peer liveness.  Sleeps last at most KIPC_RING_CHECK_NS; each that ends by timeout checks
 * whether the peer process still exists, so a peer killed with SIGKILL yields -EPIPE within
 * about that time, even to a caller that waits forever.  The check is kill(pid, 0) failing
 * with ESRCH, then, because kill() still reaches a zombie, a pidfd (Linux 5.3) that polls
 * readable once the process has exited.  Pids are compared as the attaching process saw its
 * own: across pid namespaces they mean nothing (attach with KIPC_RING_NO_PEER_CHECK), and a pid
 * reused after the peer was reaped looks alive, so a finite timeout remains the last resort.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>

#include "kipc.h"

#define RING_MAGIC	0x676e726bu	/* "krng" in memory on little-endian machines */
#define RING_VERSION	1
#define RING_LINE	128

/* Sides index the per-side fields of the header. */
enum { RING_PRODUCER, RING_CONSUMER };

struct ring_index {
	_Atomic __u32 val;
	char pad[RING_LINE - sizeof(__u32)];
};

struct ring_wait {
	_Atomic __u32 seq;	/* the futex word: bumped by the peer before each wake */
	_Atomic __u32 waiting;	/* set by the sleeper, taken (exchanged to 0) by the waker */
};

struct ring_hdr {
	_Atomic __u32 magic;	/* stored last by init, with release */
	__u32 version;
	__u32 hdr_size;
	__u32 data_size;
	_Atomic __u32 pid[2];	/* per side: the attached process, or 0 */
	_Atomic __u32 closed[2];	/* per side: set by kipc_ring_close() */
	char pad0[RING_LINE - 8 * sizeof(__u32)];
	struct ring_index idx[2];	/* per side: head for the producer, tail for the consumer */
	struct ring_wait wait[2];	/* per side: what that side sleeps on */
	char pad3[RING_LINE - 2 * sizeof(struct ring_wait)];
};

struct ring_rec {
	__u32 len;	/* payload bytes in this record */
	__u32 offset;	/* where they go in the message */
	__u32 total;	/* the message's length */
	__u32 flags;	/* zero, or RING_REC_PAD; anything else is a corrupt ring */
};

/* A pad record: len == total bytes to skip, offset 0; written only before a reservation. */
#define RING_REC_PAD	1u

_Static_assert(sizeof(struct ring_hdr) == KIPC_RING_HDR_SIZE, "header size is ABI");
_Static_assert(offsetof(struct ring_hdr, idx[1]) == 2 * RING_LINE, "indices on their own lines");
_Static_assert(sizeof(struct ring_rec) == KIPC_RING_REC_SIZE(0), "record header size is ABI");
/* A lock-based atomic would be private to each process: the ring needs real ones. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "32-bit atomics must be lock-free");

struct kipc_ring {
	struct ring_hdr *hdr;
	unsigned char *data;
	__u32 size;		/* of the data area, a power of two */
	__u32 max_chunk;	/* payload of one chunk of a message larger than the ring */
	unsigned int side;
	unsigned int flags;
	__u32 pos;		/* this side's index; only this side writes it */
	__u32 peer;		/* the peer's index as last loaded */
	const struct kipc_ring_wait_ops *ops;
	void *ops_ctx;
	__u64 spin_ns;		/* longest spin before a sleep; 0: sleep at once */
	__u64 spun_ns;		/* CPU time spent spinning, all told */
	/* A message a call left half sent or half received (see kipc_ring_send()). */
	bool part_active;
	const void *part_buf;
	__u32 part_len;
	__u32 part_off;
	/* The in-place message this side holds: reserved (producer) or peeked (consumer). */
	bool held;
	__u32 held_len;		/* reserved room, or the peeked message's length */
	__u32 held_pad;		/* producer: bytes of pad record before the reserved record */
};

/* ---- Default wait ops: futexes ----------------------------------------------------------- */

static int ring_futex_wait(void *ctx, __u32 *word, __u32 expected, __u64 timeout_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(timeout_ns / 1000000000u),
		.tv_nsec = (long)(timeout_ns % 1000000000u),
	};

	(void)ctx;
	/* Relative timeout, CLOCK_MONOTONIC; not private, so it works across processes. */
	if (syscall(SYS_futex, word, FUTEX_WAIT, expected, &ts, NULL, 0) < 0)
		return -errno;
	return 0;
}

static void ring_futex_wake(void *ctx, __u32 *word)
{
	(void)ctx;
	/* Only one side ever sleeps on a given word. */
	syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static const struct kipc_ring_wait_ops ring_futex_ops = {
	.wait = ring_futex_wait,
	.wake = ring_futex_wake,
};

const struct kipc_ring_wait_ops *kipc_ring_futex_ops(void)
{
	return &ring_futex_ops;
}

/* ---- Helpers ------------------------------------------------------------------------------ */

struct ring_deadline {
	__s64 timeout_ns;	/* as the caller gave it: < 0 forever, 0 no wait */
	__u64 end;		/* CLOCK_MONOTONIC ns; 0 until the first sleep starts the clock */
};

/* Nanoseconds left, UINT64_MAX when waiting forever.  The clock is read only once a call
 * actually sleeps, so the fast path does not even pay for the vDSO.
 */
static __u64 ring_time_left(struct ring_deadline *dl)
{
	struct timespec ts;
	__u64 now;

	if (dl->timeout_ns < 0)
		return UINT64_MAX;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (__u64)ts.tv_sec * 1000000000u + (__u64)ts.tv_nsec;
	if (!dl->end)
		dl->end = now + (__u64)dl->timeout_ns;
	return dl->end > now ? dl->end - now : 0;
}

/*
 * Copy @len bytes between @mem and the data area at index @idx, in two pieces where it wraps.
 * @mem is only read when @to_ring, so a caller's const buffer may be passed.
 */
static void ring_copy(const struct kipc_ring *r, __u32 idx, void *mem, size_t len, bool to_ring)
{
	size_t off = idx & (r->size - 1);
	size_t first = len < r->size - off ? len : r->size - off;
	unsigned char *m = mem;

	if (to_ring) {
		memcpy(r->data + off, m, first);
		memcpy(r->data, m + first, len - first);
	} else {
		memcpy(m, r->data + off, first);
		memcpy(m + first, r->data, len - first);
	}
}

/* Bytes the peer has made ready for this side: data to read, or room to write. */
static __u32 ring_ready(const struct kipc_ring *r)
{
	return r->side == RING_PRODUCER ? r->size - (r->pos - r->peer) : r->peer - r->pos;
}

static int ring_load_peer(struct kipc_ring *r)
{
	/* acquire: pairs with the peer's release store in ring_advance(), so the bytes it wrote
	 * (or finished reading) before moving its index are settled before this side uses them.
	 */
	__u32 peer = atomic_load_explicit(&r->hdr->idx[!r->side].val, memory_order_acquire);
	__u32 queued = r->side == RING_PRODUCER ? r->pos - peer : peer - r->pos;

	/* A peer index that claims more queued than the ring holds is a corrupt ring. */
	if (queued > r->size)
		return -EPROTO;
	r->peer = peer;
	return 0;
}

/* Whether the peer process has exited (see "Peer liveness" above). */
static bool ring_peer_gone(const struct kipc_ring *r)
{
	pid_t pid = (pid_t)atomic_load_explicit(&r->hdr->pid[!r->side], memory_order_relaxed);
	struct pollfd pfd = { .events = POLLIN };
	bool gone = false;

	if (!pid || (r->flags & KIPC_RING_NO_PEER_CHECK))
		return false;
	if (kill(pid, 0) < 0 && errno == ESRCH)
		return true;
#ifdef SYS_pidfd_open
	pfd.fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd.fd < 0)
		return errno == ESRCH;
	gone = poll(&pfd, 1, 0) == 1;
	close(pfd.fd);
#endif
	return gone;
}

/* ---- Waiting ------------------------------------------------------------------------------ */

/*
 * ring_check() - whether @need bytes are ready for this side
 * Return: 1 ready, 0 not yet, -EPIPE the peer has closed (for the consumer: and everything it
 * sent has been taken), -EPROTO a corrupt ring.
 */
static int ring_check(struct kipc_ring *r, __u32 need)
{
	int ret;

	if (ring_ready(r) >= need)
		return 1;
	ret = ring_load_peer(r);
	if (ret)
		return ret;
	if (ring_ready(r) >= need)
		return 1;
	/* acquire: pairs with the release in kipc_ring_close(), so the load below sees the last
	 * index the peer stored before closing.
	 */
	if (!atomic_load_explicit(&r->hdr->closed[!r->side], memory_order_acquire))
		return 0;
	if (r->side == RING_PRODUCER)
		return -EPIPE;
	ret = ring_load_peer(r);
	if (ret)
		return ret;
	return ring_ready(r) >= need ? 1 : -EPIPE;
}

/*
 * ring_sleep() - one sleep of at most KIPC_RING_CHECK_NS on @word while it holds @seq
 * Return: 0 to check again, -ETIMEDOUT, -EPIPE (the peer has gone), or the wait op's error.
 */
static int ring_sleep(struct kipc_ring *r, _Atomic __u32 *word, __u32 seq,
		      struct ring_deadline *dl)
{
	__u64 left = ring_time_left(dl);
	int ret;

	if (!left)
		return ring_peer_gone(r) ? -EPIPE : -ETIMEDOUT;
	/* The futex word is a plain __u32 to the wait op; a lock-free atomic has its layout. */
	ret = r->ops->wait(r->ops_ctx, (__u32 *)word, seq,
			   left < KIPC_RING_CHECK_NS ? left : KIPC_RING_CHECK_NS);
	if (ret == -ETIMEDOUT)
		return ring_peer_gone(r) ? -EPIPE : 0;
	/* -EAGAIN: the word had already moved; -EINTR: a signal.  Both mean look again. */
	if (!ret || ret == -EAGAIN || ret == -EINTR)
		return 0;
	return ret;
}

static __u64 ring_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000u + (__u64)ts.tv_nsec;
}

static inline void ring_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	atomic_signal_fence(memory_order_seq_cst);
#endif
}

/*
 * Spin until the peer made @need bytes ready, for at most r->spin_ns, unless the peer sleeps
 * waiting for this side.  Return: ring_check()'s answer (0: still nothing, the caller sleeps).
 */
static int ring_spin(struct kipc_ring *r, __u32 need)
{
	const struct ring_wait *peer = &r->hdr->wait[!r->side];
	__u64 start, now;
	unsigned int i;
	int ret = 0;

	if (!r->spin_ns)
		return 0;
	start = ring_now_ns();
	now = start;
	while (now - start < r->spin_ns) {
		/* relaxed: a stale flag costs one look more or one less, never a lost wake. */
		if (atomic_load_explicit(&peer->waiting, memory_order_relaxed))
			break;
		for (i = 0; i < 64; i++) {
			ret = ring_check(r, need);
			if (ret)
				goto out;
			ring_cpu_relax();
		}
		now = ring_now_ns();
	}
out:
	r->spun_ns += ring_now_ns() - start;
	return ret;
}

/*
 * ring_await() - wait until the peer has made @need bytes ready for this side
 * Return: 0, -EAGAIN (the caller does not wait), or an error of ring_check() or ring_sleep().
 */
static int ring_await(struct kipc_ring *r, __u32 need, struct ring_deadline *dl)
{
	struct ring_wait *w = &r->hdr->wait[r->side];
	__u32 seq;
	int ret;

	for (;;) {
		ret = ring_check(r, need);
		if (ret)
			return ret < 0 ? ret : 0;
		if (!dl->timeout_ns)
			return -EAGAIN;
		ret = ring_spin(r, need);
		if (ret)
			return ret < 0 ? ret : 0;
		/* relaxed: a stale value only makes the sleep below return at once. */
		seq = atomic_load_explicit(&w->seq, memory_order_relaxed);
		/* release: keeps the load of seq before the flag; the waker takes the flag with
		 * acquire before bumping seq, so this side cannot have read the bumped value and
		 * then sleep on it.
		 */
		atomic_store_explicit(&w->waiting, 1, memory_order_release);
		/* seq_cst: this side's half of the Dekker pair with ring_notify(). */
		atomic_thread_fence(memory_order_seq_cst);
		ret = ring_check(r, need);
		if (!ret)
			ret = ring_sleep(r, &w->seq, seq, dl);
		/* relaxed: only saves the peer a wake; a late clear costs one spurious wake. */
		atomic_store_explicit(&w->waiting, 0, memory_order_relaxed);
		if (ret)
			return ret < 0 ? ret : 0;
	}
}

/* Wake the peer if, and only if, it sleeps or is about to. */
static void ring_notify(struct kipc_ring *r)
{
	struct ring_wait *w = &r->hdr->wait[!r->side];

	/* seq_cst: orders the index or closed flag just stored before the load of the flag; the
	 * peer's half is the fence in ring_await().
	 */
	atomic_thread_fence(memory_order_seq_cst);
	/* relaxed: a plain look first, so the common case does not dirty the line. */
	if (!atomic_load_explicit(&w->waiting, memory_order_relaxed))
		return;
	/* acquire: pairs with the sleeper's release of the flag (see ring_await()). */
	if (!atomic_exchange_explicit(&w->waiting, 0, memory_order_acquire))
		return;
	/* relaxed: the sleeper reads no data by this word, only compares it; FUTEX_WAIT does so
	 * under the futex bucket lock that FUTEX_WAKE also takes.
	 */
	atomic_fetch_add_explicit(&w->seq, 1, memory_order_relaxed);
	r->ops->wake(r->ops_ctx, (__u32 *)&w->seq);
}

/* Hand @n bytes to the peer: a record to the consumer, or its room back to the producer. */
static void ring_advance(struct kipc_ring *r, __u32 n)
{
	r->pos += n;
	/* release: this side's copies into (or out of) those bytes happen before the peer's
	 * acquire load of the index lets it touch them.
	 */
	atomic_store_explicit(&r->hdr->idx[r->side].val, r->pos, memory_order_release);
	ring_notify(r);
}

static void ring_part_start(struct kipc_ring *r, const void *buf, __u32 len)
{
	r->part_active = true;
	r->part_buf = buf;
	r->part_len = len;
	r->part_off = 0;
}

/* ---- The API ------------------------------------------------------------------------------ */

/* Checks both kipc_ring_init() and kipc_ring_attach() make of the caller's mapping. */
static int ring_check_mapping(const void *mem, size_t size)
{
	if (!mem || (uintptr_t)mem % sizeof(__u64) ||
	    size < KIPC_RING_HDR_SIZE + (size_t)KIPC_RING_MIN_DATA)
		return -EINVAL;
	return 0;
}

int kipc_ring_init(void *mem, size_t size, unsigned int flags)
{
	struct ring_hdr *hdr = mem;
	size_t data = KIPC_RING_MAX_DATA;
	int ret;

	ret = ring_check_mapping(mem, size);
	if (ret || flags)
		return ret ? ret : -EINVAL;
	while (KIPC_RING_HDR_SIZE + data > size)
		data >>= 1;
	/* relaxed: an attach racing a re-format must at least not see the old magic for long. */
	atomic_store_explicit(&hdr->magic, 0, memory_order_relaxed);
	memset((char *)hdr + sizeof(hdr->magic), 0, sizeof(*hdr) - sizeof(hdr->magic));
	hdr->version = RING_VERSION;
	hdr->hdr_size = KIPC_RING_HDR_SIZE;
	hdr->data_size = (__u32)data;
	/* release: an attach that sees the magic (acquire) sees every field above. */
	atomic_store_explicit(&hdr->magic, RING_MAGIC, memory_order_release);
	return 0;
}

/* Whether the header at @mem describes a ring this library can use within @size bytes. */
static int ring_check_hdr(const struct ring_hdr *hdr, size_t size)
{
	__u32 data = hdr->data_size;

	/* acquire: pairs with the release in kipc_ring_init(). */
	if (atomic_load_explicit(&hdr->magic, memory_order_acquire) != RING_MAGIC)
		return -EINVAL;
	if (hdr->version != RING_VERSION || hdr->hdr_size != KIPC_RING_HDR_SIZE ||
	    data < KIPC_RING_MIN_DATA || data > KIPC_RING_MAX_DATA || (data & (data - 1)))
		return -EPROTO;
	if (KIPC_RING_HDR_SIZE + (size_t)data > size)
		return -EINVAL;
	return 0;
}

/* Online CPUs, once: spinning on one is pure loss. */
static long ring_cpus(void)
{
	static long cpus;

	if (!cpus)
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
	return cpus;
}

/* KIPC_RING_SPIN_NS, or $KIPC_RING_SPIN_NS (nanoseconds), and none on one CPU. */
static __u64 ring_default_spin_ns(void)
{
	const char *env = getenv("KIPC_RING_SPIN_NS");
	unsigned long long ns = KIPC_RING_SPIN_NS;
	char *end;

	if (ring_cpus() <= 1)
		return 0;
	if (env && *env) {
		ns = strtoull(env, &end, 10);
		if (*end || ns > KIPC_RING_SPIN_MAX_NS)
			ns = KIPC_RING_SPIN_NS;
	}
	return ns;
}

int kipc_ring_attach(struct kipc_ring **ringp, void *mem, size_t size, unsigned int flags,
		     const struct kipc_ring_wait_ops *ops, void *ops_ctx)
{
	unsigned int role = flags & (KIPC_RING_PRODUCER | KIPC_RING_CONSUMER);
	struct ring_hdr *hdr = mem;
	struct kipc_ring *r;
	__u32 unclaimed = 0;
	int ret;

	if (!ringp || (flags & ~KIPC_RING_ATTACH_FLAGS) ||
	    (role != KIPC_RING_PRODUCER && role != KIPC_RING_CONSUMER))
		return -EINVAL;
	/* Wait ops are given exactly when the flag asks for them, and then whole. */
	if (!(flags & KIPC_RING_WAIT_OPS) != !ops || (ops && (!ops->wait || !ops->wake)))
		return -EINVAL;
	ret = ring_check_mapping(mem, size);
	if (!ret)
		ret = ring_check_hdr(hdr, size);
	if (ret)
		return ret;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->hdr = hdr;
	r->data = (unsigned char *)mem + KIPC_RING_HDR_SIZE;
	r->size = hdr->data_size;
	r->max_chunk = r->size / 2 - (__u32)sizeof(struct ring_rec);
	r->side = role == KIPC_RING_PRODUCER ? RING_PRODUCER : RING_CONSUMER;
	r->flags = flags;
	r->ops = ops ? ops : &ring_futex_ops;
	r->ops_ctx = ops_ctx;
	r->spin_ns = ring_default_spin_ns();
	/* relaxed: no one else stores this side's index. */
	r->pos = atomic_load_explicit(&hdr->idx[r->side].val, memory_order_relaxed);
	ret = ring_load_peer(r);
	if (ret)
		goto out_free;
	/* One process per side: the pid is the claim, and what the peer checks for liveness. */
	if (!atomic_compare_exchange_strong(&hdr->pid[r->side], &unclaimed, (__u32)getpid())) {
		ret = -EBUSY;
		goto out_free;
	}
	*ringp = r;
	return 0;

out_free:
	free(r);
	return ret;
}

int kipc_ring_set_spin(struct kipc_ring *ring, __u64 spin_ns)
{
	if (!ring || spin_ns > KIPC_RING_SPIN_MAX_NS)
		return -EINVAL;
	ring->spin_ns = ring_cpus() > 1 ? spin_ns : 0;
	return 0;
}

__u64 kipc_ring_spin_ns(const struct kipc_ring *ring)
{
	return ring ? ring->spun_ns : 0;
}

void kipc_ring_close(struct kipc_ring *ring)
{
	if (!ring)
		return;
	/* release: this side's last index store comes before the flag (see ring_check()). */
	atomic_store_explicit(&ring->hdr->closed[ring->side], 1, memory_order_release);
	ring_notify(ring);
	free(ring);
}

int kipc_ring_send(struct kipc_ring *ring, const void *buf, size_t len, __s64 timeout_ns)
{
	struct ring_deadline dl = { .timeout_ns = timeout_ns };
	struct ring_rec rec = { .total = (__u32)len };
	__u32 max;
	int ret;

	if (!ring || ring->side != RING_PRODUCER || (!buf && len))
		return -EINVAL;
	if (len > KIPC_RING_MAX_MSG)
		return -EMSGSIZE;
	/* relaxed: like a pipe whose reader has gone, fail at once; nothing is read by it. */
	if (atomic_load_explicit(&ring->hdr->closed[RING_CONSUMER], memory_order_relaxed))
		return -EPIPE;
	/* A reservation is abandoned: nothing of it was published, and this writes over it. */
	ring->held = false;
	/* Anything but the same call again abandons a half-sent message: the consumer drops it
	 * when this one's first record (offset 0) arrives.
	 */
	if (!ring->part_active || buf != ring->part_buf || len != ring->part_len)
		ring_part_start(ring, buf, (__u32)len);
	max = KIPC_RING_REC_SIZE(len) <= ring->size ? (__u32)len : ring->max_chunk;
	do {
		rec.offset = ring->part_off;
		rec.len = rec.total - rec.offset < max ? rec.total - rec.offset : max;
		ret = ring_await(ring, (__u32)KIPC_RING_REC_SIZE(rec.len), &dl);
		if (ret)
			return ret;
		ring_copy(ring, ring->pos, &rec, sizeof(rec), true);
		ring_copy(ring, ring->pos + (__u32)sizeof(rec), (char *)buf + rec.offset, rec.len,
			  true);
		ring_advance(ring, (__u32)KIPC_RING_REC_SIZE(rec.len));
		ring->part_off += rec.len;
	} while (ring->part_off < rec.total);
	ring->part_active = false;
	return 0;
}

/*
 * ring_next_rec() - wait for the next record that is part of a message, skipping pad records
 * Return: 0 with its header in @rec, an error of ring_await(), or -EPROTO.
 */
static int ring_next_rec(struct kipc_ring *r, struct ring_rec *rec, struct ring_deadline *dl)
{
	int ret;

	for (;;) {
		ret = ring_await(r, sizeof(*rec), dl);
		if (ret)
			return ret;
		/* The header is copied out once and checked there: the peer may scribble on the
		 * ring, but never makes this side write past a buffer or read past the ring.
		 */
		ring_copy(r, r->pos, rec, sizeof(*rec), false);
		if (rec->total > KIPC_RING_MAX_MSG || rec->len > rec->total ||
		    rec->offset > rec->total - rec->len || KIPC_RING_REC_SIZE(rec->len) > ring_ready(r))
			return -EPROTO;
		if (!rec->flags)
			return 0;
		if (rec->flags != RING_REC_PAD || rec->offset || rec->len != rec->total)
			return -EPROTO;
		/* Published with the record after it, so that one is already there. */
		ring_advance(r, (__u32)KIPC_RING_REC_SIZE(rec->len));
	}
}

long kipc_ring_recv(struct kipc_ring *ring, void *buf, size_t cap, __s64 timeout_ns)
{
	struct ring_deadline dl = { .timeout_ns = timeout_ns };
	struct ring_rec rec;
	int ret;

	if (!ring || ring->side != RING_CONSUMER || (!buf && cap))
		return -EINVAL;
	/* A peeked message is still the next: this takes it by copy instead. */
	ring->held = false;
	/* Another buffer than the one a message was half received into abandons the message. */
	if (ring->part_active && (buf != ring->part_buf || cap < ring->part_len))
		ring->part_active = false;
	for (;;) {
		ret = ring_next_rec(ring, &rec, &dl);
		if (ret)
			return ret;
		if (!rec.offset) {
			/* A new message: the producer abandoned any half-received one. */
			ring->part_active = false;
			if (rec.total > cap)
				return -EMSGSIZE;
			ring_part_start(ring, buf, rec.total);
		} else if (ring->part_active &&
			   (rec.offset != ring->part_off || rec.total != ring->part_len)) {
			return -EPROTO;
		}
		/* Without a message in progress, this is the rest of one this side abandoned. */
		if (ring->part_active)
			ring_copy(ring, ring->pos + (__u32)sizeof(rec), (char *)buf + rec.offset,
				  rec.len, false);
		ring_advance(ring, (__u32)KIPC_RING_REC_SIZE(rec.len));
		if (!ring->part_active)
			continue;
		ring->part_off += rec.len;
		if (ring->part_off == ring->part_len) {
			ring->part_active = false;
			return (long)rec.total;
		}
	}
}

/* ---- In place (see "In place" above) ------------------------------------------------------ */

size_t kipc_ring_inplace_max(const struct kipc_ring *ring)
{
	return ring ? ring->max_chunk : 0;
}

int kipc_ring_reserve(struct kipc_ring *ring, size_t len, void **bufp, __s64 timeout_ns)
{
	struct ring_deadline dl = { .timeout_ns = timeout_ns };
	struct ring_rec pad = { .flags = RING_REC_PAD };
	__u32 rec_size, left, start;
	int ret;

	if (!ring || ring->side != RING_PRODUCER || !bufp)
		return -EINVAL;
	if (len > ring->max_chunk)
		return -EMSGSIZE;
	/* relaxed: as in kipc_ring_send(). */
	if (atomic_load_explicit(&ring->hdr->closed[RING_CONSUMER], memory_order_relaxed))
		return -EPIPE;
	/* Another message: a half-sent one is abandoned, as by a send of another, and so is an
	 * earlier reservation (nothing of either is published from here on).
	 */
	ring->part_active = false;
	ring->held = false;
	rec_size = (__u32)KIPC_RING_REC_SIZE(len);
	left = ring->size - (ring->pos & (ring->size - 1));
	/* A pad of the rest of the lap, or of a bare header where only 8 bytes are left. */
	ring->held_pad = 0;
	if (rec_size > left)
		ring->held_pad = left >= sizeof(pad) ? left : (__u32)sizeof(pad);
	ret = ring_await(ring, ring->held_pad + rec_size, &dl);
	if (ret)
		return ret;
	if (ring->held_pad) {
		pad.len = pad.total = ring->held_pad - (__u32)sizeof(pad);
		ring_copy(ring, ring->pos, &pad, sizeof(pad), true);
	}
	start = (ring->pos + ring->held_pad + (__u32)sizeof(pad)) & (ring->size - 1);
	ring->held = true;
	ring->held_len = (__u32)len;
	*bufp = ring->data + start;
	return 0;
}

int kipc_ring_commit(struct kipc_ring *ring, size_t len)
{
	struct ring_rec rec = { .len = (__u32)len, .total = (__u32)len };

	if (!ring || ring->side != RING_PRODUCER || !ring->held || len > ring->held_len)
		return -EINVAL;
	ring->held = false;
	/* The pad goes out with the record, in the one release store of ring_advance(). */
	ring->pos += ring->held_pad;
	ring_copy(ring, ring->pos, &rec, sizeof(rec), true);
	ring_advance(ring, (__u32)KIPC_RING_REC_SIZE(len));
	return 0;
}

long kipc_ring_peek(struct kipc_ring *ring, struct kipc_ring_span span[2], __s64 timeout_ns)
{
	struct ring_deadline dl = { .timeout_ns = timeout_ns };
	struct ring_rec rec;
	size_t off, first;
	int ret;

	if (!ring || ring->side != RING_CONSUMER || !span)
		return -EINVAL;
	/* As a receive into another buffer: a half-received message is abandoned. */
	ring->part_active = false;
	ring->held = false;
	for (;;) {
		ret = ring_next_rec(ring, &rec, &dl);
		if (ret)
			return ret;
		if (!rec.offset)
			break;
		/* The rest of a message abandoned half way. */
		ring_advance(ring, (__u32)KIPC_RING_REC_SIZE(rec.len));
	}
	/* In chunks: never whole in the ring; it stays queued for kipc_ring_recv(). */
	if (rec.len != rec.total)
		return -EMSGSIZE;
	off = (ring->pos + (__u32)sizeof(rec)) & (ring->size - 1);
	first = rec.len < ring->size - off ? rec.len : ring->size - off;
	span[0].buf = ring->data + off;
	span[0].len = first;
	span[1].buf = rec.len > first ? ring->data : NULL;
	span[1].len = rec.len - first;
	ring->held = true;
	ring->held_len = rec.len;
	return (long)rec.len;
}

int kipc_ring_release(struct kipc_ring *ring)
{
	if (!ring || ring->side != RING_CONSUMER || !ring->held)
		return -EINVAL;
	ring->held = false;
	ring_advance(ring, (__u32)KIPC_RING_REC_SIZE(ring->held_len));
	return 0;
}
