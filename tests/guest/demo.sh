#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of `make demo`: a mirror built under a live ext4 workload.
#
#   /dev/ram0 (256 MiB, primary, full of data) --blkmirror--> /dev/ram1
#   ext4 is made and mounted on /dev/blkmirror0 while the resync runs,
#   a writer keeps adding files, `mirrorctl wait` draws the progress,
#   then both legs are compared and the secondary is checked on its own.

. /tests/lib.sh

fail() {
	printf '\n\033[1;31mDEMO FAILED: %s\033[0m\n' "$*"
	exit 1
}

step() {
	printf '\n\033[1;36m==> %s\033[0m  (t=%ss)\n' "$*" "$(cut -d' ' -f1 /proc/uptime)"
}

show() {	# CMD...: print the command, then run it
	printf '\033[1m$ %s\033[0m\n' "$*"
	"$@"
}

writer() {	# background workload: one 256 KiB file after another
	i=0
	while [ ! -e /tmp/stop ]; do
		f=/mnt/demo/data/file$i
		truncate -s 256K "$f" && bmpattern write "$f" "demo$i" || break
		i=$((i + 1))
	done
	echo $i >/tmp/written
}

printf '\033[1m'
cat <<'EOF'

  blkmirror demo
  --------------
  A 256 MiB primary is mirrored onto a stale secondary.  While the
  background copy runs (rate-limited), ext4 is created and mounted
  on the mirror device and a writer keeps adding files.  At the end both
  legs must be byte-identical and the secondary a clean filesystem.
EOF
printf '\033[0m'

step "Loading the module"
show modprobe blkmirror || fail "modprobe blkmirror"
show mirrorctl version || fail "mirrorctl version"

step "Two 256 MiB ramdisks: primary /dev/ram0 full of data, secondary /dev/ram1 stale"
make_brd 2 256
show bmpattern write /dev/ram0 old-primary-data || fail "filling /dev/ram0"
show bmpattern write /dev/ram1 stale-secondary || fail "filling /dev/ram1"

rate=${bm_rate:-64M}
step "Creating the mirror (resync limited to $rate/s)"
show mirrorctl create demo /dev/ram0 /dev/ram1 --max-rate "$rate" || fail "create"
show mirrorctl status demo

step "Making and mounting ext4 on /dev/blkmirror0 while it resyncs"
load_ext4
show mkfs.ext4 -q -F -E nodiscard,lazy_itable_init=1,lazy_journal_init=1 /dev/blkmirror0 || fail "mkfs.ext4"
mkdir -p /mnt/demo
show mount -t ext4 /dev/blkmirror0 /mnt/demo || fail "mount"
mkdir -p /mnt/demo/data
writer &
wpid=$!
echo "   writer started: one 256 KiB patterned file after another in /mnt/demo/data"
echo "   resync at $(mirror_field demo percent)% (t=$(cut -d' ' -f1 /proc/uptime)s)"

step "Waiting for the resync"
show mirrorctl wait demo --timeout 300
rc=$?
: >/tmp/stop
wait $wpid
[ $rc -eq 0 ] || fail "mirrorctl wait exited $rc"
echo "   the writer wrote $(cat /tmp/written) files while the copy ran"
show mirrorctl status demo

step "Unmounting and taking the mirror apart"
(cd /mnt/demo && md5sum data/*) >/tmp/sums
show umount /mnt/demo || fail "umount"
show mirrorctl destroy demo || fail "destroy"

step "Both legs must be byte-identical"
p=$(bmpattern sum /dev/ram0) s=$(bmpattern sum /dev/ram1)
echo "   /dev/ram0  $p"
echo "   /dev/ram1  $s"
[ "$p" = "$s" ] || fail "legs differ: $(bmpattern cmp /dev/ram0 /dev/ram1)"

step "The secondary alone is a clean filesystem with the same files"
show e2fsck -fn /dev/ram1 || fail "e2fsck of the secondary"
mkdir -p /mnt/sec
mount -t ext4 -o ro /dev/ram1 /mnt/sec || fail "mount secondary"
(cd /mnt/sec && md5sum -c /tmp/sums >/tmp/check 2>&1) ||
	{ tail /tmp/check; fail "file checksums differ on the secondary"; }
echo "   $(wc -l </tmp/sums) files verified on the secondary"
umount /mnt/sec

printf '\n\033[1;32mDemo complete: the mirror was built under load and both legs match.\033[0m\n\n'
# Let the console drain before the runner powers the guest off.
sleep 1
