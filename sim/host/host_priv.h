/* The host wing's private header. */
#ifndef NVSIM_HOST_PRIV_H
#define NVSIM_HOST_PRIV_H

#include <nvme/types.h>

#include "host/host.h"
#include "spec/status.h"

/* Outstanding commands by CID (cidtrack.c). */
struct nvsim_cid_slot {
	uint16_t cid;
	uint8_t opcode;
	uint8_t pending; /* completions still due for this CID */
	bool used;
};

#define NVSIM_CID_OVERFLOW 16

struct nvsim_cid_track {
	struct nvsim_cid_slot *slot;
	uint32_t mask;
	struct nvsim_cid_slot over[NVSIM_CID_OVERFLOW];
	uint32_t nr_over;
	uint32_t nr_outstanding;
	uint16_t last_cid;
	uint64_t untracked;
};

enum nvsim_cid_match { NVSIM_CID_MATCHED, NVSIM_CID_UNKNOWN, NVSIM_CID_DUPLICATE };

int nvsim_cid_track_init(struct nvsim_cid_track *t, uint32_t depth);
void nvsim_cid_track_free(struct nvsim_cid_track *t);
void nvsim_cid_sent(struct nvsim_cid_track *t, uint16_t cid, uint8_t opcode);
enum nvsim_cid_match nvsim_cid_done(struct nvsim_cid_track *t, uint16_t cid);
/* The one command outstanding, when exactly one is. */
bool nvsim_cid_sole_outstanding(const struct nvsim_cid_track *t, uint16_t *cid, uint8_t *opcode);

struct nvsim_hq {
	struct nvsim_hq_config cfg;
	struct verbs_device *dev;
	struct verbs_device_attr attr;
	struct verbs_pd *pd;
	struct verbs_cm_channel *ch;
	struct verbs_cm_id *id;
	struct verbs_cq *cq;
	struct verbs_qp *qp;
	uint32_t depth;	       /* send slots: SQSIZE + 1 */
	uint32_t nr_recv;      /* response buffers: HRQSIZE */
	uint32_t capsule_size; /* 64 + icd_max */
	uint8_t *send_buf;
	struct verbs_mr *send_mr;
	uint32_t *free_send;
	uint32_t nr_free_send;
	struct nvsim_cqe *recv;
	struct verbs_mr *recv_mr;
	struct nvsim_cqe *arrived; /* completions nobody has taken yet */
	uint32_t arrived_cap, nr_arrived;
	uint64_t unexpected;
	struct nvsim_cid_track cids;
	struct nvsim_stray strays[NVSIM_HQ_STRAYS_KEPT]; /* the first ones */
	uint32_t nr_strays;
	uint64_t strays_total;
	/* the latest stray with one command outstanding: that command's answer */
	struct nvsim_cqe wrong_cqe;
	uint16_t wrong_for;
	uint64_t wrong_seq;
	uint16_t crqsize;
	uint16_t next_cid;
	bool allow_icd;
	bool connected;
	bool dead;
	char why_dead[96]; /* what killed the queue, for messages */
};

#define NVSIM_HOST_MAX_IO_QUEUES 65535u

struct nvsim_host {
	struct nvsim_host_config cfg;
	struct nvsim_hq *admin;
	struct nvsim_hq **io; /* 1..nr_io */
	uint16_t nr_io;
	uint16_t cntlid;
	uint64_t cap;
	_Alignas(8) uint8_t id_ctrl[4096];
};

void nvsim_hq_progress(struct nvsim_hq *hq);
/* Send capsule (len bytes: the SQE, or any bytes) followed by data_len
 * bytes of in-capsule data, copied into one registered send slot. */
int nvsim_hq_send_capsule(struct nvsim_hq *hq, const void *capsule, size_t len, const void *data,
			  size_t data_len);
/* Take the stashed completion for cid, if it has arrived. */
bool nvsim_hq_take_cqe(struct nvsim_hq *hq, uint16_t cid, struct nvsim_cqe *out);
/* Fill st from a CQE; returns 0 for success, -EREMOTEIO for an error status. */
int nvsim_host_status_from_cqe(struct nvsim_host_status *st, const struct nvsim_cqe *cqe);

#endif
