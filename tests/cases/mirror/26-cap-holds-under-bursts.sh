#!/bin/sh
# CHECK: a cap below the floor holds while the foreground comes and goes: with --max-rate 1 and the default 32 MiB/s floor, ten bursts of writes with quiet gaps (each a busy and an idle turn of the copy's load detector) let no region beyond the cap through
# TIMEOUT: 180
. /tests/lib.sh

make_legs 64
load_blkmirror
dev=$(make_mirror burst /dev/ram0 /dev/ram1 --max-rate $PIN_RATE --region-size 1M)
s0=$(mirror_field burst synced_bytes)
# Each burst makes the mirror busy; each gap (over four 50 ms looks)
# makes it idle again.  Before the fix every such turn restarted the
# throttle with nothing owed, and admitted one 1 MiB region.
i=0
while [ $i -lt 10 ]; do
	dd if=/dev/zero of="$dev" bs=4k count=64 seek=$((i * 64)) oflag=direct \
		conv=notrunc status=none || fail "burst $i: write failed"
	sleep 0.5
	i=$((i + 1))
done
s1=$(mirror_field burst synced_bytes)
note "synced bytes: $s0 before the bursts, $s1 after"
assert_resyncing burst "after the bursts"
# At 1 byte/s the copy may finish the region in flight when it was
# created, and the next one at most: not ten.
assert_le $((s0 + 2 * 1048576)) "$s1" "synced bytes after ten bursts at 1 byte/s"
release_copy burst
wait_synced burst 60
assert_legs_equal /dev/ram0 /dev/ram1
