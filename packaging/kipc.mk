# SPDX-License-Identifier: GPL-2.0
#
# kipcctl, installation, DKMS, and their checks.  Included by the top-level Makefile after
# userlib/transport/transport.mk and userlib/mqueue/mqueue.mk, whose variables (BUILD, KDIR,
# KMOD_OUT, USER_CFLAGS, Q, say, LIB_A, LIB_SO, LIB_SO_NAME, TRANSPORT_A, TRANSPORT_SO,
# TRANSPORT_SO_NAME, MQUEUE_SO, MQUEUE_SO_NAME, KIPC_BENCH) it uses.
#
#   make kipcctl           build $(BUILD)/tools/kipcctl
#   make install           libkipc and libkipc-transport (shared, static, pkg-config files), their
#                          headers, libkipc-mqueue (the LD_PRELOAD shim, shared only), kipcctl,
#                          kipc-bench (when built), the man pages, the udev rule, and the module
#                          built for KDIR (when built) followed by depmod.  DESTDIR and PREFIX
#                          (default /usr/local) apply, and each *DIR below can be set alone.
#   make uninstall         every file make install laid down (same DESTDIR, PREFIX and *DIR),
#                          then depmod; on the live system also the group kipc, when no file
#                          on the system is left owned by it
#   make dkms-install      the module's sources into /usr/src/kipc-VERSION, then dkms add, and
#                          build and install for KDIR's kernel; DKMS then builds it for each new
#                          kernel in dkms.conf's range
#   make dkms-remove       dkms remove of this version for every kernel, and its sources in
#                          /usr/src/kipc-VERSION
#   make packaging-check   install-check and dkms-check
#   make install-check     install into a scratch DESTDIR and check the tree, a program built
#                          with pkg-config against it, and the man pages (man --warnings)
#   make dkms-check        dkms build against the stock kernel's headers, in a DKMS tree of its own
#   make man-check         every man page: its sections, its EXAMPLES compiled and run, kipc-bench(1)'s
#                          OPTIONS against --help
#   make range-check       a build against a kernel outside the supported range stops at once
#   make ksft-build        tests/selftests/Makefile builds alone and as a kernel tree's TARGET
#   make vm-test-kipcctl   kipcctl's tests in the stock test VM (the plan "kipcctl" of run.sh)
#   make vm-test-walk      the README's "Use it on your machine" in the stock test VM, word for
#                          word, on this checkout installed (the plan "walk")

.PHONY: kipcctl install uninstall dkms-install dkms-remove packaging-check install-check dkms-check range-check ksft-build man-check vm-test-kipcctl vm-test-walk \
	vm-root-kipcctl


PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# Outside PREFIX on purpose: udev and the kernel read only these places.
UDEVRULESDIR ?= /etc/udev/rules.d
KVER ?= $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
MODDIR ?= /lib/modules/$(KVER)/extra
INSTALL ?= install

# ---- kipcctl -----------------------------------------------------------------------------------
# libkipc is linked in statically, so kipcctl never depends on the installed copy; libkmod is a
# shared library (Debian has no static one).
KIPCCTL := $(BUILD)/tools/kipcctl
KIPCCTL_SRCS := $(wildcard userlib/tools/*.c)
KIPCCTL_CFLAGS := -DKIPC_VERSION='"$(VERSION)"' $(shell pkg-config --cflags libkmod 2>/dev/null)
KIPCCTL_LIBS := $(or $(shell pkg-config --libs libkmod 2>/dev/null),-lkmod)

kipcctl: $(KIPCCTL)

$(KIPCCTL): $(KIPCCTL_SRCS) $(wildcard userlib/tools/*.h) $(LIB_A) VERSION
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) $(KIPCCTL_CFLAGS) -o $@ $(KIPCCTL_SRCS) $(LIB_A) $(KIPCCTL_LIBS)

# ---- make install ------------------------------------------------------------------------------
# $(call man3_links,COMMAND): COMMAND for each function ($$f) that a man3 page ($$page) lists
# on its NAME line beside its own.
man3_links = for p in man/*.3; do page=$${p\#\#*/}; \
	for f in $$(sed -n '/^\.SH NAME/{n;s/ \\-.*//;s/,/ /g;p;q}' $$p); do \
		[ "$$f.3" = "$$page" ] || $(1) || exit 1; \
	done; done

# kipc.pc says ${prefix} wherever a directory lies under PREFIX, so that
# pkg-config --define-variable=prefix=... relocates it.
PC_LIBDIR := $(patsubst $(PREFIX)/%,$${exec_prefix}/%,$(LIBDIR))
PC_INCLUDEDIR := $(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))

install: lib transport mqueue $(KIPCCTL)
	$(INSTALL) -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(INCLUDEDIR)/kipc \
		$(DESTDIR)$(BINDIR) $(DESTDIR)$(UDEVRULESDIR) \
		$(addprefix $(DESTDIR)$(MANDIR)/man,1 3 7 8)
	$(INSTALL) -m 0755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(LIB_SO)) $(DESTDIR)$(LIBDIR)/$(LIB_SO_NAME)
	ln -sf $(LIB_SO_NAME) $(DESTDIR)$(LIBDIR)/libkipc.so
	$(INSTALL) -m 0644 $(LIB_A) $(DESTDIR)$(LIBDIR)/
	$(INSTALL) -m 0755 $(TRANSPORT_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(TRANSPORT_SO)) $(DESTDIR)$(LIBDIR)/$(TRANSPORT_SO_NAME)
	ln -sf $(TRANSPORT_SO_NAME) $(DESTDIR)$(LIBDIR)/libkipc-transport.so
	$(INSTALL) -m 0644 $(TRANSPORT_A) $(DESTDIR)$(LIBDIR)/
	$(INSTALL) -m 0755 $(MQUEUE_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(MQUEUE_SO)) $(DESTDIR)$(LIBDIR)/$(MQUEUE_SO_NAME)
	ln -sf $(MQUEUE_SO_NAME) $(DESTDIR)$(LIBDIR)/libkipc-mqueue.so
	sed -e 's|@prefix@|$(PREFIX)|' -e 's|@libdir@|$(PC_LIBDIR)|' \
		-e 's|@includedir@|$(PC_INCLUDEDIR)|' -e 's|@version@|$(VERSION)|' \
		packaging/kipc.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/kipc.pc
	sed -e 's|@prefix@|$(PREFIX)|' -e 's|@libdir@|$(PC_LIBDIR)|' \
		-e 's|@includedir@|$(PC_INCLUDEDIR)|' -e 's|@version@|$(VERSION)|' \
		packaging/kipc-transport.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/kipc-transport.pc
	$(INSTALL) -m 0644 userlib/include/kipc.h userlib/include/kipc-transport.h $(DESTDIR)$(INCLUDEDIR)/
	$(INSTALL) -m 0644 uapi/linux/kipc.h $(DESTDIR)$(INCLUDEDIR)/kipc/uapi.h
	$(INSTALL) -m 0755 $(KIPCCTL) $(DESTDIR)$(BINDIR)/
	@if [ -x $(KIPC_BENCH) ]; then \
		echo "$(INSTALL) -D -m 0755 $(KIPC_BENCH) $(DESTDIR)$(BINDIR)/kipc-bench"; \
		$(INSTALL) -D -m 0755 $(KIPC_BENCH) $(DESTDIR)$(BINDIR)/kipc-bench; \
	else echo "install: kipc-bench is not built ($(KIPC_BENCH)): skipped"; fi
	$(INSTALL) -m 0644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 0644 man/*.7 $(DESTDIR)$(MANDIR)/man7/
	$(INSTALL) -m 0644 man/*.8 $(DESTDIR)$(MANDIR)/man8/
	$(INSTALL) -m 0644 man/*.3 $(DESTDIR)$(MANDIR)/man3/
	@# Each other function a page's NAME line lists gets a link to that page.
	@$(call man3_links,ln -sf "$$page" "$(DESTDIR)$(MANDIR)/man3/$$f.3")
	$(INSTALL) -m 0644 packaging/60-kipc.rules $(DESTDIR)$(UDEVRULESDIR)/
	@# A staging tree has no modules.order or modules.builtin: depmod's warnings about them
	@# mean nothing there.
	@if [ ! -f $(KMOD_OUT)/module/kipc.ko ] || [ -z "$(KVER)" ]; then \
		echo "install: no module built for KDIR=$(KDIR): the module is skipped" \
			"(run 'make module', then 'make install' again)"; \
	else \
		echo "$(INSTALL) -D -m 0644 $(KMOD_OUT)/module/kipc.ko $(DESTDIR)$(MODDIR)/kipc.ko"; \
		$(INSTALL) -D -m 0644 $(KMOD_OUT)/module/kipc.ko $(DESTDIR)$(MODDIR)/kipc.ko || exit 1; \
		if [ -z "$(DESTDIR)" ]; then echo "depmod -a $(KVER)"; depmod -a $(KVER) || exit 1; \
		elif [ -d "$(DESTDIR)/lib/modules/$(KVER)" ]; then \
			echo "depmod -b $(DESTDIR) $(KVER)"; \
			out=$$(depmod -b $(DESTDIR) $(KVER) 2>&1) || { echo "$$out"; exit 1; }; \
			[ -z "$$out" ] || grep -v 'could not open modules\.' <<< "$$out" || true; \
		fi; \
	fi
	@# On the live system: the linker cache, the group the udev rule names, and udev's rules.
	@if [ -z "$(DESTDIR)" ]; then \
		ldconfig; \
		getent group kipc >/dev/null || { echo "groupadd --system kipc"; groupadd --system kipc; }; \
		udevadm control --reload 2>/dev/null || true; \
	fi

# The same list as install's, removed; directories are left, as other packages share them.
# depmod forgets the module; the group goes only when nothing on the system still belongs to it.
uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/$(notdir $(LIB_SO)) $(DESTDIR)$(LIBDIR)/$(LIB_SO_NAME) \
		$(DESTDIR)$(LIBDIR)/libkipc.so $(DESTDIR)$(LIBDIR)/$(notdir $(LIB_A)) \
		$(DESTDIR)$(LIBDIR)/$(notdir $(TRANSPORT_SO)) $(DESTDIR)$(LIBDIR)/$(TRANSPORT_SO_NAME) \
		$(DESTDIR)$(LIBDIR)/libkipc-transport.so $(DESTDIR)$(LIBDIR)/$(notdir $(TRANSPORT_A)) \
		$(DESTDIR)$(LIBDIR)/$(notdir $(MQUEUE_SO)) $(DESTDIR)$(LIBDIR)/$(MQUEUE_SO_NAME) \
		$(DESTDIR)$(LIBDIR)/libkipc-mqueue.so \
		$(DESTDIR)$(PKGCONFIGDIR)/kipc.pc $(DESTDIR)$(PKGCONFIGDIR)/kipc-transport.pc \
		$(DESTDIR)$(INCLUDEDIR)/kipc.h $(DESTDIR)$(INCLUDEDIR)/kipc-transport.h \
		$(DESTDIR)$(INCLUDEDIR)/kipc/uapi.h $(DESTDIR)$(BINDIR)/kipcctl \
		$(DESTDIR)$(BINDIR)/kipc-bench $(DESTDIR)$(UDEVRULESDIR)/60-kipc.rules \
		$(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(wildcard man/*.1))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(wildcard man/*.7))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(wildcard man/*.8))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man3/,$(notdir $(wildcard man/*.3)))
	@$(call man3_links,rm -f "$(DESTDIR)$(MANDIR)/man3/$$f.3")
	@rmdir $(DESTDIR)$(INCLUDEDIR)/kipc 2>/dev/null || true
	@if [ -n "$(KVER)" ] && [ -e $(DESTDIR)$(MODDIR)/kipc.ko ]; then \
		echo "rm -f $(DESTDIR)$(MODDIR)/kipc.ko"; rm -f $(DESTDIR)$(MODDIR)/kipc.ko || exit 1; \
		if [ -z "$(DESTDIR)" ]; then echo "depmod -a $(KVER)"; depmod -a $(KVER) || exit 1; \
		else \
			echo "depmod -b $(DESTDIR) $(KVER)"; \
			out=$$(depmod -b $(DESTDIR) $(KVER) 2>&1) || { echo "$$out"; exit 1; }; \
			[ -z "$$out" ] || grep -v 'could not open modules\.' <<< "$$out" || true; \
		fi; \
	elif [ -z "$(KVER)" ]; then \
		echo "uninstall: no kernel tree at KDIR=$(KDIR) to say which kernel's module: say KDIR=..."; \
	fi
	@if [ -z "$(DESTDIR)" ]; then \
		ldconfig; \
		udevadm control --reload 2>/dev/null || true; \
		if getent group kipc >/dev/null; then \
			if [ -e /dev/kipc ]; then echo "uninstall: /dev/kipc exists: the group kipc stays (rmmod kipc first)"; \
			else echo "groupdel kipc"; groupdel kipc; fi; \
		fi; \
	fi

# ---- DKMS --------------------------------------------------------------------------------------
# DKMS gets dkms.conf, VERSION, module/ and uapi/: it builds module/ alone (M=.../module).
DKMS_SRCS := dkms.conf VERSION $(wildcard module/* uapi/linux/*)
DKMS_SOURCE_TREE ?= /usr/src
# DKMS's own tree; empty for the system's (/var/lib/dkms).  The checks use trees of their own.
DKMS_TREE ?=
DKMS_OPTS = --sourcetree $(DKMS_SOURCE_TREE) $(if $(DKMS_TREE),--dkmstree $(DKMS_TREE))
# $(call dkms_stage,DIR): a fresh copy of the sources in DIR.
dkms_stage = rm -rf $(1) && mkdir -p $(1) && rsync -aR $(DKMS_SRCS) $(1)/

dkms-install:
	@test "$$(id -u)" = 0 || { echo "dkms-install: needs root (sudo make dkms-install)"; exit 1; }
	@command -v dkms >/dev/null || { echo "dkms-install: install dkms first (make deps)"; exit 1; }
	$(call dkms_stage,$(DKMS_SOURCE_TREE)/kipc-$(VERSION))
	@# A second run replaces what the first one added.
	@if dkms status -m kipc -v $(VERSION) $(DKMS_OPTS) | grep -q .; then \
		dkms remove -m kipc -v $(VERSION) --all $(DKMS_OPTS); fi
	dkms add -m kipc -v $(VERSION) $(DKMS_OPTS)
	dkms build -m kipc -v $(VERSION) -k $(KVER) $(DKMS_OPTS)
	dkms install -m kipc -v $(VERSION) -k $(KVER) $(DKMS_OPTS)

dkms-remove:
	@test "$$(id -u)" = 0 || { echo "dkms-remove: needs root (sudo make dkms-remove)"; exit 1; }
	@command -v dkms >/dev/null || { echo "dkms-remove: no dkms here: nothing to remove"; exit 1; }
	@if dkms status -m kipc -v $(VERSION) $(DKMS_OPTS) | grep -q .; then \
		echo "dkms remove -m kipc -v $(VERSION) --all"; \
		dkms remove -m kipc -v $(VERSION) --all $(DKMS_OPTS) || exit 1; \
	else echo "dkms-remove: kipc $(VERSION) is not in DKMS"; fi
	rm -rf $(DKMS_SOURCE_TREE)/kipc-$(VERSION)

# ---- checks ------------------------------------------------------------------------------------
packaging-check: install-check man-check dkms-check range-check ksft-build

install-check: lib transport mqueue module $(KIPCCTL)
	@MAKE="$(MAKE)" BUILD=$(BUILD) VERSION=$(VERSION) KIPC_BENCH=$(KIPC_BENCH) bash tests/packaging/install-test.sh

dkms-check:
	@$(call dkms_stage,$(BUILD)/dkms/source/kipc-$(VERSION))
	@MAKE="$(MAKE)" BUILD=$(BUILD) VERSION=$(VERSION) KDIR=$(STOCK_KDIR) LTS_KDIR=$(LTS_KDIR) \
		NEWEST_KDIR=$$(bash tests/vm/debug-kernel.sh --if-built) bash tests/packaging/dkms-test.sh

range-check:
	@BUILD=$(BUILD) KDIR=$(STOCK_KDIR) bash tests/packaging/range-test.sh

man-check: lib transport mqueue bench
	@BUILD=$(BUILD) bash tests/packaging/man-test.sh

ksft-build:
	@BUILD=$(BUILD) KSRC=$(KSRC) bash tests/packaging/ksft-test.sh

# The tree run.sh adds to the initramfs for the plan "kipcctl": this checkout installed with
# PREFIX=/usr into VM_ROOT (the module being the one run.sh built, with its depmod index), and
# the test script.
vm-root-kipcctl: lib transport mqueue $(KIPCCTL)
	@test -n "$(VM_ROOT)" || { echo "vm-root-kipcctl: set VM_ROOT"; exit 1; }
	@$(MAKE) -s install DESTDIR=$(VM_ROOT) PREFIX=/usr > $(VM_ROOT).install.log 2>&1 || \
		{ cat $(VM_ROOT).install.log; exit 1; }
	@$(INSTALL) -D -m 0755 tests/vm/kipcctl-test.sh $(VM_ROOT)/bin/kipcctl-test

vm-test-kipcctl: lib $(KIPCCTL)
	@bash tests/vm/run.sh --kernel stock --plan kipcctl

# The README's "Use it on your machine", word for word, on the installed tree (plan "walk").
vm-test-walk: lib $(KIPCCTL)
	@bash tests/vm/run.sh --kernel stock --plan walk
