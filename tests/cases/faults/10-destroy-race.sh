#!/bin/sh
# CHECK: destroy --force mid-resync while fio and a logged writer use the open device, monitor and wait listen and status/list dumps loop: destroy succeeds, monitor prints destroyed, wait exits 7, I/O ends, every acknowledged write is on the primary, rmmod works
# TIMEOUT: 150
. /tests/lib.sh
. /tests/cases/faults/faults.inc
need_fio

make_legs 32
load_blkmirror
for round in 1 2; do
	rm -f /tmp/case/stop
	# The copy is held back (1 byte/s) until every client is running.
	dev=$(make_mirror m /dev/ram0 /dev/ram1 --max-rate 1)
	mirrorctl monitor m --json >/tmp/case/mon 2>/tmp/case/mon.err &
	mpid=$!
	mirrorctl wait m --timeout 600 >/dev/null 2>/tmp/case/wait.err &
	wtpid=$!
	( while [ ! -e /tmp/case/stop ]; do
		mirrorctl status --json >/dev/null 2>&1
		mirrorctl list >/dev/null 2>&1
		bmnl --dump get >/dev/null 2>&1
	done ) &
	dpid=$!
	fio --thread --name=race --filename="$dev" --allow_file_create=0 \
		--rw=randrw --bs=4k --direct=1 \
		--ioengine=libaio --iodepth=16 --numjobs=2 --offset=16M --size=16M \
		--time_based --runtime=60 \
		--output=/tmp/case/fio.out >/dev/null 2>&1 &
	fpid=$!
	# fio takes seconds to start on a slow kernel: destroy only once it
	# has the device open.
	fio_open() {
		ls -l /proc/$fpid/fd 2>/dev/null | grep -q "$dev"
	}
	wait_until 60 fio_open || fail "round $round: fio did not open $dev in 60 s"
	# 1 MiB/s: 32 s for the device, so the destroy cannot miss the copy.
	must mirrorctl set m --max-rate 1M
	# The logged writer owns the first 16 MiB, fio the rest; paced, it
	# takes 4 s at least, so the destroy lands in the middle of it.
	bmblk ackwrite "$dev" /tmp/case/acks w$round 32K 8000 - 16M &
	apid=$!
	sleep $round
	assert_eq resyncing "$(mirror_field m state)" "round $round: state before destroy"
	must mirrorctl destroy m --force
	wait_until 10 grep -q '"event":"destroyed"' /tmp/case/mon ||
		fail "round $round: monitor printed no destroyed event: $(cat /tmp/case/mon)"
	wait $wtpid
	assert_eq 7 "$?" "round $round: mirrorctl wait exit code ($(cat /tmp/case/wait.err); events: $(cat /tmp/case/mon))"
	# I/O on the dead device must end, not hang.
	wait_until 30 sh -c "! kill -0 $fpid 2>/dev/null" || fail "round $round: fio still running 30 s after destroy"
	wait $fpid
	note "round $round: fio exit $? after destroy"
	grep -q 'issued rwts: total=[1-9]' /tmp/case/fio.out ||
		fail "round $round: fio did no I/O: $(cat /tmp/case/fio.out)"
	wait $apid || fail "round $round: ackwrite exited $?"
	touch /tmp/case/stop
	wait $dpid
	kill -INT $mpid
	wait $mpid
	assert_eq 0 "$?" "round $round: monitor exit code on SIGINT"
	ack_check /dev/ram0 /tmp/case/acks w$round
	assert_ge 1 "$ACKED" "round $round: writes acknowledged before destroy"
	assert_ge 1 "$FAILED" "round $round: writes failed after destroy"
	assert_no_mirrors
	assert_exclusive /dev/ram0
	assert_exclusive /dev/ram1
	dev_fill /dev/ram1 stale
done
rmmod blkmirror 2>/tmp/.rmmod.err || fail "rmmod blkmirror: $(cat /tmp/.rmmod.err)"
