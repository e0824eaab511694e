// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The ring (ring_shm.c) in a kipc shared-page channel: "kipc-ring" sleeps on futexes in the
 * shared pages, "kipc-ring-doorbell" in KIPC_IOC_WAIT and wakes with KIPC_IOC_NOTIFY (the
 * channel's doorbell, one for both rings: a notify wakes whoever waits, and the ring looks
 * again).  The channel is created EXCL|AUTODESTROY, "<pair>.ring" or "kipc-tp.<name>.ring", so
 * it goes with the last fd.  "kipc-ring-inplace" is kipc-ring with messages written and read in
 * the ring (ring_shm.c).  "kipc-ring-mq" (ring_queue.c) maps its rings here too.
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "transport.h"

#define RW	(KIPC_ACCESS_READ | KIPC_ACCESS_WRITE)

static int kring_probe_futex(void)
{
	return kipc__kipc_probe(KIPC_FEATURE_SHM);
}

static int kring_probe_doorbell(void)
{
	return kipc__kipc_probe(KIPC_FEATURE_SHM | KIPC_FEATURE_DOORBELL);
}

/* Open (@size > 0: create) the channel @name and map it: 0, or -errno with nothing held. */
static int kring_map(const char *name, size_t size, int *fd, void **mem, size_t *mapped)
{
	unsigned int create = size ? KIPC_CREATE_EXCL | KIPC_CREATE_AUTODESTROY : 0;
	int ret;

	*fd = kipc_shm_open(name, create, 0600, RW, size);
	if (*fd < 0)
		return *fd;
	*mem = kipc_shm_map(*fd, PROT_READ | PROT_WRITE, mapped, &ret);
	if (!*mem) {
		close(*fd);
		*fd = -1;
		return ret;
	}
	return 0;
}

int kipc__kring_pair_map(struct kipc__ring_pair *rp, size_t size)
{
	char base[KIPC_NAME_MAX - 16], name[KIPC_NAME_MAX];

	kipc__pair_name(base, sizeof(base));
	kipc__name(name, sizeof(name), "", base, "ring");
	return kring_map(name, size, &rp->fd[0], &rp->mem, &rp->size);
}

void kipc__kring_pair_close(struct kipc__ring_pair *rp, bool destroy)
{
	(void)destroy;
	munmap(rp->mem, rp->size);
	close(rp->fd[0]);
}

static int kring_create(struct kipc__ring_tp *rt, const char *name, size_t size)
{
	int ret = kipc__name(rt->name, KIPC_NAME_MAX, "", name, "ring");

	return ret ? ret : kring_map(rt->name, size, &rt->fd[0], &rt->mem, &rt->size);
}

static int kring_open(struct kipc__ring_tp *rt, const char *name)
{
	int ret = kipc__name(rt->name, KIPC_NAME_MAX, "", name, "ring");

	return ret ? ret : kring_map(rt->name, 0, &rt->fd[0], &rt->mem, &rt->size);
}

static int kring_doorbell_setup(struct kipc__ring_tp *rt)
{
	rt->wait_ops = kipc_ring_doorbell_ops();
	rt->wait_ctx = &rt->doorbell;
	return kipc_ring_doorbell_init(&rt->doorbell, rt->fd[0]);
}

void kipc__kring_release(struct kipc__ring_tp *rt)
{
	if (rt->mem)
		munmap(rt->mem, rt->size);
	if (rt->fd[0] >= 0)
		close(rt->fd[0]);
	rt->fd[0] = -1;
}

static const struct kipc__ring_provider kring_futex = {
	.probe = kring_probe_futex,
	.pair_map = kipc__kring_pair_map,
	.pair_close = kipc__kring_pair_close,
	.create = kring_create,
	.open = kring_open,
	.release = kipc__kring_release,
};

static const struct kipc__ring_provider kring_doorbell = {
	.probe = kring_probe_doorbell,
	.pair_map = kipc__kring_pair_map,
	.pair_close = kipc__kring_pair_close,
	.create = kring_create,
	.open = kring_open,
	.wait_setup = kring_doorbell_setup,
	.release = kipc__kring_release,
};

#define KRING_FLAGS	(KIPC_TRANSPORT_PAIR | KIPC_TRANSPORT_NAMED | KIPC_TRANSPORT_NEEDS_KIPC | \
			 KIPC_TRANSPORT_SHARED_MEMORY)

const struct kipc__backend kipc__tp_kipc_ring = {
	.pub.name = "kipc-ring",
	.pub.summary = "SPSC rings in a kipc shared-page channel; futex wake-ups",
	.pub.flags = KRING_FLAGS,
	.ops = &kipc__ring_ops,
	.params = &kring_futex,
};

const struct kipc__backend kipc__tp_kipc_ring_doorbell = {
	.pub.name = "kipc-ring-doorbell",
	.pub.summary = "SPSC rings in a kipc shared-page channel; doorbell wake-ups (KIPC_IOC_WAIT)",
	.pub.flags = KRING_FLAGS,
	.ops = &kipc__ring_ops,
	.params = &kring_doorbell,
};

const struct kipc__backend kipc__tp_kipc_ring_inplace = {
	.pub.name = "kipc-ring-inplace",
	.pub.summary = "SPSC rings in a kipc shared-page channel, messages made and read in place",
	.pub.flags = KRING_FLAGS | KIPC_TRANSPORT_ZERO_COPY,
	.ops = &kipc__ring_inplace_ops,
	.params = &kring_futex,
};
