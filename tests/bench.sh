#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make bench: boots one guest on the stock kernel (Debian 12's 6.1, as
# make demo does) and runs tests/guest/bench.sh there: blkmirror (two
# legs, synced; one leg), the raw device, dm-raid1 and md raid1 on brd
# and null_blk legs, the resync against dd and the others', and a resync
# onto a secondary behind dm-delay.  The console streams to stdout; the
# table is also kept in tests/out/bench-<date>-<pid>/bench.txt beside the
# console log (logs/bench.log).
#
# It reports figures and never judges them: the exit status is non-zero
# only when the bench could not run (a build, a tool, a mirror).
#
#   BLKMIRROR_BENCH_MIB   brd leg size in MiB (default 512)
#   BLKMIRROR_BENCH_RT    fio runtime per workload (default 5, fio units)
#   BLKMIRROR_BENCH_RAMP  fio ramp_time before it (default 1)

set -u

. "$(dirname "$0")/host.sh"

MIB=${BLKMIRROR_BENCH_MIB:-512}
RT=${BLKMIRROR_BENCH_RT:-5}
RAMP=${BLKMIRROR_BENCH_RAMP:-1}
case $MIB in ''|*[!0-9]*|0) bm_die "BLKMIRROR_BENCH_MIB: '$MIB' is not a positive number" ;; esac
case $RT$RAMP in *[!0-9a-z.]*) bm_die "BLKMIRROR_BENCH_RT/RAMP: fio time values only" ;; esac

T0=$(date +%s)
sh "$BM_TESTS/deps.sh" || bm_die "tests/deps.sh failed"
KVER=$(bm_pick_kver)
[ -n "$KVER" ] || bm_die "no Debian kernel with both image and headers"

OUT=$BM_TESTS/out/bench-$(date +%Y%m%d-%H%M%S)-$$
mkdir -p "$OUT/logs" "$OUT/plan"
echo "blkmirror bench: building (logs in ${OUT#"$BM_TOP"/})"
bm_build "$OUT" "$KVER" || bm_die "build failed"
bm_initrd "$OUT/initrd" "$KVER" "$OUT/plan" || bm_die "initramfs build failed"

# Both brd legs live in guest memory, plus room for the guest itself.
BM_GUEST_MIB=$((2 * MIB + 1024))
echo "blkmirror bench: booting Debian $KVER under QEMU (TCG), ${BM_GUEST_MIB} MiB, legs ${MIB} MiB, fio ${RT} after ${RAMP} ramp"
LOG=$OUT/logs/bench.log
(bm_qemu "/boot/vmlinuz-$KVER" "$OUT/initrd" \
	"bm_mode=bench bm_bench_mib=$MIB bm_bench_rt=$RT bm_bench_ramp=$RAMP tsc=reliable" \
	-display none -monitor none \
	-chardev "stdio,id=con,logfile=$LOG" -serial chardev:con </dev/null) &
qpid=$!
# A guest that never ends: 30 min is three times what the default takes.
( trap 'kill $s 2>/dev/null; exit 0' TERM
  sleep 1800 & s=$!; wait $s; kill "$qpid" ) >/dev/null 2>&1 &
wpid=$!
wait $qpid
qrc=$?
kill $wpid 2>/dev/null
rm -f "$OUT/initrd"

tr -d '\r' <"$LOG" | sed -n '/^# BENCH-TABLE-START$/,/^# BENCH-TABLE-END$/p' |
	sed '1d;$d' >"$OUT/bench.txt"
grc=$(tr -d '\r' <"$LOG" | sed -n 's/^# BENCH-END rc=\([0-9]*\)$/\1/p' | tail -n 1)
secs=$(( $(date +%s) - T0 ))
if [ "${grc:-x}" = 0 ] && [ -s "$OUT/bench.txt" ]; then
	echo "blkmirror bench: table in ${OUT#"$BM_TOP"/}/bench.txt, console ${LOG#"$BM_TOP"/}; $secs s in all"
	exit 0
fi
echo "blkmirror bench: did not complete (guest rc ${grc:-none}, qemu rc $qrc, $secs s); console log ${LOG#"$BM_TOP"/}" >&2
exit 1
