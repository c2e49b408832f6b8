#!/bin/sh
# CHECK: under a steady foreground fio the copy yields (status says yielding) and still advances at its floor; once fio stops it stops yielding and finishes, the legs byte-identical
# TIMEOUT: 300
. /tests/lib.sh

[ -d /proc/sysvipc ] || skip "kernel without System V IPC: fio cannot run"

make_legs 256
load_blkmirror
dev=$(make_mirror load /dev/ram0 /dev/ram1 --max-rate $PIN_RATE)
# Writes through the mirror (the copy must keep them on both legs) and
# reads, at QD1, until killed: a foreground that never pauses.
fio --name=fg --filename="$dev" --allow_file_create=0 --rw=randrw --bs=4k \
	--direct=1 --ioengine=psync --size=256M --time_based --runtime=3600 \
	--randrepeat=0 --output=/tmp/fio.out >/dev/null 2>/tmp/fio.err &
fpid=$!
writing() {
	[ "$(json_get_nested "$(mirrorctl status load --json)" primary_stats writes)" -gt 0 ]
}
wait_until 60 writing || fail "fio wrote nothing in 60 s: $(cat /tmp/fio.err)"
assert_resyncing load "once fio writes"
s0=$(mirror_field load synced_bytes)
# Let go, with a floor that a slow guest can still give.
must mirrorctl set load --max-rate 0 --min-rate 4M
yielding() { [ "$(mirror_field load yielding)" = true ]; }
wait_until 30 yielding || fail "the copy does not yield to fio: $(mirrorctl status load --json)"
must mirrorctl status load
note "$(printf '%s\n' "$OUT" | grep 'state:')"
assert_contains "$OUT" "yielding to foreground I/O" "status text under load"
# The floor holds under load: the copy moves on (by 8 regions here; no
# speed is asserted, a slow machine only takes longer).
advanced() { [ "$(mirror_field load synced_bytes)" -ge $((s0 + 8 * 1048576)) ]; }
wait_until 120 advanced || fail "the copy did not advance under load: $s0 -> $(mirror_field load synced_bytes)"
assert_resyncing load "after 8 regions under load"
kill -0 $fpid || fail "fio ended early: $(cat /tmp/fio.out /tmp/fio.err)"
s1=$(mirror_field load synced_bytes)
note "under load: synced $s0 -> $s1 bytes, rate $(mirror_field load rate_bytes_per_sec) B/s"
kill $fpid
wait $fpid
grep -q 'err= 0' /tmp/fio.out || fail "fio reported errors: $(cat /tmp/fio.out)"
# Idle again: the copy takes the bandwidth back and ends.
wait_synced load 150
assert_eq false "$(mirror_field load yielding)" "yielding once in sync"
assert_legs_equal /dev/ram0 /dev/ram1
