/* Cases of the log group: being written. */
#include "conformance/case.h"

static const struct conf_case log_cases[] = { { 0 } };

const struct conf_group conf_group_log = { "log", log_cases, 0 };
