#!/bin/sh
# CHECK: --region-size is honoured at 64K and 4M and refused with EINVAL outside 64 KiB..64 MiB; data syncs with small regions
# TIMEOUT: 120
. /tests/lib.sh

make_legs 64
load_blkmirror
assert_ctl_refuses mirrorctl create r /dev/ram0 /dev/ram1 --region-size 32K
note "$ERR"
assert_ctl_refuses mirrorctl create r /dev/ram0 /dev/ram1 --region-size 128M
assert_kernel_refuses "Invalid argument" r /dev/ram0 /dev/ram1 32768
note "kernel: $OUT"
assert_kernel_refuses "Invalid argument" r /dev/ram0 /dev/ram1 $((128 << 20))
assert_no_mirrors
make_mirror r /dev/ram0 /dev/ram1 --region-size 4M >/dev/null
assert_eq 4194304 "$(mirror_field r region_size_bytes)" "region_size_bytes (4M)"
must mirrorctl destroy r
dev=$(make_mirror r /dev/ram0 /dev/ram1 --region-size 64K)
assert_eq 65536 "$(mirror_field r region_size_bytes)" "region_size_bytes (64K)"
dev_fill "$dev" small-regions $((65536 - 4096)) $((3 * 65536))
wait_synced r 60
dev_verify /dev/ram1 small-regions $((65536 - 4096)) $((3 * 65536))
assert_legs_equal /dev/ram0 /dev/ram1
