#!/bin/sh
# CHECK: status shows the percent with one decimal, the rate and the ETA while resyncing (eta_seconds in JSON); status --test and list --test exit 0 for resyncing, synced and single-leg mirrors and 6 once one is degraded, with the same output; --max-rate 100 is taken with a warning that spells out 100 bytes per second, and 64K passes quietly
. /tests/lib.sh

load_blkmirror
load_dm
make_brd 5 32

# A resync held at 1 MiB/s: a rate, a fraction of a percent, time left.
make_mirror r /dev/ram0 /dev/ram1 --max-rate 1M >/dev/null
rated() {
	[ "$(mirror_field r rate_bytes_per_sec)" -gt 0 ]
}
wait_until 20 rated || fail "the copy has no rate: $(mirrorctl status r)"
must mirrorctl status r
line=$(printf '%s\n' "$OUT" | grep '^  state:')
assert_match "$line" '^  state: +resyncing, [0-9]{1,2}\.[0-9]% \([0-9.]+ [KM]iB of 32\.0 MiB\) at [0-9.]+ [KM]iB/s, ETA [0-9]+:[0-9]{2}$' "status line while resyncing"
must mirrorctl status r --json
eta=$(json_get "$OUT" eta_seconds) size=$(json_get "$OUT" size_bytes)
synced=$(json_get "$OUT" synced_bytes) rate=$(json_get "$OUT" rate_bytes_per_sec)
assert_match "$eta" '^[0-9]+$' "eta_seconds while resyncing"
assert_eq $(( (size - synced + rate - 1) / rate )) "$eta" "eta_seconds is what is left over the rate ($size $synced $rate)"
run mirrorctl status r --test
assert_eq 0 "$RC" "status --test of a resyncing mirror (stderr: $ERR)"
release_copy r
wait_synced r
must mirrorctl status r
assert_contains "$OUT" "  state:              synced, 100.0% (32.0 MiB of 32.0 MiB)" "status line in sync"
assert_eq null "$(json_get "$(mirrorctl status r --json)" eta_seconds)" "eta_seconds in sync"

make_mirror s /dev/ram2 >/dev/null
run mirrorctl list --test
assert_eq 0 "$RC" "list --test, synced and single (stderr: $ERR)"
run mirrorctl status --test --json
assert_eq 0 "$RC" "status --test --json, none degraded"

# A secondary whose second half fails every I/O: degraded during the copy.
printf '0 32768 linear /dev/ram4 0\n32768 32768 error\n' | dmsetup create bad ||
	fail "dmsetup create bad"
dmsetup mknodes bad
make_mirror d /dev/ram3 /dev/mapper/bad >/dev/null
run mirrorctl wait d --timeout "$(tscale 60)"
assert_eq 6 "$RC" "wait on the failing mirror"
must mirrorctl list
plain=$OUT
run mirrorctl list --test
assert_eq 6 "$RC" "list --test with a degraded mirror (stderr: $ERR)"
assert_eq "$plain" "$OUT" "list --test prints what list does"
run mirrorctl status d --test
assert_eq 6 "$RC" "status d --test"
assert_contains "$OUT" "secondary leg failed" "status d --test still prints the status"
run mirrorctl status --test --json
assert_eq 6 "$RC" "status --test --json of every mirror"
assert_eq "[" "$(printf '%s\n' "$OUT" | head -n 1)" "status --test --json still prints the array"
run mirrorctl status r --test
assert_eq 0 "$RC" "status --test of the synced one, beside a degraded one"
run mirrorctl status nosuch --test
assert_eq 1 "$RC" "status --test of a mirror that does not exist keeps its error code"

# A rate below 64 KiB/s: taken, with what it means.
run mirrorctl set r --max-rate 100
assert_eq 0 "$RC" "set --max-rate 100 (stderr: $ERR)"
assert_eq "mirrorctl: set r: warning: --max-rate '100' is 100 bytes per second (100 B/s), below 64.0 KiB/s: one 1 MiB region every 2:54:46 (RATE is in bytes: 100M is 100 MiB/s)" "$ERR" "the warning"
assert_eq 100 "$(mirror_field r max_rate_bytes_per_sec)" "the rate was set as given"
run mirrorctl set r --max-rate 64K
assert_eq 0 "$RC" "set --max-rate 64K"
assert_eq "" "$ERR" "64K passes without a warning"
