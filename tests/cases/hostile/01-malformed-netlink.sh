#!/bin/sh
# CHECK: malformed generic-netlink requests (missing, oversized, wrong-type and unknown attributes, unknown commands) each get an error reply and create nothing
. /tests/lib.sh

make_legs 16
load_blkmirror
LEGS="primary=s:/dev/ram0 secondary=s:/dev/ram1"
TRIED=0

# refused ERRNO BMNL-ARGS...: the kernel answers with -ERRNO; nothing exists.
refused() {
	_e=$1
	shift
	run bmnl "$@"
	assert_eq 1 "$RC" "bmnl $* exit code (out: $OUT)"
	assert_contains "$OUT" "error -$_e " "reply to bmnl $*"
	assert_eq "" "$(bmnl --dump get)" "mirrors after bmnl $*"
	TRIED=$((TRIED + 1))
}

# Missing attributes: the message names what is missing.
refused 22 create $LEGS
assert_contains "$OUT" "missing attribute: mirror name" "message"
refused 22 attach name=s:m
assert_contains "$OUT" "missing attribute: secondary device" "message"
refused 22 attach secondary=s:/dev/ram1
assert_contains "$OUT" "missing attribute: mirror name" "message"
refused 22 create name=s:m secondary=s:/dev/ram1
refused 22 destroy
refused 22 get
refused 22 set max_rate=u64:1

# Wrong types and sizes.
refused 22 create name=s:m $LEGS region_size=u64:1048576
refused 22 create name=s:m $LEGS region_size=u8:1
refused 22 create name=s:m $LEGS max_rate=u32:1
refused 22 create name=S:m $LEGS			# name without its NUL
refused 22 create name=u32:1 $LEGS
refused 34 create name=s:m $LEGS force=u32:1		# flag with a payload
refused 22 create name=s:m primary=rep:5000:a secondary=s:/dev/ram1
refused 22 create name=s:m primary=s: secondary=s:/dev/ram1
refused 22 create name=s:m primary=hex: secondary=s:/dev/ram1

# Leg paths are bounded (BLKMIRROR_PATH_MAX), so that every reply fits.
refused 36 create name=s:m primary=rep:1024:a secondary=s:/dev/ram1
assert_contains "$OUT" "primary path is 1024 bytes long, the limit is 1023" "message"

# The generic netlink header's reserved field must be zero.
for c in version create destroy get set; do
	refused 22 --reserved 1 $c name=s:m0
done
assert_contains "$OUT" "reserved" "message"

# SET: the region size is fixed; a SET that sets nothing is a mistake.
refused 22 set name=s:m0 region_size=u32:65536
assert_contains "$OUT" "fixed at create" "message"
refused 22 set name=s:m0
assert_contains "$OUT" "nothing to set" "message"

# Unknown attributes and commands, and events sent as commands.
refused 22 create name=s:m $LEGS 200=u32:1
refused 22 create name=s:m $LEGS 27=u32:1
refused 95 0
refused 95 99
refused 95 255
refused 95 created name=s:m
refused 95 progress name=s:m

# Region sizes at and beyond the limits.
refused 22 create name=s:m $LEGS region_size=u32:0
refused 22 create name=s:m $LEGS region_size=u32:32768
refused 22 create name=s:m $LEGS region_size=u32:134217728
refused 22 create name=s:m $LEGS region_size=u32:1048577
must bmnl create name=s:lim $LEGS region_size=u32:65536
must bmnl destroy name=s:lim
must bmnl create name=s:lim $LEGS region_size=u32:67108864
must bmnl destroy name=s:lim

# Extreme rates are accepted and cannot upset the throttle.
must bmnl create name=s:rate $LEGS max_rate=u64:1
must bmnl set name=s:rate max_rate=u64:18446744073709551615
must bmnl set name=s:rate max_rate=u64:1
must bmnl destroy name=s:rate

assert_exclusive /dev/ram0
assert_exclusive /dev/ram1
note "$TRIED malformed requests refused"
