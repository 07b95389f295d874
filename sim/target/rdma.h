/* The target side of NVMe/RDMA (NVMe over Fabrics RDMA Transport Binding,
 * NVMe-oF 1.1 §7.3 (approx.)): a listener on the verbs shim that accepts
 * host queues (validating the CM private data), receives command capsules,
 * moves data with RDMA READ/WRITE from keyed SGLs or takes it in-capsule,
 * and sends response capsules.  Runs unchanged over the in-process fake and
 * over rdma-core. */
#ifndef NVSIM_TARGET_RDMA_H
#define NVSIM_TARGET_RDMA_H

#include "target/target.h"
#include "verbs/verbs.h"

struct nvsim_rdma_target;

struct nvsim_rdma_target_config {
	const char *provider;		  /* "fake" (default) or "ibv" */
	const char *device;		  /* ibv: device name, NULL = first */
	struct verbs_fake_fabric *fabric; /* fake: NULL = the default fabric */
	const char *addr;		  /* listen address, "host:port" */
	uint32_t max_queue_depth; /* I/O queue entries at most; 0 = MQES + 1, also
				   * clamped to the device's max_qp_wr */
	int backlog;
};

void nvsim_rdma_target_config_init(struct nvsim_rdma_target_config *cfg);
/* Listens for the target's port.  -ENODEV: the provider has no device. */
int nvsim_rdma_target_start(struct nvsim_target *t, struct nvsim_port *port,
			    const struct nvsim_rdma_target_config *cfg,
			    struct nvsim_rdma_target **out);
/* One pass over CM events, completions and the target's timers; never
 * blocks.  Returns how much work was done, or -errno. */
int nvsim_rdma_target_poll(struct nvsim_rdma_target *rt);
/* Disconnects every queue and frees everything. */
void nvsim_rdma_target_stop(struct nvsim_rdma_target *rt);
unsigned int nvsim_rdma_target_nr_queues(const struct nvsim_rdma_target *rt);

#endif
