/* Cases of the discovery group: being written. */
#include "conformance/case.h"

static const struct conf_case discovery_cases[] = { { 0 } };

const struct conf_group conf_group_discovery = { "discovery", discovery_cases, 0 };
