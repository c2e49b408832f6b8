#!/bin/sh
# CHECK: after the suite, kmemleak finds no unreferenced object allocated by blkmirror: a frame in blkmirror (by name, or by address where it was loaded), or a task of ours (the copy thread, mirrorctl, the test tools)
. /tests/lib.sh

km=/sys/kernel/debug/kmemleak
[ -e $km ] || skip "kernel has no kmemleak"
# A report is symbolized when it is read, and blkmirror was unloaded after
# every case: its frames then print as bare addresses ("[<...>]
# 0xffffffffa0..").  Every load of it was recorded in /run/blkmirror.modules
# (/proc/modules lines: name size refs deps state address); a bare frame
# inside one of those ranges is ours.  So is an object allocated by a task
# that only calls into us.
OUR_COMMS='^(blkmirror/[0-9]+|mirrorctl|bmnl|bmblk|bmpattern)$'

# ours FILE: the reports of FILE that are blkmirror's, whole.
ours() {
	awk -v comms="$OUR_COMMS" '
	BEGIN { nr = 0 }
	function hex(s,   i, n) {
		n = 0
		for (i = 1; i <= length(s); i++)
			n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return n
	}
	# Module addresses all start ffffffff; the low 32 bits place them.
	function inside(a,   i, x) {
		if (substr(a, 1, 8) != "ffffffff")
			return 0
		x = hex(substr(a, 9))
		for (i = 0; i < nr; i++)
			if (x >= lo[i] && x < hi[i])
				return 1
		return 0
	}
	function judge() {
		if (r != "" && mine)
			printf "%s", r
		r = ""; mine = 0
	}
	FILENAME != ARGV[ARGC - 1] {
		a = tolower($6); sub(/^0x/, "", a)
		if (length(a) == 16 && $2 > 0) {
			lo[nr] = hex(substr(a, 9)); hi[nr] = lo[nr] + $2; nr++
		}
		next
	}
	/^unreferenced object/ { judge() }
	{ r = r $0 "\n" }
	/blkmirror/ { mine = 1 }
	/^ *comm "/ {
		c = $0; sub(/^ *comm "/, "", c); sub(/".*/, "", c)
		if (c ~ comms) mine = 1
	}
	# "[<(____ptrval____)>] 0xffffffffa000007b": the bracket is hashed
	# (%p) unless kptr_restrict allows; the bare address follows.
	/^ *\[<[^>]*>\] 0x[0-9a-f]+$/ {
		a = $2; sub(/^0x/, "", a)
		if (inside(a)) mine = 1
	}
	END { judge() }' /run/blkmirror.modules "$1"
}

touch /run/blkmirror.modules
note "blkmirror was loaded at: $(awk '{ print $6 "+" $2 }' /run/blkmirror.modules | sort -u | tr '\n' ' ')"
# Objects younger than 5 s are never reported, and neither is one whose
# contents changed since the scan before (kmemleak keeps a checksum; a new
# object's starts at 0): a leak made since the last scan shows only in the
# second of two.  These are the only scans: the guest's init turns the
# kernel's own (every 10 minutes) off.  A leak stays a leak: a third
# scan, to rule out an object in transit, is needed only when the second
# names us.
sleep 6
echo scan >$km
echo scan >$km
cat $km >/tmp/kmemleak.txt
if [ -n "$(ours /tmp/kmemleak.txt)" ]; then
	sleep 1
	echo scan >$km
	cat $km >/tmp/kmemleak.txt
fi
total=$(grep -c '^unreferenced object' /tmp/kmemleak.txt)
note "kmemleak: $total unreferenced object(s) in the whole kernel"
ours /tmp/kmemleak.txt >/tmp/ours.txt
if [ -s /tmp/ours.txt ]; then
	head -n 60 /tmp/ours.txt
	fail "kmemleak: objects leaked by blkmirror"
fi
# Reports that are not ours, for the log.
[ "$total" -gt 0 ] && head -n 40 /tmp/kmemleak.txt | sed 's/^/# not ours: /'
# kmemleak's own notice is judged above; anything else stays for the runner.
dmesg | grep -v 'kmemleak' | grep -q . || dmesg -c >/dev/null
