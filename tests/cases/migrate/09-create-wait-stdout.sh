#!/bin/sh
# CHECK: DEV=$(mirrorctl create NAME P S --wait) captures the device node and nothing else: the progress lines and the final "100% in sync" go to stderr (as dd status=progress does), and wait alone still prints them on stdout
. /tests/lib.sh

load_blkmirror
make_brd 4 64
dev_fill /dev/ram0 primary
dev_fill /dev/ram2 primary

DEV=$(mirrorctl create m0 /dev/ram0 /dev/ram1 --max-rate 32M --wait 2>/tmp/case/err)
rc=$?
assert_eq 0 "$rc" "create --wait exit code ($(cat /tmp/case/err))"
assert_match "$DEV" '^/dev/blkmirror[0-9]+$' "DEV=\$(mirrorctl create ... --wait)"
test -b "$DEV" || fail "$DEV is not a block device"
assert_match "$(tail -n 1 /tmp/case/err)" '^m0: 100% in sync \(64\.0 MiB\)$' "last line on stderr"
assert_ge 2 "$(grep -c '^m0: [0-9]*% (' /tmp/case/err)" "progress lines on stderr"
assert_eq synced "$(mirror_field m0 state)" "state after create --wait"
assert_legs_equal /dev/ram0 /dev/ram1

# wait alone: progress on stdout, as before.
make_mirror m1 /dev/ram2 /dev/ram3 --max-rate 32M >/dev/null
mirrorctl wait m1 >/tmp/case/out 2>/tmp/case/err2 || fail "wait m1: $(cat /tmp/case/err2)"
assert_eq "" "$(cat /tmp/case/err2)" "stderr of wait"
assert_match "$(tail -n 1 /tmp/case/out)" '^m1: 100% in sync \(64\.0 MiB\)$' "last line of wait on stdout"
