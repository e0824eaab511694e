// SPDX-License-Identifier: GPL-2.0
/*
 * Host test: the ring in place (kipc_ring_reserve/commit, kipc_ring_peek/release).  In the
 * smallest ring, a reservation of every length up to the in-place limit at every record
 * position is one contiguous span where the rule says (after a pad record where it would
 * wrap), and comes out intact through a peek and through a receive; every size class up to
 * the limit of a larger ring does too; messages made in place and by copy interleave in order,
 * a sent one that wraps peeks as two spans and one in chunks is left to kipc_ring_recv(); and
 * every misuse gets its errno.
 * Exit: 0 pass, 1 fail.
 */
#include "ring_test.h"

#define SMALL	KIPC_RING_MIN_DATA
#define LARGE	(64u << 10)
#define REC(n)	((__u32)KIPC_RING_REC_SIZE(n))

/* A side's index, from the header: the producer's on line 1, the consumer's on line 2. */
static __u32 ring_index(const void *mem, unsigned int side)
{
	__u32 idx;

	memcpy(&idx, (const char *)mem + 128 * (1 + side), sizeof(idx));
	return idx;
}

static unsigned char *data_of(void *mem)
{
	return (unsigned char *)mem + KIPC_RING_HDR_SIZE;
}

/* Take the empty ring's next record to @target (a multiple of 8) with copied fillers. */
static void seek(struct kipc_ring *prod, struct kipc_ring *cons, void *mem, size_t size,
		 __u32 target)
{
	unsigned char buf[SMALL];
	__u32 delta;

	while ((delta = (target - ring_index(mem, 0)) % size)) {
		/* A gap of 8 is not a record: go 24 further first, and fill the rest then. */
		delta = delta == 8 ? 24 : delta > SMALL ? SMALL : delta;
		CHECK_EQ(kipc_ring_send(prod, buf, delta - REC(0), 0), 0);
		CHECK_EQ(kipc_ring_recv(cons, buf, sizeof(buf), 0), delta - REC(0));
	}
}

/* Peek at the next message, expect @len bytes equal to @want in @spans spans, and release it. */
static void peek_expect(struct kipc_ring *cons, const void *want, size_t len, int spans)
{
	struct kipc_ring_span span[2];
	long n = kipc_ring_peek(cons, span, 0);

	CHECK_EQ(n, len);
	if (n != (long)len)
		return;
	CHECK_EQ(span[0].len + span[1].len, len);
	CHECK_EQ(!!span[1].len + 1, spans);
	CHECK(!memcmp(span[0].buf, want, span[0].len));
	CHECK(!span[1].len || !memcmp(span[1].buf, (const char *)want + span[0].len, span[1].len));
	CHECK(span[1].len || !span[1].buf);
	CHECK_EQ(kipc_ring_release(cons), 0);
}

/*
 * Reserve @len bytes with the next record at @start of an empty ring of @size bytes, check
 * where the room is, fill it, commit it, and take it back (by peek, or by receive).
 */
static void round_trip(struct kipc_ring *prod, struct kipc_ring *cons, void *mem, size_t size,
		       __u32 start, size_t len, __u32 seq, bool peek)
{
	unsigned char want[LARGE], out[LARGE];
	__u32 head = ring_index(mem, 0), left = (__u32)size - start, pad = 0;
	void *room = NULL;

	if (REC(len) > left)
		pad = left >= REC(0) ? left : REC(0);
	CHECK_EQ(kipc_ring_reserve(prod, len, &room, 0), 0);
	if (!room)
		return;
	/* Past the pad, after the record's header; never past the end of the data area. */
	CHECK_EQ((unsigned char *)room - data_of(mem), (start + pad + REC(0)) % size);
	CHECK((unsigned char *)room + len <= data_of(mem) + size);
	CHECK_EQ((uintptr_t)room % 8, 0);
	if (len >= 8)
		msg_fill(want, len, seq);
	else
		memset(want, (int)seq, len);
	memcpy(room, want, len);
	/* Nothing is published before the commit. */
	CHECK_EQ(ring_index(mem, 0), head);
	CHECK_EQ(kipc_ring_commit(prod, len), 0);
	CHECK_EQ(ring_index(mem, 0), head + pad + REC(len));
	if (peek) {
		peek_expect(cons, want, len, 1);
	} else {
		CHECK_EQ(kipc_ring_recv(cons, out, sizeof(out), 0), len);
		CHECK(!memcmp(out, want, len));
	}
	CHECK_EQ(ring_index(mem, 1), ring_index(mem, 0));
}

static void test_every_position(void)
{
	struct kipc_ring *prod, *cons;
	void *mem = ring_pair(SMALL, &prod, &cons);
	size_t len, max = kipc_ring_inplace_max(prod);
	__u32 start, seq = 1;

	CHECK_EQ(max, SMALL / 2 - REC(0));
	for (len = 0; len <= max && !failures; len++) {
		for (start = 0; start < SMALL; start += 8) {
			seek(prod, cons, mem, SMALL, start);
			round_trip(prod, cons, mem, SMALL, start, len, seq, seq & 1);
			seq++;
		}
	}
	printf("%u reservations: every length up to %zu at every position\n", seq - 1, max);
	ring_unpair(mem, SMALL, prod, cons);
}

static void test_size_classes(void)
{
	struct kipc_ring *prod, *cons;
	void *mem = ring_pair(LARGE, &prod, &cons);
	size_t max = kipc_ring_inplace_max(prod), len, n = 0;
	__u32 seq = 1;
	int d;

	CHECK_EQ(max, LARGE / 2 - REC(0));
	/* 0, 1, then each power of two and its neighbours, then the limit: each three times,
	 * so that they start at positions that move on through the ring and wrap.
	 */
	for (len = 1; len <= max; len <<= 1) {
		for (d = -1; d <= 1; d++) {
			if (len + d > max || (len == 1 && d))
				continue;
			for (int i = 0; i < 3; i++, n++)
				round_trip(prod, cons, mem, LARGE, ring_index(mem, 0) % LARGE,
					   len + d, seq++, i != 1);
		}
	}
	round_trip(prod, cons, mem, LARGE, ring_index(mem, 0) % LARGE, 0, seq++, true);
	for (int i = 0; i < 3; i++, n++)
		round_trip(prod, cons, mem, LARGE, ring_index(mem, 0) % LARGE, max, seq++, i);
	printf("%zu size classes up to %zu in a %u-byte ring\n", n, max, LARGE);
	ring_unpair(mem, LARGE, prod, cons);
}

/*
 * Messages made in place and by copy, of lengths up to the in-place limit and above it (up to
 * the whole data area), queued until the ring is full and taken in order by peeks and
 * receives; each side picks its way for each message apart from the other.  (Chunked messages
 * meet peeks in test_errors() and in ring_threads_test's mixed streams.)
 */
static void test_interleave(void)
{
	static unsigned char want[4 * 4096], out[4 * 4096];
	const size_t size = 4096, lens[] = { 0, 8, 100, 2032, 2033, 4000, 4080, 64 };
	struct kipc_ring_span span[2];
	struct kipc_ring *prod, *cons;
	void *mem = ring_pair(size, &prod, &cons);
	unsigned long made = 0, taken = 0, two_spans = 0;
	size_t len;
	void *room;
	long n;
	int ret;

	while (made < 600 && !failures) {
		/* The producer runs ahead until the ring is full, then the consumer drains it. */
		for (;;) {
			len = lens[made % ARRAY_SIZE(lens)];
			msg_fill(want, len < 8 ? 8 : len, (__u32)made);
			if (len <= kipc_ring_inplace_max(prod) && (mix64(made) & 1)) {
				ret = kipc_ring_reserve(prod, len, &room, 0);
				if (!ret) {
					memcpy(room, want, len);
					ret = kipc_ring_commit(prod, len);
				}
			} else {
				ret = kipc_ring_send(prod, want, len, 0);
			}
			if (ret == -EAGAIN)
				break;
			CHECK_EQ(ret, 0);
			made++;
		}
		for (; taken < made; taken++) {
			len = lens[taken % ARRAY_SIZE(lens)];
			msg_fill(want, len < 8 ? 8 : len, (__u32)taken);
			if (mix64(taken ^ 0xabc) & 1) {
				n = kipc_ring_peek(cons, span, 0);
				CHECK_EQ(n, len);
				two_spans += !!span[1].len;
				CHECK(!memcmp(span[0].buf, want, span[0].len));
				CHECK(!memcmp(span[1].buf ? span[1].buf : want, want + span[0].len,
					      span[1].len));
				CHECK_EQ(kipc_ring_release(cons), 0);
				continue;
			}
			CHECK_EQ(kipc_ring_recv(cons, out, sizeof(out), 0), len);
			CHECK(!memcmp(out, want, len));
		}
		CHECK_EQ(kipc_ring_recv(cons, out, sizeof(out), 0), -EAGAIN);
	}
	/* Only sent messages wrap: the ones made in place never do (round_trip() checks). */
	CHECK(two_spans > 0);
	printf("%lu messages interleaved, %lu of them peeked in two spans\n", made, two_spans);
	ring_unpair(mem, size, prod, cons);
}

/* What each call refuses, and what a misuse leaves behind. */
static void test_errors(void)
{
	struct kipc_ring *prod, *cons;
	void *mem = ring_pair(SMALL, &prod, &cons), *room = NULL, *room2 = NULL;
	size_t max = kipc_ring_inplace_max(prod);
	struct kipc_ring_span span[2];
	unsigned char buf[4 * SMALL], out[4 * SMALL];
	__u32 pad_off;

	/* Wrong side, no ring, no out-pointer. */
	CHECK_EQ(kipc_ring_reserve(cons, 8, &room, 0), -EINVAL);
	CHECK_EQ(kipc_ring_reserve(NULL, 8, &room, 0), -EINVAL);
	CHECK_EQ(kipc_ring_reserve(prod, 8, NULL, 0), -EINVAL);
	CHECK_EQ(kipc_ring_commit(cons, 0), -EINVAL);
	CHECK_EQ(kipc_ring_commit(NULL, 0), -EINVAL);
	CHECK_EQ(kipc_ring_peek(prod, span, 0), -EINVAL);
	CHECK_EQ(kipc_ring_peek(NULL, span, 0), -EINVAL);
	CHECK_EQ(kipc_ring_peek(cons, NULL, 0), -EINVAL);
	CHECK_EQ(kipc_ring_release(prod), -EINVAL);
	CHECK_EQ(kipc_ring_release(NULL), -EINVAL);
	CHECK_EQ(kipc_ring_inplace_max(NULL), 0);
	CHECK_EQ(kipc_ring_inplace_max(cons), max);

	/* Commit and release without reserve and peek, or a second time. */
	CHECK_EQ(kipc_ring_commit(prod, 0), -EINVAL);
	CHECK_EQ(kipc_ring_release(cons), -EINVAL);
	CHECK_EQ(kipc_ring_reserve(prod, max + 1, &room, 0), -EMSGSIZE);
	CHECK_EQ(kipc_ring_reserve(prod, (size_t)KIPC_RING_MAX_MSG + 1, &room, 0), -EMSGSIZE);
	CHECK_EQ(kipc_ring_reserve(prod, max, &room, 0), 0);
	/* Longer than the room: refused, and the room is still held. */
	CHECK_EQ(kipc_ring_commit(prod, max + 1), -EINVAL);
	memset(room, 0x11, max);
	CHECK_EQ(kipc_ring_commit(prod, 3), 0);
	CHECK_EQ(kipc_ring_commit(prod, 3), -EINVAL);
	CHECK_EQ(kipc_ring_peek(cons, span, 0), 3);
	CHECK_EQ(kipc_ring_peek(cons, span, 0), 3);	/* the same message again */
	CHECK(!memcmp(span[0].buf, "\x11\x11\x11", 3));
	CHECK_EQ(kipc_ring_release(cons), 0);
	CHECK_EQ(kipc_ring_release(cons), -EINVAL);

	/* Zero bytes, as a send allows. */
	CHECK_EQ(kipc_ring_reserve(prod, 0, &room, 0), 0);
	CHECK(room != NULL);
	CHECK_EQ(kipc_ring_commit(prod, 0), 0);
	CHECK_EQ(kipc_ring_peek(cons, span, 0), 0);
	CHECK(span[0].buf != NULL && !span[0].len && !span[1].len);
	CHECK_EQ(kipc_ring_release(cons), 0);

	/* Nothing there, in no time and in some; no room, likewise. */
	CHECK_EQ(kipc_ring_peek(cons, span, 0), -EAGAIN);
	CHECK_EQ(kipc_ring_peek(cons, span, 20 * 1000000), -ETIMEDOUT);
	CHECK_EQ(kipc_ring_reserve(prod, max, &room, 0), 0);
	CHECK_EQ(kipc_ring_commit(prod, max), 0);
	CHECK_EQ(kipc_ring_reserve(prod, max, &room, 0), -EAGAIN);
	CHECK_EQ(kipc_ring_reserve(prod, max, &room, 20 * 1000000), -ETIMEDOUT);
	CHECK_EQ(kipc_ring_commit(prod, 0), -EINVAL);	/* a failed reserve holds nothing */

	/* A peeked message is still the next one: a receive takes it instead. */
	CHECK_EQ(kipc_ring_peek(cons, span, 0), max);
	CHECK_EQ(kipc_ring_recv(cons, buf, sizeof(buf), 0), max);
	CHECK_EQ(kipc_ring_release(cons), -EINVAL);

	/* A send abandons a reservation; a second reservation replaces the first. */
	CHECK_EQ(kipc_ring_reserve(prod, 8, &room, 0), 0);
	CHECK_EQ(kipc_ring_send(prod, "sent", 4, 0), 0);
	CHECK_EQ(kipc_ring_commit(prod, 8), -EINVAL);
	CHECK_EQ(kipc_ring_reserve(prod, 8, &room, 0), 0);
	CHECK_EQ(kipc_ring_reserve(prod, 5, &room2, 0), 0);
	CHECK(room == room2);
	memcpy(room2, "place", 5);
	CHECK_EQ(kipc_ring_commit(prod, 8), -EINVAL);
	CHECK_EQ(kipc_ring_commit(prod, 5), 0);
	CHECK_EQ(kipc_ring_recv(cons, buf, sizeof(buf), 0), 4);
	CHECK(!memcmp(buf, "sent", 4));
	CHECK_EQ(kipc_ring_peek(cons, span, 0), 5);
	CHECK(!memcmp(span[0].buf, "place", 5));
	CHECK_EQ(kipc_ring_release(cons), 0);
	CHECK_EQ(kipc_ring_peek(cons, span, 0), -EAGAIN);

	/* A message in chunks: a peek leaves it to a receive, which takes it whole. */
	msg_fill(buf, sizeof(buf), 7);
	CHECK_EQ(kipc_ring_send(prod, buf, sizeof(buf), 0), -EAGAIN);	/* first chunks only */
	CHECK_EQ(kipc_ring_peek(cons, span, 0), -EMSGSIZE);
	CHECK_EQ(kipc_ring_release(cons), -EINVAL);
	/* ... and a reservation abandons it half sent, as a send of another message would. */
	CHECK_EQ(kipc_ring_recv(cons, out, sizeof(out), 0), -EAGAIN);	/* chunks taken */
	CHECK_EQ(kipc_ring_reserve(prod, 2, &room, 0), 0);
	memcpy(room, "ok", 2);
	CHECK_EQ(kipc_ring_commit(prod, 2), 0);
	CHECK_EQ(kipc_ring_recv(cons, out, sizeof(out), 0), 2);
	CHECK(!memcmp(out, "ok", 2));

	/* A corrupt pad record: flags, offset, or a length beyond what is queued. */
	for (int how = 0; how < 3; how++) {
		__u32 field[4];

		seek(prod, cons, mem, SMALL, SMALL - 64);
		pad_off = ring_index(mem, 0) % SMALL;
		CHECK_EQ(kipc_ring_reserve(prod, max, &room, 0), 0);
		CHECK_EQ(kipc_ring_commit(prod, max), 0);
		memcpy(field, data_of(mem) + pad_off, sizeof(field));
		CHECK_EQ(field[3], 1);	/* RING_REC_PAD */
		if (how == 0)
			field[3] = 3;
		else if (how == 1)
			field[1] = 8;
		else
			field[0] = field[2] = SMALL;
		memcpy(data_of(mem) + pad_off, field, sizeof(field));
		CHECK_EQ(kipc_ring_peek(cons, span, 0), -EPROTO);
		CHECK_EQ(kipc_ring_recv(cons, buf, sizeof(buf), 0), -EPROTO);
		ring_unpair(mem, SMALL, prod, cons);
		mem = ring_pair(SMALL, &prod, &cons);
	}

	/* Closed sides: the producer's reserve fails at once; the consumer peeks what is left. */
	CHECK_EQ(kipc_ring_reserve(prod, 1, &room, 0), 0);
	*(char *)room = 'z';
	CHECK_EQ(kipc_ring_commit(prod, 1), 0);
	kipc_ring_close(prod);
	CHECK_EQ(kipc_ring_peek(cons, span, KIPC_FOREVER), 1);
	CHECK_EQ(*(const char *)span[0].buf, 'z');
	CHECK_EQ(kipc_ring_release(cons), 0);
	CHECK_EQ(kipc_ring_peek(cons, span, KIPC_FOREVER), -EPIPE);
	kipc_ring_close(cons);
	CHECK_EQ(kipc_ring_init(mem, KIPC_RING_HDR_SIZE + SMALL, 0), 0);
	prod = ring_side(mem, SMALL, KIPC_RING_PRODUCER, NULL, NULL);
	cons = ring_side(mem, SMALL, KIPC_RING_CONSUMER, NULL, NULL);
	kipc_ring_close(cons);
	CHECK_EQ(kipc_ring_reserve(prod, 1, &room, KIPC_FOREVER), -EPIPE);
	kipc_ring_close(prod);
	munmap(mem, KIPC_RING_HDR_SIZE + SMALL);
}

int main(void)
{
	test_every_position();
	test_size_classes();
	test_interleave();
	test_errors();
	return failures ? 1 : 0;
}
