// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * posix-mq-kipc: the posix-mq backend's own code, posix_mq.c, with its mq_* calls bound to
 * libkipc-mqueue's (mqueue_names.h) instead of libc's.  So "the same program on POSIX mq and
 * on kipc" is one row apart in the comparison: what differs is only what the LD_PRELOAD shim
 * changes for an unmodified program.  Where there is no /dev/kipc the shim's mq_open() fails
 * with ENOSYS, and the backend is unsupported.
 */
#include "mqueue_names.h"

#define PMQ_BACKEND	kipc__tp_posix_mq_kipc
#define PMQ_NAME	"posix-mq-kipc"
#define PMQ_SUMMARY	"posix-mq's code on kipc queues, through libkipc-mqueue (the LD_PRELOAD shim)"

#include "posix_mq.c"
