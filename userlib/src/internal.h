/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/* libkipc internals shared by its source files; not installed. */
#ifndef KIPC_INTERNAL_H
#define KIPC_INTERNAL_H

#include "kipc.h"

/* Copy a C string into a name field; -ENAMETOOLONG when it cannot fit with its NUL. */
int kipc__copy_name(char dst[KIPC_NAME_MAX], const char *name);

/* Open the device and run KIPC_IOC_CREATE with @c (name copied from @name) on it. */
int kipc__open_create(struct kipc_create *c, const char *name);

#endif /* KIPC_INTERNAL_H */
