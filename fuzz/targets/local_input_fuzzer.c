/* local_input_fuzzer: the parsers of what users type and write (issue 12),
 * which the wire targets never reach.
 *
 * Input: u8 parser, then its text.
 *   0 a size ("4k", "1G"), also as a multiple of 512 and from a length;
 *   1 a host ID (8-4-4-4-12 UUID);
 *   2 an NQN;
 *   3 an --inject rule;
 *   4 a target profile (JSON, every key and type checked);
 *   5 a --ns namespace spec (KIND:SIZE[:PATH]), with 512- and 4096-byte LBAs.
 * Invariants: no crash, leak or hang; a parser that accepts gives a value
 * consistent with what it accepted (a multiple is a multiple, a UUID has
 * 16 bytes, an accepted rule has one action, an accepted namespace is
 * whole LBAs and has a path exactly when it is a file). */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/ns_spec.h"
#include "cli/profile.h"
#include "fz.h"

#define TEXT_MAX 4096u

static void sizes(const char *text, size_t len)
{
	uint64_t v, m;
	char err[160];

	if (cli_parse_size(text, &v) == 0 && cli_parse_size_n(text, len, 1, &m, err, sizeof(err)) == 0 &&
	    m != v)
		fz_fail("'%s': %llu as a string, %llu from its length", text,
			(unsigned long long)v, (unsigned long long)m);
	if (cli_parse_size_multiple(text, 512, &m, err, sizeof(err)) == 0 && m % 512)
		fz_fail("'%s' accepted as a multiple of 512: %llu", text, (unsigned long long)m);
}

static void profile(const char *text, size_t len)
{
	struct conf_target t;
	char err[512];

	memset(&t, 0, sizeof(t));
	t.features = ~0u;
	cli_profile_parse(text, len, &t, err, sizeof(err));
	cli_profile_free(&t);
	free((char *)t.refusing_subnqn);
}

static void ns_spec(const char *text)
{
	static const uint32_t lbas[] = { 512, 4096 };
	struct nvsim_ns_config ns;
	char err[256];

	for (size_t i = 0; i < sizeof(lbas) / sizeof(lbas[0]); i++) {
		if (cli_parse_ns_spec(text, lbas[i], &ns, err, sizeof(err)))
			continue;
		if (!ns.size_bytes || ns.size_bytes % lbas[i] || ns.lba_size != lbas[i])
			fz_fail("'%s' accepted as %llu bytes of %u-byte LBAs", text,
				(unsigned long long)ns.size_bytes, lbas[i]);
		if ((ns.backend == NVSIM_NS_FILE) != (ns.path != NULL) || (ns.path && !*ns.path))
			fz_fail("'%s' accepted with path '%s'", text, ns.path ? ns.path : "(none)");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nvsim_inject_rule rule;
	uint8_t id[16];
	char *text, err[256];

	if (size < 1 || size - 1 > TEXT_MAX)
		return 0;
	/* the parsers take C strings: the text up to its first NUL */
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = 0;
	switch (data[0] % 6) {
	case 0:
		sizes(text, strlen(text));
		break;
	case 1:
		cli_parse_hostid(text, id);
		break;
	case 2:
		cli_check_nqn(text, err, sizeof(err));
		break;
	case 3:
		cli_parse_inject(text, &rule, err, sizeof(err));
		break;
	case 5:
		ns_spec(text);
		break;
	default:
		profile((const char *)data + 1, size - 1);
	}
	free(text);
	return 0;
}
