#!/bin/sh
# CHECK: ext4 made, mounted, written and unmounted on the mirror during resync; secondary passes e2fsck -fn and holds identical files
# TIMEOUT: 240
. /tests/lib.sh

make_legs 256
load_ext4
load_blkmirror
# The copy is held until the filesystem is written, then let go.
dev=$(make_mirror fs /dev/ram0 /dev/ram1 --max-rate $PIN_RATE)
mkfs.ext4 -q -F "$dev" || fail "mkfs.ext4 on $dev failed"
mkdir -p /mnt/fs
mount -t ext4 "$dev" /mnt/fs || fail "mount $dev failed"
i=0
while [ $i -lt 12 ]; do
	truncate -s $(( (i + 1) * 512 ))K /mnt/fs/f$i
	bmpattern write /mnt/fs/f$i "file$i" || fail "writing f$i"
	i=$((i + 1))
done
mkdir /mnt/fs/dir && cp /mnt/fs/f3 /mnt/fs/dir/copy
sync
assert_resyncing fs "while the filesystem was written"
# Let go, slower on slower kernels: a file copied and one removed race
# the copy (as far as it lasts: nothing here counts on it).
release_copy fs $((32 / BM_TSCALE))M
cp /mnt/fs/f5 /mnt/fs/dir/copy2 && rm /mnt/fs/f2 || fail "file work during the copy"
sync
note "after the work during the copy: $(mirror_field fs state) $(mirror_field fs percent)%"
(cd /mnt/fs && md5sum f* dir/copy*) >/tmp/sums
umount /mnt/fs || fail "umount failed"
wait_synced fs 180
must mirrorctl destroy fs
assert_legs_equal /dev/ram0 /dev/ram1
e2fsck -fn /dev/ram1 >/tmp/fsck.out 2>&1 || { cat /tmp/fsck.out; fail "e2fsck -fn of the secondary failed"; }
mkdir -p /mnt/sec
mount -t ext4 -o ro /dev/ram1 /mnt/sec || fail "mount secondary failed"
(cd /mnt/sec && md5sum -c /tmp/sums) >/tmp/check 2>&1 || { cat /tmp/check; fail "file checksums differ on the secondary"; }
