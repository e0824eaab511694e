/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libkipc transports: what the core and the backends share; not installed.
 *
 * Every backend is one struct kipc__backend (its name, flags and ops) and one small
 * file.  Its endpoint struct starts with struct kipc_transport and its pair struct with struct
 * kipc_transport_pair; the core allocates both with the sizes the ops give, so a backend casts
 * (container_of style) and never allocates them itself.
 *
 * The core (core.c) owns everything backends have in common: the table, argument checks, the
 * hello both sides exchange on connecting (which tells each the other's pid), retrying a
 * connect until the server is there, the peer's liveness, the staging buffers, and the
 * fallbacks for optional ops.  Families of backends share one file each: fdio.c (pipes, FIFOs
 * and sockets: length framing on streams, a tag byte on datagrams), ring_shm.c (the ring over
 * any shared mapping, with any wait ops, by copy or in place).
 */
#ifndef KIPC_TRANSPORT_INTERNAL_H
#define KIPC_TRANSPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "kipc-transport.h"

/* How long a blocked call sleeps before it looks whether the peer has died. */
#define KIPC__SLICE_NS		100000000ull
#define KIPC__NS_FOREVER	(~0ull)

/* Names derived from an endpoint's name: "kipc-tp.<name>.<suffix>" and shorter. */
#define KIPC__PATH_MAX		108	/* sun_path */

struct kipc__deadline {
	__s64 timeout_ns;	/* as the caller gave it: < 0 forever, 0 no wait */
	__u64 end;		/* CLOCK_MONOTONIC ns, set on the first look at the clock */
};

struct kipc_transport_ops;

/*
 * struct kipc__backend - one entry of the table: what programs see (@pub), and how it works
 * @pub: name, summary and flags, as kipc_transport_backend() hands them out
 * @ops: the backend's operations
 * @params: the backend family's own (a ring's provider, an fd backend's socket type)
 */
struct kipc__backend {
	struct kipc_transport_backend pub;
	const struct kipc_transport_ops *ops;
	const void *params;
};

/* The table entry behind a public one (the library's own pointers only), or NULL. */
static inline const struct kipc__backend *kipc__backend_of(const struct kipc_transport_backend *pub)
{
	return pub ? (const struct kipc__backend *)((const char *)pub -
						    offsetof(struct kipc__backend, pub)) : NULL;
}

struct kipc_transport {
	const struct kipc__backend *backend;
	unsigned int side;		/* 0 (pair side 0, or the server) or 1 */
	size_t max_msg;			/* the largest message either way */
	unsigned int depth;		/* the attr's, for backends that make queues */
	pid_t peer_pid;			/* from the hello; 0 until then */
	int peer_pidfd;			/* polls readable once the peer has exited; -1 if none */
	bool peer_closed;		/* EOF or a close marker seen: receives give -EPIPE */
	void *tx_stage, *rx_stage;	/* staging buffers of max_msg bytes, made on first use */
	const void *rx_held;		/* what kipc_transport_recv_begin() handed out */
	bool tx_open;			/* kipc_transport_send_begin() without its commit yet */
	__s64 tx_timeout;		/* and its timeout, for the commit */
};

struct kipc_transport_pair {
	const struct kipc__backend *backend;
	struct kipc_transport_attr attr;	/* with the defaults filled in */
};

/*
 * struct kipc_transport_ops - one backend
 * @tp_size, @pair_size: the backend's endpoint and pair structs (at least the core's)
 * @init: optional; make a zeroed endpoint safe to close (descriptors to -1)
 * @probe: 0 when the running system has the mechanism, else -EOPNOTSUPP or -ENODEV
 * @pair_open: make what both sides will use (before fork); the attr is in @pair
 * @pair_side: take side @tp->side of @pair in this process (after fork) and let go of the
 *	other side's share, waiting until @dl where opening needs the peer (FIFOs); the core
 *	frees @pair afterwards
 * @pair_close: drop this process's hold on @pair; with @destroy, also remove its names
 * @serve: create the endpoint @name and wait (until @dl) for a client where that means
 *	something (sockets, FIFOs); the hello then waits for the rest
 * @connect: open the endpoint @name once; -ENOENT, -ECONNREFUSED, -ENXIO or -EAGAIN mean
 *	"not there yet", and the core calls again until the deadline (what the endpoint holds
 *	stays between calls).
 * When pair_side, serve or connect fails, the core calls close on the half-made endpoint.
 * @send, @recv: one message; @recv returns its length
 * @send_begin, @send_commit, @recv_begin, @recv_done: zero-copy, for backends whose messages
 *	live in shared memory or in a buffer of their own; a backend may give these instead of
 *	@send and @recv, and the core builds the others from them.  Waiting may happen in begin
 *	or in commit (whose @dl has the timeout begin was given).
 * @send_batch, @recv_batch, @call: optional; the core loops over @send and @recv without them
 * @connected: optional; after the hello, when both sides are known to be open (FIFOs remove
 *	their names then)
 * @close: tell the peer (EOF, a close marker), release everything, remove what @tp created
 */
struct kipc_transport_ops {
	size_t tp_size;
	size_t pair_size;
	void (*init)(struct kipc_transport *tp);
	int (*probe)(const struct kipc__backend *b);
	int (*pair_open)(struct kipc_transport_pair *pair);
	int (*pair_side)(struct kipc_transport_pair *pair, struct kipc_transport *tp,
			 struct kipc__deadline *dl);
	void (*pair_close)(struct kipc_transport_pair *pair, bool destroy);
	int (*serve)(struct kipc_transport *tp, const char *name, struct kipc__deadline *dl);
	int (*connect)(struct kipc_transport *tp, const char *name);
	int (*send)(struct kipc_transport *tp, const void *buf, size_t len,
		    struct kipc__deadline *dl);
	long (*recv)(struct kipc_transport *tp, void *buf, size_t cap, struct kipc__deadline *dl);
	void *(*send_begin)(struct kipc_transport *tp, size_t len, struct kipc__deadline *dl,
			    int *err);
	int (*send_commit)(struct kipc_transport *tp, size_t len, struct kipc__deadline *dl);
	const void *(*recv_begin)(struct kipc_transport *tp, size_t *len,
				  struct kipc__deadline *dl, int *err);
	int (*recv_done)(struct kipc_transport *tp);
	int (*send_batch)(struct kipc_transport *tp, const struct kipc_transport_msg *msgs,
			  unsigned int count, struct kipc__deadline *dl);
	int (*recv_batch)(struct kipc_transport *tp, struct kipc_transport_msg *msgs,
			  unsigned int count, struct kipc__deadline *dl);
	long (*call)(struct kipc_transport *tp, const void *req, size_t req_len, void *reply,
		     size_t reply_cap, struct kipc__deadline *dl);
	void (*connected)(struct kipc_transport *tp);
	void (*close)(struct kipc_transport *tp);
};

/* ---- core.c: what backends call ------------------------------------------------------------ */

void kipc__deadline_init(struct kipc__deadline *dl, __s64 timeout_ns);
bool kipc__deadline_forever(const struct kipc__deadline *dl);
/* Nanoseconds left: KIPC__NS_FOREVER when waiting for ever, 0 once expired or not waiting. */
__u64 kipc__deadline_left(struct kipc__deadline *dl);

/*
 * Waiting in slices, for backends whose kernel object has no notion of a peer (queues): each
 * blocking attempt lasts at most kipc__slice_ns(); when one times out, kipc__slice_over() says
 * what to do: 0 try again, -EPIPE the peer has died, -ETIMEDOUT or -EAGAIN the caller's
 * deadline has passed.  kipc__slice_ns() returns 0 when the caller does not wait at all.
 */
__u64 kipc__slice_ns(struct kipc__deadline *dl);
int kipc__slice_over(struct kipc_transport *tp, struct kipc__deadline *dl);

/*
 * The same for libkipc's calls: the flags and timeout of one attempt, and what to do after one
 * failed with @err: 0 try again, or the error to return (EIDRM, the peer destroyed the
 * channel on closing, is -EPIPE).
 */
unsigned int kipc__kipc_wait(struct kipc__deadline *dl, __u64 *timeout_ns);
/* The same slice as libkipc's one timeout argument (0: do not wait): for its calls. */
static inline __s64 kipc__lib_slice(struct kipc__deadline *dl)
{
	return (__s64)kipc__slice_ns(dl);
}
int kipc__kipc_retry(struct kipc_transport *tp, int err, struct kipc__deadline *dl);

/* A batch received as single messages: for a case a backend's native batch cannot do. */
int kipc__recv_each(struct kipc_transport *tp, struct kipc_transport_msg *msgs,
		    unsigned int count, struct kipc__deadline *dl);

/* What the kipc module says of itself; -ENODEV when there is no usable /dev/kipc. */
int kipc__kipc_info(struct kipc_info *info);
/* 0 when the module has all of @features, -ENODEV without one, -EOPNOTSUPP without them. */
int kipc__kipc_probe(__u64 features);

/* Whether the peer process has exited (false while unknown). */
bool kipc__peer_gone(struct kipc_transport *tp);

/* The receive staging buffer (max_msg bytes), made on first use; NULL when out of memory. */
void *kipc__rx_stage(struct kipc_transport *tp);

/* A name unique to this process and call, for a pair's kernel objects: "tp<pid>x<n>". */
void kipc__pair_name(char *buf, size_t len);

/* Where sockets and FIFOs live: $KIPC_TRANSPORT_DIR, or /tmp. */
const char *kipc__dir(void);

/* @buf = "<prefix>kipc-tp.<name>.<suffix>"; -ENAMETOOLONG when it does not fit. */
int kipc__name(char *buf, size_t len, const char *prefix, const char *name, const char *suffix);

/* A pair's queue names (a2b, b2a; @len bytes each at @names), as side tp->side uses them. */
void kipc__pair_names(const struct kipc_transport *tp, const char *names, size_t len, char *tx,
		      char *rx);

/*
 * The names of a named endpoint's two queues, as this side uses them: the server sends on
 * "<prefix>kipc-tp.<name>.s2c" and receives on ".c2s", the client the other way round.
 */
int kipc__queue_names(const struct kipc_transport *tp, const char *name, const char *prefix,
		      char *tx, char *rx, size_t len);

/* A SysV IPC key for the endpoint @name and @what, never IPC_PRIVATE. */
int kipc__sysv_key(const char *name, const char *what);

/* Read a number from a /proc file; @def when it cannot be read. */
unsigned long kipc__proc_ulong(const char *path, unsigned long def);

/* Map errors that mean "this system has no such thing" to -EOPNOTSUPP. */
int kipc__unsupported(int err);

/* ---- ring_shm.c: the ring over a mapping, for the shared-memory backends -------------------- */

struct kipc__ring_tp;
struct kipc__ring_pair;

/*
 * struct kipc__ring_provider - where a ring backend's mapping comes from and how it waits
 * @probe: optional; as the backend's probe
 * @pair_map: make a mapping of @size bytes that fork() shares (into @rp->mem), and anything
 *	else both sides need (@rp->fd, @rp->id; -1 when unused)
 * @pair_close: drop this process's hold on what pair_map made; @destroy: remove names too
 * @create: the named mapping @name, of @size bytes (into @rt->mem), for the server
 * @open: the existing one (@rt->mem, @rt->size); -ENOENT or -EAGAIN until it is there
 * @wait_ops: optional; how a side sleeps, with the endpoint (struct kipc__ring_tp) as the ops'
 *	context (neither this nor @wait_setup: futexes)
 * @wait_setup: optional, instead; point @rt->wait_ops and @rt->wait_ctx at how this side
 *	sleeps
 * @release: unmap and close; where @rt->owner, remove the names too
 * @sync_size: optional; bytes the wait method keeps in the mapping, after the two rings (a
 *	lock, semaphores), which kipc__ring_sync() finds
 * @sync_init: optional; format those, in the side that formats the rings and before it does
 */
struct kipc__ring_provider {
	int (*probe)(void);
	int (*pair_map)(struct kipc__ring_pair *rp, size_t size);
	void (*pair_close)(struct kipc__ring_pair *rp, bool destroy);
	int (*create)(struct kipc__ring_tp *rt, const char *name, size_t size);
	int (*open)(struct kipc__ring_tp *rt, const char *name);
	const struct kipc_ring_wait_ops *wait_ops;
	int (*wait_setup)(struct kipc__ring_tp *rt);
	void (*release)(struct kipc__ring_tp *rt);
	size_t sync_size;
	int (*sync_init)(void *sync);
};

/* What a provider keeps: its descriptors, in fields every provider may use as it likes. */
struct kipc__ring_pair {
	struct kipc_transport_pair base;
	void *mem;
	size_t size;
	int fd[2];
	int id[2];
};

struct kipc__ring_tp {
	struct kipc_transport base;
	void *mem;
	size_t size;
	bool owner;			/* created the names */
	char name[KIPC__PATH_MAX];	/* of the mapping, where it has one */
	int fd[2];
	int id[2];
	const struct kipc_ring_wait_ops *wait_ops;
	void *wait_ctx;			/* the endpoint itself, or: */
	struct kipc_ring_doorbell doorbell;
	struct kipc_ring *tx, *rx;
};

/* By copy (send/recv), and in place (the zero-copy ops: the "-inplace" backends). */
extern const struct kipc_transport_ops kipc__ring_ops, kipc__ring_inplace_ops;

/* The provider of a ring backend (its table entry's params). */
static inline const struct kipc__ring_provider *
kipc__ring_provider_of(const struct kipc_transport *tp)
{
	return tp->backend->params;
}

/* The wait method's objects in @rt's mapping: the provider's sync_size bytes. */
void *kipc__ring_sync(const struct kipc__ring_tp *rt);

/*
 * posix_shm.c: the mapping of posix-shm (a pair's unlinked at once, a named one
 * "/kipc-tp.<name>.ring"), for the backends that sleep on it another way.
 */
int kipc__pshm_probe(void);
int kipc__pshm_pair_map(struct kipc__ring_pair *rp, size_t size);
void kipc__pshm_pair_close(struct kipc__ring_pair *rp, bool destroy);
int kipc__pshm_create(struct kipc__ring_tp *rt, const char *name, size_t size);
int kipc__pshm_open(struct kipc__ring_tp *rt, const char *name);
void kipc__pshm_release(struct kipc__ring_tp *rt);

/* kipc_ring.c: the mapping of kipc-ring (a kipc shared-page channel in rt->fd[0]), likewise. */
int kipc__kring_pair_map(struct kipc__ring_pair *rp, size_t size);
void kipc__kring_pair_close(struct kipc__ring_pair *rp, bool destroy);
void kipc__kring_release(struct kipc__ring_tp *rt);

/*
 * pshared.c, a test hook: take the lock that @tp's wait method keeps in the mapping, and keep
 * it, so that a test can kill the process holding it.  0, or -EOPNOTSUPP for a backend that
 * has none (only posix-shm-pmutex has one).
 */
int kipc__ring_sync_lock(struct kipc_transport *tp);

/* ---- fdio.c: pipes, FIFOs and sockets -------------------------------------------------------- */

struct kipc__fd_params {
	int domain, type;	/* socket(2)'s, or 0 for pipes and FIFOs */
	bool framed;		/* a byte stream: each message framed with its length */
};

struct kipc__fd_pair {
	struct kipc_transport_pair base;
	int fd[4];		/* pipes: a2b read, a2b write, b2a read, b2a write; sockets: 0, 1 */
	char dir[KIPC__PATH_MAX];	/* FIFOs: the folder of the two FIFOs */
};

struct kipc__fd_tp {
	struct kipc_transport base;
	int rfd, wfd;			/* the same socket for sockets */
	char path[3][KIPC__PATH_MAX];	/* names to remove(3) once connected (or on close) */
	unsigned char *rxbuf;		/* framed streams: bytes read ahead */
	size_t rx_head, rx_tail;
};

/* The message I/O, shared by pipe.c and socket.c (their ops point here). */
void kipc__fd_init(struct kipc_transport *tp);
void kipc__fd_connected(struct kipc_transport *tp);
/* Once the descriptors are in place: buffers, limits (datagrams), timeouts. */
int kipc__fd_setup(struct kipc__fd_tp *t);
int kipc__fd_send(struct kipc_transport *tp, const void *buf, size_t len,
		  struct kipc__deadline *dl);
long kipc__fd_recv(struct kipc_transport *tp, void *buf, size_t cap, struct kipc__deadline *dl);
int kipc__fd_send_batch(struct kipc_transport *tp, const struct kipc_transport_msg *msgs,
			unsigned int count, struct kipc__deadline *dl);
int kipc__fd_recv_batch(struct kipc_transport *tp, struct kipc_transport_msg *msgs,
			unsigned int count, struct kipc__deadline *dl);
void kipc__fd_close(struct kipc_transport *tp);

/* ---- the backends ---------------------------------------------------------------------------- */

extern const struct kipc__backend kipc__tp_pipe, kipc__tp_fifo, kipc__tp_unix_stream,
	kipc__tp_unix_dgram, kipc__tp_unix_seqpacket, kipc__tp_tcp, kipc__tp_sysv_msg,
	kipc__tp_sysv_shm, kipc__tp_posix_mq, kipc__tp_posix_mq_kipc, kipc__tp_posix_shm,
	kipc__tp_eventfd,
	kipc__tp_kipc_mq, kipc__tp_kipc_mq_batch, kipc__tp_kipc_mq_call, kipc__tp_kipc_rpc, kipc__tp_kipc_ring,
	kipc__tp_kipc_ring_doorbell, kipc__tp_kipc_ring_inplace, kipc__tp_posix_shm_inplace,
	kipc__tp_kipc_pool, kipc__tp_posix_shm_pmutex, kipc__tp_posix_shm_psem,
	kipc__tp_posix_shm_mq, kipc__tp_kipc_ring_mq;

#endif /* KIPC_TRANSPORT_INTERNAL_H */
