#!/bin/sh
# CHECK: a forced destroy that waits on a leg that stopped answering (dm suspended, a write in flight) holds up only itself: list, status of another mirror and creates answer meanwhile, the name stays taken until the teardown ends, and once the leg answers the destroy finishes and the write is on the primary
# TIMEOUT: 90
. /tests/lib.sh
. /tests/cases/faults/faults.inc

make_brd 6 16
load_dm
dm_create pl "0 $(sectors /dev/ram0) linear /dev/ram0 0"
load_blkmirror
dev=$(make_mirror m /dev/mapper/pl /dev/ram1)
wait_synced m 60
make_mirror other /dev/ram2 /dev/ram3 >/dev/null

dmsetup suspend pl || fail "dmsetup suspend pl"
resumed=
trap '[ -n "$resumed" ] || dmsetup resume pl' EXIT
# The write reaches the mirror and waits in dm, holding the mirror open.
bmpattern write "$dev" stuck 400K 4K 2>/tmp/case/stuck.err &
wpid=$!
wait_until 10 in_state $wpid D ||
	fail "the write is not stuck with its leg suspended (state '$(task_state $wpid)')"
mirrorctl destroy m --force >/tmp/case/destroy.out 2>&1 &
dpid=$!
# The destroy waits in the kernel for the write: mirrorctl sleeps in its
# netlink request.  Wait for m to leave the list (the teardown began).
destroy_stuck() {
	! mirrorctl list | grep -q '^m ' && in_state $dpid D
}
wait_until 10 destroy_stuck ||
	fail "destroy not stuck: state '$(task_state $dpid)', list: $(mirrorctl list)"
note "destroy: state $(task_state $dpid), wchan $(cat /proc/$dpid/wchan 2>/dev/null)"
kill -0 $dpid 2>/dev/null || fail "destroy finished with a write stuck on a leg: $(cat /tmp/case/destroy.out)"

# Meanwhile the control path answers; each would hang before the fix.
run timeout 10 mirrorctl list
assert_eq 0 "$RC" "mirrorctl list during the stuck destroy (stderr: $ERR)"
assert_contains "$OUT" "other" "list during the stuck destroy"
assert_not_contains "$OUT" "m " "list during the stuck destroy shows m"
run timeout 10 mirrorctl status other --json
assert_eq 0 "$RC" "mirrorctl status other during the stuck destroy (stderr: $ERR)"
run timeout 10 mirrorctl status m
assert_eq 1 "$RC" "status of the mirror being destroyed (stderr: $ERR)"
# The name is not free until the teardown ends.
run timeout 10 bmnl create name=s:m primary=s:/dev/ram4 secondary=s:/dev/ram5
assert_contains "$OUT" "error -16 " "create of the name being destroyed"
assert_contains "$OUT" "still being destroyed" "create of the name being destroyed"
run timeout 10 mirrorctl create third /dev/ram4 /dev/ram5
assert_eq 0 "$RC" "create during the stuck destroy (stderr: $ERR)"

dmsetup resume pl || fail "dmsetup resume pl"
resumed=1
wait $dpid
assert_eq 0 "$?" "destroy exit code after the leg answered ($(cat /tmp/case/destroy.out))"
wait $wpid
wrc=$?
# The write itself must succeed.  Its fsync comes after the forced destroy
# took the disk away (the mirror offers a write cache, so the flush is
# sent) and may fail: that is the destroy, not the write.
case $wrc in
0) ;;
3) assert_contains "$(cat /tmp/case/stuck.err)" "bmpattern: fsync " "the stuck writer's error" ;;
*) fail "the stuck write's exit code: $wrc ($(cat /tmp/case/stuck.err))" ;;
esac
dev_verify /dev/mapper/pl stuck 400K 4K
dev_verify /dev/ram0 stuck 400K 4K
must mirrorctl destroy other
must mirrorctl destroy third
assert_no_mirrors
must dmsetup remove pl
for d in /dev/ram0 /dev/ram1 /dev/ram2 /dev/ram3 /dev/ram4 /dev/ram5; do
	assert_exclusive $d
done
must rmmod blkmirror
