/* The --ns namespace spec of `nvmfsim target`: KIND:SIZE[:PATH]. */
#ifndef NVSIM_CLI_NS_SPEC_H
#define NVSIM_CLI_NS_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "ctrl/ctrl.h"

/* "ram:1G", "null:1T", "file:4G:/path".  SIZE is a whole number of
 * lba-byte blocks, never rounded; PATH only (and always) for file, and
 * kept as a pointer into spec.  0, or -EINVAL with err naming the part
 * that is wrong. */
int cli_parse_ns_spec(const char *spec, uint32_t lba, struct nvsim_ns_config *ns, char *err,
		      size_t len);

#endif
