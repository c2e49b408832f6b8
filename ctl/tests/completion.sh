#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Drives the generated bash completion the way bash would, with a stub
# mirrorctl on PATH whose `list` knows two mirrors.
cd "$(dirname "$0")/.." || exit 1
if ! command -v bash >/dev/null; then
	echo "ok - bash completion # SKIP no bash"
	exit 0
fi
stub=$(mktemp -d) || exit 1
trap 'rm -rf "$stub"' EXIT
printf '#!/bin/sh\n[ "$1" = list ] && printf "m0               /dev/blkmirror0  synced     100%%%%\\nbackup           /dev/blkmirror1  resyncing    5%%%%\\n"\n' \
	> "$stub/mirrorctl"
chmod +x "$stub/mirrorctl"

PATH="$stub:$PATH" bash -c '
. ./mirrorctl.bash-completion
complete_line() {	# LINE: the words bash would pass, the last one being completed
	read -r -a COMP_WORDS <<< "$1"
	[[ $1 == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_mirrorctl
	echo "${COMPREPLY[*]}"
}
expect() {	# LINE WANT
	got=$(complete_line "$1")
	if [[ $got == "$2" ]]; then
		echo "ok - completion of \"$1\" is \"$2\""
	else
		echo "not ok - completion of \"$1\" is \"$2\" (got \"$got\")"
	fi
}
expect "mirrorctl cr" "create"
expect "mirrorctl " "create attach switch detach destroy list status wait monitor set up down version help -h --help -V --version -j --json"
expect "mirrorctl -j st" "status"
expect "mirrorctl up --" "--help --all --config"
expect "mirrorctl down " "m0 backup"
expect "mirrorctl up --config " ""
expect "mirrorctl -j status " "m0 backup"
expect "mirrorctl wait " "m0 backup"
expect "mirrorctl status b" "backup"
expect "mirrorctl create --r" "--region-size"
expect "mirrorctl create m0 --max-rate 1M /dev/nul" "/dev/null"
expect "mirrorctl destroy m0 --" "--help --timeout --force --no-wait"
expect "mirrorctl help mo" "monitor"
expect "mirrorctl set m0 --max-rate " ""
expect "mirrorctl destroy m0 " ""
expect "mirrorctl att" "attach"
expect "mirrorctl attach b" "backup"
expect "mirrorctl attach m0 /dev/nul" "/dev/null"
expect "mirrorctl attach m0 /dev/null " ""
expect "mirrorctl attach m0 --" "--help --region-size --max-rate --min-rate --wait --json"
expect "mirrorctl switch " "m0 backup"
expect "mirrorctl switch m0 --" "--help --force --json"
expect "mirrorctl detach m0 --f" "--force"
expect "mirrorctl create m0 /dev/null /dev/nul" "/dev/null"
'
