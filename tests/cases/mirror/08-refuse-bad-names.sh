#!/bin/sh
# CHECK: empty, 64-byte, '/'-containing and space-containing names are refused with EINVAL; a 63-byte name works
. /tests/lib.sh

make_legs 64
load_blkmirror
n63=abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk
assert_eq 63 "${#n63}" "length of the 63-byte name"
for bad in "" "${n63}x" "a/b" "a b"; do
	assert_ctl_refuses mirrorctl create "$bad" /dev/ram0 /dev/ram1
	note "name '$bad': $ERR"
	assert_kernel_refuses "Invalid argument" "$bad" /dev/ram0 /dev/ram1
	note "kernel: $OUT"
	assert_no_mirrors
done
assert_exclusive /dev/ram0
assert_exclusive /dev/ram1
make_mirror "$n63" /dev/ram0 /dev/ram1 >/dev/null
assert_eq "$n63" "$(mirror_field "$n63" name)" "63-byte name in status"
