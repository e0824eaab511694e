// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The ring (ring_shm.c) in SysV shared memory, sleeping on SysV semaphores: a set of two, one
 * per side.  A side sleeps with semtimedop(-1) on its own and wakes the peer with semop(+1) on
 * the peer's.  A semaphore counts, so a wake that comes before the sleep is not lost, as the
 * ring's wait ops require.
 *
 * A pair's segment is IPC_PRIVATE and marked for removal as soon as it is attached (fork
 * shares the attachment); its semaphore set goes with whichever side closes first.  A named
 * endpoint's keys are hashed from its name; the server creates the set, then the segment, and
 * removes both on close.  A sleeper whose set was removed (the peer closed) just looks again:
 * the ring then reports the close.
 */
#include <errno.h>
#include <time.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "transport.h"

static int sem_wait_op(void *ctx, __u32 *word, __u32 expected, __u64 timeout_ns)
{
	struct kipc__ring_tp *rt = ctx;
	struct sembuf down = { .sem_num = (unsigned short)rt->base.side, .sem_op = -1 };
	struct timespec ts = {
		.tv_sec = (time_t)(timeout_ns / 1000000000u),
		.tv_nsec = (long)(timeout_ns % 1000000000u),
	};

	/* Pairs with the peer's store before its wake; spares the syscall when already moved. */
	if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != expected)
		return -EAGAIN;
	if (!semtimedop(rt->id[1], &down, 1, &ts))
		return 0;
	if (errno == EAGAIN)
		return -ETIMEDOUT;
	return errno == EINTR ? -EINTR : 0;	/* EIDRM, EINVAL: removed on close; look again */
}

static void sem_wake_op(void *ctx, __u32 *word)
{
	struct kipc__ring_tp *rt = ctx;
	struct sembuf up = { .sem_num = (unsigned short)!rt->base.side, .sem_op = 1 };

	(void)word;
	semop(rt->id[1], &up, 1);	/* ERANGE at SEMVMX only means it is awake already */
}

static const struct kipc_ring_wait_ops sem_ops = {
	.wait = sem_wait_op,
	.wake = sem_wake_op,
};

static int sysv_probe(void)
{
	int id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);

	if (id < 0)
		return errno == ENOSYS ? -EOPNOTSUPP : -errno;
	semctl(id, 0, IPC_RMID);
	return 0;
}

/* Attach the segment @shmid; mark it for removal when @remove.  0 or -errno. */
static int sysv_attach(int shmid, bool remove, void **mem, size_t *size)
{
	struct shmid_ds ds;

	if (shmctl(shmid, IPC_STAT, &ds))
		return -errno;
	*mem = shmat(shmid, NULL, 0);
	if (*mem == (void *)-1) {
		*mem = NULL;
		return -errno;
	}
	*size = ds.shm_segsz;
	if (remove)
		shmctl(shmid, IPC_RMID, NULL);
	return 0;
}

static int sysv_pair_map(struct kipc__ring_pair *rp, size_t size)
{
	int shmid = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600), ret;

	if (shmid < 0)
		return errno == ENOSYS ? -EOPNOTSUPP : -errno;
	ret = sysv_attach(shmid, true, &rp->mem, &rp->size);
	if (ret) {
		shmctl(shmid, IPC_RMID, NULL);
		return ret;
	}
	rp->id[1] = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
	if (rp->id[1] < 0) {
		ret = -errno;
		shmdt(rp->mem);
	}
	return ret;
}

static void sysv_pair_close(struct kipc__ring_pair *rp, bool destroy)
{
	shmdt(rp->mem);
	if (destroy)
		semctl(rp->id[1], 0, IPC_RMID);
}

static int sysv_create(struct kipc__ring_tp *rt, const char *name, size_t size)
{
	int ret;

	rt->id[1] = semget(kipc__sysv_key(name, "sem"), 2, IPC_CREAT | IPC_EXCL | 0600);
	if (rt->id[1] < 0)
		return -errno;
	rt->id[0] = shmget(kipc__sysv_key(name, "shm"), size, IPC_CREAT | IPC_EXCL | 0600);
	if (rt->id[0] < 0) {
		ret = -errno;
		semctl(rt->id[1], 0, IPC_RMID);
		rt->id[1] = -1;
		return ret;
	}
	return sysv_attach(rt->id[0], false, &rt->mem, &rt->size);
}

static int sysv_open(struct kipc__ring_tp *rt, const char *name)
{
	int shmid = shmget(kipc__sysv_key(name, "shm"), 0, 0);

	if (shmid < 0)
		return -errno;
	rt->id[1] = semget(kipc__sysv_key(name, "sem"), 0, 0);
	if (rt->id[1] < 0)
		return -errno;
	return sysv_attach(shmid, false, &rt->mem, &rt->size);
}

static void sysv_release(struct kipc__ring_tp *rt)
{
	if (rt->mem)
		shmdt(rt->mem);
	if (!rt->owner)
		return;
	if (rt->id[0] >= 0)
		shmctl(rt->id[0], IPC_RMID, NULL);
	if (rt->id[1] >= 0)
		semctl(rt->id[1], 0, IPC_RMID);
}

static const struct kipc__ring_provider sysv = {
	.probe = sysv_probe,
	.pair_map = sysv_pair_map,
	.pair_close = sysv_pair_close,
	.create = sysv_create,
	.open = sysv_open,
	.wait_ops = &sem_ops,
	.release = sysv_release,
};

const struct kipc__backend kipc__tp_sysv_shm = {
	.pub.name = "sysv-shm",
	.pub.summary = "SPSC rings in SysV shared memory (shmget); SysV semaphore wake-ups",
	.pub.flags = KIPC_TRANSPORT_PAIR | KIPC_TRANSPORT_NAMED | KIPC_TRANSPORT_SHARED_MEMORY,
	.ops = &kipc__ring_ops,
	.params = &sysv,
};
