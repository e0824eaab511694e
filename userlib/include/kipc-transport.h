/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libkipc-transport: one message API over kipc's channels and the native IPC mechanisms, for
 * workloads (kipc-bench's among them) that should run on any of them.  It is a library of its
 * own, beside libkipc: link with -lkipc-transport -lkipc, or
 * $(pkg-config --cflags --libs kipc-transport).
 *
 * Every function returns a non-negative value on success and -errno on failure; none of them
 * sets errno.  kipc_strerror() (libkipc) turns such a value into a sentence.
 */
#ifndef KIPC_TRANSPORT_H
#define KIPC_TRANSPORT_H

#include <stddef.h>

#include <kipc.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Transports ----------------------------------------------------------------------------
 * One interface over every IPC mechanism: kipc's message queues, shared-page rings and segment
 * pool, and the native ones (pipes, FIFOs, Unix and TCP-loopback sockets, SysV and POSIX queues
 * and shared memory, eventfd).  An endpoint sends messages to its peer and receives the
 * peer's, in order and with their boundaries (stream backends frame each message with its
 * length).  kipc_transport_backend() lists the backends; each is one small file in
 * userlib/transport/.
 *
 * Connecting:
 *  - a pair, for use across fork(): kipc_transport_pair() before the fork, then each of the
 *    two processes takes one side with kipc_transport_pair_side() (0 in one, 1 in the other);
 *    a third process that takes no side drops its hold with kipc_transport_pair_close(p, 0);
 *  - a named endpoint: kipc_transport_serve() in the server, kipc_transport_connect() in the
 *    client; names are 1..KIPC_TRANSPORT_NAME_MAX bytes of [A-Za-z0-9._-].  Sockets and FIFOs
 *    live in $KIPC_TRANSPORT_DIR (default /tmp).
 * Both ways end with a hello each side sends the other, so each knows the other's process
 * (to notice its death) and a backend that does not work fails on opening, not later.
 *
 * Timeouts (@timeout_ns): libkipc's one convention (<kipc.h>): KIPC_FOREVER (< 0) waits for
 * ever, 0 does not wait (-EAGAIN), > 0 is the longest wait in nanoseconds (then -ETIMEDOUT).  On stream backends a
 * message that has started to go (or to arrive) is finished first: the timeout bounds the
 * wait for its first byte.
 *
 * Errors every backend gives the same meaning:
 *   -EOPNOTSUPP, -ENODEV  the running system lacks the mechanism (from probe and opening only:
 *		no /dev/kipc, no POSIX mqueue, no loopback, a named eventfd...); skip the backend
 *   -EPIPE	the peer has closed, or died, and everything it sent has been received; sends
 *		fail with it once the peer is gone.  A dead peer is noticed at once on pipes,
 *		FIFOs and stream/seqpacket sockets (the kernel's EOF), within KIPC_RING_CHECK_NS
 *		on the others (a blocked call looks at the peer's process that often); SysV msg
 *		queues have a watcher thread that does it
 *   -EMSGSIZE	send: longer than kipc_transport_max_msg(); receive: longer than @cap, and
 *		the message has been discarded
 *   -EAGAIN, -ETIMEDOUT  nothing in time;  -EINVAL  bad arguments;  -ENOMEM
 * Pipe and FIFO endpoints set SIGPIPE to SIG_IGN if it was SIG_DFL (a write to a closed pipe
 * would kill the process); sockets send with MSG_NOSIGNAL and leave it alone.
 */
#define KIPC_TRANSPORT_NAME_MAX		32
#define KIPC_TRANSPORT_DEFAULT_MAX_MSG	(1u << 20)
#define KIPC_TRANSPORT_MIN_MAX_MSG	64u
#define KIPC_TRANSPORT_DEFAULT_DEPTH	64u

/* kipc_transport_backend.flags: what the backend is and does natively. */
#define KIPC_TRANSPORT_PAIR		(1u << 0)	/* kipc_transport_pair() works */
#define KIPC_TRANSPORT_NAMED		(1u << 1)	/* kipc_transport_serve()/connect() work */
#define KIPC_TRANSPORT_NEEDS_KIPC	(1u << 2)	/* uses /dev/kipc */
#define KIPC_TRANSPORT_FRAMED		(1u << 3)	/* a byte stream, framed by the library */
#define KIPC_TRANSPORT_NATIVE_BATCH	(1u << 4)	/* batches in one kernel call */
#define KIPC_TRANSPORT_NATIVE_CALL	(1u << 5)	/* request and reply in one kernel call */
#define KIPC_TRANSPORT_ZERO_COPY	(1u << 6)	/* send_begin/recv_begin use shared memory */
#define KIPC_TRANSPORT_SHARED_MEMORY	(1u << 7)	/* no syscall unless a side sleeps */
/* the server's reply and its wait for the next request in one kernel call, too */
#define KIPC_TRANSPORT_NATIVE_RPC	(1u << 8)

struct kipc_transport;		/* one endpoint */
struct kipc_transport_pair;	/* a connected pair before each process takes its side */

/*
 * struct kipc_transport_backend - one entry of the backend table
 * @name: what to pass to kipc_transport_pair(), _serve(), _connect()
 * @summary: one line: the mechanism and how it waits
 * @flags: KIPC_TRANSPORT_*
 *
 * The library's table holds these; a program reads them and never makes one.
 */
struct kipc_transport_backend {
	const char *name;
	const char *summary;
	unsigned int flags;
};

/*
 * struct kipc_transport_attr - what to open (NULL, or zeros, for the defaults)
 * @max_msg: the largest message either side will send; 0: KIPC_TRANSPORT_DEFAULT_MAX_MSG,
 *	and at least KIPC_TRANSPORT_MIN_MAX_MSG.  A backend with a lower system limit opens
 *	with that limit: ask kipc_transport_max_msg().
 * @depth: messages a queue or pool holds; 0: KIPC_TRANSPORT_DEFAULT_DEPTH (less where the
 *	system's limits say so)
 * @__reserved: must be zero
 */
struct kipc_transport_attr {
	size_t max_msg;
	unsigned int depth;
	unsigned int __reserved[5];
};

/* struct kipc_transport_msg - one message of a batch: @len in: its length (send) or the room
 * at @buf (receive); out (receive): its length. */
struct kipc_transport_msg {
	void *buf;
	size_t len;
};

/* kipc_transport_backend() - entry @index of the table, NULL past its end. */
const struct kipc_transport_backend *kipc_transport_backend(unsigned int index);

/* kipc_transport_find() - the backend called @name, or NULL. */
const struct kipc_transport_backend *kipc_transport_find(const char *name);

/* kipc_transport_probe() - 0 when this system has what @b needs, else -EOPNOTSUPP or -ENODEV. */
int kipc_transport_probe(const struct kipc_transport_backend *b);

/*
 * kipc_transport_pair() - make a connected pair of the backend @backend, before fork()
 * Return: 0, or -ENOENT (no such backend), -EOPNOTSUPP/-ENODEV (unsupported here), -EINVAL,
 * or the -errno of the mechanism.
 */
int kipc_transport_pair(const char *backend, const struct kipc_transport_attr *attr,
			struct kipc_transport_pair **pairp);

/*
 * kipc_transport_pair_side() - take side @side (0 or 1) of @pair in this process
 *
 * Waits up to @timeout_ns for the other side's hello.  @pair is freed, whatever the result.
 * Return: 0 with the endpoint in *@tpp, or -errno (-ETIMEDOUT: the other side never came).
 */
int kipc_transport_pair_side(struct kipc_transport_pair *pair, unsigned int side,
			     __s64 timeout_ns, struct kipc_transport **tpp);

/*
 * kipc_transport_pair_close() - free @pair in a process that takes no side
 * @destroy: 1 when no side will ever be taken (removes the names too), 0 in a third process
 *	after fork (the sides go on)
 */
void kipc_transport_pair_close(struct kipc_transport_pair *pair, int destroy);

/*
 * kipc_transport_serve() - create the endpoint @name and wait for one client's hello
 * kipc_transport_connect() - connect to the endpoint @name, waiting for it to appear
 *
 * Both wait up to @timeout_ns.  The server is side 0, the client side 1.  The server removes
 * the names when it closes.
 * Return: 0 with the endpoint in *@tpp, or -errno (-EEXIST: the name is taken;
 * -ETIMEDOUT: no peer in time; -EOPNOTSUPP: unsupported here, or not named on this backend).
 */
int kipc_transport_serve(const char *backend, const char *name,
			 const struct kipc_transport_attr *attr, __s64 timeout_ns,
			 struct kipc_transport **tpp);
int kipc_transport_connect(const char *backend, const char *name,
			   const struct kipc_transport_attr *attr, __s64 timeout_ns,
			   struct kipc_transport **tpp);

/* kipc_transport_send() - send @len bytes at @buf to the peer.  Return: 0 or -errno. */
int kipc_transport_send(struct kipc_transport *tp, const void *buf, size_t len,
			__s64 timeout_ns);

/* kipc_transport_recv() - the peer's next message into @buf.  Return: its length, or -errno. */
long kipc_transport_recv(struct kipc_transport *tp, void *buf, size_t cap, __s64 timeout_ns);

/*
 * kipc_transport_send_batch(), kipc_transport_recv_batch() - up to @count messages at once
 *
 * As KIPC_IOC_SEND_BATCH does: the wait, if any, is for the first message; the call then goes
 * on while it can without waiting.  One kernel call where the backend has
 * KIPC_TRANSPORT_NATIVE_BATCH (stream backends send a batch with one writev).
 * Return: the number of messages done (> 0), or -errno when none was.
 */
int kipc_transport_send_batch(struct kipc_transport *tp, const struct kipc_transport_msg *msgs,
			      unsigned int count, __s64 timeout_ns);
int kipc_transport_recv_batch(struct kipc_transport *tp, struct kipc_transport_msg *msgs,
			      unsigned int count, __s64 timeout_ns);

/*
 * kipc_transport_call() - send @req and receive the peer's next message into @reply
 *
 * One kernel call where the backend has KIPC_TRANSPORT_NATIVE_CALL (KIPC_IOC_CALL).  A server
 * calls it too, with its reply as @req and room for the next request as @reply: with
 * KIPC_TRANSPORT_NATIVE_RPC a round trip then costs two system calls, one on each side.
 * @timeout_ns applies to each half.  Return: the reply's length, or -errno.
 */
long kipc_transport_call(struct kipc_transport *tp, const void *req, size_t req_len,
			 void *reply, size_t reply_cap, __s64 timeout_ns);

/*
 * kipc_transport_send_begin() - room for a message of up to @len bytes, to fill in place
 * kipc_transport_send_commit() - send the first @len bytes of it
 *
 * With KIPC_TRANSPORT_ZERO_COPY the room is the shared memory the peer reads, so nothing is
 * copied; otherwise it is a buffer of the endpoint's.  One message at a time.
 * Return: begin: the room, or NULL with *@err = -errno; commit: 0 or -errno.
 */
void *kipc_transport_send_begin(struct kipc_transport *tp, size_t len, __s64 timeout_ns,
				int *err);
int kipc_transport_send_commit(struct kipc_transport *tp, size_t len);

/*
 * kipc_transport_recv_begin() - the next message, where it lies, with its length in *@len
 * kipc_transport_recv_done() - give it back (required before the next receive)
 *
 * Return: begin: the message (read-only), or NULL with *@err = -errno; done: 0 or -errno.
 */
const void *kipc_transport_recv_begin(struct kipc_transport *tp, size_t *len, __s64 timeout_ns,
				      int *err);
int kipc_transport_recv_done(struct kipc_transport *tp);

/* kipc_transport_max_msg() - the largest message this endpoint sends or receives. */
size_t kipc_transport_max_msg(const struct kipc_transport *tp);

/* kipc_transport_backend_of() - the backend of @tp. */
const struct kipc_transport_backend *kipc_transport_backend_of(const struct kipc_transport *tp);

/*
 * kipc_transport_close() - close @tp (NULL is ignored)
 *
 * The peer receives what was sent, then -EPIPE; its sends fail with -EPIPE (on POSIX queues
 * once the queue is full).  Removes what this side created.  A message begun with
 * kipc_transport_send_begin() is not sent.
 */
void kipc_transport_close(struct kipc_transport *tp);

#ifdef __cplusplus
}
#endif

#endif /* KIPC_TRANSPORT_H */
