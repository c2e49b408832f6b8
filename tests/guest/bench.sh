#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of `make bench` (and of the bench/ smoke case): blkmirror
# against the raw device, dm-raid1 and md raid1 on the same legs.
#
#   brd     two ramdisks of bm_bench_mib MiB (default 512), filled first:
#           resync of an idle mirror (blkmirror, dd, dm-raid1, md raid1),
#           then fio on each synced mirror, the single-leg mirror and
#           the raw primary;
#   delay   the same legs, the secondary behind dm-delay (5 ms on every
#           I/O): blkmirror's resync against a fio 1M QD32 writer;
#   nbd     a brd primary and an NBD secondary (nbd-server on 127.0.0.1
#           exporting a file in guest memory, the kernel's nbd client),
#           as it is and behind dm-delay (5 ms on every request: the
#           latency between client and server): blkmirror's resync
#           against dd bs=1M O_DIRECT onto the same device;
#   null    two null_blk devices (1 GiB, memory_backed=0: no data, the
#           per-I/O cost only): fio as for brd.
#
# Environment: bm_bench_mib (leg size), bm_bench_rt and bm_bench_ramp
# (fio's runtime and ramp_time per workload, fio time units: 5, 200ms).
# The table goes to stdout between "# BENCH-TABLE-START" and
# "# BENCH-TABLE-END".  It reports; nothing here judges a figure.  Exit
# non-zero only when something could not be run.

. /tests/lib.sh

MIB=${bm_bench_mib:-512}
RT=${bm_bench_rt:-5}
RAMP=${bm_bench_ramp:-1}
NULL_GIB=1
DELAY_MS=5
W=/tmp/bench
R=$W/results		# lines: KEY VALUE
mkdir -p $W
: >$R

die() {
	echo "BENCH FAILED: $*"
	fail "$*"
}

log() {
	echo "bench: $* (t=$(cut -d' ' -f1 /proc/uptime)s)"
}

put() {	# KEY VALUE
	echo "$1 $2" >>$R
}

now_cs() {	# uptime in centiseconds
	read -r _u _ </proc/uptime
	echo "${_u%.*}${_u#*.}"
}

sectors() {
	echo $(( $(blockdev --getsize64 "$1") / 512 ))
}

for t in fio dmsetup mdadm mirrorctl bmpattern nbd-server nbd-client; do
	command -v $t >/dev/null || die "$t missing in the guest"
done
load_blkmirror
for m in brd null_blk dm_mod dm_mirror dm_delay raid1 nbd; do
	modprobe $m 2>/dev/null || [ $m = brd ] || [ $m = null_blk ] || die "modprobe $m"
done
rmmod brd null_blk 2>/dev/null
# md's resync throttle: well above what these legs can do.
echo 4000000 >/proc/sys/dev/raid/speed_limit_max || die "md speed_limit_max"
echo 4000000 >/proc/sys/dev/raid/speed_limit_min || die "md speed_limit_min"

# fio_set SET CONFIG DEV: the five foreground workloads on DEV, one after
# the other (stonewall), into KEY SET.CONFIG.WORKLOAD.
fio_set() {
	_f=$W/$1.$2
	cat >"$_f.fio" <<EOF
[global]
filename=$3
direct=1
ioengine=libaio
thread
time_based
runtime=$RT
ramp_time=$RAMP
norandommap
randrepeat=0
[rr4k]
stonewall
rw=randread
bs=4k
iodepth=1
[sr1m]
stonewall
rw=read
bs=1M
iodepth=4
[rw4k1]
stonewall
rw=randwrite
bs=4k
iodepth=1
[rw4k32]
stonewall
rw=randwrite
bs=4k
iodepth=32
[sw1m]
stonewall
rw=write
bs=1M
iodepth=4
EOF
	fio --output-format=terse --terse-version=3 "$_f.fio" >"$_f.out" 2>"$_f.err" ||
		{ cat "$_f.err"; die "fio on $3 ($1 $2)"; }
	# Terse v3: 3 job name, 5 error, 7/8 read KiB/s and IOPS, 48/49 write.
	awk -F';' -v p="$1.$2" '
		$5 != 0 { bad = 1 }
		$3 == "rr4k"   { print p ".rr4k",   $8 }
		$3 == "sr1m"   { printf "%s.sr1m %.1f\n", p, $7 / 1024 }
		$3 == "rw4k1"  { print p ".rw4k1",  $49 }
		$3 == "rw4k32" { print p ".rw4k32", $49 }
		$3 == "sw1m"   { printf "%s.sw1m %.1f\n", p, $48 / 1024 }
		END { exit bad }' "$_f.out" >>$R || die "fio reported an error on $3 ($1 $2)"
	[ "$(grep -c -E "^$1\.$2\.(rr4k|sr1m|rw4k1|rw4k32|sw1m) " $R)" -eq 5 ] || die "fio on $3 ($1 $2): not 5 results"
	log "$1 $2: fio done"
}

# resync_put SET CONFIG BYTES T0: seconds and MiB/s since T0 (centiseconds).
resync_put() {
	_t=$(( $(now_cs) - $4 ))
	[ $_t -gt 0 ] || _t=1
	put "$1.$2.s" "$(awk -v t=$_t 'BEGIN { printf "%.2f", t / 100 }')"
	put "$1.$2.mibs" "$(awk -v t=$_t -v b="$3" 'BEGIN { printf "%.1f", b / 1048576 / (t / 100) }')"
}

bm_synced() {	# NAME
	mirrorctl wait "$1" >/dev/null || die "mirrorctl wait $1"
	[ "$(mirror_field "$1" state)" = synced ] || die "$1 not synced after wait"
}

dm_insync() {	# NAME: every region of a dm mirror in sync
	dmsetup status "$1" | awk '{ split($7, a, "/"); exit !(a[1] == a[2] && a[2] > 0) }'
}

md_insync() {
	read -r _r </sys/block/md0/md/resync_start 2>/dev/null || return 1
	read -r _a </sys/block/md0/md/sync_action 2>/dev/null || return 1
	[ "$_r" = none ] && [ "$_a" = idle ]
}

wait_poll() {	# CMD...: every 50 ms until it succeeds (10 min at most)
	_n=12000
	until "$@"; do
		_n=$((_n - 1))
		[ $_n -gt 0 ] || return 1
		sleep 0.05
	done
}

md_stop() {
	mdadm --stop /dev/md0 >/dev/null 2>&1 || die "mdadm --stop /dev/md0"
}

# ---------------------------------------------------------------- load
# Resync under foreground load (issue 12): the same fio job on the synced
# mirror, then while a fresh copy runs at its default limits; the copy's
# rate during it (synced bytes over fio's time), then how long after fio
# ends the module stops yielding, and the rate of the rest of the copy.
# Keys: load.*.  Its rows: load_table.

LOAD_FIO="--rw=randwrite --bs=4k --iodepth=4 --direct=1 --ioengine=libaio --thread --time_based --randrepeat=0 --norandommap --output-format=terse --terse-version=3"

load_fio() {	# DEV OUT: fio in the background, its pid in FIO_PID
	# shellcheck disable=SC2086
	fio --name=fg --filename="$1" $LOAD_FIO --runtime="$RT" --ramp_time="$RAMP" \
		>"$2" 2>"$2.err" &
	FIO_PID=$!
}

load_iops() {	# KEY OUT: wait for fio; KEY its write IOPS (terse v3 field 49)
	wait $FIO_PID || { cat "$2.err"; die "fio (load) failed"; }
	put "$1" "$(awk -F';' '$5 == 0 { print $49; f = 1 } END { exit !f }' "$2")" ||
		die "fio (load): no result"
	grep -q "^$1 [0-9]" $R || die "fio (load): no result in $2"
}

load_writing() {	# NAME: the foreground has written through the mirror
	[ "$(json_get_nested "$(mirrorctl status "$1" --json)" primary_stats writes)" -gt 0 ]
}

load_synced() {	# NAME: synced or not (no die: polled)
	[ "$(mirror_field "$1" state)" = synced ]
}

not_yielding() {	# NAME
	_j=$(mirrorctl status "$1" --json) || return 1
	[ "$(json_get "$_j" yielding)" = false ]
}

bench_load() {
	log "load: fio 4k randwrite QD4 on the synced mirror, then during a resync"
	dev=$(make_mirror bl /dev/ram0 /dev/ram1) || die "mirrorctl create bl"
	bm_synced bl
	load_fio "$dev" $W/load.idle
	load_iops load.idle.iops $W/load.idle
	mirrorctl destroy bl || die "mirrorctl destroy bl"
	# The copy is held until fio writes, so that all of it runs under load.
	dev=$(make_mirror bl /dev/ram0 /dev/ram1 --max-rate 1) || die "mirrorctl create bl (pinned)"
	put load.min "$(mirror_field bl min_rate_bytes_per_sec)"
	load_fio "$dev" $W/load.busy
	wait_poll load_writing bl || die "fio (load) wrote nothing"
	mirrorctl set bl --max-rate 0 || die "mirrorctl set bl"
	t0=$(now_cs)
	s0=$(mirror_field bl synced_bytes)
	load_iops load.busy.iops $W/load.busy
	t1=$(now_cs)
	s1=$(mirror_field bl synced_bytes)
	load_synced bl && put load.ended 1
	put load.busy.mibs "$(awk -v b=$((s1 - s0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.1f", (t > 0 ? b / 1048576 / (t / 100) : 0) }')"
	wait_poll not_yielding bl || die "bl still yielding 10 min after fio"
	t2=$(now_cs)
	s2=$(mirror_field bl synced_bytes)
	put load.back.s "$(awk -v t=$((t2 - t1)) 'BEGIN { printf "%.2f", t / 100 }')"
	bm_synced bl
	t3=$(now_cs)
	put load.after.mibs "$(awk -v b=$((BYTES - s2)) -v t=$((t3 - t2)) 'BEGIN { printf "%.1f", (t > 0 ? b / 1048576 / (t / 100) : 0) }')"
	mirrorctl destroy bl || die "mirrorctl destroy bl"
	log "load: done"
}

load_table() {
	awk -v mib="$MIB" '
function v(k) { return (k in r) ? r[k] : "-" }
{ r[$1] = $2 }
END {
	idle = v("load.idle.iops"); busy = v("load.busy.iops")
	printf "\n%-52s %10s %10s\n", "resync under foreground load, brd " mib " MiB", "figure", "ratio"
	printf "%-52s %10s\n", "fio 4k randwrite QD4, synced mirror, IOPS", idle
	printf "%-52s %10s %10s\n", "fio 4k randwrite QD4, during a resync, IOPS", busy, \
		(idle == "-" || busy == "-" || idle + 0 == 0) ? "-" : sprintf("%.2f", busy / idle)
	printf "%-52s %10s %10s\n", "resync during fio, MiB/s (vs its floor)", v("load.busy.mibs"), \
		(v("load.min") == "-" || v("load.min") + 0 == 0) ? "-" : sprintf("%.2f", v("load.busy.mibs") * 1048576 / v("load.min"))
	printf "%-52s %10s\n", "floor (default min rate), MiB/s", (v("load.min") == "-") ? "-" : sprintf("%.1f", v("load.min") / 1048576)
	printf "%-52s %10s\n", "fio stopped -> copy no longer yielding, s", v("load.back.s")
	printf "%-52s %10s %10s\n", "rest of the copy after fio, MiB/s (vs idle resync)", v("load.after.mibs"), \
		(v("brd.bm2.mibs") == "-" || v("brd.bm2.mibs") + 0 == 0 || v("load.after.mibs") == "-") ? "-" : sprintf("%.2f", v("load.after.mibs") / v("brd.bm2.mibs"))
	if (v("load.ended") != "-")
		printf "  (the copy ended during fio: the figures under load are partial)\n"
}' $R
}

# ---------------------------------------------------------------- scale
# Kernel memory per mirror and create/destroy time, for a 1 GiB and a
# 64 TiB device: null_blk legs with memory_backed=0, so nothing is stored
# and the copy is held at 1 byte/s after its first region.  Memory is the
# change in live slab objects (/proc/slabinfo, else meminfo's Slab), in
# /proc/meminfo's VmallocUsed and Percpu, and in MemFree (which also holds
# page allocations, such as the copy's 4 MiB of buffers, and whatever
# else the guest did meanwhile), with SCALE_N mirrors at once, per
# mirror.  Keys: scale.*.

SCALE_N=8
SCALE_CYCLES=5

meminfo_kb() {	# FIELD
	awk -v f="$1:" '$1 == f { print $2 }' /proc/meminfo
}

# Live slab objects, KiB: active objects times object size, so that pages
# the shell's own forks leave half empty do not count (meminfo's Slab
# otherwise, in whole pages).
slab_kb() {
	if [ -r /proc/slabinfo ]; then
		awk 'NR > 2 { b += $2 * $4 } END { printf "%d", b / 1024 }' /proc/slabinfo
	else
		meminfo_kb Slab
	fi
}

scale_snap() {	# PREFIX
	sync
	eval "$1_Slab=$(slab_kb)"
	for _f in VmallocUsed Percpu MemFree; do
		eval "$1_$_f=$(meminfo_kb $_f)"
	done
}

scale_size() {	# TAG GIB
	log "scale: $1 ($2 GiB null_blk legs, memory_backed=0)"
	modprobe null_blk nr_devices=$((2 * SCALE_N)) gb="$2" memory_backed=0 queue_mode=2 irqmode=0 ||
		die "modprobe null_blk gb=$2"
	wait_until 5 test -b /dev/nullb$((2 * SCALE_N - 1)) || die "/dev/nullb$((2 * SCALE_N - 1)) did not appear"
	# Create and destroy time: the mean of SCALE_CYCLES cycles.
	_c=0 _d=0 _i=0
	while [ $_i -lt $SCALE_CYCLES ]; do
		_t0=$(now_cs)
		mirrorctl create sc /dev/nullb0 /dev/nullb1 --max-rate 1 >/dev/null || die "mirrorctl create sc ($1)"
		_t1=$(now_cs)
		mirrorctl destroy sc || die "mirrorctl destroy sc ($1)"
		_t2=$(now_cs)
		_c=$((_c + _t1 - _t0)) _d=$((_d + _t2 - _t1)) _i=$((_i + 1))
	done
	put "scale.$1.create_ms" "$(awk -v t=$_c -v n=$SCALE_CYCLES 'BEGIN { printf "%.0f", t * 10 / n }')"
	put "scale.$1.destroy_ms" "$(awk -v t=$_d -v n=$SCALE_CYCLES 'BEGIN { printf "%.0f", t * 10 / n }')"
	scale_snap a
	_i=0
	while [ $_i -lt $SCALE_N ]; do
		mirrorctl create "sc$_i" /dev/nullb$((2 * _i)) /dev/nullb$((2 * _i + 1)) --max-rate 1 >/dev/null ||
			die "mirrorctl create sc$_i ($1)"
		_i=$((_i + 1))
	done
	scale_snap b
	for _f in Slab VmallocUsed Percpu MemFree; do
		eval "_x=\$((a_$_f - b_$_f))"
		[ $_f = MemFree ] || eval "_x=\$((b_$_f - a_$_f))"
		put "scale.$1.$_f" "$(awk -v x="$_x" -v n=$SCALE_N 'BEGIN { printf "%.0f", x / n }')"
	done
	_i=0
	while [ $_i -lt $SCALE_N ]; do
		mirrorctl destroy "sc$_i" || die "mirrorctl destroy sc$_i ($1)"
		_i=$((_i + 1))
	done
	rmmod null_blk || die "rmmod null_blk ($1)"
}

bench_scale() {
	rmmod null_blk 2>/dev/null
	scale_size 1g 1
	scale_size 64t 65536
}

scale_table() {
	awk -v n=$SCALE_N -v c=$SCALE_CYCLES '
function v(k) { return (k in r) ? r[k] : "-" }
{ r[$1] = $2 }
END {
	printf "\nscale: per mirror, null_blk legs (memory_backed=0), copy held; KiB: live slab objects, meminfo VmallocUsed, Percpu,\n"
	printf "MemFree drop (page allocations, the copy buffers among them, less what per-CPU page lists served, plus noise),\n"
	printf "%d mirrors at once; times: mean of %d\n", n, c
	printf "%-28s %8s %8s %8s %8s %10s %10s\n", "device size", "slab", "vmalloc", "percpu", "memfree-", "create ms", "destroy ms"
	split("1g 64t", t, " "); name["1g"] = "1 GiB"; name["64t"] = "64 TiB"
	for (i = 1; i <= 2; i++) {
		p = "scale." t[i] "."
		printf "%-28s %8s %8s %8s %8s %10s %10s\n", name[t[i]], v(p "Slab"), v(p "VmallocUsed"), \
			v(p "Percpu"), v(p "MemFree"), v(p "create_ms"), v(p "destroy_ms")
	}
	if (v("scale.64t.Slab") != "-")
		printf "  64 TiB: %.3f KiB of slab+vmalloc+percpu per TiB (target: at most 1024)\n", \
			(v("scale.64t.Slab") + v("scale.64t.VmallocUsed") + v("scale.64t.Percpu")) / 64
}' $R
}

# ---------------------------------------------------------------- brd

log "brd: two ${MIB} MiB legs, filled"
make_brd 2 "$MIB"
dev_fill /dev/ram0 primary
dev_fill /dev/ram1 stale
BYTES=$(blockdev --getsize64 /dev/ram0)
S=$(sectors /dev/ram0)

log "brd: resync, dd bs=1M O_DIRECT ram0 -> ram1"
t0=$(now_cs)
dd if=/dev/ram0 of=/dev/ram1 bs=1M iflag=direct oflag=direct 2>$W/dd.err ||
	{ cat $W/dd.err; die "dd"; }
resync_put brd dd "$BYTES" "$t0"

log "brd: resync, blkmirror"
t0=$(now_cs)
dev=$(make_mirror b2 /dev/ram0 /dev/ram1) || die "mirrorctl create b2"
bm_synced b2
resync_put brd bm2 "$BYTES" "$t0"
fio_set brd bm2 "$dev"
mirrorctl destroy b2 || die "mirrorctl destroy b2"

dev=$(make_mirror b1 /dev/ram0) || die "mirrorctl create b1 (single leg)"
fio_set brd bm1 "$dev"
mirrorctl destroy b1 || die "mirrorctl destroy b1"

fio_set brd raw /dev/ram0

log "brd: resync, dm-raid1 (core log, 512 KiB regions)"
t0=$(now_cs)
dm_create dmm "0 $S mirror core 1 1024 2 /dev/ram0 0 /dev/ram1 0" || die "dm mirror"
wait_poll dm_insync dmm || die "dm mirror never in sync"
resync_put brd dm "$BYTES" "$t0"
fio_set brd dm /dev/mapper/dmm
dmsetup remove dmm || die "dmsetup remove dmm"

log "brd: resync, md raid1 (no bitmap)"
t0=$(now_cs)
mdadm --create /dev/md0 --run --level=1 --raid-devices=2 --metadata=1.2 \
	--bitmap=none /dev/ram0 /dev/ram1 </dev/null >$W/md.out 2>&1 ||
	{ cat $W/md.out; die "mdadm --create"; }
wait_poll md_insync || die "md raid1 never in sync"
resync_put brd md "$(blockdev --getsize64 /dev/md0)" "$t0"
fio_set brd md /dev/md0
md_stop
bench_load

# ---------------------------------------------------------------- delay

log "delay: secondary behind dm-delay ${DELAY_MS} ms, fio 1M QD32 writer"
dm_create slow "0 $S delay /dev/ram1 0 $DELAY_MS" || die "dm-delay"
fio --name=w --filename=/dev/mapper/slow --rw=write --bs=1M --iodepth=32 \
	--direct=1 --ioengine=libaio --output-format=terse --terse-version=3 \
	>$W/delay.out 2>$W/delay.err || { cat $W/delay.err; die "fio on dm-delay"; }
awk -F';' '$5 == 0 && $50 > 0 { printf "delay.fio.s %.2f\ndelay.fio.mibs %.1f\n", $50 / 1000, $48 / 1024; f = 1 }
	END { exit !f }' $W/delay.out >>$R || die "fio on dm-delay: no result"
log "delay: resync, blkmirror"
t0=$(now_cs)
make_mirror bd /dev/ram0 /dev/mapper/slow >/dev/null || die "mirrorctl create bd"
bm_synced bd
resync_put delay bm2 "$BYTES" "$t0"
mirrorctl destroy bd || die "mirrorctl destroy bd"
dmsetup remove slow || die "dmsetup remove slow"
rmmod brd || die "rmmod brd"

# ---------------------------------------------------------------- nbd

# nbd_pair SET DEV: dd bs=1M O_DIRECT from the primary onto DEV, then a
# blkmirror resync onto it, into SET.dd and SET.bm2.
nbd_pair() {
	log "$1: resync, dd bs=1M O_DIRECT ram0 -> $2"
	t0=$(now_cs)
	dd if=/dev/ram0 of="$2" bs=1M iflag=direct oflag=direct 2>$W/dd.err ||
		{ cat $W/dd.err; die "dd onto $2"; }
	resync_put "$1" dd "$BYTES" "$t0"
	log "$1: resync, blkmirror onto $2"
	t0=$(now_cs)
	make_mirror bn /dev/ram0 "$2" >/dev/null || die "mirrorctl create bn ($2)"
	bm_synced bn
	resync_put "$1" bm2 "$BYTES" "$t0"
	mirrorctl destroy bn || die "mirrorctl destroy bn"
}

log "nbd: nbd-server on 127.0.0.1 exporting a ${MIB} MiB file, /dev/nbd0"
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up || die "cannot bring lo up"
make_brd 1 "$MIB"
dev_fill /dev/ram0 primary
BYTES=$(blockdev --getsize64 /dev/ram0)
S=$(sectors /dev/ram0)
truncate -s "${MIB}M" $W/export.img || die "export file"
printf '[generic]\n\tlistenaddr = 127.0.0.1\n\tport = 10809\n[leg]\n\texportname = %s\n' \
	$W/export.img >$W/nbd.conf
nbd-server -C $W/nbd.conf -p $W/nbd.pid >$W/nbd.log 2>&1 ||
	{ cat $W/nbd.log; die "nbd-server"; }
wait_until 10 test -s $W/nbd.pid || die "nbd-server wrote no pid file"
nbd-client -N leg 127.0.0.1 10809 /dev/nbd0 >$W/nbdc.log 2>&1 ||
	{ cat $W/nbdc.log; die "nbd-client"; }
nbd_sized() { [ "$(blockdev --getsize64 /dev/nbd0)" = "$BYTES" ]; }
wait_until 10 nbd_sized || die "/dev/nbd0 is not ${MIB} MiB"
nbd_pair nbd /dev/nbd0
# The latency between client and server: every request to the export
# waits DELAY_MS, as a round trip on a network would.
dm_create nslow "0 $S delay /dev/nbd0 0 $DELAY_MS" || die "dm-delay over nbd"
nbd_pair nbdd /dev/mapper/nslow
dmsetup remove nslow || die "dmsetup remove nslow"
nbd-client -d /dev/nbd0 >/dev/null 2>&1 || die "nbd-client -d"
kill "$(cat $W/nbd.pid)" 2>/dev/null
rm -f $W/export.img
rmmod brd || die "rmmod brd (nbd)"

# ---------------------------------------------------------------- null_blk

log "null_blk: two ${NULL_GIB} GiB devices, memory_backed=0"
modprobe null_blk nr_devices=2 gb=$NULL_GIB memory_backed=0 queue_mode=2 irqmode=0 ||
	die "modprobe null_blk"
wait_until 5 test -b /dev/nullb1 || die "/dev/nullb1 did not appear"
S=$(sectors /dev/nullb0)

dev=$(make_mirror n2 /dev/nullb0 /dev/nullb1) || die "mirrorctl create n2"
bm_synced n2
fio_set null bm2 "$dev"
mirrorctl destroy n2 || die "mirrorctl destroy n2"

dev=$(make_mirror n1 /dev/nullb0) || die "mirrorctl create n1 (single leg)"
fio_set null bm1 "$dev"
mirrorctl destroy n1 || die "mirrorctl destroy n1"

fio_set null raw /dev/nullb0

dm_create dmn "0 $S mirror core 1 1024 2 /dev/nullb0 0 /dev/nullb1 0" || die "dm mirror (null)"
wait_poll dm_insync dmn || die "dm mirror (null) never in sync"
fio_set null dm /dev/mapper/dmn
dmsetup remove dmn || die "dmsetup remove dmn"

# No data to hold a superblock: a legacy array (--build), clean by fiat.
mdadm --build /dev/md0 --run --level=1 --raid-devices=2 --assume-clean \
	/dev/nullb0 /dev/nullb1 </dev/null >$W/mdn.out 2>&1 ||
	{ cat $W/mdn.out; die "mdadm --build (null)"; }
wait_poll md_insync || die "md raid1 (null) not in sync"
fio_set null md /dev/md0
md_stop
rmmod null_blk 2>/dev/null
bench_scale

# ---------------------------------------------------------------- table

echo "# BENCH-TABLE-START"
awk -v mib="$MIB" -v rt="$RT" -v ramp="$RAMP" -v kver="$(uname -r)" \
	-v ncpu="$(grep -c '^processor' /proc/cpuinfo)" -v ngib=$NULL_GIB \
	-v dms=$DELAY_MS '
function v(k) { return (k in r) ? r[k] : "-" }
function ratio(a, b) { return (a == "-" || b == "-" || b + 0 == 0) ? "-" : sprintf("%.2f", a / b) }
function target(what, x, t) {
	printf "  %-52s %5s  %s\n", what, x, (x == "-") ? "not measured" : (x + 0 >= t ? "met" : "MISSED")
}
{ r[$1] = $2 }
END {
	if (rt ~ /^[0-9.]+$/) rt = rt " s"
	if (ramp ~ /^[0-9.]+$/) ramp = ramp " s"
	printf "blkmirror bench: kernel %s, %d vCPUs (QEMU TCG), fio libaio O_DIRECT, %s per workload after %s ramp\n", kver, ncpu, rt, ramp
	printf "legs: brd %d MiB each (filled); null_blk %d GiB each, memory_backed=0\n", mib, ngib
	printf "bm-2leg: blkmirror synced; bm-1leg: single-leg blkmirror; raw: the primary itself;\n"
	printf "dm-raid1: dm mirror, core log, 512 KiB regions; md raid1: no bitmap (null_blk: --build --assume-clean)\n\n"
	n = split("rr4k sr1m rw4k1 rw4k32 sw1m", wl, " ")
	name["rr4k"] = "4k randread QD1";   unit["rr4k"] = "IOPS"
	name["sr1m"] = "1M seqread QD4";    unit["sr1m"] = "MiB/s"
	name["rw4k1"] = "4k randwrite QD1"; unit["rw4k1"] = "IOPS"
	name["rw4k32"] = "4k randwrite QD32"; unit["rw4k32"] = "IOPS"
	name["sw1m"] = "1M seqwrite QD4";   unit["sw1m"] = "MiB/s"
	printf "%-23s %-5s %9s %9s %9s %9s %9s | %8s %8s %7s %7s\n", "foreground", "unit", \
		"bm-2leg", "bm-1leg", "raw", "dm-raid1", "md-raid1", "2leg/raw", "1leg/raw", "2leg/dm", "2leg/md"
	split("brd null", sets, " ")
	for (si = 1; si <= 2; si++) {
		s = sets[si]
		for (i = 1; i <= n; i++) {
			w = wl[i]; p = s "." 
			b2 = v(p "bm2." w); b1 = v(p "bm1." w); raw = v(p "raw." w)
			dm = v(p "dm." w); md = v(p "md." w)
			printf "%-23s %-5s %9s %9s %9s %9s %9s | %8s %8s %7s %7s\n", s " " name[w], unit[w], \
				b2, b1, raw, dm, md, ratio(b2, raw), ratio(b1, raw), ratio(b2, dm), ratio(b2, md)
			q[s "." w ".2raw"] = ratio(b2, raw); q[s "." w ".1raw"] = ratio(b1, raw)
			q[s "." w ".2dm"] = ratio(b2, dm); q[s "." w ".2md"] = ratio(b2, md)
		}
	}
	printf "\n%-44s %8s %8s | %s\n", "resync, idle mirror, brd " mib " MiB", "s", "MiB/s", "blkmirror MiB/s / its MiB/s"
	printf "%-44s %8s %8s |\n", "blkmirror", v("brd.bm2.s"), v("brd.bm2.mibs")
	bm = v("brd.bm2.mibs")
	printf "%-44s %8s %8s | %s\n", "dd bs=1M iflag=direct oflag=direct", v("brd.dd.s"), v("brd.dd.mibs"), ratio(bm, v("brd.dd.mibs"))
	printf "%-44s %8s %8s | %s\n", "dm-raid1 (to all regions in sync)", v("brd.dm.s"), v("brd.dm.mibs"), ratio(bm, v("brd.dm.mibs"))
	printf "%-44s %8s %8s | %s\n", "md raid1 (to resync_start none)", v("brd.md.s"), v("brd.md.mibs"), ratio(bm, v("brd.md.mibs"))
	printf "\n%-44s %8s %8s | %s\n", "secondary behind dm-delay " dms " ms, brd " mib " MiB", "s", "MiB/s", "blkmirror / fio"
	printf "%-44s %8s %8s |\n", "blkmirror resync", v("delay.bm2.s"), v("delay.bm2.mibs")
	printf "%-44s %8s %8s | %s\n", "fio 1M QD32 O_DIRECT writer, whole device", v("delay.fio.s"), v("delay.fio.mibs"), ratio(v("delay.bm2.mibs"), v("delay.fio.mibs"))
	printf "\n%-44s %8s %8s | %s\n", "resync onto NBD (nbd-server on lo), " mib " MiB", "s", "MiB/s", "blkmirror / dd"
	printf "%-44s %8s %8s |\n", "blkmirror resync, NBD", v("nbd.bm2.s"), v("nbd.bm2.mibs")
	printf "%-44s %8s %8s | %s\n", "dd bs=1M O_DIRECT, NBD", v("nbd.dd.s"), v("nbd.dd.mibs"), ratio(v("nbd.bm2.mibs"), v("nbd.dd.mibs"))
	printf "%-44s %8s %8s |\n", "blkmirror resync, NBD behind dm-delay " dms " ms", v("nbdd.bm2.s"), v("nbdd.bm2.mibs")
	printf "%-44s %8s %8s | %s\n", "dd bs=1M O_DIRECT, NBD behind dm-delay " dms " ms", v("nbdd.dd.s"), v("nbdd.dd.mibs"), ratio(v("nbdd.bm2.mibs"), v("nbdd.dd.mibs"))
	printf "\ntargets (issue 12; the idle resync ratios above have none)  ratio\n"
	for (si = 1; si <= 2; si++) {
		s = sets[si]
		target(s " 4k randread QD1, 2-leg vs raw >= 0.97", q[s ".rr4k.2raw"], 0.97)
		target(s " 1M seqread QD4, 2-leg vs raw >= 0.97", q[s ".sr1m.2raw"], 0.97)
		split("rw4k1 rw4k32 sw1m", ww, " ")
		for (i = 1; i <= 3; i++) {
			target(s " " name[ww[i]] ", 2-leg vs md >= 1.2", q[s "." ww[i] ".2md"], 1.2)
			target(s " " name[ww[i]] ", 2-leg vs dm >= 1.2", q[s "." ww[i] ".2dm"], 1.2)
		}
		for (i = 1; i <= n; i++)
			target(s " " name[wl[i]] ", 1-leg vs raw >= 0.97", q[s "." wl[i] ".1raw"], 0.97)
	}
	target("resync, dm-delay secondary, vs fio writer >= 0.9", ratio(v("delay.bm2.mibs"), v("delay.fio.mibs")), 0.9)
	target("resync, NBD behind dm-delay, vs dd >= 0.8 (issue 10)", ratio(v("nbdd.bm2.mibs"), v("nbdd.dd.mibs")), 0.8)
}' $R
load_table
scale_table
echo "# BENCH-TABLE-END"
