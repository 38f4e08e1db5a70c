# SPDX-License-Identifier: MIT
# Distribution: the licence check, `make install`/`uninstall`, man pages
# and their check, `make deb`.  Included by the top Makefile.

# A shell-script host test: build/test/NAME runs SCRIPT TOP BUILD, so
# check-unit reports it beside the C tests.  $(3): what it runs on.
define dist_script_test
$(BUILD)/test/$(1): $(2) $(3) | $(BUILD)/test
	printf '#!/bin/sh\nexec bash %s %s %s\n' '$(TOP)/$(2)' '$(TOP)' '$(BUILD)' >$$@
	chmod 0755 $$@
endef

# COPYING, LICENSES/ and debian/copyright against the sources' SPDX tags.
HOST_TESTS += $(BUILD)/test/test_licence
$(eval $(call dist_script_test,test_licence,tests/licence/check-licence.sh))

# The man pages against the programs' own usage and tables.
HOST_TESTS += $(BUILD)/test/test_man
$(eval $(call dist_script_test,test_man,tests/man/check-man.sh,$(BUILD)/bin/vprimectl $(BUILD)/bin/vprimed $(filter $(BUILD)/bin/vprime-ns3,$(BINS))))

# make install / uninstall into a staging root, engines built against it.
HOST_TESTS += $(BUILD)/test/test_install
$(eval $(call dist_script_test,test_install,tests/install/check-install.sh,$(BINS)))

# ---- make install / uninstall ------------------------------------------
# The usual knobs (GNU coding standards' names): PREFIX (or prefix),
# DESTDIR for staging, and each directory on its own.
VERSION := $(shell cat $(TOP)/VERSION)
PREFIX ?= /usr/local
prefix ?= $(PREFIX)
exec_prefix ?= $(prefix)
sbindir ?= $(exec_prefix)/sbin
libdir ?= $(exec_prefix)/lib
includedir ?= $(prefix)/include
datarootdir ?= $(prefix)/share
mandir ?= $(datarootdir)/man
docdir ?= $(datarootdir)/doc/vprime
pkgconfigdir ?= $(libdir)/pkgconfig
# /etc for a system prefix, PREFIX/etc for any other (as autoconf does).
sysconfdir ?= $(if $(filter /usr,$(prefix)),/etc,$(prefix)/etc)
# systemd reads units from /usr/local/lib/systemd/system too; for /usr,
# where systemd's own pkg-config file says (Debian 12: /lib/systemd/system).
unitdir ?= $(if $(filter /usr,$(prefix)),$(or $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system),$(prefix)/lib/systemd/system)
# Where vprimectl watch looks for the xl configs of xl-created domains.
xenconfdir ?= /etc/xen
INSTALL ?= install

# The headers an engine includes: vprime.h and the contract headers it
# includes in turn (vprime.h -> vprime_abi.h -> vprime_if.h).
DIST_HEADERS := lib/vprime.h common/vprime_abi.h common/vprime_if.h
DIST_UNITS := vprime-watch.service vprimed@.service
DIST_MAN8 := vprimectl.8 vprimed.8 vprime-xl.8
DIST_MAN3 := libvprime.3
DIST_MAN5 := vprime-topology.5
# The ns-3 adapter, when ns3/ns3.mk built it (Debian's ns-3 installed): the
# same objects as build/bin/vprime-ns3 (every ns3/*.cc), linked against the
# shared libvprime.so.1 an installed engine uses, not the static library.
DIST_NS3 := $(if $(filter $(BUILD)/bin/vprime-ns3,$(BINS)),$(BUILD)/dist/vprime-ns3)
DIST_MAN8 += $(if $(DIST_NS3),vprime-ns3.8)
DIST_SED = sed -e 's|@SBINDIR@|$(sbindir)|g' -e 's|@SYSCONFDIR@|$(sysconfdir)|g' \
	-e 's|@XENCONFDIR@|$(xenconfdir)|g' -e 's|@PREFIX@|$(prefix)|g' \
	-e 's|@LIBDIR@|$(libdir)|g' -e 's|@INCLUDEDIR@|$(includedir)|g' \
	-e 's|@DOCDIR@|$(docdir)|g' -e 's|@VERSION@|$(VERSION)|g'

.PHONY: install uninstall install-dkms install-modules

$(BUILD)/dist:
	@mkdir -p $@

# Generated files depend on the directories they name: a new prefix rebuilds.
DIST_DIRS_STAMP := $(BUILD)/dist/dirs.$(subst /,_,$(prefix)$(sbindir)$(sysconfdir)$(libdir)$(includedir)$(docdir)$(xenconfdir))
$(DIST_DIRS_STAMP): | $(BUILD)/dist
	@rm -f $(BUILD)/dist/dirs.*
	@touch $@

$(BUILD)/dist/%.service: dist/systemd/%.service.in $(DIST_DIRS_STAMP) | $(BUILD)/dist
	$(DIST_SED) $< >$@

$(BUILD)/dist/libvprime.pc: dist/libvprime.pc.in VERSION $(DIST_DIRS_STAMP) | $(BUILD)/dist
	$(DIST_SED) $< >$@

$(BUILD)/dist/man/%: man/% VERSION $(DIST_DIRS_STAMP) | $(BUILD)/dist
	@mkdir -p $(dir $@)
	$(DIST_SED) $< >$@

DIST_NS3_OBJS := $(patsubst ns3/%.cc,$(BUILD)/ns3/obj/%.o,$(wildcard ns3/*.cc))
$(BUILD)/dist/vprime-ns3: $(DIST_NS3_OBJS) $(LIB_SO) | $(BUILD)/dist
	$(CXX) $(LDFLAGS) -o $@ $(DIST_NS3_OBJS) -L$(BUILD)/lib -lvprime $(NS3_LIBS)

DIST_GEN := $(addprefix $(BUILD)/dist/,$(DIST_UNITS) libvprime.pc) \
	$(addprefix $(BUILD)/dist/man/,$(DIST_MAN3) $(DIST_MAN5) $(DIST_MAN8)) $(DIST_NS3)

install: all $(DIST_GEN)
	$(INSTALL) -d $(DESTDIR)$(sbindir) $(DESTDIR)$(libdir) $(DESTDIR)$(pkgconfigdir) \
		$(DESTDIR)$(includedir)/vprime $(DESTDIR)$(unitdir) \
		$(DESTDIR)$(mandir)/man3 $(DESTDIR)$(mandir)/man5 $(DESTDIR)$(mandir)/man8 \
		$(DESTDIR)$(sysconfdir)/vprime $(DESTDIR)$(docdir)/examples/topologies \
		$(DESTDIR)$(docdir)/examples/xl-configs
	$(INSTALL) -m 0755 $(BUILD)/bin/vprimectl $(BUILD)/bin/vprimed $(BUILD)/bin/vprime-xl \
		$(DIST_NS3) $(DESTDIR)$(sbindir)/
	$(INSTALL) -m 0644 $(LIB_SO_REAL) $(LIB_A) $(DESTDIR)$(libdir)/
	ln -sf $(notdir $(LIB_SO_REAL)) $(DESTDIR)$(libdir)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(libdir)/libvprime.so
	$(INSTALL) -m 0644 $(DIST_HEADERS) $(DESTDIR)$(includedir)/vprime/
	$(INSTALL) -m 0644 $(BUILD)/dist/libvprime.pc $(DESTDIR)$(pkgconfigdir)/
	$(INSTALL) -m 0644 $(addprefix $(BUILD)/dist/,$(DIST_UNITS)) $(DESTDIR)$(unitdir)/
	$(INSTALL) -m 0644 $(addprefix $(BUILD)/dist/man/,$(DIST_MAN3)) $(DESTDIR)$(mandir)/man3/
	$(INSTALL) -m 0644 $(addprefix $(BUILD)/dist/man/,$(DIST_MAN5)) $(DESTDIR)$(mandir)/man5/
	$(INSTALL) -m 0644 $(addprefix $(BUILD)/dist/man/,$(DIST_MAN8)) $(DESTDIR)$(mandir)/man8/
	@# the configuration is the administrator's: never overwrite an edited one
	test -e $(DESTDIR)$(sysconfdir)/vprime/default.json || \
		$(INSTALL) -m 0644 dist/etc/default.json $(DESTDIR)$(sysconfdir)/vprime/
	$(INSTALL) -m 0644 engine/topologies/*.json $(DESTDIR)$(docdir)/examples/topologies/
	$(INSTALL) -m 0644 xl-configs/*.cfg $(DESTDIR)$(docdir)/examples/xl-configs/

# Removes what install put there, except an edited configuration.
uninstall:
	rm -f $(addprefix $(DESTDIR)$(sbindir)/,vprimectl vprimed vprime-xl vprime-ns3)
	rm -f $(addprefix $(DESTDIR)$(libdir)/,$(notdir $(LIB_SO_REAL)) $(LIB_SONAME) \
		libvprime.so libvprime.a)
	rm -f $(addprefix $(DESTDIR)$(includedir)/vprime/,$(notdir $(DIST_HEADERS)))
	-rmdir $(DESTDIR)$(includedir)/vprime
	rm -f $(DESTDIR)$(pkgconfigdir)/libvprime.pc
	rm -f $(addprefix $(DESTDIR)$(unitdir)/,$(DIST_UNITS))
	rm -f $(addprefix $(DESTDIR)$(mandir)/man3/,$(DIST_MAN3)) \
		$(addprefix $(DESTDIR)$(mandir)/man5/,$(DIST_MAN5)) \
		$(addprefix $(DESTDIR)$(mandir)/man8/,$(sort $(DIST_MAN8) vprime-ns3.8))
	cmp -s dist/etc/default.json $(DESTDIR)$(sysconfdir)/vprime/default.json && \
		rm -f $(DESTDIR)$(sysconfdir)/vprime/default.json || true
	-rmdir $(DESTDIR)$(sysconfdir)/vprime
	rm -rf $(DESTDIR)$(docdir)

# The module sources and dkms.conf, for DKMS on any distribution:
#   make install-dkms && dkms install vprime/$(VERSION)
install-dkms:
	bash dist/dkms/mkdkms.sh $(TOP) $(DESTDIR)/usr/src/vprime-$(VERSION) $(VERSION)

# Without DKMS: the frontend and backend built against KDIR, installed
# under /lib/modules/KVER/updates/vprime (kbuild's modules_install).
install-modules:
	@test -d $(KDIR) || { echo "install-modules: no kernel headers at $(KDIR)"; exit 1; }
	rm -rf $(BUILD)/kmod-src
	bash dist/dkms/mkdkms.sh $(TOP) $(BUILD)/kmod-src $(VERSION) >/dev/null
	$(MAKE) -C $(KDIR) M=$(BUILD)/kmod-src modules
	$(MAKE) -C $(KDIR) M=$(BUILD)/kmod-src INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=updates/vprime modules_install
	test -n "$(DESTDIR)" || depmod -a $(KVER)

# ---- make deb ------------------------------------------------------------
# The Debian packages (debian/), built offline from a copy of the tracked
# sources in build/deb/src, so the tree stays clean; the .debs, .buildinfo,
# .changes and lintian's report land in build/deb/.  lintian must report
# no error (its warnings: docs/install.md).
DEB_OUT := $(BUILD)/deb
DEB_SRC := $(DEB_OUT)/src/vprime-$(VERSION)
.PHONY: deb

deb:
	@v=$$(dpkg-parsechangelog -l $(TOP)/debian/changelog -S Version); \
	case $$v in $(VERSION)|$(VERSION)-*|$(VERSION)+*) ;; \
	*) echo "deb: debian/changelog says $$v, VERSION says $(VERSION)"; exit 1 ;; esac
	rm -rf $(DEB_OUT)
	mkdir -p $(DEB_SRC)
	if git -C $(TOP) rev-parse --git-dir >/dev/null 2>&1; then \
		git -C $(TOP) ls-files -co --exclude-standard -z; \
	else \
		find . -path ./build -prune -o -path ./.git -prune -o -type f -print0; \
	fi | (cd $(TOP) && xargs -0 cp --parents -t $(DEB_SRC))
	cd $(DEB_SRC) && DEB_BUILD_OPTIONS="noddebs nocheck $(DEB_BUILD_OPTIONS)" \
		dpkg-buildpackage -us -uc -b >$(DEB_OUT)/build.log 2>&1 || \
		{ tail -n 40 $(DEB_OUT)/build.log; echo "deb: dpkg-buildpackage failed (log: $(DEB_OUT)/build.log)"; exit 1; }
	mv $(DEB_OUT)/src/*.deb $(DEB_OUT)/src/*.buildinfo $(DEB_OUT)/src/*.changes $(DEB_OUT)/
	lintian --fail-on error --info $(DEB_OUT)/*.changes >$(DEB_OUT)/lintian.txt 2>&1 || \
		{ cat $(DEB_OUT)/lintian.txt; echo "deb: lintian reported errors"; exit 1; }
	@echo "deb: $$(cd $(DEB_OUT) && echo *.deb)"
	@echo "deb: lintian: $$(grep -c '^E:' $(DEB_OUT)/lintian.txt) errors, $$(grep -c '^W:' $(DEB_OUT)/lintian.txt) warnings ($(DEB_OUT)/lintian.txt)"

# The packages installed, upgraded, reinstalled and purged as a user does,
# in a throwaway overlay root (tests/deb/check-deb.sh; docs/install.md).
.PHONY: check-deb
check-deb: deb
	bash $(TOP)/tests/deb/check-deb.sh $(TOP) $(DEB_OUT) $(KVER)
