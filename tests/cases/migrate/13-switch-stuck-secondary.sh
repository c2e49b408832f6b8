#!/bin/sh
# CHECK: a switch while a write to the new primary is stuck (its dm device suspended) gives up by itself within about 15-40 s with exit 1 and "changed nothing": same legs, same state, reads through the mirror go on while the leg is still stuck; once it answers again the write completes, the switch goes through and the data is intact
# TIMEOUT: 180
. /tests/lib.sh
. /tests/cases/migrate/migrate.inc
. /tests/cases/faults/faults.inc

make_brd 2 32
dev_fill /dev/ram0 data
load_dm
dm_create sec "0 $(sectors /dev/ram1) linear /dev/ram1 0"
load_blkmirror
dev=$(make_mirror m /dev/ram0)
must mirrorctl attach m /dev/mapper/sec --wait
before=$(shape m) || fail "status before"

# A flush alone would not be stuck (brd, hence the dm device, has no
# write cache: an empty flush never reaches dm); a write is.
w0=$(stat_of m primary writes)
dmsetup suspend sec || fail "dmsetup suspend sec"
bmpattern write "$dev" stuck 0 64K &
wpid=$!
wrote() { [ "$(stat_of m primary writes)" -gt "$w0" ]; }
wait_until 20 wrote || fail "the write did not reach the mirror's primary"
kill -0 $wpid 2>/dev/null || fail "the write completed with its secondary half suspended"
t0=$(date +%s)
run timeout 90 mirrorctl switch m
t1=$(date +%s)
note "switch with a write stuck on the new primary: rc $RC after $((t1 - t0)) s: $ERR"
assert_eq 1 "$RC" "switch with a write stuck on the new primary ($ERR)"
assert_contains "$ERR" "mirrorctl: switch m: " "message names the mirror"
assert_contains "$ERR" "changed nothing" "message says nothing changed"
assert_le 45 $((t1 - t0)) "seconds the switch took to give up"
# Reads are the primary's: they go on while the secondary is still stuck.
run timeout 20 bmpattern verify "$dev" data 4M 4M
assert_eq 0 "$RC" "read through the mirror with the secondary stuck ($ERR)"
after=$(shape m) || fail "status after"
assert_eq "$before" "$after" "status after the failed switch"

dmsetup resume sec || fail "dmsetup resume sec"
wait $wpid || fail "the stuck write failed once its leg answered"
wait_synced m 30
must mirrorctl switch m
note "$OUT"
assert_match "$OUT" '^m: /dev/mapper/sec is now the primary; /dev/ram0 released; ' "switch once the leg answers"
dev_verify "$dev" stuck 0 64K
dev_verify "$dev" data 64K 4M
assert_legs_equal /dev/ram0 /dev/mapper/sec
assert_exclusive /dev/ram0
