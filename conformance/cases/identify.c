/* Cases of the identify group: being written. */
#include "conformance/case.h"

static const struct conf_case identify_cases[] = { { 0 } };

const struct conf_group conf_group_identify = { "identify", identify_cases, 0 };
