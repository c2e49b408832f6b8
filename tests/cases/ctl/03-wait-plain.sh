#!/bin/sh
# CHECK: wait without a terminal prints one line per percent, rising, ends "100% in sync" and exits 0; an in-sync mirror returns at once; --timeout exits 5
. /tests/lib.sh

load_blkmirror
make_brd 4 64
dev_fill /dev/ram0 primary
dev_fill /dev/ram2 primary
make_mirror m0 /dev/ram0 /dev/ram1 --max-rate 16M >/dev/null

mirrorctl wait m0 >/tmp/case/out 2>/tmp/case/err
rc=$?
assert_eq 0 "$rc" "wait exit code (stderr: $(cat /tmp/case/err))"
grep -q "$(printf '\r')" /tmp/case/out && fail "plain output has carriage returns"
assert_match "$(tail -n 1 /tmp/case/out)" '^m0: 100% in sync \(64\.0 MiB\)$' "last line"
sed '$d' /tmp/case/out | sed -n 's/^m0: \([0-9]*\)% .*/\1/p' >/tmp/case/pcts
n=$(wc -l </tmp/case/pcts)
assert_ge 20 "$n" "progress lines"
assert_eq "$n" "$(sed '$d' /tmp/case/out | grep -c .)" "every line but the last is a percent line"
assert_eq "$n" "$(sort -n -u /tmp/case/pcts | wc -l)" "one line per percent"
assert_eq "$(cat /tmp/case/pcts)" "$(sort -n /tmp/case/pcts)" "percent only rises"
assert_ge 1 "$(grep -c 'at [0-9.]* [KM]iB/s, ETA [0-9]*:[0-9][0-9]$' /tmp/case/out)" \
	"progress lines with a rate and an ETA"

# Already in sync: at once, with the final line only.
must mirrorctl wait m0 --timeout 2
assert_eq "m0: 100% in sync (64.0 MiB)" "$OUT" "wait on an in-sync mirror"

# A slow resync runs out of time.
make_mirror m1 /dev/ram2 /dev/ram3 --max-rate $PIN_RATE >/dev/null	# held: it cannot finish
run mirrorctl wait m1 --timeout 1
assert_eq 5 "$RC" "exit code of a timed-out wait"
assert_contains "$ERR" "mirrorctl: wait m1: timed out after 1 seconds" "timeout message"
