// SPDX-License-Identifier: GPL-2.0
/*
 * `wait`: block until a mirror is in sync.
 *
 * The order is what makes it race-free: join the events group first, then
 * read the state with GET, then follow events.  Whatever happens after the
 * GET is queued on the event socket.  Events queued before it only repeat
 * what the GET said; their sequence number is at or below the GET's, and
 * they are dropped.
 *
 * Online migration: a mirror with one leg has nothing to copy, and `wait`
 * on it fails at once.  A SWITCHED event means the copy was complete (only
 * an in-sync mirror switches): success.  DETACHED means the copy was
 * abandoned: failure (exit 8).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <netlink/msg.h>

#include "mirrorctl.h"

#define BAR_WIDTH	30

struct waiter {
	struct mctl_ctx *ctx;
	const char *name;
	FILE *out;		/* progress: stdout, stderr (create/attach --wait) */
	bool quiet;		/* create --json --wait: the exit code says it all */
	bool tty;		/* draw a bar redrawn with \r, else one line per percent */
	bool have_primary;	/* primary_devt is the primary while it copied */
	uint32_t primary_devt;
	bool bar_drawn;
	int last_percent;
	uint64_t seen_seq;	/* last event sequence number accounted for */
	int result;		/* MCTL_CONTINUE until the wait is decided */
};

/*---------------------------------------------------------------------------
 * Display
 */

static char *eta(const struct mirror_msg *m, char buf[FMT_LEN])
{
	return fmt_eta(m->size, m->synced_bytes, m->rate, buf);
}

/* Fixed-width fields, so that each redraw covers the previous one fully. */
static void draw_bar(struct waiter *w, const struct mirror_msg *m)
{
	char bar[BAR_WIDTH + 1], b1[FMT_LEN], b2[FMT_LEN];
	unsigned int fill = (m->percent > 100 ? 100 : m->percent) * BAR_WIDTH / 100;

	memset(bar, '#', fill);
	memset(bar + fill, '.', BAR_WIDTH - fill);
	bar[BAR_WIDTH] = '\0';
	fprintf(w->out, "\r%s [%s] %3u%% %14s ETA %8s", w->name, bar, m->percent,
		fmt_rate(m->rate, b1), eta(m, b2));
	fflush(w->out);
	w->bar_drawn = true;
}

static void show_progress(struct waiter *w, const struct mirror_msg *m)
{
	char b1[FMT_LEN], b2[FMT_LEN], b3[FMT_LEN], b4[FMT_LEN];

	if (w->quiet || (int)m->percent < w->last_percent)
		return;
	if (w->tty) {
		draw_bar(w, m);
	} else if ((int)m->percent > w->last_percent) {
		fprintf(w->out, "%s: %u%% (%s of %s) at %s, ETA %s\n", w->name, m->percent,
			fmt_bytes(m->synced_bytes, b1), fmt_bytes(m->size, b2),
			fmt_rate(m->rate, b3), eta(m, b4));
		fflush(w->out);
	}
	w->last_percent = (int)m->percent;
}

/* Leave the bar's line before anything else is printed. */
static void end_bar(struct waiter *w)
{
	if (w->bar_drawn) {
		putc('\n', w->out);
		fflush(w->out);
		w->bar_drawn = false;
	}
}

/*---------------------------------------------------------------------------
 * Verdicts
 */

static int synced(struct waiter *w, const struct mirror_msg *m)
{
	char b[FMT_LEN];

	if (!w->quiet) {
		if (w->tty) {
			struct mirror_msg done = *m;

			done.percent = 100;
			done.synced_bytes = done.size;
			done.rate = 0;
			draw_bar(w, &done);
			end_bar(w);
		}
		fprintf(w->out, "%s: 100%% in sync (%s)\n", w->name, fmt_bytes(m->size, b));
		fflush(w->out);
	}
	return MCTL_EXIT_OK;
}

/* Only an in-sync mirror switches: the wait is over, and it succeeded. */
static int switched(struct waiter *w, const char *primary)
{
	end_bar(w);
	if (!w->quiet) {
		fprintf(w->out, "%s: was in sync, then switched to %s\n", w->name,
			primary ? primary : "its secondary");
		fflush(w->out);
	}
	return MCTL_EXIT_OK;
}

static int detached(struct waiter *w, const char *leg)
{
	end_bar(w);
	errmsg("%s %s: the secondary%s%s was detached before the copy completed",
	       w->ctx->nl.what, w->name, leg ? " " : "", leg ? leg : "");
	return MCTL_EXIT_DETACHED;
}

static int degraded(struct waiter *w, const struct mirror_msg *m)
{
	end_bar(w);
	fprintf(stderr, PROG ": %s %s: mirror degraded: ", w->ctx->nl.what, w->name);
	print_failure(stderr, m);
	fputc('\n', stderr);
	return MCTL_EXIT_DEGRADED;
}

static int destroyed(struct waiter *w)
{
	end_bar(w);
	errmsg("%s %s: mirror was destroyed", w->ctx->nl.what, w->name);
	return MCTL_EXIT_DESTROYED;
}

/*
 * One leg.  At the start: nothing to wait for.  Later (events were lost):
 * the primary tells which way it went, switched (a new primary) or
 * detached (the same one).
 */
static int single(struct waiter *w, const struct mirror_msg *m)
{
	if (!w->have_primary) {
		end_bar(w);
		errmsg("%s %s: the mirror has one leg (state single): nothing to copy, "
		       "nothing to wait for; give it a secondary with '" PROG " attach %s SECONDARY'",
		       w->ctx->nl.what, w->name, w->name);
		return MCTL_EXIT_FAIL;
	}
	if (msg_has(m, BLKMIRROR_A_PRIMARY_DEVT) && m->primary_devt != w->primary_devt)
		return switched(w, m->primary);
	return detached(w, NULL);
}

/* The state a GET (or CREATE) reply reports. */
static int apply_state(struct waiter *w, const struct mirror_msg *m)
{
	int ret;

	switch (m->state) {
	case BLKMIRROR_STATE_SYNCED:
		return synced(w, m);
	case BLKMIRROR_STATE_DEGRADED:
		return degraded(w, m);
	case BLKMIRROR_STATE_SINGLE:
		return single(w, m);
	default:
		/* A newer module's two-leg state: follow its events. */
		if (!has_secondary(m) && m->state != BLKMIRROR_STATE_RESYNCING)
			return single(w, m);
		ret = MCTL_CONTINUE;
		show_progress(w, m);
		if (!w->have_primary && msg_has(m, BLKMIRROR_A_PRIMARY_DEVT)) {
			w->have_primary = true;
			w->primary_devt = m->primary_devt;
		}
		return ret;
	}
}

static int read_state(struct waiter *w, bool after_overrun);

/* Replies and events both come here; the cmd says which it is. */
static int wait_on_msg(const struct mirror_msg *m, void *arg)
{
	struct waiter *w = arg;

	if (!m->name || strcmp(m->name, w->name))
		return MCTL_CONTINUE;
	switch (m->cmd) {
	case BLKMIRROR_CMD_GET:
	case BLKMIRROR_CMD_CREATE:
		w->seen_seq = m->event_seq;
		w->result = apply_state(w, m);
		return w->result;
	}
	/*
	 * A gap in the numbers is an event the kernel could not send (it
	 * allocates them): the state it carried may matter, so ask for it.
	 */
	if (msg_has(m, BLKMIRROR_A_EVENT_SEQ) && m->event_seq > w->seen_seq + 1)
		return read_state(w, true);
	if (!event_is_new(&w->seen_seq, m))
		return MCTL_CONTINUE;
	switch (m->cmd) {
	case BLKMIRROR_EVENT_PROGRESS:
		show_progress(w, m);
		break;
	case BLKMIRROR_EVENT_COMPLETE:
		w->result = synced(w, m);
		break;
	case BLKMIRROR_EVENT_DEGRADED:
		w->result = degraded(w, m);
		break;
	case BLKMIRROR_EVENT_DESTROYED:
		w->result = destroyed(w);
		break;
	case BLKMIRROR_EVENT_SWITCHED:
		w->result = switched(w, m->primary);
		break;
	case BLKMIRROR_EVENT_DETACHED:
		w->result = detached(w, m->detached_leg);
		break;
	}
	return w->result;
}

static int read_state(struct waiter *w, bool after_overrun)
{
	int err = bm_get_mirror(&w->ctx->nl, w->name, wait_on_msg, w);

	/* Gone while we were not listening: as good as a DESTROYED event. */
	if (after_overrun && err == -ENODEV)
		return destroyed(w);
	if (err) {
		end_bar(w);
		return bm_report(&w->ctx->nl, err);
	}
	return w->result;
}

static int wait_on_overrun(void *arg)
{
	return read_state(arg, true);
}

int wait_for_sync(struct mctl_ctx *ctx, const char *name, enum wait_output out)
{
	struct waiter w = {
		.ctx = ctx, .name = name, .quiet = out == WAIT_QUIET,
		.out = out == WAIT_STDOUT ? stdout : stderr,
		.last_percent = -1, .result = MCTL_CONTINUE,
	};
	struct event_loop loop = {
		.on_event = wait_on_msg, .on_overrun = wait_on_overrun,
		.on_idle = wait_on_overrun, .arg = &w,
		.timeout_ms = -1,
	};
	int ret;

	w.tty = isatty(fileno(w.out));
	if (opt_given(&ctx->args, OPT_TIMEOUT))
		loop.timeout_ms = (int)ctx->args.val[OPT_TIMEOUT] * 1000;
	ret = events_subscribe(ctx, &loop);
	if (ret)
		return ret;
	ret = read_state(&w, false);
	if (ret == MCTL_CONTINUE)
		ret = events_run(&loop);
	events_close(&loop);
	end_bar(&w);
	if (ret == MCTL_EXIT_TIMEOUT)
		errmsg("%s %s: timed out after %llu seconds at %d%%", ctx->nl.what, name,
		       (unsigned long long)ctx->args.val[OPT_TIMEOUT],
		       w.last_percent < 0 ? 0 : w.last_percent);
	return ret;
}

int cmd_wait(struct mctl_ctx *ctx)
{
	return wait_for_sync(ctx, ctx->args.pos[0], WAIT_STDOUT);
}

/*---------------------------------------------------------------------------
 * destroy: the kernel answers once the teardown has begun, or after a
 * short wait, and finishes it in the background; DESTROYED says the legs
 * are closed and the name is free.  Joining the events group before the
 * request is sent is what makes that event impossible to miss.
 */

struct destroy_waiter {
	struct mctl_ctx *ctx;
	const char *name;
};

static int destroy_on_event(const struct mirror_msg *m, void *arg)
{
	struct destroy_waiter *w = arg;

	if (m->cmd == BLKMIRROR_EVENT_DESTROYED && m->name && !strcmp(m->name, w->name))
		return MCTL_EXIT_OK;
	return MCTL_CONTINUE;
}

static int ignore_mirror(const struct mirror_msg *m, void *arg)
{
	(void)m;
	(void)arg;
	return MCTL_CONTINUE;
}

/*
 * The event may have been lost (the kernel allocates it): ask.  EBUSY is
 * the kernel's "being destroyed"; anything else means ours is gone (a
 * mirror of that name now is somebody's new one).
 */
static int destroy_check(void *arg)
{
	struct destroy_waiter *w = arg;
	int err = bm_get_mirror(&w->ctx->nl, w->name, ignore_mirror, w);

	if (err == -EBUSY)
		return MCTL_CONTINUE;
	if (err == 0 || err == -ENODEV)
		return MCTL_EXIT_OK;
	return bm_report(&w->ctx->nl, err);
}

int destroy_and_wait(struct mctl_ctx *ctx, struct nl_msg *msg)
{
	struct destroy_waiter w = { .ctx = ctx, .name = ctx->args.pos[0] };
	struct event_loop loop = {
		.on_event = destroy_on_event, .on_overrun = destroy_check,
		.on_idle = destroy_check, .arg = &w, .timeout_ms = -1,
	};
	int ret;

	if (opt_given(&ctx->args, OPT_TIMEOUT))
		loop.timeout_ms = (int)ctx->args.val[OPT_TIMEOUT] * 1000;
	ret = events_subscribe(ctx, &loop);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	ret = bm_report(&ctx->nl, bm_request(&ctx->nl, msg, NULL, ctx));
	if (!ret)
		ret = events_run(&loop);
	events_close(&loop);
	if (ret == MCTL_EXIT_TIMEOUT)
		errmsg("%s %s: teardown not over after %llu seconds (a leg is not answering?); it goes on in the kernel",
		       ctx->nl.what, w.name, (unsigned long long)ctx->args.val[OPT_TIMEOUT]);
	else if (ret == MCTL_EXIT_INTERRUPTED || ret == MCTL_EXIT_TERMINATED)
		errmsg("%s %s: %s; the teardown goes on in the kernel", ctx->nl.what, w.name,
		       ret == MCTL_EXIT_TERMINATED ? "terminated" : "interrupted");
	return ret;
}
