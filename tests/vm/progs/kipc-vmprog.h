/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the VM's long-running test programs (kipc-fuzz, kipc-stress) share: a deterministic
 * random stream, a checksum, and the module's own count of what it holds.
 */
#ifndef KIPC_VMPROG_H
#define KIPC_VMPROG_H

#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

/* splitmix64: one 64-bit state, good enough to drive tests, and trivially reproducible. */
static inline uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The stream of worker @index of a run seeded with @seed. */
static inline uint64_t stream_seed(uint64_t seed, unsigned int index)
{
	return seed ^ (0x9e3779b97f4a7c15ULL * (index + 1));
}

/* FNV-1a, 32 bits: chain calls by passing the previous result as @h (start: 2166136261). */
static inline uint32_t fnv1a(const uint8_t *p, size_t n, uint32_t h)
{
	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}
#define FNV1A_INIT 2166136261u

#define KIPC_STATE_FILE "/sys/kernel/debug/kipc/state"

/* 1 when the module's debugfs state counts anything held, 0 when all is zero, -1 unknown. */
static inline int kipc_state_held(void)
{
	FILE *f = fopen(KIPC_STATE_FILE, "re");
	char line[128], key[32];
	unsigned long long v;
	int held = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%31s %llu", key, &v) == 2 && v)
			held = 1;
	fclose(f);
	return held;
}

/*
 * After every process and name is gone the module must hold nothing; dead IPC namespaces are
 * collected within about half a second.  Return: 0 clean (or no debugfs), 1 still held (the
 * state is printed with @prefix).
 */
static inline int kipc_state_settles(const char *prefix)
{
	char line[128];
	FILE *f;
	int i;

	for (i = 0; i < 40; i++) {
		int held = kipc_state_held();

		if (held < 0) {
			printf("%s: no %s; final check skipped\n", prefix, KIPC_STATE_FILE);
			return 0;
		}
		if (!held)
			return 0;
		usleep(100000);
	}
	printf("%s: the module still holds state after every process and name is gone:\n",
	       prefix);
	f = fopen(KIPC_STATE_FILE, "re");
	while (f && fgets(line, sizeof(line), f))
		printf("  %s", line);
	if (f)
		fclose(f);
	return 1;
}

#endif /* KIPC_VMPROG_H */
