#!/bin/sh
# CHECK: mirrorctl version prints mirrorctl's own version and the loaded module's version
. /tests/lib.sh

load_blkmirror
must mirrorctl version
note "$OUT"
assert_ge 2 "$(printf '%s\n' "$OUT" | grep -c .)" "lines of 'mirrorctl version' output"
nver=$(printf '%s\n' "$OUT" | grep -c -E '[0-9]+\.[0-9]+')
assert_ge 2 "$nver" "lines with a version number"
if [ -r /sys/module/blkmirror/version ]; then
	kver=$(cat /sys/module/blkmirror/version)
	assert_contains "$OUT" "$kver" "module version from /sys/module/blkmirror/version"
fi
assert_eq "" "$ERR" "stderr of mirrorctl version"
