# SPDX-License-Identifier: MIT
# Distribution: the licence check, `make install`/`uninstall`, man pages
# and their check, `make deb`.  Included by the top Makefile.

# A shell-script host test: build/test/NAME runs SCRIPT on the source tree,
# so check-unit reports it beside the C tests.
define dist_script_test
$(BUILD)/test/$(1): $(2) | $(BUILD)/test
	printf '#!/bin/sh\nexec bash %s %s\n' '$(TOP)/$(2)' '$(TOP)' >$$@
	chmod 0755 $$@
endef

HOST_TESTS += $(BUILD)/test/test_licence
$(eval $(call dist_script_test,test_licence,tests/licence/check-licence.sh))
