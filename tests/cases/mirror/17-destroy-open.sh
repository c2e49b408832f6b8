#!/bin/sh
# CHECK: destroy of an open mirror fails with EBUSY; with --force it succeeds, later I/O on the open fd fails and the device disappears
# TIMEOUT: 120
. /tests/lib.sh

make_legs 64
load_blkmirror
dev=$(make_mirror held /dev/ram0 /dev/ram1 --max-rate 16M)
exec 3<>"$dev"
assert_refused "Device or resource busy" mirrorctl destroy held
note "$ERR"
assert_eq held "$(mirror_field held name)" "mirror still there after refused destroy"
dd bs=4096 count=1 skip=100 <&3 >/dev/null 2>&1 || fail "read through the open fd failed before destroy"
must mirrorctl destroy held --force
assert_eq "[]" "$(mirrorctl list --json)" "mirrors after destroy --force"
wait_until 5 sh -c "! test -e $dev" || fail "$dev still exists after destroy --force"
# Never-read offsets must come from the (gone) device, not the page cache.
# A failed read or end-of-device both mean no data comes back.
n=$(dd bs=4096 count=1 skip=5000 <&3 2>/tmp/rd.err | wc -c)
note "read after destroy: $n bytes; $(cat /tmp/rd.err)"
assert_eq 0 "$n" "bytes read from a destroyed mirror"
dd if=/dev/zero bs=4096 count=1 seek=6000 conv=fsync >&3 2>/tmp/wr.err &&
	fail "write+fsync to a destroyed mirror succeeded"
note "write after destroy: $(cat /tmp/wr.err)"
exec 3>&-
assert_exclusive /dev/ram0
assert_exclusive /dev/ram1
