/* Target profiles (--target-profile FILE): what the target lacks, which
 * cases must not run against it, which FAILs are waived (see
 * conformance/README.md), read through json_in so every error names the
 * element. */
#ifndef NVSIM_CLI_PROFILE_H
#define NVSIM_CLI_PROFILE_H

#include <stddef.h>

#include "conformance/runner.h"

/* Reads path into t (features, skips, waivers, implementation,
 * refusing_nqn) and title; prints the error and returns -EINVAL. */
int cli_profile_load(const char *path, struct conf_target *t, char *title, size_t title_len);
/* The same from text, the error into err (the local-input fuzzer). */
int cli_profile_parse(const char *text, size_t len, struct conf_target *t, char *err,
		      size_t err_len);
/* Frees what a load kept (the strings of skips, waivers, implementation). */
void cli_profile_free(struct conf_target *t);

#endif
