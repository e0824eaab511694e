// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * A new queue's attributes, judged as Linux's mq_open() judges them, then by kipc's limits.
 *
 * /proc/sys/fs/mqueue is read at each creation, since a program may change it between two
 * calls.  A process with CAP_SYS_RESOURCE in its effective set is held to the kernel's hard
 * limits instead of msg_max and msgsize_max, as in the kernel.  The module's own max_msgs and
 * max_msg_size (KIPC_IOC_INFO) come last: a queue they refuse is EINVAL, and the defaults are
 * lowered to them.  RLIMIT_MSGQUEUE is the module's to charge (KIPC_CREATE_RLIMIT).
 */
#include <limits.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "shim.h"

/* The kernel's ceilings for a process with CAP_SYS_RESOURCE (HARD_MSGMAX, HARD_MSGSIZEMAX). */
#define MQ_HARD_MSGMAX		65536
#define MQ_HARD_MSGSIZEMAX	(16 * 1024 * 1024)

/* The kernel's defaults, for a system whose /proc says nothing. */
#define MQ_MSG_FALLBACK		10
#define MQ_MSGSIZE_FALLBACK	8192

static long mq_sysctl(const char *name, long fallback)
{
	char path[64];
	long value;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/fs/mqueue/%s", name);
	f = fopen(path, "re");
	if (!f)
		return fallback;
	if (fscanf(f, "%ld", &value) != 1 || value <= 0)
		value = fallback;
	fclose(f);
	return value;
}

/* capget(2) straight, as glibc has no wrapper and libcap is not a dependency worth having. */
static int mq_has_sys_resource(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { { 0 } };

	if (syscall(SYS_capget, &hdr, data))
		return 0;
	return !!(data[CAP_TO_INDEX(CAP_SYS_RESOURCE)].effective & CAP_TO_MASK(CAP_SYS_RESOURCE));
}

int mq__create_attr(const struct mq_attr *attr, const struct kipc_info *info,
		    __u32 *max_msgs, __u32 *max_msg_size)
{
	long msg_max = mq_sysctl("msg_max", MQ_MSG_FALLBACK);
	long msgsize_max = mq_sysctl("msgsize_max", MQ_MSGSIZE_FALLBACK);

	if (!attr) {
		long msgs = mq_sysctl("msg_default", MQ_MSG_FALLBACK);
		long size = mq_sysctl("msgsize_default", MQ_MSGSIZE_FALLBACK);

		msgs = msgs < msg_max ? msgs : msg_max;
		size = size < msgsize_max ? size : msgsize_max;
		*max_msgs = msgs < info->max_msgs ? (__u32)msgs : info->max_msgs;
		*max_msg_size = size < info->max_msg_size ? (__u32)size : info->max_msg_size;
		return 0;
	}

	if (attr->mq_maxmsg <= 0 || attr->mq_msgsize <= 0)
		return -EINVAL;
	if (mq_has_sys_resource()) {
		msg_max = MQ_HARD_MSGMAX;
		msgsize_max = MQ_HARD_MSGSIZEMAX;
	}
	if (attr->mq_maxmsg > msg_max || attr->mq_msgsize > msgsize_max)
		return -EINVAL;
	/* The kernel's test; within the limits above it cannot trip on a 64-bit long. */
	if ((unsigned long)attr->mq_msgsize > ULONG_MAX / (unsigned long)attr->mq_maxmsg)
		return -EOVERFLOW;
	if ((unsigned long)attr->mq_maxmsg > info->max_msgs ||
	    (unsigned long)attr->mq_msgsize > info->max_msg_size)
		return -EINVAL;
	*max_msgs = (__u32)attr->mq_maxmsg;
	*max_msg_size = (__u32)attr->mq_msgsize;
	return 0;
}
