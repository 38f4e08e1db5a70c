# SPDX-License-Identifier: MIT
# Host test layers 1 and 2 (DESIGN.md "Tests, in layers").
#
# Conventions for every fragment:
#   HOST_TESTS += $(BUILD)/test/<name>   a test program, built with ASan+UBSan,
#                                         exit 0 = pass (cmocka suites)
#   FUZZERS    += $(BUILD)/fuzz/<name>   a libFuzzer target; its seed corpus
#                                         is tests/fuzz/corpus/<name>/
#   BENCHES    += ...                    benchmarks; never run by check
SIM_SRCS := tests/sim/vp_sim.c
SAN_CFLAGS = $(BASE_CFLAGS) -I$(TOP)/tests/sim $(SAN_FLAGS)
FUZZ_SECONDS ?= 20
TEST_LIBS := -lcmocka

$(BUILD)/test $(BUILD)/fuzz $(BUILD)/bin $(BUILD)/bench:
	@mkdir -p $@

# Unit tests of common/ and the simulated-guest integration tests.
CORE_TESTS := test_ring test_parse test_xenbus test_sync test_front test_sim \
	test_hist test_ready test_csum test_regrant
HOST_TESTS += $(addprefix $(BUILD)/test/,$(CORE_TESTS))

$(BUILD)/test/test_%: tests/unit/test_%.c $(COMMON_SRCS) $(SIM_SRCS) \
		$(COMMON_HDRS) tests/sim/vp_sim.h tests/unit/vp_test.h | $(BUILD)/test
	$(CC) $(SAN_CFLAGS) -o $@ $< $(COMMON_SRCS) $(SIM_SRCS) $(TEST_LIBS) -lpthread

# libFuzzer targets over everything a guest writes.
CORE_FUZZERS := fuzz_dom0 fuzz_engine fuzz_front fuzz_xenstore
FUZZERS += $(addprefix $(BUILD)/fuzz/,$(CORE_FUZZERS))

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_world.h $(COMMON_SRCS) $(SIM_SRCS) \
		$(COMMON_HDRS) | $(BUILD)/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(TOP)/tests/sim -o $@ $< $(COMMON_SRCS) $(SIM_SRCS)

# The data-path core benchmark (issue: within 2x of memcpy).
$(BUILD)/bench/bench_core: tests/bench/bench_core.c $(COMMON_SRCS) $(SIM_SRCS) \
		$(COMMON_HDRS) | $(BUILD)/bench
	$(CC) $(BASE_CFLAGS) -I$(TOP)/tests/sim -O2 -DNDEBUG -o $@ $< \
		$(COMMON_SRCS) $(SIM_SRCS)

bench-core: $(BUILD)/bench/bench_core
	$(BUILD)/bench/bench_core

check-unit: $$(HOST_TESTS)
	@echo "== host tests (ASan + UBSan) =="
	@$(TOP)/tests/run-tests.sh $(HOST_TESTS)

check-fuzz: $$(FUZZERS)
	@echo "== fuzz pass: $(FUZZ_SECONDS) s per target =="
	@$(TOP)/tests/fuzz/run-fuzzers.sh $(FUZZ_SECONDS) $(FUZZERS)

check-host: check-unit check-fuzz
