#!/bin/sh
# CHECK: a read-only secondary is refused with EROFS and a message; after setrw the same create works
. /tests/lib.sh

make_legs 64
load_blkmirror
blockdev --setro /dev/ram1 || fail "setro failed"
assert_refused "Read-only file system" mirrorctl create m0 /dev/ram0 /dev/ram1
note "$ERR"
assert_contains "$ERR" "/dev/ram1" "message names the read-only leg"
assert_no_mirrors
blockdev --setrw /dev/ram1
assert_exclusive /dev/ram0
assert_exclusive /dev/ram1
make_mirror m0 /dev/ram0 /dev/ram1 >/dev/null
