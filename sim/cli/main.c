/* nvmfsim: one binary, one subcommand per file.  Host-side subcommands talk
 * to any NVMe-oF/RDMA target; without an address they start the embedded
 * simulator in this process and talk to it over the RDMA fake. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

#ifndef NVMFSIM_VERSION
#define NVMFSIM_VERSION "unknown"
#endif

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{ "conform", cmd_conform, "run the conformance suite against a target" },
	{ "discover", cmd_discover, "read a target's Discovery log" },
	{ "fuzz", cmd_fuzz, "wire-fuzz a target with mutated capsules" },
	{ "identify", cmd_identify, "Identify Controller / Namespace of a subsystem" },
	{ "io", cmd_io, "write, read back and verify; IOPS and latency" },
	{ "target", cmd_target, "serve an emulated subsystem over NVMe/RDMA" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: nvmfsim <command> [options]    (nvmfsim <command> --help)\n\n"
		     "nvmf-sim: an NVMe over Fabrics simulator and conformance harness.\n\n"
		     "commands:\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(out, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(out, "\n  --version  print the version\n  --help     print this text\n\n"
		     "Without -a/--traddr, host-side commands use the embedded simulator:\n"
		     "  nvmfsim conform --junit report.xml\n"
		     "  nvmfsim discover -o json\n"
		     "  nvmfsim io --queues 8 --depth 128 --size 64M\n");
	cli_exit_help(out);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("nvmfsim %s\n", NVMFSIM_VERSION);
		return cli_close_stdout("nvmfsim", CLI_EXIT_OK);
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return cli_close_stdout("nvmfsim", CLI_EXIT_OK);
	}
	/* Every subcommand's output is checked here: a report or a log that
	 * did not reach the disk is not a success. */
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		char prog[32];

		if (strcmp(argv[1], subcommands[i].name))
			continue;
		snprintf(prog, sizeof(prog), "nvmfsim %s", subcommands[i].name);
		return cli_close_stdout(prog, subcommands[i].run(argc - 1, argv + 1));
	}
	fprintf(stderr, "nvmfsim: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return CLI_EXIT_USAGE;
}
