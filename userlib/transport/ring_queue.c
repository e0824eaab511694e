// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The ring (ring_shm.c) with its wake-ups carried as messages: each side sleeps receiving
 * from a queue of its own and wakes the peer by sending it "ready".  A queued message keeps a
 * wake that comes before the sleep; a queue that is full (one message) has a wake waiting
 * already, so the send does not wait.  A stale "ready" costs one spurious wake-up, which the
 * ring takes as "look again".
 *
 * "posix-shm-mq": POSIX shared memory (posix_shm.c's mapping) and POSIX message queues.
 * "kipc-ring-mq": a kipc shared-page channel (kipc_ring.c's) and kipc queues; only where
 * /dev/kipc is.
 *
 * Pairs only.  The queues are made with the pair, "/kipc-tp.<pair>.wake0"/"wake1" (unlinked
 * once open) or "kipc-tp.<pair>.wake0"/"wake1" (AUTODESTROY), and the descriptors cross
 * fork(); queue i (in id[i]) is the one side i sleeps on.  A peer's death is the ring's to
 * see, as for every ring backend.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>

#include "transport.h"

#define READY		"ready"
#define READY_LEN	(sizeof(READY) - 1)
#define WAKE_MSG_MAX	8

/*
 * struct queue_provider - a ring provider whose wake-ups are messages
 * @ring: what ring_shm.c sees (first: the table's params point here)
 * @map, @unmap, @release: the mapping's own pair_map, pair_close and release
 * @make: queue @i of the pair @base, which both sides will hold (into @q): 0 or -errno
 * @post: queue READY on @q without waiting; a full queue is not an error
 * @take: receive one message from @q within @timeout_ns: 0, -ETIMEDOUT, -EINTR or -errno
 */
struct queue_provider {
	struct kipc__ring_provider ring;
	int (*map)(struct kipc__ring_pair *rp, size_t size);
	void (*unmap)(struct kipc__ring_pair *rp, bool destroy);
	void (*release)(struct kipc__ring_tp *rt);
	int (*make)(const char *base, unsigned int i, int *q);
	void (*post)(int q);
	int (*take)(int q, __u64 timeout_ns);
};

static const struct queue_provider *queue_provider_of(const struct kipc__backend *b)
{
	return (const struct queue_provider *)((const char *)b->params -
					       offsetof(struct queue_provider, ring));
}

/* ---- POSIX message queues ----------------------------------------------------------------- */

static int pmq_make(const char *base, unsigned int i, int *q)
{
	struct mq_attr a = { .mq_maxmsg = 1, .mq_msgsize = WAKE_MSG_MAX };
	char name[KIPC__PATH_MAX];
	int ret = kipc__name(name, sizeof(name), "/", base, i ? "wake1" : "wake0");
	mqd_t mq;

	if (ret)
		return ret;
	mq = mq_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &a);
	if (mq == (mqd_t)-1)
		return errno == ENOSYS ? -EOPNOTSUPP : -errno;
	mq_unlink(name);
	*q = (int)mq;	/* a descriptor on Linux: it crosses fork() and close() closes it */
	return 0;
}

static void pmq_post(int q)
{
	struct timespec now = { 0 };	/* already past: a full queue does not wait */

	mq_timedsend((mqd_t)q, READY, READY_LEN, 0, &now);
}

static int pmq_take(int q, __u64 timeout_ns)
{
	char buf[WAKE_MSG_MAX];
	struct timespec ts;

	/* mq_timedreceive() knows only CLOCK_REALTIME; a step of it costs one slice at most. */
	clock_gettime(CLOCK_REALTIME, &ts);
	timeout_ns += (__u64)ts.tv_nsec;
	ts.tv_sec += (time_t)(timeout_ns / 1000000000u);
	ts.tv_nsec = (long)(timeout_ns % 1000000000u);
	if (mq_timedreceive((mqd_t)q, buf, sizeof(buf), NULL, &ts) >= 0)
		return 0;
	return -errno;
}

static int pmq_probe(void)
{
	char base[KIPC_NAME_MAX];
	int ret = kipc__pshm_probe(), q;

	if (ret)
		return ret;
	kipc__pair_name(base, sizeof(base));
	ret = pmq_make(base, 0, &q);
	if (ret)
		return ret;
	close(q);
	return 0;
}

/* ---- kipc queues -------------------------------------------------------------------------- */

static int kmq_make(const char *base, unsigned int i, int *q)
{
	char name[KIPC_NAME_MAX];
	int ret = kipc__name(name, sizeof(name), "", base, i ? "wake1" : "wake0");

	if (ret)
		return ret;
	*q = kipc_mq_open(name, KIPC_MQ_ATTR(.create_flags = KIPC_CREATE_EXCL |
					     KIPC_CREATE_AUTODESTROY, .mode = 0600,
					     .access = KIPC_ACCESS_READ | KIPC_ACCESS_WRITE,
					     .max_msgs = 1, .max_msg_size = WAKE_MSG_MAX));
	return *q < 0 ? *q : 0;
}

static void kmq_post(int q)
{
	kipc_send(q, READY, READY_LEN, 0, 0, 0);	/* -EAGAIN when full: awake already */
}

static int kmq_take(int q, __u64 timeout_ns)
{
	char buf[WAKE_MSG_MAX];
	long n = kipc_recv(q, buf, sizeof(buf), NULL, 0, (__s64)timeout_ns);

	return n < 0 ? (int)n : 0;
}

static int kmq_probe(void)
{
	return kipc__kipc_probe(KIPC_FEATURE_SHM | KIPC_FEATURE_MQ);
}

/* ---- what both share ---------------------------------------------------------------------- */

static int queue_wait_op(void *ctx, __u32 *word, __u32 expected, __u64 timeout_ns)
{
	struct kipc__ring_tp *rt = ctx;
	int ret;

	/* Pairs with the peer's store before its send; spares the call when already moved. */
	if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != expected)
		return -EAGAIN;
	ret = queue_provider_of(rt->base.backend)->take(rt->id[rt->base.side], timeout_ns);
	/* -EAGAIN from a queue is a timeout (the ring's -EAGAIN means "the word moved"). */
	return ret == -EAGAIN ? -ETIMEDOUT : ret;
}

static void queue_wake_op(void *ctx, __u32 *word)
{
	struct kipc__ring_tp *rt = ctx;

	(void)word;
	queue_provider_of(rt->base.backend)->post(rt->id[!rt->base.side]);
}

static const struct kipc_ring_wait_ops queue_ops = {
	.wait = queue_wait_op,
	.wake = queue_wake_op,
};

static void queue_pair_close(struct kipc__ring_pair *rp, bool destroy)
{
	const struct queue_provider *qp = queue_provider_of(rp->base.backend);

	qp->unmap(rp, destroy);
	if (rp->id[0] >= 0)
		close(rp->id[0]);
	if (rp->id[1] >= 0)
		close(rp->id[1]);
}

static int queue_pair_map(struct kipc__ring_pair *rp, size_t size)
{
	const struct queue_provider *qp = queue_provider_of(rp->base.backend);
	char base[KIPC_NAME_MAX - 16];
	int ret = qp->map(rp, size);

	if (ret)
		return ret;
	kipc__pair_name(base, sizeof(base));
	ret = qp->make(base, 0, &rp->id[0]);
	if (!ret)
		ret = qp->make(base, 1, &rp->id[1]);
	if (ret)
		queue_pair_close(rp, true);
	return ret;
}

static void queue_release(struct kipc__ring_tp *rt)
{
	queue_provider_of(rt->base.backend)->release(rt);
	if (rt->id[0] >= 0)
		close(rt->id[0]);
	if (rt->id[1] >= 0)
		close(rt->id[1]);
	rt->id[0] = rt->id[1] = -1;
}

/* The provider of @queue's functions on the mapping of kipc__@mapping_*(). */
#define QUEUE_PROVIDER(mapping, queue) {			\
	.ring = {						\
		.probe = queue##_probe,				\
		.pair_map = queue_pair_map,			\
		.pair_close = queue_pair_close,			\
		.wait_ops = &queue_ops,				\
		.release = queue_release,			\
	},							\
	.map = kipc__##mapping##_pair_map,			\
	.unmap = kipc__##mapping##_pair_close,			\
	.release = kipc__##mapping##_release,			\
	.make = queue##_make,					\
	.post = queue##_post,					\
	.take = queue##_take,					\
}

static const struct queue_provider pmq = QUEUE_PROVIDER(pshm, pmq);
static const struct queue_provider kmq = QUEUE_PROVIDER(kring, kmq);

const struct kipc__backend kipc__tp_posix_shm_mq = {
	.pub.name = "posix-shm-mq",
	.pub.summary = "SPSC rings in POSIX shared memory; POSIX message-queue wake-ups (\"ready\")",
	.pub.flags = KIPC_TRANSPORT_PAIR | KIPC_TRANSPORT_SHARED_MEMORY,
	.ops = &kipc__ring_ops,
	.params = &pmq.ring,
};

const struct kipc__backend kipc__tp_kipc_ring_mq = {
	.pub.name = "kipc-ring-mq",
	.pub.summary = "SPSC rings in a kipc shared-page channel; kipc queue wake-ups (\"ready\")",
	.pub.flags = KIPC_TRANSPORT_PAIR | KIPC_TRANSPORT_NEEDS_KIPC |
		     KIPC_TRANSPORT_SHARED_MEMORY,
	.ops = &kipc__ring_ops,
	.params = &kmq.ring,
};
