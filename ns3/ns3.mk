# SPDX-License-Identifier: GPL-2.0-only
# ns-3 attach: VprimeNetDevice, VprimeHelper, vprime-ns3, their tests.
# Built only when Debian's ns-3 (libns3-dev, libgsl-dev) is installed:
# pkg-config decides.  Everything here links ns-3, hence GPL-2.0-only.
NS3_MODULES := ns3-core ns3-network ns3-csma ns3-bridge ns3-internet \
	ns3-point-to-point ns3-applications ns3-fd-net-device
NS3_FOUND := $(shell pkg-config --exists $(NS3_MODULES) 2>/dev/null && echo yes)

ifeq ($(NS3_FOUND),yes)
# ns-3's .pc files carry a broken "-I/usr\;": its headers are <ns3/...>
# under /usr/include, so no -I is needed at all.
NS3_LIBS := $(shell pkg-config --libs $(NS3_MODULES)) -ljansson -lpthread
NS3_CXXFLAGS := -std=c++17 -g -Wall -Wextra -Werror -I$(TOP)/common -I$(TOP)/lib \
	-I$(TOP)/ns3
NS3_SRCS := ns3/vprime-csum.cc ns3/vprime-handle.cc ns3/vprime-net-device.cc \
	ns3/vprime-helper.cc ns3/vprime-topology.cc ns3/vprime-realtime-simulator-impl.cc \
	ns3/vprime-link-channel.cc ns3/vprime-link-error-model.cc ns3/vprime-link-queue.cc
NS3_HDRS := $(wildcard ns3/*.h) $(LIB_HDRS)
NS3_TEST_HDRS := $(NS3_HDRS) tests/ns3/ns3_world.h tests/ns3/ns3_frames.h tests/ns3/ns3_check.h \
	$(LIB_SIM_HDRS)

BINS += $(BUILD)/bin/vprime-ns3
HOST_TESTS += $(BUILD)/test/test_ns3
FUZZERS += $(BUILD)/fuzz/fuzz_ns3_device

# The program: -O2, against the production libvprime.a.
$(BUILD)/ns3/obj/%.o: ns3/%.cc $(NS3_HDRS)
	@mkdir -p $(dir $@)
	$(CXX) $(NS3_CXXFLAGS) -O2 -c -o $@ $<

$(BUILD)/bin/vprime-ns3: $(patsubst ns3/%.cc,$(BUILD)/ns3/obj/%.o,$(NS3_SRCS) ns3/vprime-ns3.cc ns3/vprime-emu.cc) \
		$(LIB_A) | $(BUILD)/bin
	$(CXX) -o $@ $(filter %.o,$^) $(LIB_A) $(NS3_LIBS)

# dom0 runs vprime-ns3 from the read-only repository share with the ns-3
# libraries staged here, loaded over the share with LD_LIBRARY_PATH: they
# stay out of dom0's initramfs, which lives in its 512 MB
# (docs/testbed.md, "ns-3 in dom0").  Every library ldd names but the
# loader and libc, which dom0's image has (the same host's).
NS3_DOM0_LIBS := $(BUILD)/ns3/dom0-libs/.stamp
all: $(NS3_DOM0_LIBS)
$(NS3_DOM0_LIBS): $(BUILD)/bin/vprime-ns3
	@rm -rf $(dir $@) && mkdir -p $(dir $@)
	@ldd $< | awk '/=> \// { print $$3 }' | grep -v -E '/(ld-linux[^/]*|libc\.so\.6)$$' | \
		xargs -r cp -L -t $(dir $@)
	@echo "$$(ls $(dir $@) | wc -l) libraries, $$(du -sk $(dir $@) | cut -f1) KB" >$@
	@echo "ns3: dom0 libraries for vprime-ns3 in $(dir $@): $$(cat $@)"

# The testbed's ns3 scenarios run them (make check: ns3; make bench:
# ns3-bench): make check's one sub-make may run its goals side by side, so
# say it.
testbed-check testbed-run bench: $(BUILD)/bin/vprime-ns3 $(NS3_DOM0_LIBS)

# Tests: our code under ASan + UBSan (ns-3's own libraries are not).
$(BUILD)/ns3/san/%.o: ns3/%.cc $(NS3_HDRS)
	@mkdir -p $(dir $@)
	$(CXX) $(NS3_CXXFLAGS) $(SAN_FLAGS) -c -o $@ $<

$(BUILD)/ns3/san/test_ns3.o: tests/ns3/test_ns3.cc $(NS3_TEST_HDRS)
	@mkdir -p $(dir $@)
	$(CXX) $(NS3_CXXFLAGS) -I$(TOP)/tests/sim -I$(TOP)/tests/ns3 -DVPRIME_TOP=\"$(TOP)\" \
		$(SAN_FLAGS) -c -o $@ $<

$(BUILD)/test/test_ns3: $(BUILD)/ns3/san/test_ns3.o \
		$(patsubst ns3/%.cc,$(BUILD)/ns3/san/%.o,$(NS3_SRCS)) $(LIB_SIM_OBJS_SAN) | $(BUILD)/test
	$(CXX) $(SAN_FLAGS) -o $@ $^ $(NS3_LIBS)

# vprimed's link model in ns-3: loss, jitter, queue limits, the topology files.
HOST_TESTS += $(BUILD)/test/test_ns3_link

$(BUILD)/ns3/san/test_ns3_link.o: tests/ns3/test_ns3_link.cc $(NS3_TEST_HDRS)
	@mkdir -p $(dir $@)
	$(CXX) $(NS3_CXXFLAGS) -I$(TOP)/tests/sim -I$(TOP)/tests/ns3 -DVPRIME_TOP=\"$(TOP)\" \
		$(SAN_FLAGS) -c -o $@ $<

$(BUILD)/test/test_ns3_link: $(BUILD)/ns3/san/test_ns3_link.o \
		$(patsubst ns3/%.cc,$(BUILD)/ns3/san/%.o,$(NS3_SRCS)) $(LIB_SIM_OBJS_SAN) | $(BUILD)/test
	$(CXX) $(SAN_FLAGS) -o $@ $^ $(NS3_LIBS)

# VprimeRealtimeSimulatorImpl against ns-3's own simulators.
HOST_TESTS += $(BUILD)/test/test_ns3_sim

$(BUILD)/ns3/san/test_ns3_sim.o: tests/ns3/test_ns3_sim.cc $(NS3_HDRS) tests/ns3/ns3_check.h
	@mkdir -p $(dir $@)
	$(CXX) $(NS3_CXXFLAGS) $(SAN_FLAGS) -c -o $@ $<

$(BUILD)/test/test_ns3_sim: $(BUILD)/ns3/san/test_ns3_sim.o \
		$(BUILD)/ns3/san/vprime-realtime-simulator-impl.o | $(BUILD)/test
	$(CXX) $(SAN_FLAGS) -o $@ $^ $(NS3_LIBS)

# Fuzzer: arbitrary guest frames (and flags) into a routed and a bridged
# device; a guest's bytes must never reach an ns-3 fatal error.
NS3_FUZZ_FLAGS := -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

# Both fuzzers share one clang build of our ns-3 code and the simulated
# backend.
NS3_FUZZ_OBJS := $(patsubst ns3/%.cc,$(BUILD)/ns3/fuzz/%.o,$(NS3_SRCS)) \
	$(patsubst %.c,$(BUILD)/ns3/fuzz/%.o,$(notdir $(LIB_SIM_SRCS)))

$(BUILD)/ns3/fuzz/%.o: ns3/%.cc $(NS3_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(NS3_CXXFLAGS) $(NS3_FUZZ_FLAGS) -c -o $@ $<

$(BUILD)/ns3/fuzz/.sim-stamp: $(LIB_SIM_SRCS) $(LIB_SIM_HDRS)
	@mkdir -p $(dir $@)
	cd $(dir $@) && for f in $(LIB_SIM_SRCS); do \
		$(FUZZ_CC) $(FUZZ_FLAGS) -I$(TOP)/tests/sim -c $(TOP)/$$f || exit 1; done
	@touch $@

$(patsubst %.c,$(BUILD)/ns3/fuzz/%.o,$(notdir $(LIB_SIM_SRCS))): $(BUILD)/ns3/fuzz/.sim-stamp

$(BUILD)/fuzz/fuzz_ns3_device: tests/ns3/fuzz_ns3_device.cc $(NS3_FUZZ_OBJS) \
		$(NS3_TEST_HDRS) | $(BUILD)/fuzz
	$(FUZZ_CXX) $(NS3_CXXFLAGS) $(NS3_FUZZ_FLAGS) -I$(TOP)/tests/sim -I$(TOP)/tests/ns3 \
		-o $@ $< $(NS3_FUZZ_OBJS) $(NS3_LIBS)

# Arbitrary topology files into vprime-ns3's reader and builder.
FUZZERS += $(BUILD)/fuzz/fuzz_ns3_topology

$(BUILD)/fuzz/fuzz_ns3_topology: tests/ns3/fuzz_ns3_topology.cc $(NS3_FUZZ_OBJS) \
		$(NS3_HDRS) | $(BUILD)/fuzz
	$(FUZZ_CXX) $(NS3_CXXFLAGS) $(NS3_FUZZ_FLAGS) -o $@ $< $(NS3_FUZZ_OBJS) $(NS3_LIBS)

# End to end: vprime-ns3 (under ASan + UBSan) on vprime-simhost's network
# namespaces, real pings across ns-3 links (tests/ns3/netns.sh; a skip,
# exit 4, without root or a tun).
ifneq ($(wildcard tests/simhost/simhost.mk),)
HOST_TESTS += $(BUILD)/test/test_ns3_netns

$(BUILD)/test/vprime-ns3-san: $(BUILD)/ns3/san/vprime-ns3.o $(BUILD)/ns3/san/vprime-emu.o \
		$(patsubst ns3/%.cc,$(BUILD)/ns3/san/%.o,$(NS3_SRCS)) $(LIB_SIM_OBJS_SAN) | $(BUILD)/test
	$(CXX) $(SAN_FLAGS) -o $@ $^ $(NS3_LIBS)

$(BUILD)/test/test_ns3_netns: tests/ns3/netns.sh tests/simhost/two-ns.json \
		$(BUILD)/test/vprime-ns3-san $(BUILD)/test/vprime-simhost-san \
		$(BUILD)/bin/vprimed | $(BUILD)/test
	printf '#!/bin/sh\nNS3_SIMHOST=%s NS3_PROGRAM=%s NS3_VPRIMED=%s exec bash %s "$$@"\n' \
		'$(BUILD)/test/vprime-simhost-san' '$(BUILD)/test/vprime-ns3-san' \
		'$(BUILD)/bin/vprimed' '$(TOP)/tests/ns3/netns.sh' >$@
	chmod +x $@

# vprime-ns3's exit codes for bad command lines (1 from ns-3's parser, 2
# from its own checks; never a signal: tests/ns3/cmdline.sh).
HOST_TESTS += $(BUILD)/test/test_ns3_cmdline

$(BUILD)/test/test_ns3_cmdline: tests/ns3/cmdline.sh tests/testbed/ns3-bench.json \
		$(BUILD)/test/vprime-ns3-san | $(BUILD)/test
	printf '#!/bin/sh\nNS3_PROGRAM=%s exec bash %s "$$@"\n' \
		'$(BUILD)/test/vprime-ns3-san' '$(TOP)/tests/ns3/cmdline.sh' >$@
	chmod +x $@

# vprime-ns3 --attach=emu (ns-3's FdNetDevice, make bench's baseline) on
# veth pairs in network namespaces (tests/ns3/emu-netns.sh; a skip, exit
# 4, without root).
HOST_TESTS += $(BUILD)/test/test_ns3_emu

$(BUILD)/test/test_ns3_emu: tests/ns3/emu-netns.sh tests/testbed/ns3-bench.json \
		$(BUILD)/test/vprime-ns3-san | $(BUILD)/test
	printf '#!/bin/sh\nNS3_PROGRAM=%s exec bash %s "$$@"\n' \
		'$(BUILD)/test/vprime-ns3-san' '$(TOP)/tests/ns3/emu-netns.sh' >$@
	chmod +x $@
endif

ns3-check: $(BUILD)/test/test_ns3
	$(BUILD)/test/test_ns3
else
ns3-check:
	@echo "ns3-check: ns-3 not installed (make deps), skipped"
endif
FUZZ_CXX ?= clang++
.PHONY: ns3-check
