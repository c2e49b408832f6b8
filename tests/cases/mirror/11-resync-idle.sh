#!/bin/sh
# CHECK: an idle 256 MiB mirror resyncs to byte-identical legs; counters report the whole copy
# TIMEOUT: 180
. /tests/lib.sh

make_legs 256
load_blkmirror
t0=$(cut -d' ' -f1 /proc/uptime)
dev=$(make_mirror idle /dev/ram0 /dev/ram1)
wait_synced idle 150
t1=$(cut -d' ' -f1 /proc/uptime)
note "resync of 256 MiB took $(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}') s"
j=$(mirrorctl status idle --json)
note "$j"
size=$((256 << 20))
assert_eq 100 "$(json_get "$j" percent)" "percent"
assert_eq "$size" "$(json_get "$j" synced_bytes)" "synced_bytes"
assert_eq "$size" "$(json_get_nested "$j" secondary_stats copy_bytes)" "secondary copy_bytes"
assert_eq 0 "$(json_get_nested "$j" secondary_stats write_errors)" "secondary write_errors"
assert_legs_equal /dev/ram0 /dev/ram1
dev_verify /dev/ram1 primary
dev_verify "$dev" primary
