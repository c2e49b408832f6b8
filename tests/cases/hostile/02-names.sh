#!/bin/sh
# CHECK: names of 0, 64, 255 and 4096 bytes and non-ASCII/unsafe names are refused with EINVAL and a reason; 1- and 63-byte names work
. /tests/lib.sh

make_legs 16
load_blkmirror
LEGS="primary=s:/dev/ram0 secondary=s:/dev/ram1"

refused() {	# WHY BMNL-ARGS...
	_why=$1
	shift
	run bmnl "$@"
	assert_eq 1 "$RC" "bmnl $* exit code (out: $OUT)"
	assert_contains "$OUT" "error -22 " "reply to bmnl $*"
	assert_contains "$OUT" "$_why" "reason for bmnl $*"
	assert_eq "" "$(bmnl --dump get)" "mirrors after bmnl $*"
}

refused "is empty" create name=s: $LEGS
refused "64 bytes long, the limit is 63" create name=rep:64:a $LEGS
refused "255 bytes long" create name=rep:255:a $LEGS
refused "4096 bytes long" create name=rep:4096:x $LEGS
refused "byte 0xff at 0" create name=hex:ff6100 $LEGS		# not UTF-8
refused "byte 0xc3 at 1" create name=hex:61c3a900 $LEGS	# UTF-8, not ASCII
refused "byte 0x2f at 1" create name=s:a/b $LEGS
refused "byte 0x20 at 1" create name=hex:61206200 $LEGS
refused "byte 0x0a at 1" create name=hex:610a6200 $LEGS
refused "must not start" create name=s:.hidden $LEGS
refused "must not start" create name=s:-opt $LEGS
refused "is empty" get name=s:
refused "4096 bytes long" destroy name=rep:4096:x
# Anyone may GET: refusals there are fixed text on kernels without
# formatted extended ACKs (6.1), and say the limit either way.
refused "the limit is 63" get name=rep:4096:x
refused "mirror name" get name=hex:ff6100

for n in a "$(printf '%063d' 7)"; do
	must bmnl create name=s:$n $LEGS
	must bmnl get name=s:$n
	assert_contains "$OUT" "name(3)=$n" "GET of a ${#n}-byte name"
	must bmnl destroy name=s:$n
done
assert_no_mirrors
