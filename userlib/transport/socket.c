// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Sockets: Unix stream, seqpacket and datagram, and TCP over 127.0.0.1.  One connected socket
 * per side; fdio.c frames the streams and tags the datagrams.
 *
 * Pairs: socketpair(2) for Unix; for TCP a listener on an ephemeral loopback port, connected
 * and accepted before the fork.  Named endpoints: a Unix socket at
 * $KIPC_TRANSPORT_DIR/kipc-tp.<name>.<type>; TCP listens on an ephemeral port and writes it to
 * kipc-tp.<name>.tcp there.  A datagram server learns its client from the first datagram (the
 * hello, which it peeks at) and connects back to the client's autobound address.  The names
 * go as soon as the client is in.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "transport.h"

static const struct kipc__fd_params *sock_params(const struct kipc__backend *b)
{
	return b->params;
}

static const char *type_suffix(int type)
{
	return type == SOCK_STREAM ? "stream" : type == SOCK_DGRAM ? "dgram" : "seqpacket";
}

static int sock_new(const struct kipc__fd_params *p)
{
	int fd = socket(p->domain, p->type | SOCK_CLOEXEC, 0);

	return fd < 0 ? kipc__unsupported(-errno) : fd;
}

static struct sockaddr_in loopback(unsigned short port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sin;
}

/* A TCP listener on 127.0.0.1 and an ephemeral port.  Return: the fd, or -errno. */
static int tcp_listen(unsigned short *port)
{
	struct sockaddr_in sin = loopback(0);
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), ret;

	if (fd < 0)
		return kipc__unsupported(-errno);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 1) ||
	    getsockname(fd, (struct sockaddr *)&sin, &len)) {
		ret = kipc__unsupported(-errno);
		close(fd);
		return ret;
	}
	*port = ntohs(sin.sin_port);
	return fd;
}

static int tcp_connect(unsigned short port)
{
	struct sockaddr_in sin = loopback(port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), ret;

	if (fd < 0)
		return kipc__unsupported(-errno);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		ret = -errno;
		close(fd);
		return ret == -ENETUNREACH ? -EOPNOTSUPP : ret;
	}
	return fd;
}

/* Wait by @dl for @fd (a listener, or a datagram server) to have a client.  0 or -errno. */
static int client_wait(struct kipc_transport *tp, int fd, struct kipc__deadline *dl)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	__u64 left;
	int n;

	for (;;) {
		left = kipc__deadline_left(dl);
		n = poll(&pfd, 1, left == KIPC__NS_FOREVER ? -1 : (int)((left + 999999) / 1000000));
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
		if (!n && kipc__slice_over(tp, dl))
			return -ETIMEDOUT;
	}
}

/* Accept one connection on @lfd by @dl.  Return: the fd, or -errno. */
static int accept_by(struct kipc_transport *tp, int lfd, struct kipc__deadline *dl)
{
	int fd = client_wait(tp, lfd, dl);

	if (fd)
		return fd;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int sock_ready(struct kipc__fd_tp *t, int fd)
{
	int one = 1;

	t->rfd = fd;
	t->wfd = fd;
	if (sock_params(t->base.backend)->domain == AF_INET &&
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		return -errno;
	return kipc__fd_setup(t);
}

/* ---- pairs -------------------------------------------------------------------------------- */

static int sock_pair_open(struct kipc_transport_pair *pair)
{
	const struct kipc__fd_params *p = sock_params(pair->backend);
	struct kipc__fd_pair *fp = (struct kipc__fd_pair *)pair;
	unsigned short port;
	int lfd, ret = 0;

	if (p->domain == AF_UNIX)
		return socketpair(AF_UNIX, p->type | SOCK_CLOEXEC, 0, fp->fd) ? -errno : 0;
	lfd = tcp_listen(&port);
	if (lfd < 0)
		return lfd;
	fp->fd[1] = tcp_connect(port);
	if (fp->fd[1] < 0) {
		ret = fp->fd[1];
	} else {
		/* Loopback completes the handshake in connect(): the accept does not wait. */
		fp->fd[0] = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fp->fd[0] < 0) {
			ret = -errno;
			close(fp->fd[1]);
		}
	}
	close(lfd);
	return ret;
}

static void sock_pair_close(struct kipc_transport_pair *pair, bool destroy)
{
	struct kipc__fd_pair *fp = (struct kipc__fd_pair *)pair;

	(void)destroy;
	close(fp->fd[0]);
	close(fp->fd[1]);
}

static int sock_pair_side(struct kipc_transport_pair *pair, struct kipc_transport *tp,
			  struct kipc__deadline *dl)
{
	struct kipc__fd_pair *fp = (struct kipc__fd_pair *)pair;

	(void)dl;
	close(fp->fd[!tp->side]);
	return sock_ready((struct kipc__fd_tp *)tp, fp->fd[tp->side]);
}

/* ---- named endpoints ---------------------------------------------------------------------- */

static int unix_addr(struct sockaddr_un *sun, const struct kipc__backend *b,
		     const char *name)
{
	char file[KIPC__PATH_MAX];
	int n, ret;

	ret = kipc__name(file, sizeof(file), "", name, type_suffix(sock_params(b)->type));
	if (ret)
		return ret;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	n = snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/%s", kipc__dir(), file);
	return n < 0 || (size_t)n >= sizeof(sun->sun_path) ? -ENAMETOOLONG : 0;
}

static int port_file(char *path, const char *name)
{
	char file[KIPC__PATH_MAX];
	int n, ret = kipc__name(file, sizeof(file), "", name, "tcp");

	if (ret)
		return ret;
	n = snprintf(path, KIPC__PATH_MAX, "%s/%s", kipc__dir(), file);
	return n < 0 || n >= KIPC__PATH_MAX ? -ENAMETOOLONG : 0;
}

/* Publish @port at @path, failing with -EEXIST when the name is taken. */
static int port_publish(const char *path, unsigned short port)
{
	char tmp[KIPC__PATH_MAX + 16], text[8];
	int fd, n, ret = 0;

	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	n = snprintf(text, sizeof(text), "%u", port);
	if (write(fd, text, (size_t)n) != n)
		ret = -EIO;
	close(fd);
	/* link() publishes the whole file at once, and refuses a name that exists. */
	if (!ret && link(tmp, path))
		ret = -errno;
	unlink(tmp);
	return ret;
}

/* The datagram server connects back to whoever sent the first datagram. */
static int dgram_accept(struct kipc__fd_tp *t, int fd, struct kipc__deadline *dl)
{
	struct sockaddr_un peer;
	socklen_t len = sizeof(peer);
	int ret = client_wait(&t->base, fd, dl);
	char tag;

	if (ret)
		return ret;
	if (recvfrom(fd, &tag, 1, MSG_PEEK, (struct sockaddr *)&peer, &len) < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&peer, len))
		return -errno;
	return sock_ready(t, fd);
}

static int sock_serve(struct kipc_transport *tp, const char *name, struct kipc__deadline *dl)
{
	const struct kipc__fd_params *p = sock_params(tp->backend);
	struct kipc__fd_tp *t = (struct kipc__fd_tp *)tp;
	struct sockaddr_un sun;
	unsigned short port;
	int lfd, fd, ret;

	if (p->domain == AF_INET) {
		ret = port_file(t->path[0], name);
		if (ret)
			return ret;
		lfd = tcp_listen(&port);
		if (lfd < 0)
			return lfd;
		ret = port_publish(t->path[0], port);
		if (ret)
			t->path[0][0] = '\0';	/* someone else's */
	} else {
		ret = unix_addr(&sun, tp->backend, name);
		if (ret)
			return ret;
		lfd = sock_new(p);
		if (lfd < 0)
			return lfd;
		if (bind(lfd, (struct sockaddr *)&sun, sizeof(sun)))
			ret = errno == EADDRINUSE ? -EEXIST : -errno;
		else
			snprintf(t->path[0], KIPC__PATH_MAX, "%s", sun.sun_path);
		if (!ret && p->type == SOCK_DGRAM) {
			/* The bound socket is the endpoint (its path goes once connected). */
			t->rfd = lfd;
			t->wfd = lfd;
			return dgram_accept(t, lfd, dl);
		}
		if (!ret && listen(lfd, 1))
			ret = -errno;
	}
	if (!ret) {
		fd = accept_by(tp, lfd, dl);
		ret = fd < 0 ? fd : sock_ready(t, fd);
	}
	close(lfd);
	kipc__fd_connected(tp);
	return ret;
}

static int read_port(const char *path, unsigned short *port)
{
	char text[8] = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -EAGAIN;
	*port = (unsigned short)strtoul(text, NULL, 10);
	return *port ? 0 : -EPROTO;
}

static int sock_connect(struct kipc_transport *tp, const char *name)
{
	const struct kipc__fd_params *p = sock_params(tp->backend);
	struct kipc__fd_tp *t = (struct kipc__fd_tp *)tp;
	sa_family_t family = AF_UNIX;
	char path[KIPC__PATH_MAX];
	struct sockaddr_un sun;
	unsigned short port = 0;
	int fd, ret;

	if (p->domain == AF_INET) {
		ret = port_file(path, name);
		if (!ret)
			ret = read_port(path, &port);
		if (ret)
			return ret;
		fd = tcp_connect(port);
		return fd < 0 ? fd : sock_ready(t, fd);
	}
	ret = unix_addr(&sun, tp->backend, name);
	if (ret)
		return ret;
	fd = sock_new(p);
	if (fd < 0)
		return fd;
	/* A datagram client needs an address to be answered at: autobind gives an abstract one. */
	if (p->type == SOCK_DGRAM && bind(fd, (struct sockaddr *)&family, sizeof(family)))
		ret = -errno;
	if (!ret && connect(fd, (struct sockaddr *)&sun, sizeof(sun)))
		ret = -errno;
	if (ret) {
		close(fd);
		return ret;
	}
	return sock_ready(t, fd);
}

/* ---- the table ---------------------------------------------------------------------------- */

static int sock_probe(const struct kipc__backend *b)
{
	unsigned short port;
	int lfd, fd;

	if (sock_params(b)->domain != AF_INET)
		return 0;
	/* The loopback interface may be down (a bare VM): then connect() fails. */
	lfd = tcp_listen(&port);
	if (lfd < 0)
		return lfd;
	fd = tcp_connect(port);
	close(lfd);
	if (fd < 0)
		return fd == -EOPNOTSUPP || fd == -ECONNREFUSED ? -EOPNOTSUPP : fd;
	close(fd);
	return 0;
}

static const struct kipc_transport_ops sock_ops = {
	.tp_size = sizeof(struct kipc__fd_tp),
	.pair_size = sizeof(struct kipc__fd_pair),
	.init = kipc__fd_init,
	.probe = sock_probe,
	.pair_open = sock_pair_open,
	.pair_side = sock_pair_side,
	.pair_close = sock_pair_close,
	.serve = sock_serve,
	.connect = sock_connect,
	.send = kipc__fd_send,
	.recv = kipc__fd_recv,
	.send_batch = kipc__fd_send_batch,
	.recv_batch = kipc__fd_recv_batch,
	.connected = kipc__fd_connected,
	.close = kipc__fd_close,
};

#define SOCK_BACKEND(var, bname, text, more_flags, dom, typ, frm)			\
	static const struct kipc__fd_params var##_params = { dom, typ, frm };		\
	const struct kipc__backend var = {					\
		.pub.name = bname,							\
		.pub.summary = text,						\
		.pub.flags = KIPC_TRANSPORT_PAIR | KIPC_TRANSPORT_NAMED |			\
			     KIPC_TRANSPORT_NATIVE_BATCH | (more_flags),			\
		.ops = &sock_ops,							\
		.params = &var##_params,						\
	}

SOCK_BACKEND(kipc__tp_unix_stream, "unix-stream",
	     "AF_UNIX SOCK_STREAM, length-framed; a batch is one sendmsg",
	     KIPC_TRANSPORT_FRAMED, AF_UNIX, SOCK_STREAM, true);
SOCK_BACKEND(kipc__tp_unix_seqpacket, "unix-seqpacket",
	     "AF_UNIX SOCK_SEQPACKET; sendmmsg/recvmmsg; up to the send buffer",
	     0, AF_UNIX, SOCK_SEQPACKET, false);
SOCK_BACKEND(kipc__tp_unix_dgram, "unix-dgram",
	     "AF_UNIX SOCK_DGRAM, connected; sendmmsg/recvmmsg; up to the send buffer",
	     0, AF_UNIX, SOCK_DGRAM, false);
SOCK_BACKEND(kipc__tp_tcp, "tcp",
	     "TCP over 127.0.0.1, TCP_NODELAY, length-framed; a batch is one sendmsg",
	     KIPC_TRANSPORT_FRAMED, AF_INET, SOCK_STREAM, true);
