/* Cases of the aer_keepalive group: being written. */
#include "conformance/case.h"

static const struct conf_case aer_keepalive_cases[] = { { 0 } };

const struct conf_group conf_group_aer_keepalive = { "aer_keepalive", aer_keepalive_cases, 0 };
