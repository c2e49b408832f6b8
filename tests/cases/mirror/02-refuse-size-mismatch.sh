#!/bin/sh
# CHECK: legs of different sizes are refused with EINVAL and a message naming both sizes in bytes; nothing is left behind
. /tests/lib.sh

make_brd 3 64
load_dm
dm_create small "0 65536 linear /dev/ram2 0"	# 32 MiB
load_blkmirror
assert_refused "Invalid argument" mirrorctl create m0 /dev/ram0 /dev/mapper/small
note "$ERR"
assert_contains "$ERR" "mirrorctl: create m0: " "error prefix"
assert_contains "$ERR" 67108864 "primary size in the message"
assert_contains "$ERR" 33554432 "secondary size in the message"
assert_eq "" "$OUT" "stdout of a refused create"
assert_refused "Invalid argument" mirrorctl create m0 /dev/mapper/small /dev/ram0
assert_kernel_refuses "Invalid argument" m0 /dev/ram0 /dev/mapper/small
assert_contains "$OUT" 33554432 "secondary size in the kernel message"
assert_no_mirrors
assert_exclusive /dev/ram0
assert_exclusive /dev/mapper/small
must mirrorctl create m0 /dev/ram0 /dev/ram1
assert_eq /dev/blkmirror0 "$OUT" "create after refusals reuses the first device"
