// SPDX-License-Identifier: GPL-2.0
/*
 * For the main job: what a create, an attach and a send cost beside 10, 1,000 and 10,000 live
 * channels of the same namespace.  Each figure is the median of 301 rounds of create (a new
 * queue, attached), attach (a second fd, by name) and destroy, and apart from those, of a
 * 64-byte send and receive on the new queue, in nanoseconds of the guest clock (instructions,
 * under icount); the ratio is against the first.  Needs root: it raises
 * max_channels and max_user_channels for the run and puts them back.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kipc.h"

#define ROUNDS	301
#define PARAMS	"/sys/module/kipc/parameters/"

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int param(const char *name, const char *value, char *old, size_t len)
{
	char path[128];
	int fd, ok;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	if (old) {
		fd = open(path, O_RDONLY);
		ok = fd >= 0 && read(fd, old, len - 1) > 0;
		if (fd >= 0)
			close(fd);
		if (!ok)
			return -1;
		old[strcspn(old, "\n")] = 0;
	}
	fd = open(path, O_WRONLY);
	ok = fd >= 0 && write(fd, value, strlen(value)) > 0;
	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

static int cmp(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/*
 * The median create + attach + destroy, beside what is alive now, into *@setup, and of a
 * non-blocking 64-byte send and receive on the new queue, into *@pair.  Return: 0, or -1.
 */
static int median_round(int ctl, long long *setup, long long *pair)
{
	static unsigned long long t[ROUNDS], p[ROUNDS];
	char msg[64] = "scale", in[64];
	unsigned int prio;
	int i, fd, fd2;

	for (i = 0; i < ROUNDS; i++) {
		unsigned long long t0 = now_ns(), t1, t2;

		fd = kipc_mq_open("scale-probe", KIPC_MQ_ATTR(.create_flags = KIPC_CREATE_EXCL, .mode = 0600, .access = KIPC_ACCESS_READ | KIPC_ACCESS_WRITE, .max_msgs = 4, .max_msg_size = 64));
		fd2 = fd >= 0 ? kipc_mq_attach("scale-probe", KIPC_ACCESS_READ) : -1;
		if (fd < 0 || fd2 < 0)
			return -1;
		t1 = now_ns();
		if (kipc_send(fd, msg, sizeof(msg), 0, 0, 0) ||
		    kipc_recv(fd2, in, sizeof(in), &prio, 0, 0) != sizeof(in))
			return -1;
		t2 = now_ns();
		if (kipc_destroy(ctl, "scale-probe", 0))
			return -1;
		t[i] = now_ns() - t2 + (t1 - t0);
		p[i] = t2 - t1;
		close(fd2);
		close(fd);
	}
	qsort(t, ROUNDS, sizeof(t[0]), cmp);
	qsort(p, ROUNDS, sizeof(p[0]), cmp);
	*setup = (long long)t[ROUNDS / 2];
	*pair = (long long)p[ROUNDS / 2];
	return 0;
}

int main(void)
{
	static const int live[] = { 10, 1000, 10000 };
	char old_ch[32], old_user[32], name[KIPC_NAME_MAX];
	long long base = 0, pair_base = 0, m, pair;
	int ctl, made = 0, i, n, ret = 1;

	ctl = kipc_open(0);
	if (ctl < 0)
		return fprintf(stderr, "kipc-scale: %s\n", kipc_strerror(ctl)), 1;
	if (param("max_channels", "65536", old_ch, sizeof(old_ch)) ||
	    param("max_user_channels", "65536", old_user, sizeof(old_user)))
		return fprintf(stderr, "kipc-scale: cannot raise the channel limits (root?)\n"), 1;
	printf("beside N live channels, median of %d (ns; icount: instructions):\n"
	       "  create + attach + destroy, and a 64-byte send + receive on the new queue\n", ROUNDS);
	for (i = 0; i < 3; i++) {
		for (; made < live[i]; made++) {
			struct kipc_create c = { .type = KIPC_TYPE_MQ, .mode = 0600,
						 .flags = KIPC_CREATE_EXCL };

			snprintf(name, sizeof(name), "scale-%05d", made);
			strcpy(c.name, name);
			n = kipc_create(ctl, &c);
			if (n) {
				fprintf(stderr, "kipc-scale: creating %s: %s\n", name, kipc_strerror(n));
				goto out;
			}
		}
		if (median_round(ctl, &m, &pair)) {
			fprintf(stderr, "kipc-scale: a round failed\n");
			goto out;
		}
		if (!base) {
			base = m;
			pair_base = pair;
		}
		printf("  %6d live: %8lld ns  %.2fx   send + receive %6lld ns  %.2fx\n", live[i], m,
		       (double)m / (double)base, pair, (double)pair / (double)pair_base);
	}
	ret = 0;
out:
	for (i = 0; i < made; i++) {
		snprintf(name, sizeof(name), "scale-%05d", i);
		kipc_destroy(ctl, name, 0);
	}
	param("max_channels", old_ch, NULL, 0);
	param("max_user_channels", old_user, NULL, 0);
	close(ctl);
	return ret;
}
