#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/kernels/fetch.sh FLAVOUR CACHE -> prints shell assignments
#
#   K_VER=V          kernel release (uname -r in the guest)
#   K_IMG=PATH       bzImage to boot
#   K_MODROOT=DIR    DIR/lib/modules/V holds its modules (with modules.dep)
#   K_KDIR=DIR       header tree to build against (a path in K_CHROOT if set)
#   K_CHROOT=DIR     chroot the module is built in ("" for the host)
#   K_NOTE=TEXT      how the version was found (resolved, cached, fetched)
#
# Flavours (see tests/kernels/README.md):
#   k6.12  Debian's 6.12 from bookworm-backports (built with gcc 12, so its
#          headers work with the host's compiler)
#   k7     the newest 7.x that sid carries, resolved at every run; its
#          headers need gcc 16, so the module is built in a sid chroot
#
# Nothing is installed on the host: packages are fetched with a private
# apt state under CACHE/kernels/apt-SUITE and unpacked with dpkg-deb -x
# into CACHE/kernels/FLAVOUR-V/.  A new version in the archive replaces the
# cached one; if the archive cannot be reached, the newest cached version
# is used and K_NOTE says so.  Progress goes to stderr.
set -eu

FLAVOUR=$1
CACHE=$2
KC=$CACHE/kernels
mkdir -p "$KC"

case $FLAVOUR in
k6.12) SUITE=bookworm-backports VPAT='6.12.*' CHROOT_SUITE= ;;
k7) SUITE=sid VPAT='7.*' CHROOT_SUITE=sid ;;
*) echo "kernels: unknown flavour '$FLAVOUR' (k6.12, k7)" >&2; exit 2 ;;
esac

say() { echo "kernels: $FLAVOUR: $*" >&2; }

exec 9>"$KC/$FLAVOUR.lock"
flock 9

# ------------------------------------------------------------ private apt

A=$KC/apt-$SUITE
mkdir -p "$A/lists/partial" "$A/archives/partial" "$A/etc/preferences.d"
printf 'deb http://deb.debian.org/debian %s main\n' "$SUITE" >"$A/etc/sources.list"
papt() {
	apt-get -q -o Dir::Etc::SourceList="$A/etc/sources.list" \
		-o Dir::Etc::SourceParts=/nonexistent \
		-o Dir::Etc::Preferences=/nonexistent \
		-o Dir::Etc::PreferencesParts="$A/etc/preferences.d" \
		-o Dir::State::Lists="$A/lists" -o Dir::Cache="$A" \
		-o Dir::Cache::archives="$A/archives" \
		-o Acquire::Check-Valid-Until=false -o Debug::NoLocking=1 "$@"
}
packages() {
	for f in "$A"/lists/*_binary-amd64_Packages*; do
		[ -e "$f" ] && /usr/lib/apt/apt-helper cat-file "$f"
	done
}
# has_pkg NAME: the suite's index lists NAME.
has_pkg() {
	grep -qx "Package: $1" "$A/Packages"
}

# ------------------------------------------------------------ resolve

cached_newest() {
	for d in "$KC/$FLAVOUR"-*/; do
		[ -f "$d.done" ] && basename "$d"
	done | sed "s/^$FLAVOUR-//" | sort -V | tail -n 1
}

KVER='' NOTE=''
# Only the kernel's stanzas are kept: the whole of sid's index is 60 MB.
# apt-get update exits 0 when it could not fetch (old lists are kept).
if papt update >"$A/update.log" 2>&1 && ! grep -q '^Err:' "$A/update.log" &&
   packages | awk 'BEGIN { RS = ""; ORS = "\n\n" } /^Package: linux-/' >"$A/Packages" &&
   [ -s "$A/Packages" ]; then
	# linux-headers-amd64 depends on linux-headers-V (= ...): that V.
	KVER=$(awk '/^Package: linux-headers-amd64$/ { on = 1; next }
		/^$/ { on = 0 }
		on && /^Depends:/ {
			n = split($0, d, /[ ,]+/)
			for (i = 1; i <= n; i++)
				if (d[i] ~ /^linux-headers-.*-amd64$/) print substr(d[i], 15)
		}' "$A/Packages" | sort -V | tail -n 1)
	# shellcheck disable=SC2254
	case $KVER in
	$VPAT) ;;
	*) say "$SUITE's linux-headers-amd64 is '${KVER:-?}', not $VPAT"; exit 1 ;;
	esac
	old=$(cached_newest)
	if [ -z "$old" ]; then
		NOTE="$SUITE has $KVER; fetched (not cached before)"
	elif [ "$old" = "$KVER" ]; then
		NOTE="$SUITE has $KVER; cached"
	else
		NOTE="$SUITE has $KVER; the cache had $old, which the archive no longer serves: fetched $KVER"
	fi
else
	KVER=$(cached_newest)
	[ -n "$KVER" ] || { say "cannot reach the $SUITE index and nothing is cached"; tail -n 5 "$A/update.log" >&2; exit 1; }
	NOTE="the $SUITE index could not be fetched; using the cached $KVER"
fi
say "$NOTE"

DIR=$KC/$FLAVOUR-$KVER
ROOT=$DIR/root
base=${KVER%-amd64}

# ------------------------------------------------------------ image, modules, headers

if [ ! -f "$DIR/.done" ]; then
	rm -rf "$DIR"
	mkdir -p "$ROOT" "$DIR/debs"
	if has_pkg "linux-binary-$KVER"; then
		# 7.x: linux-image-V is an empty metapackage; linux-base-V has
		# modules.builtin and modules.order.
		pkgs="linux-binary-$KVER linux-modules-$KVER linux-base-$KVER"
	else
		pkgs="linux-image-$KVER"
	fi
	[ -n "$CHROOT_SUITE" ] ||
		pkgs="$pkgs linux-headers-$KVER linux-headers-$base-common linux-kbuild-$base"
	t0=$(date +%s)
	# shellcheck disable=SC2086
	(cd "$DIR/debs" && papt download $pkgs) >"$DIR/download.log" 2>&1 ||
		{ say "apt-get download $pkgs failed:"; tail -n 5 "$DIR/download.log" >&2; exit 1; }
	for d in "$DIR"/debs/*.deb; do
		dpkg-deb -x "$d" "$ROOT"
	done
	du -sk "$DIR/debs" | awk -v t=$(( $(date +%s) - t0 )) \
		'{ printf "kernels: '"$FLAVOUR"': downloaded and unpacked %d MB in %d s\n", $1 / 1024, t }' >&2
	rm -rf "$DIR/debs"
	if [ -z "$CHROOT_SUITE" ]; then
		# The arch tree includes the common one by absolute path.
		sed -i "s|^include /usr/src/|include $ROOT/usr/src/|" \
			"$ROOT/usr/src/linux-headers-$KVER/Makefile"
	fi
	for m in "$ROOT/usr" "$ROOT"; do
		[ -d "$m/lib/modules/$KVER/kernel" ] && { depmod -b "$m" "$KVER"; break; }
	done
	touch "$DIR/.done"
fi
# Other versions of this flavour: nothing boots them again.
for d in "$KC/$FLAVOUR"-*/; do
	[ "${d%/}" = "$DIR" ] || rm -rf "$d"
done

MODROOT=
for m in "$ROOT/usr" "$ROOT"; do
	[ -d "$m/lib/modules/$KVER/kernel" ] && { MODROOT=$m; break; }
done
[ -n "$MODROOT" ] || { say "no lib/modules/$KVER in $ROOT"; exit 1; }
IMG=
for i in "$ROOT/boot/vmlinuz-$KVER" "$MODROOT/lib/modules/$KVER/vmlinuz"; do
	[ -r "$i" ] && { IMG=$i; break; }
done
[ -n "$IMG" ] || { say "no vmlinuz for $KVER in $ROOT"; exit 1; }

# ------------------------------------------------------------ build chroot

KDIR=$ROOT/usr/src/linux-headers-$KVER CH=
if [ -n "$CHROOT_SUITE" ]; then
	CH=$KC/chroot-$CHROOT_SUITE
	if [ ! -f "$CH/.done" ]; then
		t0=$(date +%s)
		rm -rf "$CH"
		debootstrap --variant=minbase --include=build-essential,dkms,kmod,xz-utils \
			"$CHROOT_SUITE" "$CH" http://deb.debian.org/debian \
			>"$KC/chroot-$CHROOT_SUITE.log" 2>&1 ||
			{ say "debootstrap $CHROOT_SUITE failed:"; tail -n 10 "$KC/chroot-$CHROOT_SUITE.log" >&2; exit 1; }
		echo 'Acquire::Check-Valid-Until "false";' >"$CH/etc/apt/apt.conf.d/99blkmirror"
		touch "$CH/.done"
		say "debootstrap $CHROOT_SUITE took $(( $(date +%s) - t0 )) s"
	fi
	KDIR=/usr/src/linux-headers-$KVER
	if [ ! -e "$CH$KDIR/Makefile" ]; then
		t0=$(date +%s)
		# The headers pull in the compiler they were built with.
		if ! chroot "$CH" sh -c "apt-get update -q &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			linux-headers-$KVER && apt-get clean" \
			>"$KC/chroot-$CHROOT_SUITE-headers.log" 2>&1 </dev/null; then
			say "installing linux-headers-$KVER in the chroot failed:"
			tail -n 10 "$KC/chroot-$CHROOT_SUITE-headers.log" >&2
			exit 1
		fi
		# Headers of versions nothing builds for any more.
		for h in "$CH"/usr/src/linux-headers-*-amd64; do
			[ "$h" = "$CH$KDIR" ] && continue
			p=${h##*/}
			chroot "$CH" dpkg --purge "$p" "${p%-amd64}-common" \
				>/dev/null 2>&1 </dev/null || true
		done
		say "linux-headers-$KVER installed in the chroot in $(( $(date +%s) - t0 )) s"
	fi
fi

echo "K_VER='$KVER'"
echo "K_IMG='$IMG'"
echo "K_MODROOT='$MODROOT'"
echo "K_KDIR='$KDIR'"
echo "K_CHROOT='$CH'"
echo "K_NOTE='$NOTE'"
