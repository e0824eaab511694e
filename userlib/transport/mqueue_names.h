/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * The <mqueue.h> calls under names of kipc's own, for posix-mq-kipc: libkipc-mqueue's sources
 * are built once more into libkipc-transport with this header first (transport.mk), and
 * posix_mq_kipc.c includes it before posix_mq.c, so that the posix-mq backend's code calls the
 * shim's functions where it called libc's.  In the test VM the bench is a static program, which
 * LD_PRELOAD cannot reach: this is the preload's code linked in instead.  Must come before
 * <mqueue.h>, and with _FORTIFY_SOURCE off (its inline mq_open calls libc's by asm name).
 */
#ifndef KIPC_TRANSPORT_MQUEUE_NAMES_H
#define KIPC_TRANSPORT_MQUEUE_NAMES_H

#undef _FORTIFY_SOURCE

#define mq_open			kipc_mqueue_open
#define __mq_open_2		kipc_mqueue_open_2
#define mq_close		kipc_mqueue_close
#define mq_unlink		kipc_mqueue_unlink
#define mq_send			kipc_mqueue_send
#define mq_timedsend		kipc_mqueue_timedsend
#define mq_receive		kipc_mqueue_receive
#define mq_timedreceive		kipc_mqueue_timedreceive
#define mq_getattr		kipc_mqueue_getattr
#define mq_setattr		kipc_mqueue_setattr
#define mq_notify		kipc_mqueue_notify

/* The shim's own internals, kept out of the way of a program's names. */
#define mq__kipc_name		kipc_mqueue__kipc_name
#define mq__create_attr		kipc_mqueue__create_attr
#define mq__errno		kipc_mqueue__errno
#define mq__notify_forget	kipc_mqueue__notify_forget

#endif /* KIPC_TRANSPORT_MQUEUE_NAMES_H */
