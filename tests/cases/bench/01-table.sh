#!/bin/sh
# CHECK: make bench's guest side runs (16 MiB legs, 100 ms per workload) and prints its whole table: every figure, every ratio (or "-" over a 0), every target, the resync-under-load and scale rows
# TIMEOUT: 480
. /tests/lib.sh

# Figures are not judged (noise); only that each was measured.
bm_bench_mib=16 bm_bench_rt=100ms bm_bench_ramp=0 sh /tests/bench.sh >bench.out 2>&1
rc=$?
grep '^bench: ' bench.out
sed -n '/^# BENCH-TABLE-START$/,/^# BENCH-TABLE-END$/p' bench.out
[ $rc -eq 0 ] || { tail -n 30 bench.out; fail "bench exited $rc"; }
sed -n '/^# BENCH-TABLE-START$/,/^# BENCH-TABLE-END$/p' bench.out >table
for s in brd null; do
	for w in "4k randread QD1" "1M seqread QD4" "4k randwrite QD1" "4k randwrite QD32" "1M seqwrite QD4"; do
		row=$(grep "^$s $w " table) || fail "no row '$s $w'"
		# unit, five figures, '|', four ratios.  At 100 ms on a loaded
		# host a run may complete no I/O: a 0, whose ratios are "-".
		echo "$row" | awk -v n="$s $w" '{ sub("^" n " *", "") }
			NF != 11 || $7 != "|" { exit 1 }
			{ for (i = 2; i <= 6; i++) if ($i !~ /^[0-9]+(\.[0-9]+)?$/) exit 1 }
			{ for (i = 8; i <= 11; i++) if ($i !~ /^([0-9]+\.[0-9][0-9]|-)$/) exit 1 }' ||
			fail "row '$s $w' not all figures: $row"
	done
done
for r in "blkmirror" "dd bs=1M" "dm-raid1 (to" "md raid1 (to" "blkmirror resync" "fio 1M QD32" \
	"blkmirror resync, NBD" "dd bs=1M O_DIRECT, NBD" "blkmirror resync, NBD behind" "dd bs=1M O_DIRECT, NBD behind"; do
	grep -q "^$r.* [0-9][0-9.]* *[0-9][0-9.]* |" table || fail "no figures for resync row '$r'"
done
# Resync under load, and scale: each row has its figure.
for r in "fio 4k randwrite QD4, synced mirror, IOPS" "fio 4k randwrite QD4, during a resync, IOPS" \
	"resync during fio, MiB/s (vs its floor)" "floor (default min rate), MiB/s" \
	"fio stopped -> copy no longer yielding, s" "rest of the copy after fio, MiB/s (vs idle resync)"; do
	row=$(grep -F "$r" table) || fail "no row '$r'"
	set -- ${row#"$r"}
	echo "$1" | grep -Eq '^[0-9]+(\.[0-9]+)?$' || fail "no figure in row '$r': $row"
done
for r in "1 GiB" "64 TiB"; do
	row=$(grep "^$r " table) || fail "no scale row '$r'"
	echo "$row" | awk -v n="$r" '{ sub("^" n " *", "") }
		NF != 6 { exit 1 } { for (i = 1; i <= 6; i++) if ($i !~ /^-?[0-9]+$/) exit 1 }' ||
		fail "scale row '$r' not all figures: $row"
done
n=$(grep -c -E ' (met|MISSED|not measured)$' table)
[ "$n" -eq 28 ] || fail "not 28 targets in the table: $n"
