#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of `make demo`: a live disk moved onto network storage with
# no outage.
#
#   /dev/ram0 (256 MiB, "the old disk") under a single-leg blkmirror
#   device with a mounted ext4 being written; an nbd-server on the
#   guest's loopback exports a file ("the new storage") as /dev/nbd0;
#   attach copies the old disk onto it while the writer carries on,
#   switch moves the device onto it, the old disk is zeroed, and every
#   file still reads back with its checksum and fsck is clean.

. /tests/lib.sh
. /tests/cases/migrate/migrate.inc

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

# migrate.inc's NBD helpers keep their files there, as in a case.
mkdir -p /tmp/case

printf '\033[1m'
cat <<'EOF'

  blkmirror demo: moving a live disk
  ----------------------------------
  A filesystem in use sits on a single-leg blkmirror device over the
  old disk.  New storage arrives over the network (an NBD export).
  attach copies the old disk onto it while the filesystem stays
  mounted and written; switch moves the device onto the new storage;
  the old disk is then zeroed, and every file still reads back.
EOF
printf '\033[0m'

step "Loading the module"
show modprobe blkmirror || fail "modprobe blkmirror"
show mirrorctl version || fail "mirrorctl version"

step "The old disk: /dev/ram0, 256 MiB, a single-leg blkmirror device over it"
make_brd 1 256
show mirrorctl create demo /dev/ram0 || fail "create"
show mirrorctl status demo

step "ext4 on /dev/blkmirror0, mounted, and a writer adding files"
load_ext4
show mkfs.ext4 -q -F -E nodiscard,lazy_itable_init=1,lazy_journal_init=1 /dev/blkmirror0 || fail "mkfs.ext4"
mkdir -p /mnt/demo
show mount -t ext4 /dev/blkmirror0 /mnt/demo || fail "mount"
mkdir -p /mnt/demo/data
writer &
wpid=$!
echo "   writer started: one 256 KiB patterned file after another in /mnt/demo/data"

step "The new storage: a file exported by nbd-server on loopback, as /dev/nbd0"
nbd_up
mkdir -p /srv && mount -t tmpfs -o size=300M tmpfs /srv || fail "tmpfs for the export"
nbd_serve new /srv/new-disk.img 256 10809
printf '\033[1m$ %s\033[0m\n' "nbd-client -N leg 127.0.0.1 10809 /dev/nbd0"
nbd_connect 10809 /dev/nbd0 256

rate=${bm_rate:-16M}
step "attach: copy the old disk onto /dev/nbd0 while the filesystem is in use ($rate/s)"
show mirrorctl attach demo /dev/nbd0 --max-rate "$rate" || fail "attach"
show mirrorctl wait demo --timeout 600
rc=$?
[ $rc -eq 0 ] || fail "mirrorctl wait exited $rc"
echo "   the writer has written $(ls /mnt/demo/data | wc -l) files so far"
show mirrorctl status demo

step "switch: the device moves onto /dev/nbd0, the old disk is released"
show mirrorctl switch demo || fail "switch"
show mirrorctl status demo
echo "   the writer carries on; the filesystem was never unmounted"
sleep 2
: >/tmp/stop
wait $wpid
echo "   the writer wrote $(cat /tmp/written) files in all"

step "The old disk is free: zeroed, while the filesystem stays mounted"
show dd if=/dev/zero of=/dev/ram0 bs=1M count=256 conv=fsync 2>/dev/null || fail "zeroing /dev/ram0"
bmblk zerocheck /dev/ram0 0 $((256 * 1024 * 1024)) || fail "/dev/ram0 is not all zeros"
echo "   /dev/ram0 holds only zeros now"

step "Every file reads back with its pattern, from the new storage"
sync
echo 3 >/proc/sys/vm/drop_caches
n=0
for f in /mnt/demo/data/file*; do
	i=${f##*/file}
	bmpattern verify "$f" "demo$i" 0 262144 >/dev/null 2>&1 ||
		fail "$f does not hold its pattern"
	n=$((n + 1))
done
echo "   $n files verified"
show umount /mnt/demo || fail "umount"
show e2fsck -fn /dev/blkmirror0 || fail "e2fsck of the device, now on /dev/nbd0"
show mirrorctl destroy demo || fail "destroy"

printf '\n\033[1;32mDemo complete: the disk moved onto network storage while mounted, and every file survived.\033[0m\n\n'
# Let the console drain before the runner powers the guest off.
sleep 1
