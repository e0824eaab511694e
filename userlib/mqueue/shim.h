/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/* libkipc-mqueue internals shared by its source files; not installed. */
#ifndef KIPC_MQUEUE_SHIM_H
#define KIPC_MQUEUE_SHIM_H

#include <errno.h>
#include <mqueue.h>

#include "kipc.h"

/* What the shim defines for the program: the <mqueue.h> calls, and nothing else. */
#define MQ_EXPORT __attribute__((visibility("default")))

/* The prefix of every kipc channel name the shim makes from a POSIX queue name. */
#define MQ_KIPC_PREFIX "mq:"

/* POSIX's calls report failure as -1 with errno; the shim's helpers return -errno. */
static inline int mq__fail(int err)
{
	errno = -err;
	return -1;
}

/*
 * mq__kipc_name() - the kipc channel name of a POSIX queue name, as Linux and glibc judge it
 * Return: 0; -EINVAL (no leading '/'), -ENOENT ("/" alone), -EACCES (another '/', "." or
 * ".."), -ENAMETOOLONG (longer than NAME_MAX, or a mapping past kipc's 63 bytes).
 */
int mq__kipc_name(const char *name, char kname[KIPC_NAME_MAX]);

/*
 * mq__create_attr() - the depth and message size a new queue gets: @attr checked as Linux's
 * mq_open() checks it against /proc/sys/fs/mqueue and CAP_SYS_RESOURCE, then against the
 * module's limits in @info; or the defaults when @attr is NULL.
 * Return: 0, -EINVAL or -EOVERFLOW.
 */
int mq__create_attr(const struct mq_attr *attr, const struct kipc_info *info,
		    __u32 *max_msgs, __u32 *max_msg_size);

/* An errno of kipc's for a call on an mqd_t, as POSIX names it (ENOTTY, ENOTCONN: EBADF). */
int mq__errno(int err);

/* Forget what mq_notify() left for @mqdes (SIGEV_THREAD's helper), before it is closed. */
void mq__notify_forget(mqd_t mqdes);

#endif /* KIPC_MQUEUE_SHIM_H */
