/* The 16-byte completion queue entry (NVMe Base 2.0 §4.6 (approx.)).
 * STATUS holds the phase tag in bit 0 and the status field (libnvme's
 * enum nvme_status_field encoding) in bits 15:1. */
#ifndef NVSIM_SPEC_CQE_H
#define NVSIM_SPEC_CQE_H

#include "spec/wire.h"

struct nvsim_cqe {
	uint32_t dw0;
	uint32_t dw1;
	uint16_t sqhd;
	uint16_t sqid;
	uint16_t cid;
	uint16_t status;
};

NVSIM_ASSERT_SIZE(struct nvsim_cqe, 16);
NVSIM_ASSERT_OFFSET(struct nvsim_cqe, dw0, 0);
NVSIM_ASSERT_OFFSET(struct nvsim_cqe, sqhd, 8);
NVSIM_ASSERT_OFFSET(struct nvsim_cqe, sqid, 10);
NVSIM_ASSERT_OFFSET(struct nvsim_cqe, cid, 12);
NVSIM_ASSERT_OFFSET(struct nvsim_cqe, status, 14);

/* Connect response DW0 (NVMe-oF 1.1 §3.3, "Connect Response" (approx.)):
 * success carries CNTLID in bits 15:0; Connect Invalid Parameters carries
 * the Invalid Parameter Offset in bits 15:0 and the Invalid Attributes in
 * bits 23:16, bit 16 set when the offset is into the Connect data.  Linux
 * nvmet (IPO_IATTR_CONNECT_DATA) and SPDK (status_code_specific.invalid)
 * lay it out the same way; the VM lab caught us with the halves swapped. */
#define NVSIM_CONNECT_RSP_AUTHREQ_SHIFT 16
#define NVSIM_IATTR_SQE 0u
#define NVSIM_IATTR_CONNECT_DATA 1u

static inline uint32_t nvsim_connect_invalid_param_dw0(unsigned iattr, uint16_t ipo)
{
	return (uint32_t)(iattr & 0x1) << 16 | ipo;
}

static inline unsigned nvsim_connect_iattr(uint32_t dw0)
{
	return (dw0 >> 16) & 0xff;
}

static inline uint16_t nvsim_connect_ipo(uint32_t dw0)
{
	return (uint16_t)dw0;
}

static inline uint16_t nvsim_cqe_status_field(const struct nvsim_cqe *cqe)
{
	return le16toh(cqe->status) >> 1;
}

static inline int nvsim_cqe_phase(const struct nvsim_cqe *cqe)
{
	return le16toh(cqe->status) & 1;
}

#endif
