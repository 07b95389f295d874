/* SGL rules for NVMe/RDMA (NVMe Base 2.0 §4.3.2 (approx.); NVMe-oF 1.1
 * §7.3 (approx.); catalogue §4.7): raw capsules with every descriptor type
 * and subtype, keyed lengths, in-capsule offsets and lengths around IOCCSZ
 * (u64 wrap included), Last Segment descriptor lists against MSDBD, PSDT,
 * and a remote key the target cannot use. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <nvme/types.h>

#include "conformance/case.h"
#include "spec/cqe.h"

#define SQE_LEN 64u
#define ICD_ROOM 4096u /* in-capsule bytes the host wing sends at most */
#define BUF_ALIGN 4096
#define PSDT_SGL (NVSIM_PSDT_SGL_MPTR_CONTIG << NVSIM_SQE_PSDT_SHIFT)
#define SGL_LBA 0x1000 /* where this group writes */

struct capsule {
	struct nvsim_sqe sqe;
	uint8_t data[ICD_ROOM];
};

/* What a case works with: I/O queue 1 and namespace 1's LBA size. */
struct sgl_env {
	struct nvsim_host *h;
	struct nvsim_hq *q;
	const struct nvme_id_ctrl *id;
	uint32_t lba;
	uint64_t nsze;
};

static void fill(struct conf_ctx *c, void *buf, size_t len, uint64_t salt)
{
	uint64_t x = (conf_seed(c) ^ salt ^ 0xc2b2ae3d27d4eb4full) | 1;
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

static bool env_open(struct conf_ctx *c, struct sgl_env *e)
{
	struct nvsim_host_status st;
	struct nvme_id_ns *ns;
	unsigned int fmt;
	uint8_t ds;

	memset(e, 0, sizeof(*e));
	if (!(e->h = conf_connect(c, conf_subnqn(c), 1)))
		return false;
	if (!(e->q = nvsim_host_io(e->h, 1))) {
		conf_error(c, "the target granted no I/O queue");
		return false;
	}
	e->id = nvsim_host_id_ctrl(e->h);
	if (!(ns = buf_new(c, NVME_IDENTIFY_DATA_SIZE)))
		return false;
	nvsim_host_identify(e->h, NVME_IDENTIFY_CNS_NS, 1, ns, &st);
	if (!CONF_EXPECT(c, "Identify Namespace 1", &st, CONF_OK)) {
		free(ns);
		return false;
	}
	fmt = (ns->flbas & 0x0f) | (ns->nlbaf >= 16 ? ((ns->flbas >> 5) & 0x3u) << 4 : 0);
	ds = ns->lbaf[fmt].ds;
	e->nsze = le64toh(ns->nsze);
	e->lba = ds >= 9 && ds <= 12 ? 1u << ds : 0;
	free(ns);
	if (!e->lba || e->nsze < SGL_LBA + 64) {
		conf_skip(c, "namespace 1 (LBA data size 2^%u, %llu LBAs) does not suit this group",
			  ds, (unsigned long long)e->nsze);
		return false;
	}
	return true;
}

/* CIDs far from the ones the host wing hands out (it counts from 0). */
static uint16_t raw_cid(void)
{
	static uint16_t n;

	return (uint16_t)(0xc000u | (n++ & 0x3fffu));
}

/* An NVM Read or Write of nlb blocks at SGL_LBA, PSDT 01b, DPTR left to the
 * caller. */
static void rw_sqe(struct capsule *cap, uint8_t opcode, uint32_t nlb)
{
	struct nvsim_sqe_rw *rw = (void *)&cap->sqe;

	memset(cap, 0, sizeof(*cap));
	rw->opcode = opcode;
	rw->flags = PSDT_SGL;
	rw->nsid = htole32(1);
	rw->slba = htole64(SGL_LBA);
	rw->nlb = htole16((uint16_t)(nlb - 1));
}

/* Send the SQE plus icd_len bytes of its data area as one capsule and wait
 * for the answer. */
static void raw_exec(struct nvsim_hq *q, struct capsule *cap, size_t icd_len,
		     struct nvsim_host_status *st)
{
	uint16_t cid = raw_cid();
	int ret;

	memset(st, 0, sizeof(*st));
	cap->sqe.cid = htole16(cid);
	ret = nvsim_hq_send_raw(q, cap, SQE_LEN + icd_len);
	if (ret) {
		st->err = ret;
		return;
	}
	/* as every command's: a wrong CID or no completion FAILs its rule */
	nvsim_hq_wait_status(q, &cap->sqe, st);
}

/* Read nlb blocks at SGL_LBA with the host wing's own well-formed SGL. */
static bool read_back(struct conf_ctx *c, struct sgl_env *e, void *buf, uint32_t nlb)
{
	struct nvsim_host_status st;

	nvsim_host_rw(e->h, 1, false, 1, SGL_LBA, nlb, buf, (size_t)nlb * e->lba, &st);
	return CONF_EXPECT(c, "Read back", &st, CONF_OK);
}

static bool write_plain(struct conf_ctx *c, struct sgl_env *e, void *buf, uint32_t nlb)
{
	struct nvsim_host_status st;

	nvsim_host_rw(e->h, 1, true, 1, SGL_LBA, nlb, buf, (size_t)nlb * e->lba, &st);
	return CONF_EXPECT(c, "Write of the pattern", &st, CONF_OK);
}

/* ---- keyed data blocks and descriptor types ---------------------------------------- */

static void keyed_len_zero(struct conf_ctx *c)
{
	struct sgl_env e;
	struct capsule cap;
	struct nvsim_host_status st;

	if (!env_open(c, &e))
		return;
	rw_sqe(&cap, nvme_cmd_read, 1);
	nvsim_sgl_keyed_set(&cap.sqe.dptr.keyed, 0, 0, 0, NVSIM_SGL_SUBTYPE_ADDRESS);
	raw_exec(e.q, &cap, 0, &st);
	CONF_EXPECT(c, "Read of one block with a keyed SGL of length 0", &st,
		    CONF_STATUS(0, 0x0f));
}

static void keyed_len_above_mdts(struct conf_ctx *c)
{
	struct sgl_env e;
	struct capsule cap;
	struct nvsim_host_status st;
	struct nvsim_hbuf hb;
	uint64_t cap_reg = 0, max;
	uint8_t *buf;
	size_t len;

	if (!env_open(c, &e))
		return;
	if (!e.id->mdts) {
		conf_skip(c, "MDTS is 0: no transfer limit");
		return;
	}
	nvsim_host_prop_get(nvsim_host_admin(e.h), NVME_REG_CAP, true, &cap_reg, &st);
	if (!CONF_EXPECT(c, "Property Get CAP", &st, CONF_OK))
		return;
	max = (4096ull << NVME_CAP_MPSMIN(cap_reg)) << e.id->mdts;
	if (max + 4096 > NVSIM_SGL_KEYED_MAX_LEN) {
		conf_skip(c, "MDTS (%llu bytes) is at the keyed SGL's 24-bit limit",
			  (unsigned long long)max);
		return;
	}
	len = (size_t)max + 4096;
	/* A real buffer: a target that wrongly goes ahead writes into it. */
	if (!(buf = buf_new(c, len)))
		return;
	if (nvsim_hq_buf_reg_dir(e.q, buf, len, NVSIM_DIR_C2H, &hb)) {
		conf_error(c, "cannot register %zu bytes", len);
		free(buf);
		return;
	}
	rw_sqe(&cap, nvme_cmd_read, 1);
	nvsim_sgl_keyed_set(&cap.sqe.dptr.keyed, (uintptr_t)buf, (uint32_t)len, hb.rkey,
			    NVSIM_SGL_SUBTYPE_ADDRESS);
	raw_exec(e.q, &cap, 0, &st);
	CONF_EXPECT(c, "Read with a keyed SGL of MDTS + 4 KiB", &st, CONF_STATUS(0, 0x0f),
		    CONF_STATUS(0, 0x02));
	nvsim_hq_buf_dereg(&hb);
	free(buf);
}

/* Descriptors an NVMe/RDMA controller cannot take in the SQE's DPTR, each
 * in a Read of one block whose DPTR is otherwise a keyed block over a real
 * buffer (so only the identifier is wrong).  SGL Descriptor Type Invalid
 * (0x11) is "the type of an SGL Descriptor is a type that is not supported
 * by the controller"; a reserved or unsupported identifier is that. */
#define NVMET_ID_FIELD "Linux nvmet 6.1 (Invalid Field for an SGL identifier it does not map)"

static const struct id_row {
	uint8_t type, subtype;
	uint32_t unless_sgls; /* SGLS bits that make the descriptor supported: skip */
	const char *what;
	struct conf_outcome out[2];
	size_t nout;
} id_rows[] = {
	{ NVSIM_SGL_TYPE_KEYED_DATA_BLOCK, 0x5, 0,
	  "Read with a keyed data block of reserved subtype 5h",
	  { CONF_STATUS(0, 0x11), CONF_KNOWN(0, 0x02, NVMET_ID_FIELD) }, 2 },
	{ NVSIM_SGL_TYPE_BIT_BUCKET, 0, 1u << 16,
	  "Read with a Bit Bucket descriptor (SGLS bit 16 clear)", { CONF_STATUS(0, 0x11) }, 1 },
	/* a Segment may only point at a list in the capsule; either code */
	{ NVSIM_SGL_TYPE_SEGMENT, NVSIM_SGL_SUBTYPE_OFFSET, 0, "Read with a Segment descriptor",
	  { CONF_STATUS(0, 0x11), CONF_STATUS(0, 0x0d) }, 2 },
	{ NVSIM_SGL_TYPE_TRANSPORT_DATA_BLOCK, NVSIM_SGL_SUBTYPE_TRANSPORT, 0,
	  "Read with a Transport SGL Data Block on RDMA", { CONF_STATUS(0, 0x11) }, 1 },
	/* an unkeyed host address means nothing across a fabric */
	{ NVSIM_SGL_TYPE_DATA_BLOCK, NVSIM_SGL_SUBTYPE_ADDRESS, 0,
	  "Read with an unkeyed Data Block, address subtype",
	  { CONF_STATUS(0, 0x11), CONF_KNOWN(0, 0x02, NVMET_ID_FIELD) }, 2 },
	{ 0x6, 0, 0, "Read with a descriptor of reserved type 6h", { CONF_STATUS(0, 0x11) }, 1 },
	{ NVSIM_SGL_TYPE_VENDOR, 0, 0, "Read with a vendor specific descriptor (type Fh)",
	  { CONF_STATUS(0, 0x11) }, 1 },
};

static void read_with_id(struct conf_ctx *c)
{
	const struct id_row *r = conf_row(c);
	struct capsule cap;
	struct nvsim_host_status st;
	struct nvsim_hbuf hb;
	struct sgl_env e;
	uint8_t *buf;

	if (!env_open(c, &e))
		return;
	if (le32toh(e.id->sgls) & r->unless_sgls) {
		conf_skip(c, "SGLS %#x: the controller supports this descriptor",
			  le32toh(e.id->sgls) & r->unless_sgls);
		return;
	}
	if (!(buf = buf_new(c, e.lba)))
		return;
	if (nvsim_hq_buf_reg_dir(e.q, buf, e.lba, NVSIM_DIR_C2H, &hb)) {
		conf_error(c, "cannot register the buffer");
		free(buf);
		return;
	}
	rw_sqe(&cap, nvme_cmd_read, 1);
	nvsim_sgl_keyed_set(&cap.sqe.dptr.keyed, (uintptr_t)buf, e.lba, hb.rkey,
			    NVSIM_SGL_SUBTYPE_ADDRESS);
	cap.sqe.dptr.sgl.id = nvsim_sgl_id((enum nvsim_sgl_type)r->type,
					   (enum nvsim_sgl_subtype)r->subtype);
	raw_exec(e.q, &cap, 0, &st);
	conf_expect(c, r->what, &st, r->out, r->nout);
	nvsim_hq_buf_dereg(&hb);
	free(buf);
}


/* ---- in-capsule data ---------------------------------------------------------------- */

/* In-capsule bytes on I/O queues (IOCCSZ × 16 - 64), or 0 with a skip. */
static uint32_t icd_size(struct conf_ctx *c, const struct sgl_env *e)
{
	uint64_t icd = (uint64_t)le32toh(e->id->ioccsz) * 16;

	if (icd <= SQE_LEN) {
		conf_skip(c, "IOCCSZ %u: no in-capsule data", le32toh(e->id->ioccsz));
		return 0;
	}
	if (le16toh(e->id->icdoff)) {
		conf_skip(c, "ICDOFF %u: these cases place data right after the SQE",
			  le16toh(e->id->icdoff));
		return 0;
	}
	icd -= SQE_LEN;
	if (icd > ICD_ROOM) {
		conf_skip(c, "%llu bytes of in-capsule data: more than the host sends",
			  (unsigned long long)icd);
		return 0;
	}
	if (icd < e->lba) {
		conf_skip(c, "%llu bytes of in-capsule data: less than one block",
			  (unsigned long long)icd);
		return 0;
	}
	return (uint32_t)icd;
}

static void icd_set(struct capsule *cap, uint64_t off, uint32_t len)
{
	nvsim_sgl_unkeyed_set(&cap->sqe.dptr.unkeyed, NVSIM_SGL_TYPE_DATA_BLOCK,
			      NVSIM_SGL_SUBTYPE_OFFSET, off, len);
}

static void icd_full(struct conf_ctx *c)
{
	struct sgl_env e;
	struct capsule cap;
	struct nvsim_host_status st;
	uint32_t icd, nlb;
	uint8_t *r;

	if (!env_open(c, &e) || !(icd = icd_size(c, &e)))
		return;
	nlb = icd / e.lba;
	if (nlb * e.lba != icd)
		conf_note(c, "%u bytes of in-capsule data are not whole blocks; using %u", icd,
			  nlb * e.lba);
	rw_sqe(&cap, nvme_cmd_write, nlb);
	fill(c, cap.data, (size_t)nlb * e.lba, 0x51);
	icd_set(&cap, 0, nlb * e.lba);
	raw_exec(e.q, &cap, (size_t)nlb * e.lba, &st);
	if (!CONF_EXPECT(c, "Write with IOCCSZ × 16 - 64 bytes in-capsule", &st, CONF_OK))
		return;
	if (!(r = buf_new(c, (size_t)nlb * e.lba)))
		return;
	if (read_back(c, &e, r, nlb))
		conf_check(c, !memcmp(r, cap.data, (size_t)nlb * e.lba),
			   "in-capsule data written differs from what reads back");
	free(r);
}

/* In-capsule descriptors that reach past the data the capsule carries.
 * The data area holds IOCCSZ × 16 - 64 bytes, and only the bytes that
 * arrived are the host's: a descriptor past either names no data the host
 * sent, and taking it writes whatever the receive buffer held (another
 * command's data).  The codes: SGL Offset Invalid, "an invalid offset in the
 * capsule is specified", or Data SGL Length Invalid, the SGL "too short or
 * too long" (NVMe Base 2.0 §4.3.2, status codes 16h and 0Fh (approx.)). */
enum icd_shape {
	ICD_ONE_BYTE_MORE, /* capsule full; the descriptor one byte longer than IOCCSZ allows */
	ICD_PAST_END,	   /* starts inside the data area, ends half a block beyond it */
	ICD_WRAPS,	   /* offset + length wraps 2^64 to a small number (catalogue §3.4) */
	ICD_SHORT,	   /* two blocks described within IOCCSZ, one block sent */
};

static const struct icd_row {
	enum icd_shape shape;
	const char *what;
	struct conf_outcome out[3];
	size_t nout;
} icd_rows[] = {
	{ ICD_ONE_BYTE_MORE, "in-capsule descriptor of IOCCSZ × 16 - 63 bytes",
	  { CONF_STATUS(0, 0x0f), CONF_STATUS(0, 0x16) }, 2 },
	{ ICD_PAST_END, "in-capsule offset + length past the data area",
	  { CONF_STATUS(0, 0x16), CONF_STATUS(0, 0x0f) }, 2 },
	{ ICD_WRAPS, "in-capsule offset 2^64 - half a block",
	  { CONF_STATUS(0, 0x16), CONF_STATUS(0, 0x0f) }, 2 },
	{ ICD_SHORT, "in-capsule descriptor longer than the capsule's data",
	  { CONF_STATUS(0, 0x0f), CONF_STATUS(0, 0x16),
	    CONF_KNOWN(0, 0, "Linux nvmet 6.1; SPDK nvmf at 3230130, in source (the descriptor "
			     "is checked against IOCCSZ, not against what arrived)") },
	  3 },
};

static void icd_refused(struct conf_ctx *c)
{
	const struct icd_row *r = conf_row(c);
	struct sgl_env e;
	struct capsule cap;
	struct nvsim_host_status st;
	uint32_t icd, nlb = 1, len = 0, sent = 0;
	uint64_t off = 0;

	if (!env_open(c, &e) || !(icd = icd_size(c, &e)))
		return;
	switch (r->shape) {
	case ICD_ONE_BYTE_MORE:
		nlb = icd / e.lba;
		len = icd + 1;
		sent = icd;
		break;
	case ICD_PAST_END:
		off = icd - e.lba / 2;
		len = e.lba;
		sent = icd;
		break;
	case ICD_WRAPS:
		off = UINT64_MAX - e.lba / 2 + 1;
		len = e.lba;
		sent = e.lba;
		break;
	case ICD_SHORT:
		if (icd < 2 * e.lba) {
			conf_skip(c, "in-capsule data holds fewer than two blocks");
			return;
		}
		nlb = 2;
		len = 2 * e.lba;
		sent = e.lba;
		break;
	}
	rw_sqe(&cap, nvme_cmd_write, nlb);
	fill(c, cap.data, sent, 0x53);
	icd_set(&cap, off, len);
	raw_exec(e.q, &cap, sent, &st);
	conf_expect(c, r->what, &st, r->out, r->nout);
}


static void icd_nonzero_offset(struct conf_ctx *c)
{
	struct sgl_env e;
	struct capsule cap;
	struct nvsim_host_status st;
	uint32_t icd;
	uint8_t *r;

	if (!env_open(c, &e) || !(icd = icd_size(c, &e)))
		return;
	if (!(le32toh(e.id->sgls) & (1u << 20))) {
		conf_skip(c, "SGLS bit 20 clear: offsets in the Address field not supported");
		return;
	}
	if (icd < 2 * e.lba) {
		conf_skip(c, "in-capsule data holds fewer than two blocks");
		return;
	}
	rw_sqe(&cap, nvme_cmd_write, 1);
	memset(cap.data, 0xee, e.lba); /* not to be written */
	fill(c, cap.data + e.lba, e.lba, 0x52);
	icd_set(&cap, e.lba, e.lba);
	raw_exec(e.q, &cap, 2 * (size_t)e.lba, &st);
	if (!CONF_EXPECT(c, "Write of the second in-capsule block (offset = one block)", &st,
			 CONF_OK))
		return;
	if (!(r = buf_new(c, e.lba)))
		return;
	if (read_back(c, &e, r, 1))
		conf_check(c, !memcmp(r, cap.data + e.lba, e.lba),
			   "the block written is not the one at the descriptor's offset");
	free(r);
}

static void icd_on_read(struct conf_ctx *c)
{
	struct sgl_env e;
	struct capsule cap;
	struct nvsim_host_status st;
	uint32_t icd;

	if (!env_open(c, &e) || !(icd = icd_size(c, &e)))
		return;
	rw_sqe(&cap, nvme_cmd_read, 1);
	icd_set(&cap, 0, e.lba);
	raw_exec(e.q, &cap, e.lba, &st);
	CONF_EXPECT(c, "Read with an in-capsule data descriptor", &st,
		    CONF_STATUS(0, 0x02), CONF_STATUS(0, 0x11));
}

/* ---- Last Segment descriptor lists ------------------------------------------------- */

static uint8_t msdbd_of(const struct sgl_env *e)
{
	return e->id->msdbd ? e->id->msdbd : 1;
}

/* A Write of n blocks through a Last Segment list of n keyed descriptors
 * (one block each) carried in-capsule at offset 0; list_len is the Last
 * Segment's length, id its identifier when not 0. */
static void list_write(struct conf_ctx *c, struct sgl_env *e, uint32_t n, uint32_t list_len,
		       uint8_t id, uint8_t *buf, struct nvsim_host_status *st)
{
	struct nvsim_hbuf hb;
	struct capsule cap;

	memset(st, 0, sizeof(*st));
	if (nvsim_hq_buf_reg_dir(e->q, buf, (size_t)n * e->lba, NVSIM_DIR_H2C, &hb)) {
		conf_error(c, "cannot register the buffer");
		st->err = -ENOMEM;
		return;
	}
	rw_sqe(&cap, nvme_cmd_write, n);
	for (uint32_t i = 0; i < n && (i + 1) * 16 <= ICD_ROOM; i++) {
		struct nvsim_sgl_keyed k;

		nvsim_sgl_keyed_set(&k, (uintptr_t)buf + (size_t)i * e->lba, e->lba, hb.rkey,
				    NVSIM_SGL_SUBTYPE_ADDRESS);
		memcpy(cap.data + i * 16, &k, sizeof(k));
	}
	nvsim_sgl_unkeyed_set(&cap.sqe.dptr.unkeyed, NVSIM_SGL_TYPE_LAST_SEGMENT,
			      NVSIM_SGL_SUBTYPE_OFFSET, 0, list_len);
	if (id)
		cap.sqe.dptr.sgl.id = id;
	raw_exec(e->q, &cap, (size_t)n * 16 > ICD_ROOM ? ICD_ROOM : (size_t)n * 16, st);
	nvsim_hq_buf_dereg(&hb);
}

/* Linux nvmet-rdma takes one keyed or in-capsule descriptor and no list at
 * all.  Whether a list within MSDBD must be taken is sgl.3.1's question;
 * the malformed lists below are judged on their own fault, and a target
 * without lists may name that instead. */
#define NVMET_NO_LISTS "Linux nvmet 6.1 (nvmet-rdma maps no descriptor lists)"
#define NO_LISTS_PERMIT                                                                      \
	"SGL Descriptor Type Invalid: \"the type of an SGL Descriptor is a type that is not "  \
	"supported by the controller\"; of several errors in one command the controller may " \
	"report any (NVMe 1.3 ECN 002); sgl.3.1 judges the missing list support"

static void list_at_msdbd(struct conf_ctx *c)
{
	struct nvsim_host_status st;
	struct sgl_env e;
	uint8_t *w, *r = NULL;
	uint32_t n;

	if (!env_open(c, &e) || !icd_size(c, &e))
		return;
	n = msdbd_of(&e);
	if ((size_t)n * 16 > ICD_ROOM || n > 64) {
		conf_skip(c, "MSDBD %u: too many descriptors for this case", n);
		return;
	}
	if (!(w = buf_new(c, (size_t)n * e.lba)) || !(r = buf_new(c, (size_t)n * e.lba)))
		goto out;
	fill(c, w, (size_t)n * e.lba, 0x54);
	list_write(c, &e, n, n * 16, 0, w, &st);
	if (!CONF_EXPECT(c, "Write through a Last Segment list of MSDBD descriptors", &st,
			 CONF_OK, CONF_KNOWN(0, 0x11, NVMET_NO_LISTS)))
		goto out;
	if (read_back(c, &e, r, n))
		conf_check(c, !memcmp(w, r, (size_t)n * e.lba),
			   "data written through the list differs from what reads back");
out:
	free(w);
	free(r);
}

enum list_shape {
	LIST_ABOVE_MSDBD, /* MSDBD + 1 keyed descriptors */
	LIST_LEN_24,	  /* one descriptor, the list length not a multiple of 16 */
	LIST_LEN_0,	  /* one descriptor follows, the list says it is empty */
	LIST_BY_ADDRESS,  /* the list in host memory by address: a fabric target cannot fetch it */
};

static const struct list_row {
	enum list_shape shape;
	const char *what;
	struct conf_outcome out[3];
	size_t nout;
} list_rows[] = {
	{ LIST_ABOVE_MSDBD, "Last Segment list of MSDBD + 1 descriptors",
	  { CONF_STATUS(0, 0x0e), CONF_PERMIT(0, 0x11, NO_LISTS_PERMIT) }, 2 },
	{ LIST_LEN_24, "Last Segment of 24 bytes",
	  { CONF_STATUS(0, 0x0d), CONF_STATUS(0, 0x0f), CONF_PERMIT(0, 0x11, NO_LISTS_PERMIT) },
	  3 },
	{ LIST_LEN_0, "Last Segment of length 0",
	  { CONF_STATUS(0, 0x0d), CONF_STATUS(0, 0x0f), CONF_PERMIT(0, 0x11, NO_LISTS_PERMIT) },
	  3 },
	{ LIST_BY_ADDRESS, "Last Segment, address subtype", { CONF_STATUS(0, 0x11) }, 1 },
};

static void list_refused(struct conf_ctx *c)
{
	const struct list_row *r = conf_row(c);
	struct nvsim_host_status st;
	struct sgl_env e;
	uint32_t n = 1, len = 16;
	uint8_t id = 0, *w;

	if (!env_open(c, &e) || !icd_size(c, &e))
		return;
	switch (r->shape) {
	case LIST_ABOVE_MSDBD:
		if (!e.id->msdbd) {
			conf_skip(c, "MSDBD 0: no descriptor limit");
			return;
		}
		n = e.id->msdbd + 1u;
		if ((size_t)n * 16 > ICD_ROOM || n > 64) {
			conf_skip(c, "MSDBD %u: too many descriptors for this case", n - 1);
			return;
		}
		len = n * 16;
		break;
	case LIST_LEN_24:
		len = 24;
		break;
	case LIST_LEN_0:
		len = 0;
		break;
	case LIST_BY_ADDRESS:
		id = nvsim_sgl_id(NVSIM_SGL_TYPE_LAST_SEGMENT, NVSIM_SGL_SUBTYPE_ADDRESS);
		break;
	}
	if (!(w = buf_new(c, (size_t)n * e.lba)))
		return;
	list_write(c, &e, n, len, id, w, &st);
	conf_expect(c, r->what, &st, r->out, r->nout);
	free(w);
}


static void list_holds_unkeyed(struct conf_ctx *c)
{
	struct nvsim_host_status st;
	struct sgl_env e;
	struct capsule cap;
	struct nvsim_sgl_unkeyed d;

	if (!env_open(c, &e) || !icd_size(c, &e))
		return;
	rw_sqe(&cap, nvme_cmd_write, 1);
	/* The list's one entry is an in-capsule data block, which NVMe/RDMA
	 * allows only in the SQE. */
	nvsim_sgl_unkeyed_set(&d, NVSIM_SGL_TYPE_DATA_BLOCK, NVSIM_SGL_SUBTYPE_OFFSET, 16, e.lba);
	memcpy(cap.data, &d, sizeof(d));
	nvsim_sgl_unkeyed_set(&cap.sqe.dptr.unkeyed, NVSIM_SGL_TYPE_LAST_SEGMENT,
			      NVSIM_SGL_SUBTYPE_OFFSET, 0, 16);
	raw_exec(e.q, &cap, 16 + (size_t)e.lba, &st);
	CONF_EXPECT(c, "Last Segment list holding an in-capsule data block", &st,
		    CONF_STATUS(0, 0x11), CONF_STATUS(0, 0x0d));
}

/* ---- keyed subtypes, PSDT, remote keys --------------------------------------------- */

static void invalidate_key(struct conf_ctx *c)
{
	struct nvsim_host_status st;
	struct sgl_env e;
	struct capsule cap;
	struct nvsim_hbuf hb;
	uint8_t *w, *r = NULL;

	if (!env_open(c, &e) || !(w = buf_new(c, e.lba)))
		return;
	fill(c, w, e.lba, 0x55);
	if (!write_plain(c, &e, w, 1) || !(r = buf_new(c, e.lba)))
		goto out;
	if (nvsim_hq_buf_reg_dir(e.q, r, e.lba, NVSIM_DIR_C2H, &hb)) {
		conf_error(c, "cannot register the buffer");
		goto out;
	}
	rw_sqe(&cap, nvme_cmd_read, 1);
	nvsim_sgl_keyed_set(&cap.sqe.dptr.keyed, (uintptr_t)r, e.lba, hb.rkey,
			    NVSIM_SGL_SUBTYPE_INVALIDATE_KEY);
	raw_exec(e.q, &cap, 0, &st);
	/* The host wing registers memory without remote-invalidate access,
	 * as a plain ibv_reg_mr does: a target that answers with SEND with
	 * Invalidate makes our side fail the QP (hardware does the same).
	 * So a lost queue shows the target used the subtype; a plain answer
	 * shows it ignored the hint, which a NIC without memory management
	 * extensions must.  Refusing the subtype, or silence, is wrong. */
	if (st.err == -ECONNRESET || (st.err && !nvsim_hq_connected(e.q))) {
		conf_note(c, "the queue ended: the target answered with SEND with Invalidate, "
			     "which our non-invalidatable registration refuses");
	} else if (CONF_EXPECT(c, "Read with a keyed SGL of subtype Fh (invalidate key)", &st,
				CONF_OK)) {
		conf_note(c, "the target answered with a plain SEND (no invalidation)");
		conf_check(c, !memcmp(w, r, e.lba), "the block read differs from the one written");
	}
	nvsim_hq_buf_dereg(&hb);
out:
	free(w);
	free(r);
}

static void psdt_not_sgl(struct conf_ctx *c, uint8_t psdt, const char *what)
{
	struct nvsim_host_status st;
	struct sgl_env e;
	struct capsule cap;
	struct nvsim_hbuf hb;
	uint8_t *buf;

	if (!env_open(c, &e) || !(buf = buf_new(c, e.lba)))
		return;
	if (nvsim_hq_buf_reg_dir(e.q, buf, e.lba, NVSIM_DIR_C2H, &hb)) {
		conf_error(c, "cannot register the buffer");
		free(buf);
		return;
	}
	rw_sqe(&cap, nvme_cmd_read, 1);
	nvsim_sgl_keyed_set(&cap.sqe.dptr.keyed, (uintptr_t)buf, e.lba, hb.rkey,
			    NVSIM_SGL_SUBTYPE_ADDRESS);
	cap.sqe.flags = (uint8_t)(psdt << NVSIM_SQE_PSDT_SHIFT);
	raw_exec(e.q, &cap, 0, &st);
	CONF_EXPECT(c, what, &st, CONF_STATUS(0, 0x02));
	nvsim_hq_buf_dereg(&hb);
	free(buf);
}

static void psdt_prp(struct conf_ctx *c)
{
	psdt_not_sgl(c, NVSIM_PSDT_PRP, "Read with PSDT 00b (PRP)");
}

static void psdt_sgl_mptr_sgl(struct conf_ctx *c)
{
	psdt_not_sgl(c, NVSIM_PSDT_SGL_MPTR_SGL, "Read with PSDT 10b (MPTR to an SGL)");
}

static void psdt_reserved(struct conf_ctx *c)
{
	psdt_not_sgl(c, 3, "Read with PSDT 11b (reserved)");
}

/* The target cannot reach our buffer: it must fail the command or drop the
 * queue, never report success, never leave the command hanging. */
static void bad_rkey(struct conf_ctx *c, bool write)
{
	struct nvsim_host_status st;
	struct sgl_env e;
	struct capsule cap;
	struct nvsim_hbuf hb;
	uint8_t *buf;

	if (!env_open(c, &e) || !(buf = buf_new(c, e.lba)))
		return;
	if (nvsim_hq_buf_reg_dir(e.q, buf, e.lba, write ? NVSIM_DIR_H2C : NVSIM_DIR_C2H,
				 &hb)) {
		conf_error(c, "cannot register the buffer");
		free(buf);
		return;
	}
	rw_sqe(&cap, write ? nvme_cmd_write : nvme_cmd_read, 1);
	nvsim_sgl_keyed_set(&cap.sqe.dptr.keyed, (uintptr_t)buf, e.lba, ~hb.rkey,
			    NVSIM_SGL_SUBTYPE_ADDRESS);
	raw_exec(e.q, &cap, 0, &st);
	if (st.err == -ETIMEDOUT && nvsim_hq_connected(e.q))
		conf_check(c, false, "%s with a bad rkey: no answer and the queue still up",
			   write ? "Write" : "Read");
	else if (st.err || !nvsim_hq_connected(e.q))
		conf_note(c, "the target dropped the queue (%s)",
			  st.err ? "transport error" : "disconnected");
	else if (conf_check(c, st.sf != 0, "%s with a bad rkey reported success",
			    write ? "Write" : "Read"))
		conf_note(c, "the target failed the command with SCT %xh SC %02xh",
			  (st.sf >> 8) & 0x7, st.sf & 0xff);
	nvsim_hq_buf_dereg(&hb);
	free(buf);
}

static void bad_rkey_read(struct conf_ctx *c)
{
	bad_rkey(c, false);
}

static void bad_rkey_write(struct conf_ctx *c)
{
	bad_rkey(c, true);
}

static void no_data_zero_keyed(struct conf_ctx *c)
{
	struct nvsim_host_status st;
	struct sgl_env e;
	struct capsule cap;

	if (!env_open(c, &e))
		return;
	memset(&cap, 0, sizeof(cap));
	cap.sqe.opcode = nvme_cmd_flush;
	cap.sqe.flags = PSDT_SGL;
	cap.sqe.nsid = htole32(1);
	/* Length 0: address and key are meaningless and must be ignored. */
	nvsim_sgl_keyed_set(&cap.sqe.dptr.keyed, 0xdead0000ull, 0, 0x1234,
			    NVSIM_SGL_SUBTYPE_ADDRESS);
	raw_exec(e.q, &cap, 0, &st);
	CONF_EXPECT(c, "Flush with a zero-length keyed SGL carrying an address and key", &st,
		    CONF_OK);
}

static void no_data_with_keyed(struct conf_ctx *c)
{
	struct nvsim_host_status st;
	struct sgl_env e;
	struct capsule cap;
	struct nvsim_hbuf hb;
	uint8_t *buf;

	if (!env_open(c, &e) || !(buf = buf_new(c, e.lba)))
		return;
	/* Flush moves no data; should a target move some, it may only read:
	 * writing into host memory is the harm to catch. */
	if (nvsim_hq_buf_reg_dir(e.q, buf, e.lba, NVSIM_DIR_H2C, &hb)) {
		conf_error(c, "cannot register the buffer");
		free(buf);
		return;
	}
	memset(&cap, 0, sizeof(cap));
	cap.sqe.opcode = nvme_cmd_flush;
	cap.sqe.flags = PSDT_SGL;
	cap.sqe.nsid = htole32(1);
	nvsim_sgl_keyed_set(&cap.sqe.dptr.keyed, (uintptr_t)buf, e.lba, hb.rkey,
			    NVSIM_SGL_SUBTYPE_ADDRESS);
	raw_exec(e.q, &cap, 0, &st);
	/* Flush moves nothing: a one-block SGL is longer than the data, which
	 * only a controller setting SGLS bit 18 ("SGL length larger than the
	 * amount of data to be transferred") takes; otherwise Data SGL Length
	 * Invalid, as io.4.4 for a Read. */
	if (le32toh(e.id->sgls) & NVME_CTRL_SGLS_OVERSIZE)
		CONF_EXPECT(c, "Flush with a keyed SGL of one block (SGLS bit 18 set)", &st,
			    CONF_OK);
	else
		CONF_EXPECT(c, "Flush with a keyed SGL of one block (SGLS bit 18 clear)", &st,
			    CONF_STATUS(0, 0x0f));
	nvsim_hq_buf_dereg(&hb);
	free(buf);
}

#define CASE(id, title, spec, level, feats, fn) { id, title, spec, level, feats, fn, NULL }
#define CASE_ROW(id, title, spec, level, feats, fn, row)                                    \
	{ id, title, spec, level, feats, fn, row }
#define SGL "NVMe Base 2.0 §4.3.2 (approx.)"
#define RDMA "NVMe-oF 1.1 §7.3.2 (approx.)"
#define KEYED (CONF_F_IO | CONF_F_KEYED_SGL)
#define INCAP (CONF_F_IO | CONF_F_IN_CAPSULE)
#define LIST (CONF_F_IO | CONF_F_IN_CAPSULE | CONF_F_KEYED_SGL)

static const struct conf_case sgl_cases[] = {
	CASE("sgl.1.1", "keyed SGL of length 0 on a Read is Data SGL Length Invalid", SGL,
	     CONF_MANDATORY, KEYED, keyed_len_zero),
	CASE("sgl.1.2", "keyed SGL longer than MDTS is refused", SGL ", " RDMA, CONF_MANDATORY,
	     KEYED, keyed_len_above_mdts),
	CASE_ROW("sgl.1.3", "keyed data block of a reserved subtype is SGL Descriptor Type Invalid",
	     SGL ", " RDMA, CONF_MANDATORY, KEYED, read_with_id, &id_rows[0]),
	CASE_ROW("sgl.1.4", "Bit Bucket without SGLS bit 16 is SGL Descriptor Type Invalid", SGL,
	     CONF_OPTIONAL, KEYED, read_with_id, &id_rows[1]),
	CASE_ROW("sgl.1.5", "Segment descriptor in the SQE is refused", SGL ", " RDMA,
	     CONF_MANDATORY, KEYED, read_with_id, &id_rows[2]),
	CASE_ROW("sgl.1.6", "Transport SGL Data Block on RDMA is SGL Descriptor Type Invalid",
	     SGL ", " RDMA, CONF_MANDATORY, KEYED, read_with_id, &id_rows[3]),
	CASE_ROW("sgl.1.7", "unkeyed Data Block, address subtype, is SGL Descriptor Type Invalid",
	     SGL ", " RDMA, CONF_MANDATORY, KEYED, read_with_id, &id_rows[4]),
	CASE_ROW("sgl.1.8", "descriptor of reserved type 6h is SGL Descriptor Type Invalid", SGL,
	     CONF_MANDATORY, KEYED, read_with_id, &id_rows[5]),
	CASE_ROW("sgl.1.9", "vendor specific descriptor (Fh) unsupported is Type Invalid", SGL,
	     CONF_OPTIONAL, KEYED, read_with_id, &id_rows[6]),
	CASE("sgl.2.1", "in-capsule Write of exactly IOCCSZ × 16 - 64 bytes succeeds", RDMA,
	     CONF_MANDATORY, INCAP, icd_full),
	CASE_ROW("sgl.2.2", "in-capsule descriptor one byte above IOCCSZ is refused", RDMA,
	     CONF_MANDATORY, INCAP, icd_refused, &icd_rows[0]),
	CASE_ROW("sgl.2.3", "in-capsule offset + length past the data area is refused",
	     RDMA ", " SGL, CONF_MANDATORY, INCAP, icd_refused, &icd_rows[1]),
	CASE_ROW("sgl.2.4", "in-capsule offset whose sum with the length wraps 2^64 is refused",
	     RDMA ", " SGL, CONF_MANDATORY, INCAP, icd_refused, &icd_rows[2]),
	CASE("sgl.2.5", "in-capsule data at a non-zero offset is taken from that offset",
	     RDMA ", " SGL, CONF_OPTIONAL, INCAP, icd_nonzero_offset),
	CASE("sgl.2.6", "in-capsule data descriptor on a Read is refused", RDMA,
	     CONF_MANDATORY, INCAP, icd_on_read),
	CASE_ROW("sgl.2.7", "in-capsule descriptor longer than the data sent is refused", RDMA,
	     CONF_OPTIONAL, INCAP, icd_refused, &icd_rows[3]),
	CASE("sgl.3.1", "Last Segment list of MSDBD keyed descriptors moves the data",
	     RDMA ", " SGL, CONF_OPTIONAL, LIST, list_at_msdbd),
	CASE_ROW("sgl.3.2", "more descriptors than MSDBD is Invalid Number of SGL Descriptors",
	     RDMA ", " SGL, CONF_MANDATORY, LIST, list_refused, &list_rows[0]),
	CASE_ROW("sgl.3.3", "Last Segment length not a multiple of 16 is refused", SGL,
	     CONF_MANDATORY, LIST, list_refused, &list_rows[1]),
	CASE_ROW("sgl.3.4", "Last Segment of length 0 is refused", SGL, CONF_MANDATORY, LIST,
	     list_refused, &list_rows[2]),
	CASE_ROW("sgl.3.5", "Last Segment by host address is SGL Descriptor Type Invalid",
	     RDMA ", " SGL, CONF_MANDATORY, LIST, list_refused, &list_rows[3]),
	CASE("sgl.3.6", "Last Segment list holding an unkeyed data block is refused",
	     RDMA ", " SGL, CONF_MANDATORY, LIST, list_holds_unkeyed),
	CASE("sgl.4.1", "keyed SGL with the invalidate-key subtype is not refused", RDMA,
	     CONF_OPTIONAL, KEYED, invalidate_key),
	CASE("sgl.4.2", "PSDT 00b (PRP) on a fabric is Invalid Field", "NVMe-oF 1.1 §2.3 (approx.)",
	     CONF_MANDATORY, KEYED, psdt_prp),
	CASE("sgl.4.3", "PSDT 10b on a fabric is Invalid Field", "NVMe-oF 1.1 §2.3 (approx.)",
	     CONF_MANDATORY, KEYED, psdt_sgl_mptr_sgl),
	CASE("sgl.4.4", "PSDT 11b (reserved) is Invalid Field", "NVMe-oF 1.1 §2.3 (approx.)",
	     CONF_MANDATORY, KEYED, psdt_reserved),
	CASE("sgl.4.5", "a Read whose rkey the target cannot use fails or drops the queue", RDMA,
	     CONF_INFORMATIVE, KEYED, bad_rkey_read),
	CASE("sgl.4.6", "a Write whose rkey the target cannot use fails or drops the queue", RDMA,
	     CONF_INFORMATIVE, KEYED, bad_rkey_write),
	CASE("sgl.4.7", "a command without data ignores a zero-length keyed SGL's address", SGL,
	     CONF_MANDATORY, KEYED, no_data_zero_keyed),
	CASE("sgl.4.8", "a command without data given a data SGL: Data SGL Length Invalid (bit 18)",
	     SGL, CONF_OPTIONAL, KEYED, no_data_with_keyed),
};

const struct conf_group conf_group_sgl = { "sgl", sgl_cases,
					    sizeof(sgl_cases) / sizeof(sgl_cases[0]) };
