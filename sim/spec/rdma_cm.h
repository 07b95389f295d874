/* NVMe/RDMA connection-manager private data (NVMe RDMA Transport
 * Specification 1.0 §3.3 (approx.); CNTLID in the request as Linux sends
 * it).  Not in libnvme 1.3. */
#ifndef NVSIM_SPEC_RDMA_CM_H
#define NVSIM_SPEC_RDMA_CM_H

#include "spec/wire.h"

struct nvsim_rdma_cm_req {
	uint16_t recfmt;
	uint16_t qid;
	uint16_t hrqsize; /* host receive queue size */
	uint16_t hsqsize; /* host send queue size, 0's based */
	uint16_t cntlid;
	uint8_t rsvd10[22];
};

struct nvsim_rdma_cm_accept {
	uint16_t recfmt;
	uint16_t crqsize; /* controller receive queue size */
	uint8_t rsvd4[28];
};

struct nvsim_rdma_cm_reject {
	uint16_t recfmt;
	uint16_t sts;
};

NVSIM_ASSERT_SIZE(struct nvsim_rdma_cm_req, 32);
NVSIM_ASSERT_OFFSET(struct nvsim_rdma_cm_req, qid, 2);
NVSIM_ASSERT_OFFSET(struct nvsim_rdma_cm_req, hrqsize, 4);
NVSIM_ASSERT_OFFSET(struct nvsim_rdma_cm_req, hsqsize, 6);
NVSIM_ASSERT_OFFSET(struct nvsim_rdma_cm_req, cntlid, 8);
NVSIM_ASSERT_SIZE(struct nvsim_rdma_cm_accept, 32);
NVSIM_ASSERT_OFFSET(struct nvsim_rdma_cm_accept, crqsize, 2);
NVSIM_ASSERT_SIZE(struct nvsim_rdma_cm_reject, 4);
NVSIM_ASSERT_OFFSET(struct nvsim_rdma_cm_reject, sts, 2);

enum nvsim_rdma_cm_reject_sts {
	NVSIM_RDMA_CM_INVALID_LEN = 0x01,
	NVSIM_RDMA_CM_INVALID_RECFMT = 0x02,
	NVSIM_RDMA_CM_INVALID_QID = 0x03,
	NVSIM_RDMA_CM_INVALID_HSQSIZE = 0x04,
	NVSIM_RDMA_CM_INVALID_HRQSIZE = 0x05,
	NVSIM_RDMA_CM_NO_RSC = 0x06,
	NVSIM_RDMA_CM_INVALID_IRD = 0x07,
	NVSIM_RDMA_CM_INVALID_ORD = 0x08,
	NVSIM_RDMA_CM_INVALID_CNTLID = 0x09,
};

/* The admin queue may hold at most 32 entries over RDMA (Linux
 * NVME_AQ_DEPTH); HSQSIZE + 1 above that is rejected. */
#define NVSIM_RDMA_ADMIN_QUEUE_MAX 32u

#endif
