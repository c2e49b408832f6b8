#!/bin/sh
# CHECK: the blkmirror KUnit suite (window routing, progress, rate, throttle, validation) passes; each KUnit result is counted by the host
. /tests/lib.sh

[ -e "/lib/modules/$(uname -r)/extra/blkmirror_kunit.ko" ] ||
	skip "kernel has no KUnit, so no blkmirror_kunit.ko was built"
dmesg -c >/dev/null
modprobe blkmirror_kunit || fail "modprobe blkmirror_kunit failed"
# The suite runs at load; its KTAP lands in the kernel log.
dmesg >/tmp/kunit.log
# Subtest lines are indented four spaces, after a timestamp if printk has them.
grep -E '^(\[[ 0-9.]+\] )?    (not )?ok [0-9]+ ' /tmp/kunit.log |
	sed -E 's/^(\[[ 0-9.]+\] )?    /KUNIT /' >/tmp/kunit.results
cat /tmp/kunit.results
n=$(grep -c '^KUNIT ' /tmp/kunit.results)
# The suite's KTAP plan ("    1..N" after "# Subtest: blkmirror") says
# how many results there must be; a test that never reported is a failure.
plan=$(sed -n -E 's/^(\[[ 0-9.]+\] )?    1\.\.([0-9]+)$/\2/p' /tmp/kunit.log | head -n 1)
assert_match "$plan" '^[0-9]+$' "KTAP plan of the blkmirror suite"
assert_eq "$plan" "$n" "KUnit results against the plan"
assert_ge 15 "$n" "KUnit tests (tests/README.md counts 15)"
grep -q '^KUNIT not ok' /tmp/kunit.results && {
	grep -E 'EXPECTATION FAILED|Expected|ASSERTION' /tmp/kunit.log | head -n 20
	fail "KUnit failures"
}
rmmod blkmirror_kunit || fail "rmmod blkmirror_kunit failed"
