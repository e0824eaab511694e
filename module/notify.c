// SPDX-License-Identifier: GPL-2.0
/*
 * A queue's one-shot notification (KIPC_IOC_MQ_NOTIFY): POSIX mq_notify(3) on a kipc queue.
 *
 * A queue holds at most one registration, owned by a thread group.  A send that puts a
 * message on the empty queue, with no receive asleep on it, takes the registration off the
 * queue under ch->lock (kipc_notify_take_locked()) and delivers it after unlocking
 * (kipc_notify_fire()): a signal, or 1 added to an eventfd.  A message handed straight to a
 * sleeping receive fires nothing, as POSIX asks (the receive was waiting).  Otherwise the
 * registration goes when its owner removes it, when its owner closes an fd attached to the
 * queue (kipc_notify_flush(), the .flush of every close, as mqueue's own flush does), or
 * with the queue.
 *
 * ipc/mqueue.c delivers the same way (its __do_notify()), but through do_send_sig_info(),
 * which modules cannot call; send_sig_info() queues to one thread, so kipc picks a thread of
 * the group that does not block the signal, as the kernel's own choice for a process-wide
 * signal would.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/eventfd.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
#include <kunit/visibility.h>

#include "kipc_internal.h"

/*
 * struct kipc_notify_reg - a queue's registration
 * @owner: the registering thread group (a reference)
 * @user_ns: its user namespace, to give si_uid as it sees it (a reference)
 * @eventfd: EVENTFD: the eventfd (a reference)
 * @exec_id: SIGNAL: the owner's self_exec_id when it registered
 * @value: SIGNAL: si_value
 * @method: KIPC_MQ_NOTIFY_*
 * @signo: SIGNAL: the signal
 */
struct kipc_notify_reg {
	struct pid *owner;
	struct user_namespace *user_ns;
	struct eventfd_ctx *eventfd;
	u64 exec_id;
	u64 value;
	u32 method;
	int signo;
};

static void kipc_notify_free(struct kipc_notify_reg *reg)
{
	if (!reg)
		return;
	if (reg->eventfd)
		eventfd_ctx_put(reg->eventfd);
	put_user_ns(reg->user_ns);
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
	reg->user_ns = get_user_ns(current_user_ns());
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

/*
 * A send made the empty queue hold a message: the registration to fire, taken off the queue,
 * or NULL.  Not when a receive is asleep on the queue: it is about to take the message.
 */
struct kipc_notify_reg *kipc_notify_take_locked(struct kipc_channel *ch)
{
	struct kipc_notify_reg *reg = ch->notify;

	lockdep_assert_held(&ch->lock);
	if (!reg || !list_empty(&ch->recv_waiters))
		return NULL;
	WRITE_ONCE(ch->notify, NULL);
	return reg;
}

/* The thread of @task's group to signal: the first one that does not block @signo. */
static struct task_struct *kipc_notify_target(struct task_struct *task, int signo)
{
	struct task_struct *t;

	for_each_thread(task, t)
		if (!sigismember(&t->blocked, signo))
			return t;
	return task;
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
	/* The sender, as the registering process sees it. */
	info.si_pid = task_tgid_nr_ns(current, ns_of_pid(reg->owner));
	info.si_uid = from_kuid_munged(reg->user_ns, current_uid());
	task = pid_task(reg->owner, PIDTYPE_TGID);
	/* Not to a program that exec'd since: it does not expect the signal (mqueue's rule). */
	if (task && task->self_exec_id == reg->exec_id)
		send_sig_info(reg->signo, &info, kipc_notify_target(task, reg->signo));
	rcu_read_unlock();
}

/* Deliver a registration that kipc_notify_take_locked() gave, and free it.  May be NULL. */
void kipc_notify_fire(struct kipc_notify_reg *reg)
{
	if (!reg)
		return;
	if (reg->method == KIPC_MQ_NOTIFY_SIGNAL)
		kipc_notify_signal(reg);
	else if (reg->method == KIPC_MQ_NOTIFY_EVENTFD)
		kipc_eventfd_signal(reg->eventfd);
	kipc_notify_free(reg);
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
