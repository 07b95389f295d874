/* A hostile NVMe/RDMA peer for the host-side fuzz targets: a minimal
 * discovery controller on its own fake fabric, written on the verbs shim,
 * that answers the CM request with whatever accept or reject private data
 * the input says and serves the input as its Discovery log (and Identify
 * data).  It exists so sim/host's parsers meet bytes no well-behaved target
 * would send, black-box, without changing sim/host. */
#ifndef NVSIM_FUZZ_PEER_H
#define NVSIM_FUZZ_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "verbs/fake.h"

#define FZ_PEER_ADDR "fake:fzpeer:4420"
#define FZ_PEER_CONNS 4
#define FZ_PEER_RECV 8
#define FZ_PEER_CAPSULE (64u + 8192u)
#define FZ_PEER_XFER (64u * 1024u)

struct fz_peer_config {
	bool reject;		/* reject every CM request */
	const uint8_t *cm_pd;	/* accept/reject private data (NULL: a valid accept) */
	uint8_t cm_pd_len;
	const uint8_t *log;	/* Discovery log bytes served by Get Log Page */
	size_t log_len;
	bool genctr_moves;	/* every read at LPO 0 sees GENCTR + 1 */
	/* Writes only the log bytes it has (nothing past log_len) and still
	 * completes the command with success: a broken or hostile target. */
	bool short_write;
	bool write_nothing;	/* writes no data at all, completes with success */
	const uint8_t *id_ctrl; /* Identify Controller bytes (up to 4096) */
	size_t id_ctrl_len;
};

struct fz_peer_conn {
	struct verbs_cm_id *id;
	struct verbs_qp *qp;
	uint16_t sqhd;
};

struct fz_peer {
	struct fz_peer_config cfg;
	struct verbs_fake_fabric *fab;
	struct verbs_device *dev;
	struct verbs_pd *pd;
	struct verbs_cq *cq;
	struct verbs_cm_channel *ch;
	struct verbs_cm_id *listen;
	struct fz_peer_conn conn[FZ_PEER_CONNS];
	uint8_t *rbuf;	/* FZ_PEER_CONNS x FZ_PEER_RECV capsules */
	uint8_t *xfer;	/* RDMA WRITE source */
	uint8_t *cqes;	/* SEND source: one 16-byte CQE per receive slot */
	struct verbs_mr *rmr, *xmr, *cmr;
	uint32_t cc;
	uint64_t genctr_bump;
	uint64_t log_reads;
};

void fz_peer_start(struct fz_peer *p, const struct fz_peer_config *cfg);
void fz_peer_stop(struct fz_peer *p);
/* Progress hook for struct nvsim_hq_config (arg is the peer). */
void fz_peer_poll(void *arg);

#endif
