#!/bin/sh
# CHECK: monitor --json reports created, strictly increasing progress percents, then exactly one complete
# TIMEOUT: 180
. /tests/lib.sh

make_legs 256
load_blkmirror
mirrorctl monitor --json >/tmp/mon.json 2>/tmp/mon.err &
mpid=$!
wait_until 10 subscribed $mpid || fail "monitor did not subscribe: $(cat /tmp/mon.err)"
make_mirror mon /dev/ram0 /dev/ram1 --max-rate 64M >/dev/null
wait_synced mon 150
wait_until 10 grep -q '"event":"complete","name":"mon"' /tmp/mon.json ||
	fail "monitor saw no complete: $(tail -n 3 /tmp/mon.json)"
kill $mpid
wait $mpid
ev=$(grep '"name":"mon"' /tmp/mon.json | sed -n 's/.*"event":"\([a-z]*\)".*/\1/p')
note "events: $(echo $ev)"
assert_eq created "$(echo "$ev" | head -n 1)" "first event"
assert_eq 1 "$(echo "$ev" | grep -c '^complete$')" "complete events"
assert_eq complete "$(echo "$ev" | tail -n 1)" "last event"
assert_ge 2 "$(echo "$ev" | grep -c '^progress$')" "progress events (4 s copy)"
grep '"event":"progress"' /tmp/mon.json | grep '"name":"mon"' |
	sed -n 's/.*"percent":\([0-9]*\).*/\1/p' >/tmp/pct
note "percents: $(echo $(cat /tmp/pct))"
prev=-1
while read -r p; do
	[ "$p" -gt "$prev" ] || fail "progress percent $p after $prev (not strictly increasing)"
	prev=$p
done </tmp/pct
assert_le 100 "$prev" "last progress percent"
