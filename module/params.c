// SPDX-License-Identifier: GPL-2.0
/*
 * kipc module parameters: system-wide limits, each with a range it refuses to leave.
 *
 * A value outside its range is refused at insmod time and at sysfs write time alike, so the
 * rest of the module can trust every limit it reads.  Values are 64-bit so that byte counts
 * need no separate type; readers snapshot them with kipc_param_get().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/sysfs.h>
#include <kunit/visibility.h>

#include "kipc_internal.h"

struct kipc_param_range kipc_max_channels = { .min = 1, .max = 65536, .val = 1024 };
EXPORT_SYMBOL_IF_KUNIT(kipc_max_channels);
struct kipc_param_range kipc_max_msg_size = { .min = 1, .max = SZ_16M, .val = SZ_1M };
EXPORT_SYMBOL_IF_KUNIT(kipc_max_msg_size);
struct kipc_param_range kipc_max_msgs = { .min = 1, .max = 1 << 20, .val = 4096 };
EXPORT_SYMBOL_IF_KUNIT(kipc_max_msgs);
struct kipc_param_range kipc_max_user_bytes = { .min = SZ_4K, .max = SZ_1G, .val = SZ_64M };
EXPORT_SYMBOL_IF_KUNIT(kipc_max_user_bytes);
struct kipc_param_range kipc_max_shm_size = { .min = PAGE_SIZE, .max = SZ_1G, .val = SZ_64M };
EXPORT_SYMBOL_IF_KUNIT(kipc_max_shm_size);
struct kipc_param_range kipc_max_user_channels = { .min = 1, .max = 65536, .val = 256 };
EXPORT_SYMBOL_IF_KUNIT(kipc_max_user_channels);
struct kipc_param_range kipc_max_user_shm_bytes = { .min = PAGE_SIZE, .max = 64ULL << 30,
						    .val = SZ_256M };
EXPORT_SYMBOL_IF_KUNIT(kipc_max_user_shm_bytes);
/* 0 turns direct copies off; anything above max_msg_size's range does the same in effect. */
struct kipc_param_range kipc_direct_copy_min = { .min = 0, .max = SZ_16M, .val = SZ_64K };
EXPORT_SYMBOL_IF_KUNIT(kipc_direct_copy_min);

/**
 * kipc_param_parse() - parse a parameter's text against its range
 * @range: the parameter
 * @text: what the user wrote (a trailing newline is allowed, as sysfs writes carry one)
 * @out: the parsed value, written only on success
 *
 * Return: 0, -EINVAL when @text is not a number, -ERANGE when it is outside the range.
 */
int kipc_param_parse(const struct kipc_param_range *range, const char *text, u64 *out)
{
	u64 v;
	int ret;

	ret = kstrtou64(text, 0, &v);
	if (ret)
		return ret;
	if (v < range->min || v > range->max)
		return -ERANGE;
	*out = v;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_param_parse);

u64 kipc_param_get(const struct kipc_param_range *range)
{
	return READ_ONCE(range->val);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_param_get);

static int kipc_param_set(const char *text, const struct kernel_param *kp)
{
	struct kipc_param_range *range = kp->arg;
	u64 v;
	int ret;

	ret = kipc_param_parse(range, text, &v);
	if (ret) {
		pr_err("%s must be %llu..%llu\n", kp->name, range->min, range->max);
		return ret;
	}
	WRITE_ONCE(range->val, v);
	return 0;
}

static int kipc_param_show(char *buf, const struct kernel_param *kp)
{
	const struct kipc_param_range *range = kp->arg;

	return sysfs_emit(buf, "%llu\n", kipc_param_get(range));
}

static const struct kernel_param_ops kipc_param_ops = {
	.set = kipc_param_set,
	.get = kipc_param_show,
};

module_param_cb(max_channels, &kipc_param_ops, &kipc_max_channels, 0644);
MODULE_PARM_DESC(max_channels, "Channels per IPC namespace (1..65536, default 1024)");
module_param_cb(max_msg_size, &kipc_param_ops, &kipc_max_msg_size, 0644);
MODULE_PARM_DESC(max_msg_size, "Largest message in bytes (1..16777216, default 1048576)");
module_param_cb(max_msgs, &kipc_param_ops, &kipc_max_msgs, 0644);
MODULE_PARM_DESC(max_msgs, "Messages one queue may hold (1..1048576, default 4096)");
module_param_cb(max_user_bytes, &kipc_param_ops, &kipc_max_user_bytes, 0644);
MODULE_PARM_DESC(max_user_bytes, "Bytes of queued messages per user (4096..1073741824, default 64 MiB)");
module_param_cb(max_shm_size, &kipc_param_ops, &kipc_max_shm_size, 0644);
MODULE_PARM_DESC(max_shm_size, "Largest shared-page channel in bytes (4096..1073741824, default 64 MiB)");
module_param_cb(max_user_channels, &kipc_param_ops, &kipc_max_user_channels, 0644);
MODULE_PARM_DESC(max_user_channels, "Channels alive one user may have created (1..65536, default 256)");
module_param_cb(max_user_shm_bytes, &kipc_param_ops, &kipc_max_user_shm_bytes, 0644);
MODULE_PARM_DESC(max_user_shm_bytes, "Shared-page bytes one user's channels may hold (4096..68719476736, default 256 MiB)");
module_param_cb(direct_copy_min, &kipc_param_ops, &kipc_direct_copy_min, 0644);
MODULE_PARM_DESC(direct_copy_min, "Smallest message a send copies straight into a sleeping receive's buffer; 0: never (0..16777216, default 65536)");
