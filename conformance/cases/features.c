/* Cases of the features group: being written. */
#include "conformance/case.h"

static const struct conf_case features_cases[] = { { 0 } };

const struct conf_group conf_group_features = { "features", features_cases, 0 };
