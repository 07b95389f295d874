/* nvmetcli's saved-config JSON (the file `nvmetcli save` writes) as a
 * target configuration: hosts, ports with their subsystems and referrals,
 * subsystems with allowed hosts, attributes and namespaces. */
#ifndef NVSIM_CLI_CONFIG_H
#define NVSIM_CLI_CONFIG_H

#include <stddef.h>

#include "target/target.h"

#define CLI_CONFIG_MAX_PORTS 16

struct cli_config_port {
	struct nvsim_port *port;
	char addr[320]; /* "host:port" for the RDMA listener */
	bool rdma;
};

struct cli_config {
	struct cli_config_port ports[CLI_CONFIG_MAX_PORTS];
	unsigned int nr_ports;
};

/* Builds subsystems, namespaces, hosts, ports and referrals on t.  On error
 * returns -errno with err naming the offending element, e.g.
 * "subsystems[0].namespaces[1].device.path: no such file". */
int cli_config_load(const char *path, unsigned int lba_size, struct nvsim_target *t,
		    struct cli_config *out, char *err, size_t errlen);

#endif
