#!/bin/sh
# CHECK: a writer logging every acknowledged write runs across attach, the copy and switch of a single-leg mirror: every logged write reads back from the device and from the new primary, every write acknowledged before the switch is on the old primary and none submitted after it; the released old primary re-attaches, syncs and detaches as a consistent copy; monitor shows attached, complete, switched, detached
# TIMEOUT: 180
. /tests/lib.sh
. /tests/cases/migrate/migrate.inc
. /tests/cases/faults/faults.inc

make_brd 2 32
dev_fill /dev/ram0 base
dev_fill /dev/ram1 stale
load_blkmirror
dev=$(make_mirror m /dev/ram0)
start_monitor m /tmp/case/events

# 1024 slots of 32 KiB, one every 10 ms or so: it outlasts all of the below
# and is stopped by the stop file once the switch is behind it.
bmblk ackwrite "$dev" /tmp/case/acks w 32K 10000 /tmp/case/stop &
wpid=$!
wait_lines /tmp/case/acks 30

# Attach with the copy held, so that writes fall before, in and behind it.
must mirrorctl attach m /dev/ram1 --max-rate 1
assert_eq "$dev" "$OUT" "attach prints the device node"
n_attach=$(lines /tmp/case/acks)
j=$(mirrorctl status m --json)
assert_eq resyncing "$(json_get "$j" state)" "state after attach"
assert_eq /dev/ram1 "$(json_get "$j" secondary)" "secondary after attach"
wait_lines /tmp/case/acks $((n_attach + 40))
must mirrorctl set m --max-rate 0
wait_synced m 60
n_sync=$(lines /tmp/case/acks)
wait_lines /tmp/case/acks $((n_sync + 20))

n_pre=$(lines /tmp/case/acks)
must mirrorctl switch m
n_post=$(lines /tmp/case/acks)
note "$OUT"
assert_match "$OUT" '^m: /dev/ram1 is now the primary; /dev/ram0 released; I/O paused [0-9]+\.[0-9]{3} ms$' "switch output"
wait_lines /tmp/case/acks $((n_post + 40))
touch /tmp/case/stop
wait $wpid || fail "ackwrite exited $?"
total=$(lines /tmp/case/acks)
note "acks: $n_attach before attach, $n_sync at sync, $n_pre/$n_post around the switch, $total in all"
assert_ge $((n_post + 40)) "$total" "writes after the switch"
assert_le 1023 "$total" "the writer was stopped, not done (so it spanned everything)"

j=$(mirrorctl status m --json)
assert_eq single "$(json_get "$j" state)" "state after switch"
assert_eq /dev/ram1 "$(json_get "$j" primary)" "primary after switch"
assert_eq null "$(json_get "$j" secondary)" "secondary after switch"
assert_exclusive /dev/ram0

# Every acknowledged write is on the device and on the new primary.
ack_check "$dev" /tmp/case/acks w
assert_eq "$total" "$ACKED" "acknowledged writes"
ack_check /dev/ram1 /tmp/case/acks w
# Those acknowledged before the switch began are on the old primary too ...
head -n "$n_pre" /tmp/case/acks >/tmp/case/acks.pre
ack_check /dev/ram0 /tmp/case/acks.pre w
# ... and none submitted after it returned (the first one after may have
# been in flight during it).
tail -n +$((n_post + 2)) /tmp/case/acks >/tmp/case/acks.post
on_old=0
while read -r off len st; do
	bmpattern verify /dev/ram0 w "$off" "$len" >/dev/null 2>&1 && on_old=$((on_old + 1))
	bmpattern verify /dev/ram0 base "$off" "$len" >/dev/null 2>&1 ||
		fail "old primary changed at $off+$len after the switch"
done </tmp/case/acks.post
assert_eq 0 "$on_old" "writes after the switch found on the old primary"

# The released leg comes back as a secondary and leaves as a consistent copy.
must mirrorctl attach m /dev/ram0 --wait
assert_eq "$dev" "$OUT" "attach --wait stdout is the node only"
assert_contains "$ERR" "m: 100% in sync (32.0 MiB)" "attach --wait progress on stderr"
must mirrorctl detach m --json
note "$OUT"
assert_eq true "$(json_get "$OUT" consistent)" "detach of an in-sync mirror: consistent"
assert_eq /dev/ram0 "$(json_get "$OUT" detached)" "detached leg"
assert_eq single "$(json_get "$OUT" state)" "state in the detach result"
assert_legs_equal /dev/ram0 /dev/ram1
ack_check /dev/ram0 /tmp/case/acks w

stop_monitor /tmp/case/events detached 1
note "$(cat /tmp/case/events)"
assert_event /tmp/case/events attached '"secondary":"/dev/ram1"'
assert_event /tmp/case/events complete '"size_bytes":33554432'
assert_event /tmp/case/events switched '"primary":"/dev/ram1","old_primary":"/dev/ram0","pause_usec":[0-9]+'
assert_event /tmp/case/events attached '"secondary":"/dev/ram0"'
assert_event /tmp/case/events detached '"detached":"/dev/ram0","consistent":true'
# In that order.
order=$(sed -n 's/.*"event":"\([a-z]*\)".*/\1/p' /tmp/case/events | grep -v -e progress -e changed | tr '\n' ' ')
assert_eq "attached complete switched attached complete detached " "$order" "event order"
must mirrorctl destroy m
assert_exclusive /dev/ram1
