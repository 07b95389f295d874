/* Identify (NVMe Base 2.0 §5.17 (approx.); catalogue §4.5): the controller
 * with its fabrics fields, namespace 1 and the NSIDs that are not it, the
 * active namespace list, namespace identification descriptors, reserved CNS
 * values and wrong buffer lengths.  Linux nvmet returns zeroed data where the
 * spec asks for Invalid Namespace or Format (§4.11).
 *
 * NSIDs, as NVMe Base 2.0 §3.2.1 (approx.) sorts them: an *inactive* NSID
 * (1..NN, no namespace attached) is valid, and CNS 00h answers it with a
 * zero-filled structure (§5.17.2.1 (approx.)); an *invalid* one (0h, above
 * NN, FFFFFFFFh where no capability applies) is Invalid Namespace or Format,
 * never zeroed data. */
#include <stdio.h>
#include <string.h>

#include <nvme/types.h>

#include "conformance/case.h"
#include "spec/cqe.h"

#define ID_LEN NVME_IDENTIFY_DATA_SIZE
#define NS_LIST_LEN (ID_LEN / 4)

/* Identify with any CNS, NSID and buffer length. */
static void identify_raw(struct nvsim_hq *q, uint8_t cns, uint32_t nsid, void *buf, size_t len,
			 struct nvsim_host_status *st)
{
	struct nvsim_sqe sqe = { .opcode = nvme_admin_identify, .nsid = htole32(nsid) };
	struct nvsim_sqe_identify *id = (void *)&sqe;

	id->cns = cns;
	nvsim_hq_exec(q, &sqe, buf, len, NVSIM_DIR_C2H, st);
}

/* Identify that the case relies on succeeding. */
static bool identify(struct conf_ctx *c, struct nvsim_hq *q, uint8_t cns, uint32_t nsid, void *buf,
		     const char *what)
{
	struct nvsim_host_status st;

	identify_raw(q, cns, nsid, buf, ID_LEN, &st);
	return CONF_EXPECT(c, what, &st, CONF_OK);
}

static bool id_ctrl(struct conf_ctx *c, struct nvsim_hq *q, struct nvme_id_ctrl *ctrl)
{
	return identify(c, q, NVME_IDENTIFY_CNS_CTRL, 0, ctrl, "Identify Controller");
}

static bool all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

/* ---- Identify Controller ------------------------------------------------------------ */

static void ctrl_identity(struct conf_ctx *c)
{
	struct nvme_id_ctrl ctrl;
	uint16_t cntlid;
	struct nvsim_hq *q = conf_admin(c, true, &cntlid);
	char nqn[NVME_NQN_LENGTH + 1];

	if (!q || !id_ctrl(c, q, &ctrl))
		return;
	memcpy(nqn, ctrl.subnqn, NVME_NQN_LENGTH);
	nqn[NVME_NQN_LENGTH] = 0;
	conf_check(c, le16toh(ctrl.cntlid) == cntlid,
		   "CNTLID %#x in Identify; Connect returned %#x", le16toh(ctrl.cntlid), cntlid);
	conf_check(c, !strcmp(nqn, conf_subnqn(c)), "SUBNQN is '%s'; connected to '%s'", nqn,
		   conf_subnqn(c));
}

static void ctrl_capsule_sizes(struct conf_ctx *c)
{
	struct nvme_id_ctrl ctrl;
	struct nvsim_hq *q = conf_admin(c, true, NULL);

	if (!q || !id_ctrl(c, q, &ctrl))
		return;
	conf_note(c, "IOCCSZ %u (%u bytes of in-capsule data), IORCSZ %u, ICDOFF %u, MSDBD %u",
		  le32toh(ctrl.ioccsz),
		  le32toh(ctrl.ioccsz) >= 4 ? le32toh(ctrl.ioccsz) * 16 - 64 : 0,
		  le32toh(ctrl.iorcsz), le16toh(ctrl.icdoff), ctrl.msdbd);
	/* A command capsule holds at least the SQE, a response capsule the CQE. */
	conf_check(c, le32toh(ctrl.ioccsz) >= 4, "IOCCSZ %u is below 4 (64 bytes)",
		   le32toh(ctrl.ioccsz));
	conf_check(c, le32toh(ctrl.iorcsz) >= 1, "IORCSZ %u is below 1 (16 bytes)",
		   le32toh(ctrl.iorcsz));
}

static void ctrl_in_capsule(struct conf_ctx *c)
{
	struct nvme_id_ctrl ctrl;
	struct nvsim_hq *q = conf_admin(c, true, NULL);

	if (!q || !id_ctrl(c, q, &ctrl))
		return;
	conf_check(c, le32toh(ctrl.ioccsz) > 4,
		   "IOCCSZ %u leaves no room for in-capsule data on I/O queues",
		   le32toh(ctrl.ioccsz));
	conf_check(c, (le32toh(ctrl.sgls) & NVME_CTRL_SGLS_OFFSET) != 0,
		   "SGLS bit 20 (SGL offset, needed for in-capsule data) is 0 (SGLS %#x)",
		   le32toh(ctrl.sgls));
}

static void ctrl_entry_sizes(struct conf_ctx *c)
{
	struct nvme_id_ctrl ctrl;
	struct nvsim_hq *q = conf_admin(c, true, NULL);

	if (!q || !id_ctrl(c, q, &ctrl))
		return;
	/* Fabrics fix both: 64-byte SQEs and 16-byte CQEs, required and maximum. */
	conf_check(c, ctrl.sqes == 0x66, "SQES %#x; 66h required over fabrics", ctrl.sqes);
	conf_check(c, ctrl.cqes == 0x44, "CQES %#x; 44h required over fabrics", ctrl.cqes);
}

static void ctrl_limits(struct conf_ctx *c)
{
	struct nvme_id_ctrl ctrl;
	struct nvsim_hq *q = conf_admin(c, true, NULL);

	if (!q || !id_ctrl(c, q, &ctrl))
		return;
	conf_note(c, "MAXCMD %u, KAS %u, NN %u, MDTS %u", le16toh(ctrl.maxcmd), le16toh(ctrl.kas),
		  le32toh(ctrl.nn), ctrl.mdts);
	conf_check(c, le16toh(ctrl.maxcmd) >= 1, "MAXCMD is 0; fabrics controllers report it");
	conf_check(c, le16toh(ctrl.kas) >= 1, "KAS is 0; Keep Alive is mandatory over fabrics");
	conf_check(c, le32toh(ctrl.nn) >= 1, "NN is 0");
}

static void ctrl_version(struct conf_ctx *c)
{
	struct nvme_id_ctrl ctrl;
	struct nvsim_host_status st;
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	uint64_t vs;

	if (!q || !id_ctrl(c, q, &ctrl))
		return;
	nvsim_host_prop_get(q, NVME_REG_VS, false, &vs, &st);
	if (!CONF_EXPECT(c, "Property Get VS", &st, CONF_OK))
		return;
	conf_check(c, le32toh(ctrl.ver) == (uint32_t)vs, "VER %#x differs from the VS property %#x",
		   le32toh(ctrl.ver), (unsigned)vs);
	conf_check(c, le32toh(ctrl.ver) >= 0x00010201, "VER %#x is below 1.2.1", le32toh(ctrl.ver));
}

static void ctrl_sgls(struct conf_ctx *c)
{
	struct nvme_id_ctrl ctrl;
	struct nvsim_hq *q = conf_admin(c, true, NULL);

	if (!q || !id_ctrl(c, q, &ctrl))
		return;
	/* Fabrics move data with SGLs only. */
	conf_check(c, (le32toh(ctrl.sgls) & NVME_CTRL_SGLS_SUPPORTED) != 0,
		   "SGLS %#x says SGLs are not supported", le32toh(ctrl.sgls));
}

static void ctrl_sgls_keyed(struct conf_ctx *c)
{
	struct nvme_id_ctrl ctrl;
	struct nvsim_hq *q = conf_admin(c, true, NULL);

	if (!q || !id_ctrl(c, q, &ctrl))
		return;
	conf_check(c, (le32toh(ctrl.sgls) & NVME_CTRL_SGLS_KEYED) != 0,
		   "SGLS %#x: bit 2 (Keyed SGL Data Block) is 0 on an RDMA controller",
		   le32toh(ctrl.sgls));
}

static void ctrl_type(struct conf_ctx *c)
{
	struct nvme_id_ctrl ctrl;
	struct nvsim_hq *q = conf_admin(c, true, NULL);

	if (!q || !id_ctrl(c, q, &ctrl))
		return;
	if (le32toh(ctrl.ver) < 0x00010400) {
		conf_skip(c, "VER %#x: CNTRLTYPE arrived in NVMe 1.4", le32toh(ctrl.ver));
		return;
	}
	conf_check(c, ctrl.cntrltype == NVME_CTRL_CNTRLTYPE_IO,
		   "CNTRLTYPE %u on an NVM subsystem controller; 1 (I/O controller) expected",
		   ctrl.cntrltype);
}

static void ctrl_dynamic_model(struct conf_ctx *c)
{
	struct nvme_id_ctrl ctrl;
	struct nvsim_hq *q = conf_admin(c, true, NULL);

	if (!q || !id_ctrl(c, q, &ctrl))
		return;
	/* The admin Connect with CNTLID FFFFh just succeeded: a dynamic model. */
	conf_check(c, !(ctrl.fcatt & 1), "FCATT %#x claims the static controller model",
		   ctrl.fcatt);
}

static void ctrl_same_across_associations(struct conf_ctx *c)
{
	struct nvme_id_ctrl a, b;
	struct nvsim_hq *qa = conf_admin(c, true, NULL), *qb;

	if (!qa || !id_ctrl(c, qa, &a) || !(qb = conf_admin(c, true, NULL)) || !id_ctrl(c, qb, &b))
		return;
	conf_check(c, a.cntlid != b.cntlid, "two associations share CNTLID %#x", le16toh(a.cntlid));
	/* Dynamic controllers of one subsystem differ only in CNTLID. */
	a.cntlid = b.cntlid = 0;
	for (size_t i = 0; i < sizeof(a); i++) {
		if (((uint8_t *)&a)[i] != ((uint8_t *)&b)[i]) {
			conf_check(c, false,
				   "Identify Controller differs at byte %zu (%#x vs %#x), not only "
				   "in CNTLID",
				   i, ((uint8_t *)&a)[i], ((uint8_t *)&b)[i]);
			return;
		}
	}
}

/* ---- Identify Namespace ------------------------------------------------------------- */

static void ns_one(struct conf_ctx *c)
{
	struct nvme_id_ns ns;
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	unsigned int fmt, ds;

	if (!q || !identify(c, q, NVME_IDENTIFY_CNS_NS, 1, &ns, "Identify Namespace 1"))
		return;
	fmt = (ns.flbas & NVME_NS_FLBAS_LOWER_MASK) | (ns.flbas & NVME_NS_FLBAS_HIGHER_MASK) >> 1;
	ds = fmt < 64 ? ns.lbaf[fmt].ds : 0;
	conf_note(c, "NSZE %llu, NCAP %llu, NUSE %llu, FLBAS %#x (format %u of %u), %u-byte LBAs",
		  (unsigned long long)le64toh(ns.nsze), (unsigned long long)le64toh(ns.ncap),
		  (unsigned long long)le64toh(ns.nuse), ns.flbas, fmt, ns.nlbaf + 1u,
		  ds < 32 ? 1u << ds : 0);
	conf_check(c, le64toh(ns.nsze) >= 1, "NSZE is 0 for an active namespace");
	conf_check(c, le64toh(ns.ncap) <= le64toh(ns.nsze), "NCAP %llu > NSZE %llu",
		   (unsigned long long)le64toh(ns.ncap), (unsigned long long)le64toh(ns.nsze));
	conf_check(c, le64toh(ns.nuse) <= le64toh(ns.ncap), "NUSE %llu > NCAP %llu",
		   (unsigned long long)le64toh(ns.nuse), (unsigned long long)le64toh(ns.ncap));
	if (conf_check(c, fmt <= ns.nlbaf, "FLBAS selects format %u; NLBAF is %u (0's based)", fmt,
		       ns.nlbaf))
		conf_check(c, ds >= 9, "LBA format %u has LBADS %u; 9 (512 bytes) is the minimum",
			   fmt, ds);
}

/* NSID 0h is never a valid NSID: no zero-filled answer as for an inactive
 * one (NVMe Base 2.0 §3.2.1, §5.17.2.1 (approx.)). */
static void ns_zero(struct conf_ctx *c)
{
	struct nvme_id_ns ns;
	struct nvsim_host_status st;
	struct nvsim_hq *q = conf_admin(c, true, NULL);

	if (!q)
		return;
	identify_raw(q, NVME_IDENTIFY_CNS_NS, 0, &ns, sizeof(ns), &st);
	CONF_EXPECT(c, "Identify Namespace, NSID 0", &st, CONF_STATUS(0, 0x0b),
		    CONF_KNOWN(0, 0, "Linux nvmet 6.1 (zeroed data)"));
}

static void ns_broadcast(struct conf_ctx *c)
{
	struct nvme_id_ctrl ctrl;
	struct nvme_id_ns ns;
	struct nvsim_host_status st;
	struct nvsim_hq *q = conf_admin(c, true, NULL);

	if (!q || !id_ctrl(c, q, &ctrl))
		return;
	if (le16toh(ctrl.oacs) & NVME_CTRL_OACS_NS_MGMT) {
		conf_skip(c,
			  "namespace management supported: NSID FFFFFFFFh returns common fields");
		return;
	}
	identify_raw(q, NVME_IDENTIFY_CNS_NS, NVME_NSID_ALL, &ns, sizeof(ns), &st);
	CONF_EXPECT(c, "Identify Namespace, NSID FFFFFFFFh", &st, CONF_STATUS(0, 0x0b));
}

static void ns_above_nn(struct conf_ctx *c)
{
	struct nvme_id_ctrl ctrl;
	struct nvme_id_ns ns;
	struct nvsim_host_status st;
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	char what[80];
	uint32_t nsid;

	if (!q || !id_ctrl(c, q, &ctrl))
		return;
	nsid = le32toh(ctrl.nn) + 1;
	if (nsid >= 0xfffffffe) {
		conf_skip(c, "NN %u leaves no NSID above it", le32toh(ctrl.nn));
		return;
	}
	/* Above NN an NSID is invalid, not inactive (NVMe Base 2.0 §3.2.1
	 * (approx.)): the zero-filled answer is only for inactive NSIDs. */
	snprintf(what, sizeof(what), "Identify Namespace, NSID %u (NN + 1)", nsid);
	identify_raw(q, NVME_IDENTIFY_CNS_NS, nsid, &ns, sizeof(ns), &st);
	CONF_EXPECT(c, what, &st, CONF_STATUS(0, 0x0b),
		    CONF_KNOWN(0, 0, "Linux nvmet 6.1 (zeroed data)"));
}

/* The active NSIDs, ascending, after start; returns how many (-1 on failure). */
static int active_list(struct conf_ctx *c, struct nvsim_hq *q, uint32_t start,
		       uint32_t list[NS_LIST_LEN])
{
	int n = 0;

	if (!identify(c, q, NVME_IDENTIFY_CNS_NS_ACTIVE_LIST, start, list,
		      "Identify Active Namespace ID list"))
		return -1;
	while (n < NS_LIST_LEN && list[n])
		n++;
	for (int i = 0; i < n; i++)
		list[i] = le32toh(list[i]);
	return n;
}

static void ns_inactive_zeroed(struct conf_ctx *c)
{
	struct nvme_id_ctrl ctrl;
	struct nvme_id_ns ns;
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	uint32_t list[NS_LIST_LEN], nsid = 1;
	char what[80];
	int n;

	if (!q || !id_ctrl(c, q, &ctrl) || (n = active_list(c, q, 0, list)) < 0)
		return;
	/* The lowest NSID not in the list; the list is ascending. */
	for (int i = 0; i < n && list[i] == nsid; i++)
		nsid++;
	if (nsid > le32toh(ctrl.nn) || n == NS_LIST_LEN) {
		conf_skip(c, "every NSID up to NN %u is active", le32toh(ctrl.nn));
		return;
	}
	memset(&ns, 0xa5, sizeof(ns));
	snprintf(what, sizeof(what), "Identify Namespace, inactive NSID %u", nsid);
	if (identify(c, q, NVME_IDENTIFY_CNS_NS, nsid, &ns, what))
		conf_check(c, all_zero(&ns, sizeof(ns)),
			   "the data for inactive NSID %u is not zero-filled", nsid);
}

/* ---- Active Namespace ID list ------------------------------------------------------- */

static bool list_sane(struct conf_ctx *c, const uint32_t *list, int n, uint32_t start, uint32_t nn)
{
	for (int i = 0; i < n; i++) {
		if (!conf_check(c, list[i] > start && list[i] <= nn && list[i] < 0xfffffffe,
				"entry %d is NSID %u: outside %u..NN %u", i, list[i], start + 1,
				nn) ||
		    !conf_check(c, i == 0 || list[i] > list[i - 1],
				"entries %d and %d (%u, %u) are not ascending", i - 1, i,
				i ? list[i - 1] : 0, list[i]))
			return false;
	}
	return true;
}

static void list_from_zero(struct conf_ctx *c)
{
	struct nvme_id_ctrl ctrl;
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	uint32_t list[NS_LIST_LEN];
	bool has1 = false;
	int n;

	if (!q || !id_ctrl(c, q, &ctrl) || (n = active_list(c, q, 0, list)) < 0)
		return;
	conf_note(c, "%d active namespace%s", n, n == 1 ? "" : "s");
	if (!list_sane(c, list, n, 0, le32toh(ctrl.nn)))
		return;
	for (int i = 0; i < n; i++)
		has1 |= list[i] == 1;
	conf_check(c, has1, "namespace 1 is missing from the active list");
}

static void list_after_one(struct conf_ctx *c)
{
	struct nvme_id_ctrl ctrl;
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	uint32_t list[NS_LIST_LEN];
	int n;

	if (!q || !id_ctrl(c, q, &ctrl) || (n = active_list(c, q, 1, list)) < 0)
		return;
	/* Only NSIDs greater than the one given are listed. */
	list_sane(c, list, n, 1, le32toh(ctrl.nn));
}

/* CNS 02h: "The controller shall abort the command with a status code of
 * Invalid Namespace or Format if the NSID field is set to FFFFFFFEh or
 * FFFFFFFFh" (NVMe Base 2.0 §5.17.2.2 (approx.)); an empty list is not
 * that. */
static void list_bad_start(struct conf_ctx *c, uint32_t nsid, const char *what)
{
	uint32_t list[NS_LIST_LEN];
	struct nvsim_host_status st;
	struct nvsim_hq *q = conf_admin(c, true, NULL);

	if (!q)
		return;
	identify_raw(q, NVME_IDENTIFY_CNS_NS_ACTIVE_LIST, nsid, list, sizeof(list), &st);
	CONF_EXPECT(c, what, &st, CONF_STATUS(0, 0x0b),
		    CONF_KNOWN(0, 0, "Linux nvmet 6.1 (an empty list)"));
}

static void list_fffffffe(struct conf_ctx *c)
{
	list_bad_start(c, 0xfffffffe, "Active Namespace ID list after NSID FFFFFFFEh");
}

static void list_ffffffff(struct conf_ctx *c)
{
	list_bad_start(c, NVME_NSID_ALL, "Active Namespace ID list after NSID FFFFFFFFh");
}

/* ---- Namespace Identification Descriptors ---------------------------------------------- */

struct ns_ids {
	bool has_eui64, has_nguid, has_uuid;
	uint8_t eui64[8], nguid[16], uuid[16];
};

/* Walks a descriptor list; false (with the failure recorded) when malformed. */
static bool parse_descs(struct conf_ctx *c, const uint8_t *buf, struct ns_ids *ids)
{
	size_t off = 0;

	memset(ids, 0, sizeof(*ids));
	while (off + sizeof(struct nvme_ns_id_desc) <= ID_LEN) {
		struct nvme_ns_id_desc hdr, *d = &hdr;
		const uint8_t *nid = buf + off + sizeof(*d);
		size_t want = 0;
		bool *seen = NULL;
		uint8_t *dst = NULL;

		/* the list is bytes on the wire: no alignment promised */
		memcpy(&hdr, buf + off, sizeof(hdr));
		if (!d->nidt)
			break;
		switch (d->nidt) {
		case NVME_NIDT_EUI64:
			want = NVME_NIDT_EUI64_LEN;
			seen = &ids->has_eui64;
			dst = ids->eui64;
			break;
		case NVME_NIDT_NGUID:
			want = NVME_NIDT_NGUID_LEN;
			seen = &ids->has_nguid;
			dst = ids->nguid;
			break;
		case NVME_NIDT_UUID:
			want = NVME_NIDT_UUID_LEN;
			seen = &ids->has_uuid;
			dst = ids->uuid;
			break;
		case NVME_NIDT_CSI:
			want = NVME_NIDT_CSI_LEN;
			break;
		default:
			conf_note(c, "descriptor type %u at byte %zu (not known here)", d->nidt,
				  off);
			want = d->nidl;
			break;
		}
		if (!conf_check(c, d->nidl == want && d->nidl,
				"descriptor type %u at byte %zu has NIDL %u; %zu expected", d->nidt,
				off, d->nidl, want) ||
		    !conf_check(c, off + sizeof(*d) + d->nidl <= ID_LEN,
				"descriptor at byte %zu runs past 4096 bytes", off))
			return false;
		if (seen) {
			if (!conf_check(c, !*seen, "descriptor type %u appears twice", d->nidt) ||
			    !conf_check(c, !all_zero(nid, want), "descriptor type %u is all zeros",
					d->nidt))
				return false;
			*seen = true;
			memcpy(dst, nid, want);
		}
		off += sizeof(*d) + d->nidl;
	}
	return true;
}

static bool ns_descs(struct conf_ctx *c, struct nvsim_hq *q, struct ns_ids *ids)
{
	uint8_t buf[ID_LEN];

	return identify(c, q, NVME_IDENTIFY_CNS_NS_DESC_LIST, 1, buf,
			"Namespace Identification Descriptors, NSID 1") &&
	       parse_descs(c, buf, ids);
}

static void descs_present(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct ns_ids ids;

	if (!q || !ns_descs(c, q, &ids))
		return;
	conf_note(c, "descriptors:%s%s%s", ids.has_eui64 ? " EUI-64" : "",
		  ids.has_nguid ? " NGUID" : "", ids.has_uuid ? " UUID" : "");
	conf_check(c, ids.has_eui64 || ids.has_nguid || ids.has_uuid,
		   "no EUI-64, NGUID or UUID descriptor for namespace 1");
}

static void descs_stable(struct conf_ctx *c)
{
	struct nvsim_hq *qa = conf_admin(c, true, NULL), *qb;
	struct ns_ids a, b;

	if (!qa || !ns_descs(c, qa, &a) || !(qb = conf_admin(c, true, NULL)) ||
	    !ns_descs(c, qb, &b))
		return;
	/* The namespace is the same whichever controller reports it. */
	conf_check(c, a.has_eui64 == b.has_eui64 && !memcmp(a.eui64, b.eui64, sizeof(a.eui64)),
		   "EUI-64 differs between two controllers");
	conf_check(c, a.has_nguid == b.has_nguid && !memcmp(a.nguid, b.nguid, sizeof(a.nguid)),
		   "NGUID differs between two controllers");
	conf_check(c, a.has_uuid == b.has_uuid && !memcmp(a.uuid, b.uuid, sizeof(a.uuid)),
		   "UUID differs between two controllers");
}

static void descs_match_ns(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvme_id_ns ns;
	struct ns_ids ids;

	if (!q || !ns_descs(c, q, &ids) ||
	    !identify(c, q, NVME_IDENTIFY_CNS_NS, 1, &ns, "Identify Namespace 1"))
		return;
	/* A non-zero identifier in Identify Namespace is the same one the list carries. */
	if (!all_zero(ns.nguid, sizeof(ns.nguid)))
		conf_check(c, ids.has_nguid && !memcmp(ids.nguid, ns.nguid, sizeof(ns.nguid)),
			   "Identify Namespace NGUID is not the NGUID descriptor");
	if (!all_zero(ns.eui64, sizeof(ns.eui64)))
		conf_check(c, ids.has_eui64 && !memcmp(ids.eui64, ns.eui64, sizeof(ns.eui64)),
			   "Identify Namespace EUI64 is not the EUI-64 descriptor");
}

/* CNS 03h on an inactive NSID (1..NN, not attached: valid) is not the
 * zero-filled answer of CNS 00h.  NVMe Base 2.1 §5.1.13.2.3: "If the NSID
 * field does not specify an active NSID, then refer to section 3.2.1.5 for
 * the status code to return", and §3.2.1.5: "Unless otherwise noted,
 * specifying an inactive NSID in a command that uses the Namespace
 * Identifier (NSID) field shall cause the controller to abort the command
 * with a status code of Invalid Field in Command"; Invalid Namespace or
 * Format is for an invalid NSID (the same rule in Base 2.2 Figure 92, NSID;
 * QEMU's controller answers so).  The Base 2.0 text for CNS 03h was not
 * found to check; nothing suggests it differed. */
static void descs_inactive(struct conf_ctx *c)
{
	struct nvme_id_ctrl ctrl;
	struct nvsim_host_status st;
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	uint32_t list[NS_LIST_LEN], nsid = 1;
	uint8_t buf[ID_LEN];
	char what[80];
	int n;

	if (!q || !id_ctrl(c, q, &ctrl) || (n = active_list(c, q, 0, list)) < 0)
		return;
	for (int i = 0; i < n && list[i] == nsid; i++)
		nsid++;
	if (nsid > le32toh(ctrl.nn) || n == NS_LIST_LEN) {
		conf_skip(c, "every NSID up to NN %u is active", le32toh(ctrl.nn));
		return;
	}
	snprintf(what, sizeof(what), "Namespace Identification Descriptors, inactive NSID %u",
		 nsid);
	identify_raw(q, NVME_IDENTIFY_CNS_NS_DESC_LIST, nsid, buf, sizeof(buf), &st);
	CONF_EXPECT(c, what, &st, CONF_STATUS(0, 0x02),
		    CONF_KNOWN(0, 0x0b, "Linux nvmet 6.1 (Invalid Namespace or Format for any "
					"NSID without a namespace)"),
		    CONF_KNOWN(0, 0x0b, "SPDK 23.x (Invalid Namespace or Format for any NSID "
					"without a namespace)"));
}

/* ---- malformed commands -------------------------------------------------------------- */

static void reserved_cns(struct conf_ctx *c)
{
	uint8_t buf[ID_LEN];
	struct nvsim_host_status st;
	struct nvsim_hq *q = conf_admin(c, true, NULL);

	if (!q)
		return;
	identify_raw(q, 0x7f, 0, buf, sizeof(buf), &st);
	CONF_EXPECT(c, "Identify with reserved CNS 7Fh", &st, CONF_STATUS(0, 0x02));
}

static void short_buffer(struct conf_ctx *c)
{
	uint8_t buf[ID_LEN / 2];
	struct nvsim_host_status st;
	struct nvsim_hq *q = conf_admin(c, true, NULL);

	if (!q)
		return;
	identify_raw(q, NVME_IDENTIFY_CNS_CTRL, 0, buf, sizeof(buf), &st);
	CONF_EXPECT(c, "Identify Controller into a 2048-byte SGL", &st, CONF_STATUS(0, 0x0f),
		    CONF_STATUS(0, 0x02));
}

static void long_buffer(struct conf_ctx *c)
{
	static const char what[] = "Identify Controller into an 8192-byte SGL";
	uint8_t buf[ID_LEN * 2];
	struct nvme_id_ctrl ctrl;
	struct nvsim_host_status st;
	struct nvsim_hq *q = conf_admin(c, true, NULL);

	if (!q || !id_ctrl(c, q, &ctrl))
		return;
	identify_raw(q, NVME_IDENTIFY_CNS_CTRL, 0, buf, sizeof(buf), &st);
	/* Only a controller that sets SGLS bit 18 takes a longer SGL than the transfer. */
	if (le32toh(ctrl.sgls) & NVME_CTRL_SGLS_OVERSIZE)
		CONF_EXPECT(c, what, &st, CONF_OK, CONF_STATUS(0, 0x0f));
	else
		CONF_EXPECT(c, what, &st, CONF_STATUS(0, 0x0f),
			    CONF_KNOWN(0, 0, "SPDK 23.x (takes any buffer of 4096 bytes or more)"));
}

#define CASE(id, title, spec, level, feats, fn) { id, title, spec, level, feats, fn, NULL }
#define IDENT "NVMe Base 2.0 §5.17 (approx.)"
#define IDCTRL "NVMe Base 2.0 §5.17.2.1 (approx.)"
#define IDFAB "NVMe Base 2.0 §5.17.2.1, NVMe-oF 1.1 §4.1 (approx.)"
#define IDNS "NVM Command Set 1.0 §4.1.5.1, NVMe Base 2.0 §5.17.2.1 (approx.)"

static const struct conf_case identify_cases[] = {
	CASE("identify.1.1", "Identify Controller: CNTLID as Connect gave it, SUBNQN connected to",
	     IDCTRL, CONF_MANDATORY, 0, ctrl_identity),
	CASE("identify.1.2", "Identify Controller: IOCCSZ >= 4 and IORCSZ >= 1", IDFAB,
	     CONF_MANDATORY, 0, ctrl_capsule_sizes),
	CASE("identify.1.3", "Identify Controller: room for in-capsule data and SGLS offset bit",
	     IDFAB, CONF_OPTIONAL, CONF_F_IN_CAPSULE, ctrl_in_capsule),
	CASE("identify.1.4", "Identify Controller: SQES 66h and CQES 44h", IDFAB, CONF_MANDATORY, 0,
	     ctrl_entry_sizes),
	CASE("identify.1.5", "Identify Controller: MAXCMD, KAS and NN are non-zero", IDFAB,
	     CONF_MANDATORY, 0, ctrl_limits),
	CASE("identify.1.6", "Identify Controller: VER equals the VS property, 1.2.1 or later",
	     IDCTRL ", §3.1.4.2 (approx.)", CONF_MANDATORY, 0, ctrl_version),
	CASE("identify.1.7", "Identify Controller: SGLS reports SGL support", IDFAB, CONF_MANDATORY,
	     0, ctrl_sgls),
	CASE("identify.1.8", "Identify Controller: SGLS bit 2 (Keyed SGL Data Block) is set",
	     IDFAB ", NVMe/RDMA 1.0 §3 (approx.)", CONF_MANDATORY, CONF_F_KEYED_SGL,
	     ctrl_sgls_keyed),
	CASE("identify.1.9", "Identify Controller: CNTRLTYPE 1 (I/O controller)", IDCTRL,
	     CONF_MANDATORY, 0, ctrl_type),
	CASE("identify.1.10", "two associations see the same Identify Controller but CNTLID",
	     IDCTRL ", NVMe-oF 1.1 §4.2 (approx.)", CONF_OPTIONAL, 0,
	     ctrl_same_across_associations),
	CASE("identify.1.11", "Identify Controller: FCATT bit 0 reports the dynamic model", IDFAB,
	     CONF_MANDATORY, 0, ctrl_dynamic_model),
	CASE("identify.2.1", "Identify Namespace 1: NSZE/NCAP/NUSE consistent, FLBAS valid", IDNS,
	     CONF_MANDATORY, 0, ns_one),
	CASE("identify.2.2", "Identify Namespace NSID 0 is Invalid Namespace or Format", IDENT,
	     CONF_MANDATORY, 0, ns_zero),
	CASE("identify.2.3", "Identify Namespace NSID FFFFFFFFh without NS management: 0h/0Bh",
	     IDENT, CONF_MANDATORY, 0, ns_broadcast),
	CASE("identify.2.4", "Identify Namespace NSID above NN is Invalid Namespace or Format",
	     IDENT, CONF_MANDATORY, 0, ns_above_nn),
	CASE("identify.2.5", "Identify Namespace of an inactive NSID returns zeros", IDENT,
	     CONF_MANDATORY, 0, ns_inactive_zeroed),
	CASE("identify.3.1", "Active Namespace ID list from 0: ascending, within NN, contains 1",
	     IDENT, CONF_MANDATORY, 0, list_from_zero),
	CASE("identify.3.2", "Active Namespace ID list lists only NSIDs above the one given", IDENT,
	     CONF_MANDATORY, 0, list_after_one),
	CASE("identify.3.3", "Active Namespace ID list after FFFFFFFEh is 0h/0Bh", IDENT,
	     CONF_MANDATORY, 0, list_fffffffe),
	CASE("identify.3.4", "Active Namespace ID list after FFFFFFFFh is 0h/0Bh", IDENT,
	     CONF_MANDATORY, 0, list_ffffffff),
	CASE("identify.4.1", "NS descriptors: an EUI-64, NGUID or UUID, each of the right length",
	     IDENT, CONF_MANDATORY, 0, descs_present),
	CASE("identify.4.2", "NS descriptors are the same through two controllers", IDENT,
	     CONF_MANDATORY, 0, descs_stable),
	CASE("identify.4.3", "NS descriptors match Identify Namespace NGUID and EUI64", IDENT,
	     CONF_MANDATORY, 0, descs_match_ns),
	CASE("identify.4.4", "NS descriptors of an inactive NSID: Invalid Field in Command",
	     "NVMe Base 2.1 §5.1.13.2.3, §3.2.1.5", CONF_MANDATORY, 0, descs_inactive),
	CASE("identify.5.1", "Identify with a reserved CNS is Invalid Field", IDENT, CONF_MANDATORY,
	     0, reserved_cns),
	CASE("identify.5.2", "Identify into a 2048-byte buffer is refused",
	     IDENT ", §4.3.2 (approx.)", CONF_MANDATORY, 0, short_buffer),
	CASE("identify.5.3", "Identify into an 8192-byte buffer: Data SGL Length Invalid",
	     IDENT ", §4.3.2 (approx.)", CONF_OPTIONAL, 0, long_buffer),
};

const struct conf_group conf_group_identify = {
	"identify", identify_cases, sizeof(identify_cases) / sizeof(identify_cases[0])
};
