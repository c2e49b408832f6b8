#!/bin/sh
# CHECK: the mirror's I/O shows in /sys/block/*/stat and /proc/diskstats like any disk's: reads and writes counted with their sectors, nothing left in flight, iostats can be turned off
. /tests/lib.sh

make_legs 16
load_blkmirror
dev=$(make_mirror st /dev/ram0 /dev/ram1)
wait_synced st
d=${dev#/dev/}
# stat: read ios, merges, sectors, ticks, write ios, merges, sectors,
# ticks, in flight, ...  (Documentation/block/stat.rst)
stat_field() {	# N
	awk -v n="$1" '{ print $n }' /sys/block/$d/stat
}
assert_eq 1 "$(cat /sys/block/$d/queue/iostats)" "queue/iostats"
r0=$(stat_field 1) rs0=$(stat_field 3) w0=$(stat_field 5) ws0=$(stat_field 7)
# 16 O_DIRECT writes of 64 KiB, then the same read back: 2048 sectors each.
dev_fill "$dev" st 0 1M
dev_verify "$dev" st 0 1M
r1=$(stat_field 1) rs1=$(stat_field 3) w1=$(stat_field 5) ws1=$(stat_field 7)
note "stat after 1 MiB written and read: $(cat /sys/block/$d/stat)"
assert_eq 2048 $((ws1 - ws0)) "sectors written"
assert_ge 2048 $((rs1 - rs0)) "sectors read"
assert_ge 1 $((w1 - w0)) "write ios"
assert_ge 1 $((r1 - r0)) "read ios"
assert_eq 0 "$(stat_field 9)" "in flight"
assert_eq "$(stat_field 7)" "$(awk -v d="$d" '$3 == d { print $10 }' /proc/diskstats)" \
	"sectors written in /proc/diskstats"
# The block layer's switch is honoured.
echo 0 >/sys/block/$d/queue/iostats
dev_fill "$dev" st2 0 1M
assert_eq "$ws1" "$(stat_field 7)" "sectors written with iostats off"
echo 1 >/sys/block/$d/queue/iostats
must mirrorctl destroy st
