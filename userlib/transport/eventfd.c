// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * eventfd as the signal for a shared-memory exchange: the ring (ring_shm.c) in an anonymous
 * shared mapping, each side sleeping on an eventfd of its own (ppoll, then a read to reset
 * it) and waking the peer by writing 1 to the peer's.  An eventfd counts, so a wake before
 * the sleep is not lost.  Pairs only: an eventfd has no name to connect to.
 */
#include <errno.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#include "transport.h"

/* fd[side] is the eventfd that side sleeps on. */
static int efd_wait_op(void *ctx, __u32 *word, __u32 expected, __u64 timeout_ns)
{
	struct kipc__ring_tp *rt = ctx;
	struct pollfd pfd = { .fd = rt->fd[rt->base.side], .events = POLLIN };
	struct timespec ts = {
		.tv_sec = (time_t)(timeout_ns / 1000000000u),
		.tv_nsec = (long)(timeout_ns % 1000000000u),
	};
	eventfd_t count;
	int n;

	if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != expected)
		return -EAGAIN;
	n = ppoll(&pfd, 1, &ts, NULL);
	if (n < 0)
		return -errno;
	if (!n)
		return -ETIMEDOUT;
	eventfd_read(pfd.fd, &count);	/* non-blocking: a racing reader leaves nothing */
	return 0;
}

static void efd_wake_op(void *ctx, __u32 *word)
{
	struct kipc__ring_tp *rt = ctx;

	(void)word;
	eventfd_write(rt->fd[!rt->base.side], 1);
}

static const struct kipc_ring_wait_ops efd_ops = {
	.wait = efd_wait_op,
	.wake = efd_wake_op,
};

static int efd_pair_map(struct kipc__ring_pair *rp, size_t size)
{
	int ret;

	rp->mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rp->mem == MAP_FAILED)
		return -errno;
	rp->size = size;
	rp->fd[0] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	rp->fd[1] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (rp->fd[0] >= 0 && rp->fd[1] >= 0)
		return 0;
	ret = errno == ENOSYS ? -EOPNOTSUPP : -errno;
	if (rp->fd[0] >= 0)
		close(rp->fd[0]);
	munmap(rp->mem, size);
	return ret;
}

static void efd_pair_close(struct kipc__ring_pair *rp, bool destroy)
{
	(void)destroy;
	munmap(rp->mem, rp->size);
	close(rp->fd[0]);
	close(rp->fd[1]);
}

static void efd_release(struct kipc__ring_tp *rt)
{
	if (rt->mem)
		munmap(rt->mem, rt->size);
	if (rt->fd[0] >= 0)
		close(rt->fd[0]);
	if (rt->fd[1] >= 0)
		close(rt->fd[1]);
}

static const struct kipc__ring_provider efd = {
	.pair_map = efd_pair_map,
	.pair_close = efd_pair_close,
	.wait_ops = &efd_ops,
	.release = efd_release,
};

const struct kipc__backend kipc__tp_eventfd = {
	.pub.name = "eventfd",
	.pub.summary = "SPSC rings in an anonymous shared mapping; eventfd wake-ups",
	.pub.flags = KIPC_TRANSPORT_PAIR | KIPC_TRANSPORT_SHARED_MEMORY,
	.ops = &kipc__ring_ops,
	.params = &efd,
};
