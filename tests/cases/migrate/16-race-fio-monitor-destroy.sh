#!/bin/sh
# CHECK: switch, detach and a forced detach mid-copy race fio random writes (QD16, crc32c verify), a monitor and a loop of status/list dumps: fio's verify passes through the device and on the leg left; then a forced destroy of a mirror that is open, copying and written by a logged writer returns, frees every leg, sends destroyed, and every write acknowledged before it is on the primary; nothing hangs
# TIMEOUT: 240
. /tests/lib.sh
. /tests/cases/migrate/migrate.inc
. /tests/cases/faults/faults.inc

need_fio
make_brd 3 64
dev_fill /dev/ram1 stale
dev_fill /dev/ram2 stale
load_blkmirror
dev=$(make_mirror r /dev/ram0)
start_monitor r /tmp/case/events
# Dumps of every mirror and of this one, as fast as they come.
(
	while :; do
		mirrorctl status r --json
		mirrorctl list --json
		mirrorctl status
	done
) >/dev/null 2>&1 &
dpid=$!

# 12288 writes of 4 KiB over the first 48 MiB at 400/s: about 30 s, then
# fio reads every block back and checks it.
job="--name=rw --rw=randwrite --bs=4k --size=48M --iodepth=16 --ioengine=libaio
--direct=1 --verify=crc32c --verify_fatal=1 --randrepeat=1 --randseed=7
"
fio $job --filename="$dev" --rate_iops=400 --output=/tmp/case/fio.out >/dev/null 2>&1 &
fpid=$!
writes() { stat_of r primary writes; }
more_writes() { [ "$(writes)" -ge "$1" ]; }
wait_until 30 more_writes 256 || fail "fio wrote nothing: $(cat /tmp/case/fio.out)"

must mirrorctl attach r /dev/ram1 --wait
must mirrorctl switch r
note "$OUT"
must mirrorctl attach r /dev/ram0 --wait
must mirrorctl detach r
note "$OUT"
assert_contains "$OUT" "consistent" "detach in sync"
# A forced detach with the copy part-way.
must mirrorctl attach r /dev/ram2 --max-rate 8M
wait_until 30 copy_started r || fail "the copy onto /dev/ram2 did not start"
must mirrorctl detach r --force
note "$OUT"
assert_contains "$OUT" "not" "a forced detach mid-copy is not consistent"
kill -0 $fpid 2>/dev/null || fail "fio ended before the last detach: make its write phase longer"
wait $fpid
rc=$?
[ "$rc" -eq 0 ] || { cat /tmp/case/fio.out; fail "fio (with its verify) exited $rc"; }
assert_eq "single /dev/ram1" "$(mirror_field r state) $(mirror_field r primary)" "state and primary"
assert_exclusive /dev/ram0
assert_exclusive /dev/ram2
fio $job --filename=/dev/ram1 --verify_only --output=/tmp/case/fio2.out >/dev/null 2>&1 ||
	{ cat /tmp/case/fio2.out; fail "fio verify_only on the primary left"; }

# A forced destroy of an open mirror in the middle of a copy and a write.
must mirrorctl attach r /dev/ram2 --max-rate 8M
bmblk ackwrite "$dev" /tmp/case/acks d 16K 2000 &
wpid=$!
exec 7<"$dev"		# held open
wait_lines /tmp/case/acks 100
wait_until 30 copy_started r || fail "the copy onto /dev/ram2 did not start"
run timeout 60 mirrorctl destroy r --force
assert_eq 0 "$RC" "forced destroy of an open, copying, written mirror ($ERR)"
wait $wpid
note "writer after the destroy: exit $?, $(lines /tmp/case/acks) writes logged"
exec 7<&-
kill $dpid 2>/dev/null
wait $dpid 2>/dev/null
ack_check /dev/ram1 /tmp/case/acks d
assert_ge 100 "$ACKED" "writes acknowledged before the destroy"
stop_monitor /tmp/case/events destroyed 1
order=$(sed -n 's/.*"event":"\([a-z]*\)".*/\1/p' /tmp/case/events | grep -v progress | tr '\n' ' ')
note "events: $order"
assert_eq "attached complete switched attached complete detached attached detached attached destroyed " "$order" "event order"
assert_no_mirrors
assert_exclusive /dev/ram0
assert_exclusive /dev/ram1
assert_exclusive /dev/ram2
