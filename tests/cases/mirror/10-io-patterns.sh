#!/bin/sh
# CHECK: patterned writes at assorted sizes/offsets (region-unaligned, region-spanning, last block) read back through the mirror, land on the primary, and reach the secondary after sync
# TIMEOUT: 180
. /tests/lib.sh

make_legs 64
load_blkmirror
dev=$(make_mirror io /dev/ram0 /dev/ram1 --max-rate $PIN_RATE)	# held until written
M=1048576
# offset:length pairs (bytes); region size is 1 MiB.
# Ranges do not overlap.
set -- 0:4096 \
	$((M - 512)):512 \
	$((2 * M - 32768)):65536 \
	$((5 * M - 4096)):$((3 * M + 8192)) \
	$((8 * M + 65536 + 512)):1536 \
	$((10 * M)):$M \
	$((20 * M + 4096)):$((10 * M)) \
	$((64 * M - 4096)):4096
i=0
for r in "$@"; do
	dev_fill "$dev" "io$i" "${r%:*}" "${r#*:}"
	i=$((i + 1))
done
assert_resyncing io "while writing (copy held)"
i=0
for r in "$@"; do
	dev_verify "$dev" "io$i" "${r%:*}" "${r#*:}"
	dev_verify /dev/ram0 "io$i" "${r%:*}" "${r#*:}"
	i=$((i + 1))
done
# Untouched parts still hold the primary's original data.
dev_verify "$dev" primary $((3 * M)) $((2 * M - 4096))
dev_verify "$dev" primary $((40 * M)) $((20 * M))
must mirrorctl set io --max-rate 0
wait_synced io 120
i=0
for r in "$@"; do
	dev_verify /dev/ram1 "io$i" "${r%:*}" "${r#*:}"
	i=$((i + 1))
done
assert_legs_equal /dev/ram0 /dev/ram1
