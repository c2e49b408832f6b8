// SPDX-License-Identifier: GPL-2.0
/*
 * How mirrors and events look: the `list` line, the `status` block, the
 * `monitor` lines, and the JSON objects with their documented field names
 * (mirrorctl.8 lists them; renaming one breaks users' scripts).
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "mirrorctl.h"

void errmsg(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);		/* keep stdout and stderr lines in order on a terminal */
	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * Whatever was written to stdout got there: a full disk or a closed file
 * is an error, not a silent exit 0 (as coreutils' close_stdout).  Reports
 * it once; MCTL_EXIT_OK or MCTL_EXIT_FAIL.
 */
int check_stdout(void)
{
	static bool reported;
	int err = 0;

	if (fflush(stdout) == EOF)
		err = errno;
	if (!err && !ferror(stdout))
		return MCTL_EXIT_OK;
	if (!reported)
		errmsg("write error on standard output: %s", err ? strerror(err) : "I/O error");
	reported = true;
	return MCTL_EXIT_FAIL;
}

const char *state_name(uint32_t state)
{
	switch (state) {
	case BLKMIRROR_STATE_RESYNCING:	return "resyncing";
	case BLKMIRROR_STATE_SYNCED:	return "synced";
	case BLKMIRROR_STATE_DEGRADED:	return "degraded";
	case BLKMIRROR_STATE_SINGLE:	return "single";
	default:			return "unknown";
	}
}

static const char *leg_name(uint32_t leg)
{
	switch (leg) {
	case BLKMIRROR_LEG_PRIMARY:	return "primary";
	case BLKMIRROR_LEG_SECONDARY:	return "secondary";
	default:			return NULL;
	}
}

static const char *event_name(uint8_t cmd)
{
	switch (cmd) {
	case BLKMIRROR_EVENT_CREATED:	return "created";
	case BLKMIRROR_EVENT_PROGRESS:	return "progress";
	case BLKMIRROR_EVENT_COMPLETE:	return "complete";
	case BLKMIRROR_EVENT_DEGRADED:	return "degraded";
	case BLKMIRROR_EVENT_DESTROYED:	return "destroyed";
	case BLKMIRROR_EVENT_UNREADABLE:	return "unreadable";
	case BLKMIRROR_EVENT_ATTACHED:	return "attached";
	case BLKMIRROR_EVENT_SWITCHED:	return "switched";
	case BLKMIRROR_EVENT_DETACHED:	return "detached";
	case BLKMIRROR_EVENT_CHANGED:	return "changed";
	default:			return NULL;
	}
}

/* "/dev/blkmirror0", or NULL when the message did not say. */
static const char *device_path(const struct mirror_msg *m, char *buf, size_t len)
{
	if (!m->disk_name)
		return NULL;
	snprintf(buf, len, "/dev/%s", m->disk_name);
	return buf;
}

static const char *str_or_dash(const char *s)
{
	return s ? s : "-";
}

/*---------------------------------------------------------------------------
 * Human output
 */

/*
 * NAME DEVICE STATE PERCENT: `list`, and the state lines of `monitor`.
 * A single-leg mirror copies nothing: its percent is "-".
 */
void print_list_line(const struct mirror_msg *m, const char *prefix)
{
	char dev[64];

	printf("%s%-16s %-16s %-10s ", prefix, str_or_dash(m->name),
	       str_or_dash(device_path(m, dev, sizeof(dev))), state_name(m->state));
	if (has_secondary(m))
		printf("%3u%%\n", m->percent);
	else
		printf("   -\n");
}

/* "secondary leg failed: Input/output error at sector 2048" */
void print_failure(FILE *f, const struct mirror_msg *m)
{
	fprintf(f, "%s leg failed: %s at sector %llu",
		str_or_dash(leg_name(m->fail_leg)), strerror((int)m->fail_errno),
		(unsigned long long)m->fail_sector);
}

static void print_leg(const char *label, const char *path, uint32_t devt, uint32_t lbs)
{
	char b[FMT_LEN];

	if (!path) {
		printf("  %-19s -\n", label);
		return;
	}
	printf("  %-19s %s (%s), logical block size %u\n", label, path,
	       fmt_devt(devt, b), lbs);
}

static void print_stats(const char *label, const uint64_t *s)
{
	char b[FMT_LEN];

	printf("  %-19s reads %llu, writes %llu, flushes %llu, discards %llu\n",
	       label, (unsigned long long)s[BLKMIRROR_STAT_READS],
	       (unsigned long long)s[BLKMIRROR_STAT_WRITES],
	       (unsigned long long)s[BLKMIRROR_STAT_FLUSHES],
	       (unsigned long long)s[BLKMIRROR_STAT_DISCARDS]);
	printf("  %-19s errors read %llu, write %llu, flush %llu; resync copied %s\n",
	       "", (unsigned long long)s[BLKMIRROR_STAT_READ_ERRORS],
	       (unsigned long long)s[BLKMIRROR_STAT_WRITE_ERRORS],
	       (unsigned long long)s[BLKMIRROR_STAT_FLUSH_ERRORS],
	       fmt_bytes(s[BLKMIRROR_STAT_COPY_BYTES], b));
}

/* A module older than the floor sends none: say nothing then. */
static void print_min_rate(const struct mirror_msg *m)
{
	char b[FMT_LEN];

	if (!msg_has(m, BLKMIRROR_A_MIN_RATE))
		return;
	printf("  %-19s %s%s\n", "min rate:",
	       m->min_rate ? fmt_rate(m->min_rate, b) : "0 (pause under load)",
	       m->max_rate && m->min_rate > m->max_rate ? " (above the max rate, which holds)" : "");
}

static void json_rates(struct json *j, const struct mirror_msg *m)
{
	json_u64(j, "max_rate_bytes_per_sec", m->max_rate);
	if (msg_has(m, BLKMIRROR_A_MIN_RATE))
		json_u64(j, "min_rate_bytes_per_sec", m->min_rate);
	else
		json_null(j, "min_rate_bytes_per_sec");
}

void print_status(const struct mirror_msg *m)
{
	char dev[64], b1[FMT_LEN], b2[FMT_LEN], b3[FMT_LEN];

	printf("%s:\n", str_or_dash(m->name));
	printf("  %-19s %s (%s)\n", "device:", str_or_dash(device_path(m, dev, sizeof(dev))),
	       fmt_devt(m->devt, b1));
	if (has_secondary(m)) {
		bool in_sync = m->state == BLKMIRROR_STATE_SYNCED;

		printf("  %-19s %s, %s%% (%s of %s)", "state:", state_name(m->state),
		       fmt_percent(m->size, m->synced_bytes, in_sync, b3),
		       fmt_bytes(m->synced_bytes, b1), fmt_bytes(m->size, b2));
		if (m->state == BLKMIRROR_STATE_RESYNCING)
			printf(" at %s, ETA %s%s", fmt_rate(m->rate, b1),
			       fmt_eta(m->size, m->synced_bytes, m->rate, b2),
			       m->yielding ? ", yielding to foreground I/O" : "");
		putchar('\n');
	} else {
		printf("  %-19s %s (no secondary: I/O passes through to the primary)\n",
		       "state:", state_name(m->state));
	}
	if (m->state == BLKMIRROR_STATE_DEGRADED && msg_has(m, BLKMIRROR_A_FAIL_LEG)) {
		printf("  %-19s ", "failure:");
		print_failure(stdout, m);
		putchar('\n');
	}
	if (m->unreadable_sectors)
		printf("  %-19s %llu sectors the copy could not read from the primary, from sector %llu\n",
		       "unreadable:", (unsigned long long)m->unreadable_sectors,
		       (unsigned long long)m->unreadable_first);
	printf("  %-19s %s (%llu bytes)\n", "size:", fmt_bytes(m->size, b1),
	       (unsigned long long)m->size);
	printf("  %-19s %u\n", "logical block size:", m->lbs);
	print_leg("primary:", m->primary, m->primary_devt, m->primary_lbs);
	print_leg("secondary:", m->secondary, m->secondary_devt, m->secondary_lbs);
	printf("  %-19s %s\n", "region size:", fmt_bytes(m->region_size, b1));
	printf("  %-19s %s\n", "max rate:",
	       m->max_rate ? fmt_rate(m->max_rate, b1) : "unlimited");
	print_min_rate(m);
	print_stats("primary stats:", m->stats[0]);
	if (has_secondary(m))
		print_stats("secondary stats:", m->stats[1]);
	else
		printf("  %-19s -\n", "secondary stats:");
}

/*---------------------------------------------------------------------------
 * JSON output
 */

/* Device numbers are "MAJ:MIN" strings, as in /sys and lsblk. */
static void json_devt(struct json *j, const char *key, const struct mirror_msg *m,
		      int attr, uint32_t devt)
{
	char b[FMT_LEN];

	json_str(j, key, msg_has(m, attr) ? fmt_devt(devt, b) : NULL);
}

static void json_stats(struct json *j, const char *key, const uint64_t *s)
{
	json_obj_begin(j, key);
	json_u64(j, "reads", s[BLKMIRROR_STAT_READS]);
	json_u64(j, "writes", s[BLKMIRROR_STAT_WRITES]);
	json_u64(j, "flushes", s[BLKMIRROR_STAT_FLUSHES]);
	json_u64(j, "discards", s[BLKMIRROR_STAT_DISCARDS]);
	json_u64(j, "read_errors", s[BLKMIRROR_STAT_READ_ERRORS]);
	json_u64(j, "write_errors", s[BLKMIRROR_STAT_WRITE_ERRORS]);
	json_u64(j, "flush_errors", s[BLKMIRROR_STAT_FLUSH_ERRORS]);
	json_u64(j, "copy_bytes", s[BLKMIRROR_STAT_COPY_BYTES]);
	json_obj_end(j);
}

/* failed_* are null unless the message reports a failure. */
static void json_failure(struct json *j, const struct mirror_msg *m)
{
	bool failed = msg_has(m, BLKMIRROR_A_FAIL_LEG) &&
		      m->fail_leg != BLKMIRROR_LEG_NONE;

	json_str(j, "failed_leg", failed ? leg_name(m->fail_leg) : NULL);
	if (failed) {
		json_u64(j, "failed_errno", m->fail_errno);
		json_u64(j, "failed_sector", m->fail_sector);
	} else {
		json_null(j, "failed_errno");
		json_null(j, "failed_sector");
	}
}

static void json_mirror_fields(struct json *j, const struct mirror_msg *m, bool full)
{
	char dev[64];
	uint64_t eta;

	json_str(j, "name", m->name);
	json_str(j, "device", device_path(m, dev, sizeof(dev)));
	json_str(j, "state", state_name(m->state));
	json_u64(j, "percent", m->percent);
	if (!full)
		return;
	json_devt(j, "devt", m, BLKMIRROR_A_DEVT, m->devt);
	json_str(j, "primary", m->primary);
	json_devt(j, "primary_devt", m, BLKMIRROR_A_PRIMARY_DEVT, m->primary_devt);
	/* A single-leg mirror: every secondary field is null. */
	json_str(j, "secondary", m->secondary);
	json_devt(j, "secondary_devt", m, BLKMIRROR_A_SECONDARY_DEVT, m->secondary_devt);
	json_u64(j, "size_bytes", m->size);
	json_u64(j, "synced_bytes", m->synced_bytes);
	json_u64(j, "rate_bytes_per_sec", m->rate);
	if (m->state == BLKMIRROR_STATE_RESYNCING &&
	    eta_seconds(m->size, m->synced_bytes, m->rate, &eta))
		json_u64(j, "eta_seconds", eta);
	else
		json_null(j, "eta_seconds");
	json_u64(j, "region_size_bytes", m->region_size);
	json_rates(j, m);
	json_bool(j, "yielding", m->yielding);
	json_u64(j, "logical_block_size", m->lbs);
	json_u64(j, "primary_lbs", m->primary_lbs);
	if (has_secondary(m))
		json_u64(j, "secondary_lbs", m->secondary_lbs);
	else
		json_null(j, "secondary_lbs");
	json_failure(j, m);
	json_u64(j, "unreadable_sectors", m->unreadable_sectors);
	if (m->unreadable_sectors)
		json_u64(j, "unreadable_first_sector", m->unreadable_first);
	else
		json_null(j, "unreadable_first_sector");
	json_stats(j, "primary_stats", m->stats[0]);
	if (has_secondary(m))
		json_stats(j, "secondary_stats", m->stats[1]);
	else
		json_null(j, "secondary_stats");
}

/*
 * A mirror object: @full for status/create, otherwise the list fields; an
 * element of @a (list, status of every mirror) or a document of its own.
 */
void print_mirror_json(const struct mirror_msg *m, bool full, struct json_array *a)
{
	struct json j;

	if (a)
		json_begin_in(&j, a);
	else
		json_begin(&j, stdout);
	json_mirror_fields(&j, m, full);
	json_end(&j);
}

/*---------------------------------------------------------------------------
 * Events
 */

/*
 * monitor --json: every line is an object whose "type" says what it is:
 * "state" (a mirror object), "state-end" (the initial state is complete)
 * or "event"; with --timestamps a "timestamp" follows.  Both come last,
 * after the fields that were there before them, in their old order.
 */
static void json_monitor_end(struct json *j, const char *type, bool timestamps)
{
	char ts[FMT_LEN * 2];

	json_str(j, "type", type);
	if (timestamps)
		json_str(j, "timestamp", fmt_timestamp(ts));
	json_end(j);
}

static void json_event(const struct mirror_msg *m, bool timestamps)
{
	char dev[64], b[FMT_LEN];
	struct json j;

	json_begin(&j, stdout);
	json_str(&j, "event", event_name(m->cmd));
	json_str(&j, "name", m->name);
	switch (m->cmd) {
	case BLKMIRROR_EVENT_CREATED:
		json_str(&j, "device", device_path(m, dev, sizeof(dev)));
		json_str(&j, "devt", fmt_devt(m->devt, b));
		break;
	case BLKMIRROR_EVENT_PROGRESS:
		json_u64(&j, "percent", m->percent);
		json_u64(&j, "synced_bytes", m->synced_bytes);
		json_u64(&j, "size_bytes", m->size);
		json_u64(&j, "rate_bytes_per_sec", m->rate);
		if (msg_has(m, BLKMIRROR_A_MAX_RATE)) {
			json_rates(&j, m);
			json_bool(&j, "yielding", m->yielding);
		}
		break;
	case BLKMIRROR_EVENT_COMPLETE:
		json_u64(&j, "size_bytes", m->size);
		json_u64(&j, "unreadable_sectors", m->unreadable_sectors);
		break;
	case BLKMIRROR_EVENT_DEGRADED:
		json_failure(&j, m);
		break;
	case BLKMIRROR_EVENT_UNREADABLE:
		json_u64(&j, "sector", m->range_sector);
		json_u64(&j, "sectors", m->range_sectors);
		json_u64(&j, "unreadable_sectors", m->unreadable_sectors);
		break;
	case BLKMIRROR_EVENT_ATTACHED:
		json_str(&j, "secondary", m->secondary);
		break;
	case BLKMIRROR_EVENT_SWITCHED:
		json_str(&j, "primary", m->primary);
		json_str(&j, "old_primary", m->old_primary);
		json_u64(&j, "pause_usec", m->pause_usec);
		break;
	case BLKMIRROR_EVENT_DETACHED:
		json_str(&j, "detached", m->detached_leg);
		json_bool(&j, "consistent", m->consistent);
		break;
	case BLKMIRROR_EVENT_CHANGED:
		json_rates(&j, m);
		break;
	}
	json_monitor_end(&j, "event", timestamps);
}

/* The timestamp that starts a line of monitor --timestamps. */
static void print_timestamp(bool timestamps)
{
	char ts[FMT_LEN * 2];

	if (timestamps)
		printf("%s ", fmt_timestamp(ts));
}

static void human_event(const struct mirror_msg *m, bool timestamps)
{
	char dev[64], b1[FMT_LEN], b2[FMT_LEN], b3[FMT_LEN];

	print_timestamp(timestamps);
	printf("%-9s %s", event_name(m->cmd), str_or_dash(m->name));
	switch (m->cmd) {
	case BLKMIRROR_EVENT_CREATED:
		printf(" %s (%s)", str_or_dash(device_path(m, dev, sizeof(dev))),
		       fmt_devt(m->devt, b1));
		break;
	case BLKMIRROR_EVENT_PROGRESS:
		printf(" %u%% (%s of %s) at %s", m->percent, fmt_bytes(m->synced_bytes, b1),
		       fmt_bytes(m->size, b2), fmt_rate(m->rate, b3));
		if (m->yielding)
			fputs(", yielding", stdout);
		break;
	case BLKMIRROR_EVENT_COMPLETE:
		printf(" in sync (%s)", fmt_bytes(m->size, b1));
		if (m->unreadable_sectors)
			printf(", except %llu sectors the copy could not read",
			       (unsigned long long)m->unreadable_sectors);
		break;
	case BLKMIRROR_EVENT_DEGRADED:
		putchar(' ');
		print_failure(stdout, m);
		break;
	case BLKMIRROR_EVENT_UNREADABLE:
		printf(" primary sectors %llu-%llu could not be read; copy goes on (%llu unreadable in all)",
		       (unsigned long long)m->range_sector,
		       (unsigned long long)(m->range_sector + m->range_sectors - 1),
		       (unsigned long long)m->unreadable_sectors);
		break;
	case BLKMIRROR_EVENT_ATTACHED:
		printf(" secondary %s, copy started", str_or_dash(m->secondary));
		break;
	case BLKMIRROR_EVENT_SWITCHED:
		printf(" primary %s, released %s, I/O paused %s", str_or_dash(m->primary),
		       str_or_dash(m->old_primary), fmt_pause(m->pause_usec, b1));
		break;
	case BLKMIRROR_EVENT_DETACHED:
		printf(" %s, %s", str_or_dash(m->detached_leg),
		       m->consistent ? "a consistent copy" : "not a consistent copy");
		break;
	case BLKMIRROR_EVENT_CHANGED:
		printf(" max rate %s, min rate %s",
		       m->max_rate ? fmt_rate(m->max_rate, b1) : "unlimited",
		       fmt_rate(m->min_rate, b2));
		break;
	}
	putchar('\n');
	fflush(stdout);
}

/* One line per event; events of a newer module that we don't know are skipped. */
void print_event(const struct mirror_msg *m, bool json, bool timestamps)
{
	if (!event_name(m->cmd))
		return;
	if (json)
		json_event(m, timestamps);
	else
		human_event(m, timestamps);
}

/*
 * A state line of monitor: "state     NAME DEVICE STATE PERCENT", or the
 * mirror object with "type": "state".
 */
void print_state_line(const struct mirror_msg *m, bool json, bool timestamps)
{
	struct json j;

	if (json) {
		json_begin(&j, stdout);
		json_mirror_fields(&j, m, true);
		json_monitor_end(&j, "state", timestamps);
		return;
	}
	print_timestamp(timestamps);
	print_list_line(m, "state     ");
}

/*
 * After the initial state, "state -" (as drbdsetup events2's "exists -")
 * or {"type": "state-end"}: what follows are events.
 */
void print_state_end(bool json, bool timestamps)
{
	struct json j;

	if (json) {
		json_begin(&j, stdout);
		json_monitor_end(&j, "state-end", timestamps);
		return;
	}
	print_timestamp(timestamps);
	printf("state     -\n");
	fflush(stdout);
}

/*---------------------------------------------------------------------------
 * Results of switch and detach
 */

/*
 * "m0: /dev/ram1 is now the primary; /dev/ram0 released; I/O paused 0.412 ms"
 * or one object: name, primary, old_primary, pause_usec, state.
 */
void print_switched(const struct mirror_msg *m, bool json)
{
	char b[FMT_LEN];
	struct json j;

	if (json) {
		json_begin(&j, stdout);
		json_str(&j, "name", m->name);
		json_str(&j, "primary", m->primary);
		json_str(&j, "old_primary", m->old_primary);
		if (msg_has(m, BLKMIRROR_A_PAUSE_USEC))
			json_u64(&j, "pause_usec", m->pause_usec);
		else
			json_null(&j, "pause_usec");
		json_str(&j, "state", state_name(m->state));
		json_end(&j);
		return;
	}
	printf("%s: %s is now the primary; %s released; I/O paused %s\n",
	       str_or_dash(m->name), str_or_dash(m->primary),
	       m->old_primary ? m->old_primary : "the old primary",
	       msg_has(m, BLKMIRROR_A_PAUSE_USEC) ? fmt_pause(m->pause_usec, b) : "(unknown)");
	fflush(stdout);
}

/*
 * "m0: detached /dev/ram1, a consistent copy as of the detach" (or "not a
 * consistent copy ...") or one object: name, primary, detached, consistent,
 * state.
 */
void print_detached(const struct mirror_msg *m, bool json)
{
	bool known = msg_has(m, BLKMIRROR_A_CONSISTENT);
	struct json j;

	if (json) {
		json_begin(&j, stdout);
		json_str(&j, "name", m->name);
		json_str(&j, "primary", m->primary);
		json_str(&j, "detached", m->detached_leg);
		if (known)
			json_bool(&j, "consistent", m->consistent);
		else
			json_null(&j, "consistent");
		json_str(&j, "state", state_name(m->state));
		json_end(&j);
		return;
	}
	printf("%s: detached %s, %s\n", str_or_dash(m->name),
	       m->detached_leg ? m->detached_leg : "the secondary",
	       !known ? "whether it is a consistent copy is unknown" :
	       m->consistent ? "a consistent copy as of the detach" :
	       "NOT a consistent copy (it was not in sync)");
	fflush(stdout);
}
