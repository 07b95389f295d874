/* nvmet_config_fuzzer: `nvmfsim target --config` (an nvmetcli saved
 * config) read from memory into a fresh target (issue 12).
 *
 * Input: the JSON text.  Namespace paths other than ram:/null: are refused
 * (CLI_CONFIG_NO_FILES), so no input opens a file.
 * Invariants: no crash, leak or hang; a refusal says why, naming the file;
 * an accepted config has a port to listen on, as the loader promises. */
#include <errno.h>
#include <string.h>

#include "cli/config.h"
#include "fz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nvsim_target_config tc;
	struct nvsim_target *t;
	struct cli_config cfg;
	char err[512];
	int ret;

	nvsim_target_config_init(&tc);
	if (nvsim_target_create(&tc, &t))
		fz_fail("cannot create a target");
	err[0] = 0;
	ret = cli_config_parse("fuzz.json", (const char *)data, size, 512, CLI_CONFIG_NO_FILES, t,
			       &cfg, err, sizeof(err));
	if (ret && ret != -ENOMEM && strncmp(err, "fuzz.json: ", 11))
		fz_fail("refused (%d) without naming the file: '%s'", ret, err);
	if (!ret && !cfg.nr_ports)
		fz_fail("accepted with nothing to listen on");
	nvsim_target_destroy(t);
	return 0;
}
