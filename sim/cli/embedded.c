/* The embedded simulator (see embedded.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nvme/types.h>

#include "cli/embedded.h"

void nvsim_embedded_config_init(struct nvsim_embedded_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->seed = 1;
	cfg->nr_subsystems = 1;
	cfg->ns_size_bytes = 1ull << 30;
	cfg->lba_size = 512;
	nvsim_target_config_init(&cfg->target);
}

static int add_subsystems(struct nvsim_embedded *e, const struct nvsim_embedded_config *cfg)
{
	struct nvsim_ns_config ns = { .backend = NVSIM_NS_RAM,
				      .size_bytes = cfg->ns_size_bytes ? cfg->ns_size_bytes
								       : 1ull << 30,
				      .lba_size = cfg->lba_size ? cfg->lba_size : 512 };
	unsigned int n = cfg->nr_subsystems ? cfg->nr_subsystems : 1;

	e->subsys = calloc(n, sizeof(*e->subsys));
	if (!e->subsys)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		char nqn[64];
		struct nvsim_subsys_config sc = { .nqn = nqn, .allow_any_host = true };
		int ret;

		snprintf(nqn, sizeof(nqn), NVSIM_EMBEDDED_NQN_FMT, i);
		ret = nvsim_subsys_add(e->target, &sc, &e->subsys[i]);
		if (!ret)
			ret = nvsim_subsys_add_ns(e->subsys[i], 1, &ns);
		if (!ret)
			ret = nvsim_port_add_subsys(e->port, e->subsys[i]);
		if (ret)
			return ret;
		e->nr_subsys++;
	}
	return 0;
}

static int add_private(struct nvsim_embedded *e, const struct nvsim_embedded_config *cfg)
{
	struct nvsim_subsys_config sc = { .nqn = NVSIM_EMBEDDED_PRIVATE_NQN };
	struct nvsim_ns_config ns = { .backend = NVSIM_NS_NULL, .size_bytes = 1ull << 30,
				      .lba_size = cfg->lba_size ? cfg->lba_size : 512 };
	struct nvsim_subsys *s;
	int ret = nvsim_subsys_add(e->target, &sc, &s);

	if (!ret)
		ret = nvsim_subsys_allow_host(s, NVSIM_EMBEDDED_PRIVATE_HOST);
	if (!ret)
		ret = nvsim_subsys_add_ns(s, 1, &ns);
	if (!ret)
		ret = nvsim_port_add_subsys(e->port, s);
	return ret;
}

int nvsim_embedded_start(const struct nvsim_embedded_config *cfg, struct nvsim_embedded **out)
{
	struct verbs_fake_config fc = { .seed = cfg->seed };
	struct nvsim_port_config pc = { .portid = 1, .trtype = NVMF_TRTYPE_RDMA,
					.adrfam = NVMF_ADDR_FAMILY_IP4, .traddr = "127.0.0.1",
					.trsvcid = "4420",
					/* CATTR may disable SQ flow control (connect.c) */
					.treq = NVMF_TREQ_DISABLE_SQFLOW };
	struct nvsim_port_config ref = { .portid = 2, .trtype = NVMF_TRTYPE_RDMA,
					 .adrfam = NVMF_ADDR_FAMILY_IP4, .traddr = "127.0.0.2",
					 .trsvcid = "4420" };
	struct nvsim_rdma_target_config rc;
	struct nvsim_embedded *e = calloc(1, sizeof(*e));
	int ret;

	if (!e)
		return -ENOMEM;
	ret = verbs_fake_fabric_create(&fc, &e->fabric);
	if (!ret)
		ret = nvsim_target_create(&cfg->target, &e->target);
	if (!ret)
		ret = nvsim_port_add(e->target, &pc, &e->port);
	if (!ret)
		ret = add_subsystems(e, cfg);
	if (!ret && cfg->referral)
		ret = nvsim_port_add_referral(e->port, &ref);
	if (!ret && cfg->private_subsystem)
		ret = add_private(e, cfg);
	if (ret)
		goto err;
	nvsim_rdma_target_config_init(&rc);
	rc.provider = "fake";
	rc.fabric = e->fabric;
	rc.addr = NVSIM_EMBEDDED_ADDR;
	ret = nvsim_rdma_target_start(e->target, e->port, &rc, &e->rdma);
	if (ret)
		goto err;
	*out = e;
	return 0;
err:
	nvsim_embedded_stop(e);
	return ret;
}

void nvsim_embedded_stop(struct nvsim_embedded *e)
{
	if (!e)
		return;
	nvsim_rdma_target_stop(e->rdma);
	nvsim_target_destroy(e->target);
	if (e->fabric)
		verbs_fake_fabric_destroy(e->fabric);
	free(e->subsys);
	free(e);
}

void nvsim_embedded_poll(void *arg)
{
	struct nvsim_embedded *e = arg;

	nvsim_rdma_target_poll(e->rdma);
}
