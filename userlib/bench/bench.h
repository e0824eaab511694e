/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc-bench: one workload over every transport backend, measured honestly.
 *
 * main.c     options, the plan (which backend, workload, size, batch), running each point in
 *            two processes under a deadline, progress
 * workload.c what the two processes do: ping-pong, one-way stream, batches; building and
 *            checking every message (sequence + checksum), timing, percentiles
 * report.c   the aligned tables, CSV, JSON, gnuplot data and script, and --compare
 */
#ifndef KIPC_BENCH_H
#define KIPC_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "kipc-transport.h"

#define MAX_REPEATS	16
#define MAX_SIZES	32
#define MAX_BATCHES	8
#define MAX_BACKENDS	32
#define MAX_PAIRS	8

enum workload {
	WL_LATENCY,	/* ping-pong round trips, one message each way */
	WL_STREAM,	/* one-way throughput, one message per send */
	WL_BATCH,	/* one-way throughput, @batch messages per send_batch/recv_batch */
};

struct bench_opts {
	const char *mode;		/* host, vm-icount, vm-realtime */
	const char *out;		/* the results folder */
	const char *baseline;		/* backend the ratios are against */
	const struct kipc_transport_backend *backends[MAX_BACKENDS];
	unsigned int nbackends;
	size_t sizes[MAX_SIZES];
	unsigned int nsizes;
	unsigned int batches[MAX_BATCHES];
	unsigned int nbatches;
	size_t batch_size;		/* message size of the batch workload */
	bool latency, stream, batch;	/* which workloads */
	unsigned int repeats;
	long long duration_ns;		/* per measurement, after the warm-up ... */
	unsigned long count;		/* ... or a fixed message count (then duration is 0) */
	unsigned int warmup_pct;	/* warm-up, in percent of the measurement */
	int pin[2];			/* CPUs of the two sides, -1 for none */
	unsigned int pairs;		/* scaling: this many pairs at once, 0 for none */
	bool plots;
	bool quick;
	/* Backends asked for by name that cannot run here, and why: the exit status says so. */
	const char *missing[MAX_BACKENDS];
	const char *missing_why[MAX_BACKENDS];
	unsigned int nmissing;
};

/* One measurement, one repeat. */
struct lat_stats {
	unsigned long n;
	double p50, p90, p99, p999, max, mean;	/* nanoseconds */
};

struct thr_stats {
	unsigned long msgs;
	double secs, msgs_s, mib_s;
};

/* What the two processes of a point report (in memory shared with the coordinator). */
struct point_shared {
	int failed[2];			/* per side: a -errno, or 1 for a corrupt message */
	char error[2][200];
	size_t max_msg;			/* the endpoint's limit, when below the size asked */
	unsigned int done;		/* repeats completed */
	struct lat_stats lat[MAX_REPEATS];
	struct thr_stats thr[MAX_REPEATS];
	double cpu_ns[2][MAX_REPEATS];	/* per side and repeat: its CPU time over the run */
	unsigned long units[MAX_REPEATS];	/* round trips (latency) or messages of the run */
};

/* Median, min and max over the repeats. */
struct spread {
	double med, min, max;
};

enum point_status {
	PT_OK,
	PT_LIMIT,	/* the size is above the backend's limit here */
	PT_FAILED,	/* an error, a corrupt message, or no verdict in time */
};

struct point {
	const struct kipc_transport_backend *b;
	enum workload wl;
	size_t size;
	unsigned int batch;
	enum point_status status;
	char error[240];
	size_t limit;
	unsigned int repeats;
	struct spread p50, p90, p99, p999, max, msgs_s, mib_s;
	struct spread cpu;		/* both sides' CPU ns per round trip or message */
	unsigned long samples;		/* the fewest round trips (or messages) of a repeat: */
					/* what each repeat's percentiles are taken over */
	double ratio;			/* against the baseline's same point, 0 when none */
};

/* --pairs: one backend's 64 B stream on one pair, then on o->pairs pairs at once. */
struct scaling {
	const struct kipc_transport_backend *b;
	enum point_status status;
	char error[240];
	struct spread one, many;	/* messages/s: one pair; all pairs summed */
};

struct bench_run {
	const struct bench_opts *opts;
	struct point *points;
	unsigned int npoints;
	char host[256];			/* uname, CPUs, CPU model */
	char date[64];
	struct spread memcpy_mib_s;	/* host: one thread's memcpy of MEMCPY_SIZE, or 0 */
	struct spread line_us;		/* host, pinned: a bare cache-line ping-pong, or 0 */
	struct scaling *scaling;	/* --pairs: one per backend */
	unsigned int nscaling;
};

/* The size the host's memcpy floor is measured at: the in-place ring's 1 MiB goal. */
#define MEMCPY_SIZE	(1u << 20)

/* workload.c: side 0 or 1 of one point; fills @sh, returns the exit code. */
int workload_side(const struct bench_opts *o, const struct point *pt, unsigned int side,
		  struct kipc_transport *tp, struct point_shared *sh);
struct spread spread_of(const double *v, unsigned int n);
struct spread memcpy_bandwidth(const struct bench_opts *o, size_t size);
struct spread cacheline_pingpong(const struct bench_opts *o);

/* report.c */
const char *workload_name(enum workload wl);
void report_all(const struct bench_run *run);
int report_compare(const char *dir_a, const char *dir_b);
int report_plot(const char *dir);
void format_size(char *buf, size_t len, size_t size);

#endif /* KIPC_BENCH_H */
