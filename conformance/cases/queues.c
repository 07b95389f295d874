/* Queues (NVMe-oF 1.1 §2.4 (approx.); NVMe Base 2.0 §6.4 (approx.) for
 * Disconnect; catalogue §4.10, §6.5): SQHD and SQID in completions, a host
 * overrunning its queue, many queues and full queues, Disconnect on each
 * kind of queue, and a CID used twice. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <nvme/types.h>

#include "conformance/case.h"
#include "spec/cqe.h"

#define BUF_ALIGN 4096
#define SQE_OFF_SQSIZE 44
#define SCALE_LBA 0x2000 /* where this group writes */
#define REAP_ROUNDS 5000 /* × 1 ms of target time */
#define VS_2_0 0x00020000u

static void fill(struct conf_ctx *c, void *buf, size_t len, uint64_t salt)
{
	uint64_t x = (conf_seed(c) ^ salt ^ 0x165667b19e3779f9ull) | 1;
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)(x >> 24);
	}
}

static void *buf_new(struct conf_ctx *c, size_t len)
{
	void *p = aligned_alloc(BUF_ALIGN, (len + BUF_ALIGN - 1) / BUF_ALIGN * BUF_ALIGN);

	if (!p)
		conf_error(c, "out of memory (%zu bytes)", len);
	else
		memset(p, 0, len);
	return p;
}

/* Namespace 1's LBA size, or 0 (case skipped) when it is not 512..4096. */
static uint32_t ns_lba(struct conf_ctx *c, struct nvsim_host *h)
{
	struct nvsim_host_status st;
	struct nvme_id_ns *id = buf_new(c, NVME_IDENTIFY_DATA_SIZE);
	unsigned int fmt;
	uint8_t ds = 0;

	if (!id)
		return 0;
	nvsim_host_identify(h, NVME_IDENTIFY_CNS_NS, 1, id, &st);
	if (CONF_EXPECT(c, "Identify Namespace 1", &st, CONF_OK)) {
		fmt = (id->flbas & 0x0f) | (id->nlbaf >= 16 ? ((id->flbas >> 5) & 0x3u) << 4 : 0);
		ds = id->lbaf[fmt].ds;
		if (ds < 9 || ds > 12)
			conf_skip(c, "namespace 1 has 2^%u-byte blocks", ds);
	}
	free(id);
	return ds >= 9 && ds <= 12 ? 1u << ds : 0;
}

/* An admin queue of sqsize + 1 entries, connected; NULL (case skipped)
 * when the target will not have an admin queue that small. */
static struct nvsim_hq *small_admin(struct conf_ctx *c, uint16_t sqsize, struct nvsim_cqe *conn)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;
	struct nvsim_hq *q = conf_queue(c, 0, sqsize);

	if (!q)
		return NULL;
	conf_connect_args(c, 0, &a);
	a.sqsize = sqsize;
	conf_send_connect(c, q, &a, &st);
	if (st.has_cqe && (st.sf & 0x7ff) == (1u << 8 | 0x82) &&
	    nvsim_connect_ipo(le32toh(st.cqe.dw0)) == SQE_OFF_SQSIZE) {
		conf_skip(c, "the target refuses an admin queue of %u entries", sqsize + 1u);
		return NULL;
	}
	if (!CONF_EXPECT(c, "admin Connect with a small SQSIZE", &st, CONF_OK))
		return NULL;
	if (conn)
		*conn = st.cqe;
	return q;
}

static bool enable(struct conf_ctx *c, struct nvsim_hq *admin)
{
	uint64_t csts;

	if (!conf_enable(c, admin, "Property Set CC.EN = 1", &csts))
		return false;
	if (NVME_CSTS_RDY(csts))
		return true;
	conf_error(c, "CSTS.RDY did not come (CSTS %#llx)", (unsigned long long)csts);
	return false;
}

/* Poll until every command in cmds is answered; false when the queue died
 * or the time ran out (already reported). */
static bool reap_all(struct conf_ctx *c, struct nvsim_hq *q, struct nvsim_hcmd *cmds, size_t n,
		     const char *what)
{
	for (int round = 0; round < REAP_ROUNDS; round++) {
		size_t left = 0;

		for (size_t i = 0; i < n; i++) {
			int ret = nvsim_hq_reap(q, &cmds[i]);

			if (ret == -ECONNRESET) {
				conf_check(c, false, "%s: the queue died with commands outstanding",
					   what);
				return false;
			}
			left += ret != 0;
		}
		if (!left)
			return true;
		conf_advance(c, 1);
	}
	conf_check(c, false, "%s: not every command was answered", what);
	return false;
}

static struct nvsim_host_status status_of(const struct nvsim_hcmd *cmd)
{
	struct nvsim_host_status st = { .has_cqe = true, .cqe = cmd->cqe };

	st.sf = nvsim_cqe_status_field(&cmd->cqe);
	return st;
}

/* ---- completion fields --------------------------------------------------------------- */

static void admin_sqhd_wraps(struct conf_ctx *c)
{
	const uint16_t sqsize = 3; /* 4 entries: 10 commands wrap twice */
	struct nvsim_host_status st;
	struct nvsim_hq *q = small_admin(c, sqsize, NULL);
	uint16_t prev = 0;
	uint64_t v;

	if (!q)
		return;
	/* One command at a time: the Connect took entry 0, so after command i
	 * (from 0) the head has consumed i + 2 entries. */
	for (int i = 0; i < 10; i++) {
		uint16_t sqhd, want = (uint16_t)((i + 2) % (sqsize + 1));

		nvsim_host_prop_get(q, NVME_REG_VS, false, &v, &st);
		if (!CONF_EXPECT(c, "Property Get VS", &st, CONF_OK))
			return;
		sqhd = le16toh(st.cqe.sqhd);
		if (!conf_check(c, sqhd <= sqsize, "SQHD %u outside a queue of %u entries", sqhd,
				sqsize + 1))
			return;
		if (i && !conf_check(c, sqhd == (prev + 1) % (sqsize + 1),
				     "SQHD went from %u to %u after one command (queue of %u)",
				     prev, sqhd, sqsize + 1))
			return;
		if (!conf_check(c, sqhd == want,
				"SQHD %u after command %d following the Connect; %u expected", sqhd,
				i + 1, want))
			return;
		prev = sqhd;
	}
}

/* NVMe Base 2.1 §4.2.1, Figure 97, SQ Identifier: "This is a reserved field
 * in NVMe over Fabrics implementations", and "A reserved ... field ... shall
 * be cleared to 0h" (§1.4.1.6 (approx.)).  On the admin queue that is also
 * the queue's ID, so 0 either way; on I/O queues nothing can be required. */
#define SQID_RESERVED "NVMe Base 2.1 §4.2.1 Figure 97"

static void admin_sqid_zero(struct conf_ctx *c)
{
	struct nvsim_host_status st;
	struct nvsim_cqe conn;
	struct nvsim_hq *q = small_admin(c, 31, &conn);
	uint64_t v;

	if (!q)
		return;
	conf_check(c, le16toh(conn.sqid) == 0, "admin Connect's CQE has SQID %u",
		   le16toh(conn.sqid));
	nvsim_host_prop_get(q, NVME_REG_VS, false, &v, &st);
	if (CONF_EXPECT(c, "Property Get VS", &st, CONF_OK))
		conf_check(c, le16toh(st.cqe.sqid) == 0, "admin CQE has SQID %u",
			   le16toh(st.cqe.sqid));
}

/* ---- overrun ------------------------------------------------------------------------ */

static void overrun(struct conf_ctx *c)
{
	struct nvsim_sqe aer = { .opcode = nvme_admin_async_event };
	struct nvsim_sqe ka = { .opcode = nvme_admin_keep_alive };
	struct nvsim_sqe id = { .opcode = nvme_admin_identify,
				.cdw10 = htole32(NVME_IDENTIFY_CNS_CTRL) };
	struct nvsim_host_status st;
	struct nvsim_hcmd cmds[4], kcmd;
	struct nvsim_hq *q;
	struct nvme_id_ctrl *idc;
	unsigned int n;
	int ret = -EAGAIN;

	/* Identify AERL on a normal association first. */
	if (!(q = conf_admin(c, true, NULL)) || !(idc = buf_new(c, NVME_IDENTIFY_DATA_SIZE)))
		return;
	nvsim_hq_exec(q, &id, idc, NVME_IDENTIFY_DATA_SIZE, NVSIM_DIR_C2H, &st);
	n = idc->aerl + 1u;
	free(idc);
	if (!CONF_EXPECT(c, "Identify Controller", &st, CONF_OK))
		return;
	conf_close(c, q);
	if (n < 2) {
		conf_skip(c, "AERL allows %u AER: too few to fill a queue", n);
		return;
	}
	if (n > 3)
		n = 3;
	/* A queue of n entries, all held by AERs, then one command more. */
	if (!(q = small_admin(c, (uint16_t)(n - 1), NULL)) || !enable(c, q))
		return;
	for (unsigned int i = 0; i < n; i++) {
		if (nvsim_hq_start(q, &aer, NULL, 0, NVSIM_DIR_NONE, &cmds[i])) {
			conf_error(c, "could not send AER %u", i);
			return;
		}
	}
	conf_advance(c, 0);
	for (unsigned int i = 0; i < n; i++) {
		if (!nvsim_hq_reap(q, &cmds[i])) {
			st = status_of(&cmds[i]);
			conf_note(c, "AER %u completed early", i);
			CONF_EXPECT(c, "an AER", &st, CONF_OK);
			return;
		}
	}
	if (nvsim_hq_start(q, &ka, NULL, 0, NVSIM_DIR_NONE, &kcmd)) {
		conf_note(c, "the queue is gone before the extra command went out");
		return;
	}
	for (int round = 0; round < 500 && ret == -EAGAIN; round++) {
		ret = nvsim_hq_reap(q, &kcmd);
		if (ret == -EAGAIN)
			conf_advance(c, 1);
	}
	if (ret == -ECONNRESET || !nvsim_hq_connected(q)) {
		conf_note(c, "the target dropped the queue that was overrun");
	} else if (ret == -EAGAIN) {
		conf_note(c, "the extra command got no answer (held back, e.g. RNR)");
	} else {
		st = status_of(&kcmd);
		if (conf_check(c, st.sf != 0,
			       "Keep Alive as command %u on a queue of %u entries succeeded", n + 1,
			       n))
			conf_note(c, "the extra command was failed with SCT %xh SC %02xh",
				  (st.sf >> 8) & 0x7, st.sf & 0xff);
	}
}

/* ---- scale and depth ----------------------------------------------------------------- */

/* Number of Queues: "the number of queues allocated may be smaller or larger
 * than the number requested" (NVMe Base 2.0 §5.27.1.7 (approx.)). */
#define NR_QUEUES_CITE                                                                       \
	"NVMe Base 2.0 §5.27.1.7 (approx.), Number of Queues: the controller may allocate "  \
	"fewer I/O queues than the host requested"

/* Every granted I/O queue (16 asked for, at least 2 needed) writes its own
 * range, and each range is read back through the next queue: the queues
 * are independent paths to one namespace. */
static void many_queues(struct conf_ctx *c)
{
	struct nvsim_host_status st;
	struct nvsim_host *h = conf_connect(c, conf_subnqn(c), 16);
	uint8_t *w = NULL, *r = NULL;
	uint32_t lba, nlb;
	uint16_t n;

	if (!h || !(lba = ns_lba(c, h)))
		return;
	nlb = 4096 / lba;
	n = nvsim_host_nr_io_queues(h);
	if (n < 2) {
		conf_skip(c, "the target granted %u I/O queue%s: the case needs several", n,
			  n == 1 ? "" : "s");
		return;
	}
	if (n < 16)
		conf_permitted(c, NR_QUEUES_CITE, "the target granted %u of 16 I/O queues", n);
	if (!(w = buf_new(c, 4096)) || !(r = buf_new(c, 4096)))
		goto out;
	for (uint16_t qid = 1; qid <= n; qid++) {
		/* 4 KiB per queue, each queue its own range. */
		uint64_t slba = SCALE_LBA + (uint64_t)qid * nlb;

		fill(c, w, 4096, slba);
		/* The CQE's SQID is reserved on fabrics (SQID_RESERVED): the
		 * host wing matches completions by queue and CID alone. */
		nvsim_host_rw(h, qid, true, 1, slba, nlb, w, 4096, &st);
		if (!CONF_EXPECT(c, "Write", &st, CONF_OK))
			goto out;
	}
	for (uint16_t qid = 1; qid <= n; qid++) {
		uint16_t other = (uint16_t)(qid % n + 1);
		uint64_t slba = SCALE_LBA + (uint64_t)qid * nlb;

		fill(c, w, 4096, slba);
		memset(r, 0, 4096);
		nvsim_host_rw(h, other, false, 1, slba, nlb, r, 4096, &st);
		if (!CONF_EXPECT(c, "Read back through another queue", &st, CONF_OK) ||
		    !conf_check(c, !memcmp(w, r, 4096),
				"data written through I/O queue %u read back otherwise through %u",
				qid, other))
			goto out;
	}
out:
	free(w);
	free(r);
}

static void full_depth(struct conf_ctx *c)
{
	struct nvsim_host_status st;
	struct nvsim_host *h = conf_connect(c, conf_subnqn(c), 2);
	struct nvsim_hcmd *cmds = NULL;
	struct nvsim_sqe sqe;
	uint8_t *w = NULL, *r = NULL;
	uint64_t cap = 0;
	uint32_t depth, lba;

	if (!h || !(lba = ns_lba(c, h)))
		return;
	nvsim_host_prop_get(nvsim_host_admin(h), NVME_REG_CAP, true, &cap, &st);
	if (!CONF_EXPECT(c, "Property Get CAP", &st, CONF_OK))
		return;
	/* The host wing opens I/O queues of min(MQES + 1, 128) entries. */
	depth = NVME_CAP_MQES(cap) + 1u < 128 ? (uint32_t)NVME_CAP_MQES(cap) + 1u : 128;
	if (!(cmds = calloc(depth, sizeof(*cmds))) || !(w = buf_new(c, (size_t)depth * lba)) ||
	    !(r = buf_new(c, (size_t)depth * lba))) {
		conf_error(c, "out of memory");
		goto out;
	}
	for (uint16_t qid = 1; qid <= nvsim_host_nr_io_queues(h); qid++) {
		struct nvsim_hq *q = nvsim_host_io(h, qid);
		uint64_t base = SCALE_LBA + 0x400 + (uint64_t)qid * depth;

		fill(c, w, (size_t)depth * lba, base);
		memset(r, 0, (size_t)depth * lba);
		/* depth Writes in flight at once, then depth Reads. */
		for (int pass = 0; pass < 2; pass++) {
			for (uint32_t i = 0; i < depth; i++) {
				struct nvsim_sqe_rw *rw = (void *)&sqe;
				uint8_t *b = (pass ? r : w) + (size_t)i * lba;
				enum nvsim_dir dir = pass ? NVSIM_DIR_C2H : NVSIM_DIR_H2C;

				memset(&sqe, 0, sizeof(sqe));
				rw->opcode = pass ? nvme_cmd_read : nvme_cmd_write;
				rw->nsid = htole32(1);
				rw->slba = htole64(base + i);
				if (nvsim_hq_start(q, &sqe, b, lba, dir, &cmds[i])) {
					conf_check(c, false, "queue %u: command %u of %u not sent",
						   qid, i, depth);
					goto out;
				}
			}
			if (!reap_all(c, q, cmds, depth, pass ? "Reads" : "Writes"))
				goto out;
			for (uint32_t i = 0; i < depth; i++) {
				st = status_of(&cmds[i]);
				if (!CONF_EXPECT(c, pass ? "a Read of the full queue" :
							   "a Write of the full queue",
						 &st, CONF_OK))
					goto out;
			}
		}
		if (!conf_check(c, !memcmp(w, r, (size_t)depth * lba),
				"queue %u: data read back at depth %u differs", qid, depth))
			goto out;
	}
out:
	/* Commands left in flight still own registered buffers: deregistered
	 * first, the target can no longer reach what is freed. */
	for (uint32_t i = 0; cmds && i < depth; i++)
		nvsim_hq_buf_dereg(&cmds[i].hb);
	free(cmds);
	free(w);
	free(r);
}

static void admin_full_depth(struct conf_ctx *c)
{
	struct nvsim_host_status st;
	struct nvsim_hcmd cmds[32];
	struct nvsim_hq *q = conf_admin(c, true, NULL);

	if (!q)
		return;
	for (unsigned int i = 0; i < 32; i++) {
		struct nvsim_sqe sqe = { .opcode = NVSIM_FABRICS_OPCODE };
		struct nvsim_sqe_prop_get *pg = (void *)&sqe;

		pg->fctype = nvme_fabrics_type_property_get;
		pg->ofst = htole32(NVME_REG_CSTS);
		if (nvsim_hq_start(q, &sqe, NULL, 0, NVSIM_DIR_NONE, &cmds[i])) {
			conf_check(c, false, "command %u of 32 not sent", i);
			return;
		}
	}
	if (!reap_all(c, q, cmds, 32, "32 Property Gets"))
		return;
	for (unsigned int i = 0; i < 32; i++) {
		st = status_of(&cmds[i]);
		if (!CONF_EXPECT(c, "Property Get CSTS, one of 32 in flight", &st, CONF_OK))
			return;
	}
}

/* ---- Disconnect ---------------------------------------------------------------------- */

static void disconnect_sqe(struct nvsim_sqe *sqe, uint16_t recfmt)
{
	struct nvsim_sqe_disconnect *d = (void *)sqe;

	memset(sqe, 0, sizeof(*sqe));
	d->opcode = NVSIM_FABRICS_OPCODE;
	d->fctype = nvme_fabrics_type_disconnect;
	d->recfmt = htole16(recfmt);
}

/* Disconnect (FCTYPE 08h) arrived in NVMe Base 2.0 (§6.4 (approx.)): a
 * controller whose VS is older has no such command to judge: skipped. */
static bool has_disconnect(struct conf_ctx *c, struct nvsim_hq *admin)
{
	struct nvsim_host_status st;
	uint64_t vs = 0;

	if (nvsim_host_prop_get(admin, NVME_REG_VS, false, &vs, &st)) {
		CONF_EXPECT(c, "Property Get VS", &st, CONF_OK);
		return false;
	}
	if ((uint32_t)vs < VS_2_0) {
		conf_skip(c, "VS %#x: Disconnect arrived in NVMe Base 2.0", (unsigned)vs);
		return false;
	}
	return true;
}

static void disconnect_io(struct conf_ctx *c)
{
	struct nvsim_host_status st;
	struct nvsim_host *h = conf_connect(c, conf_subnqn(c), 1);
	struct nvsim_hq *q;
	struct nvsim_sqe sqe;

	if (!h || !(q = nvsim_host_io(h, 1)) || !has_disconnect(c, nvsim_host_admin(h)))
		return;
	disconnect_sqe(&sqe, 0);
	nvsim_hq_exec(q, &sqe, NULL, 0, NVSIM_DIR_NONE, &st);
	if (!CONF_EXPECT(c, "Disconnect on I/O queue 1", &st, CONF_OK))
		return;
	conf_advance(c, 0);
	/* The queue is gone: nothing more may succeed on it. */
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = nvme_cmd_flush;
	sqe.nsid = htole32(1);
	nvsim_hq_exec(q, &sqe, NULL, 0, NVSIM_DIR_NONE, &st);
	if (st.err || !st.has_cqe)
		conf_note(c, "after Disconnect the queue is closed (%s)",
			  st.err == -ETIMEDOUT ? "no answer" : "transport gone");
	else
		conf_check(c, st.sf != 0, "a Flush succeeded on the queue after Disconnect");
	/* The association lives on. */
	nvsim_host_keep_alive(h, &st);
	CONF_EXPECT(c, "Keep Alive on the admin queue after the I/O queue's Disconnect", &st,
		    CONF_OK);
}

static void disconnect_admin(struct conf_ctx *c)
{
	struct nvsim_host_status st;
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_sqe sqe;
	uint64_t v;

	if (!q || !has_disconnect(c, q))
		return;
	disconnect_sqe(&sqe, 0);
	nvsim_hq_exec(q, &sqe, NULL, 0, NVSIM_DIR_NONE, &st);
	if (!CONF_EXPECT(c, "Disconnect on the admin queue", &st, CONF_STATUS(1, 0x85)))
		return;
	nvsim_host_prop_get(q, NVME_REG_CSTS, false, &v, &st);
	CONF_EXPECT(c, "Property Get after the refused Disconnect", &st, CONF_OK);
}

static void disconnect_discovery(struct conf_ctx *c)
{
	struct nvsim_host_status st;
	struct nvsim_host *h = conf_connect_discovery(c);
	struct nvsim_sqe sqe;

	if (!h || !has_disconnect(c, nvsim_host_admin(h)))
		return;
	disconnect_sqe(&sqe, 0);
	nvsim_hq_exec(nvsim_host_admin(h), &sqe, NULL, 0, NVSIM_DIR_NONE, &st);
	CONF_EXPECT(c, "Disconnect on a discovery controller's admin queue", &st,
		    CONF_STATUS(1, 0x85));
}

static void disconnect_recfmt(struct conf_ctx *c)
{
	struct nvsim_host_status st;
	struct nvsim_host *h = conf_connect(c, conf_subnqn(c), 1);
	struct nvsim_hq *q;
	struct nvsim_sqe sqe;

	if (!h || !(q = nvsim_host_io(h, 1)) || !has_disconnect(c, nvsim_host_admin(h)))
		return;
	disconnect_sqe(&sqe, 1);
	nvsim_hq_exec(q, &sqe, NULL, 0, NVSIM_DIR_NONE, &st);
	CONF_EXPECT(c, "Disconnect with RECFMT 1", &st, CONF_STATUS(1, 0x80));
}

/* ---- CID ------------------------------------------------------------------------------- */

#define CID_CONFLICT_CITE                                                                    \
	"NVMe Base 2.0 §4.2.3.1 (approx.), Command ID Conflict: \"It is implementation "      \
	"specific how many commands are searched for a conflict\""

static void cid_in_use(struct conf_ctx *c)
{
	struct nvsim_sqe aer = { .opcode = nvme_admin_async_event, .cid = htole16(0xbeef) };
	struct nvsim_sqe ka = { .opcode = nvme_admin_keep_alive, .cid = htole16(0xbeef) };
	struct nvsim_host_status st = { 0 };
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	int ret;

	if (!q)
		return;
	/* The AER stays outstanding; the Keep Alive reuses its CID. */
	aer.flags = ka.flags = NVSIM_PSDT_SGL_MPTR_CONTIG << NVSIM_SQE_PSDT_SHIFT;
	nvsim_sgl_keyed_set(&aer.dptr.keyed, 0, 0, 0, NVSIM_SGL_SUBTYPE_ADDRESS);
	ka.dptr = aer.dptr;
	ret = nvsim_hq_send_raw(q, &aer, sizeof(aer));
	conf_advance(c, 0);
	if (!ret)
		ret = nvsim_hq_send_raw(q, &ka, sizeof(ka));
	if (!ret)
		ret = nvsim_hq_wait_cqe(q, 0xbeef, &st.cqe);
	if (ret) {
		st.err = ret;
	} else {
		st.has_cqe = true;
		st.sf = nvsim_cqe_status_field(&st.cqe);
	}
	/* Detecting the conflict is allowed, not required (nvmet and SPDK
	 * do not look); a conflict ends once the AER completes, so the same
	 * command may then pass. */
	if (CONF_EXPECT(c, "Keep Alive reusing an outstanding AER's CID", &st,
			CONF_STATUS_MAY_RETRY(0, 0x03, "the CID is free again once the outstanding "
						       "command completes"),
			CONF_PERMIT_OK(CID_CONFLICT_CITE)))
		conf_note(c, "CID conflict %s", st.sf ? "detected" : "not detected");
}

#define CASE(id, title, spec, level, feats, fn) { id, title, spec, level, feats, fn, NULL }
#define QUEUES "NVMe-oF 1.1 §2.4 (approx.)"
#define DISC "NVMe Base 2.0 §6.4 (approx.)"

static const struct conf_case queues_cases[] = {
	CASE("queues.1.1", "SQHD advances by one per command and wraps on the admin queue",
	     QUEUES, CONF_MANDATORY, 0, admin_sqhd_wraps),
	CASE("queues.1.2", "admin completions carry SQID 0", SQID_RESERVED ", §1.4.1.6 (approx.)",
	     CONF_MANDATORY, 0, admin_sqid_zero),
	CASE("queues.1.3", "a command beyond SQSIZE + 1 outstanding is not executed", QUEUES,
	     CONF_INFORMATIVE, 0, overrun),
	CASE("queues.2.1", "every granted I/O queue (2 to 16) moves data the others see",
	     QUEUES ", NVMe Base 2.0 §5.27.1.7 (approx.)", CONF_OPTIONAL, CONF_F_IO, many_queues),
	CASE("queues.2.2", "I/O queues complete a full queue of commands in flight", QUEUES,
	     CONF_MANDATORY, CONF_F_IO, full_depth),
	CASE("queues.2.3", "the admin queue completes SQSIZE + 1 commands in flight", QUEUES,
	     CONF_MANDATORY, 0, admin_full_depth),
	CASE("queues.3.1", "Disconnect ends an I/O queue and leaves the association", DISC,
	     CONF_MANDATORY, CONF_F_IO, disconnect_io),
	CASE("queues.3.2", "Disconnect on the admin queue is Invalid Queue Type", DISC,
	     CONF_MANDATORY, 0, disconnect_admin),
	CASE("queues.3.3", "Disconnect on a discovery controller is Invalid Queue Type", DISC,
	     CONF_MANDATORY, CONF_F_DISCOVERY, disconnect_discovery),
	CASE("queues.3.4", "Disconnect with RECFMT 1 is Incompatible Format", DISC,
	     CONF_MANDATORY, 0, disconnect_recfmt),
	CASE("queues.4.1", "a CID reused while outstanding: conflict or served",
	     "NVMe Base 2.0 §4.2 (approx.)", CONF_INFORMATIVE, 0, cid_in_use),
};

const struct conf_group conf_group_queues = {
	"queues", queues_cases, sizeof(queues_cases) / sizeof(queues_cases[0])
};
