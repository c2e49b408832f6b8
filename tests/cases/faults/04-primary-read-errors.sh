#!/bin/sh
# CHECK: primary read errors reach the caller (EIO) and do not degrade a synced mirror; a copy read error degrades it (failed_leg primary, sector in the bad range)
# TIMEOUT: 90
. /tests/lib.sh
. /tests/cases/faults/faults.inc

make_legs 32
load_dm
S=$(sectors /dev/ram0)
dm_create pri "0 $S linear /dev/ram0 0"
load_blkmirror
dev=$(make_mirror m /dev/mapper/pri /dev/ram1)
wait_synced m 60
# 1 MiB of bad sectors at 8 MiB.
B0=$((8 * 2048)) B1=$((9 * 2048))
dm_swap pri "0 $B0 linear /dev/ram0 0
$B0 $((B1 - B0)) error
$B1 $((S - B1)) linear /dev/ram0 $B1"
run bmpattern verify "$dev" primary 8M 64K
assert_eq 3 "$RC" "reading the bad range through the mirror (bmpattern exit 3 = I/O error; $ERR)"
assert_contains "$ERR" "Input/output error" "error of the bad read"
dev_verify "$dev" primary 0 8M
dev_verify "$dev" primary 9M 23M
assert_eq synced "$(mirror_field m state)" "state after a failed read"
assert_ge 1 "$(stat_of m primary read_errors)" "primary read_errors"
must mirrorctl destroy m

# A new copy from that primary trips over the bad range.
dev_fill /dev/ram1 stale
dev=$(make_mirror m2 /dev/mapper/pri /dev/ram1 --max-rate 16M)
run mirrorctl wait m2 --timeout "$(tscale 30)"
assert_eq 6 "$RC" "mirrorctl wait exit code ($ERR)"
assert_degraded m2 primary 5
fs=$(mirror_field m2 failed_sector)
assert_ge $B0 "$fs" "failed_sector"
assert_le $((B1 - 1)) "$fs" "failed_sector"
assert_ge 1 "$(stat_of m2 primary read_errors)" "primary read_errors"
dev_verify "$dev" primary 9M 23M
teardown m2 /dev/mapper/pri /dev/ram1
