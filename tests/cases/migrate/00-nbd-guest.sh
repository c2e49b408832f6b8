#!/bin/sh
# CHECK: the guest's NBD set-up that 06 and 07 rely on works without blkmirror: nbd-server on 127.0.0.1 and nbd-client give /dev/nbd0 of the export's size, data written to it lands in the exported file, and a killed server makes I/O fail promptly instead of hanging
. /tests/lib.sh
. /tests/cases/migrate/migrate.inc

nbd_up
nbd_serve a /tmp/export-a.img 16 10809
nbd_connect 10809 /dev/nbd0 16
assert_eq 512 "$(blockdev --getss /dev/nbd0)" "logical block size of /dev/nbd0"
dev_fill /dev/nbd0 nbd 1M 4M
dev_verify /dev/nbd0 nbd 1M 4M
sync
bmpattern verify /tmp/export-a.img nbd 1M 4M || fail "the pattern is not in the exported file"
nbd_kill a
run timeout 60 bmpattern write /dev/nbd0 gone 0 1M
note "write after the server died: rc $RC $ERR"
assert_ne 0 "$RC" "write to /dev/nbd0 after the server died"
assert_ne 124 "$RC" "write to /dev/nbd0 after the server died: timed out (hung)"
run timeout 20 /usr/sbin/nbd-client -d /dev/nbd0
note "nbd-client -d: rc $RC $OUT $ERR"
