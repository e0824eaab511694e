// SPDX-License-Identifier: GPL-2.0
/*
 * The two sides of a measurement.  Side 0 drives (the ping-pong client, the stream's sender)
 * and times; side 1 answers (echo) or receives.  Both know the plan, so they run the same
 * sequence of workloads and repeats without talking about it; each run ends with a message
 * flagged LAST and its echo (or an ack), so the link is empty between runs.
 *
 * Every message is built and checked in full, so a transport that drops, reorders, truncates
 * or corrupts one fails the point instead of posting a time:
 *   bytes 0..7   the sequence number << 8 | flags (native endian)
 *   bytes 8..15  a checksum of bytes 16.. (a fixed pseudo-random payload), mixed with the
 *                sequence and the length
 *   16..         the payload, copied from a template into the message as a producer would
 * A message of 8 to 15 bytes has no checksum word: its bytes past 8 are compared directly.
 * Senders build in place where the backend allows (kipc_transport_send_begin()), receivers
 * check in place (kipc_transport_recv_begin()); a native call (KIPC_TRANSPORT_NATIVE_CALL) and
 * batches use buffers of their own.
 */
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

#define F_LAST		1u
#define F_REPLY		2u
#define HDR		16

struct side {
	const struct bench_opts *o;
	const struct point *pt;
	unsigned int id;
	struct kipc_transport *tp;
	struct point_shared *sh;
	unsigned char *tmpl;		/* the payload template, pt->size bytes */
	unsigned long units;		/* side 0: round trips or messages of the last run */
	__u64 sum;			/* its checksum from byte HDR on */
	double *samples;		/* latency samples of one run */
	size_t nsamples, cap;
};

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- messages ----------------------------------------------------------------------------- */

static __u64 rotl(__u64 x, unsigned int r)
{
	return (x << r) | (x >> (64 - r));
}

/* Four independent lanes of h = h * 31 + word, so the compiler can keep them in flight. */
static __u64 checksum(const unsigned char *p, size_t len)
{
	__u64 a = 1, b = 2, c = 3, d = 4, w[4], tail = 0;
	size_t i = 0;

	for (; i + 32 <= len; i += 32) {
		memcpy(w, p + i, 32);
		a = a * 31 + w[0];
		b = b * 31 + w[1];
		c = c * 31 + w[2];
		d = d * 31 + w[3];
	}
	for (; i < len; i++)
		tail = tail * 257 + p[i];
	return a ^ rotl(b, 17) ^ rotl(c, 31) ^ rotl(d, 47) ^ (tail * 0x9e3779b97f4a7c15ull);
}

static __u64 mix(__u64 seq, size_t len)
{
	return (seq * 0x9e3779b97f4a7c15ull) ^ ((__u64)len << 40) ^ 0x5bd1e995u;
}

static void build(const struct side *s, void *dst, size_t len, __u64 seq, unsigned int flags)
{
	unsigned char *m = dst;
	__u64 w = seq << 8 | flags;

	if (len > 8)
		memcpy(m + 8, s->tmpl + 8, len - 8);
	memcpy(m, &w, 8);
	if (len >= HDR) {
		w = s->sum ^ mix(seq, len);
		memcpy(m + 8, &w, 8);
	}
}

/* Fail the side with @fmt (a corrupt message, or a transport error). */
#define FAIL_NOTE(s, code, ...) ((s)->sh->failed[(s)->id] = (code),			\
	snprintf((s)->sh->error[(s)->id], sizeof((s)->sh->error[0]), __VA_ARGS__))
#define FAIL(s, code, ...) do {							\
	FAIL_NOTE(s, code, __VA_ARGS__);					\
	return (code);								\
} while (0)
/* FAIL, for a function that has something to free first at @label. */
#define FAIL_AT(label, s, code, ...) do {					\
	FAIL_NOTE(s, code, __VA_ARGS__);					\
	goto label;								\
} while (0)

static int check(struct side *s, const void *msg, size_t got, __u64 seq, unsigned int *flags)
{
	const unsigned char *m = msg;
	size_t len = s->pt->size;
	__u64 w;

	if (got != len)
		FAIL(s, 1, "message %llu: %zu bytes, not %zu", (unsigned long long)seq, got, len);
	memcpy(&w, m, 8);
	if (w >> 8 != seq)
		FAIL(s, 1, "message %llu arrived as %llu (lost, repeated or reordered)",
		     (unsigned long long)seq, (unsigned long long)(w >> 8));
	*flags = (unsigned int)(w & 0xff);
	if (len >= HDR) {
		memcpy(&w, m + 8, 8);
		if ((checksum(m + HDR, len - HDR) ^ mix(seq, len)) != w)
			FAIL(s, 1, "message %llu (%zu bytes): wrong checksum",
			     (unsigned long long)seq, len);
	} else if (len > 8 && memcmp(m + 8, s->tmpl + 8, len - 8)) {
		FAIL(s, 1, "message %llu (%zu bytes): corrupt", (unsigned long long)seq, len);
	}
	return 0;
}

#define TRY(s, call, what) do {							\
	long r_ = (call);							\
	if (r_ < 0)								\
		FAIL(s, (int)r_, "%s: %s", what, strerror((int)-r_));		\
} while (0)

static int send_one(struct side *s, __u64 seq, unsigned int flags)
{
	void *room;
	int err = 0;

	room = kipc_transport_send_begin(s->tp, s->pt->size, KIPC_FOREVER, &err);
	if (!room)
		FAIL(s, err, "send_begin: %s", strerror(-err));
	build(s, room, s->pt->size, seq, flags);
	TRY(s, kipc_transport_send_commit(s->tp, s->pt->size), "send");
	return 0;
}

static int recv_one(struct side *s, __u64 seq, unsigned int *flags)
{
	const void *msg;
	size_t len;
	int err = 0;

	msg = kipc_transport_recv_begin(s->tp, &len, KIPC_FOREVER, &err);
	if (!msg)
		FAIL(s, err, "receive: %s", strerror(-err));
	err = check(s, msg, len, seq, flags);
	kipc_transport_recv_done(s->tp);
	return err;
}

/* ---- timing ------------------------------------------------------------------------------- */

/* This process's CPU time, user and system, in nanoseconds. */
static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/*
 * When side 0 stops: after a warm-up of warmup_pct percent, the measured part runs for the
 * duration or for the count.  measuring() says whether @i (or now) is in the measured part,
 * last() whether @i is the final message.  A duration is stretched to warm up with at least
 * MIN_WARM messages and to measure at least MIN_MEASURED: a 1 MiB round trip takes longer
 * than a short run, and a point made of one message (its first touch of every page, at
 * that) says nothing.
 */
#define MIN_WARM	2
#define MIN_MEASURED	8

struct clock {
	const struct bench_opts *o;
	long long warm_end, end;
	unsigned long warm_count;
	bool started;		/* duration: the measured part began, at message @first */
	unsigned long first;
};

static void clock_start(struct clock *c, const struct bench_opts *o)
{
	memset(c, 0, sizeof(*c));
	c->o = o;
	if (o->count) {
		c->warm_count = o->count * o->warmup_pct / 100;
	} else {
		c->warm_end = now_ns() + o->duration_ns * o->warmup_pct / 100;
		c->end = c->warm_end + o->duration_ns;
	}
}

static bool measuring(struct clock *c, unsigned long i, long long now)
{
	if (c->o->count)
		return i >= c->warm_count;
	if (!c->started && now >= c->warm_end && i >= MIN_WARM) {
		c->started = true;
		c->first = i;
	}
	return c->started && i >= c->first;
}

static bool last(const struct clock *c, unsigned long i, long long now)
{
	if (c->o->count)
		return i + 1 >= c->warm_count + c->o->count;
	return c->started && now >= c->end && i + 1 >= c->first + MIN_MEASURED;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double percentile(const double *sorted, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);

	return sorted[i < n ? i : n - 1];
}

static void lat_stats(struct side *s, struct lat_stats *st)
{
	double sum = 0;
	size_t i, n = s->nsamples;

	memset(st, 0, sizeof(*st));
	if (!n)
		return;
	qsort(s->samples, n, sizeof(double), cmp_double);
	for (i = 0; i < n; i++)
		sum += s->samples[i];
	st->n = n;
	st->p50 = percentile(s->samples, n, 0.50);
	st->p90 = percentile(s->samples, n, 0.90);
	st->p99 = percentile(s->samples, n, 0.99);
	st->p999 = percentile(s->samples, n, 0.999);
	st->max = s->samples[n - 1];
	st->mean = sum / (double)n;
}

static int sample(struct side *s, double ns)
{
	double *more;

	if (s->nsamples == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 4096;
		more = realloc(s->samples, s->cap * sizeof(double));
		if (!more)
			FAIL(s, -ENOMEM, "out of memory for latency samples");
		s->samples = more;
	}
	s->samples[s->nsamples++] = ns;
	return 0;
}

/* ---- ping-pong ---------------------------------------------------------------------------- */

static int pingpong_client(struct side *s, struct lat_stats *st)
{
	bool native = s->pt->b->flags & KIPC_TRANSPORT_NATIVE_CALL;
	size_t len = s->pt->size;
	unsigned char *req = NULL, *reply = NULL;
	unsigned int flags, f;
	struct clock c;
	long long t0, t1 = 0;
	unsigned long i;
	int ret = 0;

	if (native) {
		req = malloc(len);
		reply = malloc(len);
		if (!req || !reply)
			FAIL(s, -ENOMEM, "out of memory");
	}
	s->nsamples = 0;
	clock_start(&c, s->o);
	for (i = 0; !ret; i++) {
		flags = last(&c, i, t1) ? F_LAST : 0;
		t0 = now_ns();
		if (native) {
			build(s, req, len, i, flags);
			ret = (int)kipc_transport_call(s->tp, req, len, reply, len,
						       KIPC_FOREVER);
			ret = ret < 0 ? ret : check(s, reply, (size_t)ret, i, &f);
			if (ret < 0)
				FAIL(s, ret, "call: %s", strerror(-ret));
		} else {
			ret = send_one(s, i, flags);
			if (!ret)
				ret = recv_one(s, i, &f);
		}
		t1 = now_ns();
		if (!ret && !(f & F_REPLY))
			FAIL(s, 1, "message %lu: the echo is not a reply", i);
		if (!ret && measuring(&c, i, t0))
			ret = sample(s, (double)(t1 - t0));
		if (flags & F_LAST)
			break;
	}
	s->units = i + 1;
	free(req);
	free(reply);
	if (!ret)
		lat_stats(s, st);
	return ret;
}

/*
 * The server of an RPC backend: its reply and its wait for the next request are one call
 * (KIPC_IOC_CALL the other way round), binder's WRITE_READ, so a round trip is two syscalls.
 */
static int pingpong_rpc_server(struct side *s)
{
	size_t len = s->pt->size;
	unsigned char *req = malloc(len), *reply = malloc(len);
	unsigned int flags = 0;
	int ret = -ENOMEM;
	__u64 seq;
	long n;

	if (!req || !reply)
		goto out;
	n = kipc_transport_recv(s->tp, req, len, KIPC_FOREVER);
	for (seq = 0;; seq++) {
		if (n < 0) {
			ret = (int)n;
			FAIL_AT(out, s, ret, "receive: %s", strerror(-ret));
		}
		ret = check(s, req, (size_t)n, seq, &flags);
		if (ret)
			goto out;
		build(s, reply, len, seq, F_REPLY | (flags & F_LAST));
		if (flags & F_LAST)
			break;
		n = kipc_transport_call(s->tp, reply, len, req, len, KIPC_FOREVER);
	}
	ret = kipc_transport_send(s->tp, reply, len, KIPC_FOREVER);
	if (ret)
		FAIL_AT(out, s, ret, "send: %s", strerror(-ret));
out:
	free(req);
	free(reply);
	return ret;
}

static int pingpong_server(struct side *s)
{
	const void *msg;
	void *room;
	size_t len;
	unsigned int flags = 0;
	__u64 seq;
	int err = 0;

	for (seq = 0; !(flags & F_LAST); seq++) {
		msg = kipc_transport_recv_begin(s->tp, &len, KIPC_FOREVER, &err);
		if (!msg)
			FAIL(s, err, "receive: %s", strerror(-err));
		err = check(s, msg, len, seq, &flags);
		if (err)
			return err;
		room = kipc_transport_send_begin(s->tp, s->pt->size, KIPC_FOREVER, &err);
		if (!room)
			FAIL(s, err, "send_begin: %s", strerror(-err));
		build(s, room, s->pt->size, seq, F_REPLY | (flags & F_LAST));
		TRY(s, kipc_transport_send_commit(s->tp, s->pt->size), "send");
		TRY(s, kipc_transport_recv_done(s->tp), "recv_done");
	}
	return 0;
}

/* ---- streams ------------------------------------------------------------------------------ */

/* Send @n messages from @seq on in batches; the last is flagged when @flag_last. */
static int send_batch(struct side *s, unsigned char **bufs, struct kipc_transport_msg *msgs,
		      unsigned int n, __u64 seq, bool flag_last)
{
	unsigned int i, done = 0;
	int ret;

	for (i = 0; i < n; i++) {
		build(s, bufs[i], s->pt->size, seq + i, flag_last && i == n - 1 ? F_LAST : 0);
		msgs[i].buf = bufs[i];
		msgs[i].len = s->pt->size;
	}
	while (done < n) {
		ret = kipc_transport_send_batch(s->tp, msgs + done, n - done,
						KIPC_FOREVER);
		if (ret < 0)
			FAIL(s, ret, "send_batch: %s", strerror(-ret));
		done += (unsigned int)ret;
	}
	return 0;
}

static int alloc_batch(struct side *s, unsigned char ***bufs, struct kipc_transport_msg **msgs)
{
	unsigned int i, n = s->pt->batch;

	*bufs = calloc(n, sizeof(**bufs));
	*msgs = calloc(n, sizeof(**msgs));
	if (!*bufs || !*msgs)
		FAIL(s, -ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		(*bufs)[i] = malloc(s->pt->size);
		if (!(*bufs)[i])
			FAIL(s, -ENOMEM, "out of memory");
	}
	return 0;
}

static void free_batch(const struct side *s, unsigned char **bufs, struct kipc_transport_msg *msgs)
{
	unsigned int i;

	for (i = 0; bufs && i < s->pt->batch; i++)
		free(bufs[i]);
	free(bufs);
	free(msgs);
}

static int stream_sender(struct side *s, struct thr_stats *st)
{
	struct kipc_transport_msg *msgs = NULL;
	unsigned char **bufs = NULL;
	unsigned int batch = s->pt->wl == WL_BATCH ? s->pt->batch : 1, f;
	unsigned long i = 0, first = 0;
	long long now = now_ns(), t_start = 0;
	struct clock c;
	bool end = false, started = false;
	int ret = 0;

	if (batch > 1)
		ret = alloc_batch(s, &bufs, &msgs);
	clock_start(&c, s->o);
	while (!ret && !end) {
		if (!started && measuring(&c, i, now)) {
			started = true;
			first = i;
			t_start = now;
		}
		end = last(&c, i + batch - 1, now);
		if (batch > 1)
			ret = send_batch(s, bufs, msgs, batch, i, end);
		else
			ret = send_one(s, i, end ? F_LAST : 0);
		i += batch;
		now = now_ns();
	}
	free_batch(s, bufs, msgs);
	if (ret)
		return ret;
	/* The receiver's ack: everything has arrived and been checked. */
	ret = recv_one(s, i, &f);
	if (ret)
		return ret;
	now = now_ns();
	if (!started)
		t_start = now;
	s->units = i;
	st->msgs = i - first;
	st->secs = (double)(now - t_start) / 1e9;
	st->msgs_s = st->secs > 0 ? (double)st->msgs / st->secs : 0;
	st->mib_s = st->msgs_s * (double)s->pt->size / (1 << 20);
	return 0;
}

static int stream_receiver(struct side *s)
{
	struct kipc_transport_msg *msgs = NULL;
	unsigned char **bufs = NULL;
	unsigned int batch = s->pt->wl == WL_BATCH ? s->pt->batch : 1, flags = 0, j;
	__u64 seq = 0;
	int n, ret = 0;

	if (batch > 1)
		ret = alloc_batch(s, &bufs, &msgs);
	while (!ret && !(flags & F_LAST)) {
		if (batch == 1) {
			ret = recv_one(s, seq++, &flags);
			continue;
		}
		for (j = 0; j < batch; j++)
			msgs[j] = (struct kipc_transport_msg){ bufs[j], s->pt->size };
		n = kipc_transport_recv_batch(s->tp, msgs, batch, KIPC_FOREVER);
		if (n < 0) {
			s->sh->failed[s->id] = n;
			snprintf(s->sh->error[s->id], sizeof(s->sh->error[0]), "recv_batch: %s",
				 strerror(-n));
			ret = n;
		}
		for (j = 0; !ret && j < (unsigned int)n && !(flags & F_LAST); j++)
			ret = check(s, bufs[j], msgs[j].len, seq++, &flags);
	}
	free_batch(s, bufs, msgs);
	return ret ? ret : send_one(s, seq, F_REPLY);
}

/* ---- a point ------------------------------------------------------------------------------ */

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/*
 * The floor a copy-free transport is held to: one thread's memcpy of @size bytes, in MiB/s, on
 * the driving side's CPU when pinned, warmed up and repeated as a point is.  This process's
 * CPU mask is put back afterwards, so that the sides it forks are pinned only as asked.
 */
struct spread memcpy_bandwidth(const struct bench_opts *o, size_t size)
{
	long long run = o->duration_ns ? o->duration_ns : 40000000LL, start, t;
	unsigned char *src = malloc(size), *dst = malloc(size);
	double mib_s[MAX_REPEATS + 1];
	struct spread none = { 0, 0, 0 };
	unsigned long n;
	cpu_set_t saved;
	unsigned int r;

	if (!src || !dst) {
		free(src);
		free(dst);
		return none;
	}
	memset(src, 0x5a, size);
	memset(dst, 0, size);
	sched_getaffinity(0, sizeof(saved), &saved);
	pin(o->pin[0]);
	/* Run 0 is the warm-up. */
	for (r = 0; r <= o->repeats; r++) {
		start = now_ns();
		n = 0;
		do {
			memcpy(dst, src, size);
			/* The copy is used, so it cannot be left out. */
			__asm__ __volatile__("" : : "r"(dst), "r"(src) : "memory");
			n++;
		} while ((t = now_ns()) - start < (r ? run : run * o->warmup_pct / 100));
		mib_s[r] = (double)n * (double)size / (1 << 20) / ((double)(t - start) / 1e9);
	}
	sched_setaffinity(0, sizeof(saved), &saved);
	free(src);
	free(dst);
	return spread_of(mib_s + 1, o->repeats);
}

static inline void spin_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

/*
 * The physical floor of a shared-memory round trip: two processes, on the two sides' CPUs,
 * bounce one cache line by spinning on it (a counter each side bumps in turn), with no
 * message, no check and no system call.  Microseconds per round trip, repeated as a point
 * is.  A ring that spins is held to within 3x of it.  0s when there is no second CPU to pin.
 */
struct spread cacheline_pingpong(const struct bench_opts *o)
{
	long long run = o->duration_ns ? o->duration_ns : 40000000LL;
	struct spread none = { 0, 0, 0 };
	double us[MAX_REPEATS + 1];
	_Atomic uint64_t *line;
	unsigned int r;
	pid_t pid;
	int status;

	if (o->pin[0] < 0 || o->pin[1] < 0 || o->pin[0] == o->pin[1])
		return none;
	line = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (line == MAP_FAILED)
		return none;
	atomic_store(line, 0);
	pid = fork();
	if (pid < 0) {
		munmap((void *)line, 4096);
		return none;
	}
	if (!pid) {
		/* The answering side: odd values are its turn, to the end marker. */
		uint64_t v;

		pin(o->pin[1]);
		for (;;) {
			while (!((v = atomic_load_explicit(line, memory_order_acquire)) & 1))
				spin_pause();
			if (v == UINT64_MAX)
				_exit(0);
			atomic_store_explicit(line, v + 1, memory_order_release);
		}
	}
	{
		cpu_set_t saved;
		uint64_t v = 0;

		sched_getaffinity(0, sizeof(saved), &saved);
		pin(o->pin[0]);
		/* Run 0 is the warm-up. */
		for (r = 0; r <= o->repeats; r++) {
			long long start = now_ns(), t;
			unsigned long n = 0;

			do {
				for (int k = 0; k < 1000; k++, n++) {
					atomic_store_explicit(line, v + 1, memory_order_release);
					while (atomic_load_explicit(line, memory_order_acquire) != v + 2)
						spin_pause();
					v += 2;
				}
			} while ((t = now_ns()) - start < (r ? run : run * o->warmup_pct / 100));
			us[r] = (double)(t - start) / 1e3 / (double)n;
		}
		/* The end marker is odd, so the answering side sees it as its turn. */
		atomic_store_explicit(line, UINT64_MAX, memory_order_release);
		waitpid(pid, &status, 0);
		sched_setaffinity(0, sizeof(saved), &saved);
	}
	munmap((void *)line, 4096);
	return spread_of(us + 1, o->repeats);
}

int workload_side(const struct bench_opts *o, const struct point *pt, unsigned int id,
		  struct kipc_transport *tp, struct point_shared *sh)
{
	struct side s = { .o = o, .pt = pt, .id = id, .tp = tp, .sh = sh };
	unsigned int r;
	size_t i;
	int ret = 0;

	pin(o->pin[id]);
	if (kipc_transport_max_msg(tp) < pt->size) {
		sh->max_msg = kipc_transport_max_msg(tp);
		return 0;
	}
	s.tmpl = malloc(pt->size);
	if (!s.tmpl)
		FAIL(&s, -ENOMEM, "out of memory");
	srand(42);
	for (i = 0; i < pt->size; i++)
		s.tmpl[i] = (unsigned char)rand();
	s.sum = pt->size >= HDR ? checksum(s.tmpl + HDR, pt->size - HDR) : 0;
	for (r = 0; r < o->repeats && !ret; r++) {
		double cpu0 = cpu_ns();

		if (pt->wl == WL_LATENCY)
			ret = !id ? pingpong_client(&s, &sh->lat[r]) :
			      pt->b->flags & KIPC_TRANSPORT_NATIVE_RPC ? pingpong_rpc_server(&s) :
			      pingpong_server(&s);
		else
			ret = id ? stream_receiver(&s) : stream_sender(&s, &sh->thr[r]);
		/* Sleeping costs none; spinning, copying and system calls do, on either side. */
		sh->cpu_ns[id][r] = cpu_ns() - cpu0;
		if (!id)
			sh->units[r] = s.units;
		if (!ret && !id)
			sh->done = r + 1;
	}
	free(s.tmpl);
	free(s.samples);
	return ret ? 1 : 0;
}

struct spread spread_of(const double *v, unsigned int n)
{
	double sorted[MAX_REPEATS];
	struct spread sp = { 0, 0, 0 };

	if (!n)
		return sp;
	memcpy(sorted, v, n * sizeof(double));
	qsort(sorted, n, sizeof(double), cmp_double);
	sp.min = sorted[0];
	sp.max = sorted[n - 1];
	sp.med = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
	return sp;
}
