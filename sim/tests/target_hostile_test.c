/* What a host can make the NVMe/RDMA target hold (docs/target-resources.md),
 * in process on the fake fabric, on the target's injected clock:
 * - 10 000 CM connections that never send Fabrics Connect: the per-host
 *   cap and the Connect timer fire, the target's accounted memory stays
 *   within 16 KiB per connection the caps let wait, and a well-behaved host
 *   on another address connects and does verified I/O throughout;
 * - the per-port cap, and the timer at its exact edge;
 * - 128 I/O queues with every SQ entry carrying one MDTS-sized Write, then
 *   Read, through a pool a quarter of the demand: all succeed, data
 *   intact, commands waited, the pool's high-water mark within its size;
 * - a pool smaller than one transfer is refused, naming the field.
 * Memory is counted by the target (nvsim_rdma_target_get_stats); VmHWM is
 * printed for the record, never asserted. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nvme/types.h>

#include "cmocka_main.h"
#include "host/host.h"
#include "spec/rdma_cm.h"
#include "spec/status.h"
#include "target/rdma.h"
#include "verbs/fake.h"

#define HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:0f01fb42-9f7f-4856-b0b3-51e60b8de349"
#define SUBNQN "nqn.2026-11.io.nvmf-sim:resources"
#define LISTEN "fake:*:4420"
#define GOOD_ADDR "fake:192.0.2.1:4420"
#define HOSTILE_ADDR "fake:198.51.100.66:4420"
#define SEED 0x7e5012c3u
#define KIB 1024u
#define MIB (1024u * 1024u)
#define NSEC_PER_MSEC 1000000ull

struct world {
	uint64_t now_ns;
	struct verbs_fake_fabric *fab;
	struct nvsim_target *t;
	struct nvsim_port *port;
	struct nvsim_subsys *s;
	struct nvsim_rdma_target *rt;
	unsigned int timer_lines, host_cap_lines, port_cap_lines, pool_lines;
	char timer_line[512], host_cap_line[512], port_cap_line[512], pool_line[512];
};

struct world_opts {
	uint8_t mdts;
	uint64_t ns_bytes;
	size_t pool_bytes;
	unsigned int per_port, per_host;
	uint32_t connect_timeout_ms;
	size_t ring_bytes;
};

static uint64_t fake_now(void *ctx)
{
	return *(uint64_t *)ctx;
}

static void keep(unsigned int *n, char *dst, const char *line)
{
	(*n)++;
	snprintf(dst, 512, "%s", line);
}

static void world_log(void *arg, enum nvsim_log_level level, const char *line)
{
	struct world *w = arg;

	(void)level;
	if (strstr(line, "no Fabrics Connect"))
		keep(&w->timer_lines, w->timer_line, line);
	else if (strstr(line, "max_conns_per_host"))
		keep(&w->host_cap_lines, w->host_cap_line, line);
	else if (strstr(line, "max_conns_per_port"))
		keep(&w->port_cap_lines, w->port_cap_line, line);
	else if (strstr(line, "data buffer pool"))
		keep(&w->pool_lines, w->pool_line, line);
}

static uint64_t vm_hwm_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	uint64_t kib = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %" SCNu64 " kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

/* The fabric's limits are set here, not taken from the fake's defaults. */
static void fabric_new(struct world *w)
{
	struct verbs_fake_config fc = { .seed = SEED };

	fc.limits.max_qp = 16384;
	fc.limits.max_cq = 16384;
	fc.limits.max_cqe = 65536;
	fc.limits.max_mr = 65536;
	fc.limits.max_qp_wr = 4096;
	assert_int_equal(verbs_fake_fabric_create(&fc, &w->fab), 0);
}

static void target_new(struct world *w, const struct world_opts *o)
{
	struct nvsim_target_config tc;
	struct nvsim_port_config pc = { .portid = 1, .trtype = NVMF_TRTYPE_RDMA,
					.adrfam = NVMF_ADDR_FAMILY_IP4, .traddr = "0.0.0.0",
					.trsvcid = "4420" };
	struct nvsim_subsys_config sc = { .nqn = SUBNQN, .allow_any_host = true };
	struct nvsim_ns_config ns = { .backend = NVSIM_NS_RAM, .size_bytes = o->ns_bytes,
				      .lba_size = 512 };

	nvsim_target_config_init(&tc);
	tc.seed = SEED;
	tc.mdts = o->mdts;
	tc.clock = (struct nvsim_clock){ .now_ns = fake_now, .ctx = &w->now_ns };
	tc.log = world_log;
	tc.event_arg = w;
	tc.log_level = NVSIM_LOG_INFO;
	assert_int_equal(nvsim_target_create(&tc, &w->t), 0);
	assert_int_equal(nvsim_port_add(w->t, &pc, &w->port), 0);
	assert_int_equal(nvsim_subsys_add(w->t, &sc, &w->s), 0);
	assert_int_equal(nvsim_subsys_add_ns(w->s, 1, &ns), 0);
	assert_int_equal(nvsim_port_add_subsys(w->port, w->s), 0);
}

static struct world *world_new(const struct world_opts *o)
{
	struct world *w = calloc(1, sizeof(*w));
	struct nvsim_rdma_target_config rc;

	assert_non_null(w);
	w->now_ns = 1000 * NSEC_PER_MSEC;
	fabric_new(w);
	target_new(w, o);
	nvsim_rdma_target_config_init(&rc);
	rc.fabric = w->fab;
	rc.addr = LISTEN;
	rc.buffer_pool_bytes = o->pool_bytes;
	rc.max_conns_per_port = o->per_port;
	rc.max_conns_per_host = o->per_host;
	rc.connect_timeout_ms = o->connect_timeout_ms;
	rc.recv_ring_bytes_max = o->ring_bytes;
	assert_int_equal(nvsim_rdma_target_start(w->t, w->port, &rc, &w->rt), 0);
	return w;
}

static void world_free(struct world *w)
{
	nvsim_rdma_target_stop(w->rt);
	nvsim_target_destroy(w->t);
	assert_int_equal(verbs_fake_fabric_destroy(w->fab), 0);
	free(w);
}

static void world_poll(void *arg)
{
	struct world *w = arg;

	assert_true(nvsim_rdma_target_poll(w->rt) >= 0);
}

static struct nvsim_rdma_target_stats stats_of(const struct world *w)
{
	struct nvsim_rdma_target_stats st;

	nvsim_rdma_target_get_stats(w->rt, &st);
	return st;
}

/* ---- a well-behaved host --------------------------------------------------- */

static struct nvsim_host *good_connect(struct world *w, uint16_t nr_io, uint16_t io_sqsize)
{
	static const uint8_t hostid[16] = { 0x0f, 0x01, 0xfb, 0x42, 0x9f, 0x7f, 0x48, 0x56,
					    0xb0, 0xb3, 0x51, 0xe6, 0x0b, 0x8d, 0xe3, 0x49 };
	struct nvsim_host_config hc;
	struct nvsim_host_status st;
	struct nvsim_host *h = NULL;
	char msg[200];

	nvsim_host_config_init(&hc);
	hc.transport.fabric = w->fab;
	hc.transport.addr = GOOD_ADDR;
	hc.transport.progress = world_poll;
	hc.transport.progress_arg = w;
	hc.transport.timeout_ms = 10000;
	hc.subnqn = SUBNQN;
	hc.hostnqn = HOSTNQN;
	memcpy(hc.hostid, hostid, sizeof(hostid));
	hc.nr_io_queues = nr_io;
	hc.io_sqsize = io_sqsize;
	if (nvsim_host_connect(&hc, &h, &st))
		fail_msg("connect: %s", nvsim_host_status_str(&st, true, msg, sizeof(msg)));
	assert_int_equal(nvsim_host_nr_io_queues(h), nr_io);
	return h;
}

static void fill_pattern(uint8_t *buf, size_t len, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (uint8_t)x;
	}
}

/* 256 KiB written and read back on each I/O queue, the pattern new each
 * round. */
static void good_verified_io(struct nvsim_host *h, uint16_t nr_io, unsigned int round)
{
	enum { LEN = 256 * 1024 };
	uint8_t *want = malloc(LEN), *got = malloc(LEN);
	struct nvsim_host_status st;
	char msg[200];

	assert_non_null(want);
	assert_non_null(got);
	for (uint16_t q = 1; q <= nr_io; q++) {
		uint64_t slba = (uint64_t)q * (LEN / 512);

		fill_pattern(want, LEN, (uint64_t)round << 16 | q);
		if (nvsim_host_rw(h, q, true, 1, slba, LEN / 512, want, LEN, &st))
			fail_msg("round %u write on queue %u: %s", round, q,
				 nvsim_host_status_str(&st, false, msg, sizeof(msg)));
		memset(got, 0, LEN);
		if (nvsim_host_rw(h, q, false, 1, slba, LEN / 512, got, LEN, &st))
			fail_msg("round %u read on queue %u: %s", round, q,
				 nvsim_host_status_str(&st, false, msg, sizeof(msg)));
		assert_memory_equal(want, got, LEN);
	}
	free(want);
	free(got);
}

/* ---- a hostile host: CM connections, never a Connect ------------------------- */

enum raw_state { RAW_FREE, RAW_RESOLVING, RAW_CONNECTING, RAW_UP };

struct raw_conn {
	struct verbs_cm_id *id;
	struct verbs_qp *qp;
	enum raw_state state;
	uint16_t qid;
};

struct raw_client {
	struct verbs_device *dev;
	struct verbs_pd *pd;
	struct verbs_cm_channel *ch;
	struct verbs_cq *cq;
	const char *addr;
	struct raw_conn *conns;
	unsigned int cap, *free, nr_free;
	unsigned int in_flight, up;
	uint64_t established, rejected, rejected_no_rsc, dropped;
};

static void raw_open_client(struct world *w, struct raw_client *rc, const char *addr,
			    unsigned int cap)
{
	struct verbs_open_opts opts = { .provider = "fake", .fabric = w->fab };
	struct verbs_cq_attr ca = { .cqe = 64 };

	memset(rc, 0, sizeof(*rc));
	rc->addr = addr;
	rc->cap = cap;
	rc->conns = calloc(cap, sizeof(*rc->conns));
	rc->free = calloc(cap, sizeof(*rc->free));
	assert_non_null(rc->conns);
	assert_non_null(rc->free);
	for (unsigned int i = 0; i < cap; i++)
		rc->free[rc->nr_free++] = cap - 1 - i;
	assert_int_equal(verbs_device_open(&opts, &rc->dev), 0);
	assert_int_equal(verbs_pd_alloc(rc->dev, &rc->pd), 0);
	assert_int_equal(verbs_cm_channel_create(rc->dev, &rc->ch), 0);
	assert_int_equal(verbs_cq_create(rc->dev, &ca, &rc->cq), 0);
}

static void raw_release(struct raw_client *rc, struct raw_conn *c)
{
	if (c->qp)
		assert_int_equal(verbs_qp_destroy(c->qp), 0);
	assert_int_equal(verbs_cm_id_destroy(c->id), 0);
	memset(c, 0, sizeof(*c));
	rc->free[rc->nr_free++] = (unsigned int)(c - rc->conns);
}

static void raw_close_client(struct raw_client *rc)
{
	for (unsigned int i = 0; i < rc->cap; i++)
		if (rc->conns[i].state != RAW_FREE)
			raw_release(rc, &rc->conns[i]);
	assert_int_equal(verbs_cq_destroy(rc->cq), 0);
	assert_int_equal(verbs_cm_channel_destroy(rc->ch), 0);
	assert_int_equal(verbs_pd_dealloc(rc->pd), 0);
	verbs_device_close(rc->dev);
	free(rc->conns);
	free(rc->free);
}

/* Start a connection asking for the largest queue the QID may have. */
static void raw_open(struct raw_client *rc, uint16_t qid)
{
	struct raw_conn *c;

	assert_true(rc->nr_free > 0);
	c = &rc->conns[rc->free[--rc->nr_free]];
	c->qid = qid;
	assert_int_equal(verbs_cm_id_create(rc->ch, c, &c->id), 0);
	assert_int_equal(verbs_cm_resolve(c->id, rc->addr, 1000), 0);
	c->state = RAW_RESOLVING;
	rc->in_flight++;
}

static void raw_connect(struct raw_client *rc, struct raw_conn *c)
{
	struct verbs_qp_init_attr qa = { .send_cq = rc->cq, .recv_cq = rc->cq,
					 .cap = { .max_send_wr = 1, .max_recv_wr = 1,
						  .max_send_sge = 1, .max_recv_sge = 1 } };
	uint16_t hsqsize = c->qid ? 1023 : NVSIM_RDMA_ADMIN_QUEUE_MAX - 1;
	struct nvsim_rdma_cm_req req = { .qid = htole16(c->qid),
					 .hrqsize = htole16(hsqsize + 1),
					 .hsqsize = htole16(hsqsize), .cntlid = htole16(0xffff) };
	struct verbs_conn_param p = { .private_data = &req, .private_data_len = sizeof(req),
				      .responder_resources = 4, .retry_count = 7,
				      .rnr_retry_count = 7 };

	assert_int_equal(verbs_qp_create(c->id, rc->pd, &qa, &c->qp), 0);
	assert_int_equal(verbs_cm_connect(c->id, &p), 0);
	c->state = RAW_CONNECTING;
}

static void raw_event(struct raw_client *rc, const struct verbs_cm_event *ev)
{
	struct raw_conn *c = verbs_cm_id_context(ev->id);
	struct nvsim_rdma_cm_reject rej = { 0 };

	switch (ev->type) {
	case VERBS_CM_EVENT_ROUTE_RESOLVED:
		raw_connect(rc, c);
		break;
	case VERBS_CM_EVENT_ESTABLISHED:
		c->state = RAW_UP;
		rc->in_flight--;
		rc->up++;
		rc->established++;
		break;
	case VERBS_CM_EVENT_REJECTED:
		if (ev->private_data_len >= sizeof(rej))
			memcpy(&rej, ev->private_data, sizeof(rej));
		rc->rejected++;
		rc->rejected_no_rsc += le16toh(rej.sts) == NVSIM_RDMA_CM_NO_RSC;
		rc->in_flight--;
		raw_release(rc, c);
		break;
	case VERBS_CM_EVENT_DISCONNECTED:
		assert_int_equal(c->state, RAW_UP);
		rc->up--;
		rc->dropped++;
		raw_release(rc, c);
		break;
	default:
		fail_msg("hostile connection: unexpected CM event %s",
			 verbs_cm_event_str(ev->type));
	}
}

static void raw_pump(struct raw_client *rc)
{
	struct verbs_cm_event ev;

	while (verbs_cm_get_event(rc->ch, &ev) == 0)
		raw_event(rc, &ev);
}

/* The host ends one of its connections (DISCONNECTED follows). */
static void raw_disconnect_one(struct raw_client *rc)
{
	for (unsigned int i = 0; i < rc->cap; i++) {
		if (rc->conns[i].state == RAW_UP) {
			assert_int_equal(verbs_cm_disconnect(rc->conns[i].id), 0);
			return;
		}
	}
	fail_msg("no connection up");
}

/* Both sides until every connection started has its answer. */
static void settle(struct world *w, struct raw_client *rc)
{
	for (int i = 0; i < 100000 && rc->in_flight; i++) {
		world_poll(w);
		raw_pump(rc);
	}
	assert_int_equal(rc->in_flight, 0);
	for (int i = 0; i < 64; i++) {
		world_poll(w);
		raw_pump(rc);
	}
}

static void advance(struct world *w, struct raw_client *rc, uint64_t ms)
{
	w->now_ns += ms * NSEC_PER_MSEC;
	settle(w, rc);
}

/* ---- the tests ----------------------------------------------------------------- */

/* 10 000 connections from one address in 10 rounds of 1000, 2.5 s of the
 * target's clock apart; QIDs 0..3, each asking for its largest queue.  At
 * most PER_HOST may wait for Connect at once; each is dropped 10 s after
 * its accept. */
static void test_10000_connections_without_connect_stay_bounded(void **state)
{
	enum { ATTEMPTS = 10000, ROUNDS = 10, BATCH = 100, PER_HOST = 64, GOOD_IO = 2 };
	struct world_opts o = { .mdts = 8, .ns_bytes = 64ull << 20, .per_host = PER_HOST };
	struct world *w = world_new(&o);
	struct nvsim_rdma_target_stats st0, st1, st;
	struct nvsim_host_status hs;
	struct raw_client rc;
	struct nvsim_host *good;
	size_t bound;

	(void)state;
	/* A first association leaves what the target keeps for the next one
	 * (a receive slab, a shared CQ): the idle figure is after it. */
	nvsim_host_disconnect(good_connect(w, GOOD_IO, 127));
	for (int i = 0; i < 64; i++)
		world_poll(w);
	st0 = stats_of(w);
	w->pool_lines = 0;
	good = good_connect(w, GOOD_IO, 127);
	good_verified_io(good, GOOD_IO, 0);
	st1 = stats_of(w);
	raw_open_client(w, &rc, HOSTILE_ADDR, PER_HOST + BATCH);
	for (unsigned int round = 0, n = 0; round < ROUNDS; round++) {
		while (n < (round + 1) * (ATTEMPTS / ROUNDS)) {
			for (unsigned int k = 0; k < BATCH; k++, n++)
				raw_open(&rc, (uint16_t)(n % 4));
			settle(w, &rc);
			assert_true(rc.up <= PER_HOST);
		}
		advance(w, &rc, 2500);
		assert_int_equal(nvsim_host_keep_alive(good, &hs), 0);
		good_verified_io(good, GOOD_IO, round + 1);
	}
	advance(w, &rc, 10000);
	st = stats_of(w);
	/* Every accepted hostile connection timed out; every other attempt
	 * met the per-host cap, with NO_RSC and a log line. */
	assert_int_equal(rc.up, 0);
	assert_int_equal(rc.established + rc.rejected, ATTEMPTS);
	assert_int_equal(rc.rejected_no_rsc, rc.rejected);
	assert_int_equal(st.refused_host_cap, rc.rejected);
	assert_int_equal(st.refused_port_cap, 0);
	assert_int_equal(st.connect_timeouts, rc.established);
	assert_int_equal(rc.dropped, rc.established);
	assert_int_equal(w->timer_lines, st.connect_timeouts);
	assert_int_equal(w->host_cap_lines, st.refused_host_cap);
	assert_non_null(strstr(w->host_cap_line, "from 198.51.100.66:"));
	assert_non_null(strstr(w->timer_line, "from 198.51.100.66:"));
	assert_true(rc.established >= PER_HOST && rc.rejected > ATTEMPTS / 2);
	assert_int_equal(st.conns_pending, 0);
	assert_int_equal(st.conns, 1 + GOOD_IO);
	assert_true(st.conns_high_water <= 1 + GOOD_IO + PER_HOST);
	/* What they cost: at most 16 KiB each of what the target holds. */
	bound = st1.mem_bytes + (size_t)PER_HOST * 16 * KIB;
	print_message("seed %#x: %u attempts, %" PRIu64 " accepted, %" PRIu64
		      " refused (per-host cap), %" PRIu64 " Connect timeouts; target memory "
		      "%zu KiB idle, %zu KiB with the good host, high-water %zu KiB (bound %zu "
		      "KiB; pool %zu KiB); VmHWM %" PRIu64 " KiB\n",
		      SEED, ATTEMPTS, rc.established, rc.rejected, st.connect_timeouts,
		      st0.mem_bytes / KIB, st1.mem_bytes / KIB, st.mem_high_water / KIB,
		      bound / KIB, st.pool_bytes / KIB, vm_hwm_kib());
	assert_true(st.mem_high_water <= bound);
	nvsim_host_disconnect(good);
	raw_close_client(&rc);
	for (int i = 0; i < 64; i++)
		world_poll(w);
	st = stats_of(w);
	assert_int_equal(st.conns, 0);
	assert_int_equal(st.mem_bytes, st0.mem_bytes);
	assert_int_equal(w->pool_lines, 1); /* the association's close line */
	assert_non_null(strstr(w->pool_line, "data buffer pool 64 MiB in 4 KiB units"));
	world_free(w);
}

/* Beyond max_conns_per_port every request is refused with NO_RSC, whatever
 * the address; a slot frees when a connection goes. */
static void test_the_port_cap_refuses_with_no_rsc(void **state)
{
	struct world_opts o = { .mdts = 8, .ns_bytes = 1ull << 20, .per_port = 4 };
	struct world *w = world_new(&o);
	struct raw_client rc;

	(void)state;
	raw_open_client(w, &rc, HOSTILE_ADDR, 8);
	for (unsigned int i = 0; i < 6; i++)
		raw_open(&rc, 1);
	settle(w, &rc);
	assert_int_equal(rc.established, 4);
	assert_int_equal(rc.rejected_no_rsc, 2);
	assert_int_equal(stats_of(w).refused_port_cap, 2);
	assert_int_equal(w->port_cap_lines, 2);
	assert_non_null(strstr(w->port_cap_line, "4 connections on the port"));
	assert_non_null(strstr(w->port_cap_line, "from 198.51.100.66:"));
	assert_non_null(strstr(w->port_cap_line, "status 06h (NO_RSC)"));
	raw_disconnect_one(&rc);
	settle(w, &rc);
	assert_int_equal(rc.up, 3);
	raw_open(&rc, 1);
	settle(w, &rc);
	assert_int_equal(rc.established, 5);
	raw_close_client(&rc);
	world_free(w);
}

/* connect_timeout_ms 1000: alive at 999 ms, dropped at 1000 ms. */
static void test_the_connect_timer_fires_at_its_edge(void **state)
{
	struct world_opts o = { .mdts = 8, .ns_bytes = 1ull << 20, .connect_timeout_ms = 1000 };
	struct world *w = world_new(&o);
	struct raw_client rc;

	(void)state;
	raw_open_client(w, &rc, HOSTILE_ADDR, 4);
	raw_open(&rc, 0);
	settle(w, &rc);
	assert_int_equal(rc.up, 1);
	assert_int_equal(stats_of(w).conns_pending, 1);
	advance(w, &rc, 999);
	assert_int_equal(rc.up, 1);
	assert_int_equal(w->timer_lines, 0);
	advance(w, &rc, 1);
	assert_int_equal(rc.up, 0);
	assert_int_equal(rc.dropped, 1);
	assert_int_equal(w->timer_lines, 1);
	assert_non_null(strstr(w->timer_line, "no Fabrics Connect 1000 ms after the CM accept"));
	assert_int_equal(stats_of(w).conns, 0);
	raw_close_client(&rc);
	world_free(w);
}

struct xfer {
	struct nvsim_hcmd cmd;
	uint8_t *buf;
};

static void start_all(struct nvsim_host *h, struct xfer *x, unsigned int queues,
		      unsigned int depth, size_t len, bool write)
{
	for (unsigned int i = 0; i < queues * depth; i++) {
		struct nvsim_sqe sqe = { .opcode = write ? nvme_cmd_write : nvme_cmd_read,
					 .nsid = htole32(1) };
		struct nvsim_sqe_rw *rw = (void *)&sqe;

		rw->slba = htole64((uint64_t)i * (len / 512));
		rw->nlb = htole16((uint16_t)(len / 512 - 1));
		if (write)
			fill_pattern(x[i].buf, len, i);
		else
			memset(x[i].buf, 0xee, len);
		assert_int_equal(nvsim_hq_start(nvsim_host_io(h, (uint16_t)(i / depth + 1)), &sqe,
						x[i].buf, len,
						write ? NVSIM_DIR_H2C : NVSIM_DIR_C2H, &x[i].cmd),
				 0);
	}
}

static void reap_all(struct world *w, struct nvsim_host *h, struct xfer *x, unsigned int queues,
		     unsigned int depth, size_t len, bool write, uint8_t *want)
{
	unsigned int left = queues * depth;

	for (int spin = 0; left && spin < 1000000; spin++) {
		for (unsigned int i = 0; i < queues * depth; i++) {
			int ret;

			if (x[i].cmd.done)
				continue;
			ret = nvsim_hq_reap(nvsim_host_io(h, (uint16_t)(i / depth + 1)), &x[i].cmd);
			if (ret == -EAGAIN)
				continue;
			assert_int_equal(ret, 0);
			assert_int_equal(nvsim_cqe_status_field(&x[i].cmd.cqe), 0);
			if (!write) {
				fill_pattern(want, len, i);
				assert_memory_equal(want, x[i].buf, len);
			}
			x[i].cmd.done = true;
			left--;
		}
		world_poll(w);
	}
	assert_int_equal(left, 0);
}

/* 128 I/O queues of 8 entries, each entry one MDTS-sized (64 KiB) Write at
 * once, then as many Reads: 64 MiB in flight through a 16 MiB pool. */
static void test_128_queues_every_entry_mdts_sized_through_a_small_pool(void **state)
{
	enum { QUEUES = 128, DEPTH = 8, LEN = 64 * 1024 };
	struct world_opts o = { .mdts = 4, .ns_bytes = (uint64_t)QUEUES * DEPTH * LEN,
				.pool_bytes = 16u * MIB };
	struct world *w = world_new(&o);
	struct xfer *x = calloc(QUEUES * DEPTH, sizeof(*x));
	uint8_t *data = malloc((size_t)QUEUES * DEPTH * LEN), *want = malloc(LEN);
	struct nvsim_rdma_target_stats st, after_write;
	struct nvsim_host *h;

	(void)state;
	assert_non_null(x);
	assert_non_null(data);
	assert_non_null(want);
	h = good_connect(w, QUEUES, DEPTH - 1);
	for (unsigned int i = 0; i < QUEUES * DEPTH; i++)
		x[i].buf = data + (size_t)i * LEN;
	start_all(h, x, QUEUES, DEPTH, LEN, true);
	reap_all(w, h, x, QUEUES, DEPTH, LEN, true, want);
	after_write = stats_of(w);
	for (unsigned int i = 0; i < QUEUES * DEPTH; i++)
		memset(&x[i].cmd, 0, sizeof(x[i].cmd));
	start_all(h, x, QUEUES, DEPTH, LEN, false);
	reap_all(w, h, x, QUEUES, DEPTH, LEN, false, want);
	for (int i = 0; i < 64; i++)
		world_poll(w);
	st = stats_of(w);
	print_message("seed %#x: %u queues x %u entries x %u KiB, pool %zu KiB (max run %zu "
		      "KiB): high-water %zu KiB, %" PRIu64 " of %" PRIu64 " commands waited "
		      "(%" PRIu64 " in the writes), at most %u waiting; target memory %zu KiB, "
		      "high-water %zu KiB; %u shared CQs; VmHWM %" PRIu64 " KiB\n",
		      SEED, QUEUES, DEPTH, LEN / KIB, st.pool_bytes / KIB, st.pool_max_xfer / KIB,
		      st.pool_high_water / KIB, st.pool_waits, st.pool_grants,
		      after_write.pool_waits, st.pool_max_waiting, st.mem_bytes / KIB,
		      st.mem_high_water / KIB, st.shared_cqs, vm_hwm_kib());
	assert_int_equal(st.pool_bytes, 16u * MIB);
	assert_int_equal(st.pool_max_xfer, LEN);
	/* 64 MiB through 16: every run was in use at once, and some waited. */
	assert_int_equal(st.pool_high_water, st.pool_bytes);
	assert_true(st.pool_max_waiting > 0);
	assert_int_equal(st.pool_in_use, 0);
	assert_true(after_write.pool_waits > 0);
	assert_true(st.pool_waits > after_write.pool_waits);
	assert_true(st.pool_grants >= 2u * QUEUES * DEPTH);
	assert_int_equal(st.conns, QUEUES + 1);
	nvsim_host_disconnect(h);
	for (int i = 0; i < 64; i++)
		world_poll(w);
	assert_int_equal(stats_of(w).conns, 0);
	free(x);
	free(data);
	free(want);
	world_free(w);
}

/* ---- capsules from a raw connection ------------------------------------------ */

/* One capsule SENT on an established raw connection, its response
 * received: the response's status field. */
static uint16_t raw_capsule(struct world *w, struct raw_client *rc, struct raw_conn *c,
			    const struct nvsim_sqe *sqe)
{
	struct nvsim_sqe cap = *sqe;
	struct nvsim_cqe rsp = { 0 };
	struct verbs_mr *smr, *rmr;
	struct verbs_sge ss, rs;
	struct verbs_send_wr swr = { .wr_id = 1, .sg_list = &ss, .num_sge = 1,
				     .opcode = VERBS_WR_SEND, .send_flags = VERBS_SEND_SIGNALED };
	struct verbs_recv_wr rwr = { .wr_id = 2, .sg_list = &rs, .num_sge = 1 };
	const struct verbs_send_wr *bad_s;
	const struct verbs_recv_wr *bad_r;
	struct verbs_wc wc[4];
	bool sent = false, got = false;

	assert_int_equal(verbs_mr_reg(rc->pd, &cap, sizeof(cap), 0, &smr), 0);
	assert_int_equal(verbs_mr_reg(rc->pd, &rsp, sizeof(rsp), VERBS_ACCESS_LOCAL_WRITE, &rmr),
			 0);
	ss = (struct verbs_sge){ (uintptr_t)&cap, sizeof(cap), verbs_mr_lkey(smr) };
	rs = (struct verbs_sge){ (uintptr_t)&rsp, sizeof(rsp), verbs_mr_lkey(rmr) };
	assert_int_equal(verbs_post_recv(c->qp, &rwr, &bad_r), 0);
	assert_int_equal(verbs_post_send(c->qp, &swr, &bad_s), 0);
	for (int i = 0; i < 100000 && !(sent && got); i++) {
		int n = verbs_poll_cq(rc->cq, 4, wc);

		for (int k = 0; k < n; k++) {
			assert_int_equal(wc[k].status, VERBS_WC_SUCCESS);
			sent |= wc[k].wr_id == 1;
			got |= wc[k].wr_id == 2;
		}
		world_poll(w);
	}
	assert_true(sent && got);
	verbs_mr_dereg(smr);
	verbs_mr_dereg(rmr);
	return nvsim_cqe_status_field(&rsp);
}

static struct raw_conn *raw_up(struct raw_client *rc)
{
	for (unsigned int i = 0; i < rc->cap; i++)
		if (rc->conns[i].state == RAW_UP)
			return &rc->conns[i];
	fail_msg("no connection up");
	return NULL;
}

/* Before Connect a keyed SGL names no data the target takes: an Identify
 * of 1 MiB is answered Command Sequence Error, a Connect of 1 MiB Data SGL
 * Length Invalid, and neither asks the pool for a buffer. */
static void test_before_connect_no_data_but_connects(void **state)
{
	struct world_opts o = { .mdts = 8, .ns_bytes = 1ull << 20 };
	struct world *w = world_new(&o);
	struct nvsim_sqe sqe = { .opcode = nvme_admin_identify, .flags = 0x40 };
	struct nvsim_sqe_fabrics *f = (void *)&sqe;
	struct raw_client rc;
	struct raw_conn *c;

	(void)state;
	raw_open_client(w, &rc, HOSTILE_ADDR, 2);
	raw_open(&rc, 0);
	settle(w, &rc);
	c = raw_up(&rc);
	nvsim_sgl_keyed_set(&sqe.dptr.keyed, 0x10000, MIB, 0x1234, NVSIM_SGL_SUBTYPE_ADDRESS);
	assert_int_equal(raw_capsule(w, &rc, c, &sqe), NVSIM_SC_GENERIC(NVME_SC_CMD_SEQ_ERROR));
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = NVSIM_FABRICS_OPCODE;
	sqe.flags = 0x40;
	f->fctype = nvme_fabrics_type_connect;
	nvsim_sgl_keyed_set(&sqe.dptr.keyed, 0x10000, MIB, 0x1234, NVSIM_SGL_SUBTYPE_ADDRESS);
	assert_int_equal(raw_capsule(w, &rc, c, &sqe),
			 NVSIM_SC_GENERIC(NVME_SC_SGL_INVALID_DATA));
	assert_int_equal(stats_of(w).pool_grants, 0);
	assert_int_equal(stats_of(w).pool_high_water, 0);
	raw_close_client(&rc);
	world_free(w);
}

/* Beyond max_pending_conns accepted connections without Connect, the CM
 * rejects with NO_RSC (the default, 256). */
static void test_pending_connections_are_capped(void **state)
{
	enum { PENDING = NVSIM_RDMA_PENDING_CONNS_DEFAULT, EXTRA = 8 };
	struct world_opts o = { .mdts = 8, .ns_bytes = 1ull << 20 };
	struct world *w = world_new(&o);
	struct raw_client rc;

	(void)state;
	raw_open_client(w, &rc, HOSTILE_ADDR, PENDING + EXTRA);
	/* In batches the listener's backlog takes. */
	for (unsigned int i = 0; i < PENDING + EXTRA; i++) {
		raw_open(&rc, 0);
		if (i % 64 == 63)
			settle(w, &rc);
	}
	settle(w, &rc);
	assert_int_equal(rc.established, PENDING);
	assert_int_equal(rc.rejected_no_rsc, EXTRA);
	assert_int_equal(stats_of(w).refused_pending_cap, EXTRA);
	assert_int_equal(stats_of(w).conns_pending, PENDING);
	raw_close_client(&rc);
	world_free(w);
}

/* recv_ring_bytes_max for two I/O queues of 1024 entries: the third is
 * rejected with NO_RSC, and one going makes room again. */
static void test_receive_rings_are_capped(void **state)
{
	struct nvsim_target_config tc;
	struct world_opts o = { .mdts = 8, .ns_bytes = 1ull << 20 };
	struct nvsim_rdma_target_stats st;
	struct raw_client rc;
	struct world *w;
	size_t ring;

	(void)state;
	nvsim_target_config_init(&tc);
	ring = 1024 * (64 + (size_t)tc.in_capsule_data);
	o.ring_bytes = 2 * ring + ring / 2;
	w = world_new(&o);
	raw_open_client(w, &rc, HOSTILE_ADDR, 4);
	for (unsigned int i = 0; i < 3; i++)
		raw_open(&rc, 1);
	settle(w, &rc);
	st = stats_of(w);
	assert_int_equal(rc.established, 2);
	assert_int_equal(rc.rejected_no_rsc, 1);
	assert_int_equal(st.refused_ring_cap, 1);
	assert_int_equal(st.recv_ring_reserved, 2 * ring);
	raw_disconnect_one(&rc);
	settle(w, &rc);
	raw_open(&rc, 1);
	settle(w, &rc);
	assert_int_equal(rc.established, 3);
	raw_close_client(&rc);
	for (int i = 0; i < 64; i++)
		world_poll(w);
	assert_int_equal(stats_of(w).recv_ring_reserved, 0);
	world_free(w);
}

static void start_io(struct nvsim_hq *hq, struct xfer *x, unsigned int n, size_t len,
		     uint64_t slba0, bool write)
{
	for (unsigned int i = 0; i < n; i++) {
		struct nvsim_sqe sqe = { .opcode = write ? nvme_cmd_write : nvme_cmd_read,
					 .nsid = htole32(1) };
		struct nvsim_sqe_rw *rw = (void *)&sqe;

		rw->slba = htole64(slba0 + (uint64_t)i * (len / 512));
		rw->nlb = htole16((uint16_t)(len / 512 - 1));
		fill_pattern(x[i].buf, len, i);
		assert_int_equal(nvsim_hq_start(hq, &sqe, x[i].buf, len,
						write ? NVSIM_DIR_H2C : NVSIM_DIR_C2H, &x[i].cmd),
				 0);
	}
}

/* Host B posts no receives for its I/O queue's responses (every SEND of the
 * target's QP meets RNR, retried forever, and the READs and WRITEs behind
 * it stall) while it keeps 32 Writes and 32 Reads of 64 KiB against a 3 MiB
 * pool: a Write's run comes back once its data is written, only the Writes
 * whose READs may go (ORD, 16) take one, and at most 16 Reads of a queue
 * hold one; so host A's I/O is served while B's responses hang. */
static void test_a_host_withholding_receives_starves_nobody(void **state)
{
	enum { N = 64, LEN = 64 * 1024 };
	/* B's admin QP, the target's, B's I/O QP, the target's (the fake
	 * numbers QPs in creation order from 0x100). */
	const uint32_t target_io_qpn = 0x103;
	struct world_opts o = { .mdts = 4, .ns_bytes = 8ull << 20, .pool_bytes = 3 * MIB };
	struct world *w = world_new(&o);
	struct verbs_fake_fault rnr = { .kind = VERBS_FAKE_FAULT_FORCE_RNR,
					.qp_num = target_io_qpn,
					.opcodes = 1u << VERBS_WR_SEND };
	struct xfer x[N];
	uint8_t *data = malloc((size_t)N * LEN), *want = malloc(LEN), *got = malloc(LEN);
	struct nvsim_host *a, *b;
	struct nvsim_host_status hs;
	struct nvsim_rdma_target_stats st;
	char msg[200];

	(void)state;
	assert_non_null(data);
	assert_non_null(want);
	assert_non_null(got);
	memset(x, 0, sizeof(x));
	for (unsigned int i = 0; i < N; i++)
		x[i].buf = data + (size_t)i * LEN;
	b = good_connect(w, 1, N - 1);
	assert_int_equal(verbs_fake_inject(w->fab, &rnr), 0);
	start_io(nvsim_host_io(b, 1), x, N / 2, LEN, 0, true);
	start_io(nvsim_host_io(b, 1), x + N / 2, N / 2, LEN, 0, false);
	for (int i = 0; i < 20000; i++)
		world_poll(w);
	/* The fault holds: not one of B's commands has its response. */
	for (unsigned int i = 0; i < N; i++)
		assert_int_equal(nvsim_hq_reap(nvsim_host_io(b, 1), &x[i].cmd), -EAGAIN);
	st = stats_of(w);
	print_message("seed %#x: host B's %u Writes and Reads unanswered (RNR); pool in use "
		      "%zu KiB, %u waiting, %" PRIu64 " grants\n",
		      SEED, N, st.pool_in_use / KIB, st.pool_waiting, st.pool_grants);
	assert_true(st.pool_in_use <= 32u * LEN);
	assert_int_equal(st.pool_waiting, 0);
	a = good_connect(w, 1, 7);
	fill_pattern(want, LEN, 0xa);
	if (nvsim_host_rw(a, 1, true, 1, 4096, LEN / 512, want, LEN, &hs) ||
	    nvsim_host_rw(a, 1, false, 1, 4096, LEN / 512, got, LEN, &hs))
		fail_msg("host A: %s", nvsim_host_status_str(&hs, false, msg, sizeof(msg)));
	assert_memory_equal(want, got, LEN);
	/* B gives up on its unanswered Writes. */
	for (unsigned int k = 0; k < N; k++)
		nvsim_hq_buf_dereg(&x[k].cmd.hb);
	nvsim_host_disconnect(a);
	nvsim_host_disconnect(b);
	for (int i = 0; i < 64; i++)
		world_poll(w);
	assert_int_equal(stats_of(w).conns, 0);
	free(data);
	free(want);
	free(got);
	world_free(w);
}

/* Host A reads a pattern through a pool of one 64 KiB run; host B then
 * asks for Identify Controller into 64 KiB: refused (Data SGL Length
 * Invalid), and nothing of the pool's, A's bytes, reaches B's buffer. */
static void test_no_bytes_of_another_host_leak(void **state)
{
	enum { LEN = 64 * 1024 };
	struct world_opts o = { .mdts = 4, .ns_bytes = 1ull << 20, .pool_bytes = LEN };
	struct world *w = world_new(&o);
	uint8_t *want = malloc(LEN), *got = malloc(LEN), *zero = calloc(1, LEN);
	struct nvsim_sqe sqe = { .opcode = nvme_admin_identify };
	struct nvsim_host_status hs;
	struct nvsim_host *a, *b;
	struct nvsim_hcmd cmd = { 0 };
	char msg[200];
	int ret;

	(void)state;
	assert_non_null(want);
	assert_non_null(got);
	assert_non_null(zero);
	a = good_connect(w, 1, 7);
	fill_pattern(want, LEN, 0x1ea4);
	if (nvsim_host_rw(a, 1, true, 1, 0, LEN / 512, want, LEN, &hs) ||
	    nvsim_host_rw(a, 1, false, 1, 0, LEN / 512, got, LEN, &hs))
		fail_msg("host A: %s", nvsim_host_status_str(&hs, false, msg, sizeof(msg)));
	assert_memory_equal(want, got, LEN);
	b = good_connect(w, 1, 7);
	memset(got, 0xee, LEN);
	sqe.cdw10 = htole32(NVME_IDENTIFY_CNS_CTRL);
	assert_int_equal(nvsim_hq_start(nvsim_host_admin(b), &sqe, got, LEN, NVSIM_DIR_C2H, &cmd),
			 0);
	for (int i = 0; (ret = nvsim_hq_reap(nvsim_host_admin(b), &cmd)) == -EAGAIN &&
			i < 1000000; i++)
		world_poll(w);
	assert_int_equal(ret, 0);
	assert_int_equal(nvsim_cqe_status_field(&cmd.cqe),
			 NVSIM_SC_GENERIC(NVME_SC_SGL_INVALID_DATA));
	memset(zero, 0xee, LEN);
	assert_memory_equal(got, zero, LEN);
	nvsim_host_disconnect(a);
	nvsim_host_disconnect(b);
	free(want);
	free(got);
	free(zero);
	world_free(w);
}

/* A host's I/O queue dies with Writes in flight, more than the pool holds
 * (4 runs; the link severed under its 9th RDMA READ): afterwards the pool is idle,
 * nobody waits, and the target holds what it held before the host came. */
static void test_a_drop_mid_flight_returns_everything(void **state)
{
	enum { N = 32, LEN = 64 * 1024 };
	struct world_opts o = { .mdts = 4, .ns_bytes = 8ull << 20, .pool_bytes = 256 * KIB };
	struct world *w = world_new(&o);
	struct verbs_fake_fault drop = { .kind = VERBS_FAKE_FAULT_DROP_CONNECTION,
					 .opcodes = 1u << VERBS_WR_RDMA_READ, .skip = 8,
					 .count = 1 };
	struct nvsim_rdma_target_stats st0, st;
	uint8_t *data = malloc((size_t)N * LEN);
	struct xfer x[N];
	struct nvsim_host *h;

	(void)state;
	assert_non_null(data);
	memset(x, 0, sizeof(x));
	for (unsigned int i = 0; i < N; i++)
		x[i].buf = data + (size_t)i * LEN;
	nvsim_host_disconnect(good_connect(w, 1, N - 1));
	for (int i = 0; i < 64; i++)
		world_poll(w);
	st0 = stats_of(w);
	h = good_connect(w, 1, N - 1);
	assert_int_equal(verbs_fake_inject(w->fab, &drop), 0);
	start_io(nvsim_host_io(h, 1), x, N, LEN, 0, true);
	for (int i = 0; i < 20000; i++) {
		world_poll(w);
		for (unsigned int k = 0; k < N; k++)
			if (!x[k].cmd.done && nvsim_hq_reap(nvsim_host_io(h, 1), &x[k].cmd) == 0)
				x[k].cmd.done = true;
	}
	st = stats_of(w);
	print_message("seed %#x: after the drop: %u connections, pool in use %zu KiB, "
		      "%u waiting (at most %u), %" PRIu64 " grants\n",
		      SEED, st.conns, st.pool_in_use / KIB, st.pool_waiting, st.pool_max_waiting,
		      st.pool_grants);
	assert_true(st.pool_max_waiting > 0);
	assert_int_equal(st.pool_in_use, 0);
	assert_int_equal(st.pool_waiting, 0);
	for (unsigned int k = 0; k < N; k++)
		if (!x[k].cmd.done)
			nvsim_hq_buf_dereg(&x[k].cmd.hb);
	nvsim_host_disconnect(h);
	for (int i = 0; i < 64; i++)
		world_poll(w);
	st = stats_of(w);
	assert_int_equal(st.conns, 0);
	assert_int_equal(st.pool_in_use, 0);
	assert_int_equal(st.mem_bytes, st0.mem_bytes);
	free(data);
	world_free(w);
}

static void test_a_pool_below_one_transfer_is_refused(void **state)
{
	struct nvsim_rdma_target_config rc;
	struct nvsim_target_config tc;
	char why[200];

	(void)state;
	nvsim_target_config_init(&tc);
	nvsim_rdma_target_config_init(&rc);
	assert_int_equal(nvsim_rdma_target_config_check(&rc, &tc, why, sizeof(why)), 0);
	rc.buffer_pool_bytes = 512 * KIB; /* MDTS 8: 1 MiB per command */
	assert_int_equal(nvsim_rdma_target_config_check(&rc, &tc, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "buffer_pool_bytes 524288"));
	assert_non_null(strstr(why, "MDTS 8"));
	rc.buffer_pool_bytes = NVSIM_RDMA_POOL_MAX_BYTES + 1;
	assert_int_equal(nvsim_rdma_target_config_check(&rc, &tc, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "above the cap of 16 GiB"));
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_10000_connections_without_connect_stay_bounded),
	cmocka_unit_test(test_the_port_cap_refuses_with_no_rsc),
	cmocka_unit_test(test_the_connect_timer_fires_at_its_edge),
	cmocka_unit_test(test_128_queues_every_entry_mdts_sized_through_a_small_pool),
	cmocka_unit_test(test_a_pool_below_one_transfer_is_refused),
	cmocka_unit_test(test_before_connect_no_data_but_connects),
	cmocka_unit_test(test_pending_connections_are_capped),
	cmocka_unit_test(test_receive_rings_are_capped),
	cmocka_unit_test(test_a_host_withholding_receives_starves_nobody),
	cmocka_unit_test(test_no_bytes_of_another_host_leak),
	cmocka_unit_test(test_a_drop_mid_flight_returns_everything),
};

NVMFSIM_TEST_MAIN(tests)
