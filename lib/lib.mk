# SPDX-License-Identifier: MIT
# libvprime: build/lib/libvprime.a and .so, its API tests over the
# simulated backend, and examples/.  Included by the top Makefile.
#
# The production library is lib/vprime.c + lib/vprime_dev.c +
# lib/vprime_unix.c (the "unix:" transport to vprime-simhost) + the area
# layout of common/; lib/vprime_sim.c (the simulated transport) is linked
# only into test, fuzz and bench programs.
LIB_SRCS := lib/vprime.c lib/vprime_dev.c lib/vprime_unix.c common/vp_area.c
LIB_HDRS := lib/vprime.h lib/vprime_transport.h lib/vprime_unix.h $(COMMON_HDRS)
LIB_OBJS := $(patsubst %.c,$(BUILD)/lib/obj/%.o,$(notdir $(LIB_SRCS)))
LIB_A := $(BUILD)/lib/libvprime.a
LIB_SO := $(BUILD)/lib/libvprime.so
# What a host test needs to run libvprime over simulated guests.
LIB_SIM_SRCS := lib/vprime.c lib/vprime_dev.c lib/vprime_unix.c lib/vprime_sim.c $(COMMON_SRCS) $(SIM_SRCS)
LIB_SIM_HDRS := $(LIB_HDRS) lib/vprime_sim.h tests/sim/vp_sim.h

BINS += $(LIB_A) $(LIB_SO) $(BUILD)/bin/prime_attach

$(BUILD)/lib/obj:
	@mkdir -p $@

$(BUILD)/lib/obj/%.o: lib/%.c $(LIB_HDRS) | $(BUILD)/lib/obj
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -fPIC -fvisibility=default -c -o $@ $<

$(BUILD)/lib/obj/%.o: common/%.c $(LIB_HDRS) | $(BUILD)/lib/obj
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -fPIC -c -o $@ $<

$(LIB_A): $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(LIB_SO): $(LIB_OBJS)
	$(CC) -shared -Wl,-soname,libvprime.so.1 -o $@ $^

$(BUILD)/bin/prime_attach: examples/prime_attach.c $(LIB_A) | $(BUILD)/bin
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -o $@ $< $(LIB_A)

# API tests (ASan + UBSan), over the simulated backend.
LIB_TESTS := test_libvprime test_prime_attach
HOST_TESTS += $(addprefix $(BUILD)/test/,$(LIB_TESTS))

$(BUILD)/test/test_libvprime: tests/lib/test_libvprime.c $(LIB_SIM_SRCS) \
		$(LIB_SIM_HDRS) | $(BUILD)/test
	$(CC) $(SAN_CFLAGS) -o $@ $< $(LIB_SIM_SRCS) $(TEST_LIBS)

# The unix: transport against a backend thread that corrupts its replies.
HOST_TESTS += $(BUILD)/test/test_unix

$(BUILD)/test/test_unix: tests/lib/test_unix.c $(LIB_SIM_SRCS) \
		$(LIB_SIM_HDRS) | $(BUILD)/test
	$(CC) $(SAN_CFLAGS) -o $@ $< $(LIB_SIM_SRCS) $(TEST_LIBS) -lpthread

# The example's engine loop, run over simulated guests.
$(BUILD)/test/test_prime_attach: tests/lib/test_prime_attach.c \
		examples/prime_attach.c $(LIB_SIM_SRCS) $(LIB_SIM_HDRS) | $(BUILD)/test
	$(CC) $(SAN_CFLAGS) -I$(TOP)/examples -o $@ $< $(LIB_SIM_SRCS) $(TEST_LIBS)


# The headers from C++, at the oldest standard an engine uses (PRIMEX:
# gnu++98) and ns-3's (C++17); the C parts build as C.
CXX ?= g++
CXX_TESTS := test_cxx98 test_cxx17
HOST_TESTS += $(addprefix $(BUILD)/test/,$(CXX_TESTS))
LIB_SIM_OBJS_SAN := $(patsubst %.c,$(BUILD)/test/obj/%.o,$(LIB_SIM_SRCS))

$(BUILD)/test/obj/%.o: %.c $(LIB_SIM_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -c -o $@ $<

$(BUILD)/test/test_cxx98 $(BUILD)/test/test_cxx17: $(BUILD)/test/test_cxx%: \
		tests/lib/test_cxx.cc $(LIB_SIM_OBJS_SAN) $(LIB_SIM_HDRS) | $(BUILD)/test
	$(CXX) -std=$(if $(filter 98,$*),gnu++98,c++17) -g -Wall -Wextra -Werror \
		-I$(TOP)/common -I$(TOP)/lib -I$(TOP)/tests/sim $(SAN_FLAGS) \
		-o $@ $< $(LIB_SIM_OBJS_SAN)

# libFuzzer target: the API under arbitrary call sequences and arguments.
FUZZERS += $(BUILD)/fuzz/fuzz_lib_api

$(BUILD)/fuzz/fuzz_lib_api: tests/fuzz/fuzz_lib_api.c $(LIB_SIM_SRCS) \
		$(LIB_SIM_HDRS) tests/lib/vp_harness.h | $(BUILD)/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(TOP)/tests/sim -I$(TOP)/tests/lib -o $@ $< \
		$(LIB_SIM_SRCS)

# libFuzzer target: whatever a simulated host answers the unix: transport.
FUZZERS += $(BUILD)/fuzz/fuzz_unix_reply

$(BUILD)/fuzz/fuzz_unix_reply: tests/fuzz/fuzz_unix_reply.c $(LIB_SRCS) \
		$(LIB_HDRS) | $(BUILD)/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(LIB_SRCS)
