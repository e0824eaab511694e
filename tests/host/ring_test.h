/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the shared-memory ring's host tests have in common: mappings, messages that carry
 * their sequence number and a checksum, and threads or processes that stream them.
 */
#ifndef RING_TEST_H
#define RING_TEST_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "host_test.h"
#include "kipc.h"

static inline __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000u + (__u64)ts.tv_nsec;
}

/* A positive integer from the environment, for runs that want more (the TSan run). */
static inline unsigned long env_count(const char *name, unsigned long def)
{
	const char *s = getenv(name);
	unsigned long v = s ? strtoul(s, NULL, 0) : 0;

	return v ? v : def;
}

static inline void *xmalloc(size_t size)
{
	void *p = malloc(size);

	if (!p) {
		perror("malloc");
		exit(1);
	}
	return p;
}

/* A shared anonymous mapping of @data bytes of ring plus the header; exits on failure. */
static inline void *ring_map(size_t data)
{
	void *mem = mmap(NULL, KIPC_RING_HDR_SIZE + data, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return mem;
}

/* Format @mem and attach one side of it; exits on failure, since nothing else can run. */
static inline struct kipc_ring *ring_side(void *mem, size_t data, unsigned int flags,
					  const struct kipc_ring_wait_ops *ops, void *ctx)
{
	struct kipc_ring *ring = NULL;
	int ret = kipc_ring_attach(&ring, mem, KIPC_RING_HDR_SIZE + data, flags, ops, ctx);

	if (ret) {
		fprintf(stderr, "kipc_ring_attach(%#x): %s\n", flags, strerror(-ret));
		exit(1);
	}
	return ring;
}

/* A fresh ring of @data bytes with both sides attached in this process. */
static inline void *ring_pair(size_t data, struct kipc_ring **prod, struct kipc_ring **cons)
{
	void *mem = ring_map(data);

	if (kipc_ring_init(mem, KIPC_RING_HDR_SIZE + data, 0)) {
		fprintf(stderr, "kipc_ring_init failed\n");
		exit(1);
	}
	*prod = ring_side(mem, data, KIPC_RING_PRODUCER, NULL, NULL);
	*cons = ring_side(mem, data, KIPC_RING_CONSUMER, NULL, NULL);
	return mem;
}

static inline void ring_unpair(void *mem, size_t data, struct kipc_ring *prod,
			       struct kipc_ring *cons)
{
	kipc_ring_close(prod);
	kipc_ring_close(cons);
	munmap(mem, KIPC_RING_HDR_SIZE + data);
}

static inline __u64 mix64(__u64 x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/*
 * Test messages: a __u32 sequence number, a __u32 checksum of the rest, then bytes from a
 * generator seeded by the sequence number.  The length also follows from the sequence number
 * (between 8 and @max), so the receiver knows what to expect of each.
 */
static inline size_t msg_len(__u32 seq, size_t max)
{
	return 8 + mix64(seq) % (max - 7);
}

/* FNV-1a over 8-byte words (the tail zero-padded): fast enough not to hide the ring's cost. */
static inline __u32 msg_sum(const unsigned char *p, size_t len)
{
	__u64 sum = 0xcbf29ce484222325ull, w;
	size_t i;

	for (i = 0; i < len; i += 8) {
		w = 0;
		memcpy(&w, p + i, len - i < 8 ? len - i : 8);
		sum = (sum ^ w) * 0x100000001b3ull;
	}
	return (__u32)(sum ^ (sum >> 32));
}

static inline void msg_fill(unsigned char *buf, size_t len, __u32 seq)
{
	__u64 x = seq;
	__u32 sum;
	size_t i;

	for (i = 8; i < len; i += 8) {
		x = mix64(x);
		memcpy(buf + i, &x, len - i < 8 ? len - i : 8);
	}
	sum = msg_sum(buf + 8, len - 8);
	memcpy(buf, &seq, 4);
	memcpy(buf + 4, &sum, 4);
}

static inline bool msg_ok(const unsigned char *buf, size_t len, __u32 seq)
{
	__u32 got_seq, sum;

	memcpy(&got_seq, buf, 4);
	memcpy(&sum, buf + 4, 4);
	if (got_seq != seq || sum != msg_sum(buf + 8, len - 8)) {
		fprintf(stderr, "message %u: got seq %u, checksum %s\n", seq, got_seq,
			sum == msg_sum(buf + 8, len - 8) ? "ok" : "bad");
		return false;
	}
	return true;
}

/* How a stream moves its messages: copied, in place, or each one way or the other. */
enum stream_way { STREAM_COPY, STREAM_INPLACE, STREAM_MIXED };

/*
 * A stream of @count test messages of up to @max bytes, sent or received and checked by
 * stream_run(), in a thread or a process.
 */
struct stream {
	struct kipc_ring *ring;
	bool send;
	unsigned long count;
	size_t max;
	__s64 timeout_ns;
	long err;	/* what stream_run() returned */
	enum stream_way way;
};

/* Whether message @seq goes in place on this side; in a mixed stream each side picks apart. */
static inline bool stream_inplace(const struct stream *s, __u32 seq)
{
	if (s->way == STREAM_MIXED)
		return mix64(seq ^ (s->send ? 0u : 0x5a5a5a5au)) & 1;
	return s->way == STREAM_INPLACE;
}

/* Send message @seq written in place; one too large for that goes by copy from @buf. */
static inline long stream_reserve(struct stream *s, unsigned char *buf, size_t len, __u32 seq)
{
	void *room;
	long ret = kipc_ring_reserve(s->ring, len, &room, s->timeout_ns);

	if (ret == -EMSGSIZE && s->way == STREAM_MIXED) {
		msg_fill(buf, len, seq);
		return kipc_ring_send(s->ring, buf, len, s->timeout_ns);
	}
	if (ret)
		return ret;
	msg_fill(room, len, seq);
	return kipc_ring_commit(s->ring, len);
}

/*
 * Peek at the next message and check it where it lies (a sent one that wraps is put together
 * in @buf first); one in chunks goes by copy into @buf.  Its length, or an error.
 */
static inline long stream_peek(struct stream *s, unsigned char *buf, __u32 seq)
{
	struct kipc_ring_span span[2];
	const unsigned char *msg = NULL;
	long ret = kipc_ring_peek(s->ring, span, s->timeout_ns);
	bool peeked = ret >= 0;

	if (ret == -EMSGSIZE && s->way == STREAM_MIXED) {
		ret = kipc_ring_recv(s->ring, buf, s->max, s->timeout_ns);
		msg = buf;
	} else if (peeked) {
		msg = span[0].buf;
		if (span[1].len) {
			memcpy(buf, span[0].buf, span[0].len);
			memcpy(buf + span[0].len, span[1].buf, span[1].len);
			msg = buf;
		}
	}
	if (ret >= 0 && (size_t)ret == msg_len(seq, s->max) && !msg_ok(msg, (size_t)ret, seq))
		ret = -EBADMSG;
	if (peeked && kipc_ring_release(s->ring))
		ret = -EBADMSG;
	return ret;
}

/* Message @seq of the stream, sent or received and checked: 0 or an error. */
static inline long stream_one(struct stream *s, unsigned char *buf, __u32 seq)
{
	size_t len = msg_len(seq, s->max);
	bool inplace = stream_inplace(s, seq);
	long ret;

	if (s->send && inplace)
		return stream_reserve(s, buf, len, seq);
	if (s->send) {
		msg_fill(buf, len, seq);
		return kipc_ring_send(s->ring, buf, len, s->timeout_ns);
	}
	if (inplace)
		ret = stream_peek(s, buf, seq);
	else
		ret = kipc_ring_recv(s->ring, buf, s->max, s->timeout_ns);
	if (ret >= 0 && ((size_t)ret != len || (!inplace && !msg_ok(buf, len, seq)))) {
		fprintf(stderr, "message %u: length %ld, want %zu\n", seq, ret, len);
		return -EBADMSG;
	}
	return ret < 0 ? ret : 0;
}

/* The whole stream: 0, or the first error (also in s->err). */
static inline long stream_run(struct stream *s)
{
	unsigned char *buf = xmalloc(s->max);
	unsigned long i;

	s->err = 0;
	for (i = 0; i < s->count && !s->err; i++)
		s->err = stream_one(s, buf, (__u32)i);
	if (s->err)
		fprintf(stderr, "%s %lu: %s\n", s->send ? "send" : "recv", i - 1,
			strerror((int)-s->err));
	free(buf);
	return s->err;
}

static inline void *stream_thread(void *arg)
{
	stream_run(arg);
	return NULL;
}

/*
 * Run a producer and a consumer thread over @prod and @cons, moving the messages @way;
 * returns 0 or the first error.
 */
static inline long stream_threads(struct kipc_ring *prod, struct kipc_ring *cons,
				  unsigned long count, size_t max, enum stream_way way)
{
	struct stream tx = { prod, true, count, max, KIPC_FOREVER, 0, way };
	struct stream rx = { cons, false, count, max, KIPC_FOREVER, 0, way };
	pthread_t t;

	if (pthread_create(&t, NULL, stream_thread, &tx))
		return -EAGAIN;
	stream_run(&rx);
	pthread_join(t, NULL);
	return tx.err ? tx.err : rx.err;
}

/* Wait ops that count their calls and pass them on to the futex ops. */
struct counting_ops {
	atomic_ulong waits;
	atomic_ulong wakes;
};

static inline int counting_wait(void *ctx, __u32 *word, __u32 expected, __u64 timeout_ns)
{
	struct counting_ops *c = ctx;

	atomic_fetch_add(&c->waits, 1);
	return kipc_ring_futex_ops()->wait(NULL, word, expected, timeout_ns);
}

static inline void counting_wake(void *ctx, __u32 *word)
{
	struct counting_ops *c = ctx;

	atomic_fetch_add(&c->wakes, 1);
	kipc_ring_futex_ops()->wake(NULL, word);
}

static const struct kipc_ring_wait_ops counting_wait_ops = {
	.wait = counting_wait,
	.wake = counting_wake,
};

#endif /* RING_TEST_H */
