// SPDX-License-Identifier: GPL-2.0
/*
 * kipc channel registry: the name table of each IPC namespace, ids, permissions, create,
 * attach, destroy, stat and list, and a channel's lifetime and limits.  The namespaces
 * themselves and their collector are in ns.c, the per-user budgets in user.c.
 *
 * Limits.  A channel counts against its namespace's max_channels and its creator's
 * max_user_channels and max_user_shm_bytes from creation until it is freed, not until its
 * name goes: a destroyed channel that an fd or a mapping still holds keeps its memory, so it
 * keeps its place.  (Each mapping holds a reference through its own file, see shm.c.)
 *
 * Locking: see kipc_internal.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/ipc_namespace.h>
#include <linux/mm.h>
#include <linux/nsproxy.h>
#include <linux/pid.h>
#include <linux/proc_ns.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <kunit/visibility.h>

#include "kipc_internal.h"

/* The name tables and the namespace table (ns.c): see the lock order in kipc_internal.h. */
DEFINE_MUTEX(kipc_registry_lock);
static DEFINE_XARRAY_ALLOC1(kipc_ids);
static u32 kipc_next_id;
/* Channels alive in every namespace, those of namespaces already let go included. */
static unsigned int kipc_nr_alive;

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

/* ---- Channels ------------------------------------------------------------------------------ */

/* Everything a channel holds goes, and with it its place in every limit. */
static void kipc_channel_free(struct kipc_channel *ch)
{
	kipc_notify_drop(ch);
	kipc_mq_purge(ch);
	kipc_shm_release(ch);
	if (ch->kns) {
		kipc_user_uncharge_channel(ch->owner, ch->shm_size);
		if (ch->rlimit_bytes)
			kipc_user_uncharge_rlimit(ch->owner, ch->rlimit_bytes);
		mutex_lock(&kipc_registry_lock);
		ch->kns->nr_channels--;
		kipc_nr_alive--;
		kipc_ns_put_locked(ch->kns);
		mutex_unlock(&kipc_registry_lock);
	}
	if (ch->owner)
		kipc_user_put(ch->owner);
	put_pid(ch->last_send_pid);
	put_pid(ch->last_recv_pid);
	kfree(ch);
}

/* The last reference: no name, no attachment, no mapping. */
static void kipc_channel_release(struct kref *ref)
{
	kipc_channel_free(container_of(ref, struct kipc_channel, ref));
}

/* May sleep: the last put takes kipc_registry_lock, which must not be held here. */
void kipc_channel_put(struct kipc_channel *ch)
{
	kref_put(&ch->ref, kipc_channel_release);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_channel_put);

/*
 * Count @ch in @kns and charge it to its owner, give it an id and a name.
 * Return: 0, or the limit's errno with nothing changed.
 */
static int kipc_channel_insert_locked(struct kipc_ns *kns, struct kipc_channel *ch)
{
	struct rb_node **link, *parent = NULL;
	int ret;

	lockdep_assert_held(&kipc_registry_lock);
	if (kns->nr_channels >= kipc_param_get(&kipc_max_channels))
		return -ENOSPC;
	ret = kipc_user_charge_channel(ch->owner, ch->shm_size);
	if (ret)
		return ret;
	if (ch->rlimit_bytes) {
		ret = kipc_user_charge_rlimit(ch->owner, ch->rlimit_bytes,
					      rlimit(RLIMIT_MSGQUEUE));
		if (ret)
			goto out_uncharge_channel;
	}
	ret = xa_alloc_cyclic(&kipc_ids, &ch->id, ch, xa_limit_31b, &kipc_next_id, GFP_KERNEL);
	if (ret < 0)
		goto out_uncharge;

	link = &kns->ids.rb_node;
	while (*link) {
		struct kipc_channel *other = rb_entry(*link, struct kipc_channel, id_node);

		parent = *link;
		link = ch->id < other->id ? &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&ch->id_node, parent, link);
	rb_insert_color(&ch->id_node, &kns->ids);

	link = &kns->names.rb_node;
	parent = NULL;
	while (*link) {
		struct kipc_channel *other = rb_entry(*link, struct kipc_channel, name_node);

		parent = *link;
		link = strcmp(ch->name, other->name) < 0 ? &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&ch->name_node, parent, link);
	rb_insert_color(&ch->name_node, &kns->names);
	kns->nr_named++;
	kns->nr_channels++;
	kipc_nr_alive++;
	ch->kns = kns;
	ch->linked = true;
	return 0;

out_uncharge:
	if (ch->rlimit_bytes)
		kipc_user_uncharge_rlimit(ch->owner, ch->rlimit_bytes);
out_uncharge_channel:
	kipc_user_uncharge_channel(ch->owner, ch->shm_size);
	return ret;
}

/*
 * Remove the name (and the id).  The name's reference is the caller's to put, after it has
 * dropped kipc_registry_lock.
 */
static void kipc_unlink_locked(struct kipc_channel *ch)
{
	struct kipc_ns *kns = ch->kns;

	lockdep_assert_held(&kipc_registry_lock);
	if (WARN_ON(!ch->linked))
		return;
	rb_erase(&ch->name_node, &kns->names);
	kns->nr_named--;
	ch->linked = false;
	rb_erase(&ch->id_node, &kns->ids);
	xa_erase(&kipc_ids, ch->id);
}

/* Unlink every name of @kns onto @names (by unlink_node), to be put after unlocking. */
void kipc_ns_unlink_all_locked(struct kipc_ns *kns, struct list_head *names)
{
	struct kipc_channel *ch;

	while (!RB_EMPTY_ROOT(&kns->names)) {
		ch = rb_entry(rb_first(&kns->names), struct kipc_channel, name_node);
		kipc_unlink_locked(ch);
		list_add_tail(&ch->unlink_node, names);
	}
}

/* Put the names' references that kipc_ns_unlink_all_locked() collected. */
void kipc_put_names(struct list_head *names)
{
	struct kipc_channel *ch, *tmp;

	list_for_each_entry_safe(ch, tmp, names, unlink_node) {
		list_del_init(&ch->unlink_node);
		kipc_channel_put(ch);
	}
}

static int kipc_create_check(const struct kipc_create *args)
{
	u64 rounded;
	int ret;

	if (args->flags & ~(KIPC_CREATE_EXCL | KIPC_CREATE_AUTODESTROY | KIPC_CREATE_RLIMIT))
		return -EOPNOTSUPP;
	if (args->type != KIPC_TYPE_MQ && args->type != KIPC_TYPE_SHM)
		return -EOPNOTSUPP;
	if (args->overflow > KIPC_OVERFLOW_DROP)
		return -EOPNOTSUPP;
	if (args->access & ~(KIPC_ACCESS_READ | KIPC_ACCESS_WRITE))
		return -EOPNOTSUPP;
	if (args->mode & ~0777)
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
		if (args->max_msgs || args->max_msg_size || args->overflow ||
		    (args->flags & KIPC_CREATE_RLIMIT))
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

/* A new channel, not yet counted anywhere; takes over the reference on @owner. */
static struct kipc_channel *kipc_channel_new(const struct kipc_create *args,
					     struct kipc_user *owner)
{
	const struct cred *cred = current_cred();
	struct kipc_channel *ch;

	ch = kzalloc(sizeof(*ch), GFP_KERNEL_ACCOUNT);
	if (!ch) {
		kipc_user_put(owner);
		return ERR_PTR(-ENOMEM);
	}
	kref_init(&ch->ref);
	INIT_LIST_HEAD(&ch->unlink_node);
	ch->owner = owner;
	/* Not the caller's bytes after the NUL: STAT and LIST show the name to everyone. */
	strscpy_pad(ch->name, args->name, KIPC_NAME_MAX);
	ch->type = args->type;
	ch->uid = cred->euid;
	ch->cuid = cred->euid;
	ch->gid = cred->egid;
	ch->cgid = cred->egid;
	ch->mode = args->mode;
	ch->flags = args->flags & KIPC_CREATE_AUTODESTROY;
	/* The clock of the send and receive times. */
	ch->ctime_ns = ktime_get_coarse_real_ns();
	ch->max_msgs = args->max_msgs ?:
		min_t(u32, KIPC_DEFAULT_MSGS, kipc_param_get(&kipc_max_msgs));
	ch->max_msg_size = args->max_msg_size ?:
		min_t(u32, KIPC_DEFAULT_MSG_SIZE, kipc_param_get(&kipc_max_msg_size));
	ch->overflow = args->overflow;
	/* The whole capacity, at what a queued message really costs (mq_open's reservation). */
	if (args->flags & KIPC_CREATE_RLIMIT)
		ch->rlimit_bytes = (u64)ch->max_msgs *
				   (ch->max_msg_size + sizeof(struct kipc_msg_buf));
	kipc_mq_init(ch);
	if (ch->type == KIPC_TYPE_SHM) {
		int ret;

		ch->max_msgs = 0;
		ch->max_msg_size = 0;
		ch->shm_size = PAGE_ALIGN(args->shm_size);
		ret = kipc_shm_setup(ch);
		if (ret) {
			kipc_user_put(owner);
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
	kipc_poll_attached(kf, ch);
	return 0;
}

/* The budget a new channel is charged to: the caller's euid's (a reference). */
static struct kipc_user *kipc_current_user(struct kipc_file *kf)
{
	kuid_t euid = current_euid();

	if (uid_eq(euid, kf->user->uid)) {
		refcount_inc(&kf->user->ref);
		return kf->user;
	}
	return kipc_user_get(euid);
}

/* KIPC_IOC_CREATE; @arg is the kernel's copy of the caller's struct kipc_create. */
int kipc_registry_create(struct kipc_file *kf, void *arg)
{
	struct kipc_create *args = arg;
	struct kipc_channel *ch = NULL, *fresh = NULL;
	struct kipc_user *owner;
	struct kipc_ns *kns;
	bool put_name = false;
	int ret;

	ret = kipc_create_check(args);
	if (ret)
		return ret;
	mutex_lock(&kf->lock);
	if (args->access && kf->ch) {
		ret = -EBUSY;
		goto out_unlock_file;
	}
	/* An SHM channel of size 0 can only open an existing one: make nothing for it. */
	if (args->type != KIPC_TYPE_SHM || args->shm_size) {
		owner = kipc_current_user(kf);
		if (!owner) {
			ret = -ENOMEM;
			goto out_unlock_file;
		}
		fresh = kipc_channel_new(args, owner);
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
		    (args->shm_size && PAGE_ALIGN(args->shm_size) != ch->shm_size) ||
		    ((args->flags & KIPC_CREATE_AUTODESTROY) &&
		     !(ch->flags & KIPC_CREATE_AUTODESTROY))) {
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
		ret = kipc_channel_insert_locked(kns, fresh);
		if (ret)
			goto out_unlock;
		ch = fresh;
		fresh = NULL;
		args->created = 1;
	}
	args->id = ch->id;
	ret = args->access ? kipc_attach_locked(kf, ch, args->access) : 0;
	if (ret && args->created) {
		kipc_unlink_locked(ch);
		put_name = true;
	}
out_unlock:
	if (kns)
		kipc_ns_put_locked(kns);
	mutex_unlock(&kipc_registry_lock);
	if (put_name)
		kipc_channel_put(ch);
	if (fresh)
		kipc_channel_put(fresh);
out_unlock_file:
	mutex_unlock(&kf->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_registry_create);

/* KIPC_IOC_ATTACH; @arg is a struct kipc_attach. */
int kipc_registry_attach(struct kipc_file *kf, void *arg)
{
	struct kipc_attach *args = arg;
	struct kipc_channel *ch;
	struct kipc_ns *kns;
	int ret;

	if (args->flags)
		return -EOPNOTSUPP;
	if (args->access & ~(KIPC_ACCESS_READ | KIPC_ACCESS_WRITE))
		return -EOPNOTSUPP;
	if (!args->access)
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
	/* The name's reference becomes ours. */
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

/* KIPC_IOC_STAT; @arg is a struct kipc_stat. */
int kipc_registry_stat(struct kipc_file *kf, void *arg)
{
	struct user_namespace *uns = current_user_ns();
	struct kipc_stat *st = arg;
	struct kipc_channel *ch;
	bool linked;
	int ret;

	if (st->flags & ~KIPC_STAT_SELF)
		return -EOPNOTSUPP;
	if (st->flags & KIPC_STAT_SELF) {
		/* A dead channel too: this is where KIPC_STATE_DEAD can be seen. */
		ch = kipc_file_channel(kf);
		if (!ch)
			return -ENOTCONN;
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
	st->access = (st->flags & KIPC_STAT_SELF) ? kf->access : 0;

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
	st->mappings = kipc_shm_mappings(ch);
	st->doorbell = ch->shm_file ? atomic64_read(&ch->doorbell) : 0;
	st->__reserved2 = 0;

	kipc_channel_put(ch);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_registry_stat);

/* KIPC_IOC_LIST; @arg is a struct kipc_list.  Any fd may list: @kf is not looked at. */
int kipc_registry_list(struct kipc_file *kf, void *arg)
{
	struct user_namespace *uns = current_user_ns();
	struct kipc_list *args = arg;
	struct kipc_list_entry *entries = NULL;
	struct kipc_channel *ch;
	struct rb_node *node;
	struct kipc_ns *kns;
	size_t esize;
	unsigned long id;
	u32 n = 0, room;
	int ret = 0;

	if (args->flags)
		return -EOPNOTSUPP;
	if (args->__reserved)
		return -EINVAL;
	if (args->count && args->entry_size < KIPC_LIST_ENTRY_SIZE_VER0)
		return -EINVAL;
	if (args->entry_size > PAGE_SIZE)
		return -EINVAL;

	mutex_lock(&kipc_registry_lock);
	kns = kipc_ns_find_locked(kipc_current_ipc_ns());
	args->total = kns ? kns->nr_named : 0;
	room = min(args->count, args->total);
	if (room) {
		/* Gather under the lock, copy out after it: no user fault under the registry. */
		entries = kvcalloc(room, sizeof(*entries), GFP_KERNEL_ACCOUNT);
		if (!entries) {
			mutex_unlock(&kipc_registry_lock);
			return -ENOMEM;
		}
		for (node = rb_first(&kns->ids); node && n < room; node = rb_next(node)) {
			struct kipc_list_entry *e;

			ch = rb_entry(node, struct kipc_channel, id_node);
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
	kipc_poll_detach(kf, ch);
	if (ch->flags & KIPC_CREATE_AUTODESTROY) {
		/* Attaches count up under the registry lock, so "last" cannot race with one. */
		mutex_lock(&kipc_registry_lock);
		spin_lock(&ch->lock);
		last = !--ch->attachments && ch->linked;
		spin_unlock(&ch->lock);
		if (last)
			kipc_unlink_locked(ch);
		mutex_unlock(&kipc_registry_lock);
		if (last)
			kipc_channel_put(ch);
	} else {
		spin_lock(&ch->lock);
		ch->attachments--;
		spin_unlock(&ch->lock);
	}
	kf->ch = NULL;
	kipc_channel_put(ch);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_registry_detach);

/* Totals over every namespace: named channels, and channels alive (named or not). */
void kipc_registry_counts(unsigned int *namespaces, unsigned int *named, unsigned int *alive)
{
	mutex_lock(&kipc_registry_lock);
	kipc_ns_count_locked(namespaces, named);
	*alive = kipc_nr_alive;
	mutex_unlock(&kipc_registry_lock);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_registry_counts);

/*
 * Module exit: no fd and no mapping is left (each pins the module), so every channel left has
 * only its name's reference.
 */
void kipc_registry_exit(void)
{
	LIST_HEAD(names);

	kipc_ns_exit(&names);
	kipc_put_names(&names);
	WARN_ON(!kipc_ns_all_gone());
	WARN_ON(kipc_nr_alive);
	WARN_ON(!xa_empty(&kipc_ids));
	WARN_ON(!kipc_users_all_gone());
}
