/* The 64-byte submission queue entry and the command views nvmf-sim uses
 * (NVMe Base 2.0 §4.2 "Submission Queue Entry"; fabrics commands in §6).
 * libnvme 1.3 has opcodes and enums but no SQE layout, so these are ours.
 * All multi-byte fields are little-endian on the wire. */
#ifndef NVSIM_SPEC_SQE_H
#define NVSIM_SPEC_SQE_H

#include "spec/sgl.h"

#define NVSIM_FABRICS_OPCODE 0x7f

/* Byte 1 of every SQE. */
#define NVSIM_SQE_FUSE_MASK 0x03
#define NVSIM_SQE_PSDT_SHIFT 6
#define NVSIM_SQE_PSDT_MASK 0xc0
enum nvsim_psdt {
	NVSIM_PSDT_PRP = 0,
	NVSIM_PSDT_SGL_MPTR_CONTIG = 1, /* the only value allowed over fabrics */
	NVSIM_PSDT_SGL_MPTR_SGL = 2,
};

union nvsim_dptr {
	struct {
		uint64_t prp1;
		uint64_t prp2;
	} prp;
	struct nvsim_sgl_desc sgl;
	struct nvsim_sgl_keyed keyed;
	struct nvsim_sgl_unkeyed unkeyed;
};

/* Common layout: every command in raw dwords. */
struct nvsim_sqe {
	uint8_t opcode;
	uint8_t flags;
	uint16_t cid;
	uint32_t nsid;
	uint32_t cdw2;
	uint32_t cdw3;
	uint64_t mptr;
	union nvsim_dptr dptr;
	uint32_t cdw10;
	uint32_t cdw11;
	uint32_t cdw12;
	uint32_t cdw13;
	uint32_t cdw14;
	uint32_t cdw15;
};

/* Fabrics command: FCTYPE replaces NSID's first byte. */
struct nvsim_sqe_fabrics {
	uint8_t opcode;
	uint8_t rsvd1;
	uint16_t cid;
	uint8_t fctype;
	uint8_t rsvd5[19];
	union nvsim_dptr dptr;
	uint8_t specific[24];
};

struct nvsim_sqe_connect {
	uint8_t opcode;
	uint8_t rsvd1;
	uint16_t cid;
	uint8_t fctype;
	uint8_t rsvd5[19];
	union nvsim_dptr dptr;
	uint16_t recfmt;
	uint16_t qid;
	uint16_t sqsize;
	uint8_t cattr;
	uint8_t rsvd47;
	uint32_t kato;
	uint8_t rsvd52[12];
};

#define NVSIM_CONNECT_CATTR_DISABLE_SQFLOW (1u << 2)

struct nvsim_sqe_prop_get {
	uint8_t opcode;
	uint8_t rsvd1;
	uint16_t cid;
	uint8_t fctype;
	uint8_t rsvd5[19];
	union nvsim_dptr dptr;
	uint8_t attrib;
	uint8_t rsvd41[3];
	uint32_t ofst;
	uint8_t rsvd48[16];
};

struct nvsim_sqe_prop_set {
	uint8_t opcode;
	uint8_t rsvd1;
	uint16_t cid;
	uint8_t fctype;
	uint8_t rsvd5[19];
	union nvsim_dptr dptr;
	uint8_t attrib;
	uint8_t rsvd41[3];
	uint32_t ofst;
	uint64_t value;
	uint8_t rsvd56[8];
};

#define NVSIM_PROP_ATTRIB_SIZE_8 0x01 /* ATTRIB bit 0: 0 = 4 bytes, 1 = 8 bytes */

struct nvsim_sqe_disconnect {
	uint8_t opcode;
	uint8_t rsvd1;
	uint16_t cid;
	uint8_t fctype;
	uint8_t rsvd5[19];
	union nvsim_dptr dptr;
	uint16_t recfmt;
	uint8_t rsvd42[22];
};

/* NVM Read, Write, Compare, Write Zeroes, Verify. */
struct nvsim_sqe_rw {
	uint8_t opcode;
	uint8_t flags;
	uint16_t cid;
	uint32_t nsid;
	uint32_t cdw2;
	uint32_t cdw3;
	uint64_t mptr;
	union nvsim_dptr dptr;
	uint64_t slba;
	uint16_t nlb; /* 0's based */
	uint16_t control;
	uint32_t dsmgmt;
	uint32_t reftag;
	uint16_t apptag;
	uint16_t appmask;
};

#define NVSIM_RW_CONTROL_FUA (1u << 14)
#define NVSIM_RW_CONTROL_LR (1u << 15)
#define NVSIM_WZ_CONTROL_DEAC (1u << 9) /* CDW12 bit 25: deallocate */

/* Dataset Management: CDW10 NR (0's based range count), CDW11 attributes. */
struct nvsim_sqe_dsm {
	uint8_t opcode;
	uint8_t flags;
	uint16_t cid;
	uint32_t nsid;
	uint64_t rsvd8;
	uint64_t mptr;
	union nvsim_dptr dptr;
	uint8_t nr;
	uint8_t rsvd41[3];
	uint32_t attributes;
	uint8_t rsvd48[16];
};

#define NVSIM_DSM_ATTR_DEALLOCATE (1u << 2)

struct nvsim_sqe_identify {
	uint8_t opcode;
	uint8_t flags;
	uint16_t cid;
	uint32_t nsid;
	uint64_t rsvd8;
	uint64_t mptr;
	union nvsim_dptr dptr;
	uint8_t cns;
	uint8_t rsvd41;
	uint16_t cntid;
	uint16_t cnssid;
	uint8_t rsvd46;
	uint8_t csi;
	uint8_t rsvd48[8];
	uint8_t uuid_index;
	uint8_t rsvd57[7];
};

struct nvsim_sqe_get_log_page {
	uint8_t opcode;
	uint8_t flags;
	uint16_t cid;
	uint32_t nsid;
	uint64_t rsvd8;
	uint64_t mptr;
	union nvsim_dptr dptr;
	uint8_t lid;
	uint8_t lsp_rae; /* LSP bits 6:0, RAE bit 7 (CDW10 bit 15) */
	uint16_t numdl;
	uint16_t numdu;
	uint16_t lsi;
	uint64_t lpo; /* CDW12 (LPOL) and CDW13 (LPOU) */
	uint8_t uuid_index;
	uint8_t rsvd57[2];
	uint8_t csi;
	uint32_t cdw15;
};

#define NVSIM_LOG_RAE (1u << 7)

/* Set Features and Get Features: FID in CDW10 bits 7:0, SEL (get) in bits
 * 10:8, SV (set) in bit 31. */
struct nvsim_sqe_features {
	uint8_t opcode;
	uint8_t flags;
	uint16_t cid;
	uint32_t nsid;
	uint64_t rsvd8;
	uint64_t mptr;
	union nvsim_dptr dptr;
	uint32_t cdw10;
	uint32_t cdw11;
	uint32_t cdw12;
	uint32_t cdw13;
	uint32_t cdw14;
	uint32_t cdw15;
};

#define NVSIM_FEAT_FID(cdw10) ((uint8_t)((cdw10) & 0xff))
#define NVSIM_FEAT_SEL(cdw10) ((uint8_t)(((cdw10) >> 8) & 0x7))
#define NVSIM_FEAT_SV (1u << 31)

NVSIM_ASSERT_SIZE(union nvsim_dptr, 16);
NVSIM_ASSERT_SIZE(struct nvsim_sqe, 64);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe, cid, 2);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe, nsid, 4);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe, mptr, 16);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe, dptr, 24);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe, cdw10, 40);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe, cdw15, 60);

NVSIM_ASSERT_SIZE(struct nvsim_sqe_fabrics, 64);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_fabrics, fctype, 4);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_fabrics, dptr, 24);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_fabrics, specific, 40);

NVSIM_ASSERT_SIZE(struct nvsim_sqe_connect, 64);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_connect, recfmt, 40);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_connect, qid, 42);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_connect, sqsize, 44);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_connect, cattr, 46);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_connect, kato, 48);

NVSIM_ASSERT_SIZE(struct nvsim_sqe_prop_get, 64);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_prop_get, attrib, 40);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_prop_get, ofst, 44);
NVSIM_ASSERT_SIZE(struct nvsim_sqe_prop_set, 64);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_prop_set, attrib, 40);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_prop_set, ofst, 44);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_prop_set, value, 48);
NVSIM_ASSERT_SIZE(struct nvsim_sqe_disconnect, 64);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_disconnect, recfmt, 40);

NVSIM_ASSERT_SIZE(struct nvsim_sqe_rw, 64);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_rw, slba, 40);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_rw, nlb, 48);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_rw, control, 50);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_rw, dsmgmt, 52);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_rw, reftag, 56);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_rw, apptag, 60);

NVSIM_ASSERT_SIZE(struct nvsim_sqe_dsm, 64);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_dsm, nr, 40);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_dsm, attributes, 44);

NVSIM_ASSERT_SIZE(struct nvsim_sqe_identify, 64);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_identify, cns, 40);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_identify, cntid, 42);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_identify, cnssid, 44);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_identify, csi, 47);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_identify, uuid_index, 56);

NVSIM_ASSERT_SIZE(struct nvsim_sqe_get_log_page, 64);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_get_log_page, lid, 40);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_get_log_page, lsp_rae, 41);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_get_log_page, numdl, 42);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_get_log_page, numdu, 44);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_get_log_page, lsi, 46);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_get_log_page, lpo, 48);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_get_log_page, uuid_index, 56);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_get_log_page, csi, 59);

NVSIM_ASSERT_SIZE(struct nvsim_sqe_features, 64);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_features, cdw10, 40);
NVSIM_ASSERT_OFFSET(struct nvsim_sqe_features, cdw11, 44);

/* Byte offsets of fields, for error locations (NVMe Base 2.0 §5.16.1.2
 * (approx.), Error Information "Parameter Error Location"). */
#define NVSIM_SQE_OFF_OPCODE 0u
#define NVSIM_SQE_OFF_FLAGS 1u
#define NVSIM_SQE_OFF_NSID 4u
#define NVSIM_SQE_OFF_FCTYPE 4u
#define NVSIM_SQE_OFF_DPTR 24u
#define NVSIM_SQE_OFF_CDW10 40u
#define NVSIM_SQE_OFF_CDW11 44u
#define NVSIM_SQE_OFF_CDW12 48u
#define NVSIM_SQE_OFF_CDW13 52u

static inline enum nvsim_psdt nvsim_sqe_psdt(const struct nvsim_sqe *sqe)
{
	return (enum nvsim_psdt)((sqe->flags & NVSIM_SQE_PSDT_MASK) >> NVSIM_SQE_PSDT_SHIFT);
}

/* Opcode bits 1:0 give the data direction (NVMe Base 2.0 §4.2, Figure 88
 * (approx.)): 01b host to controller, 10b controller to host, 11b both. */
static inline int nvsim_opcode_xfer(uint8_t opcode)
{
	return opcode & 0x3;
}

#endif
