// SPDX-License-Identifier: GPL-2.0
/*
 * Host test: a producer and a consumer thread stream a million messages of random sizes through
 * the shared-memory ring, and every one arrives in order and intact.  A small ring makes both
 * sides sleep and wake often; a large one lets them run.  The same streams again written and
 * checked in place (kipc_ring_reserve/peek), up to the in-place limit, and mixed: each side
 * picks copy or in place for each message apart from the other, with messages above the limit
 * and in chunks among them.
 * KIPC_RING_TEST_ROUNDS and KIPC_RING_TEST_MESSAGES make the run longer (the TSan run).
 * Exit: 0 pass, 1 fail.
 */
#include "ring_test.h"

static const char *const way_names[] = { "copied", "in place", "mixed" };

static void run(size_t data, unsigned long count, size_t max, enum stream_way way)
{
	struct counting_ops calls = { 0 };
	struct kipc_ring *prod, *cons;
	__u64 start = now_ns();
	void *mem = ring_map(data);

	CHECK_EQ(kipc_ring_init(mem, KIPC_RING_HDR_SIZE + data, 0), 0);
	prod = ring_side(mem, data, KIPC_RING_PRODUCER | KIPC_RING_WAIT_OPS, &counting_wait_ops,
			 &calls);
	cons = ring_side(mem, data, KIPC_RING_CONSUMER | KIPC_RING_WAIT_OPS, &counting_wait_ops,
			 &calls);
	CHECK_EQ(stream_threads(prod, cons, count, max, way), 0);
	printf("%7zu-byte ring, %lu messages of up to %zu bytes %s: %llu ms, %lu sleeps, %lu wakes\n",
	       data, count, max, way_names[way], (unsigned long long)(now_ns() - start) / 1000000,
	       atomic_load(&calls.waits), atomic_load(&calls.wakes));
	kipc_ring_close(prod);
	kipc_ring_close(cons);
	munmap(mem, KIPC_RING_HDR_SIZE + data);
}

int main(void)
{
	unsigned long rounds = env_count("KIPC_RING_TEST_ROUNDS", 1);
	unsigned long count = env_count("KIPC_RING_TEST_MESSAGES", 1000000);
	unsigned long i;

	for (i = 0; i < rounds && !failures; i++) {
		run(64 << 10, count, 2048, STREAM_COPY);
		run(KIPC_RING_MIN_DATA, count / 8, 200, STREAM_COPY);
		run(4 << 10, count / 8, 3000, STREAM_COPY);
		/* In place: the limit is half the data area less a record header. */
		run(64 << 10, count / 2, 2048, STREAM_INPLACE);
		run(KIPC_RING_MIN_DATA, count / 8, KIPC_RING_MIN_DATA / 2 - 16, STREAM_INPLACE);
		run(1 << 20, count / 1000, (512 << 10) - 16, STREAM_INPLACE);
		run(4 << 10, count / 8, 3000, STREAM_MIXED);
		run(4 << 10, count / 32, 12000, STREAM_MIXED);
	}
	return failures ? 1 : 0;
}
