#!/bin/sh
# CHECK: the NBD connection of a secondary dropped mid-copy (nbd-server killed): the mirror degrades with the secondary failed, every write of a logged writer is acknowledged and on the primary, no command hangs; detach --force says not consistent, and attach of a fresh NBD device syncs, matches the primary, and switches
# TIMEOUT: 240
. /tests/lib.sh
. /tests/cases/migrate/migrate.inc
. /tests/cases/faults/faults.inc

make_brd 1 64
dev_fill /dev/ram0 base
nbd_up
nbd_serve a /tmp/export-a.img 64 10809
nbd_connect 10809 /dev/nbd0 64 5
load_blkmirror
dev=$(make_mirror m /dev/ram0)

# The copy is held at 1 byte/s until the connection is gone.
must mirrorctl attach m /dev/nbd0 --max-rate 1
bmblk ackwrite "$dev" /tmp/case/acks w 64K 5000 /tmp/case/stop &
wpid=$!
wait_lines /tmp/case/acks 40
nbd_kill a
must mirrorctl set m --max-rate 0
mirror_degraded() { [ "$(mirror_field m state)" = degraded ]; }
wait_until 60 mirror_degraded || fail "not degraded 60 s after the NBD server died: $(mirrorctl status m --json)"
assert_degraded m secondary 5
n_deg=$(lines /tmp/case/acks)
wait_lines /tmp/case/acks $((n_deg + 40)) 60
touch /tmp/case/stop
wait $wpid || fail "ackwrite exited $?"
ack_check "$dev" /tmp/case/acks w
assert_eq "$(lines /tmp/case/acks)" "$ACKED" "every write acknowledged with the secondary gone"
ack_check /dev/ram0 /tmp/case/acks w

# Nothing hangs: each of these answers within seconds.
run timeout 20 mirrorctl status m
assert_eq 0 "$RC" "status of the degraded mirror ($ERR)"
run timeout 20 mirrorctl wait m --timeout 10
assert_eq 6 "$RC" "wait on the degraded mirror ($ERR)"
run timeout 20 mirrorctl switch m
assert_eq 1 "$RC" "switch of a degraded mirror ($ERR)"
assert_contains "$ERR" "switch m: " "switch message"
run timeout 20 mirrorctl detach m
assert_eq 1 "$RC" "detach of a degraded mirror without --force ($ERR)"
run timeout 30 mirrorctl detach m --force --json
assert_eq 0 "$RC" "detach --force of the degraded mirror ($ERR)"
note "$OUT"
assert_eq false "$(json_get "$OUT" consistent)" "forced detach of a degraded mirror: consistent"
assert_eq /dev/nbd0 "$(json_get "$OUT" detached)" "detached leg"
assert_eq single "$(mirror_field m state)" "state after the forced detach"
run timeout 20 /usr/sbin/nbd-client -d /dev/nbd0
note "nbd-client -d of the dead device: rc $RC $OUT $ERR"

# A fresh NBD device recovers the mirror.
nbd_serve b /tmp/export-b.img 64 10810
nbd_connect 10810 /dev/nbd1 64 5
# Written while single again: the new copy must carry it.  The logged
# writes it covers are left out of the checks below.
dev_fill "$dev" later 8M 4M
awk '$1 + $2 <= 8388608 || $1 >= 12582912' /tmp/case/acks >/tmp/case/acks.kept
must timeout 120 mirrorctl attach m /dev/nbd1 --wait
assert_eq "$dev" "$OUT" "attach --wait of the fresh NBD device"
assert_same_data /dev/ram0 /dev/nbd1
ack_check /dev/nbd1 /tmp/case/acks.kept w
dev_verify /dev/nbd1 later 8M 4M
must mirrorctl switch m
assert_match "$OUT" '^m: /dev/nbd1 is now the primary; /dev/ram0 released; ' "switch to the fresh device"
ack_check "$dev" /tmp/case/acks.kept w
dev_verify "$dev" later 8M 4M
assert_exclusive /dev/ram0
must mirrorctl destroy m
/usr/sbin/nbd-client -d /dev/nbd1 >/dev/null 2>&1
nbd_kill b
