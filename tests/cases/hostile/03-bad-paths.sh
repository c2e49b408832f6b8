#!/bin/sh
# CHECK: legs that are not block devices, the mirror itself, a mirror stacked on the other leg, or the whole disk of a held partition are refused; nothing is left held
. /tests/lib.sh

make_legs 16
load_blkmirror
truncate -s 16M /tmp/file

refused() {	# ERRNO BMNL-ARGS...
	_e=$1
	shift
	run bmnl "$@"
	assert_eq 1 "$RC" "bmnl $* exit code (out: $OUT)"
	assert_contains "$OUT" "error -$_e " "reply to bmnl $*"
}

refused 15 create name=s:x primary=s:/tmp/file secondary=s:/dev/ram1
assert_contains "$OUT" "primary /tmp/file is not a block device" "message"
refused 15 create name=s:x primary=s:/dev/ram0 secondary=s:/dev/null
refused 15 create name=s:x primary=s:/proc/self/mem secondary=s:/dev/ram1
refused 15 create name=s:x primary=s:/dev secondary=s:/dev/ram1
refused 2 create name=s:x primary=s:/dev/nonexistent secondary=s:/dev/ram1
refused 2 create name=s:x primary=s:relative/path secondary=s:/dev/ram1
assert_eq "" "$(bmnl --dump get)" "mirrors after refusals"

# A mirror as a leg of a new mirror whose other leg it already sits on.
must bmnl create name=s:m0 primary=s:/dev/ram0 secondary=s:/dev/ram1
refused 22 create name=s:m1 primary=s:/dev/blkmirror0 secondary=s:/dev/ram0
assert_contains "$OUT" "is a blkmirror stacked on" "message"
refused 22 create name=s:m1 primary=s:/dev/ram1 secondary=s:/dev/blkmirror0
# A mirror as its own leg: the name is taken, and the device is its own.
refused 17 create name=s:m0 primary=s:/dev/blkmirror0 secondary=s:/dev/ram1
must bmnl destroy name=s:m0

# A leg path at the longest allowed (1023 bytes, resolving to /dev/ram0):
# the create reply, GET and the dump all carry it whole.
long=/dev
while [ ${#long} -lt 1014 ]; do long=$long/.; done
long=$long/ram0
must bmnl create name=s:long primary=s:$long secondary=s:/dev/ram1
assert_contains "$OUT" "$long" "create reply with a ${#long}-byte path"
must bmnl get name=s:long
assert_contains "$OUT" "$long" "GET with a ${#long}-byte path"
must bmnl --dump get
assert_contains "$OUT" "$long" "dump with a ${#long}-byte path"
assert_eq "$long" "$(mirror_field long primary)" "mirrorctl status primary"
must bmnl destroy name=s:long

# Partitions: while a partition is a leg, its whole disk is busy.
# Every leg was let go above: brd must unload.
rmmod brd 2>/tmp/rmmod.err || fail "brd still held: $(cat /tmp/rmmod.err)"
modprobe brd rd_nr=3 rd_size=16384 max_part=4 || fail "brd with partitions"
# One primary partition of 8 MiB at sector 2048 on ram0 and ram1.
for d in /dev/ram0 /dev/ram1; do
	printf '\000\000\000\000\203\000\000\000\000\010\000\000\000\100\000\000' |
		dd of=$d bs=1 seek=446 conv=notrunc 2>/dev/null
	printf '\125\252' | dd of=$d bs=1 seek=510 conv=notrunc 2>/dev/null
	blockdev --rereadpt $d
done
wait_until 5 test -b /dev/ram1p1 || fail "no /dev/ram1p1: brd with max_part=4 made no partitions"
must bmnl create name=s:p primary=s:/dev/ram0p1 secondary=s:/dev/ram1p1
refused 16 create name=s:w primary=s:/dev/ram0 secondary=s:/dev/ram2
refused 22 create name=s:w primary=s:/dev/ram1p1 secondary=s:/dev/ram1p1
must bmnl destroy name=s:p
for d in /dev/ram0 /dev/ram1 /dev/ram0p1 /dev/ram1p1 /dev/ram2; do
	assert_exclusive $d
done
