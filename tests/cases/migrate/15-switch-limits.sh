#!/bin/sh
# CHECK: a switch onto a leg with other limits (null_blk: 512-byte blocks, 4 KiB I/O at most, no discard) under a mirror of 4096-byte blocks over a loop leg: its logical block size stays 4096, max_sectors_kb and discard follow the new primary (and come back with a switch back to the loop), a mounted ext4 keeps every file and fscks clean, 2 MiB O_DIRECT writes read back from the device and the leg, a discard is refused while the primary has none and works again after; attach of a leg with larger blocks is refused naming both sizes
# TIMEOUT: 180
. /tests/lib.sh
. /tests/cases/migrate/migrate.inc

C=/sys/kernel/config
modprobe configfs 2>/dev/null
grep -q " $C configfs" /proc/mounts || mount -t configfs none $C || fail "no configfs"
modprobe null_blk nr_devices=0 || fail "modprobe null_blk"
NB=$C/nullb/bmlim
mkdir $NB || fail "null_blk has no configfs interface"
cleanup() {
	umount /mnt/lim 2>/dev/null
	# The mirrors first: nothing may hold the null_blk disk it powers off.
	mirrorctl destroy l --force >/dev/null 2>&1
	mirrorctl destroy s --force >/dev/null 2>&1
	echo 0 >$NB/power 2>/dev/null
	rmdir $NB 2>/dev/null
}
trap cleanup EXIT
echo 64 >$NB/size
echo 1 >$NB/memory_backed
echo 512 >$NB/blocksize
echo 8 >$NB/max_sectors
echo 0 >$NB/discard
echo 1 >$NB/power || fail "power on null_blk"
nb=/dev/bmlim
[ -e /sys/block/bmlim ] || nb=/dev/nullb$(cat $NB/index)
wait_until 5 test -b "$nb" || fail "$nb did not appear"

truncate -s 64M /tmp/lo4k.img
lo=$(make_loop /tmp/lo4k.img 4096)
truncate -s 64M /tmp/lo4k-b.img
lo_b=$(make_loop /tmp/lo4k-b.img 4096)
make_brd 1 64
load_ext4
load_blkmirror

q() {	# DEV ATTR: a queue attribute of a whole disk
	cat "/sys/block/${1#/dev/}/queue/$2"
}
note "$lo: lbs $(q $lo logical_block_size), max_sectors_kb $(q $lo max_sectors_kb), discard_max_bytes $(q $lo discard_max_bytes)"
note "$nb: lbs $(q $nb logical_block_size), max_sectors_kb $(q $nb max_sectors_kb), discard_max_bytes $(q $nb discard_max_bytes)"
assert_eq 4 "$(q $nb max_sectors_kb)" "max_sectors_kb of $nb"
assert_eq 0 "$(q $nb discard_max_bytes)" "discard_max_bytes of $nb"

# A leg with larger blocks than the mirror's: refused, both sizes named.
make_mirror s /dev/ram0 >/dev/null
run mirrorctl attach s "$lo_b"
note "attach of a 4096-byte leg to a 512-byte mirror: $ERR"
assert_eq 1 "$RC" "exit code of the attach of $lo_b"
assert_match "$ERR" "$lo_b.*4096.*512|512.*4096.*$lo_b" "the refusal names the leg and both block sizes"
assert_eq single "$(mirror_field s state)" "s after the refusal"
assert_exclusive "$lo_b"
must mirrorctl destroy s

dev=$(make_mirror l "$lo")
disk=${dev#/dev/}
kb0=$(q $dev max_sectors_kb) disc0=$(q $dev discard_max_bytes)
note "$dev on $lo: lbs $(q $dev logical_block_size), max_sectors_kb $kb0, discard_max_bytes $disc0"
assert_eq 4096 "$(q $dev logical_block_size)" "logical_block_size of $dev"
assert_ne 0 "$disc0" "discard_max_bytes of $dev over the loop"

mkfs.ext4 -q -F -b 4096 "$dev" || fail "mkfs.ext4 $dev"
mkdir -p /mnt/lim
mount -t ext4 -o discard "$dev" /mnt/lim || fail "mount $dev"
files() {	# FROM TO
	_i=$1
	while [ $_i -le $2 ]; do
		dd if=/dev/urandom of=/mnt/lim/f$_i bs=64k count=4 2>/dev/null ||
			fail "writing /mnt/lim/f$_i"
		_i=$((_i + 1))
	done
	sync
}
files 1 10

# The secondary: smaller blocks, 4 KiB I/O at most, no discard.
must mirrorctl attach l "$nb" --max-rate $PIN_RATE
files 11 20
rm /mnt/lim/f3
release_copy l
wait_synced l 60
must mirrorctl switch l
note "$OUT"
assert_eq "$nb" "$(mirror_field l primary)" "primary after the switch"
note "after the switch: lbs $(q $dev logical_block_size), max_sectors_kb $(q $dev max_sectors_kb), max_hw_sectors_kb $(q $dev max_hw_sectors_kb), discard_max_bytes $(q $dev discard_max_bytes)"
assert_eq 4096 "$(q $dev logical_block_size)" "logical_block_size after the switch onto 512-byte blocks"
assert_eq 4 "$(q $dev max_sectors_kb)" "max_sectors_kb after the switch onto $nb"
assert_eq 0 "$(q $dev discard_max_bytes)" "discard_max_bytes after the switch onto $nb"
(cd /mnt/lim && md5sum f* >/tmp/case/sums) || fail "md5sum"
files 21 30
rm /mnt/lim/f12
(cd /mnt/lim && md5sum f* >/tmp/case/sums) || fail "md5sum"
umount /mnt/lim || fail "umount"
echo 3 >/proc/sys/vm/drop_caches
e2fsck -fn "$dev" >/tmp/case/fsck 2>&1 || fail "e2fsck after the switch: $(cat /tmp/case/fsck)"
mount -t ext4 -o discard "$dev" /mnt/lim || fail "mount $dev again"
(cd /mnt/lim && md5sum -c /tmp/case/sums >/tmp/case/sums.out 2>&1) ||
	fail "files after the switch: $(grep -v ': OK$' /tmp/case/sums.out | head -n 5)"
note "$(grep -c ': OK$' /tmp/case/sums.out) files read back on $nb"
umount /mnt/lim || fail "umount"

# Raw I/O past the new primary's limit: 2 MiB O_DIRECT writes.
bmblk ackwrite "$dev" /tmp/case/acks big 2M 0 || fail "2 MiB writes onto $dev"
out=$(bmblk ackcheck "$dev" /tmp/case/acks big) || fail "2 MiB writes on $dev: $out"
out=$(bmblk ackcheck "$nb" /tmp/case/acks big) || fail "2 MiB writes on $nb: $out"
note "$out"
run bmblk discard "$dev" 0 1M
note "discard with no discard on the primary: rc $RC $OUT $ERR"
assert_ne 0 "$RC" "a discard while the primary has none"
out=$(bmblk ackcheck "$dev" /tmp/case/acks big) || fail "data after the refused discard: $out"

# Back onto the loop: its limits and discard come back.
must mirrorctl attach l "$lo" --wait
must mirrorctl switch l
assert_eq "$lo" "$(mirror_field l primary)" "primary after the switch back"
note "after the switch back: max_sectors_kb $(q $dev max_sectors_kb), discard_max_bytes $(q $dev discard_max_bytes)"
assert_eq "$kb0" "$(q $dev max_sectors_kb)" "max_sectors_kb after the switch back"
assert_eq "$disc0" "$(q $dev discard_max_bytes)" "discard_max_bytes after the switch back"
assert_eq 4096 "$(q $dev logical_block_size)" "logical_block_size after the switch back"
out=$(bmblk ackcheck "$dev" /tmp/case/acks big) || fail "2 MiB writes after the switch back: $out"
must bmblk discard "$dev" 0 1M
must bmblk zerocheck "$dev" 0 1M
must mirrorctl destroy l
assert_exclusive "$lo"
assert_exclusive "$nb"
