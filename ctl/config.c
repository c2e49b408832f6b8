// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration file, /etc/blkmirror/mirrors.conf (blkmirror.conf(5)):
 * one mirror per line,
 *
 *	NAME PRIMARY [SECONDARY] [max-rate=RATE] [min-rate=RATE] [region-size=SIZE]
 *
 * with legs named by stable paths (/dev/disk/by-id/, by-uuid/,
 * by-partuuid/, by-path/) or UUID=/PARTUUID=.  A secondary is overwritten
 * by the copy, so a name that may point at another disk after a reboot
 * (/dev/sdb) is refused.  A bad line is reported as "FILE:LINE: reason"
 * and left out; the other lines still count.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mirrorctl.h"

#define CONF_MAX_FIELDS	8

/* Where a leg may be named; anything else could be another disk tomorrow. */
static const char *const stable_dirs[] = {
	"/dev/disk/by-id/",
	"/dev/disk/by-uuid/",
	"/dev/disk/by-partuuid/",
	"/dev/disk/by-path/",
};

/* NAME=VALUE shorthands, as in fstab. */
static const struct {
	const char *tag;
	const char *dir;
} leg_tags[] = {
	{ "UUID=", "/dev/disk/by-uuid/" },
	{ "PARTUUID=", "/dev/disk/by-partuuid/" },
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static void __attribute__((format(printf, 4, 0)))
conf_vsay(struct mctl_conf *c, unsigned int line, const char *what, const char *fmt,
	  va_list ap)
{
	if (c->quiet)
		return;
	fflush(stdout);
	fprintf(stderr, "%s:%u: %s", c->file, line, what);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void __attribute__((format(printf, 3, 4)))
conf_error(struct mctl_conf *c, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	c->errors++;
	va_start(ap, fmt);
	conf_vsay(c, line, "", fmt, ap);
	va_end(ap);
}

/* Said, not counted: the line still comes up. */
static void __attribute__((format(printf, 3, 4)))
conf_warn(struct mctl_conf *c, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_vsay(c, line, "warning: ", fmt, ap);
	va_end(ap);
}

/*
 * Split @s in place into whitespace-separated fields.  A field may be
 * quoted with "..." (where \" and \\ stand for " and \) or '...'
 * (nothing special inside); # outside quotes ends the line.  Returns the
 * number of fields, or -1 with *why set.
 */
static int split_fields(char *s, char *field[CONF_MAX_FIELDS], const char **why)
{
	char *r = s, *w;
	int n = 0;

	for (;;) {
		while (*r == ' ' || *r == '\t')
			r++;
		if (!*r || *r == '#' || *r == '\n' || *r == '\r')
			return n;
		if (n == CONF_MAX_FIELDS) {
			*why = "too many fields";
			return -1;
		}
		field[n++] = w = r;
		while (*r && *r != ' ' && *r != '\t' && *r != '\n' && *r != '\r') {
			char q = *r;

			if (q != '"' && q != '\'') {
				if (q == '#') {
					*why = "'#' inside a field (quote it, or put a space before a comment)";
					return -1;
				}
				*w++ = *r++;
				continue;
			}
			for (r++; *r && *r != q; r++) {
				if (q == '"' && *r == '\\' && (r[1] == '"' || r[1] == '\\'))
					r++;
				*w++ = *r;
			}
			if (!*r) {
				*why = q == '"' ? "unterminated \"" : "unterminated '";
				return -1;
			}
			r++;
		}
		if (*r)
			r++;
		*w = '\0';
	}
}

static bool is_leg(const char *f)
{
	size_t i;

	if (f[0] == '/')
		return true;
	for (i = 0; i < ARRAY_SIZE(leg_tags); i++)
		if (strncmp(f, leg_tags[i].tag, strlen(leg_tags[i].tag)) == 0)
			return true;
	return false;
}

/* A leg as a stable path in @out (UUID= made a by-uuid path), or -1 and @why. */
static int parse_leg(const char *f, char out[CONF_PATH_MAX], const char **why)
{
	size_t i, len;

	for (i = 0; i < ARRAY_SIZE(leg_tags); i++) {
		len = strlen(leg_tags[i].tag);
		if (strncmp(f, leg_tags[i].tag, len) != 0)
			continue;
		if (!f[len] || strchr(f + len, '/')) {
			*why = "empty or with a '/'";
			return -1;
		}
		if ((size_t)snprintf(out, CONF_PATH_MAX, "%s%s", leg_tags[i].dir, f + len) >=
		    CONF_PATH_MAX) {
			*why = "too long";
			return -1;
		}
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(stable_dirs); i++) {
		len = strlen(stable_dirs[i]);
		if (strncmp(f, stable_dirs[i], len) == 0 && f[len] && !strchr(f + len, '/'))
			break;
	}
	if (i == ARRAY_SIZE(stable_dirs)) {
		*why = "not a stable name: use /dev/disk/by-id/, by-uuid/, by-partuuid/, "
		       "by-path/, UUID= or PARTUUID= (a name like /dev/sdb can be another "
		       "disk after a reboot, and the secondary is overwritten)";
		return -1;
	}
	if (strlen(f) >= CONF_PATH_MAX) {
		*why = "too long";
		return -1;
	}
	strcpy(out, f);
	return 0;
}

/* key=value; returns -1 after reporting. */
static int parse_conf_option(struct mctl_conf *c, unsigned int line, struct mctl_conf_mirror *m,
			     const char *f)
{
	const char *eq = strchr(f, '='), *why;
	size_t klen = eq ? (size_t)(eq - f) : strlen(f);
	char warn[256];
	uint64_t *val;
	bool *given;
	int err;

	if (klen == 8 && strncmp(f, "max-rate", 8) == 0) {
		val = &m->max_rate;
		given = &m->has_max_rate;
	} else if (klen == 8 && strncmp(f, "min-rate", 8) == 0) {
		val = &m->min_rate;
		given = &m->has_min_rate;
	} else if (klen == 11 && strncmp(f, "region-size", 11) == 0) {
		val = &m->region_size;
		given = &m->has_region_size;
	} else {
		conf_error(c, line, "mirror '%s': unknown option or leg '%s' (options: "
			   "max-rate=RATE, min-rate=RATE, region-size=SIZE; legs: stable paths or UUID=)",
			   m->name, f);
		return -1;
	}
	if (!eq) {
		conf_error(c, line, "mirror '%s': option '%.*s' needs =VALUE", m->name,
			   (int)klen, f);
		return -1;
	}
	if (*given) {
		conf_error(c, line, "mirror '%s': option '%.*s' given twice", m->name,
			   (int)klen, f);
		return -1;
	}
	err = *f == 'm' ? parse_rate(eq + 1, val, &why) : parse_region_size(eq + 1, val, &why);
	if (err < 0) {
		conf_error(c, line, "mirror '%s': %.*s '%s': %s", m->name, (int)klen, f,
			   eq + 1, why);
		return -1;
	}
	if (*f == 'm' && rate_warning(eq + 1, *val, warn, sizeof(warn)))
		conf_warn(c, line, "mirror '%s': max-rate %s", m->name, warn);
	*given = true;
	return 0;
}

/* The mirror that already uses @path as a leg, or NULL. */
static const struct mctl_conf_mirror *leg_user(const struct mctl_conf *c, const char *path)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->m[i].primary, path) == 0 ||
		    (c->m[i].has_secondary && strcmp(c->m[i].secondary, path) == 0))
			return &c->m[i];
	return NULL;
}

static void parse_line(struct mctl_conf *c, unsigned int line, char *s)
{
	struct mctl_conf_mirror m = { .line = line };
	const struct mctl_conf_mirror *other;
	char *field[CONF_MAX_FIELDS];
	const char *why;
	int n, i, legs = 0;
	struct mctl_conf_mirror *grown;

	n = split_fields(s, field, &why);
	if (n < 0) {
		conf_error(c, line, "%s", why);
		return;
	}
	if (n == 0)
		return;
	if (check_name(field[0], &why) < 0) {
		conf_error(c, line, "invalid mirror name '%s': %s", field[0], why);
		return;
	}
	strcpy(m.name, field[0]);
	for (i = 1; i < n; i++) {
		if (is_leg(field[i])) {
			if (legs == 2 || (i > legs + 1)) {
				conf_error(c, line, "mirror '%s': %s '%s' (legs come first: "
					   "PRIMARY [SECONDARY], then options)", m.name,
					   legs == 2 ? "a third leg" : "a leg after an option",
					   field[i]);
				return;
			}
			if (parse_leg(field[i], legs ? m.secondary : m.primary, &why) < 0) {
				conf_error(c, line, "mirror '%s': %s '%s': %s", m.name,
					   legs ? "secondary" : "primary", field[i], why);
				return;
			}
			legs++;
		} else if (parse_conf_option(c, line, &m, field[i]) < 0) {
			return;
		}
	}
	if (!legs) {
		conf_error(c, line, "mirror '%s': no primary", m.name);
		return;
	}
	m.has_secondary = legs == 2;
	/*
	 * A filesystem UUID names no disk of a two-leg mirror: the copy puts
	 * the primary's filesystem, UUID and all, on the secondary, so after
	 * the first resync by-uuid may name either leg, and the secondary's
	 * own UUID is gone.  PARTUUID is in the partition table, outside
	 * the partition the copy writes.
	 */
	for (i = 0; m.has_secondary && i < legs; i++) {
		const char *leg = i ? m.secondary : m.primary;

		if (strncmp(leg, "/dev/disk/by-uuid/", 18) == 0) {
			conf_error(c, line, "mirror '%s': %s '%s' names a filesystem UUID, which "
				   "the copy puts on both legs: name the legs of a mirror with a "
				   "secondary by-id, by-partuuid or by-path", m.name,
				   i ? "secondary" : "primary", field[i + 1]);
			return;
		}
	}
	if (m.has_secondary && strcmp(m.primary, m.secondary) == 0) {
		conf_error(c, line, "mirror '%s': primary and secondary are both %s", m.name,
			   m.primary);
		return;
	}
	for (i = 0; i < (int)c->n; i++) {
		if (strcmp(c->m[i].name, m.name) == 0) {
			conf_error(c, line, "mirror '%s' already defined at line %u", m.name,
				   c->m[i].line);
			return;
		}
	}
	for (i = 0; i < legs; i++) {
		const char *leg = i ? m.secondary : m.primary;

		other = leg_user(c, leg);
		if (other) {
			conf_error(c, line, "mirror '%s': %s is already a leg of mirror '%s' "
				   "(line %u)", m.name, leg, other->name, other->line);
			return;
		}
	}
	grown = realloc(c->m, (c->n + 1) * sizeof(*c->m));
	if (!grown) {
		conf_error(c, line, "out of memory");
		return;
	}
	c->m = grown;
	c->m[c->n++] = m;
}

/*
 * Parse @f, named @file in messages, into @c (which the caller zeroes).
 * Bad lines are reported and counted in c->errors; returns -errno only
 * when the file cannot be read at all.
 */
int conf_parse_stream(FILE *f, const char *file, struct mctl_conf *c)
{
	char buf[CONF_LINE_MAX];
	unsigned int line = 0;
	size_t len;

	c->file = file;
	while (fgets(buf, sizeof(buf), f)) {
		line++;
		len = strlen(buf);
		if (len == sizeof(buf) - 1 && buf[len - 1] != '\n' && !feof(f)) {
			int ch;

			conf_error(c, line, "line longer than %d bytes", CONF_LINE_MAX - 2);
			while ((ch = getc(f)) != EOF && ch != '\n')
				;
			continue;
		}
		parse_line(c, line, buf);
	}
	return ferror(f) ? -EIO : 0;
}

int conf_parse_file(const char *path, struct mctl_conf *c)
{
	FILE *f = fopen(path, "re");
	int err;

	if (!f)
		return -errno;
	err = conf_parse_stream(f, path, c);
	fclose(f);
	return err;
}

void conf_free(struct mctl_conf *c)
{
	free(c->m);
	c->m = NULL;
	c->n = 0;
}

const struct mctl_conf_mirror *conf_find(const struct mctl_conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->m[i].name, name) == 0)
			return &c->m[i];
	return NULL;
}
