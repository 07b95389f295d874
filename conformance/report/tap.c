/* TAP 13: one test point per case; skipped cases carry # SKIP, divergent
 * ones pass with their divergence in the YAML block. */
#include <string.h>

#include "conformance/runner.h"

static void yaml_block(FILE *out, const struct conf_case_result *res)
{
	const char *p = res->log;

	fprintf(out, "  ---\n  id: %s\n  spec: \"%s\"\n  level: %s\n", res->kase->id,
		res->kase->spec, conf_level_name(res->kase->level));
	if (!p) {
		fprintf(out, "  ...\n");
		return;
	}
	fprintf(out, "  log: |\n");
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		fprintf(out, "    %.*s\n", (int)len, p);
		p += len + (nl ? 1 : 0);
	}
	fprintf(out, "  ...\n");
}

int conf_report_tap(const struct conf_run *r, FILE *out)
{
	fprintf(out, "TAP version 13\n1..%zu\n# nvmf-sim conformance, seed %llu\n", r->n,
		(unsigned long long)r->seed);
	for (size_t i = 0; i < r->n; i++) {
		const struct conf_case_result *res = &r->results[i];
		bool ok = res->result == CONF_PASS || res->result == CONF_WAIVED ||
			  res->result == CONF_SKIP;

		fprintf(out, "%s %zu - %s %s", ok ? "ok" : "not ok", i + 1, res->kase->id,
			res->kase->title);
		if (res->result == CONF_SKIP)
			fprintf(out, " # SKIP %s", res->log ? "feature absent" : "");
		fprintf(out, "\n");
		if (res->result != CONF_PASS)
			yaml_block(out, res);
	}
	return ferror(out) ? -1 : 0;
}
