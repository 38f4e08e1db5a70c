# SPDX-License-Identifier: MIT
# make bench: vprime against the stock paths on the Xen testbed, one boot
# (tests/testbed/scenarios/bench.sh; docs/benchmarks.md "Testbed: vprime
# against the stock paths").  A benchmark: it prints figures, checks nothing.
#
#   make bench                      one boot, the bench scenario, the table
#   BENCH_SECS=5 BENCH_REPS=3 ...   knobs, passed to dom0 in build/bench/bench.env
#   TESTBED_ACCEL=kvm make bench    on a host with VT-x (default tcg)
#
# Boots share the machine: the boot runs under `flock /tmp/vprime-testbed.lock`
# as every boot on these machines does (run.sh shares a lock its caller
# holds).  BENCH_FLOCK=0 leaves the locking to run.sh's own arrival-order
# queue, which loses to waiters blocked in flock.
BENCH_TOOLS := $(BUILD)/bench/pmfwd $(BUILD)/bench/udp_rr $(BUILD)/bench/oscost
BENCHES += $(BENCH_TOOLS)
BENCH_KNOBS := BENCH_SECS BENCH_REPS BENCH_PINGS BENCH_RR_SECS BENCH_TCP_SECS \
	BENCH_ENG_IDLE_SECS BENCH_ENG_LOAD_SECS
# One boot: the stock paths against vprime, then ns-3's FdNetDevice against
# VprimeNetDevice (ns3/ns3.mk builds what ns3-bench runs); other parts add
# theirs (prime/prime.mk: prime-bench), whose table.txt is printed after.
BENCH_SCENARIOS ?= bench ns3-bench

# vpfwd, vprimed (path (e)) and vprimectl (which removes the devices and
# reads vprimed's counters) run in dom0 from the shared tree; pmfwd and
# oscost too (their own libc: static); udp_rr goes into guests through
# the xenstore command channel, so it is a few KB: no libc, raw syscalls.
$(BUILD)/bench/pmfwd: tests/bench/pmfwd.c | $(BUILD)/bench
	$(CC) $(BASE_CFLAGS) -O2 -static -o $@ $<

$(BUILD)/bench/oscost: tests/bench/oscost.c | $(BUILD)/bench
	$(CC) $(BASE_CFLAGS) -O2 -static -o $@ $<

$(BUILD)/bench/udp_rr: tests/bench/udp_rr.c | $(BUILD)/bench
	$(CC) -std=c11 $(WARN) -Os -static -nostdlib -ffreestanding -fno-builtin \
		-fno-stack-protector -fno-pie -no-pie -s -o $@ $<

.PHONY: bench-tools
bench-tools: $(BENCH_TOOLS) $(BUILD)/bin/vpfwd $(BUILD)/bin/vprimectl \
	$(BUILD)/bin/vprimed

bench: bench-tools
	@: >$(BUILD)/bench/bench.env
	@$(foreach k,$(BENCH_KNOBS),$(if $($(k)),echo '$(k)=$($(k))' >>$(BUILD)/bench/bench.env;))
	@{ echo "machine: $$(hostname), $$(nproc) CPUs, $$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"; \
	   echo "host OS costs, for scale: $$($(BUILD)/bench/oscost)"; \
	   echo "accelerator: $${TESTBED_ACCEL:-tcg}; started $$(date -u +%Y-%m-%dT%H:%M:%SZ)"; } | tee $(BUILD)/bench/testbed-header.txt
	$(if $(filter 0,$(BENCH_FLOCK)),,flock /tmp/vprime-testbed.lock) bash $(TOP)/tests/testbed/run.sh --label bench $(BENCH_SCENARIOS); \
	rc=$$?; d=$$(ls -d $(BUILD)/testbed/results/*-bench | tail -n 1); t=$$d/bench/table.txt; \
	if [ ! -s $$t ] && [ -s $$d/bench/results.txt ]; then \
		bash $(TOP)/tests/bench/bench-table.sh $$d/bench/results.txt >$$t; fi; \
	if [ -s $$t ]; then { cat $(BUILD)/bench/testbed-header.txt; \
		echo "results: $$d"; cat $$t; [ ! -s $$d/ns3-bench/table.txt ] || cat $$d/ns3-bench/table.txt; } \
		| tee $(BUILD)/bench/testbed-table.txt; fi; \
	for s in $(filter-out bench ns3-bench,$(BENCH_SCENARIOS)); do [ ! -s $$d/$$s/table.txt ] || \
		{ echo "== $$s"; cat $$d/$$s/table.txt; } | tee -a $(BUILD)/bench/testbed-table.txt; done; exit $$rc
