/* Running the conformance suite: the target description, selection, the
 * results, and the reporters that turn them into console, TAP 13, JUnit XML
 * and JSON. */
#ifndef NVSIM_CONFORMANCE_RUNNER_H
#define NVSIM_CONFORMANCE_RUNNER_H

#include <stdio.h>

#include "conformance/case.h"

/* The target under test, as the host wing reaches it. */
struct conf_target {
	const char *provider;		  /* "fake" or "ibv" */
	struct verbs_fake_fabric *fabric; /* fake only */
	const char *addr;		  /* "host:port" */
	const char *subnqn;		  /* NVM subsystem under test (with namespace 1) */
	const char *discovery_nqn;
	const char *refusing_subnqn;	  /* a subsystem that does not allow our host */
	const char *hostnqn;
	uint8_t hostid[16];
	uint32_t kato_ms;
	int timeout_ms;
	unsigned int features; /* enum conf_feature bits the target offers */
	/* Cases a target profile says not to run here (e.g. one that crashes
	 * the target), each with the reason reported as the skip. */
	const char *const *skip_ids;
	const char *const *skip_why;
	size_t nr_skip;
	void (*progress)(void *arg);
	void *progress_arg;
	/* Moves the target's clock (embedded simulator); NULL: real time. */
	void (*advance_time)(void *arg, uint64_t ms);
	void *time_arg;
};

struct conf_case_result {
	const struct conf_case *kase;
	const char *group;
	enum conf_result result;
	char *log; /* failures fully decoded, divergences, notes; may be NULL */
	char *accepted; /* "what: outcome | outcome<br>..." for the catalogue; may be NULL */
	double seconds;
};

struct conf_run_opts {
	const char *const *select; /* ID globs ("connect.*", "sgl.2.?") or group names */
	size_t nr_select;
	enum conf_level max_level; /* run cases of this level and stricter */
	uint64_t seed;
	unsigned int case_timeout_s; /* a runaway case is stopped after this; 0: 30 */
	FILE *progress;		     /* one line per case as it ends; NULL: quiet */
};

struct conf_run {
	struct conf_case_result *results;
	size_t n;
	unsigned int counts[CONF_NR_RESULTS];
	uint64_t seed;
	double seconds;
};

const struct conf_group *const *conf_groups(size_t *n);
size_t conf_total_cases(void);
/* Whether a case is selected by opts (IDs, groups, level). */
bool conf_selected(const struct conf_run_opts *o, const struct conf_group *g,
		   const struct conf_case *k);
int conf_run(const struct conf_target *t, const struct conf_run_opts *o, struct conf_run *out);
void conf_run_free(struct conf_run *r);

const char *conf_result_name(enum conf_result r);
const char *conf_level_name(enum conf_level l);
const char *conf_feature_names(unsigned int features, char *buf, size_t len);
/* "discovery", "keyed-sgl", ... -> bit; 0 when unknown. */
unsigned int conf_feature_by_name(const char *name);

void conf_report_console(const struct conf_run *r, FILE *out);
int conf_report_tap(const struct conf_run *r, FILE *out);
int conf_report_junit(const struct conf_run *r, FILE *out);
int conf_report_json(const struct conf_run *r, FILE *out);
/* Markdown interop report (docs/interop/): target names what was tested. */
int conf_report_markdown(const struct conf_run *r, const char *target, FILE *out);
/* The case table as Markdown (docs/conformance.md), with the accepted
 * outcomes each case checked when r (a run of every case) is given. */
void conf_report_catalogue(const struct conf_run *r, FILE *out);

#endif
