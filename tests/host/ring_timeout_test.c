// SPDX-License-Identifier: GPL-2.0
/*
 * Host test: waits on the shared-memory ring end when they should.  A timeout ends with
 * -ETIMEDOUT after about that long (also across several liveness checks), no wait means
 * -EAGAIN, a message sent during a wait ends it, and a clean close gives the other side -EPIPE:
 * the consumer's after it has drained the ring, the producer's at once, a sleeper's promptly.
 * Exit: 0 pass, 1 fail.
 */
#include <unistd.h>

#include "ring_test.h"

#define DATA	4096
#define MS	1000000ll

static unsigned char buf[DATA];

/* Whether @ns elapsed since @start lies within [@lo, @hi] milliseconds; says so if not. */
static bool took(__u64 start, long lo, long hi)
{
	long ms = (long)((now_ns() - start) / MS);

	if (ms >= lo && ms <= hi)
		return true;
	fprintf(stderr, "%ld ms elapsed, want %ld to %ld\n", ms, lo, hi);
	return false;
}

static void test_timeouts(void)
{
	struct kipc_ring *prod, *cons;
	void *mem = ring_pair(DATA, &prod, &cons);
	__u64 start;

	start = now_ns();
	CHECK_EQ(kipc_ring_recv(cons, buf, sizeof(buf), 0), -EAGAIN);
	CHECK_EQ(kipc_ring_recv(cons, buf, sizeof(buf), 50 * MS), -ETIMEDOUT);
	CHECK(took(start, 50, 500));
	/* Longer than a liveness check: the peer (this process) is alive, so it waits it out. */
	start = now_ns();
	CHECK_EQ(kipc_ring_recv(cons, buf, sizeof(buf), 250 * MS), -ETIMEDOUT);
	CHECK(took(start, 250, 700));
	/* A full ring: the producer's wait ends the same ways. */
	CHECK_EQ(kipc_ring_send(prod, buf, DATA - KIPC_RING_REC_SIZE(0), 0), 0);
	CHECK_EQ(kipc_ring_send(prod, buf, 0, 0), -EAGAIN);
	start = now_ns();
	CHECK_EQ(kipc_ring_send(prod, buf, 0, 50 * MS), -ETIMEDOUT);
	CHECK(took(start, 50, 500));
	CHECK_EQ(kipc_ring_recv(cons, buf, sizeof(buf), 0), DATA - KIPC_RING_REC_SIZE(0));
	ring_unpair(mem, DATA, prod, cons);
}

struct later {
	struct kipc_ring *ring;
	long delay_ms;
	bool close;	/* close instead of sending */
};

static void *act_later(void *arg)
{
	struct later *l = arg;

	usleep(l->delay_ms * 1000);
	if (l->close)
		kipc_ring_close(l->ring);
	else
		kipc_ring_send(l->ring, "hello", 5, KIPC_FOREVER);
	return NULL;
}

/*
 * A sleeper is woken by a message, or by the peer closing, well before its sleep would end on
 * its own (KIPC_RING_CHECK_NS after it began).
 */
static void test_woken(bool close)
{
	struct kipc_ring *prod, *cons;
	void *mem = ring_pair(DATA, &prod, &cons);
	struct later l = { prod, 30, close };
	pthread_t t;
	__u64 start = now_ns();

	CHECK(pthread_create(&t, NULL, act_later, &l) == 0);
	CHECK_EQ(kipc_ring_recv(cons, buf, sizeof(buf), KIPC_FOREVER), close ? -EPIPE : 5);
	CHECK(took(start, 30, KIPC_RING_CHECK_NS / MS - 10));
	pthread_join(t, NULL);
	if (!close)
		kipc_ring_close(prod);
	kipc_ring_close(cons);
	munmap(mem, KIPC_RING_HDR_SIZE + DATA);
}

static void test_producer_closes(void)
{
	struct kipc_ring *prod, *cons;
	void *mem = ring_pair(DATA, &prod, &cons);
	int i;

	for (i = 0; i < 3; i++)
		CHECK_EQ(kipc_ring_send(prod, buf, 10 + i, 0), 0);
	kipc_ring_close(prod);
	/* What was queued still comes out, then the end, even to one who would wait for ever. */
	for (i = 0; i < 3; i++)
		CHECK_EQ(kipc_ring_recv(cons, buf, sizeof(buf), KIPC_FOREVER), 10 + i);
	CHECK_EQ(kipc_ring_recv(cons, buf, sizeof(buf), KIPC_FOREVER), -EPIPE);
	CHECK_EQ(kipc_ring_recv(cons, buf, sizeof(buf), 0), -EPIPE);
	kipc_ring_close(cons);
	munmap(mem, KIPC_RING_HDR_SIZE + DATA);
}

static void test_consumer_closes(void)
{
	struct kipc_ring *prod, *cons;
	void *mem = ring_pair(DATA, &prod, &cons);
	struct later l = { cons, 30, true };
	pthread_t t;
	__u64 start;

	CHECK_EQ(kipc_ring_send(prod, buf, 10, 0), 0);
	/* A producer asleep on a full ring is woken by the close. */
	CHECK_EQ(kipc_ring_send(prod, buf, DATA - 1000, 0), 0);
	CHECK_EQ(kipc_ring_send(prod, buf, 1000, 0), -EAGAIN);
	start = now_ns();
	CHECK(pthread_create(&t, NULL, act_later, &l) == 0);
	CHECK_EQ(kipc_ring_send(prod, buf, 1000, KIPC_FOREVER), -EPIPE);
	CHECK(took(start, 30, KIPC_RING_CHECK_NS / MS - 10));
	pthread_join(t, NULL);
	/* And then fails at once, room or not. */
	CHECK_EQ(kipc_ring_send(prod, buf, 0, KIPC_FOREVER), -EPIPE);
	kipc_ring_close(prod);
	munmap(mem, KIPC_RING_HDR_SIZE + DATA);
}

int main(void)
{
	test_timeouts();
	test_woken(false);
	test_woken(true);
	test_producer_closes();
	test_consumer_closes();
	return failures ? 1 : 0;
}
