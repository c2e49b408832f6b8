#!/bin/sh
# CHECK: an empty flush the secondary fails (dm-flakey error_writes over a write-back loop leg) succeeds for the caller and degrades the mirror (secondary, EIO, a flush error, no write error)
# TIMEOUT: 90
. /tests/lib.sh
. /tests/cases/faults/faults.inc

# Flushes only reach legs with a volatile write cache: loop has one, brd not.
truncate -s 16M /tmp/p.img /tmp/s.img
p=$(make_loop /tmp/p.img)
s=$(make_loop /tmp/s.img)
assert_eq "write back" "$(cat /sys/block/${s#/dev/}/queue/write_cache)" "loop write cache"
load_dm dm_flakey
S=$(sectors "$s")
dm_create sec "0 $S linear $s 0"
assert_eq "write back" "$(cat /sys/block/$(dmsetup info -c --noheadings -o blkdevname sec)/queue/write_cache)" "dm write cache"
dev_fill "$p" primary
load_blkmirror
dev=$(make_mirror m "$p" /dev/mapper/sec)
wait_synced m 60
assert_eq "write back" "$(cat /sys/block/${dev#/dev/}/queue/write_cache)" "mirror write cache"
dev_fill "$dev" data 1M 2M
f0=$(stat_of m secondary flushes)
must bmblk flush "$dev"
assert_ge $((f0 + 1)) "$(stat_of m secondary flushes)" "flushes reach the secondary"
assert_eq synced "$(mirror_field m state)" "state after a good flush"

dm_swap sec "0 $S flakey $s 0 0 1 1 error_writes"
run bmblk flush "$dev"
assert_eq 0 "$RC" "fsync of the mirror when only the secondary fails the flush ($OUT)"
assert_degraded m secondary 5
assert_ge 1 "$(stat_of m secondary flush_errors)" "secondary flush_errors"
assert_eq 0 "$(stat_of m secondary write_errors)" "secondary write_errors"
assert_eq 0 "$(stat_of m primary flush_errors)" "primary flush_errors"
dev_verify "$dev" data 1M 2M
must bmblk flush "$dev"
teardown m "$p" /dev/mapper/sec
