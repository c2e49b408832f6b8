#!/bin/sh
# CHECK: write-zeroes through the mirror on two loop legs on tmpfs (fallocate punch = write-zeroes that may unmap; BLKZEROOUT, refused by tmpfs and done by the fallback) leaves the legs byte-identical and the ranges zero, synced or with the copy held across the ranges, unaligned to regions
# TIMEOUT: 150
. /tests/lib.sh
. /tests/cases/faults/faults.inc

mkdir -p /tmp/t
mount -t tmpfs -o size=80M tmpfs /tmp/t || fail "mount tmpfs"
truncate -s 32M /tmp/t/p.img /tmp/t/s.img
# new_legs: fresh loop devices on the images.  On 7.2 (not on 6.1) a
# loop device whose backing file refuses a fallocate mode (tmpfs has no
# ZERO_RANGE, which BLKZEROOUT's no-unmap write-zeroes asks for) clears
# its own write-zeroes limit for good, so the second part's punch failed
# with EOPNOTSUPP from the first part's legs.
new_legs() {
	[ -n "${p:-}" ] && losetup -d "$p" "$s"
	p=$(make_loop /tmp/t/p.img)
	s=$(make_loop /tmp/t/s.img)
	for l in $p $s; do
		assert_ge 1 "$(cat /sys/block/${l#/dev/}/queue/write_zeroes_max_bytes)" "$l advertises write-zeroes"
	done
}
cleanup() {
	losetup -d "$p" "$s" 2>/dev/null
	umount /tmp/t 2>/dev/null
}
trap cleanup EXIT
p=
new_legs
load_blkmirror

# zero_both DEV: each kind of zeroing over a region edge, unaligned.
zero_both() {
	must bmblk punch "$1" $((1024 * 1024 - 12 * 1024)) $((300 * 1024))
	must bmblk zerocheck "$1" $((1024 * 1024 - 12 * 1024)) $((300 * 1024))
	must bmblk zeroout "$1" $((3 * 1024 * 1024 - 3584)) $((1024 * 1024 + 7168))
	must bmblk zerocheck "$1" $((3 * 1024 * 1024 - 3584)) $((1024 * 1024 + 7168))
}

# 1. In sync, then zeroed.
dev_fill "$p" primary
dev_fill "$s" stale
dev=$(make_mirror m "$p" "$s" --region-size 1M)
wait_synced m 60
zero_both "$dev"
assert_eq synced "$(mirror_field m state)" "state after write-zeroes on a synced mirror"
assert_legs_equal "$p" "$s"
must bmblk zerocheck "$s" $((1024 * 1024 - 12 * 1024)) $((300 * 1024))
must bmblk zerocheck "$s" $((3 * 1024 * 1024 - 3584)) $((1024 * 1024 + 7168))
dev_verify "$dev" primary 0 $((1024 * 1024 - 12 * 1024))
dev_verify "$dev" primary $((5 * 1024 * 1024)) $((27 * 1024 * 1024))
must mirrorctl destroy m

# 2. The copy held after its first region (1 byte/s): the ranges are
#    behind, under and ahead of the window; then the copy finishes.
new_legs
dev_fill "$p" primary2
dev_fill "$s" stale
dev=$(make_mirror m "$p" "$s" --region-size 1M --max-rate 1)
wait_until 30 sh -c '[ "$(mirrorctl status m --json | sed -n "s/.*\"synced_bytes\":\([0-9]*\).*/\1/p")" = 1048576 ]' ||
	fail "copy not held after region 0: $(mirrorctl status m --json)"
zero_both "$dev"
must mirrorctl set m --max-rate unlimited
wait_synced m 60
assert_legs_equal "$p" "$s"
must bmblk zerocheck "$s" $((3 * 1024 * 1024 - 3584)) $((1024 * 1024 + 7168))
dev_verify "$dev" primary2 $((5 * 1024 * 1024)) $((27 * 1024 * 1024))
must mirrorctl destroy m
