/* The embedded simulator as a conformance target, and its misbehaviour
 * switches: each breaks one rule so the suite can prove it notices. */
#ifndef NVSIM_CLI_MISBEHAVE_H
#define NVSIM_CLI_MISBEHAVE_H

#include "cli/embedded.h"
#include "conformance/runner.h"

struct cli_quirk {
	nvsim_quirks_t bit;    /* one NVSIM_QUIRK_* */
	const char *name;      /* for --misbehave */
	const char *what;      /* the rule it breaks */
	const char *caught_by; /* comma-separated case IDs that must fail */
	/* Text each case of caught_by must log (the rule it FAILs); NULL:
	 * any FAIL will do. */
	const char *log_has;
	/* The target dies: caught_by is the one case it stops answering
	 * in (an ERROR), the rest of the run is not run. */
	bool dies;
};

extern const struct cli_quirk cli_quirks[];
extern const size_t cli_nr_quirks;

/* --misbehave "a,b": quirk bits, or -1 naming the unknown one in err. */
int cli_parse_quirks(const char *list, nvsim_quirks_t *bits, char *err, size_t len);
struct cli_sim_clock {
	uint64_t ns;
};

/* Start the embedded simulator (with quirks) and describe it as the
 * target under test, its clock under the suite's control. */
int cli_conf_embedded(uint64_t seed, nvsim_quirks_t quirks, struct cli_sim_clock *clock,
		      struct conf_target *t, struct nvsim_embedded **e);

/* The quirk-to-case table as Markdown, for docs/conformance.md. */
void cli_quirks_markdown(FILE *out);

#endif
