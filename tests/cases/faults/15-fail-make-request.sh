#!/bin/sh
# CHECK: the block layer's own fault injection (fail_make_request) on a leg: primary reads failing on a synced mirror are served by the secondary with the right data and change nothing else; the secondary failing every request mid-copy degrades the mirror with EIO while every write is acknowledged and on the primary
# TIMEOUT: 90
. /tests/lib.sh
. /tests/cases/faults/faults.inc

F=/sys/kernel/debug/fail_make_request
[ -d $F ] || skip "no $F (needs CONFIG_FAIL_MAKE_REQUEST; only the debug kernel has it)"
injection_off() {
	echo 0 >$F/probability
	for d in ram0 ram1; do
		echo 0 >/sys/block/$d/make-it-fail 2>/dev/null
	done
}
trap injection_off EXIT
echo 0 >$F/verbose		# no stack dumps: the runner fails a case on those
echo 1 >$F/interval
echo -1 >$F/times
echo 100 >$F/probability

make_legs 32
load_blkmirror
dev=$(make_mirror m /dev/ram0 /dev/ram1)
wait_synced m 60

# Primary reads fail: the secondary serves them, the mirror stays in sync.
echo 1 >/sys/block/ram0/make-it-fail
run bmpattern verify "$dev" primary 400K 4K
echo 0 >/sys/block/ram0/make-it-fail
assert_eq 0 "$RC" "reading through a failing primary ($ERR)"
assert_eq synced "$(mirror_field m state)" "state after a failed primary read"
assert_ge 1 "$(stat_of m primary read_errors)" "primary read_errors"
dev_verify "$dev" primary

# A second mirror, resyncing, whose secondary fails every request.
must mirrorctl destroy m
dev_fill /dev/ram1 stale
dev=$(make_mirror m /dev/ram0 /dev/ram1 --max-rate $PIN_RATE)
# 512 writes paced 4 ms (at least 2 s): some before the failure, some after.
bmblk ackwrite "$dev" /tmp/case/acks w 64K 4000 &
wpid=$!
release_copy m 2M
wait_until 10 sh -c '[ "$(wc -l </tmp/case/acks)" -ge 32 ]' ||
	fail "the writer did not start"
assert_resyncing m "before the secondary fails"
echo 1 >/sys/block/ram1/make-it-fail
at=$(wc -l </tmp/case/acks)
note "secondary failing after $at of 512 writes"
wait $wpid || fail "ackwrite exited $?"
assert_le 511 "$at" "writes done before the failure (some must come after)"
echo 0 >/sys/block/ram1/make-it-fail
assert_degraded m secondary 5
ack_check "$dev" /tmp/case/acks w
assert_eq 512 "$ACKED" "writes acknowledged with a healthy primary"
ack_check /dev/ram0 /tmp/case/acks w
teardown m /dev/ram0 /dev/ram1
