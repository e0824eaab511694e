// SPDX-License-Identifier: GPL-2.0
/*
 * What kipc-bench leaves behind, in its results folder:
 *   table.txt        the summary tables (also printed: by workload, then the ring's
 *                    synchronisation methods side by side) and one line per point with the spread
 *   results.csv      one row per point: every percentile and rate as median, min and max over
 *                    the repeats, the ratio to the baseline, and the mode in every row
 *   results.json     the same with the run's settings, where it ran, and which backend is which
 *                    synchronisation method
 *   data/NAME.dat    per backend: size against latency and throughput, for gnuplot
 *   plot.gp          the gnuplot script; latency.{png,svg} and throughput.{png,svg}
 * --compare reads two results.csv and refuses runs made in different modes: emulated and
 * native times are not comparable, and icount and real-time guests not either.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

const char *workload_name(enum workload wl)
{
	return wl == WL_LATENCY ? "latency" : wl == WL_STREAM ? "stream" : "batch";
}

void format_size(char *buf, size_t len, size_t size)
{
	if (size >= (1 << 20) && !(size % (1 << 20)))
		snprintf(buf, len, "%zu MiB", size >> 20);
	else if (size >= 1024 && !(size % 1024))
		snprintf(buf, len, "%zu KiB", size >> 10);
	else
		snprintf(buf, len, "%zu B", size);
}

static const char *status_name(enum point_status st)
{
	return st == PT_OK ? "ok" : st == PT_LIMIT ? "limit" : "failed";
}

/* The point of @backend, @wl, @size, @batch, or NULL. */
static const struct point *find(const struct bench_run *run,
				const struct kipc_transport_backend *b, enum workload wl,
				size_t size, unsigned int batch)
{
	unsigned int i;

	for (i = 0; i < run->npoints; i++)
		if (run->points[i].b == b && run->points[i].wl == wl &&
		    run->points[i].size == size && run->points[i].batch == batch)
			return &run->points[i];
	return NULL;
}

/* ---- tables ------------------------------------------------------------------------------- */

#define CELL	16

/* One cell of a summary table: the median and the ratio to the baseline. */
static void cell(char *buf, const struct point *pt)
{
	double v;

	if (!pt) {
		snprintf(buf, CELL, "-");
	} else if (pt->status == PT_LIMIT) {
		snprintf(buf, CELL, "n/a");
	} else if (pt->status == PT_FAILED) {
		snprintf(buf, CELL, "FAILED");
	} else {
		v = pt->wl == WL_LATENCY ? pt->p50.med / 1000 :
		    pt->wl == WL_STREAM ? pt->mib_s.med : pt->msgs_s.med / 1e6;
		if (pt->ratio > 0)
			snprintf(buf, CELL, "%.*f %.2fx", v < 10 ? 2 : v < 1000 ? 1 : 0, v,
				 pt->ratio);
		else
			snprintf(buf, CELL, "%.*f", v < 10 ? 2 : v < 1000 ? 1 : 0, v);
	}
}

static void summary(FILE *f, const struct bench_run *run, enum workload wl)
{
	const struct bench_opts *o = run->opts;
	unsigned int i, j, ncols = wl == WL_BATCH ? o->nbatches : o->nsizes;
	char buf[CELL], head[32];

	if (wl == WL_LATENCY)
		fprintf(f, "\nRound-trip latency, p50 in microseconds, and the ratio to %s "
			"(below 1x is faster)\n", o->baseline);
	else if (wl == WL_STREAM)
		fprintf(f, "\nOne-way throughput in MiB/s, and the ratio to %s "
			"(above 1x is faster)\n", o->baseline);
	else
		fprintf(f, "\nBatches of %zu-byte messages: million messages/s by batch size, "
			"and the ratio to %s\n", o->batch_size, o->baseline);
	fprintf(f, "%-20s", "backend");
	for (j = 0; j < ncols; j++) {
		if (wl == WL_BATCH)
			snprintf(head, sizeof(head), "batch %u", o->batches[j]);
		else
			format_size(head, sizeof(head), o->sizes[j]);
		fprintf(f, " %*s", CELL - 1, head);
	}
	fprintf(f, "\n");
	for (i = 0; i < o->nbackends; i++) {
		fprintf(f, "%-20s", o->backends[i]->name);
		for (j = 0; j < ncols; j++) {
			if (wl == WL_BATCH)
				cell(buf, find(run, o->backends[i], wl, o->batch_size,
					       o->batches[j]));
			else
				cell(buf, find(run, o->backends[i], wl, o->sizes[j], 1));
			fprintf(f, " %*s", CELL - 1, buf);
		}
		fprintf(f, "\n");
	}
}

/*
 * Beside a latency or stream table: both sides' CPU time per round trip (or message), in
 * microseconds, and the fewest samples a repeat of that point measured.  A side that spins
 * while it waits spends CPU the latency does not show.
 */
static void summary_cpu(FILE *f, const struct bench_run *run, enum workload wl)
{
	const struct bench_opts *o = run->opts;
	const struct point *pt;
	char buf[CELL], head[32];
	unsigned long fewest = 0;
	unsigned int i, j;

	fprintf(f, "\nCPU time per %s, both sides together, in microseconds\n",
		wl == WL_LATENCY ? "round trip" : "message");
	fprintf(f, "%-20s", "backend");
	for (j = 0; j < o->nsizes; j++) {
		format_size(head, sizeof(head), o->sizes[j]);
		fprintf(f, " %*s", CELL - 1, head);
	}
	fprintf(f, "\n");
	for (i = 0; i < o->nbackends; i++) {
		fprintf(f, "%-20s", o->backends[i]->name);
		for (j = 0; j < o->nsizes; j++) {
			pt = find(run, o->backends[i], wl, o->sizes[j], 1);
			if (pt && pt->status == PT_OK) {
				snprintf(buf, sizeof(buf), "%.2f", pt->cpu.med / 1e3);
				if (!fewest || pt->samples < fewest)
					fewest = pt->samples;
			} else {
				snprintf(buf, sizeof(buf), "%s", pt && pt->status == PT_LIMIT ? "n/a" :
					 pt ? "FAILED" : "");
			}
			fprintf(f, " %*s", CELL - 1, buf);
		}
		fprintf(f, "\n");
	}
	if (wl == WL_LATENCY && fewest)
		fprintf(f, "(each repeat's percentiles are over its own round trips: at least %lu "
			"per point here, each point's count in table.txt)\n", fewest);
}

/*
 * The synchronisation methods of the shared ring: backends that differ from one another only
 * in how a side sleeps and wakes the other (the ring, its sizes and the copies are the same),
 * so that their figures compare the methods alone.  The first is what the ratios are against.
 */
static const struct {
	const char *method, *backend;
} sync_methods[] = {
	{ "futex", "posix-shm" },
	{ "futex, kipc pages", "kipc-ring" },
	{ "SysV semaphore", "sysv-shm" },
	{ "eventfd", "eventfd" },
	{ "kipc doorbell", "kipc-ring-doorbell" },
	{ "pthread mutex+cond", "posix-shm-pmutex" },
	{ "POSIX semaphore", "posix-shm-psem" },
	{ "POSIX mq \"ready\"", "posix-shm-mq" },
	{ "kipc mq \"ready\"", "kipc-ring-mq" },
};

#define NSYNC	(sizeof(sync_methods) / sizeof(sync_methods[0]))

/* The synchronisation method @b stands for, or NULL. */
static const char *sync_method_of(const struct kipc_transport_backend *b)
{
	unsigned int m;

	for (m = 0; m < NSYNC; m++)
		if (!strcmp(b->name, sync_methods[m].backend))
			return sync_methods[m].method;
	return NULL;
}

/* The backend of this run named @name, or NULL. */
static const struct kipc_transport_backend *run_backend(const struct bench_opts *o,
							const char *name)
{
	unsigned int i;

	for (i = 0; i < o->nbackends; i++)
		if (!strcmp(o->backends[i]->name, name))
			return o->backends[i];
	return NULL;
}

/* One cell of the sync table: @pt's median and its ratio to @ref's (the futex's). */
static void sync_cell(char *buf, const struct point *pt, const struct point *ref)
{
	struct point with = { 0 };

	if (pt && pt->status == PT_OK) {
		with = *pt;
		with.ratio = 0;
		if (ref && ref->status == PT_OK)
			with.ratio = pt->wl == WL_LATENCY ? pt->p50.med / ref->p50.med :
				     pt->mib_s.med / ref->mib_s.med;
		pt = &with;
	}
	cell(buf, pt);
}

/*
 * The sync section: each method's 64 B and 1 MiB round trip and one-way stream, as medians
 * and as ratios to the futex in the same run; the methods this run did not measure are named.
 */
static void summary_sync(FILE *f, const struct bench_run *run)
{
	static const size_t sizes[] = { 64, 1u << 20 };
	static const enum workload wls[] = { WL_LATENCY, WL_STREAM };
	const struct bench_opts *o = run->opts;
	const struct kipc_transport_backend *b, *ref = run_backend(o, sync_methods[0].backend);
	unsigned int m, w, k, shown = 0, absent = 0;
	const char *spin = getenv("KIPC_RING_SPIN_NS");
	char buf[CELL], head[32], default_spin[16];

	for (m = 0; m < NSYNC; m++)
		shown += run_backend(o, sync_methods[m].backend) != NULL;
	if (!shown || !(o->latency || o->stream))
		return;
	snprintf(default_spin, sizeof(default_spin), "%u", KIPC_RING_SPIN_NS);
	fprintf(f, "\nSynchronisation of the shared ring: the same rings, only the wait and the "
		"wake-up differ; a side spins up to %s ns before it sleeps (KIPC_RING_SPIN_NS; 0: "
		"every wait sleeps).\nRound trip p50 in microseconds (below 1x is faster) and "
		"one-way MiB/s (above 1x is faster), and the ratio to %s (%s)\n",
		spin && *spin ? spin : default_spin, sync_methods[0].method,
		sync_methods[0].backend);
	fprintf(f, "%-20s %-20s", "method", "backend");
	for (w = 0; w < 2; w++)
		for (k = 0; k < 2; k++) {
			format_size(buf, sizeof(buf), sizes[k]);
			snprintf(head, sizeof(head), "%s %s", buf, wls[w] == WL_LATENCY ? "us" :
				 "MiB/s");
			fprintf(f, " %*s", CELL - 1, head);
		}
	fprintf(f, "\n");
	for (m = 0; m < NSYNC; m++) {
		b = run_backend(o, sync_methods[m].backend);
		if (!b)
			continue;
		fprintf(f, "%-20s %-20s", sync_methods[m].method, b->name);
		for (w = 0; w < 2; w++)
			for (k = 0; k < 2; k++) {
				sync_cell(buf, find(run, b, wls[w], sizes[k], 1),
					  ref ? find(run, ref, wls[w], sizes[k], 1) : NULL);
				fprintf(f, " %*s", CELL - 1, buf);
			}
		fprintf(f, "\n");
	}
	for (m = 0; m < NSYNC; m++)
		if (!run_backend(o, sync_methods[m].backend))
			fprintf(f, "%s %s (%s)", absent++ ? "," : "(not measured in this run:",
				sync_methods[m].method, sync_methods[m].backend);
	if (absent)
		fprintf(f, ")\n");
}

static void header(FILE *f, const struct bench_run *run)
{
	const struct bench_opts *o = run->opts;

	fprintf(f, "kipc-bench, mode %s: %s, %s\n", o->mode, run->host, run->date);
	if (o->count)
		fprintf(f, "%u repeat(s) of %lu messages per point", o->repeats, o->count);
	else
		fprintf(f, "%u repeat(s) of %lld ms per point", o->repeats,
			o->duration_ns / 1000000);
	fprintf(f, " after a %u%% warm-up; medians over the repeats; every message checked "
		"(sequence and checksum)", o->warmup_pct);
	if (o->pin[0] >= 0)
		fprintf(f, "; sides pinned to CPUs %d and %d", o->pin[0], o->pin[1]);
	fprintf(f, "\n");
}

/*
 * One thread's memcpy of 1 MiB, and each backend's 1 MiB stream against it: the floor a
 * transport that writes and reads messages in place is held to (the goal: >= 0.8x).
 */
static void memcpy_floor(FILE *f, const struct bench_run *run)
{
	const struct spread *m = &run->memcpy_mib_s, *l = &run->line_us;
	const struct point *pt;
	unsigned int i;

	if (l->med > 0) {
		fprintf(f, "\nA bare cache-line ping-pong between CPUs %d and %d, spinning: %.3f us "
			"[%.3f - %.3f] a round trip; 64 B round trips against it:",
			run->opts->pin[0], run->opts->pin[1], l->med, l->min, l->max);
		for (i = 0; i < run->npoints; i++) {
			pt = &run->points[i];
			if (pt->wl == WL_LATENCY && pt->size == 64 && pt->status == PT_OK)
				fprintf(f, " %s %.1fx", pt->b->name, pt->p50.med / 1e3 / l->med);
		}
		fprintf(f, "\n");
	}
	if (m->med <= 0)
		return;
	fprintf(f, "\nmemcpy of 1 MiB, one thread%s: %.0f MiB/s [%.0f - %.0f]; 1 MiB streams "
		"against it:", run->opts->pin[0] >= 0 ? " on the driving side's CPU" : "",
		m->med, m->min, m->max);
	for (i = 0; i < run->npoints; i++) {
		pt = &run->points[i];
		if (pt->wl == WL_STREAM && pt->size == MEMCPY_SIZE && pt->status == PT_OK)
			fprintf(f, " %s %.2fx", pt->b->name, pt->mib_s.med / m->med);
	}
	fprintf(f, "\n");
}

/* --pairs: messages/s of one pair and of all at once, and the ratio. */
static void scaling(FILE *f, const struct bench_run *run)
{
	const struct scaling *sc;
	unsigned int i;

	if (!run->nscaling)
		return;
	fprintf(f, "\nScaling: the 64 B stream on 1 pair (both sides on CPU 0) and on %u independent "
		"pairs at once (pair k on CPU k), million messages/s summed over the pairs\n",
		run->opts->pairs);
	fprintf(f, "%-20s %10s %10s %8s\n", "backend", "1 pair", "all", "ratio");
	for (i = 0; i < run->nscaling; i++) {
		sc = &run->scaling[i];
		fprintf(f, "%-20s ", sc->b->name);
		if (sc->status == PT_OK)
			fprintf(f, "%10.3f %10.3f %7.2fx\n", sc->one.med / 1e6, sc->many.med / 1e6,
				sc->one.med > 0 ? sc->many.med / sc->one.med : 0);
		else
			fprintf(f, "%s\n", sc->status == PT_LIMIT ? "n/a" : sc->error);
	}
}

static void detail(FILE *f, const struct bench_run *run)
{
	const struct point *pt;
	unsigned int i;
	char size[16];

	fprintf(f, "\nEvery point (latency in microseconds; [min - max] over the repeats; CPU: "
		"both sides' CPU time per round trip or message, in microseconds; samples: the "
		"fewest round trips or messages a repeat measured, which its percentiles are "
		"taken over)\n");
	fprintf(f, "%-20s %-8s %8s %5s %9s %19s %9s %9s %9s %9s %11s %23s %9s %9s %8s\n",
		"backend", "workload", "size", "batch", "p50", "[p50 min - max]", "p90", "p99",
		"p99.9", "max", "MiB/s", "[msgs/s min - max]", "CPU", "samples", "ratio");
	for (i = 0; i < run->npoints; i++) {
		pt = &run->points[i];
		format_size(size, sizeof(size), pt->size);
		fprintf(f, "%-20s %-8s %8s %5u ", pt->b->name, workload_name(pt->wl), size,
			pt->batch);
		if (pt->status == PT_LIMIT) {
			fprintf(f, "n/a: above this backend's limit here (%zu bytes)\n", pt->limit);
			continue;
		}
		if (pt->status == PT_FAILED) {
			fprintf(f, "FAILED: %s\n", pt->error);
			continue;
		}
		if (pt->wl == WL_LATENCY)
			fprintf(f, "%9.2f [%7.2f - %7.2f] %9.2f %9.2f %9.2f %9.2f %11s %23s",
				pt->p50.med / 1e3, pt->p50.min / 1e3, pt->p50.max / 1e3,
				pt->p90.med / 1e3, pt->p99.med / 1e3, pt->p999.med / 1e3,
				pt->max.med / 1e3, "", "");
		else
			fprintf(f, "%9s %19s %9s %9s %9s %9s %11.1f [%10.0f - %10.0f]", "", "",
				"", "", "", "", pt->mib_s.med, pt->msgs_s.min, pt->msgs_s.max);
		fprintf(f, " %9.2f %9lu", pt->cpu.med / 1e3, pt->samples);
		if (pt->ratio > 0)
			fprintf(f, " %7.2fx", pt->ratio);
		fprintf(f, "\n");
	}
}

/* ---- files -------------------------------------------------------------------------------- */

static FILE *create(const struct bench_run *run, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", run->opts->out, name);
	f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "kipc-bench: %s: %s\n", path, strerror(errno));
	return f;
}

static void spread_csv(FILE *f, const struct spread *s)
{
	fprintf(f, ",%.1f,%.1f,%.1f", s->med, s->min, s->max);
}

static void write_csv(const struct bench_run *run)
{
	FILE *f = create(run, "results.csv");
	const struct point *pt;
	unsigned int i;

	if (!f)
		return;
	fprintf(f, "mode,backend,workload,size,batch,status,limit,repeats");
	fprintf(f, ",p50_ns,p50_ns_min,p50_ns_max,p90_ns,p90_ns_min,p90_ns_max,p99_ns,p99_ns_min,"
		"p99_ns_max,p999_ns,p999_ns_min,p999_ns_max,max_ns,max_ns_min,max_ns_max");
	fprintf(f, ",msgs_s,msgs_s_min,msgs_s_max,mib_s,mib_s_min,mib_s_max");
	fprintf(f, ",cpu_ns,cpu_ns_min,cpu_ns_max,ratio,baseline,samples,error\n");
	for (i = 0; i < run->npoints; i++) {
		pt = &run->points[i];
		fprintf(f, "%s,%s,%s,%zu,%u,%s,%zu,%u", run->opts->mode, pt->b->name,
			workload_name(pt->wl), pt->size, pt->batch,
			status_name(pt->status),
			pt->limit, pt->repeats);
		spread_csv(f, &pt->p50);
		spread_csv(f, &pt->p90);
		spread_csv(f, &pt->p99);
		spread_csv(f, &pt->p999);
		spread_csv(f, &pt->max);
		spread_csv(f, &pt->msgs_s);
		spread_csv(f, &pt->mib_s);
		spread_csv(f, &pt->cpu);
		/* The error may hold commas: quoted, with its quotes doubled (it has none). */
		fprintf(f, ",%.4f,%s,%lu,\"%s\"\n", pt->ratio, run->opts->baseline, pt->samples,
			pt->error);
	}
	fclose(f);
}

static void spread_json(FILE *f, const char *name, const struct spread *s, bool comma)
{
	fprintf(f, "\"%s\": {\"median\": %.1f, \"min\": %.1f, \"max\": %.1f}%s", name, s->med,
		s->min, s->max, comma ? ", " : "");
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
	fputc('"', f);
}

static void write_json(const struct bench_run *run)
{
	const struct bench_opts *o = run->opts;
	FILE *f = create(run, "results.json");
	const struct point *pt;
	unsigned int i, k;

	if (!f)
		return;
	fprintf(f, "{\n  \"tool\": \"kipc-bench\",\n  \"mode\": ");
	json_string(f, o->mode);
	fprintf(f, ",\n  \"host\": ");
	json_string(f, run->host);
	fprintf(f, ",\n  \"date\": ");
	json_string(f, run->date);
	fprintf(f, ",\n  \"baseline\": ");
	json_string(f, o->baseline);
	if (run->line_us.med > 0) {
		fprintf(f, ",\n  \"cacheline_pingpong\": {");
		spread_json(f, "us_per_round_trip", &run->line_us, false);
		fprintf(f, "}");
	}
	if (run->memcpy_mib_s.med > 0) {
		fprintf(f, ",\n  \"memcpy_1mib\": {");
		spread_json(f, "mib_per_s", &run->memcpy_mib_s, false);
		fprintf(f, "}");
	}
	/* Which backend stands for which of the ring's synchronisation methods. */
	fprintf(f, ",\n  \"sync_methods\": [");
	for (i = 0, k = 0; i < NSYNC; i++) {
		if (!run_backend(o, sync_methods[i].backend))
			continue;
		fprintf(f, "%s{\"method\": ", k++ ? ", " : "");
		json_string(f, sync_methods[i].method);
		fprintf(f, ", \"backend\": ");
		json_string(f, sync_methods[i].backend);
		fprintf(f, "}");
	}
	fprintf(f, "]");
	if (run->nscaling) {
		fprintf(f, ",\n  \"scaling\": {\"pairs\": %u, \"size\": 64, \"backends\": [",
			run->opts->pairs);
		for (unsigned int k = 0; k < run->nscaling; k++) {
			const struct scaling *sc = &run->scaling[k];

			fprintf(f, "%s\n    {\"backend\": ", k ? "," : "");
			json_string(f, sc->b->name);
			fprintf(f, ", \"status\": \"%s\"", status_name(sc->status));
			if (sc->status == PT_OK) {
				fprintf(f, ", \"msgs_per_s\": {");
				spread_json(f, "one_pair", &sc->one, true);
				spread_json(f, "all_pairs", &sc->many, false);
				fprintf(f, "}");
			}
			fprintf(f, "}");
		}
		fprintf(f, "]}");
	}
	fprintf(f, ",\n  \"settings\": {\"repeats\": %u, \"duration_ms\": %lld, \"count\": %lu, "
		"\"warmup_pct\": %u, \"pin\": [%d, %d], \"verified\": true},\n  \"points\": [\n",
		o->repeats, o->duration_ns / 1000000, o->count, o->warmup_pct, o->pin[0],
		o->pin[1]);
	for (i = 0; i < run->npoints; i++) {
		pt = &run->points[i];
		fprintf(f, "    {\"backend\": \"%s\", \"workload\": \"%s\", \"size\": %zu, "
			"\"batch\": %u, \"status\": \"%s\", \"repeats\": %u, \"samples\": %lu",
			pt->b->name, workload_name(pt->wl), pt->size, pt->batch,
			status_name(pt->status), pt->repeats, pt->samples);
		if (pt->status == PT_LIMIT)
			fprintf(f, ", \"limit\": %zu", pt->limit);
		if (pt->status == PT_FAILED) {
			fprintf(f, ", \"error\": ");
			json_string(f, pt->error);
		}
		if (pt->status == PT_OK && pt->wl == WL_LATENCY) {
			fprintf(f, ",\n     \"latency_ns\": {");
			spread_json(f, "p50", &pt->p50, true);
			spread_json(f, "p90", &pt->p90, true);
			spread_json(f, "p99", &pt->p99, true);
			spread_json(f, "p99.9", &pt->p999, true);
			spread_json(f, "max", &pt->max, false);
			fprintf(f, "}");
		} else if (pt->status == PT_OK) {
			fprintf(f, ",\n     \"throughput\": {");
			spread_json(f, "msgs_per_s", &pt->msgs_s, true);
			spread_json(f, "mib_per_s", &pt->mib_s, false);
			fprintf(f, "}");
		}
		if (pt->status == PT_OK) {
			fprintf(f, ",\n     ");
			spread_json(f, "cpu_ns_per_unit", &pt->cpu, false);
		}
		if (pt->ratio > 0)
			fprintf(f, ", \"ratio_to_baseline\": %.4f", pt->ratio);
		fprintf(f, "}%s\n", i + 1 < run->npoints ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	fclose(f);
}

/* ---- plots -------------------------------------------------------------------------------- */

/* data/<backend>.dat: size, p50 (med min max, us), p99 (us), MiB/s (med min max), msgs/s. */
static bool write_data(const struct bench_run *run, const struct kipc_transport_backend *b)
{
	const struct point *lat, *thr;
	char name[256];
	unsigned int j, rows = 0;
	FILE *f;

	snprintf(name, sizeof(name), "data/%s.dat", b->name);
	f = create(run, name);
	if (!f)
		return false;
	fprintf(f, "# size p50_us p50_min p50_max p99_us mib_s mib_s_min mib_s_max msgs_s\n");
	for (j = 0; j < run->opts->nsizes; j++) {
		lat = find(run, b, WL_LATENCY, run->opts->sizes[j], 1);
		thr = find(run, b, WL_STREAM, run->opts->sizes[j], 1);
		if ((!lat || lat->status != PT_OK) && (!thr || thr->status != PT_OK))
			continue;
		fprintf(f, "%zu", run->opts->sizes[j]);
		if (lat && lat->status == PT_OK)
			fprintf(f, " %.3f %.3f %.3f %.3f", lat->p50.med / 1e3, lat->p50.min / 1e3,
				lat->p50.max / 1e3, lat->p99.med / 1e3);
		else
			fprintf(f, " NaN NaN NaN NaN");
		if (thr && thr->status == PT_OK)
			fprintf(f, " %.3f %.3f %.3f %.1f\n", thr->mib_s.med, thr->mib_s.min,
				thr->mib_s.max, thr->msgs_s.med);
		else
			fprintf(f, " NaN NaN NaN NaN\n");
		rows++;
	}
	fclose(f);
	return rows > 0;
}


/*
 * The plots: one image per measure (latency, throughput), in panels side by side, one per
 * family of mechanisms and one more for the ring's synchronisation methods (whose backends
 * are in the shared-memory panel too), each with its own colours and markers and, for
 * reference, the baseline (pipe) as a dashed black line in the panels it is not part of.  Log
 * axes; under icount the guest clock counts instructions, and the axes say so.
 */
enum panel { PANEL_QUEUE, PANEL_STREAM, PANEL_SHM, PANEL_SYNC, NPANELS };

static const char *const panel_title[NPANELS] = {
	[PANEL_QUEUE] = "message queues",
	[PANEL_STREAM] = "streams and sockets",
	[PANEL_SHM] = "shared memory",
	[PANEL_SYNC] = "synchronisation of the ring",
};

static bool in_panel(const struct kipc_transport_backend *b, enum panel panel)
{
	enum panel family = PANEL_STREAM;

	if (panel == PANEL_SYNC)
		return sync_method_of(b) != NULL;
	if (b->flags & (KIPC_TRANSPORT_SHARED_MEMORY | KIPC_TRANSPORT_ZERO_COPY))
		family = PANEL_SHM;
	else if (strstr(b->name, "mq") || strstr(b->name, "msg") || strstr(b->name, "rpc"))
		family = PANEL_QUEUE;
	return family == panel;
}

/* Colours that stay apart (Okabe-Ito and more, with black kept for the baseline), markers. */
static const char *const colours[] = { "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00",
				       "#56b4e9", "#7f3c8d", "#8c564b", "#999999" };
static const int markers[] = { 7, 5, 9, 13, 11, 15, 4, 6, 8 };
#define NCOLOURS	(sizeof(colours) / sizeof(colours[0]))

/* How many panels have data: the plots' width. */
static unsigned int panels_with_data(const struct bench_opts *o, const bool *has_data)
{
	unsigned int i, panel, panels = 0;

	for (panel = 0; panel < NPANELS; panel++)
		for (i = 0; i < o->nbackends; i++)
			if (has_data[i] && in_panel(o->backends[i], panel)) {
				panels++;
				break;
			}
	return panels;
}

static void plot_measure(FILE *f, const struct bench_run *run, const bool *has_data,
			 const char *name, const char *ext, const char *title, const char *ylabel,
			 const char *cols)
{
	const struct bench_opts *o = run->opts;
	const struct kipc_transport_backend *b;
	unsigned int i, k, panel, panels = panels_with_data(o, has_data);
	const char *title_of;

	if (!panels)
		return;
	fprintf(f, "set output '%s.%s'\n", name, ext);
	fprintf(f, "set multiplot layout 1,%u title \"%s, mode %s\" font ',12'\n", panels, title,
		o->mode);
	fprintf(f, "set ylabel '%s'\n", ylabel);
	for (panel = 0; panel < NPANELS; panel++) {
		bool first = true, base_in = false;

		for (i = 0; i < o->nbackends; i++)
			if (has_data[i] && in_panel(o->backends[i], panel) &&
			    !strcmp(o->backends[i]->name, o->baseline))
				base_in = true;
		for (i = 0, k = 0; i < o->nbackends; i++) {
			b = o->backends[i];
			if (!has_data[i] || !in_panel(b, panel))
				continue;
			if (first)
				fprintf(f, "set title '%s'\nplot ", panel_title[panel]);
			/* The sync panel names methods; gnuplot's strings take no quotes here. */
			title_of = panel == PANEL_SYNC ? sync_method_of(b) : b->name;
			fprintf(f, "%s'data/%s.dat' using %s with yerrorlines lw 1.5 lc rgb '%s' pt %d "
				"ps 1.1 title '", first ? "" : ", \\\n     ", b->name, cols,
				colours[k % NCOLOURS], markers[k % NCOLOURS]);
			for (; *title_of; title_of++)
				if (*title_of != '\'' && *title_of != '"')
					fputc(*title_of, f);
			fputc('\'', f);
			first = false;
			k++;
		}
		if (first)
			continue;
		for (i = 0; i < o->nbackends; i++)
			if (!base_in && has_data[i] && !strcmp(o->backends[i]->name, o->baseline))
				fprintf(f, ", \\\n     'data/%s.dat' using %s with lines lw 1.5 dt 2 "
					"lc rgb 'black' title '%s (reference)'", o->baseline, cols,
					o->baseline);
		fprintf(f, "\n");
	}
	fprintf(f, "unset multiplot\n");
}

static void write_plot_script(const struct bench_run *run, const bool *has_data)
{
	const struct bench_opts *o = run->opts;
	FILE *f = create(run, "plot.gp");
	bool icount = !strcmp(o->mode, "vm-icount");
	char size[16];
	unsigned int j, t;
	/* 550 pixels a panel, as many panels as have data. */
	unsigned int panels = panels_with_data(o, has_data), width = 550 * (panels ? panels : 1);
	static const char *const terms[][2] = {
		{ "pngcairo size %u,600 font 'sans,10'", "png" },
		{ "svg size %u,600 dynamic font 'sans,10' background rgb 'white'", "svg" },
	};

	if (!f)
		return;
	fprintf(f, "# kipc-bench plots; run with gnuplot in this folder.\n");
	fprintf(f, "set logscale xy\nset grid xtics ytics mytics\nset key top left font ',9'\n");
	fprintf(f, "set xtics (");
	for (j = 0; j < o->nsizes; j++) {
		format_size(size, sizeof(size), o->sizes[j]);
		fprintf(f, "%s\"%s\" %zu", j ? ", " : "", size, o->sizes[j]);
	}
	fprintf(f, ")\nset xrange [%zu:%zu]\n", o->sizes[0] / 2 ? o->sizes[0] / 2 : 1,
		o->sizes[o->nsizes - 1] * 2);
	fprintf(f, "set xlabel 'message size (bytes, log scale)'\n");
	for (t = 0; t < 2; t++) {
		fprintf(f, "set terminal ");
		fprintf(f, terms[t][0], width);
		fprintf(f, "\n");
		/* Only what was measured: gnuplot refuses a plot with no point. */
		if (o->latency)
			plot_measure(f, run, has_data, "latency", terms[t][1],
				     "Round-trip latency (p50; bars: min to max over repeats)",
				     icount ? "round trip, p50: guest-clock us = 1000 instructions (log)" :
				     "round trip, p50 (microseconds, log scale)", "1:2:3:4");
		if (o->stream)
			plot_measure(f, run, has_data, "throughput", terms[t][1],
				     "One-way throughput (bars: min to max over repeats)",
				     icount ? "MiB per guest-clock second = per 10^9 instructions (log)" :
				     "throughput (MiB/s, log scale)", "1:6:7:8");
	}
	fprintf(f, "unset output\n");
	fclose(f);
}

int report_plot(const char *dir)
{
	pid_t pid;
	int status;

	pid = fork();
	if (!pid) {
		if (chdir(dir))
			_exit(126);
		/* gnuplot's own chatter about fonts is not ours to show. */
		execlp("gnuplot", "gnuplot", "plot.gp", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		fprintf(stderr, "kipc-bench: no gnuplot here: run 'gnuplot plot.gp' in %s, or "
			"'kipc-bench --plot %s', where it is installed\n", dir, dir);
		return 1;
	}
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : 1;
}

static void write_plots(const struct bench_run *run)
{
	bool has_data[MAX_BACKENDS] = { false }, any = false;
	char path[4096];
	unsigned int i;

	snprintf(path, sizeof(path), "%s/data", run->opts->out);
	mkdir(path, 0755);
	for (i = 0; i < run->opts->nbackends; i++) {
		has_data[i] = write_data(run, run->opts->backends[i]);
		any |= has_data[i];
	}
	write_plot_script(run, has_data);
	if (run->opts->plots && any)
		report_plot(run->opts->out);
}

void report_all(const struct bench_run *run)
{
	const struct bench_opts *o = run->opts;
	FILE *outs[2] = { stdout, NULL };
	unsigned int k;

	if (mkdir(o->out, 0755) && errno != EEXIST)
		fprintf(stderr, "kipc-bench: %s: %s\n", o->out, strerror(errno));
	outs[1] = create(run, "table.txt");
	for (k = 0; k < 2; k++) {
		if (!outs[k])
			continue;
		header(outs[k], run);
		if (o->latency) {
			summary(outs[k], run, WL_LATENCY);
			summary_cpu(outs[k], run, WL_LATENCY);
		}
		if (o->stream) {
			summary(outs[k], run, WL_STREAM);
			summary_cpu(outs[k], run, WL_STREAM);
		}
		if (o->batch)
			summary(outs[k], run, WL_BATCH);
		summary_sync(outs[k], run);
		memcpy_floor(outs[k], run);
		scaling(outs[k], run);
	}
	if (outs[1]) {
		detail(outs[1], run);
		fclose(outs[1]);
	}
	write_csv(run);
	write_json(run);
	write_plots(run);
	printf("\nResults in %s/: table.txt (with every point and its spread), results.csv, "
	       "results.json, latency.{png,svg}, throughput.{png,svg}\n", o->out);
}

/* ---- --compare ---------------------------------------------------------------------------- */

struct row {
	char mode[32], backend[64], workload[16];
	size_t size;
	unsigned int batch;
	char status[16];
	double p50, msgs_s;
};

/* The rows of DIR/results.csv; NULL (after saying why) when it cannot be read. */
static struct row *read_csv(const char *dir, unsigned int *n)
{
	char path[4096], line[2048];
	struct row *rows = NULL, *more;
	unsigned int cap = 0;
	FILE *f;
	char *field[40], *p;
	int nf;

	snprintf(path, sizeof(path), "%s/results.csv", dir);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "kipc-bench: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	*n = 0;
	if (!fgets(line, sizeof(line), f))
		goto out;
	while (fgets(line, sizeof(line), f)) {
		for (nf = 0, p = line; nf < 40 && p; nf++) {
			field[nf] = p;
			p = strchr(p, ',');
			if (p)
				*p++ = '\0';
		}
		if (nf < 30)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			more = realloc(rows, cap * sizeof(*rows));
			if (!more)
				break;
			rows = more;
		}
		snprintf(rows[*n].mode, sizeof(rows[0].mode), "%s", field[0]);
		snprintf(rows[*n].backend, sizeof(rows[0].backend), "%s", field[1]);
		snprintf(rows[*n].workload, sizeof(rows[0].workload), "%s", field[2]);
		rows[*n].size = strtoul(field[3], NULL, 10);
		rows[*n].batch = (unsigned int)strtoul(field[4], NULL, 10);
		snprintf(rows[*n].status, sizeof(rows[0].status), "%s", field[5]);
		rows[*n].p50 = strtod(field[8], NULL);
		rows[*n].msgs_s = strtod(field[23], NULL);
		(*n)++;
	}
out:
	fclose(f);
	if (!*n) {
		fprintf(stderr, "kipc-bench: %s holds no results\n", path);
		free(rows);
		return NULL;
	}
	return rows;
}

int report_compare(const char *dir_a, const char *dir_b)
{
	unsigned int na, nb, i, j;
	struct row *a = read_csv(dir_a, &na), *b = a ? read_csv(dir_b, &nb) : NULL;
	char size[16];
	double v;

	if (!a || !b) {
		free(a);
		return 2;
	}
	for (i = 0; i < na; i++)
		if (strcmp(a[i].mode, a[0].mode))
			break;
	for (j = 0; j < nb; j++)
		if (strcmp(b[j].mode, a[0].mode))
			break;
	if (i < na || j < nb) {
		fprintf(stderr, "kipc-bench: refusing to compare runs made in different modes "
			"(%s: %s, %s: %s): times from a host, an icount VM and a real-time VM "
			"do not compare; compare ratios within one run instead\n", dir_a,
			a[0].mode, dir_b, j < nb ? b[j].mode : a[i].mode);
		free(a);
		free(b);
		return 2;
	}
	printf("kipc-bench --compare, mode %s: B = %s against A = %s (latency: below 1x is faster; "
	       "throughput: above 1x is faster)\n", a[0].mode, dir_b, dir_a);
	printf("%-20s %-8s %8s %5s %14s %14s %8s\n", "backend", "workload", "size", "batch", "A",
	       "B", "B/A");
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb; j++)
			if (!strcmp(a[i].backend, b[j].backend) &&
			    !strcmp(a[i].workload, b[j].workload) && a[i].size == b[j].size &&
			    a[i].batch == b[j].batch)
				break;
		if (j == nb || strcmp(a[i].status, "ok") || strcmp(b[j].status, "ok"))
			continue;
		format_size(size, sizeof(size), a[i].size);
		if (!strcmp(a[i].workload, "latency")) {
			v = a[i].p50 > 0 ? b[j].p50 / a[i].p50 : 0;
			printf("%-20s %-8s %8s %5u %11.2f us %11.2f us %7.2fx\n", a[i].backend,
			       a[i].workload, size, a[i].batch, a[i].p50 / 1e3, b[j].p50 / 1e3, v);
		} else {
			v = a[i].msgs_s > 0 ? b[j].msgs_s / a[i].msgs_s : 0;
			printf("%-20s %-8s %8s %5u %10.0f m/s %10.0f m/s %7.2fx\n", a[i].backend,
			       a[i].workload, size, a[i].batch, a[i].msgs_s, b[j].msgs_s, v);
		}
	}
	free(a);
	free(b);
	return 0;
}
