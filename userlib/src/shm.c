// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Shared-page channels: open, map, and the doorbell.
 */
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

int kipc_shm_open(const char *name, unsigned int create_flags, unsigned int mode,
		  unsigned int access, __u64 size)
{
	struct kipc_create c = {
		.flags = create_flags,
		.type = KIPC_TYPE_SHM,
		.mode = mode,
		.access = access,
		.shm_size = size,
	};

	return kipc__open_create(&c, name);
}

void *kipc_shm_map(int fd, int prot, size_t *size, int *err)
{
	struct kipc_stat st;
	void *addr;
	int ret;

	ret = kipc_stat_self(fd, &st);
	if (!ret && st.type != KIPC_TYPE_SHM)
		ret = -ENODEV;
	if (ret) {
		if (err)
			*err = ret;
		return NULL;
	}
	addr = mmap(NULL, st.shm_size, prot, MAP_SHARED, fd, 0);
	if (addr == MAP_FAILED) {
		if (err)
			*err = -errno;
		return NULL;
	}
	if (size)
		*size = st.shm_size;
	return addr;
}

int kipc_shm_unmap(void *addr, size_t size)
{
	return munmap(addr, size) ? -errno : 0;
}

int kipc_notify(int fd, __u64 *seq)
{
	struct kipc_notify n = { .size = sizeof(n) };

	if (ioctl(fd, KIPC_IOC_NOTIFY, &n) < 0)
		return -errno;
	if (seq)
		*seq = n.seq;
	return 0;
}

int kipc_wait(int fd, __u64 seq, unsigned int flags, __s64 timeout_ns, __u64 *now)
{
	struct kipc_wait w = {
		.size = sizeof(w),
		.seq = seq,
	};
	int ret = kipc__timeout(flags, timeout_ns, &w.flags, &w.timeout_ns);

	if (ret)
		return ret;
	if (ioctl(fd, KIPC_IOC_WAIT, &w) < 0)
		return -errno;
	if (now)
		*now = w.observed;
	return 0;
}

/*
 * The ring's wait/wake ops over the doorbell.  No wake can be lost: the sequence a wait sleeps
 * on is the one seen before the caller re-checked the ring's word, so a ring between that check
 * and the sleep has already moved it.  A stale @seen only makes one wait return at once.
 */
static int kipc_ring_doorbell_wait(void *ctx, __u32 *word, __u32 expected, __u64 timeout_ns)
{
	struct kipc_ring_doorbell *db = ctx;
	__u64 seen = db->seen, now = seen;
	int ret;

	/* Pairs with the peer's store before its KIPC_IOC_NOTIFY (a full barrier in the kernel). */
	if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != expected)
		return -EAGAIN;
	/* The ring asks for 1 ns at least and far less than 2^63. */
	ret = kipc_wait(db->fd, seen, 0, (__s64)timeout_ns, &now);
	if (ret)
		return ret;
	db->seen = now;
	return 0;
}

static void kipc_ring_doorbell_wake(void *ctx, __u32 *word)
{
	struct kipc_ring_doorbell *db = ctx;

	(void)word;
	kipc_notify(db->fd, NULL);
}

static const struct kipc_ring_wait_ops ring_doorbell_ops = {
	.wait = kipc_ring_doorbell_wait,
	.wake = kipc_ring_doorbell_wake,
};

const struct kipc_ring_wait_ops *kipc_ring_doorbell_ops(void)
{
	return &ring_doorbell_ops;
}

int kipc_ring_doorbell_init(struct kipc_ring_doorbell *db, int fd)
{
	struct kipc_stat st;
	int ret;

	ret = kipc_stat_self(fd, &st);
	if (ret)
		return ret;
	if (st.type != KIPC_TYPE_SHM)
		return -ENODEV;
	db->fd = fd;
	db->seen = st.doorbell;
	return 0;
}
