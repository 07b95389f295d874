/* The target side of NVMe/RDMA (NVMe over Fabrics RDMA Transport Binding,
 * NVMe-oF 1.1 §7.3 (approx.)): a listener on the verbs shim that accepts
 * host queues (validating the CM private data), receives command capsules,
 * moves data with RDMA READ/WRITE from keyed SGLs or takes it in-capsule,
 * and sends response capsules.  Runs unchanged over the in-process fake and
 * over rdma-core.
 *
 * What a host can make the target hold is bounded by this configuration,
 * never by the host: data buffers come from one pre-registered pool per
 * listener (commands wait for it in order, none fails for want of it),
 * a run goes back as soon as its data has moved, connections are capped
 * per port, per host address and while waiting for Connect, a connection
 * that has not completed Fabrics Connect within connect_timeout_ms is
 * dropped, and the receive rings together stay within recv_ring_bytes_max
 * (no shared receive queue yet).  See docs/target-resources.md. */
#ifndef NVSIM_TARGET_RDMA_H
#define NVSIM_TARGET_RDMA_H

#include <stddef.h>

#include "target/target.h"
#include "verbs/verbs.h"

struct nvsim_rdma_target;

#define NVSIM_RDMA_POOL_DEFAULT_BYTES (64ull << 20) /* buffer_pool_bytes 0 */
#define NVSIM_RDMA_POOL_MAX_BYTES (16ull << 30)	    /* the hard cap */
#define NVSIM_RDMA_CONNS_PER_PORT_DEFAULT 4096u
#define NVSIM_RDMA_CONNS_PER_HOST_DEFAULT 512u
#define NVSIM_RDMA_CONNECT_TIMEOUT_DEFAULT_MS 10000u
#define NVSIM_RDMA_PENDING_CONNS_DEFAULT 256u
#define NVSIM_RDMA_RECV_RING_DEFAULT_BYTES (1ull << 30)
/* From our RDMA CM disconnect to its DISCONNECTED: past it the QP is moved
 * to error and the connection freed anyway. */
#define NVSIM_RDMA_DISCONNECT_TIMEOUT_MS 2000u

struct nvsim_rdma_target_config {
	const char *provider;		  /* "fake" (default) or "ibv" */
	const char *device;		  /* ibv: device name, NULL = first */
	struct verbs_fake_fabric *fabric; /* fake: NULL = the default fabric */
	const char *addr;		  /* listen address, "host:port" */
	uint32_t max_queue_depth; /* I/O queue entries at most; 0 = MQES + 1, also
				   * clamped to the device's max_qp_wr */
	int backlog;
	/* Data buffers shared by every queue of the listener; 0 = 64 MiB.
	 * Rounded down to whole maximum transfers (MDTS); refused when below
	 * one or above NVSIM_RDMA_POOL_MAX_BYTES. */
	size_t buffer_pool_bytes;
	/* Connections at once (Connect done or not), over the port and from
	 * one host address (the peer's address without its port); more are
	 * rejected in the CM with NO_RSC.  0 = 4096 and 512. */
	unsigned int max_conns_per_port;
	unsigned int max_conns_per_host;
	/* Of those, accepted but without a successful Fabrics Connect yet
	 * (each holds a full-depth QP and its CQ entries); more are rejected
	 * with NO_RSC.  0 = 256. */
	unsigned int max_pending_conns;
	/* Receive rings of all queues together: each queue's is depth x
	 * (64 + in-capsule data) bytes, reserved at the CM request; a queue
	 * that would exceed it is rejected with NO_RSC.  0 = 1 GiB.  (No
	 * shared receive queue yet: see docs/target-resources.md.) */
	size_t recv_ring_bytes_max;
	/* From CM accept to a successful Fabrics Connect; 0 = 10 s.  On the
	 * target's clock (nvsim_target_config.clock). */
	uint32_t connect_timeout_ms;
};

void nvsim_rdma_target_config_init(struct nvsim_rdma_target_config *cfg);
/* Whether start would accept cfg for target t; -EINVAL with why (one line
 * naming the field and the values) when it would not. */
int nvsim_rdma_target_config_check(const struct nvsim_rdma_target_config *cfg,
				   const struct nvsim_target_config *tcfg, char *why, size_t len);
/* Listens for the target's port.  -ENODEV: the provider has no device;
 * -EINVAL: a configuration config_check refuses (logged at error). */
int nvsim_rdma_target_start(struct nvsim_target *t, struct nvsim_port *port,
			    const struct nvsim_rdma_target_config *cfg,
			    struct nvsim_rdma_target **out);
/* One pass over CM events, completions and the target's timers; never
 * blocks.  Returns how much work was done, or -errno. */
int nvsim_rdma_target_poll(struct nvsim_rdma_target *rt);
/* Disconnects every queue and frees everything. */
void nvsim_rdma_target_stop(struct nvsim_rdma_target *rt);
unsigned int nvsim_rdma_target_nr_queues(const struct nvsim_rdma_target *rt);

struct nvsim_rdma_target_stats {
	/* the data buffer pool */
	size_t pool_bytes;
	size_t pool_unit;
	size_t pool_max_xfer;
	size_t pool_in_use;
	size_t pool_high_water;
	uint64_t pool_grants;
	uint64_t pool_waits; /* commands that found the pool short and waited */
	uint32_t pool_waiting; /* commands in the pool's FIFO now */
	uint32_t pool_max_waiting;
	/* connections */
	unsigned int conns;	    /* now, those still draining included */
	unsigned int conns_pending; /* accepted, Connect not yet done */
	unsigned int conns_high_water;
	uint64_t conns_accepted;
	uint64_t refused_port_cap;
	uint64_t refused_host_cap;
	uint64_t refused_pending_cap;
	uint64_t refused_ring_cap;
	uint64_t connect_timeouts;
	uint64_t disconnect_timeouts; /* no DISCONNECTED within the bound */
	size_t recv_ring_reserved;    /* of recv_ring_bytes_max */
	/* Memory this transport allocated itself, the pool's region and
	 * bookkeeping included (the provider's QP and CQ memory is not). */
	size_t mem_bytes;
	size_t mem_high_water;
	unsigned int shared_cqs; /* completion queues polled, shared by all queues */
	uint64_t cqe_reserved;	 /* CQ entries reserved for the QPs on them */
};

void nvsim_rdma_target_get_stats(const struct nvsim_rdma_target *rt,
				 struct nvsim_rdma_target_stats *st);

#endif
