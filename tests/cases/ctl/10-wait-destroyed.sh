#!/bin/sh
# CHECK: wait exits 7 when the mirror is destroyed under it, and is interrupted by SIGINT with exit 130 and by SIGTERM with exit 143
. /tests/lib.sh

load_blkmirror
make_legs 64
make_mirror m0 /dev/ram0 /dev/ram1 --max-rate 1M >/dev/null

mirrorctl wait m0 >/tmp/case/out 2>/tmp/case/err &
pid=$!
wait_until 10 subscribed $pid || fail "wait did not subscribe: $(cat /tmp/case/err)"
must mirrorctl destroy m0 --force
wait $pid
assert_eq 7 "$?" "wait exit code when destroyed"
assert_contains "$(cat /tmp/case/err)" "mirrorctl: wait m0: mirror was destroyed" "wait message"

make_mirror m1 /dev/ram0 /dev/ram1 --max-rate 1M >/dev/null
mirrorctl wait m1 >/dev/null 2>&1 &
pid=$!
# A background job starts with SIGINT ignored: only wait's own signalfd
# (SIGINT blocked) makes it end on SIGINT.
wait_until 10 handles $pid 2 || fail "wait neither catches nor blocks SIGINT"
wait_until 10 subscribed $pid || fail "wait did not subscribe"
kill -INT $pid
wait $pid
assert_eq 130 "$?" "wait exit code on SIGINT"
# Killed by a TERM it did not handle, a shell reports 143 as well: check
# that wait blocks TERM (its signalfd) before sending it.
mirrorctl wait m1 >/dev/null 2>&1 &
pid=$!
wait_until 10 handles $pid 15 || fail "wait neither catches nor blocks SIGTERM"
kill -TERM $pid
wait $pid
assert_eq 143 "$?" "wait exit code on SIGTERM"
