/* Target life cycle: subsystems and their hosts and namespaces, ports and
 * referrals, the discovery generation counter, and host associations (the
 * dynamic controller model: a controller per admin Connect). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nvme/util.h>

#include "spec/nqn.h"
#include "target/target_priv.h"

void nvsim_target_config_init(struct nvsim_target_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mqes = 1023;
	cfg->max_io_queues = 128;
	cfg->mdts = 8;
	cfg->kas = 10;
	cfg->kato_zero = NVSIM_KATO_ZERO_DISABLES;
	cfg->discovery_kato_ms = NVSIM_DISC_KATO_DEFAULT_MS;
	cfg->trtype = NVMF_TRTYPE_RDMA;
	cfg->in_capsule_data = 4096;
	cfg->msdbd = 1;
	cfg->keyed_sgl = true;
	cfg->seed = 1;
	cfg->clock = nvsim_clock_monotonic();
	cfg->log_level = NVSIM_LOG_INFO;
}

bool nvsim_target_logs(const struct nvsim_target *t, enum nvsim_log_level level)
{
	return t->cfg.log && level <= t->cfg.log_level;
}

void nvsim_target_log(struct nvsim_target *t, enum nvsim_log_level level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!nvsim_target_logs(t, level))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	t->cfg.log(t->cfg.event_arg, level, line);
}

const char *nvsim_status_name(uint16_t status, bool fabrics, char *buf, size_t len)
{
	const char *name = nvme_status_to_string(status & 0x7ff, fabrics);
	size_t n;

	if (!name) {
		snprintf(buf, len, "status %#x", status & 0x7ff);
		return buf;
	}
	/* libnvme appends a gloss after a colon */
	n = strcspn(name, ":");
	snprintf(buf, len, "%.*s", (int)n, name);
	return buf;
}

bool nvsim_target_dead(const struct nvsim_target *t)
{
	return t->dead;
}

static void copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* FNV-1a: the serial derived from an NQN, and the NQN index's hash. */
static uint64_t nqn_hash(const char *nqn)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const char *c = nqn; *c; c++)
		h = (h ^ (uint8_t)*c) * 0x100000001b3ull;
	return h;
}

static int subsys_create(struct nvsim_target *t, const struct nvsim_subsys_config *cfg,
			 bool discovery, struct nvsim_subsys **out)
{
	struct nvsim_subsys *s = calloc(1, sizeof(*s));
	uint64_t h;

	if (!s)
		return -ENOMEM;
	s->target = t;
	s->discovery = discovery;
	s->allow_any_host = cfg->allow_any_host;
	s->max_namespaces = discovery ? 1 : cfg->max_namespaces ? cfg->max_namespaces
								: NVSIM_DEFAULT_NN;
	/* The NSID and host tables grow as they fill (nvsim_subsys_add_ns,
	 * nvsim_subsys_allow_host): thousands of subsystems with one
	 * namespace each cost what they use, not NN pointers and 256 hosts. */
	copy_str(s->nqn, sizeof(s->nqn), cfg->nqn);
	/* A serial derived from the NQN: stable, distinct per subsystem. */
	h = nqn_hash(s->nqn);
	if (cfg->serial)
		copy_str(s->serial, sizeof(s->serial), cfg->serial);
	else
		snprintf(s->serial, sizeof(s->serial), "NVSIM%015llx",
			 (unsigned long long)(h & 0xfffffffffffffull));
	copy_str(s->model, sizeof(s->model), cfg->model ? cfg->model : "nvmf-sim");
	s->next_cntlid = NVSIM_CNTLID_MIN;
	*out = s;
	return 0;
}

static void subsys_free(struct nvsim_subsys *s)
{
	for (uint32_t i = 0; i < s->ns_cap; i++)
		nvsim_ns_put(s->ns[i]);
	free(s->ns);
	free(s->hosts);
	free(s->inject);
	free(s);
}

int nvsim_target_create(const struct nvsim_target_config *cfg, struct nvsim_target **out)
{
	struct nvsim_subsys_config disc = { .nqn = NVME_DISC_SUBSYS_NAME, .allow_any_host = true };
	struct nvsim_target *t;
	int ret;

	if (!cfg->clock.now_ns || !cfg->mqes || !cfg->max_io_queues || cfg->max_io_queues == 0xffff)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->cfg = *cfg;
	t->subsys_tail = &t->subsystems;
	/* The discovery subsystem always exists and allows every host. */
	ret = subsys_create(t, &disc, true, &t->discovery);
	if (ret) {
		free(t);
		return ret;
	}
	*out = t;
	return 0;
}

void nvsim_target_destroy(struct nvsim_target *t)
{
	if (!t)
		return;
	/* Queues first: ending them ends every association. */
	while (t->queues)
		nvsim_tq_destroy(t->queues);
	while (t->subsystems) {
		struct nvsim_subsys *s = t->subsystems;

		t->subsystems = s->next;
		subsys_free(s);
	}
	free(t->subsys_index);
	subsys_free(t->discovery);
	while (t->ports) {
		struct nvsim_port *p = t->ports;

		t->ports = p->next;
		free(p);
	}
	free(t);
}

void nvsim_target_changed(struct nvsim_target *t)
{
	/* GENCTR rolls over to 0 after 2^64 - 1 (libnvme nvmf_discovery_log). */
	t->genctr++;
}

uint64_t nvsim_target_genctr(const struct nvsim_target *t)
{
	return t->genctr;
}

/* ---- subsystems ------------------------------------------------------------ */

struct nvsim_subsys *nvsim_subsys_find(struct nvsim_target *t, const char *nqn)
{
	if (strcmp(nqn, NVME_DISC_SUBSYS_NAME) == 0)
		return t->discovery;
	if (!t->index_size)
		return NULL;
	for (struct nvsim_subsys *s = t->subsys_index[nqn_hash(nqn) & (t->index_size - 1)]; s;
	     s = s->hash_next)
		if (strcmp(s->nqn, nqn) == 0)
			return s;
	return NULL;
}

/* Keeps at most one subsystem per bucket on average: doubled as it fills. */
static int index_insert(struct nvsim_target *t, struct nvsim_subsys *s)
{
	if (t->nr_subsys + 1 > t->index_size) {
		size_t size = t->index_size ? t->index_size * 2 : 64;
		struct nvsim_subsys **idx = calloc(size, sizeof(*idx));

		if (!idx)
			return -ENOMEM;
		for (size_t b = 0; b < t->index_size; b++) {
			while (t->subsys_index[b]) {
				struct nvsim_subsys *e = t->subsys_index[b];
				size_t nb = nqn_hash(e->nqn) & (size - 1);

				t->subsys_index[b] = e->hash_next;
				e->hash_next = idx[nb];
				idx[nb] = e;
			}
		}
		free(t->subsys_index);
		t->subsys_index = idx;
		t->index_size = size;
	}
	s->hash_next = t->subsys_index[nqn_hash(s->nqn) & (t->index_size - 1)];
	t->subsys_index[nqn_hash(s->nqn) & (t->index_size - 1)] = s;
	t->nr_subsys++;
	return 0;
}

int nvsim_subsys_add(struct nvsim_target *t, const struct nvsim_subsys_config *cfg,
		     struct nvsim_subsys **out)
{
	struct nvsim_subsys *s;
	int ret;

	if (!cfg->nqn || nvsim_nqn_check(cfg->nqn, strlen(cfg->nqn) + 1))
		return -EINVAL;
	if (cfg->serial && strlen(cfg->serial) > 20)
		return -EINVAL;
	if (cfg->model && strlen(cfg->model) > 40)
		return -EINVAL;
	if (nvsim_subsys_find(t, cfg->nqn))
		return -EEXIST;
	ret = subsys_create(t, cfg, false, &s);
	if (ret)
		return ret;
	ret = index_insert(t, s);
	if (ret) {
		subsys_free(s);
		return ret;
	}
	*t->subsys_tail = s;
	t->subsys_tail = &s->next;
	if (out)
		*out = s;
	return 0;
}

static bool host_listed(const struct nvsim_subsys *s, const char *hostnqn)
{
	for (unsigned int i = 0; i < s->nr_hosts; i++)
		if (strcmp(s->hosts[i].nqn, hostnqn) == 0)
			return true;
	return false;
}

int nvsim_subsys_allow_host(struct nvsim_subsys *s, const char *hostnqn)
{
	if (!hostnqn || nvsim_nqn_check(hostnqn, strlen(hostnqn) + 1))
		return -EINVAL;
	/* A duplicate is one whether or not any host may connect. */
	if (host_listed(s, hostnqn))
		return -EEXIST;
	if (s->nr_hosts == NVSIM_SUBSYS_MAX_HOSTS)
		return -ENOSPC;
	if (s->nr_hosts == s->hosts_cap) {
		unsigned int cap = s->hosts_cap ? s->hosts_cap * 2 : 4;
		struct nvsim_host_entry *h;

		if (cap > NVSIM_SUBSYS_MAX_HOSTS)
			cap = NVSIM_SUBSYS_MAX_HOSTS;
		h = realloc(s->hosts, cap * sizeof(*h));
		if (!h)
			return -ENOMEM;
		s->hosts = h;
		s->hosts_cap = cap;
	}
	copy_str(s->hosts[s->nr_hosts++].nqn, sizeof(s->hosts[0].nqn), hostnqn);
	/* Host filtering changes what the discovery log shows. */
	nvsim_target_changed(s->target);
	return 0;
}

bool nvsim_subsys_host_allowed(const struct nvsim_subsys *s, const char *hostnqn)
{
	return s->allow_any_host || host_listed(s, hostnqn);
}

/* Room for nsid in s->ns: grown to a power of two past it, at most NN. */
static int ns_table_reserve(struct nvsim_subsys *s, uint32_t nsid)
{
	uint64_t cap = s->ns_cap ? s->ns_cap : 4;
	struct nvsim_ns **ns;

	if (nsid <= s->ns_cap)
		return 0;
	while (cap < nsid)
		cap *= 2;
	if (cap > s->max_namespaces)
		cap = s->max_namespaces;
	ns = realloc(s->ns, (size_t)cap * sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	memset(ns + s->ns_cap, 0, (size_t)(cap - s->ns_cap) * sizeof(*ns));
	s->ns = ns;
	s->ns_cap = (uint32_t)cap;
	return 0;
}

int nvsim_subsys_add_ns(struct nvsim_subsys *s, uint32_t nsid, const struct nvsim_ns_config *cfg)
{
	struct nvsim_ns *ns;
	int ret;

	if (s->discovery || !nsid || nsid > s->max_namespaces)
		return -EINVAL;
	ret = ns_table_reserve(s, nsid);
	if (ret)
		return ret;
	if (s->ns[nsid - 1])
		return -EEXIST;
	ret = nvsim_ns_open(cfg, s->serial, s->nqn, nsid, &ns);
	if (ret)
		return ret;
	s->ns[nsid - 1] = ns;
	for (struct nvsim_assoc *a = s->assocs; a; a = a->next)
		nvsim_ctrl_attach_ns(a->ctrl, nsid, ns);
	return 0;
}

int nvsim_subsys_remove_ns(struct nvsim_subsys *s, uint32_t nsid)
{
	if (s->discovery || !nsid || nsid > s->ns_cap || !s->ns[nsid - 1])
		return -ENOENT;
	for (struct nvsim_assoc *a = s->assocs; a; a = a->next)
		nvsim_ctrl_remove_ns(a->ctrl, nsid);
	nvsim_ns_put(s->ns[nsid - 1]);
	s->ns[nsid - 1] = NULL;
	return 0;
}

int nvsim_subsys_inject_add(struct nvsim_subsys *s, const struct nvsim_inject_rule *rule)
{
	int ret;

	if (s->nr_inject == NVSIM_SUBSYS_MAX_INJECT)
		return -ENOSPC;
	/* Most subsystems never get a rule: the table comes with the first. */
	if (!s->inject) {
		s->inject = calloc(NVSIM_SUBSYS_MAX_INJECT, sizeof(*s->inject));
		if (!s->inject)
			return -ENOMEM;
	}
	for (struct nvsim_assoc *a = s->assocs; a; a = a->next) {
		ret = nvsim_ctrl_inject_add(a->ctrl, rule);
		if (ret < 0)
			return ret;
	}
	s->inject[s->nr_inject++] = *rule;
	return 0;
}

int nvsim_target_inject_add(struct nvsim_target *t, const struct nvsim_inject_rule *rule)
{
	for (struct nvsim_subsys *s = t->subsystems; s; s = s->next) {
		int ret = nvsim_subsys_inject_add(s, rule);

		if (ret)
			return ret;
	}
	return 0;
}

unsigned int nvsim_subsys_nr_ctrls(const struct nvsim_subsys *s)
{
	return s->nr_assocs;
}

/* ---- ports ------------------------------------------------------------------ */

static int port_fields(const struct nvsim_port_config *cfg, char *traddr, char *trsvcid)
{
	if (!cfg->traddr || strlen(cfg->traddr) > NVMF_TRADDR_SIZE || !cfg->trsvcid ||
	    strlen(cfg->trsvcid) > NVMF_TRSVCID_SIZE)
		return -EINVAL;
	copy_str(traddr, NVMF_TRADDR_SIZE + 1, cfg->traddr);
	copy_str(trsvcid, NVMF_TRSVCID_SIZE + 1, cfg->trsvcid);
	return 0;
}

int nvsim_port_add(struct nvsim_target *t, const struct nvsim_port_config *cfg,
		   struct nvsim_port **out)
{
	struct nvsim_port *p = calloc(1, sizeof(*p)), **tail;

	if (!p)
		return -ENOMEM;
	if (port_fields(cfg, p->traddr, p->trsvcid)) {
		free(p);
		return -EINVAL;
	}
	p->target = t;
	p->cfg = *cfg;
	p->cfg.traddr = p->traddr;
	p->cfg.trsvcid = p->trsvcid;
	for (tail = &t->ports; *tail; tail = &(*tail)->next)
		;
	*tail = p;
	if (out)
		*out = p;
	return 0;
}

int nvsim_port_add_subsys(struct nvsim_port *p, struct nvsim_subsys *s)
{
	for (unsigned int i = 0; i < p->nr_subsys; i++)
		if (p->subsys[i] == s)
			return -EEXIST;
	if (p->nr_subsys == NVSIM_PORT_MAX_SUBSYS)
		return -ENOSPC;
	p->subsys[p->nr_subsys++] = s;
	nvsim_target_changed(p->target);
	return 0;
}

int nvsim_port_add_referral(struct nvsim_port *p, const struct nvsim_port_config *where)
{
	struct nvsim_referral *r;

	if (p->nr_referrals == NVSIM_PORT_MAX_REFERRALS)
		return -ENOSPC;
	r = &p->referrals[p->nr_referrals];
	if (port_fields(where, r->traddr, r->trsvcid))
		return -EINVAL;
	r->cfg = *where;
	r->cfg.traddr = r->traddr;
	r->cfg.trsvcid = r->trsvcid;
	p->nr_referrals++;
	nvsim_target_changed(p->target);
	return 0;
}

/* ---- associations ------------------------------------------------------------ */

struct nvsim_assoc *nvsim_assoc_find(struct nvsim_subsys *s, uint16_t cntlid)
{
	for (struct nvsim_assoc *a = s->assocs; a; a = a->next)
		if (a->cntlid == cntlid && !a->ending)
			return a;
	return NULL;
}

static bool cntlid_in_use(struct nvsim_subsys *s, uint16_t cntlid)
{
	for (struct nvsim_assoc *a = s->assocs; a; a = a->next)
		if (a->cntlid == cntlid)
			return true;
	return false;
}

/* Next free CNTLID in 1..FFEFh, round robin so a reconnecting host gets a
 * new one (Linux uses an IDA over the same range). */
static int cntlid_alloc(struct nvsim_subsys *s, uint16_t *out)
{
	for (uint32_t tries = 0; tries < NVSIM_CNTLID_MAX; tries++) {
		uint16_t id = s->next_cntlid;

		s->next_cntlid = id == NVSIM_CNTLID_MAX ? NVSIM_CNTLID_MIN : (uint16_t)(id + 1);
		if (!cntlid_in_use(s, id)) {
			*out = id;
			return 0;
		}
	}
	return -EBUSY;
}

static void assoc_kato_expired(void *arg, struct nvsim_ctrl *ctrl)
{
	struct nvsim_assoc *a = arg;

	(void)ctrl;
	/* Ended from nvsim_target_poll, outside the controller's own poll. */
	a->expired = true;
}

static void ctrl_config_for(const struct nvsim_assoc *a, struct nvsim_ctrl_config *cc)
{
	const struct nvsim_subsys *s = a->subsys;
	const struct nvsim_target_config *tc = &s->target->cfg;

	nvsim_ctrl_config_init(cc);
	cc->cntlid = a->cntlid;
	copy_str(cc->subnqn, sizeof(cc->subnqn), s->nqn);
	copy_str(cc->serial, sizeof(cc->serial), s->serial);
	copy_str(cc->model, sizeof(cc->model), s->model);
	cc->mqes = tc->mqes;
	cc->max_io_queues = tc->max_io_queues;
	cc->mdts = tc->mdts;
	cc->kas = tc->kas;
	cc->max_namespaces = s->max_namespaces;
	cc->kato_zero = tc->kato_zero;
	cc->traffic_based_keep_alive = tc->traffic_based_keep_alive;
	cc->discovery = s->discovery;
	cc->keyed_sgl = tc->keyed_sgl;
	cc->ioccsz = (64 + tc->in_capsule_data) / 16;
	cc->iorcsz = 1;
	cc->icdoff = 0;
	cc->msdbd = tc->msdbd;
	cc->trtype = tc->trtype;
	cc->seed = tc->seed + s->target->seed_counter;
	cc->quirks = tc->quirks;
	cc->clock = tc->clock;
	cc->events.kato_expired = assoc_kato_expired;
	cc->events.arg = (void *)a;
	if (s->discovery) {
		cc->extra_log = (struct nvsim_log_source){
			.lid = NVME_LOG_LID_DISCOVER,
			.size = nvsim_discovery_log_size,
			.fill = nvsim_discovery_log_fill,
			.arg = (void *)a,
		};
		/* MQES of a discovery controller covers the admin queue only. */
		cc->max_io_queues = 1;
	}
}

int nvsim_assoc_create(struct nvsim_subsys *s, struct nvsim_port *port, const char *hostnqn,
		       const uint8_t hostid[16], struct nvsim_assoc **out)
{
	struct nvsim_target *t = s->target;
	struct nvsim_ctrl_config cc;
	struct nvsim_assoc *a = calloc(1, sizeof(*a));
	int ret;

	if (!a)
		return -ENOMEM;
	a->io = calloc((size_t)t->cfg.max_io_queues + 1, sizeof(*a->io));
	if (!a->io) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = cntlid_alloc(s, &a->cntlid);
	if (ret)
		goto err_free;
	a->subsys = s;
	a->port = port;
	copy_str(a->hostnqn, sizeof(a->hostnqn), hostnqn);
	memcpy(a->hostid, hostid, sizeof(a->hostid));
	ctrl_config_for(a, &cc);
	cc.events.command_discarded = nvsim_tq_command_discarded;
	cc.events.command_failed = nvsim_tq_command_failed;
	t->seed_counter++;
	ret = nvsim_ctrl_create(&cc, &a->ctrl);
	if (ret)
		goto err_free;
	nvsim_ctrl_set_hostid(a->ctrl, hostid);
	for (uint32_t nsid = 1; nsid <= s->ns_cap; nsid++)
		if (s->ns[nsid - 1])
			nvsim_ctrl_attach_ns(a->ctrl, nsid, s->ns[nsid - 1]);
	for (unsigned int i = 0; i < s->nr_inject; i++)
		nvsim_ctrl_inject_add(a->ctrl, &s->inject[i]);
	a->next = s->assocs;
	s->assocs = a;
	s->nr_assocs++;
	if (t->cfg.assoc_event)
		t->cfg.assoc_event(t->cfg.event_arg, true, s->nqn, a->hostnqn, a->cntlid);
	*out = a;
	return 0;

err_free:
	free(a->io);
	free(a);
	return ret;
}

/* Terminate every queue of the association; it goes away with the last. */
void nvsim_assoc_end(struct nvsim_assoc *a)
{
	uint32_t max = a->subsys->target->cfg.max_io_queues;

	a->ending = true;
	a->refs++; /* hold it while transports react */
	if (a->admin)
		nvsim_tq_terminate(a->admin);
	for (uint32_t qid = 1; qid <= max; qid++)
		if (a->io[qid])
			nvsim_tq_terminate(a->io[qid]);
	nvsim_assoc_put(a);
}

void nvsim_assoc_put(struct nvsim_assoc *a)
{
	struct nvsim_subsys *s = a->subsys;

	if (--a->refs)
		return;
	for (struct nvsim_assoc **pp = &s->assocs; *pp; pp = &(*pp)->next) {
		if (*pp == a) {
			*pp = a->next;
			break;
		}
	}
	s->nr_assocs--;
	if (s->target->cfg.assoc_event)
		s->target->cfg.assoc_event(s->target->cfg.event_arg, false, s->nqn, a->hostnqn,
					   a->cntlid);
	nvsim_ctrl_teardown(a->ctrl);
	nvsim_ctrl_destroy(a->ctrl);
	free(a->io);
	free(a);
}

int nvsim_target_poll(struct nvsim_target *t)
{
	struct nvsim_subsys *lists[2] = { t->discovery, t->subsystems };
	int done = 0;

	/* A dead target keeps no time: no completions, no keep-alive expiry. */
	if (t->dead)
		return 0;
	for (int l = 0; l < 2; l++) {
		for (struct nvsim_subsys *s = lists[l]; s; s = l ? s->next : NULL) {
			struct nvsim_assoc *a = s->assocs, *next;

			for (; a; a = next) {
				next = a->next;
				/* Completions may make the transport drop queues:
				 * hold the association across the poll. */
				a->refs++;
				done += nvsim_ctrl_poll(a->ctrl);
				if (a->expired && !a->ending)
					nvsim_assoc_end(a);
				nvsim_assoc_put(a);
			}
		}
	}
	return done;
}
