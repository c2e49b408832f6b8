#!/bin/sh
# CHECK: primary == secondary (same path, or another node of the same device) is refused with EINVAL
. /tests/lib.sh

make_legs 64
load_blkmirror
assert_ctl_refuses mirrorctl create m0 /dev/ram0 /dev/ram0
note "$ERR"
assert_kernel_refuses "Invalid argument" m0 /dev/ram0 /dev/ram0
note "kernel: $OUT"
# A second node with the same numbers: only the kernel can tell.
mknod /tmp/ram0-alias b "$(cat /sys/block/ram0/dev | cut -d: -f1)" \
	"$(cat /sys/block/ram0/dev | cut -d: -f2)"
assert_ctl_refuses mirrorctl create m0 /dev/ram0 /tmp/ram0-alias
assert_kernel_refuses "Invalid argument" m0 /dev/ram0 /tmp/ram0-alias
assert_no_mirrors
assert_exclusive /dev/ram0
make_mirror m0 /dev/ram0 /dev/ram1 >/dev/null
