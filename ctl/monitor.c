// SPDX-License-Identifier: GPL-2.0
/*
 * `monitor`: the current state of the mirrors, a line that ends it, then
 * every event, one line each, until SIGINT (exit 0: the way to stop it at
 * a terminal), SIGTERM (exit 143, as for any job a TERM ended) or a failed
 * write to stdout.
 * Subscribes before reading state, like wait.c, and drops the events that
 * the state already covers by their per-mirror sequence number, so
 * nothing is missed or shown twice.
 */
#include <stdlib.h>
#include <string.h>

#include "mirrorctl.h"

/* The last event sequence number accounted for, per mirror name. */
struct seen {
	char name[BLKMIRROR_NAME_MAX + 1];
	uint64_t seq;
	bool listed;	/* in the last full read of the state */
};

struct monitor {
	struct mctl_ctx *ctx;
	const char *name;	/* only this mirror, or NULL for all */
	struct seen *seen;
	size_t nseen;
	bool timestamps;	/* --timestamps: each line starts with the time */
};

static bool wanted(const struct monitor *mon, const struct mirror_msg *m)
{
	return m->name && (!mon->name || strcmp(m->name, mon->name) == 0);
}

/* The entry of @name, created at 0; NULL only when out of memory. */
static struct seen *seen_of(struct monitor *mon, const char *name)
{
	struct seen *s;
	size_t i;

	for (i = 0; i < mon->nseen; i++)
		if (strcmp(mon->seen[i].name, name) == 0)
			return &mon->seen[i];
	s = realloc(mon->seen, (mon->nseen + 1) * sizeof(*s));
	if (!s)
		return NULL;
	mon->seen = s;
	s += mon->nseen++;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->seq = 0;
	s->listed = false;
	return s;
}

/*
 * A state line reads "state" in the human form, where events name
 * themselves; in JSON its "type" is "state", an event's "event".
 */
static int show_state(const struct mirror_msg *m, void *arg)
{
	struct monitor *mon = arg;
	struct seen *s;

	if (!wanted(mon, m))
		return MCTL_CONTINUE;
	s = seen_of(mon, m->name);
	if (s) {
		s->seq = m->event_seq;
		s->listed = true;
	}
	print_state_line(m, mon->ctx->json, mon->timestamps);
	return check_stdout() ? MCTL_EXIT_FAIL : MCTL_CONTINUE;
}

static int show_event(const struct mirror_msg *m, void *arg)
{
	struct monitor *mon = arg;
	struct seen *s;

	if (!wanted(mon, m))
		return MCTL_CONTINUE;
	s = seen_of(mon, m->name);
	/*
	 * A gap in the numbers is an event the kernel could not allocate: show
	 * the mirror's state in its place.  That GET also accounts for this
	 * event when the state already covers it.
	 */
	if (s && s->seq && msg_has(m, BLKMIRROR_A_EVENT_SEQ) &&
	    m->event_seq > s->seq + 1 &&
	    bm_get_mirror(&mon->ctx->nl, m->name, show_state, mon) == 0)
		s = seen_of(mon, m->name);
	if (s && !event_is_new(&s->seq, m))
		return MCTL_CONTINUE;
	/* A mirror created again under this name numbers its events from 1. */
	if (s && m->cmd == BLKMIRROR_EVENT_DESTROYED)
		s->seq = 0;
	print_event(m, mon->ctx->json, mon->timestamps);
	return check_stdout() ? MCTL_EXIT_FAIL : MCTL_CONTINUE;
}

/*
 * A dump, filtered here, so that a NAME that does not exist yet is fine.
 * A name the dump no longer lists was destroyed while we were not
 * listening: a mirror created again under it numbers its events from 1.
 */
static int read_state(void *arg)
{
	struct monitor *mon = arg;
	size_t i;
	int err;

	for (i = 0; i < mon->nseen; i++)
		mon->seen[i].listed = false;
	err = bm_get_mirror(&mon->ctx->nl, NULL, show_state, mon);
	if (err)
		return bm_report(&mon->ctx->nl, err);
	for (i = 0; i < mon->nseen; i++)
		if (!mon->seen[i].listed)
			mon->seen[i].seq = 0;
	return MCTL_CONTINUE;
}

/* A mirror whose events went further than we heard: show its state. */
static int show_if_behind(const struct mirror_msg *m, void *arg)
{
	struct monitor *mon = arg;
	struct seen *s;

	if (!wanted(mon, m))
		return MCTL_CONTINUE;
	s = seen_of(mon, m->name);
	if (s && msg_has(m, BLKMIRROR_A_EVENT_SEQ) && m->event_seq <= s->seq)
		return MCTL_CONTINUE;
	return show_state(m, mon);
}

/* Quiet for a while: an event the kernel could not send may be the last. */
static int check_state(void *arg)
{
	struct monitor *mon = arg;
	int err = bm_get_mirror(&mon->ctx->nl, NULL, show_if_behind, mon);

	return err ? bm_report(&mon->ctx->nl, err) : MCTL_CONTINUE;
}

int cmd_monitor(struct mctl_ctx *ctx)
{
	struct monitor mon = {
		.ctx = ctx, .name = ctx->args.pos[0],
		.timestamps = opt_given(&ctx->args, OPT_TIMESTAMPS),
	};
	struct event_loop loop = {
		.on_event = show_event, .on_overrun = read_state,
		.on_idle = check_state, .arg = &mon,
		.timeout_ms = -1,
	};
	int ret;

	ret = events_subscribe(ctx, &loop);
	if (ret)
		return ret;
	ret = read_state(&mon);
	if (ret == MCTL_CONTINUE) {
		print_state_end(ctx->json, mon.timestamps);
		ret = check_stdout() ? MCTL_EXIT_FAIL : MCTL_CONTINUE;
	}
	if (ret == MCTL_CONTINUE)
		ret = events_run(&loop);
	events_close(&loop);
	free(mon.seen);
	return ret == MCTL_EXIT_INTERRUPTED ? MCTL_EXIT_OK : ret;
}
