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
 * Waits.  The shared helpers (kipc_wait(), the wait flags, deadlines and their restart) are
 * in wait.c; a receive on an empty queue sleeps on its own waiter here (kipc_mq_wait_msg()).
 *
 * Locking: kipc_channel.lock (a spinlock) covers the queue and its counters.  User copies
 * happen outside it: a send copies into a new message before taking the lock; a receive takes
 * the message off the queue under the lock, copies it out without the lock, and on a failed
 * copy puts it back at the head of its priority, so a bad buffer never loses a message.
 * A receive that finds the queue empty sleeps on kipc_channel.recv_waiters, and a send hands
 * it its message directly (see struct kipc_waiter), or for a large one copies it straight
 * into the receive's buffer (see kipc_mq_send_direct()).  Other waiters (senders, pollers,
 * batch receives) sleep on kipc_channel.readers/writers and test their condition without the
 * lock; every change that can satisfy one is followed by a wake-up after the lock is dropped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fault-inject-usercopy.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>

#include "kipc_internal.h"

/*
 * Messages alive in all channels, for the debugfs state file and the leak check at exit: a
 * per-CPU count, so that no line is written by every CPU on every message.  A message may be
 * freed on another CPU than it was made on; only the sum means anything.
 */
static DEFINE_PER_CPU(long, kipc_msgs);

s64 kipc_mq_messages(void)
{
	s64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(kipc_msgs, cpu);
	return sum;
}

void kipc_mq_init(struct kipc_channel *ch)
{
	spin_lock_init(&ch->lock);
	spin_lock_init(&ch->cache_lock);
	ch->prios = RB_ROOT_CACHED;
	INIT_LIST_HEAD(&ch->recv_waiters);
	init_waitqueue_head(&ch->readers);
	init_waitqueue_head(&ch->writers);
}

/*
 * Message buffers.  A message of up to KIPC_MSG_CACHE_MAX bytes (header included) lives in a
 * kmalloc() buffer of its size class, and when it is consumed its queue keeps the buffer, up
 * to KIPC_MSG_CACHE of them (and no more than its max_msgs), for the next message that fits: a
 * steady stream, a ping-pong or a batch of 64 then makes no allocation, and pays no allocator
 * (nor init_on_alloc's zeroing) per message, as a pipe keeps a page for its next write.  A
 * kept buffer is bare memory: it is uncharged from the user's byte budget at once (a message
 * is charged while it is alive), stays charged to the memory cgroup it was allocated in, and
 * goes when its queue is freed or killed, so a queue holds at most KIPC_MSG_CACHE *
 * KIPC_MSG_CACHE_MAX bytes of them (32 KiB).  They are a stack under their own leaf lock, not
 * the queue's: a sender takes one before the queue's lock, to copy into, and a receiver gives
 * one back after its copy.  A sender takes the top one only, when it fits: a queue's messages
 * are mostly of one size.  Larger messages are kvmalloc()ed and kvfree()d each time: their
 * copies cost more than the allocation.
 */
/* How many @ch keeps: a queue never has more than max_msgs messages to free at once. */
static unsigned int kipc_msg_cache_slots(const struct kipc_channel *ch)
{
	return min_t(u32, ch->max_msgs, KIPC_MSG_CACHE);
}

/* The buffer freed last, if it holds @size bytes: a stack, so the one still in the caches. */
static struct kipc_msg_buf *kipc_msg_cache_take(struct kipc_channel *ch, size_t size)
{
	struct kipc_msg_buf *msg = NULL;

	spin_lock(&ch->cache_lock);
	if (ch->cache_n && ch->msg_cache[ch->cache_n - 1]->cap >= size)
		msg = ch->msg_cache[--ch->cache_n];
	spin_unlock(&ch->cache_lock);
	return msg;
}

/*
 * Keep the buffers of @msgs that it can (cached sizes only) until @ch is full, in one lock
 * round; each one kept becomes NULL in @msgs.  Nothing is kept once @ch is dead: the death is
 * read under cache_lock, and a kill sets it before it drains, under that lock, so no buffer is
 * kept after the drain.
 */
static void kipc_msg_cache_give(struct kipc_channel *ch, struct kipc_msg_buf **msgs, u32 n)
{
	u32 i;

	spin_lock(&ch->cache_lock);
	for (i = 0; i < n && !READ_ONCE(ch->dead) && ch->cache_n < kipc_msg_cache_slots(ch); i++) {
		if (msgs[i]->cap) {
			ch->msg_cache[ch->cache_n++] = msgs[i];
			msgs[i] = NULL;
		}
	}
	spin_unlock(&ch->cache_lock);
}

/* Free the buffers @ch keeps (when it is killed or freed). */
void kipc_msg_cache_drain(struct kipc_channel *ch)
{
	struct kipc_msg_buf *msg;

	for (;;) {
		spin_lock(&ch->cache_lock);
		msg = ch->cache_n ? ch->msg_cache[--ch->cache_n] : NULL;
		spin_unlock(&ch->cache_lock);
		if (!msg)
			return;
		kfree(msg);
	}
}
EXPORT_SYMBOL_IF_KUNIT(kipc_msg_cache_drain);

static size_t kipc_msg_size(u32 len)
{
	struct kipc_msg_buf *msg;

	return struct_size(msg, data, len);
}

/* A fresh buffer for a message of @size bytes, header included: a cached size or kvmalloc. */
static struct kipc_msg_buf *kipc_msg_buf_alloc(size_t size)
{
	struct kipc_msg_buf *msg;

	if (size <= KIPC_MSG_CACHE_MAX) {
		size_t cap = kmalloc_size_roundup(size);

		/* Charged to the sender's memory cgroup, as a pipe buffer would be. */
		msg = kmalloc(cap, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (msg)
			msg->cap = cap;
	} else {
		msg = kvmalloc(size, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (msg)
			msg->cap = 0;
	}
	return msg;
}

/* @msg is @user's (the caller counted its reference and its @size bytes). */
static void kipc_msg_init(struct kipc_msg_buf *msg, struct kipc_user *user, size_t size,
			  u32 len, u32 prio)
{
	INIT_LIST_HEAD(&msg->node);
	msg->owns_level = false;
	msg->user = user;
	msg->charge = size;
	msg->len = len;
	msg->prio = prio;
}

/*
 * A message of @len bytes at @prio, charged to @user: from @ch's kept buffers when one fits
 * (@ch may be NULL: a fresh buffer).  Return: the message, or ERR_PTR(-EDQUOT) past the
 * user's budget, ERR_PTR(-ENOMEM).
 */
struct kipc_msg_buf *kipc_msg_get(struct kipc_channel *ch, struct kipc_user *user, u32 len,
				  u32 prio)
{
	struct kipc_msg_buf *msg = NULL;
	size_t size = kipc_msg_size(len);
	int ret;

	ret = kipc_user_charge(user, size);
	if (ret)
		return ERR_PTR(ret);
	if (ch && size <= KIPC_MSG_CACHE_MAX)
		msg = kipc_msg_cache_take(ch, size);
	if (!msg)
		msg = kipc_msg_buf_alloc(size);
	if (!msg) {
		kipc_user_uncharge(user, size);
		return ERR_PTR(-ENOMEM);
	}
	kipc_msg_init(msg, user, size, len, prio);
	refcount_inc(&user->ref);
	this_cpu_inc(kipc_msgs);
	return msg;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_msg_get);

/* The message is gone: uncharged, and its buffer kept by @ch (when not NULL) or freed. */
void kipc_msg_put(struct kipc_channel *ch, struct kipc_msg_buf *msg)
{
	kipc_user_uncharge(msg->user, msg->charge);
	kipc_user_put(msg->user);
	this_cpu_dec(kipc_msgs);
	if (ch && msg->cap)
		kipc_msg_cache_give(ch, &msg, 1);
	if (msg)
		kvfree(msg);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_msg_put);

/*
 * A batch's messages, for the first @n entries of @v, charged to @user in one go and taken
 * from @ch's kept buffers in one lock round, as far as they fit.  The result is what @n
 * kipc_msg_get() calls would give.  Return: how many were made, from the first; *@err says
 * why not more (-EDQUOT, -ENOMEM).
 */
static u32 kipc_msgs_get(struct kipc_channel *ch, struct kipc_user *user,
			 const struct kipc_msg_vec *v, struct kipc_msg_buf **msgs, u32 n, int *err)
{
	u32 i, kept = 0;
	u64 total = 0;

	*err = 0;
	for (i = 0; i < n; i++)
		total += kipc_msg_size(v[i].len);
	if (kipc_user_charge(user, total)) {
		/* Not all of them: as many as the budget holds, one by one. */
		for (i = 0; i < n; i++) {
			msgs[i] = kipc_msg_get(ch, user, v[i].len, v[i].priority);
			if (IS_ERR(msgs[i])) {
				*err = PTR_ERR(msgs[i]);
				break;
			}
		}
		return i;
	}
	spin_lock(&ch->cache_lock);
	while (kept < n && ch->cache_n &&
	       ch->msg_cache[ch->cache_n - 1]->cap >= kipc_msg_size(v[kept].len))
		msgs[kept++] = ch->msg_cache[--ch->cache_n];
	spin_unlock(&ch->cache_lock);
	for (i = 0; i < n; i++) {
		size_t size = kipc_msg_size(v[i].len);

		if (i >= kept) {
			msgs[i] = kipc_msg_buf_alloc(size);
			if (!msgs[i]) {
				*err = -ENOMEM;
				break;
			}
		}
		kipc_msg_init(msgs[i], user, size, v[i].len, v[i].priority);
		total -= size;
	}
	/* What the ones not made were charged. */
	if (total)
		kipc_user_uncharge(user, total);
	if (i) {
		refcount_add(i, &user->ref);
		this_cpu_add(kipc_msgs, i);
	}
	return i;
}

/*
 * @n messages are gone, as @n kipc_msg_put() calls would have them, but uncharged in one go
 * for each run of one user's, and kept by @ch in one lock round as far as it has room.
 */
static void kipc_msgs_put(struct kipc_channel *ch, struct kipc_msg_buf **msgs, u32 n)
{
	u32 i, run;

	for (i = 0; i < n; i += run) {
		struct kipc_user *user = msgs[i]->user;
		u64 bytes = msgs[i]->charge;

		for (run = 1; i + run < n && msgs[i + run]->user == user; run++)
			bytes += msgs[i + run]->charge;
		kipc_user_uncharge(user, bytes);
		kipc_user_put_many(user, run);
	}
	this_cpu_sub(kipc_msgs, n);
	kipc_msg_cache_give(ch, msgs, n);
	/* What the cache took is NULL: kvfree(NULL) would still look up the address. */
	for (i = 0; i < n; i++)
		if (msgs[i])
			kvfree(msgs[i]);
}

struct kipc_msg_buf *kipc_msg_alloc(struct kipc_user *user, u32 len, u32 prio)
{
	return kipc_msg_get(NULL, user, len, prio);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_msg_alloc);

void kipc_msg_free(struct kipc_msg_buf *msg)
{
	kipc_msg_put(NULL, msg);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_msg_free);

/*
 * Queue @msg at the tail (or, to undo a failed receive, the head) of its priority.  Return:
 * the level it joined, which stays while the lock is held and nothing leaves the queue.
 */
struct kipc_prio *kipc_mq_enqueue_locked(struct kipc_channel *ch, struct kipc_msg_buf *msg,
					 bool at_head)
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
	WRITE_ONCE(ch->depth, ch->depth + 1);	/* read unlocked by wait conditions and poll */
	ch->bytes += msg->len;
	return level;
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

/*
 * Messages left @level, its owner perhaps among them: the level leaves the tree when it is
 * empty, or passes to its first message when its owner went.  The owner's memory, which holds
 * @level, must last until this is done.
 */
static void kipc_mq_level_left_locked(struct kipc_channel *ch, struct kipc_prio *level,
				      bool owner_left)
{
	struct kipc_msg_buf *heir;

	if (list_empty(&level->msgs)) {
		rb_erase_cached(&level->node, &ch->prios);
	} else if (owner_left) {
		heir = list_first_entry(&level->msgs, struct kipc_msg_buf, node);
		heir->level.prio = level->prio;
		list_replace(&level->msgs, &heir->level.msgs);
		rb_replace_node_cached(&level->node, &heir->level.node, &ch->prios);
		heir->owns_level = true;
	}
}

/* Take @msg, which is queued in @ch, off the queue. */
void kipc_mq_unlink_locked(struct kipc_channel *ch, struct kipc_msg_buf *msg)
{
	struct kipc_prio *level = kipc_mq_level_of(ch, msg);

	lockdep_assert_held(&ch->lock);
	list_del_init(&msg->node);
	kipc_mq_level_left_locked(ch, level, msg->owns_level);
	msg->owns_level = false;
	WRITE_ONCE(ch->depth, ch->depth - 1);
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
	kipc_msg_cache_drain(ch);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_mq_purge);

/*
 * Receives asleep on an empty queue.  As POSIX mq's pipelined send does, a send that finds one
 * (and the queue empty, and a slot free) hands its message straight to the first: nothing is
 * queued, no wait-queue lock is taken, and the receive wakes up owning its message, without
 * taking the queue's lock again.  A send of direct_copy_min bytes or more claims the first
 * instead and copies its message straight into the receive's buffer (CLAIMED, then COPIED,
 * or WOKEN when the copy could not be made; see kipc_mq_send_direct()).  Anything else a
 * sleeping receive must look at (a message queued because it did not fit the first one's
 * room, a message put back after a failed copy, death) wakes waiters with KIPC_WAITER_WOKEN,
 * and they look again under the lock.  Pollers, batch receives and doorbell waits sleep on
 * kipc_channel.readers as before.
 *
 * Only HANDED, COPIED and WOKEN are final: a receive that finds itself CLAIMED (woken by a
 * signal or its deadline meanwhile) waits for the copy's outcome, which cannot take long (the
 * copy takes no fault and no lock but the receive's mmap_lock for reading).
 */
enum {
	KIPC_WAITER_WAITING,
	KIPC_WAITER_HANDED,
	KIPC_WAITER_WOKEN,
	KIPC_WAITER_CLAIMED,
	KIPC_WAITER_COPIED,
};

struct kipc_waiter {
	struct list_head node;		/* in kipc_channel.recv_waiters; ch->lock */
	struct task_struct *task;
	struct mm_struct *mm;		/* the receive's, for a direct copy (NULL: none) */
	void __user *buf;		/* the receive's buffer, @room bytes */
	u32 room;
	struct kipc_msg_buf *msg;	/* HANDED: its message, in flight (ch->inflight) */
	u32 len, prio;			/* COPIED: what was written into @buf */
	int state;			/* set by the waker, final ones with smp_store_release() */
};

/*
 * Wake every sleeping receive to look at the queue again: what is queued now may fit one that
 * the first could not take.  They sleep only on an empty queue, so this is rare (see above).
 */
static void kipc_mq_kick_locked(struct kipc_channel *ch)
{
	struct kipc_waiter *w, *tmp;

	lockdep_assert_held(&ch->lock);
	list_for_each_entry_safe(w, tmp, &ch->recv_waiters, node) {
		struct task_struct *task = w->task;

		list_del(&w->node);
		/* A WOKEN receive takes ch->lock before it returns: @w and @task outlive this. */
		smp_store_release(&w->state, KIPC_WAITER_WOKEN);
		wake_up_process(task);
	}
}

/* How many receives are asleep on the (empty) queue; each takes one message. */
static unsigned int kipc_mq_sleepers_locked(struct kipc_channel *ch)
{
	struct kipc_waiter *w;
	unsigned int n = 0;

	lockdep_assert_held(&ch->lock);
	list_for_each_entry(w, &ch->recv_waiters, node)
		n++;
	return n;
}

/*
 * A failed receive put its message back on the empty queue, and nobody waits for it: the
 * queue's notification, if any, as if it had just arrived.  For kipc_notify_free() after the
 * lock.
 */
static struct kipc_notify_reg *kipc_mq_put_back_notify(struct kipc_channel *ch, bool was_empty)
{
	if (!was_empty || !ch->depth || !list_empty(&ch->recv_waiters))
		return NULL;
	return kipc_notify_fire_locked(ch);
}

/* Destroy-now: every waiter wakes, and every later operation gets EIDRM. */
void kipc_mq_kill(struct kipc_channel *ch)
{
	spin_lock(&ch->lock);
	WRITE_ONCE(ch->dead, true);
	kipc_mq_kick_locked(ch);
	spin_unlock(&ch->lock);
	kipc_notify_drop(ch);
	kipc_mq_purge(ch);
	kipc_wake_all(&ch->readers, EPOLLHUP | EPOLLERR);
	kipc_wake_all(&ch->writers, EPOLLHUP | EPOLLERR);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_mq_kill);

/*
 * BLOCK and FAIL: a receive in flight still holds its slot.  ch->inflight is an atomic that a
 * successful receive drops without the lock (then wakes writers), so a sender may see a slot
 * as still held for a moment: it waits, and that wake-up ends the wait.
 */
static bool kipc_mq_full_locked(struct kipc_channel *ch)
{
	return ch->depth + atomic_read(&ch->inflight) >= ch->max_msgs;
}

static bool kipc_mq_has_room(struct kipc_channel *ch, u64 unused)
{
	return READ_ONCE(ch->depth) + atomic_read(&ch->inflight) < ch->max_msgs ||
	       READ_ONCE(ch->dead);
}

/*
 * Wake a queue's waiters only if there are any: the common case of a stream or a ping-pong
 * whose peer is busy takes no wait-queue lock.  wq_has_sleeper()'s barrier pairs with the
 * waiter's own: set_current_state() in prepare_to_wait_event() for a sleeper, the smp_mb()
 * after poll_wait() in kipc_mq_poll() for a poller (as sock_poll_wait() has it): either we see
 * it on the queue, or it sees what we changed under ch->lock.  Synchronous, as pipe_write()
 * wakes its reader: the waker is about to wait or return, so the woken task may take its CPU.
 */
static void kipc_mq_wake(wait_queue_head_t *wq, __poll_t mask)
{
	if (wq_has_sleeper(wq))
		wake_up_interruptible_sync_poll(wq, mask);
}

/* A batch made @n messages or slots ready: as many exclusive waiters may use them. */
static void kipc_mq_wake_n(wait_queue_head_t *wq, __poll_t mask, u32 n)
{
	if (n == 1)
		kipc_mq_wake(wq, mask);
	else if (wq_has_sleeper(wq))
		__wake_up(wq, TASK_INTERRUPTIBLE, n, poll_to_key(mask));
}

/*
 * A receive in flight is done with its slot (it has its bytes, or a direct copy missed):
 * free it and wake a sender waiting for room.  The barrier in kipc_mq_wake() orders the
 * decrement before the look at the writers.
 */
static void kipc_mq_slot_done(struct kipc_channel *ch)
{
	atomic_dec(&ch->inflight);
	kipc_mq_wake(&ch->writers, EPOLLOUT | EPOLLWRNORM);
}

static bool kipc_mq_has_msg(struct kipc_channel *ch, u64 unused)
{
	return READ_ONCE(ch->depth) || READ_ONCE(ch->dead);
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

/*
 * Record @task's process as the last sender or receiver, under ch->lock.  Only a change costs
 * references: a channel's sender and receiver are mostly the same processes all along.
 */
static void kipc_note_pid(struct pid **slot, struct task_struct *task)
{
	struct pid *pid = task_tgid(task), *old = *slot;

	if (likely(old == pid))
		return;
	*slot = get_pid(pid);
	/* put_pid() may free: it is safe under a spinlock, it never sleeps. */
	put_pid(old);
}

/*
 * Who a send by the current task is charged to: its euid's kipc_user.  The opener sending
 * through its own fd needs no lookup; otherwise *@other holds the reference to put.
 */
static struct kipc_user *kipc_mq_sender(struct kipc_file *kf, struct kipc_user **other)
{
	kuid_t euid = current_euid();

	*other = NULL;
	if (uid_eq(euid, kf->user->uid))
		return kf->user;
	*other = kipc_user_get(euid);
	return *other;
}

/* The message of a send by the current task, charged to its euid. */
static struct kipc_msg_buf *kipc_mq_msg_new(struct kipc_channel *ch, struct kipc_file *kf,
					    u32 len, u32 prio)
{
	struct kipc_user *sender, *other;
	struct kipc_msg_buf *msg;

	sender = kipc_mq_sender(kf, &other);
	if (!sender)
		return ERR_PTR(-ENOMEM);
	msg = kipc_msg_get(ch, sender, len, prio);
	if (other)
		kipc_user_put(other);
	return msg;
}

/*
 * Put @msg on the queue if the policy lets it.  Return: KIPC_SEND_QUEUED; KIPC_SEND_DROPPED
 * when DROP dropped @msg itself (the caller frees it); -EAGAIN when a BLOCK or FAIL queue is
 * full.  Messages DROP evicts go onto @doomed, to be freed after the lock.
 */
static int kipc_mq_queue_locked(struct kipc_channel *ch, struct kipc_msg_buf *msg,
				struct list_head *doomed)
{
	struct kipc_msg_buf *dropped;

	lockdep_assert_held(&ch->lock);
	if (ch->overflow == KIPC_OVERFLOW_DROP) {
		/* Receives in flight do not count: DROP never waits; they rarely fail. */
		while (ch->depth >= ch->max_msgs) {
			dropped = kipc_mq_drop_for_locked(ch, msg);
			if (dropped == msg) {
				ch->sent++;
				return KIPC_SEND_DROPPED;
			}
			list_add(&dropped->node, doomed);
		}
	} else if (kipc_mq_full_locked(ch)) {
		return -EAGAIN;
	}
	kipc_mq_enqueue_locked(ch, msg, false);
	/* A message dropped on arrival was sent all the same: sent counts it too. */
	ch->sent++;
	return KIPC_SEND_QUEUED;
}

/*
 * A send batch's lock round: @msgs from the first, each as kipc_mq_queue_locked() would have
 * it, until one cannot go (*@ret: its -EAGAIN).  On a BLOCK or FAIL queue a message of the
 * priority of the one before joins the level that one joined, without looking it up: nothing
 * leaves the queue meanwhile.  DROP evicts, so each of its messages goes the long way, and
 * those it drops itself go onto @doomed.  Return: how many went (queued, or dropped on
 * arrival).
 */
static u32 kipc_mq_queue_batch_locked(struct kipc_channel *ch, struct kipc_msg_buf **msgs,
				      u32 n, struct list_head *doomed, int *ret)
{
	struct kipc_prio *level = NULL;
	struct kipc_msg_buf *msg;
	u32 done;

	lockdep_assert_held(&ch->lock);
	*ret = 0;
	for (done = 0; done < n; done++) {
		msg = msgs[done];
		if (ch->overflow == KIPC_OVERFLOW_DROP) {
			if (kipc_mq_queue_locked(ch, msg, doomed) == KIPC_SEND_DROPPED)
				list_add(&msg->node, doomed);
			continue;
		}
		if (kipc_mq_full_locked(ch)) {
			*ret = -EAGAIN;
			break;
		}
		if (level && msg->prio == level->prio) {
			list_add_tail(&msg->node, &level->msgs);
			WRITE_ONCE(ch->depth, ch->depth + 1);
			ch->bytes += msg->len;
		} else {
			level = kipc_mq_enqueue_locked(ch, msg, false);
		}
		ch->sent++;
	}
	return done;
}

/* After a send's lock round: the coarse clock, as STAT's times have jiffy resolution. */
static void kipc_mq_sent_locked(struct kipc_channel *ch)
{
	ch->send_time_ns = ktime_get_coarse_real_ns();
	kipc_note_pid(&ch->last_send_pid, current);
}

/*
 * Take the first sleeping receive off the list for a message of @len bytes, if the queue is
 * empty, a slot is free and it fits (and, for a @direct copy, it has a user buffer), and
 * count its receive for it: it holds a slot in flight until it has its bytes.  Return: the
 * waiter, or NULL when the message must be queued.
 */
static struct kipc_waiter *kipc_mq_taker_locked(struct kipc_channel *ch, u32 len, bool direct)
{
	struct kipc_waiter *w;

	lockdep_assert_held(&ch->lock);
	if (list_empty(&ch->recv_waiters) || ch->depth)
		return NULL;
	if (ch->overflow != KIPC_OVERFLOW_DROP && kipc_mq_full_locked(ch))
		return NULL;
	w = list_first_entry(&ch->recv_waiters, struct kipc_waiter, node);
	if (len > w->room || (direct && !w->mm))
		return NULL;
	list_del(&w->node);
	atomic_inc(&ch->inflight);
	ch->sent++;
	ch->received++;
	ch->recv_time_ns = ktime_get_coarse_real_ns();
	kipc_note_pid(&ch->last_recv_pid, w->task);
	return w;
}

/*
 * Hand @msg to the first sleeping receive (see kipc_mq_taker_locked()).  Return: its task,
 * with a reference, to wake after the lock (it may run and return before); NULL when @msg
 * must be queued.
 */
static struct task_struct *kipc_mq_handoff_locked(struct kipc_channel *ch,
						  struct kipc_msg_buf *msg)
{
	struct task_struct *task;
	struct kipc_waiter *w;

	w = kipc_mq_taker_locked(ch, msg->len, false);
	if (!w)
		return NULL;
	w->msg = msg;
	task = get_task_struct(w->task);
	/* Pairs with the acquire in kipc_mq_wait_msg(): from here on @w is not ours. */
	smp_store_release(&w->state, KIPC_WAITER_HANDED);
	return task;
}

/* A claimed receive waits, uninterruptibly and not for long, for its copy's outcome. */
static int kipc_waiter_settle(struct kipc_waiter *w)
{
	int state;

	for (;;) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		/* Pairs with the release in kipc_mq_send_direct(). */
		state = smp_load_acquire(&w->state);
		if (state != KIPC_WAITER_CLAIMED)
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return state;
}

/*
 * Sleep as @w (its buffer and room filled in) until a send hands it a message (HANDED,
 * @w->msg), copies one into its buffer (COPIED, @w->len and @w->prio), or wakes it to look at
 * the queue again (WOKEN); or a signal (-ERESTARTSYS; nothing was consumed) or @deadline
 * (-ETIMEDOUT).  Called with ch->lock held and the queue empty; returns with it dropped.
 * Return: the final state, or -errno.
 */
static int kipc_mq_wait_msg(struct kipc_channel *ch, struct kipc_waiter *w, ktime_t deadline)
	__releases(&ch->lock)
{
	ktime_t expires;
	int ret, state;

	w->task = current;
	w->mm = current->mm;
	w->msg = NULL;
	w->state = KIPC_WAITER_WAITING;
	list_add_tail(&w->node, &ch->recv_waiters);
	for (;;) {
		/* Set under the lock: a waker takes it, so it cannot wake us before we sleep. */
		__set_current_state(TASK_INTERRUPTIBLE);
		spin_unlock(&ch->lock);
		if (deadline == KTIME_MAX) {
			schedule();
		} else {
			expires = deadline;
			schedule_hrtimeout_range_clock(&expires, 0, HRTIMER_MODE_ABS,
						       CLOCK_MONOTONIC);
		}
		/* Pairs with the releases in kipc_mq_handoff_locked() and kipc_mq_send_direct(). */
		state = smp_load_acquire(&w->state);
		if (state == KIPC_WAITER_HANDED || state == KIPC_WAITER_COPIED)
			return state;
		if (state == KIPC_WAITER_CLAIMED)
			return kipc_waiter_settle(w);
		spin_lock(&ch->lock);
		state = w->state;
		if (state != KIPC_WAITER_WAITING) {
			/* The waker took @w off the list. */
			spin_unlock(&ch->lock);
			return state == KIPC_WAITER_CLAIMED ? kipc_waiter_settle(w) : state;
		}
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		if (deadline != KTIME_MAX && ktime_compare(ktime_get(), deadline) >= 0) {
			ret = -ETIMEDOUT;
			break;
		}
	}
	list_del(&w->node);
	spin_unlock(&ch->lock);
	return ret;
}

/* Pages of the receive's buffer pinned at a time: a chunk's pointers live on the stack. */
#define KIPC_DIRECT_CHUNK	32

/*
 * Copy @len bytes from the current task's @src into @dst in @mm, and take no fault doing it:
 * @dst's pages are pinned only if present and writable (FOLL_NOFAULT), a chunk at a time and
 * only for the copy, as process_vm_writev() pins them, and @src is read with page faults
 * disabled.  Return: 0, or -EFAULT when anything would have needed a fault (or injection
 * failed it), -EINTR for a fatal signal; @dst may then hold part of the bytes.
 */
static int kipc_copy_to_mm(struct mm_struct *mm, void __user *dst, const void __user *src,
			   size_t len)
{
	struct page *pages[KIPC_DIRECT_CHUNK];
	unsigned long addr = (unsigned long)dst;
	int ret = 0;

	if (!mmget_not_zero(mm))
		return -EFAULT;
	while (len && !ret) {
		size_t off = offset_in_page(addr);
		long nr = min_t(size_t, DIV_ROUND_UP(off + len, PAGE_SIZE), KIPC_DIRECT_CHUNK);
		long got, i;

		if (mmap_read_lock_killable(mm)) {
			ret = -EINTR;
			break;
		}
		got = pin_user_pages_remote(mm, addr & PAGE_MASK, nr, FOLL_WRITE | FOLL_NOFAULT,
					    pages, NULL);
		mmap_read_unlock(mm);
		if (got != nr) {
			if (got > 0)
				unpin_user_pages(pages, got);
			ret = -EFAULT;
			break;
		}
		for (i = 0; i < nr && !ret; i++) {
			size_t n = min_t(size_t, PAGE_SIZE - off, len);
			void *kaddr = kmap_local_page(pages[i]);

			if (should_fail_usercopy() || copy_from_user_nofault(kaddr + off, src, n))
				ret = -EFAULT;
			kunmap_local(kaddr);
			src += n;
			addr += n;
			len -= n;
			off = 0;
		}
		unpin_user_pages_dirty_lock(pages, nr, true);
	}
	mmput(mm);
	return ret;
}

atomic_t kipc_mq_direct_copies = ATOMIC_INIT(0);
atomic_t kipc_mq_direct_misses = ATOMIC_INIT(0);

/*
 * Direct copy: one copy instead of two for a large message, and no kernel buffer.  A send of
 * direct_copy_min bytes or more that finds a receive asleep on the empty queue with room for
 * it (the hand-off's rule) claims that receive and copies the message from its own buffer
 * straight into the receive's, without the lock.  The claimed receive waits for the outcome,
 * so the copy must be short and must not depend on anyone: it takes no page fault on either
 * side (see kipc_copy_to_mm()), the sender's buffer having been faulted in before the claim,
 * and pins nothing beyond its own duration.  Whatever would need a fault (a receive buffer
 * never touched, copy-on-write after fork, a page swapped out, userfaultfd or FUSE memory,
 * the sender's buffer unmapped meanwhile) ends the attempt: the counters are put back, the
 * receive is woken to look again and the send goes the queued way, where each side faults
 * in its own buffer itself.  A failed attempt may have written part of the message into the
 * receive's buffer, which holds nothing it was promised until the receive returns a length.
 *
 * Return: true when the message is in the receive's buffer; false to queue it as any other.
 */
static bool kipc_mq_send_direct(struct kipc_channel *ch, const void __user *buf, u32 len,
				u32 prio)
{
	struct task_struct *task;
	struct kipc_waiter *w;

	if (fault_in_readable(buf, len))
		return false;
	spin_lock(&ch->lock);
	/* A kernel thread's receive (KUnit) has no user buffer: it is handed a message. */
	w = ch->dead ? NULL : kipc_mq_taker_locked(ch, len, true);
	if (!w) {
		spin_unlock(&ch->lock);
		return false;
	}
	kipc_mq_sent_locked(ch);
	task = get_task_struct(w->task);
	WRITE_ONCE(w->state, KIPC_WAITER_CLAIMED);
	spin_unlock(&ch->lock);

	if (!kipc_copy_to_mm(w->mm, w->buf, buf, len)) {
		w->len = len;
		w->prio = prio;
		/* Pairs with the acquire in kipc_mq_wait_msg() or kipc_waiter_settle(). */
		smp_store_release(&w->state, KIPC_WAITER_COPIED);
		wake_up_process(task);
		put_task_struct(task);
		atomic_inc(&kipc_mq_direct_copies);
		return true;
	}

	spin_lock(&ch->lock);
	ch->sent--;
	ch->received--;
	/* Pairs with the acquire in kipc_mq_wait_msg() or kipc_waiter_settle(). */
	smp_store_release(&w->state, KIPC_WAITER_WOKEN);
	spin_unlock(&ch->lock);
	wake_up_process(task);
	put_task_struct(task);
	kipc_mq_slot_done(ch);
	atomic_inc(&kipc_mq_direct_misses);
	return false;
}

/* Whether a send of @len bytes should try kipc_mq_send_direct(): a hint, read unlocked. */
static bool kipc_mq_direct_wanted(struct kipc_channel *ch, u32 len)
{
	u64 min = kipc_param_get(&kipc_direct_copy_min);

	return min && len >= min && !list_empty(&ch->recv_waiters) && !READ_ONCE(ch->depth);
}

static void kipc_msg_put_list(struct kipc_channel *ch, struct list_head *list)
{
	struct kipc_msg_buf *msg, *tmp;

	list_for_each_entry_safe(msg, tmp, list, node)
		kipc_msg_put(ch, msg);
}

/*
 * Queue a message.  @flags are final (the caller folded in O_NONBLOCK where it applies).
 * Return: KIPC_SEND_QUEUED, KIPC_SEND_DROPPED (DROP, and the message was the lowest), or
 * -errno.
 */
int kipc_mq_send(struct kipc_file *kf, const void __user *buf, u32 len, u32 prio, u32 flags,
		 ktime_t deadline)
{
	struct task_struct *task;
	struct kipc_channel *ch;
	struct kipc_msg_buf *msg;
	LIST_HEAD(doomed);
	bool was_empty;
	int ret;

	ch = kipc_mq_for(kf, KIPC_ACCESS_WRITE);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	if (prio > KIPC_PRIO_MAX)
		return -EINVAL;
	if (len > ch->max_msg_size)
		return -EMSGSIZE;

	if (kipc_mq_direct_wanted(ch, len) && kipc_mq_send_direct(ch, buf, len, prio))
		return KIPC_SEND_QUEUED;

	msg = kipc_mq_msg_new(ch, kf, len, prio);
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
		task = kipc_mq_handoff_locked(ch, msg);
		if (task) {
			kipc_mq_sent_locked(ch);
			spin_unlock(&ch->lock);
			wake_up_process(task);
			put_task_struct(task);
			return KIPC_SEND_QUEUED;
		}
		was_empty = !ch->depth;
		ret = kipc_mq_queue_locked(ch, msg, &doomed);
		if (ret >= 0) {
			struct kipc_notify_reg *notify = NULL;

			kipc_mq_sent_locked(ch);
			/* Not handed to a receive above: the queue's notification, if any. */
			if (ret == KIPC_SEND_QUEUED && was_empty)
				notify = kipc_notify_fire_locked(ch);
			/* Receives asleep, and it did not fit the first one's room: they look. */
			if (ret == KIPC_SEND_QUEUED)
				kipc_mq_kick_locked(ch);
			spin_unlock(&ch->lock);
			kipc_notify_free(notify);
			if (ret == KIPC_SEND_QUEUED)
				kipc_mq_wake(&ch->readers, EPOLLIN | EPOLLRDNORM);
			else
				kipc_msg_put(ch, msg);
			kipc_msg_put_list(ch, &doomed);
			return ret;
		}
		if (ch->overflow == KIPC_OVERFLOW_FAIL)
			break;
		spin_unlock(&ch->lock);
		ret = kipc_wait(&ch->writers, kipc_mq_has_room, ch, 0, flags, deadline);
		if (ret)
			goto out_free;
	}
	spin_unlock(&ch->lock);
out_free:
	kipc_msg_put(ch, msg);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_mq_send);

/*
 * Take one message into @buf (@len bytes of room): its length, with its priority in *@prio;
 * or -EMSGSIZE with the length it needs in *@needed (when not NULL), the message left queued.
 * @flags are final, as for kipc_mq_send().
 */
long kipc_mq_recv(struct kipc_file *kf, void __user *buf, u32 len, u32 *prio, u32 *needed,
		  u32 flags, ktime_t deadline)
{
	struct kipc_waiter w = { .buf = buf, .room = len };
	struct kipc_msg_buf *msg, *dropped = NULL;
	struct kipc_notify_reg *notify = NULL;
	struct kipc_channel *ch;
	bool was_empty;
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
		if (flags & KIPC_MSG_NONBLOCK) {
			spin_unlock(&ch->lock);
			return -EAGAIN;
		}
		ret = kipc_mq_wait_msg(ch, &w, deadline);
		if (ret < 0)
			return ret;
		/* Handed over: counted, in flight, ours. */
		if (ret == KIPC_WAITER_HANDED) {
			msg = w.msg;
			goto copy;
		}
		/* Copied into our buffer: counted; only the slot is left to free. */
		if (ret == KIPC_WAITER_COPIED) {
			kipc_mq_slot_done(ch);
			*prio = w.prio;
			return w.len;
		}
	}
	if (msg->len > len) {
		/* The caller learns the length it needs; the message stays queued. */
		if (needed)
			*needed = msg->len;
		spin_unlock(&ch->lock);
		return -EMSGSIZE;
	}
	/*
	 * One lock round for a receive that succeeds: the counters are the receive's now, and
	 * the rare failed copy takes them back.
	 */
	kipc_mq_unlink_locked(ch, msg);
	atomic_inc(&ch->inflight);
	ch->received++;
	ch->recv_time_ns = ktime_get_coarse_real_ns();
	kipc_note_pid(&ch->last_recv_pid, current);
	spin_unlock(&ch->lock);

copy:
	if (unlikely(copy_to_user(buf, msg->data, msg->len))) {
		spin_lock(&ch->lock);
		atomic_dec(&ch->inflight);
		ch->received--;
		if (ch->dead) {
			spin_unlock(&ch->lock);
			kipc_msg_put(ch, msg);
			return -EFAULT;
		}
		/* Its slot was kept (BLOCK, FAIL); a DROP queue may have been refilled. */
		was_empty = !ch->depth;
		if (ch->overflow == KIPC_OVERFLOW_DROP && ch->depth >= ch->max_msgs)
			dropped = kipc_mq_drop_for_locked(ch, msg);
		if (dropped != msg) {
			kipc_mq_enqueue_locked(ch, msg, true);
			notify = kipc_mq_put_back_notify(ch, was_empty);
			kipc_mq_kick_locked(ch);
		}
		spin_unlock(&ch->lock);
		kipc_notify_free(notify);
		if (dropped)
			kipc_msg_put(ch, dropped);
		kipc_mq_wake(&ch->readers, EPOLLIN | EPOLLRDNORM);
		return -EFAULT;
	}

	kipc_mq_slot_done(ch);
	*prio = msg->prio;
	ret = msg->len;
	kipc_msg_put(ch, msg);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_mq_recv);

/*
 * Read the first @n entries of @b's vector into @v.  At this kernel's entry size, as libkipc
 * passes, that is one copy for the whole vector; otherwise one copy_struct_from_user() an
 * entry (a non-zero unknown tail is E2BIG).  Return: how many entries were read and are
 * valid, from the first; *@err says what was wrong with the next one (0 when all were).
 */
static u32 kipc_vecs_get(const struct kipc_batch *b, struct kipc_msg_vec *v, u32 n, int *err)
{
	const void __user *uvec = u64_to_user_ptr(b->vec);
	u32 i, ok = n;

	*err = 0;
	if (b->vec_size == sizeof(*v)) {
		size_t left = copy_from_user(v, uvec, (size_t)n * sizeof(*v));

		/*
		 * The entries before a fault are the caller's: they count.  A copy may stop
		 * short of the fault (uaccess promises no more): the rest go one at a time.
		 */
		if (left) {
			ok = n - DIV_ROUND_UP(left, sizeof(*v));
			for (; ok < n; ok++)
				if (copy_from_user(&v[ok], uvec + ok * sizeof(*v), sizeof(*v)))
					break;
			*err = ok < n ? -EFAULT : 0;
		}
	} else {
		for (ok = 0; ok < n; ok++) {
			*err = copy_struct_from_user(&v[ok], sizeof(*v),
						     uvec + (size_t)ok * b->vec_size, b->vec_size);
			if (*err)
				break;
		}
	}
	for (i = 0; i < ok; i++) {
		if (v[i].__reserved) {
			*err = -EINVAL;
			return i;
		}
	}
	return ok;
}

/* Write a received entry's len and priority, adjacent in user memory, as the one word. */
static int kipc_vec_answer(struct kipc_msg_vec __user *uvec, u32 len, u32 prio)
{
	BUILD_BUG_ON(offsetof(struct kipc_msg_vec, priority) !=
		     offsetof(struct kipc_msg_vec, len) + sizeof(u32));
	return put_user(kipc_u32_pair(len, prio), (u64 __user *)&uvec->len);
}

static int kipc_batch_check(const struct kipc_batch *b)
{
	if (b->__reserved)
		return -EINVAL;
	if (!b->count || b->count > KIPC_BATCH_MAX)
		return -EINVAL;
	if (b->vec_size < KIPC_MSG_VEC_SIZE_VER0 || b->vec_size > PAGE_SIZE)
		return -EINVAL;
	return 0;
}

/*
 * A batch in the kernel: what the caller's vector says, and the entries' messages, in one
 * allocation of @count of each.  An fd keeps a page of them (KIPC_BATCH_KEEP entries) for its
 * next batches, as a queue keeps message buffers: a stream of batches up to that size then
 * pays no allocation, and no init_on_alloc zeroing, per call.  A larger batch gets its own,
 * freed after.  What is kept holds nothing between calls that anyone reads.
 */
struct kipc_batch_buf {
	struct kipc_msg_vec *v;
	struct kipc_msg_buf **msgs;
	u32 count;
};

#define KIPC_BATCH_ENTRY	(sizeof(struct kipc_msg_vec) + sizeof(struct kipc_msg_buf *))
#define KIPC_BATCH_KEEP		((u32)(PAGE_SIZE / KIPC_BATCH_ENTRY))

static int kipc_batch_buf_get(struct kipc_file *kf, u32 count, struct kipc_batch_buf *bb)
{
	bool keep = count <= KIPC_BATCH_KEEP;
	void *mem = NULL;
	int i;

	for (i = 0; keep && i < ARRAY_SIZE(kf->batch) && !mem; i++)
		mem = xchg(&kf->batch[i], NULL);
	/* Up to 32 KiB, charged to the caller: a failure is its ENOMEM, not a warning. */
	if (!mem)
		mem = kvmalloc_array(keep ? KIPC_BATCH_KEEP : count, KIPC_BATCH_ENTRY,
				     GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!mem)
		return -ENOMEM;
	bb->count = keep ? KIPC_BATCH_KEEP : count;
	bb->v = mem;
	bb->msgs = (struct kipc_msg_buf **)(bb->v + bb->count);
	return 0;
}

/* A page's worth back to its fd, unless other batches on it gave theirs back meanwhile. */
static void kipc_batch_buf_put(struct kipc_file *kf, struct kipc_batch_buf *bb)
{
	int i;

	for (i = 0; bb->count == KIPC_BATCH_KEEP && i < ARRAY_SIZE(kf->batch); i++)
		if (!cmpxchg(&kf->batch[i], NULL, bb->v))
			return;
	kvfree(bb->v);
}

/* The fd is going: what it kept goes too. */
void kipc_batch_buf_free(struct kipc_file *kf)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(kf->batch); i++) {
		kvfree(kf->batch[i]);
		kf->batch[i] = NULL;
	}
}

/*
 * A real batch: the vector is read in one copy, every message is made (charged in one go,
 * buffers from the queue's cache in one lock round) and copied in before the lock, then as
 * many as the queue takes go on it in one lock round with one wake-up.  Only the first may
 * wait; an error met after a message was made ends the batch there, unreported, as before.
 */
int kipc_mq_send_batch(struct kipc_file *kf, void *arg)
{
	struct kipc_user *sender, *other;
	struct kipc_batch *b = arg;
	struct kipc_batch_buf bb;
	struct kipc_channel *ch;
	u32 flags, n, i, done = 0;
	LIST_HEAD(doomed);
	ktime_t deadline;
	bool was_empty;
	int ret, err;

	ret = kipc_wait_begin(kf, b->flags, b->timeout_ns, &flags, &deadline);
	if (!ret)
		ret = kipc_batch_check(b);
	if (ret)
		return ret;
	ch = kipc_mq_for(kf, KIPC_ACCESS_WRITE);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	ret = kipc_batch_buf_get(kf, b->count, &bb);
	if (ret)
		return ret;
	n = kipc_vecs_get(b, bb.v, b->count, &err);
	for (i = 0; i < n; i++) {
		if (bb.v[i].priority > KIPC_PRIO_MAX) {
			err = -EINVAL;
			break;
		}
		if (bb.v[i].len > ch->max_msg_size) {
			err = -EMSGSIZE;
			break;
		}
	}
	n = i;
	if (n) {
		sender = kipc_mq_sender(kf, &other);
		if (sender) {
			n = kipc_msgs_get(ch, sender, bb.v, bb.msgs, n, &ret);
			if (ret)
				err = ret;
		} else {
			n = 0;
			err = -ENOMEM;
		}
		if (other)
			kipc_user_put(other);
	}
	for (i = 0; i < n; i++) {
		const void __user *buf = u64_to_user_ptr(bb.v[i].buf);

		if (copy_from_user(bb.msgs[i]->data, buf, bb.v[i].len)) {
			kipc_msgs_put(ch, bb.msgs + i, n - i);
			err = -EFAULT;
			n = i;
		}
	}
	ret = err;
	while (n) {
		spin_lock(&ch->lock);
		if (ch->dead) {
			spin_unlock(&ch->lock);
			ret = -EIDRM;
			break;
		}
		was_empty = !ch->depth;
		done = kipc_mq_queue_batch_locked(ch, bb.msgs, n, &doomed, &ret);
		if (done) {
			struct kipc_notify_reg *notify = NULL;

			kipc_mq_sent_locked(ch);
			/* More than the receives asleep will take: the notification, if any. */
			if (was_empty && ch->notify && ch->depth > kipc_mq_sleepers_locked(ch))
				notify = kipc_notify_fire_locked(ch);
			kipc_mq_kick_locked(ch);
			spin_unlock(&ch->lock);
			kipc_notify_free(notify);
			kipc_mq_wake_n(&ch->readers, EPOLLIN | EPOLLRDNORM, done);
			break;
		}
		spin_unlock(&ch->lock);
		if (ch->overflow == KIPC_OVERFLOW_FAIL)
			break;
		ret = kipc_wait(&ch->writers, kipc_mq_has_room, ch, 0, flags, deadline);
		if (ret)
			break;
	}
	if (done < n)
		kipc_msgs_put(ch, bb.msgs + done, n - done);
	kipc_msg_put_list(ch, &doomed);
	kipc_batch_buf_put(kf, &bb);
	b->done = done;
	if (done)
		return 0;
	if (ret == -ERESTARTSYS)
		kipc_timeout_absolute(&b->flags, deadline, &b->timeout_ns);
	return ret;
}

/*
 * A failed copy in a batch receive: the messages from @from on go back to the head of their
 * priorities, last first, so the queue is as it was (a DROP queue refilled meanwhile keeps its
 * best max_msgs).  The receives they counted are undone.
 */
static void kipc_mq_put_back(struct kipc_channel *ch, struct kipc_msg_buf **msgs, u32 from,
			     u32 taken, struct list_head *doomed)
{
	struct kipc_notify_reg *notify;
	struct kipc_msg_buf *msg, *dropped;
	bool was_empty;
	u32 i;

	spin_lock(&ch->lock);
	was_empty = !ch->depth;
	for (i = taken; i-- > from;) {
		msg = msgs[i];
		ch->received--;
		if (ch->dead) {
			list_add(&msg->node, doomed);
			continue;
		}
		dropped = NULL;
		if (ch->overflow == KIPC_OVERFLOW_DROP && ch->depth >= ch->max_msgs)
			dropped = kipc_mq_drop_for_locked(ch, msg);
		if (dropped != msg)
			kipc_mq_enqueue_locked(ch, msg, true);
		if (dropped)
			list_add(&dropped->node, doomed);
	}
	notify = kipc_mq_put_back_notify(ch, was_empty);
	kipc_mq_kick_locked(ch);
	spin_unlock(&ch->lock);
	kipc_notify_free(notify);
}

/*
 * A batch receive's lock round: messages off the head, best first, into @msgs while each fits
 * its entry's room (@v), up to @n.  The messages of one priority go in one run, and their level
 * changes hands (or leaves the tree) once a run, not once a message as a receive's unlink does.
 * Return: how many were taken; the next one, if any, stays queued.
 */
VISIBLE_IF_KUNIT u32 kipc_mq_take_locked(struct kipc_channel *ch, const struct kipc_msg_vec *v,
					 struct kipc_msg_buf **msgs, u32 n)
{
	u32 taken = 0;

	lockdep_assert_held(&ch->lock);
	while (taken < n) {
		struct rb_node *first = rb_first_cached(&ch->prios);
		struct kipc_msg_buf *msg;
		struct kipc_prio *level;
		bool owner_taken = false, whole;
		u32 i, from = taken;
		LIST_HEAD(run);

		if (!first)
			break;
		level = rb_entry(first, struct kipc_prio, node);
		list_for_each_entry(msg, &level->msgs, node) {
			if (taken == n || msg->len > v[taken].len)
				break;
			owner_taken |= msg->owns_level;
			msg->owns_level = false;
			ch->bytes -= msg->len;
			msgs[taken++] = msg;
		}
		/* The run leaves in one cut; the owner's level stays put until it is over. */
		list_cut_before(&run, &level->msgs, &msg->node);
		for (i = from; i < taken; i++)
			INIT_LIST_HEAD(&msgs[i]->node);
		WRITE_ONCE(ch->depth, ch->depth - (taken - from));
		/* A level taken whole is gone, and the run goes on with the next one. */
		whole = list_empty(&level->msgs);
		kipc_mq_level_left_locked(ch, level, owner_taken);
		if (!whole)
			break;
	}
	return taken;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_mq_take_locked);

/*
 * A real batch receive: the vector read in one copy, and every entry proven writable, first
 * (a message taken is always described); up to count messages taken in one lock round, then
 * copied out without the lock, and freed in one go.  A message that does not fit its entry
 * ends the batch before it (EMSGSIZE with the length needed, when it is the first).
 * KIPC_IOC_SEND_BATCH and _RECV_BATCH's handlers: @arg is the kernel's copy of the caller's
 * struct kipc_batch.
 */
int kipc_mq_recv_batch(struct kipc_file *kf, void *arg)
{
	struct kipc_batch *b = arg;
	struct kipc_msg_vec __user *uvec;
	struct kipc_batch_buf bb;
	struct kipc_channel *ch;
	struct kipc_msg_buf *msg;
	u32 flags, n, i, taken = 0;
	LIST_HEAD(doomed);
	ktime_t deadline;
	int ret, err;

	ret = kipc_wait_begin(kf, b->flags, b->timeout_ns, &flags, &deadline);
	if (!ret)
		ret = kipc_batch_check(b);
	if (ret)
		return ret;
	ch = kipc_mq_for(kf, KIPC_ACCESS_READ);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	ret = kipc_batch_buf_get(kf, b->count, &bb);
	if (ret)
		return ret;
	n = kipc_vecs_get(b, bb.v, b->count, &err);
	for (i = 0; i < n; i++) {
		uvec = u64_to_user_ptr(b->vec) + (size_t)i * b->vec_size;
		if (kipc_vec_answer(uvec, bb.v[i].len, bb.v[i].priority)) {
			err = -EFAULT;
			n = i;
		}
	}
	ret = err;
	while (n) {
		spin_lock(&ch->lock);
		if (ch->dead) {
			spin_unlock(&ch->lock);
			ret = -EIDRM;
			break;
		}
		taken = kipc_mq_take_locked(ch, bb.v, bb.msgs, n);
		if (taken) {
			atomic_add(taken, &ch->inflight);
			ch->received += taken;
			ch->recv_time_ns = ktime_get_coarse_real_ns();
			kipc_note_pid(&ch->last_recv_pid, current);
			spin_unlock(&ch->lock);
			break;
		}
		msg = kipc_mq_peek_locked(ch);
		if (msg) {
			/* The first does not fit its entry: say what it needs; it stays queued. */
			ret = msg->len;
			spin_unlock(&ch->lock);
			uvec = u64_to_user_ptr(b->vec);
			ret = put_user((u32)ret, &uvec->len) ? -EFAULT : -EMSGSIZE;
			break;
		}
		spin_unlock(&ch->lock);
		ret = kipc_wait(&ch->readers, kipc_mq_has_msg, ch, 0, flags, deadline);
		if (ret)
			break;
	}

	for (i = 0; i < taken; i++) {
		msg = bb.msgs[i];
		uvec = u64_to_user_ptr(b->vec) + (size_t)i * b->vec_size;
		if (copy_to_user(u64_to_user_ptr(bb.v[i].buf), msg->data, msg->len))
			break;
		/* Proven writable above; only an unmap meanwhile fails, and then it is gone. */
		if (kipc_vec_answer(uvec, msg->len, msg->prio)) {
			i++;
			break;
		}
	}
	if (i < taken)
		kipc_mq_put_back(ch, bb.msgs, i, taken, &doomed);
	b->done = i;
	if (i)
		kipc_msgs_put(ch, bb.msgs, i);
	if (taken) {
		atomic_sub(taken, &ch->inflight);
		kipc_mq_wake_n(&ch->writers, EPOLLOUT | EPOLLWRNORM, taken);
		if (b->done < taken)
			kipc_mq_wake_n(&ch->readers, EPOLLIN | EPOLLRDNORM, taken - b->done);
	}
	kipc_msg_put_list(ch, &doomed);
	kipc_batch_buf_put(kf, &bb);
	if (b->done)
		return 0;
	if (taken)
		return -EFAULT;
	if (ret == -ERESTARTSYS)
		kipc_timeout_absolute(&b->flags, deadline, &b->timeout_ns);
	return ret;
}

/*
 * Send a request and wait for its reply.  The call's own flags rule both waits (neither fd's
 * O_NONBLOCK), and one deadline covers the whole call.  KIPC_IOC_CALL's handler: @arg is a
 * struct kipc_call (the fast path's or the generic one's copy).
 */
int kipc_mq_call(struct kipc_file *kf, void *arg)
{
	struct kipc_call *c = arg;
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
	if (ret == KIPC_SEND_DROPPED)
		c->reply_len = 0;
	if (ret)
		goto out;
	c->sent = 1;
	len = kipc_mq_recv(reply_kf, u64_to_user_ptr(c->reply_buf), c->reply_len, &prio,
			   &c->reply_len, c->flags, deadline);
	if (len < 0) {
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
	/*
	 * Pairs with wq_has_sleeper() in kipc_mq_wake(): add_wait_queue() only releases, so
	 * without this the reads below could pass the registration and miss a message whose
	 * sender saw no one waiting.
	 */
	if (!poll_does_not_wait(pt))
		smp_mb();	/* pairs with wq_has_sleeper() in kipc_mq_wake() */
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
