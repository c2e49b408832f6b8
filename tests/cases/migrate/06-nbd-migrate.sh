#!/bin/sh
# CHECK: a mounted ext4 being written moves onto a real NBD device (nbd-server on 127.0.0.1 exporting a file, nbd-client /dev/nbd0): attach --wait, switch, every file written before, during and after reads back with its pattern, e2fsck is clean, and the exported file itself holds the clean filesystem with every file
# TIMEOUT: 300
. /tests/lib.sh
. /tests/cases/migrate/migrate.inc

make_brd 1 128
load_ext4
nbd_up
nbd_serve a /tmp/export-a.img 128 10809
nbd_connect 10809 /dev/nbd0 128
load_blkmirror
dev=$(make_mirror fs /dev/ram0)
mkfs.ext4 -q -F "$dev" || fail "mkfs.ext4 on $dev failed"
mkdir -p /mnt/fs
mount -t ext4 "$dev" /mnt/fs || fail "mount $dev failed"

# The writer: file after file, each with its own pattern, logged once
# written and fsync'd (bmpattern writes with O_DIRECT).
writer() {
	_i=0
	while [ ! -e /tmp/case/stop ]; do
		truncate -s 256K /mnt/fs/w$_i &&
			bmpattern write /mnt/fs/w$_i "w$_i" || { echo "error $_i" >>/tmp/case/written; return 1; }
		echo "$_i" >>/tmp/case/written
		_i=$((_i + 1))
	done
}
writer &
wpid=$!
wait_lines /tmp/case/written 10

must mirrorctl attach fs /dev/nbd0 --wait
assert_eq "$dev" "$OUT" "attach --wait stdout"
n_sync=$(lines /tmp/case/written)
wait_lines /tmp/case/written $((n_sync + 10))
must mirrorctl switch fs
note "$OUT"
assert_match "$OUT" '^fs: /dev/nbd0 is now the primary; /dev/ram0 released; I/O paused [0-9]+\.[0-9]{3} ms$' "switch output"
n_switch=$(lines /tmp/case/written)
wait_lines /tmp/case/written $((n_switch + 10))
touch /tmp/case/stop
wait $wpid || fail "writer failed: $(tail -n 1 /tmp/case/written)"
n=$(lines /tmp/case/written)
note "files: $n_sync at sync, $n_switch at switch, $n in all"
assert_exclusive /dev/ram0
assert_eq single "$(mirror_field fs state)" "state after switch"
assert_eq /dev/nbd0 "$(mirror_field fs primary)" "primary after switch"

# The old primary is no longer needed: zero it, then check every file.
bmblk zeroout /dev/ram0 0 128M || fail "zeroing /dev/ram0"
sync
echo 3 >/proc/sys/vm/drop_caches
check_files() {	# DIR
	_i=0
	while [ $_i -lt "$n" ]; do
		bmpattern verify "$1/w$_i" "w$_i" || fail "file w$_i on $1"
		_i=$((_i + 1))
	done
}
check_files /mnt/fs
umount /mnt/fs || fail "umount failed"
e2fsck -fn "$dev" >/tmp/fsck.out 2>&1 || { cat /tmp/fsck.out; fail "e2fsck -fn of $dev on NBD"; }
must mirrorctl destroy fs
/usr/sbin/nbd-client -d /dev/nbd0 >/dev/null 2>&1 || fail "nbd-client -d /dev/nbd0"
nbd_kill a

# What the server wrote to its file is the filesystem.
e2fsck -fn /tmp/export-a.img >/tmp/fsck.out 2>&1 || { cat /tmp/fsck.out; fail "e2fsck -fn of the exported file"; }
lo=$(make_loop /tmp/export-a.img)
mkdir -p /mnt/exp
mount -t ext4 -o ro "$lo" /mnt/exp || fail "mount the exported file"
check_files /mnt/exp
umount /mnt/exp
