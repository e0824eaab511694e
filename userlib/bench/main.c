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
"  --pairs N            also the 64 B stream of each backend on 1 pair (CPU 0) and on N\n"
"                       independent pairs at once (pair k on CPU k): how it scales\n"
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
			/* The others still run; the exit status says one asked for did not. */
			fprintf(stderr, "kipc-bench: %s cannot run here: %s\n", tok,
				ret == -ENODEV ? "no /dev/kipc" : "unsupported on this system");
			if (o->nmissing < MAX_BACKENDS) {
				o->missing[o->nmissing] = b->name;
				o->missing_why[o->nmissing++] = ret == -ENODEV ? "no /dev/kipc" :
								 "unsupported on this system";
			}
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
		{ "pairs", required_argument, NULL, 'P' },
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
		case 'P':
			o->pairs = (unsigned int)strtoul(optarg, NULL, 10);
			if (o->pairs < 2 || o->pairs > MAX_PAIRS) {
				fprintf(stderr, "kipc-bench: --pairs takes 2 to %d\n", MAX_PAIRS);
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
	double v[8][MAX_REPEATS];
	unsigned int r, n = sh->done;

	pt->repeats = n;
	pt->samples = 0;
	for (r = 0; r < n; r++) {
		unsigned long got = pt->wl == WL_LATENCY ? sh->lat[r].n : sh->units[r];

		if (!r || got < pt->samples)
			pt->samples = got;
		v[0][r] = sh->lat[r].p50;
		v[1][r] = sh->lat[r].p90;
		v[2][r] = sh->lat[r].p99;
		v[3][r] = sh->lat[r].p999;
		v[4][r] = sh->lat[r].max;
		v[5][r] = sh->thr[r].msgs_s;
		v[6][r] = sh->thr[r].mib_s;
		v[7][r] = sh->units[r] ? (sh->cpu_ns[0][r] + sh->cpu_ns[1][r]) / sh->units[r] : 0;
	}
	pt->cpu = spread_of(v[7], n);
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

/*
 * Run @pt on @n pairs at once, pair k's sides under @opts[k] (its pins), each pair with its
 * own transport pair and results in @sh[k] (shared memory the caller mapped).  Sets
 * pt->status (and pt->error, pt->limit) from the first pair that did not end well.
 */
static void run_pairs(const struct bench_opts *const *opts, struct point *pt, unsigned int n,
		      struct point_shared *sh)
{
	struct kipc_transport_attr attr = { .max_msg = pt->size };
	struct kipc_transport_pair *pair[MAX_PAIRS];
	long long end = mono_ns() + point_deadline(opts[0]);
	int status[MAX_PAIRS][2] = { { 0 } }, ret;
	pid_t pid[MAX_PAIRS][2] = { { 0 } };
	unsigned int s, k, left = 0;
	struct timespec wait_ts;
	long long now;
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (k = 0; k < n; k++) {
		ret = kipc_transport_pair(pt->b->name, &attr, &pair[k]);
		if (ret) {
			pt->status = PT_FAILED;
			snprintf(pt->error, sizeof(pt->error), "opening a pair: %s", strerror(-ret));
			while (k--)
				kipc_transport_pair_close(pair[k], true);
			return;
		}
	}
	fflush(NULL);
	for (k = 0; k < n; k++) {
		for (s = 0; s < 2; s++) {
			pid[k][s] = fork();
			if (!pid[k][s]) {
				sigprocmask(SIG_UNBLOCK, &chld, NULL);
				_exit(take_side(opts[k], pt, pair[k], s, &sh[k]));
			}
			if (pid[k][s] > 0)
				left++;
		}
		kipc_transport_pair_close(pair[k], pid[k][0] < 0 || pid[k][1] < 0);
	}
	/*
	 * Wait for all, within the deadline, then whoever is left goes.  SIGCHLD is blocked
	 * (see main()) and taken here, so this process sleeps until a side exits instead of
	 * waking now and then on a CPU the sides need.
	 */
	while (left) {
		for (k = 0; k < n; k++) {
			for (s = 0; s < 2; s++) {
				if (pid[k][s] > 0 &&
				    waitpid(pid[k][s], &status[k][s], WNOHANG) == pid[k][s]) {
					pid[k][s] = 0;
					left--;
				}
			}
		}
		now = mono_ns();
		if (!left || now >= end)
			break;
		wait_ts.tv_sec = (end - now) / 1000000000LL;
		wait_ts.tv_nsec = (end - now) % 1000000000LL;
		sigtimedwait(&chld, NULL, &wait_ts);
	}
	for (k = 0; k < n; k++) {
		for (s = 0; s < 2; s++) {
			if (pid[k][s] > 0) {
				kill(pid[k][s], SIGKILL);
				waitpid(pid[k][s], &status[k][s], 0);
			}
		}
	}
	pt->status = PT_OK;
	if (left) {
		pt->status = PT_FAILED;
		snprintf(pt->error, sizeof(pt->error), "no result within %lld s (killed)",
			 point_deadline(opts[0]) / 1000000000LL);
		return;
	}
	for (k = 0; k < n; k++) {
		if (sh[k].max_msg) {
			pt->status = PT_LIMIT;
			pt->limit = sh[k].max_msg;
			return;
		}
		if (sh[k].failed[0] || sh[k].failed[1] || status[k][0] || status[k][1]) {
			pt->status = PT_FAILED;
			/*
			 * A corrupt message (failed == 1) is the cause wherever it was seen; else
			 * the driving side's reason, since the other usually just saw it leave.
			 */
			s = sh[k].failed[1] == 1 && sh[k].failed[0] != 1 ? 1 :
			    sh[k].error[0][0] ? 0 : 1;
			snprintf(pt->error, sizeof(pt->error), "%s: %.200s",
				 s ? "answering side" : "driving side", sh[k].error[s]);
			if (!sh[k].error[s][0])
				snprintf(pt->error, sizeof(pt->error),
					 "a side died (status %#x, %#x)", status[k][0], status[k][1]);
			return;
		}
	}
}

static struct point_shared *map_shared(unsigned int n)
{
	void *sh = mmap(NULL, n * sizeof(struct point_shared), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return sh == MAP_FAILED ? NULL : sh;
}

static void run_point(const struct bench_opts *o, struct point *pt)
{
	struct point_shared *sh = map_shared(1);

	if (!sh) {
		pt->status = PT_FAILED;
		snprintf(pt->error, sizeof(pt->error), "mmap: %s", strerror(errno));
		return;
	}
	run_pairs(&o, pt, 1, sh);
	if (pt->status == PT_OK)
		summarize(o, pt, sh);
	munmap(sh, sizeof(*sh));
}

/*
 * Scaling: the 64-byte stream of @sc->b on one pair, both sides on CPU 0, then on o->pairs
 * pairs at once, pair k's two sides on CPU k (mod the CPUs online): independent pairs on
 * their own CPUs, so the figure is what the mechanism shares between them (locks, lines,
 * counters).  Messages per second summed over the pairs, per repeat.
 */
static void run_scaling(const struct bench_opts *o, struct scaling *sc)
{
	struct bench_opts each[MAX_PAIRS];
	const struct bench_opts *opts[MAX_PAIRS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	double one[MAX_REPEATS], many[MAX_REPEATS];
	struct point pt = { .b = sc->b, .wl = WL_STREAM, .size = 64, .batch = 1 };
	struct point_shared *sh = map_shared(o->pairs);
	unsigned int k, r, n = o->pairs;

	sc->status = PT_FAILED;
	if (!sh)
		return;
	for (k = 0; k < n; k++) {
		each[k] = *o;
		each[k].pin[0] = each[k].pin[1] = (int)(k % (unsigned long)(cpus > 0 ? cpus : 1));
		opts[k] = &each[k];
	}
	run_pairs(opts, &pt, 1, sh);
	if (pt.status != PT_OK)
		goto out;
	for (r = 0; r < sh[0].done; r++)
		one[r] = sh[0].thr[r].msgs_s;
	sc->one = spread_of(one, sh[0].done);
	memset(sh, 0, n * sizeof(*sh));
	run_pairs(opts, &pt, n, sh);
	if (pt.status != PT_OK)
		goto out;
	for (r = 0; r < o->repeats; r++) {
		many[r] = 0;
		for (k = 0; k < n; k++)
			many[r] += r < sh[k].done ? sh[k].thr[r].msgs_s : 0;
	}
	sc->many = spread_of(many, o->repeats);
out:
	sc->status = pt.status;
	snprintf(sc->error, sizeof(sc->error), "%s", pt.error);
	munmap(sh, n * sizeof(*sh));
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
	if (!strcmp(o.mode, "host")) {
		run.memcpy_mib_s = memcpy_bandwidth(&o, MEMCPY_SIZE);
		run.line_us = cacheline_pingpong(&o);
	}
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
	if (o.pairs) {
		run.scaling = calloc(o.nbackends, sizeof(*run.scaling));
		if (!run.scaling)
			return 1;
		for (i = 0; i < o.nbackends; i++) {
			run.scaling[i].b = o.backends[i];
			fprintf(stderr, "kipc-bench: %s, 1 and %u pairs\n", o.backends[i]->name,
				o.pairs);
			run_scaling(&o, &run.scaling[i]);
		}
		run.nscaling = o.nbackends;
	}
	report_all(&run);
	for (i = 0; i < o.nmissing; i++)
		fprintf(stderr, "kipc-bench: %s was asked for and did not run: %s\n", o.missing[i],
			o.missing_why[i]);
	if (o.nmissing)
		return 1;
	for (i = 0; i < run.npoints; i++)
		if (run.points[i].status == PT_FAILED)
			return 1;
	return 0;
}
