/* The Discovery log printer of `nvmfsim discover`, kept apart from the
 * command so the discovery_log fuzzer drives this very code. */
#ifndef NVSIM_CLI_DISC_LOG_PRINT_H
#define NVSIM_CLI_DISC_LOG_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CLI_DISC_LOG_HDR_LEN 1024u
#define CLI_DISC_LOG_REC_LEN 1024u

/* Prints the log (len bytes: header, then records) as nvme-cli does, or
 * with nvme-cli's JSON keys.  Prints no record past len nor past NUMREC:
 * NUMREC is the target's word, len is ours.  Returns the number of records
 * printed, or -EINVAL when len is shorter than the header. */
long cli_disc_log_print(FILE *out, const void *log, size_t len, bool json);

#endif
