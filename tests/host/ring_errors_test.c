// SPDX-License-Identifier: GPL-2.0
/*
 * Host test: the shared-memory ring refuses what it cannot use with the errno its header
 * promises: bad arguments, mappings that do not hold a ring or hold another version, a side
 * taken twice, a buffer too small for the next message (which stays queued), and a ring a
 * peer has corrupted (never a crash, never a write past the caller's buffer).
 * Exit: 0 pass, 1 fail.
 */
#include "ring_test.h"

#define DATA		4096
#define SIZE		(KIPC_RING_HDR_SIZE + DATA)
/* Where the header keeps what these tests corrupt (line 0, then the two index lines). */
#define OFF_VERSION	4
#define OFF_DATA_SIZE	12
#define OFF_HEAD	128

static void poke(void *mem, size_t off, __u32 val)
{
	memcpy((char *)mem + off, &val, sizeof(val));
}

static void test_init_arguments(void)
{
	unsigned char *mem = ring_map(DATA);

	CHECK_EQ(kipc_ring_init(NULL, SIZE, 0), -EINVAL);
	CHECK_EQ(kipc_ring_init(mem + 4, SIZE - 4, 0), -EINVAL);
	CHECK_EQ(kipc_ring_init(mem, KIPC_RING_HDR_SIZE + KIPC_RING_MIN_DATA - 1, 0), -EINVAL);
	CHECK_EQ(kipc_ring_init(mem, SIZE, 1), -EINVAL);
	CHECK_EQ(kipc_ring_init(mem, KIPC_RING_HDR_SIZE + KIPC_RING_MIN_DATA, 0), 0);
	munmap(mem, SIZE);
}

/* A mapping of any size gets the largest power of two that fits; attach checks it is there. */
static void test_init_rounds_down(void)
{
	unsigned char *mem = ring_map(DATA);
	struct kipc_ring *ring;

	CHECK_EQ(kipc_ring_init(mem, SIZE - 1, 0), 0);
	CHECK_EQ(kipc_ring_attach(&ring, mem, KIPC_RING_HDR_SIZE + DATA / 2 - 1, KIPC_RING_PRODUCER,
				  NULL, NULL), -EINVAL);
	CHECK_EQ(kipc_ring_attach(&ring, mem, KIPC_RING_HDR_SIZE + DATA / 2, KIPC_RING_PRODUCER,
				  NULL, NULL), 0);
	kipc_ring_close(ring);
	munmap(mem, SIZE);
}

static void test_attach_arguments(void)
{
	unsigned char *mem = ring_map(DATA);
	struct kipc_ring *ring = NULL;
	const struct kipc_ring_wait_ops half = { .wait = kipc_ring_futex_ops()->wait };

	CHECK_EQ(kipc_ring_init(mem, SIZE, 0), 0);
	CHECK_EQ(kipc_ring_attach(NULL, mem, SIZE, KIPC_RING_PRODUCER, NULL, NULL), -EINVAL);
	CHECK_EQ(kipc_ring_attach(&ring, NULL, SIZE, KIPC_RING_PRODUCER, NULL, NULL), -EINVAL);
	CHECK_EQ(kipc_ring_attach(&ring, mem, SIZE, 0, NULL, NULL), -EINVAL);
	CHECK_EQ(kipc_ring_attach(&ring, mem, SIZE, KIPC_RING_PRODUCER | KIPC_RING_CONSUMER, NULL,
				  NULL), -EINVAL);
	CHECK_EQ(kipc_ring_attach(&ring, mem, SIZE, KIPC_RING_PRODUCER | (1u << 31), NULL, NULL),
		 -EINVAL);
	/* Ops exactly when the flag says so, and both of them. */
	CHECK_EQ(kipc_ring_attach(&ring, mem, SIZE, KIPC_RING_PRODUCER | KIPC_RING_WAIT_OPS, NULL,
				  NULL), -EINVAL);
	CHECK_EQ(kipc_ring_attach(&ring, mem, SIZE, KIPC_RING_PRODUCER, kipc_ring_futex_ops(), NULL),
		 -EINVAL);
	CHECK_EQ(kipc_ring_attach(&ring, mem, SIZE, KIPC_RING_PRODUCER | KIPC_RING_WAIT_OPS, &half,
				  NULL), -EINVAL);
	CHECK(!ring);
	/* Each side once. */
	CHECK_EQ(kipc_ring_attach(&ring, mem, SIZE, KIPC_RING_PRODUCER, NULL, NULL), 0);
	CHECK_EQ(kipc_ring_attach(&ring, mem, SIZE, KIPC_RING_PRODUCER, NULL, NULL), -EBUSY);
	/* The wrong side's call. */
	CHECK_EQ(kipc_ring_recv(ring, mem, 1, 0), -EINVAL);
	CHECK_EQ(kipc_ring_send(NULL, mem, 1, 0), -EINVAL);
	CHECK_EQ(kipc_ring_send(ring, NULL, 1, 0), -EINVAL);
	/* Too long is refused before the buffer is read. */
	CHECK_EQ(kipc_ring_send(ring, mem, (size_t)KIPC_RING_MAX_MSG + 1, 0), -EMSGSIZE);
	kipc_ring_close(ring);
	kipc_ring_close(NULL);
	munmap(mem, SIZE);
}

static void test_bad_mappings(void)
{
	unsigned char *mem = ring_map(DATA);
	struct kipc_ring *ring;

	/* Never formatted, or something else. */
	CHECK_EQ(kipc_ring_attach(&ring, mem, SIZE, KIPC_RING_CONSUMER, NULL, NULL), -EINVAL);
	memset(mem, 0x5a, SIZE);
	CHECK_EQ(kipc_ring_attach(&ring, mem, SIZE, KIPC_RING_CONSUMER, NULL, NULL), -EINVAL);
	/* A ring, but of another version. */
	CHECK_EQ(kipc_ring_init(mem, SIZE, 0), 0);
	poke(mem, OFF_VERSION, 2);
	CHECK_EQ(kipc_ring_attach(&ring, mem, SIZE, KIPC_RING_CONSUMER, NULL, NULL), -EPROTO);
	/* A ring whose header does not add up. */
	CHECK_EQ(kipc_ring_init(mem, SIZE, 0), 0);
	poke(mem, OFF_DATA_SIZE, DATA - 8);
	CHECK_EQ(kipc_ring_attach(&ring, mem, SIZE, KIPC_RING_CONSUMER, NULL, NULL), -EPROTO);
	poke(mem, OFF_DATA_SIZE, 64);
	CHECK_EQ(kipc_ring_attach(&ring, mem, SIZE, KIPC_RING_CONSUMER, NULL, NULL), -EPROTO);
	/* A ring larger than the mapping the caller has. */
	poke(mem, OFF_DATA_SIZE, DATA * 2);
	CHECK_EQ(kipc_ring_attach(&ring, mem, SIZE, KIPC_RING_CONSUMER, NULL, NULL), -EINVAL);
	/* An index that claims more queued than the ring holds. */
	CHECK_EQ(kipc_ring_init(mem, SIZE, 0), 0);
	poke(mem, OFF_HEAD, DATA + 8);
	CHECK_EQ(kipc_ring_attach(&ring, mem, SIZE, KIPC_RING_CONSUMER, NULL, NULL), -EPROTO);
	munmap(mem, SIZE);
}

static void test_too_small_buffer(void)
{
	struct kipc_ring *prod, *cons;
	void *mem = ring_pair(DATA, &prod, &cons);
	unsigned char in[100], out[100];

	msg_fill(in, sizeof(in), 1);
	CHECK_EQ(kipc_ring_send(prod, in, sizeof(in), 0), 0);
	CHECK_EQ(kipc_ring_send(prod, in, 0, 0), 0);
	CHECK_EQ(kipc_ring_recv(cons, out, sizeof(out) - 1, 0), -EMSGSIZE);
	CHECK_EQ(kipc_ring_recv(cons, NULL, 0, 0), -EMSGSIZE);
	CHECK_EQ(kipc_ring_recv(cons, NULL, 1, 0), -EINVAL);
	/* The message stayed: it comes whole, then the empty one, into no buffer at all. */
	CHECK_EQ(kipc_ring_recv(cons, out, sizeof(out), 0), sizeof(in));
	CHECK(msg_ok(out, sizeof(out), 1));
	CHECK_EQ(kipc_ring_recv(cons, NULL, 0, 0), 0);
	CHECK_EQ(kipc_ring_recv(cons, out, sizeof(out), 0), -EAGAIN);
	ring_unpair(mem, DATA, prod, cons);
}

/* A peer that scribbles on the ring gets -EPROTO from this side, never a crash. */
static void test_corrupt_ring(void)
{
	static const __u32 bad[][4] = {
		{ 200, 0, 100, 0 },		/* longer than its message */
		{ 8, 96, 100, 0 },		/* past the end of its message */
		{ DATA, 0, DATA * 2, 0 },	/* longer than what is queued */
		{ 8, 0, 8, 2 },			/* a flag no one defined (1 is a pad) */
		{ 8, 0, 0x80000000u, 0 },	/* a message longer than any may be */
	};
	struct kipc_ring *prod, *cons;
	unsigned char buf[DATA], *mem;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		mem = ring_pair(DATA, &prod, &cons);
		CHECK_EQ(kipc_ring_send(prod, buf, 8, 0), 0);
		memcpy(mem + KIPC_RING_HDR_SIZE, bad[i], sizeof(bad[i]));
		CHECK_EQ(kipc_ring_recv(cons, buf, sizeof(buf), 0), -EPROTO);
		ring_unpair(mem, DATA, prod, cons);
	}
	/* A second chunk that is not the one expected. */
	mem = ring_pair(KIPC_RING_MIN_DATA, &prod, &cons);
	CHECK_EQ(kipc_ring_send(prod, buf, 1000, 0), -EAGAIN);
	poke(mem, KIPC_RING_HDR_SIZE + KIPC_RING_MIN_DATA / 2 + 4, 8);
	CHECK_EQ(kipc_ring_recv(cons, buf, sizeof(buf), 0), -EPROTO);
	ring_unpair(mem, KIPC_RING_MIN_DATA, prod, cons);
	/* A head index moved beyond what the ring can hold. */
	mem = ring_pair(DATA, &prod, &cons);
	poke(mem, OFF_HEAD, DATA + 16);
	CHECK_EQ(kipc_ring_recv(cons, buf, sizeof(buf), 0), -EPROTO);
	ring_unpair(mem, DATA, prod, cons);
}

int main(void)
{
	test_init_arguments();
	test_init_rounds_down();
	test_attach_arguments();
	test_bad_mappings();
	test_too_small_buffer();
	test_corrupt_ring();
	return failures ? 1 : 0;
}
