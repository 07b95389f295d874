/* Cases of the cm group: being written. */
#include "conformance/case.h"

static const struct conf_case cm_cases[] = { { 0 } };

const struct conf_group conf_group_cm = { "cm", cm_cases, 0 };
