/* --ns KIND:SIZE[:PATH]: one parser, so `target`'s check and its build
 * read a spec the same way, and the fuzzer reaches it (local_input). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/ns_spec.h"

static const struct {
	const char *name;
	enum nvsim_ns_backend backend;
} kinds[] = {
	{ "ram", NVSIM_NS_RAM },
	{ "null", NVSIM_NS_NULL },
	{ "file", NVSIM_NS_FILE },
};

static int kind_of(const char *spec, size_t len, enum nvsim_ns_backend *out)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strlen(kinds[i].name) == len && !strncmp(spec, kinds[i].name, len)) {
			*out = kinds[i].backend;
			return 0;
		}
	}
	return -EINVAL;
}

int cli_parse_ns_spec(const char *spec, uint32_t lba, struct nvsim_ns_config *ns, char *err,
		      size_t len)
{
	const char *colon = strchr(spec, ':'), *path;
	char why[160];
	size_t size_len;

	memset(ns, 0, sizeof(*ns));
	if (!colon || kind_of(spec, (size_t)(colon - spec), &ns->backend))
		return snprintf(err, len, "want ram:SIZE, null:SIZE or file:SIZE:PATH"), -EINVAL;
	path = strchr(colon + 1, ':');
	size_len = path ? (size_t)(path - colon - 1) : strlen(colon + 1);
	/* The size is parsed in place: a cut copy could read as another size. */
	if (cli_parse_size_n(colon + 1, size_len, lba, &ns->size_bytes, why, sizeof(why)))
		return snprintf(err, len, "SIZE: %s (an LBA is %u bytes)", why, lba), -EINVAL;
	if (!ns->size_bytes)
		return snprintf(err, len, "SIZE 0"), -EINVAL;
	ns->lba_size = lba;
	if (ns->backend != NVSIM_NS_FILE && path)
		return snprintf(err, len, "%.*s takes no PATH ('%s'); only file:SIZE:PATH does",
				(int)(colon - spec), spec, path + 1), -EINVAL;
	if (ns->backend == NVSIM_NS_FILE && (!path || !path[1]))
		return snprintf(err, len, "file: want file:SIZE:PATH, PATH missing"), -EINVAL;
	if (path)
		ns->path = path + 1;
	return 0;
}
