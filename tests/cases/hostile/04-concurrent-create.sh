#!/bin/sh
# CHECK: the same name created from 8 processes at once: exactly one succeeds, the others get EEXIST; a destroy racing each create leaves no half-made mirror
# TIMEOUT: 180
. /tests/lib.sh

make_brd 16 8
load_blkmirror

i=0
while [ $i -lt 8 ]; do
	bmnl create name=s:race primary=s:/dev/ram$((2 * i)) \
		secondary=s:/dev/ram$((2 * i + 1)) >/tmp/race.$i 2>&1 &
	i=$((i + 1))
done
wait
ok=$(grep -l '^create:' /tmp/race.* | wc -l)
eexist=$(grep -l 'error -17 ' /tmp/race.* | wc -l)
assert_eq 1 "$ok" "successful creates of one name"
assert_eq 7 "$eexist" "EEXIST replies"
must bmnl destroy name=s:race

# Destroy racing create: afterwards the mirror either exists whole or not
# at all.  The kernel serializes the two (bm_ctl_mutex), so they cannot
# overlap inside it; what races is their order, and the counts show which
# orders the rounds hit.
n=0 before=0 after=0
while [ $n -lt 30 ]; do
	bmnl create name=s:r primary=s:/dev/ram0 secondary=s:/dev/ram1 >/dev/null 2>&1 &
	if bmnl destroy name=s:r >/dev/null 2>&1; then
		after=$((after + 1))
	else
		before=$((before + 1))
	fi
	wait
	if bmnl get name=s:r >/dev/null 2>&1; then
		test -b /dev/blkmirror0 || test -b /dev/blkmirror1 ||
			fail "round $n: mirror r exists without a device node"
		must bmnl destroy name=s:r
	fi
	assert_exclusive /dev/ram0
	assert_exclusive /dev/ram1
	n=$((n + 1))
done
note "destroy ran before the create in $before rounds, after it in $after"
assert_no_mirrors
