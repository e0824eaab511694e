/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks for host test programs.  Each failed check prints where it stands and counts; a test
 * ends with "return failures ? 1 : 0" (exit 4 means skipped).
 */
#ifndef HOST_TEST_H
#define HOST_TEST_H

#include <stdio.h>

#define HOST_TEST_SKIP	4
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static int failures;

#define CHECK(cond) do {							\
	if (!(cond)) {								\
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		failures++;							\
	}									\
} while (0)

/* CHECK() that prints both values, for return codes. */
#define CHECK_EQ(got, want) do {						\
	long long got_ = (long long)(got), want_ = (long long)(want);		\
	if (got_ != want_) {							\
		fprintf(stderr, "%s:%d: %s is %lld, want %lld\n", __FILE__, __LINE__, #got, \
			got_, want_);						\
		failures++;							\
	}									\
} while (0)

#endif /* HOST_TEST_H */
