#!/bin/sh
# CHECK: --max-rate and set are reported in bytes/s and take effect on a running resync; wait --timeout on a slow resync exits 5
# TIMEOUT: 120
. /tests/lib.sh

uptime_s() { cut -d' ' -f1 /proc/uptime; }

make_legs 64
load_blkmirror
make_mirror slow /dev/ram0 /dev/ram1 --max-rate 1M >/dev/null
assert_eq 1048576 "$(mirror_field slow max_rate_bytes_per_sec)" "max rate from create"
run mirrorctl wait slow --timeout 1
assert_eq 5 "$RC" "wait --timeout 1 on a 64 s copy (stderr: $ERR)"
assert_eq resyncing "$(mirror_field slow state)" "state after the wait timed out"
must mirrorctl set slow --max-rate 2MiB/s
assert_eq 2097152 "$(mirror_field slow max_rate_bytes_per_sec)" "max rate after set 2MiB/s"
must mirrorctl set slow --max-rate 0
assert_eq 0 "$(mirror_field slow max_rate_bytes_per_sec)" "max rate after set 0 (unlimited)"
# Unlimited, the rest of a 64 MiB copy takes well under a second here;
# still throttled at 2 MiB/s it would take about 30 s.
t0=$(uptime_s)
wait_synced slow 60
t1=$(uptime_s)
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%d", b - a}')
note "rest of the copy after set --max-rate 0: ${secs}s"
assert_le "$(tscale 10)" "$secs" "seconds to finish after lifting the rate limit"
assert_legs_equal /dev/ram0 /dev/ram1

# Raising a limit (not lifting it) takes effect too.
must mirrorctl destroy slow
dev_fill /dev/ram1 stale-again
make_mirror fast /dev/ram0 /dev/ram1 --max-rate 1M >/dev/null
must mirrorctl set fast --max-rate 1G
t0=$(uptime_s)
wait_synced fast 60
t1=$(uptime_s)
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%d", b - a}')
note "copy after set --max-rate 1G: ${secs}s"
assert_le "$(tscale 10)" "$secs" "seconds to finish after raising the rate limit to 1G"
