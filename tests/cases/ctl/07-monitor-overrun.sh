#!/bin/sh
# CHECK: a monitor whose tiny receive buffer overruns while it is stopped reports the overrun, re-reads state and still ends with the complete event
. /tests/lib.sh

load_blkmirror
make_legs 64

MIRRORCTL_RCVBUF=1 mirrorctl monitor m0 >/tmp/case/mon 2>/tmp/case/err &
pid=$!
wait_until 10 subscribed $pid || fail "monitor did not subscribe: $(cat /tmp/case/err)"
# The copy is held until the monitor has seen the create and is stopped.
make_mirror m0 /dev/ram0 /dev/ram1 --max-rate $PIN_RATE >/dev/null
wait_until 10 grep -q '^created' /tmp/case/mon || fail "no created line: $(cat /tmp/case/mon)"
kill -STOP $pid
wait_until 5 in_state $pid T || fail "monitor not stopped: $(task_state $pid)"
release_copy m0 8M
# Progress events pile up until the socket drops some (its Drops count).
wait_until 30 nl_dropped $pid || fail "no overrun: $(nl_sockets $pid)"
assert_resyncing m0 "when the monitor's buffer overran"
kill -CONT $pid
wait_until 30 grep -q '^complete' /tmp/case/mon ||
	fail "no complete after the overrun: $(cat /tmp/case/mon; cat /tmp/case/err)"
kill -INT $pid
wait $pid
assert_eq 0 "$?" "monitor exit code"
assert_contains "$(cat /tmp/case/err)" "events lost (receive buffer overrun), re-reading state" "overrun reported"
assert_match "$(grep -c '^state ' /tmp/case/mon)" '^[1-9]' "state re-read after the overrun"
assert_match "$(tail -n 1 /tmp/case/mon)" '^complete +m0 in sync' "last line"
sed -n 's/^progress *m0 \([0-9]*\)%.*/\1/p' /tmp/case/mon >/tmp/case/p
# A stale event (one the re-read state already covers) would go backwards.
assert_eq "$(sort -n /tmp/case/p)" "$(cat /tmp/case/p)" "progress never goes back"
