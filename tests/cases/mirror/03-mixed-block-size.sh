#!/bin/sh
# CHECK: 512-byte (brd) and 4096-byte (loop -b 4096) legs mirror, in both orders, with logical_block_size 4096; data round-trips
. /tests/lib.sh

make_brd 1 64					# 512-byte blocks
truncate -s 64M /tmp/lbs4k.img
lo=$(make_loop /tmp/lbs4k.img 4096)
assert_eq "$(dev_size /dev/ram0)" "$(dev_size "$lo")" "leg sizes"
assert_eq 4096 "$(blockdev --getss "$lo")" "loop logical block size"
assert_eq 512 "$(blockdev --getss /dev/ram0)" "brd logical block size"
load_blkmirror

for order in "/dev/ram0 $lo" "$lo /dev/ram0"; do
	set -- $order
	dev=$(make_mirror mx "$1" "$2" --max-rate 0)
	j=$(mirrorctl status mx --json)
	assert_eq 4096 "$(json_get "$j" logical_block_size)" "logical_block_size ($order)"
	assert_eq "$(blockdev --getss "$1")" "$(json_get "$j" primary_lbs)" "primary_lbs ($order)"
	assert_eq "$(blockdev --getss "$2")" "$(json_get "$j" secondary_lbs)" "secondary_lbs ($order)"
	assert_eq 4096 "$(blockdev --getss "$dev")" "BLKSSZGET of $dev ($order)"
	dev_fill "$dev" "lbs-$1" 1M 8M
	dev_verify "$dev" "lbs-$1" 1M 8M
	dev_verify "$1" "lbs-$1" 1M 8M
	wait_synced mx 120
	dev_verify "$2" "lbs-$1" 1M 8M
	must mirrorctl destroy mx
done
assert_no_mirrors
