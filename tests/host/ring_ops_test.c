// SPDX-License-Identifier: GPL-2.0
/*
 * Host test: how the shared-memory ring sleeps is pluggable, and it sleeps only when it must.
 * With the futex ops, a ring nobody waits on makes no wait or wake call at all, and a sleeper
 * costs one wake.  Ops of the test's own (a mutex and condition variable, as a kipc doorbell
 * would stand in) carry a whole stream; their errors reach the caller; and a wake they lose
 * costs the sleeper no more than one liveness check.
 * Exit: 0 pass, 1 fail.
 */
#include <unistd.h>

#include "ring_test.h"

#define DATA	KIPC_RING_MIN_DATA

/* Wait ops on a condition variable, which can also lose every wake or fail every wait. */
struct cond_ops {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	atomic_ulong waits;
	bool lose_wakes;
	int fail;
};

static int cond_wait(void *ctx, __u32 *word, __u32 expected, __u64 timeout_ns)
{
	struct cond_ops *c = ctx;
	struct timespec ts;
	__u64 end = now_ns() + timeout_ns;
	int ret = 0;

	atomic_fetch_add(&c->waits, 1);
	if (c->fail)
		return c->fail;
	ts.tv_sec = (time_t)(end / 1000000000u);
	ts.tv_nsec = (long)(end % 1000000000u);
	pthread_mutex_lock(&c->lock);
	/* Checked under the lock the waker takes to signal: no wake is lost in between. */
	if (atomic_load((_Atomic __u32 *)word) != expected)
		ret = -EAGAIN;
	else if (pthread_cond_timedwait(&c->cond, &c->lock, &ts) == ETIMEDOUT)
		ret = -ETIMEDOUT;
	pthread_mutex_unlock(&c->lock);
	return ret;
}

static void cond_wake(void *ctx, __u32 *word)
{
	struct cond_ops *c = ctx;

	(void)word;
	if (c->lose_wakes)
		return;
	pthread_mutex_lock(&c->lock);
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

static const struct kipc_ring_wait_ops cond_wait_ops = { .wait = cond_wait, .wake = cond_wake };

static void cond_init(struct cond_ops *c)
{
	pthread_condattr_t attr;

	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cond, &attr);
	pthread_condattr_destroy(&attr);
}

/* A fresh ring whose two sides wait with @ops and @ctx. */
static void *ring_pair_ops(struct kipc_ring **prod, struct kipc_ring **cons,
			   const struct kipc_ring_wait_ops *ops, void *ctx)
{
	void *mem = ring_map(DATA);

	CHECK_EQ(kipc_ring_init(mem, KIPC_RING_HDR_SIZE + DATA, 0), 0);
	*prod = ring_side(mem, DATA, KIPC_RING_PRODUCER | KIPC_RING_WAIT_OPS, ops, ctx);
	*cons = ring_side(mem, DATA, KIPC_RING_CONSUMER | KIPC_RING_WAIT_OPS, ops, ctx);
	return mem;
}

struct recv_one {
	struct kipc_ring *ring;
	long ret;
};

static void *recv_one_thread(void *arg)
{
	struct recv_one *r = arg;
	unsigned char buf[DATA];

	r->ret = kipc_ring_recv(r->ring, buf, sizeof(buf), KIPC_FOREVER);
	return NULL;
}

/*
 * A consumer thread waits for one message, which this thread sends @delay_ms later; returns
 * how long the consumer took to get it, in milliseconds.
 */
static long send_to_sleeper(struct kipc_ring *prod, struct kipc_ring *cons, long delay_ms)
{
	struct recv_one r = { cons, 0 };
	__u64 start = now_ns();
	pthread_t t;

	CHECK(pthread_create(&t, NULL, recv_one_thread, &r) == 0);
	usleep(delay_ms * 1000);
	CHECK_EQ(kipc_ring_send(prod, "ping", 4, KIPC_FOREVER), 0);
	pthread_join(t, NULL);
	CHECK_EQ(r.ret, 4);
	return (long)((now_ns() - start) / 1000000);
}

static void test_futex_calls_only_for_sleepers(void)
{
	struct counting_ops calls = { 0 };
	struct kipc_ring *prod, *cons;
	void *mem = ring_pair_ops(&prod, &cons, &counting_wait_ops, &calls);
	unsigned char buf[DATA];
	int i, j;

	/* Fill and drain, over and over: no one ever sleeps, so no call at all. */
	for (i = 0; i < 1000; i++) {
		for (j = 0; j < 4; j++)
			CHECK_EQ(kipc_ring_send(prod, buf, 40, 0), 0);
		CHECK_EQ(kipc_ring_send(prod, buf, 40, 0), -EAGAIN);
		for (j = 0; j < 4; j++)
			CHECK_EQ(kipc_ring_recv(cons, buf, sizeof(buf), 0), 40);
		CHECK_EQ(kipc_ring_recv(cons, buf, sizeof(buf), 0), -EAGAIN);
	}
	CHECK_EQ(atomic_load(&calls.waits), 0);
	CHECK_EQ(atomic_load(&calls.wakes), 0);
	/* One sleeper, one wake; the messages after it cost none. */
	send_to_sleeper(prod, cons, 20);
	CHECK(atomic_load(&calls.waits) >= 1);
	CHECK_EQ(atomic_load(&calls.wakes), 1);
	for (i = 0; i < 100; i++) {
		CHECK_EQ(kipc_ring_send(prod, buf, 40, 0), 0);
		CHECK_EQ(kipc_ring_recv(cons, buf, sizeof(buf), 0), 40);
	}
	CHECK_EQ(atomic_load(&calls.wakes), 1);
	ring_unpair(mem, DATA, prod, cons);
}

static void test_own_ops_carry_a_stream(void)
{
	struct cond_ops c;
	struct kipc_ring *prod, *cons;
	void *mem;

	cond_init(&c);
	mem = ring_pair_ops(&prod, &cons, &cond_wait_ops, &c);
	/* A sleeper first, so the ops are certainly used; then a stream through a tiny ring. */
	CHECK(send_to_sleeper(prod, cons, 20) < KIPC_RING_CHECK_NS / 1000000);
	CHECK(atomic_load(&c.waits) >= 1);
	CHECK_EQ(stream_threads(prod, cons, 20000, 100, STREAM_COPY), 0);
	printf("condition-variable ops: %lu waits\n", atomic_load(&c.waits));
	ring_unpair(mem, DATA, prod, cons);
}

static void test_lost_wakes_cost_one_check(void)
{
	struct cond_ops c;
	struct kipc_ring *prod, *cons;
	void *mem;
	long ms;

	cond_init(&c);
	c.lose_wakes = true;
	mem = ring_pair_ops(&prod, &cons, &cond_wait_ops, &c);
	ms = send_to_sleeper(prod, cons, 10);
	CHECK(ms >= 10 && ms < 3 * KIPC_RING_CHECK_NS / 1000000);
	ring_unpair(mem, DATA, prod, cons);
}

static void test_wait_errors_reach_the_caller(void)
{
	struct cond_ops c;
	struct kipc_ring *prod, *cons;
	unsigned char buf[DATA];
	void *mem;

	cond_init(&c);
	c.fail = -ENOSYS;
	mem = ring_pair_ops(&prod, &cons, &cond_wait_ops, &c);
	CHECK_EQ(kipc_ring_recv(cons, buf, sizeof(buf), KIPC_FOREVER), -ENOSYS);
	CHECK_EQ(kipc_ring_send(prod, buf, DATA - KIPC_RING_REC_SIZE(0), 0), 0);
	CHECK_EQ(kipc_ring_send(prod, buf, 0, 1000000), -ENOSYS);
	ring_unpair(mem, DATA, prod, cons);
}

int main(void)
{
	test_futex_calls_only_for_sleepers();
	test_own_ops_carry_a_stream();
	test_lost_wakes_cost_one_check();
	test_wait_errors_reach_the_caller();
	return failures ? 1 : 0;
}
