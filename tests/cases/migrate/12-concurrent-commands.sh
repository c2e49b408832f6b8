#!/bin/sh
# CHECK: switch, detach, attach and destroy sent at once to one synced mirror, eight rounds (destroy in every other one): each answers (exit 0 or 1, within 60 s), the outcomes agree (switch and detach both only with an attach between; a destroy that succeeded leaves no mirror; the primary changes only by a switch), the mirror left (if any) has a consistent state and legs, every leg it does not hold is free, and the data reads back through it or from the leg that has it
# TIMEOUT: 300
. /tests/lib.sh
. /tests/cases/migrate/migrate.inc

make_brd 3 16
dev_fill /dev/ram0 data
load_blkmirror

other_than() {	# LEG...: the first of ram0..ram2 not listed
	for _c in /dev/ram0 /dev/ram1 /dev/ram2; do
		case " $* " in *" $_c "*) ;; *) echo "$_c"; return ;; esac
	done
}

prim=/dev/ram0
r=0
while [ $r -lt 8 ]; do
	if ! mirrorctl status x >/dev/null 2>&1; then
		make_mirror x "$prim" >/dev/null
	fi
	sec=$(other_than "$prim")
	third=$(other_than "$prim" "$sec")
	must mirrorctl attach x "$sec" --wait
	# destroy in every other round, so that the others' outcome shows too
	cmds="switch detach attach"
	[ $((r % 2)) = 0 ] && cmds="$cmds destroy"
	rm -f /tmp/case/*.rc
	for c in $cmds; do
		case $c in
		attach) set -- mirrorctl attach x "$third" ;;
		*) set -- mirrorctl "$c" x ;;
		esac
		( timeout 60 "$@" >/tmp/case/$c.out 2>/tmp/case/$c.err; echo $? >/tmp/case/$c.rc ) &
	done
	wait
	res=
	for c in $cmds; do
		rc=$(cat /tmp/case/$c.rc)
		note "round $r: $c rc $rc: $(cat /tmp/case/$c.out /tmp/case/$c.err)"
		case $rc in 0|1) ;; *) fail "round $r: $c exited $rc (124: it hung)" ;; esac
		[ "$rc" = 0 ] && res="$res $c"
	done
	note "round $r: won:$res"
	# Both switch and detach may win only with an attach between them
	# (detach, attach, the copy of 16 MiB over, switch).
	case "$res " in *" switch "*" detach "*)
		case "$res " in *" attach "*) ;; *) fail "round $r: switch and detach both won, with no attach between" ;; esac ;;
	esac
	before=$prim
	if mirrorctl status x >/dev/null 2>&1; then
		case "$res " in *" destroy "*) fail "round $r: destroy succeeded but x is still there" ;; esac
		j=$(mirrorctl status x --json)
		st=$(json_get "$j" state) prim=$(json_get "$j" primary) s2=$(json_get "$j" secondary)
		note "round $r: $st, primary $prim, secondary $s2"
		case $st in
		single) assert_eq null "$s2" "secondary of a single mirror" ;;
		resyncing|synced) assert_ne null "$s2" "secondary of a two-leg mirror" ;;
		*) fail "round $r: state $st" ;;
		esac
		case "$res " in
		*" switch "*) [ "$prim" = "$sec" ] || [ "$prim" = "$third" ] ||
			fail "round $r: primary $prim after a switch from $before ($sec, $third attached)" ;;
		*) assert_eq "$before" "$prim" "primary without a switch" ;;
		esac
		dev_verify "$(json_get "$j" device)" data 0 16M
		mirrorctl wait x --timeout 60 >/dev/null 2>&1
		[ "$s2" != null ] && must mirrorctl detach x --force
		for l in /dev/ram0 /dev/ram1 /dev/ram2; do
			[ "$l" = "$prim" ] || assert_exclusive "$l"
		done
	else
		case "$res " in *" destroy "*) ;; *) fail "round $r: x is gone but destroy did not succeed" ;; esac
		for l in /dev/ram0 /dev/ram1 /dev/ram2; do assert_exclusive "$l"; done
		# Nothing writes in this case: the old primary still has the data.
		prim=$before
		dev_verify "$prim" data 0 16M
	fi
	r=$((r + 1))
done
