#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/kernels/dkms.sh TOP WORKDIR NAME:KVER:KDIR[:CHROOT] ...
#
# Host-side test: `dkms add` and `dkms build` of the source in TOP, with
# dkms.conf as shipped, against each header tree: through the Makefile's
# dkms-build (what `make dkms-install` runs before installing), or in
# CHROOT when given (7.x needs that chroot's compiler) from a copy of
# the clone.  A private --dkmstree and --sourcetree under WORKDIR keep
# the host's /var/lib/dkms and /usr/src untouched.  Prints TAP, one line per kernel: "ok N dkms-NAME (KVER)".
set -u

TOP=$1 W=$2
shift 2
n=0 rc=0
echo "1..$#"
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$TOP/dkms.conf")
for spec in "$@"; do
	n=$((n + 1))
	name=${spec%%:*} rest=${spec#*:}
	kver=${rest%%:*} rest=${rest#*:}
	kdir=${rest%%:*} ch=
	[ "$rest" = "$kdir" ] || ch=${rest#*:}
	if [ -n "$ch" ]; then
		base=/build/dkms-$$-$name
	else
		base=$W/dkms-$$-$name
	fi
	d=$ch$base
	rm -rf "$d"
	mkdir -p "$d/src/blkmirror-$ver" "$d/tree"
	log=$W/dkms-$name.log
	t0=$(date +%s)
	if [ -n "$ch" ]; then
		# The chroot has no make of this tree: a copy of the clone,
		# with whatever it has built (kmod/generated/ of another
		# kernel included), then dkms add and build there.
		(cd "$TOP" && tar cf - --exclude=.git --exclude=tests/out .) |
			(cd "$d/src/blkmirror-$ver" && tar xf -)
		cmd="dkms add -m blkmirror -v $ver --sourcetree $base/src --dkmstree $base/tree &&
			dkms build -m blkmirror -v $ver -k $kver --kernelsourcedir $kdir \
				--sourcetree $base/src --dkmstree $base/tree"
	else
		# README's `make dkms-install` up to its install step: the
		# Makefile copies the module's sources and runs dkms add, build.
		rmdir "$d/src/blkmirror-$ver"
		cmd="make -C '$TOP' dkms-build DKMS_SRCTREE='$base/src' \
			DKMS='dkms --dkmstree $base/tree --sourcetree $base/src' \
			DKMS_KFLAGS='-k $kver --kernelsourcedir $kdir'"
	fi
	if [ -n "$ch" ]; then
		unshare -m sh -c 'mount -t proc proc "$1/proc" && exec chroot "$1" sh -c "$2"' \
			sh "$ch" "$cmd" >"$log" 2>&1 </dev/null
	else
		sh -c "$cmd" >"$log" 2>&1 </dev/null
	fi
	r=$?
	ko=$(find "$d/tree/blkmirror/$ver/$kver" -name 'blkmirror.ko*' 2>/dev/null | head -n 1)
	if [ $r -eq 0 ] && [ -n "$ko" ]; then
		vm=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
		if [ "$vm" = "$kver" ]; then
			echo "ok $n dkms-$name ($kver, $(( $(date +%s) - t0 )) s)"
		else
			echo "not ok $n dkms-$name ($kver) # module's vermagic is '$vm'"
			rc=1
		fi
	else
		echo "not ok $n dkms-$name ($kver) # dkms exited $r${ko:-, no module}"
		grep -v '^$' "$log" | tail -n 15 | sed 's/^/# /'
		find "$d/tree" -name make.log -exec tail -n 15 {} \; 2>/dev/null | sed 's/^/# make.log: /'
		rc=1
	fi
	rm -rf "$d"
done
exit $rc
