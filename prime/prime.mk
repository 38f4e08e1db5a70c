# SPDX-License-Identifier: MIT
# PRIME attaches in dom0: PRIMEX built with the vprime emulation device,
# its models, and its tests.  Included by the top Makefile.
#
#   make prime          build/prime/primex and jprime.jar (cached: see
#                       prime/build-primex.sh; the cold build is ~6 min)
#   make prime-models   compile prime/models/*.xml to TLV with jprime.jar
#   make check-prime    the host test of the real primex (needs root and
#                       /dev/net/tun; skips cleanly without them), through
#                       the polling (default) and the blocking device
#   make bench-prime-host  the two devices measured side by side (not in
#                       make check; BENCH_PRIME_ROUNDS, BENCH_PRIME_SECS)
PRIME_OUT := $(BUILD)/prime
PRIMEX := $(PRIME_OUT)/primex
JPRIME_JAR := $(PRIME_OUT)/jprime.jar
PRIME_EMU := prime/overlay/netsim/src/ssfnet/os/emu

.PHONY: prime prime-models check-prime

prime: $(LIB_A)
	@bash $(TOP)/prime/build-primex.sh $(PRIME_OUT) $(LIB_A)

# The device's byte-level half, as PRIMEX compiles it (gnu++98), under
# ASan+UBSan.
HOST_TESTS += $(BUILD)/test/test_prime_frame

$(BUILD)/test/test_prime_frame: prime/tests/test_prime_frame.cc \
		$(PRIME_EMU)/vprime_frame.cc $(PRIME_EMU)/vprime_frame.h \
		$(PRIME_EMU)/vprime_xring.h | $(BUILD)/test
	$(CXX) -std=gnu++98 -g -Wall -Wextra -Werror $(SAN_FLAGS) \
		-I$(TOP)/prime/overlay/netsim/src/ssfnet -o $@ $< \
		$(PRIME_EMU)/vprime_frame.cc $(TEST_LIBS) -lpthread

# When a guest frame enters the simulation (the SSF kernel's rule for the
# device's batches, prime/patches/0005), as PRIMEX compiles it.
HOST_TESTS += $(BUILD)/test/test_prime_import

$(BUILD)/test/test_prime_import: prime/tests/test_prime_import.cc \
		prime/overlay/netsim/src/ssf/api/import_anchor.h | $(BUILD)/test
	$(CXX) -std=gnu++98 -g -Wall -Wextra -Werror $(SAN_FLAGS) \
		-I$(TOP)/prime/overlay/netsim/src/ssf -o $@ $< $(TEST_LIBS)

# What PRIMEX's TAP device's libpcap capture took in and dropped, read
# from outside primex (prime-bench's TAP path: the device counts nothing).
BINS += $(BUILD)/bin/vprime-pcapstat

$(BUILD)/bin/vprime-pcapstat: prime/bench/pcapstat.c | $(BUILD)/bin
	$(CC) $(BASE_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

# vprime-pcapstat against a packet socket on lo (ASan+UBSan build).
HOST_TESTS += $(BUILD)/test/test_pcapstat

$(BUILD)/test/pcapstat_san: prime/bench/pcapstat.c | $(BUILD)/test
	$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) -o $@ $<

$(BUILD)/test/test_pcapstat: prime/tests/check-pcapstat.sh $(BUILD)/test/pcapstat_san | $(BUILD)/test
	printf '#!/bin/sh\nexec bash %s %s\n' '$(TOP)/prime/tests/check-pcapstat.sh' \
		'$(BUILD)/test/pcapstat_san' >$@ && chmod +x $@

# The example models (XML, Java and Python), compiled by jPRIME: TLV, and the
# interfaces' addresses.
PRIME_MODEL_SRCS := $(wildcard prime/models/*.xml prime/models/*.java prime/models/*.py)
PRIME_TLVS := $(patsubst prime/models/%,$(PRIME_OUT)/models/%.tlv,$(basename $(PRIME_MODEL_SRCS)))

prime-models: prime
	@$(MAKE) --no-print-directory $(PRIME_TLVS)

PRIME_COMPILE_DEPS := prime/compile-model.sh prime/model-ifaces.py $(JPRIME_JAR)

$(PRIME_OUT)/models/%.tlv: prime/models/%.xml $(PRIME_COMPILE_DEPS)
	@bash $(TOP)/prime/compile-model.sh $(JPRIME_JAR) $< $(PRIME_OUT)/models

$(PRIME_OUT)/models/%.tlv: prime/models/%.java $(PRIME_COMPILE_DEPS)
	@bash $(TOP)/prime/compile-model.sh $(JPRIME_JAR) $< $(PRIME_OUT)/models

$(PRIME_OUT)/models/%.tlv: prime/models/%.py $(PRIME_COMPILE_DEPS)
	@bash $(TOP)/prime/compile-model.sh $(JPRIME_JAR) $< $(PRIME_OUT)/models

# The host test: the real primex over vprime-simhost's guests in network
# namespaces (a skip, exit 4, without root, /dev/net/tun or namespaces).
# Run by check-host, not check-unit: its first run on a machine pays the
# PRIMEX build.
.PHONY: check-prime
check-host: check-prime

check-prime: prime-models $(BUILD)/bin/vprime-simhost $(BUILD)/bench/udp_rr \
		$(BUILD)/test/thread-stop \
		$(BUILD)/test/test_prime_models \
		$(BUILD)/test/test_prime_host $(BUILD)/test/test_prime_host_blocking
	@echo "== PRIMEX with the vprime device, guests in namespaces =="
	@$(TOP)/tests/run-tests.sh $(BUILD)/test/test_prime_models \
		$(BUILD)/test/test_prime_host $(BUILD)/test/test_prime_host_blocking

# test_prime_models: the XML, Java and Python forms of the three-guest
# model compile to the same network.
$(BUILD)/test/test_prime_models: prime/tests/check-models.sh | $(BUILD)/test
	printf '#!/bin/sh\nexec bash %s %s\n' '$(TOP)/prime/tests/check-models.sh' \
		'$(PRIME_OUT)/models' >$@ && chmod +x $@

# test_prime_host: the polling device (three-guests, the default);
# _blocking: the blocking device (three-guests-blocking, polling=false).
PRIME_HOST_TEST = printf '\#!/bin/sh\nPRIME_MODEL=%s PRIME_SIMHOST=%s PRIME_UDP_RR=%s PRIME_THREAD_STOP=%s PRIME_PRIMEX=%s PRIME_MODELS=%s exec bash %s "$$@"\n' \
	'$(1)' '$(BUILD)/bin/vprime-simhost' '$(BUILD)/bench/udp_rr' '$(BUILD)/test/thread-stop' '$(PRIMEX)' \
	'$(PRIME_OUT)/models' '$(TOP)/prime/tests/check-prime.sh' >$@ && chmod +x $@

# thread-stop: one thread of primex (the simulator's) stopped, the others
# running on: a simulator that lags the wall clock, on purpose.
$(BUILD)/test/thread-stop: prime/tests/thread-stop.c | $(BUILD)/test
	$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) -o $@ $<

$(BUILD)/test/test_prime_host: prime/tests/check-prime.sh | $(BUILD)/test
	$(call PRIME_HOST_TEST,three-guests)

$(BUILD)/test/test_prime_host_blocking: prime/tests/check-prime.sh | $(BUILD)/test
	$(call PRIME_HOST_TEST,three-guests-blocking)

.PHONY: bench-prime-host
bench-prime-host: prime-models $(BUILD)/bin/vprime-simhost
	PRIME_SIMHOST=$(BUILD)/bin/vprime-simhost PRIME_PRIMEX=$(PRIMEX) \
		PRIME_MODELS=$(PRIME_OUT)/models bash $(TOP)/prime/bench/bench-prime-host.sh \
		$(or $(BENCH_PRIME_ROUNDS),3) $(or $(BENCH_PRIME_SECS),5)

# The testbed's prime scenarios (tests/testbed/scenarios/prime*.sh) run
# primex and the compiled models from the share, and the dom0 image carries
# primex's libraries: built before a boot that runs them (make check's boot
# runs prime).
testbed-run: $(if $(filter prime%,$(SCENARIOS)),prime-models)
testbed-check: prime-models

# make bench: PRIMEX's TAP device against the vprime device, same model and
# guests, in bench's boot (tests/testbed/scenarios/prime-bench.sh).
BENCH_SCENARIOS += prime-bench
BENCH_KNOBS += BENCH_PRIME_SECS BENCH_PRIME_REPS BENCH_PRIME_PINGS
bench: prime-models
