# SPDX-License-Identifier: GPL-2.0
#
# libkipc-mqueue (userlib/mqueue/: the <mqueue.h> calls on kipc queues, for LD_PRELOAD) and its
# conformance test.  Included by the top-level Makefile after userlib/transport/transport.mk;
# uses its BUILD, CC, USER_CFLAGS, Q, say, LIB_PIC_OBJS and LIB_HDRS, and changes none of them.
#
#   make mqueue            build/lib/libkipc-mqueue.so (libkipc linked in, so that a preload
#                          needs no other library of kipc's)
#   make mqueue-test       the conformance test on this machine, on the kernel's own queues
#
# The conformance test, tests/mqueue/mq_conformance_test.c, uses <mqueue.h> alone.  It is
# dynamically linked (LD_PRELOAD needs that), built once, and run both on the kernel's queues
# and with LD_PRELOAD=libkipc-mqueue.so; `make host-test` runs it the first way, the VM's
# check plan both ways (tests/vm/run.sh copies it, the shim and the libraries they need).

MQUEUE_SRCS := $(wildcard userlib/mqueue/*.c)
MQUEUE_HDRS := $(wildcard userlib/mqueue/*.h)
MQUEUE_PIC_OBJS := $(patsubst userlib/%.c,$(BUILD)/lib/pic/%.o,$(MQUEUE_SRCS))
MQUEUE_SO_NAME := libkipc-mqueue.so.0
MQUEUE_SO := $(BUILD)/lib/libkipc-mqueue.so.$(VERSION)
MQUEUE_MAP := userlib/mqueue/libkipc-mqueue.map

mqueue: $(MQUEUE_SO)

# Hidden by default: only what shim.h's MQ_EXPORT marks is the program's.
$(BUILD)/lib/pic/mqueue/%.o: userlib/mqueue/%.c $(LIB_HDRS) $(MQUEUE_HDRS)
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) -Iuserlib/src -fPIC -fvisibility=hidden -pthread -c -o $@ $<

$(MQUEUE_SO): $(MQUEUE_PIC_OBJS) $(LIB_PIC_OBJS) $(MQUEUE_MAP) VERSION
	$(call say,LD,$@)
	$(Q)$(CC) -shared -pthread -Wl,-soname,$(MQUEUE_SO_NAME) -Wl,--version-script=$(MQUEUE_MAP) \
		-Wl,-z,defs -o $@ $(MQUEUE_PIC_OBJS) $(LIB_PIC_OBJS)
	$(Q)ln -sf $(notdir $@) $(BUILD)/lib/$(MQUEUE_SO_NAME)
	$(Q)ln -sf $(MQUEUE_SO_NAME) $(BUILD)/lib/libkipc-mqueue.so

# ---- the conformance test -----------------------------------------------------------------------
MQUEUE_TEST := $(BUILD)/tests/mqueue/mq_conformance_test
MQUEUE_HOST_TEST := $(BUILD)/tests/host/mq_conformance_test

$(MQUEUE_TEST): tests/mqueue/mq_conformance_test.c
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) -O2 -g -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 $(CFLAGS) -pthread \
		-o $@ $< -lrt

# host-test runs every program in build/tests/host: the same binary, by a link.
$(MQUEUE_HOST_TEST): $(MQUEUE_TEST)
	@mkdir -p $(dir $@)
	$(Q)ln -sf ../mqueue/$(notdir $<) $@

host-test: $(MQUEUE_HOST_TEST)
tests: $(MQUEUE_TEST) $(MQUEUE_HOST_TEST) $(MQUEUE_SO)

mqueue-test: $(MQUEUE_TEST)
	@$(MQUEUE_TEST)

.PHONY: mqueue mqueue-test
