# SPDX-License-Identifier: GPL-2.0
#
# Kernels beyond stock and debug, for tests/run.sh (sourced after host.sh).
#
# Each flavour is Debian's own kernel of a newer series, fetched and cached
# by tests/kernels/fetch.sh; its results are prefixed "FLAVOUR/".
#
#   flavour  kernel                               module built     suites
#   k6.12    bookworm-backports' 6.12 (Debian 13)  on the host      BM_K612_SUITES
#   k7       the newest 7.x in sid, resolved       in a sid chroot  all
#            at every run                          (gcc 16)
#
# Neither kernel has KUnit, kmemleak or fault injection: the kunit and
# kmemleak suites do not run there, and the cases that need fault
# injection skip, as on stock.

BM_K_FLAVOURS="k6.12 k7"

# The named subset on 6.12 (the budget, see tests/README.md): the module's
# build and load, the mirror's function, mirrorctl, and the netlink
# interface's refusals.
BM_K612_SUITES=${BLKMIRROR_K612_SUITES:-"skeleton mirror"}
# And on 7.x (the budget again): all but ctl (mirrorctl's own behaviour,
# the same on every kernel), lowmem and stress.
BM_K7_SUITES=${BLKMIRROR_K7_SUITES:-"skeleton mirror faults migrate hostile"}

# bm_kernel_wants FLAVOUR SUITE: does SUITE run on FLAVOUR?  A filter (T=)
# lifts the subsets: T=k7/ctl runs k7's ctl.
bm_kernel_wants() {
	[ -n "${FILTER:-}" ] && case $2 in kunit|kmemleak|bench) ;; *) return 0 ;; esac
	case $2 in kunit|kmemleak|bench) return 1 ;; esac
	case $1 in
	k6.12) case " $BM_K612_SUITES " in *" $2 "*) return 0 ;; esac; return 1 ;;
	k7) case " $BM_K7_SUITES " in *" $2 "*) return 0 ;; esac; return 1 ;;
	esac
	return 0
}

# bm_kernel FLAVOUR OUTDIR: fetches (or finds cached) the kernel and builds
# blkmirror.ko for it in a copy of the sources.  Sets BM_K_VER, BM_K_IMG,
# BM_K_MODROOT (for mkbase.sh), BM_K_KO and BM_K_CHROOT.
bm_kernel() {
	_f=$1 _o=$2
	_cache=$(bm_cache_dir) || return 1
	_t0=$(date +%s)
	_vars=$(sh "$BM_TESTS/kernels/fetch.sh" "$_f" "$_cache" 2>"$_o/$_f-fetch.log") || {
		echo "# $_f: fetching the kernel failed:"
		tail -n 15 "$_o/$_f-fetch.log" | sed 's/^/#   /'
		return 1
	}
	eval "$_vars"
	grep '^kernels:' "$_o/$_f-fetch.log" | sed 's/^kernels: /# /'
	BM_K_VER=$K_VER BM_K_IMG=$K_IMG BM_K_MODROOT=$K_MODROOT BM_K_CHROOT=$K_CHROOT
	_src=$_o/$_f-src
	rm -rf "$_src"
	mkdir -p "$_src"
	(cd "$BM_TOP" && tar cf - --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
		--exclude='*.mod*' --exclude=generated Makefile Kbuild kmod uapi) |
		(cd "$_src" && tar xf -)
	if [ -n "$K_CHROOT" ]; then
		# /proc for objtool, in a mount namespace of its own: nothing to
		# unmount afterwards, nothing left behind if we are killed.
		_in=/build/blkmirror-$$-$_f
		rm -rf "$K_CHROOT$_in"
		mkdir -p "$K_CHROOT/build"
		cp -R "$_src" "$K_CHROOT$_in"
		bm_run_logged "$_o/build-$_f-module.log" \
			unshare -m sh -c 'mount -t proc proc "$1/proc" &&
				exec chroot "$1" make -C "$2" module KDIR="$3" WERROR=1' \
			sh "$K_CHROOT" "$_in" "$K_KDIR" || { rm -rf "$K_CHROOT$_in"; return 1; }
		rm -rf "$_src"
		mv "$K_CHROOT$_in" "$_src"
	else
		bm_run_logged "$_o/build-$_f-module.log" \
			make -C "$_src" module KDIR="$K_KDIR" WERROR=1 || return 1
	fi
	BM_K_KO=$_src/kmod/blkmirror.ko
	[ -e "$BM_K_KO" ] || { echo "# $_f: no blkmirror.ko was built"; return 1; }
	echo "# $_f: kernel $K_VER ready, module built, $(( $(date +%s) - _t0 )) s"
}

# ------------------------------------------------------------ run.sh's side

# bm_kernels_prepare OUTDIR FLAVOUR...: fetches and builds for each
# flavour; OUTDIR/FLAVOUR/env holds its BM_K_* for bm_kernels_ready, and
# BM_K_DKMS the header trees for bm_dkms_subtest.  A flavour that fails is
# reported by bm_kernels_ready.
bm_kernels_prepare() {
	_po=$1
	shift
	for _pf in "$@"; do
		mkdir -p "$_po/$_pf"
		rm -f "$_po/$_pf/env"
		bm_kernel "$_pf" "$_po" || continue
		{
			echo "BM_K_VER='$BM_K_VER' BM_K_IMG='$BM_K_IMG'"
			echo "BM_K_MODROOT='$BM_K_MODROOT' BM_K_KO='$BM_K_KO'"
		} >"$_po/$_pf/env"
		BM_K_DKMS="${BM_K_DKMS:-} $_pf:$BM_K_VER:$K_KDIR${BM_K_CHROOT:+:$BM_K_CHROOT}"
		BM_K_RAN="${BM_K_RAN:-} $_pf=$BM_K_VER"
	done
}

# bm_kernels_ready OUTDIR FLAVOUR...: the initramfs of each flavour, and
# its planned suites into run.sh's queue (flavour_env, flavour_jobs).
bm_kernels_ready() {
	_ro=$1
	shift
	for _rf in "$@"; do
		[ -s "$_ro/$_rf/suites" ] || continue
		if [ ! -s "$_ro/$_rf/env" ]; then
			TOPN=$((TOPN + 1))
			echo "not ok $TOPN $_rf # the $_rf kernel could not be fetched, or the module not built for it"
			FAIL=$((FAIL + 1))
			continue
		fi
		. "$_ro/$_rf/env"
		# Debian's own kernels: stock's memory sizes and timeouts.
		RUN_PLAN=$_ro/$_rf/plan RUN_PREFIX=$_rf/ RUN_TSCALE=1 RUN_FLAVOUR=stock
		RUN_APPEND=$GUEST_APPEND
		RUN_INITRD=$_ro/$_rf/initrd RUN_KIMG=$BM_K_IMG
		if ! bm_initrd "$RUN_INITRD" "$BM_K_VER" "$RUN_PLAN" "$BM_K_MODROOT" "$BM_K_KO"; then
			TOPN=$((TOPN + 1))
			echo "not ok $TOPN $_rf # initramfs for $BM_K_VER could not be built"
			FAIL=$((FAIL + 1))
			continue
		fi
		echo "# $_rf kernel $BM_K_VER: $RUN_KIMG"
		flavour_env "$_rf"
		flavour_jobs "$_rf" "$(cat "$_ro/$_rf/suites")"
	done
}

# bm_dkms_subtest OUTDIR STOCK-KVER: "host/dkms", dkms build against the
# stock headers and those bm_kernels_prepare fetched; counted like
# host/ctl-unit.
bm_dkms_subtest() {
	TOPN=$((TOPN + 1))
	# shellcheck disable=SC2086
	sh "$BM_TESTS/kernels/dkms.sh" "$BM_TOP" "$1" \
		"stock:$2:/usr/src/linux-headers-$2" ${BM_K_DKMS:-} >"$1/dkms.log" 2>&1
	_dp=$(grep -c '^ok ' "$1/dkms.log")
	_df=$(grep -c '^not ok ' "$1/dkms.log")
	[ "$_dp" -gt 0 ] || [ "$_df" -gt 0 ] || _df=1
	echo "    KTAP version 1"
	echo "    # Subtest: host/dkms"
	sed 's/^/    /' "$1/dkms.log"
	PASS=$((PASS + _dp)) FAIL=$((FAIL + _df))
	if [ "$_df" -eq 0 ]; then
		echo "ok $TOPN host/dkms"
	else
		echo "not ok $TOPN host/dkms"
		FAILED_LOGS="$FAILED_LOGS $1/dkms.log"
	fi
}
