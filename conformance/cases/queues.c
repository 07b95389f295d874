/* Cases of the queues group: being written. */
#include "conformance/case.h"

static const struct conf_case queues_cases[] = { { 0 } };

const struct conf_group conf_group_queues = { "queues", queues_cases, 0 };
