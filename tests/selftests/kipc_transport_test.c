// SPDX-License-Identifier: GPL-2.0
/*
 * The transport conformance test: the same checks against every backend in libkipc's table.
 *
 *   open     a pair across fork, one round trip, both sides closed
 *   order    300 messages of mixed sizes, some sent and received in batches: all arrive, in
 *            order, each with its length and its bytes
 *   sizes    0, 1, every power of two and its neighbours, up to the endpoint's limit, there and
 *            back; one byte more is -EMSGSIZE; a receive buffer too small is -EMSGSIZE and the
 *            next message is intact
 *   zerocopy kipc_transport_call() against a peer that answers with recv_begin/send_begin
 *   timeout  0 is -EAGAIN at once, 50 ms is -ETIMEDOUT after 50 ms
 *   close    the peer sends 5 messages and closes: they arrive, then -EPIPE; sends then fail
 *            with -EPIPE too (within 2 s, waiting "for ever")
 *   kill     the same with the peer killed by SIGKILL instead of closing
 *   lockdead the same with the peer killed while it holds the lock of the backend's wait
 *            method (a library test hook takes it), where the method has one
 *   named    kipc_transport_serve() and _connect(), a few messages each way; the client asks
 *            for a lower max_msg than the server, and both must agree on it
 *
 * A backend the system lacks must say so (-EOPNOTSUPP or -ENODEV from probe and from opening):
 * its checks are skipped.  Each check runs in a process of its own with a time limit, so a
 * backend that hangs fails the check instead of the run.  The peers are children of that
 * process, in its process group, and go with it.
 *
 * Output: KTAP.  Exit: 0 pass, 1 fail, 4 when every check was skipped.
 * Environment: KIPC_TRANSPORT_TEST_ONLY=a,b runs those backends only;
 * KIPC_TRANSPORT_TEST_MAX caps the size sweep (bytes); KIPC_TRANSPORT_TEST_TIMEOUT is the limit
 * per check in seconds (default 60); KIPC_TRANSPORT_TEST_BUDGET is one for the whole run, after
 * which the remaining checks are skipped (default none).  Under the VM's fault injection
 * (KIPC_FAULT_INJECT=1, see kipc_fault_inject.h) only the kipc backends run, with 10 s per
 * check and 90 s in all: the point there is the module's error paths, within the step's limit.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kipc-transport.h"
#include "kipc_fault_inject.h"

/* libkipc-transport's test hook (userlib/transport/transport.h); the test links it static. */
int kipc__ring_sync_lock(struct kipc_transport *tp);

#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4
#define SEC		1000000000LL
#define MSEC		1000000LL
/* What "at once" and "soon" mean for a peer's close or death (the backends look every 0.1 s). */
#define PROMPT_NS	(2 * SEC)
#define OPEN_NS		(10 * SEC)

static const struct kipc_transport_backend *backend;
static const char *check_name;

/* ---- reporting ---------------------------------------------------------------------------- */

static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# %s.%s: ", backend->name, check_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* In a check (or its peer): report and leave with KSFT_FAIL. */
#define REQUIRE(cond, ...) do {							\
	if (!(cond)) {								\
		diag("line %d: %s", __LINE__, #cond);				\
		diag(__VA_ARGS__);						\
		exit(KSFT_FAIL);						\
	}									\
} while (0)

#define REQUIRE_OK(ret, what)							\
	REQUIRE((ret) >= 0, "%s: %s", what, strerror((int)-(ret)))

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * SEC + ts.tv_nsec;
}

/* ---- messages ----------------------------------------------------------------------------- */

/*
 * Word @k of message @seq's bytes: differs between neighbouring words and messages, so that
 * shifts, swaps and stale messages show.  Computed a 64-bit word at a time: the test is also
 * run under emulation with KASAN, where a byte at a time is slow.
 */
static __u64 pattern(unsigned long seq, size_t k)
{
	__u64 x = (seq + 1) * 0x9e3779b97f4a7c15ull + k * 0xbf58476d1ce4e5b9ull;

	return x ^ (x >> 29);
}

static void fill(void *buf, size_t len, unsigned long seq)
{
	unsigned char *p = buf;
	size_t k;
	__u64 w;

	for (k = 0; k < len / 8; k++) {
		w = pattern(seq, k);
		memcpy(p + 8 * k, &w, 8);
	}
	w = pattern(seq, k);
	memcpy(p + 8 * k, &w, len % 8);
}

/* The offset of the first wrong byte, or -1. */
static long verify(const void *buf, size_t len, unsigned long seq)
{
	const unsigned char *p = buf;
	unsigned char want[8];
	size_t k, i, n;
	__u64 w;

	for (k = 0; 8 * k < len; k++) {
		w = pattern(seq, k);
		memcpy(want, &w, 8);
		n = len - 8 * k < 8 ? len - 8 * k : 8;
		if (!memcmp(p + 8 * k, want, n))
			continue;
		for (i = 0; p[8 * k + i] == want[i]; i++)
			;
		return (long)(8 * k + i);
	}
	return -1;
}

static void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	REQUIRE(p, "out of memory for %zu bytes", size);
	return p;
}

static void expect_msg(const void *buf, long n, size_t len, unsigned long seq, const char *what)
{
	long bad;

	REQUIRE_OK(n, what);
	REQUIRE((size_t)n == len, "%s: message %lu is %ld bytes, sent %zu", what, seq, n, len);
	bad = verify(buf, len, seq);
	REQUIRE(bad < 0, "%s: message %lu (%zu bytes) differs at byte %ld", what, seq, len, bad);
}

/* ---- peers -------------------------------------------------------------------------------- */

struct peer {
	pid_t pid;
	int ctl[2];	/* the check writes ctl[1] to tell the peer to go on; the peer too, back */
	int back[2];
};

typedef void (*peer_fn)(struct kipc_transport *tp, struct peer *p);

#define CTL_GO		1	/* what a control byte says: go on, or done */
#define CTL_CANNOT	2	/* the peer cannot do what the check asks */

static void ctl_say(int fd, char c)
{
	REQUIRE(write(fd, &c, 1) == 1, "control pipe: %s", strerror(errno));
}

static void ctl_write(int fd)
{
	ctl_say(fd, CTL_GO);
}

/* Wait up to @ns for a byte on @fd: the byte, or 0 when none came. */
static char ctl_byte(int fd, long long ns)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c;

	if (poll(&pfd, 1, (int)(ns / MSEC)) != 1 || read(fd, &c, 1) != 1)
		return 0;
	return c;
}

/* Wait up to @ns for a byte on @fd: whether one came. */
static bool ctl_read(int fd, long long ns)
{
	return ctl_byte(fd, ns) != 0;
}

/*
 * A pair of the backend: the peer (a child) takes side 1 and runs @fn, this process side 0.
 * The peer exits with @fn's verdict (0 unless a REQUIRE failed).
 */
static struct kipc_transport *pair_with(struct peer *p, const struct kipc_transport_attr *attr,
					 peer_fn fn)
{
	struct kipc_transport_pair *pair;
	struct kipc_transport *tp;
	int ret;

	REQUIRE(!pipe(p->ctl) && !pipe(p->back), "pipe: %s", strerror(errno));
	ret = kipc_transport_pair(backend->name, attr, &pair);
	REQUIRE_OK(ret, "kipc_transport_pair");
	fflush(stdout);
	p->pid = fork();
	REQUIRE(p->pid >= 0, "fork: %s", strerror(errno));
	if (!p->pid) {
		ret = kipc_transport_pair_side(pair, 1, OPEN_NS, &tp);
		REQUIRE_OK(ret, "peer: kipc_transport_pair_side(1)");
		fn(tp, p);
		kipc_transport_close(tp);
		exit(KSFT_PASS);
	}
	ret = kipc_transport_pair_side(pair, 0, OPEN_NS, &tp);
	REQUIRE_OK(ret, "kipc_transport_pair_side(0)");
	REQUIRE(kipc_transport_backend_of(tp) == backend, "the endpoint's backend is another");
	return tp;
}

/* Reap the peer, which must exit with @want (or, for -1, be killed by SIGKILL). */
static void reap(struct peer *p, int want)
{
	long long end = now_ns() + 10 * SEC;
	int status;
	pid_t r;

	while ((r = waitpid(p->pid, &status, WNOHANG)) == 0 && now_ns() < end)
		usleep(2000);
	REQUIRE(r == p->pid, "the peer did not exit within 10 s");
	if (want < 0)
		REQUIRE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
			"the peer was not killed (status %#x)", status);
	else
		REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == want,
			"the peer failed (status %#x)", status);
}

/* ---- open --------------------------------------------------------------------------------- */

static void echo_once(struct kipc_transport *tp, struct peer *p)
{
	char buf[64];
	long n = kipc_transport_recv(tp, buf, sizeof(buf), OPEN_NS);

	(void)p;
	REQUIRE_OK(n, "peer: recv");
	REQUIRE_OK(kipc_transport_send(tp, buf, (size_t)n, OPEN_NS), "peer: send");
}

static void check_open(void)
{
	struct peer p;
	struct kipc_transport *tp = pair_with(&p, NULL, echo_once);
	char buf[64];

	REQUIRE(kipc_transport_max_msg(tp) >= 64, "max_msg is only %zu",
		kipc_transport_max_msg(tp));
	fill(buf, 40, 1);
	REQUIRE_OK(kipc_transport_send(tp, buf, 40, OPEN_NS), "send");
	memset(buf, 0, sizeof(buf));
	expect_msg(buf, kipc_transport_recv(tp, buf, sizeof(buf), OPEN_NS), 40, 1, "echo");
	kipc_transport_close(tp);
	reap(&p, KSFT_PASS);
}

/* ---- order -------------------------------------------------------------------------------- */

#define ORDER_COUNT	200
#define ORDER_BATCH	8

/* Message @seq's length, at most @max: mostly small, now and then up to 4 KiB. */
static size_t order_len(unsigned long seq, size_t max)
{
	size_t len = seq % 10 ? (seq * 37) % 200 : (seq * 997) % 4096;

	return len < max ? len : max;
}

static void order_send(struct kipc_transport *tp, struct peer *p)
{
	size_t max = kipc_transport_max_msg(tp);
	struct kipc_transport_msg msgs[ORDER_BATCH];
	unsigned long seq = 0;
	unsigned int i, n;
	int ret;
	char *buf;

	(void)p;
	while (seq < ORDER_COUNT) {
		if (seq % 50 < 25) {
			buf = xmalloc(order_len(seq, max));
			fill(buf, order_len(seq, max), seq);
			REQUIRE_OK(kipc_transport_send(tp, buf, order_len(seq, max), OPEN_NS),
				   "peer: send");
			free(buf);
			seq++;
			continue;
		}
		/* A batch: whatever the backend takes at once; the rest goes in the next one. */
		for (i = 0; i < ORDER_BATCH && seq + i < ORDER_COUNT; i++) {
			msgs[i].len = order_len(seq + i, max);
			msgs[i].buf = xmalloc(msgs[i].len);
			fill(msgs[i].buf, msgs[i].len, seq + i);
		}
		n = i;
		ret = kipc_transport_send_batch(tp, msgs, n, OPEN_NS);
		REQUIRE(ret > 0 && (unsigned int)ret <= n, "peer: send_batch: %d", ret);
		for (i = 0; i < n; i++)
			free(msgs[i].buf);
		seq += (unsigned long)ret;
	}
	/* Stay until everything is read: closing is another check's business. */
	ctl_read(p->ctl[0], OPEN_NS);
}

static void check_order(void)
{
	struct kipc_transport_msg msgs[ORDER_BATCH];
	struct peer p;
	struct kipc_transport *tp = pair_with(&p, NULL, order_send);
	size_t max = kipc_transport_max_msg(tp), cap = 4096;
	unsigned long seq = 0;
	unsigned int i;
	int n;

	for (i = 0; i < ORDER_BATCH; i++)
		msgs[i].buf = xmalloc(cap);
	while (seq < ORDER_COUNT) {
		if (seq % 40 < 20) {
			n = (int)kipc_transport_recv(tp, msgs[0].buf, cap, OPEN_NS);
			expect_msg(msgs[0].buf, n, order_len(seq, max), seq, "recv");
			seq++;
			continue;
		}
		for (i = 0; i < ORDER_BATCH; i++)
			msgs[i].len = cap;
		n = kipc_transport_recv_batch(tp, msgs, ORDER_BATCH, OPEN_NS);
		REQUIRE(n > 0 && n <= ORDER_BATCH, "recv_batch: %d", n);
		for (i = 0; i < (unsigned int)n; i++)
			expect_msg(msgs[i].buf, (long)msgs[i].len, order_len(seq + i, max), seq + i,
				   "recv_batch");
		seq += (unsigned long)n;
	}
	/* Nothing more than was sent. */
	n = (int)kipc_transport_recv(tp, msgs[0].buf, cap, 0);
	REQUIRE(n == -EAGAIN, "a message after the last: %d", n);
	ctl_write(p.ctl[1]);
	for (i = 0; i < ORDER_BATCH; i++)
		free(msgs[i].buf);
	kipc_transport_close(tp);
	reap(&p, KSFT_PASS);
}

/* ---- sizes -------------------------------------------------------------------------------- */

static size_t size_cap(size_t max)
{
	const char *s = getenv("KIPC_TRANSPORT_TEST_MAX");
	size_t cap = s ? strtoul(s, NULL, 0) : 0;

	return cap && cap < max ? cap : max;
}

/* The sweep, ascending and without repeats: 0, 1, 2^k - 1, 2^k, 2^k + 1, max - 1, max. */
static size_t sizes_list(size_t max, size_t *out)
{
	size_t n = 0, k, cand[3], i;

	out[n++] = 0;
	for (k = 1; k && k <= max; k <<= 1) {
		cand[0] = k - 1;
		cand[1] = k;
		cand[2] = k + 1;
		for (i = 0; i < 3; i++)
			if (cand[i] <= max && cand[i] > out[n - 1])
				out[n++] = cand[i];
	}
	if (max - 1 > out[n - 1])
		out[n++] = max - 1;
	if (max > out[n - 1])
		out[n++] = max;
	return n;
}

/* Echo every message back, until the check says stop (an empty message with seq ~0). */
static void sizes_echo(struct kipc_transport *tp, struct peer *p)
{
	size_t max = kipc_transport_max_msg(tp);
	char *buf = xmalloc(max);
	long n;

	for (;;) {
		n = kipc_transport_recv(tp, buf, max, OPEN_NS);
		REQUIRE_OK(n, "peer: recv");
		if (!ctl_read(p->ctl[0], 0))
			break;	/* the check's last message: the short-buffer part */
		REQUIRE_OK(kipc_transport_send(tp, buf, (size_t)n, OPEN_NS), "peer: send");
	}
	/* One too long for the check's buffer, then one that fits. */
	fill(buf, 100, 100);
	REQUIRE_OK(kipc_transport_send(tp, buf, 100, OPEN_NS), "peer: send 100");
	fill(buf, 5, 5);
	REQUIRE_OK(kipc_transport_send(tp, buf, 5, OPEN_NS), "peer: send 5");
	ctl_read(p->ctl[0], OPEN_NS);
	free(buf);
}

static void check_sizes(void)
{
	struct peer p;
	struct kipc_transport *tp = pair_with(&p, NULL, sizes_echo);
	size_t max = kipc_transport_max_msg(tp), list[200], n, i, top = size_cap(max);
	char *out = xmalloc(max + 1), *in = xmalloc(max + 1);
	long got;
	int ret;

	n = sizes_list(top, list);
	for (i = 0; i < n; i++) {
		fill(out, list[i], i);
		ctl_write(p.ctl[1]);	/* one more to echo */
		REQUIRE_OK(kipc_transport_send(tp, out, list[i], OPEN_NS), "send");
		memset(in, 0, list[i]);
		got = kipc_transport_recv(tp, in, max, OPEN_NS);
		expect_msg(in, got, list[i], i, "echo");
	}
	ret = kipc_transport_send(tp, out, max + 1, OPEN_NS);
	REQUIRE(ret == -EMSGSIZE, "sending max_msg + 1 (%zu): %d", max + 1, ret);
	/* The last message: the peer now sends 100 bytes, then 5. */
	REQUIRE_OK(kipc_transport_send(tp, out, 0, OPEN_NS), "send");
	got = kipc_transport_recv(tp, in, 10, OPEN_NS);
	REQUIRE(got == -EMSGSIZE, "100 bytes into 10: %ld", got);
	got = kipc_transport_recv(tp, in, 10, OPEN_NS);
	expect_msg(in, got, 5, 5, "the message after the one too long");
	ctl_write(p.ctl[1]);
	diag("%zu sizes up to %zu bytes (the endpoint's limit is %zu)", n, top, max);
	free(out);
	free(in);
	kipc_transport_close(tp);
	reap(&p, KSFT_PASS);
}

/* ---- zero-copy and call ------------------------------------------------------------------- */

#define CALLS	20

/* Answer each request in place: its bytes checked where they lie, the reply built in place. */
static void zc_answer(struct kipc_transport *tp, struct peer *p)
{
	const void *req;
	size_t len, max = kipc_transport_max_msg(tp);
	unsigned long seq;
	void *reply;
	int err = 0;
	long bad;

	(void)p;
	for (seq = 0; seq < CALLS; seq++) {
		req = kipc_transport_recv_begin(tp, &len, OPEN_NS, &err);
		REQUIRE(req, "peer: recv_begin: %s", strerror(-err));
		bad = verify(req, len, seq);
		REQUIRE(bad < 0, "peer: request %lu differs at %ld", seq, bad);
		reply = kipc_transport_send_begin(tp, max / 2, OPEN_NS, &err);
		REQUIRE(reply, "peer: send_begin: %s", strerror(-err));
		fill(reply, len / 2, seq + 1000);
		REQUIRE_OK(kipc_transport_send_commit(tp, len / 2), "peer: send_commit");
		REQUIRE_OK(kipc_transport_recv_done(tp), "peer: recv_done");
	}
}

static void check_zerocopy(void)
{
	struct peer p;
	struct kipc_transport *tp = pair_with(&p, NULL, zc_answer);
	size_t max = kipc_transport_max_msg(tp), len;
	char *req = xmalloc(max), *reply = xmalloc(max);
	unsigned long seq;
	long n;

	for (seq = 0; seq < CALLS; seq++) {
		len = (seq * seq * 131) % (max < 8192 ? max : 8192);
		fill(req, len, seq);
		n = kipc_transport_call(tp, req, len, reply, max, OPEN_NS);
		expect_msg(reply, n, len / 2, seq + 1000, "call's reply");
	}
	free(req);
	free(reply);
	kipc_transport_close(tp);
	reap(&p, KSFT_PASS);
}

/* ---- timeout ------------------------------------------------------------------------------ */

static void idle(struct kipc_transport *tp, struct peer *p)
{
	(void)tp;
	ctl_read(p->ctl[0], OPEN_NS);
}

static void check_timeout(void)
{
	struct peer p;
	struct kipc_transport *tp = pair_with(&p, NULL, idle);
	long long t0, took;
	char buf[16];
	long n;

	t0 = now_ns();
	n = kipc_transport_recv(tp, buf, sizeof(buf), 0);
	took = now_ns() - t0;
	REQUIRE(n == -EAGAIN, "recv with timeout 0: %ld", n);
	/* Never a wait: posix-mq waits 100 ms slices (KIPC__SLICE_NS), name checks between. */
	REQUIRE(took < 100 * MSEC, "recv with timeout 0 took %lld ms",
		took / MSEC);
	t0 = now_ns();
	n = kipc_transport_recv(tp, buf, sizeof(buf), 50 * MSEC);
	took = now_ns() - t0;
	REQUIRE(n == -ETIMEDOUT, "recv with timeout 50 ms: %ld", n);
	REQUIRE(took >= 45 * MSEC && took < PROMPT_NS, "recv with timeout 50 ms took %lld ms",
		took / MSEC);
	REQUIRE_OK(kipc_transport_send(tp, buf, 1, 0), "send with timeout 0 on an empty link");
	ctl_write(p.ctl[1]);
	kipc_transport_close(tp);
	reap(&p, KSFT_PASS);
}

/* ---- a peer that closes or dies ----------------------------------------------------------- */

#define LAST_WORDS	5

static void send_last_words(struct kipc_transport *tp)
{
	char buf[64];
	unsigned long seq;

	for (seq = 0; seq < LAST_WORDS; seq++) {
		fill(buf, 10 + seq, seq);
		REQUIRE_OK(kipc_transport_send(tp, buf, 10 + seq, OPEN_NS), "peer: send");
	}
}

/* Send, close, and stay alive until told: the close alone must reach the check. */
static void close_early(struct kipc_transport *tp, struct peer *p)
{
	send_last_words(tp);
	kipc_transport_close(tp);
	ctl_read(p->ctl[0], 30 * SEC);
	exit(KSFT_PASS);
}

/* Send, say so, and wait to be killed. */
static void await_death(struct kipc_transport *tp, struct peer *p)
{
	send_last_words(tp);
	ctl_write(p->back[1]);
	for (;;)
		pause();
	(void)tp;
}

/* The last words arrive, then -EPIPE (waiting for ever, promptly); sends fail the same way. */
static void expect_gone(struct kipc_transport *tp, const char *how)
{
	size_t len = kipc_transport_max_msg(tp) < 4096 ? kipc_transport_max_msg(tp) : 4096;
	char *buf = xmalloc(4096);
	unsigned long seq, sent = 0;
	long long t0, took, end;
	long n;
	int ret;

	for (seq = 0; seq < LAST_WORDS; seq++) {
		n = kipc_transport_recv(tp, buf, 4096, OPEN_NS);
		expect_msg(buf, n, 10 + seq, seq, "a message sent before the peer went");
	}
	t0 = now_ns();
	n = kipc_transport_recv(tp, buf, 4096, KIPC_FOREVER);
	took = now_ns() - t0;
	REQUIRE(n == -EPIPE, "recv after the peer %s: %ld (%s)", how, n, strerror((int)-n));
	REQUIRE(took < PROMPT_NS, "recv took %lld ms to see the peer %s", took / MSEC, how);
	n = kipc_transport_recv(tp, buf, 4096, 0);
	REQUIRE(n == -EPIPE, "recv again after the peer %s: %ld", how, n);
	/*
	 * Sends succeed while a queue has room; then (or at once) -EPIPE.  What must be prompt is
	 * the send that finds no room: filling a 1 MiB ring under emulation may take a while.
	 */
	end = now_ns() + 30 * SEC;
	do {
		t0 = now_ns();
		ret = kipc_transport_send(tp, buf, len, KIPC_FOREVER);
		sent++;
	} while (!ret && t0 < end);
	took = now_ns() - t0;
	REQUIRE(ret == -EPIPE, "send after the peer %s: %d (%s) after %lu sends", how, ret,
		strerror(-ret), sent);
	REQUIRE(took < PROMPT_NS, "the last send took %lld ms to see the peer %s", took / MSEC,
		how);
	free(buf);
}

static void check_close(void)
{
	struct peer p;
	struct kipc_transport *tp = pair_with(&p, NULL, close_early);

	expect_gone(tp, "closed");
	ctl_write(p.ctl[1]);
	kipc_transport_close(tp);
	reap(&p, KSFT_PASS);
}

static void check_kill(void)
{
	struct peer p;
	struct kipc_transport *tp = pair_with(&p, NULL, await_death);

	REQUIRE(ctl_read(p.back[0], OPEN_NS), "the peer never finished sending");
	kill(p.pid, SIGKILL);
	reap(&p, -1);
	expect_gone(tp, "died");
	kipc_transport_close(tp);
}

/* ---- lockdead ----------------------------------------------------------------------------- */

/*
 * Send and say so; once told, take the wait method's lock (the library's test hook), say so,
 * and wait to be killed holding it; or say that there is no lock to take.  The lock is taken
 * only while the check makes no call, which would wait for it.
 */
static void die_holding_lock(struct kipc_transport *tp, struct peer *p)
{
	int ret;

	send_last_words(tp);
	ctl_write(p->back[1]);
	REQUIRE(ctl_read(p->ctl[0], OPEN_NS), "peer: never told to take the lock");
	ret = kipc__ring_sync_lock(tp);
	if (ret == -EOPNOTSUPP) {
		ctl_say(p->back[1], CTL_CANNOT);
		exit(KSFT_SKIP);
	}
	REQUIRE_OK(ret, "peer: take the wait method's lock");
	ctl_write(p->back[1]);
	for (;;)
		pause();
}

/*
 * A peer killed while it holds the lock the sides sleep and wake under (posix-shm-pmutex's
 * robust mutex): the survivor neither hangs on the lock nor fails on it, but gets what the
 * peer sent and then -EPIPE, as from any dead peer.  Its receive and its sends both sleep, so
 * both take the dead peer's lock.
 */
static void check_lockdead(void)
{
	struct peer p;
	struct kipc_transport *tp = pair_with(&p, NULL, die_holding_lock);
	char said;

	REQUIRE(ctl_read(p.back[0], OPEN_NS), "the peer never finished sending");
	ctl_write(p.ctl[1]);
	said = ctl_byte(p.back[0], OPEN_NS);
	if (said == CTL_CANNOT) {
		reap(&p, KSFT_SKIP);
		kipc_transport_close(tp);
		exit(KSFT_SKIP);
	}
	REQUIRE(said == CTL_GO, "the peer never took the lock");
	kill(p.pid, SIGKILL);
	reap(&p, -1);
	expect_gone(tp, "died holding the lock");
	kipc_transport_close(tp);
}

/* ---- named -------------------------------------------------------------------------------- */

/* Either side's limit, which may not exceed the lower one (the client's). */
static size_t agreed_limit(struct kipc_transport *tp, const struct kipc_transport_attr *lower,
			   const char *who)
{
	size_t max = kipc_transport_max_msg(tp);

	REQUIRE(max <= lower->max_msg, "%s: max_msg %zu, above the client's %zu", who, max,
		lower->max_msg);
	return max;
}

static void check_named(void)
{
	struct kipc_transport_attr client_attr = { .max_msg = 4096 };
	size_t sizes[] = { 0, 17, 3000 }, i, max, len;
	struct kipc_transport *tp;
	char name[KIPC_TRANSPORT_NAME_MAX + 1], *buf;
	struct peer p = { 0 };
	long n;
	int ret;

	if (!(backend->flags & KIPC_TRANSPORT_NAMED)) {
		ret = kipc_transport_serve(backend->name, "x", NULL, 0, &tp);
		REQUIRE(ret == -EOPNOTSUPP, "serve on a pairs-only backend: %d", ret);
		exit(KSFT_SKIP);
	}
	snprintf(name, sizeof(name), "t%d.%s", (int)getpid(), backend->name);
	fflush(stdout);
	p.pid = fork();
	REQUIRE(p.pid >= 0, "fork: %s", strerror(errno));
	if (!p.pid) {
		/*
		 * The client: it may well come before the server is there.  It asks for a lower
		 * limit than the server's default: both must then use the lower one.
		 */
		ret = kipc_transport_connect(backend->name, name, &client_attr, OPEN_NS, &tp);
		REQUIRE_OK(ret, "client: kipc_transport_connect");
		max = agreed_limit(tp, &client_attr, "client");
		buf = xmalloc(max);
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			len = sizes[i] < max ? sizes[i] : max;
			fill(buf, len, i);
			REQUIRE_OK(kipc_transport_send(tp, buf, len, OPEN_NS), "client: send");
			n = kipc_transport_recv(tp, buf, max, OPEN_NS);
			expect_msg(buf, n, len, i + 100, "client: the server's answer");
		}
		kipc_transport_close(tp);
		exit(KSFT_PASS);
	}
	ret = kipc_transport_serve(backend->name, name, NULL, OPEN_NS, &tp);
	REQUIRE_OK(ret, "kipc_transport_serve");
	max = agreed_limit(tp, &client_attr, "server");
	buf = xmalloc(max);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		n = kipc_transport_recv(tp, buf, max, OPEN_NS);
		expect_msg(buf, n, sizes[i] < max ? sizes[i] : max, i, "the client's message");
		fill(buf, (size_t)n, i + 100);
		REQUIRE_OK(kipc_transport_send(tp, buf, (size_t)n, OPEN_NS), "send");
	}
	n = kipc_transport_recv(tp, buf, max, 5 * SEC);
	REQUIRE(n == -EPIPE, "recv after the client closed: %ld", n);
	free(buf);
	kipc_transport_close(tp);
	reap(&p, KSFT_PASS);
}

/* ---- the driver --------------------------------------------------------------------------- */

static const struct {
	const char *name;
	void (*run)(void);
	const char *skip;	/* what a check's KSFT_SKIP means */
} checks[] = {
	{ "open", check_open, NULL },
	{ "order", check_order, NULL },
	{ "sizes", check_sizes, NULL },
	{ "zerocopy", check_zerocopy, NULL },
	{ "timeout", check_timeout, NULL },
	{ "close", check_close, NULL },
	{ "kill", check_kill, NULL },
	{ "lockdead", check_lockdead, "no lock in its wait method" },
	{ "named", check_named, "pairs only" },
};

#define NCHECKS	(sizeof(checks) / sizeof(checks[0]))

static bool selected(const struct kipc_transport_backend *b, bool injecting)
{
	const char *only = getenv("KIPC_TRANSPORT_TEST_ONLY"), *p, *name = b->name;
	size_t len = strlen(name);

	if (injecting && !(b->flags & KIPC_TRANSPORT_NEEDS_KIPC))
		return false;
	if (!only || !*only)
		return true;
	for (p = only; (p = strstr(p, name)); p += len)
		if ((p == only || p[-1] == ',') && (p[len] == ',' || !p[len]))
			return true;
	return false;
}

/* Run one check in a process group of its own, within @limit_s.  Return: its exit code. */
static int run_check(unsigned int c, long limit_s)
{
	long long start = now_ns(), end = start + limit_s * SEC;
	int status, rc;
	pid_t pid, r;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return KSFT_FAIL;
	if (!pid) {
		setpgid(0, 0);
		check_name = checks[c].name;
		checks[c].run();
		exit(KSFT_PASS);
	}
	setpgid(pid, pid);
	while ((r = waitpid(pid, &status, WNOHANG)) == 0 && now_ns() < end)
		usleep(5000);
	/* Whatever is left of the group (peers) goes now. */
	kill(-pid, SIGKILL);
	if (r != pid) {
		waitpid(pid, &status, 0);
		printf("# %s.%s: no verdict within %ld s\n", backend->name, checks[c].name,
		       limit_s);
		return KSFT_FAIL;
	}
	if (WIFSIGNALED(status)) {
		printf("# %s.%s: killed by signal %d\n", backend->name, checks[c].name,
		       WTERMSIG(status));
		return KSFT_FAIL;
	}
	rc = WEXITSTATUS(status);
	/* Where the time goes, for runs under emulation and KASAN. */
	if (now_ns() - start > 2 * SEC)
		printf("# %s.%s took %.1f s\n", backend->name, checks[c].name,
		       (double)(now_ns() - start) / SEC);
	return rc;
}

/* Why @b cannot run here, checking that opening says the same; NULL when it can. */
static const char *unsupported(const struct kipc_transport_backend *b, bool *contract_ok)
{
	struct kipc_transport_pair *pair = NULL;
	int ret = kipc_transport_probe(b), open_ret;

	*contract_ok = true;
	if (!ret)
		return NULL;
	open_ret = kipc_transport_pair(b->name, NULL, &pair);
	if (open_ret != -EOPNOTSUPP && open_ret != -ENODEV) {
		*contract_ok = false;
		kipc_transport_pair_close(pair, 1);
	}
	if (ret == -ENODEV)
		return "no /dev/kipc (the module is not loaded)";
	if (ret == -EOPNOTSUPP)
		return "unsupported on this system";
	*contract_ok = false;
	return strerror(-ret);
}

int main(void)
{
	const char *limit_env = getenv("KIPC_TRANSPORT_TEST_TIMEOUT");
	const char *budget_env = getenv("KIPC_TRANSPORT_TEST_BUDGET");
	bool injecting = kipc_fault_injecting();
	long limit_s = limit_env ? strtol(limit_env, NULL, 10) : injecting ? 10 : 60;
	long long budget_end = budget_env ? strtol(budget_env, NULL, 10) * SEC :
			       injecting ? 90 * SEC : 0;
	unsigned int nb = 0, i, c, n = 0, pass = 0, fail = 0, skip = 0;
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	const struct kipc_transport_backend *b;
	const char *why;
	bool contract_ok;
	int rc;

	/* As root, let POSIX mq ask for 1 MiB messages (RLIMIT_MSGQUEUE is 800 KiB by default). */
	setrlimit(RLIMIT_MSGQUEUE, &unlimited);
	if (budget_end)
		budget_end += now_ns();
	for (i = 0; (b = kipc_transport_backend(i)); i++)
		nb += selected(b, injecting);
	printf("TAP version 13\n1..%u\n", nb * (unsigned int)NCHECKS);
	for (i = 0; (backend = kipc_transport_backend(i)); i++) {
		if (!selected(backend, injecting))
			continue;
		why = unsupported(backend, &contract_ok);
		for (c = 0; c < NCHECKS; c++) {
			n++;
			if (why && contract_ok) {
				printf("ok %u %s.%s # SKIP %s\n", n, backend->name,
				       checks[c].name, why);
				skip++;
				continue;
			}
			if (why) {
				printf("not ok %u %s.%s # unsupported, yet opening did not "
				       "say so: %s\n", n, backend->name, checks[c].name, why);
				fail++;
				continue;
			}
			if (budget_end && now_ns() > budget_end) {
				printf("ok %u %s.%s # SKIP out of time (the run's budget)\n", n,
				       backend->name, checks[c].name);
				skip++;
				continue;
			}
			rc = run_check(c, limit_s);
			if (rc == KSFT_SKIP) {
				printf("ok %u %s.%s # SKIP %s\n", n, backend->name,
				       checks[c].name, checks[c].skip);
				skip++;
			} else if (rc == KSFT_PASS) {
				printf("ok %u %s.%s\n", n, backend->name, checks[c].name);
				pass++;
			} else {
				printf("not ok %u %s.%s\n", n, backend->name, checks[c].name);
				fail++;
			}
			fflush(stdout);
		}
	}
	printf("# transports: %u passed, %u failed, %u skipped\n", pass, fail, skip);
	if (fail)
		return KSFT_FAIL;
	return pass ? KSFT_PASS : KSFT_SKIP;
}
