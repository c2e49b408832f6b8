#!/bin/sh
# CHECK: a synced mirror whose copy could not read 4 KiB of the primary (dm error range) refuses switch without --force (exit 1, message names the mirror and the unreadable sectors, nothing changes); switch --force goes through, and everything but the unreadable range is on the new primary
# TIMEOUT: 150
. /tests/lib.sh
. /tests/cases/migrate/migrate.inc
. /tests/cases/faults/faults.inc

make_legs 32
load_dm
S=$(sectors /dev/ram0)
B0=$((8 * 2048 + 8)) B1=$((8 * 2048 + 16))
dm_create pri "0 $B0 linear /dev/ram0 0
$B0 $((B1 - B0)) error
$B1 $((S - B1)) linear /dev/ram0 $B1"
load_blkmirror
dev=$(make_mirror m /dev/mapper/pri)
must mirrorctl attach m /dev/ram1 --wait
j=$(mirrorctl status m --json)
note "$j"
assert_eq synced "$(json_get "$j" state)" "state after a copy over an unreadable range"
assert_ge 1 "$(json_get "$j" unreadable_sectors)" "unreadable_sectors"

before=$(shape m) || fail "status before the switch"
run mirrorctl switch m
note "$ERR"
assert_eq 1 "$RC" "switch with unreadable sectors, no --force ($ERR)"
assert_contains "$ERR" "mirrorctl: switch m: " "message names the mirror"
printf '%s\n' "$ERR" | grep -Eiq 'unreadable|could not (be )?read' || fail "reason not in: $ERR"
assert_eq "" "$OUT" "stdout of the refused switch"
after=$(shape m) || fail "status after the switch"
assert_eq "$before" "$after" "status after the refused switch"

must mirrorctl switch m --force --json
note "$OUT"
assert_eq /dev/ram1 "$(json_get "$OUT" primary)" "primary in the switch result"
assert_eq /dev/mapper/pri "$(json_get "$OUT" old_primary)" "old_primary in the switch result"
assert_match "$(json_get "$OUT" pause_usec)" '^[0-9]+$' "pause_usec"
assert_eq single "$(json_get "$OUT" state)" "state in the switch result"
assert_exclusive /dev/mapper/pri
dev_verify "$dev" primary 0 $((B0 * 512))
dev_verify "$dev" primary $((B1 * 512)) $(((S - B1) * 512))
must mirrorctl destroy m
must dmsetup remove pri
