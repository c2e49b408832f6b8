#!/bin/sh
# CHECK: a leg that is not a block device (/dev/null, a regular file) is refused with ENOTBLK
. /tests/lib.sh

make_legs 64
load_blkmirror
truncate -s 64M /tmp/file.img
for bad in /dev/null /tmp/file.img; do
	assert_ctl_refuses mirrorctl create m0 /dev/ram0 "$bad"
	note "$ERR"
	assert_contains "$ERR" "$bad" "mirrorctl message names $bad"
	assert_ctl_refuses mirrorctl create m0 "$bad" /dev/ram1
	assert_kernel_refuses "Block device required" m0 /dev/ram0 "$bad"
	note "kernel: $OUT"
	assert_contains "$OUT" "$bad" "kernel message names $bad"
	assert_kernel_refuses "Block device required" m0 "$bad" /dev/ram1
done
assert_no_mirrors
assert_exclusive /dev/ram0
assert_exclusive /dev/ram1
make_mirror m0 /dev/ram0 /dev/ram1 >/dev/null
