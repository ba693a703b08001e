/*
 * outcome.c: the status line after r, R, D, F5 and p says what the engine
 * did, never what it was asked. A key records the command and where the
 * engine's event list stood (outcome_start); every new snapshot
 * (outcome_update) reads the engine's events since then:
 *
 *   r, R, D   EV_RELOAD_SENT: sent through #N (waiting for its answer);
 *             EV_RELOAD_RESULT / EV_DROP_RESULT for #N: its answer, and
 *             "verifying every replica" while the others are checked;
 *             EV_RELOAD_RESULT / EV_ERROR for no instance: the
 *             verification, which ends it; EV_INFO / EV_ERROR before
 *             anything was sent: skipped, refused (read-only), already
 *             in progress, or no instance to send it to, which ends it.
 *   F5        the snapshot's completed rounds move past the one asked for.
 *   p         the snapshot says paused or not.
 *
 * Endpoints and known instance ids in the engine's text read "#N". With
 * nothing followed, errors the engine reports still show. UI thread only.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hasync/sanitize.h"
#include "hasync/snapshot.h"
#include "hasync/ui_internal.h"
#include "hasync/ui_text.h"
#include "hasync/ui_view.h"

#define OUTCOME_KEEP	30.0	/* seconds a final outcome stays */

/* The key's name on the status line: "r #2", "R", "D", "F5", "p". */
static void
outcome_prefix(const struct ui_outcome *o, char *buf, size_t len)
{
	switch (o->act) {
	case ACT_RELOAD_INSTANCE:
		snprintf(buf, len, "r #%d", o->target + 1);
		break;
	case ACT_RELOAD_CLUSTER:
		snprintf(buf, len, "R");
		break;
	case ACT_DROP:
		snprintf(buf, len, "D");
		break;
	case ACT_REFRESH:
		snprintf(buf, len, "F5");
		break;
	case ACT_PAUSE:
		snprintf(buf, len, "p");
		break;
	default:
		buf[0] = '\0';
		break;
	}
}

/* The newest event seq in s, or 0. */
static uint64_t
outcome_newest(const struct snapshot *s)
{
	return (s != NULL && s->n_events > 0 ? s->events[0].seq : 0);
}

/* Follow command a (target: r's instance index) from now on. */
void
outcome_start(struct ui *ui, enum ui_action a, int target)
{
	struct ui_outcome	*o = &ui->out;
	const struct snapshot	*s = ui->snap;
	char			 p[16];

	memset(o, 0, sizeof *o);
	o->act = a;
	o->target = target;
	o->ev_base = outcome_newest(s);
	o->rounds_base = s != NULL ? s->rounds : 0;
	o->was_probing = s != NULL && s->probing;
	o->was_paused = s != NULL && s->paused;
	outcome_prefix(o, p, sizeof p);
	switch (a) {
	case ACT_REFRESH:
		ui_status(ui, ROLE_NORMAL, 0, "%s: waiting for a probe round "
		    "of every instance...", p);
		break;
	case ACT_PAUSE:
		ui_status(ui, ROLE_NORMAL, 0, "%s: waiting for the engine...",
		    p);
		break;
	default:
		ui_status(ui, ROLE_NORMAL, 0, "%s: asked; waiting for the "
		    "engine...", p);
		break;
	}
}

/*
 * Leave out the clauses of a list that count nothing, in place:
 * "verified 3 instances: 3 consistent and in sync, 0 behind the catalog,
 * 0 inconsistent" reads "verified 3 instances: 3 consistent and in sync",
 * so that what counts fits on 80 columns.
 */
static void
outcome_compact(char *s)
{
	char	*list, *in, *out, *end;
	bool	 first = true;

	if ((list = strstr(s, ": ")) == NULL || strstr(s, ", ") == NULL)
		return;
	list += 2;
	for (in = out = list; *in != '\0'; in = end) {
		if ((end = strstr(in, ", ")) == NULL)
			end = in + strlen(in);
		if (!(in[0] == '0' && in[1] == ' ')) {
			if (!first) {
				memmove(out, ", ", 2);
				out += 2;
			}
			memmove(out, in, (size_t)(end - in));
			out += end - in;
			first = false;
		}
		if (*end != '\0')
			end += 2;
	}
	if (first)
		return;		/* all zero: keep as it was (rewritten) */
	*out = '\0';
}

/* Put engine text e on the status line after prefix p, in role r. */
static void
outcome_say(struct ui *ui, enum role r, double secs, const char *p,
    const char *raw, const char *tail)
{
	char	*shorter, *clean;

	shorter = view_short_text(ui->snap, raw);
	if (strncmp(shorter, "verified ", 9) == 0)
		outcome_compact(shorter);
	clean = sanitize_text(shorter, 400, 0);
	ui_status(ui, r, secs, "%s: %s%s", p, clean, tail);
	free(clean);
	free(shorter);
}

/* Whether e is one of the events a reload or drop command ends with or
 * goes through. */
static bool
outcome_relevant(const struct snap_event *e)
{
	switch (e->kind) {
	case EV_RELOAD_SENT:
	case EV_RELOAD_RESULT:
	case EV_DROP_RESULT:
		return (true);
	case EV_INFO:
	case EV_ERROR:
		/* Sentry reports and database errors are not answers. */
		return (e->text != NULL && strncmp(e->text, "Sentry", 6) != 0 &&
		    strncmp(e->text, "database:", 9) != 0);
	default:
		return (false);
	}
}

/* Read the events since the command for r, R or D. */
static void
outcome_reload(struct ui *ui, const char *p)
{
	struct ui_outcome	*o = &ui->out;
	const struct snapshot	*s = ui->snap;
	const struct snap_event	*e;
	const struct snap_instance *in;
	size_t			 i;

	for (i = s->n_events; i > 0 && !o->done; i--) {
		e = &s->events[i - 1];		/* oldest first */
		if (e->seq <= o->ev_base || !outcome_relevant(e))
			continue;
		o->ev_base = e->seq;
		switch (e->kind) {
		case EV_RELOAD_SENT:
			o->sent = true;
			outcome_say(ui, ROLE_NORMAL, 0, p, e->text,
			    "; waiting for its answer...");
			break;
		case EV_RELOAD_RESULT:
		case EV_DROP_RESULT:
			if (e->instance < 0) {		/* the verification */
				o->done = true;
				outcome_say(ui, e->ok ? ROLE_OK : ROLE_WARN,
				    OUTCOME_KEEP, p, e->text, "");
				break;
			}
			o->sent = true;
			in = (size_t)e->instance < s->n_inst ?
			    &s->inst[e->instance] : NULL;
			if (!e->ok && in != NULL && !in->reload.ok) {
				o->done = true;
				outcome_say(ui, ROLE_ERROR, 0, p, e->text, "");
			} else
				outcome_say(ui, e->ok ? ROLE_NORMAL : ROLE_WARN,
				    0, p, e->text, s->n_inst > 1 ?
				    "; verifying every replica..." : "");
			break;
		case EV_ERROR:
			if (o->sent && e->instance >= 0)
				break;		/* a probe's, not ours */
			o->done = true;
			if (!o->sent) {
				char	pp[64];

				snprintf(pp, sizeof pp, "%s: nothing sent", p);
				outcome_say(ui, ROLE_ERROR, 0, pp, e->text, "");
			} else
				outcome_say(ui, ROLE_WARN, 0, p, e->text, "");
			break;
		case EV_INFO:
			if (o->sent)
				break;
			o->done = true;
			{
				char	pp[64];

				/* What matters first: nothing went out. */
				snprintf(pp, sizeof pp, "%s: nothing sent", p);
				outcome_say(ui, strncmp(e->text, "read-only", 9)
				    == 0 ? ROLE_ERROR : ROLE_WARN, OUTCOME_KEEP,
				    pp, e->text, "");
			}
			break;
		default:
			break;
		}
	}
}

/* Errors the engine reports while no command is followed. */
static void
outcome_errors(struct ui *ui)
{
	const struct snapshot	*s = ui->snap;
	const struct snap_event	*e;
	size_t			 i;

	for (i = s->n_events; i > 0; i--) {
		e = &s->events[i - 1];
		if (e->seq <= ui->ev_seen || e->kind != EV_ERROR)
			continue;
		outcome_say(ui, ROLE_ERROR, 0, "engine", e->text, "");
	}
}

/* Read a new snapshot for the outcome of the command followed. */
void
outcome_update(struct ui *ui)
{
	struct ui_outcome	*o = &ui->out;
	const struct snapshot	*s = ui->snap;
	char			 p[16], clk[16];

	if (s == NULL)
		return;
	if (ui->ev_seen == 0 && o->act == ACT_NONE) {
		ui->ev_seen = outcome_newest(s);	/* the first: history */
		return;
	}
	outcome_prefix(o, p, sizeof p);
	if (o->act == ACT_NONE || o->done)
		outcome_errors(ui);
	else {
		switch (o->act) {
		case ACT_RELOAD_INSTANCE:
		case ACT_RELOAD_CLUSTER:
		case ACT_DROP:
			outcome_reload(ui, p);
			break;
		case ACT_REFRESH:
			/* A round already under way when asked does not
			 * count: the one asked for starts after it. */
			if (s->rounds < o->rounds_base + (o->was_probing ? 2 :
			    1) || s->probing)
				break;
			o->done = true;
			ui_status(ui, ROLE_NORMAL, OUTCOME_KEEP, "%s: probed "
			    "%zu instance%s at %s%s", p, s->n_inst,
			    s->n_inst == 1 ? "" : "s", draw_clock(s->probed_at,
			    clk, sizeof clk), s->paused ? "; probing stays "
			    "paused" : "");
			break;
		case ACT_PAUSE:
			if (s->paused == o->was_paused)
				break;
			o->done = true;
			ui_status(ui, ROLE_NORMAL, OUTCOME_KEEP, "%s: %s", p,
			    s->paused ? "probing paused (F5 probes once, p "
			    "resumes)" : "probing resumed");
			break;
		default:
			break;
		}
	}
	if (outcome_newest(s) > ui->ev_seen)
		ui->ev_seen = outcome_newest(s);
}
