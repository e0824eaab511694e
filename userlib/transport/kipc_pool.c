// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * kipc segment pool, zero-copy: one pool per direction.  A sender fills a free segment in place
 * (kipc_transport_send_begin() hands it out) and submits its id; the receiver reads it in place
 * and releases it.  Only the 8-byte token crosses the kernel, whatever the message's size.
 *
 * Each segment starts with a struct seg_hdr (SEG_HDR bytes, so the payload stays cache-line
 * aligned) that holds the message's length and, for the last segment a closing side sends,
 * SEG_CLOSE.  Closing also destroys (KIPC_DESTROY_NOW) the free list of the pool this side
 * received from, so a peer waiting for a free segment wakes with EIDRM (-EPIPE here); when no
 * segment is free for the marker, the peer's ready queue goes the same way.  Blocked calls wait
 * KIPC__SLICE_NS at a time and look at the peer's pid in between.
 *
 * A pool is at most POOL_BYTES of segments (and at least 2), so 1 MiB messages get 7.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "transport.h"

#define SEG_HDR		64
#define SEG_CLOSE	1u
#define POOL_BYTES	(8u << 20)

struct seg_hdr {
	__u32 len;
	__u32 flags;
};

struct pool_pair {
	struct kipc_transport_pair base;
	struct kipc_pool *pool[2];	/* a2b, b2a */
	char name[2][KIPC_NAME_MAX];
};

struct pool_tp {
	struct kipc_transport base;
	struct kipc_pool *tx, *rx;
	char tx_name[KIPC_NAME_MAX], rx_name[KIPC_NAME_MAX];
	unsigned int tx_id, rx_id;
	unsigned char *tx_seg;
};

static int pool_probe(const struct kipc__backend *b)
{
	(void)b;
	return kipc__kipc_probe(KIPC_FEATURE_MQ | KIPC_FEATURE_SHM);
}

/* Create the pool @name for messages of up to *@max_msg bytes (lowered to the module's cap). */
static int pool_create(const char *name, size_t *max_msg, unsigned int depth,
		       struct kipc_pool **pool)
{
	struct kipc_info info;
	int ret = kipc__kipc_info(&info);
	size_t nseg;

	if (ret)
		return ret;
	if (*max_msg + SEG_HDR > info.max_shm_size)
		*max_msg = info.max_shm_size - SEG_HDR;
	nseg = POOL_BYTES / (*max_msg + SEG_HDR);
	if (nseg > depth)
		nseg = depth;
	if (nseg < 2)
		nseg = 2;
	return kipc_pool_create(name, (unsigned int)nseg, *max_msg + SEG_HDR, 0600, pool);
}

static int pool_pair_open(struct kipc_transport_pair *pair)
{
	struct pool_pair *p = (struct pool_pair *)pair;
	char base[KIPC_NAME_MAX - 16];
	int ret;

	kipc__pair_name(base, sizeof(base));
	snprintf(p->name[0], KIPC_NAME_MAX, "%s.a", base);
	snprintf(p->name[1], KIPC_NAME_MAX, "%s.b", base);
	ret = pool_create(p->name[0], &pair->attr.max_msg, pair->attr.depth, &p->pool[0]);
	if (ret)
		return ret;
	ret = pool_create(p->name[1], &pair->attr.max_msg, pair->attr.depth, &p->pool[1]);
	if (ret)
		kipc_pool_close(p->pool[0], 1);
	return ret;
}

static void pool_pair_close(struct kipc_transport_pair *pair, bool destroy)
{
	struct pool_pair *p = (struct pool_pair *)pair;

	kipc_pool_close(p->pool[0], destroy);
	kipc_pool_close(p->pool[1], destroy);
}

static int pool_pair_side(struct kipc_transport_pair *pair, struct kipc_transport *tp,
			  struct kipc__deadline *dl)
{
	struct pool_pair *p = (struct pool_pair *)pair;
	struct pool_tp *t = (struct pool_tp *)tp;
	unsigned int s = tp->side;

	(void)dl;
	t->tx = p->pool[s];
	t->rx = p->pool[!s];
	kipc__pair_names(tp, p->name[0], KIPC_NAME_MAX, t->tx_name, t->rx_name);
	return 0;
}

static int pool_serve(struct kipc_transport *tp, const char *name, struct kipc__deadline *dl)
{
	struct pool_tp *t = (struct pool_tp *)tp;
	int ret = kipc__queue_names(tp, name, "", t->tx_name, t->rx_name, KIPC_NAME_MAX);

	(void)dl;
	if (!ret)
		ret = pool_create(t->rx_name, &tp->max_msg, tp->depth, &t->rx);
	if (!ret)
		ret = pool_create(t->tx_name, &tp->max_msg, tp->depth, &t->tx);
	return ret;
}

static int pool_connect(struct kipc_transport *tp, const char *name)
{
	struct pool_tp *t = (struct pool_tp *)tp;
	int ret = kipc__queue_names(tp, name, "", t->tx_name, t->rx_name, KIPC_NAME_MAX);

	if (ret)
		return ret;
	/* The server makes this side's receive pool last: once it is whole, both are. */
	if (!t->rx) {
		ret = kipc_pool_attach(t->rx_name, &t->rx);
		if (ret)
			return ret;
	}
	ret = kipc_pool_attach(t->tx_name, &t->tx);
	if (ret)
		return ret;
	/* A connect only ever lowers the limit asked for (the hello then takes the smaller). */
	if (tp->max_msg > kipc_pool_segment_size(t->rx) - SEG_HDR)
		tp->max_msg = kipc_pool_segment_size(t->rx) - SEG_HDR;
	return 0;
}

/*
 * Take a filled segment (@ready) or a free one, waiting in slices.
 * Return: its address, or NULL with *@err = -errno.
 */
static void *pool_take(struct pool_tp *t, bool ready, size_t *len, struct kipc__deadline *dl,
		       int *err)
{
	void *seg;

	do {
		if (ready)
			seg = kipc_pool_receive(t->rx, &t->rx_id, len, 0, kipc__lib_slice(dl), err);
		else
			seg = kipc_pool_get(t->tx, &t->tx_id, 0, kipc__lib_slice(dl), err);
		if (seg)
			return seg;
	} while (!(*err = kipc__kipc_retry(&t->base, *err, dl)));
	return NULL;
}

static void *pool_send_begin(struct kipc_transport *tp, size_t len, struct kipc__deadline *dl,
			     int *err)
{
	struct pool_tp *t = (struct pool_tp *)tp;

	(void)len;
	t->tx_seg = pool_take(t, false, NULL, dl, err);
	return t->tx_seg ? t->tx_seg + SEG_HDR : NULL;
}

static int pool_submit(struct pool_tp *t, size_t len, __u32 flags)
{
	struct seg_hdr *h = (struct seg_hdr *)t->tx_seg;

	h->len = (__u32)len;
	h->flags = flags;
	return kipc_pool_submit(t->tx, t->tx_id, SEG_HDR + len);
}

static int pool_send_commit(struct kipc_transport *tp, size_t len, struct kipc__deadline *dl)
{
	struct pool_tp *t = (struct pool_tp *)tp;
	int ret = pool_submit(t, len, 0);

	(void)dl;	/* P.ready has room for every segment: submitting never waits */
	return ret == -EIDRM ? -EPIPE : ret;
}

static const void *pool_recv_begin(struct kipc_transport *tp, size_t *len,
				   struct kipc__deadline *dl, int *err)
{
	struct pool_tp *t = (struct pool_tp *)tp;
	const struct seg_hdr *h;
	size_t seg_len;

	h = pool_take(t, true, &seg_len, dl, err);
	if (!h)
		return NULL;
	if (h->flags || h->len + SEG_HDR != seg_len) {
		kipc_pool_release(t->rx, t->rx_id);
		*err = h->flags == SEG_CLOSE ? -EPIPE : -EPROTO;
		return NULL;
	}
	*len = h->len;
	return (const unsigned char *)h + SEG_HDR;
}

static int pool_recv_done(struct kipc_transport *tp)
{
	struct pool_tp *t = (struct pool_tp *)tp;

	/* Fails only once the peer has closed, and then the segment no longer matters. */
	kipc_pool_release(t->rx, t->rx_id);
	return 0;
}

/* Destroy-now the queue "<pool>.<suffix>": whoever waits on it wakes with EIDRM. */
static void pool_kill_queue(int fd, const char *pool, const char *suffix)
{
	char name[KIPC_NAME_MAX];

	if (snprintf(name, sizeof(name), "%s.%s", pool, suffix) < KIPC_NAME_MAX)
		kipc_destroy(fd, name, KIPC_DESTROY_NOW);
}

static void pool_close(struct kipc_transport *tp)
{
	struct pool_tp *t = (struct pool_tp *)tp;
	int fd = kipc_open(0), err;

	if (t->tx) {
		t->tx_seg = kipc_pool_get(t->tx, &t->tx_id, 0, 0, &err);
		if ((!t->tx_seg || pool_submit(t, 0, SEG_CLOSE)) && fd >= 0)
			pool_kill_queue(fd, t->tx_name, "ready");
	}
	if (t->rx && fd >= 0)
		pool_kill_queue(fd, t->rx_name, "free");
	if (fd >= 0)
		close(fd);
	kipc_pool_close(t->tx, 1);
	kipc_pool_close(t->rx, 1);
}

static const struct kipc_transport_ops pool_ops = {
	.tp_size = sizeof(struct pool_tp),
	.pair_size = sizeof(struct pool_pair),
	.probe = pool_probe,
	.pair_open = pool_pair_open,
	.pair_side = pool_pair_side,
	.pair_close = pool_pair_close,
	.serve = pool_serve,
	.connect = pool_connect,
	.send_begin = pool_send_begin,
	.send_commit = pool_send_commit,
	.recv_begin = pool_recv_begin,
	.recv_done = pool_recv_done,
	.close = pool_close,
};

const struct kipc__backend kipc__tp_kipc_pool = {
	.pub.name = "kipc-pool",
	.pub.summary = "kipc segment pool: filled and read in place; 8-byte tokens on kipc queues",
	.pub.flags = KIPC_TRANSPORT_PAIR | KIPC_TRANSPORT_NAMED | KIPC_TRANSPORT_NEEDS_KIPC |
		 KIPC_TRANSPORT_ZERO_COPY,
	.ops = &pool_ops,
	.params = NULL,
};
