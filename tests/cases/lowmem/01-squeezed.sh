#!/bin/sh
# CHECK: in a small guest with all but a few MiB pinned in tmpfs (and failslab on the writers where the kernel has it), a mirror is created and resyncs while O_DIRECT and buffered writes with fsync go through it: the writes make progress, every acknowledged one is on both legs, the legs end identical, and destroy and rmmod work
# TIMEOUT: 180
. /tests/lib.sh

F=/sys/kernel/debug/failslab
HOG=/tmp/case/hog
squeeze_off() {
	[ -d $F ] && echo 0 >$F/probability
	umount $HOG 2>/dev/null
}
trap squeeze_off EXIT

mem_avail_mib() {
	echo $(( $(sed -n 's/^MemAvailable: *\([0-9]*\) kB/\1/p' /proc/meminfo) / 1024 ))
}

# Legs first: brd allocates its pages on first write, and a leg that
# cannot get memory fails writes by itself.  Filled now, they keep their
# pages; what is squeezed is blkmirror and the page cache above it.
make_legs 32
load_blkmirror
dd if=/dev/urandom of=/tmp/case/buf bs=1M count=8 2>/dev/null || fail "cannot make the buffered-write data"
want=$(sha256sum </tmp/case/buf | cut -d' ' -f1)

# Pin all but RESERVE MiB in tmpfs: no swap here, so it stays put, and
# reclaim has only the page cache to work with.
RESERVE=24
note "MemTotal $(sed -n 's/^MemTotal: *//p' /proc/meminfo), MemAvailable $(mem_avail_mib) MiB before the squeeze"
mkdir -p $HOG
mount -t tmpfs -o size=100% hog $HOG || fail "cannot mount the tmpfs hog"
pin=$(( $(mem_avail_mib) - RESERVE ))
[ $pin -gt 0 ] && dd if=/dev/zero of=$HOG/pin bs=1M count=$pin 2>/dev/null
note "pinned $pin MiB; MemAvailable now $(mem_avail_mib) MiB, MemFree $(sed -n 's/^MemFree: *//p' /proc/meminfo)"
assert_le $((RESERVE + 8)) "$(mem_avail_mib)" "MiB available after the squeeze"

# Held until the writers run, then slow.
dev=$(make_mirror lm /dev/ram0 /dev/ram1 --max-rate $PIN_RATE)

# Writers: with make-it-fail set, failslab (debug kernel) fails some of
# their slab allocations too.  Those writes may fail with ENOMEM before a
# bio exists; none may fail at the mirror.
failing() {
	if [ -d $F ]; then
		sh -c 'echo 1 >/proc/self/make-it-fail && exec "$@"' failing "$@"
	else
		"$@"
	fi
}
if [ -d $F ]; then
	echo Y >$F/task-filter
	echo N >$F/ignore-gfp-wait
	echo 0 >$F/verbose
	echo 1 >$F/interval
	# Each forced failure takes one off: what is left shows it fired.
	echo 1000000 >$F/times
fi

# O_DIRECT over the first half, paced so that it spans the copy.
failing bmblk ackwrite "$dev" /tmp/case/acks lm 64K 20000 - 16M &
dpid=$!
# Buffered (page cache, then writeback under pressure) over the second
# half: its two 8 MiB slices twice over, each pass made durable by fsync.
# Every pass writes the same data, so a slice with one good pass must
# hold it, whatever a failed pass left.
(
	i=0
	while [ $i -lt 4 ]; do
		if failing dd if=/tmp/case/buf of="$dev" bs=64K \
			seek=$((256 + i % 2 * 128)) conv=fsync,notrunc 2>/tmp/case/dd.err; then
			echo "$((i % 2)) ok"
		else
			echo "$((i % 2)) fail $(tr '\n' ' ' </tmp/case/dd.err)"
		fi
		i=$((i + 1))
	done
) >/tmp/case/buffered &
bpid=$!
sleep 0.5
[ -d $F ] && echo 5 >$F/probability
state_during=$(mirror_field lm state)
release_copy lm 3M
wait $dpid
drc=$?
wait $bpid
if [ -d $F ]; then
	echo 0 >$F/probability
	fired=$((1000000 - $(cat $F/times)))
	note "failslab failed $fired allocation(s) of the writers"
	assert_ge 1 "$fired" "allocations failslab failed for the writers"
fi
note "MemAvailable $(mem_avail_mib) MiB after the writes; mirror $(mirror_field lm state) at $(mirror_field lm percent)%"
assert_eq resyncing "$state_during" "state while the writers ran"
[ $drc -eq 0 ] || fail "ackwrite exited $drc"
note "buffered passes (slice result): $(tr '\n' ';' </tmp/case/buffered)"
# dd may lose its own allocations to failslab, never a write to the mirror.
# Its own include the read of its input: a fault on dd's buffer that
# cannot allocate (an anon_vma, say) fails the read with EFAULT ("dd:
# /tmp/case/buf: Bad address", seen on the -O2 debug kernel).
if grep -q fail /tmp/case/buffered; then
	[ -d $F ] || fail "buffered writes failed without fault injection"
	assert_eq "" "$(grep fail /tmp/case/buffered | grep -v -i -e 'cannot allocate memory' -e 'out of memory' -e 'dd: /tmp/case/buf: ')" \
		"buffered passes failing other than with ENOMEM"
fi
errs=$(awk '$3 == "fail" { print $4 }' /tmp/case/acks | sort | uniq -c | tr -s ' \n' ' ')
note "O_DIRECT writes: $(grep -c ' ok$' /tmp/case/acks) acknowledged; errnos of failed ones (count errno): ${errs:-none}"
assert_eq "" "$(awk '$3 == "fail" && $4 != 12' /tmp/case/acks | head -n 3)" "failed writes with an errno other than ENOMEM"
assert_ge 128 "$(grep -c ' ok$' /tmp/case/acks)" "O_DIRECT writes acknowledged under pressure"

wait_synced lm 150
j=$(mirrorctl status lm --json)
assert_eq 0 "$(json_get_nested "$j" primary_stats write_errors)" "primary write_errors"
assert_eq 0 "$(json_get_nested "$j" secondary_stats write_errors)" "secondary write_errors"
for d in "$dev" /dev/ram1; do
	out=$(bmblk ackcheck "$d" /tmp/case/acks lm) || fail "$d: $out"
done
for i in 0 1; do
	grep -q "^$i ok" /tmp/case/buffered || continue
	for d in "$dev" /dev/ram1; do
		got=$(dd if=$d bs=64K skip=$((256 + i * 128)) count=128 iflag=direct 2>/dev/null |
			sha256sum | cut -d' ' -f1)
		assert_eq "$want" "$got" "buffered slice $i on $d"
	done
done
assert_ge 1 "$(grep -c ok /tmp/case/buffered)" "buffered passes that got through"
assert_legs_equal /dev/ram0 /dev/ram1
must mirrorctl destroy lm
squeeze_off
must rmmod blkmirror
