# SPDX-License-Identifier: GPL-2.0
#
# kipc top-level Makefile.  `make help` lists the targets.
#
#   make                 the module (against KDIR; skipped, saying why, when there is no tree),
#                        libkipc, libkipc-transport, libkipc-mqueue, kipcctl and kipc-bench; nothing else
#   make run             the main job: boot the test VM with the module and show what it reports
#   make check           everything: deps, the tests' build, lint, host tests, VM tests on 6.1,
#                        6.12 and the newest, runner self-tests
#
# Variables: KDIR (kernel build tree), KIPC_CACHE (default ~/.cache/kipc), BUILD (default ./build),
# KERNEL=stock|lts|debug|newest for run/vm-shell (debug and newest are one kernel, see tests/vm/run.sh),
# V=1 for whole command lines instead of one short line per step.
#
# The makefiles read top-down: each part defines what it uses before its rules, and none
# changes a variable another part's rules already used.  The parts, in order: this file (the
# module, libkipc, the test programs, the checks and VM runs), userlib/transport/transport.mk
# (libkipc-transport, kipc-bench), userlib/mqueue/mqueue.mk (libkipc-mqueue), packaging/kipc.mk (kipcctl, install, DKMS),
# tests/vm/hardening.mk (fuzz and stress).

SHELL := /bin/bash
# The one version number, for the module, the libraries, kipcctl, DKMS and the .pc files.
VERSION := $(shell cat $(CURDIR)/VERSION)
KIPC_CACHE ?= $(HOME)/.cache/kipc
export KIPC_CACHE
BUILD ?= $(CURDIR)/build
KSRC := $(KIPC_CACHE)/src/current
KSFT_MQUEUE_DIR := $(KIPC_CACHE)/newest/current/tools/testing/selftests/mqueue
KSFT_MQUEUE := $(BUILD)/ksft-mqueue/mq_open_tests $(BUILD)/ksft-mqueue/mq_perf_tests
KERNEL ?= stock

# The kernel tree to build against: the running kernel's when it has one; else the only Debian
# amd64 headers installed.  With several and none running, nothing is guessed: `make` builds
# the rest and says which trees it found (KDIR=... picks one).  The VM runs choose their own.
HEADER_TREES := $(sort $(wildcard /usr/src/linux-headers-*-amd64))
RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
DEFAULT_KDIR := $(if $(wildcard $(RUNNING_KDIR)/Makefile),$(RUNNING_KDIR),$(if $(filter 1,$(words $(HEADER_TREES))),$(HEADER_TREES)))
KDIR ?= $(DEFAULT_KDIR)
# The trees of the VM's kernels, which deps.sh provides: the stock 6.1 and Debian 12's 6.12.
STOCK_KDIR = /usr/src/linux-headers-$(notdir $(realpath $(KIPC_CACHE)/stock/current))
LTS_KDIR = $(realpath $(KIPC_CACHE)/lts/current/headers)
KMOD_OUT ?= $(BUILD)/kmod/$(notdir $(KDIR))
override KMOD_OUT := $(abspath $(KMOD_OUT))

CC ?= gcc
# Quiet by default, as Kbuild is: `  CC      lib/obj/ring.o`; V=1 prints the commands themselves.
# make -s prints nothing of its own, as Kbuild does.
ifeq ($(V),1)
Q :=
say :=
else ifneq ($(findstring s,$(firstword -$(MAKEFLAGS))),)
Q := @
say :=
else
Q := @
say = @printf '  %-7s %s\n' '$(1)' '$(patsubst $(BUILD)/%,%,$(2))';
endif
USER_CFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
	-Iuserlib/include -Iuapi $(CFLAGS)
# kselftest_harness.h compares mixed signedness in its macros by design.
KSFT_CFLAGS := -I$(KSRC)/tools/testing/selftests -Wno-sign-compare -Wno-unused-parameter

LIB_SRCS := $(wildcard userlib/src/*.c)
LIB_OBJS := $(patsubst userlib/src/%.c,$(BUILD)/lib/obj/%.o,$(LIB_SRCS))
LIB_PIC_OBJS := $(patsubst userlib/src/%.c,$(BUILD)/lib/pic/%.o,$(LIB_SRCS))
LIB_A := $(BUILD)/lib/libkipc.a
LIB_SO_NAME := libkipc.so.0
LIB_SO := $(BUILD)/lib/libkipc.so.$(VERSION)
LIB_HDRS := $(wildcard userlib/include/*.h userlib/src/*.h) uapi/linux/kipc.h
# libkipc-transport (userlib/transport/transport.mk): the test programs link it too.
TRANSPORT_A := $(BUILD)/lib/libkipc-transport.a

HOST_TESTS := $(patsubst tests/host/%.c,$(BUILD)/tests/host/%,$(wildcard tests/host/*_test.c))
SELFTESTS := $(patsubst tests/selftests/%.c,$(BUILD)/tests/selftests/%,$(wildcard tests/selftests/*_test.c))
VM_PROGS := $(patsubst tests/vm/progs/%.c,$(BUILD)/tests/vm/%,$(wildcard tests/vm/progs/*.c))

KMOD_SRCS := Kbuild VERSION $(wildcard module/* uapi/linux/* tests/kunit/* tests/vm/harness/*)

.PHONY: all help module module-if-any lib tests deps check lint sparse checkpatch uapi-padding uapi-ioctl-type kunitconfig-check docs docs-check host-test vm-test vm-test-stock vm-test-lts \
	vm-test-newest vm-test-debug vm-test-mqueue vm-test-faultinject vm-test-demo vm-selftest run vm-shell vm-profile debug-kernel clean host-tsan

all: module-if-any lib transport mqueue kipcctl bench

# The module when there is a tree to build it against; otherwise a sentence saying why not.
module-if-any:
	@if [ -n "$(KDIR)" ]; then $(MAKE) -s module; else \
		echo "  KMOD    skipped: no running kernel tree, and $(words $(HEADER_TREES)) Debian header trees ($(notdir $(HEADER_TREES))): say KDIR=/usr/src/linux-headers-..." ; fi

deps:
	@bash tests/vm/deps.sh

# ---- the module ------------------------------------------------------------------------------
# Built in a copy of the sources under $(KMOD_OUT), one per kernel, so builds against the stock
# headers and the debug kernel never share objects.  Any compiler warning fails the build.
module: $(KMOD_OUT)/module/kipc.ko

$(KMOD_OUT)/module/kipc.ko: $(KMOD_SRCS)
	@test -n "$(KDIR)" || { echo "no KDIR: found $(words $(HEADER_TREES)) header trees ($(notdir $(HEADER_TREES))) and no running kernel tree; say KDIR=..."; exit 1; }
	@test -f "$(KDIR)/Makefile" || { echo "no kernel build tree at KDIR=$(KDIR) (run make deps)"; exit 1; }
	@mkdir -p $(KMOD_OUT)
	@rsync -aR $(KMOD_SRCS) $(KMOD_OUT)/
	@echo "  KMOD    $(KMOD_OUT) (KDIR=$(KDIR))"
	@$(MAKE) -s -C $(KDIR) M=$(KMOD_OUT) W=1 $(KMOD_FLAGS) modules > $(KMOD_OUT)/build.log 2>&1 || \
		{ cat $(KMOD_OUT)/build.log; exit 1; }
	@if grep -E 'warning:|error:|WARNING:' $(KMOD_OUT)/build.log; then \
		echo "module build is not warning-free (see $(KMOD_OUT)/build.log)"; rm -f $@; exit 1; fi

# ---- the library -----------------------------------------------------------------------------
lib: $(LIB_A) $(LIB_SO)

$(BUILD)/lib/obj/%.o: userlib/src/%.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) -c -o $@ $<

$(BUILD)/lib/pic/%.o: userlib/src/%.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) -fPIC -fvisibility=default -c -o $@ $<

$(LIB_A): $(LIB_OBJS)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

$(LIB_SO): $(LIB_PIC_OBJS) userlib/libkipc.map VERSION
	$(call say,LD,$@)
	$(Q)$(CC) -shared -Wl,-soname,$(LIB_SO_NAME) -Wl,--version-script=userlib/libkipc.map \
		-Wl,-z,defs -o $@ $(LIB_PIC_OBJS)
	$(Q)ln -sf $(notdir $@) $(BUILD)/lib/$(LIB_SO_NAME)
	$(Q)ln -sf $(LIB_SO_NAME) $(BUILD)/lib/libkipc.so

# ---- test programs ---------------------------------------------------------------------------
tests: $(HOST_TESTS) $(SELFTESTS) $(VM_PROGS) $(KSFT_MQUEUE)

# The kernel's own POSIX mqueue selftests, built by their own Makefile from the newest kernel's
# source (make deps unpacks it), unmodified, and dynamically linked: LD_PRELOAD needs that.
# The mqueue plan runs them against the kernel's queues and against kipc's.
$(KSFT_MQUEUE) &: $(wildcard $(KSFT_MQUEUE_DIR)/*.c)
	@test -f $(KSFT_MQUEUE_DIR)/Makefile || \
		{ echo "no kernel mqueue selftests in $(KSFT_MQUEUE_DIR) (run make deps)"; exit 1; }
	@mkdir -p $(BUILD)/ksft-mqueue
	$(call say,KSFT,$(BUILD)/ksft-mqueue)
	$(Q)$(MAKE) -s -C $(KSFT_MQUEUE_DIR) OUTPUT=$(abspath $(BUILD)/ksft-mqueue) > /dev/null

$(BUILD)/tests/host/%: tests/host/%.c $(wildcard tests/host/*.h) $(LIB_A)
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) -pthread -o $@ $< $(LIB_A)

# The ring tests again under ThreadSanitizer, built with clang (its runtime, libclang-rt-14-dev,
# comes with `make deps`) and with the ring's source, not the library, so that it is
# instrumented too.  TSan's halt_on_error makes any report a non-zero exit, which run.sh counts
# as a failure; the threads test runs many rounds.
TSAN_CC ?= clang
TSAN_TESTS := $(patsubst tests/host/%.c,$(BUILD)/tsan/%,$(wildcard tests/host/ring_*_test.c))

$(BUILD)/tsan/%: tests/host/%.c $(wildcard tests/host/*.h) userlib/src/ring.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(TSAN_CC) $(USER_CFLAGS) -fsanitize=thread -pthread -o $@ $< userlib/src/ring.c

host-tsan: $(TSAN_TESTS)
	@TSAN_OPTIONS="halt_on_error=1 $(TSAN_OPTIONS)" KIPC_RING_TEST_ROUNDS=40 \
		KIPC_RING_TEST_MESSAGES=20000 bash tests/host/run.sh $(BUILD)/tsan

# The VM has no shared libraries: everything that runs there is static.
$(BUILD)/tests/selftests/%: tests/selftests/%.c $(wildcard tests/selftests/*.h) $(TRANSPORT_A) $(LIB_A)
	@test -f $(KSRC)/tools/testing/selftests/kselftest_harness.h || \
		{ echo "no kernel source in $(KSRC) (run make deps)"; exit 1; }
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) $(KSFT_CFLAGS) -static -pthread -o $@ $< $(TRANSPORT_A) $(LIB_A) -lrt

$(BUILD)/tests/vm/%: tests/vm/progs/%.c $(wildcard tests/vm/progs/*.h) $(LIB_A)
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) -static -o $@ $< $(LIB_A)

# ---- checks ----------------------------------------------------------------------------------
lint: sparse checkpatch uapi-padding uapi-ioctl-type kunitconfig-check docs-check

# docs/bad-input.md is the bad-input table's own listing: `make docs` writes it, lint checks it.
BADINPUT := $(BUILD)/tests/selftests/kipc_badinput_test
docs: $(BADINPUT)
	@$(BADINPUT) --list > docs/bad-input.md
	@echo "  DOCS    docs/bad-input.md"

docs-check: $(BADINPUT)
	@$(BADINPUT) --list | diff -u docs/bad-input.md - || \
		{ echo "docs/bad-input.md is stale: run make docs"; exit 1; }
	@echo "  DOCS    docs/bad-input.md is current"

# sparse (C=2 checks every file) on builds of their own, against each kernel tree there is: the
# stock headers, 6.12's, and the debug kernel once it is built (it has KUnit, so the KUnit module
# is checked too).  Any report fails: the module build already refuses every "warning:" line.
# A kernel that finds this sparse too old (7.x wants __typeof_unqual__, which Debian 12's 0.6.4
# lacks) turns the check off with a warning; that tree is then said to be skipped, never clean.
SPARSE_KDIRS := $(sort $(KDIR) $(LTS_KDIR)) $(wildcard $(shell bash tests/vm/debug-kernel.sh --if-built 2>/dev/null))
sparse:
	@for k in $(SPARSE_KDIRS); do \
		out=$(BUILD)/kmod/sparse-$$(basename $$k); \
		$(MAKE) -s module KDIR=$$k KMOD_OUT=$$out \
			KMOD_FLAGS="C=2 CHECK=sparse KIPC_HARNESS=m" || exit 1; \
		if grep -q 'C=2 specified, but sparse is not available or not up to date' $$out/build.log; then \
			echo "  SPARSE  skipped against $$k: it wants a newer sparse than $$(sparse --version)"; \
		else echo "  SPARSE  clean against $$k"; fi; \
	done

checkpatch:
	@test -x $(KSRC)/scripts/checkpatch.pl || { echo "no kernel source in $(KSRC) (run make deps)"; exit 1; }
	@# LINUX_VERSION_CODE: an out-of-tree module's compat.h is where it belongs (the range check).
	@$(KSRC)/scripts/checkpatch.pl --strict --no-tree --quiet --show-types \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,LINUX_VERSION_CODE -f \
		$(wildcard module/*.c module/*.h uapi/linux/*.h tests/kunit/*.c tests/vm/harness/*.c)
	@echo "  CHECKPATCH clean"

# No implicit padding in a uapi struct: -Wpadded on a file that takes the sizeof() of each
# (every "struct kipc_* {" of the header), so that each layout is computed.
uapi-padding:
	@structs=$$(sed -n 's/^struct \(kipc_[a-z0-9_]*\) {$$/\1/p' uapi/linux/kipc.h); \
	test -n "$$structs" || { echo "no structs found in uapi/linux/kipc.h"; exit 1; }; \
	{ echo '#include <linux/kipc.h>'; echo 'static const unsigned long sizes[] = {'; \
	  for s in $$structs; do echo "sizeof(struct $$s),"; done; \
	  echo '}; unsigned long kipc_size(int i) { return sizes[i]; }'; } | \
		$(CC) -Iuapi -Wpadded -Werror -fsyntax-only -x c - || exit 1; \
	echo "  PADDING none in the $$(echo $$structs | wc -w) structs of uapi/linux/kipc.h"

# The ioctl type is one mainline's ioctl-number.rst does not list, in each kernel source there
# is (6.1's, and the newest's once deps has fetched it).
IOCTL_NUMBER_DOCS := $(wildcard $(KSRC)/Documentation/userspace-api/ioctl/ioctl-number.rst \
	$(KIPC_CACHE)/newest/current/Documentation/userspace-api/ioctl/ioctl-number.rst)
uapi-ioctl-type:
	@type=$$(sed -n 's/^#define KIPC_IOCTL_TYPE[[:space:]]*\(0x[0-9A-Fa-f]*\).*/\1/p' uapi/linux/kipc.h); \
	test -n "$$type" || { echo "no KIPC_IOCTL_TYPE in uapi/linux/kipc.h"; exit 1; }; \
	test -n "$(IOCTL_NUMBER_DOCS)" || { echo "no ioctl-number.rst in $(KSRC) (run make deps)"; exit 1; }; \
	for doc in $(IOCTL_NUMBER_DOCS); do \
		if grep -iE "^$$type[[:space:]]" $$doc; then \
			echo "KIPC_IOCTL_TYPE $$type is taken in $$doc"; exit 1; fi; \
	done; \
	echo "  IOCTL   type $$type is listed in none of $(words $(IOCTL_NUMBER_DOCS)) ioctl-number.rst"

# tests/kunit/.kunitconfig names what the suites need; the debug kernel they run in has it all.
kunitconfig-check:
	@missing=$$(grep '^CONFIG_' tests/kunit/.kunitconfig | grep -vxFf tests/vm/debug.config); \
	test -z "$$missing" || { echo "tests/vm/debug.config lacks what .kunitconfig needs:"; \
		echo "$$missing"; exit 1; }; \
	echo "  KUNIT   tests/vm/debug.config has every option of tests/kunit/.kunitconfig"

host-test: $(HOST_TESTS)
	@KIPC_RESULTS=$(BUILD)/results bash tests/host/run.sh $(BUILD)/tests/host | tee $(BUILD)/host-test.log; \
		exit $${PIPESTATUS[0]}

vm-test: vm-test-stock vm-test-lts vm-test-newest

vm-test-stock: lib tests
	@bash tests/vm/run.sh --kernel stock --plan check

# Debian 12's 6.12 (deps.sh unpacks it); skipped, saying so, where apt does not offer it.
vm-test-lts: lib tests
	@if [ -e "$(KIPC_CACHE)/lts/current/vmlinuz" ]; then \
		bash tests/vm/run.sh --kernel lts --plan check; \
	else echo "  VM      lts skipped: no 6.12 kernel in $(KIPC_CACHE)/lts (apt offered none)"; fi

# The newest release, which is also the debug kernel (KASAN, lockdep, kmemleak, KUnit): one run
# of the check plan serves both.
vm-test-newest: lib tests
	@bash tests/vm/run.sh --kernel newest --plan check

vm-test-debug: vm-test-newest

# The kernel's own mqueue selftests, mq_perf_tests included, on the kernel's queues and on
# kipc's through libkipc-mqueue.so (the check plan runs mq_open_tests both ways everywhere);
# icount, so that the figures are instruction counts that repeat.
vm-test-mqueue: lib tests
	@bash tests/vm/run.sh --kernel stock --plan mqueue --mode icount

# Every selftest again with allocations and user copies failing at random (debug kernel).
vm-test-faultinject: lib tests
	@bash tests/vm/run.sh --kernel debug --plan faultinject

vm-selftest: lib tests
	@bash tests/vm/selftest.sh

check: deps
	@rm -f $(BUILD)/results/*.count
	@bash tests/vm/debug-kernel.sh >/dev/null
	@$(MAKE) -s all tests
	@$(MAKE) -s lint
	@$(MAKE) -s host-test
	@$(MAKE) -s host-tsan
	@$(MAKE) -s vm-selftest
	@$(MAKE) -s vm-test-stock
	@$(MAKE) -s vm-test-lts
	@$(MAKE) -s vm-test-newest
	@$(MAKE) -s vm-test-faultinject
	@$(MAKE) -s vm-test-mqueue
	@$(MAKE) -s packaging-check
	@$(MAKE) -s vm-test-kipcctl
	@$(MAKE) -s vm-test-walk
	@$(MAKE) -s vm-test-demo
	@$(MAKE) -s vm-fuzz
	@$(MAKE) -s vm-stress
	@bash tests/summary.sh $(BUILD)/results

# The main job: the IPC comparison in the test VM, in the deterministic icount mode by default
# (MODE=realtime for the multi-threaded TCG clock).
MODE ?= icount
run: deps
	@$(MAKE) -s lib tests
	@bash tests/vm/run.sh --kernel $(KERNEL) --plan demo --mode $(MODE)

# The main job's whole path (bench in the VM, export, plots on the host) on a few backends.
vm-test-demo: lib tests
	@KIPC_BENCH_ARGS="--quick --backends pipe,kipc-mq,kipc-ring" \
		bash tests/vm/run.sh --kernel stock --plan demo --mode icount --name demo-quick

vm-shell: deps
	@$(MAKE) -s lib tests
	@bash tests/vm/run.sh --kernel $(KERNEL) --plan shell

# Where one path's instructions go: perf in the icount VM (WHAT=batch:kipc-mq, bench:pipe, ...).
WHAT ?= batch:kipc-mq
vm-profile: deps
	@$(MAKE) -s lib tests
	@bash tests/vm/profile.sh --kernel $(KERNEL) $(WHAT)

debug-kernel: deps
	@bash tests/vm/debug-kernel.sh

clean:
	rm -rf $(BUILD)

help:
	@echo 'Build (into BUILD=$(BUILD); V=1 for whole command lines):'
	@echo '  all (default)       the module for KDIR, libkipc, libkipc-transport, kipcctl, kipc-bench'
	@echo '  module              the module alone (KDIR=/path/to/kernel/build)'
	@echo '  lib, transport      libkipc; libkipc-transport'
	@echo '  mqueue              libkipc-mqueue, the <mqueue.h> calls on kipc for LD_PRELOAD'
	@echo '  kipcctl, bench      the CLI; the benchmark'
	@echo '  tests               the test programs (needs the kernel source of make deps)'
	@echo 'Run:'
	@echo '  run                 the main job: the comparison in the test VM (MODE=realtime, KERNEL=...)'
	@echo '  bench-host          the native comparison on this machine'
	@echo '  vm-shell            the test VM with kipcctl and the installed tree, at a shell'
	@echo '  vm-profile          perf in the icount VM: where WHAT (batch:kipc-mq, bench:pipe) spends'
	@echo 'Test:'
	@echo '  check               every test below, and lint: what CI runs'
	@echo '  host-test, host-tsan, transport-test   the library on this machine'
	@echo '  vm-test             the check plan on 6.1, 6.12 and the newest (vm-test-stock, -lts, -newest)'
	@echo '  vm-test-faultinject, vm-test-mqueue, vm-fuzz, vm-stress, vm-test-kipcctl, vm-test-walk,'
	@echo '                      vm-test-demo, vm-selftest'
	@echo '  lint                sparse, checkpatch, uapi-padding, docs-check'
	@echo '  packaging-check     install-check, dkms-check, range-check'
	@echo 'Install:'
	@echo '  install, uninstall  DESTDIR, PREFIX (/usr/local), BINDIR, LIBDIR, INCLUDEDIR, MANDIR, UDEVRULESDIR'
	@echo '  dkms-install, dkms-remove   hand the module to DKMS, take it back (root)'
	@echo 'Other:'
	@echo '  deps                install what is missing (Debian packages, kernels into KIPC_CACHE)'
	@echo '  debug-kernel        build the debug kernel into KIPC_CACHE'
	@echo '  docs                regenerate docs/bad-input.md'
	@echo '  clean               remove BUILD'

include userlib/transport/transport.mk
include userlib/mqueue/mqueue.mk
include packaging/kipc.mk
include tests/vm/hardening.mk
