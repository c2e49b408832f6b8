#!/bin/sh
# CHECK: create with no secondary makes a single-leg pass-through: data written through it is on the primary and nowhere else, data on the primary reads through it, status/list show state single with no secondary (JSON nulls), wait and create --wait refuse it, destroy frees the primary
. /tests/lib.sh
. /tests/cases/migrate/migrate.inc

make_brd 2 64
dev_fill /dev/ram0 old
load_blkmirror
dev=$(make_mirror s /dev/ram0)
assert_eq "$(dev_size /dev/ram0)" "$(dev_size "$dev")" "size of the single-leg mirror"
zero1=$(dev_sum /dev/ram1)

# Writes through the device land on the primary; reads come from it.
dev_fill "$dev" single 1M 8M
dev_verify /dev/ram0 single 1M 8M
dev_verify "$dev" single 1M 8M
dev_verify "$dev" old 16M 16M
dev_verify /dev/ram0 old 0 1M
bmpattern write /dev/ram0 under 40M 4M || fail "writing the primary under the mirror"
dev_verify "$dev" under 40M 4M
assert_eq "$zero1" "$(dev_sum /dev/ram1)" "the unused ramdisk after I/O through the mirror"

# status --json: single, every secondary field null.
j=$(mirrorctl status s --json) || fail "status s --json"
note "$j"
assert_eq single "$(json_get "$j" state)" "state"
assert_eq /dev/ram0 "$(json_get "$j" primary)" "primary"
assert_eq null "$(json_get "$j" secondary)" "secondary"
assert_eq null "$(json_get "$j" secondary_devt)" "secondary_devt"
assert_eq null "$(json_get "$j" secondary_lbs)" "secondary_lbs"
assert_contains "$j" '"secondary_stats":null' "secondary_stats"
assert_eq "$(dev_size /dev/ram0)" "$(json_get "$j" size_bytes)" "size_bytes"
assert_ge 1 "$(json_get_nested "$j" primary_stats writes)" "primary writes counted"

must mirrorctl status s
note "$OUT"
assert_match "$OUT" 'state: +single' "status: state line"
assert_match "$OUT" 'secondary: +-$' "status: no secondary"
assert_match "$OUT" 'primary: +/dev/ram0 \(1:0\)' "status: primary"
must mirrorctl list
assert_match "$OUT" '^s +/dev/blkmirror[0-9]+ +single +-$' "list line"
must mirrorctl list --json
assert_eq 3 "$(printf '%s\n' "$OUT" | grep -c .)" "list --json lines (an array of one)"
assert_match "$(printf '%s\n' "$OUT" | sed -n 2p)" '^\{"name":"s","device":"/dev/blkmirror[0-9]+","state":"single","percent":[0-9]+\}$' "list --json"

# Nothing to wait for.
run mirrorctl wait s --timeout 5
assert_eq 1 "$RC" "wait on a single-leg mirror (stderr: $ERR)"
assert_contains "$ERR" "mirrorctl: wait s: the mirror has one leg (state single)" "wait message"
# create --wait without a secondary: a usage error, nothing created.
run mirrorctl create t /dev/ram1 --wait
assert_eq 2 "$RC" "create --wait without SECONDARY (stderr: $ERR)"
assert_contains "$ERR" "create t: --wait needs SECONDARY" "create --wait message"
assert_eq "" "$OUT" "create --wait without SECONDARY printed"
assert_fail mirrorctl status t
assert_exclusive /dev/ram1

must mirrorctl destroy s
assert_no_mirrors
assert_exclusive /dev/ram0
dev_verify /dev/ram0 single 1M 8M
rmmod blkmirror || fail "rmmod after destroying a single-leg mirror"
