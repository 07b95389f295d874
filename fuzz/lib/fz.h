/* Shared plumbing of the in-process fuzz targets: a bounded reader over the
 * input, a loopback target (nvsim_tq_* without a transport), the embedded
 * simulator on a fake fabric, and a completion tracker that aborts on the
 * first broken invariant so libFuzzer reports it as a crash.
 *
 * Everything is deterministic for a given input: fake clocks, fixed seeds,
 * bounded polling loops, no wall-clock waits on the success path. */
#ifndef NVSIM_FUZZ_FZ_H
#define NVSIM_FUZZ_FZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/embedded.h"
#include <nvme/types.h>

#include "host/host.h"
#include "target/target.h"

#define FZ_SUBNQN "nqn.2026-11.io.nvmf-sim:embedded0"
#define FZ_HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:0f01fb42-9f7f-4856-b0b3-51e60b8de349"
#define FZ_CONNECT_DATA_LEN 1024u

/* libFuzzer's entry point; the standalone main calls it too. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- input reader: past the end reads zeros, so every input is a script ---- */

struct fz_in {
	const uint8_t *p;
	size_t n;
};

static inline bool fz_left(const struct fz_in *in)
{
	return in->n != 0;
}

void fz_bytes(struct fz_in *in, void *dst, size_t len);
uint8_t fz_u8(struct fz_in *in);
uint16_t fz_u16(struct fz_in *in);
uint32_t fz_u32(struct fz_in *in);
uint64_t fz_u64(struct fz_in *in);

/* Dies loudly: an invariant the fuzzer must report. */
bool fz_trace(void);
_Noreturn void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define FZ_CANARY 0xa5
/* Leaves freed heap full of FZ_CANARY (eight blocks of block bytes), so a
 * buffer the host forgot to clear would hand the canary back.  Returns a
 * live guard block (free it after the check) that keeps malloc from giving
 * the poisoned memory back to the kernel, which would zero it. */
void *fz_poison_heap(size_t block);

/* ---- well-formed pieces ----------------------------------------------------- */

/* A Connect SQE (SGL flags, in-capsule data block of 1024 bytes) and its
 * data: admin when qid is 0. */
void fz_connect_sqe(struct nvsim_sqe *sqe, uint16_t cid, uint16_t qid, uint16_t sqsize,
		    uint32_t kato);
void fz_connect_data(void *buf1024, uint16_t cntlid, const char *subnqn);

/* ---- loopback target ------------------------------------------------------- */

struct fz_loop {
	uint64_t now_ns;
	struct nvsim_target *t;
	struct nvsim_subsys *s;
};

/* A target with FZ_SUBNQN (any host, one 1 MiB RAM namespace) and a fake
 * clock.  Aborts on failure: it is the harness, not the input. */
void fz_loop_init(struct fz_loop *l);
void fz_loop_fini(struct fz_loop *l);

/* One command through the loopback: owns its data until it completes. */
struct fz_lcmd {
	uint16_t cid;
	int done;
	struct nvsim_cqe cqe;
	uint8_t *buf;
	struct nvsim_iov iov;
	struct nvsim_data data;
};

struct fz_lq {
	struct nvsim_tq *tq;
	bool terminated;
};

void fz_lq_open(struct fz_loop *l, struct fz_lq *q);
void fz_lq_close(struct fz_lq *q);
/* Submits sqe with len data bytes (src_len of them from src, then zeros);
 * the completion is checked (same CID, at most once).  Returns
 * nvsim_tq_submit's result. */
int fz_lq_submit(struct fz_lq *q, const struct nvsim_sqe *sqe, const void *src, size_t src_len,
		 size_t len, struct fz_lcmd *cmd);
/* What a transport does with a capsule it found malformed. */
int fz_lq_fail(struct fz_lq *q, const struct nvsim_sqe *sqe, uint16_t status, uint16_t err_loc,
	       struct fz_lcmd *cmd);
void fz_lcmd_free(struct fz_lcmd *cmd);

/* ---- embedded simulator over the fake fabric ---------------------------------- */

struct fz_sim {
	uint64_t now_ns;
	struct nvsim_embedded *e;
};

void fz_sim_init(struct fz_sim *s);
void fz_sim_fini(struct fz_sim *s);
void fz_sim_poll(struct fz_sim *s);
/* Raw-layer config for a queue of the simulator: short timeouts. */
void fz_sim_hq_config(struct fz_sim *s, struct nvsim_hq_config *c, uint16_t qid,
		      uint16_t sqsize);

/* ---- completion tracker for one raw host queue ------------------------------- */

#define FZ_TRACK_MAX 256u

struct fz_track {
	struct nvsim_hq *hq;
	uint16_t qid;
	/* What we sent and has not completed: CID and, for Connect, the
	 * SQSIZE/CATTR it asked for.  CIDs may repeat (reuse is a case). */
	struct {
		uint16_t cid;
		bool connect;
		uint16_t sqsize;
		uint8_t cattr;
		uint16_t qid;
	} out[FZ_TRACK_MAX];
	unsigned int nr_out;
	bool live;	  /* a Connect succeeded */
	bool sqflow_off;  /* ... with CATTR "disable SQ flow control" */
	uint32_t q_entries; /* SQSIZE + 1 of that Connect */
	uint16_t last_sqhd;
	uint64_t sent_after_connect, head_advance;
	uint64_t completions;
	uint16_t cntlid; /* from the successful Connect */
};

void fz_track_init(struct fz_track *t, struct nvsim_hq *hq, uint16_t qid);
/* Records a capsule we sent (only capsules of at least 64 bytes carry a
 * command).  Returns false when the tracker is full (the caller stops). */
bool fz_track_sent(struct fz_track *t, const uint8_t *capsule, size_t len);
/* Takes every completion the host has stashed and checks it: its CID is
 * outstanding (so a command completes at most once, and no CQE comes for
 * an unknown CID), SQID matches, and SQHD stays inside the queue and never
 * advances past what we submitted. */
void fz_track_drain(struct fz_track *t);

#endif

/* ---- a host session on the simulator: up to two raw queues ------------------ */

#define FZ_HBUF_LEN 8192u /* host memory the target may READ/WRITE per queue */

struct fz_slot {
	struct nvsim_hq *hq;
	struct fz_track tr;
	struct nvsim_hbuf hb;
	uint8_t *mem;
	uint16_t next_cid;
};

struct fz_sess {
	struct fz_sim sim;
	struct fz_slot slot[2]; /* 0: admin, 1: an I/O queue */
	uint16_t cntlid;	/* of the last admin Connect that succeeded */
};

void fz_sess_init(struct fz_sess *s);
void fz_sess_fini(struct fz_sess *s);
/* CM connect of a slot (closing what was there); pd/pd_len override the CM
 * private data.  Returns nvsim_hq_connect's result. */
int fz_slot_open(struct fz_sess *s, unsigned int i, uint16_t qid, uint16_t hsqsize,
		 const void *pd, uint8_t pd_len);
void fz_slot_close(struct fz_sess *s, unsigned int i);
/* Sends and tracks one capsule; 0, or the send error (the slot is closed
 * when the queue is gone). */
int fz_slot_send(struct fz_sess *s, unsigned int i, const void *capsule, size_t len);
/* A Connect capsule (SQE + 1024 bytes in capsule). */
int fz_slot_connect(struct fz_sess *s, unsigned int i, const struct nvsim_sqe *sqe,
		    const uint8_t *data1024);
/* Property Set CC (EN, IOSQES 6, IOCQES 4) on the admin slot. */
int fz_sess_enable(struct fz_sess *s);
/* Polls target and host for a fixed number of turns, checking every
 * completion; closes slots whose queue died. */
void fz_sess_settle(struct fz_sess *s, unsigned int turns);
