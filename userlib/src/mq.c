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

int kipc__timeout(unsigned int flags, __s64 timeout_ns, __u32 *kflags, __u64 *ktimeout)
{
	if (flags & (KIPC_MSG_NONBLOCK | KIPC_MSG_TIMEOUT))
		return -EINVAL;
	*kflags = flags;
	*ktimeout = 0;
	if (timeout_ns < 0)		/* KIPC_FOREVER; with ABSTIME the kernel says EINVAL */
		return 0;
	if (timeout_ns == 0 && !(flags & KIPC_MSG_ABSTIME)) {
		*kflags |= KIPC_MSG_NONBLOCK;
		return 0;
	}
	*kflags |= KIPC_MSG_TIMEOUT;
	*ktimeout = (__u64)timeout_ns;
	return 0;
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

int kipc_mq_open(const char *name, const struct kipc_mq_attr *attr)
{
	static const struct kipc_mq_attr defaults = {
		.size = sizeof(defaults),
		.mode = 0600,
		.access = KIPC_ACCESS_READ | KIPC_ACCESS_WRITE,
	};
	struct kipc_mq_attr a = { 0 };
	struct kipc_create c;
	size_t i;

	if (!attr)
		attr = &defaults;
	if (attr->size < KIPC_MQ_ATTR_SIZE_VER0)
		return -EINVAL;
	/* A newer caller's struct: what this library does not know must be zero. */
	for (i = sizeof(a); i < attr->size; i++)
		if (((const unsigned char *)attr)[i])
			return -E2BIG;
	memcpy(&a, attr, attr->size < sizeof(a) ? attr->size : sizeof(a));
	if (a.__reserved)
		return -EINVAL;
	c = (struct kipc_create){
		.flags = a.create_flags,
		.type = KIPC_TYPE_MQ,
		.mode = a.mode,
		.access = a.access,
		.max_msgs = a.max_msgs,
		.max_msg_size = a.max_msg_size,
		.overflow = a.overflow,
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
	      __s64 timeout_ns)
{
	struct kipc_msg m = {
		.size = sizeof(m),
		.buf = (__u64)(unsigned long)buf,
		.len = (__u32)len,
		.priority = priority,
	};
	int ret = kipc__timeout(flags, timeout_ns, &m.flags, &m.timeout_ns);

	if (ret)
		return ret;
	if (len > 0xffffffffu)
		return -EMSGSIZE;
	return kipc_ioctl(fd, KIPC_IOC_SEND, &m);
}

long kipc_recv(int fd, void *buf, size_t len, unsigned int *priority, unsigned int flags,
	       __s64 timeout_ns)
{
	struct kipc_msg m = {
		.size = sizeof(m),
		.buf = (__u64)(unsigned long)buf,
		.len = len > 0xffffffffu ? 0xffffffffu : (__u32)len,
	};
	int ret = kipc__timeout(flags, timeout_ns, &m.flags, &m.timeout_ns);

	if (ret)
		return ret;
	ret = kipc_ioctl(fd, KIPC_IOC_RECV, &m);
	if (ret < 0)
		return ret;
	if (priority)
		*priority = m.priority;
	return m.len;
}

static int kipc_batch(int fd, unsigned long cmd, struct kipc_msg_vec *vec, unsigned int count,
		      unsigned int flags, __s64 timeout_ns)
{
	struct kipc_batch b = {
		.size = sizeof(b),
		.vec = (__u64)(unsigned long)vec,
		.count = count,
		.vec_size = sizeof(*vec),
	};
	int ret = kipc__timeout(flags, timeout_ns, &b.flags, &b.timeout_ns);

	if (ret)
		return ret;
	ret = kipc_ioctl(fd, cmd, &b);
	return ret < 0 ? ret : (int)b.done;
}

int kipc_send_batch(int fd, struct kipc_msg_vec *vec, unsigned int count, unsigned int flags,
		    __s64 timeout_ns)
{
	return kipc_batch(fd, KIPC_IOC_SEND_BATCH, vec, count, flags, timeout_ns);
}

int kipc_recv_batch(int fd, struct kipc_msg_vec *vec, unsigned int count, unsigned int flags,
		    __s64 timeout_ns)
{
	return kipc_batch(fd, KIPC_IOC_RECV_BATCH, vec, count, flags, timeout_ns);
}

long kipc_call(int fd, const void *req, size_t req_len, unsigned int req_priority, int reply_fd,
	       void *reply, size_t reply_len, unsigned int *reply_priority, unsigned int flags,
	       __s64 timeout_ns)
{
	struct kipc_call c = {
		.size = sizeof(c),
		.req_buf = (__u64)(unsigned long)req,
		.req_len = (__u32)req_len,
		.req_priority = req_priority,
		.reply_fd = (__u32)reply_fd,
		.reply_buf = (__u64)(unsigned long)reply,
		.reply_len = reply_len > 0xffffffffu ? 0xffffffffu : (__u32)reply_len,
	};
	int ret = kipc__timeout(flags, timeout_ns, &c.flags, &c.timeout_ns);

	if (ret)
		return ret;
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
