#!/bin/sh
# CHECK: a switch that has the mirror's I/O held while a create looks up a leg path on the filesystem that mirror carries (the create holds the module's control lock and waits for a read the switch holds) lets the I/O go instead of waiting for that lock: both finish, the create's mirror exists, the switch went through and the filesystem's files read back; before, the two waited for each other for good and the disk was frozen
# TIMEOUT: 180
. /tests/lib.sh
. /tests/cases/migrate/migrate.inc
. /tests/cases/faults/faults.inc

load_ext4
make_brd 3 32
load_dm
dm_create sec "0 $(sectors /dev/ram1) linear /dev/ram1 0"
load_blkmirror
dev=$(make_mirror m /dev/ram0)
# 16 MiB of the 32: the write held below goes past the filesystem's end.
mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$dev" 16M || fail "mkfs.ext4 $dev"
mkdir -p /mnt/m
mount -t ext4 "$dev" /mnt/m || fail "mount $dev"
cleanup() {
	dmsetup resume sec 2>/dev/null
	umount /mnt/m 2>/dev/null
}
trap cleanup EXIT
mkdir /mnt/m/d || fail "mkdir"
mknod /mnt/m/d/leg b $(tr : ' ' </sys/block/ram2/dev) || fail "mknod"
echo kept >/mnt/m/d/f || fail "write f"
# Mounted again, nothing of it is held in memory by the journal: once
# the caches are dropped below, a lookup in it reads from the mirror.
umount /mnt/m || fail "umount"
mount -t ext4 "$dev" /mnt/m || fail "mount $dev again"
must mirrorctl attach m /dev/mapper/sec --wait

# A write stuck on the secondary keeps the switch's drain waiting.
dmsetup suspend sec || fail "dmsetup suspend sec"
w0=$(stat_of m primary writes)
bmpattern pwrite "$dev" stuck $((28 * 1024 * 1024)) 64K &
wpid=$!
wrote() { [ "$(stat_of m primary writes)" -gt "$w0" ]; }
wait_until 20 wrote || fail "the write did not reach the mirror's primary"
# The lookup below must read the directory from the mirror.
echo 3 >/proc/sys/vm/drop_caches
mirrorctl switch m >/tmp/case/switch.out 2>&1 &
spid=$!
# The switch suspends at once and waits for the stuck write (15 s at most).
sleep "$(tscale 1)"
# Raw netlink: mirrorctl would stat the path first, outside the lock.
bmnl create name=s:x primary=s:/mnt/m/d/leg >/tmp/case/create.out 2>&1 &
cpid=$!
# All of this within the drain's 15 s, on the debug kernel too.
sleep "$(tscale 1)"
kill -0 $cpid 2>/dev/null ||
	fail "the create did not wait for a read the switch held (so this case showed nothing): $(cat /tmp/case/create.out)"
dmsetup resume sec || fail "dmsetup resume sec"
done_both() { ! kill -0 $spid 2>/dev/null && ! kill -0 $cpid 2>/dev/null; }
if ! wait_until 60 done_both; then
	echo w >/proc/sysrq-trigger
	fail "switch or create still waiting 60 s after the leg answered (switch $(cat /proc/$spid/wchan 2>/dev/null), create $(cat /proc/$cpid/wchan 2>/dev/null))"
fi
wait $spid
assert_eq 0 "$?" "switch exit code ($(cat /tmp/case/switch.out))"
wait $cpid
assert_eq 0 "$?" "create exit code ($(cat /tmp/case/create.out))"
wait $wpid || fail "the stuck write failed once its leg answered"
assert_eq /dev/mapper/sec "$(mirror_field m primary)" "primary after the switch"
assert_eq /mnt/m/d/leg "$(mirror_field x primary)" "primary of the mirror the create made"
assert_eq kept "$(cat /mnt/m/d/f)" "file on the mirror after the switch"
umount /mnt/m || fail "umount"
must mirrorctl destroy x
