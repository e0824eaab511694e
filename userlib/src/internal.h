/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/* libkipc internals shared by its source files; not installed. */
#ifndef KIPC_INTERNAL_H
#define KIPC_INTERNAL_H

#include "kipc.h"

/* Copy a C string into a name field; -ENAMETOOLONG when it cannot fit with its NUL. */
int kipc__copy_name(char dst[KIPC_NAME_MAX], const char *name);

/* Open the device and run KIPC_IOC_CREATE with @c (name copied from @name) on it. */
int kipc__open_create(struct kipc_create *c, const char *name);

/*
 * The library's one timeout convention (see kipc.h) in the ioctl's terms: *@kflags and
 * *@ktimeout from the caller's @flags and @timeout_ns.  -EINVAL for KIPC_MSG_NONBLOCK or
 * KIPC_MSG_TIMEOUT in @flags: the timeout says those.  Other bits go to the kernel as given.
 */
int kipc__timeout(unsigned int flags, __s64 timeout_ns, __u32 *kflags, __u64 *ktimeout);

#endif /* KIPC_INTERNAL_H */
