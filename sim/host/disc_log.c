/* The Discovery log as the host checks and prints it (disc_log.h). */
#include "host/disc_log.h"

#include <endian.h>
#include <errno.h>
#include <json-c/json.h>
#include <nvme/fabrics.h>
#include <nvme/types.h>
#include <stdint.h>
#include <string.h>


/* Discovery strings are fixed fields, space or NUL padded, never trusted
 * to hold a NUL. */
static void field_str(char *dst, size_t dst_len, const char *src, size_t src_len)
{
	size_t n = strnlen(src, src_len);

	while (n && src[n - 1] == ' ')
		n--;
	if (n >= dst_len)
		n = dst_len - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

struct rec_text {
	char trsvcid[NVMF_TRSVCID_SIZE + 1];
	char traddr[NVMF_TRADDR_SIZE + 1];
	char subnqn[NVME_NQN_LENGTH + 1];
};

static void rec_text_of(struct rec_text *t, const struct nvmf_disc_log_entry *e)
{
	field_str(t->trsvcid, sizeof(t->trsvcid), e->trsvcid, sizeof(e->trsvcid));
	field_str(t->traddr, sizeof(t->traddr), e->traddr, sizeof(e->traddr));
	field_str(t->subnqn, sizeof(t->subnqn), e->subnqn, sizeof(e->subnqn));
}

static bool known_trtype(uint8_t t)
{
	return t == NVMF_TRTYPE_RDMA || t == NVMF_TRTYPE_FC || t == NVMF_TRTYPE_TCP ||
	       t == NVMF_TRTYPE_LOOP;
}

static bool known_adrfam(uint8_t a)
{
	return a == NVMF_ADDR_FAMILY_PCI || a == NVMF_ADDR_FAMILY_IP4 ||
	       a == NVMF_ADDR_FAMILY_IP6 || a == NVMF_ADDR_FAMILY_IB ||
	       a == NVMF_ADDR_FAMILY_FC || a == NVMF_ADDR_FAMILY_LOOP;
}

/* Printable ASCII up to a NUL or the end; padding spaces allowed. */
static bool printable(const char *f, size_t len, bool may_be_empty)
{
	size_t n = strnlen(f, len);

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)f[i] < 0x20 || (unsigned char)f[i] > 0x7e)
			return false;
	return may_be_empty || (n && f[0] != ' ');
}

unsigned int nvsim_disc_record_flaws(const uint8_t *rec)
{
	struct nvmf_disc_log_entry e;
	unsigned int flaws = 0;
	bool zero = true;

	for (size_t i = 0; i < NVSIM_DISC_LOG_REC_LEN && zero; i++)
		zero = !rec[i];
	if (zero)
		return NVSIM_DISC_ZERO;
	memcpy(&e, rec, sizeof(e));
	if (!known_trtype(e.trtype))
		flaws |= NVSIM_DISC_TRTYPE;
	if (!known_adrfam(e.adrfam))
		flaws |= NVSIM_DISC_ADRFAM;
	/* NUL-terminated, printable, not empty; its syntax is not judged here,
	 * since Linux nvmet serves any name ("testnqn") and hosts connect to it */
	if (strnlen(e.subnqn, sizeof(e.subnqn)) == sizeof(e.subnqn) ||
	    !printable(e.subnqn, sizeof(e.subnqn), false))
		flaws |= NVSIM_DISC_SUBNQN;
	if (!printable(e.traddr, sizeof(e.traddr), false))
		flaws |= NVSIM_DISC_TRADDR;
	if (!printable(e.trsvcid, sizeof(e.trsvcid), true))
		flaws |= NVSIM_DISC_TRSVCID;
	return flaws;
}

const char *nvsim_disc_flaws_str(unsigned int flaws, const uint8_t *rec, char *buf, size_t len)
{
	struct nvmf_disc_log_entry e;
	size_t off = 0;

	memcpy(&e, rec, sizeof(e));
	buf[0] = 0;
#define ADD(...)                                                                             \
	do {                                                                                 \
		int w_ = snprintf(buf + off, off < len ? len - off : 0, __VA_ARGS__);        \
		off += w_ > 0 ? (size_t)w_ : 0;                                              \
	} while (0)
	if (flaws & NVSIM_DISC_ZERO)
		ADD("all zeros: nothing was written there");
	if (flaws & NVSIM_DISC_TRTYPE)
		ADD("%sunknown TRTYPE %u", off ? ", " : "", e.trtype);
	if (flaws & NVSIM_DISC_ADRFAM)
		ADD("%sunknown ADRFAM %u", off ? ", " : "", e.adrfam);
	if (flaws & NVSIM_DISC_SUBNQN)
		ADD("%sSUBNQN empty, unterminated or not printable", off ? ", " : "");
	if (flaws & NVSIM_DISC_TRADDR)
		ADD("%sTRADDR empty or not printable", off ? ", " : "");
	if (flaws & NVSIM_DISC_TRSVCID)
		ADD("%sTRSVCID not printable", off ? ", " : "");
#undef ADD
	return buf;
}

static void print_normal_rec(FILE *out, uint64_t i, const struct nvmf_disc_log_entry *e)
{
	struct rec_text t;

	rec_text_of(&t, e);
	fprintf(out, "=====Discovery Log Entry %llu======\n", (unsigned long long)i);
	fprintf(out, "trtype:  %s\n", nvmf_trtype_str(e->trtype));
	fprintf(out, "adrfam:  %s\n", nvmf_adrfam_str(e->adrfam));
	fprintf(out, "subtype: %s\n", nvmf_subtype_str(e->subtype));
	fprintf(out, "treq:    %s\n", nvmf_treq_str(e->treq));
	fprintf(out, "portid:  %u\n", le16toh(e->portid));
	fprintf(out, "trsvcid: %s\n", t.trsvcid);
	fprintf(out, "subnqn:  %s\n", t.subnqn);
	fprintf(out, "traddr:  %s\n", t.traddr);
	fprintf(out, "eflags:  %s\n", nvmf_eflags_str(le16toh(e->eflags)));
	if (e->trtype == NVMF_TRTYPE_RDMA) {
		fprintf(out, "rdma_prtype: %s\n", nvmf_prtype_str(e->tsas.rdma.prtype));
		fprintf(out, "rdma_qptype: %s\n", nvmf_qptype_str(e->tsas.rdma.qptype));
		fprintf(out, "rdma_cms:    %s\n", nvmf_cms_str(e->tsas.rdma.cms));
		fprintf(out, "rdma_pkey: 0x%04x\n", le16toh(e->tsas.rdma.pkey));
	}
}

static void add_str(struct json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, json_object_new_string(val));
}

static struct json_object *json_rec(const struct nvmf_disc_log_entry *e)
{
	struct json_object *r = json_object_new_object();
	struct rec_text t;

	rec_text_of(&t, e);
	add_str(r, "trtype", nvmf_trtype_str(e->trtype));
	add_str(r, "adrfam", nvmf_adrfam_str(e->adrfam));
	add_str(r, "subtype", nvmf_subtype_str(e->subtype));
	add_str(r, "treq", nvmf_treq_str(e->treq));
	json_object_object_add(r, "portid", json_object_new_int(le16toh(e->portid)));
	add_str(r, "trsvcid", t.trsvcid);
	add_str(r, "subnqn", t.subnqn);
	add_str(r, "traddr", t.traddr);
	add_str(r, "eflags", nvmf_eflags_str(le16toh(e->eflags)));
	if (e->trtype == NVMF_TRTYPE_RDMA) {
		add_str(r, "rdma_prtype", nvmf_prtype_str(e->tsas.rdma.prtype));
		add_str(r, "rdma_qptype", nvmf_qptype_str(e->tsas.rdma.qptype));
		add_str(r, "rdma_cms", nvmf_cms_str(e->tsas.rdma.cms));
		json_object_object_add(r, "rdma_pkey",
				       json_object_new_int(le16toh(e->tsas.rdma.pkey)));
	}
	return r;
}

long nvsim_disc_log_print(FILE *out, const void *log, size_t len, bool json,
			  struct nvsim_disc_summary *sum)
{
	const uint8_t *bytes = log;
	struct json_object *root = NULL, *records = NULL;
	struct nvsim_disc_summary s = { 0 };
	uint64_t genctr, numrec, n;

	if (len < NVSIM_DISC_LOG_HDR_LEN)
		return -EINVAL;
	/* Wire bytes at any alignment: copy, never cast. */
	memcpy(&genctr, bytes + offsetof(struct nvmf_discovery_log, genctr), sizeof(genctr));
	memcpy(&numrec, bytes + offsetof(struct nvmf_discovery_log, numrec), sizeof(numrec));
	genctr = le64toh(genctr);
	s.numrec = le64toh(numrec);
	n = (len - NVSIM_DISC_LOG_HDR_LEN) / NVSIM_DISC_LOG_REC_LEN;
	if (s.numrec < n)
		n = s.numrec;
	s.present = n;
	if (json) {
		root = json_object_new_object();
		records = json_object_new_array();
		json_object_object_add(root, "genctr", json_object_new_uint64(genctr));
	} else {
		fprintf(out, "\nDiscovery Log Number of Records %llu, Generation counter %llu\n",
			(unsigned long long)n, (unsigned long long)genctr);
	}
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *rec = bytes + NVSIM_DISC_LOG_HDR_LEN + i * NVSIM_DISC_LOG_REC_LEN;
		unsigned int flaws = nvsim_disc_record_flaws(rec);
		struct nvmf_disc_log_entry e;
		char why[256];

		if (flaws) {
			nvsim_disc_flaws_str(flaws, rec, why, sizeof(why));
			if (json) {
				struct json_object *r = json_object_new_object();

				add_str(r, "invalid", why);
				json_object_array_add(records, r);
			} else {
				fprintf(out, "=====Discovery Log Entry %llu====== not a valid record: "
					     "%s\n", (unsigned long long)i, why);
			}
			continue;
		}
		s.valid++;
		memcpy(&e, rec, sizeof(e));
		if (json)
			json_object_array_add(records, json_rec(&e));
		else
			print_normal_rec(out, i, &e);
	}
	if (json) {
		json_object_object_add(root, "records", records);
		fprintf(out, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY));
		json_object_put(root);
	}
	if (sum)
		*sum = s;
	return (long)n;
}
