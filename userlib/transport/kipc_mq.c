// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * kipc message queues: "kipc-mq" (one ioctl per message), "kipc-mq-batch" (KIPC_IOC_SEND_BATCH
 * and _RECV_BATCH), "kipc-mq-call" (KIPC_IOC_CALL: request and reply in one syscall) and
 * "kipc-rpc" (the same, with the server's reply and wait for the next request in one, too).  The
 * three differ only in which ops they fill in.
 *
 * Two queues, one per direction, created EXCL|AUTODESTROY: "<pair>.a2b"/".b2a" for a pair
 * (the fds cross fork), "kipc-tp.<name>.c2s"/".s2c" for a named endpoint.  A queue has no
 * notion of its peer, so:
 *  - data goes at priority 1 and closing queues an empty message at priority 0, which the
 *    receiver meets only after all the data: -EPIPE;
 *  - closing also destroys the queue this side received from with KIPC_DESTROY_NOW, so a peer
 *    blocked sending to it wakes with EIDRM, which is -EPIPE here;
 *  - a blocked call waits KIPC__SLICE_NS at a time and looks at the peer's pid in between.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "transport.h"

#define PRIO_DATA	1
#define PRIO_CLOSE	0

struct mq_pair {
	struct kipc_transport_pair base;
	int fd[2];				/* a2b, b2a */
	char name[2][KIPC_NAME_MAX];
};

struct mq_tp {
	struct kipc_transport base;
	int tx, rx;
	char tx_name[KIPC_NAME_MAX], rx_name[KIPC_NAME_MAX];
};

static int mq_probe(const struct kipc__backend *b)
{
	return kipc__kipc_probe(KIPC_FEATURE_MQ | (__u64)(unsigned long)b->params);
}

/*
 * The queue's limits: @max_msg as asked (within the module's cap), and a depth that keeps
 * two full queues inside the per-user budget, or sends would fail with EDQUOT.
 */
static int mq_limits(struct kipc_transport_attr *attr, unsigned int *depth)
{
	struct kipc_info info;
	int ret = kipc__kipc_info(&info);
	__u64 fit;

	if (ret)
		return ret;
	if (attr->max_msg > info.max_msg_size)
		attr->max_msg = info.max_msg_size;
	fit = info.max_user_bytes / 4 / (attr->max_msg + 64);
	*depth = attr->depth < info.max_msgs ? attr->depth : info.max_msgs;
	if (*depth > fit)
		*depth = fit ? (unsigned int)fit : 1;
	return 0;
}

static int mq_create(const char *name, const struct kipc_transport_attr *attr, unsigned int depth)
{
	return kipc_mq_open(name, KIPC_MQ_ATTR(.create_flags = KIPC_CREATE_EXCL | KIPC_CREATE_AUTODESTROY, .mode = 0600, .access = KIPC_ACCESS_READ | KIPC_ACCESS_WRITE, .max_msgs = depth, .max_msg_size = (unsigned int)attr->max_msg));
}

static int mq_pair_open(struct kipc_transport_pair *pair)
{
	struct mq_pair *p = (struct mq_pair *)pair;
	char base[KIPC_NAME_MAX - 8];
	unsigned int depth;
	int ret = mq_limits(&pair->attr, &depth);

	if (ret)
		return ret;
	kipc__pair_name(base, sizeof(base));
	snprintf(p->name[0], KIPC_NAME_MAX, "%s.a2b", base);
	snprintf(p->name[1], KIPC_NAME_MAX, "%s.b2a", base);
	p->fd[0] = mq_create(p->name[0], &pair->attr, depth);
	if (p->fd[0] < 0)
		return p->fd[0];
	p->fd[1] = mq_create(p->name[1], &pair->attr, depth);
	if (p->fd[1] < 0) {
		close(p->fd[0]);
		return p->fd[1];
	}
	return 0;
}

static void mq_pair_close(struct kipc_transport_pair *pair, bool destroy)
{
	struct mq_pair *p = (struct mq_pair *)pair;

	/* AUTODESTROY: the queues go with the last fd, in whichever process that is. */
	(void)destroy;
	close(p->fd[0]);
	close(p->fd[1]);
}

static void mq_init(struct kipc_transport *tp)
{
	struct mq_tp *t = (struct mq_tp *)tp;

	t->tx = -1;
	t->rx = -1;
}

static int mq_pair_side(struct kipc_transport_pair *pair, struct kipc_transport *tp,
			struct kipc__deadline *dl)
{
	struct mq_pair *p = (struct mq_pair *)pair;
	struct mq_tp *t = (struct mq_tp *)tp;
	unsigned int s = tp->side;

	(void)dl;
	tp->max_msg = pair->attr.max_msg;
	t->tx = p->fd[s];
	t->rx = p->fd[!s];
	kipc__pair_names(tp, p->name[0], KIPC_NAME_MAX, t->tx_name, t->rx_name);
	return 0;
}

static int mq_serve(struct kipc_transport *tp, const char *name, struct kipc__deadline *dl)
{
	struct kipc_transport_attr attr = { .max_msg = tp->max_msg, .depth = tp->depth };
	struct mq_tp *t = (struct mq_tp *)tp;
	unsigned int depth;
	int ret;

	(void)dl;
	ret = kipc__queue_names(tp, name, "", t->tx_name, t->rx_name, KIPC_NAME_MAX);
	if (!ret)
		ret = mq_limits(&attr, &depth);
	if (ret)
		return ret;
	tp->max_msg = attr.max_msg;
	t->rx = mq_create(t->rx_name, &attr, depth);
	if (t->rx < 0)
		return t->rx;
	t->tx = mq_create(t->tx_name, &attr, depth);
	return t->tx < 0 ? t->tx : 0;
}

static int mq_connect(struct kipc_transport *tp, const char *name)
{
	struct mq_tp *t = (struct mq_tp *)tp;
	struct kipc_stat st;
	int ret = kipc__queue_names(tp, name, "", t->tx_name, t->rx_name, KIPC_NAME_MAX);

	if (ret)
		return ret;
	/* The server creates its receive queue first and this side's last: wait for that one. */
	if (t->rx < 0) {
		t->rx = kipc_mq_attach(t->rx_name, KIPC_ACCESS_READ | KIPC_ACCESS_WRITE);
		if (t->rx < 0)
			return t->rx;
	}
	t->tx = kipc_mq_attach(t->tx_name, KIPC_ACCESS_READ | KIPC_ACCESS_WRITE);
	if (t->tx < 0)
		return t->tx;
	ret = kipc_stat_self(t->tx, &st);
	if (ret)
		return ret;
	if (tp->max_msg > st.max_msg_size)
		tp->max_msg = st.max_msg_size;
	return 0;
}

/* ---- messages ----------------------------------------------------------------------------- */

static int mq_send(struct kipc_transport *tp, const void *buf, size_t len,
		   struct kipc__deadline *dl)
{
	struct mq_tp *t = (struct mq_tp *)tp;
	int ret;

	do {
		/* A BLOCK queue: a send is queued or fails, never dropped. */
		ret = kipc_send(t->tx, buf, len, PRIO_DATA, 0, kipc__lib_slice(dl));
	} while (ret < 0 && !(ret = kipc__kipc_retry(tp, ret, dl)));
	return ret;
}

/* What a received message's priority means: its length, or -EPIPE for the close marker. */
static long mq_received(long n, unsigned int prio)
{
	return n >= 0 && prio == PRIO_CLOSE ? -EPIPE : n;
}

/* A message too long for the caller stays queued: take it into the staging buffer, drop it. */
static long mq_drop(struct mq_tp *t)
{
	void *stage = kipc__rx_stage(&t->base);
	unsigned int prio;
	long n;

	if (!stage)
		return -ENOMEM;
	n = kipc_recv(t->rx, stage, t->base.max_msg, &prio, 0, 0);
	return n < 0 ? n : mq_received(-EMSGSIZE, prio);
}

static long mq_recv(struct kipc_transport *tp, void *buf, size_t cap, struct kipc__deadline *dl)
{
	struct mq_tp *t = (struct mq_tp *)tp;
	unsigned int prio = PRIO_DATA;
	long n;

	for (;;) {
		n = kipc_recv(t->rx, buf, cap, &prio, 0, kipc__lib_slice(dl));
		if (n >= 0)
			return mq_received(n, prio);
		if (n == -EMSGSIZE)
			return mq_drop(t);
		n = kipc__kipc_retry(tp, (int)n, dl);
		if (n)
			return n;
	}
}

/* ---- batches ------------------------------------------------------------------------------ */

/* The ioctl's vector for @msgs (at most KIPC_BATCH_MAX of them).  Return: its length. */
static unsigned int mq_vec(struct kipc_msg_vec *vec, const struct kipc_transport_msg *msgs,
			   unsigned int count)
{
	unsigned int i;

	if (count > KIPC_BATCH_MAX)
		count = KIPC_BATCH_MAX;
	for (i = 0; i < count; i++)
		vec[i] = (struct kipc_msg_vec){ .buf = (__u64)(unsigned long)msgs[i].buf,
						.len = (__u32)msgs[i].len,
						.priority = PRIO_DATA };
	return count;
}

/* kipc_send_batch() or kipc_recv_batch() on @fd, waiting in slices.  Return: as they do. */
static int mq_batch(struct kipc_transport *tp, int fd, struct kipc_msg_vec *vec,
		    unsigned int count, struct kipc__deadline *dl,
		    int (*batch)(int, struct kipc_msg_vec *, unsigned int, unsigned int, __s64))
{
	int ret;

	do {
		ret = batch(fd, vec, count, 0, kipc__lib_slice(dl));
	} while (ret < 0 && !(ret = kipc__kipc_retry(tp, ret, dl)));
	return ret;
}

static int mq_send_batch(struct kipc_transport *tp, const struct kipc_transport_msg *msgs,
			 unsigned int count, struct kipc__deadline *dl)
{
	struct kipc_msg_vec vec[KIPC_BATCH_MAX];

	count = mq_vec(vec, msgs, count);
	return mq_batch(tp, ((struct mq_tp *)tp)->tx, vec, count, dl, kipc_send_batch);
}

static int mq_recv_batch(struct kipc_transport *tp, struct kipc_transport_msg *msgs,
			 unsigned int count, struct kipc__deadline *dl)
{
	struct kipc_msg_vec vec[KIPC_BATCH_MAX];
	struct mq_tp *t = (struct mq_tp *)tp;
	unsigned int i;
	int ret;

	count = mq_vec(vec, msgs, count);
	ret = mq_batch(tp, t->rx, vec, count, dl, kipc_recv_batch);
	if (ret == -EMSGSIZE)
		return (int)mq_drop(t);
	for (i = 0; ret > 0 && i < (unsigned int)ret; i++) {
		/* The close marker sorts last: the batch ends before it. */
		if (vec[i].priority == PRIO_CLOSE) {
			tp->peer_closed = true;
			return i ? (int)i : -EPIPE;
		}
		msgs[i].len = vec[i].len;
	}
	return ret;
}

/* ---- calls -------------------------------------------------------------------------------- */

/*
 * KIPC_IOC_CALL, by hand rather than through kipc_call(): a call that times out must say
 * whether the request went (kipc_call.sent), since sending it again would duplicate it.
 */
static long mq_call(struct kipc_transport *tp, const void *req, size_t req_len, void *reply,
		    size_t reply_cap, struct kipc__deadline *dl)
{
	struct mq_tp *t = (struct mq_tp *)tp;
	struct kipc_call c;
	long ret;

	for (;;) {
		c = (struct kipc_call){
			.size = sizeof(c),
			.req_buf = (__u64)(unsigned long)req,
			.req_len = (__u32)req_len,
			.req_priority = PRIO_DATA,
			.reply_fd = (__u32)t->rx,
			.reply_buf = (__u64)(unsigned long)reply,
			.reply_len = (__u32)(reply_cap < 0xffffffffu ? reply_cap : 0xffffffffu),
		};
		c.flags = kipc__kipc_wait(dl, &c.timeout_ns);
		if (!ioctl(t->tx, KIPC_IOC_CALL, &c))
			return mq_received(c.reply_len, c.reply_priority);
		ret = -errno;
		if (c.sent)
			break;
		ret = kipc__kipc_retry(tp, (int)ret, dl);
		if (ret)
			return ret;
	}
	/* The request is out: wait for the reply as an ordinary receive does. */
	if (ret == -EMSGSIZE)
		return mq_drop(t);
	if (ret == -EIDRM)
		return -EPIPE;
	if (ret != -ETIMEDOUT && ret != -EAGAIN && ret != -EINTR)
		return ret;
	return mq_recv(tp, reply, reply_cap, dl);
}

/* ---- closing ------------------------------------------------------------------------------ */

static void mq_close(struct kipc_transport *tp)
{
	struct mq_tp *t = (struct mq_tp *)tp;

	/* The marker, or, if the peer's queue is full, the queue itself: either ends its wait. */
	if (t->tx >= 0 && kipc_send(t->tx, "", 0, PRIO_CLOSE, 0, 0))
		kipc_destroy(t->tx, t->tx_name, KIPC_DESTROY_NOW);
	if (t->rx >= 0)
		kipc_destroy(t->rx, t->rx_name, KIPC_DESTROY_NOW);
	if (t->tx >= 0)
		close(t->tx);
	if (t->rx >= 0)
		close(t->rx);
}

#define MQ_OPS(...)							\
	.tp_size = sizeof(struct mq_tp),				\
	.pair_size = sizeof(struct mq_pair),				\
	.init = mq_init,						\
	.probe = mq_probe,						\
	.pair_open = mq_pair_open,					\
	.pair_side = mq_pair_side,					\
	.pair_close = mq_pair_close,					\
	.serve = mq_serve,						\
	.connect = mq_connect,						\
	.send = mq_send,						\
	.recv = mq_recv,						\
	.close = mq_close,						\
	__VA_ARGS__

static const struct kipc_transport_ops mq_ops = { MQ_OPS() };
static const struct kipc_transport_ops mq_batch_ops = {
	MQ_OPS(.send_batch = mq_send_batch, .recv_batch = mq_recv_batch)
};
static const struct kipc_transport_ops mq_call_ops = { MQ_OPS(.call = mq_call) };

#define MQ_FLAGS	(KIPC_TRANSPORT_PAIR | KIPC_TRANSPORT_NAMED | KIPC_TRANSPORT_NEEDS_KIPC)

/* params: the feature bits the backend needs beyond KIPC_FEATURE_MQ. */
const struct kipc__backend kipc__tp_kipc_mq = {
	.pub.name = "kipc-mq",
	.pub.summary = "kipc message queues, one ioctl per message",
	.pub.flags = MQ_FLAGS,
	.ops = &mq_ops,
	.params = (const void *)0,
};

const struct kipc__backend kipc__tp_kipc_mq_batch = {
	.pub.name = "kipc-mq-batch",
	.pub.summary = "kipc message queues, KIPC_IOC_SEND_BATCH/RECV_BATCH",
	.pub.flags = MQ_FLAGS | KIPC_TRANSPORT_NATIVE_BATCH,
	.ops = &mq_batch_ops,
	.params = (const void *)(unsigned long)KIPC_FEATURE_BATCH,
};

/* The same calls; the bench's server also replies and waits with one KIPC_IOC_CALL. */
const struct kipc__backend kipc__tp_kipc_rpc = {
	.pub.name = "kipc-rpc",
	.pub.summary = "kipc message queues, KIPC_IOC_CALL on both sides: two syscalls per round trip",
	.pub.flags = MQ_FLAGS | KIPC_TRANSPORT_NATIVE_CALL | KIPC_TRANSPORT_NATIVE_RPC,
	.ops = &mq_call_ops,
	.params = (const void *)(unsigned long)KIPC_FEATURE_CALL,
};

const struct kipc__backend kipc__tp_kipc_mq_call = {
	.pub.name = "kipc-mq-call",
	.pub.summary = "kipc message queues, KIPC_IOC_CALL: request and reply in one syscall",
	.pub.flags = MQ_FLAGS | KIPC_TRANSPORT_NATIVE_CALL,
	.ops = &mq_call_ops,
	.params = (const void *)(unsigned long)KIPC_FEATURE_CALL,
};
