#!/bin/sh
# CHECK: --max-rate and set are reported in bytes/s; wait --timeout on a slow resync exits 5; raising the rate finishes it
# TIMEOUT: 120
. /tests/lib.sh

make_legs 64
load_blkmirror
make_mirror slow /dev/ram0 /dev/ram1 --max-rate 1M >/dev/null
assert_eq 1048576 "$(mirror_field slow max_rate_bytes_per_sec)" "max rate from create"
run mirrorctl wait slow --timeout 1
assert_eq 5 "$RC" "wait --timeout 1 on a 64 s copy (stderr: $ERR)"
must mirrorctl set slow --max-rate 2MiB/s
assert_eq 2097152 "$(mirror_field slow max_rate_bytes_per_sec)" "max rate after set 2MiB/s"
must mirrorctl set slow --max-rate 0
assert_eq 0 "$(mirror_field slow max_rate_bytes_per_sec)" "max rate after set 0 (unlimited)"
wait_synced slow 60
assert_legs_equal /dev/ram0 /dev/ram1
