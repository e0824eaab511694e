# SPDX-License-Identifier: GPL-2.0
# Kernel differences, probed from the tree kipc is built against (not from the version, so that
# a distribution's backport is seen for what it is); module/compat.h fills each gap.  Included
# by module/Kbuild and by every other Kbuild whose objects include kipc_internal.h.

# $(call kipc_has,HEADER,ERE,MACRO): -DMACRO when include/linux/HEADER matches ERE (no commas
# or parentheses in ERE: make would split or miscount them; '.' stands for either).
kipc_has = $(shell grep -qsE '$(2)' $(srctree)/include/linux/$(1) && echo -D$(3))
# $(call kipc_exports,SYMBOL,MACRO): -DMACRO when the kernel exports SYMBOL to modules.
kipc_exports = $(shell grep -qsE '^0x[0-9a-f]+[[:space:]]$(1)[[:space:]]' $(objtree)/Module.symvers && echo -D$(2))

# The range the suite runs on (6.1, 6.12 and the newest 7.x; compat.h's #error says the same):
# outside it the build stops here, before it compiles anything, with one sentence.
kipc_in_range := $(or $(and $(filter 6,$(VERSION)),$(filter-out 0,$(PATCHLEVEL))),$(filter 7,$(VERSION)))
ifeq ($(kipc_in_range),)
$(error kipc supports Linux 6.1 to 7.x (tested on 6.1, 6.12 and 7.2); the tree in $(srctree) is Linux $(VERSION).$(PATCHLEVEL))
endif

kipc_compat_flags := \
	$(call kipc_has,mm.h,static inline void vm_flags_set,KIPC_HAVE_VM_FLAGS_SET) \
	$(call kipc_has,poll.h,static inline bool poll_does_not_wait,KIPC_HAVE_POLL_DOES_NOT_WAIT) \
	$(call kipc_has,fs.h,static inline int vfs_mmap.struct file,KIPC_HAVE_VFS_MMAP) \
	$(call kipc_has,shmem_fs.h,shmem_file_setup.const char \*name. loff_t size. vma_flags_t,KIPC_HAVE_SHMEM_VMA_FLAGS) \
	$(call kipc_has,ns_common.h,define ns_ref_read.__ns,KIPC_HAVE_NS_REF_READ) \
	$(call kipc_has,ns_common.h,define ns_ref_active_read.__ns,KIPC_HAVE_NS_REF_ACTIVE) \
	$(call kipc_has,module.h,define MODULE_IMPORT_NS.ns.[[:space:]]+MODULE_INFO.import_ns.[[:space:]]*ns.,KIPC_HAVE_IMPORT_NS_STRING) \
	$(call kipc_has,mm.h,struct vm_area_struct \*\*vmas. int \*locked,KIPC_GUP_TAKES_VMAS) \
	$(call kipc_has,eventfd.h,static inline void eventfd_signal.struct eventfd_ctx \*ctx.,KIPC_HAVE_EVENTFD_SIGNAL_CTX) \
	$(call kipc_exports,put_ipc_ns,KIPC_HAVE_PUT_IPC_NS)

ccflags-y += $(kipc_compat_flags)
