#!/bin/sh
# CHECK: create (through a symlink) prints only the device node; list, status and their JSON report the mirror (list --json and status --json one array, status NAME --json one object, -j before the command the same); a failed write to stdout fails; set changes the rate; kernel refusals print "command NAME: message (strerror)" and exit 1
. /tests/lib.sh

load_blkmirror
make_legs 64
mkdir -p /tmp/case/by-id
ln -s /dev/ram0 /tmp/case/by-id/disk-a

must mirrorctl create m0 /tmp/case/by-id/disk-a /dev/ram1 --max-rate 8M/s --region-size 256K
assert_match "$OUT" '^/dev/blkmirror[0-9]+$' "create stdout is only the device node"
dev=$OUT
test -b "$dev" || fail "$dev is not a block device"
node=${dev#/dev/}

must mirrorctl list
assert_match "$OUT" "^m0 +$dev +(resyncing|synced) +[0-9]+%$" "list line"

# One array: "[", one object per line, "]".
must mirrorctl list --json
assert_eq 3 "$(printf '%s\n' "$OUT" | grep -c .)" "list --json lines"
assert_eq "[" "$(printf '%s\n' "$OUT" | sed -n 1p)" "list --json opens an array"
assert_eq "]" "$(printf '%s\n' "$OUT" | sed -n 3p)" "list --json closes the array"
assert_match "$(printf '%s\n' "$OUT" | sed -n 2p)" '^\{"name":"m0",.*\}$' "list --json element"
assert_eq m0 "$(json_get "$OUT" name)" "list --json name"
assert_eq "$dev" "$(json_get "$OUT" device)" "list --json device"
# The copy runs, and may end between two calls (debug/ctl/02 saw
# resyncing, then synced): all but the percent and the state must be the
# same.
no_pct() { printf '%s\n' "$1" | sed -e 's/"percent":[0-9]*//' -e 's/"state":"[a-z]*"//'; }
list_json=$(no_pct "$OUT")
must mirrorctl -j list
assert_eq "$list_json" "$(no_pct "$OUT")" "-j list is list --json"
must mirrorctl --json list
assert_eq "$list_json" "$(no_pct "$OUT")" "--json list is list --json"
must mirrorctl status --json
assert_eq 3 "$(printf '%s\n' "$OUT" | grep -c .)" "status --json (every mirror) lines"
assert_match "$(printf '%s\n' "$OUT" | sed -n 2p)" '^\{"name":"m0",.*"primary_stats":.*\}$' "status --json element"
run mirrorctl -j wait m0
assert_eq 2 "$RC" "-j with a command that has no --json"

# Output that cannot be written is an error.
run sh -c 'mirrorctl list >/dev/full'
assert_eq 1 "$RC" "exit code of list >/dev/full"
assert_contains "$ERR" "write error on standard output" "message of list >/dev/full"
run sh -c 'mirrorctl status m0 --json >/dev/full'
assert_eq 1 "$RC" "exit code of status --json >/dev/full"

must mirrorctl status m0 --json
j=$OUT
assert_eq "$(json_get "$j" primary)" "$(json_get "$(mirrorctl -j status m0)" primary)" "-j status m0"
assert_match "$(mirrorctl -j status m0)" '^\{"name":"m0",.*\}$' "-j status m0 is one object"
assert_match "$j" '^\{.*\}$' "status --json is one object"
assert_eq m0 "$(json_get "$j" name)" "name"
assert_eq "$dev" "$(json_get "$j" device)" "device"
assert_eq /dev/ram0 "$(json_get "$j" primary)" "primary resolved through the symlink"
assert_eq /dev/ram1 "$(json_get "$j" secondary)" "secondary"
assert_eq "$(cat /sys/block/ram0/dev)" "$(json_get "$j" primary_devt)" "primary_devt"
assert_eq "$(cat /sys/block/ram1/dev)" "$(json_get "$j" secondary_devt)" "secondary_devt"
assert_eq "$(cat /sys/block/$node/dev)" "$(json_get "$j" devt)" "devt"
assert_eq $((64 << 20)) "$(json_get "$j" size_bytes)" "size_bytes"
assert_eq $((256 << 10)) "$(json_get "$j" region_size_bytes)" "region_size_bytes"
assert_eq $((8 << 20)) "$(json_get "$j" max_rate_bytes_per_sec)" "max_rate_bytes_per_sec"
assert_eq 512 "$(json_get "$j" primary_lbs)" "primary_lbs"
assert_eq null "$(json_get "$j" failed_leg)" "failed_leg"
assert_match "$(json_get "$j" state)" '^(resyncing|synced)$' "state"
for k in percent synced_bytes rate_bytes_per_sec logical_block_size secondary_lbs; do
	assert_match "$(json_get "$j" $k)" '^[0-9]+$' "$k is an integer"
done
for k in reads writes flushes discards read_errors write_errors flush_errors copy_bytes; do
	assert_match "$(json_get_nested "$j" primary_stats $k)" '^[0-9]+$' "primary_stats.$k"
	assert_match "$(json_get_nested "$j" secondary_stats $k)" '^[0-9]+$' "secondary_stats.$k"
done

must mirrorctl status m0
assert_contains "$OUT" "m0:" "status header"
assert_contains "$OUT" "$dev" "status device"
assert_contains "$OUT" "64.0 MiB" "status size in human units"
assert_contains "$OUT" "8.0 MiB/s" "status rate limit in human units"
assert_contains "$OUT" "256.0 KiB" "status region size in human units"
must mirrorctl status
assert_contains "$OUT" "m0:" "status of all mirrors"

must mirrorctl set m0 --max-rate unlimited
assert_eq 0 "$(mirror_field m0 max_rate_bytes_per_sec)" "max rate after set"
must mirrorctl set m0 --max-rate=1GiB/s
assert_eq $((1 << 30)) "$(mirror_field m0 max_rate_bytes_per_sec)" "max rate after set =VALUE"

# Refusals come with the kernel's words and the errno text.
run mirrorctl create m0 /dev/ram0 /dev/ram1
assert_eq 1 "$RC" "exit code of a duplicate create"
assert_match "$ERR" '^mirrorctl: create m0: .+ \(.+\)$' "duplicate create message"
run mirrorctl status nosuch
assert_eq 1 "$RC" "exit code of status of a missing mirror"
assert_match "$ERR" '^mirrorctl: status nosuch: .+ \(.+\)$' "status of a missing mirror"
run mirrorctl destroy nosuch
assert_eq 1 "$RC" "exit code of destroy of a missing mirror"
assert_match "$ERR" '^mirrorctl: destroy nosuch: .+ \(.+\)$' "destroy of a missing mirror"

wait_synced m0 60
must mirrorctl destroy m0
assert_eq "" "$OUT" "destroy prints nothing"
assert_no_mirrors
