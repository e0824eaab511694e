/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc internals shared by the module's files and its KUnit suite.
 *
 * Objects
 * -------
 *  kipc_ns       one per IPC namespace that has channels alive: the name table, found in O(1)
 *                in an xarray indexed by the namespace's inode number.  Holds a counted
 *                reference on its ipc_namespace, so the pointer can never be reused by a new
 *                namespace while kipc knows it.
 *  kipc_channel  a channel; kref-counted.  The name table holds one reference while the
 *                channel is named, every attachment holds one, and so does every mmap() of
 *                a shared-page channel, through the file it gives its VMAs (shm.c).  From
 *                creation to free, a channel counts against its namespace's max_channels and
 *                its creator's max_user_channels and max_user_shm_bytes.
 *  kipc_file     one open of /dev/kipc: at most one attachment.
 *  kipc_user     per uid: bytes of queued messages it sent (max_user_bytes), channels it
 *                created and their shared-page bytes.
 *  kipc_msg_buf  one queued message.
 *  kipc_notify_reg  a queue's one-shot notification (notify.c).
 *
 * Locking overview
 * ----------------
 *  kipc_registry_lock (mutex)  the namespace table, every name table and kipc_ns's counts,
 *                              kipc_channel.name_node/linked and the id xarrays' contents.
 *  kipc_file.lock (mutex)      kipc_file.ch and .access while attaching, and the unattached
 *                              poll state; afterwards ch and access are read-only until
 *                              release and read with smp_load_acquire().
 *  kipc_channel.lock (spinlock) the queue: prios, depth, inflight, bytes, counters, dead,
 *                              attachments, the receives asleep on it (recv_waiters), the
 *                              notification registration (notify).
 *                              Never held across a user copy or an allocation that sleeps.
 *  kipc_channel.cache_lock     the free message buffers a queue keeps; a leaf.
 *  kipc_users_lock (spinlock)  the kipc_user hash table.
 *
 * Lock order: a lock may be taken while holding only locks above it in this list.
 *  1. kipc_file.lock          (attach: it is held while the registry is searched)
 *  2. kipc_registry_lock      (the name tables; ns.c and registry.c)
 *  3. a receive's mmap_lock, for reading (a direct copy; kipc holds no lock of its own then)
 *  4. kipc_channel.lock       (a spinlock: nothing below sleeps)
 *  5. kipc_channel.cache_lock (a leaf)
 *  5. kipc_users_lock         (a leaf)
 *  Wait-queue locks (wake-ups, poll) are taken under 4 or under nothing, never around it; so
 *  are a notification's (the notified group's siglock, its eventfd's wait queue).
 * The last kipc_channel_put() takes kipc_registry_lock (to uncount the channel), so no
 * reference is ever dropped with 2 or 4 held: code that unlinks under the lock puts the
 * name's reference after unlocking.
 *
 * Read without their lock (each such read says so and uses READ_ONCE(); each write is a
 * WRITE_ONCE() under the lock): kipc_channel.depth and .dead, by wait conditions, poll and
 * the direct-copy hint; kipc_channel.recv_waiters through list_empty(), for the same hint;
 * kipc_channel.notify, by a close that looks whether it may own it;
 * kipc_file.consumed, the doorbell sequence a reader last saw.
 *
 * Module parameters are plain words that root may change at any time through sysfs; every
 * reader takes one READ_ONCE() snapshot per operation.
 */
#ifndef _KIPC_INTERNAL_H
#define _KIPC_INTERNAL_H

#include <linux/kref.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <linux/kipc.h>

#include "compat.h"

struct file;
struct ipc_namespace;
struct pid;
struct poll_table_struct;

/*
 * struct kipc_param_range - a module parameter that accepts only min..max
 * @min: smallest accepted value
 * @max: largest accepted value
 * @val: the live value, read with READ_ONCE()
 */
struct kipc_param_range {
	u64 min;
	u64 max;
	u64 val;
};

extern struct kipc_param_range kipc_max_channels;
extern struct kipc_param_range kipc_max_msg_size;
extern struct kipc_param_range kipc_max_msgs;
extern struct kipc_param_range kipc_max_user_bytes;
extern struct kipc_param_range kipc_max_shm_size;
extern struct kipc_param_range kipc_max_user_channels;
extern struct kipc_param_range kipc_max_user_shm_bytes;
extern struct kipc_param_range kipc_direct_copy_min;

int kipc_param_parse(const struct kipc_param_range *range, const char *text, u64 *out);
u64 kipc_param_get(const struct kipc_param_range *range);

/* Defaults for a queue created with 0 attributes (lowered to the caps when those are lower). */
#define KIPC_DEFAULT_MSGS	256
#define KIPC_DEFAULT_MSG_SIZE	65536

/*
 * struct kipc_user - what one uid is charged for
 * @node: in the hash table; kipc_users_lock
 * @uid: the uid charged
 * @ref: one per kipc_file opened by this uid, one per queued message it sent and one per
 *       channel alive that it created
 * @bytes: message bytes charged now (payload plus per-message overhead): max_user_bytes
 * @shm_bytes: shared-page bytes of the channels alive it created: max_user_shm_bytes
 * @channels: channels alive it created: max_user_channels
 * @mq_bytes: the capacity of the queues alive it created with KIPC_CREATE_RLIMIT:
 *            RLIMIT_MSGQUEUE
 */
struct kipc_user {
	struct hlist_node node;
	kuid_t uid;
	refcount_t ref;
	atomic64_t bytes;
	atomic64_t shm_bytes;
	atomic_t channels;
	atomic64_t mq_bytes;
};

/* user.c */
struct kipc_user *kipc_user_get(kuid_t uid);
struct kipc_user *kipc_user_find(kuid_t uid);
void kipc_user_put(struct kipc_user *user);
void kipc_user_put_many(struct kipc_user *user, unsigned int n);
int kipc_user_charge(struct kipc_user *user, u64 bytes);
void kipc_user_uncharge(struct kipc_user *user, u64 bytes);
int kipc_user_charge_channel(struct kipc_user *user, u64 shm_bytes);
void kipc_user_uncharge_channel(struct kipc_user *user, u64 shm_bytes);
int kipc_user_charge_rlimit(struct kipc_user *user, u64 bytes, u64 limit);
void kipc_user_uncharge_rlimit(struct kipc_user *user, u64 bytes);
bool kipc_users_all_gone(void);

/*
 * struct kipc_ns - kipc's state for one IPC namespace
 * @key: its index in the namespace table (the namespace's inode number, unique while the
 *       reference below is held)
 * @ipc_ns: counted reference (get_ipc_ns(), put_ipc_ns(): see registry.c);
 *          NULL once the collector let a dead namespace go (then @kns only counts)
 * @names: named channels by name
 * @ids: named channels by id, for listing in id order (an rbtree: inserting allocates nothing)
 * @nr_named: channels in @names
 * @nr_channels: channels alive that were created here, named or not: max_channels.  The
 *               kipc_ns goes when this reaches 0.
 * All fields: kipc_registry_lock.
 */
struct kipc_ns {
	unsigned long key;
	struct ipc_namespace *ipc_ns;
	struct rb_root names;
	struct rb_root ids;
	unsigned int nr_named;
	unsigned int nr_channels;
};

/*
 * struct kipc_prio - the messages of one priority, oldest first
 * @node: in kipc_channel.prios, keyed by @prio, highest leftmost
 * @msgs: struct kipc_msg_buf list
 * @prio: the priority
 */
struct kipc_prio {
	struct rb_node node;
	struct list_head msgs;
	u32 prio;
};

/*
 * struct kipc_msg_buf - one queued message
 * @node: in its priority's list; kipc_channel.lock
 * @level: the priority level's node, live only while @owns_level.  Every message carries one,
 *         so queueing never allocates: the first message of a priority lends its @level, and
 *         when it leaves first, it hands the level to the next message of that priority.
 * @owns_level: @level is the one in kipc_channel.prios
 * @user: charged for it; holds a reference
 * @charge: bytes charged to @user
 * @cap: the kmalloc() size of a buffer a queue may keep for reuse (see kipc_msg_get()), or 0
 *       for a large one, which is always freed
 * @len: payload length
 * @prio: priority
 * @data: payload
 */
struct kipc_msg_buf {
	struct list_head node;
	struct kipc_prio level;
	bool owns_level;
	struct kipc_user *user;
	u64 charge;
	u32 cap;
	u32 len;
	u32 prio;
	u8 data[];
};

/*
 * Free message buffers a queue keeps for its next messages (no more than its max_msgs), and the
 * largest it keeps.
 */
#define KIPC_MSG_CACHE		64
#define KIPC_MSG_CACHE_MAX	512

/*
 * struct kipc_channel - a channel
 * Immutable after creation: kns, owner, name, id, type, uid, gid, cuid, cgid, mode, flags,
 * ctime_ns, max_msgs, max_msg_size, overflow.
 * @kns: the namespace it was created in and is counted against until it is freed (NULL for a
 *       channel that was never inserted)
 * @owner: its creator's kipc_user, charged for it until it is freed (holds a reference)
 * @rlimit_bytes: KIPC_CREATE_RLIMIT: what is charged to @owner's mq_bytes; immutable
 */
struct kipc_channel {
	struct kref ref;
	struct kipc_ns *kns;
	struct kipc_user *owner;
	u64 rlimit_bytes;
	/* kipc_registry_lock */
	struct rb_node name_node;
	struct rb_node id_node;
	bool linked;
	struct list_head unlink_node;	/* on a local list of unlinked names to put */

	char name[KIPC_NAME_MAX];
	u32 id;
	u32 type;
	kuid_t uid, cuid;
	kgid_t gid, cgid;
	umode_t mode;
	u32 flags;
	u64 ctime_ns;
	u32 max_msgs;
	u32 max_msg_size;
	u32 overflow;

	spinlock_t lock;	/* the queue and the counters below */
	/* kipc_channel.lock */
	struct rb_root_cached prios;	/* rb_leftmost is the highest priority */
	u32 depth;		/* also read unlocked (READ_ONCE): written with WRITE_ONCE */
	atomic_t inflight;	/* received, not yet copied out: keeps its slot (BLOCK, FAIL) */
	u64 bytes;
	u64 sent, received, dropped;
	struct pid *last_send_pid, *last_recv_pid;
	u64 send_time_ns, recv_time_ns;
	unsigned int attachments;
	bool dead;		/* also read unlocked (READ_ONCE): written with WRITE_ONCE */
	u64 notifies, waits;

	struct list_head recv_waiters;	/* receives asleep on an empty queue: struct kipc_waiter */
	struct kipc_notify_reg *notify;	/* KIPC_IOC_MQ_NOTIFY's; written with WRITE_ONCE */
	spinlock_t cache_lock;		/* msg_cache and cache_n; a leaf */
	unsigned int cache_n;
	struct kipc_msg_buf *msg_cache[KIPC_MSG_CACHE];	/* free buffers, a stack */

	wait_queue_head_t readers;	/* pollers, batch receives, doorbell waits; death */
	wait_queue_head_t writers;	/* wait for room, or for death */

	/* KIPC_TYPE_SHM; shm_file and shm_size are immutable, the doorbell atomic. */
	struct file *shm_file;
	u64 shm_size;
	atomic64_t doorbell;
};

/*
 * struct kipc_file - one open of /dev/kipc
 * @lock: serialises attaching
 * @ch: the attached channel, or NULL; set once (smp_store_release) under @lock
 * @access: KIPC_ACCESS_* of the attachment; set before @ch
 * @user: the opener's kipc_user: what a send by the opener's euid is charged to (a send by
 *        another euid, through an inherited or passed fd, is charged to that euid)
 * @file: the struct file (for O_NONBLOCK)
 * @consumed: SHM: the doorbell sequence this fd last consumed (READ_ONCE/WRITE_ONCE)
 * @unattached_wq: poll/epoll registrations made before the fd attached
 * @polled_unattached: someone registered on @unattached_wq; @lock
 * @fwd_readers: once attached after @polled_unattached, forwards the channel's readers
 *               wake-ups to @unattached_wq (and @fwd_writers the writers')
 */
struct kipc_file {
	struct mutex lock;	/* serialises attaching */
	struct kipc_channel *ch;
	u32 access;
	struct kipc_user *user;
	struct file *file;
	u64 consumed;
	wait_queue_head_t unattached_wq;
	bool polled_unattached;
	bool forwarding;
	struct wait_queue_entry fwd_readers;
	struct wait_queue_entry fwd_writers;
	/*
	 * Batch working memory kept for the next batches (see kipc_batch_buf_get()), taken and
	 * given back by xchg: two, for the two sides of a queue that share one open file
	 * across fork(), each with a batch under way.
	 */
	void *batch[2];
};

/*
 * Two adjacent u32 fields of a user struct, @first at the lower address, as the one u64 that
 * put_user() writes over both: an answer in one user access.
 */
static inline u64 kipc_u32_pair(u32 first, u32 second)
{
#ifdef __LITTLE_ENDIAN
	return (u64)second << 32 | first;
#else
	return (u64)first << 32 | second;
#endif
}

static inline struct kipc_channel *kipc_file_channel(struct kipc_file *kf)
{
	/* Pairs with the smp_store_release() in kipc_attach_locked(): ->access is set. */
	return smp_load_acquire(&kf->ch);
}

/* registry.c: the name tables, channels, create/attach/destroy/stat/list */
extern struct mutex kipc_registry_lock;
int kipc_name_check(const char name[KIPC_NAME_MAX]);
/*
 * The ioctl handlers take the kernel's copy of the command's struct as void *, as the ioctl
 * table calls them (iommufd's way); each names the struct it expects.
 */
int kipc_registry_create(struct kipc_file *kf, void *arg);	/* struct kipc_create */
int kipc_registry_attach(struct kipc_file *kf, void *arg);	/* struct kipc_attach */
int kipc_registry_destroy(const char name[KIPC_NAME_MAX], u32 flags);
int kipc_registry_stat(struct kipc_file *kf, void *arg);	/* struct kipc_stat */
int kipc_registry_list(struct kipc_file *kf, void *arg);	/* struct kipc_list */
void kipc_registry_detach(struct kipc_file *kf);
struct kipc_channel *kipc_channel_lookup(const char name[KIPC_NAME_MAX]);
void kipc_channel_put(struct kipc_channel *ch);
void kipc_registry_exit(void);
void kipc_registry_counts(unsigned int *namespaces, unsigned int *named, unsigned int *alive);
void kipc_ns_unlink_all_locked(struct kipc_ns *kns, struct list_head *names);
void kipc_put_names(struct list_head *names);

/* ns.c: the namespaces and their collector */
struct ipc_namespace *kipc_current_ipc_ns(void);
struct kipc_ns *kipc_ns_find_locked(struct ipc_namespace *ipc_ns);
struct kipc_ns *kipc_ns_get_locked(struct ipc_namespace *ipc_ns);
void kipc_ns_put_locked(struct kipc_ns *kns);
void kipc_ns_count_locked(unsigned int *namespaces, unsigned int *named);
void kipc_registry_gc(void);
unsigned int kipc_registry_ns_channels(void);
void kipc_ns_exit(struct list_head *names);
bool kipc_ns_all_gone(void);

/* wait.c: waiting, shared by the queue and the doorbell */
typedef bool (*kipc_ready_fn)(struct kipc_channel *ch, u64 arg);
int kipc_wait_flags_check(u32 flags);
int kipc_wait_begin(struct kipc_file *kf, u32 flags, u64 timeout_ns, u32 *final,
		    ktime_t *deadline);
ktime_t kipc_deadline(u32 flags, u64 timeout_ns);
void kipc_timeout_absolute(u32 *flags, ktime_t deadline, u64 *timeout_ns);
u32 kipc_file_flags(struct kipc_file *kf, u32 flags);
int kipc_wait(wait_queue_head_t *wq, kipc_ready_fn ready, struct kipc_channel *ch, u64 arg,
	      u32 flags, ktime_t deadline);
void kipc_wake_all(wait_queue_head_t *wq, __poll_t mask);

/* shm.c */
struct vm_area_struct;
int kipc_shm_size_check(u64 size, u64 *rounded);
int kipc_shm_setup(struct kipc_channel *ch);
void kipc_shm_release(struct kipc_channel *ch);
int kipc_shm_mmap(struct kipc_file *kf, struct vm_area_struct *vma);
int kipc_shm_notify(struct kipc_file *kf, u64 *seq);
int kipc_shm_wait(struct kipc_file *kf, u64 seq, u32 flags, ktime_t deadline, u64 *current_seq);
unsigned int kipc_shm_mappings(struct kipc_channel *ch);
struct file *kipc_shm_map_file(struct kipc_channel *ch);
__poll_t kipc_shm_poll(struct kipc_file *kf, struct file *file, struct poll_table_struct *pt);
void kipc_shm_counts(u64 *channels, u64 *bytes);

/* mq.c */
void kipc_mq_init(struct kipc_channel *ch);
struct kipc_prio *kipc_mq_enqueue_locked(struct kipc_channel *ch, struct kipc_msg_buf *msg,
					 bool at_head);
struct kipc_msg_buf *kipc_mq_peek_locked(struct kipc_channel *ch);
#if IS_ENABLED(CONFIG_KUNIT)
u32 kipc_mq_take_locked(struct kipc_channel *ch, const struct kipc_msg_vec *v,
			struct kipc_msg_buf **msgs, u32 n);
#endif
void kipc_mq_unlink_locked(struct kipc_channel *ch, struct kipc_msg_buf *msg);
struct kipc_msg_buf *kipc_mq_drop_lowest_locked(struct kipc_channel *ch);
struct kipc_msg_buf *kipc_mq_drop_for_locked(struct kipc_channel *ch, struct kipc_msg_buf *msg);
struct kipc_msg_buf *kipc_msg_get(struct kipc_channel *ch, struct kipc_user *user, u32 len,
				  u32 prio);
void kipc_msg_put(struct kipc_channel *ch, struct kipc_msg_buf *msg);
struct kipc_msg_buf *kipc_msg_alloc(struct kipc_user *user, u32 len, u32 prio);
void kipc_msg_free(struct kipc_msg_buf *msg);
void kipc_msg_cache_drain(struct kipc_channel *ch);
void kipc_mq_kill(struct kipc_channel *ch);
void kipc_mq_purge(struct kipc_channel *ch);
int kipc_mq_send(struct kipc_file *kf, const void __user *buf, u32 len, u32 prio, u32 flags,
		 ktime_t deadline);
long kipc_mq_recv(struct kipc_file *kf, void __user *buf, u32 len, u32 *prio, u32 *needed,
		  u32 flags, ktime_t deadline);
void kipc_batch_buf_free(struct kipc_file *kf);
int kipc_mq_send_batch(struct kipc_file *kf, void *arg);	/* struct kipc_batch */
int kipc_mq_recv_batch(struct kipc_file *kf, void *arg);	/* struct kipc_batch */
int kipc_mq_call(struct kipc_file *kf, void *arg);		/* struct kipc_call */
__poll_t kipc_mq_poll(struct kipc_file *kf, struct file *file, struct poll_table_struct *pt);
s64 kipc_mq_messages(void);
extern atomic_t kipc_mq_direct_copies, kipc_mq_direct_misses;

/* notify.c: KIPC_IOC_MQ_NOTIFY */
struct kipc_notify_reg;
int kipc_mq_notify(struct kipc_file *kf, void *arg);		/* struct kipc_mq_notify */
struct kipc_notify_reg *kipc_notify_fire_locked(struct kipc_channel *ch);
void kipc_notify_free(struct kipc_notify_reg *reg);
void kipc_notify_flush(struct kipc_file *kf);
void kipc_notify_drop(struct kipc_channel *ch);

/* main.c */
struct kipc_file *kipc_file_get(int fd, struct file **filep);
void kipc_fill_info(struct kipc_info *info);
void kipc_poll_attached(struct kipc_file *kf, struct kipc_channel *ch);
void kipc_poll_detach(struct kipc_file *kf, struct kipc_channel *ch);

#endif /* _KIPC_INTERNAL_H */
