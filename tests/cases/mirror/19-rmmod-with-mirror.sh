#!/bin/sh
# CHECK: rmmod while a mirror exists is refused (mirror keeps working) or tears everything down cleanly
. /tests/lib.sh

make_legs 64
load_blkmirror
dev=$(make_mirror stay /dev/ram0 /dev/ram1 --max-rate 8M)
if rmmod blkmirror 2>/tmp/rmmod.err; then
	note "rmmod succeeded: checking cleanup"
	[ -d /sys/module/blkmirror ] && fail "module still in /sys/module"
	wait_until 5 sh -c "! test -e $dev" || fail "$dev left behind"
	assert_exclusive /dev/ram0
	assert_exclusive /dev/ram1
else
	note "rmmod refused: $(cat /tmp/rmmod.err)"
	assert_eq stay "$(mirror_field stay name)" "mirror after refused rmmod"
	dev_fill "$dev" after-rmmod 0 2M
	dev_verify /dev/ram0 after-rmmod 0 2M
fi
