// SPDX-License-Identifier: GPL-2.0
/*
 * kipc's waits, shared by the message queues (mq.c) and the doorbell (shm.c): sleeping on a
 * wait queue until a condition or a deadline, the wait flags every waiting call takes
 * (KIPC_MSG_NONBLOCK, _TIMEOUT, _ABSTIME), the fd's O_NONBLOCK, and deadlines.
 *
 * A deadline is absolute (CLOCK_MONOTONIC, the kernel's), fixed when a call starts.  A signal
 * ends a wait with -ERESTARTSYS; kipc_timeout_absolute() then gives the caller's relative
 * timeout its absolute form on the caller's clock (its time namespace's), which the ioctl
 * layer writes back, so that a restarted call (SIGSTOP/SIGCONT, SA_RESTART) or a retry of the
 * same struct ends at the original deadline.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/time_namespace.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>
#include <kunit/visibility.h>

#include "kipc_internal.h"

/* Wake every waiter on @wq, EPOLLEXCLUSIVE ones included (nr_exclusive 0 means all). */
void kipc_wake_all(wait_queue_head_t *wq, __poll_t mask)
{
	__wake_up(wq, TASK_INTERRUPTIBLE, 0, poll_to_key(mask));
}

/*
 * Sleep on @wq until @ready(@ch, @arg) or @deadline.  A signal ends the wait with
 * -ERESTARTSYS: nothing was consumed yet, and the deadline is absolute, so the call may be
 * restarted (the ioctl layer records the time left for a relative timeout).
 */
int kipc_wait(wait_queue_head_t *wq, kipc_ready_fn ready, struct kipc_channel *ch, u64 arg,
	      u32 flags, ktime_t deadline)
{
	ktime_t left;
	int ret;

	if (flags & KIPC_MSG_NONBLOCK)
		return -EAGAIN;
	if (!(flags & KIPC_MSG_TIMEOUT))
		return wait_event_interruptible(*wq, ready(ch, arg));
	left = ktime_sub(deadline, ktime_get());
	if (ktime_compare(left, 0) <= 0)
		return -ETIMEDOUT;
	ret = wait_event_interruptible_hrtimeout(*wq, ready(ch, arg), left);
	if (ret == -ETIME)
		return -ETIMEDOUT;
	return ret;
}

/* The wait flags every waiting call shares: ABSTIME only qualifies a timeout. */
int kipc_wait_flags_check(u32 flags)
{
	if (flags & ~(KIPC_MSG_NONBLOCK | KIPC_MSG_TIMEOUT | KIPC_MSG_ABSTIME))
		return -EOPNOTSUPP;
	if ((flags & KIPC_MSG_ABSTIME) && !(flags & KIPC_MSG_TIMEOUT))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_wait_flags_check);

/*
 * The start of a call that may wait: its @flags checked, the fd's O_NONBLOCK folded in
 * (*@final), and its deadline.  KIPC_IOC_CALL does not use it: no fd's O_NONBLOCK rules it.
 */
int kipc_wait_begin(struct kipc_file *kf, u32 flags, u64 timeout_ns, u32 *final,
		    ktime_t *deadline)
{
	int ret = kipc_wait_flags_check(flags);

	if (ret)
		return ret;
	*final = kipc_file_flags(kf, flags);
	*deadline = kipc_deadline(*final, timeout_ns);
	return 0;
}

/*
 * How far the caller's CLOCK_MONOTONIC is ahead of the kernel's (its time namespace's offset;
 * timens_ktime_to_host() is not for modules).
 */
static ktime_t kipc_timens_offset(void)
{
#ifdef CONFIG_TIME_NS
	return timespec64_to_ktime(current->nsproxy->time_ns->offsets.monotonic);
#else
	return 0;
#endif
}

/* The absolute CLOCK_MONOTONIC deadline of a call with @flags and @timeout_ns. */
ktime_t kipc_deadline(u32 flags, u64 timeout_ns)
{
	ktime_t now;

	if (!(flags & KIPC_MSG_TIMEOUT))
		return KTIME_MAX;
	if (flags & KIPC_MSG_ABSTIME) {
		if (timeout_ns > KTIME_MAX)
			return KTIME_MAX;
		/* A deadline before the kernel's zero is long past all the same. */
		return max_t(ktime_t, (ktime_t)timeout_ns - kipc_timens_offset(), 0);
	}
	now = ktime_get();
	if (timeout_ns > KTIME_MAX - now)
		return KTIME_MAX;
	return ktime_add_ns(now, timeout_ns);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_deadline);

/*
 * After an interrupted wait: a relative timeout becomes its absolute form, the deadline the
 * call started with, so that a restart (or a retry of the same struct) ends when the first
 * call would have, however long the task was stopped meanwhile.  The ioctl layer writes
 * @flags and @timeout_ns back.
 */
void kipc_timeout_absolute(u32 *flags, ktime_t deadline, u64 *timeout_ns)
{
	if ((*flags & (KIPC_MSG_TIMEOUT | KIPC_MSG_ABSTIME)) != KIPC_MSG_TIMEOUT)
		return;
	*flags |= KIPC_MSG_ABSTIME;
	/* On the caller's clock; a deadline of KTIME_MAX stays that. */
	*timeout_ns = deadline == KTIME_MAX ? KTIME_MAX : deadline + kipc_timens_offset();
}
EXPORT_SYMBOL_IF_KUNIT(kipc_timeout_absolute);

u32 kipc_file_flags(struct kipc_file *kf, u32 flags)
{
	if (kf->file && (kf->file->f_flags & O_NONBLOCK))
		flags |= KIPC_MSG_NONBLOCK;
	return flags;
}
