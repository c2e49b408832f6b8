#!/bin/sh
# CHECK: monitor prints the state, then one "state -" line, then the events; in JSON every line has a "type" (state, state-end, event), state-end once between the state and the events; with --timestamps every line starts with an ISO 8601 time with microseconds and offset (a "timestamp" field in JSON), never going back; with no mirror the marker alone
. /tests/lib.sh

TS='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}[+-][0-9]{2}:[0-9]{2}'

load_blkmirror
make_brd 3 16

# No mirror: the state is empty, the marker says so.
mirrorctl monitor --timestamps >/tmp/case/empty 2>/tmp/case/empty.err &
pid=$!
wait_until 10 test -s /tmp/case/empty || fail "monitor printed nothing: $(cat /tmp/case/empty.err)"
kill -INT $pid
wait $pid
assert_eq 0 "$?" "monitor exit code on SIGINT (stderr: $(cat /tmp/case/empty.err))"
assert_eq 1 "$(wc -l </tmp/case/empty)" "lines of monitor with no mirror: $(cat /tmp/case/empty)"
assert_match "$(cat /tmp/case/empty)" "^$TS state +-\$" "the marker alone, with its time"

make_mirror old /dev/ram0 >/dev/null
mirrorctl monitor --json --timestamps >/tmp/case/json 2>/tmp/case/json.err &
jpid=$!
mirrorctl monitor >/tmp/case/text 2>/tmp/case/text.err &
tpid=$!
wait_until 10 grep -q '"state-end"' /tmp/case/json || fail "no state-end: $(cat /tmp/case/json /tmp/case/json.err)"
wait_until 10 grep -q '^state  *-$' /tmp/case/text || fail "no 'state -': $(cat /tmp/case/text /tmp/case/text.err)"
make_mirror m1 /dev/ram1 /dev/ram2 >/dev/null
wait_synced m1
must mirrorctl destroy m1
wait_until 10 grep -q '"event":"destroyed"' /tmp/case/json || fail "no destroyed event: $(cat /tmp/case/json)"
wait_until 10 grep -q '^destroyed m1' /tmp/case/text || fail "no destroyed line: $(cat /tmp/case/text)"
kill -INT $jpid $tpid
wait $jpid
assert_eq 0 "$?" "monitor --json exit code on SIGINT"
wait $tpid
assert_eq 0 "$?" "monitor exit code on SIGINT"

# Text: the state of old, the marker, then events only.
assert_match "$(sed -n 1p /tmp/case/text)" '^state +old +/dev/blkmirror[0-9]+ +single +-$' "text: state first"
assert_eq "state     -" "$(sed -n 2p /tmp/case/text)" "text: the marker second"
assert_eq 1 "$(grep -c '^state  *-$' /tmp/case/text)" "text: one marker"
bad=$(sed -n '3,$p' /tmp/case/text | grep -v -E '^(created|progress|complete|destroyed) +m1( |$)')
assert_eq "" "$bad" "text: only m1's events after the marker"

# JSON, read by a JSON parser: types in order, every line timestamped.
python3 -s - /tmp/case/json <<'PY' >/tmp/case/check 2>&1 || fail "JSON lines: $(cat /tmp/case/check)"
import json, re, sys
ts = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d$')
lines = [json.loads(l) for l in open(sys.argv[1])]
types = [o["type"] for o in lines]
assert types[0] == "state" and lines[0]["name"] == "old" and lines[0]["state"] == "single", lines[0]
assert types[1] == "state-end" and set(lines[1]) == {"type", "timestamp"}, lines[1]
assert types.count("state-end") == 1 and set(types[2:]) == {"event"}, types
events = [o["event"] for o in lines[2:] if o["event"] != "progress"]
assert events == ["created", "complete", "destroyed"], events
assert all("event" in o for o in lines if o["type"] == "event"), "event without its name"
assert not any("event" in o for o in lines if o["type"] != "event"), "state with an event key"
stamps = [o["timestamp"] for o in lines]
assert all(ts.match(s) for s in stamps), stamps
assert stamps == sorted(stamps), "timestamps go back: %s" % stamps
print(len(lines), "lines")
PY
note "json: $(cat /tmp/case/check)"
