/* Every case group, in the order the suite runs them.  A new group file
 * adds its extern here. */
#include "conformance/runner.h"

extern const struct conf_group conf_group_connect;

static const struct conf_group *const groups[] = {
	&conf_group_connect,
};

const struct conf_group *const *conf_groups(size_t *n)
{
	*n = sizeof(groups) / sizeof(groups[0]);
	return groups;
}
