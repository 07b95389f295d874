/* The runner: selects cases by ID glob, group and level, skips those whose
 * features the target lacks or that the profile keeps out, runs each on
 * its own associations with a deadline its waits observe, tears everything
 * down after it, applies waivers, and counts the results. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conformance/ctx.h"

#define DEFAULT_CASE_TIMEOUT_S 30u

static const char *const result_names[CONF_NR_RESULTS] = {
	[CONF_PASS] = "pass", [CONF_WAIVED] = "waived", [CONF_SKIP] = "skipped",
	[CONF_FAIL] = "FAIL", [CONF_ERROR] = "ERROR", [CONF_NOT_RUN] = "not run",
};

static const struct {
	unsigned int bit;
	const char *name;
} feature_names[] = {
	{ CONF_F_DISCOVERY, "discovery" }, { CONF_F_KEYED_SGL, "keyed-sgl" },
	{ CONF_F_IN_CAPSULE, "in-capsule" }, { CONF_F_IO, "io" },
	{ CONF_F_REFERRALS, "referrals" }, { CONF_F_TIME, "time-control" },
	{ CONF_F_INJECT, "fault-injection" }, { CONF_F_HOST_FILTER, "host-filter" },
};

const char *conf_result_name(enum conf_result r)
{
	return r < CONF_NR_RESULTS ? result_names[r] : "?";
}

const char *conf_level_name(enum conf_level l)
{
	return l == CONF_MANDATORY ? "mandatory" : l == CONF_OPTIONAL ? "optional" : "informative";
}

const char *conf_feature_names(unsigned int features, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (size_t i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++) {
		int n;

		if (!(features & feature_names[i].bit))
			continue;
		n = snprintf(buf + off, len - off, "%s%s", off ? "," : "", feature_names[i].name);
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
	return buf;
}

unsigned int conf_feature_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++)
		if (!strcmp(name, feature_names[i].name))
			return feature_names[i].bit;
	return 0;
}

size_t conf_total_cases(void)
{
	size_t ng, total = 0;
	const struct conf_group *const *g = conf_groups(&ng);

	for (size_t i = 0; i < ng; i++)
		total += g[i]->nr_cases;
	return total;
}

static bool exact_id(const char *sel, const struct conf_case *k)
{
	return !strcmp(sel, k->id);
}

static bool matches(const char *sel, const struct conf_group *g, const struct conf_case *k)
{
	return !strcmp(sel, g->name) || !fnmatch(sel, k->id, 0);
}

bool conf_selected(const struct conf_run_opts *o, const struct conf_group *g,
		   const struct conf_case *k)
{
	bool level_ok = k->level <= o->max_level;

	if (!o->nr_select)
		return level_ok;
	for (size_t i = 0; i < o->nr_select; i++)
		if (exact_id(o->select[i], k) || (level_ok && matches(o->select[i], g, k)))
			return true;
	return false;
}

const char *conf_unmatched_selection(const struct conf_run_opts *o, bool *other_level)
{
	size_t ng;
	const struct conf_group *const *g = conf_groups(&ng);

	for (size_t s = 0; s < o->nr_select; s++) {
		bool here = false, anywhere = false;

		for (size_t i = 0; i < ng && !here; i++)
			for (size_t k = 0; k < g[i]->nr_cases && !here; k++) {
				const struct conf_case *kc = &g[i]->cases[k];

				if (!exact_id(o->select[s], kc) && !matches(o->select[s], g[i], kc))
					continue;
				anywhere = true;
				here = exact_id(o->select[s], kc) || kc->level <= o->max_level;
			}
		if (!here) {
			*other_level = anywhere;
			return o->select[s];
		}
	}
	return NULL;
}

/* ---- running one case ---------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const struct conf_skip_rule *skip_rule(const struct conf_target *t,
					      const struct conf_case *k)
{
	for (size_t i = 0; i < t->nr_skips; i++)
		if (!fnmatch(t->skips[i].id, k->id, 0))
			return &t->skips[i];
	return NULL;
}

static const struct conf_waiver *waiver_of(const struct conf_target *t,
					   const struct conf_run_opts *o,
					   const struct conf_case *k)
{
	for (size_t i = 0; !o->strict && i < t->nr_waivers; i++) {
		const struct conf_waiver *w = &t->waivers[i];

		/* a waiver for one version does not hide FAILs of another */
		if (!strcmp(w->id, k->id) &&
		    (!w->version || !t->version || strstr(t->version, w->version)))
			return w;
	}
	return NULL;
}

static const char *harm_text(enum conf_harm h)
{
	return h == CONF_HARM_CRASH ? "crashes the target" : h == CONF_HARM_HANG ? "hangs the target"
										 : "";
}

static void run_body(struct conf_ctx *c, const struct conf_run_opts *o,
		     const struct conf_case *k)
{
	unsigned int limit = o->case_timeout_s ? o->case_timeout_s : DEFAULT_CASE_TIMEOUT_S;

	c->deadline_ms = nvsim_now_ms() + (uint64_t)limit * 1000u;
	k->run(c);
	if (nvsim_now_ms() >= c->deadline_ms) {
		c->transport_lost = true;
		conf_error(c, "stopped after %u s (--timeout): the case's waits ended at its "
			      "deadline", limit);
	}
	conf_ctx_finish(c);
}

static void apply_waiver(struct conf_ctx *c, const struct conf_waiver *w,
			 struct conf_case_result *res)
{
	res->unwaived = c->result;
	if (!w)
		return;
	if (c->result == CONF_FAIL || c->result == CONF_ERROR) {
		conf_log(c, "waived: %s%s%s%s", w->reason, w->version ? " (applies to " : "",
			 w->version ? w->version : "", w->version ? ")" : "");
		c->result = CONF_WAIVED;
		res->waiver = w;
	} else if (c->result == CONF_PASS) {
		conf_note(c, "the profile waives this case (%s) but it passed: the waiver can go",
			  w->reason);
	}
}

/* Whether the target still accepts an admin Connect, trying for up to
 * wait_s seconds (a supervisor may be restarting it). */
static bool target_answers(const struct conf_target *t, unsigned int wait_s)
{
	uint64_t until = nvsim_now_ms() + (uint64_t)(wait_s ? wait_s : 3) * 1000u;

	do {
		struct conf_ctx c;
		bool ok;

		memset(&c, 0, sizeof(c));
		c.t = t;
		c.deadline_ms = nvsim_now_ms() + 3000u;
		ok = conf_admin(&c, false, NULL) != NULL;
		conf_ctx_cleanup(&c);
		free(c.log);
		free(c.accepted);
		if (ok)
			return true;
	} while (nvsim_now_ms() < until);
	return false;
}

static bool run_one(const struct conf_target *t, const struct conf_run_opts *o,
		    const struct conf_case *k, struct conf_case_result *res)
{
	bool probe;
	struct conf_ctx c;
	unsigned int missing = k->features & ~t->features;
	const struct conf_skip_rule *skip = skip_rule(t, k);
	double t0 = now_s();

	memset(&c, 0, sizeof(c));
	c.t = t;
	c.kase = k;
	c.seed = o->seed;
	c.max_level = o->max_level;
	if (skip) {
		conf_skip(&c, "target profile: %s%s%s", skip->why, skip->harm ? "; running it " : "",
			  harm_text(skip->harm));
		res->harm = skip->harm;
	} else if (missing) {
		char names[160];

		conf_skip(&c, "the target lacks: %s", conf_feature_names(missing, names,
									 sizeof(names)));
	} else {
		run_body(&c, o, k);
	}
	probe = c.transport_lost;
	conf_ctx_cleanup(&c);
	apply_waiver(&c, skip || missing ? NULL : waiver_of(t, o, k), res);
	res->kase = k;
	res->result = c.result;
	res->stale_notes = c.stale_notes;
	res->log = c.log;
	res->accepted = c.accepted;
	res->seconds = now_s() - t0;
	return probe;
}

/* The target died during this case: whatever its checks said, the case
 * that killed the target did not pass. */
static void mark_down(struct conf_run *out, const struct conf_case *k,
		      struct conf_case_result *res, unsigned int wait_s)
{
	char msg[200];
	size_t len = res->log ? strlen(res->log) : 0;
	char *log;

	out->down_after = k;
	snprintf(msg, sizeof(msg), "ERROR the target stopped answering during this case: no admin "
		 "Connect within %u s after it\n", wait_s ? wait_s : 3);
	log = realloc(res->log, len + strlen(msg) + 1);
	if (log) {
		memcpy(log + len, msg, strlen(msg) + 1);
		res->log = log;
	}
	if (res->result < CONF_FAIL)
		res->result = CONF_ERROR;
	/* no waiver covers killing the target */
	res->waiver = NULL;
	res->unwaived = res->result;
}

static void not_run(const struct conf_case *k, const struct conf_case *down,
		    struct conf_case_result *res)
{
	char msg[200];

	snprintf(msg, sizeof(msg), "not run: the target stopped answering during case %s\n",
		 down->id);
	res->kase = k;
	res->result = CONF_NOT_RUN;
	res->log = strdup(msg);
}

int conf_run_groups(const struct conf_target *t, const struct conf_run_opts *o,
		    const struct conf_group *const *groups, size_t ng, struct conf_run *out)
{
	size_t n = 0, total = 0;
	double t0 = now_s();

	memset(out, 0, sizeof(*out));
	out->seed = o->seed;
	out->target = t;
	for (size_t gi = 0; gi < ng; gi++)
		total += groups[gi]->nr_cases;
	out->results = calloc(total + 1, sizeof(*out->results));
	if (!out->results)
		return -1;
	for (size_t gi = 0; gi < ng; gi++) {
		const struct conf_group *g = groups[gi];

		for (size_t ci = 0; ci < g->nr_cases; ci++) {
			const struct conf_case *k = &g->cases[ci];
			struct conf_case_result *res = &out->results[n];

			if (!conf_selected(o, g, k))
				continue;
			if (out->down_after)
				not_run(k, out->down_after, res);
			else if (run_one(t, o, k, res) && !target_answers(t, o->wait_for_restart_s))
				mark_down(out, k, res, o->wait_for_restart_s);
			res->group = g->name;
			out->counts[res->result]++;
			n++;
			if (o->progress)
				fprintf(o->progress, "%-10s %-14s %s\n", conf_result_name(res->result),
					k->id, k->title);
		}
	}
	out->n = n;
	out->seconds = now_s() - t0;
	return 0;
}

int conf_run(const struct conf_target *t, const struct conf_run_opts *o, struct conf_run *out)
{
	size_t ng;
	const struct conf_group *const *groups = conf_groups(&ng);

	return conf_run_groups(t, o, groups, ng, out);
}

const char *conf_run_headline(const struct conf_run *r, char *buf, size_t len)
{
	static const enum conf_harm harms[] = { CONF_HARM_CRASH, CONF_HARM_HANG };
	size_t off = 0;

	buf[0] = 0;
	if (r->down_after) {
		int w = snprintf(buf, len, "target stopped answering during case %s; %u case%s not "
				 "run", r->down_after->id, r->counts[CONF_NOT_RUN],
				 r->counts[CONF_NOT_RUN] == 1 ? "" : "s");

		off = w > 0 ? (size_t)w : 0;
	}
	for (size_t h = 0; h < sizeof(harms) / sizeof(harms[0]); h++) {
		unsigned int n = 0;
		size_t mark;
		int w;

		for (size_t i = 0; i < r->n; i++)
			n += r->results[i].harm == harms[h];
		if (!n || off >= len)
			continue;
		w = snprintf(buf + off, len - off, "%s%u case%s skipped: %s (", off ? "; " : "", n,
			     n == 1 ? "" : "s", harm_text(harms[h]));
		off += w > 0 ? (size_t)w : 0;
		mark = off;
		for (size_t i = 0; i < r->n && off < len; i++) {
			if (r->results[i].harm != harms[h])
				continue;
			w = snprintf(buf + off, len - off, "%s%s", off > mark ? ", " : "",
				     r->results[i].kase->id);
			off += w > 0 ? (size_t)w : 0;
		}
		if (off < len) {
			w = snprintf(buf + off, len - off, ")");
			off += w > 0 ? (size_t)w : 0;
		}
	}
	return buf;
}

bool conf_run_failed(const struct conf_run *r)
{
	return r->counts[CONF_FAIL] || r->counts[CONF_ERROR] || r->down_after;
}

void conf_run_free(struct conf_run *r)
{
	for (size_t i = 0; r->results && i < r->n; i++)
		free(r->results[i].log), free(r->results[i].accepted);
	free(r->results);
	memset(r, 0, sizeof(*r));
}
