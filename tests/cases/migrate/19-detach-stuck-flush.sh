#!/bin/sh
# CHECK: a detach whose flush of the secondary outlasts its 15 s deadline (dm-delay holds flushes 28 s on a loop device with a write cache) calls the leg not consistent and keeps it open until that flush has landed; before, it closed the leg with the flush still in flight
# TIMEOUT: 150
. /tests/lib.sh
. /tests/cases/migrate/migrate.inc
. /tests/cases/faults/faults.inc

make_brd 1 16
load_dm dm_delay
truncate -s 16M /tmp/s.img
l=$(make_loop /tmp/s.img)
wc=$(cat /sys/block/${l#/dev/}/queue/write_cache)
case $wc in
"write back") ;;
*) skip "$l has no write cache ($wc): a flush would not reach dm-delay" ;;
esac
n=$(sectors "$l")
dm_create sd "0 $n delay $l 0 0 $l 0 0 $l 0 0"
dev_fill /dev/ram0 data
load_blkmirror
dev=$(make_mirror m /dev/ram0 /dev/mapper/sd)
wait_synced m 60

# Flushes from here take 28 s; reads and writes none.
dmsetup suspend sd || fail "suspend sd"
dmsetup load sd --table "0 $n delay $l 0 0 $l 0 0 $l 0 28000" || fail "load sd"
dmsetup resume sd || fail "resume sd"
mirrorctl detach m --json >/tmp/case/detach.out 2>/tmp/case/detach.err &
dpid=$!
t0=$(date +%s)
# Its flush is given up on after 15 s; the leg stays until it lands.
sleep 21
if ! kill -0 $dpid 2>/dev/null; then
	wait $dpid
	fail "the detach was over $(($(date +%s) - t0)) s after it began, with its flush of the leg in flight for 28 s: $(cat /tmp/case/detach.out /tmp/case/detach.err)"
fi
wait $dpid
assert_eq 0 "$?" "detach exit code ($(cat /tmp/case/detach.err))"
t1=$(date +%s)
note "detach took $((t1 - t0)) s"
assert_eq false "$(json_get "$(cat /tmp/case/detach.out)" consistent)" \
	"consistent, for a leg whose flush did not answer in time"
assert_exclusive /dev/mapper/sd
assert_eq single "$(mirror_field m state)" "state after the detach"
dev_verify "$dev" data
must mirrorctl destroy m
