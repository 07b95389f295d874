/* The engine's state, shared by wire.c and replay.c only. */
#ifndef NVSIM_FUZZ_WIRE_PRIV_H
#define NVSIM_FUZZ_WIRE_PRIV_H

#include "wire/wire.h"

#define WIRE_MAX_OUT 256u /* commands in flight per queue we track */

struct wire_out {
	uint16_t cid;
	uint8_t opcode;
	bool aer;	/* waits for an event by design: never a hang */
	bool ambiguous; /* its CID was in flight twice: which CQE is whose is unknown */
	uint64_t step;
	uint64_t seq; /* send order on its queue */
	uint64_t sent_ms;
};

struct wire_queue {
	struct nvsim_hq *hq;
	struct nvsim_hbuf hb;
	uint8_t *mem;
	uint16_t next_cid;
	uint64_t seq;
	struct wire_out out[WIRE_MAX_OUT];
	unsigned int nr_out;
};

/* Room for one capsule, aligned to be read as a struct nvsim_sqe. */
struct wire_slot {
	_Alignas(8) uint8_t b[WIRE_CAPSULE_MAX];
};

struct wire {
	struct wire_config cfg;
	struct nvsim_host *host;
	struct wire_queue q[2]; /* admin, I/O queue 1 */

	struct wire_capsule *batch; /* the current batch (bytes in store) */
	struct wire_slot *store;
	unsigned int nr_batch;
	unsigned int since_drain; /* capsules since every answer was last in */
	/* This session's host memory per queue, for the replay file. */
	uint64_t mem_addr[2];
	uint32_t mem_rkey[2];

	struct wire_stats st;
	struct nvsim_host_status setup;
	char finding[256];
	uint64_t finding_step;
};

#endif
