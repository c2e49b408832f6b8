#!/bin/sh
# CHECK: fio randrw+fsync, trim, randtrim and a write-zeroes/discard loop with verify through the mirror during a throttled resync (loop legs on tmpfs, 1M regions): no error, data verifies, and the legs end byte-identical
# TIMEOUT: 150
. /tests/lib.sh
. /tests/cases/stress/workload.inc
mixed_workload 64 12M
