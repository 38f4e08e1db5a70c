# SPDX-License-Identifier: MIT
# Test tools: vpfwd, a minimal raw-ABI /dev/vprime engine (runs in dom0).
BINS += $(BUILD)/bin/vpfwd

$(BUILD)/bin/vpfwd: tests/tools/vpfwd.c common/vprime_abi.h common/vprime_if.h \
		| $(BUILD)/bin
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -o $@ $<

# vpfwd unchanged against the in-process /dev/vprime stand-in.
HOST_TESTS += $(BUILD)/test/vpfwd_sim

$(BUILD)/test/vpfwd_sim: tests/tools/vpfwd_sim.c tests/tools/vpfwd.c \
		$(COMMON_SRCS) $(SIM_SRCS) $(COMMON_HDRS) tests/sim/vp_sim.h \
		| $(BUILD)/test
	$(CC) $(SAN_CFLAGS) -o $@ $< $(COMMON_SRCS) $(SIM_SRCS)
