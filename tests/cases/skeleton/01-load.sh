#!/bin/sh
# CHECK: modprobe blkmirror loads the module and registers the "blkmirror" generic netlink family
. /tests/lib.sh

assert_eq "" "$(lsmod | grep '^blkmirror ')" "blkmirror loaded before the case"
load_blkmirror
assert_eq live "$(cat /sys/module/blkmirror/initstate)" "module initstate"
assert_eq extra/blkmirror.ko "$(modinfo -n blkmirror 2>/dev/null | sed 's|.*/\(extra/\)|\1|')" \
	"module file found by modprobe"
# The family is visible to the generic netlink controller.
must mirrorctl version
note "mirrorctl version: $OUT"
