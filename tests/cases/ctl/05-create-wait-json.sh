#!/bin/sh
# CHECK: create --wait --json prints exactly one JSON object (the new mirror) and exits 0 once it is in sync; version --json has both versions
. /tests/lib.sh

load_blkmirror
make_legs 32

must mirrorctl create m0 /dev/ram0 /dev/ram1 --wait --json
assert_eq 1 "$(printf '%s\n' "$OUT" | grep -c .)" "lines of create --wait --json"
assert_match "$OUT" '^\{"name":"m0","device":"/dev/blkmirror[0-9]+",.*\}$' "create --json object"
assert_eq synced "$(mirror_field m0 state)" "state after create --wait --json"
assert_eq 100 "$(mirror_field m0 percent)" "percent after create --wait --json"
assert_legs_equal /dev/ram0 /dev/ram1

must mirrorctl version --json
assert_match "$OUT" '^\{"version":"[0-9.]+[^"]*","module_version":"[^"]+"\}$' "version --json"
