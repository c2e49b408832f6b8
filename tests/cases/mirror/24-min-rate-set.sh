#!/bin/sh
# CHECK: --min-rate defaults to 32 MiB/s in status, JSON and sysfs; set changes either limit on a running copy at once, without restarting it, announced by a changed event; progress events carry both limits; a min rate above the max rate is refused by mirrorctl and by the kernel, and changes nothing
# TIMEOUT: 180
. /tests/lib.sh

make_legs 64
load_blkmirror
mirrorctl monitor --json >/tmp/mon.json 2>/tmp/mon.err &
mpid=$!
wait_until 10 subscribed $mpid || fail "monitor did not subscribe: $(cat /tmp/mon.err)"

# The default floor, everywhere it is shown.
make_mirror r /dev/ram0 /dev/ram1 --max-rate $PIN_RATE >/dev/null
d=/sys/block/$(basename "$(mirror_field r device)")/blkmirror
assert_eq 33554432 "$(mirror_field r min_rate_bytes_per_sec)" "default min rate (JSON)"
assert_eq 1 "$(mirror_field r max_rate_bytes_per_sec)" "max rate from create"
assert_eq 33554432 "$(cat $d/min_rate)" "default min rate (sysfs)"
must mirrorctl status r
assert_match "$OUT" 'min rate: +32\.0 MiB/s \(above the max rate, which holds\)' "status text"
wait_until 20 test "$(mirror_field r synced_bytes)" = 1048576 ||
	fail "the pinned copy did not stop after its first region: $(mirror_field r synced_bytes)"

# A floor above the cap: mirrorctl says so before asking ...
run mirrorctl set r --max-rate 16M --min-rate 64M
assert_eq 2 "$RC" "exit code of set --max-rate 16M --min-rate 64M (stderr: $ERR)"
assert_contains "$ERR" "set r: --min-rate 64.0 MiB/s is above --max-rate 16.0 MiB/s" "mirrorctl's refusal"
run mirrorctl create x /dev/ram0 /dev/ram1 --max-rate 1M --min-rate 2M
assert_eq 2 "$RC" "exit code of create --max-rate 1M --min-rate 2M (stderr: $ERR)"
assert_contains "$ERR" "is above --max-rate" "mirrorctl's refusal of create"
# ... and the kernel refuses one above the cap in force.
assert_refused "Invalid argument" mirrorctl set r --min-rate 2
assert_contains "$ERR" "min rate 2 bytes/s is above max rate 1 bytes/s" "kernel's refusal"
run bmnl set name=s:r min_rate=u64:1000
assert_eq 1 "$RC" "raw set of a min rate above the max rate (output: $OUT $ERR)"
assert_contains "$OUT" "above max rate" "kernel message of the raw set"
assert_eq 33554432 "$(mirror_field r min_rate_bytes_per_sec)" "min rate after the refusals"
assert_eq 1 "$(mirror_field r max_rate_bytes_per_sec)" "max rate after the refusals"
assert_no_mirror_x() { ! mirrorctl status x >/dev/null 2>&1; }
assert_no_mirror_x || fail "the refused create left mirror x behind"

# A change applies at once and is announced; the copy goes on from where it was.
must mirrorctl set r --max-rate 2
wait_until 10 grep -q '"event":"changed","name":"r","max_rate_bytes_per_sec":2,"min_rate_bytes_per_sec":33554432' /tmp/mon.json ||
	fail "no changed event for set --max-rate 2: $(tail -n 3 /tmp/mon.json)"
must mirrorctl set r --min-rate 1
assert_eq 1 "$(mirror_field r min_rate_bytes_per_sec)" "min rate after set"
assert_eq 1 "$(cat $d/min_rate)" "min rate after set (sysfs)"
assert_eq 2 "$(cat $d/max_rate)" "max rate after set (sysfs)"
wait_until 10 grep -q '"event":"changed","name":"r","max_rate_bytes_per_sec":2,"min_rate_bytes_per_sec":1[,}]' /tmp/mon.json ||
	fail "no changed event for set --min-rate 1: $(tail -n 3 /tmp/mon.json)"
# A new limit counts from now: each set may let one more region go.
synced=$(mirror_field r synced_bytes)
assert_ge 1048576 "$synced" "synced bytes after two sets"
assert_le 3145728 "$synced" "synced bytes after two sets at 2 bytes/s"
must mirrorctl set r --max-rate 0 --min-rate 16M
wait_until 10 grep -q '"event":"changed","name":"r","max_rate_bytes_per_sec":0,"min_rate_bytes_per_sec":16777216' /tmp/mon.json ||
	fail "no changed event for set --max-rate 0 --min-rate 16M: $(tail -n 3 /tmp/mon.json)"
# At 1 byte/s the other 63 regions would take years: the lifted cap holds now.
wait_synced r 60
assert_legs_equal /dev/ram0 /dev/ram1
# Never restarted: the copy wrote each region to the secondary once.
assert_eq 67108864 "$(json_get_nested "$(mirrorctl status r --json)" secondary_stats copy_bytes)" \
	"bytes the copy wrote to the secondary"
# Progress events carry both limits as they were when sent.
p=$(grep '"event":"progress","name":"r"' /tmp/mon.json | tail -n 1)
assert_contains "$p" '"max_rate_bytes_per_sec":0,"min_rate_bytes_per_sec":16777216' "limits in the last progress event"
assert_contains "$p" '"yielding":' "yielding in the progress event"
# Exactly the three accepted sets were announced.
assert_eq 3 "$(grep -c '"event":"changed","name":"r"' /tmp/mon.json)" "changed events"
# The human form of the event.
mirrorctl monitor r >/tmp/mon.txt 2>&1 &
hpid=$!
wait_until 10 subscribed $hpid || fail "monitor r did not subscribe"
must mirrorctl set r --min-rate 0
wait_until 10 grep -q '^changed   r max rate unlimited, min rate 0 B/s' /tmp/mon.txt ||
	fail "no human changed line: $(cat /tmp/mon.txt)"
must mirrorctl status r
assert_match "$OUT" 'min rate: +0 \(pause under load\)' "status text of a zero floor"
kill $mpid $hpid
wait $mpid $hpid 2>/dev/null
must mirrorctl destroy r
