#!/bin/sh
# CHECK: a detach that comes while a write-zeroes is in flight, turned down by the secondary (loop on tmpfs refuses NOUNMAP zeroing) and still held on the primary (dm-linear over a loop on ext4, suspended), waits for the primary's verdict and says the detached leg is not a consistent copy; before, it counted the secondary done when the secondary answered and called the leg consistent
# TIMEOUT: 90
. /tests/lib.sh
. /tests/cases/faults/faults.inc

load_ext4
load_dm
make_brd 1 48
mkfs.ext4 -q -F /dev/ram0 || fail "mkfs.ext4 /dev/ram0"
mkdir -p /mnt/e
mount -t ext4 /dev/ram0 /mnt/e || fail "mount /dev/ram0"
cleanup() {
	dmsetup resume pz 2>/dev/null
	[ -n "${zpid:-}" ] && wait "$zpid" 2>/dev/null
	[ -n "${dpid:-}" ] && wait "$dpid" 2>/dev/null
	mirrorctl destroy m --force >/dev/null 2>&1
	dmsetup remove pz 2>/dev/null
	[ -n "${pl:-}" ] && losetup -d "$pl" 2>/dev/null
	[ -n "${s:-}" ] && losetup -d "$s" 2>/dev/null
	umount /mnt/e 2>/dev/null
}
trap cleanup EXIT
truncate -s 16M /mnt/e/p.img /tmp/s.img
pl=$(make_loop /mnt/e/p.img)
s=$(make_loop /tmp/s.img)
dm_create pz "0 32768 linear $pl 0"
p=/dev/mapper/pz
pd=dm-$(dmsetup info -c --noheadings -o minor pz) || fail "minor of pz"
for l in $pd ${s#/dev/}; do
	assert_ge 1 "$(cat /sys/block/$l/queue/write_zeroes_max_bytes)" "$l advertises write-zeroes"
done
dev_fill "$p" primary
load_blkmirror
dev=$(make_mirror m "$p" "$s")
wait_synced m 60
bm=${dev#/dev/}

# The primary holds what comes from here; the secondary answers at once.
dmsetup suspend pz || fail "suspend pz"
bmblk zeroout "$dev" 4M 1M >/tmp/case/zero.out 2>&1 &
zpid=$!
# Write-zeroes counts as a write in the mirror's own statistics.
writing() {
	read -r _r _w <"/sys/block/$bm/inflight"
	[ "$_w" -ge 1 ]
}
wait_until 10 writing || fail "the zeroout never reached the mirror"

mirrorctl detach m --json >/tmp/case/detach.out 2>/tmp/case/detach.err &
dpid=$!
# The secondary has turned the zeroes down by now (its loop answers from
# tmpfs at once); the primary's verdict is still to come.
sleep "$(tscale 2)"
if ! kill -0 "$dpid" 2>/dev/null; then
	wait "$dpid"
	fail "the detach ended while the primary still held the write-zeroes: $(cat /tmp/case/detach.out /tmp/case/detach.err)"
fi
dmsetup resume pz || fail "resume pz"
wait "$dpid"
assert_eq 0 "$?" "detach exit code ($(cat /tmp/case/detach.err))"
assert_eq false "$(json_get "$(cat /tmp/case/detach.out)" consistent)" \
	"consistent, for a leg that turned down a write-zeroes the primary did"
wait "$zpid"
zpid=
note "zeroout: $(cat /tmp/case/zero.out)"
# The caller's fallback zeroes the primary alone.
must bmblk zerocheck "$dev" 4M 1M
must bmblk zerocheck "$p" 4M 1M
dev_verify "$dev" primary 0 4M
assert_eq single "$(mirror_field m state)" "state after the detach"
dpid=
