/* nvmfsim identify: Identify Controller (or, with --namespace-id, Identify
 * Namespace) of a subsystem, with nvme-cli's field names. */
#include <getopt.h>
#include <json-c/json.h>
#include <nvme/types.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

struct field {
	const char *name;
	uint64_t value;
	bool hex;
};

static void usage(FILE *out)
{
	fprintf(out, "usage: nvmfsim identify [options] [--namespace-id N]\n\n"
		     "Connects to the subsystem (-n; the embedded simulator's first subsystem\n"
		     "when no address is given) and prints Identify Controller, or Identify\n"
		     "Namespace for --namespace-id.\n\n"
		     "  -N, --namespace-id N      identify namespace N instead of the controller\n\n");
	cli_conn_help(out);
}

static void str_field(char *dst, const char *src, size_t len)
{
	size_t n = strnlen(src, len);

	while (n && (src[n - 1] == ' ' || !src[n - 1]))
		n--;
	memcpy(dst, src, n);
	dst[n] = 0;
}

static void emit(bool json, struct json_object *root, const struct field *f, size_t n,
		 const char *const strs[][2], size_t nstrs)
{
	for (size_t i = 0; i < nstrs; i++) {
		if (json)
			json_object_object_add(root, strs[i][0], json_object_new_string(strs[i][1]));
		else
			printf("%-10s: %s\n", strs[i][0], strs[i][1]);
	}
	for (size_t i = 0; i < n; i++) {
		if (json)
			json_object_object_add(root, f[i].name, json_object_new_uint64(f[i].value));
		else if (f[i].hex)
			printf("%-10s: %#llx\n", f[i].name, (unsigned long long)f[i].value);
		else
			printf("%-10s: %llu\n", f[i].name, (unsigned long long)f[i].value);
	}
}

static void print_ctrl(const struct nvme_id_ctrl *id, bool json)
{
	char sn[21], mn[41], fr[9], subnqn[257];
	const struct field f[] = {
		{ "vid", le16toh(id->vid), true },	  { "ssvid", le16toh(id->ssvid), true },
		{ "rab", id->rab, false },		  { "cmic", id->cmic, true },
		{ "mdts", id->mdts, false },		  { "cntlid", le16toh(id->cntlid), true },
		{ "ver", le32toh(id->ver), true },	  { "oaes", le32toh(id->oaes), true },
		{ "ctratt", le32toh(id->ctratt), true },  { "cntrltype", id->cntrltype, false },
		{ "oacs", le16toh(id->oacs), true },	  { "acl", id->acl, false },
		{ "aerl", id->aerl, false },		  { "frmw", id->frmw, true },
		{ "lpa", id->lpa, true },		  { "elpe", id->elpe, false },
		{ "npss", id->npss, false },		  { "wctemp", le16toh(id->wctemp), false },
		{ "cctemp", le16toh(id->cctemp), false }, { "kas", le16toh(id->kas), false },
		{ "sqes", id->sqes, true },		  { "cqes", id->cqes, true },
		{ "maxcmd", le16toh(id->maxcmd), false }, { "nn", le32toh(id->nn), false },
		{ "oncs", le16toh(id->oncs), true },	  { "vwc", id->vwc, true },
		{ "sgls", le32toh(id->sgls), true },	  { "ioccsz", le32toh(id->ioccsz), false },
		{ "iorcsz", le32toh(id->iorcsz), false }, { "icdoff", le16toh(id->icdoff), false },
		{ "fcatt", id->fcatt, true },		  { "msdbd", id->msdbd, false },
	};
	const char *strs[4][2] = { { "sn", sn }, { "mn", mn }, { "fr", fr }, { "subnqn", subnqn } };
	struct json_object *root = json ? json_object_new_object() : NULL;

	str_field(sn, id->sn, sizeof(id->sn));
	str_field(mn, id->mn, sizeof(id->mn));
	str_field(fr, id->fr, sizeof(id->fr));
	str_field(subnqn, id->subnqn, sizeof(id->subnqn));
	if (!json)
		printf("NVME Identify Controller:\n");
	emit(json, root, f, sizeof(f) / sizeof(f[0]), strs, 4);
	if (json) {
		printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY));
		json_object_put(root);
	}
}

static void hex_id(char *dst, const uint8_t *id, size_t len)
{
	for (size_t i = 0; i < len; i++)
		sprintf(dst + 2 * i, "%02x", id[i]);
}

static void print_ns(const struct nvme_id_ns *id, bool json)
{
	char nguid[33], eui64[17];
	uint8_t lbaf = id->flbas & 0xf;
	const struct field f[] = {
		{ "nsze", le64toh(id->nsze), true },   { "ncap", le64toh(id->ncap), true },
		{ "nuse", le64toh(id->nuse), true },   { "nlbaf", id->nlbaf, false },
		{ "flbas", id->flbas, true },	       { "dlfeat", id->dlfeat, false },
		{ "lba_size", 1ull << id->lbaf[lbaf].ds, false },
	};
	const char *strs[2][2] = { { "nguid", nguid }, { "eui64", eui64 } };
	struct json_object *root = json ? json_object_new_object() : NULL;

	hex_id(nguid, id->nguid, sizeof(id->nguid));
	hex_id(eui64, id->eui64, sizeof(id->eui64));
	if (!json)
		printf("NVME Identify Namespace:\n");
	emit(json, root, f, sizeof(f) / sizeof(f[0]), strs, 2);
	if (json) {
		printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY));
		json_object_put(root);
	}
}

int cmd_identify(int argc, char **argv)
{
	static const struct option longopts[] = { CLI_CONN_LONGOPTS,
						  { "namespace-id", required_argument, NULL, 'N' },
						  { "help", no_argument, NULL, 'h' },
						  { 0 } };
	struct cli_conn_opts o;
	struct cli_session s;
	struct nvsim_host_status st;
	char nqn[64], msg[512];
	uint64_t nsid = 0;
	_Alignas(8) uint8_t buf[4096];
	int opt, ret;

	cli_conn_opts_init(&o);
	while ((opt = getopt_long(argc, argv, CLI_CONN_SHORTOPTS "N:h", longopts, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return CLI_EXIT_OK;
		}
		if (opt == 'N') {
			if (cli_parse_u64(optarg, 0xfffffffeu, &nsid) || !nsid) {
				fprintf(stderr, "nvmfsim identify: --namespace-id '%s': 1 to %u\n",
					optarg, 0xfffffffeu);
				return CLI_EXIT_USAGE;
			}
			continue;
		}
		ret = cli_conn_opt(&o, "nvmfsim identify", opt, optarg);
		if (ret <= 0) {
			if (!ret)
				usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "nvmfsim identify: unexpected argument '%s'\n", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	if (!o.nqn && o.traddr) {
		fprintf(stderr, "nvmfsim identify: -n/--nqn is required with -a/--traddr\n");
		return CLI_EXIT_USAGE;
	}
	if (cli_conn_check(&o, "nvmfsim identify"))
		return CLI_EXIT_USAGE;
	snprintf(nqn, sizeof(nqn), NVSIM_EMBEDDED_NQN_FMT, 0u);
	if (cli_session_open(&o, "nvmfsim identify", o.nqn ? o.nqn : nqn, 0, &s))
		return CLI_EXIT_FAIL;
	if (nsid) {
		ret = nvsim_host_identify(s.host, NVME_IDENTIFY_CNS_NS, (uint32_t)nsid, buf, &st);
		if (ret) {
			fprintf(stderr, "nvmfsim identify: Identify Namespace %llu failed: %s\n",
				(unsigned long long)nsid,
				nvsim_host_status_str(&st, false, msg, sizeof(msg)));
			cli_session_close(&s);
			return CLI_EXIT_FAIL;
		}
		/* An inactive NSID answers success with a zero-filled structure
		 * (Identify CNS 00h, NVMe Base 2.0 §5.17.2.1 (approx.)): there is
		 * no namespace to show. */
		if (!((const struct nvme_id_ns *)(const void *)buf)->nsze) {
			fprintf(stderr, "nvmfsim identify: namespace %llu is inactive (Identify "
				"Namespace returned zeroed data: NSZE 0)\n",
				(unsigned long long)nsid);
			cli_session_close(&s);
			return CLI_EXIT_FAIL;
		}
		print_ns((const void *)buf, o.json);
	} else {
		print_ctrl(nvsim_host_id_ctrl(s.host), o.json);
	}
	cli_session_close(&s);
	return CLI_EXIT_OK;
}
