/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc internals shared by the module's files and its KUnit suite.
 *
 * Locking overview
 * ----------------
 * The skeleton holds no locks of its own.  Module parameters are plain words that root may
 * change at any time through sysfs; every reader takes one READ_ONCE() snapshot per operation
 * and never relies on two parameters being read consistently with each other.
 */
#ifndef _KIPC_INTERNAL_H
#define _KIPC_INTERNAL_H

#include <linux/types.h>
#include <linux/kipc.h>

/*
 * struct kipc_param_range - a module parameter that accepts only min..max
 * @min: smallest accepted value
 * @max: largest accepted value
 * @val: the live value, read with READ_ONCE()
 */
struct kipc_param_range {
	u64 min;
	u64 max;
	u64 val;
};

extern struct kipc_param_range kipc_max_channels;
extern struct kipc_param_range kipc_max_msg_size;
extern struct kipc_param_range kipc_max_msgs;
extern struct kipc_param_range kipc_max_user_bytes;
extern struct kipc_param_range kipc_max_shm_size;

int kipc_param_parse(const struct kipc_param_range *range, const char *text, u64 *out);
u64 kipc_param_get(const struct kipc_param_range *range);

void kipc_fill_info(struct kipc_info *info);

#endif /* _KIPC_INTERNAL_H */
