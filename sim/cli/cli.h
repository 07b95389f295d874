/* Shared plumbing of the nvmfsim subcommands: nvme-cli style connection
 * options, the embedded simulator used when no address is given, and
 * output helpers. */
#ifndef NVSIM_CLI_CLI_H
#define NVSIM_CLI_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/embedded.h"
#include "host/host.h"

/* Exit status of every subcommand (cli_exit_help prints this table). */
#define CLI_EXIT_OK 0	 /* success */
#define CLI_EXIT_FAIL 1	 /* the run failed: target refused, verification failed, a FAIL */
#define CLI_EXIT_USAGE 2 /* a usage or input error: bad option, bad file, nothing matched */
#define CLI_EXIT_SKIP 77 /* test helpers only: a needed device is absent */

/* -a: the verbs layer keeps the host part in 64 bytes (sim/verbs). */
#define CLI_TRADDR_MAX 63

struct cli_conn_opts {
	const char *transport; /* -t: only "rdma" */
	const char *traddr;    /* -a: NULL = the embedded simulator */
	const char *trsvcid;   /* -s */
	const char *nqn;       /* -n */
	const char *hostnqn;   /* -q */
	const char *hostid;    /* -I */
	const char *provider;  /* --provider: fake | ibv */
	bool json;	       /* -o json */
	uint64_t seed;
	uint32_t kato_ms;
	uint32_t io_depth; /* I/O queue entries to ask for, at most 65536; 0: 128 */
	/* --inject: rules for the embedded simulator only */
	struct nvsim_inject_rule inject[8];
	unsigned int nr_inject;
};

/* A connected host, plus the embedded target when there is no address. */
struct cli_session {
	struct nvsim_embedded *embedded;
	struct nvsim_host *host;
};

void cli_conn_opts_init(struct cli_conn_opts *o);
/* Handles one of the shared options (getopt_long letter and optarg).
 * Returns 1 when handled, 0 when not one of them, -1 after printing an
 * error that names the option. */
int cli_conn_opt(struct cli_conn_opts *o, const char *prog, int opt, const char *arg);
/* getopt_long table entries and the help text for the shared options. */
#define CLI_CONN_SHORTOPTS "t:a:s:n:q:I:o:"
#define CLI_CONN_LONGOPTS                                                                    \
	{ "transport", required_argument, NULL, 't' },                                      \
		{ "traddr", required_argument, NULL, 'a' },                                 \
		{ "trsvcid", required_argument, NULL, 's' },                                \
		{ "nqn", required_argument, NULL, 'n' },                                    \
		{ "hostnqn", required_argument, NULL, 'q' },                                \
		{ "hostid", required_argument, NULL, 'I' },                                 \
		{ "output-format", required_argument, NULL, 'o' },                          \
		{ "provider", required_argument, NULL, 1001 },                              \
		{ "seed", required_argument, NULL, 1002 },                                  \
		{ "keep-alive-tmo", required_argument, NULL, 1003 },                        \
		{ "inject", required_argument, NULL, 1004 }
/* Ends with the exit-status table (cli_exit_help). */
void cli_conn_help(FILE *out);
void cli_exit_help(FILE *out);
/* Checks the shared options against each other once all are parsed (for
 * subcommands that honour them all as cli_session_open does): 0, or -1
 * after printing an error naming the options. */
int cli_conn_check(const struct cli_conn_opts *o, const char *prog);

/* Connects to subnqn (the discovery NQN when NULL) with nr_io I/O queues;
 * prints a one-line error naming what failed and returns -errno. */
int cli_session_open(const struct cli_conn_opts *o, const char *prog, const char *subnqn,
		     uint16_t nr_io, struct cli_session *s);
void cli_session_close(struct cli_session *s);

/* ---- local input: one parser per kind, each refusing rather than guessing ----
 * err (may be NULL) receives a message naming the offending text. */

/* Decimal digits, or hex after 0x, nothing else (no sign, no blanks, no
 * octal), at most max; 0 on success. */
int cli_parse_u64(const char *text, uint64_t max, uint64_t *out);
/* Bytes: decimal digits and an optional k, M, G or T (powers of 1024,
 * either case); overflow refused; 0 on success. */
int cli_parse_size(const char *text, uint64_t *out);
/* The same, and a multiple of multiple (0 or 1: any), never rounded. */
int cli_parse_size_multiple(const char *text, uint64_t multiple, uint64_t *out, char *err,
			    size_t len);
/* The same on exactly the len bytes at text (a field of a larger spec,
 * "ram:SIZE:PATH"): no copy, so nothing is cut. */
int cli_parse_size_n(const char *text, size_t len, uint64_t multiple, uint64_t *out, char *err,
		     size_t errlen);
/* A UUID: exactly 8-4-4-4-12 hex digits, as 16 bytes; 0 on success. */
int cli_parse_hostid(const char *text, uint8_t out[16]);
/* An NQN by NVMe Base 2.0 §4.5: "nqn.yyyy-mm.<reverse domain>:<string>",
 * "nqn.2014-08.org.nvmexpress:uuid:<UUID>" or the discovery NQN; at most
 * 223 bytes of printable UTF-8.  0, or -EINVAL with err saying why. */
int cli_check_nqn(const char *text, char *err, size_t len);

/* A fault-injection rule from "key=value,..." (see cli_inject_help): each
 * key once, one action, no contradiction.  Returns 0, or -EINVAL with err
 * naming the key at fault. */
int cli_parse_inject(const char *spec, struct nvsim_inject_rule *rule, char *err, size_t len);
void cli_inject_help(FILE *out);

/* Flushes and closes stdout: a failed write (a full disk) is CLI_EXIT_FAIL
 * with a message, whatever rc was, unless rc is already a failure. */
int cli_close_stdout(const char *prog, int rc);

int cmd_conform(int argc, char **argv);
int cmd_discover(int argc, char **argv);
int cmd_fuzz(int argc, char **argv);
int cmd_identify(int argc, char **argv);
int cmd_io(int argc, char **argv);
int cmd_target(int argc, char **argv);

#endif
