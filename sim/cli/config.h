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

/* A port's "param" object.  nvmetcli writes the port's configfs param_*
 * attributes there, as strings; the keys we honour are nvmet's
 * max_queue_size and pi_enable ("0" only: no protection information),
 * inline_data_size is read and ignored (ours is the target's), and our
 * own buffer_pool_size and receive_ring_size (sizes, "64M"),
 * max_connections, max_connections_per_host, max_pending_connections and
 * connect_timeout_ms.  0: not set. */
struct cli_port_params {
	uint64_t buffer_pool_bytes;
	uint32_t max_queue_size;
	uint32_t max_connections, max_connections_per_host, max_pending_connections;
	uint32_t connect_timeout_ms;
	uint64_t recv_ring_bytes;
};

struct cli_config_port {
	struct nvsim_port *port;
	struct cli_port_params params;
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
/* Namespace paths other than ram:SIZE and null:SIZE are refused, so text
 * from a fuzzer never opens a file. */
#define CLI_CONFIG_NO_FILES 1u
/* The same for len bytes of text in memory, named name in messages. */
int cli_config_parse(const char *name, const char *text, size_t len, unsigned int lba_size,
		     unsigned int flags, struct nvsim_target *t, struct cli_config *out,
		     char *err, size_t errlen);

/* A namespace's backing path: a regular file or a block device, opened
 * without blocking (a FIFO would hold the open forever).  *size is its
 * size in bytes.  may_create: a missing path is fine (*size 0), the
 * namespace will create it.  0, or -errno with err saying why. */
int cli_ns_path_check(const char *path, bool may_create, uint64_t *size, char *err, size_t len);

/* A TCP/RDMA port number as a listener takes it: decimal, 1 to 65535. */
bool cli_port_number(const char *text);

#endif
