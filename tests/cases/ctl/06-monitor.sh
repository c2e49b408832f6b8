#!/bin/sh
# CHECK: monitor --json prints the current state, then created, rising progress, complete and destroyed events, one object per line, and exits 0 on SIGINT, 143 on SIGTERM
. /tests/lib.sh

load_blkmirror
make_brd 4 32
dev_fill /dev/ram0 primary
make_mirror old /dev/ram2 /dev/ram3 >/dev/null

mirrorctl monitor --json >/tmp/case/mon 2>/tmp/case/err &
pid=$!
# It subscribes, then prints the state: its first line means it listens.
wait_until 10 test -s /tmp/case/mon || fail "monitor printed no state: $(cat /tmp/case/err)"
make_mirror m0 /dev/ram0 /dev/ram1 --max-rate 16M >/dev/null
wait_synced m0 60
must mirrorctl destroy m0
wait_until 5 grep -q '"event":"destroyed"' /tmp/case/mon || fail "no destroyed event: $(cat /tmp/case/mon)"
kill -INT $pid
wait $pid
assert_eq 0 "$?" "monitor exit code on SIGINT (stderr: $(cat /tmp/case/err))"

grep -v '^{.*}$' /tmp/case/mon && fail "a line that is not one JSON object"
assert_match "$(head -n 1 /tmp/case/mon)" '^\{"name":"old","device":"/dev/blkmirror[0-9]+","state":"(resyncing|synced)",' "state line of the existing mirror first"
ev=$(sed -n 's/^{"event":"\([a-z]*\)","name":"m0".*/\1/p' /tmp/case/mon | grep -v progress | tr '\n' ' ')
assert_eq "created complete destroyed " "$ev" "lifecycle events of m0 in $(cat /tmp/case/mon)"
ev=$(sed -n 's/^{"event":"\([a-z]*\)","name":"m0".*/\1/p' /tmp/case/mon | sed -n '/complete/,$p' | tr '\n' ' ')
assert_eq "complete destroyed " "$ev" "nothing between complete and destroyed"
sed -n 's/^{"event":"progress","name":"m0","percent":\([0-9]*\),.*/\1/p' /tmp/case/mon >/tmp/case/p
assert_ge 20 "$(wc -l </tmp/case/p)" "progress events"
assert_eq "$(sort -n /tmp/case/p)" "$(cat /tmp/case/p)" "progress never goes back"
assert_contains "$(grep '"event":"created"' /tmp/case/mon)" '"device":"/dev/blkmirror' "created has device"
assert_contains "$(grep '"event":"complete"' /tmp/case/mon)" '"size_bytes":33554432' "complete has size"

# Human form, filtered by name, ended by SIGTERM.
mirrorctl monitor m1 >/tmp/case/mon2 2>&1 &
pid=$!
# Nothing to print (no m1 yet): wait for its multicast subscription.
wait_until 10 subscribed $pid || fail "monitor m1 did not subscribe: $(cat /tmp/case/mon2)"
make_mirror m1 /dev/ram0 /dev/ram1 >/dev/null
wait_synced m1 60
wait_until 5 grep -q '^complete' /tmp/case/mon2 || fail "no complete line: $(cat /tmp/case/mon2)"
# 143 is also what an unhandled TERM gives: monitor must be handling it.
wait_until 10 handles $pid 15 || fail "monitor neither catches nor blocks SIGTERM"
kill -TERM $pid
wait $pid
assert_eq 143 "$?" "monitor exit code on SIGTERM (128 + 15)"
assert_match "$(grep '^created' /tmp/case/mon2)" '^created +m1 /dev/blkmirror[0-9]+ \([0-9]+:[0-9]+\)$' "created line"
assert_match "$(grep '^complete' /tmp/case/mon2)" '^complete +m1 in sync \(32\.0 MiB\)$' "complete line"
grep -q ' old' /tmp/case/mon2 && fail "monitor m1 showed another mirror"
true
