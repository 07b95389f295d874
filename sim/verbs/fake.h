/* The in-process RDMA fake: control surface beyond verbs/verbs.h.
 *
 * A fabric holds every fake device, listener and connection of one
 * simulated network.  Nothing moves on its own: work posted to a QP and CM
 * messages are executed by scheduler steps, and a step happens when a CQ or
 * CM channel of the fabric is polled (auto_step, the default) or when
 * verbs_fake_step() is called.  Within a step, the order in which ready QPs
 * run is drawn from the fabric's seeded generator, so a seed fixes the
 * interleaving.  See docs/verbs-shim.md for the rules the fake enforces.
 */
#ifndef NVMFSIM_VERBS_FAKE_H
#define NVMFSIM_VERBS_FAKE_H

#include "verbs/verbs.h"

enum { VERBS_FAKE_DEFAULT_SEED = 1 };

struct verbs_fake_config {
	uint64_t seed;
	bool manual_step;       /* polling does not step; only verbs_fake_step does */
	uint32_t rnr_steps;     /* steps between RNR retries (0 = 2) */
	uint32_t retry_steps;   /* steps between transport retries (0 = 4) */
	uint32_t cm_retry_steps;/* steps between CM request retries (0 = 8) */
	uint32_t cm_retries;    /* CM request / DREQ retries before giving up (0 = 3) */
	/* Limits of devices opened on this fabric; zero fields take defaults. */
	struct verbs_device_attr limits;
};

int verbs_fake_fabric_create(const struct verbs_fake_config *cfg, struct verbs_fake_fabric **out);
/* -EBUSY while devices are open on it. */
int verbs_fake_fabric_destroy(struct verbs_fake_fabric *fab);
uint64_t verbs_fake_fabric_seed(const struct verbs_fake_fabric *fab);
/* The fabric of a fake device, or NULL for another provider's device. */
struct verbs_fake_fabric *verbs_fake_fabric_of(struct verbs_device *dev);

/* One scheduler step: everything due runs.  Returns how many WRs and CM
 * messages were processed. */
int verbs_fake_step(struct verbs_fake_fabric *fab);
/* Steps until nothing is pending or max_steps were taken; returns steps. */
int verbs_fake_run(struct verbs_fake_fabric *fab, int max_steps);
uint64_t verbs_fake_now(const struct verbs_fake_fabric *fab);

/* Lower a device's limits for later allocations (resource caps).  Fields
 * left 0 are unchanged; raising above the fabric limits is -EINVAL. */
int verbs_fake_device_set_limits(struct verbs_device *dev, const struct verbs_device_attr *lim);
/* Hot-unplug: every CM id of the device gets DEVICE_REMOVAL, its QPs go to
 * ERR, peers see DISCONNECTED; later calls on its objects give -ENODEV. */
int verbs_fake_device_remove(struct verbs_device *dev);

/* ---- fault injection --------------------------------------------------- */

enum verbs_fake_fault_kind {
	VERBS_FAKE_FAULT_DELAY,           /* hold the matching WR `value` extra steps */
	VERBS_FAKE_FAULT_DROP_CONNECTION, /* sever the link under the matching WR */
	VERBS_FAKE_FAULT_CORRUPT,         /* flip `value` bytes (min 1) of its payload */
	VERBS_FAKE_FAULT_FORCE_RNR,       /* responder not ready for `value` tries (0 = always) */
	VERBS_FAKE_FAULT_REM_ACCESS,      /* responder refuses the rkey of the matching op */
	VERBS_FAKE_FAULT_REJECT_CONNECT,  /* the CM rejects the matching connect request */
};

struct verbs_fake_fault {
	enum verbs_fake_fault_kind kind;
	uint32_t qp_num;   /* data faults: requester QP, 0 = any */
	uint32_t opcodes;  /* data faults: mask of 1u << VERBS_WR_*, 0 = any */
	uint16_t port;     /* REJECT_CONNECT: listener port, 0 = any */
	uint32_t skip;     /* let this many matches pass first */
	uint32_t count;    /* apply this many times; 0 = every match */
	uint32_t ppm;      /* seeded: apply with probability ppm/1e6; 0 = always */
	uint32_t value;    /* DELAY steps, CORRUPT bytes, FORCE_RNR tries */
	uint8_t reject_reason;  /* REJECT_CONNECT: 0 = VERBS_REJ_CONSUMER_DEFINED */
	uint8_t private_data_len;
	uint8_t private_data[VERBS_REJECT_PDATA_MAX];
};

enum { VERBS_FAKE_MAX_FAULTS = 64 };

/* -ENOSPC beyond VERBS_FAKE_MAX_FAULTS, -EINVAL for a malformed fault. */
int verbs_fake_inject(struct verbs_fake_fabric *fab, const struct verbs_fake_fault *fault);
void verbs_fake_clear_faults(struct verbs_fake_fabric *fab);
/* Severs the connection of this QP now: both ends' WRs end in RETRY_EXC_ERR. */
int verbs_fake_drop_connection(struct verbs_qp *qp);

/* ---- counters and trace ------------------------------------------------ */

/* What a fabric holds now.  Memory follows use: queues grow to the most
 * entries they held at once (never beyond what was asked), indexes to the
 * objects that exist. */
struct verbs_fake_stats {
	uint64_t qps, mrs, cm_ids, cm_msgs;  /* live objects; cm_msgs in flight */
	uint64_t queue_bytes;  /* SQ, RQ, SRQ and CQ storage */
	uint64_t index_bytes;  /* hash maps, heaps and scratch of the scheduler */
};

int verbs_fake_fabric_stats(const struct verbs_fake_fabric *fab, struct verbs_fake_stats *out);

struct verbs_fake_qp_counters {
	uint64_t send_ops, send_bytes;    /* SENDs executed by this QP */
	uint64_t write_ops, write_bytes;  /* RDMA WRITEs executed by this QP */
	uint64_t read_ops, read_bytes;    /* RDMA READs executed by this QP */
	uint64_t recv_ops, recv_bytes;    /* SENDs received into this QP's RECVs */
	uint64_t rnr_naks;                /* RNR NAKs this QP received */
	uint64_t retries;                 /* transport retries this QP made */
	uint64_t errors;                  /* error completions (not flushes) */
	uint64_t flushed;                 /* WR_FLUSH_ERR completions */
};

int verbs_fake_qp_counters(const struct verbs_qp *qp, struct verbs_fake_qp_counters *out);

struct verbs_fake_trace {
	uint64_t step;
	uint32_t qp_num;
	enum verbs_wr_opcode opcode;
	uint64_t wr_id;
	enum verbs_wc_status status;
};

/* Called once per WR the scheduler executes (success or error), in order. */
typedef void verbs_fake_trace_fn(void *arg, const struct verbs_fake_trace *t);
void verbs_fake_set_trace(struct verbs_fake_fabric *fab, verbs_fake_trace_fn *fn, void *arg);

#endif
