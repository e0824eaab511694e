// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The transport API: the backend table and everything the backends share.
 *
 * Opening.  A pair is made by the backend's pair_open in one process; after fork() each side
 * runs pair_side, and a named endpoint runs serve or connect.  Every way ends in the hello: each
 * side sends a struct hello and receives the other's, through the backend's own send and recv,
 * so a backend that cannot carry a message fails at open, each side learns the other's pid, and
 * both agree on the smaller of their max_msg.
 * The pid gives the peer's liveness to backends whose kernel object has no notion of a peer
 * (queues, shared memory): a pidfd, which polls readable once the process has exited.
 *
 * Fallbacks.  A backend gives either send/recv or the zero-copy begin/commit/done; the core
 * builds the missing pair from the other, through a staging buffer of max_msg bytes made on
 * first use.  Batches and calls fall back to loops of single messages.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "transport.h"

static const struct kipc__backend *const backends[] = {
	&kipc__tp_pipe,
	&kipc__tp_fifo,
	&kipc__tp_unix_stream,
	&kipc__tp_unix_seqpacket,
	&kipc__tp_unix_dgram,
	&kipc__tp_tcp,
	&kipc__tp_sysv_msg,
	&kipc__tp_sysv_shm,
	&kipc__tp_posix_mq,
	&kipc__tp_posix_mq_kipc,
	&kipc__tp_posix_shm,
	&kipc__tp_posix_shm_inplace,
	&kipc__tp_posix_shm_pmutex,
	&kipc__tp_posix_shm_psem,
	&kipc__tp_posix_shm_mq,
	&kipc__tp_eventfd,
	&kipc__tp_kipc_mq,
	&kipc__tp_kipc_mq_batch,
	&kipc__tp_kipc_mq_call,
	&kipc__tp_kipc_rpc,
	&kipc__tp_kipc_ring,
	&kipc__tp_kipc_ring_doorbell,
	&kipc__tp_kipc_ring_mq,
	&kipc__tp_kipc_ring_inplace,
	&kipc__tp_kipc_pool,
};

#define HELLO_MAGIC	0x4b545048u	/* "HPTK" */
#define HELLO_VERSION	1

struct hello {
	__u32 magic;
	__u32 version;
	__u32 pid;
	__u32 side;
	__u64 max_msg;	/* both sides then use the smaller: neither sends what the other cannot take */
};

/* ---- time --------------------------------------------------------------------------------- */

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000u + (__u64)ts.tv_nsec;
}

void kipc__deadline_init(struct kipc__deadline *dl, __s64 timeout_ns)
{
	dl->timeout_ns = timeout_ns;
	dl->end = 0;
}

bool kipc__deadline_forever(const struct kipc__deadline *dl)
{
	return dl->timeout_ns < 0;
}

/* The clock is read only once a call would wait, so a call that does not costs nothing. */
__u64 kipc__deadline_left(struct kipc__deadline *dl)
{
	__u64 now;

	if (dl->timeout_ns < 0)
		return KIPC__NS_FOREVER;
	if (!dl->timeout_ns)
		return 0;
	now = mono_ns();
	if (!dl->end)
		dl->end = now + (__u64)dl->timeout_ns;
	return dl->end > now ? dl->end - now : 0;
}

__u64 kipc__slice_ns(struct kipc__deadline *dl)
{
	__u64 left = kipc__deadline_left(dl);

	return left < KIPC__SLICE_NS ? left : KIPC__SLICE_NS;
}

int kipc__slice_over(struct kipc_transport *tp, struct kipc__deadline *dl)
{
	if (kipc__peer_gone(tp))
		return -EPIPE;
	if (!dl->timeout_ns)
		return -EAGAIN;
	return kipc__deadline_left(dl) ? 0 : -ETIMEDOUT;
}

unsigned int kipc__kipc_wait(struct kipc__deadline *dl, __u64 *timeout_ns)
{
	*timeout_ns = kipc__slice_ns(dl);
	return *timeout_ns ? KIPC_MSG_TIMEOUT : KIPC_MSG_NONBLOCK;
}

int kipc__kipc_retry(struct kipc_transport *tp, int err, struct kipc__deadline *dl)
{
	if (err == -EIDRM)
		return -EPIPE;
	if (err == -ETIMEDOUT || err == -EAGAIN)
		return kipc__slice_over(tp, dl);
	return err == -EINTR ? 0 : err;
}

int kipc__kipc_info(struct kipc_info *info)
{
	int fd = kipc_open(0), ret;

	if (fd < 0)
		return -ENODEV;
	ret = kipc_get_info(fd, info);
	close(fd);
	return ret;
}

int kipc__kipc_probe(__u64 features)
{
	struct kipc_info info;
	int ret = kipc__kipc_info(&info);

	if (ret)
		return -ENODEV;
	return (info.features & features) == features ? 0 : -EOPNOTSUPP;
}

/* ---- the peer ----------------------------------------------------------------------------- */

bool kipc__peer_gone(struct kipc_transport *tp)
{
	struct pollfd pfd = { .fd = tp->peer_pidfd, .events = POLLIN };

	if (!tp->peer_pid)
		return false;
	if (tp->peer_pidfd >= 0)
		return poll(&pfd, 1, 0) == 1;
	/* No pidfd (before Linux 5.3): a zombie still counts as alive until it is reaped. */
	return kill(tp->peer_pid, 0) < 0 && errno == ESRCH;
}

static void peer_set(struct kipc_transport *tp, pid_t pid)
{
	tp->peer_pid = pid;
#ifdef SYS_pidfd_open
	tp->peer_pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (tp->peer_pidfd >= 0)
		fcntl(tp->peer_pidfd, F_SETFD, FD_CLOEXEC);
#endif
}

/* ---- names -------------------------------------------------------------------------------- */

void kipc__pair_name(char *buf, size_t len)
{
	static atomic_uint counter;

	snprintf(buf, len, "tp%dx%u", (int)getpid(), atomic_fetch_add(&counter, 1));
}

const char *kipc__dir(void)
{
	const char *dir = getenv("KIPC_TRANSPORT_DIR");

	return dir && *dir ? dir : "/tmp";
}

int kipc__name(char *buf, size_t len, const char *prefix, const char *name, const char *suffix)
{
	int n = snprintf(buf, len, "%skipc-tp.%s.%s", prefix, name, suffix);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

void kipc__pair_names(const struct kipc_transport *tp, const char *names, size_t len, char *tx,
		      char *rx)
{
	snprintf(tx, len, "%s", names + tp->side * len);
	snprintf(rx, len, "%s", names + !tp->side * len);
}

int kipc__queue_names(const struct kipc_transport *tp, const char *name, const char *prefix,
		      char *tx, char *rx, size_t len)
{
	int ret = kipc__name(tx, len, prefix, name, tp->side ? "c2s" : "s2c");

	return ret ? ret : kipc__name(rx, len, prefix, name, tp->side ? "s2c" : "c2s");
}

int kipc__sysv_key(const char *name, const char *what)
{
	__u32 h = 2166136261u;	/* FNV-1a */
	const char *parts[] = { "kipc-tp.", name, ".", what };
	unsigned int i;
	const char *c;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		for (c = parts[i]; *c; c++)
			h = (h ^ (unsigned char)*c) * 16777619u;
	return (int)(h ? h : 1);
}

static int check_name(const char *name)
{
	size_t len = name ? strlen(name) : 0;
	const char *c;

	if (!len || len > KIPC_TRANSPORT_NAME_MAX)
		return -EINVAL;
	for (c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '-'))
			return -EINVAL;
	return 0;
}

unsigned long kipc__proc_ulong(const char *path, unsigned long def)
{
	char buf[32];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return def;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return def;
	buf[n] = '\0';
	return strtoul(buf, NULL, 10);
}

int kipc__unsupported(int err)
{
	return err == -ENOSYS || err == -ENOENT || err == -EAFNOSUPPORT || err == -ENETUNREACH ||
	       err == -EADDRNOTAVAIL ? -EOPNOTSUPP : err;
}

/* ---- the table ---------------------------------------------------------------------------- */

/* The table's entry called @name, or NULL. */
static const struct kipc__backend *find(const char *name)
{
	unsigned int i;

	for (i = 0; name && i < sizeof(backends) / sizeof(backends[0]); i++)
		if (!strcmp(backends[i]->pub.name, name))
			return backends[i];
	return NULL;
}

const struct kipc_transport_backend *kipc_transport_backend(unsigned int index)
{
	return index < sizeof(backends) / sizeof(backends[0]) ? &backends[index]->pub : NULL;
}

const struct kipc_transport_backend *kipc_transport_find(const char *name)
{
	const struct kipc__backend *b = find(name);

	return b ? &b->pub : NULL;
}

int kipc_transport_probe(const struct kipc_transport_backend *pub)
{
	const struct kipc__backend *b = kipc__backend_of(pub);

	if (!b)
		return -EINVAL;
	return b->ops->probe ? b->ops->probe(b) : 0;
}

/* The backend @name, probed, and @attr with its defaults: 0 or -errno. */
static int lookup(const char *name, unsigned int need, const struct kipc_transport_attr *attr,
		  const struct kipc__backend **bp, struct kipc_transport_attr *out)
{
	const struct kipc__backend *b = find(name);
	unsigned int i;

	if (!b)
		return -ENOENT;
	if (attr) {
		for (i = 0; i < sizeof(attr->__reserved) / sizeof(attr->__reserved[0]); i++)
			if (attr->__reserved[i])
				return -EINVAL;
		*out = *attr;
	} else {
		memset(out, 0, sizeof(*out));
	}
	if (!out->max_msg)
		out->max_msg = KIPC_TRANSPORT_DEFAULT_MAX_MSG;
	/* Room for the hello, and for anything a caller of this size could want. */
	if (out->max_msg < KIPC_TRANSPORT_MIN_MAX_MSG)
		out->max_msg = KIPC_TRANSPORT_MIN_MAX_MSG;
	if (out->max_msg > 0x7fffffffu)
		return -EINVAL;
	if (!out->depth)
		out->depth = KIPC_TRANSPORT_DEFAULT_DEPTH;
	if (!(b->pub.flags & need))
		return -EOPNOTSUPP;
	*bp = b;
	return kipc_transport_probe(&b->pub);
}

static struct kipc_transport *tp_alloc(const struct kipc__backend *b,
				       const struct kipc_transport_attr *attr, unsigned int side)
{
	struct kipc_transport *tp = calloc(1, b->ops->tp_size);

	if (!tp)
		return NULL;
	tp->backend = b;
	tp->side = side;
	tp->max_msg = attr->max_msg;
	tp->depth = attr->depth;
	tp->peer_pidfd = -1;
	if (b->ops->init)
		b->ops->init(tp);
	return tp;
}

static void tp_free(struct kipc_transport *tp)
{
	if (tp->peer_pidfd >= 0)
		close(tp->peer_pidfd);
	free(tp->tx_stage);
	free(tp->rx_stage);
	free(tp);
}

static __s64 hello_timeout(struct kipc__deadline *dl)
{
	__u64 left = kipc__deadline_left(dl);

	if (left == KIPC__NS_FOREVER)
		return INT64_MAX;
	return left ? (__s64)left : 1;
}

/* Exchange hellos; on failure close @tp.  Return: 0 or -errno. */
static int hello(struct kipc_transport *tp, struct kipc__deadline *dl, struct kipc_transport **tpp)
{
	struct hello mine = { HELLO_MAGIC, HELLO_VERSION, (__u32)getpid(), tp->side, tp->max_msg },
		     theirs;
	__s64 left;
	long n;
	int ret;

	/*
	 * The hello goes through the public calls, so every fallback is exercised at once.  It
	 * never waits "for ever" but for INT64_MAX ns: a FIFO's reader must poll until the
	 * writer has opened, since a read before that sees EOF.
	 */
	left = hello_timeout(dl);
	ret = kipc_transport_send(tp, &mine, sizeof(mine), left);
	if (!ret) {
		left = hello_timeout(dl);
		n = kipc_transport_recv(tp, &theirs, sizeof(theirs), left);
		if (n < 0)
			ret = (int)n;
		else if (n != sizeof(theirs) || theirs.magic != HELLO_MAGIC ||
			 theirs.version != HELLO_VERSION || theirs.side == tp->side)
			ret = -EPROTO;
	}
	if (ret) {
		kipc_transport_close(tp);
		return ret == -EAGAIN ? -ETIMEDOUT : ret;
	}
	peer_set(tp, (pid_t)theirs.pid);
	if (theirs.max_msg < tp->max_msg)
		tp->max_msg = (size_t)theirs.max_msg;
	if (tp->backend->ops->connected)
		tp->backend->ops->connected(tp);
	*tpp = tp;
	return 0;
}

/* ---- opening ------------------------------------------------------------------------------ */

int kipc_transport_pair(const char *backend, const struct kipc_transport_attr *attr,
			struct kipc_transport_pair **pairp)
{
	const struct kipc__backend *b;
	struct kipc_transport_pair *pair;
	struct kipc_transport_attr a;
	int ret;

	if (!pairp)
		return -EINVAL;
	ret = lookup(backend, KIPC_TRANSPORT_PAIR, attr, &b, &a);
	if (ret)
		return ret;
	pair = calloc(1, b->ops->pair_size);
	if (!pair)
		return -ENOMEM;
	pair->backend = b;
	pair->attr = a;
	ret = b->ops->pair_open(pair);
	if (ret) {
		free(pair);
		return ret == -ENOSYS ? -EOPNOTSUPP : ret;
	}
	*pairp = pair;
	return 0;
}

int kipc_transport_pair_side(struct kipc_transport_pair *pair, unsigned int side,
			     __s64 timeout_ns, struct kipc_transport **tpp)
{
	const struct kipc__backend *b;
	struct kipc__deadline dl;
	struct kipc_transport *tp;
	int ret;

	if (!pair)
		return -EINVAL;
	b = pair->backend;
	if (side > 1 || !tpp) {
		kipc_transport_pair_close(pair, 0);
		return -EINVAL;
	}
	kipc__deadline_init(&dl, timeout_ns);
	tp = tp_alloc(b, &pair->attr, side);
	if (!tp) {
		kipc_transport_pair_close(pair, 0);
		return -ENOMEM;
	}
	ret = b->ops->pair_side(pair, tp, &dl);
	free(pair);
	if (ret) {
		kipc_transport_close(tp);
		return ret;
	}
	return hello(tp, &dl, tpp);
}

void kipc_transport_pair_close(struct kipc_transport_pair *pair, int destroy)
{
	if (!pair)
		return;
	pair->backend->ops->pair_close(pair, destroy);
	free(pair);
}

/* What serve and connect share: the checks, and side @side's endpoint.  0 or -errno. */
static int named_endpoint(const char *backend, const char *name,
			  const struct kipc_transport_attr *attr, unsigned int side,
			  struct kipc_transport **tpp, struct kipc_transport **tp)
{
	const struct kipc__backend *b;
	struct kipc_transport_attr a;
	int ret;

	if (!tpp || check_name(name))
		return -EINVAL;
	ret = lookup(backend, KIPC_TRANSPORT_NAMED, attr, &b, &a);
	if (ret)
		return ret;
	*tp = tp_alloc(b, &a, side);
	return *tp ? 0 : -ENOMEM;
}

int kipc_transport_serve(const char *backend, const char *name,
			 const struct kipc_transport_attr *attr, __s64 timeout_ns,
			 struct kipc_transport **tpp)
{
	struct kipc__deadline dl;
	struct kipc_transport *tp;
	int ret = named_endpoint(backend, name, attr, 0, tpp, &tp);

	if (ret)
		return ret;
	kipc__deadline_init(&dl, timeout_ns);
	ret = tp->backend->ops->serve(tp, name, &dl);
	if (ret) {
		kipc_transport_close(tp);
		return ret;
	}
	return hello(tp, &dl, tpp);
}

int kipc_transport_connect(const char *backend, const char *name,
			   const struct kipc_transport_attr *attr, __s64 timeout_ns,
			   struct kipc_transport **tpp)
{
	const struct timespec pause = { 0, 1000000 };
	struct kipc__deadline dl;
	struct kipc_transport *tp;
	int ret = named_endpoint(backend, name, attr, 1, tpp, &tp);

	if (ret)
		return ret;
	kipc__deadline_init(&dl, timeout_ns);
	/* The server may not be there yet: look again every millisecond until the deadline. */
	for (;;) {
		ret = tp->backend->ops->connect(tp, name);
		if (ret != -ENOENT && ret != -ECONNREFUSED && ret != -ENXIO && ret != -EAGAIN)
			break;
		if (!kipc__deadline_left(&dl)) {
			ret = -ETIMEDOUT;
			break;
		}
		nanosleep(&pause, NULL);
	}
	if (ret) {
		kipc_transport_close(tp);
		return ret;
	}
	return hello(tp, &dl, tpp);
}

void kipc_transport_close(struct kipc_transport *tp)
{
	if (!tp)
		return;
	tp->backend->ops->close(tp);
	tp_free(tp);
}

size_t kipc_transport_max_msg(const struct kipc_transport *tp)
{
	return tp->max_msg;
}

const struct kipc_transport_backend *kipc_transport_backend_of(const struct kipc_transport *tp)
{
	return &tp->backend->pub;
}

/* ---- staging buffers ---------------------------------------------------------------------- */

static void *stage(void **buf, size_t size)
{
	if (!*buf)
		*buf = malloc(size ? size : 1);
	return *buf;
}

void *kipc__rx_stage(struct kipc_transport *tp)
{
	return stage(&tp->rx_stage, tp->max_msg);
}

/* ---- messages ----------------------------------------------------------------------------- */

/*
 * The checks every call makes: a begun zero-copy message must be finished first.  Receiving
 * after the peer closed keeps giving -EPIPE without asking the backend again.
 */
static int check_send(struct kipc_transport *tp, size_t len)
{
	if (!tp || tp->tx_open)
		return -EINVAL;
	return len > tp->max_msg ? -EMSGSIZE : 0;
}

static int check_recv(struct kipc_transport *tp)
{
	if (!tp || tp->rx_held)
		return -EINVAL;
	return tp->peer_closed ? -EPIPE : 0;
}

static int send_one(struct kipc_transport *tp, const void *buf, size_t len,
		    struct kipc__deadline *dl)
{
	const struct kipc_transport_ops *ops = tp->backend->ops;
	void *room;
	int err = 0;

	if (ops->send)
		return ops->send(tp, buf, len, dl);
	room = ops->send_begin(tp, len, dl, &err);
	if (!room)
		return err;
	memcpy(room, buf, len);
	return ops->send_commit(tp, len, dl);
}

static long recv_one(struct kipc_transport *tp, void *buf, size_t cap, struct kipc__deadline *dl)
{
	const struct kipc_transport_ops *ops = tp->backend->ops;
	const void *msg;
	size_t len;
	int err = 0;
	long n;

	if (ops->recv) {
		n = ops->recv(tp, buf, cap, dl);
	} else {
		msg = ops->recv_begin(tp, &len, dl, &err);
		if (!msg) {
			n = err;
		} else {
			n = len > cap ? -EMSGSIZE : (long)len;
			if (n >= 0)
				memcpy(buf, msg, len);
			if (ops->recv_done)
				ops->recv_done(tp);
		}
	}
	if (n == -EPIPE)
		tp->peer_closed = true;
	return n;
}

int kipc_transport_send(struct kipc_transport *tp, const void *buf, size_t len,
			__s64 timeout_ns)
{
	struct kipc__deadline dl;
	int ret = check_send(tp, len);

	if (ret)
		return ret;
	if (!buf && len)
		return -EINVAL;
	kipc__deadline_init(&dl, timeout_ns);
	return send_one(tp, buf, len, &dl);
}

long kipc_transport_recv(struct kipc_transport *tp, void *buf, size_t cap, __s64 timeout_ns)
{
	struct kipc__deadline dl;
	int ret = check_recv(tp);

	if (ret)
		return ret;
	if (!buf && cap)
		return -EINVAL;
	kipc__deadline_init(&dl, timeout_ns);
	return recv_one(tp, buf, cap, &dl);
}

/* A batch as single messages: only the first waits.  @send: send them, else receive them. */
static int each(struct kipc_transport *tp, struct kipc_transport_msg *msgs, unsigned int count,
		struct kipc__deadline *dl, bool send)
{
	unsigned int i;
	long n;

	for (i = 0; i < count; i++) {
		if (send)
			n = send_one(tp, msgs[i].buf, msgs[i].len, dl);
		else
			n = recv_one(tp, msgs[i].buf, msgs[i].len, dl);
		if (n < 0)
			return i ? (int)i : (int)n;
		if (!send)
			msgs[i].len = (size_t)n;
		kipc__deadline_init(dl, 0);
	}
	return (int)count;
}

int kipc__recv_each(struct kipc_transport *tp, struct kipc_transport_msg *msgs,
		    unsigned int count, struct kipc__deadline *dl)
{
	return each(tp, msgs, count, dl, false);
}

int kipc_transport_send_batch(struct kipc_transport *tp, const struct kipc_transport_msg *msgs,
			      unsigned int count, __s64 timeout_ns)
{
	struct kipc__deadline dl;
	unsigned int i;
	int ret = check_send(tp, 0);

	if (ret)
		return ret;
	if (!msgs || !count)
		return -EINVAL;
	for (i = 0; i < count; i++)
		if (msgs[i].len > tp->max_msg)
			return i ? (int)i : -EMSGSIZE;
	kipc__deadline_init(&dl, timeout_ns);
	if (tp->backend->ops->send_batch)
		return tp->backend->ops->send_batch(tp, msgs, count, &dl);
	/* Sending only reads the messages. */
	return each(tp, (struct kipc_transport_msg *)msgs, count, &dl, true);
}

int kipc_transport_recv_batch(struct kipc_transport *tp, struct kipc_transport_msg *msgs,
			      unsigned int count, __s64 timeout_ns)
{
	struct kipc__deadline dl;
	int ret = check_recv(tp);

	if (ret)
		return ret;
	if (!msgs || !count)
		return -EINVAL;
	kipc__deadline_init(&dl, timeout_ns);
	if (tp->backend->ops->recv_batch)
		ret = tp->backend->ops->recv_batch(tp, msgs, count, &dl);
	else
		ret = kipc__recv_each(tp, msgs, count, &dl);
	if (ret == -EPIPE)
		tp->peer_closed = true;
	return ret;
}

long kipc_transport_call(struct kipc_transport *tp, const void *req, size_t req_len,
			 void *reply, size_t reply_cap, __s64 timeout_ns)
{
	struct kipc__deadline dl;
	long ret = check_send(tp, req_len);

	if (!ret)
		ret = check_recv(tp);
	if (ret)
		return ret;
	if ((!req && req_len) || (!reply && reply_cap))
		return -EINVAL;
	kipc__deadline_init(&dl, timeout_ns);
	if (tp->backend->ops->call) {
		ret = tp->backend->ops->call(tp, req, req_len, reply, reply_cap, &dl);
		if (ret == -EPIPE)
			tp->peer_closed = true;
		return ret;
	}
	ret = send_one(tp, req, req_len, &dl);
	if (ret)
		return ret;
	kipc__deadline_init(&dl, timeout_ns);
	return recv_one(tp, reply, reply_cap, &dl);
}

void *kipc_transport_send_begin(struct kipc_transport *tp, size_t len, __s64 timeout_ns,
				int *err)
{
	struct kipc__deadline dl;
	void *room = NULL;
	int ret = check_send(tp, len);

	if (ret)
		goto out;
	/* The commit waits what is left of this, where the backend waits there. */
	tp->tx_timeout = timeout_ns;
	if (tp->backend->ops->send_begin) {
		kipc__deadline_init(&dl, timeout_ns);
		room = tp->backend->ops->send_begin(tp, len, &dl, &ret);
	} else {
		room = stage(&tp->tx_stage, tp->max_msg);
		ret = room ? 0 : -ENOMEM;
	}
out:
	if (!room) {
		if (err)
			*err = ret;
		return NULL;
	}
	tp->tx_open = true;
	return room;
}

int kipc_transport_send_commit(struct kipc_transport *tp, size_t len)
{
	struct kipc__deadline dl;

	if (!tp || !tp->tx_open)
		return -EINVAL;
	if (len > tp->max_msg)
		return -EMSGSIZE;
	tp->tx_open = false;
	kipc__deadline_init(&dl, tp->tx_timeout);
	if (tp->backend->ops->send_commit)
		return tp->backend->ops->send_commit(tp, len, &dl);
	return tp->backend->ops->send(tp, tp->tx_stage, len, &dl);
}

const void *kipc_transport_recv_begin(struct kipc_transport *tp, size_t *len, __s64 timeout_ns,
				      int *err)
{
	const struct kipc_transport_ops *ops;
	const void *msg = NULL;
	struct kipc__deadline dl;
	int ret = check_recv(tp);
	long n;

	if (!ret && !len)
		ret = -EINVAL;
	if (ret)
		goto out_err;
	ops = tp->backend->ops;
	kipc__deadline_init(&dl, timeout_ns);
	if (ops->recv_begin) {
		msg = ops->recv_begin(tp, len, &dl, &ret);
	} else if (!kipc__rx_stage(tp)) {
		ret = -ENOMEM;
	} else {
		n = ops->recv(tp, tp->rx_stage, tp->max_msg, &dl);
		if (n >= 0) {
			*len = (size_t)n;
			msg = tp->rx_stage;
		}
		ret = (int)n;
	}
	if (!msg)
		goto out_err;
	tp->rx_held = msg;
	return msg;

out_err:
	if (ret == -EPIPE && tp)
		tp->peer_closed = true;
	if (err)
		*err = ret;
	return NULL;
}

int kipc_transport_recv_done(struct kipc_transport *tp)
{
	if (!tp || !tp->rx_held)
		return -EINVAL;
	tp->rx_held = NULL;
	return tp->backend->ops->recv_done ? tp->backend->ops->recv_done(tp) : 0;
}
