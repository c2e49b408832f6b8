#!/bin/sh
# CHECK: wait exits 6 naming the failed leg when the secondary fails during resync, and status reports the failure
. /tests/lib.sh

load_blkmirror
load_dm
make_legs 32
# The secondary's second half fails every I/O.
printf '0 32768 linear /dev/ram1 0\n32768 32768 error\n' | dmsetup create bad ||
	fail "dmsetup create bad"
dmsetup mknodes bad
test -b /dev/mapper/bad || fail "/dev/mapper/bad missing"

make_mirror m0 /dev/ram0 /dev/mapper/bad >/dev/null
run mirrorctl wait m0 --timeout "$(tscale 60)"
assert_eq 6 "$RC" "wait exit code on a degraded mirror (stdout: $OUT)"
assert_contains "$ERR" "mirrorctl: wait m0: mirror degraded: secondary leg failed: Input/output error at sector" "wait message"

must mirrorctl status m0 --json
assert_eq degraded "$(json_get "$OUT" state)" "state"
assert_eq secondary "$(json_get "$OUT" failed_leg)" "failed_leg"
assert_eq 5 "$(json_get "$OUT" failed_errno)" "failed_errno"
assert_ge 32768 "$(json_get "$OUT" failed_sector)" "failed_sector"
must mirrorctl status m0
assert_contains "$OUT" "secondary leg failed: Input/output error" "human status failure"
run mirrorctl wait m0
assert_eq 6 "$RC" "wait on an already degraded mirror"
