#!/bin/sh
# CHECK: mirrorctl help, -V and usage errors (exit 2), bad sizes, rates, names and non-block-device paths are refused before the kernel is asked
. /tests/lib.sh

load_blkmirror
make_brd 2 8

must mirrorctl --help
assert_contains "$OUT" "create NAME PRIMARY [SECONDARY]" "usage lists create"
assert_contains "$OUT" "attach NAME SECONDARY" "usage lists attach"
assert_contains "$OUT" "monitor [NAME] [--json]" "usage lists monitor"
must mirrorctl help wait
assert_contains "$OUT" "--timeout SECONDS" "help wait shows its option"
must mirrorctl set -h
assert_contains "$OUT" "--max-rate RATE" "set -h shows its option"
must mirrorctl -V
assert_match "$OUT" '^mirrorctl version [0-9]+\.[0-9]+' "mirrorctl -V"

usage() {	# WHAT-IN-STDERR CMD...
	_w=$1
	shift
	run "$@"
	assert_eq 2 "$RC" "exit code of '$*' (stderr: $ERR)"
	assert_contains "$ERR" "$_w" "stderr of '$*'"
}
usage "no command given" mirrorctl
usage "unknown command 'frob'" mirrorctl frob
usage "missing PRIMARY" mirrorctl create m0
usage "missing SECONDARY" mirrorctl attach m0
usage "unexpected argument" mirrorctl switch m0 /dev/ram1
usage "unexpected argument 'x'" mirrorctl destroy m0 x
usage "unknown option '--force'" mirrorctl set m0 --force
usage "needs RATE" mirrorctl set m0 --max-rate
usage "nothing to change" mirrorctl set m0
usage "invalid name '.m0'" mirrorctl create .m0 /dev/ram0 /dev/ram1
usage "invalid name" mirrorctl create "$(printf '%064d' 0)" /dev/ram0 /dev/ram1
usage "must be a power of two" mirrorctl create m0 /dev/ram0 /dev/ram1 --region-size 96K
usage "between 64KiB and 64MiB" mirrorctl create m0 /dev/ram0 /dev/ram1 --region-size 32K
usage "must not be negative" mirrorctl create m0 /dev/ram0 /dev/ram1 --max-rate -1M
usage "too large" mirrorctl create m0 /dev/ram0 /dev/ram1 --max-rate 99999999999999T
usage "unknown unit" mirrorctl create m0 /dev/ram0 /dev/ram1 --max-rate 10Mbit
usage "whole number" mirrorctl wait m0 --timeout 1.5

# Paths are checked here, naming the path, before anything is sent.
: > /tmp/case/plain
run mirrorctl create m0 /dev/ram0 /tmp/case/plain
assert_eq 1 "$RC" "exit code for a regular file leg"
assert_contains "$ERR" "/tmp/case/plain: not a block device" "stderr for a regular file leg"
run mirrorctl create m0 /dev/nonexistent /dev/ram1
assert_eq 1 "$RC" "exit code for a missing leg"
assert_contains "$ERR" "/dev/nonexistent: No such file or directory" "stderr for a missing leg"
run mirrorctl create m0 /dev/ram0 /dev/ram0
assert_eq 1 "$RC" "exit code for the same device twice"
assert_contains "$ERR" "same device" "stderr for the same device twice"
assert_no_mirrors
