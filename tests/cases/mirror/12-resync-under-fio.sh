#!/bin/sh
# CHECK: fio randwrite+verify through the mirror during a rate-limited resync passes, and the legs end byte-identical
# TIMEOUT: 240
. /tests/lib.sh

# fio keeps its job state in System V shared memory.
[ -d /proc/sysvipc ] || skip "kernel without System V IPC: fio cannot run"

make_legs 256
load_blkmirror
dev=$(make_mirror busy /dev/ram0 /dev/ram1 --max-rate 32M)
fio --name=mirror --filename="$dev" --rw=randwrite --bs=4k --direct=1 \
	--ioengine=psync --size=256M --io_size=64M \
	--verify=crc32c --verify_backlog=512 --verify_fatal=1 --do_verify=1 \
	--randrepeat=0 --output=/tmp/fio.out >/dev/null 2>/tmp/fio.err &
fpid=$!
sleep 1
assert_eq resyncing "$(mirror_field busy state)" "state while fio runs"
wait $fpid
frc=$?
st=$(mirror_field busy state)
pc=$(mirror_field busy percent)
note "after fio: state $st, $pc%"
sed -n '/write:/p;/err=/p' /tmp/fio.out | sed 's/^/# fio: /'
[ $frc -eq 0 ] || { cat /tmp/fio.out /tmp/fio.err; fail "fio exited $frc"; }
grep -q 'err= 0' /tmp/fio.out || fail "fio reported errors"
assert_eq resyncing "$st" "state when fio finished (copy at 32M/s takes 8 s, fio writes 64 MiB)"
wait_synced busy 150
assert_legs_equal /dev/ram0 /dev/ram1
