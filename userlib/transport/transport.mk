# SPDX-License-Identifier: GPL-2.0
#
# libkipc-transport (userlib/transport/: one message API over kipc and every native mechanism),
# its conformance test, and kipc-bench, which runs on it.  Included by the top-level Makefile
# after its own parts; uses its BUILD, CC, USER_CFLAGS, Q, say, LIB_A, LIB_SO, LIB_HDRS and
# TRANSPORT_A, and changes none of them.
#
#   make transport         libkipc-transport.a and .so (linked against libkipc)
#   make bench             build/bench/kipc-bench
#   make bench-host        the native comparison on this machine (KIPC_BENCH_ARGS adds options);
#                          prints where the table, CSV, JSON and plots went
#   make bench-host-quick  the same in --quick mode
#   make transport-test    the conformance test on this machine
#
# The conformance test is tests/selftests/kipc_transport_test.c: built static there like every
# selftest (so the VM runs it), and once more into build/tests/host/ for `make host-test`.

TRANSPORT_SRCS := $(wildcard userlib/transport/*.c)
TRANSPORT_HDRS := $(wildcard userlib/transport/*.h) userlib/include/kipc-transport.h
# posix-mq-kipc (posix_mq_kipc.c) runs the posix-mq backend's code on libkipc-mqueue: the shim's
# sources once more, under the names mqueue_names.h gives them, in the transport's own folder.
TRANSPORT_MQ_SRCS := $(wildcard userlib/mqueue/*.c)
TRANSPORT_MQ_HDRS := $(wildcard userlib/mqueue/*.h) userlib/transport/mqueue_names.h
TRANSPORT_OBJS := $(patsubst userlib/%.c,$(BUILD)/lib/obj/%.o,$(TRANSPORT_SRCS)) \
	$(patsubst userlib/mqueue/%.c,$(BUILD)/lib/obj/transport/mqueue/%.o,$(TRANSPORT_MQ_SRCS))
TRANSPORT_PIC_OBJS := $(patsubst userlib/%.c,$(BUILD)/lib/pic/%.o,$(TRANSPORT_SRCS)) \
	$(patsubst userlib/mqueue/%.c,$(BUILD)/lib/pic/transport/mqueue/%.o,$(TRANSPORT_MQ_SRCS))
TRANSPORT_MQ_CFLAGS := -Iuserlib/src -pthread -include userlib/transport/mqueue_names.h
TRANSPORT_SO_NAME := libkipc-transport.so.0
TRANSPORT_SO := $(BUILD)/lib/libkipc-transport.so.$(VERSION)
TRANSPORT_MAP := userlib/transport/libkipc-transport.map

transport: $(TRANSPORT_A) $(TRANSPORT_SO)

$(BUILD)/lib/obj/transport/mqueue/%.o: userlib/mqueue/%.c $(LIB_HDRS) $(TRANSPORT_MQ_HDRS)
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) $(TRANSPORT_MQ_CFLAGS) -c -o $@ $<

$(BUILD)/lib/pic/transport/mqueue/%.o: userlib/mqueue/%.c $(LIB_HDRS) $(TRANSPORT_MQ_HDRS)
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) $(TRANSPORT_MQ_CFLAGS) -fPIC -fvisibility=hidden -c -o $@ $<

$(BUILD)/lib/obj/transport/%.o: userlib/transport/%.c $(LIB_HDRS) $(TRANSPORT_HDRS)
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) -c -o $@ $<

$(BUILD)/lib/pic/transport/%.o: userlib/transport/%.c $(LIB_HDRS) $(TRANSPORT_HDRS)
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) -fPIC -fvisibility=default -c -o $@ $<

$(TRANSPORT_A): $(TRANSPORT_OBJS)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

$(TRANSPORT_SO): $(TRANSPORT_PIC_OBJS) $(TRANSPORT_MAP) $(LIB_SO) VERSION
	$(call say,LD,$@)
	$(Q)$(CC) -shared -Wl,-soname,$(TRANSPORT_SO_NAME) -Wl,--version-script=$(TRANSPORT_MAP) \
		-Wl,-z,defs -pthread -o $@ $(TRANSPORT_PIC_OBJS) -L$(BUILD)/lib -lkipc
	$(Q)ln -sf $(notdir $@) $(BUILD)/lib/$(TRANSPORT_SO_NAME)
	$(Q)ln -sf $(TRANSPORT_SO_NAME) $(BUILD)/lib/libkipc-transport.so

# ---- the conformance test, natively -------------------------------------------------------------
TRANSPORT_HOST_TEST := $(BUILD)/tests/host/kipc_transport_test

$(TRANSPORT_HOST_TEST): tests/selftests/kipc_transport_test.c tests/selftests/kipc_fault_inject.h \
	$(TRANSPORT_A) $(LIB_A)
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) -pthread -o $@ $< $(TRANSPORT_A) $(LIB_A)

host-test: $(TRANSPORT_HOST_TEST)

transport-test: $(TRANSPORT_HOST_TEST)
	@$(TRANSPORT_HOST_TEST)

# ---- kipc-bench ---------------------------------------------------------------------------------
# Static, like everything the VM runs; the host uses the same binary.
BENCH_SRCS := $(wildcard userlib/bench/*.c)
BENCH_HDRS := $(wildcard userlib/bench/*.h)
KIPC_BENCH := $(BUILD)/bench/kipc-bench

$(KIPC_BENCH): $(BENCH_SRCS) $(BENCH_HDRS) $(TRANSPORT_A) $(LIB_A)
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) -static -pthread -o $@ $(BENCH_SRCS) $(TRANSPORT_A) $(LIB_A) -lm

bench: $(KIPC_BENCH)
tests: $(KIPC_BENCH) $(TRANSPORT_HOST_TEST)

BENCH_HOST_OUT ?= $(BUILD)/bench/host

bench-host: $(KIPC_BENCH)
	@$(KIPC_BENCH) --mode host --out $(BENCH_HOST_OUT) $(KIPC_BENCH_ARGS)

bench-host-quick: $(KIPC_BENCH)
	@$(KIPC_BENCH) --mode host --quick --out $(BENCH_HOST_OUT)-quick $(KIPC_BENCH_ARGS)

.PHONY: transport bench bench-host bench-host-quick transport-test
