#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/install.sh TOP WORKDIR: host/install.  `make install` into a
# DESTDIR puts down every file the README's installation section names,
# at the paths given, and nothing else; `make uninstall` with the same
# variables leaves no file behind.  Then the same with the defaults
# (paths from pkg-config, PREFIX=/usr/local), which must install as many
# files and uninstall all of them.  Prints TAP.
#
# WERROR=1 as make check's own build has it: otherwise the changed flags
# would rebuild mirrorctl in the middle of the run.
set -u

TOP=$1 W=$2
n=0 failed=0
ok() {	# COND-STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

# Paths as given below; keep in step with the Makefiles and README.
DIRS="PREFIX=/usr UDEVDIR=/lib/udev SYSTEMDUNITDIR=/lib/systemd/system
	MODULESLOADDIR=/usr/lib/modules-load.d
	BASHCOMPDIR=/usr/share/bash-completion/completions"
EXPECTED="
/usr/sbin/mirrorctl
/usr/share/man/man8/mirrorctl.8
/usr/share/man/man5/blkmirror.conf.5
/usr/share/doc/blkmirror/mirrors.conf.example
/usr/share/bash-completion/completions/mirrorctl
/usr/lib/modules-load.d/blkmirror.conf
/lib/udev/rules.d/60-blkmirror.rules
/lib/systemd/system/blkmirror@.service
/lib/systemd/system/blkmirror-hotplug@.service
/lib/systemd/system/blkmirror.target
"

d=$W/install-dest
rm -rf "$d"
mkdir -p "$d"
# shellcheck disable=SC2086
make -C "$TOP" WERROR=1 install DESTDIR="$d" $DIRS >"$W/install.log" 2>&1
ok $? "make install DESTDIR=... exits 0"
for f in $EXPECTED; do
	[ -f "$d$f" ]
	ok $? "installs $f"
done
[ -x "$d/usr/sbin/mirrorctl" ]
ok $? "mirrorctl is executable"
grep -q '^ExecStart=/usr/sbin/mirrorctl up %i$' "$d/lib/systemd/system/blkmirror@.service"
ok $? "blkmirror@.service runs the installed mirrorctl (@SBINDIR@ replaced)"
grep -q '^ExecStart=/usr/sbin/mirrorctl up --all$' "$d/lib/systemd/system/blkmirror-hotplug@.service"
ok $? "blkmirror-hotplug@.service runs the installed mirrorctl"
grep -q '^RUN+="/usr/sbin/mirrorctl up --all"$' "$d/lib/udev/rules.d/60-blkmirror.rules"
ok $? "60-blkmirror.rules runs the installed mirrorctl"
# The units as systemd reads them, without booting it (systemd-analyze
# verify loads them, checks every directive and that ExecStart's binary is
# executable; an instance name stands for each template).  --man=no: the
# pages are not installed on the machine that runs the test.
if command -v systemd-analyze >/dev/null 2>&1; then
	u=$d/lib/systemd/system v=$W/units-verify
	rm -rf "$v"
	mkdir -p "$v"
	cp "$u/blkmirror.target" "$v/"
	sed 's|^\(Exec[A-Za-z]*=-*\)/usr/sbin/mirrorctl|\1'"$d"'/usr/sbin/mirrorctl|' \
		"$u/blkmirror@.service" >"$v/blkmirror@.service"
	sed 's|^\(Exec[A-Za-z]*=-*\)/usr/sbin/mirrorctl|\1'"$d"'/usr/sbin/mirrorctl|' \
		"$u/blkmirror-hotplug@.service" >"$v/blkmirror-hotplug@.service"
	ln -s blkmirror@.service "$v/blkmirror@data.service"
	ln -s blkmirror-hotplug@.service \
		"$v/blkmirror-hotplug@sys-devices-virtual-block-loop0.service"
	(cd "$v" && SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no \
		./blkmirror@data.service ./blkmirror.target \
		./blkmirror-hotplug@sys-devices-virtual-block-loop0.service) \
		>"$W/units-verify.log" 2>&1
	vrc=$?
	[ -s "$W/units-verify.log" ] && sed 's/^/# /' "$W/units-verify.log"
	[ $vrc -eq 0 ] && [ ! -s "$W/units-verify.log" ]
	ok $? "systemd-analyze verify: the units load with no complaint"
else
	echo "# no systemd-analyze: the units are not verified"
fi
extra=$(cd "$d" && find . -type f | sed 's|^\.||' | while read -r f; do
	case " $(echo $EXPECTED) " in *" $f "*) ;; *) echo "$f" ;; esac
done)
[ -z "$extra" ] || echo "# not in the expected list: $extra"
[ -z "$extra" ]
ok $? "installs nothing unlisted"
# shellcheck disable=SC2086
make -C "$TOP" WERROR=1 uninstall DESTDIR="$d" $DIRS >>"$W/install.log" 2>&1
ok $? "make uninstall DESTDIR=... exits 0"
left=$(find "$d" -type f)
[ -z "$left" ] || echo "# left behind: $left"
[ -z "$left" ]
ok $? "make uninstall leaves no file behind"
[ ! -e "$d/usr/share/doc/blkmirror" ]
ok $? "make uninstall removes its own doc directory"

# The defaults.
rm -rf "$d"
mkdir -p "$d"
make -C "$TOP" WERROR=1 install DESTDIR="$d" >>"$W/install.log" 2>&1
ok $? "make install DESTDIR=... with the default paths exits 0"
got=$(find "$d" -type f | wc -l)
[ "$got" -eq "$(echo $EXPECTED | wc -w)" ]
ok $? "default paths: $got files installed, $(echo $EXPECTED | wc -w) expected"
make -C "$TOP" WERROR=1 uninstall DESTDIR="$d" >>"$W/install.log" 2>&1
left=$(find "$d" -type f)
[ -z "$left" ] || echo "# left behind: $left"
[ -z "$left" ]
ok $? "default paths: make uninstall leaves no file behind"
rm -rf "$d"

echo "1..$n"
[ $failed -eq 0 ]
