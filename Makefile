# SPDX-License-Identifier: GPL-2.0
#
# blkmirror top-level build.
#
#   make              module (kmod/blkmirror.ko) and mirrorctl (ctl/mirrorctl)
#   make check        every test suite; ends with "N passed, N failed"
#   make demo         boots a guest and shows a mirror being built
#   make bench        boots a guest, prints blkmirror against raw, dm-raid1, md raid1
#   make install      mirrorctl, man pages, bash completion, udev rules, systemd
#                     units, modules-load.d snippet, example config (DESTDIR, PREFIX)
#   make uninstall    removes every file install installed
#   make dkms-install copies the module's source to /usr/src/blkmirror-VERSION,
#                     then dkms add, build and install (dkms-uninstall undoes it)
#   make C=1          module build under sparse
#
# KDIR is the kernel build tree.  It defaults to the running kernel's, and
# falls back to the newest installed Debian linux-headers-*-amd64 tree,
# which is what the guest tests boot.

PREFIX ?= /usr/local
# WERROR=1 (make check's builds): warnings fail the module and mirrorctl.
WERROR ?=
DESTDIR ?=
PKG_CONFIG ?= pkg-config

# udev reads rules only from its own directories, whatever PREFIX is; ask
# udev's and systemd's .pc files where those are, else Debian's paths.
pc_var = $(shell $(PKG_CONFIG) --variable=$(1) $(2) 2>/dev/null)
UDEVDIR ?= $(or $(call pc_var,udevdir,udev),/lib/udev)
SYSTEMDUNITDIR ?= $(or $(call pc_var,systemdsystemunitdir,systemd),/lib/systemd/system)
MODULESLOADDIR ?= $(or $(call pc_var,modulesloaddir,systemd),/usr/lib/modules-load.d)

SBINDIR ?= $(PREFIX)/sbin

# System integration files: source in dist/, installed as the name after
# ':'.  A .in file has @SBINDIR@ replaced by where mirrorctl goes.
DIST_FILES := \
	dist/modules-load.d/blkmirror.conf:$(MODULESLOADDIR)/blkmirror.conf \
	dist/udev/60-blkmirror.rules.in:$(UDEVDIR)/rules.d/60-blkmirror.rules \
	dist/systemd/blkmirror@.service.in:$(SYSTEMDUNITDIR)/blkmirror@.service \
	dist/systemd/blkmirror-hotplug@.service.in:$(SYSTEMDUNITDIR)/blkmirror-hotplug@.service \
	dist/systemd/blkmirror.target:$(SYSTEMDUNITDIR)/blkmirror.target
KVER_RUNNING := $(shell uname -r)
# Version order, not string order: 6.10 is newer than 6.9.
KDIR_DEBIAN := $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)
ifneq ($(wildcard /lib/modules/$(KVER_RUNNING)/build/Makefile),)
KDIR ?= /lib/modules/$(KVER_RUNNING)/build
else
KDIR ?= $(KDIR_DEBIAN)
endif

COMPAT_H := kmod/generated/compat.h
# The probes and the objects belong to one kernel tree.  The stamp names
# it (path and its config's mtime); when it changes, the objects of the
# previous tree are cleaned and the probes run again.
KDIR_STAMP := kmod/generated/kdir
KDIR_KEY := $(abspath $(KDIR)) $(shell stat -L -c %Y '$(KDIR)/include/generated/autoconf.h' 2>/dev/null)

.PHONY: all module module-clean ctl clean check demo bench install install-ctl uninstall \
	modules_install dkms-build dkms-install dkms-uninstall deps FORCE

all: module ctl

$(KDIR_STAMP): FORCE
	@if [ "$$(cat $@ 2>/dev/null)" != '$(KDIR_KEY)' ]; then \
		if [ -e $@ ]; then \
			echo "blkmirror: kernel tree changed to $(KDIR): cleaning objects"; \
			find kmod \( -name '*.o' -o -name '*.a' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
				-o -name '.*.cmd' -o -name 'modules.order' -o -name 'Module.symvers' \) -delete; \
			rm -f modules.order Module.symvers .*.cmd; \
		fi; \
		mkdir -p $(@D); echo '$(KDIR_KEY)' > $@; \
	fi

$(COMPAT_H): $(KDIR_STAMP) kmod/compat/probe.sh $(wildcard kmod/compat/probes/*.c)
	@test -n "$(KDIR)" || { echo "blkmirror: no kernel build tree; install linux-headers or set KDIR=" >&2; exit 1; }
	sh kmod/compat/probe.sh "$(KDIR)" $@

module: $(COMPAT_H)
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" $(if $(C),C=$(C)) BLKMIRROR_WERROR=$(WERROR) modules

ctl:
	$(MAKE) -C ctl

deps:
	sh tests/deps.sh

check:
	sh tests/run.sh $(if $(T),--filter '$(T)')

demo:
	sh tests/demo.sh

bench:
	sh tests/bench.sh

install: install-ctl
	@set -e; for f in $(DIST_FILES); do \
		src=$${f%%:*} dst="$(DESTDIR)$${f#*:}"; \
		echo "install -D -m 0644 $$src $$dst"; \
		case $$src in \
		*.in) mkdir -p "$$(dirname "$$dst")"; \
		      sed 's|@SBINDIR@|$(SBINDIR)|g' "$$src" >"$$dst"; chmod 0644 "$$dst" ;; \
		*) install -D -m 0644 "$$src" "$$dst" ;; \
		esac; \
	done

install-ctl: ctl
	$(MAKE) -C ctl install PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" SBINDIR="$(SBINDIR)"

uninstall:
	$(MAKE) -C ctl uninstall PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" SBINDIR="$(SBINDIR)"
	rm -f $(foreach f,$(DIST_FILES),"$(DESTDIR)$(lastword $(subst :, ,$(f)))")

# DKMS: the module's sources only (what dkms.conf's MAKE needs), as a
# fresh copy, so that objects of this tree's kernel do not come along.
# An earlier registration of the same version is removed first, so that
# dkms-install can be run again after a change.  KVER= builds for another
# kernel than the running one.  dkms-build stops before the install into
# /lib/modules; DKMS_SRCTREE and DKMS="dkms --dkmstree DIR --sourcetree DIR"
# keep a trial run out of /usr/src and /var/lib/dkms.
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DKMS_SRCTREE ?= /usr/src
DKMS_SRC = $(DKMS_SRCTREE)/blkmirror-$(DKMS_VERSION)
DKMS ?= dkms
DKMS_MOD = -m blkmirror -v $(DKMS_VERSION)
DKMS_KFLAGS = $(if $(KVER),-k $(KVER))

dkms-build:
	@test -n "$(DKMS_VERSION)" || { echo "blkmirror: no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }
	@command -v $(firstword $(DKMS)) >/dev/null || \
		{ echo "blkmirror: $(firstword $(DKMS)) not found (apt-get install dkms)" >&2; exit 1; }
	if $(DKMS) status $(DKMS_MOD) | grep -q .; then $(DKMS) remove $(DKMS_MOD) --all; fi
	rm -rf "$(DKMS_SRC)"
	mkdir -p "$(DKMS_SRC)"
	tar cf - --exclude=generated --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='.*.cmd' --exclude=modules.order \
		--exclude=Module.symvers Makefile Kbuild dkms.conf kmod uapi | \
		tar xf - -C "$(DKMS_SRC)"
	$(DKMS) add $(DKMS_MOD)
	$(DKMS) build $(DKMS_MOD) $(DKMS_KFLAGS)

dkms-install: dkms-build
	$(DKMS) install $(DKMS_MOD) $(DKMS_KFLAGS)

dkms-uninstall:
	if $(DKMS) status $(DKMS_MOD) | grep -q .; then $(DKMS) remove $(DKMS_MOD) --all; fi
	rm -rf "$(DKMS_SRC)"

modules_install: module
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" modules_install

# The module only (DKMS's CLEAN): a DKMS source tree need not have ctl/.
module-clean:
	-$(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean
	rm -rf kmod/generated

clean: module-clean
	$(MAKE) -C ctl clean
