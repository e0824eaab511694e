// SPDX-License-Identifier: GPL-2.0
/*
 * kipc shared-page channels: shmem-backed memory that every attached process can mmap, and a
 * doorbell to wait on it.
 *
 * Memory.  A channel owns a shmem file, as a SysV segment does: swappable, zero-filled, and
 * charged to the memory cgroup of whoever first touches each page.  mmap hands the VMA to that
 * file (vma_set_file), so futexes and the page cache see an ordinary shared file mapping, then
 * wraps shmem's vm_operations to count mappings and to pin the channel and this module for as
 * long as a mapping exists.  A mapping therefore outlives the fd, the name and the last
 * attachment; the memory goes with the last unmap.
 *
 * Doorbell.  A 64-bit sequence.  Notify increments it and wakes every waiter; a wait sleeps
 * until it differs from the value the caller last saw.  Each fd remembers the value it last
 * consumed, so poll/epoll can report "rung since you last looked".
 *
 * Locking: the doorbell and the mapping count are atomics; the notify/wait counters are under
 * kipc_channel.lock.  Waiters sleep on kipc_channel.readers.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>
#include <kunit/visibility.h>

#include "kipc_internal.h"

static atomic64_t kipc_shm_channels = ATOMIC64_INIT(0);
static atomic64_t kipc_shm_bytes = ATOMIC64_INIT(0);

void kipc_shm_counts(u64 *channels, u64 *bytes)
{
	*channels = atomic64_read(&kipc_shm_channels);
	*bytes = atomic64_read(&kipc_shm_bytes);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_shm_counts);

/**
 * kipc_shm_size_check() - validate and round a requested size
 * @size: bytes asked for
 * @rounded: out: @size rounded up to whole pages
 *
 * Return: 0; -EINVAL for 0; -ERANGE above max_shm_size (after rounding).
 */
int kipc_shm_size_check(u64 size, u64 *rounded)
{
	u64 max = kipc_param_get(&kipc_max_shm_size);

	if (!size)
		return -EINVAL;
	if (size > max)
		return -ERANGE;
	*rounded = PAGE_ALIGN(size);
	if (*rounded > max)
		return -ERANGE;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_shm_size_check);

/* Give a new SHM channel its memory; ch->shm_size is already rounded. */
int kipc_shm_setup(struct kipc_channel *ch)
{
	char name[KIPC_NAME_MAX + 8];
	struct file *file;

	snprintf(name, sizeof(name), "kipc:%s", ch->name);
	/* Accounted against overcommit like a SysV segment without SHM_NORESERVE. */
	file = shmem_file_setup(name, ch->shm_size, 0);
	/*
	 * shmem says ENOSPC when it cannot allocate the inode; here ENOSPC means the channel
	 * limit, and a failed allocation is ENOMEM.
	 */
	if (IS_ERR(file))
		return PTR_ERR(file) == -ENOSPC ? -ENOMEM : PTR_ERR(file);
	ch->shm_file = file;
	atomic_set(&ch->mappings, 0);
	atomic64_set(&ch->doorbell, 0);
	atomic64_inc(&kipc_shm_channels);
	atomic64_add(ch->shm_size, &kipc_shm_bytes);
	return 0;
}

/* The channel's last reference is gone: no mapping, no attachment, no name. */
void kipc_shm_release(struct kipc_channel *ch)
{
	if (!ch->shm_file)
		return;
	WARN_ON(atomic_read(&ch->mappings));
	fput(ch->shm_file);
	atomic64_dec(&kipc_shm_channels);
	atomic64_sub(ch->shm_size, &kipc_shm_bytes);
}

/*
 * The VMA pins the channel (so stat can count it and its memory accounting lives on) and the
 * module (our vm_operations must outlive every mapping, even after the fd is closed).
 */
static void kipc_shm_vm_open(struct vm_area_struct *vma)
{
	struct kipc_channel *ch = vma->vm_private_data;

	__module_get(THIS_MODULE);
	kref_get(&ch->ref);
	atomic_inc(&ch->mappings);
}

static void kipc_shm_vm_close(struct vm_area_struct *vma)
{
	struct kipc_channel *ch = vma->vm_private_data;

	atomic_dec(&ch->mappings);
	kipc_channel_put(ch);
	module_put(THIS_MODULE);
}

static vm_fault_t kipc_shm_fault(struct vm_fault *vmf)
{
	struct kipc_channel *ch = vmf->vma->vm_private_data;

	return ch->shmem_vm_ops->fault(vmf);
}

static vm_fault_t kipc_shm_map_pages(struct vm_fault *vmf, pgoff_t start, pgoff_t end)
{
	struct kipc_channel *ch = vmf->vma->vm_private_data;

	return ch->shmem_vm_ops->map_pages(vmf, start, end);
}

#ifdef CONFIG_NUMA
/* NUMA policy belongs to the shared memory, as for any shmem mapping: pass it through. */
static int kipc_shm_set_policy(struct vm_area_struct *vma, struct mempolicy *mpol)
{
	struct kipc_channel *ch = vma->vm_private_data;

	return ch->shmem_vm_ops->set_policy ? ch->shmem_vm_ops->set_policy(vma, mpol) : 0;
}

static struct mempolicy *kipc_shm_get_policy(struct vm_area_struct *vma, unsigned long addr)
{
	struct kipc_channel *ch = vma->vm_private_data;

	return ch->shmem_vm_ops->get_policy ? ch->shmem_vm_ops->get_policy(vma, addr) : NULL;
}
#endif

static const struct vm_operations_struct kipc_shm_vm_ops = {
	.open = kipc_shm_vm_open,
	.close = kipc_shm_vm_close,
	.fault = kipc_shm_fault,
	.map_pages = kipc_shm_map_pages,
#ifdef CONFIG_NUMA
	.set_policy = kipc_shm_set_policy,
	.get_policy = kipc_shm_get_policy,
#endif
};

static struct kipc_channel *kipc_shm_for(struct kipc_file *kf, u32 access)
{
	struct kipc_channel *ch = kipc_file_channel(kf);

	if (!ch)
		return ERR_PTR(-ENOTCONN);
	if (ch->type != KIPC_TYPE_SHM || !(kf->access & access))
		return ERR_PTR(-EBADF);
	if (READ_ONCE(ch->dead))
		return ERR_PTR(-EIDRM);
	return ch;
}

int kipc_shm_mmap(struct kipc_file *kf, struct vm_area_struct *vma)
{
	struct kipc_channel *ch = kipc_file_channel(kf);
	unsigned long pages = vma_pages(vma), total;
	int ret;

	if (!ch)
		return -ENOTCONN;
	if (ch->type != KIPC_TYPE_SHM)
		return -ENODEV;
	if (READ_ONCE(ch->dead))
		return -EIDRM;
	/*
	 * Shared only: a private copy-on-write view would not be IPC.  VM_MAYSHARE, not
	 * VM_SHARED, which do_mmap() clears for a read-only MAP_SHARED of an O_RDONLY fd.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (!(kf->access & KIPC_ACCESS_READ))
		return -EACCES;
	if (!(kf->access & KIPC_ACCESS_WRITE)) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		/* and mprotect() may never add it */
		vma->vm_flags &= ~VM_MAYWRITE;
	}
	total = ch->shm_size >> PAGE_SHIFT;
	if (vma->vm_pgoff >= total || pages > total - vma->vm_pgoff)
		return -EINVAL;

	vma_set_file(vma, ch->shm_file);
	ret = call_mmap(ch->shm_file, vma);
	if (ret)
		return ret;
	/* Every channel's shmem file has the same vm_operations; keep them for forwarding. */
	if (WARN_ON(!vma->vm_ops || !vma->vm_ops->fault || !vma->vm_ops->map_pages))
		return -ENODEV;
	WRITE_ONCE(ch->shmem_vm_ops, vma->vm_ops);
	vma->vm_ops = &kipc_shm_vm_ops;
	vma->vm_private_data = ch;
	kipc_shm_vm_open(vma);
	return 0;
}

int kipc_shm_notify(struct kipc_file *kf, u64 *seq)
{
	struct kipc_channel *ch = kipc_shm_for(kf, KIPC_ACCESS_WRITE);

	if (IS_ERR(ch))
		return PTR_ERR(ch);
	/* Full barrier: whatever the ringer wrote to the pages is visible to those it wakes. */
	*seq = atomic64_inc_return(&ch->doorbell);
	spin_lock(&ch->lock);
	ch->notifies++;
	spin_unlock(&ch->lock);
	wake_up_interruptible_poll(&ch->readers, EPOLLIN | EPOLLRDNORM);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_shm_notify);

static bool kipc_shm_rung(struct kipc_channel *ch, u64 seen)
{
	return atomic64_read(&ch->doorbell) != seen || READ_ONCE(ch->dead);
}

int kipc_shm_wait(struct kipc_file *kf, u64 seq, u32 flags, u64 timeout_ns, u64 *current_seq)
{
	struct kipc_channel *ch = kipc_shm_for(kf, KIPC_ACCESS_READ);
	ktime_t deadline;
	int ret;

	if (IS_ERR(ch))
		return PTR_ERR(ch);
	flags = kipc_file_flags(kf, flags);
	deadline = kipc_deadline(flags, timeout_ns);
	if (!kipc_shm_rung(ch, seq)) {
		ret = kipc_wait(&ch->readers, kipc_shm_rung, ch, seq, flags, deadline);
		if (ret)
			return ret;
	}
	if (READ_ONCE(ch->dead))
		return -EIDRM;
	/* Pairs with the ringer's atomic64_inc_return(): its page writes are visible now. */
	*current_seq = atomic64_read_acquire(&ch->doorbell);
	WRITE_ONCE(kf->consumed, *current_seq);
	spin_lock(&ch->lock);
	ch->waits++;
	spin_unlock(&ch->lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_shm_wait);

__poll_t kipc_shm_poll(struct kipc_file *kf, struct file *file, struct poll_table_struct *pt)
{
	struct kipc_channel *ch = kipc_file_channel(kf);
	__poll_t mask = 0;

	poll_wait(file, &ch->readers, pt);
	if (READ_ONCE(ch->dead))
		return EPOLLHUP | EPOLLERR;
	if ((kf->access & KIPC_ACCESS_READ) &&
	    atomic64_read(&ch->doorbell) != READ_ONCE(kf->consumed))
		mask |= EPOLLIN | EPOLLRDNORM;
	/* Ringing never blocks. */
	if (kf->access & KIPC_ACCESS_WRITE)
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_shm_poll);
