/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libkipc: the user-space API of kipc.
 *
 * Every function returns a non-negative value on success and -errno on failure; none of them
 * sets errno.  kipc_strerror() turns such a value into one sentence that says what to do.
 */
#ifndef KIPC_H
#define KIPC_H

#include <stddef.h>

#include <kipc/uapi.h>	/* the uapi header, uapi/linux/kipc.h, as installed */

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Timeouts.  Every call of libkipc and libkipc-transport that can wait takes the same
 * __s64 timeout_ns, last among its inputs:
 *   KIPC_FOREVER (any value < 0)  wait for as long as it takes
 *   0                              do not wait: -EAGAIN when it would have to
 *   > 0                            wait at most that many nanoseconds, then -ETIMEDOUT
 * The message and doorbell calls also take flags, of which only KIPC_MSG_ABSTIME is the
 * caller's: then @timeout_ns (>= 0) is a CLOCK_MONOTONIC deadline (one already past is
 * -ETIMEDOUT at once, and KIPC_FOREVER with it is -EINVAL).  KIPC_MSG_NONBLOCK and
 * KIPC_MSG_TIMEOUT are the ioctl's encoding of the timeout, which the library makes: given
 * to it they are -EINVAL.  An fd opened O_NONBLOCK never waits, whatever the timeout (but for
 * kipc_call(), whose own timeout alone rules it).
 */
#define KIPC_FOREVER		(-1)

/* The device kipc_open() opens unless the KIPC_DEVICE environment variable names another. */
#define KIPC_DEFAULT_DEVICE	KIPC_DEVICE_PATH

/*
 * kipc_open_path() - open a kipc device and check that it is one
 * @path: the device node
 * @flags: open(2) flags beyond O_RDWR|O_CLOEXEC (O_NONBLOCK is the only one that matters)
 *
 * Return: a file descriptor, or
 *   -ENOENT  the node does not exist (the module is not loaded),
 *   -EACCES  no permission to open it,
 *   -ENODEV  it exists but is not a kipc device,
 *   -EPROTO  the module speaks an ABI this library does not know,
 *   or another -errno from open(2).
 */
int kipc_open_path(const char *path, int flags);

/* kipc_open() - kipc_open_path() on $KIPC_DEVICE, or on /dev/kipc. */
int kipc_open(int flags);

/*
 * kipc_get_info() - what the module is and what it can do (KIPC_IOC_INFO)
 * @fd: an open kipc device
 * @info: filled in; the caller need not initialise it
 *
 * Return: 0, or -errno from the ioctl.
 */
int kipc_get_info(int fd, struct kipc_info *info);

/*
 * kipc_has_feature() - whether the module behind @fd implements all of @features
 *
 * Return: 1 when it does, 0 when it does not, -errno when the module cannot be asked.
 */
int kipc_has_feature(int fd, __u64 features);

/*
 * kipc_feature_name() - the name of one KIPC_FEATURE_* bit: "info", "mq", "batch", ...
 *
 * Return: a static string, or NULL for a bit this library does not know.
 */
const char *kipc_feature_name(__u64 feature);

/* ---- Channels ----------------------------------------------------------------------------
 * The raw wrappers take the uapi struct, set its size field and return 0 or -errno.
 */
int kipc_create(int fd, struct kipc_create *arg);
int kipc_attach(int fd, struct kipc_attach *arg);
int kipc_stat(int fd, struct kipc_stat *arg);
int kipc_list(int fd, struct kipc_list *arg);

/* kipc_destroy() - remove the channel @name; @flags: KIPC_DESTROY_NOW or 0. */
int kipc_destroy(int fd, const char *name, unsigned int flags);

/* kipc_stat_name(), kipc_stat_self() - stat by name, or the channel @fd is attached to. */
int kipc_stat_name(int fd, const char *name, struct kipc_stat *st);
int kipc_stat_self(int fd, struct kipc_stat *st);

/*
 * kipc_list_all() - the channels of the caller's IPC namespace
 * @entries: room for @count entries
 * @total: if not NULL, the number of channels there are (may exceed @count)
 *
 * Return: the number of entries written, or -errno.
 */
int kipc_list_all(int fd, struct kipc_list_entry *entries, unsigned int count,
		  unsigned int *total);

/*
 * struct kipc_mq_attr - what kipc_mq_open() creates or opens
 * @size: sizeof(struct kipc_mq_attr) as the caller was built: the struct grows at its end, as
 *	the uapi's do, and a library given a larger one refuses a non-zero byte it does not
 *	know (-E2BIG); at least KIPC_MQ_ATTR_SIZE_VER0
 * @create_flags: KIPC_CREATE_* (0 opens an existing queue or creates it)
 * @mode: permission bits of a new queue
 * @access: KIPC_ACCESS_* of the new fd
 * @max_msgs, @max_msg_size: a new queue's limits, 0 for the module's defaults
 * @overflow: KIPC_OVERFLOW_* of a new queue (0: KIPC_OVERFLOW_BLOCK)
 * @__reserved: 0
 *
 * KIPC_MQ_ATTR(...) makes one in place, its size set and every field not named 0, e.g.
 * kipc_mq_open("jobs", KIPC_MQ_ATTR(.mode = 0660, .access = KIPC_ACCESS_READ, .max_msgs = 64)).
 */
struct kipc_mq_attr {
	__u32 size;
	__u32 create_flags;
	__u32 mode;
	__u32 access;
	__u32 max_msgs;
	__u32 max_msg_size;
	__u32 overflow;
	__u32 __reserved;
};

#define KIPC_MQ_ATTR_SIZE_VER0	32
/* C only (a compound literal); from C++, fill a struct kipc_mq_attr with its size. */
#define KIPC_MQ_ATTR(...) \
	(&(const struct kipc_mq_attr){ .size = sizeof(struct kipc_mq_attr), __VA_ARGS__ })

/*
 * kipc_mq_open() - open /dev/kipc (or $KIPC_DEVICE), create or open the message queue @name and
 * attach the new fd to it.
 * @attr: what to create or open; NULL for the defaults: create or open, mode 0600, read and
 *	write, the module's limits
 *
 * Return: the attached fd, or -errno (-EINVAL for a bad @attr->size or reserved field,
 * -E2BIG for a non-zero field this library does not know).
 */
int kipc_mq_open(const char *name, const struct kipc_mq_attr *attr);

/* kipc_mq_attach() - open the device and attach the new fd to the existing channel @name. */
int kipc_mq_attach(const char *name, unsigned int access);

/* ---- Messages ----------------------------------------------------------------------------
 * @flags, @timeout_ns: see Timeouts above.  A wait that SIGSTOP and SIGCONT (or an
 * SA_RESTART handler) interrupt goes on for the time that was left.
 */

/*
 * kipc_send() - queue one message.
 *
 * Return: KIPC_SEND_QUEUED (0); KIPC_SEND_DROPPED (1) when a full KIPC_OVERFLOW_DROP queue
 * held only higher priorities and dropped this message instead; or -errno.
 */
int kipc_send(int fd, const void *buf, size_t len, unsigned int priority, unsigned int flags,
	      __s64 timeout_ns);

/*
 * kipc_recv() - take the highest-priority, oldest message.
 * @priority: if not NULL, the message's priority
 *
 * Return: the message's length, or -errno (-EMSGSIZE: @len is too small, the message stays).
 */
long kipc_recv(int fd, void *buf, size_t len, unsigned int *priority, unsigned int flags,
	       __s64 timeout_ns);

/* kipc_send_batch(), kipc_recv_batch() - Return: messages done (> 0), or -errno. */
int kipc_send_batch(int fd, struct kipc_msg_vec *vec, unsigned int count, unsigned int flags,
		    __s64 timeout_ns);
int kipc_recv_batch(int fd, struct kipc_msg_vec *vec, unsigned int count, unsigned int flags,
		    __s64 timeout_ns);

/*
 * kipc_call() - send a request on @fd and wait for the reply on @reply_fd, in one syscall.
 * @flags and @timeout_ns rule the whole call (one deadline for the send and the reply); the
 * fds' O_NONBLOCK does not count.
 *
 * Return: the reply's length, or -errno: -EIDRM when @reply_fd's queue was destroyed with
 * KIPC_DESTROY_NOW (nothing was sent); -ECANCELED when a DROP queue dropped the request on
 * arrival; -EINTR once the request is out and a signal interrupts the wait for the reply
 * (the request is never sent twice: receive the reply from @reply_fd).
 */
long kipc_call(int fd, const void *req, size_t req_len, unsigned int req_priority, int reply_fd,
	       void *reply, size_t reply_len, unsigned int *reply_priority, unsigned int flags,
	       __s64 timeout_ns);

/* ---- Shared-page channels -----------------------------------------------------------------
 */

/*
 * kipc_shm_open() - open the device, create or open the shared-page channel @name and attach
 * the new fd to it.
 * @create_flags: KIPC_CREATE_*
 * @size: bytes for a new channel (rounded up to pages); 0 opens an existing channel only
 *
 * Return: the attached fd, or -errno.
 */
int kipc_shm_open(const char *name, unsigned int create_flags, unsigned int mode,
		  unsigned int access, __u64 size);

/*
 * kipc_shm_map() - map the whole channel behind @fd, MAP_SHARED
 * @prot: PROT_READ, or PROT_READ | PROT_WRITE (needs a writable attachment)
 * @size: if not NULL, the mapping's size
 *
 * Return: the address, or NULL with *@err set to -errno (when @err is not NULL).
 */
void *kipc_shm_map(int fd, int prot, size_t *size, int *err);

/* kipc_shm_unmap() - undo kipc_shm_map().  Return: 0 or -errno. */
int kipc_shm_unmap(void *addr, size_t size);

/* kipc_notify() - ring the doorbell; @seq (if not NULL) gets the new sequence. */
int kipc_notify(int fd, __u64 *seq);

/*
 * kipc_wait() - sleep until the doorbell's sequence differs from @seq
 * @now: if not NULL, the sequence now
 *
 * Return: 0, or -errno (-ETIMEDOUT, -EAGAIN for a timeout of 0, -EINTR, -EIDRM).
 */
int kipc_wait(int fd, __u64 seq, unsigned int flags, __s64 timeout_ns, __u64 *now);

/* ---- Segment pool: zero-copy hand-off of large buffers ---------------------------------------
 * A pool "P" is nseg shared-page segments ("P.0" ...) that both sides map, and two queues of
 * segment ids: "P.free" and "P.ready".  A sender takes a free segment, fills it in place and
 * submits its id; the receiver reads it in place and releases it.
 */
struct kipc_pool;

/* kipc_pool_create() - create the pool's channels (names must be free) and map the segments. */
int kipc_pool_create(const char *name, unsigned int nseg, size_t seg_size, unsigned int mode,
		     struct kipc_pool **out);

/* kipc_pool_attach() - open an existing pool; its geometry comes from the channels. */
int kipc_pool_attach(const char *name, struct kipc_pool **out);

/*
 * kipc_pool_get() - take a free segment to fill (waits as kipc_recv() does)
 * @id: out: its id, for kipc_pool_submit()
 *
 * Return: the segment's address in this process, or NULL with *@err = -errno.
 */
void *kipc_pool_get(struct kipc_pool *p, unsigned int *id, unsigned int flags,
		    __s64 timeout_ns, int *err);

/* kipc_pool_submit() - hand segment @id, holding @len bytes, to the receiver. */
int kipc_pool_submit(struct kipc_pool *p, unsigned int id, size_t len);

/* kipc_pool_receive() - the next filled segment: its address, with its @id and @len. */
void *kipc_pool_receive(struct kipc_pool *p, unsigned int *id, size_t *len, unsigned int flags,
			__s64 timeout_ns, int *err);

/* kipc_pool_release() - give segment @id back to the free list. */
int kipc_pool_release(struct kipc_pool *p, unsigned int id);

size_t kipc_pool_segment_size(const struct kipc_pool *p);
unsigned int kipc_pool_segments(const struct kipc_pool *p);

/* kipc_pool_close() - unmap and close; with @destroy, also remove the pool's names. */
void kipc_pool_close(struct kipc_pool *p, int destroy);

/*
 * kipc_strerror() - one sentence for a value returned by this library
 * @err: a negative errno returned by a libkipc function
 *
 * For the errors of opening the device the sentence says what to do about them; for any
 * other it is strerror()'s.  The string is static and must not be freed.
 */
const char *kipc_strerror(int err);

/* ---- Shared-memory ring ------------------------------------------------------------------
 * A single-producer, single-consumer ring of messages in memory both sides map: a memfd, POSIX
 * shm, MAP_SHARED|MAP_ANONYMOUS before fork(), or a kipc shared-page channel.  The mapping is a
 * KIPC_RING_HDR_SIZE header followed by the data area, whose size is a power of two between
 * KIPC_RING_MIN_DATA and KIPC_RING_MAX_DATA.  Each message takes KIPC_RING_REC_SIZE(len) bytes of
 * it; a message larger than the data area travels in chunks and is reassembled in the caller's
 * buffer.  Sending or receiving costs no syscall unless the other side sleeps.  Messages of up
 * to half the data area can also be written and read in place (kipc_ring_reserve() below).
 *
 * Timeouts (@timeout_ns): as everywhere (KIPC_FOREVER, 0, or the longest wait in ns; see
 * Timeouts above); a signal does not end a wait.  A blocked side checks every
 * KIPC_RING_CHECK_NS whether the peer process still exists and returns -EPIPE once it does not,
 * even when waiting for ever (a call that does not wait makes no such check).
 */
#define KIPC_RING_HDR_SIZE	512
#define KIPC_RING_MIN_DATA	256u
#define KIPC_RING_MAX_DATA	0x80000000u
#define KIPC_RING_MAX_MSG	0x7fffffffu
#define KIPC_RING_REC_SIZE(len)	(16 + (((__u64)(len) + 7) & ~(__u64)7))
#define KIPC_RING_CHECK_NS	100000000u
/* A side that would sleep spins this long first (ns; $KIPC_RING_SPIN_NS overrides it). */
#define KIPC_RING_SPIN_NS	50000u
#define KIPC_RING_SPIN_MAX_NS	100000000u

/* kipc_ring_attach() flags: exactly one of the first two. */
#define KIPC_RING_PRODUCER	(1u << 0)
#define KIPC_RING_CONSUMER	(1u << 1)
#define KIPC_RING_WAIT_OPS	(1u << 2)	/* wait with the ops given, not with futexes */
#define KIPC_RING_NO_PEER_CHECK	(1u << 3)	/* the peer's pid means nothing here (pid ns) */
#define KIPC_RING_ATTACH_FLAGS	(KIPC_RING_PRODUCER | KIPC_RING_CONSUMER | \
				 KIPC_RING_WAIT_OPS | KIPC_RING_NO_PEER_CHECK)

struct kipc_ring;

/*
 * struct kipc_ring_wait_ops - how a side sleeps and wakes the other
 * @wait: sleep while *@word == @expected, for at most @timeout_ns (never 0, never more than
 *	KIPC_RING_CHECK_NS).  The check and the sleep must be atomic with respect to @wake, as
 *	FUTEX_WAIT's are: a wake between them must not be lost.  @word is in the shared mapping
 *	and changed by the other process: read it with an atomic load.  Return 0 (woken, or
 *	spuriously), -EAGAIN (*@word != @expected), -ETIMEDOUT, -EINTR, or another -errno, which
 *	the ring's call then returns.
 * @wake: wake whoever sleeps on @word.  It cannot fail: a lost wake costs the sleeper at most
 *	KIPC_RING_CHECK_NS.
 */
struct kipc_ring_wait_ops {
	int (*wait)(void *ctx, __u32 *word, __u32 expected, __u64 timeout_ns);
	void (*wake)(void *ctx, __u32 *word);
};

/* kipc_ring_futex_ops() - the default ops: FUTEX_WAIT/FUTEX_WAKE on the shared word; @ctx is
 * unused.  (A function, not an object: the library exports no data.) */
const struct kipc_ring_wait_ops *kipc_ring_futex_ops(void);

/*
 * kipc_ring_init() - format @mem as an empty ring
 * @mem: the mapping, 8-byte aligned (cache-line aligned, as mmap() gives, is best)
 * @size: its size; the data area is the largest power of two that fits after the header
 * @flags: 0
 *
 * Done once, by the creator, before any side attaches; never while one is attached.
 *
 * Return: 0, or -EINVAL (@mem misaligned or NULL, @size too small, @flags not 0).
 */
int kipc_ring_init(void *mem, size_t size, unsigned int flags);

/*
 * kipc_ring_attach() - take one side of the ring in @mem
 * @ringp: receives the handle, for kipc_ring_close() to free
 * @size: the size of the caller's mapping of @mem
 * @flags: KIPC_RING_PRODUCER or KIPC_RING_CONSUMER, and KIPC_RING_WAIT_OPS,
 *	KIPC_RING_NO_PEER_CHECK
 * @ops, @ops_ctx: with KIPC_RING_WAIT_OPS, the wait ops and their first argument; else NULL
 *
 * Each side is taken once per kipc_ring_init(), by the process that will use it (attach after
 * fork(), not before: the pid recorded is the peer's liveness check).
 *
 * Return: 0, or
 *   -EINVAL  bad flags or ops, @mem does not hold a ring, or @size is smaller than the ring,
 *   -EPROTO  @mem holds a ring of another version or with an inconsistent header,
 *   -EBUSY   that side is already taken,
 *   -ENOMEM.
 */
int kipc_ring_attach(struct kipc_ring **ringp, void *mem, size_t size, unsigned int flags,
		     const struct kipc_ring_wait_ops *ops, void *ops_ctx);

/*
 * kipc_ring_send() - queue the message @buf, @len bytes (producer)
 *
 * A message larger than the ring goes in chunks as the consumer makes room.  If the call ends
 * early (-EAGAIN, -ETIMEDOUT) part of such a message may be in the ring: calling again with
 * the same @buf and @len sends the rest; any other message abandons it, and the consumer
 * never returns it.
 *
 * Return: 0, or -EAGAIN/-ETIMEDOUT (no room in time), -EPIPE (the consumer has closed or
 * gone), -EMSGSIZE (@len > KIPC_RING_MAX_MSG), -EINVAL (not the producer), -EPROTO (the ring
 * is corrupt), or an error of the wait op.
 */
int kipc_ring_send(struct kipc_ring *ring, const void *buf, size_t len, __s64 timeout_ns);

/*
 * kipc_ring_recv() - take the next message into @buf, which holds @cap bytes (consumer)
 *
 * If the call ends early (-EAGAIN, -ETIMEDOUT) while a chunked message is half copied,
 * calling again with the same @buf continues it; another buffer abandons it, and its remaining
 * chunks are dropped.
 *
 * Return: the message's length, or -EMSGSIZE (@cap is too small; the message stays queued),
 * -EAGAIN/-ETIMEDOUT (nothing in time), -EPIPE (the producer has closed or gone and everything
 * it queued has been taken), -EINVAL (not the consumer), -EPROTO (the ring is corrupt), or an
 * error of the wait op.
 */
long kipc_ring_recv(struct kipc_ring *ring, void *buf, size_t cap, __s64 timeout_ns);

/*
 * kipc_ring_close() - close this side and free @ring (NULL is ignored)
 *
 * The peer's calls then return -EPIPE: the producer's at once, the consumer's once it has
 * taken what is queued.  The mapping stays the caller's to unmap.
 */
void kipc_ring_close(struct kipc_ring *ring);

/*
 * kipc_ring_set_spin() - how long this side spins, re-checking the ring, before it sleeps
 * @spin_ns: 0 sleeps at once; at most KIPC_RING_SPIN_MAX_NS
 *
 * The default is KIPC_RING_SPIN_NS, or $KIPC_RING_SPIN_NS when set at attach.  A side never
 * spins on a machine with one CPU online, nor while the peer sleeps waiting for it.
 * Return: 0, or -EINVAL.
 */
int kipc_ring_set_spin(struct kipc_ring *ring, __u64 spin_ns);

/* kipc_ring_spin_ns() - the time this side has spent spinning so far, in nanoseconds. */
__u64 kipc_ring_spin_ns(const struct kipc_ring *ring);

/* ---- The ring in place -------------------------------------------------------------------
 * A message written and read where it lies in the ring, without kipc_ring_send()'s copy in or
 * kipc_ring_recv()'s copy out.  The rule: a reservation is always one contiguous span (the
 * library skips the rest of the data area with a pad record where it would wrap), so it holds
 * at most kipc_ring_inplace_max() bytes, half the data area less a record header.  A peek gives
 * up to two spans: a message made in place is always in the first alone; one sent with
 * kipc_ring_send() may straddle the end of the data area, and its second part is then at its
 * start.  Messages made either way interleave on one ring, in order.  A message larger than
 * the data area, which kipc_ring_send() sends in chunks, cannot be made or read in place.
 * The bytes are the peer's shared memory: a consumer that does not trust its producer must
 * expect them to change while it reads them.  Both sides of a ring written in place need this
 * library or later (KIPC_0.3): an older consumer takes the pad record for corruption.
 */

/* struct kipc_ring_span - where part of a peeked message lies; @buf is NULL when @len is 0. */
struct kipc_ring_span {
	const void *buf;
	size_t len;
};

/* kipc_ring_inplace_max() - the largest message kipc_ring_reserve() takes (0 for NULL). */
size_t kipc_ring_inplace_max(const struct kipc_ring *ring);

/*
 * kipc_ring_reserve() - room for the next message, @len bytes, to write in place (producer)
 * @bufp: receives where to write them, one contiguous span, 8-byte aligned
 *
 * Waits for the room as kipc_ring_send() does, with the same timeout and peer-liveness rules.
 * Nothing is sent until kipc_ring_commit(); a send, or another reserve, abandons the room.
 * Like a send of another message, it abandons a message a send left half sent.
 *
 * Return: 0, or -EAGAIN/-ETIMEDOUT (no room in time), -EPIPE (the consumer has closed or
 * gone), -EMSGSIZE (@len > kipc_ring_inplace_max()), -EINVAL (not the producer, or @bufp is
 * NULL), -EPROTO (the ring is corrupt), or an error of the wait op.
 */
int kipc_ring_reserve(struct kipc_ring *ring, size_t len, void **bufp, __s64 timeout_ns);

/*
 * kipc_ring_commit() - send the first @len bytes of the room reserved (producer)
 *
 * Publishes them and wakes a sleeping consumer, as kipc_ring_send() does; it never waits.
 * The writes into the room must come before it in this thread (or happen before it).
 * Return: 0, or -EINVAL (no room reserved, @len larger than the room, or not the producer).
 */
int kipc_ring_commit(struct kipc_ring *ring, size_t len);

/*
 * kipc_ring_peek() - the next message, where it lies in the ring (consumer)
 * @span: receives its bytes: @span[0], then @span[1] (empty unless a sent message wraps)
 *
 * Waits as kipc_ring_recv() does.  The message stays in the ring until kipc_ring_release();
 * peeking again gives it again, and kipc_ring_recv() takes it by copy instead.  Like a receive
 * into another buffer, it abandons a message a receive left half received.
 *
 * Return: the message's length, or -EMSGSIZE (it came in chunks, larger than the data area:
 * it stays queued for kipc_ring_recv()), -EAGAIN/-ETIMEDOUT, -EPIPE, -EINVAL (not the
 * consumer, or @span is NULL), -EPROTO, or an error of the wait op, as kipc_ring_recv().
 */
long kipc_ring_peek(struct kipc_ring *ring, struct kipc_ring_span span[2], __s64 timeout_ns);

/*
 * kipc_ring_release() - free the room of the message peeked (consumer)
 *
 * Wakes a sleeping producer as kipc_ring_recv() does.  The reads of the message must come
 * before it in this thread (or happen before it); its bytes are the producer's after it.
 * Return: 0, or -EINVAL (nothing peeked, or not the consumer).
 */
int kipc_ring_release(struct kipc_ring *ring);

/* ---- Ring wake-ups through the kipc doorbell ---------------------------------------------
 * For a ring in a kipc shared-page channel: sleep in KIPC_IOC_WAIT and wake with
 * KIPC_IOC_NOTIFY instead of futexes, so a side can also wait for the ring in poll/epoll.
 * Pass kipc_ring_doorbell_ops() with KIPC_RING_WAIT_OPS and a struct kipc_ring_doorbell set up by
 * kipc_ring_doorbell_init() as the ops' context; the fd needs read and write access.
 */
struct kipc_ring_doorbell {
	int fd;
	__u64 seen;	/* the doorbell's sequence when this side last looked */
};

const struct kipc_ring_wait_ops *kipc_ring_doorbell_ops(void);

/* kipc_ring_doorbell_init() - Return: 0, or -errno when @fd is not a doorbell it can use. */
int kipc_ring_doorbell_init(struct kipc_ring_doorbell *db, int fd);

#ifdef __cplusplus
}
#endif

#endif /* KIPC_H */
