// SPDX-License-Identifier: GPL-2.0
/*
 * kipc message queues: priorities, blocking, batches and the one-syscall call.
 *
 * A queue is an rbtree of priority levels, highest leftmost (cached), each a FIFO list.  The
 * highest message is found in O(1), a send is O(log levels) and never allocates beyond the
 * message itself: each message carries a level node that it lends to the tree when it is the
 * first of its priority (see struct kipc_msg_buf).
 *
 * Bounds.  max_msgs is the most messages a queue holds, whatever happens.  A receive takes
 * its message off the queue but keeps its slot (ch->inflight) until the copy to the caller
 * has succeeded, so that a failed copy can put the message back without overfilling a BLOCK
 * or FAIL queue.  A DROP queue never waits and keeps the best max_msgs: a send to a full one
 * drops the oldest of the lowest priority, or the new message itself when it is strictly the
 * lowest; a message put back after a failed copy obeys the same rule.
 *
 * Budgets.  A message is charged to the sending task's euid (max_user_bytes), whoever opened
 * the fd, and uncharged from that same kipc_user when it is freed.
 *
 * Waits.  A deadline is absolute (CLOCK_MONOTONIC), fixed when a call starts.  A signal ends
 * a wait with -ERESTARTSYS; the ioctl layer writes a relative timeout back in its absolute
 * form, so a restarted call (SIGSTOP/SIGCONT, SA_RESTART) ends at the original deadline.
 *
 * Locking: kipc_channel.lock (a spinlock) covers the queue and its counters.  User copies
 * happen outside it: a send copies into a new message before taking the lock; a receive takes
 * the message off the queue under the lock, copies it out without the lock, and on a failed
 * copy puts it back at the head of its priority, so a bad buffer never loses a message.
 * Waiters sleep on kipc_channel.readers/writers and test their condition without the lock;
 * every change that can satisfy one is followed by a wake-up after the lock is dropped.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>

#include "kipc_internal.h"

/* Messages queued in all channels, for the debugfs state file and leak checks. */
static atomic64_t kipc_global_msgs = ATOMIC64_INIT(0);

atomic64_t *kipc_mq_global_msgs(void)
{
	return &kipc_global_msgs;
}

void kipc_mq_init(struct kipc_channel *ch)
{
	spin_lock_init(&ch->lock);
	ch->prios = RB_ROOT_CACHED;
	init_waitqueue_head(&ch->readers);
	init_waitqueue_head(&ch->writers);
}

struct kipc_msg_buf *kipc_msg_alloc(struct kipc_user *user, u32 len, u32 prio)
{
	struct kipc_msg_buf *msg;
	u64 charge = struct_size(msg, data, len);
	int ret;

	ret = kipc_user_charge(user, charge);
	if (ret)
		return ERR_PTR(ret);
	/* Charged to the sender's memory cgroup, as a pipe buffer would be. */
	msg = kvmalloc(charge, GFP_KERNEL_ACCOUNT);
	if (!msg) {
		kipc_user_uncharge(user, charge);
		return ERR_PTR(-ENOMEM);
	}
	INIT_LIST_HEAD(&msg->node);
	msg->owns_level = false;
	refcount_inc(&user->ref);
	msg->user = user;
	msg->charge = charge;
	msg->len = len;
	msg->prio = prio;
	atomic64_inc(&kipc_global_msgs);
	return msg;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_msg_alloc);

void kipc_msg_free(struct kipc_msg_buf *msg)
{
	kipc_user_uncharge(msg->user, msg->charge);
	kipc_user_put(msg->user);
	atomic64_dec(&kipc_global_msgs);
	kvfree(msg);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_msg_free);

/* Queue @msg at the tail (or, to undo a failed receive, the head) of its priority. */
void kipc_mq_enqueue_locked(struct kipc_channel *ch, struct kipc_msg_buf *msg, bool at_head)
{
	struct rb_node **link = &ch->prios.rb_root.rb_node, *parent = NULL;
	bool leftmost = true;
	struct kipc_prio *level;

	lockdep_assert_held(&ch->lock);
	while (*link) {
		parent = *link;
		level = rb_entry(parent, struct kipc_prio, node);
		if (msg->prio == level->prio) {
			if (at_head)
				list_add(&msg->node, &level->msgs);
			else
				list_add_tail(&msg->node, &level->msgs);
			goto out;
		}
		if (msg->prio > level->prio) {
			link = &parent->rb_left;
		} else {
			link = &parent->rb_right;
			leftmost = false;
		}
	}
	level = &msg->level;
	level->prio = msg->prio;
	INIT_LIST_HEAD(&level->msgs);
	list_add(&msg->node, &level->msgs);
	msg->owns_level = true;
	rb_link_node(&level->node, parent, link);
	rb_insert_color_cached(&level->node, &ch->prios, leftmost);
out:
	ch->depth++;
	ch->bytes += msg->len;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_mq_enqueue_locked);

/* The message a receive takes next: highest priority, oldest first; NULL when empty. */
struct kipc_msg_buf *kipc_mq_peek_locked(struct kipc_channel *ch)
{
	struct rb_node *first = rb_first_cached(&ch->prios);
	struct kipc_prio *level;

	lockdep_assert_held(&ch->lock);
	if (!first)
		return NULL;
	level = rb_entry(first, struct kipc_prio, node);
	return list_first_entry(&level->msgs, struct kipc_msg_buf, node);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_mq_peek_locked);

static struct kipc_prio *kipc_mq_level_of(struct kipc_channel *ch, struct kipc_msg_buf *msg)
{
	struct rb_node *n = ch->prios.rb_root.rb_node;

	while (n) {
		struct kipc_prio *level = rb_entry(n, struct kipc_prio, node);

		if (msg->prio == level->prio)
			return level;
		n = msg->prio > level->prio ? n->rb_left : n->rb_right;
	}
	return NULL;
}

/* Take @msg, which is queued in @ch, off the queue. */
void kipc_mq_unlink_locked(struct kipc_channel *ch, struct kipc_msg_buf *msg)
{
	struct kipc_prio *level = kipc_mq_level_of(ch, msg);
	struct kipc_msg_buf *heir;

	lockdep_assert_held(&ch->lock);
	list_del_init(&msg->node);
	if (list_empty(&level->msgs)) {
		rb_erase_cached(&level->node, &ch->prios);
	} else if (msg->owns_level) {
		/* Hand the level over to the next message of this priority. */
		heir = list_first_entry(&level->msgs, struct kipc_msg_buf, node);
		heir->level.prio = level->prio;
		list_replace(&level->msgs, &heir->level.msgs);
		rb_replace_node_cached(&level->node, &heir->level.node, &ch->prios);
		heir->owns_level = true;
	}
	msg->owns_level = false;
	ch->depth--;
	ch->bytes -= msg->len;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_mq_unlink_locked);

/* KIPC_OVERFLOW_DROP: take the oldest message of the lowest priority off the queue. */
struct kipc_msg_buf *kipc_mq_drop_lowest_locked(struct kipc_channel *ch)
{
	struct rb_node *last = rb_last(&ch->prios.rb_root);
	struct kipc_msg_buf *msg;
	struct kipc_prio *level;

	lockdep_assert_held(&ch->lock);
	if (!last)
		return NULL;
	level = rb_entry(last, struct kipc_prio, node);
	msg = list_first_entry(&level->msgs, struct kipc_msg_buf, node);
	kipc_mq_unlink_locked(ch, msg);
	ch->dropped++;
	return msg;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_mq_drop_lowest_locked);

/*
 * KIPC_OVERFLOW_DROP with no room for @msg: keep the best max_msgs.  Takes the oldest message
 * of the lowest priority off the queue, unless @msg is strictly lower than every queued one;
 * then @msg itself is the one dropped.  Return: the dropped message (counted in dropped).
 */
struct kipc_msg_buf *kipc_mq_drop_for_locked(struct kipc_channel *ch, struct kipc_msg_buf *msg)
{
	struct rb_node *last = rb_last(&ch->prios.rb_root);

	lockdep_assert_held(&ch->lock);
	if (!last || msg->prio < rb_entry(last, struct kipc_prio, node)->prio) {
		ch->dropped++;
		return msg;
	}
	return kipc_mq_drop_lowest_locked(ch);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_mq_drop_for_locked);

/* Free every queued message (destroy-now, or the last reference going). */
void kipc_mq_purge(struct kipc_channel *ch)
{
	struct kipc_msg_buf *msg;
	LIST_HEAD(doomed);

	spin_lock(&ch->lock);
	while ((msg = kipc_mq_peek_locked(ch))) {
		kipc_mq_unlink_locked(ch, msg);
		list_add(&msg->node, &doomed);
	}
	spin_unlock(&ch->lock);
	while (!list_empty(&doomed)) {
		msg = list_first_entry(&doomed, struct kipc_msg_buf, node);
		list_del(&msg->node);
		kipc_msg_free(msg);
	}
}
EXPORT_SYMBOL_IF_KUNIT(kipc_mq_purge);

/* Wake every waiter on @wq, EPOLLEXCLUSIVE ones included (nr_exclusive 0 means all). */
void kipc_wake_all(wait_queue_head_t *wq, __poll_t mask)
{
	__wake_up(wq, TASK_INTERRUPTIBLE, 0, poll_to_key(mask));
}

/* Destroy-now: every waiter wakes, and every later operation gets EIDRM. */
void kipc_mq_kill(struct kipc_channel *ch)
{
	spin_lock(&ch->lock);
	WRITE_ONCE(ch->dead, true);
	spin_unlock(&ch->lock);
	kipc_mq_purge(ch);
	kipc_wake_all(&ch->readers, EPOLLHUP | EPOLLERR);
	kipc_wake_all(&ch->writers, EPOLLHUP | EPOLLERR);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_mq_kill);

/* BLOCK and FAIL: a receive in flight still holds its slot. */
static bool kipc_mq_full_locked(struct kipc_channel *ch)
{
	return ch->depth + ch->inflight >= ch->max_msgs;
}

static bool kipc_mq_has_room(struct kipc_channel *ch, u64 unused)
{
	return READ_ONCE(ch->depth) + READ_ONCE(ch->inflight) < ch->max_msgs ||
	       READ_ONCE(ch->dead);
}

static bool kipc_mq_has_msg(struct kipc_channel *ch, u64 unused)
{
	return READ_ONCE(ch->depth) || READ_ONCE(ch->dead);
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

/* The absolute CLOCK_MONOTONIC deadline of a call with @flags and @timeout_ns. */
ktime_t kipc_deadline(u32 flags, u64 timeout_ns)
{
	ktime_t now;

	if (!(flags & KIPC_MSG_TIMEOUT))
		return KTIME_MAX;
	if (flags & KIPC_MSG_ABSTIME)
		return timeout_ns > KTIME_MAX ? KTIME_MAX : (ktime_t)timeout_ns;
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
	*timeout_ns = deadline;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_timeout_absolute);

u32 kipc_file_flags(struct kipc_file *kf, u32 flags)
{
	if (kf->file && (kf->file->f_flags & O_NONBLOCK))
		flags |= KIPC_MSG_NONBLOCK;
	return flags;
}

static struct kipc_channel *kipc_mq_for(struct kipc_file *kf, u32 access)
{
	struct kipc_channel *ch = kipc_file_channel(kf);

	if (!ch)
		return ERR_PTR(-ENOTCONN);
	if (!(kf->access & access))
		return ERR_PTR(-EBADF);
	if (ch->type != KIPC_TYPE_MQ)
		return ERR_PTR(-EBADF);
	if (READ_ONCE(ch->dead))
		return ERR_PTR(-EIDRM);
	return ch;
}

static void kipc_set_pid(struct pid **slot)
{
	struct pid *old = *slot;

	*slot = get_pid(task_tgid(current));
	/* put_pid() may free: it is safe under a spinlock, it never sleeps. */
	put_pid(old);
}

/* The message of a send by the current task, charged to its euid. */
static struct kipc_msg_buf *kipc_mq_msg_new(struct kipc_file *kf, u32 len, u32 prio)
{
	struct kipc_user *sender = kf->user, *other = NULL;
	struct kipc_msg_buf *msg;
	kuid_t euid = current_euid();

	/* The opener sending through its own fd needs no lookup. */
	if (!uid_eq(euid, sender->uid)) {
		other = kipc_user_get(euid);
		if (!other)
			return ERR_PTR(-ENOMEM);
		sender = other;
	}
	msg = kipc_msg_alloc(sender, len, prio);
	if (other)
		kipc_user_put(other);
	return msg;
}

/*
 * Queue a message.  @flags are final (the caller folded in O_NONBLOCK where it applies).
 * Return: KIPC_SEND_QUEUED, KIPC_SEND_DROPPED (DROP, and the message was the lowest), or
 * -errno.
 */
int kipc_mq_send(struct kipc_file *kf, const void __user *buf, u32 len, u32 prio, u32 flags,
		 ktime_t deadline)
{
	struct kipc_msg_buf *msg, *dropped, *tmp;
	struct kipc_channel *ch;
	LIST_HEAD(doomed);
	int ret;

	ch = kipc_mq_for(kf, KIPC_ACCESS_WRITE);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	if (prio > KIPC_PRIO_MAX)
		return -EINVAL;
	if (len > ch->max_msg_size)
		return -EMSGSIZE;

	msg = kipc_mq_msg_new(kf, len, prio);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	if (copy_from_user(msg->data, buf, len)) {
		ret = -EFAULT;
		goto out_free;
	}

	for (;;) {
		spin_lock(&ch->lock);
		if (ch->dead) {
			ret = -EIDRM;
			break;
		}
		ret = KIPC_SEND_QUEUED;
		if (ch->overflow == KIPC_OVERFLOW_DROP) {
			/* Receives in flight do not count: DROP never waits; they rarely fail. */
			while (ch->depth >= ch->max_msgs) {
				dropped = kipc_mq_drop_for_locked(ch, msg);
				if (dropped == msg) {
					ret = KIPC_SEND_DROPPED;
					break;
				}
				list_add(&dropped->node, &doomed);
			}
		}
		if (ret == KIPC_SEND_DROPPED || !kipc_mq_full_locked(ch) ||
		    ch->overflow == KIPC_OVERFLOW_DROP) {
			/* A message dropped on arrival was sent all the same: sent counts it. */
			if (ret == KIPC_SEND_QUEUED)
				kipc_mq_enqueue_locked(ch, msg, false);
			ch->sent++;
			ch->send_time_ns = ktime_get_real_ns();
			kipc_set_pid(&ch->last_send_pid);
			spin_unlock(&ch->lock);
			if (ret == KIPC_SEND_QUEUED)
				wake_up_interruptible_poll(&ch->readers, EPOLLIN | EPOLLRDNORM);
			else
				kipc_msg_free(msg);
			list_for_each_entry_safe(dropped, tmp, &doomed, node)
				kipc_msg_free(dropped);
			return ret;
		}
		if (ch->overflow == KIPC_OVERFLOW_FAIL) {
			ret = -EAGAIN;
			break;
		}
		spin_unlock(&ch->lock);
		ret = kipc_wait(&ch->writers, kipc_mq_has_room, ch, 0, flags, deadline);
		if (ret)
			goto out_free;
	}
	spin_unlock(&ch->lock);
out_free:
	kipc_msg_free(msg);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_mq_send);

/* Take one message.  @flags are final, as for kipc_mq_send(). */
long kipc_mq_recv(struct kipc_file *kf, void __user *buf, u32 len, u32 *prio, u32 flags,
		  ktime_t deadline)
{
	struct kipc_msg_buf *msg, *dropped = NULL;
	struct kipc_channel *ch;
	long ret;

	ch = kipc_mq_for(kf, KIPC_ACCESS_READ);
	if (IS_ERR(ch))
		return PTR_ERR(ch);

	for (;;) {
		spin_lock(&ch->lock);
		if (ch->dead) {
			spin_unlock(&ch->lock);
			return -EIDRM;
		}
		msg = kipc_mq_peek_locked(ch);
		if (msg)
			break;
		spin_unlock(&ch->lock);
		ret = kipc_wait(&ch->readers, kipc_mq_has_msg, ch, 0, flags, deadline);
		if (ret)
			return ret;
	}
	if (msg->len > len) {
		/* The caller learns the length it needs; the message stays queued. */
		*prio = msg->len;
		spin_unlock(&ch->lock);
		return -EMSGSIZE;
	}
	kipc_mq_unlink_locked(ch, msg);
	ch->inflight++;
	spin_unlock(&ch->lock);

	if (copy_to_user(buf, msg->data, msg->len)) {
		spin_lock(&ch->lock);
		ch->inflight--;
		if (ch->dead) {
			spin_unlock(&ch->lock);
			kipc_msg_free(msg);
			return -EFAULT;
		}
		/* Its slot was kept (BLOCK, FAIL); a DROP queue may have been refilled. */
		if (ch->overflow == KIPC_OVERFLOW_DROP && ch->depth >= ch->max_msgs)
			dropped = kipc_mq_drop_for_locked(ch, msg);
		if (dropped != msg)
			kipc_mq_enqueue_locked(ch, msg, true);
		spin_unlock(&ch->lock);
		if (dropped)
			kipc_msg_free(dropped);
		wake_up_interruptible_poll(&ch->readers, EPOLLIN | EPOLLRDNORM);
		return -EFAULT;
	}

	spin_lock(&ch->lock);
	ch->inflight--;
	ch->received++;
	ch->recv_time_ns = ktime_get_real_ns();
	kipc_set_pid(&ch->last_recv_pid);
	spin_unlock(&ch->lock);
	wake_up_interruptible_poll(&ch->writers, EPOLLOUT | EPOLLWRNORM);

	*prio = msg->prio;
	ret = msg->len;
	kipc_msg_free(msg);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_mq_recv);

/* Read one vector entry of the caller's size; a non-zero unknown tail is E2BIG. */
static int kipc_vec_get(const struct kipc_batch *b, u32 i, struct kipc_msg_vec *v)
{
	const void __user *uvec = u64_to_user_ptr(b->vec) + (size_t)i * b->vec_size;
	int ret;

	ret = copy_struct_from_user(v, sizeof(*v), uvec, b->vec_size);
	if (ret)
		return ret;
	return v->__reserved ? -EINVAL : 0;
}

static int kipc_batch_check(const struct kipc_batch *b)
{
	if (b->__reserved)
		return -EINVAL;
	if (!b->count || b->count > KIPC_BATCH_MAX)
		return -EINVAL;
	if (b->vec_size < offsetofend(struct kipc_msg_vec, priority) || b->vec_size > PAGE_SIZE)
		return -EINVAL;
	return 0;
}

int kipc_mq_send_batch(struct kipc_file *kf, struct kipc_batch *b)
{
	struct kipc_msg_vec v;
	ktime_t deadline;
	u32 flags;
	int ret;

	ret = kipc_wait_begin(kf, b->flags, b->timeout_ns, &flags, &deadline);
	if (!ret)
		ret = kipc_batch_check(b);
	if (ret)
		return ret;
	for (b->done = 0; b->done < b->count; b->done++) {
		ret = kipc_vec_get(b, b->done, &v);
		if (!ret)
			ret = kipc_mq_send(kf, u64_to_user_ptr(v.buf), v.len, v.priority, flags,
					   deadline);
		/* A message that DROP dropped on arrival was handled as the policy says. */
		if (ret < 0)
			break;
		/* Only the first message may wait. */
		flags |= KIPC_MSG_NONBLOCK;
	}
	if (b->done)
		return 0;
	if (ret == -ERESTARTSYS)
		kipc_timeout_absolute(&b->flags, deadline, &b->timeout_ns);
	return ret;
}

int kipc_mq_recv_batch(struct kipc_file *kf, struct kipc_batch *b)
{
	struct kipc_msg_vec __user *uvec;
	struct kipc_msg_vec v;
	ktime_t deadline;
	u32 flags, prio;
	long len;
	int ret;

	ret = kipc_wait_begin(kf, b->flags, b->timeout_ns, &flags, &deadline);
	if (!ret)
		ret = kipc_batch_check(b);
	if (ret)
		return ret;
	for (b->done = 0; b->done < b->count; b->done++) {
		ret = kipc_vec_get(b, b->done, &v);
		if (ret)
			break;
		uvec = u64_to_user_ptr(b->vec) + (size_t)b->done * b->vec_size;
		/* A message taken must be described: make sure the entry can be written first. */
		if (put_user(v.len, &uvec->len) || put_user(v.priority, &uvec->priority)) {
			ret = -EFAULT;
			break;
		}
		len = kipc_mq_recv(kf, u64_to_user_ptr(v.buf), v.len, &prio, flags, deadline);
		if (len == -EMSGSIZE) {
			/* Tell the caller the length the entry needs, as a single receive does. */
			if (put_user(prio, &uvec->len))
				len = -EFAULT;
		}
		if (len < 0) {
			ret = len;
			break;
		}
		if (put_user((u32)len, &uvec->len) || put_user(prio, &uvec->priority)) {
			/* Only if the caller unmapped the entry meanwhile: the message is gone. */
			ret = -EFAULT;
			b->done++;
			break;
		}
		flags |= KIPC_MSG_NONBLOCK;
	}
	if (b->done)
		return 0;
	if (ret == -ERESTARTSYS)
		kipc_timeout_absolute(&b->flags, deadline, &b->timeout_ns);
	return ret;
}

/*
 * Send a request and wait for its reply.  The call's own flags rule both waits (neither fd's
 * O_NONBLOCK), and one deadline covers the whole call.
 */
int kipc_mq_call(struct kipc_file *kf, struct kipc_call *c)
{
	struct kipc_channel *reply_ch;
	struct kipc_file *reply_kf;
	struct file *reply_file;
	ktime_t deadline;
	u32 prio;
	long len;
	int ret;

	ret = kipc_wait_flags_check(c->flags);
	if (ret)
		return ret;
	c->sent = 0;
	reply_kf = kipc_file_get(c->reply_fd, &reply_file);
	if (!reply_kf)
		return -EBADF;
	/* Refuse a reply fd that cannot receive before the request goes out. */
	reply_ch = kipc_file_channel(reply_kf);
	if (!reply_ch || !(reply_kf->access & KIPC_ACCESS_READ) ||
	    reply_ch->type != KIPC_TYPE_MQ) {
		ret = -EBADF;
		goto out;
	}
	if (READ_ONCE(reply_ch->dead)) {
		ret = -EIDRM;
		goto out;
	}
	deadline = kipc_deadline(c->flags, c->timeout_ns);
	ret = kipc_mq_send(kf, u64_to_user_ptr(c->req_buf), c->req_len, c->req_priority,
			   c->flags, deadline);
	if (ret == -ERESTARTSYS)
		kipc_timeout_absolute(&c->flags, deadline, &c->timeout_ns);
	/* Dropped on arrival (KIPC_SEND_DROPPED): no reply will come; say so, sent = 0. */
	if (ret)
		goto out;
	c->sent = 1;
	len = kipc_mq_recv(reply_kf, u64_to_user_ptr(c->reply_buf), c->reply_len, &prio,
			   c->flags, deadline);
	if (len < 0) {
		if (len == -EMSGSIZE)
			c->reply_len = prio;
		/* The request is out; a restart would send it twice. */
		if (len == -ERESTARTSYS) {
			kipc_timeout_absolute(&c->flags, deadline, &c->timeout_ns);
			len = -EINTR;
		}
		ret = len;
		goto out;
	}
	c->reply_len = len;
	c->reply_priority = prio;
	ret = 0;
out:
	fput(reply_file);
	return ret;
}

__poll_t kipc_mq_poll(struct kipc_file *kf, struct file *file, struct poll_table_struct *pt)
{
	struct kipc_channel *ch = kipc_file_channel(kf);
	__poll_t mask = 0;

	if (!ch)
		return EPOLLERR;
	poll_wait(file, &ch->readers, pt);
	poll_wait(file, &ch->writers, pt);
	if (READ_ONCE(ch->dead))
		return EPOLLHUP | EPOLLERR;
	if ((kf->access & KIPC_ACCESS_READ) && READ_ONCE(ch->depth))
		mask |= EPOLLIN | EPOLLRDNORM;
	if ((kf->access & KIPC_ACCESS_WRITE) &&
	    (kipc_mq_has_room(ch, 0) || ch->overflow == KIPC_OVERFLOW_DROP))
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_mq_poll);
