/* NVMe/TCP PDU headers (NVMe TCP Transport Specification 1.0 §3.6
 * (approx.)).  Not in libnvme 1.3. */
#ifndef NVSIM_SPEC_TCP_PDU_H
#define NVSIM_SPEC_TCP_PDU_H

#include "spec/cqe.h"
#include "spec/sqe.h"

enum nvsim_tcp_pdu_type {
	NVSIM_TCP_ICREQ = 0x00,
	NVSIM_TCP_ICRESP = 0x01,
	NVSIM_TCP_H2C_TERM_REQ = 0x02,
	NVSIM_TCP_C2H_TERM_REQ = 0x03,
	NVSIM_TCP_CAPSULE_CMD = 0x04,
	NVSIM_TCP_CAPSULE_RESP = 0x05,
	NVSIM_TCP_H2C_DATA = 0x06,
	NVSIM_TCP_C2H_DATA = 0x07,
	NVSIM_TCP_R2T = 0x09,
};

enum nvsim_tcp_pdu_flags {
	NVSIM_TCP_F_HDGST = 1u << 0,
	NVSIM_TCP_F_DDGST = 1u << 1,
	NVSIM_TCP_F_DATA_LAST = 1u << 2,
	NVSIM_TCP_F_DATA_SUCCESS = 1u << 3,
};

enum nvsim_tcp_term_fes {
	NVSIM_TCP_FES_INVALID_HEADER_FIELD = 0x01,
	NVSIM_TCP_FES_PDU_SEQUENCE_ERROR = 0x02,
	NVSIM_TCP_FES_HEADER_DIGEST_ERROR = 0x03,
	NVSIM_TCP_FES_DATA_OUT_OF_RANGE = 0x04,
	NVSIM_TCP_FES_R2T_LIMIT_EXCEEDED = 0x05,
	NVSIM_TCP_FES_UNSUPPORTED_PARAMETER = 0x06,
};

#define NVSIM_TCP_DGST_HDGST_ENABLE (1u << 0)
#define NVSIM_TCP_DGST_DDGST_ENABLE (1u << 1)
#define NVSIM_TCP_HPDA_MAX 31u
#define NVSIM_TCP_TERM_REQ_MAX_HDR 152u /* offending header carried in a TermReq */

struct nvsim_tcp_common_hdr {
	uint8_t pdu_type;
	uint8_t flags;
	uint8_t hlen;
	uint8_t pdo;
	uint32_t plen;
};

struct nvsim_tcp_icreq {
	struct nvsim_tcp_common_hdr ch;
	uint16_t pfv;
	uint8_t hpda;
	uint8_t dgst;
	uint32_t maxr2t; /* 0's based */
	uint8_t rsvd16[112];
};

struct nvsim_tcp_icresp {
	struct nvsim_tcp_common_hdr ch;
	uint16_t pfv;
	uint8_t cpda;
	uint8_t dgst;
	uint32_t maxh2cdata;
	uint8_t rsvd16[112];
};

struct nvsim_tcp_term_req {
	struct nvsim_tcp_common_hdr ch;
	uint16_t fes;
	uint32_t fei; /* field error information: byte offset or value */
	uint8_t rsvd14[10];
} __attribute__((packed));

struct nvsim_tcp_capsule_cmd {
	struct nvsim_tcp_common_hdr ch;
	struct nvsim_sqe sqe;
};

struct nvsim_tcp_capsule_resp {
	struct nvsim_tcp_common_hdr ch;
	struct nvsim_cqe cqe;
};

/* H2CData and C2HData share one header. */
struct nvsim_tcp_data_hdr {
	struct nvsim_tcp_common_hdr ch;
	uint16_t cccid;
	uint16_t ttag;
	uint32_t datao;
	uint32_t datal;
	uint8_t rsvd20[4];
};

struct nvsim_tcp_r2t {
	struct nvsim_tcp_common_hdr ch;
	uint16_t cccid;
	uint16_t ttag;
	uint32_t r2to;
	uint32_t r2tl;
	uint8_t rsvd20[4];
};

NVSIM_ASSERT_SIZE(struct nvsim_tcp_common_hdr, 8);
NVSIM_ASSERT_OFFSET(struct nvsim_tcp_common_hdr, hlen, 2);
NVSIM_ASSERT_OFFSET(struct nvsim_tcp_common_hdr, pdo, 3);
NVSIM_ASSERT_OFFSET(struct nvsim_tcp_common_hdr, plen, 4);
NVSIM_ASSERT_SIZE(struct nvsim_tcp_icreq, 128);
NVSIM_ASSERT_OFFSET(struct nvsim_tcp_icreq, pfv, 8);
NVSIM_ASSERT_OFFSET(struct nvsim_tcp_icreq, hpda, 10);
NVSIM_ASSERT_OFFSET(struct nvsim_tcp_icreq, dgst, 11);
NVSIM_ASSERT_OFFSET(struct nvsim_tcp_icreq, maxr2t, 12);
NVSIM_ASSERT_SIZE(struct nvsim_tcp_icresp, 128);
NVSIM_ASSERT_OFFSET(struct nvsim_tcp_icresp, cpda, 10);
NVSIM_ASSERT_OFFSET(struct nvsim_tcp_icresp, maxh2cdata, 12);
NVSIM_ASSERT_SIZE(struct nvsim_tcp_term_req, 24);
NVSIM_ASSERT_OFFSET(struct nvsim_tcp_term_req, fes, 8);
NVSIM_ASSERT_OFFSET(struct nvsim_tcp_term_req, fei, 10);
NVSIM_ASSERT_SIZE(struct nvsim_tcp_capsule_cmd, 72);
NVSIM_ASSERT_OFFSET(struct nvsim_tcp_capsule_cmd, sqe, 8);
NVSIM_ASSERT_SIZE(struct nvsim_tcp_capsule_resp, 24);
NVSIM_ASSERT_SIZE(struct nvsim_tcp_data_hdr, 24);
NVSIM_ASSERT_OFFSET(struct nvsim_tcp_data_hdr, cccid, 8);
NVSIM_ASSERT_OFFSET(struct nvsim_tcp_data_hdr, ttag, 10);
NVSIM_ASSERT_OFFSET(struct nvsim_tcp_data_hdr, datao, 12);
NVSIM_ASSERT_OFFSET(struct nvsim_tcp_data_hdr, datal, 16);
NVSIM_ASSERT_SIZE(struct nvsim_tcp_r2t, 24);
NVSIM_ASSERT_OFFSET(struct nvsim_tcp_r2t, r2to, 12);
NVSIM_ASSERT_OFFSET(struct nvsim_tcp_r2t, r2tl, 16);

#endif
