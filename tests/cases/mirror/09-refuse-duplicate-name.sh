#!/bin/sh
# CHECK: a second mirror with an existing name is refused with EEXIST; the first one keeps working
. /tests/lib.sh

make_brd 4 64
load_blkmirror
dev=$(make_mirror dup /dev/ram0 /dev/ram1)
assert_refused "File exists" mirrorctl create dup /dev/ram2 /dev/ram3
note "$ERR"
assert_contains "$ERR" "dup" "message names the mirror"
assert_eq 1 "$(mirrorctl list --json | grep -c '"name":')" "mirrors listed"
assert_eq /dev/ram0 "$(mirror_field dup primary)" "primary of the existing mirror"
assert_exclusive /dev/ram2
assert_exclusive /dev/ram3
dev_fill "$dev" still-works 0 4M
dev_verify /dev/ram0 still-works 0 4M
