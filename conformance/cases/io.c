/* I/O commands (NVM Command Set 1.0 §3 (approx.); catalogue §4.6; blktests
 * nvme/018): data integrity, the LBA range with its u64 wrap, the namespace
 * a command names, data length against NLB and MDTS, the optional commands
 * ONCS advertises, and SQHD/SQID in I/O completions. */
#include <stdlib.h>
#include <string.h>

#include <nvme/types.h>

#include "conformance/case.h"
#include "spec/cqe.h"

#define BUF_ALIGN 4096

/* Namespace 1 as Identify Namespace describes it. */
struct ns_info {
	uint64_t nsze;
	uint32_t lba; /* bytes per LBA */
};

/* A deterministic pattern: the same seed writes the same bytes. */
static void fill(struct conf_ctx *c, void *buf, size_t len, uint64_t salt)
{
	uint64_t x = (conf_seed(c) ^ salt ^ 0x9e3779b97f4a7c15ull) | 1;
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)(x >> 24);
	}
}

static bool all_zero(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
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

static const struct nvme_id_ctrl *id_ctrl(struct nvsim_host *h)
{
	return nvsim_host_id_ctrl(h);
}

/* A host with nr_io I/O queues, and namespace 1's geometry. */
static struct nvsim_host *io_host(struct conf_ctx *c, uint16_t nr_io, struct ns_info *ns)
{
	struct nvsim_host *h = conf_connect(c, conf_subnqn(c), nr_io);
	struct nvsim_host_status st;
	struct nvme_id_ns *id;
	unsigned int fmt;
	uint8_t ds;

	if (!h)
		return NULL;
	if (nvsim_host_nr_io_queues(h) < nr_io) {
		conf_error(c, "the target granted %u I/O queues, the case needs %u",
			   nvsim_host_nr_io_queues(h), nr_io);
		return NULL;
	}
	if (!(id = buf_new(c, NVME_IDENTIFY_DATA_SIZE)))
		return NULL;
	nvsim_host_identify(h, NVME_IDENTIFY_CNS_NS, 1, id, &st);
	if (!CONF_EXPECT(c, "Identify Namespace 1", &st, CONF_OK)) {
		free(id);
		return NULL;
	}
	/* FLBAS bits 3:0, with bits 6:5 above them when NLBAF > 16. */
	fmt = (id->flbas & 0x0f) | (id->nlbaf >= 16 ? ((id->flbas >> 5) & 0x3u) << 4 : 0);
	ds = id->lbaf[fmt].ds;
	ns->nsze = le64toh(id->nsze);
	ns->lba = ds >= 9 && ds <= 16 ? 1u << ds : 0;
	free(id);
	if (!ns->nsze || !ns->lba) {
		conf_error(c, "namespace 1: NSZE %llu, LBA data size 2^%u: cannot do I/O",
			   (unsigned long long)ns->nsze, ds);
		return NULL;
	}
	return h;
}

/* The largest transfer the controller takes (MDTS in CAP.MPSMIN units);
 * 0 when MDTS is 0 (no limit) or CAP cannot be read. */
static uint64_t mdts_bytes(struct conf_ctx *c, struct nvsim_host *h)
{
	struct nvsim_host_status st;
	uint64_t cap = 0;
	uint8_t mdts = id_ctrl(h)->mdts;

	if (!mdts)
		return 0;
	nvsim_host_prop_get(nvsim_host_admin(h), NVME_REG_CAP, true, &cap, &st);
	if (!CONF_EXPECT(c, "Property Get CAP", &st, CONF_OK))
		return 0;
	return (4096ull << NVME_CAP_MPSMIN(cap)) << mdts;
}

/* One NVM command of the rw layout on I/O queue 1. */
static void nvm_cmd(struct nvsim_host *h, uint8_t opcode, uint32_t nsid, uint64_t slba,
		    uint32_t nlb, void *buf, size_t len, enum nvsim_dir dir,
		    struct nvsim_host_status *st)
{
	struct nvsim_sqe sqe = { .opcode = opcode, .nsid = htole32(nsid) };
	struct nvsim_sqe_rw *rw = (void *)&sqe;

	rw->slba = htole64(slba);
	rw->nlb = htole16((uint16_t)(nlb - 1));
	nvsim_hq_exec(nvsim_host_io(h, 1), &sqe, buf, len, dir, st);
}

static bool oncs_has(struct conf_ctx *c, struct nvsim_host *h, unsigned int bit, const char *name)
{
	if (le16toh(id_ctrl(h)->oncs) & (1u << bit))
		return true;
	conf_skip(c, "ONCS bit %u (%s) is clear: the controller does not offer it", bit, name);
	return false;
}

/* ---- data integrity --------------------------------------------------------------- */

static void write_read_back(struct conf_ctx *c, size_t bytes, uint64_t slba, const char *what)
{
	struct nvsim_host_status st;
	struct ns_info ns;
	struct nvsim_host *h = io_host(c, 1, &ns);
	uint8_t *w = NULL, *r = NULL;
	uint64_t max;
	uint32_t nlb;

	if (!h)
		return;
	if (bytes < ns.lba)
		bytes = ns.lba;
	nlb = (uint32_t)(bytes / ns.lba);
	max = mdts_bytes(c, h);
	if (max && bytes > max) {
		conf_skip(c, "MDTS allows %llu bytes, fewer than %zu", (unsigned long long)max,
			  bytes);
		return;
	}
	if (slba + nlb > ns.nsze) {
		conf_skip(c, "namespace 1 has %llu LBAs, too few", (unsigned long long)ns.nsze);
		return;
	}
	if (!(w = buf_new(c, bytes)) || !(r = buf_new(c, bytes)))
		goto out;
	fill(c, w, bytes, slba);
	nvsim_host_rw(h, 1, true, 1, slba, nlb, w, bytes, &st);
	if (!CONF_EXPECT(c, what, &st, CONF_OK))
		goto out;
	nvsim_host_rw(h, 1, false, 1, slba, nlb, r, bytes, &st);
	if (CONF_EXPECT(c, "Read of the same blocks", &st, CONF_OK))
		conf_check(c, !memcmp(w, r, bytes),
			   "the %zu bytes read back differ from those written", bytes);
out:
	free(w);
	free(r);
}

static void write_read_one_block(struct conf_ctx *c)
{
	write_read_back(c, 512, 0x100, "Write of one block");
}

static void write_read_128k(struct conf_ctx *c)
{
	write_read_back(c, 128 * 1024, 0x400, "Write of 128 KiB");
}

/* ---- LBA range ------------------------------------------------------------------- */

/* A command naming blocks the namespace does not have: LBA Out of Range
 * (NVM Command Set 1.0 §2.1.2, Figure 18 (approx.): "The command references
 * an LBA that exceeds the size of the namespace").  Internal Error says the
 * controller failed, not that the host asked for blocks past NSZE: a host
 * told so may retry or fail over, where LBA Out of Range tells it to stop.
 * Linux nvmet 6.1's bdev backend does not range-check and reports the block
 * layer's I/O error as Internal Error (the VM lab's nvmet runs). */
#define NVMET_BDEV_LBA "Linux nvmet 6.1, bdev backend (no range check: the block layer's error)"

enum lba_at {
	AT_NSZE,    /* SLBA = NSZE, the first LBA past the end */
	AT_LAST,    /* SLBA = NSZE - 1: the last block and one past it */
	AT_WRAP,    /* SLBA FFFFFFFFFFFFFFFFh: SLBA + NLB wraps 2^64 to 1 */
};

static const struct lba_row {
	uint8_t opcode;
	enum lba_at at;
	uint32_t nlb;
	int oncs_bit; /* -1: a mandatory command */
	const char *oncs_name, *what;
} lba_rows[] = {
	{ nvme_cmd_read, AT_NSZE, 1, -1, NULL, "Read of one block at SLBA = NSZE" },
	{ nvme_cmd_read, AT_LAST, 2, -1, NULL, "Read of 2 blocks from the last LBA" },
	{ nvme_cmd_read, AT_WRAP, 2, -1, NULL, "Read of 2 blocks at SLBA FFFFFFFFFFFFFFFFh" },
	{ nvme_cmd_write, AT_LAST, 2, -1, NULL, "Write of 2 blocks from the last LBA" },
	{ nvme_cmd_write_zeroes, AT_LAST, 2, 3, "Write Zeroes",
	  "Write Zeroes of 2 blocks from the last LBA" },
	{ nvme_cmd_verify, AT_NSZE, 1, 7, "Verify", "Verify at SLBA = NSZE" },
};

static void lba_out_of_range(struct conf_ctx *c)
{
	const struct lba_row *r = conf_row(c);
	struct nvsim_host_status st;
	struct ns_info ns;
	struct nvsim_host *h = io_host(c, 1, &ns);
	bool moves = r->opcode == nvme_cmd_read || r->opcode == nvme_cmd_write;
	size_t len;
	uint64_t slba;
	uint8_t *buf = NULL;

	if (!h || (r->oncs_bit >= 0 && !oncs_has(c, h, (unsigned int)r->oncs_bit, r->oncs_name)))
		return;
	slba = r->at == AT_NSZE ? ns.nsze : r->at == AT_LAST ? ns.nsze - 1 : UINT64_MAX;
	len = moves ? (size_t)r->nlb * ns.lba : 0;
	if (len && !(buf = buf_new(c, len)))
		return;
	if (moves)
		nvsim_host_rw(h, 1, r->opcode == nvme_cmd_write, 1, slba, r->nlb, buf, len, &st);
	else
		nvm_cmd(h, r->opcode, 1, slba, r->nlb, NULL, 0, NVSIM_DIR_NONE, &st);
	CONF_EXPECT(c, r->what, &st, CONF_STATUS(0, 0x80), CONF_KNOWN(0, 0x06, NVMET_BDEV_LBA));
	free(buf);
}


/* ---- namespace ---------------------------------------------------------------------- */

static void read_nsid(struct conf_ctx *c, uint32_t nsid, const char *what)
{
	struct nvsim_host_status st;
	struct ns_info ns;
	struct nvsim_host *h = io_host(c, 1, &ns);
	uint8_t *buf;

	if (!h || !(buf = buf_new(c, ns.lba)))
		return;
	nvsim_host_rw(h, 1, false, nsid, 0, 1, buf, ns.lba, &st);
	CONF_EXPECT(c, what, &st, CONF_STATUS(0, 0x0b));
	free(buf);
}

static void read_nsid_zero(struct conf_ctx *c)
{
	read_nsid(c, 0, "Read with NSID 0");
}

static void read_nsid_broadcast(struct conf_ctx *c)
{
	read_nsid(c, NVME_NSID_ALL, "Read with NSID FFFFFFFFh");
}

static void read_nsid_inactive(struct conf_ctx *c)
{
	struct nvsim_host_status st;
	struct ns_info ns;
	struct nvsim_host *h = io_host(c, 1, &ns);
	uint32_t *list, nn, nsid = 0;
	uint8_t *buf = NULL;

	if (!h || !(list = buf_new(c, NVME_IDENTIFY_DATA_SIZE)))
		return;
	nn = le32toh(id_ctrl(h)->nn);
	nvsim_host_identify(h, NVME_IDENTIFY_CNS_NS_ACTIVE_LIST, 0, list, &st);
	if (!CONF_EXPECT(c, "Identify Active Namespace ID list", &st, CONF_OK))
		goto out;
	/* The list is ascending: the first gap below NN is inactive. */
	for (uint32_t i = 0, want = 1; i < 1024 && want <= nn; i++, want++) {
		if (le32toh(list[i]) != want) {
			nsid = want;
			break;
		}
	}
	if (!nsid) {
		if (nn >= 0xfffffffeu) {
			conf_skip(c, "every NSID up to NN %#x is active", nn);
			goto out;
		}
		nsid = nn + 1;
		conf_note(c, "no inactive NSID up to NN %u: using NN + 1 (not a valid NSID)", nn);
	}
	if (!(buf = buf_new(c, ns.lba)))
		goto out;
	nvsim_host_rw(h, 1, false, nsid, 0, 1, buf, ns.lba, &st);
	CONF_EXPECT(c, "Read from an inactive NSID", &st, CONF_STATUS(0, 0x0b));
out:
	free(buf);
	free(list);
}

/* ---- data length and MDTS ---------------------------------------------------------- */

static void read_above_mdts(struct conf_ctx *c)
{
	struct nvsim_host_status st;
	struct ns_info ns;
	struct nvsim_host *h = io_host(c, 1, &ns);
	uint64_t max, nlb;
	uint8_t *buf;

	if (!h)
		return;
	if (!(max = mdts_bytes(c, h))) {
		conf_skip(c, "MDTS is 0: no transfer limit");
		return;
	}
	nlb = max / ns.lba + 1;
	if (nlb > 0x10000 || (nlb * ns.lba) > 0xffffff || nlb > ns.nsze) {
		conf_skip(c, "MDTS + 1 block cannot be expressed in one command here");
		return;
	}
	if (!(buf = buf_new(c, nlb * ns.lba)))
		return;
	/* The SGL matches NLB: only MDTS is wrong.  MDTS (Identify Controller):
	 * a command that exceeds it is aborted with Invalid Field in Command;
	 * a transport that checks the keyed SGL against its transfer limit
	 * before the command is parsed answers Data SGL Length Invalid (SPDK's
	 * nvmf_rdma_request_parse_sgl).  Success moves more than the
	 * controller says it can take. */
	nvsim_host_rw(h, 1, false, 1, 0, (uint32_t)nlb, buf, nlb * ns.lba, &st);
	CONF_EXPECT(c, "Read of MDTS + 1 block", &st, CONF_STATUS(0, 0x02),
		    CONF_STATUS(0, 0x0f),
		    CONF_KNOWN(0, 0, "Linux nvmet 6.1 (MDTS not enforced: the Read is executed)"));
	free(buf);
}

static void read_short_buffer(struct conf_ctx *c)
{
	struct nvsim_host_status st;
	struct ns_info ns;
	struct nvsim_host *h = io_host(c, 1, &ns);
	uint8_t *buf;

	if (!h || !(buf = buf_new(c, ns.lba)))
		return;
	/* Keyed SGL of one block for a two-block Read. */
	nvm_cmd(h, nvme_cmd_read, 1, 0, 2, buf, ns.lba, NVSIM_DIR_C2H, &st);
	CONF_EXPECT(c, "Read of 2 blocks into a one-block SGL", &st, CONF_STATUS(0, 0x0f));
	free(buf);
}

static void write_short_in_capsule(struct conf_ctx *c)
{
	struct nvsim_host_status st;
	struct ns_info ns;
	struct nvsim_host *h = io_host(c, 1, &ns);
	uint8_t *buf;

	if (!h || !(buf = buf_new(c, ns.lba)))
		return;
	if (ns.lba > 4096) {
		conf_skip(c, "one LBA (%u bytes) does not fit in-capsule", ns.lba);
		free(buf);
		return;
	}
	/* One block of in-capsule data for a two-block Write. */
	nvm_cmd(h, nvme_cmd_write, 1, 0x40, 2, buf, ns.lba, NVSIM_DIR_H2C, &st);
	CONF_EXPECT(c, "Write of 2 blocks with one block of in-capsule data", &st,
		    CONF_STATUS(0, 0x0f));
	free(buf);
}

static void read_long_buffer(struct conf_ctx *c)
{
	struct nvsim_host_status st;
	struct ns_info ns;
	struct nvsim_host *h = io_host(c, 1, &ns);
	bool oversize_ok;
	uint8_t *buf;

	if (!h || !(buf = buf_new(c, 2 * (size_t)ns.lba)))
		return;
	/* SGLS bit 18: SGL longer than the data allowed. */
	oversize_ok = le32toh(id_ctrl(h)->sgls) & (1u << 18);
	nvm_cmd(h, nvme_cmd_read, 1, 0, 1, buf, 2 * (size_t)ns.lba, NVSIM_DIR_C2H, &st);
	if (oversize_ok)
		CONF_EXPECT(c, "Read of 1 block into a two-block SGL (SGLS bit 18 set)", &st,
			    CONF_OK);
	else
		CONF_EXPECT(c, "Read of 1 block into a two-block SGL (SGLS bit 18 clear)", &st,
			    CONF_STATUS(0, 0x0f));
	free(buf);
}

/* ---- Flush -------------------------------------------------------------------------- */

static void flush_nsid(struct conf_ctx *c, uint32_t nsid)
{
	struct nvsim_host_status st;
	struct ns_info ns;
	struct nvsim_host *h = io_host(c, 1, &ns);
	unsigned int fb;

	if (!h)
		return;
	nvsim_host_flush(h, 1, nsid, &st);
	if (nsid != NVME_NSID_ALL) {
		CONF_EXPECT(c, "Flush of namespace 1", &st, CONF_OK);
		return;
	}
	/* VWC bits 2:1, Flush Behavior: 11b takes FFFFFFFFh, 10b does not,
	 * 00b does not say. */
	fb = (id_ctrl(h)->vwc >> 1) & 0x3;
	if (fb == 0x3)
		CONF_EXPECT(c, "Flush of NSID FFFFFFFFh (VWC flush behavior 11b)", &st, CONF_OK);
	else if (fb == 0x2)
		CONF_EXPECT(c, "Flush of NSID FFFFFFFFh (VWC flush behavior 10b)", &st,
			    CONF_STATUS(0, 0x0b));
	else if (CONF_EXPECT(c, "Flush of NSID FFFFFFFFh (VWC flush behavior 00b)", &st,
			     CONF_OK, CONF_STATUS(0, 0x0b)))
		conf_note(c, "flush behavior not reported; NSID FFFFFFFFh %s",
			  st.sf ? "refused" : "accepted");
}

static void flush_ns1(struct conf_ctx *c)
{
	flush_nsid(c, 1);
}

static void flush_all(struct conf_ctx *c)
{
	flush_nsid(c, NVME_NSID_ALL);
}

static void flush_nsid_zero(struct conf_ctx *c)
{
	struct nvsim_host_status st;
	struct ns_info ns;
	struct nvsim_host *h = io_host(c, 1, &ns);

	if (!h)
		return;
	nvsim_host_flush(h, 1, 0, &st);
	CONF_EXPECT(c, "Flush with NSID 0", &st, CONF_STATUS(0, 0x0b));
}

/* ---- optional NVM commands ---------------------------------------------------------- */

#define ZONE_LBA 0x800 /* where the zeroing and compare cases write */
#define ZONE_NLB 4

/* Write a pattern over [ZONE_LBA, +nlb) and return it in w. */
static bool write_zone(struct conf_ctx *c, struct nvsim_host *h, const struct ns_info *ns,
		       uint64_t slba, uint8_t *w, uint32_t nlb)
{
	struct nvsim_host_status st;

	fill(c, w, (size_t)nlb * ns->lba, slba);
	nvsim_host_rw(h, 1, true, 1, slba, nlb, w, (size_t)nlb * ns->lba, &st);
	return CONF_EXPECT(c, "Write of the pattern", &st, CONF_OK);
}

static void read_expect_zeros(struct conf_ctx *c, struct nvsim_host *h, const struct ns_info *ns,
			      uint64_t slba, uint8_t *r, uint32_t nlb, const char *after)
{
	struct nvsim_host_status st;
	size_t len = (size_t)nlb * ns->lba;

	memset(r, 0xa5, len);
	nvsim_host_rw(h, 1, false, 1, slba, nlb, r, len, &st);
	if (CONF_EXPECT(c, "Read back", &st, CONF_OK))
		conf_check(c, all_zero(r, len), "blocks read after %s are not all zero", after);
}

static void write_zeroes_reads_zero(struct conf_ctx *c)
{
	struct nvsim_host_status st;
	struct ns_info ns;
	struct nvsim_host *h = io_host(c, 1, &ns);
	uint8_t *buf;

	if (!h || !oncs_has(c, h, 3, "Write Zeroes"))
		return;
	if (!(buf = buf_new(c, (size_t)ZONE_NLB * ns.lba)))
		return;
	if (write_zone(c, h, &ns, ZONE_LBA, buf, ZONE_NLB)) {
		nvm_cmd(h, nvme_cmd_write_zeroes, 1, ZONE_LBA, ZONE_NLB, NULL, 0, NVSIM_DIR_NONE,
			&st);
		if (CONF_EXPECT(c, "Write Zeroes", &st, CONF_OK))
			read_expect_zeros(c, h, &ns, ZONE_LBA, buf, ZONE_NLB, "Write Zeroes");
	}
	free(buf);
}

static void dsm_deallocate_reads_zero(struct conf_ctx *c)
{
	struct nvsim_host_status st;
	struct ns_info ns;
	struct nvsim_host *h = io_host(c, 1, &ns);
	struct nvsim_sqe sqe = { .opcode = nvme_cmd_dsm, .nsid = htole32(1) };
	struct nvsim_sqe_dsm *dsm = (void *)&sqe;
	struct nvme_dsm_range range = { 0 };
	struct nvme_id_ns *id = NULL;
	uint8_t *buf = NULL;
	uint64_t slba = ZONE_LBA + 0x10;

	if (!h || !oncs_has(c, h, 2, "Dataset Management"))
		return;
	if (!(id = buf_new(c, NVME_IDENTIFY_DATA_SIZE)))
		return;
	nvsim_host_identify(h, NVME_IDENTIFY_CNS_NS, 1, id, &st);
	if (!CONF_EXPECT(c, "Identify Namespace 1", &st, CONF_OK))
		goto out;
	/* DLFEAT bits 2:0 = 001b: deallocated blocks read as zeros. */
	if ((id->dlfeat & 0x7) != 0x1) {
		conf_skip(c, "DLFEAT %#x: deallocated blocks need not read as zeros", id->dlfeat);
		goto out;
	}
	if (!(buf = buf_new(c, (size_t)ZONE_NLB * ns.lba)) ||
	    !write_zone(c, h, &ns, slba, buf, ZONE_NLB))
		goto out;
	range.nlb = htole32(ZONE_NLB);
	range.slba = htole64(slba);
	dsm->nr = 0; /* one range */
	dsm->attributes = htole32(NVSIM_DSM_ATTR_DEALLOCATE);
	nvsim_hq_exec(nvsim_host_io(h, 1), &sqe, &range, sizeof(range), NVSIM_DIR_H2C, &st);
	if (CONF_EXPECT(c, "Dataset Management, deallocate", &st, CONF_OK))
		read_expect_zeros(c, h, &ns, slba, buf, ZONE_NLB, "deallocation");
out:
	free(buf);
	free(id);
}

static void compare(struct conf_ctx *c, bool same)
{
	struct nvsim_host_status st;
	struct ns_info ns;
	struct nvsim_host *h = io_host(c, 1, &ns);
	uint64_t slba = ZONE_LBA + 0x20;
	uint8_t *buf;

	if (!h || !oncs_has(c, h, 0, "Compare"))
		return;
	if (!(buf = buf_new(c, ns.lba)))
		return;
	if (write_zone(c, h, &ns, slba, buf, 1)) {
		if (!same)
			buf[ns.lba / 2] ^= 0x01;
		nvm_cmd(h, nvme_cmd_compare, 1, slba, 1, buf, ns.lba, NVSIM_DIR_H2C, &st);
		if (same)
			CONF_EXPECT(c, "Compare with the data written", &st, CONF_OK);
		else
			CONF_EXPECT(c, "Compare with one bit changed", &st,
				    CONF_STATUS(2, 0x85));
	}
	free(buf);
}

static void compare_equal(struct conf_ctx *c)
{
	compare(c, true);
}

static void compare_different(struct conf_ctx *c)
{
	compare(c, false);
}

static void verify_succeeds(struct conf_ctx *c)
{
	struct nvsim_host_status st;
	struct ns_info ns;
	struct nvsim_host *h = io_host(c, 1, &ns);
	uint8_t *buf;

	if (!h || !oncs_has(c, h, 7, "Verify"))
		return;
	if (!(buf = buf_new(c, (size_t)ZONE_NLB * ns.lba)))
		return;
	if (write_zone(c, h, &ns, ZONE_LBA + 0x30, buf, ZONE_NLB)) {
		nvm_cmd(h, nvme_cmd_verify, 1, ZONE_LBA + 0x30, ZONE_NLB, NULL, 0, NVSIM_DIR_NONE,
			&st);
		CONF_EXPECT(c, "Verify of written blocks", &st, CONF_OK);
	}
	free(buf);
}

/* ---- opcodes and completion fields -------------------------------------------------- */

static void unknown_opcode(struct conf_ctx *c)
{
	struct nvsim_host_status st;
	struct ns_info ns;
	struct nvsim_host *h = io_host(c, 1, &ns);

	if (!h)
		return;
	nvm_cmd(h, 0x7e, 1, 0, 1, NULL, 0, NVSIM_DIR_NONE, &st);
	CONF_EXPECT(c, "I/O opcode 7Eh", &st, CONF_STATUS(0, 0x01));
}

static void admin_opcode_on_io_queue(struct conf_ctx *c)
{
	struct nvsim_host_status st;
	struct ns_info ns;
	struct nvsim_host *h = io_host(c, 1, &ns);
	struct nvsim_sqe sqe = { .opcode = nvme_admin_keep_alive, .nsid = htole32(1) };

	if (!h)
		return;
	/* 18h is Keep Alive on the admin queue and nothing in the NVM set;
	 * NSID 1 so that only the opcode is wrong (nvmet checks NSID first). */
	nvsim_hq_exec(nvsim_host_io(h, 1), &sqe, NULL, 0, NVSIM_DIR_NONE, &st);
	CONF_EXPECT(c, "opcode 18h (Keep Alive) on an I/O queue", &st,
		    CONF_STATUS(0, 0x01));
}

static void io_sqhd_advances(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;
	struct nvsim_sqe sqe;
	struct nvsim_hq *q;
	uint16_t cntlid, prev = 0;
	const uint16_t sqsize = 3; /* 4 entries: 9 commands wrap twice */

	if (!conf_admin(c, true, &cntlid) || !(q = conf_queue(c, 1, sqsize)))
		return;
	conf_connect_args(c, 1, &a);
	a.cntlid = cntlid;
	a.sqsize = sqsize;
	conf_send_connect(c, q, &a, &st);
	if (!CONF_EXPECT(c, "I/O Connect with SQSIZE 3", &st, CONF_OK))
		return;
	for (int i = 0; i < 9; i++) {
		uint16_t sqhd;

		memset(&sqe, 0, sizeof(sqe));
		sqe.opcode = nvme_cmd_flush;
		sqe.nsid = htole32(1);
		nvsim_hq_exec(q, &sqe, NULL, 0, NVSIM_DIR_NONE, &st);
		if (!CONF_EXPECT(c, "Flush on the I/O queue", &st, CONF_OK))
			return;
		sqhd = le16toh(st.cqe.sqhd);
		if (!conf_check(c, sqhd <= sqsize, "SQHD %u outside a queue of %u entries", sqhd,
				sqsize + 1))
			return;
		if (i && !conf_check(c, sqhd == (prev + 1) % (sqsize + 1),
				     "SQHD went from %u to %u after one command (queue of %u)",
				     prev, sqhd, sqsize + 1))
			return;
		prev = sqhd;
	}
}

/* NVMe Base 2.1 §4.2.1, Figure 97, SQ Identifier: "This is a reserved field
 * in NVMe over Fabrics implementations" (each fabrics SQ has its own CQ, so
 * the host matches a completion by queue and CID).  Hence no requirement:
 * what the target writes there is reported.  Reserved fields are to be 0h
 * (§1.4.1.6 (approx.)); Linux nvmet fills in the QID as on PCIe, SPDK
 * zeroes it. */
static void io_sqid_reported(struct conf_ctx *c)
{
	struct nvsim_host_status st;
	struct ns_info ns;
	struct nvsim_host *h = io_host(c, 2, &ns);

	if (!h)
		return;
	for (uint16_t qid = 1; qid <= 2; qid++) {
		uint16_t sqid;

		nvsim_host_flush(h, qid, 1, &st);
		if (!CONF_EXPECT(c, "Flush", &st, CONF_OK))
			return;
		sqid = le16toh(st.cqe.sqid);
		conf_note(c, "I/O queue %u: CQE SQID %u (%s)", qid, sqid,
			  sqid == qid ? "the QID"
			  : sqid      ? "neither the QID nor 0"
				      : "0h, reserved");
	}
}

#define CASE(id, title, spec, level, feats, fn) { id, title, spec, level, feats, fn, NULL }
#define CASE_ROW(id, title, spec, level, feats, fn, row)                                    \
	{ id, title, spec, level, feats, fn, row }
#define NVM "NVM Command Set 1.0 §3 (approx.)"
#define IO CONF_F_IO

static const struct conf_case io_cases[] = {
	CASE("io.1.1", "one block written reads back the same", NVM, CONF_MANDATORY, IO,
	     write_read_one_block),
	CASE("io.1.2", "128 KiB written reads back the same", NVM, CONF_MANDATORY, IO,
	     write_read_128k),
	CASE_ROW("io.2.1", "Read at SLBA = NSZE is LBA Out of Range", NVM ", blktests nvme/018",
	     CONF_MANDATORY, IO, lba_out_of_range, &lba_rows[0]),
	CASE_ROW("io.2.2", "Read crossing the last LBA is LBA Out of Range", NVM, CONF_MANDATORY, IO,
	     lba_out_of_range, &lba_rows[1]),
	CASE_ROW("io.2.3", "Read whose SLBA + NLB wraps 2^64 is LBA Out of Range", NVM,
	     CONF_MANDATORY, IO, lba_out_of_range, &lba_rows[2]),
	CASE_ROW("io.2.4", "Write crossing the last LBA is LBA Out of Range", NVM, CONF_MANDATORY, IO,
	     lba_out_of_range, &lba_rows[3]),
	CASE("io.3.1", "Read with NSID 0 is Invalid Namespace or Format",
	     "NVMe Base 2.0 §3.2.1 (approx.)", CONF_MANDATORY, IO, read_nsid_zero),
	CASE("io.3.2", "Read from an inactive NSID is Invalid Namespace or Format",
	     "NVMe Base 2.0 §3.2.1 (approx.)", CONF_MANDATORY, IO, read_nsid_inactive),
	CASE("io.3.3", "Read with NSID FFFFFFFFh is Invalid Namespace or Format",
	     "NVMe Base 2.0 §3.2.1 (approx.)", CONF_MANDATORY, IO, read_nsid_broadcast),
	CASE("io.4.1", "a transfer above MDTS is refused", "NVMe Base 2.0 §5.17.2.1 (approx.)",
	     CONF_MANDATORY, IO, read_above_mdts),
	CASE("io.4.2", "a keyed SGL shorter than NLB blocks is Data SGL Length Invalid",
	     "NVMe Base 2.0 §4.3.2 (approx.)", CONF_MANDATORY, IO | CONF_F_KEYED_SGL,
	     read_short_buffer),
	CASE("io.4.3", "in-capsule data shorter than NLB blocks is Data SGL Length Invalid",
	     "NVMe Base 2.0 §4.3.2 (approx.)", CONF_MANDATORY, IO | CONF_F_IN_CAPSULE,
	     write_short_in_capsule),
	CASE("io.4.4", "an SGL longer than the data needs SGLS bit 18",
	     "NVMe Base 2.0 §4.3.2, §5.17.2.1 (approx.)", CONF_MANDATORY, IO | CONF_F_KEYED_SGL,
	     read_long_buffer),
	CASE("io.5.1", "Flush of namespace 1 succeeds", NVM " §3.2.2", CONF_MANDATORY, IO,
	     flush_ns1),
	CASE("io.5.2", "Flush of NSID FFFFFFFFh follows VWC flush behavior", NVM " §3.2.2",
	     CONF_MANDATORY, IO, flush_all),
	CASE("io.5.3", "Flush with NSID 0 is Invalid Namespace or Format", NVM " §3.2.2",
	     CONF_MANDATORY, IO, flush_nsid_zero),
	CASE("io.6.1", "Write Zeroes makes the blocks read as zeros", NVM " §3.2.8",
	     CONF_OPTIONAL, IO, write_zeroes_reads_zero),
	CASE_ROW("io.6.2", "Write Zeroes crossing the last LBA is LBA Out of Range", NVM " §3.2.8",
	     CONF_OPTIONAL, IO, lba_out_of_range, &lba_rows[4]),
	CASE("io.6.3", "deallocated blocks read as zeros when DLFEAT says so", NVM " §3.2.3",
	     CONF_OPTIONAL, IO, dsm_deallocate_reads_zero),
	CASE("io.6.4", "Compare with equal data succeeds", NVM " §3.2.1", CONF_OPTIONAL, IO,
	     compare_equal),
	CASE("io.6.5", "Compare with different data is Compare Failure", NVM " §3.2.1",
	     CONF_OPTIONAL, IO, compare_different),
	CASE("io.6.6", "Verify of written blocks succeeds", NVM " §3.2.7", CONF_OPTIONAL, IO,
	     verify_succeeds),
	CASE_ROW("io.6.7", "Verify at SLBA = NSZE is LBA Out of Range", NVM " §3.2.7", CONF_OPTIONAL,
	     IO, lba_out_of_range, &lba_rows[5]),
	CASE("io.7.1", "an unknown I/O opcode is Invalid Command Opcode",
	     "NVMe Base 2.0 §4.6.1.2.1 (approx.)", CONF_MANDATORY, IO, unknown_opcode),
	CASE("io.7.2", "an admin-only opcode on an I/O queue is Invalid Command Opcode",
	     "NVMe Base 2.0 §4.6.1.2.1 (approx.)", CONF_MANDATORY, IO, admin_opcode_on_io_queue),
	CASE("io.7.3", "SQHD advances by one per command and wraps on an I/O queue",
	     "NVMe-oF 1.1 §2.4.1 (approx.)", CONF_MANDATORY, IO, io_sqhd_advances),
	CASE("io.7.4", "the CQE's SQID on I/O queues (reserved on fabrics) is reported",
	     "NVMe Base 2.1 §4.2.1 Figure 97", CONF_INFORMATIVE, IO, io_sqid_reported),
};

const struct conf_group conf_group_io = { "io", io_cases,
					   sizeof(io_cases) / sizeof(io_cases[0]) };
