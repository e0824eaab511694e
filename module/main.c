// SPDX-License-Identifier: GPL-2.0
/*
 * kipc: the /dev/kipc misc device and its ioctl dispatch.
 *
 * Every ioctl argument is a size-versioned struct (see uapi/linux/kipc.h).  The dispatcher
 * does the size checks once, for every command, from kipc_ioctl_ops[]: it reads the caller's
 * size, refuses one that ends before the command's last required field (EINVAL) or that is
 * larger than a page (E2BIG: no call scans gigabytes of tail), copies the
 * struct in with copy_struct_from_user() (E2BIG for a non-zero unknown tail), makes sure the
 * answer can be written back before anything happens (EFAULT otherwise) and, after the
 * handler ran, copies back no more than the caller's size.  Handlers see a zero-filled kernel
 * struct of the kernel's own size and only check flags and values.  A wait with a relative
 * timeout that a signal interrupted leaves the struct in its absolute form (KIPC_MSG_ABSTIME
 * and the deadline), which the dispatcher writes back so that a restarted call ends at the
 * original deadline.
 *
 * Locking: see kipc_internal.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>

#include "kipc_internal.h"

/* The features this build implements; the library and the tests skip what is missing. */
#define KIPC_FEATURES	(KIPC_FEATURE_INFO | KIPC_FEATURE_MQ | KIPC_FEATURE_BATCH | \
			 KIPC_FEATURE_CALL | KIPC_FEATURE_SHM | KIPC_FEATURE_DOORBELL | \
			 KIPC_FEATURE_USER_LIMITS | KIPC_FEATURE_ABSTIME | \
			 KIPC_FEATURE_MQ_NOTIFY | KIPC_FEATURE_RLIMIT | \
			 KIPC_FEATURE_STAT_ACCESS)

static const struct file_operations kipc_fops;

void kipc_fill_info(struct kipc_info *info)
{
	info->abi_version = KIPC_ABI_VERSION;
	info->features = KIPC_FEATURES;
	info->max_channels = kipc_param_get(&kipc_max_channels);
	info->max_msg_size = kipc_param_get(&kipc_max_msg_size);
	info->max_msgs = kipc_param_get(&kipc_max_msgs);
	info->max_name_len = KIPC_NAME_MAX - 1;
	info->max_user_bytes = kipc_param_get(&kipc_max_user_bytes);
	info->max_shm_size = kipc_param_get(&kipc_max_shm_size);
	info->max_user_channels = kipc_param_get(&kipc_max_user_channels);
	info->max_user_shm_bytes = kipc_param_get(&kipc_max_user_shm_bytes);
	info->__reserved2 = 0;
}

/* What the caller's namespace and euid use now, against the limits above. */
static void kipc_fill_usage(struct kipc_info *info)
{
	struct kipc_user *user = kipc_user_find(current_euid());

	info->ns_channels = kipc_registry_ns_channels();
	info->user_channels = user ? atomic_read(&user->channels) : 0;
	info->user_bytes = user ? atomic64_read(&user->bytes) : 0;
	info->user_shm_bytes = user ? atomic64_read(&user->shm_bytes) : 0;
	if (user)
		kipc_user_put(user);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_fill_info);

/* A reference to the kipc_file behind @fd, or NULL when @fd is not a kipc fd; fput() it. */
struct kipc_file *kipc_file_get(int fd, struct file **filep)
{
	struct file *file = fget(fd);

	if (!file)
		return NULL;
	if (file->f_op != &kipc_fops) {
		fput(file);
		return NULL;
	}
	*filep = file;
	return file->private_data;
}

static int kipc_ioctl_info(struct kipc_file *kf, void *arg)
{
	struct kipc_info *info = arg;

	if (info->flags)
		return -EOPNOTSUPP;
	if (info->__reserved)
		return -EINVAL;
	kipc_fill_info(info);
	kipc_fill_usage(info);
	return 0;
}

static int kipc_ioctl_destroy(struct kipc_file *kf, void *arg)
{
	struct kipc_destroy *d = arg;

	return kipc_registry_destroy(d->name, d->flags);
}

static int kipc_ioctl_send(struct kipc_file *kf, void *arg)
{
	struct kipc_msg *m = arg;
	ktime_t deadline;
	u32 flags;
	int ret;

	ret = kipc_wait_begin(kf, m->flags, m->timeout_ns, &flags, &deadline);
	if (ret)
		return ret;
	ret = kipc_mq_send(kf, u64_to_user_ptr(m->buf), m->len, m->priority, flags, deadline);
	if (ret == -ERESTARTSYS)
		kipc_timeout_absolute(&m->flags, deadline, &m->timeout_ns);
	return ret;
}

static int kipc_ioctl_recv(struct kipc_file *kf, void *arg)
{
	struct kipc_msg *m = arg;
	ktime_t deadline;
	u32 prio, flags;
	long len;
	int ret;

	ret = kipc_wait_begin(kf, m->flags, m->timeout_ns, &flags, &deadline);
	if (ret)
		return ret;
	len = kipc_mq_recv(kf, u64_to_user_ptr(m->buf), m->len, &prio, &m->len, flags, deadline);
	if (len == -ERESTARTSYS)
		kipc_timeout_absolute(&m->flags, deadline, &m->timeout_ns);
	if (len < 0)
		return len;
	m->len = len;
	m->priority = prio;
	return 0;
}

static int kipc_ioctl_notify(struct kipc_file *kf, void *arg)
{
	struct kipc_notify *n = arg;

	if (n->flags)
		return -EOPNOTSUPP;
	return kipc_shm_notify(kf, &n->seq);
}

static int kipc_ioctl_wait(struct kipc_file *kf, void *arg)
{
	struct kipc_wait *w = arg;
	ktime_t deadline;
	u32 flags;
	int ret;

	ret = kipc_wait_begin(kf, w->flags, w->timeout_ns, &flags, &deadline);
	if (ret)
		return ret;
	ret = kipc_shm_wait(kf, w->seq, flags, deadline, &w->observed);
	if (ret == -ERESTARTSYS)
		kipc_timeout_absolute(&w->flags, deadline, &w->timeout_ns);
	return ret;
}

union kipc_ioctl_buffer {
	struct kipc_info info;
	struct kipc_create create;
	struct kipc_attach attach;
	struct kipc_destroy destroy;
	struct kipc_stat stat;
	struct kipc_list list;
	struct kipc_msg msg;
	struct kipc_batch batch;
	struct kipc_call call;
	struct kipc_notify notify;
	struct kipc_wait wait;
	struct kipc_mq_notify mq_notify;
};

/*
 * struct kipc_ioctl_op - one row of the dispatch table
 * @size: the kernel's sizeof() of the command's struct
 * @min_size: the first version's size (KIPC_*_SIZE_VER0): what an old caller must already pass
 * @cmd: the full ioctl number
 * @out: the struct has output fields, to be copied back (DESTROY and SEND have none: their
 *       argument may live in read-only memory)
 * @out_on_error: copy the struct back even when the handler fails (EMSGSIZE reports the
 *                length needed; a call reports whether its request went out)
 * @timeout_off: where the struct's timeout_ns is, for a command that waits; else 0
 * @execute: the handler; it works on a kernel copy of the struct
 */
struct kipc_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	unsigned int cmd;
	bool out;
	bool out_on_error;
	unsigned int timeout_off;
	int (*execute)(struct kipc_file *kf, void *arg);
};

/*
 * One row per command, at index KIPC_CMD_<name>, holding KIPC_IOC_<name>: a row cannot stand
 * at another command's place.  Its minimum size is the uapi's KIPC_<struct>_SIZE_VER0.
 */
#define KIPC_IOCTL_OP(_name, _fn, _struct, _ver0, _out, _out_on_error, _timeout_off)	\
	[KIPC_CMD_##_name] = {						\
		.size = sizeof(_struct) +				\
			BUILD_BUG_ON_ZERO(sizeof(union kipc_ioctl_buffer) < \
					  sizeof(_struct)),		\
		.min_size = _ver0,					\
		.cmd = KIPC_IOC_##_name,				\
		.out = _out,						\
		.out_on_error = _out_on_error,				\
		.timeout_off = _timeout_off,				\
		.execute = _fn,						\
	}

/* Each first version ends at the last field an old caller must already have had. */
static_assert(offsetofend(struct kipc_info, features) == KIPC_INFO_SIZE_VER0);
static_assert(offsetofend(struct kipc_create, overflow) == KIPC_CREATE_SIZE_VER0);
static_assert(offsetofend(struct kipc_attach, name) == KIPC_ATTACH_SIZE_VER0);
static_assert(offsetofend(struct kipc_destroy, name) == KIPC_DESTROY_SIZE_VER0);
static_assert(offsetofend(struct kipc_stat, name) == KIPC_STAT_SIZE_VER0);
static_assert(offsetofend(struct kipc_list, __reserved) == KIPC_LIST_SIZE_VER0);
static_assert(offsetofend(struct kipc_list_entry, id) == KIPC_LIST_ENTRY_SIZE_VER0);
static_assert(offsetofend(struct kipc_msg, timeout_ns) == KIPC_MSG_SIZE_VER0);
static_assert(offsetofend(struct kipc_msg_vec, priority) == KIPC_MSG_VEC_SIZE_VER0);
static_assert(offsetofend(struct kipc_batch, __reserved) == KIPC_BATCH_SIZE_VER0);
static_assert(offsetofend(struct kipc_call, timeout_ns) == KIPC_CALL_SIZE_VER0);
static_assert(offsetofend(struct kipc_notify, seq) == KIPC_NOTIFY_SIZE_VER0);
static_assert(offsetofend(struct kipc_wait, observed) == KIPC_WAIT_SIZE_VER0);
static_assert(offsetofend(struct kipc_mq_notify, removed) == KIPC_MQ_NOTIFY_SIZE_VER0);

#define KIPC_TIMEOUT_AT(_struct)	offsetof(_struct, timeout_ns)

static const struct kipc_ioctl_op kipc_ioctl_ops[] = {
	KIPC_IOCTL_OP(INFO, kipc_ioctl_info, struct kipc_info, KIPC_INFO_SIZE_VER0,
		      true, false, 0),
	KIPC_IOCTL_OP(CREATE, kipc_registry_create, struct kipc_create, KIPC_CREATE_SIZE_VER0,
		      true, false, 0),
	KIPC_IOCTL_OP(ATTACH, kipc_registry_attach, struct kipc_attach, KIPC_ATTACH_SIZE_VER0,
		      true, false, 0),
	KIPC_IOCTL_OP(DESTROY, kipc_ioctl_destroy, struct kipc_destroy, KIPC_DESTROY_SIZE_VER0,
		      false, false, 0),
	KIPC_IOCTL_OP(STAT, kipc_registry_stat, struct kipc_stat, KIPC_STAT_SIZE_VER0,
		      true, false, 0),
	KIPC_IOCTL_OP(LIST, kipc_registry_list, struct kipc_list, KIPC_LIST_SIZE_VER0,
		      true, false, 0),
	KIPC_IOCTL_OP(SEND, kipc_ioctl_send, struct kipc_msg, KIPC_MSG_SIZE_VER0,
		      false, false, KIPC_TIMEOUT_AT(struct kipc_msg)),
	KIPC_IOCTL_OP(RECV, kipc_ioctl_recv, struct kipc_msg, KIPC_MSG_SIZE_VER0,
		      true, true, KIPC_TIMEOUT_AT(struct kipc_msg)),
	KIPC_IOCTL_OP(SEND_BATCH, kipc_mq_send_batch, struct kipc_batch, KIPC_BATCH_SIZE_VER0,
		      true, false, KIPC_TIMEOUT_AT(struct kipc_batch)),
	KIPC_IOCTL_OP(RECV_BATCH, kipc_mq_recv_batch, struct kipc_batch, KIPC_BATCH_SIZE_VER0,
		      true, false, KIPC_TIMEOUT_AT(struct kipc_batch)),
	KIPC_IOCTL_OP(CALL, kipc_mq_call, struct kipc_call, KIPC_CALL_SIZE_VER0,
		      true, true, KIPC_TIMEOUT_AT(struct kipc_call)),
	KIPC_IOCTL_OP(NOTIFY, kipc_ioctl_notify, struct kipc_notify, KIPC_NOTIFY_SIZE_VER0,
		      true, false, 0),
	KIPC_IOCTL_OP(WAIT, kipc_ioctl_wait, struct kipc_wait, KIPC_WAIT_SIZE_VER0,
		      true, false, KIPC_TIMEOUT_AT(struct kipc_wait)),
	KIPC_IOCTL_OP(MQ_NOTIFY, kipc_mq_notify, struct kipc_mq_notify, KIPC_MQ_NOTIFY_SIZE_VER0,
		      true, false, 0),
};

/*
 * An interrupted wait whose handler turned a relative timeout into its absolute form: write
 * the deadline, then the flag, back to the caller, so that the restart (or the caller's retry
 * after EINTR) ends when the first call would have.  When that cannot be written (a read-only
 * SEND argument), a restart would wait the whole timeout again: EINTR instead, with the
 * caller's struct as it was.  Any other @ret (not an interruption) comes back as it is.
 */
static int kipc_ioctl_interrupted(void __user *uarg, unsigned int timeout_off, u32 uflags,
				  u64 utimeout, u32 flags, u64 deadline, int ret)
{
	u32 __user *uflags_p = uarg + offsetof(struct kipc_msg, flags);
	u64 __user *utimeout_p = uarg + timeout_off;

	if ((ret != -ERESTARTSYS && ret != -EINTR) || !timeout_off ||
	    (uflags & KIPC_MSG_ABSTIME) || !(flags & KIPC_MSG_ABSTIME))
		return ret;
	if (put_user(deadline, utimeout_p))
		return -EINTR;
	if (put_user(flags, uflags_p)) {
		if (put_user(utimeout, utimeout_p))
			pr_debug("a caller's argument became read-only during an ioctl\n");
		return -EINTR;
	}
	return ret;
}

/*
 * A command must not act and then fail to report: a receive would lose its message, a create
 * would leave a channel behind an error.  Before the handler runs, write the caller's own
 * bytes back over both ends of the region the answer goes to; the struct is smaller than a
 * page, so that touches every page it lies on, and an argument on a read-only or unmapped
 * page fails here with EFAULT, having done nothing.  (Only a caller that unmaps or protects
 * its own argument during the call can still see EFAULT after the effect.)
 */
static int kipc_ioctl_out_ok(void __user *uarg, const u8 *buf, u32 len)
{
	const u32 first = sizeof(u32);	/* the size field is never written */

	BUILD_BUG_ON(sizeof(union kipc_ioctl_buffer) > PAGE_SIZE);
	if (copy_to_user(uarg + first, buf + first, 1) ||
	    copy_to_user(uarg + len - 1, buf + len - 1, 1))
		return -EFAULT;
	return 0;
}

/*
 * The hot path: SEND and RECV with a struct of exactly this kernel's size, which is what
 * libkipc passes.  One fixed-size copy in and no union to clear.  RECV proves its answer
 * writable by writing back, before anything happens, the one word it will set (len and
 * priority, adjacent), and afterwards writes only that word.  The rules are the generic
 * path's, which every other size takes.
 */
/* len and priority as the one word they make in user memory. */
static u64 kipc_msg_answer(const struct kipc_msg *m)
{
	return kipc_u32_pair(m->len, m->priority);
}

static long kipc_ioctl_msg(struct kipc_file *kf, unsigned int cmd, void __user *uarg)
{
	u64 __user *answer = uarg + offsetof(struct kipc_msg, len);
	struct kipc_msg m;
	u64 utimeout;
	u32 uflags;
	int ret;

	BUILD_BUG_ON(offsetof(struct kipc_msg, priority) !=
		     offsetof(struct kipc_msg, len) + sizeof(m.len));
	if (copy_from_user(&m, uarg, sizeof(m)))
		return -EFAULT;
	uflags = m.flags;
	utimeout = m.timeout_ns;
	if (cmd == KIPC_IOC_SEND) {
		ret = kipc_ioctl_send(kf, &m);
	} else {
		if (put_user(kipc_msg_answer(&m), answer))
			return -EFAULT;
		ret = kipc_ioctl_recv(kf, &m);
		if (ret >= 0 || ret == -EMSGSIZE) {
			if (put_user(kipc_msg_answer(&m), answer))
				ret = ret ?: -EFAULT;
		}
	}
	return kipc_ioctl_interrupted(uarg, offsetof(struct kipc_msg, timeout_ns), uflags,
				      utimeout, m.flags, m.timeout_ns, ret);
}

/* CALL's answer: reply_priority and sent, adjacent, as one word. */
static u64 kipc_call_answer(const struct kipc_call *c)
{
	return kipc_u32_pair(c->reply_priority, c->sent);
}

/*
 * CALL at this kernel's size, as libkipc passes it: one fixed-size copy in, and only what it
 * sets written back (reply_len, then reply_priority and sent as one word), those proven
 * writable first by writing them back as they are.  As the generic path does, the answer is
 * written on errors too (EMSGSIZE's length, sent).
 */
static long kipc_ioctl_call_fast(struct kipc_file *kf, void __user *uarg)
{
	u32 __user *ureply_len = uarg + offsetof(struct kipc_call, reply_len);
	u64 __user *uanswer = uarg + offsetof(struct kipc_call, reply_priority);
	struct kipc_call c;
	u64 utimeout;
	u32 uflags;
	int ret;

	BUILD_BUG_ON(offsetof(struct kipc_call, sent) !=
		     offsetof(struct kipc_call, reply_priority) + sizeof(u32));
	if (copy_from_user(&c, uarg, sizeof(c)))
		return -EFAULT;
	if (put_user(c.reply_len, ureply_len) || put_user(kipc_call_answer(&c), uanswer))
		return -EFAULT;
	uflags = c.flags;
	utimeout = c.timeout_ns;
	ret = kipc_mq_call(kf, &c);
	if (put_user(c.reply_len, ureply_len) || put_user(kipc_call_answer(&c), uanswer))
		ret = ret ?: -EFAULT;
	return kipc_ioctl_interrupted(uarg, offsetof(struct kipc_call, timeout_ns), uflags,
				      utimeout, c.flags, c.timeout_ns, ret);
}

static long kipc_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	const struct kipc_ioctl_op *op;
	/* copy_struct_from_user() fills the command's struct whole: no need to clear the rest. */
	union kipc_ioctl_buffer buf __uninitialized;
	unsigned int nr = _IOC_NR(cmd);
	u32 usize, len, uflags;
	u64 utimeout = 0, deadline;
	int ret;

	if (nr >= ARRAY_SIZE(kipc_ioctl_ops))
		return -ENOTTY;
	op = &kipc_ioctl_ops[nr];
	if (op->cmd != cmd)	/* another type, direction or size bits; or a gap in the table */
		return -ENOTTY;

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < op->min_size)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	if (usize == sizeof(struct kipc_msg) && (cmd == KIPC_IOC_SEND || cmd == KIPC_IOC_RECV))
		return kipc_ioctl_msg(file->private_data, cmd, uarg);
	if (usize == sizeof(struct kipc_call) && cmd == KIPC_IOC_CALL)
		return kipc_ioctl_call_fast(file->private_data, uarg);
	ret = copy_struct_from_user(&buf, op->size, uarg, usize);
	if (ret)
		return ret;
	len = min_t(u32, usize, op->size);
	if (op->out) {
		ret = kipc_ioctl_out_ok(uarg, (u8 *)&buf, len);
		if (ret)
			return ret;
	}

	/* What a wait's flags and timeout were, before an interrupted one rewrites them. */
	uflags = ((u32 *)&buf)[1];
	if (op->timeout_off)
		memcpy(&utimeout, (u8 *)&buf + op->timeout_off, sizeof(utimeout));
	ret = op->execute(file->private_data, &buf);
	if ((ret == -ERESTARTSYS || ret == -EINTR) && op->timeout_off) {
		memcpy(&deadline, (u8 *)&buf + op->timeout_off, sizeof(deadline));
		ret = kipc_ioctl_interrupted(uarg, op->timeout_off, uflags, utimeout,
					     ((u32 *)&buf)[1], deadline, ret);
	}
	if (!op->out || (ret < 0 && !op->out_on_error))
		return ret;

	/* The caller's size stays as the caller wrote it. */
	if (copy_to_user(uarg + sizeof(u32), (u8 *)&buf + sizeof(u32), len - sizeof(u32)))
		return ret ?: -EFAULT;
	return ret;
}

static int kipc_open(struct inode *inode, struct file *file)
{
	struct kipc_file *kf;

	kf = kzalloc(sizeof(*kf), GFP_KERNEL_ACCOUNT);
	if (!kf)
		return -ENOMEM;
	kf->user = kipc_user_get(file->f_cred->euid);
	if (!kf->user) {
		kfree(kf);
		return -ENOMEM;
	}
	mutex_init(&kf->lock);
	init_waitqueue_head(&kf->unattached_wq);
	kf->file = file;
	file->private_data = kf;
	/* read/write/poll only make sense once attached; stream semantics, no file position. */
	return stream_open(inode, file);
}

/* Every close(): the closing process's notification registration on the queue goes. */
static int kipc_flush(struct file *file, fl_owner_t id)
{
	kipc_notify_flush(file->private_data);
	return 0;
}

static int kipc_release(struct inode *inode, struct file *file)
{
	struct kipc_file *kf = file->private_data;

	kipc_registry_detach(kf);
	kipc_batch_buf_free(kf);
	kipc_user_put(kf->user);
	mutex_destroy(&kf->lock);
	kfree(kf);
	return 0;
}

static bool kipc_is_shm(struct kipc_file *kf)
{
	struct kipc_channel *ch = kipc_file_channel(kf);

	return ch && ch->type == KIPC_TYPE_SHM;
}

/* write(2): MQ: one message at priority 0.  SHM: 8 bytes (any value) ring the doorbell. */
static ssize_t kipc_write(struct file *file, const char __user *buf, size_t len, loff_t *ppos)
{
	struct kipc_file *kf = file->private_data;
	u64 seq;
	int ret;

	if (kipc_is_shm(kf)) {
		if (len != sizeof(u64))
			return -EINVAL;
		ret = kipc_shm_notify(kf, &seq);
		return ret ?: len;
	}
	if (len > U32_MAX)
		return -EMSGSIZE;
	/* A message that DROP dropped on arrival was written all the same. */
	ret = kipc_mq_send(kf, buf, len, 0, kipc_file_flags(kf, 0), KTIME_MAX);
	return ret < 0 ? ret : len;
}

/*
 * read(2): MQ: one message; EMSGSIZE (the message stays) when @len is too small.
 * SHM: wait until the doorbell moved past what this fd consumed, return its sequence (8 bytes).
 */
static ssize_t kipc_read(struct file *file, char __user *buf, size_t len, loff_t *ppos)
{
	struct kipc_file *kf = file->private_data;
	u64 seq;
	u32 prio;
	int ret;

	if (kipc_is_shm(kf)) {
		if (len < sizeof(u64))
			return -EINVAL;
		ret = kipc_shm_wait(kf, READ_ONCE(kf->consumed), kipc_file_flags(kf, 0), KTIME_MAX,
				    &seq);
		if (ret)
			return ret;
		return put_user(seq, (u64 __user *)buf) ? -EFAULT : sizeof(u64);
	}
	return kipc_mq_recv(kf, buf, min_t(size_t, len, U32_MAX), &prio, NULL,
			    kipc_file_flags(kf, 0), KTIME_MAX);
}

/*
 * Poll before the attach.  EPOLLERR, as there is nothing to wait for yet; but epoll keeps a
 * registration made now for the fd's life, on this fd's own queue, so the attach wakes that
 * queue and has the channel's wake-ups forwarded to it (kipc_poll_attached()).  Under
 * kf->lock, so that an attach either sees the registration or this sees the attach.
 * Return: EPOLLERR, or 0 when the fd is attached after all.
 */
static __poll_t kipc_poll_unattached(struct kipc_file *kf, struct file *file,
				     struct poll_table_struct *pt)
{
	__poll_t mask = 0;

	mutex_lock(&kf->lock);
	if (!kf->ch) {
		if (!poll_does_not_wait(pt)) {
			poll_wait(file, &kf->unattached_wq, pt);
			kf->polled_unattached = true;
		}
		mask = EPOLLERR;
	}
	mutex_unlock(&kf->lock);
	return mask;
}

static int kipc_poll_forward(struct wait_queue_entry *wait, unsigned int mode, int sync,
			     void *key)
{
	struct kipc_file *kf = wait->private;
	/* A death wakes every registration; an event, as many as the channel's own wake-up. */
	int nr = !key || (key_to_poll(key) & EPOLLHUP) ? 0 : 1;

	__wake_up(&kf->unattached_wq, TASK_INTERRUPTIBLE, nr, key);
	return 0;
}

/* kf->lock held, @ch just published: carry the channel's events to early registrations. */
void kipc_poll_attached(struct kipc_file *kf, struct kipc_channel *ch)
{
	lockdep_assert_held(&kf->lock);
	if (!kf->polled_unattached)
		return;
	init_waitqueue_func_entry(&kf->fwd_readers, kipc_poll_forward);
	kf->fwd_readers.private = kf;
	init_waitqueue_func_entry(&kf->fwd_writers, kipc_poll_forward);
	kf->fwd_writers.private = kf;
	add_wait_queue(&ch->readers, &kf->fwd_readers);
	add_wait_queue(&ch->writers, &kf->fwd_writers);
	kf->forwarding = true;
	/* Let them poll again: the attach itself is news. */
	kipc_wake_all(&kf->unattached_wq, EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLWRNORM);
}

/* The attachment goes (the fd's release). */
void kipc_poll_detach(struct kipc_file *kf, struct kipc_channel *ch)
{
	if (!kf->forwarding)
		return;
	remove_wait_queue(&ch->readers, &kf->fwd_readers);
	remove_wait_queue(&ch->writers, &kf->fwd_writers);
	kf->forwarding = false;
}

static __poll_t kipc_poll(struct file *file, struct poll_table_struct *pt)
{
	struct kipc_file *kf = file->private_data;
	__poll_t mask;

	if (!kipc_file_channel(kf)) {
		mask = kipc_poll_unattached(kf, file, pt);
		if (mask)
			return mask;
	}
	if (kipc_is_shm(kf))
		return kipc_shm_poll(kf, file, pt);
	return kipc_mq_poll(kf, file, pt);
}

static int kipc_mmap(struct file *file, struct vm_area_struct *vma)
{
	return kipc_shm_mmap(file->private_data, vma);
}

static const struct file_operations kipc_fops = {
	.owner = THIS_MODULE,
	.open = kipc_open,
	.flush = kipc_flush,
	.release = kipc_release,
	.read = kipc_read,
	.write = kipc_write,
	.poll = kipc_poll,
	.mmap = kipc_mmap,
	.unlocked_ioctl = kipc_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	/* No .llseek: stream_open() clears FMODE_LSEEK, so lseek is ESPIPE on every kernel. */
};

/* /sys/kernel/debug/kipc/state: totals over all namespaces, for tests and leak hunting. */
static int kipc_state_show(struct seq_file *m, void *v)
{
	unsigned int namespaces, named, alive;
	u64 shm_channels, shm_bytes;

	kipc_registry_counts(&namespaces, &named, &alive);
	kipc_shm_counts(&shm_channels, &shm_bytes);
	/* "channels" are the named ones; "alive" adds those only fds or mappings hold. */
	seq_printf(m, "namespaces %u\nchannels %u\nmessages %lld\nshm_channels %llu\nshm_bytes %llu\n"
		   "alive %u\n",
		   namespaces, named, (long long)kipc_mq_messages(),
		   shm_channels, shm_bytes, alive);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kipc_state);

static struct dentry *kipc_debugfs;

static struct miscdevice kipc_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = KIPC_DEVICE_NAME,
	.fops = &kipc_fops,
	.mode = 0666,
};

static int __init kipc_init(void)
{
	int ret;

	ret = misc_register(&kipc_misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", KIPC_DEVICE_NAME, ret);
		return ret;
	}
	kipc_debugfs = debugfs_create_dir("kipc", NULL);
	debugfs_create_file("state", 0400, kipc_debugfs, NULL, &kipc_state_fops);
	/* Counts since load, not state (nothing is held): for tests and the curious. */
	debugfs_create_atomic_t("direct_copies", 0400, kipc_debugfs, &kipc_mq_direct_copies);
	debugfs_create_atomic_t("direct_misses", 0400, kipc_debugfs, &kipc_mq_direct_misses);
	pr_info("abi %u, features %#llx\n", KIPC_ABI_VERSION,
		(unsigned long long)KIPC_FEATURES);
	return 0;
}

static void __exit kipc_exit(void)
{
	u64 shm_channels, shm_bytes;
	s64 msgs;

	debugfs_remove(kipc_debugfs);
	misc_deregister(&kipc_misc);
	kipc_registry_exit();
	/*
	 * The module has no slab caches of its own (messages vary in size: kmalloc's caches fit
	 * them); what stands for them is the count of everything it allocated, which must be
	 * back to zero.  The test VM fails any run that WARNs.
	 */
	kipc_shm_counts(&shm_channels, &shm_bytes);
	msgs = kipc_mq_messages();
	WARN(msgs || shm_channels || shm_bytes,
	     "kipc: at exit: %lld messages, %llu shared-page channels (%llu bytes)\n",
	     (long long)msgs, shm_channels, shm_bytes);
}

module_init(kipc_init);
module_exit(kipc_exit);

MODULE_DESCRIPTION("kipc: message-queue and shared-page IPC channels on /dev/kipc");
MODULE_AUTHOR("The kipc authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(KIPC_VERSION);	/* from VERSION, through module/Kbuild */
