#!/bin/sh
# CHECK: eight `mirrorctl up --all` started at once, as udev workers run it for the legs of a booting machine, bring each configured mirror up once and all exit 0 with nothing on stderr (they take turns on a lock of the file)
# TIMEOUT: 180
. /tests/lib.sh

load_blkmirror
make_brd 4 8
mkdir -p /dev/disk/by-id
for i in 0 1 2 3; do
	ln -sf /dev/ram$i /dev/disk/by-id/test-ram$i
done
conf=/tmp/case/mirrors.conf
cat >"$conf" <<'CONF'
a /dev/disk/by-id/test-ram0 /dev/disk/by-id/test-ram1
b /dev/disk/by-id/test-ram2 /dev/disk/by-id/test-ram3
CONF
for round in 1 2 3; do
	for i in 1 2 3 4 5 6 7 8; do
		mirrorctl up --all --config "$conf" >/tmp/case/up$i.out 2>/tmp/case/up$i.err &
		eval "pid$i=\$!"
	done
	for i in 1 2 3 4 5 6 7 8; do
		eval "wait \$pid$i"
		rc=$?
		assert_eq 0 "$rc" "round $round: exit code of up $i (stderr: $(cat /tmp/case/up$i.err))"
		assert_eq "" "$(cat /tmp/case/up$i.err)" "round $round: stderr of up $i"
	done
	assert_eq 2 "$(cat /tmp/case/up*.out | grep -c .)" "round $round: mirrors created, as printed"
	assert_eq 2 "$(mirrorctl list --json | grep -c '"name"')" "round $round: mirrors up"
	must mirrorctl down --all --config "$conf"
	assert_no_mirrors
done
