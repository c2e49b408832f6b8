#!/bin/sh
# CHECK: with failslab failing 10% of the slab allocations of a writer (3% for create), O_DIRECT writes through a resyncing mirror fail only with ENOMEM (before reaching it), never at the legs, every acknowledged one verifies, and the legs end identical, and each create either works or fails cleanly with ENOMEM
# TIMEOUT: 150
. /tests/lib.sh

F=/sys/kernel/debug/failslab
[ -d $F ] || skip "no $F (needs CONFIG_FAILSLAB; only the debug kernel has it)"

failslab_off() {
	echo 0 >$F/probability
	echo 0 >$F/times
}
trap failslab_off EXIT
# Only tasks with make-it-fail set; sleeping allocations too; no reports
# in the kernel log (the runner fails a case on "Call Trace").
echo Y >$F/task-filter
echo N >$F/ignore-gfp-wait
echo N >$F/cache-filter 2>/dev/null
echo 0 >$F/verbose
echo 1 >$F/interval
echo 0 >$F/probability
# A count, not -1 (forever): failslab takes one off per failure it
# forces, so what is left shows that it fired.
TIMES=1000000
echo $TIMES >$F/times
fired() {
	echo $((TIMES - $(cat $F/times)))
}
# The task that will fail, and its children (make-it-fail is inherited).
failing() {
	sh -c 'echo 1 >/proc/self/make-it-fail && exec "$@"' failing "$@"
}

make_legs 32
load_blkmirror
dev=$(make_mirror fs /dev/ram0 /dev/ram1 --max-rate 2M)
# The I/O task: 512 logged 64 KiB O_DIRECT writes over the whole device
# while it resyncs (fio cannot run here: no System V IPC on this kernel).
failing bmblk ackwrite "$dev" /tmp/case/acks fs 64K 2000 &
wpid=$!
# Once it runs (exec itself would fail at this rate).
sleep 0.5
echo 10 >$F/probability
wait $wpid
wrc=$?
echo 0 >$F/probability
[ $wrc -eq 0 ] || fail "ackwrite under failslab exited $wrc"
f1=$(fired)
note "failslab failed $f1 allocation(s) of the writer"
assert_ge 1 "$f1" "allocations failslab failed for the writer"
assert_eq resyncing "$(mirror_field fs state)" "state when the writes ended"
out=$(bmblk ackcheck "$dev" /tmp/case/acks fs) || fail "data under failslab: $out"
note "$out"
# blkmirror's clones come from mempools: an allocation failure may slow a
# write, never fail it at the device.  The syscall itself may still fail
# with ENOMEM before any bio exists (the direct I/O bvec array): that and
# only that is allowed, and most writes must get through.
errs=$(awk '$3 == "fail" { print $4 }' /tmp/case/acks | sort | uniq -c | tr -s ' \n' ' ')
note "errnos of failed writes (count errno): ${errs:-none}"
assert_eq "" "$(awk '$3 == "fail" && $4 != 12' /tmp/case/acks | head -n 3)" "failed writes with an errno other than ENOMEM"
acked=$(grep -c ' ok$' /tmp/case/acks)
assert_ge 256 "$acked" "writes acknowledged under failslab (progress)"
assert_eq 0 "$(json_get_nested "$(mirrorctl status fs --json)" primary_stats write_errors)" "primary write_errors"
assert_eq 0 "$(json_get_nested "$(mirrorctl status fs --json)" secondary_stats write_errors)" "secondary write_errors"
wait_synced fs 90
out=$(bmblk ackcheck /dev/ram1 /tmp/case/acks fs) || fail "secondary: $out"
assert_legs_equal /dev/ram0 /dev/ram1
must mirrorctl destroy fs

make_brd 4 8
# A mirror that stays: its bio pools keep the bio slab caches alive, so a
# create reuses them.  Otherwise bioset_init() creates the cache, and the
# kernel's own report of a failed kmem_cache_create() (a stack dump, not a
# blkmirror problem) would fail the case.
make_mirror keep /dev/ram2 /dev/ram3 >/dev/null
echo 3 >$F/probability
ok=0 enomem=0 other=0 i=0
while [ $i -lt 40 ]; do
	run failing bmnl create name=s:c$i primary=s:/dev/ram0 secondary=s:/dev/ram1
	case $RC in
	0)	ok=$((ok + 1))
		assert_eq c$i "$(mirror_field c$i name)" "mirror c$i after a successful create"
		d=$(mirror_field c$i device)
		wait_until 5 test -b "$d" || fail "$d missing after create"
		dev_fill "$d" c$i 0 1M
		must mirrorctl destroy c$i ;;
	1)	assert_contains "$OUT" "error -12 " "create $i under failslab failed with other than ENOMEM"
		enomem=$((enomem + 1)) ;;
	*)	# exec, or sending the request, failed: it never reached us.
		other=$((other + 1)) ;;
	esac
	assert_eq "keep" "$(mirrorctl list --json | sed -n 's/.*"name":"\([^"]*\)".*/\1/p' | tr '\n' ' ' | sed 's/ $//')" "mirrors after create $i"
	assert_eq 1 "$(ls /sys/block | grep -c blkmirror)" "blkmirror disks after create $i"
	assert_exclusive /dev/ram0
	assert_exclusive /dev/ram1
	i=$((i + 1))
done
echo 0 >$F/probability
note "creates under failslab: $ok ok, $enomem ENOMEM, $other not sent; failslab fired $(( $(fired) - f1 )) time(s)"
assert_ge 1 "$(( $(fired) - f1 ))" "allocations failslab failed for the creates"
assert_ge 1 "$((ok + enomem))" "creates that reached the kernel"
must mirrorctl destroy keep
