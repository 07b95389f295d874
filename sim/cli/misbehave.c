/* See misbehave.h.  The caught_by lists are what the misbehaviour test
 * asserts: with the switch on, each listed case fails. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <nvme/types.h>

#include "cli/misbehave.h"

const struct cli_quirk cli_quirks[] = {
	{ NVSIM_QUIRK_WRONG_LBAF, "wrong-lbaf",
	  "Identify Namespace names an LBA format the namespace does not use", "io.1.1" },
	{ NVSIM_QUIRK_OPCODE_NOT_FIELD, "opcode-not-field",
	  "a reserved CNS is answered Invalid Opcode instead of Invalid Field", "identify.5.1" },
	{ NVSIM_QUIRK_NO_KATO_EXPIRY, "no-kato-expiry", "keep-alive never expires",
	  "aer_keepalive.3.1,aer_keepalive.3.3,aer_keepalive.3.4" },
	{ NVSIM_QUIRK_LPO_OFF_BY_ONE, "lpo-off-by-one",
	  "a Get Log Page offset one dword past the end of any page is accepted",
	  "discovery.3.3,log.7.6" },
	{ NVSIM_QUIRK_NO_LBA_CHECK, "no-lba-check", "I/O past the end of a namespace succeeds",
	  "io.2.1,io.2.2,io.2.3,io.2.4,io.6.2,io.6.7" },
	{ NVSIM_QUIRK_NO_AER_LIMIT, "no-aer-limit", "AERs beyond AERL + 1 are accepted",
	  "aer_keepalive.1.2" },
	{ NVSIM_QUIRK_WRONG_ID_CNTLID, "wrong-id-cntlid",
	  "Identify Controller reports a CNTLID other than Connect's", "identify.1.1" },
	{ NVSIM_QUIRK_PROPERTY_SET_RO, "property-set-ro", "Property Set of VS is accepted",
	  "property.2.2" },
	{ NVSIM_QUIRK_NSID_ALL_OK, "nsid-all-ok",
	  "Identify Namespace with NSID FFFFFFFFh answers zeros", "identify.2.3" },
	{ NVSIM_QUIRK_HOSTID_SETTABLE, "hostid-settable",
	  "Set Features Host Identifier is accepted over fabrics", "features.6.1" },
	{ NVSIM_QUIRK_WRONG_SQHD, "wrong-sqhd", "CQE SQ head is one entry ahead",
	  "connect.1.17,queues.1.1" },
	{ NVSIM_QUIRK_NO_IPO, "no-ipo", "Connect Invalid Parameters carries no IATTR/IPO",
	  "connect.1.4,connect.1.8,connect.2.2" },
	{ NVSIM_QUIRK_CNTLID_ZERO, "cntlid-zero", "Connect reports CNTLID 0, outside 1h..FFEFh",
	  "connect.1.1" },
	{ NVSIM_QUIRK_STATIC_CNTLID_OK, "static-cntlid-ok",
	  "admin Connect asking for a static CNTLID is accepted", "connect.1.10" },
	{ NVSIM_QUIRK_RECFMT_IGNORED, "recfmt-ignored", "Connect RECFMT is not checked",
	  "connect.1.2" },
	{ NVSIM_QUIRK_DISCONNECT_ADMIN_OK, "disconnect-admin-ok",
	  "Disconnect on the admin queue succeeds", "queues.3.2,queues.3.3" },
	{ NVSIM_QUIRK_WRONG_SQID, "wrong-sqid", "CQE SQID names the wrong queue",
	  "queues.1.2" },
	{ NVSIM_QUIRK_NO_HOST_FILTER, "no-host-filter",
	  "the Discovery log lists subsystems the host may not use", "discovery.2.6" },
	{ NVSIM_QUIRK_DNR_CLEAR, "dnr-clear",
	  "every error completion (controller and target wing) has DNR clear",
	  "connect.1.4,connect.1.12,queues.3.2,sgl.1.8,property.1.8,identify.5.1,io.2.1,log.7.1" },
	{ NVSIM_QUIRK_NO_MDTS, "no-mdts", "transfers above MDTS are executed", "io.4.1,log.7.8" },
	{ NVSIM_QUIRK_IO_CONNECT_BEFORE_ENABLE, "io-connect-before-enable",
	  "an I/O queue Connect is accepted before CC.EN = 1 and CSTS.RDY = 1",
	  "connect.2.5,property.6.2" },
	{ NVSIM_QUIRK_HOSTID_NOT_COMPARED, "hostid-not-compared",
	  "an I/O Connect with a HOSTID other than the admin queue's is accepted", "connect.2.4" },
	{ NVSIM_QUIRK_QUEUE_SIZE_UNCHECKED, "queue-size-unchecked",
	  "neither the RDMA CM HSQSIZE nor the Connect SQSIZE is bounded (32 admin entries, "
	  "CAP.MQES + 1 for I/O); connect.1.9's oversized Connect is still refused, as larger "
	  "than the CM request's HSQSIZE", "cm.2.1" },
	{ NVSIM_QUIRK_CM_CONNECT_UNCHECKED, "cm-connect-unchecked",
	  "a Connect naming another QID than the RDMA CM request, or an SQSIZE above its HSQSIZE, "
	  "is accepted", "cm.4.1,cm.4.2,cm.4.3" },
	{ NVSIM_QUIRK_KEYED_LEN_UNCHECKED, "keyed-length-unchecked",
	  "a keyed SGL's length is not checked against NLB x block size", "io.4.2,io.4.4,sgl.1.1" },
	{ NVSIM_QUIRK_ICD_OFFSET_UNCHECKED, "icd-offset-unchecked",
	  "an in-capsule data offset is not checked (offset + length past the data accepted)",
	  "sgl.2.3,sgl.2.4" },
	{ NVSIM_QUIRK_KAS_WRONG, "kas-wrong",
	  "KATO is rounded to ten times the KAS granularity Identify reports", "features.5.1" },
	{ NVSIM_QUIRK_NO_ERROR_LOG, "no-error-log",
	  "errors are not recorded in the Error Information log", "log.2.2,log.2.3,log.3.4" },
	{ NVSIM_QUIRK_NQ_FFFF_OK, "nq-ffff-ok", "Number of Queues with NSQR/NCQR FFFFh is accepted",
	  "features.4.1,features.4.2" },
	{ NVSIM_QUIRK_NQ_AFTER_IO_OK, "nq-after-io-ok",
	  "Number of Queues is accepted after I/O queues exist", "features.4.4" },
	{ NVSIM_QUIRK_SV_ACCEPTED, "sv-accepted", "SV on a non-saveable feature is accepted",
	  "features.3.1" },
	{ NVSIM_QUIRK_SEL_RESERVED_OK, "sel-reserved-ok",
	  "Get Features with a reserved SEL answers instead of Invalid Field", "features.2.5" },
	{ NVSIM_QUIRK_BAD_NSID_ZEROES, "bad-nsid-zeroes",
	  "Identify Namespace with NSID 0 or above NN returns zeroed data",
	  "identify.2.2,identify.2.4" },
	{ NVSIM_QUIRK_LBA_INTERNAL_ERROR, "lba-internal-error",
	  "an LBA out of range is answered Internal Error",
	  "io.2.1,io.2.2,io.2.3,io.2.4,io.6.2,io.6.7" },
	{ NVSIM_QUIRK_AFI_ZERO, "afi-zero", "the Firmware Slot log names no active slot",
	  "log.4.2" },
	{ NVSIM_QUIRK_ADMIN_BEFORE_READY, "admin-before-ready",
	  "admin commands are served before CSTS.RDY = 1",
	  "property.4.1,property.4.2,property.4.3,property.4.4,property.4.5,aer_keepalive.2.4" },
	{ NVSIM_QUIRK_CFS_IGNORED, "cfs-ignored",
	  "CC.EN = 1 with IOSQES/IOCQES other than 6/4 makes the controller ready",
	  "property.3.2,property.3.3" },
	{ NVSIM_QUIRK_RESERVED_LID_OK, "reserved-lid-ok",
	  "Get Log Page of an unsupported LID returns zeros",
	  "log.7.1,log.7.2,discovery.4.1,discovery.4.6" },
	{ NVSIM_QUIRK_KATO_NEEDS_ENABLE, "kato-needs-enable",
	  "keep alive is armed only by CC.EN: a controller never enabled is never timed out",
	  "aer_keepalive.3.6" },
	{ NVSIM_QUIRK_HOSTNQN_UNCHECKED, "hostnqn-syntax-unchecked",
	  "a malformed Connect HOSTNQN is accepted", "connect.1.6" },
	{ NVSIM_QUIRK_ZERO_HOSTID_OK, "zero-hostid-ok", "a Connect HOSTID of zero is accepted",
	  "connect.1.7" },
	{ NVSIM_QUIRK_SQSIZE_ZERO_OK, "sqsize-zero-ok", "a Connect SQSIZE of 0 is accepted",
	  "connect.1.8,connect.2.7" },
	{ NVSIM_QUIRK_CID0_ON_ERROR, "cid0-on-error",
	  "every error completion carries CID 0 instead of the command's",
	  "connect.1.11,features.2.5,log.2.2,discovery.1.4,io.2.1,sgl.1.1,queues.3.2",
	  "completion carries the command's CID" },
	{ NVSIM_QUIRK_NEVER_COMPLETE_ICD_READ, "never-complete-icd-read",
	  "a Read with an in-capsule data descriptor is taken and never completed", "sgl.2.6",
	  "every command completes" },
	{ NVSIM_QUIRK_DIES_MID_RUN, "dies-mid-run",
	  "the target stops answering (no completion, CM event or accept) after its 60th "
	  "admin Connect", "identify.1.10", NULL, true },
};

const size_t cli_nr_quirks = sizeof(cli_quirks) / sizeof(cli_quirks[0]);

int cli_parse_quirks(const char *list, nvsim_quirks_t *bits, char *err, size_t len)
{
	char buf[512], *save = NULL;

	if (strlen(list) >= sizeof(buf)) {
		snprintf(err, len, "list too long");
		return -1;
	}
	strcpy(buf, list);
	for (char *name = strtok_r(buf, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < cli_nr_quirks; i++)
			if (!strcmp(name, cli_quirks[i].name))
				break;
		if (i == cli_nr_quirks) {
			snprintf(err, len, "unknown switch '%s'", name);
			return -1;
		}
		*bits |= cli_quirks[i].bit;
	}
	return 0;
}

static uint64_t sim_now(void *ctx)
{
	return ((struct cli_sim_clock *)ctx)->ns;
}

static void sim_advance(void *arg, uint64_t ms)
{
	((struct cli_sim_clock *)arg)->ns += ms * 1000000ull;
}

int cli_conf_embedded(uint64_t seed, nvsim_quirks_t quirks, struct cli_sim_clock *clock,
		      struct conf_target *t, struct nvsim_embedded **e)
{
	static const uint8_t hostid[16] = { 0x0f, 0x01, 0xfb, 0x42, 0x9f, 0x7f, 0x48, 0x56,
					    0xb0, 0xb3, 0x51, 0xe6, 0x0b, 0x8d, 0xe3, 0x49 };
	struct nvsim_embedded_config ec;
	int ret;

	nvsim_embedded_config_init(&ec);
	ec.seed = seed;
	ec.referral = true;
	ec.private_subsystem = true;
	ec.ns_size_bytes = 256ull << 20;
	ec.target.clock = (struct nvsim_clock){ sim_now, clock };
	ec.target.quirks = quirks;
	ret = nvsim_embedded_start(&ec, e);
	if (ret)
		return ret;
	memset(t, 0, sizeof(*t));
	t->provider = "fake";
	t->fabric = (*e)->fabric;
	t->addr = NVSIM_EMBEDDED_ADDR;
	t->subnqn = "nqn.2026-11.io.nvmf-sim:embedded0";
	t->discovery_nqn = NVME_DISC_SUBSYS_NAME;
	t->refusing_subnqn = NVSIM_EMBEDDED_PRIVATE_NQN;
	t->hostnqn = "nqn.2014-08.org.nvmexpress:uuid:0f01fb42-9f7f-4856-b0b3-51e60b8de349";
	memcpy(t->hostid, hostid, sizeof(hostid));
	t->kato_ms = 30000;
	t->timeout_ms = 5000;
	t->features = CONF_F_DISCOVERY | CONF_F_KEYED_SGL | CONF_F_IN_CAPSULE | CONF_F_IO |
		      CONF_F_REFERRALS | CONF_F_TIME | CONF_F_INJECT | CONF_F_HOST_FILTER;
	t->progress = nvsim_embedded_poll;
	t->progress_arg = *e;
	t->advance_time = sim_advance;
	t->time_arg = clock;
	return 0;
}

void cli_quirks_markdown(FILE *out)
{
	fprintf(out,
		"\n## Misbehaviour switches\n\n"
		"`nvmfsim conform --misbehave NAME` breaks one rule in the embedded simulator;\n"
		"the CTest test `cli_misbehaviour_test` runs the suite at its default level with\n"
		"each switch and asserts that the run fails and that the listed cases fail\n"
		"(a switch that kills the target: that the run stops in the listed case and\n"
		"reports the rest not run; with none, that every case of every level passes),\n"
		"and `cli.misbehaviour_fails_default_run` that `nvmfsim conform --misbehave\n"
		"NAME`, with no `--level`, exits 1 for every switch.\n\n"
		"| switch | rule broken | caught by |\n|---|---|---|\n");
	for (size_t i = 0; i < cli_nr_quirks; i++)
		fprintf(out, "| `%s` | %s | %s%s |\n", cli_quirks[i].name, cli_quirks[i].what,
			cli_quirks[i].caught_by,
			cli_quirks[i].dies ? " (target stopped answering; the rest not run)" : "");
}
