/* The host wing: an NVMe-oF initiator that talks to any NVMe-oF/RDMA target
 * through the verbs shim, ours or not.  Never includes sim/target or
 * sim/ctrl: it knows a target only by what comes back on the wire.
 *
 * Two layers.  The raw layer (nvsim_hq_*) connects a queue with any CM
 * private data, sends any bytes as a command capsule and collects whatever
 * completions arrive, so the conformance suite and the fuzzer can send what
 * a normal host never would.  The helper layer (nvsim_host_*) does what a
 * well-behaved host does: Connect, enable, Identify, I/O queues, I/O,
 * discovery, keep alive, disconnect.
 *
 * Calls return 0 or -errno.  Every failure also fills a struct
 * nvsim_host_status that says exactly what came back (CM reject status,
 * SCT/SC/DNR/More, IATTR/IPO) and prints as text.
 */
#ifndef NVSIM_HOST_HOST_H
#define NVSIM_HOST_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/cqe.h"
#include "spec/sqe.h"
#include "verbs/verbs.h"

/* ---- outcomes ---------------------------------------------------------------- */

struct nvsim_host_status {
	int err;	  /* -errno when the transport failed; 0 when an answer came */
	bool cm_rejected; /* the CM rejected the queue */
	uint8_t cm_reason;
	bool cm_sts_valid; /* NVMe/RDMA reject private data was present */
	uint16_t cm_sts;
	bool has_cqe;
	struct nvsim_cqe cqe;
	uint16_t sf; /* status field: SC 7:0, SCT 10:8, More 13, DNR 14 */
	/* The command, as the helper layer sent it (for messages). */
	bool has_cmd;
	uint8_t opcode;
	uint16_t cid;
	uint8_t sgl_id; /* SGL descriptor type 7:4, subtype 3:0 */
	/* err -ETIMEDOUT with the queue still up: the command never completed */
	bool no_completion;
	/* err -EBADMSG: cqe is a completion with another CID (has_cqe false) */
	bool wrong_cid;
};

/* True when the command completed with status 0. */
static inline bool nvsim_host_ok(const struct nvsim_host_status *st)
{
	return !st->err && !st->cm_rejected && st->has_cqe && st->sf == 0;
}

/* "SCT 1h/SC 82h Connect Invalid Parameters [DNR] (IATTR 1, IPO 256)",
 * "CM reject: status 4 (invalid HSQSIZE)", "transport: Connection timed
 * out".  Returns buf. */
const char *nvsim_host_status_str(const struct nvsim_host_status *st, bool fabrics, char *buf,
				  size_t len);
const char *nvsim_rdma_cm_sts_str(uint16_t sts);
/* "Internal Error (0/06h)": the status's short name (libnvme's, up to its
 * colon) and SCT/SC, DNR and More left out: a key to count errors by. */
const char *nvsim_host_status_name(uint16_t sf, char *buf, size_t len);

/* ---- raw layer: one NVMe/RDMA queue -------------------------------------------- */

struct nvsim_hq;

struct nvsim_hq_config {
	const char *provider;		  /* "fake" (default) or "ibv" */
	const char *device;
	struct verbs_fake_fabric *fabric;
	const char *addr;		  /* target "host:port" */
	uint16_t qid;
	uint16_t sqsize;		  /* 0's based; HSQSIZE in the CM request */
	uint16_t hrqsize;		  /* 0: sqsize + 1 */
	uint16_t cntlid;		  /* CNTLID in the CM request (I/O queues) */
	uint32_t icd_max;		  /* in-capsule data bytes we may send */
	/* Raw override of the CM request's private data (len 0: build it). */
	const void *cm_private_data;
	uint8_t cm_private_data_len;
	uint8_t responder_resources;	  /* RDMA READs we serve for the target; 0: 16 */
	uint8_t initiator_depth;
	bool exact_rd_params;		  /* send both verbatim, 0 included */
	int timeout_ms;			  /* per wait; 0: 5000 */
	/* CLOCK_MONOTONIC ms after which every wait ends with -ETIMEDOUT
	 * (0: none): a caller's overall deadline, e.g. a conformance case's.
	 * Closing the queue still waits up to timeout_ms. */
	uint64_t deadline_ms;
	/* Called in every wait-loop turn: an in-process target polls here. */
	void (*progress)(void *arg);
	void *progress_arg;
};

void nvsim_hq_config_init(struct nvsim_hq_config *cfg);
/* CLOCK_MONOTONIC in ms, the clock deadline_ms is on. */
uint64_t nvsim_now_ms(void);
int nvsim_hq_connect(const struct nvsim_hq_config *cfg, struct nvsim_hq **out,
		     struct nvsim_host_status *st);
/* Disconnects (if still connected) and frees. */
void nvsim_hq_close(struct nvsim_hq *hq);
uint16_t nvsim_hq_crqsize(const struct nvsim_hq *hq);
bool nvsim_hq_connected(const struct nvsim_hq *hq);
/* Progress without waiting: polls CM events and completions. */
int nvsim_hq_poll(struct nvsim_hq *hq);

/* Which way a command's data moves: H2C the target RDMA READs it (a
 * Write's data), C2H the target RDMA WRITEs it (a Read's data). */
enum nvsim_dir { NVSIM_DIR_NONE, NVSIM_DIR_H2C, NVSIM_DIR_C2H };

/* Memory the target may RDMA READ (h2c) or WRITE (c2h). */
struct nvsim_hbuf {
	void *addr;
	size_t len;
	uint32_t rkey;
	struct verbs_mr *mr;
};

/* Registers memory the target may read and write (for raw callers that
 * choose what the target may do). */
int nvsim_hq_buf_reg(struct nvsim_hq *hq, void *addr, size_t len, struct nvsim_hbuf *out);
/* Registers memory for one direction only: H2C REMOTE_READ, C2H
 * LOCAL_WRITE | REMOTE_WRITE (NONE: both), so a target that writes into a
 * Write's source, or reads a Read's destination, fails with an access
 * error instead of going unseen. */
int nvsim_hq_buf_reg_dir(struct nvsim_hq *hq, void *addr, size_t len, enum nvsim_dir dir,
			 struct nvsim_hbuf *out);
/* Deregisters (no-op when not registered): after it the target can no
 * longer reach the memory, which may then be freed. */
void nvsim_hq_buf_dereg(struct nvsim_hbuf *buf);

/* Send exactly these bytes as one command capsule (SEND).  Any length up
 * to 64 + icd_max, any content. */
int nvsim_hq_send_raw(struct nvsim_hq *hq, const void *capsule, size_t len);
/* Wait for the completion carrying cid; -ETIMEDOUT, -ECONNRESET, or
 * -EBADMSG when cid was the only command outstanding and a completion
 * with another CID arrived instead (*cqe holds that completion). */
int nvsim_hq_wait_cqe(struct nvsim_hq *hq, uint16_t cid, struct nvsim_cqe *cqe);
/* Why the queue died ("" while alive): for messages. */
const char *nvsim_hq_why_dead(const struct nvsim_hq *hq);
/* Completions that matched no command we were waiting for. */
uint64_t nvsim_hq_unexpected_cqes(const struct nvsim_hq *hq);

/* A completion carrying a CID no command of ours was waiting for: an
 * unknown CID (e.g. a target answering errors with CID 0) or a second
 * completion of one command.  When exactly one command was outstanding,
 * it is named, since the completion was most likely its answer. */
struct nvsim_stray {
	struct nvsim_cqe cqe;
	bool duplicate;
	bool has_expected;
	uint16_t expected_cid;
	uint8_t expected_opcode;
};

#define NVSIM_HQ_STRAYS_KEPT 8
/* The first NVSIM_HQ_STRAYS_KEPT strays (*n of them); returns how many
 * arrived in all. */
uint64_t nvsim_hq_strays(const struct nvsim_hq *hq, const struct nvsim_stray **list, uint32_t *n);

/* ---- helper layer: one command at a time on a queue -------------------------- */

/* Fills PSDT, CID and DPTR (a keyed SGL over buf, or in-capsule data for an
 * h2c transfer that fits icd_max when allow_in_capsule), sends, waits. */
int nvsim_hq_exec(struct nvsim_hq *hq, struct nvsim_sqe *sqe, void *buf, size_t len,
		  enum nvsim_dir dir, struct nvsim_host_status *st);
void nvsim_hq_allow_in_capsule(struct nvsim_hq *hq, bool allow);
/* Wait for the answer to sqe (already sent, e.g. raw) and fill st with it
 * and the command (opcode, CID, descriptor); a wait that ends with the
 * queue up sets no_completion, a wrong-CID answer wrong_cid.  Returns 0,
 * -EREMOTEIO for an error status, or the wait's -errno. */
int nvsim_hq_wait_status(struct nvsim_hq *hq, const struct nvsim_sqe *sqe,
			 struct nvsim_host_status *st);

/* Several commands in flight on one queue: start them, then reap them.  A
 * started command owns its buffer, registered for dir alone, until reaped;
 * a caller that gives up on it (the queue died, no answer came) calls
 * nvsim_hq_buf_dereg(&cmd->hb) before freeing the buffer. */
struct nvsim_hcmd {
	struct nvsim_hbuf hb;
	uint16_t cid;
	bool done;
	struct nvsim_cqe cqe;
};

int nvsim_hq_start(struct nvsim_hq *hq, struct nvsim_sqe *sqe, void *buf, size_t len,
		   enum nvsim_dir dir, struct nvsim_hcmd *cmd);
/* 0 when cmd has completed (its CQE in cmd->cqe), -EAGAIN while it has not,
 * -ECONNRESET when the queue died.  Polls the queue, never waits. */
int nvsim_hq_reap(struct nvsim_hq *hq, struct nvsim_hcmd *cmd);
/* Free slots for nvsim_hq_start (SQSIZE + 1 minus commands in flight). */
uint32_t nvsim_hq_free_slots(const struct nvsim_hq *hq);
/* Entries of the queue as connected (SQSIZE + 1): commands it holds. */
uint32_t nvsim_hq_entries(const struct nvsim_hq *hq);

/* Streaming I/O without a registration per command: the data lies at off
 * in hb, registered once (nvsim_hq_buf_reg_dir) for dir, and sqe->cid is
 * sent as given; the caller keeps the CIDs of its outstanding commands
 * distinct and does not mix these with nvsim_hq_start on the queue.  An
 * H2C transfer that fits in-capsule data goes in the capsule. */
int nvsim_hq_start_reg(struct nvsim_hq *hq, struct nvsim_sqe *sqe, const struct nvsim_hbuf *hb,
		       size_t off, size_t len, enum nvsim_dir dir);
/* Takes one completion that arrived for a command of ours, whichever:
 * 0 (*cqe filled), -EAGAIN when none has, -ECONNRESET when the queue died.
 * Polls the queue, never waits; O(1) per completion. */
int nvsim_hq_reap_any(struct nvsim_hq *hq, struct nvsim_cqe *cqe);

/* ---- helper layer: a controller association ------------------------------------ */

struct nvsim_host;

struct nvsim_host_config {
	struct nvsim_hq_config transport; /* addr, provider, progress...; qid/sqsize ignored */
	const char *subnqn;
	const char *hostnqn;
	uint8_t hostid[16];
	uint32_t kato_ms;
	uint16_t admin_sqsize;	 /* 0's based; 0: 31 */
	uint16_t io_sqsize;	 /* 0's based; 0: 127 */
	uint16_t nr_io_queues;	 /* asked for with Set Features; 0: none */
};

void nvsim_host_config_init(struct nvsim_host_config *cfg);
/* Admin queue, Connect, CAP, enable, wait for RDY, Identify Controller;
 * then Number of Queues and one Connect per granted I/O queue. */
int nvsim_host_connect(const struct nvsim_host_config *cfg, struct nvsim_host **out,
		       struct nvsim_host_status *st);
/* Shutdown notification, then disconnect every queue. */
void nvsim_host_disconnect(struct nvsim_host *h);

struct nvsim_hq *nvsim_host_admin(struct nvsim_host *h);
struct nvsim_hq *nvsim_host_io(struct nvsim_host *h, uint16_t qid);
uint16_t nvsim_host_nr_io_queues(const struct nvsim_host *h);
uint16_t nvsim_host_cntlid(const struct nvsim_host *h);
/* The Identify Controller data read at connect time (4096 bytes). */
const void *nvsim_host_id_ctrl(const struct nvsim_host *h);

int nvsim_host_prop_get(struct nvsim_hq *admin, uint32_t ofst, bool eight, uint64_t *value,
			struct nvsim_host_status *st);
int nvsim_host_prop_set(struct nvsim_hq *admin, uint32_t ofst, bool eight, uint64_t value,
			struct nvsim_host_status *st);
int nvsim_host_identify(struct nvsim_host *h, uint8_t cns, uint32_t nsid, void *buf4k,
			struct nvsim_host_status *st);
int nvsim_host_get_log(struct nvsim_host *h, uint8_t lid, uint32_t nsid, uint64_t lpo,
		       void *buf, uint32_t len, struct nvsim_host_status *st);
int nvsim_host_keep_alive(struct nvsim_host *h, struct nvsim_host_status *st);
int nvsim_host_rw(struct nvsim_host *h, uint16_t qid, bool write, uint32_t nsid, uint64_t slba,
		  uint32_t nlb, void *buf, size_t len, struct nvsim_host_status *st);
int nvsim_host_flush(struct nvsim_host *h, uint16_t qid, uint32_t nsid,
		     struct nvsim_host_status *st);

/* The whole Discovery log: reads the header, then every record, then the
 * header again, and starts over when GENCTR moved (NVMe Base 2.0
 * §5.16.1.23 (approx.); libnvme#645).  *log is malloc'd; free it. */
int nvsim_host_discovery_log(struct nvsim_host *h, void **log, size_t *len,
			     struct nvsim_host_status *st);

#endif
