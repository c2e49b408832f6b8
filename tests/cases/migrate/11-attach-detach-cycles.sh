#!/bin/sh
# CHECK: ten cycles of attach and forced detach at random points of the copy (two legs alternating) under a logged writer never lose an acknowledged write on the primary; a final attach --wait gives legs byte-identical to each other, holding every acknowledged write, and a switch to it keeps them
# TIMEOUT: 240
. /tests/lib.sh
. /tests/cases/migrate/migrate.inc
. /tests/cases/faults/faults.inc

make_brd 3 32
dev_fill /dev/ram0 base
load_blkmirror
dev=$(make_mirror c /dev/ram0)
# 4K slots: 8192 writes, so that the writer outlasts the cycles on the
# debug kernel too (with 2048 it finished at cycle 6 there and the wait
# for more acknowledgements ran into the timeout).
bmblk ackwrite "$dev" /tmp/case/acks w 4K 3000 /tmp/case/stop &
wpid=$!
wait_lines /tmp/case/acks 20

i=0
while [ $i -lt 10 ]; do
	leg=/dev/ram$((1 + i % 2))
	must mirrorctl attach c "$leg" --max-rate $(( (i + 1) * 4 ))M
	n=$(lines /tmp/case/acks)
	wait_lines /tmp/case/acks $((n + 5 + i * 3))
	st=$(mirror_field c state)
	must mirrorctl detach c --force --json
	note "cycle $i: $leg detached while $st: $OUT"
	case $st in
	synced) assert_eq true "$(json_get "$OUT" consistent)" "consistent after a detach in sync" ;;
	*) # it may have come into sync between the status and the detach
		assert_match "$(json_get "$OUT" consistent)" '^(true|false)$' "consistent after a detach while $st" ;;
	esac
	assert_eq single "$(mirror_field c state)" "state after cycle $i"
	assert_exclusive "$leg"
	i=$((i + 1))
done
ack_check /dev/ram0 /tmp/case/acks w

must mirrorctl attach c /dev/ram2 --wait
wait_lines /tmp/case/acks $(( $(lines /tmp/case/acks) + 20 ))
touch /tmp/case/stop
wait $wpid || fail "ackwrite exited $?"
assert_eq synced "$(mirror_field c state)" "state at the end"
assert_legs_equal /dev/ram0 /dev/ram2
ack_check "$dev" /tmp/case/acks w
ack_check /dev/ram2 /tmp/case/acks w
must mirrorctl switch c
ack_check "$dev" /tmp/case/acks w
assert_legs_equal /dev/ram0 /dev/ram2
assert_exclusive /dev/ram0
