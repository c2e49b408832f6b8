#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host tests of mirrorctl (make -C ctl check).  Each part prints
# "ok - ..." / "not ok - ..." lines; this numbers them into one TAP stream,
# ends with the plan and "N passed, N failed", and fails if anything did.

cd "$(dirname "$0")/.." || exit 1

# A part that dies instead of reporting is a failure too.
part() {	# DESCRIPTION CMD...
	_d=$1
	shift
	"$@" || echo "not ok - $_d: exited with status $?"
}

uapi_vs_yaml() {
	tests/unit uapi > tests/.uapi.txt &&
		"${PYTHON:-/usr/bin/python3}" tests/uapi_yaml.py ../uapi/blkmirror.yaml < tests/.uapi.txt
	_rc=$?
	rm -f tests/.uapi.txt
	return $_rc
}

completion_current() {
	if ./mirrorctl __bash-completion | cmp -s - mirrorctl.bash-completion; then
		echo "ok - mirrorctl.bash-completion matches the command table"
	else
		echo "not ok - mirrorctl.bash-completion is stale: run make -C ctl completion"
	fi
}

# Output that cannot be written fails the command (no module needed).
stdout_errors() {
	for args in "--help" "help list" "-V"; do
		# shellcheck disable=SC2086
		err=$(./mirrorctl $args 2>&1 >/dev/full)
		rc=$?
		case $rc:$err in
		1:*"write error on standard output: No space left on device"*)
			echo "ok - mirrorctl $args >/dev/full exits 1 with a message" ;;
		*)
			echo "not ok - mirrorctl $args >/dev/full exits 1 with a message (got $rc: $err)" ;;
		esac
	done
}

# A packager's `make CFLAGS=-O2` replaces CFLAGS whole: libnl's headers
# must still be found, and -Werror must not be forced on it.  Built in a
# copy, so that this tree's objects stay as make check built them.
packager_cflags() {
	_d=$(mktemp -d) || return 1
	mkdir -p "$_d/ctl" "$_d/uapi"
	cp ./*.c ./*.h Makefile "$_d/ctl/" && cp ../uapi/blkmirror.h "$_d/uapi/"
	# As a packager runs it: not with make check's -s and WERROR=1, which
	# a sub-make inherits through MAKEFLAGS.
	_log=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u WERROR \
		make -C "$_d/ctl" CFLAGS=-O2 mirrorctl 2>&1)
	_rc=$?
	if [ $_rc -eq 0 ] && [ -x "$_d/ctl/mirrorctl" ]; then
		echo "ok - make CFLAGS=-O2 builds mirrorctl (libnl's headers found)"
	else
		echo "not ok - make CFLAGS=-O2 builds mirrorctl: $(printf '%s' "$_log" | tail -n 3 | tr '\n' '|')"
	fi
	if printf '%s\n' "$_log" | grep -q -- '-O2' && ! printf '%s\n' "$_log" | grep -q -- '-Werror'; then
		echo "ok - make CFLAGS=-O2 compiles with -O2 and without -Werror"
	else
		echo "not ok - make CFLAGS=-O2 compiles with -O2 and without -Werror: $(printf '%s' "$_log" | grep -m1 -- ' -c ')"
	fi
	rm -rf "$_d"
}

# The shipped example and the man page's EXAMPLE parse as they are.
config_examples() {
	tests/unit conf mirrors.conf.example 0
	sed -n '/^\.SH EXAMPLE/,/^\.SH/{/^\.EX/,/^\.EE/p}' blkmirror.conf.5 | sed '1d;$d' \
		>tests/.example.conf
	tests/unit conf tests/.example.conf 3
	rm -f tests/.example.conf
}

# Both man pages format without a warning.
man_pages_clean() {
	if ! command -v man >/dev/null; then
		echo "ok - man pages format cleanly # SKIP no man"
		return
	fi
	for page in mirrorctl.8 blkmirror.conf.5; do
		w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
		if [ -z "$w" ]; then
			echo "ok - $page formats without warnings"
		else
			echo "not ok - $page formats without warnings: $w"
		fi
	done
}

# Every command and option in the help (made from the table) is in the man page.
man_page_complete() {
	./mirrorctl --help | sed -n 's/^  \([a-z]\)/\1/p' | while read -r cmd rest; do
		if grep -q "^\\.SS $cmd\\b" mirrorctl.8; then
			echo "ok - man page documents command $cmd"
		else
			echo "not ok - man page documents command $cmd"
		fi
		for opt in $(printf '%s\n' "$rest" | grep -o -- '--[a-z-]*'); do
			if grep -qF -- "$(printf '%s' "$opt" | sed 's/-/\\-/g')" mirrorctl.8; then
				echo "ok - man page documents $cmd $opt"
			else
				echo "not ok - man page documents $cmd $opt"
			fi
		done
	done
}

{
	part "unit tests" tests/unit
	part "uapi yaml check" uapi_vs_yaml
	completion_current
	part "completion behaviour" sh tests/completion.sh
	man_page_complete
	stdout_errors
	packager_cflags
	config_examples
	man_pages_clean
} | awk '
	/^ok / || /^not ok / {
		n++
		if ($1 == "not") { failed++; sub(/^not ok/, "not ok " n) }
		else sub(/^ok/, "ok " n)
	}
	{ print }
	END {
		printf "1..%d\n", n
		printf "%d passed, %d failed\n", n - failed, failed
		exit failed > 0 || n == 0
	}'
