# SPDX-License-Identifier: MIT
# vprimed, the reference engine: build/bin/vprimed, its host tests over
# simulated guests, fuzzers for the topology parser and the control
# protocol, and `make bench-engine`.  Included by the top Makefile.
ENGINE_SRCS := engine/topo.c engine/link.c engine/sched.c engine/fwd.c \
	engine/router.c engine/capture.c engine/ctl.c engine/wake.c engine/loop.c
ENGINE_HDRS := engine/engine.h $(LIB_HDRS)
ENGINE_LIBS := -ljansson -lpcap -lm
# Engine + libvprime over the simulated backend, for tests and the bench.
ENGINE_SIM_SRCS := $(ENGINE_SRCS) $(LIB_SIM_SRCS)
ENGINE_SIM_HDRS := $(ENGINE_HDRS) $(LIB_SIM_HDRS) tests/lib/vp_harness.h

BINS += $(BUILD)/bin/vprimed

$(BUILD)/bin/vprimed: $(ENGINE_SRCS) engine/main.c $(ENGINE_HDRS) $(LIB_A) \
		| $(BUILD)/bin
	$(CC) $(BASE_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(ENGINE_SRCS) engine/main.c \
		$(LIB_A) $(ENGINE_LIBS)

ENGINE_TESTS := test_engine_topo test_engine_ctl test_engine_fwd \
	test_engine_wake test_engine_loop
HOST_TESTS += $(addprefix $(BUILD)/test/,$(ENGINE_TESTS))

$(BUILD)/test/test_engine_%: tests/engine/test_engine_%.c $(ENGINE_SIM_SRCS) \
		$(ENGINE_SIM_HDRS) | $(BUILD)/test
	$(CC) $(SAN_CFLAGS) -I$(TOP)/engine -I$(TOP)/tests/lib \
		-DVPE_TOPDIR='"$(TOP)"' -o $@ $< \
		$(ENGINE_SIM_SRCS) $(TEST_LIBS) $(ENGINE_LIBS)

# The vprimed binary's command line, run as a program.
HOST_TESTS += $(BUILD)/test/test_engine_cli

$(BUILD)/test/test_engine_cli: tests/engine/test_engine_cli.c \
		$(BUILD)/bin/vprimed | $(BUILD)/test
	$(CC) $(SAN_CFLAGS) -DVPRIMED='"$(BUILD)/bin/vprimed"' \
		-DVPE_TOPDIR='"$(TOP)"' -o $@ $< $(TEST_LIBS)

ENGINE_FUZZERS := fuzz_topo fuzz_ctl fuzz_topo_frames
FUZZERS += $(addprefix $(BUILD)/fuzz/,$(ENGINE_FUZZERS))

$(BUILD)/fuzz/fuzz_topo: tests/fuzz/fuzz_topo.c $(ENGINE_SIM_SRCS) \
		$(ENGINE_SIM_HDRS) | $(BUILD)/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(TOP)/engine -I$(TOP)/tests/sim \
		-I$(TOP)/tests/lib -o $@ $< $(ENGINE_SIM_SRCS) $(ENGINE_LIBS)

$(BUILD)/fuzz/fuzz_topo_frames: tests/fuzz/fuzz_topo_frames.c $(ENGINE_SIM_SRCS) \
		$(ENGINE_SIM_HDRS) tests/engine/engine_fixture.h | $(BUILD)/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(TOP)/engine -I$(TOP)/tests/sim \
		-I$(TOP)/tests/engine -I$(TOP)/tests/lib -o $@ $< \
		$(ENGINE_SIM_SRCS) $(ENGINE_LIBS)

$(BUILD)/fuzz/fuzz_ctl: tests/fuzz/fuzz_ctl.c $(ENGINE_SIM_SRCS) \
		$(ENGINE_SIM_HDRS) tests/engine/engine_fixture.h | $(BUILD)/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(TOP)/engine -I$(TOP)/tests/sim \
		-I$(TOP)/tests/engine \
		-I$(TOP)/tests/lib -o $@ $< $(ENGINE_SIM_SRCS) $(ENGINE_LIBS)

# Figures for docs/engine.md: capacity and real-time fidelity.  Not a test.
.PHONY: bench-engine
BENCHES += $(BUILD)/bench/bench_engine

$(BUILD)/bench/bench_engine: tests/engine/bench_engine.c $(ENGINE_SIM_SRCS) \
		$(ENGINE_SIM_HDRS) | $(BUILD)/bench
	$(CC) $(BASE_CFLAGS) -O2 -DNDEBUG -I$(TOP)/tests/sim -I$(TOP)/engine \
		-I$(TOP)/tests/lib -o $@ $< $(ENGINE_SIM_SRCS) $(ENGINE_LIBS)

bench-engine: $(BUILD)/bench/bench_engine
	$(BUILD)/bench/bench_engine
