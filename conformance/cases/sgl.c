/* Cases of the sgl group: being written. */
#include "conformance/case.h"

static const struct conf_case sgl_cases[] = { { 0 } };

const struct conf_group conf_group_sgl = { "sgl", sgl_cases, 0 };
