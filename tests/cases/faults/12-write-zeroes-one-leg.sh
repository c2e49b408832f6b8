#!/bin/sh
# CHECK: a write-zeroes that one leg does and the other turns down (primary loop on tmpfs refuses NOUNMAP zeroing, secondary loop on ext4 does it) leaves the legs different: the secondary is failed with EOPNOTSUPP, the caller's BLKZEROOUT still zeroes the primary, and a write-zeroes both legs do keeps the mirror synced
# TIMEOUT: 90
. /tests/lib.sh
. /tests/cases/faults/faults.inc

load_ext4
make_brd 1 48
mkfs.ext4 -q -F /dev/ram0 || fail "mkfs.ext4 /dev/ram0"
mkdir -p /mnt/e
mount -t ext4 /dev/ram0 /mnt/e || fail "mount /dev/ram0"
cleanup() {
	[ -n "${s:-}" ] && losetup -d "$s" 2>/dev/null
	umount /mnt/e 2>/dev/null
}
trap cleanup EXIT
truncate -s 16M /tmp/p.img /mnt/e/s.img
p=$(make_loop /tmp/p.img)
s=$(make_loop /mnt/e/s.img)
for l in $p $s; do
	assert_ge 1 "$(cat /sys/block/${l#/dev/}/queue/write_zeroes_max_bytes)" "$l advertises write-zeroes"
done
dev_fill "$p" primary
load_blkmirror
dev=$(make_mirror m "$p" "$s")
wait_synced m 60

# Both legs can punch a hole (write-zeroes that may unmap): still synced.
must bmblk punch "$dev" 1M 256K
must bmblk zerocheck "$dev" 1M 256K
assert_eq synced "$(mirror_field m state)" "state after a write-zeroes both legs did"
must bmblk zerocheck "$s" 1M 256K

# BLKZEROOUT sets NOUNMAP: tmpfs cannot, ext4 can.
must bmblk zeroout "$dev" 4M 1M
assert_degraded m secondary 95
must bmblk zerocheck "$dev" 4M 1M
must bmblk zerocheck "$p" 4M 1M
dev_verify "$dev" primary 0 1M
dev_verify "$dev" primary 5M 11M
# Writes carry on against the primary alone.
dev_fill "$dev" after 8M 1M
dev_verify "$p" after 8M 1M
teardown m "$p" "$s"
