// SPDX-License-Identifier: GPL-2.0
/*
 * bmpattern - fast deterministic test data for block devices.
 *
 *   bmpattern write  DEV SEED [OFFSET LEN]   fill the range with the pattern
 *   bmpattern pwrite DEV SEED [OFFSET LEN]   the same without the fsync: the
 *                                            writes alone, no flush after
 *   bmpattern verify DEV SEED [OFFSET LEN]   exit 1 at the first mismatch
 *   bmpattern sum    DEV [OFFSET LEN]        print a 128-bit content hash
 *   bmpattern cmp    DEV1 DEV2 [OFFSET LEN]  exit 1 at the first difference
 *   bmpattern excl   DEV                     exit 1 if DEV cannot be opened
 *                                            O_EXCL (mounted, claimed, ...)
 *
 * The byte at absolute offset P is byte (P % 8) of splitmix64(seed, P / 8),
 * so any sub-range of a pattern can be verified on its own and a range
 * written at one offset never matches the same seed at another.  SEED is
 * any string.  OFFSET and LEN are bytes and take K, M, G, T suffixes
 * (powers of 1024); LEN defaults to the rest of the device.
 *
 * I/O is O_DIRECT with buffers aligned to max(4096, logical block size);
 * unaligned edges are read, patched and written back.  Files that refuse
 * O_DIRECT fall back to buffered I/O.
 *
 * Exit: 0 ok, 1 mismatch, 2 usage, 3 I/O error.
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
#include <unistd.h>

#define CHUNK (1U << 20)

struct bm_dev {
	const char *path;
	int fd;
	uint64_t size;
	uint64_t align;
};

static void die_io(const char *what, const char *path, uint64_t off)
{
	fprintf(stderr, "bmpattern: %s %s at offset %" PRIu64 ": %s\n",
		what, path, off, strerror(errno));
	exit(3);
}

static uint64_t mix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t seed_of(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a, then mixed */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return mix64(h);
}

static uint64_t pattern_word(uint64_t seed, uint64_t idx)
{
	return mix64(seed ^ (idx * 0xd6e8feb86659fd93ULL));
}

/* Fill buf with the pattern bytes for absolute range [pos, pos + n). */
static void pattern_fill(unsigned char *buf, uint64_t seed, uint64_t pos,
			 size_t n)
{
	size_t i = 0;

	while (i < n && ((pos + i) & 7)) {
		uint64_t w = pattern_word(seed, (pos + i) >> 3);

		buf[i] = (unsigned char)(w >> (8 * ((pos + i) & 7)));
		i++;
	}
	for (; i + 8 <= n; i += 8) {
		uint64_t w = pattern_word(seed, (pos + i) >> 3);

		memcpy(buf + i, &w, 8);	/* little-endian host assumed */
	}
	for (; i < n; i++) {
		uint64_t w = pattern_word(seed, (pos + i) >> 3);

		buf[i] = (unsigned char)(w >> (8 * ((pos + i) & 7)));
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
	case 't': case 'T': shift = 40; end++; break;
	default: break;
	}
	if (*end == 'i' && end[1] == 'B')
		end += 2;
	else if (*end == 'B' && shift)
		end++;
	if (*end)
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static void dev_open(struct bm_dev *d, const char *path, int writable)
{
	int flags = (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC;
	struct stat st;
	int lbs = 0;

	d->path = path;
	d->fd = open(path, flags | O_DIRECT);
	if (d->fd < 0 && errno == EINVAL)
		d->fd = open(path, flags);
	if (d->fd < 0)
		die_io("open", path, 0);
	if (fstat(d->fd, &st))
		die_io("stat", path, 0);
	d->align = 4096;
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(d->fd, BLKGETSIZE64, &d->size))
			die_io("BLKGETSIZE64", path, 0);
		if (!ioctl(d->fd, BLKSSZGET, &lbs) && (uint64_t)lbs > d->align)
			d->align = (uint64_t)lbs;
	} else {
		d->size = (uint64_t)st.st_size;
	}
}

static void *buf_alloc(uint64_t align)
{
	void *p;

	if (posix_memalign(&p, align, CHUNK + align)) {
		fprintf(stderr, "bmpattern: out of memory\n");
		exit(3);
	}
	return p;
}

static void full_pread(struct bm_dev *d, void *buf, size_t n, uint64_t off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = pread(d->fd, (char *)buf + done, n - done,
				  (off_t)(off + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die_io("read", d->path, off + done);
		if (r == 0) {
			errno = EIO;
			die_io("short read", d->path, off + done);
		}
		done += (size_t)r;
	}
}

static void full_pwrite(struct bm_dev *d, const void *buf, size_t n,
			uint64_t off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = pwrite(d->fd, (const char *)buf + done, n - done,
				   (off_t)(off + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die_io("write", d->path, off + done);
		done += (size_t)r;
	}
}

/*
 * Walk [off, off + len) in aligned chunks.  For each chunk, *c0 and *c1
 * delimit the aligned window and *s0, *s1 the part of it in range.
 */
struct walk {
	uint64_t off, end, align, pos;
};

static int walk_next(struct walk *w, uint64_t *c0, uint64_t *c1,
		     uint64_t *s0, uint64_t *s1)
{
	if (w->pos >= w->end)
		return 0;
	*c0 = w->pos & ~(w->align - 1);
	*c1 = *c0 + CHUNK;
	if (*c1 > w->end)
		*c1 = (w->end + w->align - 1) & ~(w->align - 1);
	*s0 = w->pos;
	*s1 = *c1 < w->end ? *c1 : w->end;
	w->pos = *s1;
	return 1;
}

static void range_args(struct bm_dev *d, int argc, char **argv, int i,
		       uint64_t *off, uint64_t *len)
{
	*off = 0;
	*len = UINT64_MAX;
	if (argc > i && parse_size(argv[i], off)) {
		fprintf(stderr, "bmpattern: bad offset '%s'\n", argv[i]);
		exit(2);
	}
	if (argc > i + 1 && parse_size(argv[i + 1], len)) {
		fprintf(stderr, "bmpattern: bad length '%s'\n", argv[i + 1]);
		exit(2);
	}
	if (*off > d->size) {
		fprintf(stderr, "bmpattern: offset %" PRIu64
			" beyond end of %s (%" PRIu64 " bytes)\n",
			*off, d->path, d->size);
		exit(2);
	}
	if (*len == UINT64_MAX)
		*len = d->size - *off;
	if (*len > d->size - *off) {
		fprintf(stderr, "bmpattern: range %" PRIu64 "+%" PRIu64
			" beyond end of %s (%" PRIu64 " bytes)\n",
			*off, *len, d->path, d->size);
		exit(2);
	}
}

static int cmd_write(struct bm_dev *d, uint64_t seed, uint64_t off,
		     uint64_t len, int sync)
{
	unsigned char *buf = buf_alloc(d->align);
	struct walk w = { off, off + len, d->align, off };
	uint64_t c0, c1, s0, s1;

	while (walk_next(&w, &c0, &c1, &s0, &s1)) {
		if (s0 != c0 || s1 != c1)
			full_pread(d, buf, c1 - c0, c0);
		pattern_fill(buf + (s0 - c0), seed, s0, s1 - s0);
		full_pwrite(d, buf, c1 - c0, c0);
	}
	if (sync && fsync(d->fd))
		die_io("fsync", d->path, 0);
	free(buf);
	return 0;
}

static int cmd_verify(struct bm_dev *d, uint64_t seed, uint64_t off,
		      uint64_t len)
{
	unsigned char *buf = buf_alloc(d->align);
	unsigned char *want = buf_alloc(d->align);
	struct walk w = { off, off + len, d->align, off };
	uint64_t c0, c1, s0, s1;

	while (walk_next(&w, &c0, &c1, &s0, &s1)) {
		full_pread(d, buf, c1 - c0, c0);
		pattern_fill(want, seed, s0, s1 - s0);
		if (memcmp(buf + (s0 - c0), want, s1 - s0)) {
			uint64_t i = 0;

			while (buf[s0 - c0 + i] == want[i])
				i++;
			printf("mismatch at offset %" PRIu64
			       " (0x%" PRIx64 "): got 0x%02x want 0x%02x\n",
			       s0 + i, s0 + i, buf[s0 - c0 + i], want[i]);
			return 1;
		}
	}
	free(buf);
	free(want);
	return 0;
}

static int cmd_sum(struct bm_dev *d, uint64_t off, uint64_t len)
{
	unsigned char *buf = buf_alloc(d->align);
	struct walk w = { off, off + len, d->align, off };
	uint64_t c0, c1, s0, s1, a = 0, b = 0, idx = 0;
	uint64_t tail = 0;
	unsigned int ntail = 0;

	while (walk_next(&w, &c0, &c1, &s0, &s1)) {
		const unsigned char *p;
		size_t n = s1 - s0, i = 0;

		full_pread(d, buf, c1 - c0, c0);
		p = buf + (s0 - c0);
		/* Words are counted from off, so the sum is position-free. */
		while (ntail && ntail < 8 && i < n) {
			tail |= (uint64_t)p[i++] << (8 * ntail);
			ntail = (ntail + 1) & 7;
			if (!ntail) {
				a += mix64(tail ^ idx);
				b ^= mix64(tail + (idx * 0x9e3779b97f4a7c15ULL));
				idx++;
				tail = 0;
			}
		}
		for (; i + 8 <= n; i += 8) {
			uint64_t v;

			memcpy(&v, p + i, 8);
			a += mix64(v ^ idx);
			b ^= mix64(v + (idx * 0x9e3779b97f4a7c15ULL));
			idx++;
		}
		for (; i < n; i++)
			tail |= (uint64_t)p[i] << (8 * ntail++);
	}
	a += mix64(tail ^ idx ^ len);
	b ^= mix64(b + len);
	printf("%016" PRIx64 "%016" PRIx64 "\n", a, b);
	free(buf);
	return 0;
}

static int cmd_cmp(struct bm_dev *d, struct bm_dev *e, uint64_t off,
		   uint64_t len)
{
	uint64_t align = d->align > e->align ? d->align : e->align;
	unsigned char *x = buf_alloc(align), *y = buf_alloc(align);
	struct walk w = { off, off + len, align, off };
	uint64_t c0, c1, s0, s1;

	if (off + len > e->size) {
		printf("%s is shorter (%" PRIu64 " bytes) than the range\n",
		       e->path, e->size);
		return 1;
	}
	while (walk_next(&w, &c0, &c1, &s0, &s1)) {
		full_pread(d, x, c1 - c0, c0);
		full_pread(e, y, c1 - c0, c0);
		if (memcmp(x + (s0 - c0), y + (s0 - c0), s1 - s0)) {
			uint64_t i = s0 - c0;

			while (x[i] == y[i])
				i++;
			printf("differ at offset %" PRIu64 " (0x%" PRIx64
			       "): 0x%02x vs 0x%02x\n",
			       c0 + i, c0 + i, x[i], y[i]);
			return 1;
		}
	}
	free(x);
	free(y);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bmpattern write  DEV SEED [OFFSET LEN]\n"
		"       bmpattern pwrite DEV SEED [OFFSET LEN]\n"
		"       bmpattern verify DEV SEED [OFFSET LEN]\n"
		"       bmpattern sum    DEV [OFFSET LEN]\n"
		"       bmpattern cmp    DEV1 DEV2 [OFFSET LEN]\n"
		"       bmpattern excl   DEV\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct bm_dev d, e;
	uint64_t off, len;
	const char *cmd;

	if (argc < 3)
		usage();
	cmd = argv[1];
	if (!strcmp(cmd, "write") || !strcmp(cmd, "pwrite") ||
	    !strcmp(cmd, "verify")) {
		int wr = strcmp(cmd, "verify") != 0;

		if (argc < 4 || argc > 6)
			usage();
		dev_open(&d, argv[2], wr);
		range_args(&d, argc, argv, 4, &off, &len);
		if (wr)
			return cmd_write(&d, seed_of(argv[3]), off, len,
					 !strcmp(cmd, "write"));
		return cmd_verify(&d, seed_of(argv[3]), off, len);
	}
	if (!strcmp(cmd, "sum")) {
		if (argc > 5)
			usage();
		dev_open(&d, argv[2], 0);
		range_args(&d, argc, argv, 3, &off, &len);
		return cmd_sum(&d, off, len);
	}
	if (!strcmp(cmd, "excl")) {
		int fd = open(argv[2], O_RDONLY | O_EXCL | O_CLOEXEC);

		if (fd < 0) {
			printf("%s: exclusive open: %s\n", argv[2],
			       strerror(errno));
			return 1;
		}
		close(fd);
		return 0;
	}
	if (!strcmp(cmd, "cmp")) {
		if (argc < 4 || argc > 6)
			usage();
		dev_open(&d, argv[2], 0);
		dev_open(&e, argv[3], 0);
		range_args(&d, argc, argv, 4, &off, &len);
		return cmd_cmp(&d, &e, off, len);
	}
	usage();
	return 2;
}
