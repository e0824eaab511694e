// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * SysV message queues: two queues, IPC_PRIVATE for a pair, keys hashed from the name for a
 * named endpoint.  msgsnd/msgrcv want the message after a long mtype, so the endpoint keeps
 * one buffer per direction and offers it for zero-copy (kipc_transport_send_begin() and
 * _recv_begin() hand out its mtext); plain sends and receives copy through it.
 *
 * Data is mtype 1; closing queues an empty mtype 2 message, which msgrcv(type 0) returns after
 * the data, and removes the queue it received from (a sender blocked on it gets EIDRM: -EPIPE).
 *
 * Waiting.  msgrcv and msgsnd have no timeout: with one, a call polls with IPC_NOWAIT and
 * sleeps between tries (50 us doubling to 1 ms); without one it blocks in the kernel, and a
 * watcher thread, started once the peer is known, waits on the peer's pidfd.  If the peer dies
 * without closing, the watcher does what its close would have: removes this side's send queue
 * and queues the close marker on the receive queue (after whatever the peer had sent).
 *
 * Limits: a message is at most kernel.msgmax bytes (8192 by default), and the queue's bytes
 * (msg_qbytes) are raised to depth messages where the process may (CAP_SYS_RESOURCE).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ipc.h>
#include <sys/msg.h>

#include "transport.h"

#define TYPE_DATA	1
#define TYPE_CLOSE	2

struct smsg_pair {
	struct kipc_transport_pair base;
	int q[2];			/* a2b, b2a */
};

struct smsg_buf {
	long mtype;
	char mtext[];
};

struct smsg_tp {
	struct kipc_transport base;
	int tx, rx;
	struct smsg_buf *txbuf, *rxbuf;
	int stop_efd;			/* tells the watcher to end */
	bool watching;
	pthread_t watcher;
};

static int smsg_probe(const struct kipc__backend *b)
{
	int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);

	(void)b;
	if (q < 0)
		return errno == ENOSYS ? -EOPNOTSUPP : -errno;
	msgctl(q, IPC_RMID, NULL);
	return 0;
}

static size_t smsg_max(size_t want)
{
	size_t max = kipc__proc_ulong("/proc/sys/kernel/msgmax", 8192);

	return want < max ? want : max;
}

/* Give queue @q room for @depth messages of @max_msg, where allowed; the default is kept else. */
static void smsg_size_queue(int q, size_t max_msg, unsigned int depth)
{
	struct msqid_ds ds;

	if (msgctl(q, IPC_STAT, &ds))
		return;
	if (ds.msg_qbytes >= depth * max_msg)
		return;
	ds.msg_qbytes = depth * max_msg;
	msgctl(q, IPC_SET, &ds);
}

static int smsg_new(key_t key, int flags, size_t max_msg, unsigned int depth)
{
	int q = msgget(key, IPC_CREAT | flags | 0600);

	if (q < 0)
		return errno == ENOSYS ? -EOPNOTSUPP : -errno;
	smsg_size_queue(q, max_msg, depth);
	return q;
}

static int smsg_pair_open(struct kipc_transport_pair *pair)
{
	struct smsg_pair *p = (struct smsg_pair *)pair;

	pair->attr.max_msg = smsg_max(pair->attr.max_msg);
	p->q[0] = smsg_new(IPC_PRIVATE, 0, pair->attr.max_msg, pair->attr.depth);
	if (p->q[0] < 0)
		return p->q[0];
	p->q[1] = smsg_new(IPC_PRIVATE, 0, pair->attr.max_msg, pair->attr.depth);
	if (p->q[1] < 0) {
		msgctl(p->q[0], IPC_RMID, NULL);
		return p->q[1];
	}
	return 0;
}

static void smsg_pair_close(struct kipc_transport_pair *pair, bool destroy)
{
	struct smsg_pair *p = (struct smsg_pair *)pair;

	if (destroy) {
		msgctl(p->q[0], IPC_RMID, NULL);
		msgctl(p->q[1], IPC_RMID, NULL);
	}
}

static void smsg_init(struct kipc_transport *tp)
{
	struct smsg_tp *t = (struct smsg_tp *)tp;

	t->tx = -1;
	t->rx = -1;
	t->stop_efd = -1;
}

static int smsg_buffers(struct smsg_tp *t)
{
	t->txbuf = malloc(sizeof(*t->txbuf) + t->base.max_msg);
	t->rxbuf = malloc(sizeof(*t->rxbuf) + t->base.max_msg);
	if (!t->txbuf || !t->rxbuf)
		return -ENOMEM;
	t->txbuf->mtype = TYPE_DATA;
	return 0;
}

static int smsg_pair_side(struct kipc_transport_pair *pair, struct kipc_transport *tp,
			  struct kipc__deadline *dl)
{
	struct smsg_pair *p = (struct smsg_pair *)pair;
	struct smsg_tp *t = (struct smsg_tp *)tp;

	(void)dl;
	t->tx = p->q[tp->side];
	t->rx = p->q[!tp->side];
	return smsg_buffers(t);
}

static int smsg_serve(struct kipc_transport *tp, const char *name, struct kipc__deadline *dl)
{
	struct smsg_tp *t = (struct smsg_tp *)tp;

	(void)dl;
	tp->max_msg = smsg_max(tp->max_msg);
	t->rx = smsg_new(kipc__sysv_key(name, "c2s"), IPC_EXCL, tp->max_msg, tp->depth);
	if (t->rx < 0)
		return t->rx;
	t->tx = smsg_new(kipc__sysv_key(name, "s2c"), IPC_EXCL, tp->max_msg, tp->depth);
	return t->tx < 0 ? t->tx : smsg_buffers(t);
}

static int smsg_connect(struct kipc_transport *tp, const char *name)
{
	struct smsg_tp *t = (struct smsg_tp *)tp;

	/* The server creates this side's receive queue last. */
	t->rx = msgget(kipc__sysv_key(name, "s2c"), 0);
	if (t->rx < 0)
		return -errno;
	t->tx = msgget(kipc__sysv_key(name, "c2s"), 0);
	if (t->tx < 0)
		return -errno;
	tp->max_msg = smsg_max(tp->max_msg);
	return smsg_buffers(t);
}

/* ---- the watcher -------------------------------------------------------------------------- */

static void *smsg_watch(void *arg)
{
	struct smsg_tp *t = arg;
	struct pollfd pfd[2] = {
		{ .fd = t->base.peer_pidfd, .events = POLLIN },
		{ .fd = t->stop_efd, .events = POLLIN },
	};
	struct smsg_buf marker = { .mtype = TYPE_CLOSE };

	while (poll(pfd, 2, -1) < 0 && errno == EINTR)
		;
	if (pfd[1].revents || !pfd[0].revents)
		return NULL;
	/* The peer died: end a blocked send, and receives once its messages are taken. */
	msgctl(t->tx, IPC_RMID, NULL);
	while (msgsnd(t->rx, &marker, 0, IPC_NOWAIT) && errno == EAGAIN)
		if (poll(&pfd[1], 1, 10) != 0)
			break;
	return NULL;
}

/* Once the peer is known: watch it, in a thread that takes no signals of the process's. */
static void smsg_connected(struct kipc_transport *tp)
{
	struct smsg_tp *t = (struct smsg_tp *)tp;
	sigset_t all, old;

	if (tp->peer_pidfd < 0)
		return;
	t->stop_efd = eventfd(0, EFD_CLOEXEC);
	if (t->stop_efd < 0)
		return;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	t->watching = !pthread_create(&t->watcher, NULL, smsg_watch, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* ---- messages ----------------------------------------------------------------------------- */

/*
 * One try without waiting has failed with @err (EAGAIN or ENOMSG): sleep before the next, as
 * @dl allows.  Return: 0 to try again, or the error to return.
 */
static int smsg_pause(struct smsg_tp *t, int err, struct kipc__deadline *dl, long *pause_ns)
{
	__u64 left;
	struct timespec ts;

	/* Removed while waiting (EIDRM) or before (EINVAL: sizes are checked before): closed. */
	if (err == -EIDRM || err == -EINVAL)
		return -EPIPE;
	if (err != -EAGAIN && err != -ENOMSG)
		return err == -EINTR ? 0 : err;
	if (!dl->timeout_ns)
		return -EAGAIN;
	if (kipc__peer_gone(&t->base))
		return -EPIPE;
	left = kipc__deadline_left(dl);
	if (!left)
		return -ETIMEDOUT;
	ts.tv_sec = 0;
	ts.tv_nsec = left < (__u64)*pause_ns ? (long)left : *pause_ns;
	nanosleep(&ts, NULL);
	if (*pause_ns < 1000000)
		*pause_ns *= 2;
	return 0;
}

/* IPC_NOWAIT unless the call may block for ever (the watcher then stands guard). */
static int smsg_flags(const struct kipc__deadline *dl)
{
	return kipc__deadline_forever(dl) ? 0 : IPC_NOWAIT;
}

static void *smsg_send_begin(struct kipc_transport *tp, size_t len, struct kipc__deadline *dl,
			     int *err)
{
	(void)len;
	(void)dl;
	(void)err;
	return ((struct smsg_tp *)tp)->txbuf->mtext;
}

static int smsg_send_commit(struct kipc_transport *tp, size_t len, struct kipc__deadline *dl)
{
	struct smsg_tp *t = (struct smsg_tp *)tp;
	long pause_ns = 50000;
	int ret;

	do {
		ret = msgsnd(t->tx, t->txbuf, len, smsg_flags(dl)) ? -errno : 0;
	} while (ret && !(ret = smsg_pause(t, ret, dl, &pause_ns)));
	return ret;
}

static const void *smsg_recv_begin(struct kipc_transport *tp, size_t *len,
				   struct kipc__deadline *dl, int *err)
{
	struct smsg_tp *t = (struct smsg_tp *)tp;
	long pause_ns = 50000;
	ssize_t n;

	for (;;) {
		n = msgrcv(t->rx, t->rxbuf, tp->max_msg, 0, smsg_flags(dl));
		if (n >= 0)
			break;
		if (errno == E2BIG) {
			/* Longer than this side's limit: take it truncated, that is, drop it. */
			msgrcv(t->rx, t->rxbuf, tp->max_msg, 0, IPC_NOWAIT | MSG_NOERROR);
			*err = -EMSGSIZE;
			return NULL;
		}
		*err = smsg_pause(t, -errno, dl, &pause_ns);
		if (*err)
			return NULL;
	}
	if (t->rxbuf->mtype == TYPE_CLOSE) {
		*err = -EPIPE;
		return NULL;
	}
	*len = (size_t)n;
	return t->rxbuf->mtext;
}

static void smsg_close(struct kipc_transport *tp)
{
	struct smsg_tp *t = (struct smsg_tp *)tp;
	struct smsg_buf marker = { .mtype = TYPE_CLOSE };

	if (t->watching) {
		eventfd_write(t->stop_efd, 1);
		pthread_join(t->watcher, NULL);
	}
	if (t->stop_efd >= 0)
		close(t->stop_efd);
	/* The peer's receive queue goes with it, unless it is still there to read it. */
	if (t->tx >= 0 && (msgsnd(t->tx, &marker, 0, IPC_NOWAIT) || kipc__peer_gone(tp)))
		msgctl(t->tx, IPC_RMID, NULL);
	if (t->rx >= 0)
		msgctl(t->rx, IPC_RMID, NULL);
	free(t->txbuf);
	free(t->rxbuf);
}

static const struct kipc_transport_ops smsg_ops = {
	.tp_size = sizeof(struct smsg_tp),
	.pair_size = sizeof(struct smsg_pair),
	.init = smsg_init,
	.probe = smsg_probe,
	.pair_open = smsg_pair_open,
	.pair_side = smsg_pair_side,
	.pair_close = smsg_pair_close,
	.serve = smsg_serve,
	.connect = smsg_connect,
	.send_begin = smsg_send_begin,
	.send_commit = smsg_send_commit,
	.recv_begin = smsg_recv_begin,
	.connected = smsg_connected,
	.close = smsg_close,
};

const struct kipc__backend kipc__tp_sysv_msg = {
	.pub.name = "sysv-msg",
	.pub.summary = "SysV message queues (msgget); up to kernel.msgmax (8 KiB) per message",
	.pub.flags = KIPC_TRANSPORT_PAIR | KIPC_TRANSPORT_NAMED,
	.ops = &smsg_ops,
	.params = NULL,
};
