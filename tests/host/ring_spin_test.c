// SPDX-License-Identifier: GPL-2.0
/*
 * Host test: a ring side spins before it sleeps, within its budget.  A peer that answers
 * within the budget costs no sleep; one that answers later costs one, after about the budget;
 * a budget of 0 sleeps at once; the budget is bounded; and the time spun is counted.  On a
 * machine with one CPU online nothing spins (and the timing half skips).
 * Exit: 0 pass, 1 fail, 4 skip.
 */
#include <pthread.h>
#include <unistd.h>

#include "ring_test.h"

#define DATA	4096
#define MS	1000000ull

struct sender {
	struct kipc_ring *ring;
	unsigned int delay_ms;
};

static void *send_later(void *arg)
{
	struct sender *s = arg;

	usleep(s->delay_ms * 1000);
	if (kipc_ring_send(s->ring, "x", 1, KIPC_FOREVER))
		fprintf(stderr, "send_later: the send failed\n");
	return NULL;
}

/*
 * One receive with a spin budget of @spin_ns, the message coming @delay_ms later.
 * Return: the consumer's sleeps (wait-op calls); *@spun: the time it spun.
 */
static unsigned long receive_once(__u64 spin_ns, unsigned int delay_ms, __u64 *spun)
{
	struct counting_ops counts = { 0 };
	struct kipc_ring *prod, *cons;
	void *mem = ring_map(DATA);
	struct sender s;
	unsigned char buf[16];
	pthread_t t;

	CHECK_EQ(kipc_ring_init(mem, DATA + KIPC_RING_HDR_SIZE, 0), 0);
	prod = ring_side(mem, DATA, KIPC_RING_PRODUCER, NULL, NULL);
	cons = ring_side(mem, DATA, KIPC_RING_CONSUMER | KIPC_RING_WAIT_OPS, &counting_wait_ops,
			 &counts);
	CHECK_EQ(kipc_ring_set_spin(cons, spin_ns), 0);
	s = (struct sender){ .ring = prod, .delay_ms = delay_ms };
	CHECK(pthread_create(&t, NULL, send_later, &s) == 0);
	CHECK_EQ(kipc_ring_recv(cons, buf, sizeof(buf), KIPC_FOREVER), 1);
	pthread_join(t, NULL);
	*spun = kipc_ring_spin_ns(cons);
	ring_unpair(mem, DATA, prod, cons);
	return atomic_load(&counts.waits);
}

int main(void)
{
	unsigned long sleeps;
	struct kipc_ring *prod, *cons;
	void *mem;
	__u64 spun;

	/* The budget's bounds. */
	mem = ring_pair(DATA, &prod, &cons);
	CHECK_EQ(kipc_ring_set_spin(cons, KIPC_RING_SPIN_MAX_NS + 1), -EINVAL);
	CHECK_EQ(kipc_ring_set_spin(NULL, 0), -EINVAL);
	CHECK_EQ(kipc_ring_set_spin(cons, KIPC_RING_SPIN_MAX_NS), 0);
	CHECK_EQ(kipc_ring_spin_ns(cons), 0);
	ring_unpair(mem, DATA, prod, cons);

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		/* Nothing can answer while this side spins: it must not. */
		sleeps = receive_once(50 * MS, 5, &spun);
		CHECK_EQ(spun, 0);
		CHECK(sleeps >= 1);
		printf("one CPU online: no spinning, as it should be; the timing checks skip\n");
		return failures ? 1 : HOST_TEST_SKIP;
	}

	/* An answer well within the budget: no sleep, and the spin is counted. */
	sleeps = receive_once(80 * MS, 5, &spun);
	CHECK_EQ(sleeps, 0);
	CHECK(spun >= 4 * MS);
	/* No budget: a sleep, no spin. */
	sleeps = receive_once(0, 5, &spun);
	CHECK(sleeps >= 1);
	CHECK_EQ(spun, 0);
	/* An answer after the budget: it spins about that long, then sleeps. */
	sleeps = receive_once(2 * MS, 100, &spun);
	CHECK(sleeps >= 1);
	CHECK(spun >= 2 * MS && spun < 90 * MS);
	return failures ? 1 : 0;
}
