#!/bin/sh
# CHECK: on a synced mirror a read the primary fails is served by the secondary with the right data, and the mirror stays synced; a copy that meets unreadable primary sectors goes on past them (not degraded), copies everything else, reports exactly the bad range (status, one unreadable event, complete event), refuses reads there, and a write over the range through the mirror clears it
# TIMEOUT: 120
. /tests/lib.sh
. /tests/cases/faults/faults.inc

make_legs 32
load_dm
S=$(sectors /dev/ram0)
dm_create pri "0 $S linear /dev/ram0 0"
load_blkmirror
dev=$(make_mirror m /dev/mapper/pri /dev/ram1)
wait_synced m 60
# 1 MiB of bad sectors at 8 MiB.
B0=$((8 * 2048)) B1=$((9 * 2048))
bad_primary() {
	dm_swap pri "0 $B0 linear /dev/ram0 0
$B0 $((B1 - B0)) error
$B1 $((S - B1)) linear /dev/ram0 $B1"
}
bad_primary
sreads=$(stat_of m secondary reads)
dev_verify "$dev" primary 8M 64K
dev_verify "$dev" primary 0 32M
assert_eq synced "$(mirror_field m state)" "state after reads the primary failed"
assert_ge 1 "$(stat_of m primary read_errors)" "primary read_errors"
assert_ge $((sreads + 1)) "$(stat_of m secondary reads)" "reads served by the secondary"
assert_eq 0 "$(mirror_field m unreadable_sectors)" "unreadable_sectors of a synced mirror"
dmesg | grep -q "blkmirror: m: read at sector .* failed on primary /dev/mapper/pri; served by secondary" ||
	fail "no kernel log line for the redirected read"
must mirrorctl destroy m

# A new copy from that primary goes on past the bad range.
dev_fill /dev/ram1 stale
# Held at 1 B/s until the monitor has shown the state, so it sees every event.
dev=$(make_mirror m2 /dev/mapper/pri /dev/ram1 --max-rate 1)
mirrorctl monitor m2 --json >/tmp/case/events 2>&1 &
mon=$!
wait_until 10 grep -q '"name":"m2"' /tmp/case/events || fail "monitor showed nothing"
must mirrorctl set m2 --max-rate 0
run mirrorctl wait m2 --timeout "$(tscale 60)"
assert_eq 0 "$RC" "mirrorctl wait exit code ($ERR)"
j=$(mirrorctl status m2 --json)
note "status: $j"
assert_eq synced "$(json_get "$j" state)" "state after a copy past unreadable sectors"
assert_eq $((B1 - B0)) "$(json_get "$j" unreadable_sectors)" "unreadable_sectors"
assert_eq $B0 "$(json_get "$j" unreadable_first_sector)" "unreadable_first_sector"
assert_eq null "$(json_get "$j" failed_leg)" "failed_leg"
# Everything readable was copied; the bad range kept its old contents.
dev_verify /dev/ram1 primary 0 8M
dev_verify /dev/ram1 primary 9M 23M
dev_verify /dev/ram1 stale 8M 1M
wait_until 10 grep -q '"event":"complete"' /tmp/case/events ||
	fail "no complete event: $(cat /tmp/case/events)"
kill $mon
ev=$(grep '"event":"unreadable"' /tmp/case/events) || fail "no unreadable event: $(cat /tmp/case/events)"
note "events: $ev"
# One event per range, not per block: it names where the range starts.
assert_eq 1 "$(echo "$ev" | wc -l)" "unreadable events for one bad range"
assert_contains "$ev" "\"sector\":$B0," "the unreadable event's sector"
assert_contains "$(grep '"event":"complete"' /tmp/case/events)" \
	"\"unreadable_sectors\":$((B1 - B0))" "unreadable_sectors of the complete event"
dmesg | grep -q "blkmirror: m2: copy cannot read sectors" || fail "no kernel log line for the unreadable range"

# The secondary has no copy of the bad range: reading it must fail.
run bmpattern verify "$dev" primary 8M 64K
assert_eq 3 "$RC" "reading the unreadable range through the mirror (bmpattern exit 3 = I/O error; $ERR)"
dev_verify "$dev" primary 9M 23M

# The disk remapped its sectors: a write over the range makes both legs agree.
dm_swap pri "0 $S linear /dev/ram0 0"
dev_fill "$dev" fresh 8M 1M
assert_eq 0 "$(mirror_field m2 unreadable_sectors)" "unreadable_sectors after writing the range"
dev_verify /dev/ram1 fresh 8M 1M
assert_legs_equal /dev/mapper/pri /dev/ram1
teardown m2 /dev/mapper/pri /dev/ram1
