#!/bin/sh
# CHECK: attach, switch and detach, each with every fault-injection site of its request failing in turn (bmnl --fail-nth N, N = 1, 2, ... until a request with fail-nth N reaches fewer than N sites and works: every site of the request's own context covered, not sampled), each works whole or fails with ENOMEM (or a lost reply) and changes nothing (status with event numbers, rate and region, holder links, the spare leg free, no copy thread); failslab fired once per injection; a logged writer across it loses no acknowledged write; the legs end identical
# TIMEOUT: 75
#
# What fail-nth reaches: the sites the sender's own task passes through
# in the send (/proc/thread-self/fail-nth): netlink's request and ACK
# skbs, genetlink's attribute buffer, and the handler: for attach the
# whole of it (the leg's lookup and open, the holder links, the copy's
# slots and bioset, the thread's creation, the events); for switch and
# detach the handler's job and reply, not the work item that switches or
# detaches (bm_wq runs it in a worker, outside this task's count).  On
# the debug kernel every slab allocation kmemleak tracks is followed by
# kmemleak's own (its object cache, which falls back to its pool): the
# cache filter below keeps those out of the count.
#
# Kept small so that it costs little on the debug kernel: 2 MiB legs, so
# that the copy an attach starts is short; a successful attach (round
# undone by detach --force) passes a new rate and region each time, so
# that no set is needed between rounds and a failed one must keep the
# old; a round costs bmnl, one status and one exclusive open (the rest is
# shell builtins); a switch or detach that worked is followed by one
# attach --wait.
. /tests/lib.sh
. /tests/cases/migrate/migrate.inc
. /tests/cases/faults/faults.inc

F=/sys/kernel/debug/failslab
[ -d $F ] || skip "no $F (needs CONFIG_FAILSLAB; only the debug kernel has it)"
[ -e /proc/self/fail-nth ] || skip "no /proc/self/fail-nth (needs CONFIG_FAULT_INJECTION)"

# fail-nth picks the site; nothing else fails: probability 0, and no
# task filter matters.  Sleeping allocations count too, and a forced
# failure is not reported in the kernel log (the runner fails a case on
# a stack dump).  times counts the failures forced.
failslab_off() {
	echo 0 >$F/probability
	echo N >$F/cache-filter
}
trap failslab_off EXIT
echo 0 >$F/probability
echo N >$F/ignore-gfp-wait
# Under kmemleak, only the caches the debug kernel's slub_debug=A marked
# (run.sh's DEBUG_APPEND: all but kmemleak's own) can fail, so that a
# site is ours or the kernel's, never kmemleak's fallback.  Caches made
# after boot are marked too, as they are created.
if [ -e /sys/kernel/debug/kmemleak ]; then
	for c in kmemleak_object kmalloc-64; do
		[ -r /sys/kernel/slab/$c/failslab ] ||
			fail "no /sys/kernel/slab/$c/failslab (slub_debug=A needs CONFIG_SLUB_DEBUG)"
	done
	[ "$(cat /sys/kernel/slab/kmemleak_object/failslab)" = 0 ] ||
		fail "kmemleak_object may fail: the debug kernel was not booted with 'slub_debug=A;-,kmemleak_*'"
	[ "$(cat /sys/kernel/slab/kmalloc-64/failslab)" = 1 ] ||
		fail "kmalloc-64 may not fail: the debug kernel was not booted with 'slub_debug=A;-,kmemleak_*'"
	echo Y >$F/cache-filter
else
	echo N >$F/cache-filter
fi
echo 0 >$F/verbose
TIMES=1000000
echo $TIMES >$F/times
fired() {
	echo $((TIMES - $(cat $F/times)))
}

MIB=2
make_brd 2 $MIB
dev_fill /dev/ram0 base
dev_fill /dev/ram1 stale
load_blkmirror
dev=$(make_mirror m /dev/ram0)
disk=${dev#/dev/}
thread=blkmirror/${disk#blkmirror}
SL=/sys/block/$disk/slaves

# The writer: 512 slots of 4 KiB, 200 ms apart at least (102 s or more:
# most of the case); the stop file ends it.
bmblk ackwrite "$dev" /tmp/case/acks w 4K 200000 /tmp/case/stop &
wpid=$!
wait_lines /tmp/case/acks 5

now() {	# seconds since boot, a builtin read
	read -r NOW _ </proc/uptime
	NOW=${NOW%.*}
}

# nth N CMD ATTR...: the raw request with its Nth site failing.  Sets
# RC, OUT1 (the first line of stdout), INJECTED (yes: that site failed;
# no: the request reached fewer, SITES of them).
nth() {
	_n=$1
	shift
	bmnl --fail-nth "$_n" "$@" >/tmp/case/nl.out 2>/tmp/case/nl.err
	RC=$?
	IFS= read -r OUT1 </tmp/case/nl.out || OUT1=
	IFS= read -r _e </tmp/case/nl.err || _e=
	case $_e in
	"fail-nth $_n: injected") INJECTED=yes ;;
	"fail-nth $_n: not reached ("*" sites)")
		INJECTED=no
		SITES=${_e#*(}
		SITES=${SITES% sites)} ;;
	*) fail "bmnl --fail-nth $_n $*: no verdict (rc $RC): $_e $(cat /tmp/case/nl.err /tmp/case/nl.out)" ;;
	esac
}

# outcome WHAT: ok (RC 0), refused (RC 1, ENOMEM), lost (RC 2: the send
# failed, or the reply or ACK could not be allocated; either way the
# state tells).  Any other errno fails the case.
N_ENOMEM=0 N_LOST=0
outcome() {
	case $RC in
	0) OUTCOME=ok ;;
	1)	case $OUT1 in
		"error -12 ("*) ;;
		*) fail "$1 failed with other than ENOMEM: $OUT1" ;;
		esac
		printf '%s\n' "${OUT1#*): }" >>/tmp/case/messages
		OUTCOME=refused
		N_ENOMEM=$((N_ENOMEM + 1)) ;;
	2)	OUTCOME=lost
		N_LOST=$((N_LOST + 1)) ;;
	*) fail "$1: bmnl exited $RC: $(cat /tmp/case/nl.out /tmp/case/nl.err)" ;;
	esac
}

# look: the status but what moves by itself (shape(), event numbers
# included) in SHAPE, its state in ST, the holder links in SLAVES.
look() {
	mirrorctl status m --json >/tmp/case/st.json || fail "mirrorctl status m failed"
	SHAPE=$(sed -E -e 's/"[a-z_]*_stats":(\{[^}]*\}|null)//g' \
		-e 's/"(percent|synced_bytes|rate_bytes_per_sec)":[0-9]+//g' \
		-e 's/"eta_seconds":([0-9]+|null)//g' -e 's/"yielding":(true|false)//g' \
		/tmp/case/st.json)
	[ -n "$SHAPE" ] || fail "mirrorctl status m printed nothing"
	jf state
	ST=$JV
	SLAVES=
	for _s in $SL/*; do
		[ -e "$_s" ] && SLAVES="$SLAVES${SLAVES:+ }${_s##*/}"
	done
}
# jf KEY...: scalars of SHAPE (strings unquoted) in JV, space-separated,
# without a process.
jf() {
	JV=
	for _k; do
		case $SHAPE in
		*"\"$_k\":"*) ;;
		*) fail "no $_k in the status: $SHAPE" ;;
		esac
		_v=${SHAPE#*\"$_k\":}
		case $_v in
		\"*) _v=${_v#\"}; _v=${_v%%\"*} ;;
		*) _v=${_v%%[,\}]*} ;;
		esac
		JV="$JV${JV:+ }$_v"
	done
}

no_thread() {	# builtins only: this runs at every round
	for _c in /proc/[0-9]*/comm; do
		IFS= read -r _t <"$_c" 2>/dev/null || continue
		[ "$_t" = "$thread" ] && return 1
	done
	return 0
}

free_leg() {	# LEG WHAT: nothing holds LEG
	bmpattern excl "$1" >/dev/null 2>&1 || fail "$1 still held $2"
}

# single PRIMARY FREE RATE REGION WHAT (after look): one leg, PRIMARY,
# held and linked as the only slave; FREE held by nothing; no copy
# thread; the rate and region given.
single() {
	jf state primary secondary
	assert_eq "single $1 null" "$JV" "state and legs $5"
	jf max_rate_bytes_per_sec region_size_bytes
	assert_eq "$3 $4" "$JV" "max rate and region size $5"
	assert_eq "${1#/dev/}" "$SLAVES" "slaves of $disk $5"
	free_leg "$2" "$5"
	wait_until 10 no_thread || fail "copy thread $thread still there $5"
}

# two STATE PRIMARY SECONDARY WHAT (after look)
two() {
	jf state primary secondary
	assert_eq "$1 $2 $3" "$JV" "state and legs $4"
	assert_eq "ram0 ram1" "$SLAVES" "slaves of $disk $4"
}

# same SPARE WHAT (after look): nothing changed since REF was taken.
same() {
	assert_eq "$REF" "$SHAPE" "status $2"
	assert_eq "$REF_SLAVES" "$SLAVES" "holder links $2"
	[ -n "$1" ] && free_leg "$1" "$2"
	no_thread || fail "copy thread $thread there $2"
}
snap() {
	REF=$SHAPE
	REF_SLAVES=$SLAVES
}
progress() {	# N WHAT: a console line every 10 rounds
	[ $(($1 % 10)) -eq 0 ] && echo "migrate/14: $2 round $1" >/dev/kmsg
	return 0
}

f0=$(fired)
ONE=$(printf '\001')	# bmnl prints a u8 as its byte
now
t0=$NOW

# ---- attach.  A success is undone by detach --force; each attach asks
# for a rate and a region other than the mirror's (the copy held at a
# few bytes/s, the region 1 or 2 MiB), so a failed one must leave both.
look
single /dev/ram0 /dev/ram1 0 1048576 "at the start"
snap
rate=0 region=1048576
n=1 a_inj=0 a_ok=0
while :; do
	progress $n attach
	nrate=$((rate + 1))
	nregion=$((3145728 - region))
	nth $n attach name=s:m secondary=s:/dev/ram1 max_rate=u64:$nrate region_size=u32:$nregion
	outcome "attach with site $n failing"
	[ $INJECTED = yes ] && a_inj=$((a_inj + 1))
	look
	case $OUTCOME/$ST in
	ok/resyncing | lost/resyncing | ok/synced | lost/synced)
		two $ST /dev/ram0 /dev/ram1 "after attach $n"
		jf max_rate_bytes_per_sec region_size_bytes
		assert_eq "$nrate $nregion" "$JV" "max rate and region after attach $n"
		rate=$nrate region=$nregion
		a_ok=$((a_ok + 1))
		[ $INJECTED = no ] && break
		run bmnl detach name=s:m force=flag
		[ "$RC" -eq 0 ] || fail "detach --force after attach $n: $OUT"
		look
		single /dev/ram0 /dev/ram1 $rate $region "after detach --force of attach $n"
		snap ;;
	refused/single | lost/single)
		same /dev/ram1 "after attach failed at site $n" ;;
	*)	fail "attach with site $n failing: $OUTCOME, state $ST: $OUT1" ;;
	esac
	[ $INJECTED = no ] && fail "attach $n: site not reached, yet it did not work: $OUT1"
	n=$((n + 1))
	[ $n -le 1000 ] || fail "attach still reaches site 1000"
done
now
note "attach: sites 1 to $((n - 1)) failed in turn ($a_inj injected, $a_ok worked anyway and were undone); fail-nth $n: $SITES sites reached, the attach whole ($((NOW - t0)) s)"
assert_ge 1 "$a_inj" "attach requests with a failed site"
t0=$NOW
must mirrorctl set m --max-rate 0
wait_synced m 60
REGION=$region

# ---- switch: a success is followed by an attach of the old primary.
p=/dev/ram0 s=/dev/ram1
n=1 s_inj=0 s_ok=0
look
two synced $p $s "before the switches"
snap
while :; do
	progress $n switch
	nth $n switch name=s:m
	outcome "switch with site $n failing"
	[ $INJECTED = yes ] && s_inj=$((s_inj + 1))
	look
	case $OUTCOME/$ST in
	ok/single | lost/single)
		single $s $p 0 $REGION "after switch $n"
		_t=$p p=$s s=$_t
		s_ok=$((s_ok + 1))
		[ $INJECTED = no ] && break
		must mirrorctl attach m $s --wait
		look
		two synced $p $s "after the attach that follows switch $n"
		snap ;;
	refused/synced | lost/synced)
		same "" "after switch failed at site $n" ;;
	*)	fail "switch with site $n failing: $OUTCOME, state $ST: $OUT1" ;;
	esac
	[ $INJECTED = no ] && fail "switch $n: site not reached, yet it did not work: $OUT1"
	n=$((n + 1))
	[ $n -le 1000 ] || fail "switch still reaches site 1000"
done
now
note "switch: sites 1 to $((n - 1)) failed in turn ($s_inj injected, $s_ok worked); fail-nth $n: $SITES sites reached, the switch whole; primary now $p ($((NOW - t0)) s)"
assert_ge 1 "$s_inj" "switch requests with a failed site"
t0=$NOW

# ---- detach: in sync, so that a success is a consistent copy.
must mirrorctl attach m $s --wait
look
two synced $p $s "before the detaches"
snap
n=1 d_inj=0 d_ok=0
while :; do
	progress $n detach
	nth $n detach name=s:m
	outcome "detach with site $n failing"
	[ $INJECTED = yes ] && d_inj=$((d_inj + 1))
	look
	case $OUTCOME/$ST in
	ok/single | lost/single)
		single $p $s 0 $REGION "after detach $n"
		if [ $OUTCOME = ok ]; then
			_r=$(cat /tmp/case/nl.out)
			case $_r in
			*"consistent("[0-9]*")=$ONE"*) ;;
			*) fail "detach $n reply: not a consistent copy: $_r" ;;
			esac
		fi
		d_ok=$((d_ok + 1))
		[ $INJECTED = no ] && break
		must mirrorctl attach m $s --wait
		look
		two synced $p $s "after the attach that follows detach $n"
		snap ;;
	refused/synced | lost/synced)
		same "" "after detach failed at site $n" ;;
	*)	fail "detach with site $n failing: $OUTCOME, state $ST: $OUT1" ;;
	esac
	[ $INJECTED = no ] && fail "detach $n: site not reached, yet it did not work: $OUT1"
	n=$((n + 1))
	[ $n -le 1000 ] || fail "detach still reaches site 1000"
done
now
note "detach: sites 1 to $((n - 1)) failed in turn ($d_inj injected, $d_ok worked); fail-nth $n: $SITES sites reached, the detach whole ($((NOW - t0)) s)"
assert_ge 1 "$d_inj" "detach requests with a failed site"

f=$(( $(fired) - f0 ))
note "failslab forced $f failure(s): $N_ENOMEM requests refused with ENOMEM, $N_LOST lost their reply"
assert_eq $((a_inj + s_inj + d_inj)) "$f" "failures failslab counted against those fail-nth reported"
assert_ge 1 "$N_ENOMEM" "requests refused with ENOMEM"
note "their messages (count, text; empty: refused before blkmirror's handler ran):"
sort /tmp/case/messages | uniq -c | sed 's/^/#   /'

# The data: every acknowledged write through the device, then on both legs.
touch /tmp/case/stop
wait $wpid || fail "ackwrite exited $?"
note "writes: $(lines /tmp/case/acks)"
ack_check "$dev" /tmp/case/acks w
assert_eq 0 "$FAILED" "writes that failed"
must mirrorctl attach m $s --wait
ack_check $p /tmp/case/acks w
ack_check $s /tmp/case/acks w
assert_legs_equal $p $s
must mirrorctl detach m
must mirrorctl destroy m
assert_exclusive /dev/ram0
assert_exclusive /dev/ram1
