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
 *    does not have.
 *  - Each errno has one meaning:
 *      ENOTTY      unknown ioctl command
 *      E2BIG       a non-zero tail beyond what this kernel understands
 *      EOPNOTSUPP  an unknown flag bit or an unknown value in an enumerated field
 *      EINVAL      a field with a bad value (including a non-zero reserved field)
 *      EFAULT      a bad user pointer
 *  - User pointers travel as __aligned_u64; there are no enums, no bitfields and no implicit
 *    padding in any struct here.
 */
#ifndef _UAPI_LINUX_KIPC_H
#define _UAPI_LINUX_KIPC_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define KIPC_DEVICE_NAME	"kipc"
#define KIPC_DEVICE_PATH	"/dev/kipc"

/* Bumped when an incompatible change is made; growth by appended fields does not bump it. */
#define KIPC_ABI_VERSION	1

#define KIPC_IOCTL_TYPE		0xB8

/* A channel name is 1..KIPC_NAME_MAX-1 bytes followed by a NUL, in a KIPC_NAME_MAX buffer. */
#define KIPC_NAME_MAX		64

/* Bits of kipc_info.features: what this module implements. */
#define KIPC_FEATURE_INFO	0x0000000000000001ULL	/* KIPC_IOC_INFO and its limits */

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
};

/* Command numbers; the size travels in the struct, not in the ioctl number. */
#define KIPC_CMD_INFO		0x00

#define KIPC_IOC_INFO		_IO(KIPC_IOCTL_TYPE, KIPC_CMD_INFO)

#endif /* _UAPI_LINUX_KIPC_H */
