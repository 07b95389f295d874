/* See profile.h. */
#include <errno.h>
#include <fnmatch.h>
#include <nvme/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/json_in.h"
#include "cli/profile.h"

/* A target profile (--target-profile FILE, JSON):
 *   "name": what the reports call the target;
 *   "implementation": how known-deviation notes name it ("Linux nvmet 6.1");
 *   "lacks": features it legitimately lacks (their cases skip);
 *   "refusing_nqn": a subsystem that does not allow our host;
 *   "skip": [{"id", "why", "harm": "crash"|"hang"}]: cases not to run;
 *   "waive": [{"id", "reason", "version"}]: cases whose FAIL is waived.
 * Every key and type is checked (sim/cli/json_in.h); an error names the
 * element. */
#define MAX_PROFILE_RULES 256
#define MAX_PROFILE_BYTES (1u << 20)
#define MAX_PROFILE_TEXT 1024

static struct conf_skip_rule profile_skips[MAX_PROFILE_RULES];
static struct conf_waiver profile_waivers[MAX_PROFILE_RULES];

static bool known_case(const char *id, bool glob)
{
	size_t ng;
	const struct conf_group *const *g = conf_groups(&ng);

	for (size_t i = 0; i < ng; i++)
		for (size_t k = 0; k < g[i]->nr_cases; k++)
			if (glob ? !fnmatch(id, g[i]->cases[k].id, 0) : !strcmp(id, g[i]->cases[k].id))
				return true;
	return false;
}

/* A copy that outlives the parsed document (NULL stays NULL). */
static const char *keep(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int load_skip(struct json_in *in, struct json_object *e, const char *where,
		     struct conf_skip_rule *r)
{
	static const char *const keys[] = { "id", "why", "harm", NULL };
	const char *id, *why, *harm = NULL;
	int ret;

	if ((ret = json_in_keys(in, e, where, keys)) ||
	    (ret = json_in_string(in, e, where, "id", true, 64, &id)) ||
	    (ret = json_in_string(in, e, where, "why", true, MAX_PROFILE_TEXT, &why)))
		return ret;
	ret = json_in_string(in, e, where, "harm", false, 16, &harm);
	if (ret && ret != -ENOENT)
		return ret;
	if (harm && strcmp(harm, "crash") && strcmp(harm, "hang"))
		return json_in_fail(in, where, "harm", "want \"crash\" or \"hang\", got \"%s\"", harm);
	if (!known_case(id, true))
		return json_in_fail(in, where, "id", "'%s' matches no case", id);
	r->id = keep(id);
	r->why = keep(why);
	r->harm = !harm ? CONF_HARM_NONE : !strcmp(harm, "crash") ? CONF_HARM_CRASH : CONF_HARM_HANG;
	if (r->id && r->why)
		return 0;
	free((char *)r->id), free((char *)r->why);
	return json_in_fail(in, where, NULL, "out of memory");
}

static int load_waiver(struct json_in *in, struct json_object *e, const char *where,
		       struct conf_waiver *r)
{
	static const char *const keys[] = { "id", "reason", "version", NULL };
	const char *id, *reason, *version = NULL;
	int ret;

	if ((ret = json_in_keys(in, e, where, keys)) ||
	    (ret = json_in_string(in, e, where, "id", true, 64, &id)) ||
	    (ret = json_in_string(in, e, where, "reason", true, MAX_PROFILE_TEXT, &reason)))
		return ret;
	ret = json_in_string(in, e, where, "version", false, 128, &version);
	if (ret && ret != -ENOENT)
		return ret;
	if (!known_case(id, false))
		return json_in_fail(in, where, "id", "'%s' is not a case ID (a waiver names one "
				    "case)", id);
	r->id = keep(id);
	r->reason = keep(reason);
	r->version = keep(version);
	if (r->id && r->reason)
		return 0;
	free((char *)r->id), free((char *)r->reason), free((char *)r->version);
	return json_in_fail(in, where, NULL, "out of memory");
}

static int load_rules(struct json_in *in, struct json_object *root, struct conf_target *t)
{
	struct json_object *a = NULL;
	char where[32];
	int ret = json_in_array(in, root, "", "skip", false, MAX_PROFILE_RULES, &a);

	/* set first: what is counted below is what cli_profile_free frees */
	t->skips = profile_skips;
	t->waivers = profile_waivers;
	if (ret && ret != -ENOENT)
		return ret;
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		memset(&profile_skips[t->nr_skips], 0, sizeof(profile_skips[0]));
		if ((ret = load_skip(in, json_object_array_get_idx(a, i),
				     json_in_elem(where, sizeof(where), "skip", i),
				     &profile_skips[t->nr_skips])))
			return ret;
		t->nr_skips++;
	}
	a = NULL;
	ret = json_in_array(in, root, "", "waive", false, MAX_PROFILE_RULES, &a);
	if (ret && ret != -ENOENT)
		return ret;
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		memset(&profile_waivers[t->nr_waivers], 0, sizeof(profile_waivers[0]));
		if ((ret = load_waiver(in, json_object_array_get_idx(a, i),
				       json_in_elem(where, sizeof(where), "waive", i),
				       &profile_waivers[t->nr_waivers])))
			return ret;
		t->nr_waivers++;
	}
	return 0;
}

static int load_lacks(struct json_in *in, struct json_object *root, struct conf_target *t)
{
	struct json_object *a;
	int ret = json_in_array(in, root, "", "lacks", false, 32, &a);

	if (ret)
		return ret == -ENOENT ? 0 : ret;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *v = json_object_array_get_idx(a, i);
		unsigned int bit = json_object_is_type(v, json_type_string)
					   ? conf_feature_by_name(json_object_get_string(v))
					   : 0;
		char where[32];

		if (!bit)
			return json_in_fail(in, json_in_elem(where, sizeof(where), "lacks", i), NULL,
					    "want a feature name (discovery, keyed-sgl, in-capsule, "
					    "io, referrals, time-control, fault-injection, "
					    "host-filter), got %s", json_object_get_string(v));
		t->features &= ~bit;
	}
	return 0;
}

static int load_strings(struct json_in *in, struct json_object *root, struct conf_target *t,
			char *title, size_t title_len)
{
	const char *v = NULL;
	int ret = json_in_string(in, root, "", "name", false, MAX_PROFILE_TEXT, &v);

	if (ret && ret != -ENOENT)
		return ret;
	if (v)
		snprintf(title, title_len, "%s", v);
	v = NULL;
	ret = json_in_string(in, root, "", "implementation", false, 128, &v);
	if (ret && ret != -ENOENT)
		return ret;
	t->implementation = keep(v);
	v = NULL;
	ret = json_in_string(in, root, "", "refusing_nqn", false, NVMF_NQN_SIZE, &v);
	if (ret && ret != -ENOENT)
		return ret;
	if (v && !t->refusing_subnqn)
		t->refusing_subnqn = keep(v);
	v = NULL;
	ret = json_in_string(in, root, "", "comment", false, 4 * MAX_PROFILE_TEXT, &v);
	return ret == -ENOENT ? 0 : ret;
}

static int load_root(struct json_in *in, struct json_object *root, struct conf_target *t,
		     char *title, size_t title_len)
{
	static const char *const keys[] = { "name", "implementation", "lacks", "refusing_nqn",
					    "skip", "waive", "comment", NULL };
	int ret;

	t->nr_skips = t->nr_waivers = 0;
	if (!(ret = json_in_keys(in, root, "", keys)) && !(ret = load_lacks(in, root, t)) &&
	    !(ret = load_rules(in, root, t)))
		ret = load_strings(in, root, t, title, title_len);
	return ret;
}

int cli_profile_load(const char *path, struct conf_target *t, char *title, size_t title_len)
{
	struct json_in in = { 0 };
	struct json_object *root;
	int ret = json_in_parse_file(&in, path, MAX_PROFILE_BYTES, &root);

	if (!ret)
		ret = load_root(&in, root, t, title, title_len);
	if (ret)
		fprintf(stderr, "nvmfsim conform: --target-profile %s\n", in.err);
	json_object_put(root);
	return ret;
}

int cli_profile_parse(const char *text, size_t len, struct conf_target *t, char *err,
		      size_t err_len)
{
	struct json_in in = { 0 };
	struct json_object *root;
	char title[128];
	int ret = len > MAX_PROFILE_BYTES ? json_in_fail(&in, "", NULL, "too large")
					  : json_in_parse(&in, text, len, &root);

	if (!ret) {
		ret = load_root(&in, root, t, title, sizeof(title));
		json_object_put(root);
	}
	if (ret)
		snprintf(err, err_len, "%s", in.err);
	return ret;
}

void cli_profile_free(struct conf_target *t)
{
	for (size_t i = 0; i < t->nr_skips; i++)
		free((char *)t->skips[i].id), free((char *)t->skips[i].why);
	for (size_t i = 0; i < t->nr_waivers; i++)
		free((char *)t->waivers[i].id), free((char *)t->waivers[i].reason),
			free((char *)t->waivers[i].version);
	free((char *)t->implementation);
	t->implementation = NULL;
	t->nr_skips = t->nr_waivers = 0;
}

