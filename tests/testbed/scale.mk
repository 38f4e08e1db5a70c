# SPDX-License-Identifier: MIT
# make scale: the testbed scenario `scale` (tests/testbed/scenarios/scale.sh):
# SCALE_N guests from xl configs, `vprimectl watch`, one vprimed, all pairs
# pinged; figures in build/testbed/results/<run>-scale/figures.txt
# (docs/benchmarks.md).  Not part of make check: long under emulation.
#
#   make scale [SCALE_N=32] [SCALE_MEM=160] [SCALE_VIFS=4] [SCALE_PAUSED=1]
#              [SCALE_STAGGER=1] [SCALE_DOM0_WEIGHT=4096]
#
# SCALE_PAUSED=1: every guest is created paused (xl create -p), back to
# back, then all are unpaused (booting guests starve dom0 under TCG);
# 0: plain xl create.  SCALE_STAGGER: seconds between the guests' starts
# of their all-pairs round robin.  SCALE_DOM0_WEIGHT: dom0's weight in Xen's
# scheduler (0: Xen's default, 256 as every guest's).
#
# QEMU's RAM is sized for the guests: dom0's 512 MB, 256 MB for Xen and
# headroom, SCALE_MEM + 4 MB per guest (TESTBED_MEM overrides).
SCALE_N ?= 32
SCALE_MEM ?= 160
SCALE_VIFS ?= 4
SCALE_PAUSED ?= 1
SCALE_STAGGER ?= 1
SCALE_DOM0_WEIGHT ?= 4096
SCALE_TESTBED_MEM = $(shell echo $$((768 + $(SCALE_N) * ($(SCALE_MEM) + 4))))

.PHONY: scale
scale: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p $(BUILD)/testbed
	@printf 'SCALE_N=%s\nSCALE_MEM=%s\nSCALE_VIFS=%s\nSCALE_PAUSED=%s\nSCALE_STAGGER=%s\nSCALE_DOM0_WEIGHT=%s\n' \
		'$(SCALE_N)' '$(SCALE_MEM)' '$(SCALE_VIFS)' '$(SCALE_PAUSED)' '$(SCALE_STAGGER)' \
		'$(SCALE_DOM0_WEIGHT)' \
		>$(BUILD)/testbed/scale.env
	TESTBED_MEM=$${TESTBED_MEM:-$(SCALE_TESTBED_MEM)} \
		bash $(TESTBED_DIR)/run.sh --label scale scale
