/* Reading the Discovery log the way the spec asks: header, records, header
 * again; if GENCTR moved in between, the records may be torn and the whole
 * read starts over (NVMe Base 2.0 §5.16.1.23 (approx.); libnvme#645).  The
 * record count comes from the target: it is bounded before we allocate. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host/host_priv.h"

#define DISC_HDR 1024u
#define DISC_REC 1024u
#define DISC_MAX_RECORDS 4096u /* far more than any target lists; a bound, not a guess */
#define DISC_CHUNK (64u * 1024u)
#define DISC_RETRIES 10

static int read_range(struct nvsim_host *h, uint8_t *buf, uint64_t off, size_t len,
		      struct nvsim_host_status *st)
{
	while (len) {
		uint32_t n = len < DISC_CHUNK ? (uint32_t)len : DISC_CHUNK;
		int ret = nvsim_host_get_log(h, NVME_LOG_LID_DISCOVER, 0, off, buf, n, st);

		if (ret)
			return ret;
		buf += n;
		off += n;
		len -= n;
	}
	return 0;
}

int nvsim_host_discovery_log(struct nvsim_host *h, void **log, size_t *len,
			     struct nvsim_host_status *st)
{
	struct nvmf_discovery_log hdr, again;

	for (int attempt = 0; attempt < DISC_RETRIES; attempt++) {
		uint64_t numrec;
		size_t total;
		uint8_t *buf;
		int ret = read_range(h, (uint8_t *)&hdr, 0, sizeof(hdr), st);

		if (ret)
			return ret;
		numrec = le64toh(hdr.numrec);
		if (numrec > DISC_MAX_RECORDS)
			return st->err = -E2BIG;
		total = DISC_HDR + (size_t)numrec * DISC_REC;
		/* zeroed: a record the target did not write reads as zeros, never as
		 * whatever the heap held */
		buf = calloc(1, total);
		if (!buf)
			return st->err = -ENOMEM;
		memcpy(buf, &hdr, sizeof(hdr));
		ret = read_range(h, buf + DISC_HDR, DISC_HDR, total - DISC_HDR, st);
		if (!ret)
			ret = read_range(h, (uint8_t *)&again, 0, sizeof(again), st);
		if (ret) {
			free(buf);
			return ret;
		}
		if (again.genctr == hdr.genctr && again.numrec == hdr.numrec) {
			*log = buf;
			*len = total;
			return 0;
		}
		free(buf);
	}
	return st->err = -EAGAIN;
}
