#!/bin/sh
# CHECK: a write error on a blk-mq secondary (null_blk with bad blocks) degrades the mirror and is counted as a write error, not a flush error: the size of a completed clone is not trusted
# TIMEOUT: 90
. /tests/lib.sh
. /tests/cases/faults/faults.inc

C=/sys/kernel/config
modprobe configfs 2>/dev/null
grep -q " $C configfs" /proc/mounts || mount -t configfs none $C ||
	skip "no configfs"
modprobe null_blk nr_devices=0 || fail "modprobe null_blk"
NB=$C/nullb/bmnb
mkdir $NB || skip "null_blk has no configfs interface"
cleanup() {
	echo 0 >$NB/power 2>/dev/null
	rmdir $NB 2>/dev/null
}
trap cleanup EXIT
echo 16 >$NB/size
echo 1 >$NB/memory_backed
echo 512 >$NB/blocksize
echo 1 >$NB/power || fail "power on null_blk"
# 6.1 names the disk after the configfs directory; older, nullb<index>.
s=/dev/bmnb
[ -e /sys/block/bmnb ] || s=/dev/nullb$(cat $NB/index)
wait_until 5 test -b "$s" || fail "$s did not appear"
[ -e $NB/badblocks ] || skip "null_blk has no badblocks"

make_brd 1 16
dev_fill /dev/ram0 primary
load_blkmirror
dev=$(make_mirror m /dev/ram0 "$s")
wait_synced m 60

echo "+2048-2055" >$NB/badblocks || fail "setting bad blocks"
dev_fill "$dev" bad 1M 4K
dev_verify /dev/ram0 bad 1M 4K
assert_degraded m secondary 5
assert_eq 1 "$(stat_of m secondary write_errors)" "secondary write_errors"
assert_eq 0 "$(stat_of m secondary flush_errors)" "secondary flush_errors"
assert_eq 0 "$(stat_of m primary write_errors)" "primary write_errors"
teardown m /dev/ram0
