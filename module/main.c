// SPDX-License-Identifier: GPL-2.0
/*
 * kipc: the /dev/kipc misc device and its ioctl dispatch.
 *
 * Every ioctl argument is a size-versioned struct (see uapi/linux/kipc.h).  The dispatcher
 * does the size checks once, for every command, from kipc_ioctl_ops[]: it reads the caller's
 * size, refuses one that ends before the command's last required field (EINVAL), copies the
 * struct in with copy_struct_from_user() (E2BIG for a non-zero unknown tail) and, after the
 * handler ran, copies back no more than the caller's size.  Handlers see a zero-filled kernel
 * struct of the kernel's own size and only check flags and values.
 *
 * Locking: none here; see kipc_internal.h.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>

#include "kipc_internal.h"

/* The features this build implements; the library and the tests skip what is missing. */
#define KIPC_FEATURES	(KIPC_FEATURE_INFO)

void kipc_fill_info(struct kipc_info *info)
{
	info->abi_version = KIPC_ABI_VERSION;
	info->features = KIPC_FEATURES;
	info->max_channels = kipc_param_get(&kipc_max_channels);
	info->max_msg_size = kipc_param_get(&kipc_max_msg_size);
	info->max_msgs = kipc_param_get(&kipc_max_msgs);
	info->max_name_len = KIPC_NAME_MAX - 1;
	info->max_user_bytes = kipc_param_get(&kipc_max_user_bytes);
	info->max_shm_size = kipc_param_get(&kipc_max_shm_size);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_fill_info);

static int kipc_ioctl_info(struct file *file, void *arg)
{
	struct kipc_info *info = arg;

	if (info->flags)
		return -EOPNOTSUPP;
	if (info->__reserved)
		return -EINVAL;
	kipc_fill_info(info);
	return 0;
}

union kipc_ioctl_buffer {
	struct kipc_info info;
};

/*
 * struct kipc_ioctl_op - one row of the dispatch table
 * @size: the kernel's sizeof() of the command's struct
 * @min_size: offsetofend() of the last field an old caller must already have had
 * @cmd: the full ioctl number
 * @execute: the handler; it works on a kernel copy of the struct
 */
struct kipc_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	unsigned int cmd;
	int (*execute)(struct file *file, void *arg);
};

/* Rows stand in command-number order with no gaps: row i handles _IOC_NR() == i. */
#define KIPC_IOCTL_OP(_ioctl, _fn, _struct, _last)			\
	{								\
		.size = sizeof(_struct) +				\
			BUILD_BUG_ON_ZERO(sizeof(union kipc_ioctl_buffer) < \
					  sizeof(_struct)),		\
		.min_size = offsetofend(_struct, _last),		\
		.cmd = _ioctl,						\
		.execute = _fn,						\
	}

static const struct kipc_ioctl_op kipc_ioctl_ops[] = {
	KIPC_IOCTL_OP(KIPC_IOC_INFO, kipc_ioctl_info, struct kipc_info, features),
};

/* The dispatcher indexes the table by command number; refuse to load if a row is misplaced. */
static bool kipc_ioctl_table_ok(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kipc_ioctl_ops); i++)
		if (_IOC_NR(kipc_ioctl_ops[i].cmd) != i)
			return false;
	return true;
}

static long kipc_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	const struct kipc_ioctl_op *op;
	union kipc_ioctl_buffer buf;
	unsigned int nr = _IOC_NR(cmd);
	u32 usize;
	int ret;

	if (nr >= ARRAY_SIZE(kipc_ioctl_ops))
		return -ENOTTY;
	op = &kipc_ioctl_ops[nr];
	if (op->cmd != cmd)
		return -ENOTTY;

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < op->min_size)
		return -EINVAL;
	ret = copy_struct_from_user(&buf, op->size, uarg, usize);
	if (ret)
		return ret;

	ret = op->execute(file, &buf);
	if (ret)
		return ret;

	/* The caller's size stays as the caller wrote it. */
	if (copy_to_user(uarg + sizeof(u32), (u8 *)&buf + sizeof(u32),
			 min_t(u32, usize, op->size) - sizeof(u32)))
		return -EFAULT;
	return 0;
}

static const struct file_operations kipc_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = kipc_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice kipc_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = KIPC_DEVICE_NAME,
	.fops = &kipc_fops,
	.mode = 0666,
};

static int __init kipc_init(void)
{
	int ret;

	if (WARN_ON(!kipc_ioctl_table_ok()))
		return -EINVAL;

	ret = misc_register(&kipc_misc);
	if (ret) {
		pr_err("kipc: cannot register /dev/%s: %d\n", KIPC_DEVICE_NAME, ret);
		return ret;
	}
	pr_info("kipc: abi %u, features %#llx\n", KIPC_ABI_VERSION,
		(unsigned long long)KIPC_FEATURES);
	return 0;
}

static void __exit kipc_exit(void)
{
	misc_deregister(&kipc_misc);
}

module_init(kipc_init);
module_exit(kipc_exit);

MODULE_DESCRIPTION("kipc: message-queue and shared-page IPC channels on /dev/kipc");
MODULE_AUTHOR("The kipc authors");
MODULE_LICENSE("GPL");
MODULE_VERSION("0.1");
