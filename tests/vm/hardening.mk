# SPDX-License-Identifier: GPL-2.0
#
# The fuzzer and the racing stress in the test VM.  Included by the top-level
# Makefile, whose targets lib and tests build the static programs the VM runs.
#
#   make vm-fuzz          kipc-fuzz: FUZZ_OPS operations (default 100000, the CI form)
#   make vm-stress        kipc-stress: 8 processes for STRESS_SECONDS (default 60, the CI form)
#   make vm-fuzz-long     on demand: FUZZ_LONG_OPS operations (default 1000000; about 16 min in
#                         the debug VM on 2 cores)
#   make vm-stress-long   on demand: STRESS_LONG_SECONDS (default 600)
#
# They run in the debug kernel (KASAN, lockdep, kmemleak) unless KERNEL is given on the command
# line or in the environment.  FUZZ_SEED (default 1) picks the run; a failure prints its seed,
# and `make vm-fuzz FUZZ_SEED=N FUZZ_OPS=M' replays it.  Each run fails on a failed check, on
# any kernel warning, and on a kmemleak report after rmmod.

.PHONY: vm-fuzz vm-stress vm-fuzz-long vm-stress-long

# The top Makefile defaults KERNEL to stock; here the default is the debug kernel.
HARDENING_KERNEL := $(if $(filter file default undefined,$(origin KERNEL)),debug,$(KERNEL))
FUZZ_SEED ?= 1
FUZZ_OPS ?= 100000
FUZZ_LONG_OPS ?= 1000000
STRESS_SECONDS ?= 60
STRESS_LONG_SECONDS ?= 600

# The long forms outlast the runner's default timeouts (the guest allows each step half of
# KIPC_VM_TIMEOUT): about 1100 operations/s and 10 s per 1000 s of stress in the debug VM.
FUZZ_LONG_TIMEOUT = $(shell echo $$(( $(FUZZ_LONG_OPS) / 250 + 600 )))
STRESS_LONG_TIMEOUT = $(shell echo $$(( $(STRESS_LONG_SECONDS) * 2 + 600 )))

vm-fuzz: lib tests
	@KIPC_FUZZ_SEED=$(FUZZ_SEED) KIPC_FUZZ_OPS=$(FUZZ_OPS) \
		bash tests/vm/run.sh --kernel $(HARDENING_KERNEL) --plan fuzz

vm-stress: lib tests
	@KIPC_STRESS_SECONDS=$(STRESS_SECONDS) \
		bash tests/vm/run.sh --kernel $(HARDENING_KERNEL) --plan stress

vm-fuzz-long: lib tests
	@KIPC_FUZZ_SEED=$(FUZZ_SEED) KIPC_FUZZ_OPS=$(FUZZ_LONG_OPS) \
		KIPC_VM_TIMEOUT=$(FUZZ_LONG_TIMEOUT) \
		bash tests/vm/run.sh --kernel $(HARDENING_KERNEL) --plan fuzz \
		--name $(HARDENING_KERNEL)-fuzz-long

vm-stress-long: lib tests
	@KIPC_STRESS_SECONDS=$(STRESS_LONG_SECONDS) KIPC_VM_TIMEOUT=$(STRESS_LONG_TIMEOUT) \
		bash tests/vm/run.sh --kernel $(HARDENING_KERNEL) --plan stress \
		--name $(HARDENING_KERNEL)-stress-long
