/* Reading JSON a user wrote (configs, target profiles, replay files) the one
 * way every subcommand shares: a size cap, the line and column of a syntax
 * error, nothing after the document, and typed accessors that refuse a
 * wrong type, a fraction, an out-of-range value or an unknown key, each
 * error naming the element by its path ("subsystems[0].namespaces[1].nsid:
 * want an integer 1 to 4294967294, got 1.9").
 *
 * Accessors return 0, -ENOENT for an absent optional key (out untouched),
 * or -EINVAL with the message in the reader's err. */
#ifndef NVSIM_CLI_JSON_IN_H
#define NVSIM_CLI_JSON_IN_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_in {
	const char *file; /* for messages */
	char err[512];
};

/* Parses the file (at most max_bytes) into *root; the caller puts it. */
int json_in_parse_file(struct json_in *in, const char *path, size_t max_bytes,
		       struct json_object **root);
/* The same for text in memory (len bytes, no NUL needed). */
int json_in_parse(struct json_in *in, const char *text, size_t len, struct json_object **root);

/* where: the path of o ("" for the root, "subsystems[0]"). */
int json_in_object(struct json_in *in, struct json_object *o, const char *where, const char *key,
		   bool required, struct json_object **out);
int json_in_array(struct json_in *in, struct json_object *o, const char *where, const char *key,
		  bool required, size_t max_len, struct json_object **out);
/* A non-empty string of at most max_len bytes without NUL. */
int json_in_string(struct json_in *in, struct json_object *o, const char *where, const char *key,
		   bool required, size_t max_len, const char **out);
/* An integer (not a fraction, a boolean or a string) in [min, max]. */
int json_in_uint(struct json_in *in, struct json_object *o, const char *where, const char *key,
		 bool required, uint64_t min, uint64_t max, uint64_t *out);
int json_in_bool(struct json_in *in, struct json_object *o, const char *where, const char *key,
		 bool required, bool *out);
/* o must be an object whose keys are all in keys (NULL-terminated). */
int json_in_keys(struct json_in *in, struct json_object *o, const char *where,
		 const char *const *keys);
/* An array element's path: "where[i]" into buf. */
const char *json_in_elem(char *buf, size_t len, const char *where, size_t i);
/* Formats an error about where.key into in->err; returns -EINVAL. */
int json_in_fail(struct json_in *in, const char *where, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
