/* A Discovery log consumer of our own, for the discovery_log_fuzzer: it
 * renders a log the way `nvmfsim discover` does (same bounds, same libnvme
 * decoders), into a caller's buffer instead of stdout.  sim/cli's printer is
 * static and writes to stdout; this is its fuzzable twin. */
#ifndef NVSIM_FUZZ_DISC_LOG_H
#define NVSIM_FUZZ_DISC_LOG_H

#include <stddef.h>
#include <stdint.h>

struct fz_disc_summary {
	uint64_t numrec;   /* what the header claims */
	uint64_t rendered; /* records that lie inside the buffer */
	uint64_t genctr;
	size_t text_len;   /* bytes written to out (without the NUL) */
};

/* Renders the log (len bytes: 1024-byte header, then 1024-byte records)
 * into out.  Only records wholly inside len are read, whatever NUMREC
 * says; out is always NUL terminated.  Returns 0, or -EINVAL when len is
 * shorter than the header. */
int fz_disc_log_render(const void *log, size_t len, char *out, size_t out_len,
		       struct fz_disc_summary *sum);

#endif
