#!/bin/sh
# CHECK: a secondary that fails mid-copy makes the mirror degraded (wait exits 6) while foreground I/O keeps working with correct data
# TIMEOUT: 180
. /tests/lib.sh

make_legs 256
load_dm
sectors=$(( (256 << 20) / 512 ))
dm_create sec "0 $sectors linear /dev/ram1 0"
load_blkmirror
# Held: the first region is copied at once, the rest waits until the
# secondary has failed (the debug kernel, loaded, took longer to swap the
# table than a 32M copy took to finish).
dev=$(make_mirror deg /dev/ram0 /dev/mapper/sec --max-rate $PIN_RATE)
wait_until 10 copy_started deg || fail "the copy did not start"
assert_resyncing deg "before the failure"
dmsetup suspend sec && dmsetup load sec --table "0 $sectors error" &&
	dmsetup resume sec || fail "swapping the secondary to an error table failed"
assert_resyncing deg "when the secondary failed"
release_copy deg 32M
run mirrorctl wait deg --timeout "$(tscale 60)"
assert_eq 6 "$RC" "exit code of wait on a degraded mirror (stderr: $ERR)"
j=$(mirrorctl status deg --json)
note "$j"
assert_eq degraded "$(json_get "$j" state)" "state"
assert_eq secondary "$(json_get "$j" failed_leg)" "failed_leg"
assert_eq 5 "$(json_get "$j" failed_errno)" "failed_errno (EIO)"
assert_match "$(json_get "$j" failed_sector)" '^[0-9]+$' "failed_sector"
# Foreground I/O still works, served by the primary.
dev_fill "$dev" after-failure 3M 5M
dev_verify "$dev" after-failure 3M 5M
dev_verify /dev/ram0 after-failure 3M 5M
dev_verify "$dev" primary 100M 50M
assert_eq degraded "$(mirror_field deg state)" "state after foreground I/O"
