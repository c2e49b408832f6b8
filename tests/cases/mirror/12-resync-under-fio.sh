#!/bin/sh
# CHECK: fio randwrite+verify through the mirror during a rate-limited resync passes, the copy still running when fio starts writing, and the legs end byte-identical
# TIMEOUT: 240
. /tests/lib.sh

# fio keeps its job state in System V shared memory.
[ -d /proc/sysvipc ] || skip "kernel without System V IPC: fio cannot run"

make_legs 256
load_blkmirror
# Held until fio writes, then slow (a 128 s copy), raised once fio is done.
dev=$(make_mirror busy /dev/ram0 /dev/ram1 --max-rate $PIN_RATE)
fio --name=mirror --filename="$dev" --allow_file_create=0 \
	--rw=randwrite --bs=4k --direct=1 \
	--ioengine=psync --size=256M --io_size=64M \
	--verify=crc32c --verify_backlog=512 --verify_fatal=1 --do_verify=1 \
	--randrepeat=0 --output=/tmp/fio.out >/dev/null 2>/tmp/fio.err &
fpid=$!
writing() {
	[ "$(json_get_nested "$(mirrorctl status busy --json)" primary_stats writes)" -gt 0 ]
}
wait_until 60 writing || fail "fio wrote nothing in 60 s"
assert_resyncing busy "once fio writes"
release_copy busy 2M
wait $fpid
frc=$?
st=$(mirror_field busy state)
pc=$(mirror_field busy percent)
note "after fio: state $st, $pc%"
sed -n '/write:/p;/err=/p' /tmp/fio.out | sed 's/^/# fio: /'
[ $frc -eq 0 ] || { cat /tmp/fio.out /tmp/fio.err; fail "fio exited $frc"; }
grep -q 'err= 0' /tmp/fio.out || fail "fio reported errors"
must mirrorctl set busy --max-rate 0
wait_synced busy 150
assert_legs_equal /dev/ram0 /dev/ram1
