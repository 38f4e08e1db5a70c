# SPDX-License-Identifier: MIT
# vprimectl (tools/): build/bin/vprimectl, its host tests and the fuzz
# target of the xl-config reader.  Included by the top Makefile.
#
# Needs libxenstore (Debian: libxen-dev, installed by tools/install-deps.sh).
VPCTL_SRCS := tools/vprimectl.c tools/cmd_add.c tools/cmd_remove.c \
	tools/cmd_list.c tools/cmd_stats.c tools/cmd_capture.c tools/cmd_link.c \
	tools/cmd_config.c tools/cmd_watch.c tools/watch.c tools/xlcfg.c tools/devops.c \
	tools/store_xs.c tools/engctl.c tools/findcfg.c tools/kdev.c \
	common/vp_parse.c
VPCTL_HDRS := tools/vpctl.h $(COMMON_HDRS)
# The parts with no xenstore and no system: unit-tested and fuzzed.
VPCTL_PURE := tools/xlcfg.c tools/devops.c common/vp_parse.c
VPCTL_LIBS := -lxenstore

BINS += $(BUILD)/bin/vprimectl $(BUILD)/bin/vprime-xl

$(BUILD)/bin/vprimectl: $(VPCTL_SRCS) $(VPCTL_HDRS) | $(BUILD)/bin
	$(CC) $(BASE_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -I$(TOP)/tools -o $@ $(VPCTL_SRCS) $(VPCTL_LIBS)

$(BUILD)/bin/vprime-xl: tools/vprime-xl | $(BUILD)/bin
	install -m 0755 $< $@

# Host tests (ASan + UBSan): the xl-config reader, and the xenstore
# sequence of add/remove over an in-memory store.
VPCTL_TESTS := test_vprimectl_xlcfg test_vprimectl_devops
HOST_TESTS += $(addprefix $(BUILD)/test/,$(VPCTL_TESTS)) \
	$(BUILD)/test/test_vprimectl_watch

# The watch service's logic and config finder over a simulated xenstore
# and /proc (a directory tree).
VPCTL_WATCH := tools/watch.c tools/findcfg.c
$(BUILD)/test/test_vprimectl_watch: tests/tools/vprimectl/test_watch.c \
		$(VPCTL_PURE) $(VPCTL_WATCH) $(VPCTL_HDRS) | $(BUILD)/test
	$(CC) $(SAN_CFLAGS) -I$(TOP)/tools -o $@ $< $(VPCTL_PURE) \
		$(VPCTL_WATCH) $(TEST_LIBS)

$(BUILD)/test/test_vprimectl_%: tests/tools/vprimectl/test_%.c $(VPCTL_PURE) \
		$(VPCTL_HDRS) | $(BUILD)/test
	$(CC) $(SAN_CFLAGS) -I$(TOP)/tools -o $@ $< $(VPCTL_PURE) $(TEST_LIBS)

# libFuzzer: any bytes as an xl config (seeds: tests/fuzz/corpus/fuzz_xlcfg/).
FUZZERS += $(BUILD)/fuzz/fuzz_xlcfg

$(BUILD)/fuzz/fuzz_xlcfg: tests/fuzz/fuzz_xlcfg.c tools/xlcfg.c common/vp_parse.c \
		$(VPCTL_HDRS) | $(BUILD)/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(TOP)/tools -o $@ $< tools/xlcfg.c common/vp_parse.c
