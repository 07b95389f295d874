/* Cases of the io group: being written. */
#include "conformance/case.h"

static const struct conf_case io_cases[] = { { 0 } };

const struct conf_group conf_group_io = { "io", io_cases, 0 };
