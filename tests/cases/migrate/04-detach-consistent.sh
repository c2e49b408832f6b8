#!/bin/sh
# CHECK: detach of an in-sync mirror after its writer is quiesced leaves the secondary byte-identical to the device at that moment and never written again, and says consistent true (JSON and human); with the writer running, every write acknowledged before the detach is on the detached leg and none submitted after it; a forced detach during a held resync says consistent false, and a wait following that copy ends with exit 8; monitor shows both detached events
# TIMEOUT: 150
. /tests/lib.sh
. /tests/cases/migrate/migrate.inc
. /tests/cases/faults/faults.inc

make_brd 3 64
dev_fill /dev/ram0 base
dev_fill /dev/ram1 stale
dev_fill /dev/ram2 stale2
load_blkmirror
dev=$(make_mirror d /dev/ram0)
start_monitor d /tmp/case/events
must mirrorctl attach d /dev/ram1 --wait

# Writes while in sync, then quiesce and detach.
bmblk ackwrite "$dev" /tmp/case/acks w 64K 2000 /tmp/case/stop &
wpid=$!
wait_lines /tmp/case/acks 100
touch /tmp/case/stop
wait $wpid || fail "ackwrite exited $?"
sum=$(dev_sum "$dev")
must mirrorctl detach d --json
note "$OUT"
assert_match "$OUT" '^\{"name":"d","primary":"/dev/ram0","detached":"/dev/ram1","consistent":true,"state":"single"\}$' "detach --json of an in-sync mirror"
assert_eq "$sum" "$(dev_sum /dev/ram1)" "the detached leg against the device at the detach"
assert_same_data "$dev" /dev/ram1
ack_check /dev/ram1 /tmp/case/acks w
assert_exclusive /dev/ram1
assert_eq single "$(mirror_field d state)" "state after detach"
assert_eq null "$(mirror_field d secondary)" "secondary after detach"
# The detached leg gets nothing more.
dev_fill "$dev" after 0 8M
dev_verify /dev/ram0 after 0 8M
assert_eq "$sum" "$(dev_sum /dev/ram1)" "the detached leg after later writes"

# The human form, in sync.
must mirrorctl attach d /dev/ram1 --wait
must mirrorctl detach d
assert_eq "d: detached /dev/ram1, a consistent copy as of the detach" "$OUT" "detach message"
assert_same_data "$dev" /dev/ram1

# A copy held at 1 byte/s: detach needs --force and says not consistent;
# a wait following the copy ends with the detach.
must mirrorctl attach d /dev/ram2 --max-rate 1 --region-size 256K --json
note "$OUT"
assert_eq resyncing "$(json_get "$OUT" state)" "state in the attach --json object"
assert_eq /dev/ram2 "$(json_get "$OUT" secondary)" "secondary in the attach --json object"
j=$(mirrorctl status d --json)
assert_eq resyncing "$(json_get "$j" state)" "state with the copy held"
assert_eq 262144 "$(json_get "$j" region_size_bytes)" "attach --region-size"
assert_eq 1 "$(json_get "$j" max_rate_bytes_per_sec)" "attach --max-rate"
mirrorctl wait d >/tmp/case/wait.out 2>/tmp/case/wait.err &
waitpid=$!
# Its first progress line: subscribed, state read, following events.
wait_lines /tmp/case/wait.out 1 10
must mirrorctl detach d --force --json
note "$OUT"
assert_match "$OUT" '^\{"name":"d","primary":"/dev/ram0","detached":"/dev/ram2","consistent":false,"state":"single"\}$' "forced detach --json during resync"
wait $waitpid
rc=$?
assert_eq 8 "$rc" "exit code of a wait whose secondary was detached ($(cat /tmp/case/wait.err))"
assert_contains "$(cat /tmp/case/wait.err)" "mirrorctl: wait d: the secondary /dev/ram2 was detached" "wait message"
assert_exclusive /dev/ram2
assert_eq single "$(mirror_field d state)" "state after the forced detach"
must mirrorctl attach d /dev/ram2 --max-rate 1
must mirrorctl detach d --force
assert_eq "d: detached /dev/ram2, NOT a consistent copy (it was not in sync)" "$OUT" "forced detach message"
dev_verify "$dev" after 0 8M

# In sync with the writer still running: what was acknowledged before the
# detach began is on the detached leg; what was submitted after it
# returned is not (the first one after may have been in flight).
# The mirror keeps the limit of the last attach (1 byte/s): lift it.
must mirrorctl attach d /dev/ram1 --max-rate 0 --wait
rm -f /tmp/case/stop
bmblk ackwrite "$dev" /tmp/case/acks2 v 64K 3000 /tmp/case/stop &
wpid=$!
wait_lines /tmp/case/acks2 60
n_pre=$(lines /tmp/case/acks2)
must mirrorctl detach d --json
n_post=$(lines /tmp/case/acks2)
wait_lines /tmp/case/acks2 $((n_post + 30))
touch /tmp/case/stop
wait $wpid || fail "ackwrite exited $?"
note "acks: $n_pre before the detach, $n_post after it, $(lines /tmp/case/acks2) in all"
assert_eq true "$(json_get "$OUT" consistent)" "detach under a writer, in sync: consistent"
head -n "$n_pre" /tmp/case/acks2 >/tmp/case/acks2.pre
ack_check /dev/ram1 /tmp/case/acks2.pre v
ack_check "$dev" /tmp/case/acks2 v
tail -n +$((n_post + 2)) /tmp/case/acks2 >/tmp/case/acks2.post
while read -r off len st; do
	if bmpattern verify /dev/ram1 v "$off" "$len" >/dev/null 2>&1; then
		fail "a write submitted after the detach is on the detached leg at $off"
	fi
done </tmp/case/acks2.post

stop_monitor /tmp/case/events detached 5
note "$(cat /tmp/case/events)"
assert_event /tmp/case/events detached '"detached":"/dev/ram1","consistent":true'
assert_event /tmp/case/events detached '"detached":"/dev/ram2","consistent":false'
must mirrorctl destroy d
assert_exclusive /dev/ram0
