/* See json_in.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/json_in.h"

static const char *type_name(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_double: return "a fraction";
	case json_type_int: return "an integer";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	}
	return "?";
}

int json_in_fail(struct json_in *in, const char *where, const char *key, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(in->err, sizeof(in->err), "%s%s%s%s%s%s%s", in->file ? in->file : "",
		 in->file ? ": " : "", where, *where && key ? "." : "", key ? key : "",
		 *where || key ? ": " : "", msg);
	return -EINVAL;
}

/* Line and column of byte off, for a syntax error. */
static void line_col(const char *text, size_t off, unsigned int *line, unsigned int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

int json_in_parse(struct json_in *in, const char *text, size_t len, struct json_object **root)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;
	unsigned int line, col;
	size_t end;

	*root = NULL;
	if (!tok)
		return json_in_fail(in, "", NULL, "out of memory");
	if (len > INT32_MAX) {
		json_tokener_free(tok);
		return json_in_fail(in, "", NULL, "too large");
	}
	o = json_tokener_parse_ex(tok, text, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (!o) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		line_col(text, end, &line, &col);
		json_tokener_free(tok);
		/* json-c reports running out of memory as no error at all */
		return json_in_fail(in, "", NULL, "line %u, column %u: %s", line, col,
				    e == json_tokener_continue ? "the document ends early"
				    : e == json_tokener_success ? "out of memory"
								: json_tokener_error_desc(e));
	}
	json_tokener_free(tok);
	while (end < len && (text[end] == ' ' || text[end] == '\t' || text[end] == '\n' ||
			     text[end] == '\r'))
		end++;
	if (end < len) {
		line_col(text, end, &line, &col);
		json_object_put(o);
		return json_in_fail(in, "", NULL, "line %u, column %u: text after the JSON document",
				    line, col);
	}
	*root = o;
	return 0;
}

int json_in_parse_file(struct json_in *in, const char *path, size_t max_bytes,
		       struct json_object **root)
{
	/* O_NONBLOCK: a FIFO must not block the open; fstat then refuses it */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	char *text = NULL;
	ssize_t got = 0;
	int ret;

	*root = NULL;
	in->file = path;
	if (fd < 0)
		return json_in_fail(in, "", NULL, "%s", strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return json_in_fail(in, "", NULL, "not a regular file");
	}
	if ((uint64_t)st.st_size > max_bytes) {
		close(fd);
		return json_in_fail(in, "", NULL, "%lld bytes, more than the %zu this file may have",
				    (long long)st.st_size, max_bytes);
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		close(fd);
		return json_in_fail(in, "", NULL, "out of memory");
	}
	while (got < st.st_size) {
		ssize_t n = read(fd, text + got, (size_t)(st.st_size - got));

		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	if (got != st.st_size) {
		free(text);
		return json_in_fail(in, "", NULL, "short read");
	}
	ret = json_in_parse(in, text, (size_t)got, root);
	free(text);
	return ret;
}

static int get(struct json_in *in, struct json_object *o, const char *where, const char *key,
	       bool required, struct json_object **v)
{
	if (!json_object_is_type(o, json_type_object))
		return json_in_fail(in, where, NULL, "want an object, got %s", type_name(o));
	if (json_object_object_get_ex(o, key, v))
		return 0;
	if (required)
		return json_in_fail(in, where, key, "missing");
	return -ENOENT;
}

int json_in_object(struct json_in *in, struct json_object *o, const char *where, const char *key,
		   bool required, struct json_object **out)
{
	struct json_object *v;
	int ret = get(in, o, where, key, required, &v);

	if (ret)
		return ret;
	if (!json_object_is_type(v, json_type_object))
		return json_in_fail(in, where, key, "want an object, got %s", type_name(v));
	*out = v;
	return 0;
}

int json_in_array(struct json_in *in, struct json_object *o, const char *where, const char *key,
		  bool required, size_t max_len, struct json_object **out)
{
	struct json_object *v;
	int ret = get(in, o, where, key, required, &v);

	if (ret)
		return ret;
	if (!json_object_is_type(v, json_type_array))
		return json_in_fail(in, where, key, "want an array, got %s", type_name(v));
	if (json_object_array_length(v) > max_len)
		return json_in_fail(in, where, key, "%zu entries, more than the limit of %zu",
				    json_object_array_length(v), max_len);
	*out = v;
	return 0;
}

int json_in_string(struct json_in *in, struct json_object *o, const char *where, const char *key,
		   bool required, size_t max_len, const char **out)
{
	struct json_object *v;
	int ret = get(in, o, where, key, required, &v);
	size_t len;

	if (ret)
		return ret;
	if (!json_object_is_type(v, json_type_string))
		return json_in_fail(in, where, key, "want a string, got %s", type_name(v));
	len = (size_t)json_object_get_string_len(v);
	if (!len)
		return json_in_fail(in, where, key, "empty");
	if (len > max_len)
		return json_in_fail(in, where, key, "%zu bytes, more than %zu", len, max_len);
	if (strlen(json_object_get_string(v)) != len)
		return json_in_fail(in, where, key, "holds a NUL byte");
	*out = json_object_get_string(v);
	return 0;
}

int json_in_uint(struct json_in *in, struct json_object *o, const char *where, const char *key,
		 bool required, uint64_t min, uint64_t max, uint64_t *out)
{
	struct json_object *v;
	int ret = get(in, o, where, key, required, &v);
	int64_t i;

	if (ret)
		return ret;
	if (!json_object_is_type(v, json_type_int))
		return json_in_fail(in, where, key, "want an integer %llu to %llu, got %s",
				    (unsigned long long)min, (unsigned long long)max,
				    json_object_is_type(v, json_type_double)
					    ? json_object_get_string(v)
					    : type_name(v));
	/* json-c keeps integers above INT64_MAX as unsigned */
	if (json_object_get_int64(v) == INT64_MAX && max > (uint64_t)INT64_MAX) {
		uint64_t u = json_object_get_uint64(v);

		/* json-c saturates a larger number at UINT64_MAX without a word */
		if (u < min || u > max ||
		    (u == UINT64_MAX && strcmp(json_object_get_string(v), "18446744073709551615")))
			goto range;
		*out = u;
		return 0;
	}
	i = json_object_get_int64(v);
	if (i < 0 || (uint64_t)i < min || (uint64_t)i > max)
		goto range;
	*out = (uint64_t)i;
	return 0;
range:
	return json_in_fail(in, where, key, "want an integer %llu to %llu, got %s",
			    (unsigned long long)min, (unsigned long long)max,
			    json_object_get_string(v));
}

int json_in_bool(struct json_in *in, struct json_object *o, const char *where, const char *key,
		 bool required, bool *out)
{
	struct json_object *v;
	int ret = get(in, o, where, key, required, &v);

	if (ret)
		return ret;
	if (!json_object_is_type(v, json_type_boolean))
		return json_in_fail(in, where, key, "want true or false, got %s", type_name(v));
	*out = json_object_get_boolean(v);
	return 0;
}

int json_in_keys(struct json_in *in, struct json_object *o, const char *where,
		 const char *const *keys)
{
	if (!json_object_is_type(o, json_type_object))
		return json_in_fail(in, where, NULL, "want an object, got %s", type_name(o));
	json_object_object_foreach(o, key, val) {
		const char *const *k = keys;

		(void)val;
		while (*k && strcmp(*k, key))
			k++;
		if (!*k)
			return json_in_fail(in, where, NULL, "unknown key \"%s\"", key);
	}
	return 0;
}

const char *json_in_elem(char *buf, size_t len, const char *where, size_t i)
{
	snprintf(buf, len, "%s[%zu]", where, i);
	return buf;
}
