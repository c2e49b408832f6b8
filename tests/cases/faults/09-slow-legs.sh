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
# The copy is held until fio has run: the writes land during the resync.
dev=$(make_mirror m /dev/mapper/pri /dev/mapper/sec --max-rate $PIN_RATE)
fio --thread --name=slow --filename="$dev" --allow_file_create=0 --rw=randwrite --bs=16k --direct=1 \
	--ioengine=libaio --iodepth=16 --size=32M --io_size=2M \
	--verify=crc32c --do_verify=1 --verify_fatal=1 --randrepeat=0 \
	--output=/tmp/case/fio.out >/dev/null 2>/tmp/case/fio.err ||
	{ cat /tmp/case/fio.out /tmp/case/fio.err; fail "fio on a slow secondary"; }
note "fio done at $(cut -d' ' -f1 /proc/uptime)"
grep -q 'err= 0' /tmp/case/fio.out || fail "fio reported errors"
assert_resyncing m "with a slow secondary, after fio"
release_copy m 16M
# 128 writes of 256 KiB, paced 10 ms (at least 1.3 s), across the swap.
bmblk ackwrite "$dev" /tmp/case/acks w 256K 10000 &
wpid=$!
wait_until 10 sh -c '[ "$(wc -l </tmp/case/acks)" -ge 16 ]' 2>/dev/null ||
	fail "the writer did not start"
dm_swap pri "0 $S delay /dev/ram0 0 100 /dev/ram0 0 10"
at=$(wc -l </tmp/case/acks)
note "primary slow after $at of 128 writes"
wait $wpid || fail "ackwrite exited $?"
assert_le 127 "$at" "writes done before the primary turned slow (some must come after)"
note "writer done at $(cut -d' ' -f1 /proc/uptime)"
ack_check "$dev" /tmp/case/acks w
assert_eq 128 "$ACKED" "writes acknowledged with slow legs"
wait_synced m 90
assert_eq 0 "$(stat_of m primary write_errors)" "primary write_errors"
assert_eq 0 "$(stat_of m secondary write_errors)" "secondary write_errors"
ack_check /dev/ram1 /tmp/case/acks w
assert_legs_equal /dev/ram0 /dev/ram1
teardown m /dev/mapper/pri /dev/mapper/sec
