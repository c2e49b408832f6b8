#!/bin/sh
# CHECK: a forced destroy while the copy of the last region is in flight (its writes held in a suspended dm device) sends no COMPLETE unless the legs are really equal, and no PROGRESS claims more than the legs hold; also with the destroy racing a running copy of a region of many chunks
# TIMEOUT: 300
. /tests/lib.sh
. /tests/cases/faults/faults.inc

# This case passes on the module from before the fix of issue 9's bug 3
# too, and cannot be made to fail there: the old copy thread made a
# half-copied slot count as done only when a stop landed between its
# loop's kthread_should_stop() check and the reap of that slot, and a
# COMPLETE also needed every other slot idle at the end of that reap.
# On 6.1 the only sleep in that stretch is an earlier slot's submission
# of its next I/O (a queue without a free tag), and that slot is then
# busy, so the same reap cannot end with every slot idle: no COMPLETE.
# What such a stop can do is move the window past the half-copied slot
# to the busy one, a PROGRESS that overstates synced_bytes: faults/24
# holds the thread on a tag exactly there and fails on the old code.
# Here the case guards the COMPLETE side: a held write of the last
# region (round 1) and destroys racing its copy (round 2).

# 64 MiB legs, 16 MiB regions (1 MiB copy chunks): 4 regions.  The
# secondary's last region goes through "slow"; suspended, it holds the
# copy's first chunk write of region 3 in flight: lo = 3, hi = 4.
make_legs 64
load_dm
S=$(sectors /dev/ram0)
R=$((16 << 20))
L=$((3 * R))
LS=$((L / 512))
load_blkmirror

window_stuck() {
	_j=$(mirrorctl status m --json) || return 1
	[ "$(json_get "$_j" state)" = resyncing ] &&
		[ "$(json_get "$_j" synced_bytes)" = "$L" ] &&
		[ "$(json_get_nested "$_j" primary_stats copy_bytes)" = $((L + (1 << 20))) ] &&
		[ "$(json_get_nested "$_j" secondary_stats copy_bytes)" = "$L" ]
}
m_gone() { ! mirrorctl status m >/dev/null 2>&1; }

resumed=1
trap '[ -n "$resumed" ] || dmsetup resume slow' EXIT

# Largest prefix, in whole regions, on which the legs are equal.
equal_regions() {
	_r=0
	while [ $_r -lt 4 ]; do
		bmpattern cmp /dev/ram0 /dev/ram1 $((_r * R)) $R >/dev/null || break
		_r=$((_r + 1))
	done
	echo $_r
}

# check_events ROUND: what the monitor saw against what the legs hold.
check_events() {
	_eq=$(equal_regions)
	_max=0
	for _s in $(sed -n 's/.*"event":"progress".*"synced_bytes":\([0-9]*\).*/\1/p' /tmp/case/mon); do
		[ "$_s" -gt $_max ] && _max=$_s
	done
	note "$1: legs equal over $_eq of 4 regions, most progress claimed $_max bytes"
	assert_le $((_eq * R)) $_max "$1: synced_bytes claimed by a progress event (legs equal over $_eq regions)"
	if grep -q '"event":"complete"' /tmp/case/mon; then
		[ "$_eq" -eq 4 ] ||
			fail "$1: COMPLETE sent but the legs are equal over only $_eq of 4 regions: $(grep '"event":"complete"' /tmp/case/mon)"
		COMPLETES=$((COMPLETES + 1))
	fi
}

# setup: the dm devices, the monitor, the mirror with its copy held.
setup() {
	dev_fill /dev/ram1 stale
	dm_create slow "0 $((S - LS)) linear /dev/ram1 $LS"
	dmsetup suspend slow || fail "suspend slow"
	resumed=
	dm_create sec "0 $LS linear /dev/ram1 0
$LS $((S - LS)) linear /dev/mapper/slow 0"
	mirrorctl monitor --json >/tmp/case/mon 2>/tmp/case/mon.err &
	mpid=$!
	# Subscribed once it has printed anything: an empty state prints
	# nothing, so create first and wait for the created event.
	dev=$(make_mirror m /dev/ram0 /dev/mapper/sec --region-size 16M)
	wait_until 10 grep -q '"name":"m"' /tmp/case/mon ||
		fail "monitor printed nothing: $(cat /tmp/case/mon.err)"
	wait_until 60 window_stuck ||
		fail "window not held at $L: $(mirrorctl status m --json)"
}

finish() {
	wait_until 10 grep -q '"event":"destroyed"' /tmp/case/mon ||
		fail "$1: monitor printed no destroyed event: $(cat /tmp/case/mon)"
	kill -INT $mpid
	wait $mpid
	note "$1: events: $(grep -o '"event":"[a-z]*"' /tmp/case/mon | tr '\n' ' ')"
	check_events "$1"
	must dmsetup remove sec
	must dmsetup remove slow
}

COMPLETES=0
# 1. The destroy is under way (the name no longer found) before the held
#    copy write of the last region comes back.
setup
mirrorctl destroy m --force >/tmp/case/destroy.out 2>&1 &
dpid=$!
wait_until 10 m_gone || fail "m still found after destroy --force"
dmsetup resume slow || fail "resume slow"
resumed=1
wait $dpid
assert_eq 0 "$?" "destroy exit code ($(cat /tmp/case/destroy.out))"
finish held
assert_eq 0 "$COMPLETES" "COMPLETE events for a copy stopped in its last region"

# 2. The destroy races the copy of the last region's 15 remaining chunks:
#    resumed, then destroyed at once.  Whether the stop lands before, in
#    or after that copy, a COMPLETE must mean equal legs.
round=1
while [ $round -le 10 ]; do
	setup
	dmsetup resume slow || fail "resume slow"
	resumed=1
	run mirrorctl destroy m --force
	assert_eq 0 "$RC" "race $round: destroy exit code ($ERR)"
	finish "race $round"
	round=$((round + 1))
done
note "COMPLETE events in the races (each with equal legs): $COMPLETES of 10"
