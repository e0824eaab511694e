// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Messages over file descriptors: what pipes, FIFOs and sockets share.
 *
 * Byte streams (pipes, FIFOs, Unix stream and TCP sockets) frame each message with its length,
 * a native-endian __u32, and send the frame with one writev() or sendmsg().  The receiver reads
 * ahead into a buffer, so small messages cost one read() and a batch of them often one read()
 * in all; a large payload is read straight into the caller's buffer.  Once a frame's length
 * has been taken its payload is read to the end whatever the timeout: the sender wrote it in
 * one call, and stopping half-way would lose the stream's place.
 *
 * Datagram and seqpacket sockets keep boundaries themselves; each message carries a tag byte
 * before its payload (gathered and scattered by the iovec, so it costs no copy), because a
 * seqpacket's EOF and an empty message both read as 0 bytes, and a datagram socket has no EOF:
 * closing sends a TAG_CLOSE datagram.  A datagram peer that dies is noticed by its pid: the
 * socket's SO_RCVTIMEO and SO_SNDTIMEO end each blocking call after KIPC__SLICE_NS to look.
 *
 * Waiting.  With no timeout the descriptors block in read/write themselves, so a message costs
 * the syscalls the mechanism needs and no more; with a timeout, poll() comes first.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "transport.h"

#define RXBUF_SIZE	(64u << 10)
#define TAG_MSG		'M'
#define TAG_CLOSE	'C'
/* Iovecs per writev of a batch: two per message; datagrams per sendmmsg/recvmmsg. */
#define BATCH_IOV	(IOV_MAX & ~1)
#define MMSG_MAX	64

static const struct kipc__fd_params *params_of(const struct kipc__fd_tp *t)
{
	return t->base.backend->params;
}

static bool is_dgram(const struct kipc__fd_tp *t)
{
	return params_of(t)->type == SOCK_DGRAM;
}

/* Errors that mean the peer is gone, as the API spells them. */
static int peer_error(int err)
{
	if (err == -ECONNRESET || err == -ECONNREFUSED || err == -ENOTCONN)
		return -EPIPE;
	return err;
}

/*
 * Wait until @fd is ready for @events, in slices that look at the peer in between.
 * Return: 0, -EAGAIN (no wait asked), -ETIMEDOUT, -EPIPE (the peer died).
 */
static int fd_wait(struct kipc__fd_tp *t, int fd, short events, struct kipc__deadline *dl)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	struct timespec ts;
	__u64 slice;
	int n, ret;

	for (;;) {
		slice = kipc__slice_ns(dl);
		ts.tv_sec = (time_t)(slice / 1000000000u);
		ts.tv_nsec = (long)(slice % 1000000000u);
		n = ppoll(&pfd, 1, &ts, NULL);
		if (n > 0)
			return 0;	/* ready, or POLLHUP/POLLERR: the call itself says which */
		if (n < 0 && errno != EINTR)
			return -errno;
		ret = kipc__slice_over(&t->base, dl);
		if (ret)
			return ret;
	}
}

/*
 * A blocking call returned -EAGAIN or was about to wait: decide whether to go on.
 * With no timeout only a datagram socket's SO_*TIMEO gets here, after a slice.
 */
static int fd_again(struct kipc__fd_tp *t, int fd, short events, struct kipc__deadline *dl)
{
	if (kipc__deadline_forever(dl)) {
		if (kipc__peer_gone(&t->base))
			return -EPIPE;
		return 0;
	}
	return fd_wait(t, fd, events, dl);
}

/* One system call of the kind fd_io() retries: a read, a write, a recvmmsg... */
struct fd_call {
	ssize_t (*fn)(struct kipc__fd_tp *t, struct fd_call *c);
	void *buf;		/* read(): the room */
	size_t len;
	struct iovec *iov;	/* writev()/sendmsg(): what is left to write */
	int cnt;
	struct msghdr *mh;	/* recvmsg() */
	struct mmsghdr *mmh;	/* sendmmsg()/recvmmsg() */
	unsigned int vlen;
};

/*
 * Make @c on @fd until it fails with neither EINTR nor EAGAIN.  With a timeout, poll for
 * @events first and between tries; without one the call blocks by itself (a datagram socket's
 * SO_*TIMEO ends it with EAGAIN after a slice, to look at the peer).
 * Return: the call's result (>= 0), or -errno (-EPIPE for a peer that has gone).
 */
static ssize_t fd_io(struct kipc__fd_tp *t, int fd, short events, struct kipc__deadline *dl,
		     struct fd_call *c)
{
	ssize_t n;
	int ret;

	if (!kipc__deadline_forever(dl)) {
		ret = fd_wait(t, fd, events, dl);
		if (ret)
			return ret;
	}
	for (;;) {
		n = c->fn(t, c);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return peer_error(-errno);
		ret = fd_again(t, fd, events, dl);
		if (ret)
			return ret;
	}
}

static ssize_t call_writev(struct kipc__fd_tp *t, struct fd_call *c)
{
	struct msghdr mh = { .msg_iov = c->iov, .msg_iovlen = (size_t)c->cnt };

	if (params_of(t)->domain)
		return sendmsg(t->wfd, &mh, MSG_NOSIGNAL);
	return writev(t->wfd, c->iov, c->cnt);
}

static ssize_t call_read(struct kipc__fd_tp *t, struct fd_call *c)
{
	return read(t->rfd, c->buf, c->len);
}

static ssize_t call_recvmsg(struct kipc__fd_tp *t, struct fd_call *c)
{
	return recvmsg(t->rfd, c->mh, 0);
}

static ssize_t call_sendmmsg(struct kipc__fd_tp *t, struct fd_call *c)
{
	return sendmmsg(t->wfd, c->mmh, c->vlen, MSG_NOSIGNAL);
}

/* After the first message the call takes only what is there (MSG_WAITFORONE). */
static ssize_t call_recvmmsg(struct kipc__fd_tp *t, struct fd_call *c)
{
	return recvmmsg(t->rfd, c->mmh, c->vlen, MSG_WAITFORONE, NULL);
}

/* ---- setup and teardown ------------------------------------------------------------------- */

/* Pipes and FIFOs: a write to a closed one must fail with EPIPE, not kill the process. */
static void sigpipe_ignore(void)
{
	struct sigaction old, ign = { .sa_handler = SIG_IGN };

	if (!sigaction(SIGPIPE, NULL, &old) && old.sa_handler == SIG_DFL)
		sigaction(SIGPIPE, &ign, NULL);
}

int kipc__fd_setup(struct kipc__fd_tp *t)
{
	const struct kipc__fd_params *p = params_of(t);
	struct timeval slice = { 0, (long)(KIPC__SLICE_NS / 1000) };
	int sndbuf = (int)(t->base.max_msg < INT_MAX / 2 ? t->base.max_msg + 4096 : INT_MAX / 2);
	socklen_t len = sizeof(sndbuf);

	if (!p->domain) {
		sigpipe_ignore();
	} else if (!p->framed) {
		/*
		 * One datagram must fit the send buffer, less 32 bytes (unix_dgram_sendmsg()), and
		 * the tag.  The kernel caps the buffer at net.core.wmem_max (twice it, in fact).
		 */
		if (setsockopt(t->wfd, SOL_SOCKET, SO_SNDBUF, &sndbuf, len) ||
		    getsockopt(t->wfd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len))
			return -errno;
		if ((size_t)sndbuf - 33 < t->base.max_msg)
			t->base.max_msg = (size_t)sndbuf - 33;
		if (p->type == SOCK_DGRAM &&
		    (setsockopt(t->rfd, SOL_SOCKET, SO_RCVTIMEO, &slice, sizeof(slice)) ||
		     setsockopt(t->wfd, SOL_SOCKET, SO_SNDTIMEO, &slice, sizeof(slice))))
			return -errno;
	}
	if (p->framed) {
		t->rxbuf = malloc(RXBUF_SIZE);
		if (!t->rxbuf)
			return -ENOMEM;
	}
	return 0;
}

void kipc__fd_init(struct kipc_transport *tp)
{
	struct kipc__fd_tp *t = (struct kipc__fd_tp *)tp;

	t->rfd = -1;
	t->wfd = -1;
}

/* Both sides are open: names are no longer needed to find this endpoint. */
void kipc__fd_connected(struct kipc_transport *tp)
{
	struct kipc__fd_tp *t = (struct kipc__fd_tp *)tp;
	unsigned int i;

	for (i = 0; i < sizeof(t->path) / sizeof(t->path[0]); i++) {
		if (t->path[i][0])
			remove(t->path[i]);
		t->path[i][0] = '\0';
	}
}

static void send_close_tag(struct kipc__fd_tp *t)
{
	struct kipc__deadline dl;
	char tag = TAG_CLOSE;

	/* Bounded: a peer whose queue stays full learns of the close by its timeout instead. */
	kipc__deadline_init(&dl, (__s64)KIPC__SLICE_NS);
	while (send(t->wfd, &tag, 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno == EAGAIN)
		if (fd_wait(t, t->wfd, POLLOUT, &dl))
			break;
}

void kipc__fd_close(struct kipc_transport *tp)
{
	struct kipc__fd_tp *t = (struct kipc__fd_tp *)tp;

	if (t->wfd >= 0 && is_dgram(t))
		send_close_tag(t);
	else if (t->wfd >= 0 && params_of(t)->domain)
		shutdown(t->wfd, SHUT_WR);	/* EOF after what was sent */
	if (t->rfd >= 0)
		close(t->rfd);
	if (t->wfd >= 0 && t->wfd != t->rfd)
		close(t->wfd);
	kipc__fd_connected(tp);
	free(t->rxbuf);
}

/* ---- writing ------------------------------------------------------------------------------ */

/* Write all of @iov; only the wait for the first byte is bounded by @dl. */
static int fd_write_all(struct kipc__fd_tp *t, struct iovec *iov, int cnt,
			struct kipc__deadline *dl)
{
	struct fd_call c = { .fn = call_writev, .iov = iov, .cnt = cnt };
	struct kipc__deadline rest;
	ssize_t n;

	while (c.cnt) {
		n = fd_io(t, t->wfd, POLLOUT, dl, &c);
		if (n < 0)
			return (int)n;
		/* Started: the rest goes whatever the timeout. */
		kipc__deadline_init(&rest, KIPC_FOREVER);
		dl = &rest;
		while (c.cnt && (size_t)n >= c.iov->iov_len) {
			n -= (ssize_t)c.iov->iov_len;
			c.iov++;
			c.cnt--;
		}
		if (c.cnt) {
			c.iov->iov_base = (char *)c.iov->iov_base + n;
			c.iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

static int tagged_send(struct kipc__fd_tp *t, const void *buf, size_t len,
		       struct kipc__deadline *dl)
{
	char tag = TAG_MSG;
	struct iovec iov[2] = { { &tag, 1 }, { (void *)buf, len } };

	/* A datagram goes whole or not at all: fd_write_all() never sees a part of one. */
	return fd_write_all(t, iov, 2, dl);
}

int kipc__fd_send(struct kipc_transport *tp, const void *buf, size_t len,
		  struct kipc__deadline *dl)
{
	struct kipc__fd_tp *t = (struct kipc__fd_tp *)tp;
	__u32 frame = (__u32)len;
	struct iovec iov[2] = { { &frame, sizeof(frame) }, { (void *)buf, len } };

	if (!params_of(t)->framed)
		return tagged_send(t, buf, len, dl);
	return fd_write_all(t, iov, 2, dl);
}

/* A batch of datagrams: one sendmmsg(), each message with its tag. */
static int tagged_send_batch(struct kipc__fd_tp *t, const struct kipc_transport_msg *msgs,
			     unsigned int count, struct kipc__deadline *dl)
{
	struct mmsghdr mh[MMSG_MAX];
	struct iovec iov[MMSG_MAX][2];
	struct fd_call c = { .fn = call_sendmmsg, .mmh = mh };
	char tag = TAG_MSG;
	unsigned int i;

	c.vlen = count < MMSG_MAX ? count : MMSG_MAX;
	for (i = 0; i < c.vlen; i++) {
		iov[i][0] = (struct iovec){ &tag, 1 };
		iov[i][1] = (struct iovec){ msgs[i].buf, msgs[i].len };
		mh[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = iov[i], .msg_iovlen = 2 } };
	}
	return (int)fd_io(t, t->wfd, POLLOUT, dl, &c);
}

/*
 * Datagrams: one recvmmsg(), which waits for the first and then takes what is there
 * (MSG_WAITFORONE).  A message cut short would be lost mid-batch, so with any buffer smaller
 * than the endpoint's limit the batch is a loop of single receives instead.
 */
static int tagged_recv_batch(struct kipc__fd_tp *t, struct kipc_transport_msg *msgs,
			     unsigned int count, struct kipc__deadline *dl)
{
	struct mmsghdr mh[MMSG_MAX];
	struct iovec iov[MMSG_MAX][2];
	struct fd_call c = { .fn = call_recvmmsg, .mmh = mh };
	char tags[MMSG_MAX];
	unsigned int i;
	ssize_t n;

	c.vlen = count < MMSG_MAX ? count : MMSG_MAX;
	for (i = 0; i < c.vlen; i++) {
		if (msgs[i].len < t->base.max_msg)
			return kipc__recv_each(&t->base, msgs, count, dl);
		iov[i][0] = (struct iovec){ &tags[i], 1 };
		iov[i][1] = (struct iovec){ msgs[i].buf, msgs[i].len };
		mh[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = iov[i], .msg_iovlen = 2 } };
	}
	n = fd_io(t, t->rfd, POLLIN, dl, &c);
	for (i = 0; i < (unsigned int)n && n > 0; i++) {
		/* EOF or the close datagram ends the batch; the next receive says -EPIPE. */
		if (!mh[i].msg_len || tags[i] != TAG_MSG) {
			t->base.peer_closed = true;
			return i ? (int)i : -EPIPE;
		}
		msgs[i].len = mh[i].msg_len - 1;
	}
	return n ? (int)n : -EPIPE;
}

int kipc__fd_recv_batch(struct kipc_transport *tp, struct kipc_transport_msg *msgs,
			unsigned int count, struct kipc__deadline *dl)
{
	struct kipc__fd_tp *t = (struct kipc__fd_tp *)tp;

	/* A stream reads ahead: the loop takes most frames from the buffer, without a syscall. */
	if (params_of(t)->framed)
		return kipc__recv_each(tp, msgs, count, dl);
	return tagged_recv_batch(t, msgs, count, dl);
}

/* A batch on a stream: all the frames in one writev (IOV_MAX iovecs at a time). */
int kipc__fd_send_batch(struct kipc_transport *tp, const struct kipc_transport_msg *msgs,
			unsigned int count, struct kipc__deadline *dl)
{
	struct kipc__fd_tp *t = (struct kipc__fd_tp *)tp;
	struct iovec iov[BATCH_IOV];
	__u32 frames[BATCH_IOV / 2];
	unsigned int done = 0, n, i;
	int ret;

	if (!params_of(t)->framed)
		return tagged_send_batch(t, msgs, count, dl);
	while (done < count) {
		n = count - done < BATCH_IOV / 2 ? count - done : BATCH_IOV / 2;
		for (i = 0; i < n; i++) {
			frames[i] = (__u32)msgs[done + i].len;
			iov[2 * i] = (struct iovec){ &frames[i], sizeof(frames[i]) };
			iov[2 * i + 1] = (struct iovec){ msgs[done + i].buf, msgs[done + i].len };
		}
		ret = fd_write_all(t, iov, (int)(2 * n), dl);
		if (ret)
			return done ? (int)done : ret;
		done += n;
		kipc__deadline_init(dl, 0);
	}
	return (int)done;
}

/* ---- reading ------------------------------------------------------------------------------ */

/* One read(): > 0 bytes, 0 at EOF, or -errno; waits as @dl says. */
static ssize_t fd_read(struct kipc__fd_tp *t, void *buf, size_t len, struct kipc__deadline *dl)
{
	struct fd_call c = { .fn = call_read, .buf = buf, .len = len };

	return fd_io(t, t->rfd, POLLIN, dl, &c);
}

/* Read ahead until @need bytes are buffered.  Return: 0, or -errno (-EPIPE at EOF). */
static int fill(struct kipc__fd_tp *t, size_t need, struct kipc__deadline *dl)
{
	ssize_t n;

	if (t->rx_head == t->rx_tail) {
		t->rx_head = 0;
		t->rx_tail = 0;
	} else if (t->rx_head + need > RXBUF_SIZE) {
		memmove(t->rxbuf, t->rxbuf + t->rx_head, t->rx_tail - t->rx_head);
		t->rx_tail -= t->rx_head;
		t->rx_head = 0;
	}
	while (t->rx_tail - t->rx_head < need) {
		n = fd_read(t, t->rxbuf + t->rx_tail, RXBUF_SIZE - t->rx_tail, dl);
		if (n <= 0)
			return n ? (int)n : -EPIPE;
		t->rx_tail += (size_t)n;
	}
	return 0;
}

static long framed_recv(struct kipc__fd_tp *t, void *buf, size_t cap, struct kipc__deadline *dl)
{
	struct kipc__deadline rest;
	size_t have, got = 0;
	__u32 len;
	ssize_t n;
	int ret;

	ret = fill(t, sizeof(len), dl);
	if (ret)
		return ret;
	memcpy(&len, t->rxbuf + t->rx_head, sizeof(len));
	if (len > t->base.max_msg)
		return -EPROTO;
	t->rx_head += sizeof(len);
	have = t->rx_tail - t->rx_head < len ? t->rx_tail - t->rx_head : len;
	if (len <= cap)
		memcpy(buf, t->rxbuf + t->rx_head, have);
	t->rx_head += have;
	got = have;
	/* The frame has started: the rest comes whatever the timeout. */
	kipc__deadline_init(&rest, KIPC_FOREVER);
	while (got < len) {
		if (len <= cap) {
			n = fd_read(t, (char *)buf + got, len - got, &rest);
		} else {
			/* Too long for the caller: read it into the buffer and drop it. */
			n = fd_read(t, t->rxbuf, len - got < RXBUF_SIZE ? len - got : RXBUF_SIZE,
				    &rest);
			t->rx_head = t->rx_tail = 0;
		}
		if (n <= 0)
			return n ? n : -EPIPE;
		got += (size_t)n;
	}
	return len <= cap ? (long)len : -EMSGSIZE;
}

static long tagged_recv(struct kipc__fd_tp *t, void *buf, size_t cap, struct kipc__deadline *dl)
{
	char tag = 0;
	struct iovec iov[2] = { { &tag, 1 }, { buf, cap } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	struct fd_call c = { .fn = call_recvmsg, .mh = &mh };
	ssize_t n = fd_io(t, t->rfd, POLLIN, dl, &c);

	if (n < 0)
		return n;
	if (!n || tag == TAG_CLOSE)
		return -EPIPE;		/* seqpacket EOF, or the peer's close datagram */
	if (tag != TAG_MSG)
		return -EPROTO;
	if (mh.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	return n - 1;
}

long kipc__fd_recv(struct kipc_transport *tp, void *buf, size_t cap, struct kipc__deadline *dl)
{
	struct kipc__fd_tp *t = (struct kipc__fd_tp *)tp;

	if (params_of(t)->framed)
		return framed_recv(t, buf, cap, dl);
	return tagged_recv(t, buf, cap, dl);
}
