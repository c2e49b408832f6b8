#!/bin/sh
# CHECK: mirrorctl's family lookup loads the module (its genl family alias); where the module cannot be loaded, mirrorctl version and list exit 3 (module not loaded) with a message
. /tests/lib.sh

[ -d /sys/module/blkmirror ] && fail "blkmirror loaded before the case"
helper=$(cat /proc/sys/kernel/modprobe)
echo /bin/false >/proc/sys/kernel/modprobe
run mirrorctl version
v_rc=$RC v_err=$ERR
run mirrorctl list
echo "$helper" >/proc/sys/kernel/modprobe
assert_eq 3 "$v_rc" "exit code of 'mirrorctl version' without the module"
assert_ne "" "$v_err" "stderr of 'mirrorctl version' without the module"
assert_eq 3 "$RC" "exit code of 'mirrorctl list' without the module"
assert_ne "" "$ERR" "stderr of 'mirrorctl list' without the module"
[ -d /sys/module/blkmirror ] && fail "blkmirror loaded although the kernel's modprobe was /bin/false"

# Now the kernel can load it: the lookup of the family does.
must mirrorctl list
[ -d /sys/module/blkmirror ] || fail "mirrorctl list did not load blkmirror"
must mirrorctl version
assert_contains "$OUT" "blkmirror module version" "mirrorctl version once loaded"
