# SPDX-License-Identifier: MIT
# vprime-simhost: a simulated dom0 backend that engine processes attach to
# through libvprime's unix: transport, with TAP devices (usually in network
# namespaces) as the guests' network stacks.  docs/simhost.md.
#
#   build/bin/vprime-simhost           built by `make` (BINS)
#   build/test/vprime-simhost-san      the same under ASan+UBSan, for the tests
#   build/test/test_simhost_netns      the namespace test (HOST_TESTS; a
#                                      skip, exit 4, without root or a tun)
SIMHOST_SRCS := tests/simhost/vsh_main.c tests/simhost/vsh_guest.c \
	tests/simhost/vsh_conn.c tests/simhost/vsh_ctl.c
SIMHOST_HDRS := tests/simhost/vsh.h lib/vprime_unix.h tests/sim/vp_sim.h \
	$(COMMON_HDRS)
SIMHOST_DEPS := $(SIMHOST_SRCS) $(SIMHOST_HDRS) $(COMMON_SRCS) $(SIM_SRCS)

BINS += $(BUILD)/bin/vprime-simhost

$(BUILD)/bin/vprime-simhost: $(SIMHOST_DEPS) | $(BUILD)/bin
	$(CC) $(BASE_CFLAGS) -I$(TOP)/tests/sim $(CFLAGS) -o $@ \
		$(SIMHOST_SRCS) $(COMMON_SRCS) $(SIM_SRCS)

$(BUILD)/test/vprime-simhost-san: $(SIMHOST_DEPS) | $(BUILD)/test
	$(CC) $(SAN_CFLAGS) -o $@ $(SIMHOST_SRCS) $(COMMON_SRCS) $(SIM_SRCS)

# The namespace test runs from the source tree; run-tests.sh wants a
# program in build/test (its log lands beside it).
HOST_TESTS += $(BUILD)/test/test_simhost_netns

$(BUILD)/test/test_simhost_netns: tests/simhost/netns.sh tests/simhost/two-ns.json \
		$(BUILD)/test/vprime-simhost-san $(BUILD)/bin/vprimed \
		$(BUILD)/bench/udp_rr | $(BUILD)/test
	printf '#!/bin/sh\nVSH_SIMHOST=%s VSH_VPRIMED=%s VSH_UDP_RR=%s exec bash %s "$$@"\n' \
		'$(BUILD)/test/vprime-simhost-san' '$(BUILD)/bin/vprimed' \
		'$(BUILD)/bench/udp_rr' '$(TOP)/tests/simhost/netns.sh' >$@
	chmod +x $@

# libFuzzer target: --guest specs, engine requests, control commands.
FUZZERS += $(BUILD)/fuzz/fuzz_simhost
SIMHOST_LIB_SRCS := $(filter-out tests/simhost/vsh_main.c,$(SIMHOST_SRCS))

$(BUILD)/fuzz/fuzz_simhost: tests/simhost/fuzz_simhost.c $(SIMHOST_DEPS) | $(BUILD)/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(TOP)/tests/sim -I$(TOP)/tests/simhost -o $@ $< \
		$(SIMHOST_LIB_SRCS) $(COMMON_SRCS) $(SIM_SRCS)

# The command line and the control client (no root needed).
HOST_TESTS += $(BUILD)/test/test_simhost_cli

$(BUILD)/test/test_simhost_cli: tests/simhost/cli.sh $(BUILD)/test/vprime-simhost-san \
		| $(BUILD)/test
	printf '#!/bin/sh\nVSH_SIMHOST=%s exec bash %s "$$@"\n' \
		'$(BUILD)/test/vprime-simhost-san' '$(TOP)/tests/simhost/cli.sh' >$@
	chmod +x $@
