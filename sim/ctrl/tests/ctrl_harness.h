/* Shared harness for the controller model's unit tests.
 *
 * The controller is tested as a black box through sim/ctrl/ctrl.h only: a
 * fake clock the tests advance by hand (so nothing depends on wall time), a
 * controller factory, the CC write that enables it, a submit helper that
 * captures the CQE through the done callback, SQE builders and status
 * assertions.  Every rule tested is one of docs/controller.md.
 */
#ifndef NVSIM_CTRL_TESTS_HARNESS_H
#define NVSIM_CTRL_TESTS_HARNESS_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nvme/types.h>

#include "cmocka_main.h"
#include "ctrl/ctrl.h"
#include "spec/cqe.h"
#include "spec/sqe.h"
#include "spec/status.h"

#define MS(x) ((uint64_t)(x) * 1000000ull)

/* Byte offsets of SQE fields the contract names as error locations. */
#define LOC_OPCODE 0u
#define LOC_FLAGS 1u
#define LOC_NSID 4u
#define LOC_DPTR 24u
#define LOC_CDW10 40u
#define LOC_NUMDL 42u
#define LOC_CDW11 44u
#define LOC_CDW12 48u
#define LOC_ANY 0xffffffffu

/* CC for enable: EN = 1, CSS NVM, MPS 4 KiB, AMS round robin, IOSQES 6
 * (64-byte SQE), IOCQES 4 (16-byte CQE) (NVMe Base 2.0 §3.1.4.5 (approx.)). */
#define CC_EN 0x1u
#define CC_IOSQES(x) ((uint32_t)(x) << NVME_CC_IOSQES_SHIFT)
#define CC_IOCQES(x) ((uint32_t)(x) << NVME_CC_IOCQES_SHIFT)
#define CC_SHN(x) ((uint32_t)(x) << NVME_CC_SHN_SHIFT)
#define CC_MPS(x) ((uint32_t)(x) << NVME_CC_MPS_SHIFT)
#define CC_AMS(x) ((uint32_t)(x) << NVME_CC_AMS_SHIFT)
#define CC_CSS(x) ((uint32_t)(x) << NVME_CC_CSS_SHIFT)
#define CC_READY_VALUE (CC_EN | CC_IOSQES(6) | CC_IOCQES(4))

#define CSTS_RDY 0x1u
#define CSTS_CFS 0x2u
#define CSTS_SHST(csts) (((csts) >> NVME_CSTS_SHST_SHIFT) & NVME_CSTS_SHST_MASK)

/* SQE byte 1: PSDT 01b (SGL, metadata contiguous), the only value fabrics
 * allow (NVMe-oF 1.1 §2.3 (approx.)). */
#define SQE_FLAGS_SGL 0x40u

/* ---- fake clock ------------------------------------------------------------ */
struct fake_clock {
	uint64_t ns;
};

static inline uint64_t fake_clock_now(void *ctx)
{
	return ((const struct fake_clock *)ctx)->ns;
}

/* ---- harness --------------------------------------------------------------- */
struct harness {
	struct fake_clock clock;
	struct nvsim_ctrl_config cfg;
	struct nvsim_ctrl *ctrl;
	unsigned kato_expired;
	unsigned discarded;	 /* events.command_discarded calls */
	void *last_discarded_arg;
	uint16_t next_cid;
};

static inline void h_kato_expired(void *arg, struct nvsim_ctrl *ctrl)
{
	struct harness *h = arg;

	assert_ptr_equal(ctrl, h->ctrl);
	h->kato_expired++;
}

static inline void h_command_discarded(void *arg, void *done_arg)
{
	struct harness *h = arg;

	h->discarded++;
	h->last_discarded_arg = done_arg;
}

/* Default configuration on the fake clock; tests adjust h->cfg, then create. */
static inline void h_config(struct harness *h)
{
	memset(h, 0, sizeof(*h));
	h->clock.ns = MS(1000); /* not zero: a zero "last seen" must not look special */
	nvsim_ctrl_config_init(&h->cfg);
	h->cfg.clock.now_ns = fake_clock_now;
	h->cfg.clock.ctx = &h->clock;
	h->cfg.events.kato_expired = h_kato_expired;
	h->cfg.events.command_discarded = h_command_discarded;
	h->cfg.events.arg = h;
	h->next_cid = 0x100;
	/* NVSIM_CTRL_TEST_QUIRKS=<NVSIM_QUIRK_* bits> breaks rules on
	 * purpose, to show which tests notice; unset in every normal run. */
	if (getenv("NVSIM_CTRL_TEST_QUIRKS"))
		h->cfg.quirks = (nvsim_quirks_t)strtoull(getenv("NVSIM_CTRL_TEST_QUIRKS"), NULL, 0);
}

static inline void h_create(struct harness *h)
{
	assert_int_equal(nvsim_ctrl_create(&h->cfg, &h->ctrl), 0);
	assert_non_null(h->ctrl);
}

static inline uint32_t h_csts(struct harness *h)
{
	uint64_t v = 0;
	uint16_t loc;

	assert_int_equal(nvsim_ctrl_prop_get(h->ctrl, NVME_REG_CSTS, 4, &v, &loc), 0);
	return (uint32_t)v;
}

static inline void h_write_cc(struct harness *h, uint32_t cc)
{
	uint16_t loc;

	assert_int_equal(nvsim_ctrl_prop_set(h->ctrl, NVME_REG_CC, 4, cc, &loc), 0);
}

static inline void h_enable(struct harness *h)
{
	h_write_cc(h, CC_READY_VALUE);
	assert_true(h_csts(h) & CSTS_RDY);
	assert_true(nvsim_ctrl_ready(h->ctrl));
}

/* Configure with defaults, create and enable. */
static inline void h_start(struct harness *h)
{
	h_config(h);
	h_create(h);
	h_enable(h);
}

static inline void h_stop(struct harness *h)
{
	nvsim_ctrl_destroy(h->ctrl);
	h->ctrl = NULL;
}

static inline void h_advance(struct harness *h, uint64_t ns)
{
	h->clock.ns += ns;
}

/* ---- namespaces -------------------------------------------------------------- */
static inline struct nvsim_ns_config h_ns_config(enum nvsim_ns_backend be, uint64_t size,
						 uint32_t lba_size)
{
	struct nvsim_ns_config c;

	memset(&c, 0, sizeof(c));
	c.backend = be;
	c.size_bytes = size;
	c.lba_size = lba_size;
	return c;
}

static inline void h_add_ns(struct harness *h, uint32_t nsid, enum nvsim_ns_backend be,
			    uint64_t size, uint32_t lba_size)
{
	struct nvsim_ns_config c = h_ns_config(be, size, lba_size);

	assert_int_equal(nvsim_ctrl_add_ns(h->ctrl, nsid, &c), 0);
}

/* ---- commands ---------------------------------------------------------------- */

/* One command in flight: its SQE, its data and what came back. */
struct h_cmd {
	struct nvsim_sqe sqe;
	struct nvsim_iov iov;
	struct nvsim_data data;
	unsigned done;
	struct nvsim_cqe cqe;
};

static inline void h_done(void *arg, const struct nvsim_cqe *cqe)
{
	struct h_cmd *c = arg;

	c->done++;
	c->cqe = *cqe;
}

/* Submit without waiting; returns what nvsim_ctrl_submit returned. */
static inline int h_submit(struct harness *h, uint16_t qid, struct h_cmd *c, void *buf,
			   size_t len)
{
	c->done = 0;
	memset(&c->cqe, 0, sizeof(c->cqe));
	if (buf)
		nvsim_data_init_flat(&c->data, &c->iov, buf, len);
	return nvsim_ctrl_submit(h->ctrl, qid, &c->sqe, buf ? &c->data : NULL, h_done, c);
}

/* Submit and expect exactly one completion before submit returns. */
static inline struct nvsim_cqe h_exec(struct harness *h, uint16_t qid, const struct nvsim_sqe *sqe,
				      void *buf, size_t len)
{
	struct h_cmd c;

	c.sqe = *sqe;
	assert_int_equal(h_submit(h, qid, &c, buf, len), 0);
	assert_int_equal(c.done, 1);
	return c.cqe;
}

static inline uint16_t h_sf(const struct nvsim_cqe *cqe)
{
	return nvsim_cqe_status_field(cqe);
}

/* ---- SQE builders ------------------------------------------------------------ */
static inline struct nvsim_sqe h_sqe(struct harness *h, uint8_t opcode, uint32_t nsid)
{
	struct nvsim_sqe s;

	memset(&s, 0, sizeof(s));
	s.opcode = opcode;
	s.flags = SQE_FLAGS_SGL;
	s.cid = htole16(h->next_cid++);
	s.nsid = htole32(nsid);
	return s;
}

static inline struct nvsim_sqe h_sqe_identify(struct harness *h, uint8_t cns, uint32_t nsid)
{
	struct nvsim_sqe s = h_sqe(h, nvme_admin_identify, nsid);

	((struct nvsim_sqe_identify *)&s)->cns = cns;
	return s;
}

/* Get Log Page of ndw dwords (1-based count). */
static inline struct nvsim_sqe h_sqe_get_log(struct harness *h, uint8_t lid, uint32_t nsid,
					     uint32_t ndw, uint64_t lpo, bool rae)
{
	struct nvsim_sqe s = h_sqe(h, nvme_admin_get_log_page, nsid);
	struct nvsim_sqe_get_log_page *g = (struct nvsim_sqe_get_log_page *)&s;

	g->lid = lid;
	g->lsp_rae = rae ? NVSIM_LOG_RAE : 0;
	g->numdl = htole16((uint16_t)((ndw - 1) & 0xffff));
	g->numdu = htole16((uint16_t)((ndw - 1) >> 16));
	g->lpo = htole64(lpo);
	return s;
}

static inline struct nvsim_sqe h_sqe_set_feat(struct harness *h, uint8_t fid, uint32_t cdw11,
					      bool sv)
{
	struct nvsim_sqe s = h_sqe(h, nvme_admin_set_features, 0);

	s.cdw10 = htole32(fid | (sv ? NVSIM_FEAT_SV : 0));
	s.cdw11 = htole32(cdw11);
	return s;
}

static inline struct nvsim_sqe h_sqe_get_feat(struct harness *h, uint8_t fid, unsigned sel,
					      uint32_t cdw11)
{
	struct nvsim_sqe s = h_sqe(h, nvme_admin_get_features, 0);

	s.cdw10 = htole32(fid | (sel & 0x7u) << 8);
	s.cdw11 = htole32(cdw11);
	return s;
}

/* Read/Write/Compare/Write Zeroes/Verify: nlb is a count (1-based). */
static inline struct nvsim_sqe h_sqe_rw(struct harness *h, uint8_t opcode, uint32_t nsid,
					uint64_t slba, uint32_t nlb)
{
	struct nvsim_sqe s = h_sqe(h, opcode, nsid);
	struct nvsim_sqe_rw *rw = (struct nvsim_sqe_rw *)&s;

	rw->slba = htole64(slba);
	rw->nlb = htole16((uint16_t)(nlb - 1));
	return s;
}

static inline struct nvsim_sqe h_sqe_dsm(struct harness *h, uint32_t nsid, unsigned nranges,
					 uint32_t attr)
{
	struct nvsim_sqe s = h_sqe(h, nvme_cmd_dsm, nsid);
	struct nvsim_sqe_dsm *d = (struct nvsim_sqe_dsm *)&s;

	d->nr = (uint8_t)(nranges - 1);
	d->attributes = htole32(attr);
	return s;
}

static inline struct nvsim_sqe h_sqe_abort(struct harness *h, uint16_t sqid, uint16_t cid)
{
	struct nvsim_sqe s = h_sqe(h, nvme_admin_abort_cmd, 0);

	s.cdw10 = htole32((uint32_t)cid << 16 | sqid);
	return s;
}

static inline struct nvsim_sqe h_sqe_fabrics(struct harness *h, uint8_t fctype)
{
	struct nvsim_sqe s;
	struct nvsim_sqe_fabrics *f = (struct nvsim_sqe_fabrics *)&s;

	memset(&s, 0, sizeof(s));
	f->opcode = NVSIM_FABRICS_OPCODE;
	/* Hosts set PSDT 01b on every command, fabrics ones included (Linux
	 * nvme-rdma/nvme-tcp). */
	f->rsvd1 = SQE_FLAGS_SGL;
	f->cid = htole16(h->next_cid++);
	f->fctype = fctype;
	return s;
}

static inline struct nvsim_sqe h_sqe_prop_get(struct harness *h, uint32_t ofst, uint8_t attrib)
{
	struct nvsim_sqe s = h_sqe_fabrics(h, nvme_fabrics_type_property_get);
	struct nvsim_sqe_prop_get *p = (struct nvsim_sqe_prop_get *)&s;

	p->attrib = attrib;
	p->ofst = htole32(ofst);
	return s;
}

static inline struct nvsim_sqe h_sqe_prop_set(struct harness *h, uint32_t ofst, uint8_t attrib,
					      uint64_t value)
{
	struct nvsim_sqe s = h_sqe_fabrics(h, nvme_fabrics_type_property_set);
	struct nvsim_sqe_prop_set *p = (struct nvsim_sqe_prop_set *)&s;

	p->attrib = attrib;
	p->ofst = htole32(ofst);
	p->value = htole64(value);
	return s;
}

/* ---- status assertions -------------------------------------------------------- */
static inline void h_check_status(struct nvsim_cqe cqe, unsigned sct, unsigned sc, int dnr,
				  const char *file, int line)
{
	uint16_t sf = h_sf(&cqe);
	char got[160];

	if (nvsim_status_sct(sf) == sct && nvsim_status_sc(sf) == sc &&
	    nvsim_status_dnr(sf) == (dnr != 0))
		return;
	nvsim_status_describe(sf, false, got, sizeof(got));
	print_error("expected SCT %xh/SC %02xh%s, got %s (status field 0x%04x)\n", sct, sc,
		    dnr ? " [DNR]" : " [no DNR]", got, sf);
	_fail(file, line);
}

#define assert_status(cqe, sct, sc, dnr) h_check_status((cqe), (sct), (sc), (dnr), __FILE__, __LINE__)
#define assert_success(cqe) assert_status(cqe, NVME_SCT_GENERIC, NVME_SC_SUCCESS, 0)

/* The newest Error Information log entry (LID 01h, one 64-byte entry).  RAE
 * = 1 so that looking at the log does not unmask error events. */
static inline struct nvsim_cqe h_errlog_read(struct harness *h, struct nvme_error_log_page *e)
{
	struct nvsim_sqe s = h_sqe_get_log(h, NVME_LOG_LID_ERROR, 0, 16, 0, true);

	memset(e, 0xa5, sizeof(*e));
	return h_exec(h, 0, &s, e, sizeof(*e));
}

static inline void h_errlog_newest(struct harness *h, struct nvme_error_log_page *e)
{
	assert_success(h_errlog_read(h, e));
}

/* A failed command: status (with DNR, which every error carries unless the
 * contract says otherwise), and its Error Information entry with the
 * command's CID and the byte of the SQE at fault. */
static inline void h_check_error(struct harness *h, struct nvsim_cqe cqe, unsigned sct,
				 unsigned sc, uint32_t loc, const char *file, int line)
{
	struct nvme_error_log_page e;

	h_check_status(cqe, sct, sc, 1, file, line);
	h_check_status(h_errlog_read(h, &e), NVME_SCT_GENERIC, NVME_SC_SUCCESS, 0, file, line);
	if (le16toh(e.cmdid) != le16toh(cqe.cid) || le16toh(e.sqid) != le16toh(cqe.sqid)) {
		print_error("newest error log entry is SQID %u CID 0x%x, expected SQID %u CID 0x%x\n",
			    le16toh(e.sqid), le16toh(e.cmdid), le16toh(cqe.sqid),
			    le16toh(cqe.cid));
		_fail(file, line);
	}
	if (loc != LOC_ANY && le16toh(e.parm_error_location) != loc) {
		print_error("error location %u, expected %u\n", le16toh(e.parm_error_location), loc);
		_fail(file, line);
	}
}

#define assert_error(h, cqe, sct, sc, loc) h_check_error((h), (cqe), (sct), (sc), (loc), __FILE__, __LINE__)
#define assert_generic_error(h, cqe, sc, loc) assert_error(h, cqe, NVME_SCT_GENERIC, (sc), (loc))

/* ---- admin shorthands ----------------------------------------------------------- */
static inline struct nvsim_cqe h_identify(struct harness *h, uint8_t cns, uint32_t nsid, void *buf)
{
	struct nvsim_sqe s = h_sqe_identify(h, cns, nsid);

	return h_exec(h, 0, &s, buf, NVME_IDENTIFY_DATA_SIZE);
}

static inline struct nvsim_cqe h_get_log(struct harness *h, uint8_t lid, uint32_t nsid, void *buf,
					 size_t len, uint64_t lpo, bool rae)
{
	struct nvsim_sqe s = h_sqe_get_log(h, lid, nsid, (uint32_t)(len / 4), lpo, rae);

	return h_exec(h, 0, &s, buf, len);
}

static inline struct nvsim_cqe h_set_feat(struct harness *h, uint8_t fid, uint32_t cdw11)
{
	struct nvsim_sqe s = h_sqe_set_feat(h, fid, cdw11, false);

	return h_exec(h, 0, &s, NULL, 0);
}

/* Get Features current value; asserts success. */
static inline uint32_t h_get_feat(struct harness *h, uint8_t fid, unsigned sel, uint32_t cdw11)
{
	struct nvsim_sqe s = h_sqe_get_feat(h, fid, sel, cdw11);
	struct nvsim_cqe cqe = h_exec(h, 0, &s, NULL, 0);

	assert_success(cqe);
	return le32toh(cqe.dw0);
}

/* Set Features Number of Queues for n pairs, then add I/O queues 1..n of
 * sqsize + 1 entries each, as a host does before Connect on each queue. */
static inline void h_io_queues(struct harness *h, uint16_t n, uint16_t sqsize)
{
	struct nvsim_cqe cqe =
		h_set_feat(h, NVME_FEAT_FID_NUM_QUEUES, (uint32_t)(n - 1) << 16 | (uint32_t)(n - 1));

	assert_success(cqe);
	for (uint16_t q = 1; q <= n; q++)
		assert_int_equal(nvsim_ctrl_add_io_queue(h->ctrl, q, sqsize), 0);
}

/* An I/O command on queue qid with a flat buffer. */
static inline struct nvsim_cqe h_io(struct harness *h, uint16_t qid, uint8_t opcode, uint32_t nsid,
				    uint64_t slba, uint32_t nlb, void *buf, size_t len)
{
	struct nvsim_sqe s = h_sqe_rw(h, opcode, nsid, slba, nlb);

	return h_exec(h, qid, &s, buf, len);
}

/* A ready controller with one I/O queue and one namespace. */
static inline void h_start_io(struct harness *h, enum nvsim_ns_backend be, uint64_t size,
			      uint32_t lba_size)
{
	h_start(h);
	h_add_ns(h, 1, be, size, lba_size);
	h_io_queues(h, 1, 63);
}

static inline void h_fill_pattern(void *buf, size_t len, uint32_t seed)
{
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)((seed * 131u + i * 7u + (i >> 8)) & 0xff);
}

static inline bool h_all_bytes(const void *buf, size_t len, uint8_t v)
{
	const uint8_t *p = buf;

	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* splitmix64: reproducible scattered offsets for the sparse namespace test. */
static inline uint64_t h_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Low 64 bits of a 128-bit little-endian SMART counter. */
static inline uint64_t h_le128_lo(const uint8_t v[16])
{
	return get_le64(v);
}

#endif
