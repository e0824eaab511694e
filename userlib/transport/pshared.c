// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The ring (ring_shm.c) in POSIX shared memory (posix_shm.c's mapping), sleeping on objects
 * that live in the mapping itself, after the rings:
 *
 * "posix-shm-pmutex": one PTHREAD_PROCESS_SHARED mutex and a condition variable per side.  A
 * side sleeps in pthread_cond_timedwait() on its own while the ring's word holds what it saw,
 * and wakes the peer by signalling the peer's under the mutex.  The word is looked at under
 * the mutex and the waker signals under it, so a wake cannot fall between the look and the
 * sleep.  The mutex is PTHREAD_MUTEX_ROBUST: a peer killed while it holds it hands the next
 * locker EOWNERDEAD.  The mutex guards no data (the ring's indices are atomics); what the dead
 * peer may have left half-done is the condition variables, and nobody else can be using them
 * now (each has one sleeper, one endpoint's thread, and the other is dead), so the survivor
 * formats them again, marks the mutex consistent and carries on.  The peer's death itself is
 * the ring's to report, as for every ring backend: -EPIPE once what the peer sent is taken.
 * What the robust mutex cannot cover: a peer killed inside pthread_cond_signal() itself (a
 * window of well under a microsecond) may leave glibc's lock inside the condition variable
 * held, and a sleeper whose wait then times out blocks on it; no other ring backend has that
 * hazard.
 *
 * "posix-shm-psem": one POSIX semaphore per side (sem_init() with pshared 1).  A side sleeps
 * in sem_clockwait() on its own and wakes the peer with sem_post() on the peer's; the count
 * keeps a wake that comes before the sleep.  A semaphore has no owner to die holding it.
 *
 * Both work named as well as in pairs: the objects are in the named mapping, and the server
 * formats them before the rings, so a client that finds the rings finds them too.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <time.h>

#include "transport.h"

/* CLOCK_MONOTONIC @timeout_ns from now, for the calls that take an absolute time. */
static struct timespec abs_after(__u64 timeout_ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	timeout_ns += (__u64)ts.tv_nsec;
	ts.tv_sec += (time_t)(timeout_ns / 1000000000u);
	ts.tv_nsec = (long)(timeout_ns % 1000000000u);
	return ts;
}

/* ---- posix-shm-pmutex ------------------------------------------------------------------- */

struct pmutex_sync {
	pthread_mutex_t lock;
	pthread_cond_t wake[2];		/* per side: what that side sleeps on */
};

static int pmutex_cond_init(pthread_cond_t *cond)
{
	pthread_condattr_t attr;
	int ret = pthread_condattr_init(&attr);

	if (ret)
		return -ret;
	ret = pthread_condattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	if (!ret)
		ret = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (!ret)
		ret = pthread_cond_init(cond, &attr);
	pthread_condattr_destroy(&attr);
	return -ret;
}

static int pmutex_sync_init(void *mem)
{
	struct pmutex_sync *s = mem;
	pthread_mutexattr_t attr;
	int ret = pthread_mutexattr_init(&attr);

	if (ret)
		return -ret;
	ret = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	if (!ret)
		ret = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	if (!ret)
		ret = pthread_mutex_init(&s->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	if (ret)
		return ret == ENOTSUP ? -EOPNOTSUPP : -ret;
	ret = pmutex_cond_init(&s->wake[0]);
	return ret ? ret : pmutex_cond_init(&s->wake[1]);
}

/*
 * After EOWNERDEAD: the lock is ours and its owner, the peer, is dead.  Its condition
 * variables may be half-changed; only this thread can be using them now (it is not waiting on
 * either), so they are made afresh.  Then the mutex is consistent again.
 */
static void pmutex_recover(struct pmutex_sync *s)
{
	pmutex_cond_init(&s->wake[0]);
	pmutex_cond_init(&s->wake[1]);
	pthread_mutex_consistent(&s->lock);
}

/* A lock call's answer, EOWNERDEAD handled: 0 with the lock held, or -errno without it. */
static int pmutex_locked(struct pmutex_sync *s, int ret)
{
	if (ret == EOWNERDEAD) {
		pmutex_recover(s);
		return 0;
	}
	/* Only after a survivor unlocked without making it consistent, which this file never
	 * does: the lock is gone for good, and so is the peer.
	 */
	return ret == ENOTRECOVERABLE ? -EPIPE : -ret;
}

static int pmutex_wait_op(void *ctx, __u32 *word, __u32 expected, __u64 timeout_ns)
{
	struct kipc__ring_tp *rt = ctx;
	struct pmutex_sync *s = kipc__ring_sync(rt);
	struct timespec end;
	int ret;

	/* Spares the lock when the word has moved already. */
	if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != expected)
		return -EAGAIN;
	end = abs_after(timeout_ns);
	ret = pmutex_locked(s, pthread_mutex_lock(&s->lock));
	if (ret)
		return ret;
	/* relaxed: the peer bumps the word before it takes the lock to signal; the lock orders. */
	while (!ret && __atomic_load_n(word, __ATOMIC_RELAXED) == expected)
		ret = pthread_cond_timedwait(&s->wake[rt->base.side], &s->lock, &end);
	if (ret == EOWNERDEAD) {
		/* The lock is held again, left by a dead peer: look again, the ring will know. */
		pmutex_recover(s);
		ret = 0;
	}
	pthread_mutex_unlock(&s->lock);
	return ret == ETIMEDOUT ? -ETIMEDOUT : -ret;
}

static void pmutex_wake_op(void *ctx, __u32 *word)
{
	struct kipc__ring_tp *rt = ctx;
	struct pmutex_sync *s = kipc__ring_sync(rt);

	(void)word;
	/* A lock that is gone for good has no sleeper to wake. */
	if (pmutex_locked(s, pthread_mutex_lock(&s->lock)))
		return;
	pthread_cond_signal(&s->wake[!rt->base.side]);
	pthread_mutex_unlock(&s->lock);
}

static const struct kipc_ring_wait_ops pmutex_ops = {
	.wait = pmutex_wait_op,
	.wake = pmutex_wake_op,
};

int kipc__ring_sync_lock(struct kipc_transport *tp)
{
	struct pmutex_sync *s;

	if (tp->backend != &kipc__tp_posix_shm_pmutex)
		return -EOPNOTSUPP;
	s = kipc__ring_sync((struct kipc__ring_tp *)tp);
	return pmutex_locked(s, pthread_mutex_lock(&s->lock));
}

/* ---- posix-shm-psem --------------------------------------------------------------------- */

struct psem_sync {
	sem_t wake[2];			/* per side: what that side sleeps on */
};

static int psem_sync_init(void *mem)
{
	struct psem_sync *s = mem;

	if (sem_init(&s->wake[0], 1, 0) || sem_init(&s->wake[1], 1, 0))
		return errno == ENOSYS ? -EOPNOTSUPP : -errno;
	return 0;
}

static int psem_wait_op(void *ctx, __u32 *word, __u32 expected, __u64 timeout_ns)
{
	struct kipc__ring_tp *rt = ctx;
	struct psem_sync *s = kipc__ring_sync(rt);
	struct timespec end;

	/* Pairs with the peer's store before its post; spares the call when already moved. */
	if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != expected)
		return -EAGAIN;
	end = abs_after(timeout_ns);
	if (!sem_clockwait(&s->wake[rt->base.side], CLOCK_MONOTONIC, &end))
		return 0;
	return errno == ETIMEDOUT ? -ETIMEDOUT : -errno;
}

static void psem_wake_op(void *ctx, __u32 *word)
{
	struct kipc__ring_tp *rt = ctx;
	struct psem_sync *s = kipc__ring_sync(rt);

	(void)word;
	sem_post(&s->wake[!rt->base.side]);	/* EOVERFLOW at SEM_VALUE_MAX: awake already */
}

static const struct kipc_ring_wait_ops psem_ops = {
	.wait = psem_wait_op,
	.wake = psem_wake_op,
};

/* ---- the backends ----------------------------------------------------------------------- */

#define PSHM_MAPPING					\
	.probe = kipc__pshm_probe,			\
	.pair_map = kipc__pshm_pair_map,		\
	.pair_close = kipc__pshm_pair_close,		\
	.create = kipc__pshm_create,			\
	.open = kipc__pshm_open,			\
	.release = kipc__pshm_release

static const struct kipc__ring_provider pmutex = {
	PSHM_MAPPING,
	.wait_ops = &pmutex_ops,
	.sync_size = sizeof(struct pmutex_sync),
	.sync_init = pmutex_sync_init,
};

static const struct kipc__ring_provider psem = {
	PSHM_MAPPING,
	.wait_ops = &psem_ops,
	.sync_size = sizeof(struct psem_sync),
	.sync_init = psem_sync_init,
};

#define PSHARED_FLAGS	(KIPC_TRANSPORT_PAIR | KIPC_TRANSPORT_NAMED | KIPC_TRANSPORT_SHARED_MEMORY)

const struct kipc__backend kipc__tp_posix_shm_pmutex = {
	.pub.name = "posix-shm-pmutex",
	.pub.summary = "SPSC rings in POSIX shared memory; robust shared mutex + condvar wake-ups",
	.pub.flags = PSHARED_FLAGS,
	.ops = &kipc__ring_ops,
	.params = &pmutex,
};

const struct kipc__backend kipc__tp_posix_shm_psem = {
	.pub.name = "posix-shm-psem",
	.pub.summary = "SPSC rings in POSIX shared memory; POSIX semaphore wake-ups (sem_init)",
	.pub.flags = PSHARED_FLAGS,
	.ops = &kipc__ring_ops,
	.params = &psem,
};
