# SPDX-License-Identifier: MIT
# vprime top-level build.  `make help` lists the targets.
#
# User space is C11 with -Wall -Wextra -Werror; tests build a second time
# with AddressSanitizer and UndefinedBehaviorSanitizer.  Kernel modules
# build through kbuild (Kbuild at the top) against KDIR.

SHELL := /bin/bash
TOP := $(CURDIR)
BUILD := $(TOP)/build
CC ?= cc
FUZZ_CC ?= clang

# The kernel the testbed boots; modules must match it exactly.
KVER ?= $(shell sed -n 's/^KERNEL_ABI=//p' $(TOP)/tests/testbed/versions.env 2>/dev/null || true)
ifeq ($(KVER),)
KVER := 6.1.0-56-amd64
endif
KDIR ?= /usr/src/linux-headers-$(KVER)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -g $(WARN) -I$(TOP)/common -I$(TOP)/lib
CFLAGS ?= -O2
SAN_FLAGS := -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_FLAGS := -O1 -g -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -std=c11 -D_GNU_SOURCE -I$(TOP)/common -I$(TOP)/lib

COMMON_SRCS := common/vp_sync.c common/vp_area.c common/vp_front.c \
	common/vp_parse.c common/vp_xenbus.c common/vp_csum.c \
	common/vp_regrant.c
COMMON_HDRS := $(wildcard common/*.h)

# Filled in by the fragments below.
BINS :=
HOST_TESTS :=
FUZZERS :=
BENCHES :=

.PHONY: all demo check check-host check-unit check-fuzz check-modules modules modules-sparse \
	bench-core bench help deps clean
.SECONDEXPANSION:
all:

include tests/tests.mk
-include lib/lib.mk
-include ns3/ns3.mk
-include engine/engine.mk
-include tools/tools.mk
-include tests/tools/tools.mk
-include tests/bench/bench.mk
-include tests/testbed/testbed.mk
-include tests/simhost/simhost.mk
-include tests/testbed/scale.mk
-include dist/dist.mk
-include prime/prime.mk

all: $(BINS)

help:
	@echo "make              build libvprime, vprimed, vprimectl, vprime-simhost"
	@echo "make deps         install the Debian packages the build and tests need"
	@echo "make check        host tests (ASan+UBSan), fuzz pass, module build, Xen testbed"
	@echo "make check-host   host tests and fuzz pass only"
	@echo "make install      install (PREFIX, DESTDIR, ...; docs/install.md); make uninstall"
	@echo "make deb          the Debian packages in build/deb; make check-deb installs them in a throwaway root"
	@echo "make modules      kernel modules against KDIR=$(KDIR)"
	@echo "make bench-core   benchmark of the data-path core against memcpy"
	@echo "make testbed-check  boot Xen under QEMU and run the scenarios"
	@echo "make demo         the testbed demo: guests through vprimed's emulated links"
	@echo "make bench-engine vprimed capacity and fidelity on the host"
	@echo "make prime        PRIMEX (primex, jprime.jar) with the vprime device (cached)"
	@echo "make check-prime  the real primex with guests in namespaces (part of check-host)"

deps:
	bash $(TOP)/tools/install-deps.sh

# ---- kernel modules --------------------------------------------------
modules:
	@test -d $(KDIR) || { echo "modules: no kernel headers at $(KDIR) (make deps)"; exit 1; }
	@mkdir -p $(BUILD)/modules
	@set -o pipefail; $(MAKE) -C $(KDIR) M=$(TOP) W=1 modules 2>&1 | tee $(BUILD)/modules.log
	@if grep -E 'warning:|error:' $(BUILD)/modules.log; then \
		echo "modules: the build printed warnings"; exit 1; fi
	@rm -f $(BUILD)/modules/*.ko
	@find $(TOP)/frontend $(TOP)/backend $(TOP)/tests/kmod -name '*.ko' \
		-exec cp {} $(BUILD)/modules/ \; 2>/dev/null || true
	@ls $(BUILD)/modules/*.ko >/dev/null 2>&1 || { echo "modules: no .ko built"; exit 1; }
	@echo "modules: built $$(cd $(BUILD)/modules && echo *.ko)"

# sparse over every module source (C=2: checked whether rebuilt or not);
# fails on any warning it prints.
modules-sparse:
	@test -d $(KDIR) || { echo "modules-sparse: no kernel headers at $(KDIR) (make deps)"; exit 1; }
	@command -v sparse >/dev/null || { echo "modules-sparse: no sparse (make deps)"; exit 1; }
	@mkdir -p $(BUILD)
	@set -o pipefail; $(MAKE) --no-silent -C $(KDIR) M=$(TOP) C=2 CHECK=sparse modules 2>&1 | tee $(BUILD)/sparse.log >/dev/null
	@if grep -E 'warning:|error:' $(BUILD)/sparse.log; then \
		echo "modules-sparse: sparse printed warnings"; exit 1; fi
	@echo "modules-sparse: $$(grep -c '  CHECK' $(BUILD)/sparse.log) sources checked, no warnings"

check-modules: modules modules-sparse

clean:
	rm -rf $(BUILD)
	-$(MAKE) -C $(KDIR) M=$(TOP) clean >/dev/null 2>&1

check: deps
	@$(MAKE) --no-print-directory all check-host check-modules check-deb testbed-check

# The testbed demo: guests from xl-configs/ through vprimed's topology.
demo: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory testbed-run SCENARIOS=demo
