/* nvmetcli's saved-config JSON (the file `nvmetcli save` writes) as a
 * target configuration: hosts, ports with their subsystems and referrals,
 * subsystems with allowed hosts, attributes and namespaces.  Every element
 * is type-checked and every key known; nothing is rounded, wrapped or
 * ignored without saying so in `nvmfsim target --help`. */
#ifndef NVSIM_CLI_CONFIG_H
#define NVSIM_CLI_CONFIG_H

#include <stddef.h>

#include "target/target.h"

/* Limits, each stated in `nvmfsim target --help`. */
#define CLI_CONFIG_MAX_BYTES (64u << 20) /* the file */
#define CLI_CONFIG_MAX_SUBSYS 65536u
#define CLI_CONFIG_MAX_HOSTS 65536u /* the top-level "hosts" list */
#define CLI_CONFIG_MAX_PORTS 16
#define CLI_CONFIG_MAX_NSID NVSIM_DEFAULT_NN /* NSIDs 1 to this, as Linux nvmet */

struct cli_config_port {
	struct nvsim_port *port;
	char addr[320]; /* "host:port" for the RDMA listener */
	uint16_t portid;
	uint8_t trtype; /* enum nvmf_trtype */
	bool rdma;
};

struct cli_config {
	struct cli_config_port ports[CLI_CONFIG_MAX_PORTS];
	unsigned int nr_ports;
	unsigned int nr_subsys, nr_ns; /* for the --check summary */
};

/* Builds subsystems, namespaces, hosts, ports and referrals on t.  On error
 * returns -errno with err naming the file and the offending element, e.g.
 * "cfg.json: subsystems[0].namespaces[1].nsid: want an integer 1 to 1024,
 * got 1.9".  -ENOMEM when memory ran out (a failure, not bad input). */
int cli_config_load(const char *path, unsigned int lba_size, struct nvsim_target *t,
		    struct cli_config *out, char *err, size_t errlen);

/* A namespace's backing path: a regular file or a block device, opened
 * without blocking (a FIFO would hold the open forever).  *size is its
 * size in bytes.  may_create: a missing path is fine (*size 0), the
 * namespace will create it.  0, or -errno with err saying why. */
int cli_ns_path_check(const char *path, bool may_create, uint64_t *size, char *err, size_t len);

/* A TCP/RDMA port number as a listener takes it: decimal, 1 to 65535. */
bool cli_port_number(const char *text);

#endif
