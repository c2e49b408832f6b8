#!/bin/sh
# CHECK: destroying a closed mirror mid-resync succeeds, removes the device, frees the legs and leaves the primary intact
# TIMEOUT: 120
. /tests/lib.sh

make_legs 256
load_blkmirror
make_mirror gone /dev/ram0 /dev/ram1 --max-rate 16M >/dev/null
wait_until 10 copy_started gone || fail "the copy did not start"
assert_resyncing gone "before destroy"	# 256 MiB at 16M: 16 s at least
must mirrorctl destroy gone
assert_no_mirrors
assert_exclusive /dev/ram0
assert_exclusive /dev/ram1
dev_verify /dev/ram0 primary
