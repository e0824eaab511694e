// SPDX-License-Identifier: GPL-2.0
/*
 * kipc message queues: priorities, blocking, batches and the one-syscall call.
 *
 * A queue is an rbtree of priority levels, highest leftmost (cached), each a FIFO list.  The
 * highest message is found in O(1), a send is O(log levels) and never allocates beyond the
 * message itself: each message carries a level node that it lends to the tree when it is the
 * first of its priority (see struct kipc_msg_buf).
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

/* Destroy-now: every waiter and every later operation gets EIDRM. */
void kipc_mq_kill(struct kipc_channel *ch)
{
	spin_lock(&ch->lock);
	WRITE_ONCE(ch->dead, true);
	spin_unlock(&ch->lock);
	kipc_mq_purge(ch);
	wake_up_interruptible_poll(&ch->readers, EPOLLHUP | EPOLLERR);
	wake_up_interruptible_poll(&ch->writers, EPOLLHUP | EPOLLERR);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_mq_kill);

static bool kipc_mq_has_room(struct kipc_channel *ch, u64 unused)
{
	return READ_ONCE(ch->depth) < ch->max_msgs || READ_ONCE(ch->dead);
}

static bool kipc_mq_has_msg(struct kipc_channel *ch, u64 unused)
{
	return READ_ONCE(ch->depth) || READ_ONCE(ch->dead);
}

/*
 * Sleep on @wq until @ready(@ch, @arg).  Without a timeout a signal restarts the call where
 * the handler allows it (nothing was consumed yet); with one it is EINTR, as mq_timedsend does,
 * since the remaining time would be lost.
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
	if (ret == -ERESTARTSYS)
		return -EINTR;
	return ret;
}

ktime_t kipc_deadline(u32 flags, u64 timeout_ns)
{
	if (!(flags & KIPC_MSG_TIMEOUT))
		return KTIME_MAX;
	if (timeout_ns > KTIME_MAX - ktime_get())
		return KTIME_MAX;
	return ktime_add_ns(ktime_get(), timeout_ns);
}

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

int kipc_mq_send(struct kipc_file *kf, const void __user *buf, u32 len, u32 prio, u32 flags,
		 u64 timeout_ns)
{
	struct kipc_msg_buf *msg, *dropped, *tmp;
	struct kipc_channel *ch;
	LIST_HEAD(doomed);
	ktime_t deadline;
	int ret;

	ch = kipc_mq_for(kf, KIPC_ACCESS_WRITE);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	if (prio > KIPC_PRIO_MAX)
		return -EINVAL;
	if (len > ch->max_msg_size)
		return -EMSGSIZE;
	flags = kipc_file_flags(kf, flags);
	deadline = kipc_deadline(flags, timeout_ns);

	msg = kipc_msg_alloc(kf->user, len, prio);
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
		/*
		 * DROP makes room however full the queue is: a receive that failed to copy out
		 * may have put its message back into a queue a sender had refilled meanwhile.
		 */
		if (ch->overflow == KIPC_OVERFLOW_DROP) {
			while (ch->depth >= ch->max_msgs) {
				dropped = kipc_mq_drop_lowest_locked(ch);
				list_add(&dropped->node, &doomed);
			}
		}
		if (ch->depth < ch->max_msgs) {
			kipc_mq_enqueue_locked(ch, msg, false);
			ch->sent++;
			ch->send_time_ns = ktime_get_real_ns();
			kipc_set_pid(&ch->last_send_pid);
			spin_unlock(&ch->lock);
			wake_up_interruptible_poll(&ch->readers, EPOLLIN | EPOLLRDNORM);
			list_for_each_entry_safe(dropped, tmp, &doomed, node)
				kipc_msg_free(dropped);
			return 0;
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

long kipc_mq_recv(struct kipc_file *kf, void __user *buf, u32 len, u32 *prio, u32 flags,
		  u64 timeout_ns)
{
	struct kipc_msg_buf *msg;
	struct kipc_channel *ch;
	ktime_t deadline;
	long ret;

	ch = kipc_mq_for(kf, KIPC_ACCESS_READ);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	flags = kipc_file_flags(kf, flags);
	deadline = kipc_deadline(flags, timeout_ns);

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
	spin_unlock(&ch->lock);

	if (copy_to_user(buf, msg->data, msg->len)) {
		spin_lock(&ch->lock);
		if (ch->dead) {
			spin_unlock(&ch->lock);
			kipc_msg_free(msg);
			return -EFAULT;
		}
		kipc_mq_enqueue_locked(ch, msg, true);
		spin_unlock(&ch->lock);
		wake_up_interruptible_poll(&ch->readers, EPOLLIN | EPOLLRDNORM);
		return -EFAULT;
	}

	spin_lock(&ch->lock);
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
	if (b->flags & ~(KIPC_MSG_NONBLOCK | KIPC_MSG_TIMEOUT))
		return -EOPNOTSUPP;
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
	u32 flags = b->flags;
	int ret = 0;

	ret = kipc_batch_check(b);
	if (ret)
		return ret;
	for (b->done = 0; b->done < b->count; b->done++) {
		ret = kipc_vec_get(b, b->done, &v);
		if (!ret)
			ret = kipc_mq_send(kf, u64_to_user_ptr(v.buf), v.len, v.priority, flags,
					   b->timeout_ns);
		if (ret)
			break;
		/* Only the first message may wait. */
		flags |= KIPC_MSG_NONBLOCK;
	}
	return b->done ? 0 : ret;
}

int kipc_mq_recv_batch(struct kipc_file *kf, struct kipc_batch *b)
{
	struct kipc_msg_vec __user *uvec;
	struct kipc_msg_vec v;
	u32 flags = b->flags, prio;
	long len;
	int ret;

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
		len = kipc_mq_recv(kf, u64_to_user_ptr(v.buf), v.len, &prio, flags,
				   b->timeout_ns);
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
	return b->done ? 0 : ret;
}

int kipc_mq_call(struct kipc_file *kf, struct kipc_call *c)
{
	struct kipc_file *reply_kf;
	struct file *reply_file;
	u32 prio;
	long len;
	int ret;

	if (c->flags & ~(KIPC_MSG_NONBLOCK | KIPC_MSG_TIMEOUT))
		return -EOPNOTSUPP;
	c->sent = 0;
	reply_kf = kipc_file_get(c->reply_fd, &reply_file);
	if (!reply_kf)
		return -EBADF;
	/* Refuse a reply fd that cannot receive before the request goes out. */
	if (!kipc_file_channel(reply_kf) || !(reply_kf->access & KIPC_ACCESS_READ) ||
	    kipc_file_channel(reply_kf)->type != KIPC_TYPE_MQ) {
		ret = -EBADF;
		goto out;
	}
	ret = kipc_mq_send(kf, u64_to_user_ptr(c->req_buf), c->req_len, c->req_priority,
			   c->flags, c->timeout_ns);
	if (ret)
		goto out;
	c->sent = 1;
	len = kipc_mq_recv(reply_kf, u64_to_user_ptr(c->reply_buf), c->reply_len, &prio,
			   c->flags, c->timeout_ns);
	if (len < 0) {
		if (len == -EMSGSIZE)
			c->reply_len = prio;
		/* The request is out; a restart would send it twice. */
		ret = len == -ERESTARTSYS ? -EINTR : len;
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
	    (READ_ONCE(ch->depth) < ch->max_msgs || ch->overflow == KIPC_OVERFLOW_DROP))
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_mq_poll);
