/* The runner: selects cases by ID glob, group and level, skips those whose
 * features the target lacks, runs each on its own associations with a
 * timeout, tears everything down after it, and counts the results. */
#include <fnmatch.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conformance/ctx.h"

#define DEFAULT_CASE_TIMEOUT_S 30u

static const char *const result_names[CONF_NR_RESULTS] = {
	[CONF_PASS] = "pass", [CONF_DIVERGENT] = "divergent", [CONF_SKIP] = "skipped",
	[CONF_FAIL] = "FAIL", [CONF_ERROR] = "ERROR",
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

bool conf_selected(const struct conf_run_opts *o, const struct conf_group *g,
		   const struct conf_case *k)
{
	if (k->level > o->max_level)
		return false;
	if (!o->nr_select)
		return true;
	for (size_t i = 0; i < o->nr_select; i++)
		if (!strcmp(o->select[i], g->name) || !fnmatch(o->select[i], k->id, 0))
			return true;
	return false;
}

/* ---- running one case ---------------------------------------------------------------- */

static sigjmp_buf case_escape;
static volatile sig_atomic_t case_running;

static void on_case_alarm(int sig)
{
	(void)sig;
	if (case_running)
		siglongjmp(case_escape, 1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run_one(const struct conf_target *t, const struct conf_run_opts *o,
		    const struct conf_case *k, struct conf_case_result *res)
{
	static struct conf_ctx c; /* static: must survive the longjmp */
	unsigned int missing = k->features & ~t->features;
	double t0 = now_s();

	memset(&c, 0, sizeof(c));
	c.t = t;
	c.kase = k;
	c.seed = o->seed;
	for (size_t i = 0; i < t->nr_skip; i++)
		if (!fnmatch(t->skip_ids[i], k->id, 0)) {
			conf_skip(&c, "target profile: %s", t->skip_why[i]);
			goto done;
		}
	if (missing) {
		char names[160];

		conf_skip(&c, "the target lacks: %s", conf_feature_names(missing, names,
									 sizeof(names)));
	} else if (sigsetjmp(case_escape, 1) == 0) {
		case_running = 1;
		alarm(o->case_timeout_s ? o->case_timeout_s : DEFAULT_CASE_TIMEOUT_S);
		k->run(&c);
		alarm(0);
		case_running = 0;
	} else {
		/* A runaway case: its associations are abandoned, not torn down
		 * (the stack they lived on is gone); the run goes on. */
		case_running = 0;
		c.nr_hosts = c.nr_queues = 0;
		conf_error(&c, "stopped after %u s", o->case_timeout_s ? o->case_timeout_s
								  : DEFAULT_CASE_TIMEOUT_S);
	}
done:
	conf_ctx_cleanup(&c);
	res->kase = k;
	res->result = c.result;
	res->log = c.log;
	res->accepted = c.accepted;
	res->seconds = now_s() - t0;
}

int conf_run(const struct conf_target *t, const struct conf_run_opts *o, struct conf_run *out)
{
	struct sigaction sa = { .sa_handler = on_case_alarm }, old;
	size_t ng, n = 0;
	const struct conf_group *const *groups = conf_groups(&ng);
	double t0 = now_s();

	memset(out, 0, sizeof(*out));
	out->seed = o->seed;
	out->results = calloc(conf_total_cases() + 1, sizeof(*out->results));
	if (!out->results)
		return -1;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old);
	for (size_t gi = 0; gi < ng; gi++) {
		const struct conf_group *g = groups[gi];

		for (size_t ci = 0; ci < g->nr_cases; ci++) {
			const struct conf_case *k = &g->cases[ci];
			struct conf_case_result *res = &out->results[n];

			if (!conf_selected(o, g, k))
				continue;
			run_one(t, o, k, res);
			res->group = g->name;
			out->counts[res->result]++;
			n++;
			if (o->progress)
				fprintf(o->progress, "%-10s %-14s %s\n", conf_result_name(res->result),
					k->id, k->title);
		}
	}
	sigaction(SIGALRM, &old, NULL);
	out->n = n;
	out->seconds = now_s() - t0;
	return 0;
}

void conf_run_free(struct conf_run *r)
{
	for (size_t i = 0; r->results && i < r->n; i++)
		free(r->results[i].log), free(r->results[i].accepted);
	free(r->results);
	memset(r, 0, sizeof(*r));
}
