// SPDX-License-Identifier: GPL-2.0
/*
 * Host test: in the smallest ring, a message of every length that fits starts at every record
 * position, so its header and payload straddle the end of the data area at every byte, and it
 * comes out intact.  Also: a full ring refuses one more byte and takes it once drained.
 * Exit: 0 pass, 1 fail.
 */
#include "ring_test.h"

#define DATA	KIPC_RING_MIN_DATA
#define MAX_LEN	(DATA - KIPC_RING_REC_SIZE(0))

static struct kipc_ring *prod, *cons;
static unsigned char *mem;
static __u32 pos;	/* where the next record starts, as this test counts */

/* The producer's index, from the header (line 1): this test's count must agree with it. */
static __u32 ring_head(void)
{
	__u32 head;

	memcpy(&head, mem + 128, sizeof(head));
	return head;
}

/* Send and take back one message of @len bytes; the ring is empty before and after. */
static void round_trip(size_t len, __u32 seq)
{
	unsigned char in[DATA], out[DATA];

	if (len >= 8)
		msg_fill(in, len, seq);
	else
		memset(in, (int)seq, len);
	CHECK_EQ(kipc_ring_send(prod, in, len, 0), 0);
	memset(out, 0, sizeof(out));
	CHECK_EQ(kipc_ring_recv(cons, out, sizeof(out), 0), len);
	CHECK(memcmp(in, out, len) == 0);
	CHECK_EQ(kipc_ring_recv(cons, out, sizeof(out), 0), -EAGAIN);
	pos += KIPC_RING_REC_SIZE(len);
}

/* Move the next record's start to @target with at most two filler messages. */
static void seek(__u32 target)
{
	__u32 delta = (target - pos) % DATA;

	if (delta == 8)
		round_trip(8, 0);	/* 24 bytes: the gap becomes 240, which one record fills */
	delta = (target - pos) % DATA;
	if (delta)
		round_trip(delta - KIPC_RING_REC_SIZE(0), 0);
	CHECK_EQ(pos % DATA, target);
	CHECK_EQ(ring_head(), pos);
}

static void test_full_ring(void)
{
	unsigned char buf[DATA];
	int i;

	/* Eight 16-byte messages (32-byte records) fill 256 bytes: not even a header fits. */
	for (i = 0; i < 8; i++)
		CHECK_EQ(kipc_ring_send(prod, buf, 16, 0), 0);
	CHECK_EQ(kipc_ring_send(prod, buf, 0, 0), -EAGAIN);
	CHECK_EQ(kipc_ring_recv(cons, buf, sizeof(buf), 0), 16);
	CHECK_EQ(kipc_ring_send(prod, buf, 16, 0), 0);
	CHECK_EQ(kipc_ring_send(prod, buf, 0, 0), -EAGAIN);
	for (i = 0; i < 8; i++)
		CHECK_EQ(kipc_ring_recv(cons, buf, sizeof(buf), 0), 16);
	CHECK_EQ(kipc_ring_recv(cons, buf, sizeof(buf), 0), -EAGAIN);
	pos += 9 * 32;
}

int main(void)
{
	__u32 start, seq = 1;
	size_t len;

	mem = ring_pair(DATA, &prod, &cons);
	for (len = 0; len <= MAX_LEN && !failures; len++) {
		for (start = 0; start < DATA; start += 8) {
			seek(start);
			round_trip(len, seq++);
		}
	}
	test_full_ring();
	/* The whole data area in one record, from every position once more. */
	for (start = 0; start < DATA; start += 8) {
		seek(start);
		round_trip(MAX_LEN, seq++);
	}
	printf("%u messages, every length up to %zu at every position\n", seq - 1,
	       (size_t)MAX_LEN);
	kipc_ring_close(prod);
	kipc_ring_close(cons);
	munmap(mem, KIPC_RING_HDR_SIZE + DATA);
	return failures ? 1 : 0;
}
