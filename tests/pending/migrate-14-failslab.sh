#!/bin/sh
# CHECK: attach, switch and detach with a slab allocation of the request failing (failslab through fail-nth: switch and detach each allocation in turn, N = 1, 2, ... until the request makes fewer than N; attach 1 to 60, then every 3rd): each works whole or fails with ENOMEM (or a lost reply) and changes nothing (status, holder links, the spare leg free, no copy thread), the next works; failslab fired as often as fail-nth says; a logged writer across all of it loses no acknowledged write, and the legs end identical
# TIMEOUT: 150
. /tests/lib.sh
. /tests/cases/migrate/migrate.inc
. /tests/cases/faults/faults.inc

F=/sys/kernel/debug/failslab
[ -d $F ] || skip "no $F (needs CONFIG_FAILSLAB; only the debug kernel has it)"
[ -e /proc/self/fail-nth ] || skip "no /proc/self/fail-nth (needs CONFIG_FAULT_INJECTION)"

# fail-nth picks the allocation; nothing else fails: probability 0, and
# no task filter matters.  Sleeping allocations count too, and a forced
# failure is not reported in the kernel log (the runner fails a case on
# a stack dump).  times counts the failures forced.
failslab_off() {
	echo 0 >$F/probability
}
trap failslab_off EXIT
echo 0 >$F/probability
echo N >$F/ignore-gfp-wait
echo N >$F/cache-filter 2>/dev/null
echo 0 >$F/verbose
TIMES=1000000
echo $TIMES >$F/times
fired() {
	echo $((TIMES - $(cat $F/times)))
}

make_brd 3 8
dev_fill /dev/ram0 base
dev_fill /dev/ram1 stale
load_blkmirror
dev=$(make_mirror m /dev/ram0)
disk=${dev#/dev/}
thread=blkmirror/${disk#blkmirror}

# The writer: 2048 slots of 4 KiB, 20 ms apart at least; the stop file
# ends it.
bmblk ackwrite "$dev" /tmp/case/acks w 4K 20000 /tmp/case/stop &
wpid=$!
wait_lines /tmp/case/acks 10

# nth N CMD ATTR...: the raw request with its Nth allocation failing.
# Sets RC, OUT, ERR and INJECTED (yes: that allocation failed; no: the
# request made fewer than N).
nth() {
	_n=$1
	shift
	run bmnl --fail-nth "$_n" "$@"
	case $ERR in
	*"fail-nth $_n: injected"*) INJECTED=yes ;;
	*"fail-nth $_n: not reached"*) INJECTED=no ;;
	*) fail "bmnl --fail-nth $_n $*: no verdict (rc $RC): $ERR $OUT" ;;
	esac
}

# outcome WHAT: ok (RC 0), refused (RC 1, ENOMEM), lost (RC 2: the send
# failed, or the reply or ACK could not be allocated; either way the
# state tells).  Any other errno fails the case.
outcome() {
	case $RC in
	0) OUTCOME=ok ;;
	1)	printf '%s\n' "$OUT" | grep -q '^error -12 ' ||
			fail "$1 failed with other than ENOMEM: $OUT"
		printf '%s\n' "$OUT" | sed -n 's/^error -12 ([^)]*): //p' >>/tmp/case/messages
		OUTCOME=refused
		N_ENOMEM=$((N_ENOMEM + 1)) ;;
	2)	OUTCOME=lost
		N_LOST=$((N_LOST + 1)) ;;
	*) fail "$1: bmnl exited $RC: $OUT $ERR" ;;
	esac
}

threads() {	# one grep, not a process per task: this runs hundreds of times
	grep -lx "$thread" /proc/[0-9]*/comm 2>/dev/null | wc -l
}

no_thread() {
	[ "$(threads)" -eq 0 ]
}

# single PRIMARY FREE WHAT: one leg, PRIMARY, held by the mirror and
# linked as its only slave; FREE not held by anything; no copy thread.
single() {
	_j=$(mirrorctl status m --json) || fail "status m ($4)"
	assert_eq single "$(json_get "$_j" state)" "state $3"
	assert_eq "0 $REGION0" "$(json_get "$_j" max_rate_bytes_per_sec) $(json_get "$_j" region_size_bytes)" "max rate and region size $3"
	assert_eq "$1" "$(json_get "$_j" primary)" "primary $3"
	assert_eq null "$(json_get "$_j" secondary)" "secondary $3"
	assert_eq "${1#/dev/}" "$(ls /sys/block/$disk/slaves | tr '\n' ' ' | sed 's/ $//')" "slaves of $disk $3"
	assert_exclusive "$2"
	wait_until 10 no_thread || fail "copy thread $thread still there $3"
}

# two STATE PRIMARY SECONDARY WHAT
two() {
	_j=$(mirrorctl status m --json) || fail "status m ($4)"
	assert_eq "$1" "$(json_get "$_j" state)" "state $4"
	assert_eq "$2" "$(json_get "$_j" primary)" "primary $4"
	assert_eq "$3" "$(json_get "$_j" secondary)" "secondary $4"
	assert_eq "$(printf '%s\n' "${2#/dev/}" "${3#/dev/}" | sort | tr '\n' ' ')" \
		"$(ls /sys/block/$disk/slaves | sort | tr '\n' ' ')" "slaves of $disk $4"
}

# The fast check of a refused request, a few processes a round (hundreds
# of rounds on the debug kernel): the status but what moves by itself
# (shape, event numbers included), the holder links, the spare leg free.
snap() {
	REF=$(shape m)
	REF_SLAVES=$(echo /sys/block/$disk/slaves/*)
}
# state_now: the state, from a fresh shape in SHAPE.
state_now() {
	SHAPE=$(shape m)
	case $SHAPE in
	*'"state":"single"'*) ST=single ;;
	*'"state":"resyncing"'*) ST=resyncing ;;
	*'"state":"synced"'*) ST=synced ;;
	*) ST=other ;;
	esac
}
same() {	# SPARE WHAT
	assert_eq "$REF" "$SHAPE" "status $2"
	assert_eq "$REF_SLAVES" "$(echo /sys/block/$disk/slaves/*)" "holder links $2"
	assert_exclusive "$1"
}
# progress N WHAT: a line on the console every 25 rounds.
progress() {
	[ $(($1 % 25)) -eq 0 ] && echo "migrate/14: $2 round $1" >/dev/kmsg
	return 0
}

REGION0=$(mirror_field m region_size_bytes)
N_ENOMEM=0 N_LOST=0
f0=$(fired)

# ---- attach: the copy held, so that a success is undone by detach --force.
ATTACH_ALL=${ATTACH_ALL:-60}
ATTACH_STEP=${ATTACH_STEP:-3}
n=1 a_inj=0 a_ok=0
snap
while :; do
	progress $n attach
	nth $n attach name=s:m secondary=s:/dev/ram1 max_rate=u64:1
	outcome "attach with allocation $n failing"
	[ $INJECTED = yes ] && a_inj=$((a_inj + 1))
	state_now
	case $OUTCOME/$ST in
	ok/resyncing | lost/resyncing)
		case $SHAPE in
		*'"primary":"/dev/ram0"'*'"secondary":"/dev/ram1"'*) ;;
		*) fail "legs after attach $n: $SHAPE" ;;
		esac
		a_ok=$((a_ok + 1))
		[ $INJECTED = no ] && break
		# Undone with the raw requests: hundreds of rounds.
		run bmnl detach name=s:m force=flag
		[ "$RC" -eq 0 ] || fail "detach --force after attach $n: $OUT"
		run bmnl set name=s:m max_rate=u64:0
		[ "$RC" -eq 0 ] || fail "set after attach $n: $OUT"
		state_now
		[ $ST = single ] || fail "state after detach --force of attach $n: $SHAPE"
		no_thread || fail "copy thread $thread left after detach --force of attach $n"
		assert_exclusive /dev/ram1
		snap ;;
	refused/single | lost/single)
		same /dev/ram1 "after attach failed at allocation $n"
		no_thread || fail "copy thread $thread left by attach $n" ;;
	*)	fail "attach with allocation $n failing: $OUTCOME, state $ST: $OUT $ERR" ;;
	esac
	[ $INJECTED = no ] && fail "attach $n: allocation not reached, yet it did not work: $OUT"
	# Every allocation up to ATTACH_ALL, then every ATTACH_STEP-th: an
	# attach makes a few hundred, and each round costs seconds on the
	# debug kernel (ATTACH_STEP=1 tries them all).  Odd: under kmemleak
	# every slab allocation makes one of its own, which failslab also
	# fails and kmemleak survives (its object pool), so an even step
	# could keep landing on kmemleak's alone.
	if [ $n -lt $ATTACH_ALL ]; then n=$((n + 1)); else n=$((n + ATTACH_STEP)); fi
	[ $n -le 1000 ] || fail "attach still reaches allocation 1000"
done
note "attach: allocations 1 to $ATTACH_ALL and every ${ATTACH_STEP}th to $n failed in turn ($a_inj injected), $a_ok worked anyway, the rest changed nothing"
assert_ge 1 "$a_inj" "attach requests with a failed allocation"
must mirrorctl set m --max-rate 0
wait_synced m 60

# ---- switch: a success is followed by an attach of the old primary.
p=/dev/ram0 s=/dev/ram1
n=1 s_inj=0
two synced $p $s "before the switches"
snap
while :; do
	progress $n switch
	nth $n switch name=s:m
	outcome "switch with allocation $n failing"
	[ $INJECTED = yes ] && s_inj=$((s_inj + 1))
	state_now
	case $OUTCOME/$ST in
	ok/single | lost/single)
		single $s $p "after switch (allocation $n failed)"
		_t=$p p=$s s=$_t
		[ $INJECTED = no ] && break
		must mirrorctl attach m $s --wait
		two synced $p $s "after the attach that follows switch $n"
		snap ;;
	refused/synced | lost/synced)
		same /dev/ram2 "after switch failed at allocation $n" ;;
	*)	fail "switch with allocation $n failing: $OUTCOME, state $ST: $OUT $ERR" ;;
	esac
	[ $INJECTED = no ] && fail "switch $n: allocation not reached, yet it did not work: $OUT"
	n=$((n + 1))
	[ $n -le 1000 ] || fail "switch still reaches allocation 1000"
done
note "switch: $((n - 1)) allocations failed in turn; primary now $p"
assert_ge 1 "$s_inj" "switch requests with a failed allocation"

# ---- detach: in sync, so that a success is a consistent copy.
must mirrorctl attach m $s --wait
two synced $p $s "before the detaches"
snap
n=1 d_inj=0
while :; do
	progress $n detach
	nth $n detach name=s:m
	outcome "detach with allocation $n failing"
	[ $INJECTED = yes ] && d_inj=$((d_inj + 1))
	state_now
	case $OUTCOME/$ST in
	ok/single | lost/single)
		single $p $s "after detach (allocation $n failed)"
		[ $OUTCOME = ok ] && assert_contains "$OUT" "consistent(" "detach reply"
		[ $INJECTED = no ] && break
		must mirrorctl attach m $s --wait
		two synced $p $s "after the attach that follows detach $n"
		snap ;;
	refused/synced | lost/synced)
		same /dev/ram2 "after detach failed at allocation $n" ;;
	*)	fail "detach with allocation $n failing: $OUTCOME, state $ST: $OUT $ERR" ;;
	esac
	[ $INJECTED = no ] && fail "detach $n: allocation not reached, yet it did not work: $OUT"
	n=$((n + 1))
	[ $n -le 1000 ] || fail "detach still reaches allocation 1000"
done
note "detach: $((n - 1)) allocations failed in turn"
assert_ge 1 "$d_inj" "detach requests with a failed allocation"

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
