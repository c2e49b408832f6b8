#!/bin/sh
# CHECK: list, status, wait, monitor and version work without root; create, destroy and set as non-root exit 4 with the permission message
. /tests/lib.sh

load_blkmirror
make_legs 16
grep -q '^nobody:' /etc/passwd || echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>/etc/passwd
grep -q '^nogroup:' /etc/group || echo 'nogroup:x:65534:' >>/etc/group
ctl=$(command -v mirrorctl)
as_nobody() {
	su -s /bin/sh nobody -c "$ctl $*"
}
must as_nobody list

make_mirror m0 /dev/ram0 /dev/ram1 >/dev/null
must as_nobody list
assert_contains "$OUT" "m0" "list as nobody"
must as_nobody status m0 --json
assert_eq m0 "$(json_get "$OUT" name)" "status as nobody"
must as_nobody wait m0 --timeout "$(tscale 30)"
must as_nobody version
assert_contains "$OUT" "blkmirror module version" "version as nobody"
run timeout -s INT 1 su -s /bin/sh nobody -c "$ctl monitor m0"
assert_contains "$OUT" "state     m0" "monitor as nobody"

perm() {	# CMD...
	run as_nobody "$@"
	assert_eq 4 "$RC" "exit code of '$*' as nobody (stderr: $ERR)"
	assert_contains "$ERR" "Operation not permitted" "stderr of '$*' as nobody"
	assert_contains "$ERR" "CAP_SYS_ADMIN" "stderr of '$*' as nobody"
}
perm create m1 /dev/ram0 /dev/ram1
perm destroy m0
perm set m0 --max-rate 1M
assert_eq m0 "$(mirror_field m0 name)" "m0 survived"
