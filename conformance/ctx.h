/* The per-case context: private to the conformance library. */
#ifndef NVSIM_CONFORMANCE_CTX_H
#define NVSIM_CONFORMANCE_CTX_H

#include "conformance/runner.h"

#define CONF_MAX_HOSTS 8
#define CONF_MAX_QUEUES 64

struct conf_ctx {
	const struct conf_target *t;
	const struct conf_case *kase;
	uint64_t seed;
	enum conf_result result;
	enum conf_level max_level; /* checks stricter than this are not judged */
	unsigned int nr_checks;	   /* judged checks; none at the end is an ERROR */
	uint64_t deadline_ms;	   /* CLOCK_MONOTONIC; the case's waits end here */
	bool cid_rule_failed;	   /* a wait already named a wrong-CID answer */
	unsigned int stale_notes;  /* see conf_target.implementation */
	bool transport_lost;	   /* a wait timed out or a queue died: is the target alive? */
	char *log;
	size_t log_len, log_cap;
	char *accepted; /* every accepted set the case checked, for the catalogue */
	size_t acc_len, acc_cap;
	struct nvsim_host *hosts[CONF_MAX_HOSTS];
	unsigned int nr_hosts;
	struct nvsim_hq *queues[CONF_MAX_QUEUES];
	unsigned int nr_queues;
};

void conf_log(struct conf_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void conf_ctx_cleanup(struct conf_ctx *c);
/* conf_run over the given groups instead of the registry's (the
 * runner's own tests). */
int conf_run_groups(const struct conf_target *t, const struct conf_run_opts *o,
		    const struct conf_group *const *groups, size_t ng, struct conf_run *out);
/* The case's verdict once it returned: ERROR when it made no check. */
void conf_ctx_finish(struct conf_ctx *c);

#endif
