// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Pipes and FIFOs: two one-way byte streams, framed by fdio.c.
 *
 * "pipe" is pairs only.  "fifo" uses named pipes: a pair makes a folder of its own in
 * $KIPC_TRANSPORT_DIR with "a2b" and "b2a" in it, a named endpoint "kipc-tp.<name>.c2s" and
 * ".s2c" there; either way they are removed once both sides have opened them.
 *
 * Opening a FIFO.  Each side opens its read end without waiting, then its write end, which
 * fails with ENXIO until the peer's read end is open, so it tries again every millisecond.
 * Both ends block after that.  A read end must not be read before its writer has opened (it
 * would read EOF), so the first message, the hello, is polled for: poll() reports no hang-up
 * on a FIFO whose writer has not come yet.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "transport.h"

static int pipe_pair_open(struct kipc_transport_pair *pair)
{
	struct kipc__fd_pair *p = (struct kipc__fd_pair *)pair;

	if (pipe2(&p->fd[0], O_CLOEXEC))
		return -errno;
	if (pipe2(&p->fd[2], O_CLOEXEC)) {
		close(p->fd[0]);
		close(p->fd[1]);
		return -errno;
	}
	return 0;
}

static void pipe_pair_close(struct kipc_transport_pair *pair, bool destroy)
{
	struct kipc__fd_pair *p = (struct kipc__fd_pair *)pair;
	unsigned int i;

	(void)destroy;
	for (i = 0; i < 4; i++)
		close(p->fd[i]);
}

/* Side 0 reads b2a (fd 2) and writes a2b (fd 1); side 1 reads a2b (fd 0), writes b2a (fd 3). */
static int pipe_pair_side(struct kipc_transport_pair *pair, struct kipc_transport *tp,
			  struct kipc__deadline *dl)
{
	struct kipc__fd_pair *p = (struct kipc__fd_pair *)pair;
	struct kipc__fd_tp *t = (struct kipc__fd_tp *)tp;
	unsigned int r = tp->side ? 0 : 2, w = tp->side ? 3 : 1, i;

	(void)dl;
	for (i = 0; i < 4; i++)
		if (i != r && i != w)
			close(p->fd[i]);
	t->rfd = p->fd[r];
	t->wfd = p->fd[w];
	return kipc__fd_setup(t);
}

/*
 * Open @rpath for reading (unless open already) and @wpath for writing; the latter waits for
 * the peer's reader until @dl, or makes one attempt when @dl is NULL.
 */
static int fifo_open(struct kipc__fd_tp *t, const char *rpath, const char *wpath,
		     struct kipc__deadline *dl)
{
	const struct timespec pause = { 0, 1000000 };

	if (t->rfd < 0) {
		t->rfd = open(rpath, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (t->rfd < 0)
			return -errno;
	}
	for (;;) {
		t->wfd = open(wpath, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (t->wfd >= 0)
			break;
		if (errno != ENXIO || !dl)
			return -errno;
		if (!kipc__deadline_left(dl))
			return -ETIMEDOUT;
		nanosleep(&pause, NULL);
	}
	if (fcntl(t->rfd, F_SETFL, 0) || fcntl(t->wfd, F_SETFL, 0))
		return -errno;
	return kipc__fd_setup(t);
}

static int path_in(char *buf, const char *dir, const char *file)
{
	int n = snprintf(buf, KIPC__PATH_MAX, "%s/%s", dir, file);

	return n < 0 || n >= KIPC__PATH_MAX ? -ENAMETOOLONG : 0;
}

static int fifo_pair_open(struct kipc_transport_pair *pair)
{
	struct kipc__fd_pair *p = (struct kipc__fd_pair *)pair;
	char path[KIPC__PATH_MAX];
	int ret;

	ret = kipc__name(p->dir, sizeof(p->dir), "", "pair", "XXXXXX");
	if (!ret)
		ret = path_in(path, kipc__dir(), p->dir);
	if (ret)
		return ret;
	if (!mkdtemp(path))
		return -errno;
	snprintf(p->dir, sizeof(p->dir), "%s", path);
	if (path_in(path, p->dir, "a2b") || mkfifo(path, 0600) ||
	    path_in(path, p->dir, "b2a") || mkfifo(path, 0600)) {
		ret = -errno;
		pair->backend->ops->pair_close(pair, true);
		return ret;
	}
	return 0;
}

static void fifo_pair_close(struct kipc_transport_pair *pair, bool destroy)
{
	struct kipc__fd_pair *p = (struct kipc__fd_pair *)pair;
	char path[KIPC__PATH_MAX];

	if (!destroy)
		return;
	if (!path_in(path, p->dir, "a2b"))
		remove(path);
	if (!path_in(path, p->dir, "b2a"))
		remove(path);
	remove(p->dir);
}

static int fifo_pair_side(struct kipc_transport_pair *pair, struct kipc_transport *tp,
			  struct kipc__deadline *dl)
{
	struct kipc__fd_pair *p = (struct kipc__fd_pair *)pair;
	struct kipc__fd_tp *t = (struct kipc__fd_tp *)tp;
	char a2b[KIPC__PATH_MAX], b2a[KIPC__PATH_MAX];

	if (path_in(a2b, p->dir, "a2b") || path_in(b2a, p->dir, "b2a"))
		return -ENAMETOOLONG;
	/* Side 0 removes the FIFOs and their folder once both sides are open. */
	if (!tp->side) {
		snprintf(t->path[0], KIPC__PATH_MAX, "%s", a2b);
		snprintf(t->path[1], KIPC__PATH_MAX, "%s", b2a);
		snprintf(t->path[2], KIPC__PATH_MAX, "%s", p->dir);
	}
	return tp->side ? fifo_open(t, a2b, b2a, dl) : fifo_open(t, b2a, a2b, dl);
}

static int fifo_paths(const char *name, char *c2s, char *s2c)
{
	char file[KIPC__PATH_MAX];
	int ret;

	ret = kipc__name(file, sizeof(file), "", name, "c2s");
	if (!ret)
		ret = path_in(c2s, kipc__dir(), file);
	if (!ret)
		ret = kipc__name(file, sizeof(file), "", name, "s2c");
	if (!ret)
		ret = path_in(s2c, kipc__dir(), file);
	return ret;
}

static int fifo_serve(struct kipc_transport *tp, const char *name, struct kipc__deadline *dl)
{
	struct kipc__fd_tp *t = (struct kipc__fd_tp *)tp;
	int ret = fifo_paths(name, t->path[0], t->path[1]);

	if (ret)
		return ret;
	if (mkfifo(t->path[0], 0600)) {
		ret = -errno;
		t->path[0][0] = '\0';	/* someone else's */
		t->path[1][0] = '\0';
		return ret;
	}
	if (mkfifo(t->path[1], 0600)) {
		ret = -errno;
		t->path[1][0] = '\0';
		return ret;
	}
	return fifo_open(t, t->path[0], t->path[1], dl);
}

static int fifo_connect(struct kipc_transport *tp, const char *name)
{
	struct kipc__fd_tp *t = (struct kipc__fd_tp *)tp;
	char c2s[KIPC__PATH_MAX], s2c[KIPC__PATH_MAX];
	int ret = fifo_paths(name, c2s, s2c);

	return ret ? ret : fifo_open(t, s2c, c2s, NULL);
}

static const struct kipc__fd_params pipe_params = { .framed = true };

static const struct kipc_transport_ops pipe_ops = {
	.tp_size = sizeof(struct kipc__fd_tp),
	.pair_size = sizeof(struct kipc__fd_pair),
	.init = kipc__fd_init,
	.pair_open = pipe_pair_open,
	.pair_side = pipe_pair_side,
	.pair_close = pipe_pair_close,
	.send = kipc__fd_send,
	.recv = kipc__fd_recv,
	.send_batch = kipc__fd_send_batch,
	.close = kipc__fd_close,
};

static const struct kipc_transport_ops fifo_ops = {
	.tp_size = sizeof(struct kipc__fd_tp),
	.pair_size = sizeof(struct kipc__fd_pair),
	.init = kipc__fd_init,
	.pair_open = fifo_pair_open,
	.pair_side = fifo_pair_side,
	.pair_close = fifo_pair_close,
	.serve = fifo_serve,
	.connect = fifo_connect,
	.send = kipc__fd_send,
	.recv = kipc__fd_recv,
	.send_batch = kipc__fd_send_batch,
	.connected = kipc__fd_connected,
	.close = kipc__fd_close,
};

const struct kipc__backend kipc__tp_pipe = {
	.pub.name = "pipe",
	.pub.summary = "two pipe(2)s, length-framed; a batch is one writev",
	.pub.flags = KIPC_TRANSPORT_PAIR | KIPC_TRANSPORT_FRAMED | KIPC_TRANSPORT_NATIVE_BATCH,
	.ops = &pipe_ops,
	.params = &pipe_params,
};

const struct kipc__backend kipc__tp_fifo = {
	.pub.name = "fifo",
	.pub.summary = "two named pipes (mkfifo), length-framed; a batch is one writev",
	.pub.flags = KIPC_TRANSPORT_PAIR | KIPC_TRANSPORT_NAMED | KIPC_TRANSPORT_FRAMED |
		 KIPC_TRANSPORT_NATIVE_BATCH,
	.ops = &fifo_ops,
	.params = &pipe_params,
};
