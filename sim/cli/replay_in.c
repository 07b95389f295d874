/* The replay-file reader (see replay_in.h).  A file is judged whole before
 * anything is sent: an unknown key, a wrong type or a capsule that is not
 * base64 of at most one capsule is an input error naming the element. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/json_in.h"
#include "cli/replay_in.h"

static const char *const root_keys[] = { "tool", "version", "seed", "step", "reason",
					 "target", "memory", "capsules", NULL };
static const char *const target_keys[] = { "traddr", "trsvcid", "nqn", "inject", NULL };
static const char *const memory_keys[] = { "addr", "rkey", NULL };
static const char *const capsule_keys[] = { "step", "qid", "data", NULL };

/* An optional string that may also be null (the embedded simulator has no
 * address): -ENOENT for both. */
static int string_or_null(struct json_in *in, struct json_object *o, const char *where,
			  const char *key, size_t max, const char **out)
{
	struct json_object *v;

	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_null))
		return -ENOENT;
	return json_in_string(in, o, where, key, false, max, out);
}

static bool ok_or_absent(int ret)
{
	return ret == 0 || ret == -ENOENT;
}

static int read_inject(struct json_in *in, struct json_object *inj, struct cli_replay *r)
{
	char where[48], err[160];

	for (size_t i = 0; inj && i < json_object_array_length(inj); i++) {
		struct json_object *e = json_object_array_get_idx(inj, i);

		json_in_elem(where, sizeof(where), "target.inject", i);
		if (!json_object_is_type(e, json_type_string))
			return json_in_fail(in, where, NULL, "want a string (an --inject rule)");
		if (cli_parse_inject(json_object_get_string(e), &r->inject[r->nr_inject], err,
				     sizeof(err)))
			return json_in_fail(in, where, NULL, "'%s': %s", json_object_get_string(e),
					    err);
		r->nr_inject++;
	}
	return 0;
}

static int read_target(struct json_in *in, struct json_object *root, struct cli_replay *r)
{
	struct json_object *t, *inj = NULL;
	char err[160];
	uint64_t port;
	int ret = json_in_object(in, root, "", "target", false, &t);

	if (ret == -ENOENT)
		return 0;
	if (ret || json_in_keys(in, t, "target", target_keys))
		return -EINVAL;
	if (!ok_or_absent(string_or_null(in, t, "target", "traddr", CLI_TRADDR_MAX, &r->traddr)) ||
	    !ok_or_absent(json_in_string(in, t, "target", "trsvcid", false, 32, &r->trsvcid)) ||
	    !ok_or_absent(json_in_string(in, t, "target", "nqn", false, 223, &r->nqn)) ||
	    !ok_or_absent(json_in_array(in, t, "target", "inject", false, WIRE_REPLAY_MAX_INJECT,
					&inj)))
		return -EINVAL;
	if (r->traddr && strpbrk(r->traddr, "[] \t\n"))
		return json_in_fail(in, "target", "traddr", "want an address, v6 without brackets");
	if (r->trsvcid &&
	    (cli_parse_u64(r->trsvcid, 65535, &port) || !port || r->trsvcid[0] == '0'))
		return json_in_fail(in, "target", "trsvcid", "want a port, 1 to 65535, got \"%s\"",
				    r->trsvcid);
	if (r->nqn && cli_check_nqn(r->nqn, err, sizeof(err)))
		return json_in_fail(in, "target", "nqn", "%s", err);
	return read_inject(in, inj, r);
}

static int read_memory(struct json_in *in, struct json_object *root, struct cli_replay *r)
{
	struct json_object *mem;
	char where[32];
	int ret = json_in_array(in, root, "", "memory", false, 2, &mem);

	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;
	for (size_t i = 0; i < json_object_array_length(mem); i++) {
		struct json_object *m = json_object_array_get_idx(mem, i);
		uint64_t addr = 0, rkey = 0;

		json_in_elem(where, sizeof(where), "memory", i);
		if (json_in_keys(in, m, where, memory_keys) ||
		    json_in_uint(in, m, where, "addr", true, 0, UINT64_MAX, &addr) ||
		    json_in_uint(in, m, where, "rkey", true, 0, UINT32_MAX, &rkey))
			return -EINVAL;
		r->replay.mem_addr[i] = addr;
		r->replay.mem_rkey[i] = (uint32_t)rkey;
	}
	return 0;
}

static int read_capsule(struct json_in *in, struct json_object *c, size_t i,
			struct wire_capsule *out)
{
	_Alignas(8) uint8_t buf[WIRE_CAPSULE_MAX];
	struct json_object *v;
	const char *data = "";
	uint64_t step = i, qid = 0;
	char where[32];
	bool empty;
	long len;

	json_in_elem(where, sizeof(where), "capsules", i);
	if (json_in_keys(in, c, where, capsule_keys) ||
	    !ok_or_absent(json_in_uint(in, c, where, "step", false, 0, UINT64_MAX, &step)) ||
	    json_in_uint(in, c, where, "qid", true, 0, 1, &qid))
		return -EINVAL;
	/* "" is a capsule of no bytes (a runt the generator made). */
	empty = json_object_object_get_ex(c, "data", &v) &&
		json_object_is_type(v, json_type_string) && json_object_get_string_len(v) == 0;
	if (!empty && json_in_string(in, c, where, "data", true, WIRE_CAPSULE_B64_MAX, &data))
		return -EINVAL;
	len = wire_base64_decode(data, buf, sizeof(buf));
	if (len < 0)
		return json_in_fail(in, where, "data", "not base64 of at most %u bytes",
				    WIRE_CAPSULE_MAX);
	out->bytes = malloc(len ? (size_t)len : 1);
	if (!out->bytes)
		return json_in_fail(in, where, "data", "out of memory"), -ENOMEM;
	memcpy(out->bytes, buf, (size_t)len);
	out->len = (uint16_t)len;
	out->qid = (uint8_t)qid;
	out->step = step;
	return 0;
}

static int read_root(struct json_in *in, struct json_object *root, struct cli_replay *r)
{
	uint64_t version = WIRE_REPLAY_VERSION, u;
	struct json_object *caps;
	const char *s;
	size_t n;
	int ret;

	if (json_in_keys(in, root, "", root_keys) ||
	    !ok_or_absent(json_in_uint(in, root, "", "version", false, 0, UINT32_MAX, &version)) ||
	    !ok_or_absent(json_in_string(in, root, "", "tool", false, 64, &s)) ||
	    !ok_or_absent(json_in_uint(in, root, "", "step", false, 0, UINT64_MAX, &u)) ||
	    !ok_or_absent(json_in_string(in, root, "", "reason", false, 1024, &s)))
		return -EINVAL;
	ret = json_in_uint(in, root, "", "seed", false, 0, UINT64_MAX, &r->replay.seed);
	if (!ok_or_absent(ret))
		return ret;
	r->has_seed = ret == 0;
	if (version != WIRE_REPLAY_VERSION)
		return json_in_fail(in, "", "version",
				    "%" PRIu64 ", but this nvmfsim reads version %u", version,
				    WIRE_REPLAY_VERSION);
	if (read_target(in, root, r) || read_memory(in, root, r) ||
	    json_in_array(in, root, "", "capsules", true, WIRE_REPLAY_MAX_CAPSULES, &caps))
		return -EINVAL;
	n = json_object_array_length(caps);
	r->capsules = calloc(n ? n : 1, sizeof(*r->capsules));
	if (!r->capsules)
		return json_in_fail(in, "capsules", NULL, "out of memory"), -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		ret = read_capsule(in, json_object_array_get_idx(caps, i), i, &r->capsules[i]);
		if (ret)
			return ret;
		r->replay.nr = i + 1;
	}
	r->replay.capsules = r->capsules;
	return 0;
}

static int finish(struct json_in *in, int ret, char *err, size_t errlen)
{
	if (ret)
		snprintf(err, errlen, "%s", in->err);
	return ret;
}

int cli_replay_parse(const char *name, const char *text, size_t len, struct cli_replay *r,
		     char *err, size_t errlen)
{
	struct json_in in = { .file = name };
	int ret;

	memset(r, 0, sizeof(*r));
	if (len > WIRE_REPLAY_MAX_BYTES)
		return finish(&in, json_in_fail(&in, "", NULL, "%zu bytes, more than the %u a "
						"replay file may have", len, WIRE_REPLAY_MAX_BYTES),
			      err, errlen);
	ret = json_in_parse(&in, text, len, &r->json);
	if (!ret)
		ret = read_root(&in, r->json, r);
	return finish(&in, ret, err, errlen);
}

int cli_replay_load(const char *path, struct cli_replay *r, char *err, size_t errlen)
{
	struct json_in in = { .file = path };
	int ret;

	memset(r, 0, sizeof(*r));
	ret = json_in_parse_file(&in, path, WIRE_REPLAY_MAX_BYTES, &r->json);
	if (!ret)
		ret = read_root(&in, r->json, r);
	return finish(&in, ret, err, errlen);
}

void cli_replay_free(struct cli_replay *r)
{
	for (size_t i = 0; r->capsules && i < r->replay.nr; i++)
		free(r->capsules[i].bytes);
	free(r->capsules);
	json_object_put(r->json);
	memset(r, 0, sizeof(*r));
}
