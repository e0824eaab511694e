// SPDX-License-Identifier: GPL-2.0
/*
 * kipc's per-user budgets: one kipc_user per kernel uid that has queued messages or created
 * channels, holding what it uses of max_user_bytes (bytes of messages it sent that are still
 * queued), max_user_channels and max_user_shm_bytes (channels it created and their shared
 * pages, from creation until free), and the capacity of the queues it created with
 * KIPC_CREATE_RLIMIT, against the creating task's RLIMIT_MSGQUEUE.  Root is not exempt.
 * The table is a hash under kipc_users_lock, a leaf lock; the counts are atomics, charged
 * and uncharged without it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>
#include <kunit/visibility.h>

#include "kipc_internal.h"

static DEFINE_SPINLOCK(kipc_users_lock);
static DEFINE_HASHTABLE(kipc_users, 6);

static struct kipc_user *kipc_user_find_locked(kuid_t uid)
{
	struct kipc_user *user;

	lockdep_assert_held(&kipc_users_lock);
	hash_for_each_possible(kipc_users, user, node, __kuid_val(uid))
		if (uid_eq(user->uid, uid))
			return user;
	return NULL;
}

/* A reference to @uid's kipc_user, or NULL when it has none (nothing is allocated). */
struct kipc_user *kipc_user_find(kuid_t uid)
{
	struct kipc_user *user;

	spin_lock(&kipc_users_lock);
	user = kipc_user_find_locked(uid);
	if (user)
		refcount_inc(&user->ref);
	spin_unlock(&kipc_users_lock);
	return user;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_user_find);

/* A reference to @uid's kipc_user, made on first use; NULL when out of memory. */
struct kipc_user *kipc_user_get(kuid_t uid)
{
	struct kipc_user *user, *fresh;

	user = kipc_user_find(uid);
	if (user)
		return user;
	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL_ACCOUNT);
	if (!fresh)
		return NULL;
	fresh->uid = uid;
	refcount_set(&fresh->ref, 1);
	spin_lock(&kipc_users_lock);
	user = kipc_user_find_locked(uid);
	if (user) {
		refcount_inc(&user->ref);
	} else {
		hash_add(kipc_users, &fresh->node, __kuid_val(uid));
		user = fresh;
		fresh = NULL;
	}
	spin_unlock(&kipc_users_lock);
	kfree(fresh);
	return user;
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
	WARN_ON(atomic64_read(&user->bytes) || atomic64_read(&user->shm_bytes) ||
		atomic_read(&user->channels) || atomic64_read(&user->mq_bytes));
	kfree(user);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_user_put);

/* Drop @n references to @user at once, as a batch's messages go. */
void kipc_user_put_many(struct kipc_user *user, unsigned int n)
{
	/* The caller holds @n: the first n - 1 never drop the last one. */
	WARN_ON(n > 1 && refcount_sub_and_test(n - 1, &user->ref));
	kipc_user_put(user);
}

/*
 * Return: 0, or -EDQUOT when @bytes more would pass max_user_bytes.  The count never goes past
 * the limit, even for a moment: a batch's charge that fails must not fail another sender's
 * that fits.
 */
int kipc_user_charge(struct kipc_user *user, u64 bytes)
{
	u64 limit = kipc_param_get(&kipc_max_user_bytes);
	s64 used = atomic64_read(&user->bytes);

	do {
		if (bytes > limit || used > (s64)(limit - bytes))
			return -EDQUOT;
	} while (!atomic64_try_cmpxchg(&user->bytes, &used, used + bytes));
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_user_charge);

void kipc_user_uncharge(struct kipc_user *user, u64 bytes)
{
	WARN_ON(atomic64_sub_return(bytes, &user->bytes) < 0);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_user_uncharge);

/*
 * Charge a new channel (and its @shm_bytes) to its creator.
 * Return: 0; -EMFILE past max_user_channels; -ENOBUFS past max_user_shm_bytes.
 */
int kipc_user_charge_channel(struct kipc_user *user, u64 shm_bytes)
{
	if (atomic_inc_return(&user->channels) > kipc_param_get(&kipc_max_user_channels)) {
		atomic_dec(&user->channels);
		return -EMFILE;
	}
	if (atomic64_add_return(shm_bytes, &user->shm_bytes) >
	    kipc_param_get(&kipc_max_user_shm_bytes)) {
		atomic64_sub(shm_bytes, &user->shm_bytes);
		atomic_dec(&user->channels);
		return -ENOBUFS;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_user_charge_channel);

void kipc_user_uncharge_channel(struct kipc_user *user, u64 shm_bytes)
{
	WARN_ON(atomic64_sub_return(shm_bytes, &user->shm_bytes) < 0);
	WARN_ON(atomic_dec_return(&user->channels) < 0);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_user_uncharge_channel);

/*
 * Reserve a KIPC_CREATE_RLIMIT queue's capacity, as mq_open(3) charges RLIMIT_MSGQUEUE.
 * Return: 0, or -EDQUOT when the queues so charged would hold more than @limit bytes.
 */
int kipc_user_charge_rlimit(struct kipc_user *user, u64 bytes, u64 limit)
{
	u64 total = atomic64_add_return(bytes, &user->mq_bytes);

	/* A sum that wrapped is over any limit too. */
	if (total > limit || total < bytes) {
		atomic64_sub(bytes, &user->mq_bytes);
		return -EDQUOT;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_user_charge_rlimit);

void kipc_user_uncharge_rlimit(struct kipc_user *user, u64 bytes)
{
	WARN_ON(atomic64_sub_return(bytes, &user->mq_bytes) < 0);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_user_uncharge_rlimit);

/* Module exit: every kipc_user was put with the last message or channel it was charged for. */
bool kipc_users_all_gone(void)
{
	bool empty;

	spin_lock(&kipc_users_lock);
	empty = hash_empty(kipc_users);
	spin_unlock(&kipc_users_lock);
	return empty;
}
