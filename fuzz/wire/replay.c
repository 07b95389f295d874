/* Replay files: the writer, and the base64 both directions use.  The
 * reader judges a file a user hands over, so it lives with the command's
 * input checks (sim/cli/fuzz.c); the limits in wire.h bind both. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/wire.h"
#include "wire/wire_priv.h"

/* What the writer produces, the reader must take. */
_Static_assert(WIRE_BATCH <= WIRE_REPLAY_MAX_CAPSULES, "a batch must fit a replay file");
_Static_assert((uint64_t)WIRE_BATCH * (WIRE_CAPSULE_B64_MAX + 64) + 4096 < WIRE_REPLAY_MAX_BYTES,
	       "a batch's replay file must fit the reader's size cap");

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *base64_encode(const uint8_t *p, size_t n)
{
	char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);

		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? b64[v & 63] : '=';
	}
	*o = 0;
	return out;
}

long wire_base64_decode(const char *s, uint8_t *out, size_t max)
{
	uint32_t v = 0;
	unsigned int bits = 0;
	size_t n = 0, pad = 0;

	for (; *s && *s != '='; s++) {
		const char *c = strchr(b64, *s);

		if (!c)
			return -1;
		v = v << 6 | (uint32_t)(c - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == max)
				return -1;
			out[n++] = (uint8_t)(v >> bits);
		}
	}
	/* At most two '=' and nothing after them. */
	for (; *s == '='; s++)
		pad++;
	if (*s || pad > 2)
		return -1;
	return (long)n;
}

static int add(struct json_object *o, const char *key, struct json_object *v)
{
	if (!v && key && strcmp(key, "traddr"))
		return -ENOMEM;
	return json_object_object_add(o, key, v) ? -ENOMEM : 0;
}

/* Keys in the order a reader wants them: what and why first, capsules last. */
static int build(const struct wire *w, const struct wire_target_desc *t, struct json_object *root)
{
	struct json_object *caps = json_object_new_array(), *target = json_object_new_object();
	struct json_object *inj = json_object_new_array(), *mem = json_object_new_array();
	int ret = 0;

	if (!caps || !target || !inj || !mem) {
		json_object_put(caps);
		json_object_put(target);
		json_object_put(inj);
		json_object_put(mem);
		return -ENOMEM;
	}
	ret |= add(root, "tool", json_object_new_string("nvmfsim fuzz"));
	ret |= add(root, "version", json_object_new_int(WIRE_REPLAY_VERSION));
	ret |= add(root, "seed", json_object_new_uint64(w->cfg.seed));
	ret |= add(root, "step", json_object_new_uint64(w->nr_batch ? w->batch[0].step : 0));
	ret |= add(root, "reason", json_object_new_string(w->finding));
	ret |= add(root, "target", target);
	ret |= add(target, "traddr", t->traddr ? json_object_new_string(t->traddr) : NULL);
	ret |= add(target, "trsvcid", json_object_new_string(t->trsvcid ? t->trsvcid : "4420"));
	ret |= add(target, "nqn", json_object_new_string(t->nqn));
	ret |= add(target, "inject", inj);
	for (unsigned int i = 0; i < t->nr_inject && i < WIRE_REPLAY_MAX_INJECT; i++)
		ret |= json_object_array_add(inj, json_object_new_string(t->inject[i]));
	ret |= add(root, "memory", mem);
	for (unsigned int i = 0; i < 2; i++) {
		struct json_object *m = json_object_new_object();

		if (!m || json_object_array_add(mem, m)) {
			json_object_put(m);
			json_object_put(caps);
			return -ENOMEM;
		}
		ret |= add(m, "addr", json_object_new_uint64(w->mem_addr[i]));
		ret |= add(m, "rkey", json_object_new_uint64(w->mem_rkey[i]));
	}
	if (add(root, "capsules", caps))
		return -ENOMEM;
	/* A batch is at most WIRE_BATCH capsules of at most WIRE_CAPSULE_MAX
	 * bytes: within what the reader takes (checked above). */
	for (unsigned int i = 0; i < w->nr_batch && i < WIRE_BATCH; i++) {
		const struct wire_capsule *b = &w->batch[i];
		struct json_object *c = json_object_new_object();
		char *data = base64_encode(b->bytes, b->len <= WIRE_CAPSULE_MAX ? b->len : 0);

		if (!c || !data || json_object_array_add(caps, c)) {
			free(data);
			json_object_put(c);
			return -ENOMEM;
		}
		ret |= add(c, "step", json_object_new_uint64(b->step));
		ret |= add(c, "qid", json_object_new_int(b->qid));
		ret |= add(c, "data", json_object_new_string(data));
		free(data);
	}
	return ret ? -ENOMEM : 0;
}

int wire_save_replay(const struct wire *w, const struct wire_target_desc *t, const char *path,
		     char *err, size_t len)
{
	struct json_object *root = json_object_new_object();
	const char *text;
	FILE *fp;
	int ret = root ? build(w, t, root) : -ENOMEM;

	if (ret) {
		json_object_put(root);
		snprintf(err, len, "%s", strerror(-ret));
		return ret;
	}
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY);
	errno = 0;
	fp = fopen(path, "w");
	if (!fp || fputs(text, fp) == EOF || fputc('\n', fp) == EOF || ferror(fp)) {
		ret = errno ? -errno : -EIO;
		if (fp)
			fclose(fp);
	} else if (fclose(fp)) {
		ret = errno ? -errno : -EIO;
	}
	json_object_put(root);
	if (ret)
		snprintf(err, len, "%s", strerror(-ret));
	return ret;
}
