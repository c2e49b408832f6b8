#!/bin/sh
# CHECK: a mirror on a partition that starts off its disk's physical block (brd, 4 KiB blocks; partition 2 one sector past a boundary) reports that partition's alignment_offset, at create and after a switch onto it from an aligned partition; before, the legs' limits were stacked as if every leg started at its disk's sector 0
# TIMEOUT: 120
. /tests/lib.sh
# le32
. /tests/cases/udev/udev.inc

[ -d /sys/module/brd ] && { rmmod brd || fail "brd busy"; }
modprobe brd rd_nr=1 rd_size=16384 max_part=4 || fail "modprobe brd"
wait_until 5 test -b /dev/ram0 || fail "/dev/ram0 did not appear"
pbs=$(cat /sys/block/ram0/queue/physical_block_size)
[ "$pbs" -ge 1024 ] || skip "brd's physical block size is $pbs: no partition can be misaligned"

# An MBR with two Linux partitions of 8192 sectors: p1 at 2048, on a
# boundary; p2 at 10241, one sector past one.
# shellcheck disable=SC2059
{
	printf '\000\000\000\000\000\000'
	printf '\000\000\002\000\203\000\000\000'
	printf "$(le32 2048)$(le32 8192)"
	printf '\000\000\002\000\203\000\000\000'
	printf "$(le32 10241)$(le32 8192)"
} | dd of=/dev/ram0 bs=1 seek=440 conv=notrunc 2>/dev/null || fail "MBR"
printf '\125\252' | dd of=/dev/ram0 bs=1 seek=510 conv=notrunc 2>/dev/null ||
	fail "MBR signature"
sync
blockdev --rereadpt /dev/ram0 || fail "BLKRRPART on /dev/ram0"
wait_until 5 test -b /dev/ram0p2 || fail "/dev/ram0p2 did not appear"
a1=$(cat /sys/block/ram0/ram0p1/alignment_offset)
a2=$(cat /sys/block/ram0/ram0p2/alignment_offset)
assert_eq 0 "$a1" "alignment_offset of ram0p1, at a boundary"
assert_eq $((pbs - 512)) "$a2" "alignment_offset of ram0p2, a sector past one"
dev_fill /dev/ram0p1 primary

load_blkmirror
# Created on the misaligned partition.
dev=$(make_mirror a /dev/ram0p2)
assert_eq "$a2" "$(cat /sys/block/${dev#/dev/}/alignment_offset)" \
	"alignment_offset of a mirror created on ram0p2"
must mirrorctl destroy a

# Moved onto it: single on p1, attach p2, switch.
dev=$(make_mirror m /dev/ram0p1)
bm=${dev#/dev/}
assert_eq 0 "$(cat /sys/block/$bm/alignment_offset)" "alignment_offset of a mirror on ram0p1"
must mirrorctl attach m /dev/ram0p2
wait_synced m 60
must mirrorctl switch m
assert_eq /dev/ram0p2 "$(mirror_field m primary)" "primary after the switch"
assert_eq "$a2" "$(cat /sys/block/$bm/alignment_offset)" \
	"alignment_offset after the switch onto ram0p2"
dev_verify "$dev" primary
must mirrorctl destroy m
