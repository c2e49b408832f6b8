#!/bin/sh
# CHECK: an unprivileged process gets EPERM with a CAP_SYS_ADMIN message for create, destroy and set; it can still GET and dump
. /tests/lib.sh

make_legs 16
load_blkmirror
grep -q '^nobody:' /etc/passwd || echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>/etc/passwd
grep -q '^nogroup:' /etc/group || echo 'nogroup:x:65534:' >>/etc/group
nl=$(command -v bmnl)
as_nobody() {
	su -s /bin/sh nobody -c "$nl $*"
}

must bmnl create name=s:m0 primary=s:/dev/ram0 secondary=s:/dev/ram1
for req in "create name=s:m1 primary=s:/dev/ram0 secondary=s:/dev/ram1" \
	   "destroy name=s:m0" "destroy name=s:m0 force=flag" \
	   "set name=s:m0 max_rate=u64:1"; do
	run as_nobody $req
	assert_eq 1 "$RC" "exit code of unprivileged '$req' (out: $OUT)"
	assert_contains "$OUT" "error -1 " "unprivileged '$req'"
	assert_contains "$OUT" "CAP_SYS_ADMIN" "message for unprivileged '$req'"
done
must as_nobody get name=s:m0
assert_contains "$OUT" "name(3)=m0" "unprivileged GET"
must as_nobody --dump get
assert_contains "$OUT" "name(3)=m0" "unprivileged dump"
must bmnl get name=s:m0
assert_contains "$OUT" "max_rate(7)=0" "rate untouched by the refused set"
