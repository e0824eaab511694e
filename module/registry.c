// SPDX-License-Identifier: GPL-2.0
/*
 * kipc channel registry: names per IPC namespace, ids, permissions, attach and destroy, and
 * the per-user byte budget.
 *
 * Namespaces.  A module cannot hook the death of an IPC namespace in 6.1, and must not keep a
 * bare pointer to one (a new namespace could reuse the address).  So each kipc_ns holds a
 * counted reference, taken with get_ipc_ns() and dropped through ns.ops->put(), since
 * put_ipc_ns() is not exported.  A namespace whose only reference is kipc's own can never be
 * entered again (every way in, a task or an nsfs file, holds a reference), so the collector
 * removes its channels and lets it go.  It runs from a delayed work while any kipc_ns exists,
 * and before every create and list.
 *
 * Locking: see kipc_internal.h.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/ipc_namespace.h>
#include <linux/mm.h>
#include <linux/nsproxy.h>
#include <linux/pid.h>
#include <linux/proc_ns.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <kunit/visibility.h>

#include "kipc_internal.h"

static DEFINE_MUTEX(kipc_registry_lock);
static LIST_HEAD(kipc_namespaces);
static DEFINE_XARRAY_ALLOC1(kipc_ids);
static u32 kipc_next_id;

static DEFINE_SPINLOCK(kipc_users_lock);
static DEFINE_HASHTABLE(kipc_users, 6);

#define KIPC_GC_PERIOD	(HZ / 2)
static void kipc_gc_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(kipc_gc_work, kipc_gc_work_fn);

/* ---- Per-user byte budget ------------------------------------------------------------------ */

struct kipc_user *kipc_user_get(kuid_t uid)
{
	struct kipc_user *user, *fresh;
	u32 key = __kuid_val(uid);

	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL_ACCOUNT);
	spin_lock(&kipc_users_lock);
	hash_for_each_possible(kipc_users, user, node, key) {
		if (uid_eq(user->uid, uid)) {
			refcount_inc(&user->ref);
			spin_unlock(&kipc_users_lock);
			kfree(fresh);
			return user;
		}
	}
	if (fresh) {
		fresh->uid = uid;
		refcount_set(&fresh->ref, 1);
		atomic64_set(&fresh->bytes, 0);
		hash_add(kipc_users, &fresh->node, key);
	}
	spin_unlock(&kipc_users_lock);
	return fresh;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_user_get);

void kipc_user_put(struct kipc_user *user)
{
	/* refcount_dec_and_lock(), spelled out so that sparse can follow the lock. */
	if (refcount_dec_not_one(&user->ref))
		return;
	spin_lock(&kipc_users_lock);
	if (!refcount_dec_and_test(&user->ref)) {
		spin_unlock(&kipc_users_lock);
		return;
	}
	hash_del(&user->node);
	spin_unlock(&kipc_users_lock);
	WARN_ON(atomic64_read(&user->bytes));
	kfree(user);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_user_put);

/* Return: 0, or -EDQUOT when @bytes more would pass max_user_bytes. */
int kipc_user_charge(struct kipc_user *user, u64 bytes)
{
	u64 limit = kipc_param_get(&kipc_max_user_bytes);

	if (atomic64_add_return(bytes, &user->bytes) > limit) {
		atomic64_sub(bytes, &user->bytes);
		return -EDQUOT;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_user_charge);

void kipc_user_uncharge(struct kipc_user *user, u64 bytes)
{
	WARN_ON(atomic64_sub_return(bytes, &user->bytes) < 0);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_user_uncharge);

/* ---- Names --------------------------------------------------------------------------------- */

/* ASCII only: the kernel's isalnum() follows Latin-1 and would let 0xc0..0xff through. */
static bool kipc_name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-' || c == ':' || c == '@';
}

/**
 * kipc_name_check() - is this a valid channel name?
 * @name: the KIPC_NAME_MAX bytes from user space
 *
 * Return: 0; -ENAMETOOLONG without a NUL in the buffer; -EINVAL when empty or holding a byte
 * outside [A-Za-z0-9._:@-].
 */
int kipc_name_check(const char name[KIPC_NAME_MAX])
{
	size_t len = strnlen(name, KIPC_NAME_MAX);
	size_t i;

	if (len == KIPC_NAME_MAX)
		return -ENAMETOOLONG;
	if (!len)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!kipc_name_char_ok(name[i]))
			return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_name_check);

/* ---- Namespaces ---------------------------------------------------------------------------- */

static struct ipc_namespace *kipc_current_ipc_ns(void)
{
	return current->nsproxy->ipc_ns;
}

static struct kipc_ns *kipc_ns_find_locked(struct ipc_namespace *ipc_ns)
{
	struct kipc_ns *kns;

	lockdep_assert_held(&kipc_registry_lock);
	list_for_each_entry(kns, &kipc_namespaces, node)
		if (kns->ipc_ns == ipc_ns)
			return kns;
	return NULL;
}

static struct kipc_ns *kipc_ns_get_locked(struct ipc_namespace *ipc_ns)
{
	struct kipc_ns *kns = kipc_ns_find_locked(ipc_ns);

	if (kns)
		return kns;
	kns = kzalloc(sizeof(*kns), GFP_KERNEL_ACCOUNT);
	if (!kns)
		return NULL;
	kns->ipc_ns = get_ipc_ns(ipc_ns);
	kns->names = RB_ROOT;
	list_add(&kns->node, &kipc_namespaces);
	mod_delayed_work(system_wq, &kipc_gc_work, KIPC_GC_PERIOD);
	return kns;
}

static void kipc_ns_free_locked(struct kipc_ns *kns)
{
	lockdep_assert_held(&kipc_registry_lock);
	WARN_ON(kns->nr_channels || !RB_EMPTY_ROOT(&kns->names));
	list_del(&kns->node);
	kns->ipc_ns->ns.ops->put(&kns->ipc_ns->ns);
	kfree(kns);
}

static struct kipc_channel *kipc_name_find_locked(struct kipc_ns *kns, const char *name)
{
	struct rb_node *n = kns->names.rb_node;

	while (n) {
		struct kipc_channel *ch = rb_entry(n, struct kipc_channel, name_node);
		int cmp = strcmp(name, ch->name);

		if (!cmp)
			return ch;
		n = cmp < 0 ? n->rb_left : n->rb_right;
	}
	return NULL;
}

static void kipc_name_insert_locked(struct kipc_ns *kns, struct kipc_channel *ch)
{
	struct rb_node **link = &kns->names.rb_node, *parent = NULL;

	while (*link) {
		struct kipc_channel *other = rb_entry(*link, struct kipc_channel, name_node);

		parent = *link;
		link = strcmp(ch->name, other->name) < 0 ? &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&ch->name_node, parent, link);
	rb_insert_color(&ch->name_node, &kns->names);
	kns->nr_channels++;
	ch->kns = kns;
	ch->linked = true;
}

/* ---- Channels ------------------------------------------------------------------------------ */

static void kipc_channel_release(struct kref *ref)
{
	struct kipc_channel *ch = container_of(ref, struct kipc_channel, ref);

	kipc_mq_purge(ch);
	kipc_shm_release(ch);
	put_pid(ch->last_send_pid);
	put_pid(ch->last_recv_pid);
	kfree(ch);
}

void kipc_channel_put(struct kipc_channel *ch)
{
	kref_put(&ch->ref, kipc_channel_release);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_channel_put);

/* Remove the name (and the id); drop the name table's reference.  Frees an empty kipc_ns. */
static void kipc_unlink_locked(struct kipc_channel *ch)
{
	struct kipc_ns *kns = ch->kns;

	lockdep_assert_held(&kipc_registry_lock);
	if (!ch->linked)
		return;
	rb_erase(&ch->name_node, &kns->names);
	kns->nr_channels--;
	ch->linked = false;
	ch->kns = NULL;
	xa_erase(&kipc_ids, ch->id);
	if (!kns->nr_channels)
		kipc_ns_free_locked(kns);
	kipc_channel_put(ch);
}

static int kipc_create_check(const struct kipc_create *args)
{
	u64 rounded;
	int ret;

	if (args->flags & ~(KIPC_CREATE_EXCL | KIPC_CREATE_AUTODESTROY))
		return -EOPNOTSUPP;
	if (args->type != KIPC_TYPE_MQ && args->type != KIPC_TYPE_SHM)
		return -EOPNOTSUPP;
	if (args->overflow > KIPC_OVERFLOW_DROP)
		return -EOPNOTSUPP;
	if (args->mode & ~0777)
		return -EINVAL;
	if (args->access & ~(KIPC_ACCESS_READ | KIPC_ACCESS_WRITE))
		return -EINVAL;
	if ((args->flags & KIPC_CREATE_AUTODESTROY) && !args->access)
		return -EINVAL;
	if (args->id || args->created)
		return -EINVAL;
	ret = kipc_name_check(args->name);
	if (ret)
		return ret;
	if (args->type == KIPC_TYPE_SHM) {
		/* Queue attributes mean nothing here; a size of 0 opens an existing channel. */
		if (args->max_msgs || args->max_msg_size || args->overflow)
			return -EINVAL;
		return args->shm_size ? kipc_shm_size_check(args->shm_size, &rounded) : 0;
	}
	if (args->shm_size)
		return -EINVAL;
	if (args->max_msgs > kipc_param_get(&kipc_max_msgs) ||
	    args->max_msg_size > kipc_param_get(&kipc_max_msg_size))
		return -ERANGE;
	return 0;
}

static struct kipc_channel *kipc_channel_new(const struct kipc_create *args)
{
	const struct cred *cred = current_cred();
	struct kipc_channel *ch;

	ch = kzalloc(sizeof(*ch), GFP_KERNEL_ACCOUNT);
	if (!ch)
		return ERR_PTR(-ENOMEM);
	kref_init(&ch->ref);
	/* Not the caller's bytes after the NUL: STAT and LIST show the name to everyone. */
	strscpy_pad(ch->name, args->name, KIPC_NAME_MAX);
	ch->type = args->type;
	ch->uid = cred->euid;
	ch->cuid = cred->euid;
	ch->gid = cred->egid;
	ch->cgid = cred->egid;
	ch->mode = args->mode;
	ch->flags = args->flags & KIPC_CREATE_AUTODESTROY;
	ch->ctime_ns = ktime_get_real_ns();
	ch->max_msgs = args->max_msgs ?:
		min_t(u32, KIPC_DEFAULT_MSGS, kipc_param_get(&kipc_max_msgs));
	ch->max_msg_size = args->max_msg_size ?:
		min_t(u32, KIPC_DEFAULT_MSG_SIZE, kipc_param_get(&kipc_max_msg_size));
	ch->overflow = args->overflow;
	kipc_mq_init(ch);
	if (ch->type == KIPC_TYPE_SHM) {
		int ret;

		ch->max_msgs = 0;
		ch->max_msg_size = 0;
		ch->shm_size = PAGE_ALIGN(args->shm_size);
		ret = kipc_shm_setup(ch);
		if (ret) {
			kfree(ch);
			return ERR_PTR(ret);
		}
	}
	return ch;
}

/* SysV-style permission check of @access against the channel's mode. */
static int kipc_permission(struct kipc_channel *ch, u32 access)
{
	const struct cred *cred = current_cred();
	int requested = 0, granted = ch->mode;

	if (access & KIPC_ACCESS_READ)
		requested |= 4;
	if (access & KIPC_ACCESS_WRITE)
		requested |= 2;
	if (uid_eq(cred->euid, ch->uid) || uid_eq(cred->euid, ch->cuid))
		granted >>= 6;
	else if (in_group_p(ch->gid) || in_group_p(ch->cgid))
		granted >>= 3;
	if ((requested & ~granted & 7) &&
	    !ns_capable(kipc_current_ipc_ns()->user_ns, CAP_IPC_OWNER))
		return -EACCES;
	return 0;
}

static bool kipc_may_destroy(struct kipc_channel *ch)
{
	kuid_t euid = current_euid();

	return uid_eq(euid, ch->uid) || uid_eq(euid, ch->cuid) ||
	       ns_capable(kipc_current_ipc_ns()->user_ns, CAP_IPC_OWNER);
}

/* Attach @kf to @ch; caller holds kf->lock and has checked permissions. */
static int kipc_attach_locked(struct kipc_file *kf, struct kipc_channel *ch, u32 access)
{
	lockdep_assert_held(&kf->lock);
	spin_lock(&ch->lock);
	if (ch->dead) {
		spin_unlock(&ch->lock);
		return -EIDRM;
	}
	ch->attachments++;
	spin_unlock(&ch->lock);
	kref_get(&ch->ref);
	kf->access = access;
	/* A new attachment has seen every ring so far: poll reports only later ones. */
	if (ch->shm_file)
		kf->consumed = atomic64_read(&ch->doorbell);
	/* Publish ->ch after ->access: lockless readers use kipc_file_channel(). */
	smp_store_release(&kf->ch, ch);
	return 0;
}

int kipc_registry_create(struct kipc_file *kf, struct kipc_create *args)
{
	struct kipc_channel *ch, *fresh = NULL;
	struct kipc_ns *kns;
	int ret;

	ret = kipc_create_check(args);
	if (ret)
		return ret;
	kipc_registry_gc();

	mutex_lock(&kf->lock);
	if (args->access && kf->ch) {
		ret = -EBUSY;
		goto out_unlock_file;
	}
	/* An SHM channel of size 0 can only open an existing one: make nothing for it. */
	if (args->type != KIPC_TYPE_SHM || args->shm_size) {
		fresh = kipc_channel_new(args);
		if (IS_ERR(fresh)) {
			ret = PTR_ERR(fresh);
			fresh = NULL;
			goto out_unlock_file;
		}
	}

	mutex_lock(&kipc_registry_lock);
	kns = kipc_ns_get_locked(kipc_current_ipc_ns());
	if (!kns) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	ch = kipc_name_find_locked(kns, args->name);
	if (ch) {
		if ((args->flags & KIPC_CREATE_EXCL) || ch->type != args->type ||
		    (args->max_msgs && args->max_msgs != ch->max_msgs) ||
		    (args->max_msg_size && args->max_msg_size != ch->max_msg_size) ||
		    (args->overflow && args->overflow != ch->overflow) ||
		    (args->shm_size && PAGE_ALIGN(args->shm_size) != ch->shm_size)) {
			ret = -EEXIST;
			goto out_unlock;
		}
		ret = args->access ? kipc_permission(ch, args->access) : 0;
		if (ret)
			goto out_unlock;
		args->created = 0;
	} else {
		if (!fresh) {
			/* SHM with size 0 and no such channel. */
			ret = -ENOENT;
			goto out_unlock;
		}
		if (kns->nr_channels >= kipc_param_get(&kipc_max_channels)) {
			ret = -ENOSPC;
			goto out_unlock;
		}
		ret = xa_alloc_cyclic(&kipc_ids, &fresh->id, fresh, xa_limit_31b,
				      &kipc_next_id, GFP_KERNEL);
		if (ret < 0)
			goto out_unlock;
		ch = fresh;
		fresh = NULL;
		kipc_name_insert_locked(kns, ch);
		args->created = 1;
	}
	args->id = ch->id;
	ret = args->access ? kipc_attach_locked(kf, ch, args->access) : 0;
	if (ret && args->created)
		kipc_unlink_locked(ch);
	kns = NULL;
out_unlock:
	if (kns && !kns->nr_channels)
		kipc_ns_free_locked(kns);
	mutex_unlock(&kipc_registry_lock);
	if (fresh)
		kipc_channel_put(fresh);
out_unlock_file:
	mutex_unlock(&kf->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_registry_create);

int kipc_registry_attach(struct kipc_file *kf, struct kipc_attach *args)
{
	struct kipc_channel *ch;
	struct kipc_ns *kns;
	int ret;

	if (args->flags)
		return -EOPNOTSUPP;
	if (!args->access || args->access & ~(KIPC_ACCESS_READ | KIPC_ACCESS_WRITE))
		return -EINVAL;
	if (args->id)
		return -EINVAL;
	ret = kipc_name_check(args->name);
	if (ret)
		return ret;

	mutex_lock(&kf->lock);
	if (kf->ch) {
		ret = -EBUSY;
		goto out_unlock_file;
	}
	mutex_lock(&kipc_registry_lock);
	kns = kipc_ns_find_locked(kipc_current_ipc_ns());
	ch = kns ? kipc_name_find_locked(kns, args->name) : NULL;
	if (!ch) {
		ret = -ENOENT;
		goto out_unlock;
	}
	ret = kipc_permission(ch, args->access);
	if (!ret)
		ret = kipc_attach_locked(kf, ch, args->access);
	if (!ret)
		args->id = ch->id;
out_unlock:
	mutex_unlock(&kipc_registry_lock);
out_unlock_file:
	mutex_unlock(&kf->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_registry_attach);

int kipc_registry_destroy(const char name[KIPC_NAME_MAX], u32 flags)
{
	struct kipc_channel *ch;
	struct kipc_ns *kns;
	int ret;

	if (flags & ~KIPC_DESTROY_NOW)
		return -EOPNOTSUPP;
	ret = kipc_name_check(name);
	if (ret)
		return ret;

	mutex_lock(&kipc_registry_lock);
	kns = kipc_ns_find_locked(kipc_current_ipc_ns());
	ch = kns ? kipc_name_find_locked(kns, name) : NULL;
	if (!ch) {
		ret = -ENOENT;
		goto out_unlock;
	}
	if (!kipc_may_destroy(ch)) {
		ret = -EPERM;
		goto out_unlock;
	}
	kref_get(&ch->ref);
	kipc_unlink_locked(ch);
	mutex_unlock(&kipc_registry_lock);
	if (flags & KIPC_DESTROY_NOW)
		kipc_mq_kill(ch);
	kipc_channel_put(ch);
	return 0;

out_unlock:
	mutex_unlock(&kipc_registry_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_registry_destroy);

/* Find a channel by name in the caller's namespace; returns a reference, or NULL. */
struct kipc_channel *kipc_channel_lookup(const char name[KIPC_NAME_MAX])
{
	struct kipc_channel *ch = NULL;
	struct kipc_ns *kns;

	mutex_lock(&kipc_registry_lock);
	kns = kipc_ns_find_locked(kipc_current_ipc_ns());
	if (kns)
		ch = kipc_name_find_locked(kns, name);
	if (ch)
		kref_get(&ch->ref);
	mutex_unlock(&kipc_registry_lock);
	return ch;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_channel_lookup);

static u32 kipc_pid_nr(struct pid *pid)
{
	return pid ? pid_vnr(pid) : 0;
}

int kipc_registry_stat(struct kipc_file *kf, struct kipc_stat *st)
{
	struct user_namespace *uns = current_user_ns();
	struct kipc_channel *ch;
	bool linked;
	int ret;

	if (st->flags & ~KIPC_STAT_SELF)
		return -EOPNOTSUPP;
	if (st->flags & KIPC_STAT_SELF) {
		ch = kipc_file_channel(kf);
		if (!ch)
			return -ENOTCONN;
		if (READ_ONCE(ch->dead))
			return -EIDRM;
		kref_get(&ch->ref);
	} else {
		ret = kipc_name_check(st->name);
		if (ret)
			return ret;
		ch = kipc_channel_lookup(st->name);
		if (!ch)
			return -ENOENT;
	}

	mutex_lock(&kipc_registry_lock);
	linked = ch->linked;
	mutex_unlock(&kipc_registry_lock);

	memcpy(st->name, ch->name, KIPC_NAME_MAX);
	st->type = ch->type;
	st->id = ch->id;
	st->uid = from_kuid_munged(uns, ch->uid);
	st->gid = from_kgid_munged(uns, ch->gid);
	st->cuid = from_kuid_munged(uns, ch->cuid);
	st->cgid = from_kgid_munged(uns, ch->cgid);
	st->mode = ch->mode;
	st->max_msgs = ch->max_msgs;
	st->max_msg_size = ch->max_msg_size;
	st->overflow = ch->overflow;
	st->ctime_ns = ch->ctime_ns;
	st->__reserved = 0;

	spin_lock(&ch->lock);
	st->state = (linked ? 0 : KIPC_STATE_DESTROYED) |
		    (ch->dead ? KIPC_STATE_DEAD | KIPC_STATE_DESTROYED : 0) |
		    ((ch->flags & KIPC_CREATE_AUTODESTROY) ? KIPC_STATE_AUTODESTROY : 0);
	st->attachments = ch->attachments;
	st->depth = ch->depth;
	st->bytes = ch->bytes;
	st->sent = ch->sent;
	st->received = ch->received;
	st->dropped = ch->dropped;
	st->last_send_pid = kipc_pid_nr(ch->last_send_pid);
	st->last_recv_pid = kipc_pid_nr(ch->last_recv_pid);
	st->send_time_ns = ch->send_time_ns;
	st->recv_time_ns = ch->recv_time_ns;
	st->notifies = ch->notifies;
	st->waits = ch->waits;
	spin_unlock(&ch->lock);
	st->shm_size = ch->shm_size;
	st->mappings = ch->shm_file ? atomic_read(&ch->mappings) : 0;
	st->doorbell = ch->shm_file ? atomic64_read(&ch->doorbell) : 0;
	st->__reserved2 = 0;

	kipc_channel_put(ch);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_registry_stat);

int kipc_registry_list(struct kipc_list *args)
{
	struct user_namespace *uns = current_user_ns();
	struct kipc_list_entry *entries = NULL;
	struct kipc_channel *ch;
	struct kipc_ns *kns;
	size_t esize;
	unsigned long id;
	u32 n = 0, room;
	int ret = 0;

	if (args->flags)
		return -EOPNOTSUPP;
	if (args->__reserved)
		return -EINVAL;
	if (args->count && args->entry_size < offsetofend(struct kipc_list_entry, id))
		return -EINVAL;
	if (args->entry_size > PAGE_SIZE)
		return -EINVAL;
	kipc_registry_gc();

	mutex_lock(&kipc_registry_lock);
	kns = kipc_ns_find_locked(kipc_current_ipc_ns());
	args->total = kns ? kns->nr_channels : 0;
	room = min(args->count, args->total);
	if (room) {
		/* Gather under the lock, copy out after it: no user fault under the registry. */
		entries = kvcalloc(room, sizeof(*entries), GFP_KERNEL_ACCOUNT);
		if (!entries) {
			mutex_unlock(&kipc_registry_lock);
			return -ENOMEM;
		}
		xa_for_each(&kipc_ids, id, ch) {
			struct kipc_list_entry *e;

			if (ch->kns != kns)
				continue;
			if (n == room)
				break;
			e = &entries[n++];
			memcpy(e->name, ch->name, KIPC_NAME_MAX);
			e->type = ch->type;
			e->id = ch->id;
			e->uid = from_kuid_munged(uns, ch->uid);
			e->gid = from_kgid_munged(uns, ch->gid);
			e->mode = ch->mode;
			e->shm_size = ch->shm_size;
			spin_lock(&ch->lock);
			e->attachments = ch->attachments;
			e->depth = ch->depth;
			spin_unlock(&ch->lock);
		}
	}
	mutex_unlock(&kipc_registry_lock);

	esize = min_t(size_t, args->entry_size, sizeof(*entries));
	for (id = 0; id < n; id++) {
		void __user *dst = u64_to_user_ptr(args->entries) + id * args->entry_size;

		if (copy_to_user(dst, &entries[id], esize) ||
		    (args->entry_size > esize &&
		     clear_user(dst + esize, args->entry_size - esize))) {
			ret = -EFAULT;
			break;
		}
	}
	args->count = n;
	kvfree(entries);
	return ret;
}

/* The fd closes: drop its attachment; an auto-destroy channel goes with its last one. */
void kipc_registry_detach(struct kipc_file *kf)
{
	struct kipc_channel *ch = kf->ch;
	bool last;

	if (!ch)
		return;
	if (ch->flags & KIPC_CREATE_AUTODESTROY) {
		/* Attaches count up under the registry lock, so "last" cannot race with one. */
		mutex_lock(&kipc_registry_lock);
		spin_lock(&ch->lock);
		last = !--ch->attachments;
		spin_unlock(&ch->lock);
		if (last)
			kipc_unlink_locked(ch);
		mutex_unlock(&kipc_registry_lock);
	} else {
		spin_lock(&ch->lock);
		ch->attachments--;
		spin_unlock(&ch->lock);
	}
	kf->ch = NULL;
	kipc_channel_put(ch);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_registry_detach);

static void kipc_ns_drain_locked(struct kipc_ns *kns)
{
	unsigned int left = kns->nr_channels;

	/* Unlinking the last channel frees kns: count, never look at kns after that. */
	while (left--)
		kipc_unlink_locked(rb_entry(rb_first(&kns->names), struct kipc_channel, name_node));
}

/* Free the channels of namespaces that nobody but kipc can reach any more. */
void kipc_registry_gc(void)
{
	struct kipc_ns *kns, *tmp;

	mutex_lock(&kipc_registry_lock);
	list_for_each_entry_safe(kns, tmp, &kipc_namespaces, node)
		if (refcount_read(&kns->ipc_ns->ns.count) == 1)
			kipc_ns_drain_locked(kns);
	mutex_unlock(&kipc_registry_lock);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_registry_gc);

static void kipc_gc_work_fn(struct work_struct *work)
{
	bool again;

	kipc_registry_gc();
	mutex_lock(&kipc_registry_lock);
	again = !list_empty(&kipc_namespaces);
	mutex_unlock(&kipc_registry_lock);
	if (again)
		schedule_delayed_work(&kipc_gc_work, KIPC_GC_PERIOD);
}

void kipc_registry_counts(unsigned int *namespaces, unsigned int *channels)
{
	struct kipc_ns *kns;

	*namespaces = 0;
	*channels = 0;
	mutex_lock(&kipc_registry_lock);
	list_for_each_entry(kns, &kipc_namespaces, node) {
		(*namespaces)++;
		*channels += kns->nr_channels;
	}
	mutex_unlock(&kipc_registry_lock);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_registry_counts);

/* Module exit: no fd is open, so every channel left has only its name's reference. */
void kipc_registry_exit(void)
{
	struct kipc_ns *kns, *tmp;

	cancel_delayed_work_sync(&kipc_gc_work);
	mutex_lock(&kipc_registry_lock);
	list_for_each_entry_safe(kns, tmp, &kipc_namespaces, node)
		kipc_ns_drain_locked(kns);
	mutex_unlock(&kipc_registry_lock);
	WARN_ON(!xa_empty(&kipc_ids));
	WARN_ON(!hash_empty(kipc_users));
}
