#!/bin/sh
# CHECK: without the module, mirrorctl version and list exit 3 (module not loaded) with a message
. /tests/lib.sh

[ -d /sys/module/blkmirror ] && fail "blkmirror loaded before the case"
run mirrorctl version
assert_eq 3 "$RC" "exit code of 'mirrorctl version' without the module"
assert_ne "" "$ERR" "stderr of 'mirrorctl version' without the module"
run mirrorctl list
assert_eq 3 "$RC" "exit code of 'mirrorctl list' without the module"
