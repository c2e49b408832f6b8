// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing of what the user types (sizes, rates, seconds, names) and the
 * human formatting of what the kernel reports.  Pure functions: the unit
 * tests in tests/unit.c call them directly.
 */
#include <ctype.h>
#include <limits.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/sysmacros.h>

#include "mirrorctl.h"

static const char unit_letters[] = "KMGTPE";

/* Read the leading decimal digits of *s into *v; no sign, no overflow. */
static int parse_digits(const char **s, uint64_t *v, const char **why)
{
	const char *p = *s;

	if (*p == '-') {
		*why = "must not be negative";
		return -1;
	}
	if (!isdigit((unsigned char)*p)) {
		*why = "not a number";
		return -1;
	}
	for (*v = 0; isdigit((unsigned char)*p); p++) {
		unsigned int d = *p - '0';

		if (*v > (UINT64_MAX - d) / 10) {
			*why = "too large";
			return -1;
		}
		*v = *v * 10 + d;
	}
	*s = p;
	return 0;
}

/*
 * "K", "KiB", "KB", "k", ... up to "T": binary multiples.  A bare "B" means
 * bytes.  Returns the shift, or -1 if @s is not a unit.  Stops at "/s".
 */
static int parse_unit(const char **s)
{
	const char *p = *s, *letter;
	int shift = 0;

	if (*p && (letter = strchr(unit_letters, toupper((unsigned char)*p)))) {
		shift = 10 * (int)(letter - unit_letters + 1);
		if (shift > 40)		/* P and E are not offered */
			return -1;
		p++;
		if (*p == 'i')
			p++;
		if (p[-1] == 'i' && *p != 'B')
			return -1;
	}
	if (*p == 'B')
		p++;
	*s = p;
	return shift;
}

/*
 * Parse a byte count ("4096", "64K", "1.5" is refused, "2GiB").  With @rate
 * a trailing "/s" is also accepted.  On error returns -1 with *why set.
 */
int parse_bytes(const char *s, bool rate, uint64_t *out, const char **why)
{
	uint64_t v;
	int shift;

	if (parse_digits(&s, &v, why) < 0)
		return -1;
	shift = parse_unit(&s);
	if (rate && strcmp(s, "/s") == 0)
		s += 2;
	if (shift < 0 || *s) {
		*why = rate ? "unknown unit (use K, M, G, T, optionally with iB and /s)"
			    : "unknown unit (use K, M, G or T, optionally with iB)";
		return -1;
	}
	if (shift && v > (UINT64_MAX >> shift)) {
		*why = "too large";
		return -1;
	}
	*out = v << shift;
	return 0;
}

int parse_region_size(const char *s, uint64_t *out, const char **why)
{
	if (parse_bytes(s, false, out, why) < 0)
		return -1;
	if (*out < BLKMIRROR_REGION_MIN || *out > BLKMIRROR_REGION_MAX) {
		*why = "must be between 64KiB and 64MiB";
		return -1;
	}
	if (*out & (*out - 1)) {
		*why = "must be a power of two";
		return -1;
	}
	return 0;
}

/* A resync rate in bytes per second; 0 and "unlimited" lift the limit. */
int parse_rate(const char *s, uint64_t *out, const char **why)
{
	if (strcmp(s, "unlimited") == 0) {
		*out = 0;
		return 0;
	}
	return parse_bytes(s, true, out, why);
}

/*
 * A limit below MCTL_RATE_FLOOR, spelled out: RATE is in bytes, and
 * "--max-rate 100" (100 B/s, one 1 MiB region every three hours) is
 * nearly always 100M mistyped.  Not refused: a tiny rate is also how a
 * copy is held back on purpose (the tests pin a resync with 1 B/s).
 * Returns NULL when @rate is fine, else the text in @buf.
 */
const char *rate_warning(const char *given, uint64_t rate, char *buf, size_t len)
{
	char b1[FMT_LEN], b2[FMT_LEN], b3[FMT_LEN];
	int n;

	if (!rate || rate >= MCTL_RATE_FLOOR)
		return NULL;
	n = snprintf(buf, len, "'%s' is %llu bytes per second (%s), below %s: one 1 MiB "
		     "region every %s", given, (unsigned long long)rate, fmt_rate(rate, b1),
		     fmt_rate(MCTL_RATE_FLOOR, b2),
		     fmt_duration(((1ULL << 20) + rate - 1) / rate, b3));
	if (n > 0 && (size_t)n < len && strspn(given, "0123456789") == strlen(given))
		snprintf(buf + n, len - n, " (RATE is in bytes: %sM is %s MiB/s)", given, given);
	return buf;
}

/* Whole seconds, bounded so that milliseconds still fit an int. */
int parse_seconds(const char *s, uint64_t *out, const char **why)
{
	if (parse_digits(&s, out, why) < 0)
		return -1;
	if (*s) {
		*why = "not a whole number of seconds";
		return -1;
	}
	if (*out > INT_MAX / 1000) {
		*why = "too large";
		return -1;
	}
	return 0;
}

/* Same rule as the kernel's: 1..NAME_MAX of [A-Za-z0-9._-], not led by '.' or '-'. */
int check_name(const char *s, const char **why)
{
	size_t len = strlen(s);

	if (len == 0 || len > BLKMIRROR_NAME_MAX) {
		*why = "must be 1 to 63 characters long";
		return -1;
	}
	if (s[0] == '.' || s[0] == '-') {
		*why = "must not start with '.' or '-'";
		return -1;
	}
	if (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		      "0123456789._-") != len) {
		*why = "may only contain letters, digits, '.', '_' and '-'";
		return -1;
	}
	return 0;
}

/* "512 B", "64.0 KiB", "1.5 GiB". */
char *fmt_bytes(uint64_t v, char buf[FMT_LEN])
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double d = (double)v;
	int i = -1;

	if (v < 1024) {
		snprintf(buf, FMT_LEN, "%llu B", (unsigned long long)v);
		return buf;
	}
	while (d >= 1024 && i < 5) {
		d /= 1024;
		i++;
	}
	snprintf(buf, FMT_LEN, "%.1f %s", d, units[i]);
	return buf;
}

char *fmt_rate(uint64_t v, char buf[FMT_LEN])
{
	fmt_bytes(v, buf);
	strcat(buf, "/s");
	return buf;
}

/* "42s" is unfriendly in a progress bar; "0:42" and "1:02:03" read better. */
char *fmt_duration(uint64_t secs, char buf[FMT_LEN])
{
	unsigned long long h = secs / 3600, m = secs / 60 % 60, s = secs % 60;

	if (h)
		snprintf(buf, FMT_LEN, "%llu:%02llu:%02llu", h, m, s);
	else
		snprintf(buf, FMT_LEN, "%llu:%02llu", m, s);
	return buf;
}

/*
 * Seconds until @synced reaches @size at @rate; false when that cannot be
 * told (no rate measured yet).
 */
bool eta_seconds(uint64_t size, uint64_t synced, uint64_t rate, uint64_t *secs)
{
	if (!rate || synced > size)
		return false;
	*secs = (size - synced + rate - 1) / rate;
	return true;
}

/* "1:02:03", or "--:--" when eta_seconds() cannot tell. */
char *fmt_eta(uint64_t size, uint64_t synced, uint64_t rate, char buf[FMT_LEN])
{
	uint64_t secs;

	if (!eta_seconds(size, synced, rate, &secs))
		return strcpy(buf, "--:--");
	return fmt_duration(secs, buf);
}

/*
 * Percent in sync with one decimal, "42.3", from the bytes: the kernel's
 * integer percent moves too seldom on a large disk.  Rounded down, and
 * never 100.0 before the mirror says it is in sync.
 */
char *fmt_percent(uint64_t size, uint64_t synced, bool in_sync, char buf[FMT_LEN])
{
	uint64_t tenths = 1000;

	if (!in_sync) {
		if (synced > size)
			synced = size;
		/* Exact below 16 EiB / 1000; past that, a size of a few PiB, near enough. */
		if (!size)
			tenths = 0;
		else if (size <= UINT64_MAX / 1000)
			tenths = synced * 1000 / size;
		else
			tenths = synced / (size / 1000);
		if (tenths > 999)
			tenths = 999;
	}
	snprintf(buf, FMT_LEN, "%llu.%llu", (unsigned long long)(tenths / 10),
		 (unsigned long long)(tenths % 10));
	return buf;
}

char *fmt_devt(uint32_t devt, char buf[FMT_LEN])
{
	snprintf(buf, FMT_LEN, "%u:%u", major(devt), minor(devt));
	return buf;
}

/* An I/O pause in microseconds, shown in milliseconds: "0.412 ms". */
char *fmt_pause(uint64_t usec, char buf[FMT_LEN])
{
	snprintf(buf, FMT_LEN, "%llu.%03llu ms", (unsigned long long)(usec / 1000),
		 (unsigned long long)(usec % 1000));
	return buf;
}

/*
 * Now, as ISO 8601 local time with microseconds and the UTC offset,
 * "2026-12-02T03:04:05.123456+01:00": the form of drbdsetup events2
 * --timestamps, which sorts as text and which date -d reads.
 */
char *fmt_timestamp(char buf[FMT_LEN * 2])
{
	struct timespec ts;
	struct tm tm;
	char date[32], zone[8];

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);	/* "+0100" */
	snprintf(buf, FMT_LEN * 2, "%s.%06ld%.3s:%.2s", date, ts.tv_nsec / 1000, zone,
		 zone + 3);
	return buf;
}
