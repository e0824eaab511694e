// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The shared-memory backends: two of libkipc's rings (kipc_ring_*) in one shared mapping, one
 * per direction.  What differs between kipc-ring, kipc-ring-doorbell, kipc-ring-mq, posix-shm,
 * posix-shm-pmutex, posix-shm-psem, posix-shm-mq, sysv-shm and eventfd is only where the
 * mapping comes from and how a side sleeps: each is a struct kipc__ring_provider, and
 * everything else is here.
 *
 * Layout: ring 0 (side 0 produces, side 1 consumes) at offset 0, ring 1 at ring_span(), each a
 * ring header plus a power-of-two data area of at least 64 KiB and up to 1 MiB, twice the
 * largest message where that fits (larger messages go through in chunks).  Side 0 (a pair's
 * creator, or the server) formats both rings before anyone attaches; each side attaches after
 * fork, as the ring wants, so the pid it records is its own.  The ring does the rest: no
 * syscall while neither side sleeps, -EPIPE once the peer has closed (or died: it looks at the
 * peer's pid every KIPC_RING_CHECK_NS while it sleeps).
 *
 * In place.  The "-inplace" backends (kipc__ring_inplace_ops) give no send or recv: their
 * send_begin reserves the room in the ring and send_commit commits it; recv_begin peeks and
 * recv_done releases, so nothing is copied (the core builds send and recv from these, for the
 * hello too).  Their rings are sized so that the largest message fits in place, half the data
 * area: at least 64 KiB and up to 16 MiB of data each, and max_msg is lowered to the limit
 * of what one holds.  Both sides make every message in place, so none ever wraps or is
 * chunked, and a peek in two spans or in chunks can only be a corrupt ring.
 *
 * Wait methods with objects of their own (a process-shared lock, semaphores) keep them in the
 * mapping too, in the provider's sync_size bytes (rounded up to pages) after the two rings.
 * Side 0 formats them before the rings, so that a side that finds the rings formatted finds
 * them so too.
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "transport.h"

#define RING_DATA_MIN	(64u << 10)
#define RING_DATA_MAX	(1u << 20)
#define RING_INPLACE_DATA_MAX	(16u << 20)

static bool ring_inplace(const struct kipc__backend *b)
{
	return b->ops == &kipc__ring_inplace_ops;
}

/* The bytes one ring takes in the mapping: header and data, rounded up to pages. */
static size_t ring_span(const struct kipc__backend *b, size_t max_msg)
{
	size_t data = RING_DATA_MIN, page = (size_t)getpagesize();
	/* By copy twice the largest message, larger ones in chunks; in place, a whole record
	 * in half the data area.
	 */
	size_t want = ring_inplace(b) ? 2 * KIPC_RING_REC_SIZE(max_msg) : 2 * max_msg;
	size_t most = ring_inplace(b) ? RING_INPLACE_DATA_MAX : RING_DATA_MAX;

	while (data < want && data < most)
		data <<= 1;
	return (KIPC_RING_HDR_SIZE + data + page - 1) & ~(page - 1);
}

/* The bytes the wait method's objects take after the rings, rounded up to pages. */
static size_t sync_span(const struct kipc__ring_provider *prov)
{
	size_t page = (size_t)getpagesize();

	return (prov->sync_size + page - 1) & ~(page - 1);
}

/* What one ring of a mapping of @size bytes takes. */
static size_t ring_span_of(const struct kipc__ring_provider *prov, size_t size)
{
	return (size - sync_span(prov)) / 2;
}

void *kipc__ring_sync(const struct kipc__ring_tp *rt)
{
	return (char *)rt->mem + rt->size - sync_span(kipc__ring_provider_of(&rt->base));
}

/* The wait method's objects first, then the rings, whose magic tells the peer all is ready. */
static int rings_init(const struct kipc__ring_provider *prov, void *mem, size_t span)
{
	int ret = prov->sync_init ? prov->sync_init((char *)mem + 2 * span) : 0;

	if (!ret)
		ret = kipc_ring_init(mem, span, 0);
	return ret ? ret : kipc_ring_init((char *)mem + span, span, 0);
}

/* Attach this side: producer of ring <side>, consumer of the other. */
static int rings_attach(struct kipc__ring_tp *rt)
{
	const struct kipc__ring_provider *prov = kipc__ring_provider_of(&rt->base);
	size_t span = ring_span_of(prov, rt->size);
	char *mem = rt->mem;
	unsigned int flags = 0, side = rt->base.side;
	int ret;

	if (prov->wait_ops) {
		rt->wait_ops = prov->wait_ops;
		rt->wait_ctx = rt;
	} else if (prov->wait_setup) {
		ret = prov->wait_setup(rt);
		if (ret)
			return ret;
	}
	if (rt->wait_ops)
		flags |= KIPC_RING_WAIT_OPS;
	ret = kipc_ring_attach(&rt->tx, mem + side * span, span, KIPC_RING_PRODUCER | flags,
			       rt->wait_ops, rt->wait_ctx);
	if (!ret)
		ret = kipc_ring_attach(&rt->rx, mem + !side * span, span,
				       KIPC_RING_CONSUMER | flags, rt->wait_ops, rt->wait_ctx);
	/* Both rings are the same size; the hello tells the peer the lower limit. */
	if (!ret && ring_inplace(rt->base.backend) &&
	    rt->base.max_msg > kipc_ring_inplace_max(rt->tx))
		rt->base.max_msg = kipc_ring_inplace_max(rt->tx);
	return ret;
}

static int ring_pair_open(struct kipc_transport_pair *pair)
{
	struct kipc__ring_pair *rp = (struct kipc__ring_pair *)pair;
	const struct kipc__ring_provider *prov = pair->backend->params;
	size_t span = ring_span(pair->backend, pair->attr.max_msg);
	int ret;

	rp->fd[0] = rp->fd[1] = -1;
	rp->id[0] = rp->id[1] = -1;
	ret = prov->pair_map(rp, 2 * span + sync_span(prov));
	if (ret)
		return ret;
	rp->size = 2 * span + sync_span(prov);
	ret = rings_init(prov, rp->mem, span);
	if (ret)
		prov->pair_close(rp, true);
	return ret;
}

static void ring_pair_close(struct kipc_transport_pair *pair, bool destroy)
{
	const struct kipc__ring_provider *prov = pair->backend->params;

	prov->pair_close((struct kipc__ring_pair *)pair, destroy);
}

static void ring_init(struct kipc_transport *tp)
{
	struct kipc__ring_tp *rt = (struct kipc__ring_tp *)tp;

	rt->fd[0] = rt->fd[1] = -1;
	rt->id[0] = rt->id[1] = -1;
}

static int ring_pair_side(struct kipc_transport_pair *pair, struct kipc_transport *tp,
			  struct kipc__deadline *dl)
{
	struct kipc__ring_pair *rp = (struct kipc__ring_pair *)pair;
	struct kipc__ring_tp *rt = (struct kipc__ring_tp *)tp;
	unsigned int i;

	(void)dl;
	rt->mem = rp->mem;
	rt->size = rp->size;
	rt->owner = true;	/* whatever a pair still has a name for, either side may remove */
	for (i = 0; i < 2; i++) {
		rt->fd[i] = rp->fd[i];
		rt->id[i] = rp->id[i];
	}
	return rings_attach(rt);
}

static int ring_serve(struct kipc_transport *tp, const char *name, struct kipc__deadline *dl)
{
	const struct kipc__ring_provider *prov = kipc__ring_provider_of(tp);
	struct kipc__ring_tp *rt = (struct kipc__ring_tp *)tp;
	size_t span = ring_span(tp->backend, tp->max_msg);
	int ret;

	(void)dl;
	ret = prov->create(rt, name, 2 * span + sync_span(prov));
	if (ret)
		return ret;
	rt->owner = true;
	rt->size = 2 * span + sync_span(prov);
	ret = rings_init(prov, rt->mem, span);
	return ret ? ret : rings_attach(rt);
}

static int ring_connect(struct kipc_transport *tp, const char *name)
{
	const struct kipc__ring_provider *prov = kipc__ring_provider_of(tp);
	struct kipc__ring_tp *rt = (struct kipc__ring_tp *)tp;
	int ret;

	ret = prov->open(rt, name);
	if (ret)
		return ret;
	ret = rings_attach(rt);
	if (ret == -EINVAL) {
		/* Not formatted yet: let go and look again. */
		kipc_ring_close(rt->tx);
		rt->tx = NULL;
		prov->release(rt);
		rt->mem = NULL;
		return -EAGAIN;
	}
	return ret;
}

/* The ring's timeout for what is left of @dl: an expired one is 1 ns, so that it times out. */
static __s64 ring_timeout(struct kipc__deadline *dl)
{
	__u64 left = kipc__deadline_left(dl);

	if (left == KIPC__NS_FOREVER)
		return KIPC_FOREVER;
	if (!dl->timeout_ns)
		return 0;
	return left ? (__s64)(left < INT64_MAX ? left : INT64_MAX) : 1;
}

static int ring_send(struct kipc_transport *tp, const void *buf, size_t len,
		     struct kipc__deadline *dl)
{
	return kipc_ring_send(((struct kipc__ring_tp *)tp)->tx, buf, len, ring_timeout(dl));
}

static long ring_recv(struct kipc_transport *tp, void *buf, size_t cap, struct kipc__deadline *dl)
{
	struct kipc__ring_tp *rt = (struct kipc__ring_tp *)tp;
	long n = kipc_ring_recv(rt->rx, buf, cap, ring_timeout(dl));
	void *stage;

	if (n != -EMSGSIZE)
		return n;
	/* Too long for @buf: the ring keeps it; take it into the staging buffer and drop it. */
	stage = kipc__rx_stage(tp);
	if (!stage)
		return -ENOMEM;
	n = kipc_ring_recv(rt->rx, stage, tp->max_msg, 0);
	return n == -EMSGSIZE ? -EPROTO : -EMSGSIZE;
}

static void *ring_send_begin(struct kipc_transport *tp, size_t len, struct kipc__deadline *dl,
			     int *err)
{
	void *room;

	*err = kipc_ring_reserve(((struct kipc__ring_tp *)tp)->tx, len, &room, ring_timeout(dl));
	return *err ? NULL : room;
}

static int ring_send_commit(struct kipc_transport *tp, size_t len, struct kipc__deadline *dl)
{
	(void)dl;
	return kipc_ring_commit(((struct kipc__ring_tp *)tp)->tx, len);
}

static const void *ring_recv_begin(struct kipc_transport *tp, size_t *len,
				   struct kipc__deadline *dl, int *err)
{
	struct kipc__ring_tp *rt = (struct kipc__ring_tp *)tp;
	struct kipc_ring_span span[2];
	long n = kipc_ring_peek(rt->rx, span, ring_timeout(dl));

	/* Never wrapped nor chunked from a peer that makes every message in place. */
	if (n >= 0 && span[1].len)
		n = -EPROTO;
	*err = n == -EMSGSIZE ? -EPROTO : n < 0 ? (int)n : 0;
	if (*err)
		return NULL;
	*len = (size_t)n;
	return span[0].buf;
}

static int ring_recv_done(struct kipc_transport *tp)
{
	return kipc_ring_release(((struct kipc__ring_tp *)tp)->rx);
}

static void ring_close(struct kipc_transport *tp)
{
	struct kipc__ring_tp *rt = (struct kipc__ring_tp *)tp;

	kipc_ring_close(rt->tx);
	kipc_ring_close(rt->rx);
	kipc__ring_provider_of(tp)->release(rt);
}

static int ring_probe(const struct kipc__backend *b)
{
	const struct kipc__ring_provider *prov = b->params;

	return prov->probe ? prov->probe() : 0;
}

/* What the two ways have in common: everything but how a message goes in and out. */
#define RING_OPS_COMMON						\
	.tp_size = sizeof(struct kipc__ring_tp),		\
	.pair_size = sizeof(struct kipc__ring_pair),		\
	.init = ring_init,					\
	.probe = ring_probe,					\
	.pair_open = ring_pair_open,				\
	.pair_side = ring_pair_side,				\
	.pair_close = ring_pair_close,				\
	.serve = ring_serve,					\
	.connect = ring_connect,				\
	.close = ring_close

const struct kipc_transport_ops kipc__ring_ops = {
	RING_OPS_COMMON,
	.send = ring_send,
	.recv = ring_recv,
};

const struct kipc_transport_ops kipc__ring_inplace_ops = {
	RING_OPS_COMMON,
	.send_begin = ring_send_begin,
	.send_commit = ring_send_commit,
	.recv_begin = ring_recv_begin,
	.recv_done = ring_recv_done,
};
