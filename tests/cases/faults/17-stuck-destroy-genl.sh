#!/bin/sh
# CHECK: a forced destroy stuck on a leg that stopped answering does not hold generic netlink: a module registering a genl family (nbd) loads meanwhile and mirrorctl list answers within 10 s; once the leg answers the destroy exits 0 and the stuck write is on the primary
# TIMEOUT: 120
. /tests/lib.sh
. /tests/cases/faults/faults.inc

[ -d /sys/module/nbd ] && { rmmod nbd || fail "nbd loaded and busy"; }
make_brd 4 16
load_dm
dm_create pl "0 $(sectors /dev/ram0) linear /dev/ram0 0"
load_blkmirror
dev=$(make_mirror m /dev/mapper/pl /dev/ram1)
wait_synced m 60
make_mirror other /dev/ram2 /dev/ram3 >/dev/null

dmsetup suspend pl || fail "dmsetup suspend pl"
resumed=
# Whatever happens, the leg answers again, so that everything blocked
# behind it (destroy, genl, modprobe) can finish.
trap '[ -n "$resumed" ] || dmsetup resume pl' EXIT
bmpattern write "$dev" stuck 400K 4K 2>/tmp/case/stuck.err &
wpid=$!
primary_wrote() { [ "$(stat_of m primary writes)" -ge 1 ] 2>/dev/null; }
wait_until 10 primary_wrote || fail "the write did not reach the primary"
kill -0 $wpid 2>/dev/null || fail "the write finished with its leg suspended"

mirrorctl destroy m --force >/tmp/case/destroy.out 2>&1 &
dpid=$!
# The destroy has begun once m is no longer found.
m_gone() { ! mirrorctl status m >/dev/null 2>&1; }
wait_until 10 m_gone || fail "mirrorctl status m still succeeds after destroy --force"
kill -0 $dpid 2>/dev/null ||
	fail "destroy finished with a write stuck on a leg: $(cat /tmp/case/destroy.out)"

# genl_register_family() takes genl's cb_lock for writing.  Go on once
# modprobe has either finished or is waiting for that lock.
modprobe nbd >/tmp/case/modprobe.out 2>&1 &
mpid=$!
mp_settled() {
	! kill -0 $mpid 2>/dev/null && return 0
	grep -q 'down_write\|rwsem\|genl' /proc/$mpid/wchan 2>/dev/null
}
wait_until 30 mp_settled || fail "modprobe nbd neither finished nor blocked in 30 s (wchan $(cat /proc/$mpid/wchan 2>/dev/null))"
note "modprobe nbd: $(kill -0 $mpid 2>/dev/null && echo "waiting in $(cat /proc/$mpid/wchan)" || echo finished)"

# A generic-netlink request while the destroy is stuck.  It is watched from
# here, not killed: a task blocked on cb_lock cannot be.
mirrorctl list >/tmp/case/list.out 2>/tmp/case/list.err &
lpid=$!
list_done() { ! kill -0 $lpid 2>/dev/null; }
if ! wait_until 10 list_done; then
	lw=$(cat /proc/$lpid/wchan 2>/dev/null)
	still_mp=$(kill -0 $mpid 2>/dev/null && echo "modprobe nbd blocked in $(cat /proc/$mpid/wchan)")
	dmsetup resume pl && resumed=1
	wait_until 30 list_done
	fail "mirrorctl list did not answer in 10 s during the stuck destroy (mirrorctl list blocked in $lw; $still_mp)"
fi
wait $lpid
assert_eq 0 "$?" "mirrorctl list during the stuck destroy ($(cat /tmp/case/list.err))"
assert_contains "$(cat /tmp/case/list.out)" "other" "list during the stuck destroy"
wait_until 30 sh -c "! kill -0 $mpid 2>/dev/null" ||
	fail "modprobe nbd still running 30 s into the stuck destroy (wchan $(cat /proc/$mpid/wchan 2>/dev/null))"
wait $mpid
assert_eq 0 "$?" "modprobe nbd exit code ($(cat /tmp/case/modprobe.out))"
test -d /sys/module/nbd || fail "nbd not loaded after modprobe"
kill -0 $dpid 2>/dev/null || fail "destroy finished before the leg answered: $(cat /tmp/case/destroy.out)"

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
dev_verify /dev/ram0 stuck 400K 4K
must mirrorctl destroy other
assert_no_mirrors
must dmsetup remove pl
rmmod nbd || fail "rmmod nbd"
must rmmod blkmirror
