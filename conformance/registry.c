/* Every case group, in the order the suite runs them.  A new group file
 * adds its extern here. */
#include "conformance/runner.h"

extern const struct conf_group conf_group_connect;
extern const struct conf_group conf_group_property;
extern const struct conf_group conf_group_identify;
extern const struct conf_group conf_group_features;
extern const struct conf_group conf_group_log;
extern const struct conf_group conf_group_aer_keepalive;
extern const struct conf_group conf_group_discovery;
extern const struct conf_group conf_group_io;
extern const struct conf_group conf_group_sgl;
extern const struct conf_group conf_group_cm;
extern const struct conf_group conf_group_queues;

static const struct conf_group *const groups[] = {
	&conf_group_connect,
	&conf_group_property,
	&conf_group_identify,
	&conf_group_features,
	&conf_group_log,
	&conf_group_aer_keepalive,
	&conf_group_discovery,
	&conf_group_io,
	&conf_group_sgl,
	&conf_group_cm,
	&conf_group_queues,
};

const struct conf_group *const *conf_groups(size_t *n)
{
	*n = sizeof(groups) / sizeof(groups[0]);
	return groups;
}
