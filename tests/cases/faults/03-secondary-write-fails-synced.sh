#!/bin/sh
# CHECK: on a synced mirror a foreground write the secondary fails still succeeds, lands on the primary only, and degrades the mirror with that write's sector
# TIMEOUT: 90
. /tests/lib.sh
. /tests/cases/faults/faults.inc

make_legs 16
load_dm dm_flakey
S=$(sectors /dev/ram1)
dm_create sec "0 $S linear /dev/ram1 0"
load_blkmirror
dev=$(make_mirror m /dev/ram0 /dev/mapper/sec)
wait_synced m 60
assert_legs_equal /dev/ram0 /dev/ram1
# Always down, writes fail, reads work.
dm_swap sec "0 $S flakey /dev/ram1 0 0 1 1 error_writes"
run bmpattern write "$dev" fg 5M 64K
assert_eq 0 "$RC" "write failed only by the secondary (stderr: $ERR)"
assert_degraded m secondary 5
assert_eq $((5 * 2048)) "$(mirror_field m failed_sector)" "failed_sector is the write's"
assert_ge 1 "$(stat_of m secondary write_errors)" "secondary write_errors"
assert_eq 0 "$(stat_of m primary write_errors)" "primary write_errors"
dev_verify "$dev" fg 5M 64K
dev_verify /dev/ram0 fg 5M 64K
run bmpattern verify /dev/ram1 fg 5M 64K
assert_eq 1 "$RC" "the failed secondary write must not be on the secondary"
dev_verify /dev/ram1 primary 0 5M

sw=$(stat_of m secondary writes)
dev_fill "$dev" fg2 8M 4M
dev_verify /dev/ram0 fg2 8M 4M
assert_eq "$sw" "$(stat_of m secondary writes)" "secondary writes once degraded"
teardown m /dev/ram0 /dev/mapper/sec
