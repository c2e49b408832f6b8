#!/bin/sh
# CHECK: on a synced mirror, a read of a range the primary cannot read (dm error swapped in) is served from the secondary with the right data; the read repair's write fails there too, and that is counted as one primary write error and logged as not repaired, and the mirror stays in sync (the primary stays authoritative: md raid1 would fail the member, we have no other primary)
# TIMEOUT: 90
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

dm_create pri "0 $S linear /dev/ram0 0"
dev=$(make_mirror m2 /dev/mapper/pri /dev/ram1 --region-size 1M)
wait_synced m2 60
dm_swap pri "$bad_table"
run bmpattern verify "$dev" primary $((B0 * 512 - 4096)) 12K
assert_eq 0 "$RC" "read through a synced mirror of a range the primary cannot read ($ERR)"
# The repair writes the 12 KiB back in one chunk; the error target fails it.
wait_until 30 sh -c 'dmesg | grep -q "blkmirror: m2: read repair of sectors $0+24 on primary: not repaired (primary write failed"' $((B0 - 8)) ||
	fail "no 'not repaired (primary write failed' line: $(dmesg | grep 'blkmirror: m2:' | tail -3)"
assert_eq synced "$(mirror_field m2 state)" "state after a repair write the primary failed"
assert_eq 1 "$(stat_of m2 primary write_errors)" "primary write_errors after one failed repair write"
assert_ge 1 "$(stat_of m2 primary read_errors)" "primary read_errors"
assert_eq 0 "$(stat_of m2 secondary write_errors)" "secondary write_errors"
dev_verify "$dev" primary
assert_eq synced "$(mirror_field m2 state)" "state after a read the secondary served"
must mirrorctl destroy m2
