/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc on older kernels, in one place (wireguard-linux-compat's way).  The module is written
 * for the newest kernel's interfaces; each one an older kernel lacks is probed from the headers
 * by module/Kbuild (KIPC_HAVE_*) and supplied here.  Nothing else in the module tests a
 * kernel version.
 *
 *  vm_flags_set()/vm_flags_clear()  6.3: vm_flags became read-only but through these
 */
#ifndef _KIPC_COMPAT_H
#define _KIPC_COMPAT_H

#include <linux/mm.h>
#include <linux/version.h>

/* The kernels the suite runs on (tests/vm/run.sh --kernel stock, lts); outside them, say so. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0) || LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#error "kipc supports Linux 6.1 to 6.12 (tested on 6.1 and 6.12); this kernel is outside that range"
#endif

#ifndef KIPC_HAVE_VM_FLAGS_SET
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

#endif /* _KIPC_COMPAT_H */
