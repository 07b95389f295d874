/* nvmfsim: the command-line front end.  Subcommands arrive with the fabric
 * (issue 5: the embedded target, conformance runs); for now it reports what
 * it is. */
#include <stdio.h>
#include <string.h>

#ifndef NVMFSIM_VERSION
#define NVMFSIM_VERSION "unknown"
#endif

static void usage(FILE *out)
{
	fprintf(out,
		"usage: nvmfsim [--version] [--help]\n"
		"\n"
		"nvmf-sim: an NVMe over Fabrics simulator and conformance harness.\n"
		"\n"
		"  --version   print the version and exit\n"
		"  --help      print this text and exit\n"
		"\n"
		"The emulated controller, its contract and its tests are described in\n"
		"docs/controller.md; run the unit tests with `ctest --test-dir build`.\n");
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("nvmfsim %s\n", NVMFSIM_VERSION);
		return 0;
	}
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc > 1)
		fprintf(stderr, "nvmfsim: unknown argument '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
