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

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

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
	uint16_t io_depth; /* I/O queue entries to ask for; 0: 128 */
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
void cli_conn_help(FILE *out);

/* Connects to subnqn (the discovery NQN when NULL) with nr_io I/O queues;
 * prints a one-line error naming what failed and returns -errno. */
int cli_session_open(const struct cli_conn_opts *o, const char *prog, const char *subnqn,
		     uint16_t nr_io, struct cli_session *s);
void cli_session_close(struct cli_session *s);

/* Parses "512", "4k", "64M", "1G" (powers of 1024); 0 on success. */
int cli_parse_size(const char *text, uint64_t *out);
int cli_parse_u64(const char *text, uint64_t max, uint64_t *out);
/* A UUID in text ("0f01fb42-9f7f-...") as 16 bytes; 0 on success. */
int cli_parse_hostid(const char *text, uint8_t out[16]);

/* A fault-injection rule from "key=value,..." (see cli_inject_help).
 * Returns 0, or -EINVAL with err naming the key at fault. */
int cli_parse_inject(const char *spec, struct nvsim_inject_rule *rule, char *err, size_t len);
void cli_inject_help(FILE *out);

int cmd_conform(int argc, char **argv);
int cmd_discover(int argc, char **argv);
int cmd_fuzz(int argc, char **argv);
int cmd_identify(int argc, char **argv);
int cmd_io(int argc, char **argv);
int cmd_target(int argc, char **argv);

#endif
