/* JSON report: the run's seed, headline, counts (waived apart) and every
 * case with its verdict, the verdict before a waiver, the waiver and its
 * log. */
#include <json-c/json.h>

#include "conformance/runner.h"

int conf_report_json(const struct conf_run *r, FILE *out)
{
	struct json_object *root = json_object_new_object();
	struct json_object *counts = json_object_new_object();
	struct json_object *cases = json_object_new_array();

	json_object_object_add(root, "seed", json_object_new_uint64(r->seed));
	char headline[512];

	json_object_object_add(root, "seconds", json_object_new_double(r->seconds));
	json_object_object_add(root, "headline",
			       json_object_new_string(conf_run_headline(r, headline,
									sizeof(headline))));
	json_object_object_add(root, "failed", json_object_new_boolean(conf_run_failed(r)));
	if (r->target && r->target->implementation)
		json_object_object_add(root, "implementation",
				       json_object_new_string(r->target->implementation));
	if (r->target && r->target->version)
		json_object_object_add(root, "target_version",
				       json_object_new_string(r->target->version));
	for (int k = 0; k < CONF_NR_RESULTS; k++)
		json_object_object_add(counts, conf_result_name((enum conf_result)k),
				       json_object_new_int((int)r->counts[k]));
	json_object_object_add(root, "counts", counts);
	for (size_t i = 0; i < r->n; i++) {
		const struct conf_case_result *res = &r->results[i];
		struct json_object *c = json_object_new_object();

		json_object_object_add(c, "id", json_object_new_string(res->kase->id));
		json_object_object_add(c, "group", json_object_new_string(res->group));
		json_object_object_add(c, "title", json_object_new_string(res->kase->title));
		json_object_object_add(c, "spec", json_object_new_string(res->kase->spec));
		json_object_object_add(c, "level",
				       json_object_new_string(conf_level_name(res->kase->level)));
		json_object_object_add(c, "result",
				       json_object_new_string(conf_result_name(res->result)));
		json_object_object_add(c, "seconds", json_object_new_double(res->seconds));
		if (res->waiver) {
			struct json_object *w = json_object_new_object();

			json_object_object_add(w, "reason", json_object_new_string(res->waiver->reason));
			if (res->waiver->version)
				json_object_object_add(w, "version",
						       json_object_new_string(res->waiver->version));
			json_object_object_add(w, "unwaived",
					       json_object_new_string(conf_result_name(res->unwaived)));
			json_object_object_add(c, "waiver", w);
		}
		if (res->stale_notes)
			json_object_object_add(c, "stale_notes",
					       json_object_new_int((int)res->stale_notes));
		if (res->harm)
			json_object_object_add(c, "harm", json_object_new_string(
						res->harm == CONF_HARM_CRASH ? "crash" : "hang"));
		if (res->log)
			json_object_object_add(c, "log", json_object_new_string(res->log));
		json_object_array_add(cases, c);
	}
	json_object_object_add(root, "cases", cases);
	fprintf(out, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY));
	json_object_put(root);
	return ferror(out) ? -1 : 0;
}
