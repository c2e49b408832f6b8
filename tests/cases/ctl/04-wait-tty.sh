#!/bin/sh
# CHECK: wait on a terminal (under script) draws a progress bar redrawn with \r showing percent, rate and ETA, and create --wait prints the node then waits
. /tests/lib.sh

load_blkmirror
make_legs 64
[ -x /usr/bin/script ] || skip "no util-linux script in the guest"

script -q -e -c "mirrorctl create m0 /dev/ram0 /dev/ram1 --max-rate 16M --wait" \
	/tmp/case/typescript >/dev/null 2>&1
assert_eq 0 "$?" "exit code of create --wait under a pty"
out=$(tr -d '\n' </tmp/case/typescript)
assert_contains "$out" "/dev/blkmirror" "create --wait printed the node first"
cr=$(tr -cd '\r' </tmp/case/typescript | wc -c)
lines=$(grep -c . /tmp/case/typescript)
assert_ge $((lines + 10)) "$cr" "carriage returns (bar redraws) beyond line ends"
assert_match "$out" 'm0 \[#*\.*\] +[0-9]+% +[0-9.]+ [KMG]?i?B/s ETA +[0-9]+:[0-9][0-9]' "progress bar"
assert_contains "$out" "m0 [##############################] 100%" "full bar at the end"
assert_contains "$out" "m0: 100% in sync (64.0 MiB)" "final line"
assert_eq synced "$(mirror_field m0 state)" "state after create --wait"
