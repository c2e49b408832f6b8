// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal JSON writer: flat objects with nested objects, one object per
 * line, and arrays of such objects (`list --json`, `status --json`), one
 * element per line between "[" and "]".  Each object is flushed when it
 * ends, so a reader of `monitor --json` sees every event as it happens.
 */
#include <string.h>

#include "mirrorctl.h"

/* Length of the valid UTF-8 sequence at @s, or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* Reject overlong forms, surrogates and code points past U+10FFFF. */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return len;
}

/*
 * Write @s as a JSON string.  Paths are bytes, not text: a byte that is not
 * valid UTF-8 becomes U+FFFD so the output stays valid JSON.
 */
void json_escape(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len;

	putc('"', f);
	while (*p) {
		switch (*p) {
		case '"':  fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20) {
				fprintf(f, "\\u%04x", *p);
				break;
			}
			len = utf8_len(p);
			if (!len) {
				fputs("\\ufffd", f);
				break;
			}
			fwrite(p, 1, len, f);
			p += len - 1;
		}
		p++;
	}
	putc('"', f);
}

static void json_key(struct json *j, const char *key)
{
	if (j->need_comma)
		putc(',', j->f);
	json_escape(j->f, key);
	putc(':', j->f);
	j->need_comma = true;
}

void json_begin(struct json *j, FILE *f)
{
	j->f = f;
	j->need_comma = false;
	j->array = NULL;
	putc('{', f);
}

/* An object that is the next element of @a. */
void json_begin_in(struct json *j, struct json_array *a)
{
	putc(a->n++ ? ',' : '[', a->f);
	putc('\n', a->f);
	json_begin(j, a->f);
	j->array = a;
}

/* Inside an array, the comma or the "]" ends the line. */
void json_end(struct json *j)
{
	fputs(j->array ? "}" : "}\n", j->f);
	fflush(j->f);
}

void json_array_begin(struct json_array *a, FILE *f)
{
	a->f = f;
	a->n = 0;
}

/* "[]" for no element, else the last element's line ends, then "]". */
void json_array_end(struct json_array *a)
{
	fputs(a->n ? "\n]\n" : "[]\n", a->f);
	fflush(a->f);
}

void json_str(struct json *j, const char *key, const char *val)
{
	if (!val) {
		json_null(j, key);
		return;
	}
	json_key(j, key);
	json_escape(j->f, val);
}

void json_u64(struct json *j, const char *key, uint64_t val)
{
	json_key(j, key);
	fprintf(j->f, "%llu", (unsigned long long)val);
}

void json_null(struct json *j, const char *key)
{
	json_key(j, key);
	fputs("null", j->f);
}

void json_bool(struct json *j, const char *key, bool val)
{
	json_key(j, key);
	fputs(val ? "true" : "false", j->f);
}

void json_obj_begin(struct json *j, const char *key)
{
	json_key(j, key);
	putc('{', j->f);
	j->need_comma = false;
}

void json_obj_end(struct json *j)
{
	putc('}', j->f);
	j->need_comma = true;
}
