// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libkipc-mqueue: the <mqueue.h> calls on kipc queues, for LD_PRELOAD.
 *
 * An mqd_t is the /dev/kipc descriptor attached to the queue, so select, poll and epoll work on
 * it as on a Linux queue.  It is opened O_CLOEXEC, as the kernel's mq_open() does, and its
 * O_NONBLOCK is the queue description's non-blocking flag (the module honours it in SEND and
 * RECV), so that mq_setattr() on one descriptor is seen by every process that shares it.
 *
 * Errors are checked in the order Linux checks them, and kipc's errnos become the ones
 * mq_open(3), mq_send(3) and the others name.  Deadlines are CLOCK_REALTIME, as POSIX has
 * them; the module waits on CLOCK_MONOTONIC, so each is turned into a monotonic deadline when
 * the call starts (a step of the realtime clock during the wait is not followed).
 */
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "shim.h"

#define NSEC_PER_SEC 1000000000LL

int mq__errno(int err)
{
	switch (err) {
	case -ENOTTY:		/* not a kipc descriptor */
	case -ENOTCONN:		/* a kipc descriptor attached to nothing */
		return -EBADF;
	case -ERANGE:		/* above a module parameter */
		return -EINVAL;
	default:
		return err;
	}
}

/* The umask, read without changing it (umask(2) would race with the program's threads). */
static mode_t mq_umask(void)
{
	unsigned int mask;
	char line[64];
	mode_t old;
	FILE *f;

	f = fopen("/proc/self/status", "re");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "Umask: %o", &mask) == 1) {
				fclose(f);
				return (mode_t)mask;
			}
		fclose(f);
	}
	old = umask(0);
	umask(old);
	return old;
}

static int mq_create(int fd, const char *kname, __u32 access, mode_t mode,
		     const struct mq_attr *attr)
{
	struct kipc_create c = {
		.flags = KIPC_CREATE_EXCL | KIPC_CREATE_RLIMIT,
		.type = KIPC_TYPE_MQ,
		.mode = mode & 0777 & ~mq_umask(),
		.access = access,
		.overflow = KIPC_OVERFLOW_BLOCK,
	};
	struct kipc_info info;
	int ret;

	ret = kipc_get_info(fd, &info);
	if (ret)
		return ret;
	ret = mq__create_attr(attr, &info, &c.max_msgs, &c.max_msg_size);
	if (ret)
		return ret;
	memcpy(c.name, kname, KIPC_NAME_MAX);
	ret = kipc_create(fd, &c);
	return ret == -EDQUOT ? -EMFILE : ret;	/* RLIMIT_MSGQUEUE, as Linux says it */
}

static int mq_attach(int fd, const char *kname, __u32 access)
{
	struct kipc_attach a = { .access = access };

	memcpy(a.name, kname, KIPC_NAME_MAX);
	return kipc_attach(fd, &a);
}

static int mq_open_kipc(const char *name, int oflag, mode_t mode, const struct mq_attr *attr)
{
	static const __u32 access_of[] = {
		[O_RDONLY] = KIPC_ACCESS_READ,
		[O_WRONLY] = KIPC_ACCESS_WRITE,
		[O_RDWR] = KIPC_ACCESS_READ | KIPC_ACCESS_WRITE,
	};
	char kname[KIPC_NAME_MAX];
	__u32 access;
	int fd, ret;

	ret = mq__kipc_name(name, kname);
	if (ret)
		return ret;
	if ((oflag & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;
	access = access_of[oflag & O_ACCMODE];

	fd = kipc_open(oflag & O_NONBLOCK);
	if (fd < 0)	/* no module, or not kipc's: no queues here */
		return fd == -ENOENT || fd == -ENODEV || fd == -EPROTO ? -ENOSYS : fd;

	/*
	 * O_CREAT alone opens an existing queue whatever attr says, which kipc's CREATE would
	 * refuse (EEXIST for other attributes): attach first, create with EXCL only when there
	 * is none, and attach again when another process created it in between.
	 */
	for (;;) {
		if ((oflag & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL)) {
			ret = mq_attach(fd, kname, access);
			if (ret != -ENOENT || !(oflag & O_CREAT))
				break;
		}
		ret = mq_create(fd, kname, access, mode, attr);
		if (ret != -EEXIST || (oflag & O_EXCL))
			break;
	}
	if (ret < 0) {
		close(fd);
		return mq__errno(ret);
	}
	return fd;
}

MQ_EXPORT mqd_t mq_open(const char *name, int oflag, ...)
{
	const struct mq_attr *attr = NULL;
	mode_t mode = 0;
	va_list ap;
	int ret;

	if (oflag & O_CREAT) {
		va_start(ap, oflag);
		mode = va_arg(ap, mode_t);
		attr = va_arg(ap, const struct mq_attr *);
		va_end(ap);
	}
	ret = mq_open_kipc(name, oflag, mode, attr);
	return ret < 0 ? mq__fail(ret) : ret;
}

/* What glibc's <bits/mqueue2.h> makes of mq_open(name, oflag) under _FORTIFY_SOURCE. */
MQ_EXPORT mqd_t __mq_open_2(const char *name, int oflag)
{
	if (oflag & O_CREAT) {
		static const char msg[] = "*** invalid mq_open call: O_CREAT without mode and attr ***\n";

		ssize_t r = write(STDERR_FILENO, msg, sizeof(msg) - 1);

		(void)r;
		abort();
	}
	return mq_open(name, oflag);
}

/* As glibc's: close(2) on whatever it is given. */
MQ_EXPORT int mq_close(mqd_t mqdes)
{
	mq__notify_forget(mqdes);
	return close(mqdes);
}

MQ_EXPORT int mq_unlink(const char *name)
{
	char kname[KIPC_NAME_MAX];
	int fd, ret;

	ret = mq__kipc_name(name, kname);
	if (ret)
		return mq__fail(ret);
	fd = kipc_open(0);
	if (fd < 0)
		return mq__fail(fd == -ENOENT || fd == -ENODEV || fd == -EPROTO ? -ENOSYS : fd);
	ret = kipc_destroy(fd, kname, 0);
	close(fd);
	return ret < 0 ? mq__fail(ret) : 0;
}

/*
 * mq_wait() - a CLOCK_REALTIME deadline (or none) as libkipc's timeout
 * @abs: the deadline, or NULL for none
 * @flags, @timeout_ns: out: what kipc_send() and kipc_recv() take
 *
 * Return: 0, or -EINVAL for a deadline Linux refuses up front.  A deadline already past
 * becomes a call that does not wait (timeout 0): mq_timed() turns its EAGAIN into ETIMEDOUT.
 */
static int mq_wait(const struct timespec *abs, unsigned int *flags, __s64 *timeout_ns)
{
	struct timespec rt, mono;
	__s64 left_s;

	*flags = 0;
	*timeout_ns = KIPC_FOREVER;
	if (!abs)
		return 0;
	if (abs->tv_sec < 0 || abs->tv_nsec < 0 || abs->tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	left_s = (__s64)abs->tv_sec - rt.tv_sec;
	/* A deadline centuries away is a wait without end (and no overflow below). */
	if (left_s > INT32_MAX)
		return 0;
	left_s = left_s * NSEC_PER_SEC + (abs->tv_nsec - rt.tv_nsec);
	if (left_s <= 0) {
		*timeout_ns = 0;
		return 0;
	}
	*flags = KIPC_MSG_ABSTIME;
	*timeout_ns = (__s64)mono.tv_sec * NSEC_PER_SEC + mono.tv_nsec + left_s;
	return 0;
}

/* A non-waiting try for a past deadline: EAGAIN is ETIMEDOUT unless the queue is O_NONBLOCK. */
static long mq_timed(int fd, long ret, __s64 timeout_ns)
{
	int fl;

	if (ret != -EAGAIN || timeout_ns != 0)
		return mq__errno((int)ret);
	fl = fcntl(fd, F_GETFL);
	return fl >= 0 && (fl & O_NONBLOCK) ? -EAGAIN : -ETIMEDOUT;
}

/* The calls with and without a deadline: <mqueue.h> says a timed call's may not be NULL. */
static int mq_send_until(mqd_t mqdes, const char *msg_ptr, size_t msg_len,
			 unsigned int msg_prio, const struct timespec *abs_timeout)
{
	unsigned int flags;
	__s64 timeout_ns;
	int ret;

	ret = mq_wait(abs_timeout, &flags, &timeout_ns);
	if (ret)
		return mq__fail(ret);
	if (msg_prio >= MQ_PRIO_MAX)
		return mq__fail(-EINVAL);
	ret = kipc_send(mqdes, msg_ptr, msg_len, msg_prio, flags, timeout_ns);
	if (ret < 0)
		return mq__fail((int)mq_timed(mqdes, ret, timeout_ns));
	return 0;
}

MQ_EXPORT int mq_timedsend(mqd_t mqdes, const char *msg_ptr, size_t msg_len,
			   unsigned int msg_prio, const struct timespec *abs_timeout)
{
	return mq_send_until(mqdes, msg_ptr, msg_len, msg_prio, abs_timeout);
}

MQ_EXPORT int mq_send(mqd_t mqdes, const char *msg_ptr, size_t msg_len, unsigned int msg_prio)
{
	return mq_send_until(mqdes, msg_ptr, msg_len, msg_prio, NULL);
}

static ssize_t mq_receive_until(mqd_t mqdes, char *msg_ptr, size_t msg_len,
				unsigned int *msg_prio, const struct timespec *abs_timeout)
{
	struct kipc_stat st;
	unsigned int flags;
	__s64 timeout_ns;
	long ret;

	ret = mq_wait(abs_timeout, &flags, &timeout_ns);
	if (ret)
		return mq__fail((int)ret);
	ret = kipc_stat_self(mqdes, &st);
	if (ret)
		return mq__fail(mq__errno((int)ret));
	/* Linux's order: a descriptor not open for reading first (0: a module that cannot say). */
	if (st.access && !(st.access & KIPC_ACCESS_READ))
		return mq__fail(-EBADF);
	/* Linux wants room for the largest message, whatever the next one's size. */
	if (msg_len < st.max_msg_size)
		return mq__fail(-EMSGSIZE);
	ret = kipc_recv(mqdes, msg_ptr, msg_len, msg_prio, flags, timeout_ns);
	if (ret < 0)
		return mq__fail((int)mq_timed(mqdes, ret, timeout_ns));
	return ret;
}

MQ_EXPORT ssize_t mq_timedreceive(mqd_t mqdes, char *__restrict msg_ptr, size_t msg_len,
				  unsigned int *__restrict msg_prio,
				  const struct timespec *__restrict abs_timeout)
{
	return mq_receive_until(mqdes, msg_ptr, msg_len, msg_prio, abs_timeout);
}

MQ_EXPORT ssize_t mq_receive(mqd_t mqdes, char *msg_ptr, size_t msg_len, unsigned int *msg_prio)
{
	return mq_receive_until(mqdes, msg_ptr, msg_len, msg_prio, NULL);
}

static int mq_attr_of(mqd_t mqdes, struct mq_attr *attr, int *fl)
{
	struct kipc_stat st;
	int ret;

	ret = kipc_stat_self(mqdes, &st);
	if (ret)
		return mq__errno(ret);
	*fl = fcntl(mqdes, F_GETFL);
	if (*fl < 0)
		return -errno;
	memset(attr, 0, sizeof(*attr));
	attr->mq_flags = *fl & O_NONBLOCK;
	attr->mq_maxmsg = st.max_msgs;
	attr->mq_msgsize = st.max_msg_size;
	attr->mq_curmsgs = st.depth;
	return 0;
}

MQ_EXPORT int mq_getattr(mqd_t mqdes, struct mq_attr *mqstat)
{
	int fl, ret = mq_attr_of(mqdes, mqstat, &fl);

	return ret ? mq__fail(ret) : 0;
}

MQ_EXPORT int mq_setattr(mqd_t mqdes, const struct mq_attr *__restrict mqstat,
			 struct mq_attr *__restrict omqstat)
{
	struct mq_attr old;
	int fl, ret;

	if (mqstat->mq_flags & ~(long)O_NONBLOCK)
		return mq__fail(-EINVAL);
	ret = mq_attr_of(mqdes, &old, &fl);
	if (ret)
		return mq__fail(ret);
	fl = (fl & ~O_NONBLOCK) | (int)(mqstat->mq_flags & O_NONBLOCK);
	if (fcntl(mqdes, F_SETFL, fl) < 0)
		return -1;
	if (omqstat)
		*omqstat = old;
	return 0;
}
