#!/bin/sh
# CHECK: create prints only the device path; status/list report the legs, size, default region, state; destroy removes everything
. /tests/lib.sh

make_legs 64
load_blkmirror
must mirrorctl create m0 /dev/ram0 /dev/ram1
assert_eq /dev/blkmirror0 "$OUT" "stdout of create"
wait_until 5 test -b /dev/blkmirror0 || fail "/dev/blkmirror0 did not appear"
assert_eq $((64 << 20)) "$(dev_size /dev/blkmirror0)" "size of /dev/blkmirror0"

j=$(mirrorctl status m0 --json) || fail "status failed"
note "$j"
assert_eq m0 "$(json_get "$j" name)" "name"
assert_eq /dev/blkmirror0 "$(json_get "$j" device)" "device"
assert_eq /dev/ram0 "$(json_get "$j" primary)" "primary"
assert_eq /dev/ram1 "$(json_get "$j" secondary)" "secondary"
assert_eq $((64 << 20)) "$(json_get "$j" size_bytes)" "size_bytes"
assert_eq 1048576 "$(json_get "$j" region_size_bytes)" "default region_size_bytes"
assert_eq 512 "$(json_get "$j" logical_block_size)" "logical_block_size"
assert_match "$(json_get "$j" state)" '^(resyncing|synced)$' "state"

l=$(mirrorctl list --json) || fail "list failed"
assert_eq 1 "$(printf '%s\n' "$l" | grep -c '"name":')" "mirrors listed"
assert_eq m0 "$(json_get "$l" name)" "listed name"

wait_synced m0
assert_eq 100 "$(mirror_field m0 percent)" "percent when synced"
must mirrorctl destroy m0
assert_no_mirrors
assert_exclusive /dev/ram0
assert_exclusive /dev/ram1
# The legs are untouched by destroy: primary data on both.
dev_verify /dev/ram0 primary
dev_verify /dev/ram1 primary
