/* nvmfsim discover: the Discovery log of a target, printed as nvme-cli
 * prints it (normal) or with nvme-cli's JSON keys. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "host/disc_log.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: nvmfsim discover [options]\n\n"
		     "Reads the Discovery log (LID 70h) of the discovery controller at the\n"
		     "address, re-reading while its generation counter moves.  Without -a it\n"
		     "asks the embedded simulator.\n\n");
	cli_conn_help(out);
}

int cmd_discover(int argc, char **argv)
{
	static const struct option longopts[] = { CLI_CONN_LONGOPTS,
						  { "help", no_argument, NULL, 'h' },
						  { 0 } };
	struct cli_conn_opts o;
	struct cli_session s;
	struct nvsim_host_status st;
	struct nvsim_disc_summary sum;
	char msg[256];
	void *log;
	size_t len;
	int opt, ret;

	cli_conn_opts_init(&o);
	while ((opt = getopt_long(argc, argv, CLI_CONN_SHORTOPTS "h", longopts, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return CLI_EXIT_OK;
		}
		ret = cli_conn_opt(&o, "nvmfsim discover", opt, optarg);
		if (ret <= 0) {
			if (!ret)
				usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "nvmfsim discover: unexpected argument '%s'\n", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	if (cli_conn_check(&o, "nvmfsim discover"))
		return CLI_EXIT_USAGE;
	if (cli_session_open(&o, "nvmfsim discover", o.nqn, 0, &s))
		return CLI_EXIT_FAIL;
	ret = nvsim_host_discovery_log(s.host, &log, &len, &st);
	memset(&sum, 0, sizeof(sum));
	if (ret) {
		fprintf(stderr, "nvmfsim discover: Get Log Page 70h failed: %s\n",
			nvsim_host_status_str(&st, false, msg, sizeof(msg)));
		cli_session_close(&s);
		return CLI_EXIT_FAIL;
	}
	if (nvsim_disc_log_print(stdout, log, len, o.json, &sum) < 0) {
		fprintf(stderr, "nvmfsim discover: the log is %zu bytes, shorter than its header\n",
			len);
		ret = -EINVAL;
	} else if (sum.valid < sum.numrec) {
		/* what the target wrote does not hold what its header claims */
		fprintf(stderr, "nvmfsim discover: discovery log: header claims %llu records, "
				"%llu valid\n", (unsigned long long)sum.numrec,
			(unsigned long long)sum.valid);
		ret = -EBADMSG;
	}
	free(log);
	cli_session_close(&s);
	return ret ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
