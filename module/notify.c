// SPDX-License-Identifier: GPL-2.0
/*
 * A queue's one-shot notification (KIPC_IOC_MQ_NOTIFY): POSIX mq_notify(3) on a kipc queue.
 *
 * A queue holds at most one registration, owned by a thread group.  A send that puts a
 * message on the empty queue (one that no receive asleep on it takes at once) delivers the
 * registration and takes it off the queue, under ch->lock (kipc_notify_fire_locked()): a
 * signal, or 1 added to an eventfd; the signal's and the eventfd's locks are leaves under it.
 * Under the lock, so that once a REMOVE or a close has taken the registration away nothing of
 * it can arrive any more.  A message handed straight to a sleeping receive fires nothing, as
 * POSIX asks (the receive was waiting).  Otherwise the registration goes when its owner
 * removes it, when its owner closes an fd attached to the queue (kipc_notify_flush(), the
 * .flush of every close, as mqueue's own flush does), or with the queue.
 *
 * ipc/mqueue.c delivers the same way (its __do_notify()), but through do_send_sig_info() to
 * the whole thread group, which modules cannot call: send_sig_info() queues to one thread.
 * So kipc picks one: a live thread of the group that does not block the signal, else the
 * group leader if it is alive, else any live thread.  What this cannot do as a process-wide
 * signal would: a thread that blocks the signal and waits for it (sigwaitinfo(), a signalfd)
 * does not get it while another thread of the group leaves it unblocked, nor unless it is the
 * leader or the first live thread.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/eventfd.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uidgid.h>
#include <kunit/visibility.h>

#include "kipc_internal.h"

/*
 * struct kipc_notify_reg - a queue's registration
 * @owner: the registering thread group (a reference)
 * @eventfd: EVENTFD: the eventfd (a reference)
 * @exec_id: SIGNAL: the owner's self_exec_id when it registered
 * @value: SIGNAL: si_value
 * @method: KIPC_MQ_NOTIFY_*
 * @signo: SIGNAL: the signal
 */
struct kipc_notify_reg {
	struct pid *owner;
	struct eventfd_ctx *eventfd;
	u64 exec_id;
	u64 value;
	u32 method;
	int signo;
};

/* A registration taken off its queue, or NULL.  Never under ch->lock: it may sleep. */
void kipc_notify_free(struct kipc_notify_reg *reg)
{
	if (!reg)
		return;
	if (reg->eventfd)
		eventfd_ctx_put(reg->eventfd);
	put_pid(reg->owner);
	kfree(reg);
}

static struct kipc_notify_reg *kipc_notify_new(const struct kipc_mq_notify *n)
{
	struct kipc_notify_reg *reg;

	if (n->method > KIPC_MQ_NOTIFY_EVENTFD)
		return ERR_PTR(-EOPNOTSUPP);
	if (n->method == KIPC_MQ_NOTIFY_SIGNAL ? n->signo < 1 || n->signo > _NSIG :
						 n->signo || n->value)
		return ERR_PTR(-EINVAL);
	if (n->method != KIPC_MQ_NOTIFY_EVENTFD && n->eventfd)
		return ERR_PTR(-EINVAL);
	if (n->removed)
		return ERR_PTR(-EINVAL);

	reg = kzalloc(sizeof(*reg), GFP_KERNEL_ACCOUNT);
	if (!reg)
		return ERR_PTR(-ENOMEM);
	if (n->method == KIPC_MQ_NOTIFY_EVENTFD) {
		struct eventfd_ctx *ctx = eventfd_ctx_fdget(n->eventfd);

		if (IS_ERR(ctx)) {
			kfree(reg);
			/* Not an fd, or not an eventfd: the same mistake to the caller. */
			return ERR_PTR(-EBADF);
		}
		reg->eventfd = ctx;
	}
	reg->owner = get_pid(task_tgid(current));
	reg->exec_id = current->self_exec_id;
	reg->value = n->value;
	reg->method = n->method;
	reg->signo = n->signo;
	return reg;
}

/* KIPC_IOC_MQ_NOTIFY's handler: @arg is a struct kipc_mq_notify. */
int kipc_mq_notify(struct kipc_file *kf, void *arg)
{
	struct kipc_mq_notify *n = arg;
	struct kipc_notify_reg *reg = NULL, *old = NULL;
	struct kipc_channel *ch;
	int ret = 0;

	if (n->flags & ~KIPC_MQ_NOTIFY_REMOVE)
		return -EOPNOTSUPP;
	if ((n->flags & KIPC_MQ_NOTIFY_REMOVE) &&
	    (n->method || n->signo || n->value || n->eventfd || n->removed))
		return -EINVAL;
	ch = kipc_file_channel(kf);
	if (!ch)
		return -ENOTCONN;
	if (ch->type != KIPC_TYPE_MQ)
		return -EBADF;
	if (!(n->flags & KIPC_MQ_NOTIFY_REMOVE)) {
		reg = kipc_notify_new(n);
		if (IS_ERR(reg))
			return PTR_ERR(reg);
	}

	spin_lock(&ch->lock);
	if (ch->dead) {
		ret = -EIDRM;
	} else if (!reg) {
		n->removed = ch->notify && ch->notify->owner == task_tgid(current);
		if (n->removed) {
			old = ch->notify;
			WRITE_ONCE(ch->notify, NULL);
		}
	} else if (ch->notify) {
		ret = -EBUSY;
	} else {
		WRITE_ONCE(ch->notify, reg);
		reg = NULL;
	}
	spin_unlock(&ch->lock);
	kipc_notify_free(reg);
	kipc_notify_free(old);
	return ret;
}

static bool kipc_thread_alive(struct task_struct *t)
{
	return !(READ_ONCE(t->flags) & PF_EXITING) && !READ_ONCE(t->exit_state);
}

/*
 * The thread of @leader's group to signal (see the top of this file), or NULL when none is
 * alive.  t->blocked is read without the group's siglock: a thread changing its mask now may
 * be passed over or chosen either way, as with any signal sent while it does.
 */
static struct task_struct *kipc_notify_target(struct task_struct *leader, int signo)
{
	struct task_struct *t, *alive = NULL;

	for_each_thread(leader, t) {
		if (!kipc_thread_alive(t))
			continue;
		if (!sigismember(&t->blocked, signo))
			return t;
		if (!alive)
			alive = t;
	}
	return kipc_thread_alive(leader) ? leader : alive;
}

static void kipc_notify_signal(struct kipc_notify_reg *reg)
{
	struct kernel_siginfo info;
	struct task_struct *task;

	clear_siginfo(&info);
	info.si_signo = reg->signo;
	info.si_errno = 0;
	info.si_code = SI_MESGQ;
	info.si_value.sival_ptr = u64_to_user_ptr(reg->value);

	rcu_read_lock();
	/*
	 * The sender's pid as the registering process sees it.  si_uid is given in the sender's
	 * own user namespace: the signal code maps a user's siginfo (si_code < 0) into the
	 * receiver's, as it does for kill().
	 */
	info.si_pid = task_tgid_nr_ns(current, ns_of_pid(reg->owner));
	info.si_uid = from_kuid_munged(current_user_ns(), current_uid());
	task = pid_task(reg->owner, PIDTYPE_TGID);
	/* Not to a program that exec'd since: it does not expect the signal (mqueue's rule). */
	if (task && task->self_exec_id == reg->exec_id) {
		task = kipc_notify_target(task, reg->signo);
		if (task)
			send_sig_info(reg->signo, &info, task);
	}
	rcu_read_unlock();
}

/*
 * A message went onto the empty queue and no receive asleep on it takes it: deliver the
 * queue's registration, if any, and take it off.  Return: the registration, for
 * kipc_notify_free() once the lock is dropped, or NULL.
 */
struct kipc_notify_reg *kipc_notify_fire_locked(struct kipc_channel *ch)
{
	struct kipc_notify_reg *reg = ch->notify;

	lockdep_assert_held(&ch->lock);
	if (!reg)
		return NULL;
	WRITE_ONCE(ch->notify, NULL);
	if (reg->method == KIPC_MQ_NOTIFY_SIGNAL)
		kipc_notify_signal(reg);
	else if (reg->method == KIPC_MQ_NOTIFY_EVENTFD)
		kipc_eventfd_signal(reg->eventfd);
	return reg;
}

/* A close by the registration's owner of an fd attached to the queue removes it. */
void kipc_notify_flush(struct kipc_file *kf)
{
	struct kipc_channel *ch = kipc_file_channel(kf);
	struct kipc_notify_reg *reg = NULL;

	/* Unlocked look first: most closes are of queues nobody registered on. */
	if (!ch || ch->type != KIPC_TYPE_MQ || !READ_ONCE(ch->notify))
		return;
	spin_lock(&ch->lock);
	if (ch->notify && ch->notify->owner == task_tgid(current)) {
		reg = ch->notify;
		WRITE_ONCE(ch->notify, NULL);
	}
	spin_unlock(&ch->lock);
	kipc_notify_free(reg);
}

/* The queue is dying or freed: its registration goes undelivered. */
void kipc_notify_drop(struct kipc_channel *ch)
{
	struct kipc_notify_reg *reg;

	spin_lock(&ch->lock);
	reg = ch->notify;
	WRITE_ONCE(ch->notify, NULL);
	spin_unlock(&ch->lock);
	kipc_notify_free(reg);
}
