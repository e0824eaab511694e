// SPDX-License-Identifier: GPL-2.0
/*
 * kipc's IPC namespaces: one kipc_ns per namespace that has channels alive, found in O(1),
 * and the collector that lets go of the namespaces nobody but kipc can reach.  The names in
 * each are registry.c's; both work under kipc_registry_lock.
 *
 * A module cannot hook the death of an IPC namespace, and must not keep a bare
 * pointer to one (a new namespace could reuse the address).  So each kipc_ns holds a counted
 * reference, taken with get_ipc_ns() and dropped with put_ipc_ns() (on 6.1, which does not
 * export it, through the namespace's own ns.ops->put: compat.h).  The table of kipc_ns is an
 * xarray indexed by the namespace's inode number, unique while that reference is held, so a
 * lookup costs the same with one namespace or thousands.  A namespace that nothing but kipc
 * can reach can never be entered again, so the collector removes its names and lets it go
 * once its last channel is freed.  What "nothing but kipc" means depends on the kernel, and
 * kipc_ipc_ns_active() (compat.h) asks it:
 *  6.1 .. 6.12  every way in (a task's nsproxy, an nsfs file or bind mount) holds a counted
 *               reference, so a count of 1 is kipc's alone.  The initial namespace is counted
 *               like any other, and its first reference (init_nsproxy's) is never dropped.
 *  7.x          the initial namespaces are not counted any more (their count stays at 1
 *               whatever get_ipc_ns() does), so a count of 1 says nothing and would have the
 *               collector empty the host's namespace every period.  7.x counts active users
 *               apart (tasks through their nsproxy, nsfs files, bind mounts; the initial
 *               namespaces are always active), and an inactive IPC namespace has no way back
 *               in: every way to an nsfs file of it starts from a task that uses it or from a
 *               file handle, which is refused for an inactive one.  So the rule is "not
 *               active".  kipc's own reference keeps its memory and inode number, not activity.
 * The collector is a delayed work that runs while anything is left to collect, never in a
 * caller's path.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ipc_namespace.h>
#include <linux/nsproxy.h>
#include <linux/proc_ns.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <kunit/visibility.h>

#include "kipc_internal.h"

static DEFINE_XARRAY(kipc_ns_table);

#define KIPC_GC_PERIOD	(HZ / 2)
static void kipc_gc_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(kipc_gc_work, kipc_gc_work_fn);

static void kipc_gc_kick(void)
{
	if (!delayed_work_pending(&kipc_gc_work))
		schedule_delayed_work(&kipc_gc_work, KIPC_GC_PERIOD);
}

/* ---- Namespaces ---------------------------------------------------------------------------- */

struct ipc_namespace *kipc_current_ipc_ns(void)
{
	return current->nsproxy->ipc_ns;
}

struct kipc_ns *kipc_ns_find_locked(struct ipc_namespace *ipc_ns)
{
	struct kipc_ns *kns;

	lockdep_assert_held(&kipc_registry_lock);
	kns = xa_load(&kipc_ns_table, ipc_ns->ns.inum);
	/* The inode number is unique while kns holds its namespace. */
	if (WARN_ON_ONCE(kns && kns->ipc_ns != ipc_ns))
		return NULL;
	return kns;
}

struct kipc_ns *kipc_ns_get_locked(struct ipc_namespace *ipc_ns)
{
	struct kipc_ns *kns = kipc_ns_find_locked(ipc_ns);

	if (kns)
		return kns;
	kns = kzalloc(sizeof(*kns), GFP_KERNEL_ACCOUNT);
	if (!kns)
		return NULL;
	kns->key = ipc_ns->ns.inum;
	kns->names = RB_ROOT;
	kns->ids = RB_ROOT;
	if (xa_err(xa_store(&kipc_ns_table, kns->key, kns, GFP_KERNEL_ACCOUNT))) {
		kfree(kns);
		return NULL;
	}
	kns->ipc_ns = get_ipc_ns(ipc_ns);
	kipc_gc_kick();
	return kns;
}

/*
 * Let the IPC namespace go: out of the table, its reference dropped.  What stays of @kns is a
 * bare count of the channels created there that fds or mappings elsewhere still hold.
 */
static void kipc_ns_detach_locked(struct kipc_ns *kns)
{
	lockdep_assert_held(&kipc_registry_lock);
	if (!kns->ipc_ns)
		return;
	xa_erase(&kipc_ns_table, kns->key);
	put_ipc_ns(kns->ipc_ns);
	kns->ipc_ns = NULL;
}

/* Free @kns once no channel created in it is alive. */
void kipc_ns_put_locked(struct kipc_ns *kns)
{
	lockdep_assert_held(&kipc_registry_lock);
	if (kns->nr_channels)
		return;
	WARN_ON(kns->nr_named || !RB_EMPTY_ROOT(&kns->names) || !RB_EMPTY_ROOT(&kns->ids));
	kipc_ns_detach_locked(kns);
	kfree(kns);
}

/*
 * The collector: namespaces that nobody but kipc can reach lose their names, and kipc lets
 * them go at once, so that a channel an fd or a mapping elsewhere still holds does not keep a
 * dead namespace (its SysV and POSIX objects with it) allocated.
 */
void kipc_registry_gc(void)
{
	struct kipc_ns *kns;
	unsigned long key;
	LIST_HEAD(names);

	mutex_lock(&kipc_registry_lock);
	xa_for_each(&kipc_ns_table, key, kns) {
		if (kipc_ipc_ns_active(kns->ipc_ns))
			continue;
		kipc_ns_unlink_all_locked(kns, &names);
		/* Named channels are alive: the count is not 0, kns stays for them. */
		kipc_ns_detach_locked(kns);
	}
	mutex_unlock(&kipc_registry_lock);
	kipc_put_names(&names);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_registry_gc);

static void kipc_gc_work_fn(struct work_struct *work)
{
	bool again;

	kipc_registry_gc();
	mutex_lock(&kipc_registry_lock);
	again = !xa_empty(&kipc_ns_table);
	mutex_unlock(&kipc_registry_lock);
	if (again)
		schedule_delayed_work(&kipc_gc_work, KIPC_GC_PERIOD);
}

/* Namespaces known, and named channels in them. */
void kipc_ns_count_locked(unsigned int *namespaces, unsigned int *named)
{
	struct kipc_ns *kns;
	unsigned long key;

	lockdep_assert_held(&kipc_registry_lock);
	*namespaces = 0;
	*named = 0;
	xa_for_each(&kipc_ns_table, key, kns) {
		(*namespaces)++;
		*named += kns->nr_named;
	}
}

/* Channels alive in the caller's namespace: what max_channels counts. */
unsigned int kipc_registry_ns_channels(void)
{
	struct kipc_ns *kns;
	unsigned int n;

	mutex_lock(&kipc_registry_lock);
	kns = kipc_ns_find_locked(kipc_current_ipc_ns());
	n = kns ? kns->nr_channels : 0;
	mutex_unlock(&kipc_registry_lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_registry_ns_channels);

/* Module exit: the collector stopped, and every name of every namespace onto @names. */
void kipc_ns_exit(struct list_head *names)
{
	struct kipc_ns *kns;
	unsigned long key;

	cancel_delayed_work_sync(&kipc_gc_work);
	mutex_lock(&kipc_registry_lock);
	xa_for_each(&kipc_ns_table, key, kns)
		kipc_ns_unlink_all_locked(kns, names);
	mutex_unlock(&kipc_registry_lock);
	/* A namespace goes with its last channel: after the names' puts, none is left. */
}

/* After kipc_ns_exit()'s names were put: nothing may be left. */
bool kipc_ns_all_gone(void)
{
	return xa_empty(&kipc_ns_table);
}
