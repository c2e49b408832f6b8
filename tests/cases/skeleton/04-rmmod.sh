#!/bin/sh
# CHECK: rmmod blkmirror unloads cleanly, unregisters the family, and the module loads again
. /tests/lib.sh

load_blkmirror
must mirrorctl version
rmmod blkmirror || fail "rmmod blkmirror failed"
[ -d /sys/module/blkmirror ] && fail "/sys/module/blkmirror still present after rmmod"
# With the kernel's modprobe disabled, so the lookup cannot load it again.
helper=$(cat /proc/sys/kernel/modprobe)
echo /bin/false >/proc/sys/kernel/modprobe
run mirrorctl version
echo "$helper" >/proc/sys/kernel/modprobe
assert_eq 3 "$RC" "mirrorctl version after rmmod (module not loaded)"
load_blkmirror
must mirrorctl version
rmmod blkmirror || fail "second rmmod failed"
