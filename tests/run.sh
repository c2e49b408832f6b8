#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/run.sh [--filter PATTERN]      (make check [T=PATTERN])
#
# Installs missing packages, builds blkmirror.ko against the Debian kernel
# the guests boot, builds mirrorctl, runs its host unit tests, builds the
# guest initramfs and boots one QEMU guest per suite.  Results come out as
# KTAP; the last line is "N passed, N failed, N skipped"; the exit status
# is non-zero when anything failed.
#
# PATTERN selects cases whose "suite/name" matches *PATTERN* (a glob);
# host unit tests run when there is no pattern or it matches "host/ctl-unit",
# the install test likewise for "host/install", the YNL spec check for
# "host/ynl-spec".
#
# Crashes: a guest that panics, powers off early or stops making progress
# (the case's timeout plus a margin) is killed, the case in flight is
# reported "not ok ... # panic|hang|guest died", and a new guest resumes at
# the next case.  Console logs, one per boot: tests/out/<run>/logs/.

set -u

. "$(dirname "$0")/host.sh"
. "$BM_TESTS/kernels/lib.sh"

BOOT_TIMEOUT=${BLKMIRROR_BOOT_TIMEOUT:-180}	# boot to the first case
MARGIN=${BLKMIRROR_MARGIN:-60}			# past a case's own timeout
DEFAULT_TIMEOUT=120

FILTER=
usage() {
	echo "usage: $0 [--filter PATTERN]" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--filter) [ $# -ge 2 ] || usage; FILTER=$2; shift 2 ;;
	--filter=*) FILTER=${1#--filter=}; shift ;;
	-h|--help) usage ;;
	*) usage ;;
	esac
done

PASS=0 FAIL=0 SKIP=0
FAILED_LOGS=
T_START=$(date +%s)

RUNID=$(date +%Y%m%d-%H%M%S)-$$
OUTROOT=$BM_TESTS/out
OUT=$OUTROOT/$RUNID
mkdir -p "$OUT/logs" "$OUT/plan" || bm_die "cannot create $OUT"
ln -sfn "$RUNID" "$OUTROOT/last" 2>/dev/null
# Keep the ten newest runs.
ls -1d "$OUTROOT"/20*-*/ 2>/dev/null | sort -r | tail -n +11 |
	while read -r d; do rm -rf "$d"; done

finish() {
	rm -f "$OUT"/*/initrd
	for l in $FAILED_LOGS; do
		echo "# log: ${l#"$BM_TOP"/}"
	done
	echo "# kernels: ${KVERS_RAN:-none}"
	echo "# total time $(( $(date +%s) - T_START )) s; output in ${OUT#"$BM_TOP"/}"
	if [ "$SKIP" -gt 0 ]; then
		echo "$PASS passed, $FAIL failed, $SKIP skipped"
	else
		echo "$PASS passed, $FAIL failed"
	fi
	[ "$FAIL" -eq 0 ]
	exit $?
}

# A failure before any case could run: report it as one failed test.
fatal() {
	echo "not ok - $*"
	FAIL=$((FAIL + 1))
	finish
}

matches() {	# ID
	[ -z "$FILTER" ] && return 0
	# shellcheck disable=SC2254
	case $1 in *$FILTER*) return 0 ;; esac
	return 1
}

now() { date +%s; }

case_timeout() {	# ID
	t=$(sed -n 's/^# TIMEOUT: *\([0-9][0-9]*\).*/\1/p' \
		"$BM_TESTS/cases/$1.sh" | head -n 1)
	echo $(( ${t:-$DEFAULT_TIMEOUT} * RUN_TSCALE ))
}

# ------------------------------------------------------------ preparation

echo "# blkmirror tests, run $RUNID${FILTER:+, filter '$FILTER'}"
sh "$BM_TESTS/deps.sh" || fatal "tests/deps.sh failed"

KVER=$(bm_pick_kver)
[ -n "$KVER" ] || fatal "no Debian kernel with both /boot/vmlinuz-V and linux-headers-V"
echo "# guest kernel $KVER"

bm_build "$OUT" "$KVER" || fatal "build"

# Kernels: Debian's own (stock) and the sanitizer build (debug), which
# also runs the KUnit suite and a kmemleak scan after every suite.
# BLKMIRROR_KERNELS="stock" skips the debug kernel.  On the debug kernel a
# case's id is prefixed "debug/", so T=debug/ selects only those.  The
# newer Debian kernels of tests/kernels/ (k6.12, k7) are prefixed the same.
KERNELS=${BLKMIRROR_KERNELS:-stock debug $BM_K_FLAVOURS}

# What a full run (no filter) runs where, to stay inside CI's 90 minutes
# (tests/README.md, "Budget"): every suite on stock; on the debug kernel
# all but mirror and ctl, whose code paths faults, migrate and stress run
# under the sanitizers too (debug/mirror alone took 1052 s of the
# 2-guest queue); 7.x and 6.12 name theirs in kernels/lib.sh.  The bench
# smoke case runs only when asked for (T=bench/).  A filter lifts every
# subset.
BM_DEBUG_SUITES=${BLKMIRROR_DEBUG_SUITES:-"skeleton faults migrate hostile stress lowmem kunit"}

# plan_suites FLAVOUR PREFIX: writes $OUT/FLAVOUR/plan/SUITE files and sets
# SUITES; skeleton first, then the others in name order.
plan_suites() {
	p_dir=$OUT/$1/plan
	mkdir -p "$p_dir"
	SUITES=
	for d in "$BM_TESTS"/cases/skeleton "$BM_TESTS"/cases/*; do
		[ -d "$d" ] || continue
		s=${d##*/}
		case " $SUITES " in *" $s "*) continue ;; esac
		case $1/$s in
		*/kmemleak|stock/kunit|debug/bench) continue ;;
		debug/*)
			if [ -z "$FILTER" ]; then
				case " $BM_DEBUG_SUITES " in *" $s "*) ;; *) continue ;; esac
			fi ;;
		stock/bench) case $FILTER in *bench*) ;; *) continue ;; esac ;;
		k*/*) bm_kernel_wants "$1" "$s" || continue ;;
		esac
		: >"$p_dir/$s"
		for f in "$d"/*.sh; do
			[ -e "$f" ] || continue
			id=$s/$(basename "$f" .sh)
			matches "$2$id" && echo "$id" >>"$p_dir/$s"
		done
		if [ -s "$p_dir/$s" ]; then
			[ "$1" = debug ] && echo kmemleak/kmemleak-scan >>"$p_dir/$s"
			SUITES="$SUITES $s"
		else
			rm -f "$p_dir/$s"
		fi
	done
}

STOCK_SUITES= DEBUG_SUITES= K_FLAVOURS= K_SUITES=
for k in $KERNELS; do
	case " stock debug $BM_K_FLAVOURS " in
	*" $k "*) ;;
	*) fatal "BLKMIRROR_KERNELS: unknown kernel '$k' (stock debug $BM_K_FLAVOURS)" ;;
	esac
	case $k in
	stock) plan_suites stock ""; STOCK_SUITES=$SUITES ;;
	debug) plan_suites debug debug/; DEBUG_SUITES=$SUITES ;;
	*)
		plan_suites "$k" "$k/"
		echo $SUITES >"$OUT/$k/suites"
		[ -n "$SUITES" ] && K_FLAVOURS="$K_FLAVOURS $k" K_SUITES="$K_SUITES $SUITES"
		;;
	esac
done
SUITES="$STOCK_SUITES $DEBUG_SUITES $K_SUITES"
[ -n "$STOCK_SUITES" ] && KVERS_RAN="stock=$KVER"

# The kernel's YNL schemas and ynl CLI, from Debian's linux-source (cached),
# before any initramfs is built: host/ynl-spec checks the spec with them,
# the guests get the CLI (ctl/23-ynl).  Empty when it cannot be fetched;
# those two then fail, saying so.
BM_YNL_DIR=
if matches host/ynl-spec || [ -n "$(echo $SUITES)" ]; then
	BM_YNL_DIR=$(sh "$BM_TESTS/ynl/fetch.sh" "$(bm_cache_dir)" 2>"$OUT/ynl-fetch.log") ||
		BM_YNL_DIR=
fi
export BM_YNL_DIR

# Kernel arguments of every guest.  tsc=reliable: with two guests on two
# cores the clocksource watchdog finds TCG's TSC skewed and flips
# sched_clock's static key while every vCPU runs through it; TCG then
# executed a stale int3 of that text_poke ("Oops: int3" in
# sched_clock_cpu, seen on 7.2 in mirror/12 on a loaded host).  No
# watchdog, no flip.  The soft-lockup and RCU-stall detectors wait 120 s
# and 60 s, not 20 s and 21 s: a vCPU of a loaded host runs a sanitizer
# kernel at a fraction of its speed, and the debug kernel reported a soft
# lockup in a kworker while booting at load 10 (the guest never reached
# its first case).  A real lockup still shows: as a report, or as the
# case's timeout.
GUEST_APPEND="tsc=reliable watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=60"
# The debug kernel's: every slab cache but kmemleak's own may be picked
# by failslab's cache filter (migrate/14 sets it), so that fail-nth does
# not count kmemleak's allocation after each tracked one, which fails
# harmlessly (kmemleak has a pool) and doubles the sites.  The flag alone
# changes nothing: a case that leaves the filter off fails any cache.
DEBUG_APPEND="slub_debug=A;-,kmemleak_*"

# flavour_env FLAVOUR: RUN_* (what run_suite needs to boot that kernel)
# into OUTDIR/FLAVOUR/run.env, for the jobs; flavour_jobs FLAVOUR SUITES:
# its suites into the job list.
flavour_env() {
	{
		echo "RUN_KIMG='$RUN_KIMG' RUN_INITRD='$RUN_INITRD'"
		echo "RUN_PLAN='$RUN_PLAN' RUN_PREFIX='$RUN_PREFIX'"
		echo "RUN_TSCALE=$RUN_TSCALE RUN_FLAVOUR=$RUN_FLAVOUR RUN_APPEND='${RUN_APPEND:-}'"
	} >"$OUT/$1/run.env"
}
flavour_jobs() {
	for f_s in $2; do
		echo "$1 $f_s"
	done >>"$OUT/jobs.list"
}

# Guests at once (see "the queue" below): one by default.
JOBS=${BLKMIRROR_JOBS:-1}
case $JOBS in ''|*[!0-9]*|0) fatal "BLKMIRROR_JOBS: '$JOBS' is not a positive number" ;; esac

# The debug kernel is prepared in the background (a fresh machine builds
# it: about 15 min of both cores), while the newer kernels are fetched, the
# host tests run and the first guests boot; its suites join the queue
# when it is ready (debug_ready below).  prep.log holds what it printed,
# prep.status says "ok" or why not.
if [ -n "$DEBUG_SUITES" ]; then
	mkdir -p "$OUT/debug"
	(
		RUN_PLAN=$OUT/debug/plan RUN_PREFIX=debug/ RUN_TSCALE=4 RUN_FLAVOUR=debug
		RUN_INITRD=$OUT/debug/initrd RUN_APPEND="$GUEST_APPEND $DEBUG_APPEND"
		if bm_debug_kernel "$OUT" &&
		   bm_initrd "$RUN_INITRD" "$BM_DBG_KVER" "$RUN_PLAN" \
			"$BM_DBG_TREE/modinst" "$BM_DBG_KO"; then
			RUN_KIMG=$BM_DBG_TREE/arch/x86/boot/bzImage
			echo "# debug kernel $BM_DBG_KVER: $BM_DBG_TREE"
			flavour_env debug
			echo "debug=$BM_DBG_KVER" >"$OUT/debug/kver"
			echo ok >"$OUT/debug/prep.tmp"
		else
			echo "the debug kernel or its initramfs could not be built" >"$OUT/debug/prep.tmp"
		fi
		mv "$OUT/debug/prep.tmp" "$OUT/debug/prep.status"
	) >"$OUT/debug/prep.log" 2>&1 &
	DEBUG_PREP=$!
fi

# The newer kernels: fetched (cached) and the module built for each now,
# so host/dkms can build against their headers too (all of KERNELS' when
# host/dkms runs, even if the filter selects no case there).
DKMS=0 K_PREP=$K_FLAVOURS
if matches host/dkms; then
	DKMS=1
	K_PREP=$(for k in $KERNELS; do case " $BM_K_FLAVOURS " in *" $k "*) echo "$k" ;; esac; done)
fi
# shellcheck disable=SC2086
bm_kernels_prepare "$OUT" $K_PREP

UNIT=0
if grep -q '^check:' "$BM_TOP/ctl/Makefile" 2>/dev/null && matches host/ctl-unit; then
	UNIT=1
fi

INSTALL=0
matches host/install && INSTALL=1

YNLSPEC=0
matches host/ynl-spec && YNLSPEC=1

nsuites=$(echo $SUITES | wc -w)
[ $((nsuites + UNIT + INSTALL + DKMS + YNLSPEC)) -gt 0 ] || fatal "no test matches '$FILTER'"

echo "KTAP version 1"
echo "1..$((nsuites + UNIT + INSTALL + DKMS + YNLSPEC))"
TOPN=0

# ------------------------------------------------------------ host unit tests

# host_subtest NAME LOG RC [LOG...]: a host-side TAP log as a KTAP
# subtest, counted: a non-zero RC with no "not ok" line is a failure of
# its own; lines a tool left unnumbered get their number; the LOGs after
# RC are named with LOG when it failed.
host_subtest() {
	_n=$1 _log=$2 _rc=$3
	shift 3
	_p=$(grep -c '^ok ' "$_log")
	_s=$(grep -c '^ok .*# *SKIP' "$_log")
	_f=$(grep -c '^not ok ' "$_log")
	if [ "$_rc" -ne 0 ] && [ "$_f" -eq 0 ]; then
		echo "not ok - $_n exited $_rc" >>"$_log"
		_f=1
	fi
	TOPN=$((TOPN + 1))
	echo "    KTAP version 1"
	echo "    # Subtest: $_n"
	awk '/^(not )?ok / { n++ }
		/^(not )?ok - / { sub(/ok -/, "ok " n " -") }
		{ print "    " $0 }' "$_log"
	PASS=$((PASS + _p - _s)) SKIP=$((SKIP + _s)) FAIL=$((FAIL + _f))
	if [ "$_f" -eq 0 ]; then
		echo "ok $TOPN $_n"
	else
		echo "not ok $TOPN $_n"
		FAILED_LOGS="$FAILED_LOGS $_log $*"
	fi
}

if [ $UNIT -eq 1 ]; then
	make -s -C "$BM_TOP/ctl" check WERROR=1 >"$OUT/ctl-unit.log" 2>&1
	host_subtest host/ctl-unit "$OUT/ctl-unit.log" $?
fi

# host/install: make install and uninstall into a DESTDIR.
if [ $INSTALL -eq 1 ]; then
	sh "$BM_TESTS/install.sh" "$BM_TOP" "$OUT" >"$OUT/install-test.log" 2>&1
	host_subtest host/install "$OUT/install-test.log" $? "$OUT/install.log"
fi

# host/ynl-spec: uapi/blkmirror.yaml against the kernel's YNL schema and
# library (tests/ynl/spec.py).
if [ $YNLSPEC -eq 1 ]; then
	if [ -n "$BM_YNL_DIR" ]; then
		/usr/bin/python3 "$BM_TESTS/ynl/spec.py" "$BM_YNL_DIR" "$BM_TOP/uapi/blkmirror.yaml" \
			>"$OUT/ynl-spec.log" 2>&1
		yrc=$?
	else
		{
			echo "not ok - the kernel's YNL schemas could not be fetched:"
			sed 's/^/# /' "$OUT/ynl-fetch.log"
		} >"$OUT/ynl-spec.log"
		yrc=1
	fi
	host_subtest host/ynl-spec "$OUT/ynl-spec.log" $yrc
fi

[ -n "$(echo $SUITES)" ] || [ $DKMS -eq 1 ] || finish

# ------------------------------------------------------------ guest suites

# Console log lines, \r stripped, markers only.
markers() {	# LOG
	tr -d '\r' <"$1" | grep -a -o -E \
		'# BLKMIRROR-(CASE-START [^ ]+|CASE-END [^ ]+ rc=[0-9]+|REBOOT|SUITE-END [^ ]+)'
}

# Output of one case: the lines between its markers, for failure reports.
case_output() {	# LOG ID
	tr -d '\r' <"$1" | awk -v id="$2" '
		$0 ~ "# BLKMIRROR-CASE-START " id "$" { on = 1; next }
		$0 ~ "# BLKMIRROR-CASE-END " id " " { on = 0 }
		on { print }' | tail -n 120
}

skip_reason() {	# LOG ID
	sr=$(case_output "$1" "$2" | sed -n 's/^SKIP: //p' | tail -n 1)
	echo "${sr:-skipped}"
}

# result INDEX STATUS RC ID LOG [REASON]: prints one KTAP line (+ diagnostics).
result() {
	r_n=$(($1 + 1)) r_st=$2 r_rc=$3 r_id=$4 r_log=$5 r_why=${6:-}
	r_name=${r_id#*/}
	case $r_st in
	pass)
		echo "    ok $r_n $r_name"
		PASS=$((PASS + 1))
		;;
	skip)
		echo "    ok $r_n $r_name # SKIP $(skip_reason "$r_log" "$r_id")"
		SKIP=$((SKIP + 1))
		;;
	*)
		echo "    not ok $r_n $r_name${r_why:+ # $r_why}"
		r_chk=$(sed -n 's/^# CHECK: *//p' "$BM_TESTS/cases/$r_id.sh" | head -n 1)
		[ -n "$r_chk" ] && echo "    # CHECK: $r_chk"
		[ "$r_rc" != - ] && echo "    # exit status $r_rc"
		case_output "$r_log" "$r_id" | sed -e 's/^# //' -e 's/^/    # | /'
		echo "    # console log: ${r_log#"$BM_TOP"/}"
		FAIL=$((FAIL + 1)) S_FAIL=$((S_FAIL + 1))
		case " $FAILED_LOGS " in *" $r_log "*) ;; *) FAILED_LOGS="$FAILED_LOGS $r_log" ;; esac
		;;
	esac
}

# expected_skip ID: the case may skip on this kernel flavour, i.e. it is
# listed in tests/skips/$RUN_FLAVOUR (one flavour, one list: a new kernel
# gets its own file).  Any other skip is a failure.
expected_skip() {	# ID
	[ -f "$BM_TESTS/skips/$RUN_FLAVOUR" ] || return 1
	awk -v id="$1" '$1 == id { f = 1 } END { exit !f }' "$BM_TESTS/skips/$RUN_FLAVOUR"
}

# Print results of the cases this boot finished that are not printed yet.
report_ends() {	# LOG START
	markers "$1" | sed -n 's/^# BLKMIRROR-CASE-END \([^ ]*\) rc=\([0-9]*\)$/\1 \2/p' \
		>"$1.ends"
	e_k=$2
	while read -r e_id e_rc; do
		if [ $e_k -ge $PRINTED ]; then
			case $e_rc in
			0) result $e_k pass 0 "$e_id" "$1" ;;
			77)
				if expected_skip "$e_id"; then
					result $e_k skip 77 "$e_id" "$1"
				else
					result $e_k fail 77 "$e_id" "$1" \
						"skip not in tests/skips/$RUN_FLAVOUR: $(skip_reason "$1" "$e_id")"
				fi ;;
			124) result $e_k fail 124 "$e_id" "$1" "timeout" ;;
			*) result $e_k fail "$e_rc" "$e_id" "$1" ;;
			esac
			PRINTED=$((e_k + 1))
		fi
		e_k=$((e_k + 1))
	done <"$1.ends"
}

# Watch one boot until the guest exits or stops making progress.
watch_guest() {	# QPID LOG START
	# The debug kernel boots a few times slower: twice the time to its
	# first case.
	w_deadline=$(( $(now) + BOOT_TIMEOUT * (1 + (RUN_TSCALE > 1)) )) w_prev= KILLED=
	while kill -0 "$1" 2>/dev/null; do
		sleep 0.5
		report_ends "$2" "$3"
		w_m=$(markers "$2" | tail -n 1)
		if [ "$w_m" != "$w_prev" ]; then
			w_prev=$w_m
			case $w_m in
			*CASE-START*) w_deadline=$(( $(now) + $(case_timeout "${w_m##* }") + MARGIN )) ;;
			*CASE-END*) w_deadline=$(( $(now) + MARGIN )) ;;
			*) w_deadline=$(( $(now) + 30 )) ;;
			esac
		fi
		if [ "$(now)" -gt "$w_deadline" ]; then
			KILLED=hang
			kill "$1" 2>/dev/null
			sleep 2
			kill -KILL "$1" 2>/dev/null
			break
		fi
	done
	wait "$1" 2>/dev/null
}

# A suite's guest memory in MiB: "memory_mib_stock=N" or "memory_mib_debug=N"
# in cases/SUITE/suite.conf, else empty (bm_qemu's default).
suite_memory() {	# SUITE
	[ -f "$BM_TESTS/cases/$1/suite.conf" ] || return 0
	sed -n "s/^memory_mib_${RUN_FLAVOUR}=\([0-9][0-9]*\)\$/\1/p" \
		"$BM_TESTS/cases/$1/suite.conf" | head -n 1
}

# A suite's guest vCPUs: BLKMIRROR_SMP, else "smp=N" in
# cases/SUITE/suite.conf, else 2.  Two guests of two vCPUs each on two
# cores beside other load ran the debug kernel 4 to 20 times slower than
# two of one (migrate/01 428 s against 19 s): vCPUs spinning on locks
# whose holders' vCPUs the host had descheduled.  But one vCPU makes a
# guest 2 to 3 times slower (k7/faults 389 s against 133 s), so two
# guests of one vCPU did no more work than one of two.  Hence the
# default: one guest of two vCPUs (BLKMIRROR_JOBS=1).
suite_smp() {	# SUITE
	_smp=
	[ -f "$BM_TESTS/cases/$1/suite.conf" ] &&
		_smp=$(sed -n 's/^smp=\([0-9][0-9]*\)$/\1/p' "$BM_TESTS/cases/$1/suite.conf" | head -n 1)
	echo "${BLKMIRROR_SMP:-${_smp:-2}}"
}

# run_suite SUITE, with RUN_KIMG, RUN_INITRD, RUN_PLAN, RUN_PREFIX, RUN_FLAVOUR,
# RUN_TSCALE and RUN_APPEND (more kernel arguments) describing the kernel it
# runs on.
run_suite() {	# SUITE
	s_s=$1 s_plan=$RUN_PLAN/$1
	s_n=$(wc -l <"$s_plan")
	s_t0=$(now)
	TOPN=$((TOPN + 1))
	echo "    KTAP version 1"
	echo "    # Subtest: $RUN_PREFIX$s_s"
	echo "    1..$s_n"
	PRINTED=0 S_FAIL=0 s_boot=0 s_reboot_retry=0
	while [ $PRINTED -lt "$s_n" ]; do
		s_boot=$((s_boot + 1))
		s_start=$PRINTED
		s_log=$OUT/logs/${RUN_PREFIX%/}${RUN_PREFIX:+-}$s_s-boot$s_boot.log
		: >"$s_log"
		BM_GUEST_MIB=$(suite_memory "$s_s")
		BM_GUEST_SMP=$(suite_smp "$s_s")
		bm_qemu "$RUN_KIMG" "$RUN_INITRD" \
			"bm_suite=$s_s bm_start=$s_start bm_tscale=$RUN_TSCALE${RUN_APPEND:+ $RUN_APPEND}" \
			-display none -monitor none -serial "file:$s_log" \
			</dev/null >"$s_log.qemu" 2>&1 &
		watch_guest $! "$s_log" "$s_start"
		report_ends "$s_log" "$s_start"
		[ $PRINTED -lt "$s_n" ] || break
		s_last=$(markers "$s_log" | tail -n 1)
		case $s_last in
		*CASE-START*)
			s_id=${s_last##* }
			if tr -d '\r' <"$s_log" | awk -v id="$s_id" '
				$0 ~ "CASE-START " id "$" { on = 1 }
				on && /Kernel panic - not syncing/ { f = 1 }
				END { exit !f }'; then
				s_why=panic
			elif [ -n "$KILLED" ]; then
				s_why=hang
			else
				s_why="guest died"
			fi
			result $PRINTED fail - "$s_id" "$s_log" "$s_why"
			PRINTED=$((PRINTED + 1))
			;;
		"")
			s_id=$(sed -n "$((PRINTED + 1))p" "$s_plan")
			# A kernel that dies while it boots has run none of our
			# code (the module loads in the cases).  Under TCG the 7.x
			# kernels now and then run a stale int3 while patching
			# their own text at boot (2026-12-03: sched_clock_cpu):
			# boot once more, once a suite, and say so.
			s_oops=$(tr -d '\r' <"$s_log" | grep -a -m 1 -E 'Oops|BUG:|Kernel panic')
			if [ -n "$s_oops" ] && [ -z "$KILLED" ] && [ $s_reboot_retry -eq 0 ]; then
				s_reboot_retry=1
				echo "    # the kernel died booting, before case $s_id ($s_oops): booting once more"
				continue
			fi
			echo "    # guest did not start case $s_id; qemu said:"
			sed 's/^/    #   /' "$s_log.qemu" | tail -n 5
			result $PRINTED fail - "$s_id" "$s_log" "boot failed${KILLED:+ ($KILLED)}"
			PRINTED=$((PRINTED + 1))
			;;
		*SUITE-END*)
			while [ $PRINTED -lt "$s_n" ]; do
				s_id=$(sed -n "$((PRINTED + 1))p" "$s_plan")
				result $PRINTED fail - "$s_id" "$s_log" "not run"
				PRINTED=$((PRINTED + 1))
			done
			;;
		esac
		# CASE-END or REBOOT: boot again and resume at the next case.
	done
	count_kunit "$s_s" "$s_boot"
	echo "    # $RUN_PREFIX$s_s: $s_n cases, $s_boot boot(s), $(( $(now) - s_t0 )) s"
	if [ $S_FAIL -eq 0 ]; then
		echo "ok $TOPN $RUN_PREFIX$s_s"
	else
		echo "not ok $TOPN $RUN_PREFIX$s_s"
	fi
}

# The KUnit case echoes each KUnit result as "KUNIT ok|not ok N name";
# every one of them counts in the totals, beside the case itself.
count_kunit() {	# SUITE BOOTS
	k_b=1 k_file=$OUT/logs/${RUN_PREFIX%/}${RUN_PREFIX:+-}$1.kunit
	while [ $k_b -le "$2" ]; do
		tr -d '\r' <"$OUT/logs/${RUN_PREFIX%/}${RUN_PREFIX:+-}$1-boot$k_b.log" |
			grep -a -E '^KUNIT (not )?ok ' || true
		k_b=$((k_b + 1))
	done >"$k_file"
	[ -s "$k_file" ] || return 0
	k_p=$(grep -c '^KUNIT ok ' "$k_file")
	k_f=$(grep -c '^KUNIT not ok ' "$k_file")
	sed 's/^KUNIT /    # kunit: /' "$k_file"
	PASS=$((PASS + k_p)) FAIL=$((FAIL + k_f))
	[ "$k_f" -eq 0 ] || S_FAIL=$((S_FAIL + k_f))
}

# ------------------------------------------------------------ the queue

# Every suite of every kernel is one job, BLKMIRROR_JOBS guests at once
# (default 1: see suite_smp for why more guests did not do more work on
# two cores).  Jobs start longest first, by the
# seconds each took last time (the cache's record, else
# tests/suite-seconds), so that the last ones to start are short; the
# debug kernel's join when it is ready.  Results are printed in the order
# the jobs started, each suite whole, numbered in that order.
HISTORY=$(bm_cache_dir)/suite-seconds
: >"$OUT/jobs.list"
mkdir -p "$OUT/jobs"

if [ -n "$STOCK_SUITES" ]; then
	RUN_KIMG=/boot/vmlinuz-$KVER RUN_INITRD=$OUT/stock/initrd
	RUN_PLAN=$OUT/stock/plan RUN_PREFIX= RUN_TSCALE=1 RUN_FLAVOUR=stock
	RUN_APPEND=$GUEST_APPEND
	bm_initrd "$RUN_INITRD" "$KVER" "$RUN_PLAN" || fatal "initramfs build"
	flavour_env stock
	flavour_jobs stock "$STOCK_SUITES"
fi

# shellcheck disable=SC2086
bm_kernels_ready "$OUT" $K_FLAVOURS
KVERS_RAN=$(echo ${KVERS_RAN:-} ${BM_K_RAN:-})
# host/dkms builds for every kernel (a minute or two of both cores): a job
# too, beside the guests.
[ $DKMS -eq 1 ] && echo "host dkms" >>"$OUT/jobs.list"

# job_order FILE...: the jobs ("FLAVOUR SUITE" lines) of the FILEs into
# jobs.pending, longest first.  The FILEs are the jobs not started yet.
job_order() {
	awk -v hist="$HISTORY" -v dflt="$BM_TESTS/suite-seconds" '
		BEGIN {
			while ((getline l < dflt) > 0)
				if (split(l, a, " ") == 2 && a[1] !~ /^#/) est[a[1]] = a[2]
			while ((getline l < hist) > 0)
				if (split(l, a, " ") == 2) est[a[1]] = a[2]
		}
		NF == 2 { id = $1 "/" $2; print ((id in est) ? est[id] : 60), NR, $1, $2 }' \
		"$@" | sort -k1,1nr -k2,2n | cut -d' ' -f3- >"$OUT/jobs.order"
	mv "$OUT/jobs.order" "$OUT/jobs.pending"
}

# run_job N FLAVOUR SUITE, in the background: jobs/N.ktap is its output,
# jobs/N.res appears when it is done: "SECONDS PASS FAIL SKIP LOG...".
run_job() {
	echo "$2 $3" >"$OUT/jobs/$1.id"
	(
		j_t0=$(now)
		(
			PASS=0 FAIL=0 SKIP=0 FAILED_LOGS= TOPN=$(($1 - 1))
			case $2 in
			host) bm_dkms_subtest "$OUT" "$KVER" ;;
			*) . "$OUT/$2/run.env" && run_suite "$3" ;;
			esac
			echo "$PASS $FAIL $SKIP $FAILED_LOGS" >"$OUT/jobs/$1.cnt"
		) >"$OUT/jobs/$1.ktap" 2>&1
		if [ ! -s "$OUT/jobs/$1.cnt" ]; then
			echo "not ok $1 $2/$3 # its runner died" >>"$OUT/jobs/$1.ktap"
			echo "0 1 0" >"$OUT/jobs/$1.cnt"
		fi
		echo "$(( $(now) - j_t0 )) $(cat "$OUT/jobs/$1.cnt")" >"$OUT/jobs/$1.tmp"
		mv "$OUT/jobs/$1.tmp" "$OUT/jobs/$1.res"
		rm -f "$OUT/jobs/$1.cnt"
	) &
}

# debug_ready: once the debug preparation has ended, its suites join the
# queue, or its failure takes the next number.  False while it runs.
DEBUG_WAIT=0
[ -n "$DEBUG_SUITES" ] && DEBUG_WAIT=1
debug_ready() {
	[ -e "$OUT/debug/prep.status" ] || return 1
	DEBUG_WAIT=0
	cat "$OUT/debug/prep.log"
	if [ "$(cat "$OUT/debug/prep.status")" = ok ]; then
		KVERS_RAN="${KVERS_RAN:+$KVERS_RAN }$(cat "$OUT/debug/kver")"
		for q_s in $DEBUG_SUITES; do
			echo "debug $q_s"
		done >"$OUT/jobs.debug"
		job_order "$OUT/jobs.pending" "$OUT/jobs.debug"
	else
		Q_NEXT=$((Q_NEXT + 1))
		echo "not ok $Q_NEXT debug # $(cat "$OUT/debug/prep.status")" >"$OUT/jobs/$Q_NEXT.ktap"
		echo "debug -" >"$OUT/jobs/$Q_NEXT.id"
		echo "0 0 1 0 $OUT/debug/prep.log" >"$OUT/jobs/$Q_NEXT.res"
	fi
}

# One guest at a time: a fresh machine's kernel build on both cores
# beside a 2-vCPU guest would starve the guest's vCPUs (see suite_smp).
# What came before (fetching the newer kernels, building for them, the
# host tests, the stock initramfs) ran beside the build: the fetches
# wait on the network, not the CPU.
[ -n "${DEBUG_PREP:-}" ] && [ "$JOBS" -eq 1 ] && wait "$DEBUG_PREP"

job_order "$OUT/jobs.list"
Q_NEXT=$TOPN Q_DONE=$((TOPN + 1))
: >"$OUT/jobs.seconds"
while :; do
	[ $DEBUG_WAIT -eq 1 ] && debug_ready
	# Running: started, minus printed, minus ended but not printed.
	q_run=$((Q_NEXT + 1 - Q_DONE))
	for q_r in "$OUT"/jobs/*.res; do
		[ -e "$q_r" ] || continue
		q_i=${q_r##*/}
		[ "${q_i%.res}" -ge $Q_DONE ] && q_run=$((q_run - 1))
	done
	while [ -s "$OUT/jobs.pending" ] && [ $q_run -lt "$JOBS" ]; do
		Q_NEXT=$((Q_NEXT + 1)) q_run=$((q_run + 1))
		# shellcheck disable=SC2046
		run_job $Q_NEXT $(head -n 1 "$OUT/jobs.pending")
		sed -i 1d "$OUT/jobs.pending"
	done
	while [ $Q_DONE -le $Q_NEXT ] && [ -e "$OUT/jobs/$Q_DONE.res" ]; do
		cat "$OUT/jobs/$Q_DONE.ktap"
		read -r q_sec q_p q_f q_s q_logs <"$OUT/jobs/$Q_DONE.res"
		PASS=$((PASS + q_p)) FAIL=$((FAIL + q_f)) SKIP=$((SKIP + q_s))
		FAILED_LOGS="$FAILED_LOGS $q_logs"
		read -r q_fl q_su <"$OUT/jobs/$Q_DONE.id"
		[ "$q_su" != - ] && echo "$q_fl/$q_su $q_sec" >>"$OUT/jobs.seconds"
		Q_DONE=$((Q_DONE + 1))
	done
	[ $Q_DONE -gt $Q_NEXT ] && [ ! -s "$OUT/jobs.pending" ] && [ $DEBUG_WAIT -eq 0 ] && break
	sleep 1
done
TOPN=$Q_NEXT

# What each suite took, for the next run's order; a filtered run ran only
# part of a suite, so only an unfiltered one counts.
if [ -s "$OUT/jobs.seconds" ] && [ -z "$FILTER" ]; then
	{
		[ -f "$HISTORY" ] && awk 'NR == FNR { new[$1] = 1; next } !($1 in new)' \
			"$OUT/jobs.seconds" "$HISTORY"
		cat "$OUT/jobs.seconds"
	} >"$HISTORY.$$" && mv "$HISTORY.$$" "$HISTORY"
fi

finish
