#!/bin/sh
# CHECK: a forced destroy that stops the copy while one reap hands back a later region's read before an earlier region's mid-region write (the thread asleep in between, on a busy queue tag) sends no PROGRESS past the half-copied region: synced_bytes claimed never exceeds the prefix on which the legs are equal (issue 9, bug 3, made deterministic)
# TIMEOUT: 240
. /tests/lib.sh
. /tests/cases/faults/faults.inc

# The old bug: the thread checks for a stop at the top of its loop, then
# reaps every completed slot in one go.  A stop that lands while it
# reaps made a slot in the middle of its region count as done, and the
# window moved past it.  On 6.1 nothing in the loop sleeps between the
# check and such a slot, except the submission of an earlier slot's next
# I/O to a queue without a free tag; then that slot stays busy, so only
# a slot of a lower region than it can be passed over: PROGRESS, not
# COMPLETE (faults/18 covers COMPLETE).  Here:
#   A = region 1: its second chunk's write is held (suspended "slow");
#   X = region 2: its first read is held (dm-delay "pxhold");
#   the thread is parked claiming region 3 behind a write ahead of the
#   copy (suspended "pahead"), while X's read, then A's write, complete;
#   let go, it reaps X first, whose write goes to a loop device with
#   one tag, which a read held on a suspended dm device below it has
#   taken: the thread sleeps there, the destroy's kthread_stop() comes,
#   the read is let go, and the thread reaps A.
# Nothing else may write to the mirror meanwhile, not even a flush: a
# flush goes to the secondary too, waits there for the loop's tag, and
# is counted as a write ahead of the copy, so the thread's next claim
# (region 4) would wait for it instead of reaping X.  The write ahead
# is therefore written without the fsync that "bmpattern write" does
# (a whole faults suite made that race lost twice on stock, and on the
# debug kernel the thread then sat in that claim for good).
# 32 MiB legs, 4 MiB regions, 1 MiB chunks.
make_brd 2 32
dev_fill /dev/ram0 primary
dev_fill /dev/ram1 stale
load_dm dm_delay
if [ -d /sys/module/loop ]; then
	rmmod loop || fail "loop busy"
fi
modprobe loop hw_queue_depth=1 || fail "modprobe loop hw_queue_depth=1 failed"

M1=2048	# sectors per MiB
S=$((32 * M1))
# The tag: a loop device of queue depth 1 over "tagdm" (ram1's 9th MiB);
# a read of it while tagdm is suspended holds the tag.
dm_create tagdm "0 $M1 linear /dev/ram1 $((8 * M1))"
lo=$(make_loop /dev/mapper/tagdm)
echo none >/sys/block/${lo#/dev/}/queue/scheduler ||
	fail "cannot take $lo's scheduler off (its tags would not be the driver's)"
dm_create slow "0 $M1 linear /dev/ram1 $((5 * M1))"
dmsetup suspend slow || fail "suspend slow"
# On the way out, let every held I/O go, or the reset would wait on it.
release_all() {
	for _d in slow tagdm pahead; do
		dmsetup resume $_d 2>/dev/null
	done
	dmsetup suspend pxhold 2>/dev/null && dmsetup resume pxhold
	# The loop holds tagdm, which the reset's dmsetup remove_all removes.
	mirrorctl destroy m --force >/dev/null 2>&1
	dmsetup remove pri 2>/dev/null
	dmsetup remove sec 2>/dev/null
	[ -b "${lo:-}" ] && losetup -d "$lo" 2>/dev/null
	return 0
}
trap release_all EXIT
dm_create sec "0 $((5 * M1)) linear /dev/ram1 0
$((5 * M1)) $M1 linear /dev/mapper/slow 0
$((6 * M1)) $((2 * M1)) linear /dev/ram1 $((6 * M1))
$((8 * M1)) $M1 linear $lo 0
$((9 * M1)) $((S - 9 * M1)) linear /dev/ram1 $((9 * M1))"
dm_create pxhold "0 $M1 delay /dev/ram0 $((8 * M1)) 600000"
dm_create pahead "0 $((4 * M1)) linear /dev/ram0 $((20 * M1))"
dm_create pri "0 $((8 * M1)) linear /dev/ram0 0
$((8 * M1)) $M1 linear /dev/mapper/pxhold 0
$((9 * M1)) $((11 * M1)) linear /dev/ram0 $((9 * M1))
$((20 * M1)) $((4 * M1)) linear /dev/mapper/pahead 0
$((24 * M1)) $((S - 24 * M1)) linear /dev/ram0 $((24 * M1))"
load_blkmirror

mirrorctl monitor --json >/tmp/case/mon 2>/tmp/case/mon.err &
mpid=$!
dev=$(make_mirror m /dev/mapper/pri /dev/mapper/sec --region-size 4M --max-rate $PIN_RATE)
wait_until 10 grep -q '"name":"m"' /tmp/case/mon ||
	fail "monitor printed nothing: $(cat /tmp/case/mon.err)"
T=
for _p in /proc/[0-9]*; do
	case $(cat "$_p/comm" 2>/dev/null) in blkmirror/*) T=${_p#/proc/} ;; esac
done
[ -n "$T" ] || fail "no blkmirror copy thread"

sec_copied() { [ "$(stat_of m secondary copy_bytes)" = "$1" ]; }
# dm_sysstat NAME: its /sys/block/dm-N/stat.  stat_is FILE FIELD VALUE:
# field 1 counts reads completed, 5 writes completed (as each bio
# completes, before its caller is told).  No fork: the thread waits in D
# meanwhile, and on the debug kernel every process costs seconds.
dm_sysstat() {
	_mi=$(dmsetup info -c --noheadings -o minor "$1") || fail "no minor for $1"
	echo /sys/block/dm-$((_mi))/stat
}
stat_is() {
	read -r _s1 _s2 _s3 _s4 _s5 _rest <"$1" || return 1
	eval "[ \"\$_s$2\" = \"\$3\" ]"
}
px_stat=$(dm_sysstat pxhold)
slow_stat=$(dm_sysstat slow)
stacks() {
	for _p in "$@"; do
		echo "[$_p $(cat /proc/$_p/comm 2>/dev/null)] $(tr '\n' ' ' </proc/$_p/stack 2>/dev/null)"
	done
}
# The held copy has done region 0.  A: region 1, chunk 0 written, chunk 1
# read and its write held.
wait_until 30 sec_copied $((4 << 20)) || fail "region 0 not copied: $(mirrorctl status m --json)"
must mirrorctl set m --max-rate 2
wait_until 30 sec_copied $((5 << 20)) || fail "region 1 chunk 0 not copied: $(mirrorctl status m --json)"
# X: region 2, its first read held by dm-delay.
must mirrorctl set m --max-rate 1
# dm-delay's status: reads, writes, flushes it holds.
px_reads() { [ "$(dmsetup status pxhold | cut -d' ' -f4)" = 1 ]; }
wait_until 30 px_reads ||
	fail "region 2's read not held: $(dmsetup status pxhold); $(mirrorctl status m --json)"
# A write ahead of the copy (region 5), stuck on the primary.
dmsetup suspend pahead || fail "suspend pahead"
bmpattern pwrite "$dev" ahead $((21 << 20)) 4K &
apid=$!
wait_until 30 in_state $apid D || fail "the write ahead is not held"
# The loop device's one tag, held.
dmsetup suspend tagdm || fail "suspend tagdm"
bmpattern sum "$lo" 0 4K >/dev/null &
tpid=$!
wait_until 30 in_state $tpid D || fail "$lo's reader is not waiting"
# Uncapped: the thread claims region 3 and waits for the write ahead.
# The floor goes up too: the write ahead and the parked writes are
# foreground load, and at the default 32 MiB/s floor the thread would
# wait out its throttle instead of reaping (it did, after rate control).
must mirrorctl set m --max-rate 0 --min-rate 64G
wait_until 30 in_state $T D || fail "the copy thread does not wait on its claim: $(stacks $T)"
grep -q blk_mq_get_tag /proc/$T/stack && fail "the copy thread waits on a tag, not on its claim: $(stacks $T)"
# X's read completes, then A's write: both wait on the thread's list.
# Neither device saw any other I/O of its kind: one completion each.
stat_is "$px_stat" 1 0 || fail "pxhold completed a read already: $(cat "$px_stat")"
stat_is "$slow_stat" 5 0 || fail "slow completed a write already: $(cat "$slow_stat")"
dmsetup suspend pxhold || fail "suspend pxhold (sends the held read)"
dmsetup resume pxhold || fail "resume pxhold"
wait_until 30 stat_is "$px_stat" 1 1 || fail "region 2's read did not complete: $(cat "$px_stat")"
dmsetup resume slow || fail "resume slow"
wait_until 30 stat_is "$slow_stat" 5 1 || fail "region 1's held write did not complete: $(cat "$slow_stat")"
# The thread slept through both.
in_state $T D || fail "the copy thread left its claim early: $(stacks $T)"
# The claim goes through; the thread reaps X and sleeps on the loop's tag.
dmsetup resume pahead || fail "resume pahead"
wait_until 30 grep -q blk_mq_get_tag /proc/$T/stack ||
	fail "the copy thread did not sleep on $lo's tag: $(stacks $T $apid $tpid)"
# The stop, while it sleeps there.
mirrorctl destroy m --force >/tmp/case/destroy.out 2>&1 &
dpid=$!
stopping() { grep -l kthread_stop /proc/[0-9]*/stack 2>/dev/null | grep -q .; }
wait_until 30 stopping || fail "no task in kthread_stop"
# Then the tag: the thread goes on reaping, with the stop set.
dmsetup resume tagdm || fail "resume tagdm"
wait $tpid || fail "the read of $lo failed"
wait $apid || fail "the write ahead failed"
wait $dpid
assert_eq 0 "$?" "destroy exit code ($(cat /tmp/case/destroy.out))"
wait_until 10 grep -q '"event":"destroyed"' /tmp/case/mon ||
	fail "monitor printed no destroyed event: $(cat /tmp/case/mon)"
kill -INT $mpid
wait $mpid
note "events: $(grep -o '"event":"[a-z]*"[^}]*' /tmp/case/mon | tr '\n' ' ')"

# Regions 0 and 1 are on ram0 and ram1 at the same offsets.
eq=0
while [ $eq -lt 2 ]; do
	bmpattern cmp /dev/ram0 /dev/ram1 $((eq << 22)) 4M >/dev/null || break
	eq=$((eq + 1))
done
max=0
for s in $(sed -n 's/.*"event":"progress".*"synced_bytes":\([0-9]*\).*/\1/p' /tmp/case/mon); do
	[ "$s" -gt $max ] && max=$s
done
note "legs equal over $eq regions; most progress claimed: $max bytes"
assert_eq 1 "$eq" "regions equal on the legs (region 1 was left half-copied)"
assert_le $((eq << 22)) "$max" "synced_bytes claimed by a progress event"
grep -q '"event":"complete"' /tmp/case/mon && fail "COMPLETE sent: $(grep '"event":"complete"' /tmp/case/mon)"
must dmsetup remove pri
must dmsetup remove sec
losetup -d "$lo" || fail "losetup -d $lo failed"
lo=
