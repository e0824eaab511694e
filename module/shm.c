// SPDX-License-Identifier: GPL-2.0
/*
 * kipc shared-page channels: shmem-backed memory that every attached process can mmap, and a
 * doorbell to wait on it.
 *
 * Memory.  A channel owns a shmem file, as a SysV segment does: swappable, zero-filled, and
 * charged to the memory cgroup of whoever first touches each page.
 *
 * Mappings.  Each mmap() gives its VMA a file of its own on the channel's shmem inode (as
 * ipc/shm.c gives each attach a clone of the segment's file), with shmem's vm_operations, so
 * the mapping is an ordinary shared shmem mapping: faults, futexes and the page cache see
 * shmem, and no kipc code runs in the mapping's VMAs.  That file's f_op is kipc's, owned by
 * this module, and holds a reference on the channel: the VMAs a mapping splits or forks into
 * share it, and when the last of them goes, its release drops the channel's reference; only
 * then, after our release has returned, does the VFS drop the module reference that the file
 * held (fops_put() in __fput()).  So a mapping pins the module with no kipc code running
 * after that pin goes, and the channel, its memory and its place in the limits go with the
 * last unmap.  The mapping cannot grow (VM_DONTEXPAND): mremap past the length mmap accepted
 * fails.
 *
 * Doorbell.  A 64-bit sequence.  Notify increments it and wakes every waiter; a wait sleeps
 * until it differs from the value the caller last saw.  Each fd remembers the value it last
 * consumed, so poll/epoll can report "rung since you last looked".
 *
 * Locking: the doorbell and the mapping count are atomics; the notify/wait counters are under
 * kipc_channel.lock.  Waiters sleep on kipc_channel.readers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
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
	file = shmem_file_setup(name, ch->shm_size, EMPTY_VMA_FLAGS);
	/*
	 * shmem says ENOSPC when it cannot allocate the inode; here ENOSPC means the channel
	 * limit, and a failed allocation is ENOMEM.
	 */
	if (IS_ERR(file))
		return PTR_ERR(file) == -ENOSPC ? -ENOMEM : PTR_ERR(file);
	ch->shm_file = file;
	atomic64_set(&ch->doorbell, 0);
	atomic64_inc(&kipc_shm_channels);
	atomic64_add(ch->shm_size, &kipc_shm_bytes);
	return 0;
}

/* Mappings of the channel now, in every process: the VMAs of its shmem inode. */
unsigned int kipc_shm_mappings(struct kipc_channel *ch)
{
	struct address_space *mapping;
	unsigned int n = 0;
	struct rb_node *node;

	if (!ch->shm_file)
		return 0;
	mapping = ch->shm_file->f_mapping;
	i_mmap_lock_read(mapping);
	for (node = rb_first_cached(&mapping->i_mmap); node; node = rb_next(node))
		n++;
	i_mmap_unlock_read(mapping);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_shm_mappings);

/* The last VMA of one mmap() is gone; the VFS drops the module reference after this. */
static int kipc_shm_map_release(struct inode *inode, struct file *file)
{
	kipc_channel_put(file->private_data);
	return 0;
}

/*
 * What the VFS asks of a mapping's file, as of the shmem file it stands for (ipc/shm.c's
 * wrapper forwards the same): msync(MS_SYNC) syncs nothing, as on shmem; MADV_REMOVE (and
 * fallocate() through /proc/PID/map_files) punches the shmem file itself.  The caller holds
 * the file, so the module is pinned while this runs.
 */
static long kipc_shm_map_fallocate(struct file *file, int mode, loff_t offset, loff_t len)
{
	struct kipc_channel *ch = file->private_data;

	if (!ch->shm_file->f_op->fallocate)
		return -EOPNOTSUPP;
	return ch->shm_file->f_op->fallocate(ch->shm_file, mode, offset, len);
}

static const struct file_operations kipc_shm_map_fops = {
	.owner = THIS_MODULE,
	.release = kipc_shm_map_release,
	.fsync = noop_fsync,
	.fallocate = kipc_shm_map_fallocate,
};

/* A new file on @ch's shmem inode for one mmap(), holding a reference on @ch. */
struct file *kipc_shm_map_file(struct kipc_channel *ch)
{
	struct inode *inode = file_inode(ch->shm_file);
	char name[KIPC_NAME_MAX + 8];
	struct file *file;

	snprintf(name, sizeof(name), "kipc:%s", ch->name);
	/*
	 * The file's module reference, which __fput() drops after our release: alloc_file_pseudo()
	 * does not take it (anon_inode_getfile() takes its own the same way).  The caller holds a
	 * kipc fd or file, so the module is pinned already.
	 */
	__module_get(THIS_MODULE);
	/* alloc_file_pseudo() takes over an inode reference, and leaves it to us on failure. */
	ihold(inode);
	file = alloc_file_pseudo(inode, ch->shm_file->f_path.mnt, name, O_RDWR,
				 &kipc_shm_map_fops);
	if (IS_ERR(file)) {
		iput(inode);
		module_put(THIS_MODULE);
		return file;
	}
	kref_get(&ch->ref);
	file->private_data = ch;
	return file;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_shm_map_file);

/* The channel goes: no attachment, no name, no mapping. */
void kipc_shm_release(struct kipc_channel *ch)
{
	if (!ch->shm_file)
		return;
	fput(ch->shm_file);
	atomic64_dec(&kipc_shm_channels);
	atomic64_sub(ch->shm_size, &kipc_shm_bytes);
}

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
	struct file *map;

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
		vm_flags_clear(vma, VM_MAYWRITE);
	}
	total = ch->shm_size >> PAGE_SHIFT;
	if (vma->vm_pgoff >= total || pages > total - vma->vm_pgoff)
		return -EINVAL;

	map = kipc_shm_map_file(ch);
	if (IS_ERR(map))
		return PTR_ERR(map);
	/* mmap refused a longer mapping: so must mremap. */
	vm_flags_set(vma, VM_DONTEXPAND);
	/* The VMA takes its own reference; on a failure below, mmap's unwinding drops it. */
	vma_set_file(vma, map);
	fput(map);
	/*
	 * shmem's mmap (its mmap_prepare on 7.x, applied to this VMA) sets shmem's
	 * vm_operations: none of ours stay in the VMA.
	 */
	return vfs_mmap(ch->shm_file, vma);
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

/* Wait for the doorbell to move past @seq.  @flags are final, as for kipc_mq_recv(). */
int kipc_shm_wait(struct kipc_file *kf, u64 seq, u32 flags, ktime_t deadline, u64 *current_seq)
{
	struct kipc_channel *ch = kipc_shm_for(kf, KIPC_ACCESS_READ);
	int ret;

	if (IS_ERR(ch))
		return PTR_ERR(ch);
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
