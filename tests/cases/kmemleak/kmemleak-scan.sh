#!/bin/sh
# CHECK: after the suite, kmemleak finds no unreferenced object allocated by blkmirror
. /tests/lib.sh

km=/sys/kernel/debug/kmemleak
[ -e $km ] || skip "kernel has no kmemleak"
# Objects younger than 5 s are never reported.  A leak stays a leak: a
# second scan, to rule out an object in transit, is needed only when the
# first names us.
names_us() {
	grep -q blkmirror $km
}
sleep 6
echo scan >$km
if names_us; then
	sleep 1
	echo scan >$km
fi
cat $km >/tmp/kmemleak.txt
total=$(grep -c '^unreferenced object' /tmp/kmemleak.txt)
note "kmemleak: $total unreferenced object(s) in the whole kernel"
# One report is an "unreferenced object" paragraph; keep those that name us.
awk '/^unreferenced object/ { if (r ~ /blkmirror/) print r; r = "" } { r = r $0 "\n" }
     END { if (r ~ /blkmirror/) print r }' /tmp/kmemleak.txt >/tmp/ours.txt
if [ -s /tmp/ours.txt ]; then
	head -n 60 /tmp/ours.txt
	fail "kmemleak: objects leaked by blkmirror"
fi
# kmemleak's own notice is judged above; anything else stays for the runner.
dmesg | grep -v 'kmemleak' | grep -q . || dmesg -c >/dev/null
