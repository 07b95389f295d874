/* The discovery controller (NVMe-oF 1.1 §5; NVMe Base 2.0 §5.16.1.23
 * (approx.); catalogue §4.5 and §5 "Discovery semantics"): Identify of a
 * discovery controller, the Discovery log (70h) header and records, per-host
 * filtering and referrals, reads in pieces by LPO and the offset checks
 * whose absence was a remote memory read in Linux nvmet (catalogue §3.4),
 * GENCTR stability, and the commands a discovery controller refuses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nvme/types.h>

#include "conformance/case.h"
#include "conformance/runner.h"

#define HDR_LEN 1024u
#define REC_LEN 1024u
#define MAX_RECORDS 1024u /* a sanity bound on NUMREC, far above any real target */
#define VS_1_4 0x00010400u
#define ASQSZ_MIN 32u

/* ---- helpers ---------------------------------------------------------------------- */

static int get_log(struct nvsim_host *h, uint8_t lid, uint64_t lpo, void *buf, uint32_t len,
		   struct nvsim_host_status *st)
{
	struct nvsim_sqe sqe = { .opcode = nvme_admin_get_log_page };
	struct nvsim_sqe_get_log_page *g = (void *)&sqe;
	uint32_t numd = len / 4 - 1;

	g->lid = lid;
	g->numdl = htole16((uint16_t)numd);
	g->numdu = htole16((uint16_t)(numd >> 16));
	g->lpo = htole64(lpo);
	return nvsim_hq_exec(nvsim_host_admin(h), &sqe, buf, len, NVSIM_DIR_C2H, st);
}

static const struct nvme_id_ctrl *id_of(struct nvsim_host *h)
{
	return nvsim_host_id_ctrl(h);
}

/* The whole Discovery log in one command, sized by a header read first. */
static struct nvmf_discovery_log *read_disc(struct conf_ctx *c, struct nvsim_host *h,
					    size_t *len)
{
	struct nvmf_discovery_log hdr, *log;
	struct nvsim_host_status st;
	uint64_t numrec;

	get_log(h, NVME_LOG_LID_DISCOVER, 0, &hdr, sizeof(hdr), &st);
	if (!CONF_EXPECT(c, "Get Log Page 70h, the header", &st, CONF_OK))
		return NULL;
	numrec = le64toh(hdr.numrec);
	if (!conf_check(c, numrec <= MAX_RECORDS, "NUMREC %llu is implausible",
			(unsigned long long)numrec))
		return NULL;
	*len = HDR_LEN + (size_t)numrec * REC_LEN;
	if (!(log = calloc(1, *len))) {
		conf_error(c, "out of memory");
		return NULL;
	}
	get_log(h, NVME_LOG_LID_DISCOVER, 0, log, (uint32_t)*len, &st);
	if (!CONF_EXPECT(c, "Get Log Page 70h, header and NUMREC records", &st, CONF_OK)) {
		free(log);
		return NULL;
	}
	if (!conf_check(c, log->numrec == hdr.numrec && log->genctr == hdr.genctr,
			"NUMREC or GENCTR changed between two reads with nothing changing")) {
		free(log);
		return NULL;
	}
	return log;
}

static uint64_t nrec(const struct nvmf_discovery_log *log)
{
	return le64toh(log->numrec);
}

/* A discovery host and its log; NULL (and the case decided) otherwise. */
static struct nvmf_discovery_log *open_disc(struct conf_ctx *c, struct nvsim_host **h,
					    size_t *len)
{
	*h = conf_connect_discovery(c);
	return *h ? read_disc(c, *h, len) : NULL;
}

/* A string field of a record, NUL- or space-padded, equal to want. */
static bool field_eq(const char *field, size_t size, const char *want)
{
	size_t n = strnlen(field, size);

	while (n && field[n - 1] == ' ')
		n--;
	return n == strlen(want) && !memcmp(field, want, n);
}

static const struct nvmf_disc_log_entry *find_nqn(const struct nvmf_discovery_log *log,
						  const char *nqn, uint8_t subtype)
{
	for (uint64_t i = 0; i < nrec(log); i++)
		if (log->entries[i].subtype == subtype &&
		    field_eq(log->entries[i].subnqn, sizeof(log->entries[i].subnqn), nqn))
			return &log->entries[i];
	return NULL;
}

static bool lpo_supported(struct conf_ctx *c, struct nvsim_host *h)
{
	if (id_of(h)->lpa & NVME_CTRL_LPA_EXTENDED)
		return true;
	conf_skip(c, "LPA bit 2 is clear: the controller does not take a log page offset");
	return false;
}

static void admin_cmd(struct nvsim_host *h, struct nvsim_sqe *sqe, void *buf, size_t len,
		      struct nvsim_host_status *st)
{
	nvsim_hq_exec(nvsim_host_admin(h), sqe, buf, len, buf ? NVSIM_DIR_C2H : NVSIM_DIR_NONE,
		      st);
}

/* ---- the controller ------------------------------------------------------------------ */

static void connect_and_enable(struct conf_ctx *c)
{
	struct nvsim_host *h = conf_connect_discovery(c);

	/* conf_connect_discovery did Connect, CC.EN, CSTS.RDY and Identify. */
	if (h)
		conf_check(c, nvsim_host_cntlid(h) >= 1 && nvsim_host_cntlid(h) <= 0xffef,
			   "discovery CNTLID %#x outside 1h..FFEFh", nvsim_host_cntlid(h));
}

static void identify_cntrltype(struct conf_ctx *c)
{
	struct nvsim_host *h = conf_connect_discovery(c);
	struct nvsim_host_status st;
	uint64_t vs = 0;
	uint8_t type;

	if (!h)
		return;
	nvsim_host_prop_get(nvsim_host_admin(h), NVME_REG_VS, false, &vs, &st);
	if (!CONF_EXPECT(c, "Property Get VS", &st, CONF_OK))
		return;
	type = id_of(h)->cntrltype;
	/* CNTRLTYPE came with NVMe 1.4; before it the byte is reserved. */
	if (vs >= VS_1_4)
		conf_check(c, type == NVME_CTRL_CNTRLTYPE_DISCOVERY,
			   "CNTRLTYPE %u on a VS %#llx discovery controller; 2 expected", type,
			   (unsigned long long)vs);
	else
		conf_check(c, type == 0 || type == NVME_CTRL_CNTRLTYPE_DISCOVERY,
			   "CNTRLTYPE %u on a VS %#llx discovery controller", type,
			   (unsigned long long)vs);
}

static void identify_subnqn(struct conf_ctx *c)
{
	struct nvsim_host *h = conf_connect_discovery(c);

	if (h)
		conf_check(c,
			   field_eq(id_of(h)->subnqn, sizeof(id_of(h)->subnqn),
				    conf_discovery_nqn(c)),
			   "Identify SUBNQN '%.256s' is not the discovery NQN '%s'",
			   id_of(h)->subnqn, conf_discovery_nqn(c));
}

static void identify_other_cns(struct conf_ctx *c, uint8_t cns, uint32_t nsid)
{
	struct nvsim_host *h = conf_connect_discovery(c);
	struct nvsim_sqe sqe = { .opcode = nvme_admin_identify, .nsid = htole32(nsid),
				 .cdw10 = htole32(cns) };
	struct nvsim_host_status st;
	uint8_t *buf = calloc(1, NVME_IDENTIFY_DATA_SIZE);
	char what[80];

	if (!buf) {
		conf_error(c, "out of memory");
		return;
	}
	if (h) {
		snprintf(what, sizeof(what), "discovery Identify CNS %02xh, NSID %u", cns, nsid);
		admin_cmd(h, &sqe, buf, NVME_IDENTIFY_DATA_SIZE, &st);
		CONF_EXPECT(c, what, &st, CONF_STATUS(0, 0x02),
			    CONF_KNOWN(0, 0x01, "Linux nvmet before 2021 (commit 79695dcd9ad4)"));
	}
	free(buf);
}

static void identify_ns_list(struct conf_ctx *c)
{
	identify_other_cns(c, NVME_IDENTIFY_CNS_NS_ACTIVE_LIST, 0);
}

static void identify_ns(struct conf_ctx *c)
{
	identify_other_cns(c, NVME_IDENTIFY_CNS_NS, 1);
}

/* ---- the Discovery log ---------------------------------------------------------------- */

static void log_header(struct conf_ctx *c)
{
	struct nvsim_host *h;
	size_t len;
	struct nvmf_discovery_log *log = open_disc(c, &h, &len);

	if (!log)
		return;
	conf_check(c, le16toh(log->recfmt) == 0, "RECFMT %u; 0 expected", le16toh(log->recfmt));
	conf_check(c, nrec(log) >= 1, "NUMREC is 0, yet %s is served on this port",
		   conf_subnqn(c));
	free(log);
}

static void log_lists_subsystem(struct conf_ctx *c)
{
	struct nvsim_host *h;
	size_t len;
	struct nvmf_discovery_log *log = open_disc(c, &h, &len);
	const struct nvmf_disc_log_entry *e;

	if (!log)
		return;
	e = find_nqn(log, conf_subnqn(c), NVME_NQN_NVME);
	if (conf_check(c, e, "no NVM subsystem record (SUBTYPE 2) for %s", conf_subnqn(c))) {
		conf_check(c, e->trtype == NVMF_TRTYPE_RDMA, "TRTYPE %u; 1 (RDMA) expected",
			   e->trtype);
		conf_check(c, le16toh(e->cntlid) == 0xffff,
			   "CNTLID %#x; FFFFh (dynamic controller model) expected",
			   le16toh(e->cntlid));
		conf_check(c, le16toh(e->asqsz) >= ASQSZ_MIN, "ASQSZ %u, below 32",
			   le16toh(e->asqsz));
	}
	free(log);
}

static void log_names_our_port(struct conf_ctx *c)
{
	const char *addr = conf_target_of(c)->addr, *port = strrchr(addr, ':');
	struct nvsim_host *h;
	size_t len;
	struct nvmf_discovery_log *log = open_disc(c, &h, &len);
	bool found = false;

	if (!log)
		return;
	/* Our own address may be a name the target cannot know (the
	 * in-process fake); the service ID must match all the same. */
	for (uint64_t i = 0; port && i < nrec(log); i++) {
		const struct nvmf_disc_log_entry *e = &log->entries[i];

		if (e->subtype == NVME_NQN_NVME &&
		    field_eq(e->subnqn, sizeof(e->subnqn), conf_subnqn(c)) &&
		    field_eq(e->trsvcid, sizeof(e->trsvcid), port + 1))
			found = true;
	}
	conf_check(c, found, "no record of %s carries TRSVCID '%s', the port we came through",
		   conf_subnqn(c), port ? port + 1 : "?");
	free(log);
}

static void log_rdma_tsas(struct conf_ctx *c)
{
	struct nvsim_host *h;
	size_t len;
	struct nvmf_discovery_log *log = open_disc(c, &h, &len);

	if (!log)
		return;
	for (uint64_t i = 0; i < nrec(log); i++) {
		const struct nvmf_disc_log_entry *e = &log->entries[i];

		if (e->trtype != NVMF_TRTYPE_RDMA)
			continue;
		if (!conf_check(c, e->tsas.rdma.qptype == NVMF_RDMA_QPTYPE_CONNECTED,
				"record %llu: RDMA QPTYPE %u; 1 (reliable connected) expected",
				(unsigned long long)i, e->tsas.rdma.qptype) ||
		    !conf_check(c, e->tsas.rdma.cms == NVMF_RDMA_CMS_RDMA_CM,
				"record %llu: RDMA CMS %u; 1 (RDMA_CM) expected",
				(unsigned long long)i, e->tsas.rdma.cms))
			break;
	}
	free(log);
}

static void log_records_well_formed(struct conf_ctx *c)
{
	struct nvsim_host *h;
	size_t len;
	struct nvmf_discovery_log *log = open_disc(c, &h, &len);

	if (!log)
		return;
	for (uint64_t i = 0; i < nrec(log); i++) {
		const struct nvmf_disc_log_entry *e = &log->entries[i];
		size_t n = strnlen(e->subnqn, sizeof(e->subnqn));
		unsigned long long k = (unsigned long long)i;

		if (!conf_check(c, e->subtype >= NVME_NQN_DISC && e->subtype <= NVME_NQN_CURR,
				"record %llu: SUBTYPE %u is reserved", k, e->subtype) ||
		    !conf_check(c, n > 0 && n < sizeof(e->subnqn),
				"record %llu: SUBNQN empty or not NUL-terminated", k) ||
		    !conf_check(c, !strncmp(e->subnqn, "nqn.", 4),
				"record %llu: SUBNQN '%.*s' does not start with 'nqn.'", k, (int)n,
				e->subnqn) ||
		    !conf_check(c, le16toh(e->asqsz) >= ASQSZ_MIN,
				"record %llu: ASQSZ %u, below 32", k, le16toh(e->asqsz)) ||
		    !conf_check(c, e->trtype != NVMF_TRTYPE_UNSPECIFIED,
				"record %llu: TRTYPE 0 (not indicated)", k))
			break;
	}
	free(log);
}

static void log_filters_hosts(struct conf_ctx *c)
{
	const char *private_nqn = conf_refusing_subnqn(c);
	struct nvsim_host *h;
	size_t len;
	struct nvmf_discovery_log *log;

	if (!private_nqn) {
		conf_skip(c, "no subsystem refusing our host was named");
		return;
	}
	if (!(log = open_disc(c, &h, &len)))
		return;
	for (uint64_t i = 0; i < nrec(log); i++)
		if (!conf_check(c, !field_eq(log->entries[i].subnqn,
					     sizeof(log->entries[i].subnqn), private_nqn),
				"record %llu lists %s, which refuses our host",
				(unsigned long long)i, private_nqn))
			break;
	free(log);
}

static void log_lists_referral(struct conf_ctx *c)
{
	struct nvsim_host *h;
	size_t len;
	struct nvmf_discovery_log *log = open_disc(c, &h, &len);
	const struct nvmf_disc_log_entry *e;

	if (!log)
		return;
	e = find_nqn(log, NVME_DISC_SUBSYS_NAME, NVME_NQN_DISC);
	if (conf_check(c, e, "no referral record (SUBTYPE 1, SUBNQN %s)", NVME_DISC_SUBSYS_NAME))
		conf_check(c, le16toh(e->cntlid) == 0xffff,
			   "referral CNTLID %#x; FFFFh (dynamic) expected", le16toh(e->cntlid));
	free(log);
}

/* ---- reading it in parts -------------------------------------------------------------- */

static void log_in_pieces(struct conf_ctx *c)
{
	struct nvsim_host *h;
	size_t len;
	struct nvmf_discovery_log *log = open_disc(c, &h, &len);
	struct nvsim_host_status st;
	uint8_t *pieces;
	char what[64];

	if (!log || !lpo_supported(c, h)) {
		free(log);
		return;
	}
	if (!(pieces = calloc(1, len))) {
		free(log);
		conf_error(c, "out of memory");
		return;
	}
	for (size_t off = 0; off < len; off += REC_LEN) {
		snprintf(what, sizeof(what), "Get Log Page 70h, 1 KiB at LPO %zu", off);
		get_log(h, NVME_LOG_LID_DISCOVER, off, pieces + off, REC_LEN, &st);
		if (!CONF_EXPECT(c, what, &st, CONF_OK))
			break;
	}
	if (nvsim_host_ok(&st))
		conf_check(c, !memcmp(pieces, log, len),
			   "the log read in 1 KiB pieces differs from the log read whole");
	free(pieces);
	free(log);
}

/* LPO against the Discovery log's size.  NVMe Base 2.1 Figure 199, LPOL
 * c): an offset "greater than the size of the log page requested" is
 * aborted with Invalid Field in Command; an offset equal to the size is not
 * greater, and is served.  Linux nvmet's missing upper bound here was a
 * remote kernel memory read open to any host (catalogue §3.4). */
static const struct lpo_row {
	uint64_t past; /* bytes past the log's end */
	bool refused;
	const char *what;
} lpo_rows[] = {
	{ REC_LEN, true, "Get Log Page 70h, 1 KiB past its end" },
	/* the smallest offset refused, where an off-by-one in the bound shows */
	{ 4, true, "Get Log Page 70h one dword past its end" },
	/* far past: a target adding LPO to a buffer address must not wrap */
	{ 1ull << 40, true, "Get Log Page 70h at LPO 1 TiB past its end" },
	/* the largest offset served: a bound written as >= refuses it */
	{ 0, false, "Get Log Page 70h at LPO = the log's size" },
};

static void lpo_bound(struct conf_ctx *c)
{
	const struct lpo_row *r = conf_row(c);
	struct nvsim_host *h;
	size_t len;
	struct nvmf_discovery_log *log = open_disc(c, &h, &len);
	struct nvsim_host_status st;
	uint8_t buf[REC_LEN];

	if (log && lpo_supported(c, h)) {
		get_log(h, NVME_LOG_LID_DISCOVER, len + r->past, buf, sizeof(buf), &st);
		if (r->refused)
			CONF_EXPECT(c, r->what, &st, CONF_STATUS(0, 0x02),
				    CONF_KNOWN(0, 0, "Linux nvmet without the discovery-log LPO "
						     "bound (catalogue §3.4)"));
		else
			CONF_EXPECT(c, r->what, &st, CONF_OK);
	}
	free(log);
}


/* NVMe Base 2.1 Figure 199 (Get Log Page CDW12, LPOL, byte offsets), b). */
#define LPO_BITS_IGNORED                                                                     \
	"NVMe Base 2.1 Figure 199, LPOL b): \"The controller is not required to check that "   \
	"bits 1:0 are cleared to 00b\"; if it reports no error it \"shall operate as if bits "  \
	"1:0 are cleared to 00b\""

static void lpo_unaligned(struct conf_ctx *c)
{
	struct nvsim_host *h;
	size_t len;
	struct nvmf_discovery_log *log = open_disc(c, &h, &len);
	struct nvsim_host_status st;
	uint8_t part[HDR_LEN - 4];

	if (log && lpo_supported(c, h)) {
		get_log(h, NVME_LOG_LID_DISCOVER, 2, part, sizeof(part), &st);
		if (CONF_EXPECT(c, "Get Log Page 70h at LPO 2", &st, CONF_STATUS(0, 0x02),
				CONF_PERMIT_OK(LPO_BITS_IGNORED)) &&
		    nvsim_host_ok(&st))
			conf_check(c, !memcmp(part, log, sizeof(part)),
				   "LPO 2 accepted but the data is not the log from offset 0");
	}
	free(log);
}

static void numd_past_end(struct conf_ctx *c)
{
	struct nvsim_host *h;
	size_t len;
	struct nvmf_discovery_log *log = open_disc(c, &h, &len);
	struct nvsim_host_status st;
	uint8_t *longer;

	if (!log)
		return;
	if ((longer = calloc(1, len + REC_LEN))) {
		get_log(h, NVME_LOG_LID_DISCOVER, 0, longer, (uint32_t)(len + REC_LEN), &st);
		if (CONF_EXPECT(c, "Get Log Page 70h, 1 KiB longer than the log", &st, CONF_OK))
			conf_check(c, !memcmp(longer, log, len),
				   "a longer read does not start with the log");
		free(longer);
	} else {
		conf_error(c, "out of memory");
	}
	free(log);
}

static void genctr_stable(struct conf_ctx *c)
{
	struct nvsim_host *h;
	size_t len, len2;
	struct nvmf_discovery_log *a = open_disc(c, &h, &len), *b = NULL;

	if (a && (b = read_disc(c, h, &len2)))
		conf_check(c, a->genctr == b->genctr && len == len2 && !memcmp(a, b, len),
			   "two reads with nothing changing differ (GENCTR %llu then %llu)",
			   (unsigned long long)le64toh(a->genctr),
			   (unsigned long long)le64toh(b->genctr));
	free(a);
	free(b);
}

static void header_alone(struct conf_ctx *c)
{
	struct nvsim_host *h;
	size_t len;
	struct nvmf_discovery_log *log = open_disc(c, &h, &len);
	struct nvsim_host_status st;
	uint8_t head[20]; /* GENCTR, NUMREC, RECFMT and padding to a dword */

	if (!log)
		return;
	get_log(h, NVME_LOG_LID_DISCOVER, 0, head, sizeof(head), &st);
	if (CONF_EXPECT(c, "Get Log Page 70h, the first 20 bytes", &st, CONF_OK))
		conf_check(c, !memcmp(head, log, sizeof(head)),
			   "a 20-byte header read disagrees with the whole log");
	free(log);
}

static void host_helper_agrees(struct conf_ctx *c)
{
	struct nvsim_host *h;
	size_t len, hlen = 0;
	struct nvmf_discovery_log *log = open_disc(c, &h, &len);
	struct nvsim_host_status st;
	void *mine = NULL;
	char msg[200];

	if (!log)
		return;
	if (nvsim_host_discovery_log(h, &mine, &hlen, &st))
		conf_check(c, false, "the host's discovery log reader failed: %s",
			   nvsim_host_status_str(&st, false, msg, sizeof(msg)));
	else
		conf_check(c, hlen == len && !memcmp(mine, log, len),
			   "the host's reader (GENCTR re-read) got %zu bytes unlike the %zu read "
			   "here",
			   hlen, len);
	free(mine);
	free(log);
}

/* ---- what a discovery controller refuses ---------------------------------------------- */

static void other_lid_refused(struct conf_ctx *c)
{
	struct nvsim_host *h = conf_connect_discovery(c);
	struct nvsim_host_status st;
	uint8_t buf[512];

	if (!h)
		return;
	get_log(h, NVME_LOG_LID_SMART, 0, buf, sizeof(buf), &st);
	CONF_EXPECT(c, "discovery Get Log Page 02h (SMART)", &st, CONF_STATUS(0, 0x02),
		    CONF_STATUS(1, NVME_SC_INVALID_LOG_PAGE),
		    CONF_KNOWN(0, 0x01, "Linux nvmet before 2021 (Invalid Opcode for LID "
					"other than 70h)"));
}

static void opcode_refused(struct conf_ctx *c, uint8_t opcode, const char *what)
{
	struct nvsim_host *h = conf_connect_discovery(c);
	struct nvsim_sqe sqe = { .opcode = opcode };
	struct nvsim_host_status st;

	if (!h)
		return;
	admin_cmd(h, &sqe, NULL, 0, &st);
	CONF_EXPECT(c, what, &st, CONF_STATUS(0, 0x01));
}

static void abort_refused(struct conf_ctx *c)
{
	opcode_refused(c, nvme_admin_abort_cmd, "Abort on a discovery controller");
}

static void create_cq_refused(struct conf_ctx *c)
{
	opcode_refused(c, nvme_admin_create_cq, "Create I/O CQ on a discovery controller");
}

static void set_num_queues_refused(struct conf_ctx *c)
{
	struct nvsim_host *h = conf_connect_discovery(c);
	struct nvsim_sqe sqe = { .opcode = nvme_admin_set_features,
				 .cdw10 = htole32(NVME_FEAT_FID_NUM_QUEUES) };
	struct nvsim_host_status st;

	if (!h)
		return;
	/* Only Keep Alive Timer and Asynchronous Event Configuration exist on
	 * a discovery controller (nvmet and SPDK agree). */
	admin_cmd(h, &sqe, NULL, 0, &st);
	CONF_EXPECT(c, "discovery Set Features Number of Queues", &st, CONF_STATUS(0, 0x02));
}

static void get_kato_answers(struct conf_ctx *c)
{
	struct nvsim_host *h = conf_connect_discovery(c);
	struct nvsim_sqe sqe = { .opcode = nvme_admin_get_features,
				 .cdw10 = htole32(NVME_FEAT_FID_KATO) };
	struct nvsim_host_status st;
	struct conf_connect_args a;

	if (!h)
		return;
	conf_connect_args(c, 0, &a);
	admin_cmd(h, &sqe, NULL, 0, &st);
	if (CONF_EXPECT(c, "discovery Get Features Keep Alive Timer", &st, CONF_OK) && a.kato)
		conf_check(c, le32toh(st.cqe.dw0) >= a.kato,
			   "KATO reads %u ms after Connect asked for %u ms (rounding may only go "
			   "up)",
			   le32toh(st.cqe.dw0), a.kato);
}

static void io_controller_has_no_disc_log(struct conf_ctx *c)
{
	struct nvsim_host *h = conf_connect(c, conf_subnqn(c), 0);
	struct nvsim_host_status st;
	uint8_t buf[HDR_LEN];

	if (!h)
		return;
	get_log(h, NVME_LOG_LID_DISCOVER, 0, buf, sizeof(buf), &st);
	CONF_EXPECT(c, "Get Log Page 70h on an I/O controller", &st, CONF_STATUS(0, 0x02),
		    CONF_STATUS(1, NVME_SC_INVALID_LOG_PAGE));
}

#define CASE(id, title, spec, level, feats, fn) { id, title, spec, level, feats, fn, NULL }
#define CASE_ROW(id, title, spec, level, feats, fn, row)                                    \
	{ id, title, spec, level, feats, fn, row }
#define D CONF_F_DISCOVERY
#define DISC "NVMe-oF 1.1 §5 (approx.)"
#define DLOG "NVMe Base 2.0 §5.16.1.23 (approx.)"
#define GLP "NVMe Base 2.0 §5.16 (approx.)"
#define LPO_SPEC GLP ", NVMe Base 2.1 Figure 199 (LPOL)"

static const struct conf_case discovery_cases[] = {
	CASE("discovery.1.1", "a host connects to and enables a discovery controller", DISC,
	     CONF_MANDATORY, D, connect_and_enable),
	CASE("discovery.1.2", "Identify reports CNTRLTYPE 2 (discovery) from NVMe 1.4 on",
	     "NVMe Base 2.0 §5.17.2.1 (approx.)", CONF_MANDATORY, D, identify_cntrltype),
	CASE("discovery.1.3", "Identify SUBNQN is the discovery NQN", DISC, CONF_MANDATORY, D,
	     identify_subnqn),
	CASE("discovery.1.4", "Identify CNS 02h on a discovery controller is Invalid Field", DISC,
	     CONF_MANDATORY, D, identify_ns_list),
	CASE("discovery.1.5", "Identify CNS 00h on a discovery controller is Invalid Field", DISC,
	     CONF_MANDATORY, D, identify_ns),
	CASE("discovery.2.1", "the log header has RECFMT 0 and at least one record", DLOG,
	     CONF_MANDATORY, D, log_header),
	CASE("discovery.2.2", "the subsystem under test is listed: RDMA, CNTLID FFFFh, ASQSZ >= 32",
	     DLOG, CONF_MANDATORY, D, log_lists_subsystem),
	CASE("discovery.2.3", "the subsystem's record carries the TRSVCID we came through", DLOG,
	     CONF_MANDATORY, D, log_names_our_port),
	CASE("discovery.2.4", "RDMA records say reliable connected QPs and RDMA_CM",
	     DLOG ", NVMe-oF 1.1 §7.4 (approx.)", CONF_MANDATORY, D, log_rdma_tsas),
	CASE("discovery.2.5", "every record has a defined SUBTYPE, an NQN, ASQSZ >= 32, a TRTYPE",
	     DLOG, CONF_MANDATORY, D, log_records_well_formed),
	CASE("discovery.2.6", "a subsystem refusing our host is not listed to us", DLOG,
	     CONF_MANDATORY, D | CONF_F_HOST_FILTER, log_filters_hosts),
	CASE("discovery.2.7", "a referral is listed with SUBTYPE 1 and the discovery NQN", DLOG,
	     CONF_MANDATORY, D | CONF_F_REFERRALS, log_lists_referral),
	CASE("discovery.3.1", "the log read in 1 KiB pieces by LPO equals the whole read",
	     DLOG ", " GLP, CONF_MANDATORY, D, log_in_pieces),
	CASE_ROW("discovery.3.2", "LPO past the end of the log is Invalid Field", LPO_SPEC,
	     CONF_MANDATORY, D, lpo_bound, &lpo_rows[0]),
	CASE_ROW("discovery.3.3", "LPO one dword past the log is Invalid Field", LPO_SPEC,
	     CONF_MANDATORY, D, lpo_bound, &lpo_rows[1]),
	CASE_ROW("discovery.3.4", "LPO far past the end (1 TiB) is Invalid Field", LPO_SPEC,
	     CONF_MANDATORY, D, lpo_bound, &lpo_rows[2]),
	CASE("discovery.3.5", "LPO not dword aligned: Invalid Field, or bits 1:0 ignored", LPO_SPEC,
	     CONF_MANDATORY, D, lpo_unaligned),
	CASE("discovery.3.6", "NUMD past the end of the log is served", GLP, CONF_MANDATORY, D,
	     numd_past_end),
	CASE("discovery.3.7", "two reads with nothing changing are identical (GENCTR stable)",
	     DLOG, CONF_MANDATORY, D, genctr_stable),
	CASE("discovery.3.8", "a 20-byte header read agrees with the whole log", DLOG,
	     CONF_MANDATORY, D, header_alone),
	CASE("discovery.3.9", "the host's GENCTR-checking reader gets the same log", DLOG,
	     CONF_MANDATORY, D, host_helper_agrees),
	CASE_ROW("discovery.3.10", "LPO equal to the log's size is served (only greater is refused)",
	     LPO_SPEC, CONF_OPTIONAL, D, lpo_bound, &lpo_rows[3]),
	CASE("discovery.4.1", "Get Log Page for SMART on a discovery controller is refused", DISC,
	     CONF_MANDATORY, D, other_lid_refused),
	CASE("discovery.4.2", "Abort on a discovery controller is Invalid Opcode", DISC,
	     CONF_MANDATORY, D, abort_refused),
	CASE("discovery.4.3", "Create I/O CQ on a discovery controller is Invalid Opcode", DISC,
	     CONF_MANDATORY, D, create_cq_refused),
	CASE("discovery.4.4", "Set Features Number of Queues on a discovery controller is refused",
	     DISC, CONF_MANDATORY, D, set_num_queues_refused),
	CASE("discovery.4.5", "Get Features Keep Alive Timer answers on a discovery controller",
	     DISC ", NVMe Base 2.0 §5.27.1.12 (approx.)", CONF_MANDATORY, D, get_kato_answers),
	CASE("discovery.4.6", "Get Log Page 70h on an I/O controller is refused", DLOG,
	     CONF_MANDATORY, 0, io_controller_has_no_disc_log),
};

const struct conf_group conf_group_discovery = {
	"discovery", discovery_cases, sizeof(discovery_cases) / sizeof(discovery_cases[0])
};
