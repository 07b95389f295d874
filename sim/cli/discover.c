/* nvmfsim discover: the Discovery log of a target, printed as nvme-cli
 * prints it (normal) or with nvme-cli's JSON keys. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <nvme/fabrics.h>
#include <nvme/types.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: nvmfsim discover [options]\n\n"
		     "Reads the Discovery log (LID 70h) of the discovery controller at the\n"
		     "address, re-reading while its generation counter moves.  Without -a it\n"
		     "asks the embedded simulator.\n\n");
	cli_conn_help(out);
}

/* Discovery strings are fixed fields, space or NUL padded. */
static void field_str(char *dst, size_t dst_len, const char *src, size_t src_len)
{
	size_t n = strnlen(src, src_len);

	while (n && src[n - 1] == ' ')
		n--;
	if (n >= dst_len)
		n = dst_len - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

static void print_normal(const struct nvmf_discovery_log *log, uint64_t n)
{
	printf("\nDiscovery Log Number of Records %llu, Generation counter %llu\n",
	       (unsigned long long)n, (unsigned long long)le64toh(log->genctr));
	for (uint64_t i = 0; i < n; i++) {
		const struct nvmf_disc_log_entry *e = &log->entries[i];
		char trsvcid[NVMF_TRSVCID_SIZE + 1], traddr[NVMF_TRADDR_SIZE + 1];
		char subnqn[NVME_NQN_LENGTH + 1];

		field_str(trsvcid, sizeof(trsvcid), e->trsvcid, sizeof(e->trsvcid));
		field_str(traddr, sizeof(traddr), e->traddr, sizeof(e->traddr));
		field_str(subnqn, sizeof(subnqn), e->subnqn, sizeof(e->subnqn));
		printf("=====Discovery Log Entry %llu======\n", (unsigned long long)i);
		printf("trtype:  %s\n", nvmf_trtype_str(e->trtype));
		printf("adrfam:  %s\n", nvmf_adrfam_str(e->adrfam));
		printf("subtype: %s\n", nvmf_subtype_str(e->subtype));
		printf("treq:    %s\n", nvmf_treq_str(e->treq));
		printf("portid:  %u\n", le16toh(e->portid));
		printf("trsvcid: %s\n", trsvcid);
		printf("subnqn:  %s\n", subnqn);
		printf("traddr:  %s\n", traddr);
		printf("eflags:  %s\n", nvmf_eflags_str(le16toh(e->eflags)));
		if (e->trtype == NVMF_TRTYPE_RDMA) {
			printf("rdma_prtype: %s\n", nvmf_prtype_str(e->tsas.rdma.prtype));
			printf("rdma_qptype: %s\n", nvmf_qptype_str(e->tsas.rdma.qptype));
			printf("rdma_cms:    %s\n", nvmf_cms_str(e->tsas.rdma.cms));
			printf("rdma_pkey: 0x%04x\n", le16toh(e->tsas.rdma.pkey));
		}
	}
}

static void print_json(const struct nvmf_discovery_log *log, uint64_t n)
{
	struct json_object *root = json_object_new_object();
	struct json_object *records = json_object_new_array();

	json_object_object_add(root, "genctr", json_object_new_uint64(le64toh(log->genctr)));
	for (uint64_t i = 0; i < n; i++) {
		const struct nvmf_disc_log_entry *e = &log->entries[i];
		struct json_object *r = json_object_new_object();
		char buf[NVMF_TRADDR_SIZE + 1];

		json_object_object_add(r, "trtype", json_object_new_string(nvmf_trtype_str(e->trtype)));
		json_object_object_add(r, "adrfam", json_object_new_string(nvmf_adrfam_str(e->adrfam)));
		json_object_object_add(r, "subtype",
				       json_object_new_string(nvmf_subtype_str(e->subtype)));
		json_object_object_add(r, "treq", json_object_new_string(nvmf_treq_str(e->treq)));
		json_object_object_add(r, "portid", json_object_new_int(le16toh(e->portid)));
		field_str(buf, sizeof(buf), e->trsvcid, sizeof(e->trsvcid));
		json_object_object_add(r, "trsvcid", json_object_new_string(buf));
		field_str(buf, sizeof(buf), e->subnqn, sizeof(e->subnqn));
		json_object_object_add(r, "subnqn", json_object_new_string(buf));
		field_str(buf, sizeof(buf), e->traddr, sizeof(e->traddr));
		json_object_object_add(r, "traddr", json_object_new_string(buf));
		json_object_object_add(r, "eflags",
				       json_object_new_string(nvmf_eflags_str(le16toh(e->eflags))));
		if (e->trtype == NVMF_TRTYPE_RDMA) {
			json_object_object_add(r, "rdma_prtype",
					       json_object_new_string(nvmf_prtype_str(e->tsas.rdma.prtype)));
			json_object_object_add(r, "rdma_qptype",
					       json_object_new_string(nvmf_qptype_str(e->tsas.rdma.qptype)));
			json_object_object_add(r, "rdma_cms",
					       json_object_new_string(nvmf_cms_str(e->tsas.rdma.cms)));
			json_object_object_add(r, "rdma_pkey",
					       json_object_new_int(le16toh(e->tsas.rdma.pkey)));
		}
		json_object_array_add(records, r);
	}
	json_object_object_add(root, "records", records);
	printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY));
	json_object_put(root);
}

int cmd_discover(int argc, char **argv)
{
	static const struct option longopts[] = { CLI_CONN_LONGOPTS,
						  { "help", no_argument, NULL, 'h' },
						  { 0 } };
	struct cli_conn_opts o;
	struct cli_session s;
	struct nvsim_host_status st;
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
	if (cli_session_open(&o, "nvmfsim discover", o.nqn, 0, &s))
		return CLI_EXIT_FAIL;
	ret = nvsim_host_discovery_log(s.host, &log, &len, &st);
	if (ret) {
		fprintf(stderr, "nvmfsim discover: Get Log Page 70h failed: %s\n",
			nvsim_host_status_str(&st, false, msg, sizeof(msg)));
		cli_session_close(&s);
		return CLI_EXIT_FAIL;
	}
	if (o.json)
		print_json(log, (len - 1024) / 1024);
	else
		print_normal(log, (len - 1024) / 1024);
	free(log);
	cli_session_close(&s);
	return CLI_EXIT_OK;
}
