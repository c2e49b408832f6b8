#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/ynl/fetch.sh CACHE -> prints the directory holding a kernel tree's
# Documentation/netlink/ and tools/net/ynl/, read from Debian's own
# linux-source package.
#
# The YNL schemas (Documentation/netlink/genetlink*.yaml) and the ynl CLI
# came after 6.1: bookworm's linux-source-6.1 has only specs/fou.yaml.  So
# the linux-source of trixie (Debian 13, 6.12) is fetched with a private
# apt state under CACHE/ynl/apt-trixie (nothing is installed on the host,
# nothing lands in the tree) and only those two directories are unpacked
# from its tarball into CACHE/ynl/linux-source-V/.  A newer linux-source in
# the archive replaces the cached one; without the archive the cached one
# is used.  Progress goes to stderr.
set -eu

CACHE=$1
SUITE=trixie
Y=$CACHE/ynl
mkdir -p "$Y"
say() { echo "ynl: $*" >&2; }

exec 9>"$Y/fetch.lock"
flock 9

A=$Y/apt-$SUITE
mkdir -p "$A/lists/partial" "$A/archives/partial" "$A/etc/preferences.d"
printf 'deb http://deb.debian.org/debian %s main\n' "$SUITE" >"$A/etc/sources.list"
papt() {
	papt_tool apt-get -q "$@"
}
pcache() {
	papt_tool apt-cache "$@"
}
papt_tool() {
	_tool=$1
	shift
	"$_tool" -o Dir::Etc::SourceList="$A/etc/sources.list" \
		-o Dir::Etc::SourceParts=/nonexistent \
		-o Dir::Etc::Preferences=/nonexistent \
		-o Dir::Etc::PreferencesParts="$A/etc/preferences.d" \
		-o Dir::State::Lists="$A/lists" -o Dir::Cache="$A" \
		-o Dir::Cache::archives="$A/archives" \
		-o Acquire::Check-Valid-Until=false -o Debug::NoLocking=1 "$@"
}

cached_newest() {
	for d in "$Y"/linux-source-*/; do
		[ -f "$d.done" ] && basename "$d"
	done | sort -V | tail -n 1
}

# The source package's name carries the series: linux-source-6.12.
PKG=
if papt update >"$A/update.log" 2>&1 && ! grep -q '^Err:' "$A/update.log"; then
	PKG=$(pcache pkgnames linux-source- 2>/dev/null | grep -x 'linux-source-[0-9.]*' |
		sort -V | tail -n 1)
fi
if [ -z "$PKG" ]; then
	old=$(cached_newest)
	[ -n "$old" ] || { say "cannot reach the $SUITE index and nothing is cached"; exit 1; }
	say "the $SUITE index could not be fetched; using the cached $old"
	echo "$Y/$old"
	exit 0
fi
VER=$(pcache show "$PKG" 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -n 1)
DIR=$Y/$PKG-$VER
if [ ! -f "$DIR/.done" ]; then
	t0=$(date +%s)
	rm -rf "$DIR"
	mkdir -p "$DIR/deb"
	(cd "$DIR/deb" && papt download "$PKG") >"$DIR/download.log" 2>&1 ||
		{ say "apt-get download $PKG failed:"; tail -n 5 "$DIR/download.log" >&2; exit 1; }
	dpkg-deb -x "$DIR"/deb/*.deb "$DIR/deb/x"
	tarball=$(ls "$DIR"/deb/x/usr/src/linux-source-*.tar.*)
	top=$(basename "$tarball" | sed 's/\.tar\..*//')
	tar -xf "$tarball" -C "$DIR" --strip-components=1 \
		"$top/Documentation/netlink" "$top/tools/net/ynl"
	rm -rf "$DIR/deb"
	touch "$DIR/.done"
	say "$PKG $VER: downloaded and unpacked in $(( $(date +%s) - t0 )) s"
else
	say "$PKG $VER: cached"
fi
for d in "$Y"/linux-source-*/; do
	[ "${d%/}" = "$DIR" ] || rm -rf "$d"
done
echo "$DIR"
