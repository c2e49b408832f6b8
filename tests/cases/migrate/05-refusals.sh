#!/bin/sh
# CHECK: every refused attach (two-leg mirror, size mismatch, larger logical block size, read-only, same device as the primary, the mirror itself, mounted or held leg, not a block device, no such mirror), switch (resyncing, single) and detach (resyncing without --force, single) exits 1 with a message naming the mirror and the reason, prints nothing on stdout and changes nothing; afterwards the legs are free and a valid attach works
# TIMEOUT: 150
. /tests/lib.sh
. /tests/cases/migrate/migrate.inc

make_brd 6 64
load_ext4
load_blkmirror
truncate -s 32M /tmp/small.img
lo_small=$(make_loop /tmp/small.img)
truncate -s 64M /tmp/lbs4k.img
lo_4k=$(make_loop /tmp/lbs4k.img 4096)
: >/tmp/case/plain
ln -s /dev/ram0 /tmp/case/alias
blockdev --setro /dev/ram2 || fail "setro /dev/ram2"
mkfs.ext4 -q -F /dev/ram3 || fail "mkfs /dev/ram3"
mkdir -p /mnt/busy
mount -t ext4 /dev/ram3 /mnt/busy || fail "mount /dev/ram3"

sdev=$(make_mirror s /dev/ram0)
make_mirror t /dev/ram4 /dev/ram5 --max-rate 1 >/dev/null
assert_eq resyncing "$(mirror_field t state)" "t with its copy held"

# refused NAME REASON-ERE CMD...: exit 1, "mirrorctl: <cmd> NAME: ..." on
# stderr with the reason, nothing on stdout, the mirror as it was.
refused() {
	_n=$1 _why=$2
	shift 2
	_before=$(shape "$_n") || fail "status of $_n before '$*'"
	run "$@"
	note "$*: $ERR"
	assert_eq 1 "$RC" "exit code of '$*' (stderr: $ERR)"
	assert_contains "$ERR" "mirrorctl: $2 $_n: " "the message of '$*' names the mirror"
	printf '%s\n' "$ERR" | grep -Eiq -- "$_why" || fail "reason /$_why/ not in the message of '$*': $ERR"
	assert_eq "" "$OUT" "stdout of '$*'"
	_after=$(shape "$_n") || fail "status of $_n after '$*'"
	assert_eq "$_before" "$_after" "status of $_n after '$*'"
}

# attach
refused t 'already has a secondary.*\(Device or resource busy\)' mirrorctl attach t /dev/ram1
refused s "$lo_small.*size|size.*$lo_small" mirrorctl attach s "$lo_small"
refused s "$lo_4k.*(block size|4096-byte block)" mirrorctl attach s "$lo_4k"
refused s '/dev/ram2.*read-only.*\(Read-only file system\)' mirrorctl attach s /dev/ram2
refused s "/dev/ram0 is the mirror's primary" mirrorctl attach s /dev/ram0
refused s "/tmp/case/alias is the mirror's primary \(/dev/ram0\)" mirrorctl attach s /tmp/case/alias
refused s "$sdev is the mirror itself" mirrorctl attach s "$sdev"
refused s '/dev/ram3.*(in use|busy).*\(Device or resource busy\)' mirrorctl attach s /dev/ram3
refused s '/dev/ram5.*(in use|busy).*\(Device or resource busy\)' mirrorctl attach s /dev/ram5
refused s '/tmp/case/plain: not a block device' mirrorctl attach s /tmp/case/plain
refused s '/dev/nonexistent: No such file or directory' mirrorctl attach s /dev/nonexistent
run mirrorctl attach nosuch /dev/ram1
assert_eq 1 "$RC" "attach to a mirror that does not exist ($ERR)"
assert_contains "$ERR" "mirrorctl: attach nosuch: " "message names the mirror"
# The kernel's own check of the same device, past mirrorctl's (12 = ATTACH).
run bmnl 12 name=s:s secondary=s:/dev/ram0
note "raw attach of the primary: $OUT"
assert_eq 1 "$RC" "raw ATTACH of the primary as the secondary"
assert_contains "$OUT" "/dev/ram0" "kernel message names the device"

# switch
refused t 'resyncing.*\(Device or resource busy\)' mirrorctl switch t
refused t 'resyncing.*\(Device or resource busy\)' mirrorctl switch t --force
# The contract said EBUSY naming the state; the kernel says EINVAL, "one leg".
refused s '(single|one leg)' mirrorctl switch s
# detach
refused t '(resync|force).*\(Device or resource busy\)' mirrorctl detach t
refused s '(single|secondary).*\(Invalid argument\)' mirrorctl detach s
refused s '(single|secondary).*\(Invalid argument\)' mirrorctl detach s --force

# Nothing was left held; a valid attach goes through.
assert_exclusive /dev/ram1
assert_exclusive "$lo_small"
assert_exclusive "$lo_4k"
umount /mnt/busy
assert_exclusive /dev/ram3
blockdev --setrw /dev/ram2
assert_exclusive /dev/ram2
assert_eq "$(mirror_field s state) $(mirror_field t state)" "single resyncing" "states after the refusals"
must mirrorctl attach s /dev/ram1 --wait
assert_eq "$sdev" "$OUT" "attach after the refusals"
must mirrorctl set t --max-rate 0
wait_synced t 60
assert_legs_equal /dev/ram4 /dev/ram5
