/*
 * Replay: a recording played through the session. The session's snapshot,
 * waiters and events come from the recorded frames and events instead of
 * the module; commands are not run again, their recorded outputs are sent
 * to the front end (through the session's hooks and async sink).
 */
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "records.h"
#include "session.h"

struct ps_replay {
	struct ps_recording rec;
	size_t *steps; /* index of the first item of each step */
	size_t nsteps;
	size_t next; /* next item to apply */
	size_t step; /* steps applied */
	const struct ps_item *attach;
	const struct ps_item *frame; /* the frame shown */
	struct ps_waiter **wp;	     /* pointers into frame->waiters */
	size_t nwp;
	unsigned chg;
	char module[96];
};

static bool is_step(enum ps_item_type t)
{
	return t != PS_IT_EVENT && t != PS_IT_OUTPUT && t != PS_IT_END;
}

int ps_replay_start(struct ps_session *s, struct ps_recording *r)
{
	struct ps_replay *p = calloc(1, sizeof(*p));

	if (!p)
		return -1;
	p->rec = *r;
	memset(r, 0, sizeof(*r));
	p->steps = calloc(p->rec.n + 1, sizeof(*p->steps));
	if (!p->steps) {
		ps_recording_free(&p->rec);
		free(p);
		return -1;
	}
	for (size_t i = 0; i < p->rec.n; i++) {
		if (p->rec.items[i].type == PS_IT_ATTACH && !p->attach)
			p->attach = &p->rec.items[i];
		if (is_step(p->rec.items[i].type))
			p->steps[p->nsteps++] = i;
	}
	s->replay = p;
	s->start_ns = p->rec.clock_ns;
	/* no module: what attach says comes from the recording */
	s->attached = true;
	snprintf(s->module_state, sizeof(s->module_state), "replay (recorded %s)",
		 p->attach ? p->attach->module : "without the module");
	if (p->attach) {
		snprintf(s->version.release, sizeof(s->version.release), "%s", p->attach->release);
		s->version.interface = p->attach->interface;
	}
	ps_replay_reset(s);
	return 0;
}

bool ps_replaying(struct ps_session *s)
{
	return s->replay != NULL;
}

void ps_replay_free(struct ps_session *s)
{
	struct ps_replay *p = s->replay;

	if (!p)
		return;
	ps_recording_free(&p->rec);
	free(p->steps);
	free(p->wp);
	free(p);
	s->replay = NULL;
}

static void push_event(struct ps_session *s, const struct ps_event *ev)
{
	/* the ring is the session's: as if read from the events file */
	extern void ps_session_push_event(struct ps_session * s, const struct ps_event *ev);
	ps_session_push_event(s, ev);
}

/* The session's snapshot arrays take the frame's contents. */
static int copy_array(void **dst, size_t *n, size_t *cap, const void *src, size_t count,
		      size_t size)
{
	if (count > *cap) {
		void *q = realloc(*dst, count * size);

		if (!q)
			return -1;
		*dst = q;
		*cap = count;
	}
	if (count)
		memcpy(*dst, src, count * size);
	*n = count;
	return 0;
}

static void show_frame(struct ps_session *s, const struct ps_item *f)
{
	struct ps_replay *p = s->replay;
	static const struct ps_item empty;

	if (!f)
		f = &empty;
	if (copy_array((void **)&s->objects, &s->nobjects, &s->cobjects, f->objects, f->nobjects,
		       sizeof(*s->objects)) < 0 ||
	    copy_array((void **)&s->entries, &s->nentries, &s->centries, f->entries, f->nentries,
		       sizeof(*s->entries)) < 0 ||
	    copy_array((void **)&s->heads, &s->nheads, &s->cheads, f->heads, f->nheads,
		       sizeof(*s->heads)) < 0) {
		s->nobjects = s->nentries = s->nheads = 0;
	}
	free(p->wp);
	p->wp = NULL;
	p->nwp = 0;
	if (f->nwaiters) {
		p->wp = calloc(f->nwaiters, sizeof(*p->wp));
		if (p->wp) {
			for (size_t i = 0; i < f->nwaiters; i++)
				p->wp[i] = &f->waiters[i];
			p->nwp = f->nwaiters;
		}
	}
	p->frame = f;
	s->snap_valid = true;
	s->snap_queues_rc = 0;
	p->chg |= PS_CHG_OBJECTS | PS_CHG_WAITERS | PS_CHG_STATES;
}

void ps_replay_reset(struct ps_session *s)
{
	struct ps_replay *p = s->replay;

	if (!p)
		return;
	s->ring_start = s->ring_count = 0;
	s->last_seq = 0;
	p->next = 0;
	p->step = 0;
	show_frame(s, NULL);
	/* the events the module held before the session, as attach reads them */
	if (p->attach) {
		for (size_t i = 0; i < p->rec.n; i++) {
			const struct ps_item *it = &p->rec.items[i];

			if (it->type == PS_IT_EVENT && it->ev.seq <= p->attach->last_seq)
				push_event(s, &it->ev);
		}
	}
	p->chg |= PS_CHG_EVENTS | PS_CHG_OBJECTS | PS_CHG_WAITERS | PS_CHG_STATES;
}

static void apply(struct ps_session *s, const struct ps_item *it)
{
	struct ps_replay *p = s->replay;
	const struct ps_hooks *h = &s->hooks;

	/* the front end stamps what this item shows with the recorded time: a
	 * result with when the call returned, as the live timeline does (its
	 * report is read later, and events taken in meanwhile go before it) */
	if (h->replay_clock && p->rec.clock_ns)
		h->replay_clock(h->ctx, p->rec.clock_ns + (it->has_at ? (uint64_t)it->at : it->t));
	switch (it->type) {
	case PS_IT_FRAME:
		show_frame(s, it);
		break;
	case PS_IT_EVENT:
		/* pushed at reset */
		if (p->attach && it->ev.seq <= p->attach->last_seq)
			break;
		push_event(s, &it->ev);
		p->chg |= PS_CHG_EVENTS;
		if (h->replay_events)
			h->replay_events(h->ctx);
		break;
	case PS_IT_COMMAND:
		if (h->replay_command)
			h->replay_command(h->ctx, it->text, it->typed);
		break;
	case PS_IT_DONE: {
		/* the line of the command it ends */
		const char *line = "";
		int depth = 0;

		for (const struct ps_item *q = it; q-- > p->rec.items;) {
			if (q->type == PS_IT_DONE)
				depth++;
			else if (q->type == PS_IT_COMMAND && depth-- == 0) {
				line = q->text;
				if (h->replay_done)
					h->replay_done(h->ctx, line, q->typed, it->rc, it->text);
				break;
			}
		}
		break;
	}
	case PS_IT_SAY:
		if (h->say)
			h->say(h->ctx, it->text);
		break;
	case PS_IT_OUTPUT: {
		struct ps_rec rec = { 0 };

		/* a say's banner came with its say item */
		if (it->kind == PS_REC_SAY && h->say)
			break;
		rec.kind = it->kind;
		rec.kind_name = ps_rec_kind_name(it->kind);
		rec.text = it->text;
		rec.nfields = it->nfields;
		rec.fields = it->fields;
		if (s->has_async_sink && s->async_sink.record)
			s->async_sink.record(s->async_sink.ctx, &rec);
		break;
	}
	case PS_IT_ATTACH:
	case PS_IT_PAUSE:
	case PS_IT_END:
		break;
	}
}

unsigned ps_replay_forward(struct ps_session *s, size_t step)
{
	struct ps_replay *p = s->replay;
	size_t until;

	if (!p)
		return 0;
	if (step > p->nsteps)
		step = p->nsteps;
	until = step < p->nsteps ? p->steps[step] : p->rec.n;
	while (p->next < until)
		apply(s, &p->rec.items[p->next++]);
	if (step > p->step)
		p->step = step;
	return ps_replay_take_changes(s);
}

size_t ps_replay_step_at(struct ps_session *s, uint64_t t)
{
	struct ps_replay *p = s->replay;
	size_t i = 0;

	if (!p)
		return 0;
	while (i < p->nsteps && p->rec.items[p->steps[i]].t <= t)
		i++;
	return i;
}

uint64_t ps_replay_step_time(struct ps_session *s, size_t i)
{
	struct ps_replay *p = s->replay;

	if (!p || p->rec.n == 0)
		return 0;
	if (i >= p->nsteps)
		return p->rec.items[p->rec.n - 1].t;
	return p->rec.items[p->steps[i]].t;
}

void ps_replay_pos(struct ps_session *s, struct ps_replay_pos *pos)
{
	struct ps_replay *p = s->replay;

	memset(pos, 0, sizeof(*pos));
	if (!p)
		return;
	pos->step = p->step;
	pos->nsteps = p->nsteps;
	pos->t = p->next ? p->rec.items[p->next - 1].t : 0;
	pos->total = p->rec.n ? p->rec.items[p->rec.n - 1].t : 0;
	pos->clock_ns = p->rec.clock_ns;
}

struct ps_waiter *const *ps_replay_waiters(struct ps_session *s, size_t *n)
{
	*n = s->replay->nwp;
	return s->replay->wp;
}

size_t ps_replay_watches(struct ps_session *s, struct ps_watch_info *out, size_t max)
{
	const struct ps_item *f = s->replay->frame;

	if (!f)
		return 0;
	for (size_t i = 0; i < f->nwatches && i < max; i++)
		out[i] = f->watches[i];
	return f->nwatches;
}

unsigned ps_replay_take_changes(struct ps_session *s)
{
	unsigned c;

	if (!s->replay)
		return 0;
	c = s->replay->chg;
	s->replay->chg = 0;
	return c;
}
