#!/bin/sh
# CHECK: when the kernel cannot allocate some events (failslab on the copy thread), monitor shows the mirror's state in their place, also when the lost one is the last (COMPLETE), and wait still ends in sync; progress never goes back
. /tests/lib.sh

F=/sys/kernel/debug/failslab
[ -d $F ] || skip "no $F (needs CONFIG_FAILSLAB; only the debug kernel has it)"
failslab_off() {
	echo 0 >$F/probability
}
trap failslab_off EXIT
echo Y >$F/task-filter
echo N >$F/ignore-gfp-wait
echo 0 >$F/verbose
echo 1 >$F/interval
echo -1 >$F/times
echo 0 >$F/probability

load_blkmirror
make_legs 64

mirrorctl monitor m0 >/tmp/case/mon 2>/tmp/case/mon.err &
mpid=$!
wait_until 10 subscribed $mpid || fail "monitor did not subscribe: $(cat /tmp/case/mon.err)"
# The copy is held until failslab is armed on its thread.
dev=$(make_mirror m0 /dev/ram0 /dev/ram1 --max-rate $PIN_RATE)
mirrorctl wait m0 --timeout "$(tscale 120)" >/tmp/case/wait 2>/tmp/case/wait.err &
wpid=$!
thread=blkmirror/${dev#/dev/blkmirror}
tpid=
for p in /proc/[0-9]*; do
	[ "$(cat $p/comm 2>/dev/null)" = "$thread" ] && tpid=${p#/proc/}
done
[ -n "$tpid" ] || fail "no $thread thread"
wait_until 10 subscribed $wpid || fail "wait did not subscribe: $(cat /tmp/case/wait.err)"
before=$(mirror_field m0 percent)
echo 1 >/proc/$tpid/make-it-fail
echo 100 >$F/probability
assert_resyncing m0 "when failslab was armed on the copy thread"
release_copy m0 16M
advanced() {
	[ "$(mirror_field m0 percent)" -ge $((before + 5)) ]
}
wait_until 30 advanced ||
	fail "the copy stalled with its events failing: $(mirror_field m0 percent)%"
echo 0 >$F/probability
note "events failed from $before% to $(mirror_field m0 percent)%"

wait $wpid
assert_eq 0 "$?" "wait exit code (stderr: $(cat /tmp/case/wait.err))"
assert_contains "$(cat /tmp/case/wait)" "in sync" "wait output"
# The end is a COMPLETE event, or, if that one was lost too, the state.
ended() {
	grep -q -E '^(complete +m0 in sync|state +m0 .* synced )' /tmp/case/mon
}
wait_until 30 ended ||
	fail "monitor saw no end: $(cat /tmp/case/mon /tmp/case/mon.err)"
kill -INT $mpid
wait $mpid
assert_eq 0 "$?" "monitor exit code (stderr: $(cat /tmp/case/mon.err))"
note "monitor: $(tr '\n' '|' </tmp/case/mon)"
assert_match "$(grep -c '^state ' /tmp/case/mon)" '^[1-9]' "state lines in place of lost events"
assert_match "$(tail -n 1 /tmp/case/mon)" '^(complete +m0 in sync|state +m0 .* synced )' "last line"
sed -n 's/^progress *m0 \([0-9]*\)%.*/\1/p' /tmp/case/mon >/tmp/case/p
assert_eq "$(sort -n /tmp/case/p)" "$(cat /tmp/case/p)" "progress never goes back"
# Each percent from the first event to 99 is either an event or covered
# by a state line: here, fewer than 99 progress lines.
assert_le 98 "$(wc -l </tmp/case/p)" "progress lines (some were lost)"
must mirrorctl destroy m0
