// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Thin wrappers for the channel and message ioctls.  Each sets the struct's size to what this
 * library was built with, so the kernel's size checks see a current caller.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

/* Return: the ioctl's result (>= 0: SEND and CALL may say KIPC_SEND_DROPPED), or -errno. */
static int kipc_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

int kipc__copy_name(char dst[KIPC_NAME_MAX], const char *name)
{
	size_t len;

	if (!name)
		return -EINVAL;
	len = strlen(name);
	if (len >= KIPC_NAME_MAX)
		return -ENAMETOOLONG;
	memset(dst, 0, KIPC_NAME_MAX);
	memcpy(dst, name, len);
	return 0;
}

int kipc_create(int fd, struct kipc_create *arg)
{
	arg->size = sizeof(*arg);
	return kipc_ioctl(fd, KIPC_IOC_CREATE, arg);
}

int kipc_attach(int fd, struct kipc_attach *arg)
{
	arg->size = sizeof(*arg);
	return kipc_ioctl(fd, KIPC_IOC_ATTACH, arg);
}

int kipc_stat(int fd, struct kipc_stat *arg)
{
	arg->size = sizeof(*arg);
	return kipc_ioctl(fd, KIPC_IOC_STAT, arg);
}

int kipc_list(int fd, struct kipc_list *arg)
{
	arg->size = sizeof(*arg);
	return kipc_ioctl(fd, KIPC_IOC_LIST, arg);
}

int kipc_destroy(int fd, const char *name, unsigned int flags)
{
	struct kipc_destroy d = { .flags = flags };
	int ret;

	ret = kipc__copy_name(d.name, name);
	if (ret)
		return ret;
	d.size = sizeof(d);
	return kipc_ioctl(fd, KIPC_IOC_DESTROY, &d);
}

int kipc_stat_name(int fd, const char *name, struct kipc_stat *st)
{
	int ret;

	memset(st, 0, sizeof(*st));
	ret = kipc__copy_name(st->name, name);
	if (ret)
		return ret;
	return kipc_stat(fd, st);
}

int kipc_stat_self(int fd, struct kipc_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->flags = KIPC_STAT_SELF;
	return kipc_stat(fd, st);
}

int kipc_list_all(int fd, struct kipc_list_entry *entries, unsigned int count,
		  unsigned int *total)
{
	struct kipc_list l = {
		.entries = (__u64)(unsigned long)entries,
		.count = count,
		.entry_size = sizeof(*entries),
	};
	int ret;

	ret = kipc_list(fd, &l);
	if (ret)
		return ret;
	if (total)
		*total = l.total;
	return (int)l.count;
}

int kipc__open_create(struct kipc_create *c, const char *name)
{
	int fd, ret;

	ret = kipc__copy_name(c->name, name);
	if (ret)
		return ret;
	fd = kipc_open(0);
	if (fd < 0)
		return fd;
	ret = kipc_create(fd, c);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

int kipc_mq_open(const char *name, unsigned int create_flags, unsigned int mode,
		 unsigned int access, unsigned int max_msgs, unsigned int max_msg_size)
{
	struct kipc_create c = {
		.flags = create_flags,
		.type = KIPC_TYPE_MQ,
		.mode = mode,
		.access = access,
		.max_msgs = max_msgs,
		.max_msg_size = max_msg_size,
	};

	return kipc__open_create(&c, name);
}

int kipc_mq_attach(const char *name, unsigned int access)
{
	struct kipc_attach a = { .access = access };
	int fd, ret;

	ret = kipc__copy_name(a.name, name);
	if (ret)
		return ret;
	fd = kipc_open(0);
	if (fd < 0)
		return fd;
	ret = kipc_attach(fd, &a);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

int kipc_send(int fd, const void *buf, size_t len, unsigned int priority, unsigned int flags,
	      __u64 timeout_ns)
{
	struct kipc_msg m = {
		.size = sizeof(m),
		.flags = flags,
		.buf = (__u64)(unsigned long)buf,
		.len = (__u32)len,
		.priority = priority,
		.timeout_ns = timeout_ns,
	};

	if (len > 0xffffffffu)
		return -EMSGSIZE;
	return kipc_ioctl(fd, KIPC_IOC_SEND, &m);
}

long kipc_recv(int fd, void *buf, size_t len, unsigned int *priority, unsigned int flags,
	       __u64 timeout_ns)
{
	struct kipc_msg m = {
		.size = sizeof(m),
		.flags = flags,
		.buf = (__u64)(unsigned long)buf,
		.len = len > 0xffffffffu ? 0xffffffffu : (__u32)len,
		.timeout_ns = timeout_ns,
	};
	int ret;

	ret = kipc_ioctl(fd, KIPC_IOC_RECV, &m);
	if (ret < 0)
		return ret;
	if (priority)
		*priority = m.priority;
	return m.len;
}

static int kipc_batch(int fd, unsigned long cmd, struct kipc_msg_vec *vec, unsigned int count,
		      unsigned int flags, __u64 timeout_ns)
{
	struct kipc_batch b = {
		.size = sizeof(b),
		.flags = flags,
		.vec = (__u64)(unsigned long)vec,
		.count = count,
		.vec_size = sizeof(*vec),
		.timeout_ns = timeout_ns,
	};
	int ret;

	ret = kipc_ioctl(fd, cmd, &b);
	return ret < 0 ? ret : (int)b.done;
}

int kipc_send_batch(int fd, struct kipc_msg_vec *vec, unsigned int count, unsigned int flags,
		    __u64 timeout_ns)
{
	return kipc_batch(fd, KIPC_IOC_SEND_BATCH, vec, count, flags, timeout_ns);
}

int kipc_recv_batch(int fd, struct kipc_msg_vec *vec, unsigned int count, unsigned int flags,
		    __u64 timeout_ns)
{
	return kipc_batch(fd, KIPC_IOC_RECV_BATCH, vec, count, flags, timeout_ns);
}

long kipc_call(int fd, const void *req, size_t req_len, unsigned int req_priority, int reply_fd,
	       void *reply, size_t reply_len, unsigned int *reply_priority, unsigned int flags,
	       __u64 timeout_ns)
{
	struct kipc_call c = {
		.size = sizeof(c),
		.flags = flags,
		.req_buf = (__u64)(unsigned long)req,
		.req_len = (__u32)req_len,
		.req_priority = req_priority,
		.reply_fd = (__u32)reply_fd,
		.reply_buf = (__u64)(unsigned long)reply,
		.reply_len = reply_len > 0xffffffffu ? 0xffffffffu : (__u32)reply_len,
		.timeout_ns = timeout_ns,
	};
	int ret;

	if (req_len > 0xffffffffu)
		return -EMSGSIZE;
	ret = kipc_ioctl(fd, KIPC_IOC_CALL, &c);
	if (ret < 0)
		return ret;
	/* A DROP queue dropped the request on arrival: no reply will come. */
	if (ret == KIPC_SEND_DROPPED)
		return -ECANCELED;
	if (reply_priority)
		*reply_priority = c.reply_priority;
	return c.reply_len;
}
