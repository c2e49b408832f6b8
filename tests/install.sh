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
