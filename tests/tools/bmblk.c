// SPDX-License-Identifier: GPL-2.0
/*
 * bmblk - block-device requests and an acknowledged-write log for tests.
 *
 *   bmblk discard   DEV OFFSET LEN      BLKDISCARD
 *   bmblk zeroout   DEV OFFSET LEN      BLKZEROOUT (write-zeroes if the
 *                                       device has it, else zero pages)
 *   bmblk punch     DEV OFFSET LEN      fallocate(PUNCH_HOLE): write-zeroes
 *                                       that may unmap, no fallback
 *   bmblk zerocheck DEV OFFSET LEN      exit 1 unless the range reads zero
 *   bmblk flush     DEV                 fsync(): an empty flush, no data
 *   bmblk ackwrite  DEV LOG SEED LEN [PACE_US [STOPFILE [SIZE]]]
 *   bmblk ackcheck  DEV LOG SEED
 *
 * ackwrite cuts DEV (or its first SIZE bytes) into slots of LEN bytes and writes every slot once,
 * with one O_DIRECT pwrite of bmpattern's pattern SEED (so `bmpattern
 * verify DEV SEED OFF LEN` checks a slot too).  The order sweeps the
 * device: slot i goes to (i % 32) * (nslots / 32) + i / 32, so each
 * sweep touches regions behind, under and ahead of a resync.  After each
 * write it appends "OFFSET LEN ok" or "OFFSET LEN fail ERRNO" to LOG
 * (flushed line by line), then sleeps PACE_US.  It stops early, before
 * the next write, once STOPFILE exists ("-": none).
 *
 * ackcheck reads LOG back: every "ok" slot must hold the pattern on DEV
 * (an acknowledged write was not lost), and no "fail" slot may hold all
 * of it (a write reported failed did not fully reach DEV; true when
 * the failing layer writes nothing, as dm error and dm-flakey do).  It
 * prints "acked=N failed=M" and exits 1 on the first violation.
 *
 * Offsets and lengths take K, M, G suffixes.  Exit: 0 ok, 1 check
 * failed, 2 usage, 3 I/O error (the errno is printed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SWEEP 32U

static uint64_t mix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The same pattern as bmpattern: keep these two in step. */
static uint64_t seed_of(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return mix64(h);
}

static void pattern_fill(unsigned char *buf, uint64_t seed, uint64_t pos,
			 size_t n)
{
	size_t i;

	/* pos and n are multiples of 8 here (sector-aligned slots). */
	for (i = 0; i + 8 <= n; i += 8) {
		uint64_t w = mix64(seed ^ (((pos + i) >> 3) *
					   0xd6e8feb86659fd93ULL));

		memcpy(buf + i, &w, 8);
	}
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: break;
	}
	if (*end)
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static uint64_t size_arg(const char *s)
{
	uint64_t v;

	if (parse_size(s, &v)) {
		fprintf(stderr, "bmblk: bad size '%s'\n", s);
		exit(2);
	}
	return v;
}

static int open_dev(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "bmblk: open %s: %s\n", path, strerror(errno));
		exit(3);
	}
	return fd;
}

static uint64_t dev_size(int fd, const char *path)
{
	uint64_t size;
	struct stat st;

	if (!fstat(fd, &st) && S_ISREG(st.st_mode))
		return (uint64_t)st.st_size;
	if (ioctl(fd, BLKGETSIZE64, &size)) {
		fprintf(stderr, "bmblk: BLKGETSIZE64 %s: %s\n", path,
			strerror(errno));
		exit(3);
	}
	return size;
}

static void *abuf(size_t n)
{
	void *p;

	if (posix_memalign(&p, 4096, n)) {
		fprintf(stderr, "bmblk: out of memory\n");
		exit(3);
	}
	return p;
}

static int read_all(int fd, unsigned char *buf, size_t n, uint64_t off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = pread(fd, buf + done, n - done, (off_t)(off + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		done += (size_t)r;
	}
	return 0;
}

static int cmd_range_ioctl(const char *path, unsigned long req,
			   const char *what, uint64_t off, uint64_t len)
{
	int fd = open_dev(path, O_WRONLY);
	uint64_t range[2] = { off, len };

	if (ioctl(fd, req, range)) {
		printf("%s %s %" PRIu64 "+%" PRIu64 ": %s (errno %d)\n", what,
		       path, off, len, strerror(errno), errno);
		return 3;
	}
	return 0;
}

static int cmd_punch(const char *path, uint64_t off, uint64_t len)
{
	int fd = open_dev(path, O_WRONLY);

	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)off, (off_t)len)) {
		printf("fallocate(PUNCH_HOLE) %s %" PRIu64 "+%" PRIu64
		       ": %s (errno %d)\n", path, off, len, strerror(errno),
		       errno);
		return 3;
	}
	return 0;
}

static int cmd_zerocheck(const char *path, uint64_t off, uint64_t len)
{
	int fd = open_dev(path, O_RDONLY | O_DIRECT);
	size_t chunk = 1 << 20;
	unsigned char *buf = abuf(chunk);
	uint64_t pos = off;
	int err;

	while (pos < off + len) {
		size_t n = off + len - pos < chunk ? off + len - pos : chunk;
		size_t i;

		err = read_all(fd, buf, n, pos);
		if (err) {
			printf("read %s at %" PRIu64 ": %s\n", path, pos,
			       strerror(-err));
			return 3;
		}
		for (i = 0; i < n; i++)
			if (buf[i]) {
				printf("nonzero byte 0x%02x at offset %" PRIu64
				       "\n", buf[i], pos + i);
				return 1;
			}
		pos += n;
	}
	return 0;
}

static int cmd_flush(const char *path)
{
	int fd = open_dev(path, O_WRONLY);

	if (fsync(fd)) {
		printf("fsync %s: %s (errno %d)\n", path, strerror(errno),
		       errno);
		return 3;
	}
	return 0;
}

static int cmd_ackwrite(const char *path, const char *logpath,
			const char *seedstr, uint64_t len, unsigned long pace,
			const char *stopfile, uint64_t limit)
{
	int fd = open_dev(path, O_RDWR | O_DIRECT);
	uint64_t size = dev_size(fd, path), seed = seed_of(seedstr);

	if (limit && limit < size)
		size = limit;
	uint64_t nslots = size / len, per, i;
	unsigned char *buf = abuf(len);
	FILE *log = fopen(logpath, "w");

	if (!log) {
		fprintf(stderr, "bmblk: %s: %s\n", logpath, strerror(errno));
		return 3;
	}
	if (!len || len % 4096 || nslots % SWEEP) {
		fprintf(stderr, "bmblk: LEN must be a multiple of 4096 and "
			"the device %u or more slots of it\n", SWEEP);
		return 2;
	}
	per = nslots / SWEEP;
	for (i = 0; i < nslots; i++) {
		uint64_t off = ((i % SWEEP) * per + i / SWEEP) * len;
		ssize_t r;

		if (stopfile && strcmp(stopfile, "-") &&
		    !access(stopfile, F_OK))
			break;
		pattern_fill(buf, seed, off, len);
		r = pwrite(fd, buf, len, (off_t)off);
		if (r == (ssize_t)len)
			fprintf(log, "%" PRIu64 " %" PRIu64 " ok\n", off, len);
		else
			fprintf(log, "%" PRIu64 " %" PRIu64 " fail %d\n", off,
				len, r < 0 ? errno : -1);
		fflush(log);
		if (pace)
			usleep(pace);
	}
	fclose(log);
	return 0;
}

static int cmd_ackcheck(const char *path, const char *logpath,
			const char *seedstr)
{
	int fd = open_dev(path, O_RDONLY | O_DIRECT);
	uint64_t seed = seed_of(seedstr), off, len;
	unsigned long acked = 0, failed = 0;
	unsigned char *buf = NULL, *want = NULL;
	size_t cap = 0;
	FILE *log = fopen(logpath, "r");
	char line[256], res[16];
	int bad = 0, err;

	if (!log) {
		fprintf(stderr, "bmblk: %s: %s\n", logpath, strerror(errno));
		return 3;
	}
	while (fgets(line, sizeof(line), log)) {
		if (sscanf(line, "%" SCNu64 " %" SCNu64 " %15s", &off, &len,
			   res) != 3) {
			printf("bad log line: %s", line);
			return 1;
		}
		if (len > cap) {
			free(buf);
			free(want);
			buf = abuf(len);
			want = abuf(len);
			cap = len;
		}
		err = read_all(fd, buf, len, off);
		if (err) {
			printf("read %s at %" PRIu64 ": %s\n", path, off,
			       strerror(-err));
			return 3;
		}
		pattern_fill(want, seed, off, len);
		if (!strcmp(res, "ok")) {
			acked++;
			if (memcmp(buf, want, len)) {
				uint64_t i = 0;

				while (buf[i] == want[i])
					i++;
				printf("LOST: acknowledged write %" PRIu64
				       "+%" PRIu64 " differs at offset %"
				       PRIu64 "\n", off, len, off + i);
				bad++;
			}
		} else {
			failed++;
			if (!memcmp(buf, want, len)) {
				printf("FALSE FAILURE: write %" PRIu64 "+%"
				       PRIu64 " reported failed but is on %s\n",
				       off, len, path);
				bad++;
			}
		}
		if (bad >= 10)
			break;
	}
	printf("acked=%lu failed=%lu\n", acked, failed);
	return bad ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bmblk discard|zeroout|punch|zerocheck DEV OFFSET LEN\n"
		"       bmblk flush DEV\n"
		"       bmblk ackwrite DEV LOG SEED LEN [PACE_US [STOPFILE [SIZE]]]\n"
		"       bmblk ackcheck DEV LOG SEED\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 3)
		usage();
	cmd = argv[1];
	if (!strcmp(cmd, "discard") && argc == 5)
		return cmd_range_ioctl(argv[2], BLKDISCARD, "BLKDISCARD",
				       size_arg(argv[3]), size_arg(argv[4]));
	if (!strcmp(cmd, "zeroout") && argc == 5)
		return cmd_range_ioctl(argv[2], BLKZEROOUT, "BLKZEROOUT",
				       size_arg(argv[3]), size_arg(argv[4]));
	if (!strcmp(cmd, "punch") && argc == 5)
		return cmd_punch(argv[2], size_arg(argv[3]), size_arg(argv[4]));
	if (!strcmp(cmd, "zerocheck") && argc == 5)
		return cmd_zerocheck(argv[2], size_arg(argv[3]),
				     size_arg(argv[4]));
	if (!strcmp(cmd, "flush") && argc == 3)
		return cmd_flush(argv[2]);
	if (!strcmp(cmd, "ackwrite") && argc >= 6 && argc <= 9)
		return cmd_ackwrite(argv[2], argv[3], argv[4],
				    size_arg(argv[5]),
				    argc > 6 ? strtoul(argv[6], NULL, 10) : 0,
				    argc > 7 ? argv[7] : NULL,
				    argc > 8 ? size_arg(argv[8]) : 0);
	if (!strcmp(cmd, "ackcheck") && argc == 5)
		return cmd_ackcheck(argv[2], argv[3], argv[4]);
	usage();
	return 2;
}
