# vprime Xen testbed: makefile fragment. The top-level Makefile defines TOP
# (the repository root) and includes this file. See docs/testbed.md.
#
#   make testbed-deps                    install host packages (root, apt)
#   make testbed-images                  fetch pinned .debs, build modules and images
#   make testbed-check                   one boot: the scenarios of TESTBED_CHECK_SCENARIOS
#   make testbed-run SCENARIOS="a b"     one boot running the named scenarios
#   make testbed-shell                   dom0 shell on the serial console
#
# Environment knobs (TESTBED_ACCEL=kvm, TESTBED_TIMEOUT, ...): tests/testbed/run.sh --help.

TESTBED_DIR := $(TOP)/tests/testbed
# What make check boots (docs/testbed.md, "Scenarios"): baseline first, as
# the vprime scenarios compare their figures with it.  demo (make demo),
# bench (make bench) and harness run by name: the demo judges figures
# against tolerances, which under software emulation on a shared machine
# belongs in what a user runs and reads, not in the gate of every change.
# prime (primex in dom0) and ns3 (vprime-ns3 in dom0) judge measured
# against configured as their issues ask: their verdicts need a host not
# busy with other work (docs/testbed.md).  prime needs prime-models
# (prime/prime.mk), ns3 vprime-ns3 and its libraries (ns3/ns3.mk); installed
# (the Debian packages in dom0 and guests) goes last, with testbed-check
# ordered after check-deb (below), which makes the packages it takes.
TESTBED_CHECK_SCENARIOS := baseline modules front-load front-connect vprime-ping \
	vprime-mtu vprime-carrier vprime-teardown vprime-save xl-lifecycle \
	fault-load hostile-guest hostile-backend vprime-pool prime ns3 installed
SCENARIOS ?=

.PHONY: testbed-deps testbed-images testbed-check testbed-run testbed-shell

testbed-deps:
	bash $(TESTBED_DIR)/install-deps.sh

testbed-images:
	bash $(TESTBED_DIR)/build-images.sh

# Scenario installed takes build/deb: when check-deb is asked for too (make
# check), it finishes first, even under make -j.
testbed-check: | $(filter check-deb,$(MAKECMDGOALS))
	bash $(TESTBED_DIR)/run.sh --label check $(TESTBED_CHECK_SCENARIOS)

testbed-run:
	@test -n "$(strip $(SCENARIOS))" || { echo 'testbed-run: name scenarios: make testbed-run SCENARIOS="baseline modules"' >&2; exit 2; }
	bash $(TESTBED_DIR)/run.sh --label run $(SCENARIOS)

testbed-shell:
	bash $(TESTBED_DIR)/run.sh --shell
