# SPDX-License-Identifier: GPL-2.0
#
# Host-side helpers shared by tests/run.sh and tests/demo.sh (sourced).
#
# Environment knobs:
#   BLKMIRROR_CACHE   cache for the base initramfs (default /var/cache/blkmirror)
#   BLKMIRROR_KVER    guest kernel version (default: newest with image+headers)
#   BLKMIRROR_KO      use this blkmirror.ko instead of building kmod/
#   BLKMIRROR_CTL     use this mirrorctl instead of building ctl/
#   BLKMIRROR_QEMU    extra qemu arguments
#   BLKMIRROR_EXTRA_ROOT  directory copied over the guest root (debugging)

BM_TOP=$(cd "$(dirname "$0")/.." && pwd)
BM_TESTS=$BM_TOP/tests

bm_die() {
	echo "blkmirror-tests: $*" >&2
	exit 1
}

# The stock kernel: newest Debian kernel of Debian 12's own series (6.1)
# that has both the image (to boot) and the headers (to build the module
# against).  Explicitly 6.1: the newer kernels (tests/kernels/) are
# unpacked in the cache, never installed, but a bookworm-backports image
# installed by hand (its headers pull it in) must not become stock.
BM_STOCK_SERIES=6.1
bm_pick_kver() {
	if [ -n "${BLKMIRROR_KVER:-}" ]; then
		echo "$BLKMIRROR_KVER"
		return
	fi
	for img in /boot/vmlinuz-$BM_STOCK_SERIES.*-amd64; do
		v=${img#/boot/vmlinuz-}
		[ -r "$img" ] && [ -e "/usr/src/linux-headers-$v/Makefile" ] &&
			[ -d "/lib/modules/$v/kernel" ] && echo "$v"
	done | sort -V | tail -n 1
}

bm_cache_dir() {
	c=${BLKMIRROR_CACHE:-/var/cache/blkmirror}
	if mkdir -p "$c" 2>/dev/null && [ -w "$c" ]; then
		echo "$c"
	else
		c=${XDG_CACHE_HOME:-$HOME/.cache}/blkmirror
		mkdir -p "$c" && echo "$c"
	fi
}

# bm_run_logged LOG CMD...: run quietly, show the log tail on failure.
bm_run_logged() {
	_log=$1
	shift
	if ! "$@" >"$_log" 2>&1; then
		echo "# '$*' failed; last lines of $_log:"
		tail -n 40 "$_log" | sed 's/^/#   /'
		return 1
	fi
}

# bm_build OUTDIR KVER: builds module, mirrorctl and helpers; sets BM_KO,
# BM_CTL and BM_TOOLS.  Returns non-zero on a build failure.
bm_build() {
	_o=$1 _k=$2
	BM_KO=${BLKMIRROR_KO:-} BM_CTL=${BLKMIRROR_CTL:-} BM_TOOLS=$_o/tools
	if [ -z "$BM_KO" ]; then
		bm_run_logged "$_o/build-module.log" \
			make -C "$BM_TOP" module KDIR="/usr/src/linux-headers-$_k" WERROR=1 ||
			return 1
		BM_KO=$BM_TOP/kmod/blkmirror.ko
		[ -e "$BM_KO" ] || { echo "# make module made no $BM_KO"; return 1; }
	fi
	if [ -z "$BM_CTL" ]; then
		bm_run_logged "$_o/build-ctl.log" make -C "$BM_TOP" ctl WERROR=1 || return 1
		BM_CTL=$BM_TOP/ctl/mirrorctl
		[ -e "$BM_CTL" ] || { echo "# make ctl made no $BM_CTL"; return 1; }
	fi
	bm_run_logged "$_o/build-tools.log" make -C "$BM_TESTS/tools" O="$BM_TOOLS" WERROR=1 ||
		return 1
}

# bm_debug_kernel OUTDIR: builds (or finds cached) the sanitizer kernel and
# builds our modules against it in a copy of the sources, so the stock
# build in kmod/ stays untouched.  Sets BM_DBG_TREE, BM_DBG_KVER, BM_DBG_KO.
bm_debug_kernel() {
	_o=$1
	_cache=$(bm_cache_dir) || return 1
	echo "# debug kernel: building or reusing the cached one (first build about 15 min on 2 cores)"
	BM_DBG_TREE=$(sh "$BM_TESTS/debug-kernel/build.sh" "$_cache" 2>"$_o/debug-kernel.log") || {
		echo "# debug kernel build failed:"
		tail -n 30 "$_o/debug-kernel.log" | sed 's/^/#   /'
		return 1
	}
	BM_DBG_KVER=$(ls "$BM_DBG_TREE/modinst/lib/modules")
	_src=$_o/debug-src
	rm -rf "$_src"
	mkdir -p "$_src"
	(cd "$BM_TOP" && tar cf - --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
		--exclude='*.mod*' --exclude=generated Makefile Kbuild kmod uapi) |
		(cd "$_src" && tar xf -)
	bm_run_logged "$_o/build-debug-module.log" \
		make -C "$_src" module KDIR="$BM_DBG_TREE" WERROR=1 || return 1
	BM_DBG_KO=$_src/kmod/blkmirror.ko
	[ -e "$_src/kmod/blkmirror_kunit.ko" ] ||
		{ echo "# no blkmirror_kunit.ko for the debug kernel"; return 1; }
}

# bm_initrd OUT KVER PLANDIR [MODROOT KO]: base (cached) + per-run archive,
# concatenated.  MODROOT and KO default to the stock kernel's and BM_KO.
bm_initrd() {
	_cache=$(bm_cache_dir) || return 1
	_base=$(sh "$BM_TESTS/mkbase.sh" "$2" "$_cache" "${4:-}") || return 1
	_mods=$_cache/modules-${_base#"$_cache"/base-}
	_mods=${_mods%.cpio}
	sh "$BM_TESTS/mkrun.sh" "$1.run" "$2" "$_mods" "${5:-$BM_KO}" "$BM_CTL" \
		"$BM_TOOLS" "$3" || return 1
	cat "$_base" "$1.run" >"$1" && rm -f "$1.run"
}

# bm_qemu KERNEL-IMAGE INITRD APPEND [QEMU-ARGS...]: becomes the guest's QEMU
# (exec), so call it in a subshell or as "bm_qemu ... &", whose $! is QEMU.
# BM_GUEST_MIB, when set, is the guest's memory (default 1024 MiB);
# BM_GUEST_SMP its vCPUs (default 2: the demo and the bench).
bm_qemu() {
	_k=$1 _i=$2 _a=$3
	shift 3
	# shellcheck disable=SC2086
	exec qemu-system-x86_64 -accel tcg -m "${BM_GUEST_MIB:-1024}" -smp "${BM_GUEST_SMP:-2}" \
		-nodefaults -no-reboot \
		-kernel "$_k" -initrd "$_i" \
		-append "console=ttyS0 panic=-1 quiet $_a" "$@" ${BLKMIRROR_QEMU:-}
}
