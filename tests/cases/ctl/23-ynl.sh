#!/bin/sh
# CHECK: the kernel's own ynl CLI (tools/net/ynl from Debian's linux-source, run by Debian's python3) drives the family with uapi/blkmirror.yaml: a dump of get returns the mirror the case created with the fields status --json shows, a do of get by name the same, version the module's version, and a get of a name that does not exist fails with the kernel's ENODEV
. /tests/lib.sh

[ -f /tests/ynl/cli.py ] ||
	fail "no ynl CLI in the guest: the host could not fetch the linux-source it comes from (tests/out/last/ynl-fetch.log)"
note "ynl from $(cat /tests/ynl/SOURCE)"
ynl() {
	run python3 -s /tests/ynl/cli.py --spec /tests/ynl/blkmirror.yaml --no-schema --output-json "$@"
}

load_blkmirror
make_legs 16
make_mirror m0 /dev/ram0 /dev/ram1 --max-rate "$PIN_RATE" >/dev/null
must mirrorctl status m0 --json
status=$OUT

ynl --dump get
assert_eq 0 "$RC" "ynl --dump get exit code (stderr: $ERR)"
dump=$OUT
ynl --do get --json '{"name": "m0"}'
assert_eq 0 "$RC" "ynl --do get exit code (stderr: $ERR)"
one=$OUT
ynl --do version
assert_eq 0 "$RC" "ynl --do version exit code (stderr: $ERR)"
version=$OUT
ynl --do get --json '{"name": "nosuch"}'
assert_ne 0 "$RC" "ynl --do get of a missing mirror fails"
assert_contains "$OUT$ERR" "No such device" "the kernel's error for a missing mirror"

python3 -s - "$status" "$dump" "$one" "$version" "$(cat /sys/module/blkmirror/version 2>/dev/null)" \
	<<'PY' >/tmp/case/check 2>&1 || fail "ynl against status --json: $(cat /tmp/case/check)"
import json, sys
status, dump, one, version = (json.loads(a) for a in sys.argv[1:5])
assert isinstance(dump, list) and [m["name"] for m in dump] == ["m0"], dump
for got in (dump[0], one):
    want = {"name": status["name"], "disk-name": status["device"][len("/dev/"):],
            "primary": status["primary"], "secondary": status["secondary"],
            "size": status["size_bytes"], "state": status["state"],
            "region-size": status["region_size_bytes"], "max-rate": 1,
            "lbs": status["logical_block_size"]}
    diff = {k: (v, got.get(k)) for k, v in want.items() if got.get(k) != v}
    assert not diff, "differ (status, ynl): %s" % diff
    assert "reads" in got["primary-stats"], got["primary-stats"]
assert version["version"] == sys.argv[5] or not sys.argv[5], (version, sys.argv[5])
print("dump and do agree with status --json:", json.dumps(dump[0])[:160])
PY
note "$(cat /tmp/case/check)"
