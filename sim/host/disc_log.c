/* The Discovery log as `nvmfsim discover` prints it (disc_log_print.h). */
#include "cli/disc_log_print.h"

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

long cli_disc_log_print(FILE *out, const void *log, size_t len, bool json)
{
	const uint8_t *bytes = log;
	struct json_object *root = NULL, *records = NULL;
	uint64_t genctr, numrec, n;

	if (len < CLI_DISC_LOG_HDR_LEN)
		return -EINVAL;
	/* Wire bytes at any alignment: copy, never cast. */
	memcpy(&genctr, bytes + offsetof(struct nvmf_discovery_log, genctr), sizeof(genctr));
	memcpy(&numrec, bytes + offsetof(struct nvmf_discovery_log, numrec), sizeof(numrec));
	genctr = le64toh(genctr);
	n = (len - CLI_DISC_LOG_HDR_LEN) / CLI_DISC_LOG_REC_LEN;
	if (le64toh(numrec) < n)
		n = le64toh(numrec);
	if (json) {
		root = json_object_new_object();
		records = json_object_new_array();
		json_object_object_add(root, "genctr", json_object_new_uint64(genctr));
	} else {
		fprintf(out, "\nDiscovery Log Number of Records %llu, Generation counter %llu\n",
			(unsigned long long)n, (unsigned long long)genctr);
	}
	for (uint64_t i = 0; i < n; i++) {
		struct nvmf_disc_log_entry e;

		memcpy(&e, bytes + CLI_DISC_LOG_HDR_LEN + i * CLI_DISC_LOG_REC_LEN, sizeof(e));
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
	return (long)n;
}
