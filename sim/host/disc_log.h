/* The Discovery log on the host side: checking what a target wrote, and
 * printing it as `nvmfsim discover` does.  Here, not in the CLI, so the
 * discovery_log fuzzer drives this very code without importing sim/cli. */
#ifndef NVSIM_HOST_DISC_LOG_H
#define NVSIM_HOST_DISC_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define NVSIM_DISC_LOG_HDR_LEN 1024u
#define NVSIM_DISC_LOG_REC_LEN 1024u

/* What is wrong with one record (0: nothing). */
enum nvsim_disc_flaw {
	NVSIM_DISC_ZERO = 1u << 0,	  /* all 1024 bytes zero: nothing was written there */
	NVSIM_DISC_TRTYPE = 1u << 1,	  /* an unknown transport type */
	NVSIM_DISC_ADRFAM = 1u << 2,	  /* an unknown address family */
	NVSIM_DISC_SUBNQN = 1u << 3,	  /* SUBNQN empty, unterminated or not printable */
	NVSIM_DISC_TRADDR = 1u << 4,	  /* TRADDR empty or not printable */
	NVSIM_DISC_TRSVCID = 1u << 5,	  /* TRSVCID not printable */
};

/* A record as 1024 wire bytes (any alignment). */
unsigned int nvsim_disc_record_flaws(const uint8_t *rec);
/* "all zeros", "unknown TRTYPE 9, SUBNQN not an NQN", ... into buf. */
const char *nvsim_disc_flaws_str(unsigned int flaws, const uint8_t *rec, char *buf, size_t len);

struct nvsim_disc_summary {
	uint64_t numrec;  /* what the header claims */
	uint64_t present; /* records the buffer holds, at most numrec */
	uint64_t valid;	  /* of those, records without a flaw */
};

/* Prints the log (len bytes: header, then records) as nvme-cli does, or
 * with nvme-cli's JSON keys.  A flawed record is shown as such (its fields
 * are not printed as if a target had written them).  Prints no record past
 * len nor past NUMREC.  Returns the records printed, or -EINVAL when len is
 * shorter than the header; sum (may be NULL) gets the counts. */
long nvsim_disc_log_print(FILE *out, const void *log, size_t len, bool json,
			  struct nvsim_disc_summary *sum);

#endif
