#!/bin/sh
# CHECK: a slow secondary (dm-delay 25 ms) under fio+verify during the resync, then a primary that turns slow (reads 100 ms, writes 10 ms) under a write load: nothing fails or degrades, every write is there, the legs end identical
# TIMEOUT: 150
. /tests/lib.sh
. /tests/cases/faults/faults.inc
need_fio

make_legs 32
load_dm dm_delay
S=$(sectors /dev/ram0)
dm_create pri "0 $S linear /dev/ram0 0"
dm_create sec "0 $S delay /dev/ram1 0 25"
load_blkmirror
dev=$(make_mirror m /dev/mapper/pri /dev/mapper/sec --max-rate 16M)
fio --thread --name=slow --filename="$dev" --allow_file_create=0 --rw=randwrite --bs=16k --direct=1 \
	--ioengine=libaio --iodepth=16 --size=32M --io_size=2M \
	--verify=crc32c --do_verify=1 --verify_fatal=1 --randrepeat=0 \
	--output=/tmp/case/fio.out >/dev/null 2>/tmp/case/fio.err ||
	{ cat /tmp/case/fio.out /tmp/case/fio.err; fail "fio on a slow secondary"; }
note "fio done at $(cut -d' ' -f1 /proc/uptime)"
grep -q 'err= 0' /tmp/case/fio.out || fail "fio reported errors"
assert_ne degraded "$(mirror_field m state)" "state with a slow secondary"
bmblk ackwrite "$dev" /tmp/case/acks w 256K &
wpid=$!
sleep 1
dm_swap pri "0 $S delay /dev/ram0 0 100 /dev/ram0 0 10"
wait $wpid || fail "ackwrite exited $?"
note "writer done at $(cut -d' ' -f1 /proc/uptime)"
ack_check "$dev" /tmp/case/acks w
assert_eq 128 "$ACKED" "writes acknowledged with slow legs"
wait_synced m 90
assert_eq 0 "$(stat_of m primary write_errors)" "primary write_errors"
assert_eq 0 "$(stat_of m secondary write_errors)" "secondary write_errors"
ack_check /dev/ram1 /tmp/case/acks w
assert_legs_equal /dev/ram0 /dev/ram1
teardown m /dev/mapper/pri /dev/mapper/sec
