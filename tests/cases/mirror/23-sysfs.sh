#!/bin/sh
# CHECK: /sys/block/blkmirrorN/blkmirror/ (name, state, primary, secondary, degraded, sync_completed, sync_speed, max_rate, unreadable_sectors) agrees with status --json during a resync, after it and with one leg; each state change sends a change uevent with BLKMIRROR_NAME and BLKMIRROR_STATE
. /tests/lib.sh

make_brd 3 64
dev_fill /dev/ram0 primary
load_blkmirror
# Every uevent's name, device and our variables, one block per event.
busybox uevent sh -c 'env | grep -E "^(ACTION|DEVNAME|BLKMIRROR_[A-Z]*)=" | sort >>/tmp/case/ue; echo . >>/tmp/case/ue' &
# Poke until it hears one: then it is listening.
heard() {
	echo change >/sys/block/ram2/uevent
	grep -q '^DEVNAME=ram2$' /tmp/case/ue
}
wait_until 10 heard || fail "the uevent listener saw nothing"

# Held at 1 B/s: the first region is copied at once, then nothing moves.
dev=$(make_mirror m /dev/ram0 /dev/ram1 --max-rate 1)
d=/sys/block/${dev#/dev/}/blkmirror
wait_until 20 test "$(mirror_field m synced_bytes)" = 1048576 ||
	fail "the held copy did not stop after its first region: $(mirror_field m synced_bytes)"
j=$(mirrorctl status m --json)
note "status: $j"
assert_eq m "$(cat $d/name)" "name"
assert_eq "$(json_get "$j" state)" "$(cat $d/state)" "state during the copy"
assert_eq resyncing "$(cat $d/state)" "state during the copy"
assert_eq "$(json_get "$j" primary)" "$(cat $d/primary)" "primary"
assert_eq "$(json_get "$j" secondary)" "$(cat $d/secondary)" "secondary"
assert_eq 0 "$(cat $d/degraded)" "degraded"
assert_eq "$(($(json_get "$j" synced_bytes) / 512)) / $(($(json_get "$j" size_bytes) / 512))" \
	"$(cat $d/sync_completed)" "sync_completed"
assert_eq "2048 / 131072" "$(cat $d/sync_completed)" "sync_completed"
assert_eq "$(json_get "$j" max_rate_bytes_per_sec)" "$(cat $d/max_rate)" "max_rate"
assert_eq 1 "$(cat $d/max_rate)" "max_rate"
assert_match "$(cat $d/sync_speed)" '^[0-9]+$' "sync_speed"
assert_eq "$(json_get "$j" unreadable_sectors)" "$(cat $d/unreadable_sectors)" "unreadable_sectors"

must mirrorctl set m --max-rate 0
wait_synced m 60
j=$(mirrorctl status m --json)
assert_eq synced "$(cat $d/state)" "state after the copy"
assert_eq none "$(cat $d/sync_completed)" "sync_completed after the copy"
assert_eq 0 "$(cat $d/sync_speed)" "sync_speed after the copy"
assert_eq 0 "$(cat $d/max_rate)" "max_rate after set"
assert_eq 0 "$(cat $d/degraded)" "degraded after the copy"
wait_until 10 grep -q '^BLKMIRROR_STATE=synced$' /tmp/case/ue ||
	fail "no uevent with BLKMIRROR_STATE=synced: $(cat /tmp/case/ue)"
awk -v RS=. '/BLKMIRROR_STATE=synced/' /tmp/case/ue >/tmp/case/ue.synced
assert_contains "$(cat /tmp/case/ue.synced)" "BLKMIRROR_NAME=m" "name in the synced uevent"
assert_contains "$(cat /tmp/case/ue.synced)" "ACTION=change" "action of the synced uevent"
assert_contains "$(cat /tmp/case/ue.synced)" "DEVNAME=${dev#/dev/}" "device of the synced uevent"
assert_contains "$(cat /tmp/case/ue)" "BLKMIRROR_STATE=resyncing" "uevent at create"

# One leg.
dev2=$(make_mirror one /dev/ram2)
d2=/sys/block/${dev2#/dev/}/blkmirror
assert_eq single "$(cat $d2/state)" "state with one leg"
assert_eq /dev/ram2 "$(cat $d2/primary)" "primary with one leg"
assert_eq "" "$(cat $d2/secondary)" "secondary with one leg"
assert_eq none "$(cat $d2/sync_completed)" "sync_completed with one leg"
wait_until 10 grep -q '^BLKMIRROR_STATE=single$' /tmp/case/ue || fail "no uevent for the single-leg mirror"

must mirrorctl destroy m
must mirrorctl destroy one
test -e "$d" && fail "$d still there after destroy"
assert_no_mirrors
