#!/bin/sh
# CHECK: up --all brings up the configured mirrors whose legs are present (one leg when no secondary is configured, options applied), skips one whose leg is absent, reports a bad line as FILE:LINE: reason and exits 1 for it; up and down are idempotent; down --all takes every configured mirror down
. /tests/lib.sh

load_blkmirror
make_brd 4 32
# Stable names, as udev would make them.
mkdir -p /dev/disk/by-id
for i in 0 1 2 3; do
	ln -sf /dev/ram$i /dev/disk/by-id/test-ram$i
done
conf=/tmp/case/mirrors.conf
cat >"$conf" <<'CONF'
# two legs, with options
a /dev/disk/by-id/test-ram0 /dev/disk/by-id/test-ram1 max-rate=8M region-size=256K
b "/dev/disk/by-id/test-ram2"       # one leg
c /dev/disk/by-id/not-here /dev/disk/by-id/test-ram3
d /dev/ram3
CONF

run mirrorctl up --all --config "$conf"
assert_eq 1 "$RC" "up --all exit code with a bad line (stderr: $ERR)"
assert_contains "$ERR" "$conf:5: mirror 'd': primary '/dev/ram3': not a stable name" "bad line message"
assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "only the bad line is reported (stderr: $ERR)"
assert_match "$OUT" '^a /dev/blkmirror[0-9]+$' "up prints NAME and node of what it brought up (1/2)"
assert_match "$OUT" 'b /dev/blkmirror[0-9]+$' "up prints NAME and node of what it brought up (2/2)"
assert_eq /dev/ram0 "$(mirror_field a primary)" "a primary"
assert_eq /dev/ram1 "$(mirror_field a secondary)" "a secondary"
assert_eq $((8 << 20)) "$(mirror_field a max_rate_bytes_per_sec)" "a max-rate"
assert_eq $((256 << 10)) "$(mirror_field a region_size_bytes)" "a region-size"
assert_eq single "$(mirror_field b state)" "b has one leg"
assert_eq 2 "$(mirrorctl list --json | grep -c '"name":')" "mirrors up"

# Fixed file: up again changes nothing and succeeds.
sed -i '/^d /d' "$conf"
must mirrorctl up --all --config "$conf"
assert_eq "" "$OUT" "up --all of mirrors already up prints nothing"
assert_eq 2 "$(mirrorctl list --json | grep -c '"name":')" "mirrors up after a second up"
must mirrorctl up a --config "$conf"
run mirrorctl up c --config "$conf"
assert_eq 1 "$RC" "up NAME of a mirror whose leg is absent"
assert_contains "$ERR" "up c: /dev/disk/by-id/not-here: No such file or directory" "absent leg message"
run mirrorctl up nosuch --config "$conf"
assert_eq 1 "$RC" "up of a name not in the file"

must mirrorctl down a
run mirrorctl status a
assert_eq 1 "$RC" "a is gone after down"
must mirrorctl down a
must mirrorctl down --all --config "$conf"
assert_no_mirrors
must mirrorctl down --all --config "$conf"
