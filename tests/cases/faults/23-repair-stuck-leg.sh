#!/bin/sh
# CHECK: a read repair whose write to the primary never completes (dm-delay holds writes to the bad block) gives up after its deadline: I/O elsewhere goes on meanwhile, a write over the block waits for the stuck repair write (not sent to the primary before it) and then lands, not undone by it, and the mirror stays in sync with equal legs
# TIMEOUT: 180
. /tests/lib.sh
. /tests/cases/faults/faults.inc

make_legs 32
load_dm dm_delay
S=$(sectors /dev/ram0)
# 4 KiB 4 KiB into the 9th MiB, in the middle of a region.
B0=$((8 * 2048 + 8)) B1=$((8 * 2048 + 16))
OFF=$((B0 * 512))
dm_create err "0 $((B1 - B0)) error"
dm_create pri "0 $S linear /dev/ram0 0"
load_blkmirror
dev=$(make_mirror m /dev/mapper/pri /dev/ram1 --region-size 1M)
wait_synced m 60

# Reads of the block fail at once (the error target); writes to it are
# held for ten minutes: a leg that stops answering, for the repair's
# write only.  dm-delay sends what it holds when it is suspended.
dm_swap pri "0 $B0 linear /dev/ram0 0
$B0 $((B1 - B0)) delay /dev/mapper/err 0 0 /dev/ram0 $B0 600000
$B1 $((S - B1)) linear /dev/ram0 $B1"

# The read is served by the secondary; its repair then writes the
# secondary's copy to the primary, where it sticks.
run bmpattern verify "$dev" primary "$OFF" 4K
assert_eq 0 "$RC" "read through the mirror of a block the primary cannot read ($ERR)"
wait_until 90 sh -c 'dmesg | grep -q "blkmirror: m: read repair of sectors $0+8 on primary: not repaired (primary write timed out"' "$B0" ||
	{
		# Let the write go so that the reset is not stuck on it too.
		dm_swap pri "0 $S linear /dev/ram0 0"
		fail "the repair never gave up on its stuck write: $(dmesg | grep 'blkmirror: m:' | tail -3)"
	}

# The repair's write is still held by dm-delay, and I/O goes on.
dev_fill "$dev" newer $((16 << 20)) 64K
dev_verify "$dev" newer $((16 << 20)) 64K
dev_verify "$dev" primary $((20 << 20)) 64K

# A write over the block must wait for the stuck write, or that write,
# landing later, would undo it.
W0=$(stat_of m primary writes)
bmpattern write "$dev" newer "$OFF" 4K &
wp=$!
wait_until 30 in_state $wp D || fail "the write over the block is not waiting (state $(task_state $wp))"
assert_eq "$W0" "$(stat_of m primary writes)" "primary writes while the repair write is stuck"
assert_eq synced "$(mirror_field m state)" "state with a repair write stuck"

# Let dm-delay send the stuck write, then the plain table.
dm_swap pri "0 $S linear /dev/ram0 0"
wait $wp || fail "the write over the block failed"
wait_until 30 sh -c 'dmesg | grep -q "blkmirror: m: read repair write of sectors $0+8, given up on, has completed"' "$B0" ||
	fail "no line for the completion of the stuck repair write"
dev_verify /dev/ram0 newer "$OFF" 4K
dev_verify /dev/ram1 newer "$OFF" 4K
assert_eq synced "$(mirror_field m state)" "state after the stuck write completed"
must mirrorctl destroy m
dev_verify /dev/ram0 primary 0 "$OFF"
assert_legs_equal /dev/ram0 /dev/ram1
