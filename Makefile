# SPDX-License-Identifier: GPL-2.0
#
# blkmirror top-level build.
#
#   make              module (kmod/blkmirror.ko) and mirrorctl (ctl/mirrorctl)
#   make check        every test suite; ends with "N passed, N failed"
#   make demo         boots a guest and shows a mirror being built
#   make install      mirrorctl, its man page and bash completion
#   make C=1          module build under sparse
#
# KDIR is the kernel build tree.  It defaults to the running kernel's, and
# falls back to the newest installed Debian linux-headers-*-amd64 tree,
# which is what the guest tests boot.

PREFIX ?= /usr/local
DESTDIR ?=
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

.PHONY: all module module-clean ctl clean check demo install install-ctl modules_install deps FORCE

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
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" $(if $(C),C=$(C)) modules

ctl:
	$(MAKE) -C ctl

deps:
	sh tests/deps.sh

check:
	sh tests/run.sh $(if $(T),--filter '$(T)')

demo:
	sh tests/demo.sh

install: install-ctl

install-ctl: ctl
	$(MAKE) -C ctl install PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)"

modules_install: module
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" modules_install

# The module only (DKMS's CLEAN): a DKMS source tree need not have ctl/.
module-clean:
	-$(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean
	rm -rf kmod/generated

clean: module-clean
	$(MAKE) -C ctl clean
