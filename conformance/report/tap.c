/* TAP 13: one test point per case.  A skipped case carries # SKIP and its
 * reason; a waived one is "not ok ... # TODO waived: reason" (it broke the
 * rule; the profile expects it to); the headline is a comment after the
 * plan. */
#include <string.h>

#include "conformance/runner.h"

static void yaml_block(FILE *out, const struct conf_case_result *res)
{
	const char *p = res->log;

	fprintf(out, "  ---\n  id: %s\n  spec: \"%s\"\n  level: %s\n  result: %s\n",
		res->kase->id, res->kase->spec, conf_level_name(res->kase->level),
		conf_result_name(res->result));
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

/* A directive's text: one line, no '#'. */
static void directive_text(FILE *out, const char *s)
{
	for (; s && *s && *s != '\n'; s++)
		fputc(*s == '#' ? ' ' : *s, out);
}

/* The skip line of the log ("skipped: the target lacks: ..."). */
static const char *skip_reason(const struct conf_case_result *res)
{
	const char *p = res->log ? strstr(res->log, "skipped: ") : NULL;

	return p ? p + strlen("skipped: ") : "";
}

int conf_report_tap(const struct conf_run *r, FILE *out)
{
	char headline[512];

	fprintf(out, "TAP version 13\n1..%zu\n# nvmf-sim conformance, seed %llu\n", r->n,
		(unsigned long long)r->seed);
	if (conf_run_headline(r, headline, sizeof(headline))[0])
		fprintf(out, "# %s\n", headline);
	for (size_t i = 0; i < r->n; i++) {
		const struct conf_case_result *res = &r->results[i];
		bool ok = res->result == CONF_PASS || res->result == CONF_SKIP ||
			  res->result == CONF_NOT_RUN;

		fprintf(out, "%s %zu - %s %s", ok ? "ok" : "not ok", i + 1, res->kase->id,
			res->kase->title);
		if (res->result == CONF_SKIP) {
			fprintf(out, " # SKIP ");
			directive_text(out, skip_reason(res));
		} else if (res->result == CONF_NOT_RUN) {
			fprintf(out, " # SKIP ");
			directive_text(out, res->log);
		} else if (res->result == CONF_WAIVED) {
			fprintf(out, " # TODO waived: ");
			directive_text(out, res->waiver->reason);
		}
		fprintf(out, "\n");
		if (res->result != CONF_PASS)
			yaml_block(out, res);
	}
	return ferror(out) ? -1 : 0;
}
