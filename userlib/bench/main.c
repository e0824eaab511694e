// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: the comparison benchmark over libkipc's transport backends.
 *
 * Each point (backend, workload, message size, batch) runs in two fresh processes that take
 * the two sides of a new pair, while this process, which takes no side, waits for them under a
 * deadline and kills both if they overrun: a backend that hangs costs a point, not the run.
 * The measurements come back through shared memory; the sides exit 0, or 1 with the reason.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static const size_t default_sizes[] = { 8, 64, 512, 4096, 32768, 262144, 1048576 };
static const size_t quick_sizes[] = { 64, 4096, 65536, 1048576 };
static const unsigned int default_batches[] = { 1, 16, 64 };

static void usage(FILE *f)
{
	fprintf(f,
"usage: kipc-bench [options]\n"
"       kipc-bench --compare DIR_A DIR_B     ratios of run B to run A (same mode only)\n"
"       kipc-bench --plot DIR                draw DIR's plots again (gnuplot)\n"
"       kipc-bench --list                    the backends, and which this system has\n"
"\n"
"  --backends A,B,...   backends to run (default: every one this system supports)\n"
"  --sizes N,N,...      message sizes in bytes, k/M suffixes allowed\n"
"                       (default 8,64,512,4k,32k,256k,1M; --quick: 64,4k,64k,1M)\n"
"  --workloads W,...    latency (ping-pong), stream (one-way), batch (default all three)\n"
"  --batches N,...      batch sizes of the batch workload (default 1,16,64)\n"
"  --batch-size N       message size of the batch workload (default 64)\n"
"  --duration MS        measured time per run (default 40; --quick 10)\n"
"  --count N            a fixed number of measured messages per run instead\n"
"  --warmup PCT         warm-up before each run, in percent of it (default 20)\n"
"  --repeats N          runs per point, for the spread (default 3; --quick 1)\n"
"  --pin CPU0,CPU1      pin the driving and the answering side\n"
"  --baseline NAME      the backend ratios are against (default pipe)\n"
"  --mode MODE          where this runs: host, vm-icount, vm-realtime\n"
"                       (default $KIPC_BENCH_MODE, else host)\n"
"  --out DIR            results folder (default kipc-bench-MODE)\n"
"  --no-plots           write the gnuplot script and data, but do not run gnuplot\n"
"  --quick              a short run (seconds)\n");
}

static size_t parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (*end == 'k' || *end == 'K')
		v <<= 10;
	else if (*end == 'm' || *end == 'M')
		v <<= 20;
	return (size_t)v;
}

static unsigned int parse_list(char *arg, size_t *out, unsigned int max, const char *what)
{
	unsigned int n = 0;
	char *tok, *save = NULL;

	for (tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == max) {
			fprintf(stderr, "kipc-bench: at most %u %s\n", max, what);
			exit(2);
		}
		out[n++] = parse_size(tok);
	}
	return n;
}

static bool mode_known(const char *mode)
{
	return !strcmp(mode, "host") || !strcmp(mode, "vm-icount") || !strcmp(mode, "vm-realtime");
}

static void list_backends(void)
{
	const struct kipc_transport_backend *b;
	unsigned int i;
	int ret;

	for (i = 0; (b = kipc_transport_backend(i)); i++) {
		ret = kipc_transport_probe(b);
		printf("%-20s %-12s %s\n", b->name, ret ? "unsupported" : "supported", b->summary);
	}
}

static void add_backend(struct bench_opts *o, const struct kipc_transport_backend *b)
{
	if (o->nbackends < MAX_BACKENDS)
		o->backends[o->nbackends++] = b;
}

static void parse_backends(struct bench_opts *o, char *arg)
{
	const struct kipc_transport_backend *b;
	char *tok, *save = NULL;
	int ret;

	for (tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		b = kipc_transport_find(tok);
		if (!b) {
			fprintf(stderr, "kipc-bench: no backend %s (see --list)\n", tok);
			exit(2);
		}
		ret = kipc_transport_probe(b);
		if (ret) {
			fprintf(stderr, "kipc-bench: skipping %s: %s\n", tok,
				ret == -ENODEV ? "no /dev/kipc" : "unsupported on this system");
			continue;
		}
		add_backend(o, b);
	}
}

static void parse_workloads(struct bench_opts *o, char *arg)
{
	char *tok, *save = NULL;

	o->latency = o->stream = o->batch = false;
	for (tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "latency"))
			o->latency = true;
		else if (!strcmp(tok, "stream"))
			o->stream = true;
		else if (!strcmp(tok, "batch"))
			o->batch = true;
		else {
			fprintf(stderr, "kipc-bench: no workload %s\n", tok);
			exit(2);
		}
	}
}

static void parse_options(struct bench_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "backends", required_argument, NULL, 'b' },
		{ "sizes", required_argument, NULL, 's' },
		{ "workloads", required_argument, NULL, 'w' },
		{ "batches", required_argument, NULL, 'B' },
		{ "batch-size", required_argument, NULL, 'S' },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'c' },
		{ "warmup", required_argument, NULL, 'W' },
		{ "repeats", required_argument, NULL, 'r' },
		{ "pin", required_argument, NULL, 'p' },
		{ "baseline", required_argument, NULL, 'L' },
		{ "mode", required_argument, NULL, 'm' },
		{ "out", required_argument, NULL, 'o' },
		{ "no-plots", no_argument, NULL, 'N' },
		{ "quick", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	size_t list[MAX_SIZES];
	char *backends = NULL, *sizes = NULL;
	unsigned int i, n;
	long repeats = -1, duration = -1;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'b': backends = optarg; break;
		case 's': sizes = optarg; break;
		case 'w': parse_workloads(o, optarg); break;
		case 'B':
			n = parse_list(optarg, list, MAX_BATCHES, "batch sizes");
			for (i = 0; i < n; i++)
				o->batches[i] = list[i] ? (unsigned int)list[i] : 1;
			o->nbatches = n;
			break;
		case 'S': o->batch_size = parse_size(optarg); break;
		case 'd': duration = strtol(optarg, NULL, 10); break;
		case 'c': o->count = strtoul(optarg, NULL, 10); break;
		case 'W': o->warmup_pct = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'r': repeats = strtol(optarg, NULL, 10); break;
		case 'p':
			if (sscanf(optarg, "%d,%d", &o->pin[0], &o->pin[1]) != 2) {
				fprintf(stderr, "kipc-bench: --pin takes two CPUs, as 0,1\n");
				exit(2);
			}
			break;
		case 'L': o->baseline = optarg; break;
		case 'm': o->mode = optarg; break;
		case 'o': o->out = optarg; break;
		case 'N': o->plots = false; break;
		case 'q': o->quick = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc) {
		usage(stderr);
		exit(2);
	}
	if (!mode_known(o->mode)) {
		fprintf(stderr, "kipc-bench: --mode is host, vm-icount or vm-realtime, not %s\n",
			o->mode);
		exit(2);
	}
	o->repeats = repeats > 0 ? (unsigned int)repeats : o->quick ? 1 : 3;
	if (o->repeats > MAX_REPEATS)
		o->repeats = MAX_REPEATS;
	o->duration_ns = (duration > 0 ? duration : o->quick ? 10 : 40) * 1000000LL;
	if (o->count)
		o->duration_ns = 0;
	if (sizes) {
		o->nsizes = parse_list(sizes, o->sizes, MAX_SIZES, "sizes");
	} else if (o->quick) {
		memcpy(o->sizes, quick_sizes, sizeof(quick_sizes));
		o->nsizes = sizeof(quick_sizes) / sizeof(quick_sizes[0]);
	} else {
		memcpy(o->sizes, default_sizes, sizeof(default_sizes));
		o->nsizes = sizeof(default_sizes) / sizeof(default_sizes[0]);
	}
	for (i = 0; i < o->nsizes; i++) {
		if (o->sizes[i] < 8) {
			fprintf(stderr, "kipc-bench: messages are at least 8 bytes\n");
			exit(2);
		}
	}
	if (o->batch_size < 8)
		o->batch_size = 64;
	if (backends) {
		parse_backends(o, backends);
	} else {
		const struct kipc_transport_backend *b;

		for (i = 0; (b = kipc_transport_backend(i)); i++)
			if (!kipc_transport_probe(b))
				add_backend(o, b);
	}
	if (!o->nbackends) {
		fprintf(stderr, "kipc-bench: no backend to run\n");
		exit(2);
	}
}

/* ---- running a point ---------------------------------------------------------------------- */

static int take_side(const struct bench_opts *o, const struct point *pt,
		     struct kipc_transport_pair *pair, unsigned int side, struct point_shared *sh)
{
	struct kipc_transport *tp;
	int ret = kipc_transport_pair_side(pair, side, 10000000000LL, &tp);

	if (ret) {
		sh->failed[side] = ret;
		snprintf(sh->error[side], sizeof(sh->error[0]), "opening side %u: %s", side,
			 strerror(-ret));
		return 1;
	}
	ret = workload_side(o, pt, side, tp, sh);
	kipc_transport_close(tp);
	return ret;
}

/* Time for a point before it counts as hung: its runs, generously, and 20 s to set up. */
static long long point_deadline(const struct bench_opts *o)
{
	long long run = o->count ? 30000000000LL : o->duration_ns * (100 + o->warmup_pct) / 100;

	return (long long)o->repeats * run * 5 + 20000000000LL;
}

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void summarize(const struct bench_opts *o, struct point *pt, const struct point_shared *sh)
{
	double v[7][MAX_REPEATS];
	unsigned int r, n = sh->done;

	pt->repeats = n;
	for (r = 0; r < n; r++) {
		v[0][r] = sh->lat[r].p50;
		v[1][r] = sh->lat[r].p90;
		v[2][r] = sh->lat[r].p99;
		v[3][r] = sh->lat[r].p999;
		v[4][r] = sh->lat[r].max;
		v[5][r] = sh->thr[r].msgs_s;
		v[6][r] = sh->thr[r].mib_s;
	}
	(void)o;
	if (pt->wl == WL_LATENCY) {
		pt->p50 = spread_of(v[0], n);
		pt->p90 = spread_of(v[1], n);
		pt->p99 = spread_of(v[2], n);
		pt->p999 = spread_of(v[3], n);
		pt->max = spread_of(v[4], n);
	} else {
		pt->msgs_s = spread_of(v[5], n);
		pt->mib_s = spread_of(v[6], n);
	}
}

static void run_point(const struct bench_opts *o, struct point *pt)
{
	struct kipc_transport_attr attr = { .max_msg = pt->size };
	struct kipc_transport_pair *pair;
	struct point_shared *sh;
	long long end = mono_ns() + point_deadline(o);
	struct timespec wait_ts;
	long long now;
	sigset_t chld;
	pid_t pid[2];
	int status[2] = { 0, 0 }, ret;
	unsigned int s, left = 2;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		pt->status = PT_FAILED;
		snprintf(pt->error, sizeof(pt->error), "mmap: %s", strerror(errno));
		return;
	}
	ret = kipc_transport_pair(pt->b->name, &attr, &pair);
	if (ret) {
		pt->status = PT_FAILED;
		snprintf(pt->error, sizeof(pt->error), "opening a pair: %s", strerror(-ret));
		goto out_unmap;
	}
	fflush(NULL);
	for (s = 0; s < 2; s++) {
		pid[s] = fork();
		if (!pid[s]) {
			sigprocmask(SIG_UNBLOCK, &chld, NULL);
			_exit(take_side(o, pt, pair, s, sh));
		}
	}
	kipc_transport_pair_close(pair, pid[0] < 0 || pid[1] < 0);
	for (s = 0; s < 2; s++)
		if (pid[s] < 0)
			left--;
	/*
	 * Wait for both, within the deadline, then whoever is left goes.  SIGCHLD is blocked
	 * (see main()) and taken here, so this process sleeps until a side exits instead of
	 * waking now and then on a CPU the sides need.
	 */
	while (left) {
		for (s = 0; s < 2; s++) {
			if (pid[s] > 0 && waitpid(pid[s], &status[s], WNOHANG) == pid[s]) {
				pid[s] = 0;
				left--;
			}
		}
		now = mono_ns();
		if (!left || now >= end)
			break;
		wait_ts.tv_sec = (end - now) / 1000000000LL;
		wait_ts.tv_nsec = (end - now) % 1000000000LL;
		sigtimedwait(&chld, NULL, &wait_ts);
	}
	for (s = 0; s < 2; s++) {
		if (pid[s] > 0) {
			kill(pid[s], SIGKILL);
			waitpid(pid[s], &status[s], 0);
		}
	}
	if (left) {
		pt->status = PT_FAILED;
		snprintf(pt->error, sizeof(pt->error), "no result within %lld s (killed)",
			 point_deadline(o) / 1000000000LL);
	} else if (sh->max_msg) {
		pt->status = PT_LIMIT;
		pt->limit = sh->max_msg;
	} else if (sh->failed[0] || sh->failed[1] || status[0] || status[1]) {
		pt->status = PT_FAILED;
		/*
		 * A corrupt message (failed == 1) is the cause wherever it was seen; else the
		 * driving side's reason, since the other usually just saw it leave.
		 */
		s = sh->failed[1] == 1 && sh->failed[0] != 1 ? 1 : sh->error[0][0] ? 0 : 1;
		snprintf(pt->error, sizeof(pt->error), "%s: %.200s",
			 s ? "answering side" : "driving side", sh->error[s]);
		if (!pt->error[0])
			snprintf(pt->error, sizeof(pt->error), "a side died (status %#x, %#x)",
				 status[0], status[1]);
	} else {
		pt->status = PT_OK;
		summarize(o, pt, sh);
	}
out_unmap:
	munmap(sh, sizeof(*sh));
}

/* ---- the plan ----------------------------------------------------------------------------- */

static unsigned int plan(const struct bench_opts *o, struct point *pts)
{
	unsigned int n = 0, i, j;

	for (i = 0; i < o->nbackends; i++) {
		for (j = 0; o->latency && j < o->nsizes; j++)
			pts[n++] = (struct point){ .b = o->backends[i], .wl = WL_LATENCY,
						   .size = o->sizes[j], .batch = 1 };
		for (j = 0; o->stream && j < o->nsizes; j++)
			pts[n++] = (struct point){ .b = o->backends[i], .wl = WL_STREAM,
						   .size = o->sizes[j], .batch = 1 };
		for (j = 0; o->batch && j < o->nbatches; j++)
			pts[n++] = (struct point){ .b = o->backends[i], .wl = WL_BATCH,
						   .size = o->batch_size, .batch = o->batches[j] };
	}
	return n;
}

static void progress(unsigned int i, unsigned int n, const struct point *pt, long long t0)
{
	static bool tty = false, checked = false;
	char size[16];

	if (!checked) {
		tty = isatty(2);
		checked = true;
	}
	format_size(size, sizeof(size), pt->size);
	fprintf(stderr, "%s[%3u/%u %3llds] %-20s %-8s %6s", tty ? "\r\033[K" : "", i + 1, n,
		(mono_ns() - t0) / 1000000000LL, pt->b->name, workload_name(pt->wl), size);
	if (pt->wl == WL_BATCH)
		fprintf(stderr, " x%u", pt->batch);
	if (!tty)
		fprintf(stderr, "\n");
}

/* The same point of the baseline backend, or NULL. */
static const struct point *baseline_of(const struct bench_run *run, const struct point *pt)
{
	unsigned int i;
	const struct point *b;

	for (i = 0; i < run->npoints; i++) {
		b = &run->points[i];
		if (!strcmp(b->b->name, run->opts->baseline) && b->wl == pt->wl &&
		    b->size == pt->size && b->batch == pt->batch && b->status == PT_OK)
			return b;
	}
	return NULL;
}

static void describe_host(struct bench_run *run)
{
	char line[256], model[128] = "unknown CPU";
	struct utsname u;
	time_t now = time(NULL);
	FILE *f = fopen("/proc/cpuinfo", "r");
	char *p;

	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "model name", 10) && (p = strchr(line, ':'))) {
			snprintf(model, sizeof(model), "%s", p + 2);
			model[strcspn(model, "\n")] = '\0';
			break;
		}
	}
	if (f)
		fclose(f);
	uname(&u);
	snprintf(run->host, sizeof(run->host), "%s %s %s, %ld CPUs, %s", u.sysname, u.release,
		 u.machine, sysconf(_SC_NPROCESSORS_ONLN), model);
	strftime(run->date, sizeof(run->date), "%Y-%m-%dT%H:%M:%S%z", localtime(&now));
}

int main(int argc, char **argv)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	struct bench_opts o = {
		.mode = getenv("KIPC_BENCH_MODE") ? getenv("KIPC_BENCH_MODE") : "host",
		.baseline = "pipe",
		.batch_size = 64,
		.latency = true, .stream = true, .batch = true,
		.warmup_pct = 20,
		.pin = { -1, -1 },
		.plots = true,
	};
	struct bench_run run = { .opts = &o };
	sigset_t chld;
	char outbuf[64];
	unsigned int i;
	long long t0;
	const struct point *base;

	if (argc == 4 && !strcmp(argv[1], "--compare"))
		return report_compare(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "--plot"))
		return report_plot(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "--list")) {
		list_backends();
		return 0;
	}
	memcpy(o.batches, default_batches, sizeof(default_batches));
	o.nbatches = sizeof(default_batches) / sizeof(default_batches[0]);
	parse_options(&o, argc, argv);
	if (!o.out) {
		snprintf(outbuf, sizeof(outbuf), "kipc-bench-%s", o.mode);
		o.out = outbuf;
	}
	/* As root: POSIX mq may then hold 1 MiB messages (RLIMIT_MSGQUEUE is 800 KiB). */
	setrlimit(RLIMIT_MSGQUEUE, &unlimited);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);

	run.points = calloc(o.nbackends * (2 * o.nsizes + o.nbatches), sizeof(*run.points));
	if (!run.points)
		return 1;
	run.npoints = plan(&o, run.points);
	describe_host(&run);
	if (!strcmp(o.mode, "host"))
		run.memcpy_mib_s = memcpy_bandwidth(&o, MEMCPY_SIZE);
	fprintf(stderr, "kipc-bench: %u points, %u backends, mode %s, %u repeat(s) of %s\n",
		run.npoints, o.nbackends, o.mode, o.repeats,
		o.count ? "a fixed count" : o.quick ? "10 ms" : "the duration");
	t0 = mono_ns();
	for (i = 0; i < run.npoints; i++) {
		progress(i, run.npoints, &run.points[i], t0);
		run_point(&o, &run.points[i]);
		if (run.points[i].status == PT_FAILED)
			fprintf(stderr, "%skipc-bench: %s %s %zu B: FAILED: %s\n",
				isatty(2) ? "\n" : "", run.points[i].b->name,
				workload_name(run.points[i].wl), run.points[i].size,
				run.points[i].error);
	}
	fprintf(stderr, "%skipc-bench: done in %.1f s\n", isatty(2) ? "\r\033[K" : "",
		(double)(mono_ns() - t0) / 1e9);
	for (i = 0; i < run.npoints; i++) {
		base = baseline_of(&run, &run.points[i]);
		if (!base || run.points[i].status != PT_OK)
			continue;
		if (run.points[i].wl == WL_LATENCY && base->p50.med > 0)
			run.points[i].ratio = run.points[i].p50.med / base->p50.med;
		else if (run.points[i].wl != WL_LATENCY && base->msgs_s.med > 0)
			run.points[i].ratio = run.points[i].msgs_s.med / base->msgs_s.med;
	}
	report_all(&run);
	for (i = 0; i < run.npoints; i++)
		if (run.points[i].status == PT_FAILED)
			return 1;
	return 0;
}
