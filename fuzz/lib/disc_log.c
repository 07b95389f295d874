/* The Discovery log rendered as `nvmfsim discover` prints it (disc_log.h). */
#include "disc_log.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <nvme/fabrics.h>
#include <nvme/types.h>

#define DISC_HDR 1024u
#define DISC_REC 1024u

struct out {
	char *buf;
	size_t len, used;
};

static void emit(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->used + 1 >= o->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->used += (size_t)n < o->len - o->used ? (size_t)n : o->len - o->used - 1;
}

/* Fixed fields, space or NUL padded, never trusted to hold a NUL. */
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

int fz_disc_log_render(const void *log, size_t len, char *out, size_t out_len,
		       struct fz_disc_summary *sum)
{
	struct out o = { out, out_len, 0 };
	uint64_t n;

	memset(sum, 0, sizeof(*sum));
	if (out_len)
		out[0] = 0;
	if (len < DISC_HDR)
		return -EINVAL;
	/* Wire bytes at any alignment: copy, never cast. */
	memcpy(&sum->genctr, (const uint8_t *)log + offsetof(struct nvmf_discovery_log, genctr), 8);
	memcpy(&sum->numrec, (const uint8_t *)log + offsetof(struct nvmf_discovery_log, numrec), 8);
	sum->genctr = le64toh(sum->genctr);
	sum->numrec = le64toh(sum->numrec);
	/* NUMREC is the target's word; the buffer length is ours. */
	n = (len - DISC_HDR) / DISC_REC;
	if (sum->numrec < n)
		n = sum->numrec;
	emit(&o, "Discovery Log Number of Records %llu, Generation counter %llu\n",
	     (unsigned long long)n, (unsigned long long)sum->genctr);
	for (uint64_t i = 0; i < n; i++) {
		struct nvmf_disc_log_entry entry, *e = &entry;
		char trsvcid[NVMF_TRSVCID_SIZE + 1], traddr[NVMF_TRADDR_SIZE + 1];
		char subnqn[NVME_NQN_LENGTH + 1];

		memcpy(&entry, (const uint8_t *)log + DISC_HDR + i * DISC_REC, sizeof(entry));
		field_str(trsvcid, sizeof(trsvcid), e->trsvcid, sizeof(e->trsvcid));
		field_str(traddr, sizeof(traddr), e->traddr, sizeof(e->traddr));
		field_str(subnqn, sizeof(subnqn), e->subnqn, sizeof(e->subnqn));
		emit(&o, "=====Discovery Log Entry %llu======\n", (unsigned long long)i);
		emit(&o, "trtype:  %s\nadrfam:  %s\nsubtype: %s\ntreq:    %s\n",
		     nvmf_trtype_str(e->trtype), nvmf_adrfam_str(e->adrfam),
		     nvmf_subtype_str(e->subtype), nvmf_treq_str(e->treq));
		emit(&o, "portid:  %u\ntrsvcid: %s\nsubnqn:  %s\ntraddr:  %s\neflags:  %s\n",
		     le16toh(e->portid), trsvcid, subnqn, traddr,
		     nvmf_eflags_str(le16toh(e->eflags)));
		if (e->trtype == NVMF_TRTYPE_RDMA)
			emit(&o, "rdma_prtype: %s\nrdma_qptype: %s\nrdma_cms:    %s\n"
				 "rdma_pkey: 0x%04x\n",
			     nvmf_prtype_str(e->tsas.rdma.prtype),
			     nvmf_qptype_str(e->tsas.rdma.qptype), nvmf_cms_str(e->tsas.rdma.cms),
			     le16toh(e->tsas.rdma.pkey));
		sum->rendered++;
	}
	sum->text_len = o.used;
	return 0;
}
