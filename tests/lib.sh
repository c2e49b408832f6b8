# SPDX-License-Identifier: GPL-2.0
#
# Helpers for guest test cases; sourced as ". /tests/lib.sh".
#
# A case is tests/cases/<suite>/<NN>-<name>.sh, run by busybox ash with
# /tmp/case as its working directory.  It starts with
#   # CHECK: <what it asserts, one line>
#   # TIMEOUT: <seconds>          (optional, default 120)
# and exits 0 (pass), 77 (skip) or anything else (fail).  The runner resets
# the machine between cases, so a case need not clean up after itself.

export PATH=/usr/sbin:/usr/bin:/sbin:/bin

# The debug kernel runs everything a few times slower: the runner puts
# bm_tscale=N on its command line, and every wait here is scaled by it.
BM_TSCALE=${bm_tscale:-1}

# tscale SECONDS: SECONDS on this kernel (for timeouts a case passes on).
tscale() {
	echo $(($1 * BM_TSCALE))
}

# ---------------------------------------------------------------- results

# fail also leaves a mark for the runner: inside $(...) or a pipeline it
# only ends a subshell, and the case would carry on with an empty value.
# The runner fails a case that left the mark, whatever its exit status.
fail() {
	echo "FAIL: $*" >&2
	echo "$*" >>"${BM_FAILMARK:-/run/case.failed}" 2>/dev/null
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77
}

# Progress notes; they show in the host report when the case fails.
note() {
	echo "# $*"
}

# ---------------------------------------------------------------- asserts

assert_eq() {	# EXPECTED ACTUAL WHAT
	[ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"
}

assert_ne() {	# UNEXPECTED ACTUAL WHAT
	[ "$1" != "$2" ] || fail "$3: got '$2'"
}

assert_contains() {	# HAYSTACK NEEDLE WHAT
	case $1 in
	*"$2"*) ;;
	*) fail "$3: '$2' not found in: $1" ;;
	esac
}

assert_not_contains() {	# HAYSTACK NEEDLE WHAT
	case $1 in
	*"$2"*) fail "$3: '$2' unexpectedly found in: $1" ;;
	esac
}

assert_match() {	# STRING ERE WHAT
	printf '%s\n' "$1" | grep -Eq -- "$2" || fail "$3: '$1' does not match /$2/"
}

assert_ge() {	# MIN ACTUAL WHAT  (integers)
	[ "$2" -ge "$1" ] 2>/dev/null || fail "$3: expected >= $1, got '$2'"
}

assert_le() {	# MAX ACTUAL WHAT  (integers)
	[ "$2" -le "$1" ] 2>/dev/null || fail "$3: expected <= $1, got '$2'"
}

# run CMD...: never fails; sets OUT (stdout), ERR (stderr) and RC.
run() {
	"$@" >/tmp/.run.out 2>/tmp/.run.err
	RC=$?
	OUT= ERR=
	# A $(cat) is a fork, 84 ms on the debug kernel; most commands leave
	# one of the two empty, stderr nearly always.
	[ -s /tmp/.run.out ] && OUT=$(cat /tmp/.run.out)
	[ -s /tmp/.run.err ] && ERR=$(cat /tmp/.run.err)
	return 0
}

# must CMD...: the command must succeed; sets OUT/ERR/RC like run.
must() {
	run "$@"
	[ "$RC" -eq 0 ] || fail "'$*' exited $RC: $ERR"
}

# assert_fail CMD...: the command must fail; sets OUT/ERR/RC like run.
assert_fail() {
	run "$@"
	[ "$RC" -ne 0 ] || fail "'$*' succeeded but should have failed (stdout: $OUT)"
}

# wait_until TIMEOUT_S CMD...: poll CMD until it succeeds; TIMEOUT_S is
# scaled by BM_TSCALE.  Every 0.1 s for 20 polls, then every 0.5 s, then
# after 20 more every 1 s.  A poll is processes: a mirror_field forks and
# execs mirrorctl and sed, and a process costs about 10 ms of a vCPU on
# the stock kernel and 120 ms on the debug one (a mirrorctl status 350
# ms), so at 10 Hz a long wait kept a vCPU busy beside the work it was
# waiting for.  The budget counts sleeps, 0.1 s each, as before: a slow
# poll makes a wait longer than TIMEOUT_S, never shorter.
wait_until() {
	_wu_n=$(($1 * 10 * BM_TSCALE)) _wu_p=0
	shift
	while ! "$@" >/dev/null 2>&1; do
		_wu_p=$((_wu_p + 1))
		if [ $_wu_p -le 20 ]; then
			_wu_s=0.1 _wu_k=1
		elif [ $_wu_p -le 40 ]; then
			_wu_s=0.5 _wu_k=5
		else
			_wu_s=1 _wu_k=10
		fi
		[ $_wu_n -gt 0 ] || return 1
		_wu_n=$((_wu_n - _wu_k))
		sleep $_wu_s
	done
}

# ---------------------------------------------------------------- tasks
# A background task's state, to wait on instead of sleeping.

# task_state PID: one letter (R, S, D, T, Z), empty when it is gone.
task_state() {
	sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' /proc/"$1"/status 2>/dev/null
}

# in_state PID STATE: for wait_until.
in_state() {
	[ "$(task_state "$1")" = "$2" ]
}

# handles PID SIGNUM: the task has a handler for SIGNUM (SigCgt) or has
# it blocked to read it from a signalfd (SigBlk; a blocked signal is
# queued even where it is ignored).
handles() {
	for _f in SigCgt SigBlk; do
		_m=$(sed -n "s/^$_f:[[:space:]]*//p" /proc/"$1"/status 2>/dev/null)
		[ -n "$_m" ] && [ $(( (0x$_m >> ($2 - 1)) & 1 )) -eq 1 ] && return 0
	done
	return 1
}

# nl_sockets PID: the task's generic netlink sockets, as /proc/net/netlink
# lines (sk eth pid groups rmem wmem dump locks drops inode).
nl_sockets() {
	_i=$(ls -l /proc/"$1"/fd 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\].*/\1/p' | tr '\n' ' ')
	awk -v inodes=" $_i " '$2 == 16 && index(inodes, " " $10 " ")' /proc/net/netlink
}

# subscribed PID: it has joined a multicast group (monitor, wait).
subscribed() {
	nl_sockets "$1" | awk '$4 != "00000000" { f = 1 } END { exit !f }'
}

# nl_dropped PID: a socket of it lost messages (receive buffer overrun).
nl_dropped() {
	nl_sockets "$1" | awk '$9 > 0 { f = 1 } END { exit !f }'
}

# ---------------------------------------------------------------- tools
# Busybox ash prefers its own applets to PATH; these names mean the real
# util-linux tools copied into the guest.

losetup() { /usr/sbin/losetup "$@"; }
blockdev() { /usr/sbin/blockdev "$@"; }
script() { /usr/bin/script "$@"; }

# ---------------------------------------------------------------- devices

load_blkmirror() {
	[ -d /sys/module/blkmirror ] && return 0
	modprobe blkmirror || fail "modprobe blkmirror failed"
	[ -d /sys/module/blkmirror ] || fail "blkmirror not in /sys/module after modprobe"
	record_module_range
}

# record_module_range: where blkmirror sits, for the kmemleak scan (a
# report shows an unloaded module's frames as bare addresses).
record_module_range() {
	grep '^blkmirror' /proc/modules >>/run/blkmirror.modules 2>/dev/null
	return 0
}

# make_brd COUNT SIZE_MIB: fresh zeroed /dev/ram0 .. /dev/ram<COUNT-1>.
make_brd() {
	if [ -d /sys/module/brd ]; then
		rmmod brd || fail "brd busy; cannot make fresh ramdisks"
	fi
	modprobe brd rd_nr="$1" rd_size=$(($2 * 1024)) max_part=0 ||
		fail "modprobe brd failed"
	_i=0
	while [ $_i -lt "$1" ]; do
		wait_until 5 test -b /dev/ram$_i || fail "/dev/ram$_i did not appear"
		_i=$((_i + 1))
	done
}

# make_null_blk SIZE_GIB BLOCK_SIZE: memory-backed /dev/nullb0.
make_null_blk() {
	if [ -d /sys/module/null_blk ]; then
		rmmod null_blk || fail "null_blk busy"
	fi
	modprobe null_blk nr_devices=1 gb="$1" bs="$2" memory_backed=1 \
		queue_mode=2 irqmode=0 || fail "modprobe null_blk failed"
	wait_until 5 test -b /dev/nullb0 || fail "/dev/nullb0 did not appear"
}

# make_loop FILE [SECTOR_SIZE]: attach FILE (util-linux losetup), print the node.
make_loop() {
	modprobe loop || fail "modprobe loop failed"
	wait_until 5 test -c /dev/loop-control || fail "/dev/loop-control missing"
	losetup --show -f ${2:+-b "$2"} "$1" || fail "losetup $1 failed"
}

# load_ext4: ext4 and the crc32c it needs for metadata checksums.
load_ext4() {
	modprobe crc32c_generic 2>/dev/null
	modprobe ext4 || fail "modprobe ext4 failed"
}

load_dm() {
	modprobe dm_mod || fail "modprobe dm_mod failed"
	for _m in "$@"; do
		modprobe "$_m" || fail "modprobe $_m failed"
	done
}

# dm_create NAME TABLE: creates /dev/mapper/NAME (no udev in the guest).
dm_create() {
	dmsetup create "$1" --table "$2" || fail "dmsetup create $1 failed"
	dmsetup mknodes "$1"
	test -b "/dev/mapper/$1" || fail "/dev/mapper/$1 missing"
}

dev_size() {	# bytes
	blockdev --getsize64 "$1"
}

# dev_sum DEV [OFFSET LEN]: content hash (O_DIRECT, no page cache).
dev_sum() {
	bmpattern sum "$@" || fail "bmpattern sum $* failed"
}

# dev_fill DEV SEED [OFFSET LEN] / dev_verify DEV SEED [OFFSET LEN]
dev_fill() {
	bmpattern write "$@" || fail "bmpattern write $* failed"
}

dev_verify() {
	bmpattern verify "$@" || fail "pattern '$2' mismatch on $1 ${3:+at $3+$4}"
}

# assert_same_data DEV1 DEV2: byte-identical, else the first difference.
assert_same_data() {
	_d=$(bmpattern cmp "$1" "$2") || fail "$1 and $2 differ: $_d"
}

# assert_exclusive DEV: nothing holds DEV (exclusive open succeeds).
assert_exclusive() {
	_d=$(bmpattern excl "$1" 2>&1) || fail "$1 still held: $_d"
}

# ---------------------------------------------------------------- mirrors

# JSON of mirrorctl: one flat-ish object per line; these read scalars.
# One sed each (a here-document, not a pipeline): waits poll them, and
# every process counts on the debug kernel (see wait_until).
# json_get JSON KEY: value of top-level "KEY" (strings unquoted).
json_get() {
	sed -n -e 's/"[a-z_]*_stats" *: *{[^}]*}//g' -e 't a' -e ':a' \
		-e 's/.*"'"$2"'" *: *"\{0,1\}\([^",}]*\)"\{0,1\}.*/\1/p' \
		-e 't q' -e d -e ':q' -e q <<EOF
$1
EOF
}

# json_get_nested JSON OBJ KEY: e.g. json_get_nested "$j" secondary_stats writes
json_get_nested() {
	sed -n -e 's/.*"'"$2"'" *: *{\([^}]*\)}.*/\1/' -e 't a' -e d -e ':a' \
		-e 's/.*"'"$3"'" *: *\([^,}]*\).*/\1/p' -e 't q' -e d -e ':q' -e q <<EOF
$1
EOF
}

# mirror_field NAME KEY: one field of `mirrorctl status NAME --json`;
# fails the case when status fails (see fail).
mirror_field() {
	_j=$(mirrorctl status "$1" --json) || fail "mirrorctl status $1 failed"
	json_get "$_j" "$2"
}

# make_mirror NAME PRIMARY SECONDARY [OPTIONS...]: create, check the node,
# print the device path.
make_mirror() {
	_out=$(mirrorctl create "$@") || fail "mirrorctl create $* failed"
	case $_out in
	/dev/blkmirror[0-9]*) ;;
	*) fail "mirrorctl create printed '$_out', not a device path" ;;
	esac
	wait_until 5 test -b "$_out" || fail "$_out is not a block device"
	echo "$_out"
}

# assert_refused ERRNO_TEXT CMD...: a kernel refusal relayed by mirrorctl:
# exit 1 and "(<strerror>)" on stderr.  Sets OUT/ERR/RC.
assert_refused() {
	_want=$1
	shift
	assert_fail "$@"
	assert_eq 1 "$RC" "exit code of '$*' (stderr: $ERR)"
	assert_contains "$ERR" "($_want)" "strerror in stderr of '$*'"
}

# assert_ctl_refuses CMD...: mirrorctl refuses, whether it checked the
# arguments itself (exit 2) or the kernel said no (exit 1), with a message.
assert_ctl_refuses() {
	assert_fail "$@"
	case $RC in 1|2) ;; *) fail "exit code of '$*': expected 1 or 2, got $RC ($ERR)" ;; esac
	assert_contains "$ERR" "mirrorctl: " "message of '$*'"
}

# assert_kernel_refuses ERRNO_TEXT NAME PRIMARY SECONDARY [REGION [RATE]]:
# the raw CREATE request (bmnl, bypassing mirrorctl's own checks) fails
# with that errno.  The kernel's message is left in OUT.
assert_kernel_refuses() {
	_want=$1
	set -- name="s:$2" primary="s:$3" secondary="s:$4" \
		${5:+region_size=u32:$5} ${6:+max_rate=u64:$6}
	run bmnl create "$@"
	assert_eq 1 "$RC" "exit code of raw create $* (output: $OUT $ERR)"
	assert_contains "$OUT" "($_want)" "kernel errno for raw create $*"
}

# assert_no_mirrors: nothing left behind by a refusal or a destroy.
assert_no_mirrors() {
	_l=$(mirrorctl list --json) || fail "mirrorctl list failed"
	assert_eq "[]" "$_l" "mirrorctl list --json"
	for _d in /dev/blkmirror*; do
		[ -e "$_d" ] && fail "$_d still exists"
	done
	return 0
}

# wait_synced NAME [TIMEOUT_S]: mirrorctl wait must report the mirror in
# sync; TIMEOUT_S (default 60) is scaled by BM_TSCALE.
wait_synced() {
	run mirrorctl wait "$1" --timeout "$(tscale "${2:-60}")"
	assert_eq 0 "$RC" "mirrorctl wait $1 exit code (stderr: $ERR)"
	assert_eq synced "$(mirror_field "$1" state)" "state of $1 after wait"
}

# Holding the copy.  A case whose point is I/O during the resync creates
# the mirror with the copy pinned (PIN_RATE, 1 byte/s), sets everything
# up, checks the mirror is still resyncing, then lets the copy go: it
# never counts on the copy being slower than its own setup.
PIN_RATE=1

# pin_copy NAME / release_copy NAME [RATE]: a rate change applies at once;
# RATE 0 (the default) lifts the cap.
pin_copy() {
	must mirrorctl set "$1" --max-rate $PIN_RATE
}

release_copy() {
	must mirrorctl set "$1" --max-rate "${2:-0}"
}

# copy_started NAME: the copy has copied something (for wait_until).
copy_started() {
	[ "$(mirror_field "$1" synced_bytes)" -gt 0 ]
}

# assert_resyncing NAME WHAT: the copy has not finished (nor failed).
assert_resyncing() {
	assert_eq resyncing "$(mirror_field "$1" state)" "state of $1 $2"
}

# assert_legs_equal A B: byte-identical whole devices, by checksum and cmp.
assert_legs_equal() {
	assert_same_data "$1" "$2"
	assert_eq "$(dev_sum "$1")" "$(dev_sum "$2")" "checksums of $1 and $2"
}

# Two fresh legs of SIZE_MIB (default 64) with different patterns, so a
# resync has real work to do: /dev/ram0 = "primary", /dev/ram1 = "stale".
make_legs() {
	make_brd 2 "${1:-64}"
	dev_fill /dev/ram0 primary
	dev_fill /dev/ram1 stale
}
