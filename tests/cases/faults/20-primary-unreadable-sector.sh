#!/bin/sh
# CHECK: one unreadable 4 KiB of the primary does not end the migration: the copy goes on past it, the mirror is not degraded, status reports unreadable_sectors > 0 from a sector in the bad range, the legs are equal outside it, and a read of it through the mirror is an I/O error, never the stale secondary data
# TIMEOUT: 150
. /tests/lib.sh
. /tests/cases/faults/faults.inc

make_legs 32
load_dm
S=$(sectors /dev/ram0)
# 4 KiB of bad sectors 4 KiB into the 9th MiB, in the middle of a region.
B0=$((8 * 2048 + 8)) B1=$((8 * 2048 + 16))
bad_table="0 $B0 linear /dev/ram0 0
$B0 $((B1 - B0)) error
$B1 $((S - B1)) linear /dev/ram0 $B1"
load_blkmirror

dm_create pri "$bad_table"
dev=$(make_mirror m /dev/mapper/pri /dev/ram1 --region-size 1M)
copy_over() { [ "$(mirror_field m state)" != resyncing ]; }
wait_until 90 copy_over || fail "copy still running after 90 s: $(mirrorctl status m --json)"
j=$(mirrorctl status m --json)
note "status: $j"
assert_ne degraded "$(json_get "$j" state)" "state after a copy over one unreadable 4 KiB (failed_leg $(json_get "$j" failed_leg), failed_sector $(json_get "$j" failed_sector), synced_bytes $(json_get "$j" synced_bytes))"
assert_ne resyncing "$(json_get "$j" state)" "state after the copy"
n=$(json_get "$j" unreadable_sectors)
first=$(json_get "$j" unreadable_first_sector)
assert_ge 1 "$n" "unreadable_sectors"
assert_ge $B0 "$first" "unreadable_first_sector"
assert_le $((B1 - 1)) "$first" "unreadable_first_sector"
# Every other sector was copied.
d=$(bmpattern cmp /dev/ram0 /dev/ram1 0 $((B0 * 512))) || fail "legs differ before the bad range: $d"
d=$(bmpattern cmp /dev/ram0 /dev/ram1 $((B1 * 512)) $(((S - B1) * 512))) || fail "legs differ after the bad range: $d"
dev_verify "$dev" primary 0 $((B0 * 512))
dev_verify "$dev" primary $((B1 * 512)) $(((S - B1) * 512))
# Nobody has good data for the bad range: the secondary's stale data must
# not be served as if it were.
run bmpattern verify "$dev" primary $((B0 * 512)) 4K
assert_eq 3 "$RC" "read of the never-copied range through the mirror (bmpattern exit 3 = I/O error; 1 = wrong data; $ERR)"
must mirrorctl destroy m
must dmsetup remove pri

