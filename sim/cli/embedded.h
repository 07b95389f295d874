/* The embedded simulator: a target with its subsystems, served over NVMe/RDMA
 * on an in-process fake fabric, so every host-side subcommand and test has
 * a real peer on a machine with no RDMA at all.  The host reaches it only
 * through the fabric; nvsim_embedded_poll is the host's progress hook. */
#ifndef NVSIM_CLI_EMBEDDED_H
#define NVSIM_CLI_EMBEDDED_H

#include "target/rdma.h"
#include "target/target.h"
#include "verbs/fake.h"

#define NVSIM_EMBEDDED_NQN_FMT "nqn.2026-11.io.nvmf-sim:embedded%u"
#define NVSIM_EMBEDDED_ADDR "fake:nvmfsim:4420"
/* The first subsystem, the one the conformance suite tests. */
#define NVSIM_EMBEDDED_CONF_NQN "nqn.2026-11.io.nvmf-sim:embedded0"
#define NVSIM_EMBEDDED_PRIVATE_NQN "nqn.2026-11.io.nvmf-sim:private"
#define NVSIM_EMBEDDED_PRIVATE_HOST \
	"nqn.2014-08.org.nvmexpress:uuid:00000000-0000-4000-8000-000000000001"

struct nvsim_embedded_config {
	uint64_t seed;
	unsigned int nr_subsystems; /* each with one namespace; 0: 1 */
	uint64_t ns_size_bytes;	    /* 0: 1 GiB, sparse RAM */
	uint32_t lba_size;	    /* 0: 512 */
	bool referral;		    /* list a referral in the Discovery log */
	/* Also serve NVSIM_EMBEDDED_PRIVATE_NQN, which allows only
	 * NVSIM_EMBEDDED_PRIVATE_HOST: a subsystem that refuses other hosts. */
	bool private_subsystem;
	struct nvsim_target_config target;
};

struct nvsim_embedded {
	struct verbs_fake_fabric *fabric;
	struct nvsim_target *target;
	struct nvsim_port *port;
	struct nvsim_rdma_target *rdma;
	struct nvsim_subsys **subsys;
	unsigned int nr_subsys;
};

void nvsim_embedded_config_init(struct nvsim_embedded_config *cfg);
int nvsim_embedded_start(const struct nvsim_embedded_config *cfg, struct nvsim_embedded **out);
void nvsim_embedded_stop(struct nvsim_embedded *e);
/* Progress hook for struct nvsim_hq_config (arg is the embedded target). */
void nvsim_embedded_poll(void *arg);

#endif
