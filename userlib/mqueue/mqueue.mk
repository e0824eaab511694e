# SPDX-License-Identifier: GPL-2.0
#
# libkipc-mqueue (userlib/mqueue/: the <mqueue.h> calls on kipc queues, for LD_PRELOAD).
# Included by the top-level Makefile after userlib/transport/transport.mk; uses its BUILD, CC, USER_CFLAGS, Q, say, LIB_PIC_OBJS and LIB_HDRS, and changes none of them.
#
#   make mqueue            build/lib/libkipc-mqueue.so (libkipc linked in, so that a preload
#                          needs no other library of kipc's)

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

.PHONY: mqueue
