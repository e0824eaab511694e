# SPDX-License-Identifier: GPL-2.0
#
# The transports (userlib/transport/, part of libkipc), their conformance test and kipc-bench.
# Included at the end of the top-level Makefile, whose variables (BUILD, CC, USER_CFLAGS, LIB_A,
# LIB_SO, ...) it uses.
#
#   make bench-host        the native comparison on this machine (KIPC_BENCH_ARGS adds options);
#                          prints where the table, CSV, JSON and plots went
#   make bench-host-quick  the same in --quick mode
#   make transport-test    the conformance test on this machine
#
# The conformance test is tests/selftests/kipc_transport_test.c: built static there like every
# selftest (so the VM runs it), and once more into build/tests/host/ for `make host-test`.

TRANSPORT_SRCS := $(wildcard userlib/transport/*.c)
TRANSPORT_HDRS := $(wildcard userlib/transport/*.h)
TRANSPORT_OBJS := $(patsubst userlib/%.c,$(BUILD)/lib/obj/%.o,$(TRANSPORT_SRCS))
TRANSPORT_PIC_OBJS := $(patsubst userlib/%.c,$(BUILD)/lib/pic/%.o,$(TRANSPORT_SRCS))

# Into libkipc: the archive's recipe archives $^, the shared object links $(LIB_PIC_OBJS).
$(LIB_A): $(TRANSPORT_OBJS)
$(LIB_SO): $(TRANSPORT_PIC_OBJS)
LIB_PIC_OBJS += $(TRANSPORT_PIC_OBJS)

$(BUILD)/lib/obj/transport/%.o: userlib/transport/%.c $(LIB_HDRS) $(TRANSPORT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -c -o $@ $<

$(BUILD)/lib/pic/transport/%.o: userlib/transport/%.c $(LIB_HDRS) $(TRANSPORT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -fPIC -fvisibility=default -c -o $@ $<

# ---- the conformance test, natively -------------------------------------------------------------
TRANSPORT_HOST_TEST := $(BUILD)/tests/host/kipc_transport_test

$(TRANSPORT_HOST_TEST): tests/selftests/kipc_transport_test.c tests/selftests/kipc_fault_inject.h \
	$(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -pthread -o $@ $< $(LIB_A)

host-test: $(TRANSPORT_HOST_TEST)

transport-test: $(TRANSPORT_HOST_TEST)
	@$(TRANSPORT_HOST_TEST)

# ---- kipc-bench ---------------------------------------------------------------------------------
# Static, like everything the VM runs; the host uses the same binary.
BENCH_SRCS := $(wildcard userlib/bench/*.c)
BENCH_HDRS := $(wildcard userlib/bench/*.h)
KIPC_BENCH := $(BUILD)/bench/kipc-bench

$(KIPC_BENCH): $(BENCH_SRCS) $(BENCH_HDRS) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -static -pthread -o $@ $(BENCH_SRCS) $(LIB_A) -lm

bench: $(KIPC_BENCH)
tests: $(KIPC_BENCH) $(TRANSPORT_HOST_TEST)

BENCH_HOST_OUT ?= $(BUILD)/bench/host

bench-host: $(KIPC_BENCH)
	@$(KIPC_BENCH) --mode host --out $(BENCH_HOST_OUT) $(KIPC_BENCH_ARGS)

bench-host-quick: $(KIPC_BENCH)
	@$(KIPC_BENCH) --mode host --quick --out $(BENCH_HOST_OUT)-quick $(KIPC_BENCH_ARGS)

.PHONY: bench bench-host bench-host-quick transport-test
