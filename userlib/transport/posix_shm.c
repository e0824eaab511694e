// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The ring (ring_shm.c) in POSIX shared memory, with futex wake-ups: the same rings as
 * kipc-ring, in a mapping of shm_open(3).  A pair's object is unlinked as soon as it is mapped
 * (fork shares the mapping); a named one is "/kipc-tp.<name>.ring", which the server unlinks
 * on close.  shm_open needs a tmpfs at /dev/shm: without one the backend is unsupported.
 * "posix-shm-inplace" is the same with messages written and read in the ring (ring_shm.c).
 * The mapping serves the backends that sleep on it in other ways, too (pshared.c,
 * ring_queue.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "transport.h"

/* Map the object @fd, of @size bytes (0: as large as it is); closes @fd. */
static int pshm_map(int fd, size_t size, void **mem, size_t *mapped)
{
	struct stat st;
	int ret = 0;

	if (!size) {
		if (fstat(fd, &st))
			ret = -errno;
		else if (!st.st_size)
			ret = -EAGAIN;	/* created, not sized yet */
		size = (size_t)st.st_size;
	} else if (ftruncate(fd, (off_t)size)) {
		ret = -errno;
	}
	if (!ret) {
		*mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (*mem == MAP_FAILED) {
			*mem = NULL;
			ret = -errno;
		}
		*mapped = size;
	}
	close(fd);
	return ret;
}

static int pshm_create(const char *name, size_t size, void **mem, size_t *mapped)
{
	int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600), ret;

	if (fd < 0)
		return errno == ENOENT || errno == ENOSYS ? -EOPNOTSUPP : -errno;
	ret = pshm_map(fd, size, mem, mapped);
	if (ret)
		shm_unlink(name);
	return ret;
}

int kipc__pshm_probe(void)
{
	char name[KIPC__PATH_MAX], base[KIPC_NAME_MAX];
	size_t size;
	void *mem;
	int ret;

	kipc__pair_name(base, sizeof(base));
	kipc__name(name, sizeof(name), "/", base, "probe");
	ret = pshm_create(name, (size_t)getpagesize(), &mem, &size);
	if (ret)
		return ret;
	munmap(mem, size);
	shm_unlink(name);
	return 0;
}

int kipc__pshm_pair_map(struct kipc__ring_pair *rp, size_t size)
{
	char name[KIPC__PATH_MAX], base[KIPC_NAME_MAX];
	int ret;

	kipc__pair_name(base, sizeof(base));
	kipc__name(name, sizeof(name), "/", base, "ring");
	ret = pshm_create(name, size, &rp->mem, &rp->size);
	if (!ret)
		shm_unlink(name);
	return ret;
}

void kipc__pshm_pair_close(struct kipc__ring_pair *rp, bool destroy)
{
	(void)destroy;
	munmap(rp->mem, rp->size);
}

int kipc__pshm_create(struct kipc__ring_tp *rt, const char *name, size_t size)
{
	int ret = kipc__name(rt->name, sizeof(rt->name), "/", name, "ring");

	if (!ret)
		ret = pshm_create(rt->name, size, &rt->mem, &rt->size);
	if (ret)
		rt->name[0] = '\0';	/* not ours to unlink */
	return ret;
}

int kipc__pshm_open(struct kipc__ring_tp *rt, const char *name)
{
	char path[KIPC__PATH_MAX];
	int fd, ret = kipc__name(path, sizeof(path), "/", name, "ring");

	if (ret)
		return ret;
	fd = shm_open(path, O_RDWR | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	return pshm_map(fd, 0, &rt->mem, &rt->size);
}

void kipc__pshm_release(struct kipc__ring_tp *rt)
{
	if (rt->mem)
		munmap(rt->mem, rt->size);
	if (rt->owner && rt->name[0])
		shm_unlink(rt->name);
}

static const struct kipc__ring_provider pshm = {
	.probe = kipc__pshm_probe,
	.pair_map = kipc__pshm_pair_map,
	.pair_close = kipc__pshm_pair_close,
	.create = kipc__pshm_create,
	.open = kipc__pshm_open,
	.release = kipc__pshm_release,
};

const struct kipc__backend kipc__tp_posix_shm = {
	.pub.name = "posix-shm",
	.pub.summary = "SPSC rings in POSIX shared memory (shm_open); futex wake-ups",
	.pub.flags = KIPC_TRANSPORT_PAIR | KIPC_TRANSPORT_NAMED | KIPC_TRANSPORT_SHARED_MEMORY,
	.ops = &kipc__ring_ops,
	.params = &pshm,
};

const struct kipc__backend kipc__tp_posix_shm_inplace = {
	.pub.name = "posix-shm-inplace",
	.pub.summary = "SPSC rings in POSIX shared memory, messages made and read in place; futexes",
	.pub.flags = KIPC_TRANSPORT_PAIR | KIPC_TRANSPORT_NAMED | KIPC_TRANSPORT_SHARED_MEMORY |
		 KIPC_TRANSPORT_ZERO_COPY,
	.ops = &kipc__ring_inplace_ops,
	.params = &pshm,
};
