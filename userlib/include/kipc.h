/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libkipc: the user-space API of kipc.
 *
 * Every function returns a non-negative value on success and -errno on failure; none of them
 * sets errno.  kipc_strerror() turns such a value into one sentence that says what to do.
 */
#ifndef KIPC_H
#define KIPC_H

#include <linux/kipc.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The device kipc_open() opens unless the KIPC_DEVICE environment variable names another. */
#define KIPC_DEFAULT_DEVICE	KIPC_DEVICE_PATH

/*
 * kipc_open_path() - open a kipc device and check that it is one
 * @path: the device node
 * @flags: open(2) flags beyond O_RDWR|O_CLOEXEC (O_NONBLOCK is the only one that matters)
 *
 * Return: a file descriptor, or
 *   -ENOENT  the node does not exist (the module is not loaded),
 *   -EACCES  no permission to open it,
 *   -ENODEV  it exists but is not a kipc device,
 *   -EPROTO  the module speaks an ABI this library does not know,
 *   or another -errno from open(2).
 */
int kipc_open_path(const char *path, int flags);

/* kipc_open() - kipc_open_path() on $KIPC_DEVICE, or on /dev/kipc. */
int kipc_open(int flags);

/*
 * kipc_get_info() - what the module is and what it can do (KIPC_IOC_INFO)
 * @fd: an open kipc device
 * @info: filled in; the caller need not initialise it
 *
 * Return: 0, or -errno from the ioctl.
 */
int kipc_get_info(int fd, struct kipc_info *info);

/*
 * kipc_has_feature() - whether the module behind @fd implements all of @features
 *
 * Return: 1 when it does, 0 when it does not, -errno when the module cannot be asked.
 */
int kipc_has_feature(int fd, __u64 features);

/*
 * kipc_strerror() - one sentence for a value returned by this library
 * @err: a negative errno returned by a libkipc function
 *
 * For the errors of opening the device the sentence says what to do about them; for any
 * other it is strerror()'s.  The string is static and must not be freed.
 */
const char *kipc_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* KIPC_H */
