#!/bin/sh
# CHECK: a mounted ext4 moves to a new leg by attach --wait and switch; the old primary, then free for an exclusive open, is overwritten with zeros and stays zero, yet every file still reads back with its checksum, new files are written, and e2fsck is clean after umount: no I/O goes to the old primary any more
# TIMEOUT: 240
. /tests/lib.sh
. /tests/cases/migrate/migrate.inc

make_brd 2 128
dev_fill /dev/ram1 stale
load_ext4
load_blkmirror
dev=$(make_mirror fs /dev/ram0)
mkfs.ext4 -q -F "$dev" || fail "mkfs.ext4 on $dev failed"
mkdir -p /mnt/fs
mount -t ext4 "$dev" /mnt/fs || fail "mount $dev failed"
i=0
while [ $i -lt 16 ]; do
	truncate -s $(( (i + 1) * 256 ))K /mnt/fs/f$i
	bmpattern write /mnt/fs/f$i "file$i" || fail "writing f$i"
	i=$((i + 1))
done
mkdir /mnt/fs/dir && cp /mnt/fs/f7 /mnt/fs/dir/copy
sync

# attach --wait: stdout is the device node and nothing else.
DEV=$(mirrorctl attach fs /dev/ram1 --wait 2>/tmp/case/attach.err) ||
	fail "attach --wait exited $?: $(cat /tmp/case/attach.err)"
assert_eq "$dev" "$DEV" "DEV=\$(mirrorctl attach ... --wait)"
assert_contains "$(cat /tmp/case/attach.err)" "fs: 100% in sync (128.0 MiB)" "progress went to stderr"
# Written while two-legged, so that the new leg has it only from the mirror.
echo "written in sync" >/mnt/fs/insync
sync
(cd /mnt/fs && md5sum f* dir/copy insync) >/tmp/sums

must mirrorctl switch fs
note "$OUT"
assert_match "$OUT" '^fs: /dev/ram1 is now the primary; /dev/ram0 released; I/O paused [0-9]+\.[0-9]{3} ms$' "switch output"
assert_exclusive /dev/ram0

# Zero the old primary.  If the mirror still read or wrote it, the files
# (read past the page cache) or the journal would show it.
bmblk zeroout /dev/ram0 0 128M || fail "zeroing /dev/ram0 (BLKZEROOUT)"
bmblk zerocheck /dev/ram0 0 128M || fail "/dev/ram0 not zero after BLKZEROOUT"
echo 3 >/proc/sys/vm/drop_caches
(cd /mnt/fs && md5sum -c /tmp/sums) >/tmp/check 2>&1 || { cat /tmp/check; fail "file checksums after zeroing the old primary"; }
i=0
while [ $i -lt 16 ]; do
	bmpattern verify /mnt/fs/f$i "file$i" || fail "f$i after zeroing the old primary"
	i=$((i + 1))
done
# New files, after the switch.
i=0
while [ $i -lt 8 ]; do
	truncate -s 512K /mnt/fs/g$i
	bmpattern write /mnt/fs/g$i "new$i" || fail "writing g$i"
	i=$((i + 1))
done
rm /mnt/fs/f0
sync
(cd /mnt/fs && md5sum f[1-9]* g* dir/copy insync) >/tmp/sums2
umount /mnt/fs || fail "umount failed"
e2fsck -fn "$dev" >/tmp/fsck.out 2>&1 || { cat /tmp/fsck.out; fail "e2fsck -fn of $dev after the switch"; }
mount -t ext4 "$dev" /mnt/fs || fail "remount $dev failed"
(cd /mnt/fs && md5sum -c /tmp/sums2) >/tmp/check 2>&1 || { cat /tmp/check; fail "file checksums after remount"; }
umount /mnt/fs
bmblk zerocheck /dev/ram0 0 128M || fail "something wrote to the old primary after the switch"
assert_exclusive /dev/ram0
assert_eq single "$(mirror_field fs state)" "state"
must mirrorctl destroy fs
e2fsck -fn /dev/ram1 >/tmp/fsck.out 2>&1 || { cat /tmp/fsck.out; fail "e2fsck -fn of the new leg"; }
