#!/bin/sh
# CHECK: fio random writes at queue depth 16 (crc32c verify) run across attach, the copy and switch of a single-leg mirror: fio's own verify passes through the device afterwards, a verify-only pass of the same job passes on the new primary read directly, and the old primary is free
# TIMEOUT: 240
. /tests/lib.sh
. /tests/cases/migrate/migrate.inc
. /tests/cases/faults/faults.inc

need_fio
make_brd 2 64
dev_fill /dev/ram1 stale
load_blkmirror
dev=$(make_mirror f /dev/ram0)

# 6144 writes of 4 KiB over the first 24 MiB at 400/s: some 15 s of writing,
# then fio reads every block back and checks it.
job="--name=sw --rw=randwrite --bs=4k --size=24M --iodepth=16 --ioengine=libaio
--direct=1 --verify=crc32c --verify_fatal=1 --randrepeat=1 --randseed=42
"
fio $job --filename="$dev" --rate_iops=400 --output=/tmp/case/fio.out >/dev/null 2>&1 &
fpid=$!
# Some writes before the attach (the mirror's own counter of writes to
# its primary), then the copy held while more go on.
writes() { stat_of f primary writes; }
more_writes() { [ "$(writes)" -ge "$1" ]; }
wait_until 30 more_writes 256 || fail "fio wrote nothing: $(cat /tmp/case/fio.out)"
must mirrorctl attach f /dev/ram1 --max-rate 1
wait_until 30 more_writes $(( $(writes) + 512 )) || fail "fio stalled after attach"
must mirrorctl set f --max-rate 0
wait_synced f 60
kill -0 $fpid 2>/dev/null || fail "fio ended before the switch: make its write phase longer"
must mirrorctl switch f
note "$OUT"
kill -0 $fpid 2>/dev/null || fail "fio ended during the switch: make its write phase longer"
wait $fpid
rc=$?
[ "$rc" -eq 0 ] || { cat /tmp/case/fio.out; fail "fio (with its verify) exited $rc"; }
grep -q "verify" /tmp/case/fio.out || note "fio output: $(cat /tmp/case/fio.out)"
assert_eq single "$(mirror_field f state)" "state after switch"
assert_exclusive /dev/ram0

# The same job, verify only, on the new primary itself and through the mirror.
fio $job --filename=/dev/ram1 --verify_only --output=/tmp/case/fio2.out >/dev/null 2>&1 ||
	{ cat /tmp/case/fio2.out; fail "fio verify_only on the new primary"; }
fio $job --filename="$dev" --verify_only --output=/tmp/case/fio3.out >/dev/null 2>&1 ||
	{ cat /tmp/case/fio3.out; fail "fio verify_only through the mirror"; }
must mirrorctl destroy f
