#!/bin/sh
# CHECK: read repair: on a synced mirror whose primary has a bad block that a write remaps (md raid1 bad-block list), a read of it through the mirror gets the right data and the block is rewritten on the primary from the secondary (list empty, primary reads the data directly); with a writer on the same blocks while reads trigger repairs, every acknowledged write is on both legs and the mirror stays in sync
# TIMEOUT: 240
. /tests/lib.sh
. /tests/cases/faults/faults.inc

# The primary is a one-disk md raid1 over /dev/ram0 with no superblock
# (external metadata: data at offset 0, so it holds ram0's pattern) and
# its own bad-block list: md fails a read of a listed block, and a write
# that succeeds takes the block off the list, as a disk remapping a
# sector does (what dm-dust does; Debian's kernels lack dm-dust).
MD=md_bmr
M=/sys/block/$MD/md
md_stop() {
	[ -e $M/array_state ] && echo clear >$M/array_state
	return 0
}
trap md_stop EXIT

make_legs 32
load_dm
modprobe raid1 || fail "modprobe raid1 failed"
echo $MD >/sys/module/md_mod/parameters/new_array || fail "cannot create md array $MD"
echo external:bmr >$M/metadata_version &&
	echo raid1 >$M/level && echo 1 >$M/raid_disks &&
	cat /sys/block/ram0/dev >$M/new_dev && echo 0 >$M/dev-ram0/slot &&
	echo 32768 >$M/dev-ram0/size && echo 32768 >$M/component_size &&
	echo active >$M/array_state && echo external_bbl >$M/dev-ram0/state &&
	echo 0 >$M/safe_mode_delay || fail "setting up md array $MD failed"
wait_until 5 test -b /dev/$MD || fail "/dev/$MD did not appear"
assert_eq "$(dev_size /dev/ram0)" "$(dev_size /dev/$MD)" "size of /dev/$MD"
# With external metadata the first write waits for the metadata manager
# (mdmon) to say "active"; with no safe mode the array then stays active.
bmpattern write /dev/$MD primary 0 4K &
wp=$!
wait_until 20 grep -qx write-pending $M/array_state ||
	fail "first write to $MD: array_state $(cat $M/array_state), not write-pending"
echo active >$M/array_state || fail "cannot mark $MD active"
wait $wp || fail "first write to $MD failed"
dev_verify /dev/$MD primary

# bad_block OFFSET: list the 4 KiB block at byte OFFSET as bad on the primary.
bad_block() {
	echo "$(($1 / 512)) 8" >$M/dev-ram0/bad_blocks
}
no_bad_blocks() {
	[ -z "$(cat $M/dev-ram0/bad_blocks)" ]
}
repairs() {
	dmesg | grep -c "blkmirror: m: read repair of sectors .* repaired from the secondary"
}

load_blkmirror
dev=$(make_mirror m /dev/$MD /dev/ram1 --region-size 1M)
wait_synced m 60

# 1. One bad block, 4 KiB into the 9th MiB; read 12 KiB across it.
B=$((8 * 1048576 + 4096))
bad_block $B || fail "cannot list a bad block on $MD"
run bmpattern verify /dev/$MD primary $B 4K
assert_eq 3 "$RC" "exit code of a direct read of the bad block on the primary ($ERR)"
run bmpattern verify "$dev" primary $((B - 4096)) 12K
assert_eq 0 "$RC" "read through the mirror across the primary's bad block ($ERR)"
wait_until 30 no_bad_blocks ||
	fail "the bad block is still listed on the primary: $(cat $M/dev-ram0/bad_blocks) (not rewritten; kernel log: $(dmesg | grep 'blkmirror: m:' | tail -n 3))"
dev_verify /dev/$MD primary $((B - 4096)) 12K
dev_verify /dev/ram0 primary $((B - 4096)) 12K
dmesg | grep -q "blkmirror: m: read repair of sectors $(((B - 4096) / 512))+24 on primary: repaired from the secondary" ||
	fail "no log line for the repair: $(dmesg | grep 'blkmirror: m:' | tail -n 3)"
assert_eq synced "$(mirror_field m state)" "state after the repair"
assert_ge 1 "$(stat_of m primary read_errors)" "primary read_errors"
before=$(repairs)

# 2. A writer on the first MiB (256 slots of 4 KiB, each written once a
# round) while a reader keeps listing blocks there as bad and reading the
# MiB through the mirror, so that repairs rewrite blocks the writer is
# writing.  A repair's copy of the secondary must never land over a newer
# acknowledged write.
reader() {
	_i=0
	while [ ! -e /tmp/case/stop ]; do
		bad_block $(((_i * 37 % 256) * 4096)) 2>/dev/null
		bmpattern sum "$dev" 0 1M >/dev/null 2>>/tmp/case/read-errors ||
			echo "read $_i failed" >>/tmp/case/read-errors
		_i=$((_i + 1))
	done
	echo $_i >/tmp/case/reads
}
: >/tmp/case/read-errors
reader &
rp=$!
for r in 1 2 3; do
	bmblk ackwrite "$dev" /tmp/case/acks$r w$r 4K 0 - 1M || fail "ackwrite round $r exited $?"
	ack_check "$dev" /tmp/case/acks$r w$r
	assert_eq 256 "$ACKED" "acknowledged writes of round $r"
done
touch /tmp/case/stop
wait $rp
note "reads during the writes: $(cat /tmp/case/reads)"
assert_eq "" "$(cat /tmp/case/read-errors)" "errors of reads through the mirror"
# Read what is still listed, so that it is repaired too, and let the
# repairs finish: then the primary can be read directly.
bmpattern sum "$dev" 0 1M >/dev/null || fail "read of the first MiB through the mirror failed"
wait_until 30 no_bad_blocks ||
	fail "bad blocks still listed on the primary: $(cat $M/dev-ram0/bad_blocks)"
assert_ge $((before + 1)) "$(repairs)" "repairs logged (ratelimited) during the writes"
assert_eq synced "$(mirror_field m state)" "state after the concurrent repairs"
assert_eq 0 "$(stat_of m primary write_errors)" "primary write_errors"
must mirrorctl destroy m
# The destroy waited for any repair still under way: check the legs now.
ack_check /dev/$MD /tmp/case/acks3 w3
assert_eq 256 "$ACKED" "acknowledged writes of the last round on the primary"
ack_check /dev/ram1 /tmp/case/acks3 w3
assert_eq 256 "$ACKED" "acknowledged writes of the last round on the secondary"
assert_same_data /dev/$MD /dev/ram1
