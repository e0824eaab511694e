// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * POSIX message queues: two queues, "/kipc-tp.<pair>.a2b"/".b2a" or "/kipc-tp.<name>.c2s"/
 * ".s2c".  A queue has no notion of its peer, so (as for kipc-mq) data goes at priority 1 and
 * closing sends an empty message at priority 0, which arrives after the data; closing also
 * unlinks the queue it received from, and a blocked call, which waits KIPC__SLICE_NS at a time
 * (mq_timed*), looks in between whether the peer has died or either queue's name has gone.
 *
 * Limits.  The queue asks for the attr's depth and max_msg.  Unprivileged, the kernel refuses
 * more than fs.mqueue.msg_max and msgsize_max (EINVAL): then those are used.  RLIMIT_MSGQUEUE
 * (800 KiB by default) refuses queues whose depth * size is larger (EMFILE): then the depth
 * halves, down to 1, and then the size.  kipc_transport_max_msg() says what was granted.
 * Without mqueue support in the kernel the backend is unsupported.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "transport.h"

#define PRIO_DATA	1
#define PRIO_CLOSE	0

struct pmq_pair {
	struct kipc_transport_pair base;
	mqd_t q[2];				/* a2b, b2a */
	char name[2][KIPC__PATH_MAX];
};

struct pmq_tp {
	struct kipc_transport base;
	mqd_t tx, rx;
	char tx_name[KIPC__PATH_MAX], rx_name[KIPC__PATH_MAX];
	size_t rx_size;			/* the receive queue's mq_msgsize */
	void *rx_buf;			/* rx_size bytes, for callers with less room */
};

static int pmq_create(const char *name, size_t *max_msg, unsigned int depth, mqd_t *q)
{
	struct mq_attr a = { .mq_maxmsg = depth, .mq_msgsize = (long)*max_msg };
	bool clamped = false;
	long max;

	for (;;) {
		*q = mq_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &a);
		if (*q != (mqd_t)-1)
			break;
		if (errno == EMFILE && a.mq_maxmsg > 1) {
			a.mq_maxmsg /= 2;
		} else if (errno == EMFILE && a.mq_msgsize > 1024) {
			a.mq_msgsize /= 2;
		} else if (errno == EINVAL && !clamped) {
			clamped = true;
			max = (long)kipc__proc_ulong("/proc/sys/fs/mqueue/msg_max", 10);
			if (a.mq_maxmsg > max)
				a.mq_maxmsg = max;
			max = (long)kipc__proc_ulong("/proc/sys/fs/mqueue/msgsize_max", 8192);
			if (a.mq_msgsize > max)
				a.mq_msgsize = max;
		} else {
			return errno == ENOSYS ? -EOPNOTSUPP : -errno;
		}
	}
	if (mq_getattr(*q, &a) == 0)
		*max_msg = (size_t)a.mq_msgsize;
	return 0;
}

static int pmq_probe(const struct kipc__backend *b)
{
	char base[KIPC_NAME_MAX], name[KIPC__PATH_MAX];
	size_t size = 64;
	mqd_t q;
	int ret;

	(void)b;
	kipc__pair_name(base, sizeof(base));
	kipc__name(name, sizeof(name), "/", base, "probe");
	ret = pmq_create(name, &size, 1, &q);
	if (ret)
		return ret == -EOPNOTSUPP || ret == -ENOENT ? -EOPNOTSUPP : ret;
	mq_close(q);
	mq_unlink(name);
	return 0;
}

static void pmq_init(struct kipc_transport *tp)
{
	struct pmq_tp *t = (struct pmq_tp *)tp;

	t->tx = (mqd_t)-1;
	t->rx = (mqd_t)-1;
}

/*
 * Once both queues are open: mq_receive() wants room for the receive queue's mq_msgsize
 * whatever arrives, and a send may not exceed the send queue's.  0 or -errno.
 */
static int pmq_sizes(struct pmq_tp *t)
{
	struct mq_attr tx, rx;

	if (mq_getattr(t->tx, &tx) || mq_getattr(t->rx, &rx))
		return -errno;
	t->rx_size = (size_t)rx.mq_msgsize;
	if (t->base.max_msg > (size_t)tx.mq_msgsize)
		t->base.max_msg = (size_t)tx.mq_msgsize;
	if (t->base.max_msg > t->rx_size)
		t->base.max_msg = t->rx_size;
	return 0;
}

/* Both queues' names; the first may lower @max_msg, and the second then asks for that. */
static int pmq_pair_open(struct kipc_transport_pair *pair)
{
	struct pmq_pair *p = (struct pmq_pair *)pair;
	char base[KIPC_NAME_MAX];
	int ret;

	kipc__pair_name(base, sizeof(base));
	kipc__name(p->name[0], KIPC__PATH_MAX, "/", base, "a2b");
	kipc__name(p->name[1], KIPC__PATH_MAX, "/", base, "b2a");
	ret = pmq_create(p->name[0], &pair->attr.max_msg, pair->attr.depth, &p->q[0]);
	if (ret)
		return ret;
	ret = pmq_create(p->name[1], &pair->attr.max_msg, pair->attr.depth, &p->q[1]);
	if (ret) {
		mq_close(p->q[0]);
		mq_unlink(p->name[0]);
	}
	return ret;
}

static void pmq_pair_close(struct kipc_transport_pair *pair, bool destroy)
{
	struct pmq_pair *p = (struct pmq_pair *)pair;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		mq_close(p->q[i]);
		if (destroy)
			mq_unlink(p->name[i]);
	}
}

static int pmq_pair_side(struct kipc_transport_pair *pair, struct kipc_transport *tp,
			 struct kipc__deadline *dl)
{
	struct pmq_pair *p = (struct pmq_pair *)pair;
	struct pmq_tp *t = (struct pmq_tp *)tp;
	unsigned int s = tp->side;

	(void)dl;
	t->tx = p->q[s];
	t->rx = p->q[!s];
	kipc__pair_names(tp, p->name[0], KIPC__PATH_MAX, t->tx_name, t->rx_name);
	return pmq_sizes(t);
}

static int pmq_serve(struct kipc_transport *tp, const char *name, struct kipc__deadline *dl)
{
	struct pmq_tp *t = (struct pmq_tp *)tp;
	int ret = kipc__queue_names(tp, name, "/", t->tx_name, t->rx_name, KIPC__PATH_MAX);

	(void)dl;
	if (!ret)
		ret = pmq_create(t->rx_name, &tp->max_msg, tp->depth, &t->rx);
	if (!ret)
		ret = pmq_create(t->tx_name, &tp->max_msg, tp->depth, &t->tx);
	return ret ? ret : pmq_sizes(t);
}

static int pmq_connect(struct kipc_transport *tp, const char *name)
{
	struct pmq_tp *t = (struct pmq_tp *)tp;
	int ret = kipc__queue_names(tp, name, "/", t->tx_name, t->rx_name, KIPC__PATH_MAX);

	if (ret)
		return ret;
	/* The server creates this side's receive queue last. */
	if (t->rx == (mqd_t)-1) {
		t->rx = mq_open(t->rx_name, O_RDWR | O_CLOEXEC);
		if (t->rx == (mqd_t)-1)
			return -errno;
	}
	t->tx = mq_open(t->tx_name, O_RDWR | O_CLOEXEC);
	if (t->tx == (mqd_t)-1)
		return -errno;
	return pmq_sizes(t);
}

/* ---- messages ----------------------------------------------------------------------------- */

static bool name_gone(const char *name)
{
	mqd_t q = mq_open(name, O_RDONLY | O_CLOEXEC);

	if (q == (mqd_t)-1)
		return errno == ENOENT;
	mq_close(q);
	return false;
}

/* The absolute CLOCK_REALTIME end of the next slice (the epoch when not waiting). */
static struct timespec pmq_slice_end(struct kipc__deadline *dl)
{
	__u64 slice = kipc__slice_ns(dl);
	struct timespec ts = { 0, 0 };

	if (!slice)
		return ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)(slice / 1000000000u);
	ts.tv_nsec += (long)(slice % 1000000000u);
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

/* After a failed attempt: 0 to try again, or the error to return. */
static int pmq_retry(struct pmq_tp *t, int err, struct kipc__deadline *dl)
{
	if (err == -EINTR)
		return 0;
	if (err != -ETIMEDOUT)
		return err;
	if (name_gone(t->tx_name) || name_gone(t->rx_name))
		return -EPIPE;
	return kipc__slice_over(&t->base, dl);
}

static int pmq_send(struct kipc_transport *tp, const void *buf, size_t len,
		    struct kipc__deadline *dl)
{
	struct pmq_tp *t = (struct pmq_tp *)tp;
	struct timespec end;
	int ret;

	do {
		end = pmq_slice_end(dl);
		ret = mq_timedsend(t->tx, buf, len, PRIO_DATA, &end) ? -errno : 0;
	} while (ret && !(ret = pmq_retry(t, ret, dl)));
	return ret;
}

static long pmq_recv(struct kipc_transport *tp, void *buf, size_t cap, struct kipc__deadline *dl)
{
	struct pmq_tp *t = (struct pmq_tp *)tp;
	struct timespec end;
	unsigned int prio;
	void *into = buf;
	ssize_t n;

	if (cap < t->rx_size) {
		if (!t->rx_buf)
			t->rx_buf = malloc(t->rx_size);
		if (!t->rx_buf)
			return -ENOMEM;
		into = t->rx_buf;
	}
	for (;;) {
		end = pmq_slice_end(dl);
		n = mq_timedreceive(t->rx, into, t->rx_size, &prio, &end);
		if (n >= 0)
			break;
		n = pmq_retry(t, -errno, dl);
		if (n)
			return n;
	}
	if (prio == PRIO_CLOSE)
		return -EPIPE;
	if ((size_t)n > cap)
		return -EMSGSIZE;
	if (into != buf)
		memcpy(buf, into, (size_t)n);
	return n;
}

static void pmq_close(struct kipc_transport *tp)
{
	struct pmq_tp *t = (struct pmq_tp *)tp;
	struct timespec now = { 0, 0 };

	/* The marker without waiting; if the peer's queue is full, unlink it instead. */
	if (t->tx != (mqd_t)-1) {
		if (mq_timedsend(t->tx, "", 0, PRIO_CLOSE, &now) || kipc__peer_gone(tp))
			mq_unlink(t->tx_name);
		mq_close(t->tx);
	}
	if (t->rx != (mqd_t)-1) {
		mq_unlink(t->rx_name);
		mq_close(t->rx);
	}
	free(t->rx_buf);
}

static const struct kipc_transport_ops pmq_ops = {
	.tp_size = sizeof(struct pmq_tp),
	.pair_size = sizeof(struct pmq_pair),
	.init = pmq_init,
	.probe = pmq_probe,
	.pair_open = pmq_pair_open,
	.pair_side = pmq_pair_side,
	.pair_close = pmq_pair_close,
	.serve = pmq_serve,
	.connect = pmq_connect,
	.send = pmq_send,
	.recv = pmq_recv,
	.close = pmq_close,
};

/* posix_mq_kipc.c builds this file once more, as another backend. */
#ifndef PMQ_BACKEND
#define PMQ_BACKEND	kipc__tp_posix_mq
#define PMQ_NAME	"posix-mq"
#define PMQ_SUMMARY	"POSIX message queues (mq_open); up to fs.mqueue.msgsize_max unprivileged"
#endif

const struct kipc__backend PMQ_BACKEND = {
	.pub.name = PMQ_NAME,
	.pub.summary = PMQ_SUMMARY,
	.pub.flags = KIPC_TRANSPORT_PAIR | KIPC_TRANSPORT_NAMED,
	.ops = &pmq_ops,
	.params = NULL,
};
