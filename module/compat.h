/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc on older kernels, in one place (wireguard-linux-compat's way).  The module is written
 * for the newest kernel's interfaces; each one an older kernel lacks is probed from the headers
 * by module/compat.mk (KIPC_HAVE_*) and supplied here.  Nothing else in the module tests a
 * kernel version.
 *
 *  vm_flags_set()/vm_flags_clear()  6.3: vm_flags became read-only but through these
 *  vfs_mmap()                       call_mmap() before; on 7.x it also runs shmem's
 *                                   mmap_prepare on a VMA that exists already
 *  EMPTY_VMA_FLAGS                  shmem_file_setup() took VM_* bits in an unsigned long
 *  MODULE_IMPORT_NS("NS")           the namespace was a bare word
 *  put_ipc_ns()                     6.1 declares it but does not export it
 *  kipc_ipc_ns_active()             7.x counts active users of a namespace apart from
 *                                   references, and no longer counts the initial ones
 *  pin_user_pages_remote()          6.5: no vmas argument; before, it took one
 *  kipc_eventfd_signal()            6.8: eventfd_signal() adds 1; before, it took the count
 *
 * And one the other way round, an old helper the newest kernel dropped and main.c still uses:
 *  poll_does_not_wait()             gone in 7.x; poll_wait() tests the same thing inside
 */
#ifndef _KIPC_COMPAT_H
#define _KIPC_COMPAT_H

#include <linux/eventfd.h>
#include <linux/fs.h>
#include <linux/ipc_namespace.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/proc_ns.h>
#include <linux/shmem_fs.h>
#include <linux/version.h>

/* The kernels the suite runs on (tests/vm/run.sh --kernel stock, lts, newest); outside, say so. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0) || LINUX_VERSION_CODE >= KERNEL_VERSION(8, 0, 0)
#error "kipc supports Linux 6.1 to 7.x (tested on 6.1, 6.12 and 7.2); this kernel is outside it"
#endif

#ifndef KIPC_HAVE_VM_FLAGS_SET
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

#ifndef KIPC_HAVE_POLL_DOES_NOT_WAIT
/* No wait queue is asked for: a select() or poll() that will not sleep, or epoll's re-check. */
static inline bool poll_does_not_wait(const poll_table *p)
{
	return !p || !p->_qproc;
}
#endif

#ifndef KIPC_HAVE_VFS_MMAP
static inline int vfs_mmap(struct file *file, struct vm_area_struct *vma)
{
	return call_mmap(file, vma);
}
#endif

#ifndef KIPC_HAVE_SHMEM_VMA_FLAGS
#undef EMPTY_VMA_FLAGS
#define EMPTY_VMA_FLAGS 0UL
#endif

#ifndef KIPC_HAVE_IMPORT_NS_STRING
#undef MODULE_IMPORT_NS
#define MODULE_IMPORT_NS(ns) MODULE_INFO(import_ns, ns)
#endif

#ifndef KIPC_HAVE_PUT_IPC_NS
/* The namespace's own operations drop the same reference, and are reachable. */
static inline void kipc_put_ipc_ns(struct ipc_namespace *ns)
{
	ns->ns.ops->put(&ns->ns);
}

#define put_ipc_ns kipc_put_ipc_ns
#endif

#ifdef KIPC_GUP_TAKES_VMAS
static inline long kipc_pin_user_pages_remote(struct mm_struct *mm, unsigned long start,
					      unsigned long nr_pages, unsigned int gup_flags,
					      struct page **pages, int *locked)
{
	return pin_user_pages_remote(mm, start, nr_pages, gup_flags, pages, NULL, locked);
}

#define pin_user_pages_remote kipc_pin_user_pages_remote
#endif

/* Add 1 to an eventfd's count and wake its readers. */
static inline void kipc_eventfd_signal(struct eventfd_ctx *ctx)
{
#ifdef KIPC_HAVE_EVENTFD_SIGNAL_CTX
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

/*
 * kipc_ipc_ns_active() - can anything but kipc still reach @ns?  The caller holds kipc's one
 * counted reference on it.
 *
 * 7.x: a namespace is active while a task uses it or an nsfs file or bind mount pins it; an
 * inactive IPC namespace cannot be entered again, and the initial one is always active (its
 * reference count stays at 1 whatever anyone takes, so it says nothing).  Before 7.x every
 * way in (a task's nsproxy, an nsfs file) holds a counted reference, so any reference beyond
 * kipc's own is a way in.
 */
static inline bool kipc_ipc_ns_active(struct ipc_namespace *ns)
{
#ifdef KIPC_HAVE_NS_REF_ACTIVE
	return ns_ref_active_read(ns) > 0;
#elif defined(KIPC_HAVE_NS_REF_READ)
	return ns_ref_read(ns) > 1;
#else
	return refcount_read(&ns->ns.count) > 1;
#endif
}

#endif /* _KIPC_COMPAT_H */
