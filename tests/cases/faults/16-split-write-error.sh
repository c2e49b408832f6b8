#!/bin/sh
# CHECK: a write the mirror splits (at the copy window's low edge, or at a region boundary inside the window) is reported failed (EIO) when any piece fails on the primary, front or behind, aligned or not; a split write that succeeds is on the primary and both legs end equal
# TIMEOUT: 240
. /tests/lib.sh
. /tests/cases/faults/faults.inc
need_fio

# 16 MiB legs, 1 MiB regions, 4 copy slots.  The secondary's range from
# L = 4 MiB up goes through "slow", suspended before the mirror exists: the
# copy of regions 0-3 ends, the copy writes of regions 4-7 stay in flight,
# so the window stays at lo = 4 (synced_bytes = L), hi = 8 until "slow" is
# resumed.  Writes below L go to both legs; [L, 8 MiB) parks.
make_legs 16
load_dm
S=$(sectors /dev/ram0)
L=$((4 << 20))
LS=$((L / 512))
M1=$((1 << 20))
load_blkmirror

window_stuck() {
	_j=$(mirrorctl status m --json) || return 1
	[ "$(json_get "$_j" state)" = resyncing ] &&
		[ "$(json_get "$_j" synced_bytes)" = "$L" ] &&
		[ "$(json_get_nested "$_j" primary_stats copy_bytes)" = $((8 * M1)) ] &&
		[ "$(json_get_nested "$_j" secondary_stats copy_bytes)" = "$L" ]
}

# The writer has submitted its request: it is done, or waits for it.
writer_waiting() {
	! kill -0 "$1" 2>/dev/null && return 0
	cat /proc/$1/task/*/wchan 2>/dev/null | grep -q 'direct\|dio\|bio'
}

resumed=1
trap '[ -n "$resumed" ] || dmsetup resume slow' EXIT

BAD=

# round NAME ERR_OFF ERR_LEN TOOL OFF LEN EXPECT: ERR_LEN bytes at ERR_OFF of
# the primary turn into dm error once the window is stuck (ERR_LEN 0: none);
# then one O_DIRECT write of LEN at OFF through the mirror (TOOL bmpattern:
# one pwrite of the pattern; fio: one psync write, for lengths and offsets
# that are not 4 KiB multiples).  EXPECT: ok or eio.
round() {
	rn=$1 _eo=$2 _el=$3 _tool=$4 _off=$5 _len=$6 _exp=$7
	note "round $rn: error ${_el}B at $_eo, $_tool write ${_len}B at $_off, expect $_exp"
	dm_create pri "0 $S linear /dev/ram0 0"
	dm_create slow "0 $((S - LS)) linear /dev/ram1 $LS"
	dmsetup suspend slow || fail "suspend slow"
	resumed=
	dm_create sec "0 $LS linear /dev/ram1 0
$LS $((S - LS)) linear /dev/mapper/slow 0"
	dev=$(make_mirror m /dev/mapper/pri /dev/mapper/sec --region-size 1M)
	wait_until 30 window_stuck ||
		fail "round $rn: window not stuck at $L: $(mirrorctl status m --json)"
	if [ "$_el" -gt 0 ]; then
		_e0=$((_eo / 512)) _e1=$(((_eo + _el) / 512))
		dm_swap pri "0 $_e0 linear /dev/ram0 0
$_e0 $((_e1 - _e0)) error
$_e1 $((S - _e1)) linear /dev/ram0 $_e1"
	fi
	# The split happens only while the window is where we think it is.
	window_stuck || fail "round $rn: window moved: $(mirrorctl status m --json)"
	assert_eq 0 "$(stat_of m primary writes)" "round $rn: primary writes before the test write"
	case $_tool in
	bmpattern)
		bmpattern write "$dev" "w$rn" "$_off" "$_len" >/tmp/case/w.$rn 2>&1 &
		;;
	fio)
		fio --thread --name="w$rn" --filename="$dev" --allow_file_create=0 \
			--rw=write --bs="$_len" --size="$_len" --offset="$_off" \
			--direct=1 --ioengine=psync --output=/tmp/case/w.$rn \
			>/dev/null 2>&1 &
		;;
	esac
	_wp=$!
	wait_until 30 writer_waiting $_wp ||
		fail "round $rn: the writer neither finished nor waits for its write (wchan $(cat /proc/$_wp/task/*/wchan))"
	note "round $rn: writer $(kill -0 $_wp 2>/dev/null && echo "waits in $(cat /proc/$_wp/task/*/wchan | tr '\n' ' ')" || echo finished) before the resume"
	dmsetup resume slow || fail "resume slow"
	resumed=1
	wait $_wp
	_rc=$?
	note "round $rn: write exit $_rc: $(tr '\n' ' ' </tmp/case/w.$rn | cut -c1-300)"
	if [ "$_exp" = ok ]; then
		[ $_rc -eq 0 ] || fail "round $rn: write with no bad sector failed (exit $_rc)"
		[ "$_tool" = bmpattern ] && dev_verify /dev/ram0 "w$rn" "$_off" "$_len"
		wait_synced m 60
		assert_legs_equal /dev/ram0 /dev/ram1
	else
		# bmpattern: exit 3 = I/O error; fio: nonzero with EIO in its report.
		if [ $_rc -eq 0 ]; then
			BAD="$BAD
round $rn: write of ${_len}B at $_off with ${_el}B at $_eo failing on the primary was reported successful (exit 0)"
		fi
		assert_degraded m primary 5
	fi
	must mirrorctl destroy m
	must dmsetup remove sec
	must dmsetup remove slow
	must dmsetup remove pri
}

K4=4096
# Across the low edge: the front piece goes to both legs, the rest parks.
round edge-front     $((L - K4)) $K4   bmpattern $((L - K4)) 8192 eio
round edge-behind    $L $K4            bmpattern $((L - K4)) 8192 eio
# Across a region boundary inside the window: both pieces park.
round window-front   $((6 * M1 - K4)) $K4 bmpattern $((6 * M1 - K4)) 8192 eio
round window-behind  $((6 * M1)) $K4   bmpattern $((6 * M1 - K4)) 8192 eio
# Sector-aligned, not 4 KiB-aligned: 3 KiB across the low edge.
round unal-front     $((L - 1024)) 1024 fio $((L - 1024)) 3072 eio
round unal-behind    $L 1024           fio $((L - 2048)) 3072 eio
# A large write over the edge and two region boundaries, failing in front.
round big-front      $((L - K4)) $K4   bmpattern $((L - 2 * K4)) $((2 * M1)) eio
# The same splits with no bad sector: acknowledged, on the primary, synced.
round edge-ok        0 0               bmpattern $((L - K4)) 8192 ok
round window-ok      0 0               bmpattern $((6 * M1 - K4)) 8192 ok
round big-ok         0 0               bmpattern $((L - 2 * K4)) $((2 * M1)) ok

[ -z "$BAD" ] || fail "split writes lost their error:$BAD"
