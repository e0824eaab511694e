/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kipc: kernel IPC channels on /dev/kipc.
 *
 * This header is the whole contract between the module and user space.
 *
 * Rules every ioctl follows (the iommufd/openat2 model):
 *  - The argument is a pointer to a struct that starts with "__u32 size; __u32 flags;".
 *    size is sizeof() the struct as the caller's header knew it.  The kernel accepts any size
 *    from the end of the struct's last required field up:
 *      size too small                        -> EINVAL
 *      size larger, non-zero bytes past what
 *      this kernel knows                     -> E2BIG
 *      size larger, zero bytes past it       -> accepted
 *    Output is written back up to min(size, the kernel's sizeof), so an old program is never
 *    written past the end of its struct and a new program reads zeros for fields an old kernel
 *    does not have.  A struct that cannot be written back (a read-only page) fails with EFAULT
 *    before the call does anything.  KIPC_IOC_SEND and KIPC_IOC_DESTROY write nothing back
 *    (but for an interrupted timed wait, see "Signals and waits"), so their argument may be
 *    read-only.
 *  - size is at most a page: a larger one is E2BIG before anything is read past the first
 *    page (clone3, openat2 and sched_setattr do the same).
 *  - The table of bad arguments and the errno each gets is docs/bad-input.md.
 *  - Each errno has one meaning:
 *      ENOTTY      unknown ioctl command
 *      E2BIG       a non-zero tail beyond what this kernel understands, or a size above
 *                  a page
 *      EOPNOTSUPP  an unknown flag bit or an unknown value in an enumerated field
 *      EINVAL      a field with a bad value (including a non-zero reserved field)
 *      EFAULT      a bad user pointer
 *    and each limit its own:
 *      ENOSPC      the IPC namespace's max_channels
 *      EMFILE      the creating user's max_user_channels
 *      ENOBUFS     the creating user's max_user_shm_bytes
 *      EDQUOT      the sending user's max_user_bytes; for KIPC_IOC_CREATE with
 *                  KIPC_CREATE_RLIMIT, the creator's RLIMIT_MSGQUEUE
 *      ERANGE      a size or count above its module parameter (max_msgs, max_msg_size,
 *                  max_shm_size)
 *    A channel counts against max_channels, max_user_channels and max_user_shm_bytes from
 *    its creation until it is freed: after its name is gone, for as long as an fd is
 *    attached to it or a mapping of it exists (as a POSIX queue counts until its last close
 *    and a SysV segment removed with IPC_RMID until its last detach).
 *  - User pointers travel as __aligned_u64; there are no enums, no bitfields and no implicit
 *    padding in any struct here.
 */
#ifndef _UAPI_LINUX_KIPC_H
#define _UAPI_LINUX_KIPC_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define KIPC_DEVICE_NAME	"kipc"
#define KIPC_DEVICE_PATH	"/dev/kipc"

/*
 * Bumped when an incompatible change is made; growth by appended fields does not bump it.
 * 2: the ioctl type moved from 0xB8 (mainline's mshv and Marvell's CN10K DPI took it) to 0xB9.
 */
#define KIPC_ABI_VERSION	2

/* Not listed in Documentation/userspace-api/ioctl/ioctl-number.rst (checked against 7.2). */
#define KIPC_IOCTL_TYPE		0xB9

/* A channel name is 1..KIPC_NAME_MAX-1 bytes followed by a NUL, in a KIPC_NAME_MAX buffer. */
#define KIPC_NAME_MAX		64

/* Bits of kipc_info.features: what this module implements. */
#define KIPC_FEATURE_INFO	0x0000000000000001ULL	/* KIPC_IOC_INFO and its limits */
#define KIPC_FEATURE_MQ		0x0000000000000002ULL	/* message-queue channels */
#define KIPC_FEATURE_BATCH	0x0000000000000004ULL	/* KIPC_IOC_SEND_BATCH, _RECV_BATCH */
#define KIPC_FEATURE_CALL	0x0000000000000008ULL	/* KIPC_IOC_CALL */
#define KIPC_FEATURE_SHM	0x0000000000000010ULL	/* shared-page channels and mmap */
#define KIPC_FEATURE_DOORBELL	0x0000000000000020ULL	/* KIPC_IOC_NOTIFY, KIPC_IOC_WAIT */
/* max_user_channels and max_user_shm_bytes; INFO reports the caller's usage */
#define KIPC_FEATURE_USER_LIMITS 0x0000000000000040ULL
/* KIPC_MSG_ABSTIME; an interrupted timed wait restarts to its deadline */
#define KIPC_FEATURE_ABSTIME	0x0000000000000080ULL
/* KIPC_IOC_MQ_NOTIFY: a one-shot notification when a message reaches an empty queue */
#define KIPC_FEATURE_MQ_NOTIFY	0x0000000000000100ULL
/* KIPC_CREATE_RLIMIT: a queue's capacity charged to RLIMIT_MSGQUEUE, as mq_open(3) does */
#define KIPC_FEATURE_RLIMIT	0x0000000000000200ULL
/* kipc_stat.access: the fd's own access, for KIPC_STAT_SELF */
#define KIPC_FEATURE_STAT_ACCESS 0x0000000000000400ULL

/* Channel types (kipc_create.type, kipc_stat.type). */
#define KIPC_TYPE_MQ		1
#define KIPC_TYPE_SHM		2

/* Highest message priority: 32768 levels, 0 (lowest) to KIPC_PRIO_MAX (served first). */
#define KIPC_PRIO_MAX		32767

/* Access an attachment asks for (kipc_create.access, kipc_attach.access). */
#define KIPC_ACCESS_READ	0x1	/* receive: needs read permission */
#define KIPC_ACCESS_WRITE	0x2	/* send: needs write permission */

/* Queue overflow policies (kipc_create.overflow): what a send to a full queue does. */
#define KIPC_OVERFLOW_BLOCK	0	/* wait for room (EAGAIN when non-blocking) */
#define KIPC_OVERFLOW_FAIL	1	/* fail at once with EAGAIN */
#define KIPC_OVERFLOW_DROP	2	/* keep the best max_msgs: drop the lowest (see SEND) */

/**
 * struct kipc_info - KIPC_IOC_INFO: what the module is and what it can do
 * @size: sizeof(struct kipc_info)
 * @flags: must be 0
 * @abi_version: out: KIPC_ABI_VERSION of the running module
 * @__reserved: must be 0
 * @features: out: KIPC_FEATURE_* bits
 * @max_channels: out: channels one IPC namespace may hold (module parameter)
 * @max_msg_size: out: largest message in bytes (module parameter)
 * @max_msgs: out: most messages one queue may hold (module parameter)
 * @max_name_len: out: longest channel name in bytes, not counting the terminator
 * @max_user_bytes: out: bytes of queued messages one user may own (module parameter)
 * @max_shm_size: out: largest shared-page channel in bytes (module parameter)
 * @max_user_channels: out: channels one user may have alive (module parameter)
 * @ns_channels: out: channels alive in the caller's IPC namespace, the ones whose name is
 *               gone but that an fd or a mapping still holds included: what max_channels
 *               counts
 * @max_user_shm_bytes: out: shared-page bytes one user may have alive (module parameter)
 * @user_channels: out: channels alive that the caller's euid created (max_user_channels)
 * @__reserved2: out: zero
 * @user_bytes: out: bytes of queued messages charged to the caller's euid (max_user_bytes)
 * @user_shm_bytes: out: shared-page bytes of the channels alive that the caller's euid
 *                  created (max_user_shm_bytes)
 *
 * The usage fields are a snapshot; they let a program (and kipcctl status) see how close it
 * is to each limit.  Users are counted across all IPC namespaces, by kernel uid.
 */
struct kipc_info {
	__u32 size;
	__u32 flags;
	__u32 abi_version;
	__u32 __reserved;
	__aligned_u64 features;
	__u32 max_channels;
	__u32 max_msg_size;
	__u32 max_msgs;
	__u32 max_name_len;
	__aligned_u64 max_user_bytes;
	__aligned_u64 max_shm_size;
	__u32 max_user_channels;
	__u32 ns_channels;
	__aligned_u64 max_user_shm_bytes;
	__u32 user_channels;
	__u32 __reserved2;
	__aligned_u64 user_bytes;
	__aligned_u64 user_shm_bytes;
};

#define KIPC_INFO_SIZE_VER0		24	/* the first version: up to @features */
#define KIPC_CMD_INFO			0x00
#define KIPC_IOC_INFO			_IO(KIPC_IOCTL_TYPE, KIPC_CMD_INFO)

/* kipc_create.flags */
#define KIPC_CREATE_EXCL	0x1	/* fail with EEXIST when the name is taken */
#define KIPC_CREATE_AUTODESTROY	0x2	/* destroy when the last attachment closes */
/* MQ: charge the whole capacity to the creator's RLIMIT_MSGQUEUE (see struct kipc_create) */
#define KIPC_CREATE_RLIMIT	0x4

/**
 * struct kipc_create - KIPC_IOC_CREATE: create a channel, or open an existing one
 * @size: sizeof(struct kipc_create)
 * @flags: KIPC_CREATE_*
 * @type: KIPC_TYPE_MQ or KIPC_TYPE_SHM
 * @mode: permission bits, 0..0777 (the umask is not applied)
 * @name: 1..KIPC_NAME_MAX-1 bytes of [A-Za-z0-9._:@-], NUL-terminated
 * @access: KIPC_ACCESS_* bits to attach this fd with, or 0 to leave the fd unattached
 *          (EOPNOTSUPP for an unknown bit)
 * @max_msgs: queue depth; 0 takes the default (256, or max_msgs if lower); 0 for SHM
 * @max_msg_size: largest message; 0 takes the default (65536, or max_msg_size if lower); 0 for SHM
 * @overflow: KIPC_OVERFLOW_*; 0 for SHM
 * @id: out: the channel's id
 * @created: out: 1 when this call created the channel, 0 when it opened an existing one
 * @shm_size: SHM: bytes of shared memory, rounded up to whole pages (1..max_shm_size);
 *            0 opens an existing channel of any size.  MQ: must be 0.
 *
 * Without KIPC_CREATE_EXCL an existing channel of the same name and type is attached instead
 * (the attributes given must then be 0 or equal to the channel's, else EEXIST).  So must
 * KIPC_CREATE_AUTODESTROY: asked for on an existing channel that lacks it, it is EEXIST (a
 * program relying on it for crash cleanup must not get a channel that outlives it);
 * opening an auto-destroy channel without the flag is allowed.
 *
 * A new channel is charged to the caller's euid (max_user_channels, and for SHM
 * max_user_shm_bytes) until it is freed; see the errno rules above.
 *
 * KIPC_CREATE_RLIMIT (MQ only; EINVAL for SHM) reserves the queue's whole capacity as
 * mq_open(3) does: max_msgs * (max_msg_size + kipc's per-message overhead, the size of its
 * message header, about 100 bytes) is charged to the caller's euid (Linux charges the real
 * uid's), and the call fails with EDQUOT when that euid's queues so charged would pass the
 * caller's soft RLIMIT_MSGQUEUE.  The charge is kipc's
 * own count (the kernel's POSIX queues are not in it) and goes when the queue is freed.  It
 * applies only when this call creates the queue; opening an existing queue charges nothing.
 */
struct kipc_create {
	__u32 size;
	__u32 flags;
	__u32 type;
	__u32 mode;
	char name[KIPC_NAME_MAX];
	__u32 access;
	__u32 max_msgs;
	__u32 max_msg_size;
	__u32 overflow;
	__u32 id;
	__u32 created;
	__aligned_u64 shm_size;
};

#define KIPC_CREATE_SIZE_VER0		96	/* the first version: up to @overflow */
#define KIPC_CMD_CREATE			0x01
#define KIPC_IOC_CREATE			_IO(KIPC_IOCTL_TYPE, KIPC_CMD_CREATE)

/**
 * struct kipc_attach - KIPC_IOC_ATTACH: attach this fd to a channel by name
 * @size: sizeof(struct kipc_attach)
 * @flags: must be 0
 * @access: KIPC_ACCESS_* bits, at least one (EINVAL for none, EOPNOTSUPP for an unknown bit)
 * @id: out: the channel's id
 * @name: the channel's name
 */
struct kipc_attach {
	__u32 size;
	__u32 flags;
	__u32 access;
	__u32 id;
	char name[KIPC_NAME_MAX];
};

#define KIPC_ATTACH_SIZE_VER0		80	/* the first version: up to @name */
#define KIPC_CMD_ATTACH			0x02
#define KIPC_IOC_ATTACH			_IO(KIPC_IOCTL_TYPE, KIPC_CMD_ATTACH)

/* kipc_destroy.flags */
#define KIPC_DESTROY_NOW	0x1	/* SysV IPC_RMID: EIDRM for every waiter and later call */

/**
 * struct kipc_destroy - KIPC_IOC_DESTROY: remove a channel's name
 * @size: sizeof(struct kipc_destroy)
 * @flags: KIPC_DESTROY_*
 * @name: the channel's name
 *
 * The name goes at once.  Without KIPC_DESTROY_NOW existing attachments go on working until
 * they close (POSIX mq_unlink); with it they all fail with EIDRM from then on, and every
 * waiter wakes: sleepers in a call with EIDRM, poll/select/epoll waiters (EPOLLEXCLUSIVE
 * ones too, every one of them) with EPOLLHUP | EPOLLERR.  Mappings of a shared-page channel
 * stay valid either way; the memory goes with the last of them.
 *
 * poll/epoll on an fd that is not attached yet report EPOLLERR.  An epoll registration made
 * then is not lost: once the fd attaches it reports the channel's events like one made after.
 */
struct kipc_destroy {
	__u32 size;
	__u32 flags;
	char name[KIPC_NAME_MAX];
};

#define KIPC_DESTROY_SIZE_VER0		72	/* the first version: up to @name */
#define KIPC_CMD_DESTROY		0x03
#define KIPC_IOC_DESTROY		_IO(KIPC_IOCTL_TYPE, KIPC_CMD_DESTROY)

/* kipc_stat.flags (in): the channel this fd is attached to, even a dead one; name ignored */
#define KIPC_STAT_SELF		0x1

/* kipc_stat.state (out) */
#define KIPC_STATE_DESTROYED	0x1	/* the name is gone (attachments may remain) */
/* destroyed with KIPC_DESTROY_NOW (seen through KIPC_STAT_SELF: by name it is gone) */
#define KIPC_STATE_DEAD		0x2
#define KIPC_STATE_AUTODESTROY	0x4	/* created with KIPC_CREATE_AUTODESTROY */

/**
 * struct kipc_stat - KIPC_IOC_STAT: a channel's attributes and counters
 * @size: sizeof(struct kipc_stat)
 * @flags: KIPC_STAT_*
 * @name: in: the channel's name (unless KIPC_STAT_SELF); out: its name
 * @type: KIPC_TYPE_*
 * @id: the channel's id
 * @uid: owner uid, in the caller's user namespace
 * @gid: owner gid
 * @cuid: creator uid
 * @cgid: creator gid
 * @mode: permission bits
 * @state: KIPC_STATE_*
 * @max_msgs: queue depth
 * @max_msg_size: largest message
 * @overflow: KIPC_OVERFLOW_*
 * @attachments: fds attached now
 * @depth: messages queued now
 * @access: KIPC_STAT_SELF: the KIPC_ACCESS_* this fd is attached with (so a library can tell
 *          EBADF before it calls); by name: 0.  Zero on modules without
 *          KIPC_FEATURE_STAT_ACCESS, where this was a reserved field
 * @bytes: bytes queued now
 * @sent: messages sent, all time
 * @received: messages received, all time
 * @dropped: messages dropped by KIPC_OVERFLOW_DROP, all time
 * @last_send_pid: the last sender's pid (in the caller's pid namespace; 0 if none or unseen)
 * @last_recv_pid: the last receiver's pid (one whose copy to its buffer then failed included)
 * @ctime_ns: creation time, CLOCK_REALTIME nanoseconds, as the coarse clock gives it (to a
 *            tick, as file times are); so are the two times below
 * @send_time_ns: time of the last send, or 0
 * @recv_time_ns: time of the last receive, or 0
 * @shm_size: SHM: the size in bytes (whole pages)
 * @mappings: SHM: mappings (VMAs, in every process) of the channel now
 * @__reserved2: zero
 * @notifies: SHM: KIPC_IOC_NOTIFY calls (and doorbell writes), all time
 * @waits: SHM: completed KIPC_IOC_WAIT calls (and doorbell reads), all time
 * @doorbell: SHM: the doorbell's sequence now
 */
struct kipc_stat {
	__u32 size;
	__u32 flags;
	char name[KIPC_NAME_MAX];
	__u32 type;
	__u32 id;
	__u32 uid;
	__u32 gid;
	__u32 cuid;
	__u32 cgid;
	__u32 mode;
	__u32 state;
	__u32 max_msgs;
	__u32 max_msg_size;
	__u32 overflow;
	__u32 attachments;
	__u32 depth;
	__u32 access;
	__aligned_u64 bytes;
	__aligned_u64 sent;
	__aligned_u64 received;
	__aligned_u64 dropped;
	__u32 last_send_pid;
	__u32 last_recv_pid;
	__aligned_u64 ctime_ns;
	__aligned_u64 send_time_ns;
	__aligned_u64 recv_time_ns;
	__aligned_u64 shm_size;
	__u32 mappings;
	__u32 __reserved2;
	__aligned_u64 notifies;
	__aligned_u64 waits;
	__aligned_u64 doorbell;
};

#define KIPC_STAT_SIZE_VER0		72	/* the first version: up to @name */
#define KIPC_CMD_STAT			0x04
#define KIPC_IOC_STAT			_IO(KIPC_IOCTL_TYPE, KIPC_CMD_STAT)

/**
 * struct kipc_list_entry - one channel in KIPC_IOC_LIST's answer
 * @name: the channel's name
 * @type: KIPC_TYPE_*
 * @id: the channel's id
 * @uid: owner uid
 * @gid: owner gid
 * @mode: permission bits
 * @attachments: fds attached now
 * @depth: messages queued now (MQ)
 * @__reserved: zero
 * @shm_size: bytes of shared memory (SHM)
 */
struct kipc_list_entry {
	char name[KIPC_NAME_MAX];
	__u32 type;
	__u32 id;
	__u32 uid;
	__u32 gid;
	__u32 mode;
	__u32 attachments;
	__u32 depth;
	__u32 __reserved;
	__aligned_u64 shm_size;
};

#define KIPC_LIST_ENTRY_SIZE_VER0	72	/* the first version: up to @id */

/**
 * struct kipc_list - KIPC_IOC_LIST: the channels of the caller's IPC namespace
 * @size: sizeof(struct kipc_list)
 * @flags: must be 0
 * @entries: user pointer to an array of @count entries of @entry_size bytes each
 * @count: in: room in @entries; out: entries written
 * @total: out: channels visible (more than @count when the array was too small)
 * @entry_size: sizeof(struct kipc_list_entry) as the caller knows it (at least up to @id)
 * @__reserved: must be 0
 *
 * Entries come in id order.  Each is written up to min(@entry_size, the kernel's size) and
 * zero-filled past that.
 */
struct kipc_list {
	__u32 size;
	__u32 flags;
	__aligned_u64 entries;
	__u32 count;
	__u32 total;
	__u32 entry_size;
	__u32 __reserved;
};

#define KIPC_LIST_SIZE_VER0		32	/* the first version: up to @__reserved */
#define KIPC_CMD_LIST			0x05
#define KIPC_IOC_LIST			_IO(KIPC_IOCTL_TYPE, KIPC_CMD_LIST)

/* kipc_msg.flags, kipc_batch.flags, kipc_call.flags */
#define KIPC_MSG_NONBLOCK	0x1	/* EAGAIN instead of waiting */
#define KIPC_MSG_TIMEOUT	0x2	/* wait at most timeout_ns, then ETIMEDOUT */
/* with KIPC_MSG_TIMEOUT: timeout_ns is a CLOCK_MONOTONIC deadline, not a duration */
#define KIPC_MSG_ABSTIME	0x4

/*
 * Signals and waits.  A wait that a signal interrupts ends with EINTR when a handler without
 * SA_RESTART runs.  Otherwise (no handler: SIGSTOP then SIGCONT, an ignored or a traced stop;
 * or SA_RESTART) the call is restarted, and a timed wait restarted this way ends when the
 * first call would have, however long the task was stopped: with KIPC_MSG_ABSTIME (a deadline
 * on the caller's CLOCK_MONOTONIC, its time namespace's offset included) the
 * deadline stays as it is; a relative timeout is rewritten in place into its absolute form
 * (the kernel sets KIPC_MSG_ABSTIME in flags and the deadline in timeout_ns) before the
 * restart, and also when the call then ends with EINTR, so that retrying the same struct
 * keeps the deadline.  Build a new struct (as libkipc does) for a new wait.  A SEND whose
 * argument is read-only cannot be rewritten: interrupted during a relative timed wait, it
 * ends with EINTR.  Nothing is consumed or queued by a call that ends with EINTR or is
 * restarted, except KIPC_IOC_CALL's request once sent (see struct kipc_call).
 */

/* Result of KIPC_IOC_SEND (>= 0 is success) */
#define KIPC_SEND_QUEUED	0	/* the message is queued */
/*
 * KIPC_OVERFLOW_DROP, a full queue, and this message was strictly the lowest priority: it is
 * the one dropped (counted in dropped)
 */
#define KIPC_SEND_DROPPED	1

/**
 * struct kipc_msg - KIPC_IOC_SEND, KIPC_IOC_RECV: one message
 * @size: sizeof(struct kipc_msg)
 * @flags: KIPC_MSG_*
 * @buf: user pointer to the message (send) or to room for it (receive)
 * @len: send: message length; receive: in: room at @buf, out: message length
 * @priority: send: 0..KIPC_PRIO_MAX; receive: out: the message's priority
 * @timeout_ns: with KIPC_MSG_TIMEOUT, the longest wait in nanoseconds (CLOCK_MONOTONIC)
 *
 * A receive with too little room fails with EMSGSIZE, reports the needed length in @len and
 * leaves the message queued.  A send longer than the channel's max_msg_size fails with
 * EMSGSIZE.  Signals: see "Signals and waits" above.
 *
 * A send to a full KIPC_OVERFLOW_DROP queue keeps the best max_msgs messages: it drops the
 * oldest message of the lowest priority queued, unless the new message's priority is
 * strictly lower than every queued one; then the new message is dropped and the ioctl
 * returns KIPC_SEND_DROPPED (write(2) and KIPC_IOC_SEND_BATCH count it as sent; the channel's
 * dropped counter tells).  max_msgs bounds every queue: a receive in flight keeps its slot
 * until its copy to the caller has succeeded, so a failed copy can put the message back.
 */
struct kipc_msg {
	__u32 size;
	__u32 flags;
	__aligned_u64 buf;
	__u32 len;
	__u32 priority;
	__aligned_u64 timeout_ns;
};

#define KIPC_MSG_SIZE_VER0		32	/* the first version: up to @timeout_ns */
#define KIPC_CMD_SEND			0x06
#define KIPC_CMD_RECV			0x07
#define KIPC_IOC_SEND			_IO(KIPC_IOCTL_TYPE, KIPC_CMD_SEND)
#define KIPC_IOC_RECV			_IO(KIPC_IOCTL_TYPE, KIPC_CMD_RECV)

/**
 * struct kipc_msg_vec - one message of a batch
 * @buf: user pointer to the message, or to room for it
 * @len: send: its length; receive: in: room, out: its length
 * @priority: send: in; receive: out
 * @__reserved: must be 0
 */
struct kipc_msg_vec {
	__aligned_u64 buf;
	__u32 len;
	__u32 priority;
	__aligned_u64 __reserved;
};

#define KIPC_MSG_VEC_SIZE_VER0		16	/* the first version: up to @priority */

/**
 * struct kipc_batch - KIPC_IOC_SEND_BATCH, KIPC_IOC_RECV_BATCH: many messages in one call
 * @size: sizeof(struct kipc_batch)
 * @flags: KIPC_MSG_*; the wait (if any) is for the first message only
 * @vec: user pointer to @count entries of @vec_size bytes
 * @count: entries in @vec, 1..1024
 * @vec_size: sizeof(struct kipc_msg_vec) as the caller knows it
 * @timeout_ns: as in struct kipc_msg
 * @done: out: messages sent or received
 * @__reserved: must be 0
 *
 * Like sendmmsg/recvmmsg: the call waits for the first message as a single send or receive
 * would, then goes on while it can without waiting.  It succeeds when @done > 0, and an error
 * met after that ends the batch without being reported.
 */
struct kipc_batch {
	__u32 size;
	__u32 flags;
	__aligned_u64 vec;
	__u32 count;
	__u32 vec_size;
	__aligned_u64 timeout_ns;
	__u32 done;
	__u32 __reserved;
};

#define KIPC_BATCH_SIZE_VER0		40	/* the first version: up to @__reserved */
#define KIPC_CMD_SEND_BATCH		0x08
#define KIPC_CMD_RECV_BATCH		0x09
#define KIPC_IOC_SEND_BATCH		_IO(KIPC_IOCTL_TYPE, KIPC_CMD_SEND_BATCH)
#define KIPC_IOC_RECV_BATCH		_IO(KIPC_IOCTL_TYPE, KIPC_CMD_RECV_BATCH)

/**
 * struct kipc_call - KIPC_IOC_CALL: send a request, wait for the reply, in one syscall
 * @size: sizeof(struct kipc_call)
 * @flags: KIPC_MSG_*; they alone rule both waits (the send's and the reply's): neither fd's
 *         O_NONBLOCK is looked at
 * @req_buf: user pointer to the request
 * @req_len: its length
 * @req_priority: its priority
 * @reply_fd: a kipc fd attached with read access to a live queue, where the reply arrives
 *            (EBADF otherwise; EIDRM when that queue was destroyed with KIPC_DESTROY_NOW);
 *            both are checked before the request goes out
 * @reply_buf: user pointer to room for the reply
 * @reply_len: in: room at @reply_buf; out: the reply's length
 * @reply_priority: out: the reply's priority
 * @timeout_ns: as in struct kipc_msg, one deadline for the whole call (send and reply)
 * @sent: out: 1 once the request was queued, even if the reply then failed
 *
 * Restarts never send twice: a call interrupted while waiting to send is restarted as a send
 * would be; once the request is out, an interrupted wait for the reply ends with EINTR and
 * sent = 1, whatever the signal (the reply is then received from @reply_fd as any message).
 *
 * A request that a full KIPC_OVERFLOW_DROP queue dropped on arrival (see struct kipc_msg) is
 * no error of the call's: it returns KIPC_SEND_DROPPED (1) with sent = 0 and reply_len = 0,
 * and no reply will come.  libkipc's kipc_call() reports it as -ECANCELED.
 */
struct kipc_call {
	__u32 size;
	__u32 flags;
	__aligned_u64 req_buf;
	__u32 req_len;
	__u32 req_priority;
	__u32 reply_fd;
	__u32 reply_len;
	__aligned_u64 reply_buf;
	__u32 reply_priority;
	__u32 sent;
	__aligned_u64 timeout_ns;
};

#define KIPC_CALL_SIZE_VER0		56	/* the first version: up to @timeout_ns */
#define KIPC_CMD_CALL			0x0a
#define KIPC_IOC_CALL			_IO(KIPC_IOCTL_TYPE, KIPC_CMD_CALL)

/**
 * struct kipc_notify - KIPC_IOC_NOTIFY: ring a shared-page channel's doorbell
 * @size: sizeof(struct kipc_notify)
 * @flags: must be 0
 * @seq: out: the doorbell's sequence after this ring
 *
 * Needs an attachment with write access.  Every waiter on the channel wakes.  write(2) of
 * 8 bytes (any value) on the attached fd does the same.
 */
struct kipc_notify {
	__u32 size;
	__u32 flags;
	__aligned_u64 seq;
};

#define KIPC_NOTIFY_SIZE_VER0		16	/* the first version: up to @seq */
#define KIPC_CMD_NOTIFY			0x0b
#define KIPC_IOC_NOTIFY			_IO(KIPC_IOCTL_TYPE, KIPC_CMD_NOTIFY)

/**
 * struct kipc_wait - KIPC_IOC_WAIT: sleep until the doorbell's sequence differs from @seq
 * @size: sizeof(struct kipc_wait)
 * @flags: KIPC_MSG_NONBLOCK, KIPC_MSG_TIMEOUT
 * @seq: the sequence the caller last saw
 * @timeout_ns: with KIPC_MSG_TIMEOUT, the longest wait (ETIMEDOUT after it)
 * @observed: out: the sequence now; this fd has then consumed it (see poll)
 *
 * Needs an attachment with read access.  Returns at once when the sequence already differs.
 * poll/epoll report EPOLLIN while the sequence differs from what this fd last consumed (by
 * this ioctl or by read(2) of 8 bytes, which waits the same way and returns the sequence).
 */
struct kipc_wait {
	__u32 size;
	__u32 flags;
	__aligned_u64 seq;
	__aligned_u64 timeout_ns;
	__aligned_u64 observed;
};

#define KIPC_WAIT_SIZE_VER0		32	/* the first version: up to @observed */
#define KIPC_CMD_WAIT			0x0c
#define KIPC_IOC_WAIT			_IO(KIPC_IOCTL_TYPE, KIPC_CMD_WAIT)

/* kipc_mq_notify.method: what a registration delivers when it fires */
#define KIPC_MQ_NOTIFY_NONE	0	/* nothing: the registration only holds its place */
#define KIPC_MQ_NOTIFY_SIGNAL	1	/* a signal to the registering process */
#define KIPC_MQ_NOTIFY_EVENTFD	2	/* 1 added to an eventfd */

/* kipc_mq_notify.flags */
#define KIPC_MQ_NOTIFY_REMOVE	0x1	/* remove the calling process's registration */

/**
 * struct kipc_mq_notify - KIPC_IOC_MQ_NOTIFY: be told once when a message reaches an empty queue
 * @size: sizeof(struct kipc_mq_notify)
 * @flags: 0 to register, or KIPC_MQ_NOTIFY_REMOVE (then every other field must be 0)
 * @method: KIPC_MQ_NOTIFY_* (EOPNOTSUPP for another value)
 * @signo: SIGNAL: the signal, 1..64 (the kernel's _NSIG; EINVAL otherwise); 0 for the
 *         other methods
 * @value: SIGNAL: the signal's si_value, its pointer-wide bits (sival_ptr); 0 for the others
 * @eventfd: EVENTFD: an eventfd descriptor (EBADF for anything else); 0 for the others
 * @removed: out: REMOVE: 1 when the call removed the caller's registration, 0 when the
 *           caller had none (it never registered, or the registration fired already)
 *
 * POSIX mq_notify(3) on a kipc queue.  The fd must be attached to a queue (ENOTCONN when it
 * is not, EBADF for a shared-page channel), with any access, as on Linux: whoever may attach
 * may hold the one place until it closes.  A queue holds at most one registration, made by a
 * process (the caller's thread group): EBUSY while it has one, the caller's own included.
 *
 * The registration fires once, and is gone then, when a send or a batch puts a message on the
 * empty queue that no receive asleep on it takes at once: a message handed to a waiting
 * receive fires nothing (the receive was waiting, as POSIX wants), and neither does a batch
 * that leaves no more messages than receives asleep; a message the waiting receive cannot
 * take (too little room), or that a failed receive puts back on the empty queue with nobody
 * waiting, fires.  (A large message whose direct copy to the waiting receive misses is
 * queued, and fires, though that receive then takes it.)  It is also gone when its process
 * removes it, when its process closes any fd attached to the queue (as a POSIX queue's is on
 * close), and with the queue (KIPC_DESTROY_NOW, or the last close), undelivered.  Delivery
 * happens under the queue's lock: once a REMOVE or a close has taken the registration away,
 * nothing of it arrives any more.
 *
 * SIGNAL queues the signal to the registering process with si_code SI_MESGQ, si_value
 * @value, si_pid the sender's process id and si_uid its real uid (both as the registering
 * process sees them), unless that process has exited or exec'd since it registered.  A
 * module cannot send a process-wide signal with its own siginfo, so it goes to one live
 * thread: one that does not block it, else the group leader, else any.  A thread that blocks
 * it and waits for it (sigwaitinfo(), a signalfd) therefore gets it only when it is that one.
 * EVENTFD adds 1 to the eventfd, held from registration until the registration is gone (a
 * SIGEV_THREAD helper reads it and starts the thread); a registration gone undelivered adds
 * nothing, so such a helper also watches for its own removal (libkipc-mqueue's does for
 * mq_close and mq_notify(NULL)).
 */
struct kipc_mq_notify {
	__u32 size;
	__u32 flags;
	__u32 method;
	__s32 signo;
	__aligned_u64 value;
	__s32 eventfd;
	__u32 removed;
};

#define KIPC_MQ_NOTIFY_SIZE_VER0	32	/* the first version: up to @removed */
#define KIPC_CMD_MQ_NOTIFY		0x0d
#define KIPC_IOC_MQ_NOTIFY		_IO(KIPC_IOCTL_TYPE, KIPC_CMD_MQ_NOTIFY)

/* Largest kipc_batch.count. */
#define KIPC_BATCH_MAX		1024

#endif /* _UAPI_LINUX_KIPC_H */
