/* replay_file_fuzzer: the reader of `nvmfsim fuzz --replay` files, from
 * memory (issue 12).
 *
 * Input: the JSON text.
 * Invariants: no crash, leak or hang; a refusal names the file; an
 * accepted file's capsules are within the caps the format states (count,
 * bytes, QID 0 or 1) and its rules fit the recorded maximum. */
#include <errno.h>
#include <string.h>

#include "cli/replay_in.h"
#include "fz.h"

static void check_accepted(const struct cli_replay *r)
{
	if (r->replay.nr > WIRE_REPLAY_MAX_CAPSULES)
		fz_fail("%zu capsules accepted", r->replay.nr);
	if (r->nr_inject > WIRE_REPLAY_MAX_INJECT)
		fz_fail("%u rules accepted", r->nr_inject);
	for (size_t i = 0; i < r->replay.nr; i++) {
		const struct wire_capsule *c = &r->replay.capsules[i];

		if (c->len > WIRE_CAPSULE_MAX || c->qid > 1 || !c->bytes)
			fz_fail("capsule %zu: %u bytes, QID %u accepted", i, c->len, c->qid);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cli_replay r;
	char err[600];
	int ret;

	err[0] = 0;
	ret = cli_replay_parse("fuzz.json", (const char *)data, size, &r, err, sizeof(err));
	if (ret && ret != -ENOMEM && strncmp(err, "fuzz.json: ", 11))
		fz_fail("refused (%d) without naming the file: '%s'", ret, err);
	if (!ret)
		check_accepted(&r);
	cli_replay_free(&r);
	return 0;
}
