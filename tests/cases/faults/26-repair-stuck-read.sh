#!/bin/sh
# CHECK: a read repair I/O given up on while still in flight (the primary's read-back, held 30 s by dm-delay) keeps every later repair, and a switch, from suspending I/O (the switch is refused at once): the next repair is not tried ("an earlier repair I/O is still outstanding") instead of holding the mirror's I/O for its 15 s drain; once the stuck read lands, repairs run again; data right, mirror in sync
# TIMEOUT: 240
. /tests/lib.sh
. /tests/cases/faults/faults.inc

make_legs 32
load_dm dm_delay
S=$(sectors /dev/ram0)
# Two 4 KiB blocks in different 64 KiB repair chunks.
A0=$((8 * 2048 + 8)) A1=$((8 * 2048 + 16))
B0=$((12 * 2048 + 8)) B1=$((12 * 2048 + 16))
dm_create err "0 8 error"
dm_create pri "0 $S linear /dev/ram0 0"
load_blkmirror
dev=$(make_mirror m /dev/mapper/pri /dev/ram1 --region-size 1M)
wait_synced m 60

# Reads of A and B fail after DELAY ms; writes there go to ram0 at once.
# So a foreground read fails late and is served by the secondary, and
# its repair's write lands but its read-back is held past the repair's
# 10 s deadline: a leg that stops answering reads.
bad_table() {	# DELAY
	echo "0 $A0 linear /dev/ram0 0
$A0 8 delay /dev/mapper/err 0 $1 /dev/ram0 $A0 0
$A1 $((B0 - A1)) linear /dev/ram0 $A1
$B0 8 delay /dev/mapper/err 0 $1 /dev/ram0 $B0 0
$B1 $((S - B1)) linear /dev/ram0 $B1"
}
dm_swap pri "$(bad_table 30000)"

# Both reads at once: both repairs are queued when the secondary has
# served them; the first one taken gets stuck in its read-back.
bmpattern verify "$dev" primary $((A0 * 512)) 4K &
ra=$!
bmpattern verify "$dev" primary $((B0 * 512)) 4K &
rb=$!
wait $ra || fail "read of A through the mirror failed"
wait $rb || fail "read of B through the mirror failed"
wait_until 90 sh -c 'dmesg | grep -q "blkmirror: m: read repair of sectors .* not repaired (primary read-back timed out"' ||
	fail "no repair gave up on its read-back: $(dmesg | grep 'blkmirror: m:' | tail -3)"
# The other repair must not suspend and drain behind the stuck read.
wait_until 30 sh -c 'dmesg | grep -q "blkmirror: m: read repair of sectors .* not repaired (an earlier repair I/O is still outstanding"' ||
	fail "the second repair was tried behind the stuck read: $(dmesg | grep 'blkmirror: m:' | tail -3)"
assert_not_contains "$(dmesg)" "did not drain" "kernel log"
# A switch would drain behind the stuck read, holding every user's I/O
# for its timeout, and fail: it is refused at once instead.
assert_fail mirrorctl switch m
assert_contains "$ERR" "still outstanding" "switch with a repair read stuck"
assert_not_contains "$(dmesg)" "blkmirror: m: switch to" "kernel log: a switch was tried"
assert_eq synced "$(mirror_field m state)" "state with a repair read stuck"
# I/O goes on meanwhile.
dev_fill "$dev" newer $((16 << 20)) 64K
dev_verify "$dev" newer $((16 << 20)) 64K

# Reads of A and B now fail at once.  The swap sends what dm-delay holds,
# the stuck read-back too; then a repair runs again (and fails on the
# read-back: reads there fail), not skipped.
dm_swap pri "$(bad_table 0)"
run bmpattern verify "$dev" primary $((A0 * 512)) 4K
assert_eq 0 "$RC" "read of A through the mirror after the stuck read landed ($ERR)"
wait_until 30 sh -c 'dmesg | grep -q "blkmirror: m: read repair of sectors $0+8 on primary: not repaired (primary read-back failed"' "$A0" ||
	fail "no repair ran once the stuck read had landed: $(dmesg | grep 'blkmirror: m:' | tail -3)"

dm_swap pri "0 $S linear /dev/ram0 0"
assert_eq synced "$(mirror_field m state)" "state at the end"
must mirrorctl destroy m
assert_legs_equal /dev/ram0 /dev/ram1
