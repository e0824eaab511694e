// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Opening /dev/kipc and asking it what it is.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kipc.h"

static int kipc_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

int kipc_get_info(int fd, struct kipc_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return kipc_ioctl(fd, KIPC_IOC_INFO, info);
}

int kipc_has_feature(int fd, __u64 features)
{
	struct kipc_info info;
	int ret;

	ret = kipc_get_info(fd, &info);
	if (ret)
		return ret;
	return (info.features & features) == features;
}

const char *kipc_feature_name(__u64 feature)
{
	static const struct {
		__u64 bit;
		const char *name;
	} names[] = {
		{ KIPC_FEATURE_INFO, "info" },
		{ KIPC_FEATURE_MQ, "mq" },
		{ KIPC_FEATURE_BATCH, "batch" },
		{ KIPC_FEATURE_CALL, "call" },
		{ KIPC_FEATURE_SHM, "shm" },
		{ KIPC_FEATURE_DOORBELL, "doorbell" },
		{ KIPC_FEATURE_USER_LIMITS, "user-limits" },
		{ KIPC_FEATURE_ABSTIME, "abstime" },
		{ KIPC_FEATURE_MQ_NOTIFY, "mq-notify" },
		{ KIPC_FEATURE_RLIMIT, "rlimit" },
		{ KIPC_FEATURE_STAT_ACCESS, "stat-access" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].bit == feature)
			return names[i].name;
	return NULL;
}

int kipc_open_path(const char *path, int flags)
{
	struct kipc_info info;
	struct stat st;
	int fd, ret;

	if (!path || !*path)
		return -EINVAL;
	fd = open(path, O_RDWR | O_CLOEXEC | flags);
	if (fd < 0) {
		/* A directory or similar answers EISDIR: it is simply not the device. */
		return errno == EISDIR ? -ENODEV : -errno;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out_close;
	}
	if (!S_ISCHR(st.st_mode)) {
		ret = -ENODEV;
		goto out_close;
	}
	ret = kipc_get_info(fd, &info);
	if (ret == -ENOTTY || ret == -EINVAL || ret == -EFAULT) {
		/* Some other character device. */
		ret = -ENODEV;
		goto out_close;
	}
	if (ret)
		goto out_close;
	if (info.abi_version != KIPC_ABI_VERSION) {
		ret = -EPROTO;
		goto out_close;
	}
	return fd;

out_close:
	close(fd);
	return ret;
}

int kipc_open(int flags)
{
	const char *path = getenv("KIPC_DEVICE");

	return kipc_open_path(path && *path ? path : KIPC_DEFAULT_DEVICE, flags);
}

const char *kipc_strerror(int err)
{
	switch (err) {
	case -ENOENT:
		return "the kipc device does not exist: the module is not loaded "
		       "(load it with 'kipcctl load' or 'sudo modprobe kipc')";
	case -EACCES:
	case -EPERM:
		return "permission denied on the kipc device: run as root or join the group "
		       "that owns /dev/kipc";
	case -ENODEV:
		return "that path is not a kipc device (is KIPC_DEVICE set to the right node?)";
	case -EPROTO:
		return "the loaded kipc module speaks another ABI version than this library: "
		       "rebuild one of them";
	default:
		return strerror(-err);
	}
}
