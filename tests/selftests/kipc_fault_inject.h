/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Under the VM's "inject" step (KIPC_FAULT_INJECT=1) a test marks itself make-it-fail once it
 * runs, so the failslab/fail_page_alloc/fail_usercopy settings hit its kipc calls and its
 * children, not the exec that started it.  Every selftest includes this (kipc_selftest.h does).
 */
#ifndef KIPC_FAULT_INJECT_H
#define KIPC_FAULT_INJECT_H

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Whether this run is under fault injection. */
static inline int kipc_fault_injecting(void)
{
	const char *on = getenv("KIPC_FAULT_INJECT");

	return on && !strcmp(on, "1");
}

/*
 * Under injection, let this process's calls fail (@on) or not from now on; a program that
 * must set up reliably around the one call it tests switches it off and on around that call.
 * The file stays open (an open could itself be failed), and a write that injection fails
 * (its user copy) is retried.
 */
static int kipc_make_it_fail_fd = -1;

static inline void kipc_fault_inject_here(int on)
{
	int i;

	if (!kipc_fault_injecting())
		return;
	if (kipc_make_it_fail_fd < 0)
		kipc_make_it_fail_fd = open("/proc/self/make-it-fail", O_WRONLY | O_CLOEXEC);
	if (kipc_make_it_fail_fd < 0)
		return;
	for (i = 0; i < 1000; i++)
		if (pwrite(kipc_make_it_fail_fd, on ? "1" : "0", 1, 0) == 1)
			return;
	_exit(97);
}

static void __attribute__((constructor)) kipc_selftest_fault_inject(void)
{
	kipc_fault_inject_here(1);
}

#endif /* KIPC_FAULT_INJECT_H */
