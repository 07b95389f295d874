/* Reading a replay file `nvmfsim fuzz --replay-out` wrote: every key known
 * and typed, capsules and bytes capped (WIRE_REPLAY_MAX_*), each error
 * naming the element.  The wire engine (fuzz/wire) writes the format and
 * resends what this reads. */
#ifndef NVSIM_CLI_REPLAY_IN_H
#define NVSIM_CLI_REPLAY_IN_H

#include <json-c/json.h>
#include <stddef.h>

#include "target/target.h"
#include "wire/wire.h"

struct cli_replay {
	struct json_object *json; /* owns the strings below */
	struct wire_replay replay;
	struct wire_capsule *capsules;
	bool has_seed;
	/* The recorded target, NULL where absent (a null traddr: the
	 * embedded simulator). */
	const char *traddr, *trsvcid, *nqn;
	/* The embedded simulator's --inject rules of the recorded run. */
	struct nvsim_inject_rule inject[WIRE_REPLAY_MAX_INJECT];
	unsigned int nr_inject;
};

/* name: the file's name for messages.  0, or -EINVAL (-ENOMEM) with err
 * set ("name: capsules[3].data: not base64 ..."); r is freed either way
 * by cli_replay_free. */
int cli_replay_parse(const char *name, const char *text, size_t len, struct cli_replay *r,
		     char *err, size_t errlen);
int cli_replay_load(const char *path, struct cli_replay *r, char *err, size_t errlen);
void cli_replay_free(struct cli_replay *r);

#endif
