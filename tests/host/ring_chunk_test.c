// SPDX-License-Identifier: GPL-2.0
/*
 * Host test: messages larger than the ring move in chunks and are reassembled intact: 1 MiB
 * messages over a 64 KiB ring between threads, chunked messages starting at every position of
 * the smallest ring, calls that end early (timeouts, no wait) and are continued, messages
 * either side abandons half way, and a too-small buffer seen at the first chunk.
 * Exit: 0 pass, 1 fail.
 */
#include <unistd.h>

#include "ring_test.h"

#define SMALL	KIPC_RING_MIN_DATA
#define BIG	1000	/* about four times the small ring */

static unsigned char a[BIG], b[BIG], out[2 * BIG], other[2 * BIG];

/*
 * Alternate non-blocking calls of the two sides until @len bytes of @in have arrived in @buf,
 * which must be passed again each time.  Returns how many send calls ended early.
 */
static int alternate(struct kipc_ring *prod, struct kipc_ring *cons, const void *in, size_t len,
		     void *buf, size_t cap)
{
	long sent = -EAGAIN, got = -EAGAIN;
	int early = 0;

	while (sent == -EAGAIN || got == -EAGAIN) {
		if (sent == -EAGAIN) {
			sent = kipc_ring_send(prod, in, len, 0);
			early += sent == -EAGAIN;
		}
		if (got == -EAGAIN)
			got = kipc_ring_recv(cons, buf, cap, 0);
		if (early > 1000)
			break;
	}
	CHECK_EQ(sent, 0);
	CHECK_EQ(got, len);
	CHECK(memcmp(in, buf, len) == 0);
	return early;
}

static atomic_int send_early;

/*
 * Send one message of exactly s->max bytes.  With a timeout, each time it expires wait a
 * little (so that the consumer's wait expires too) and call again, which continues the message.
 */
static void *send_whole(void *arg)
{
	struct stream *s = arg;
	unsigned char *in = xmalloc(s->max);
	long ret;

	msg_fill(in, s->max, 7);
	while ((ret = kipc_ring_send(s->ring, in, s->max, s->timeout_ns)) == -ETIMEDOUT) {
		atomic_fetch_add(&send_early, 1);
		usleep(3000);
	}
	free(in);
	s->err = ret;
	return NULL;
}

static void test_timeouts_mid_message(void)
{
	size_t data = 4 << 10, len = 256 << 10;
	unsigned char *buf = xmalloc(len);
	struct kipc_ring *prod, *cons;
	void *mem = ring_pair(data, &prod, &cons);
	struct stream tx = { prod, true, 1, len, 1000000, 0, STREAM_COPY };
	int recv_early = 0;
	pthread_t t;
	long ret;

	/* Both sides give up early and call again a little later; the consumer starts late, so
	 * the producer's calls (1 ms) end early first.  The consumer waits only a microsecond:
	 * with a millisecond, a producer that happened to be waiting in a send when the
	 * consumer began kept pace with it for the whole message, and no receive ended early.
	 */
	CHECK(pthread_create(&t, NULL, send_whole, &tx) == 0);
	usleep(20000);
	while ((ret = kipc_ring_recv(cons, buf, len, 1000)) == -ETIMEDOUT) {
		recv_early++;
		usleep(3000);
	}
	pthread_join(t, NULL);
	CHECK_EQ(tx.err, 0);
	CHECK_EQ(ret, len);
	CHECK(msg_ok(buf, len, 7));
	printf("256 KiB over a 4 KiB ring: %d sends and %d receives continued\n",
	       atomic_load(&send_early), recv_early);
	CHECK(atomic_load(&send_early) > 0 && recv_early > 0);
	free(buf);
	ring_unpair(mem, data, prod, cons);
}

static void test_megabytes_between_threads(void)
{
	size_t data = 64 << 10, len = 1 << 20;
	unsigned char *buf = xmalloc(len);
	struct kipc_ring *prod, *cons;
	void *mem = ring_pair(data, &prod, &cons);
	struct stream tx = { prod, true, 1, len, KIPC_FOREVER, 0, STREAM_COPY };
	pthread_t t;

	/* Exactly 1 MiB first: its chunks fill the ring many times over. */
	CHECK(pthread_create(&t, NULL, send_whole, &tx) == 0);
	CHECK_EQ(kipc_ring_recv(cons, buf, len, KIPC_FOREVER), len);
	pthread_join(t, NULL);
	CHECK_EQ(tx.err, 0);
	CHECK(msg_ok(buf, len, 7));
	free(buf);
	ring_unpair(mem, data, prod, cons);

	/* Then a stream of random sizes up to 1 MiB, chunked or not. */
	mem = ring_pair(data, &prod, &cons);
	CHECK_EQ(stream_threads(prod, cons, 64, len, STREAM_COPY), 0);
	ring_unpair(mem, data, prod, cons);
}

static void test_every_position(void)
{
	struct kipc_ring *prod, *cons;
	void *mem = ring_pair(SMALL, &prod, &cons);
	unsigned int start;

	msg_fill(a, BIG, 1);
	for (start = 0; start < SMALL; start += 8) {
		CHECK(alternate(prod, cons, a, BIG, out, sizeof(out)) > 0);
		/* An 8-byte message moves the next start on by 24 bytes: all 32 positions. */
		CHECK_EQ(kipc_ring_send(prod, a, 8, 0), 0);
		CHECK_EQ(kipc_ring_recv(cons, out, sizeof(out), 0), 8);
	}
	ring_unpair(mem, SMALL, prod, cons);
}

static void test_too_small_at_first_chunk(void)
{
	struct kipc_ring *prod, *cons;
	void *mem = ring_pair(SMALL, &prod, &cons);

	msg_fill(a, BIG, 2);
	CHECK_EQ(kipc_ring_send(prod, a, BIG, 0), -EAGAIN);
	CHECK_EQ(kipc_ring_recv(cons, out, BIG - 1, 0), -EMSGSIZE);
	/* Nothing was consumed: the same answer again, then the whole message. */
	CHECK_EQ(kipc_ring_recv(cons, out, BIG - 1, 0), -EMSGSIZE);
	alternate(prod, cons, a, BIG, out, BIG);
	ring_unpair(mem, SMALL, prod, cons);
}

static void test_producer_abandons(void)
{
	struct kipc_ring *prod, *cons;
	void *mem = ring_pair(SMALL, &prod, &cons);

	msg_fill(a, BIG, 3);
	msg_fill(b, 50, 4);
	CHECK_EQ(kipc_ring_send(prod, a, BIG, 0), -EAGAIN);
	CHECK_EQ(kipc_ring_recv(cons, out, sizeof(out), 0), -EAGAIN);
	/* Another message: the consumer drops the half of @a it holds and returns @b. */
	CHECK_EQ(kipc_ring_send(prod, b, 50, 0), 0);
	CHECK_EQ(kipc_ring_recv(cons, out, sizeof(out), 0), 50);
	CHECK(msg_ok(out, 50, 4));
	CHECK_EQ(kipc_ring_recv(cons, out, sizeof(out), 0), -EAGAIN);
	/* @a again is a new message, sent whole. */
	alternate(prod, cons, a, BIG, out, sizeof(out));
	ring_unpair(mem, SMALL, prod, cons);
}

static void test_consumer_abandons(void)
{
	struct kipc_ring *prod, *cons;
	void *mem = ring_pair(SMALL, &prod, &cons);
	long sent;
	int i;

	msg_fill(a, BIG, 5);
	msg_fill(b, 30, 6);
	CHECK_EQ(kipc_ring_send(prod, a, BIG, 0), -EAGAIN);
	CHECK_EQ(kipc_ring_recv(cons, out, sizeof(out), 0), -EAGAIN);
	/* Another buffer: the rest of @a is dropped as it comes. */
	for (i = 0, sent = -EAGAIN; sent == -EAGAIN && i < 100; i++) {
		CHECK_EQ(kipc_ring_recv(cons, other, sizeof(other), 0), -EAGAIN);
		sent = kipc_ring_send(prod, a, BIG, 0);
	}
	CHECK_EQ(sent, 0);
	CHECK_EQ(kipc_ring_recv(cons, other, sizeof(other), 0), -EAGAIN);
	CHECK_EQ(kipc_ring_send(prod, b, 30, 0), 0);
	CHECK_EQ(kipc_ring_recv(cons, other, sizeof(other), 0), 30);
	CHECK(msg_ok(other, 30, 6));
	ring_unpair(mem, SMALL, prod, cons);
}

int main(void)
{
	test_every_position();
	test_too_small_at_first_chunk();
	test_producer_abandons();
	test_consumer_abandons();
	test_timeouts_mid_message();
	test_megabytes_between_threads();
	return failures ? 1 : 0;
}
