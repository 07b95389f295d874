/* Console report: every case that did not simply pass, with its log, then a
 * summary table led by the headline (cases kept from running because they
 * harm the target) and the waivers with their reasons.  Passing cases are
 * counted, not listed. */
#include "conformance/runner.h"

void conf_report_console(const struct conf_run *r, FILE *out)
{
	char headline[512];

	if (conf_run_headline(r, headline, sizeof(headline))[0])
		fprintf(out, "!! %s\n", headline);
	for (size_t i = 0; i < r->n; i++) {
		const struct conf_case_result *res = &r->results[i];

		/* not-run cases are counted; the headline says why */
		if (res->result == CONF_PASS || res->result == CONF_NOT_RUN)
			continue;
		fprintf(out, "\n%s %s: %s (%s, %s)\n", conf_result_name(res->result), res->kase->id,
			res->kase->title, res->kase->spec, conf_level_name(res->kase->level));
		if (res->log)
			fprintf(out, "%s", res->log);
	}
	if (r->counts[CONF_WAIVED]) {
		fprintf(out, "\nwaived by the target profile (not counted as pass):\n");
		for (size_t i = 0; i < r->n; i++)
			if (r->results[i].waiver)
				fprintf(out, "  %-14s %s %s\n", r->results[i].kase->id,
					conf_result_name(r->results[i].unwaived),
					r->results[i].waiver->reason);
	}
	for (size_t i = 0, n = 0; i < r->n; i++) {
		if (!r->results[i].stale_notes)
			continue;
		if (!n++)
			fprintf(out, "\nknown-deviation notes this target (%s) no longer bears out:\n",
				r->target->implementation);
		fprintf(out, "  %s (%u)\n", r->results[i].kase->id, r->results[i].stale_notes);
	}
	if (r->target && r->target->version)
		fprintf(out, "\ntarget version: %s\n", r->target->version);
	fprintf(out, "\n%-10s %6s\n", "result", "cases");
	for (int k = 0; k < CONF_NR_RESULTS; k++)
		fprintf(out, "%-10s %6u\n", conf_result_name((enum conf_result)k), r->counts[k]);
	fprintf(out, "%-10s %6zu   in %.2f s, seed %llu\n", "total", r->n, r->seconds,
		(unsigned long long)r->seed);
	if (headline[0])
		fprintf(out, "!! %s\n", headline);
}
