/* Running the conformance suite: the target description, selection, the
 * results, and the reporters that turn them into console, TAP 13, JUnit XML
 * and JSON. */
#ifndef NVSIM_CONFORMANCE_RUNNER_H
#define NVSIM_CONFORMANCE_RUNNER_H

#include <stdio.h>

#include "conformance/case.h"

/* Why a target profile keeps a case from running. */
enum conf_harm {
	CONF_HARM_NONE,	 /* not applicable here */
	CONF_HARM_CRASH, /* running it crashes the target: headline of every report */
	CONF_HARM_HANG,	 /* running it hangs the target: headline of every report */
};

struct conf_skip_rule {
	const char *id; /* case ID or glob */
	const char *why;
	enum conf_harm harm;
};

/* A waiver: the case runs, and a FAIL or ERROR is reported as waived,
 * counted apart, with the reason.  By exact case ID only. */
struct conf_waiver {
	const char *id;
	const char *reason;
	const char *version; /* the target version it applies to; may be NULL */
};

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
	const struct conf_skip_rule *skips;
	size_t nr_skips;
	const struct conf_waiver *waivers;
	size_t nr_waivers;
	/* What the target is, as known-deviation notes name it ("Linux nvmet
	 * 6.1"): a note naming it that the answer does not bear out is
	 * reported as stale.  NULL: not checked. */
	const char *implementation;
	const char *version; /* printed in every report (e.g. the kernel); may be NULL */
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
	enum conf_result unwaived; /* the verdict before a waiver applied */
	const struct conf_waiver *waiver; /* set when result is CONF_WAIVED */
	enum conf_harm harm;	   /* a skip because running it harms the target */
	unsigned int stale_notes;  /* known-deviation notes of target->implementation not borne out */
	char *log; /* failures fully decoded, known deviations, notes; may be NULL */
	char *accepted; /* "what: outcome | outcome<br>..." for the catalogue; may be NULL */
	double seconds;
};

struct conf_run_opts {
	/* ID globs ("connect.*", "sgl.2.?") or group names, which respect
	 * max_level; an exact case ID runs whatever its level. */
	const char *const *select;
	size_t nr_select;
	enum conf_level max_level; /* run cases of this level and stricter */
	uint64_t seed;
	unsigned int case_timeout_s; /* a case's waits end after this; 0: 30 */
	bool strict;		     /* ignore every waiver of the target profile */
	/* After a case that timed out or lost its transport, how long the
	 * target may take to accept an admin Connect again (a supervisor
	 * restarting it) before the run ends as "target down"; 0: 3 s. */
	unsigned int wait_for_restart_s;
	FILE *progress;		     /* one line per case as it ends; NULL: quiet */
};

struct conf_run {
	struct conf_case_result *results;
	size_t n;
	unsigned int counts[CONF_NR_RESULTS];
	/* The case during which the target stopped answering (the rest were
	 * not run); NULL when it kept answering. */
	const struct conf_case *down_after;
	const struct conf_target *target;
	uint64_t seed;
	double seconds;
};

const struct conf_group *const *conf_groups(size_t *n);
size_t conf_total_cases(void);
/* Whether a case is selected by opts (IDs, groups, level). */
bool conf_selected(const struct conf_run_opts *o, const struct conf_group *g,
		   const struct conf_case *k);
/* The first selection that selects no case (NULL: all select some);
 * *other_level tells whether it would at level informative. */
const char *conf_unmatched_selection(const struct conf_run_opts *o, bool *other_level);
/* The line every report leads with when a case was kept from running
 * because it harms the target ("1 case skipped: crashes the target
 * (sgl.2.4)"); "" when none was.  Returns buf. */
const char *conf_run_headline(const struct conf_run *r, char *buf, size_t len);
/* Whether a CI should fail: a FAIL or ERROR among the cases not waived, or
 * a target that stopped answering. */
bool conf_run_failed(const struct conf_run *r);
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
