/* Cases of the property group: being written. */
#include "conformance/case.h"

static const struct conf_case property_cases[] = { { 0 } };

const struct conf_group conf_group_property = { "property", property_cases, 0 };
