// SPDX-License-Identifier: GPL-2.0
/* For the runner's self-test only: a test program that fails, in TAP. */
#include <stdio.h>

int main(void)
{
	printf("TAP version 13\n1..1\nnot ok 1 harness.deliberate_failure\n");
	return 1;
}
