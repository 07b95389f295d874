/* verbs_pingpong: both ends of an RC connection in one process, over any
 * provider of the verbs shim.  Run with --help for what it does and how. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "verbs/fake.h"
#include "verbs/verbs.h"

enum {
	EXIT_SKIP = 77,
	MAX_DEPTH = 64,
	PDATA_MAGIC = 0x50494e47,  /* "PING" */
	WAIT_SECONDS = 30,
};

#define MAX_CHUNK (64ull << 20)
#define MAX_BYTES (1ull << 40)

struct options {
	const char *provider;
	const char *device;
	const char *addr;
	uint64_t bytes;
	uint64_t chunk;
	uint32_t depth;
	uint32_t messages;
	uint32_t msg_size;
	uint64_t seed;
	uint32_t corrupt_ppm;
	bool verbose;
};

/* What the server tells the client in its accept private data. */
struct region_ad {
	uint32_t magic;
	uint32_t rkey;
	uint64_t addr;
	uint64_t length;
};

struct end {
	struct verbs_cq *cq;
	struct verbs_cm_channel *ch;
	struct verbs_cm_id *id;
	struct verbs_qp *qp;
	uint8_t *buf;
	size_t len;
	struct verbs_mr *mr;
};

struct run {
	struct options opt;
	struct verbs_fake_fabric *fab;
	struct verbs_device *dev;
	struct verbs_pd *pd;
	struct verbs_cm_id *listener;
	struct end c, s;
	struct region_ad remote;
	uint64_t mismatches;
	uint64_t send_bytes, write_bytes, read_bytes;
};

static void usage(FILE *out)
{
	fprintf(out,
"usage: verbs_pingpong [options]\n"
"\n"
"Runs a client and a server in this one process, connected over RDMA through\n"
"the verbs shim, and moves data three ways, verifying every byte:\n"
"  1. SEND/RECV ping-pong: the client SENDs a message, the server echoes it\n"
"     back with a SEND; the client compares checksums.\n"
"  2. RDMA WRITE: the client writes --bytes of seeded data, --chunk at a time,\n"
"     into a region the server advertised (address + rkey in the accept's\n"
"     private data).\n"
"  3. RDMA READ: after each WRITE the client reads the chunk back (same QP,\n"
"     so RC ordering makes the READ see the WRITE) and checks its checksum.\n"
"It prints the seed, the bytes moved, checksum mismatches and throughput.\n"
"\n"
"options:\n"
"  --provider fake|ibv  fake: the deterministic in-process fake (default);\n"
"                       ibv: rdma-core (rxe, siw, mlx5...); needs an RDMA device\n"
"  --device NAME        ibv device name (default: the first one)\n"
"  --addr HOST:PORT     listen/connect address (default fake:pingpong:18515 for\n"
"                       fake; for ibv give an IP of the RDMA device's netdev)\n"
"  --bytes N            bytes to RDMA WRITE and READ back (default 64M);\n"
"                       suffixes K, M, G (binary)\n"
"  --chunk N            bytes per WRITE/READ (default 1M, max 64M)\n"
"  --depth N            chunks in flight (default 8, max %d)\n"
"  --messages N         SEND/RECV round trips (default 64)\n"
"  --msg-size N         bytes per SEND (default 4096)\n"
"  --seed S             data pattern seed, and the fake's scheduler seed\n"
"                       (default 1); the same seed replays the same run\n"
"  --corrupt-ppm P      fake only: corrupt one byte of P in a million\n"
"                       transfers, to see the checksums catch it\n"
"  -v, --verbose        print the device's limits before running\n"
"  --help               this text\n"
"\n"
"exit status: 0 all data verified; 1 mismatch or error; 2 bad usage;\n"
"77 the provider has no device here (\"no RDMA device\") or is not built in.\n"
"\n"
"examples:\n"
"  verbs_pingpong --bytes 1G --seed 42\n"
"  verbs_pingpong --provider ibv --device rxe0 --addr 192.168.122.10:18515\n",
		MAX_DEPTH);
}

/* ---- option parsing ----------------------------------------------------------- */

static int parse_size(const char *text, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned int shift = 0;

	errno = 0;
	v = strtoull(text, &end, 0);
	if (errno || end == text || text[0] == '-')
		return -EINVAL;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	default: break;
	}
	if (*end || v > (max >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_u32(const char *text, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (parse_size(text, max, &v) || v < min)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	int i;

	*o = (struct options){ .provider = "fake", .bytes = 64ull << 20, .chunk = 1ull << 20,
			       .depth = 8, .messages = 64, .msg_size = 4096, .seed = 1 };
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		int rc = 0;

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			usage(stdout);
			exit(0);
		}
		if (strcmp(arg, "--verbose") == 0 || strcmp(arg, "-v") == 0) {
			o->verbose = true;
			continue;
		}
		if (!val) {
			fprintf(stderr, "verbs_pingpong: %s needs a value (see --help)\n", arg);
			return -EINVAL;
		}
		i++;
		if (strcmp(arg, "--provider") == 0)
			o->provider = val;
		else if (strcmp(arg, "--device") == 0)
			o->device = val;
		else if (strcmp(arg, "--addr") == 0)
			o->addr = val;
		else if (strcmp(arg, "--bytes") == 0)
			rc = parse_size(val, MAX_BYTES, &o->bytes);
		else if (strcmp(arg, "--chunk") == 0)
			rc = parse_size(val, MAX_CHUNK, &o->chunk);
		else if (strcmp(arg, "--depth") == 0)
			rc = parse_u32(val, 1, MAX_DEPTH, &o->depth);
		else if (strcmp(arg, "--messages") == 0)
			rc = parse_u32(val, 0, 1u << 24, &o->messages);
		else if (strcmp(arg, "--msg-size") == 0)
			rc = parse_u32(val, 16, 1u << 20, &o->msg_size);
		else if (strcmp(arg, "--seed") == 0)
			rc = parse_size(val, UINT64_MAX, &o->seed);
		else if (strcmp(arg, "--corrupt-ppm") == 0)
			rc = parse_u32(val, 0, 1000000, &o->corrupt_ppm);
		else
			rc = -ENOENT;
		if (rc) {
			fprintf(stderr, "verbs_pingpong: bad option %s %s (see --help)\n", arg, val);
			return -EINVAL;
		}
	}
	if (o->chunk == 0) {
		fprintf(stderr, "verbs_pingpong: --chunk must be at least 1 byte\n");
		return -EINVAL;
	}
	if (!o->addr)
		o->addr = strcmp(o->provider, "fake") == 0 ? "fake:pingpong:18515"
							   : "127.0.0.1:18515";
	return 0;
}

/* ---- data pattern and checksum ------------------------------------------------------ */

/* Seeded bytes for chunk `index`: xorshift64 words, reproducible anywhere. */
static void fill_pattern(uint8_t *buf, size_t len, uint64_t seed, uint64_t index)
{
	uint64_t x = (seed ^ (index * 0x9e3779b97f4a7c15ull)) | 1;
	size_t off = 0;

	while (off < len) {
		size_t n = len - off < 8 ? len - off : 8;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(buf + off, &x, n);
		off += n;
	}
}

/* Fletcher-style: two running sums over 64-bit words, so a changed,
 * swapped or missing word shows. */
static uint64_t checksum(const uint8_t *buf, size_t len)
{
	uint64_t a = 1, b = 0, w;
	size_t off = 0;

	for (; off + 8 <= len; off += 8) {
		memcpy(&w, buf + off, 8);
		a += w;
		b += a;
	}
	w = 0;
	memcpy(&w, buf + off, len - off);
	a += w;
	b += a;
	return a ^ (b * 0x100000001b3ull) ^ len;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- setup ------------------------------------------------------------------------- */

static int end_open(struct run *r, struct end *e, size_t len, unsigned int access)
{
	struct verbs_cq_attr cqa = { .cqe = 4 * MAX_DEPTH + 16 };
	int rc;

	rc = verbs_cq_create(r->dev, &cqa, &e->cq);
	if (rc)
		return rc;
	rc = verbs_cm_channel_create(r->dev, &e->ch);
	if (rc)
		return rc;
	e->len = len;
	e->buf = calloc(1, len);
	if (!e->buf)
		return -ENOMEM;
	return verbs_mr_reg(r->pd, e->buf, len, access, &e->mr);
}

static void end_close_conn(struct end *e)
{
	if (e->qp)
		verbs_qp_destroy(e->qp);
	if (e->id)
		verbs_cm_id_destroy(e->id);
}

/* After end_close_conn of every end: a channel outlives its ids. */
static void end_close(struct end *e)
{
	if (e->mr)
		verbs_mr_dereg(e->mr);
	free(e->buf);
	if (e->cq)
		verbs_cq_destroy(e->cq);
	if (e->ch)
		verbs_cm_channel_destroy(e->ch);
}

static int wait_event(struct verbs_cm_channel *ch, enum verbs_cm_event_type want,
		      struct verbs_cm_event *ev)
{
	double deadline = now_seconds() + WAIT_SECONDS;
	int rc;

	do {
		rc = verbs_cm_get_event(ch, ev);
		if (rc == 0 && ev->type == want)
			return 0;
		if (rc == 0) {
			fprintf(stderr, "verbs_pingpong: expected %s, got %s (status %d)\n",
				verbs_cm_event_str(want), verbs_cm_event_str(ev->type), ev->status);
			return -EPROTO;
		}
	} while (rc == -EAGAIN && now_seconds() < deadline);
	fprintf(stderr, "verbs_pingpong: no %s: %s\n", verbs_cm_event_str(want),
		rc == -EAGAIN ? "timed out" : strerror(-rc));
	return rc == -EAGAIN ? -ETIMEDOUT : rc;
}

static int create_qp(struct run *r, struct end *e)
{
	struct verbs_qp_init_attr qa = {
		.send_cq = e->cq,
		.recv_cq = e->cq,
		.cap = { .max_send_wr = 2 * MAX_DEPTH + 4, .max_recv_wr = 4,
			 .max_send_sge = 1, .max_recv_sge = 1 },
	};

	return verbs_qp_create(e->id, r->pd, &qa, &e->qp);
}

static int open_device(struct run *r)
{
	struct verbs_open_opts opts = { .provider = r->opt.provider, .device = r->opt.device };
	int rc;

	if (strcmp(r->opt.provider, "fake") == 0) {
		struct verbs_fake_config cfg = { .seed = r->opt.seed };

		rc = verbs_fake_fabric_create(&cfg, &r->fab);
		if (rc)
			return rc;
		opts.fabric = r->fab;
	}
	return verbs_device_open(&opts, &r->dev);
}

static int inject_corruption(struct run *r)
{
	struct verbs_fake_fault f = { .kind = VERBS_FAKE_FAULT_CORRUPT, .ppm = r->opt.corrupt_ppm,
				      .value = 1 };

	if (!r->opt.corrupt_ppm)
		return 0;
	if (!r->fab) {
		fprintf(stderr, "verbs_pingpong: --corrupt-ppm needs --provider fake\n");
		return -EINVAL;
	}
	return verbs_fake_inject(r->fab, &f);
}

static int connect_ends(struct run *r)
{
	struct verbs_conn_param cp = { .retry_count = 7, .rnr_retry_count = 7,
				       .responder_resources = 1, .initiator_depth = 1 };
	struct region_ad ad = { .magic = PDATA_MAGIC };
	struct verbs_cm_event ev;
	int rc;

	rc = verbs_cm_id_create(r->s.ch, NULL, &r->listener);
	if (!rc)
		rc = verbs_cm_listen(r->listener, r->opt.addr, 4);
	if (!rc)
		rc = verbs_cm_id_create(r->c.ch, NULL, &r->c.id);
	if (!rc)
		rc = verbs_cm_resolve(r->c.id, r->opt.addr, 2000);
	if (!rc)
		rc = wait_event(r->c.ch, VERBS_CM_EVENT_ROUTE_RESOLVED, &ev);
	if (!rc)
		rc = create_qp(r, &r->c);
	if (!rc)
		rc = verbs_cm_connect(r->c.id, &cp);
	if (!rc)
		rc = wait_event(r->s.ch, VERBS_CM_EVENT_CONNECT_REQUEST, &ev);
	if (rc)
		return rc;
	r->s.id = ev.id;
	rc = create_qp(r, &r->s);
	if (rc)
		return rc;
	/* The server's RDMA region is the first half of its buffer; the
	 * second half holds its SEND/RECV message slots. */
	ad.addr = (uint64_t)(uintptr_t)r->s.buf;
	ad.length = r->opt.chunk * r->opt.depth;
	ad.rkey = verbs_mr_rkey(r->s.mr);
	cp.private_data = &ad;
	cp.private_data_len = sizeof(ad);
	rc = verbs_cm_accept(r->s.id, &cp);
	if (!rc)
		rc = wait_event(r->c.ch, VERBS_CM_EVENT_ESTABLISHED, &ev);
	if (rc)
		return rc;
	memcpy(&r->remote, ev.private_data, sizeof(r->remote));
	/* Never write past what the peer said it has. */
	if (ev.private_data_len < sizeof(r->remote) || r->remote.magic != PDATA_MAGIC ||
	    r->remote.length < r->opt.chunk * r->opt.depth) {
		fprintf(stderr, "verbs_pingpong: server advertised no usable region\n");
		return -EPROTO;
	}
	return wait_event(r->s.ch, VERBS_CM_EVENT_ESTABLISHED, &ev);
}

/* ---- transfers ------------------------------------------------------------------------- */

static int post_one(struct end *e, enum verbs_wr_opcode op, uint64_t wr_id, uint8_t *local,
		    uint32_t len, uint64_t raddr, uint32_t rkey)
{
	struct verbs_sge sge = { (uint64_t)(uintptr_t)local, len, verbs_mr_lkey(e->mr) };
	struct verbs_send_wr wr = { .wr_id = wr_id, .sg_list = &sge, .num_sge = 1, .opcode = op,
				    .send_flags = VERBS_SEND_SIGNALED, .remote_addr = raddr,
				    .rkey = rkey };

	return verbs_post_send(e->qp, &wr, NULL);
}

static int post_recv_into(struct end *e, uint8_t *local, uint32_t len)
{
	struct verbs_sge sge = { (uint64_t)(uintptr_t)local, len, verbs_mr_lkey(e->mr) };
	struct verbs_recv_wr wr = { .wr_id = 0, .sg_list = &sge, .num_sge = 1 };

	return verbs_post_recv(e->qp, &wr, NULL);
}

/* Waits for one successful completion on e's CQ. */
static int wait_wc(struct end *e, struct verbs_wc *wc)
{
	double deadline = now_seconds() + WAIT_SECONDS;
	int n;

	do {
		n = verbs_poll_cq(e->cq, 1, wc);
		if (n == 1) {
			if (wc->status == VERBS_WC_SUCCESS)
				return 0;
			fprintf(stderr, "verbs_pingpong: wr %" PRIu64 ": %s\n", wc->wr_id,
				verbs_wc_status_str(wc->status));
			return -EIO;
		}
	} while (n == 0 && now_seconds() < deadline);
	return n < 0 ? n : -ETIMEDOUT;
}

/* The client reaps two completions, its SEND and the pong, in whichever
 * order the provider reports them; wc gets the RECV. */
static int wait_recv(struct end *e, struct verbs_wc *wc)
{
	struct verbs_wc first;
	int rc;

	rc = wait_wc(e, &first);
	if (!rc)
		rc = wait_wc(e, wc);
	if (!rc && first.opcode == VERBS_WC_RECV)
		*wc = first;
	return rc;
}

static int ping_pong(struct run *r)
{
	uint32_t size = r->opt.msg_size;
	uint8_t *c_msg = r->c.buf + r->c.len - 2 * (size_t)size;
	uint8_t *c_pong = c_msg + size;
	uint8_t *s_msg = r->s.buf + r->s.len - size;
	struct verbs_wc wc;
	uint32_t i;
	int rc;

	for (i = 0; i < r->opt.messages; i++) {
		uint64_t expect;

		fill_pattern(c_msg, size, r->opt.seed, UINT64_MAX - i);
		expect = checksum(c_msg, size);
		rc = post_recv_into(&r->s, s_msg, size);
		if (!rc)
			rc = post_recv_into(&r->c, c_pong, size);
		if (!rc)
			rc = post_one(&r->c, VERBS_WR_SEND, 1, c_msg, size, 0, 0);
		if (!rc)
			rc = wait_wc(&r->s, &wc);  /* ping arrived */
		if (!rc)
			rc = post_one(&r->s, VERBS_WR_SEND, 2, s_msg, wc.byte_len, 0, 0);
		if (!rc)
			rc = wait_wc(&r->s, &wc);  /* echo sent */
		if (!rc)
			rc = wait_recv(&r->c, &wc);  /* ping sent, pong arrived */
		if (rc)
			return rc;
		if (wc.byte_len != size || checksum(c_pong, size) != expect)
			r->mismatches++;
		r->send_bytes += 2ull * size;
	}
	return 0;
}

struct slot {
	bool busy;
	uint64_t expect;
	uint32_t len;
};

/* WRITE chunk i into remote slot i % depth, then READ it back. */
static int rdma_post_chunk(struct run *r, struct slot *slots, uint64_t i, uint64_t done)
{
	uint32_t k = (uint32_t)(i % r->opt.depth);
	uint64_t left = r->opt.bytes - done;
	uint32_t len = (uint32_t)(left < r->opt.chunk ? left : r->opt.chunk);
	uint8_t *src = r->c.buf + (size_t)k * r->opt.chunk;
	uint8_t *back = src + (size_t)r->opt.depth * r->opt.chunk;
	uint64_t raddr = r->remote.addr + (uint64_t)k * r->opt.chunk;
	int rc;

	fill_pattern(src, len, r->opt.seed, i);
	slots[k].expect = checksum(src, len);
	slots[k].len = len;
	slots[k].busy = true;
	rc = post_one(&r->c, VERBS_WR_RDMA_WRITE, (uint64_t)k << 1, src, len, raddr,
		      r->remote.rkey);
	if (!rc)
		rc = post_one(&r->c, VERBS_WR_RDMA_READ, (uint64_t)k << 1 | 1, back, len, raddr,
			      r->remote.rkey);
	return rc;
}

static int rdma_reap(struct run *r, struct slot *slots)
{
	struct verbs_wc wc;
	uint32_t k;
	int rc;

	rc = wait_wc(&r->c, &wc);
	if (rc)
		return rc;
	k = (uint32_t)(wc.wr_id >> 1);
	if (k >= r->opt.depth)
		return -EPROTO;
	if (!(wc.wr_id & 1)) {
		r->write_bytes += slots[k].len;
		return 0;
	}
	r->read_bytes += wc.byte_len;
	if (wc.byte_len != slots[k].len ||
	    checksum(r->c.buf + ((size_t)r->opt.depth + k) * r->opt.chunk, slots[k].len) !=
		    slots[k].expect)
		r->mismatches++;
	slots[k].busy = false;
	return 0;
}

static int rdma_write_read(struct run *r)
{
	struct slot slots[MAX_DEPTH] = { { 0 } };
	uint64_t done = 0, i = 0;
	uint32_t k, inflight = 0;
	int rc;

	while (done < r->opt.bytes || inflight) {
		k = (uint32_t)(i % r->opt.depth);
		if (done < r->opt.bytes && !slots[k].busy) {
			rc = rdma_post_chunk(r, slots, i, done);
			if (rc)
				return rc;
			done += slots[k].len;
			i++;
			inflight++;
			continue;
		}
		rc = rdma_reap(r, slots);
		if (rc)
			return rc;
		inflight = 0;
		for (k = 0; k < r->opt.depth; k++)
			inflight += slots[k].busy;
	}
	return 0;
}

static int disconnect_ends(struct run *r)
{
	struct verbs_cm_event ev;
	int rc;

	rc = verbs_cm_disconnect(r->c.id);
	if (!rc)
		rc = wait_event(r->s.ch, VERBS_CM_EVENT_DISCONNECTED, &ev);
	if (rc)
		fprintf(stderr, "verbs_pingpong: the server side never saw the disconnect\n");
	/* On real IB/RoCE the passive side answers the DREQ with its own
	 * disconnect (the DREP); only then does the active side hear back.
	 * The fake has already done both: its answer is ignored. */
	if (!rc)
		(void)verbs_cm_disconnect(r->s.id);
	if (!rc) {
		rc = wait_event(r->c.ch, VERBS_CM_EVENT_DISCONNECTED, &ev);
		if (rc)
			fprintf(stderr, "verbs_pingpong: the client side never saw the disconnect\n");
	}
	return rc;
}

static void teardown(struct run *r)
{
	end_close_conn(&r->c);
	end_close_conn(&r->s);
	if (r->listener)
		verbs_cm_id_destroy(r->listener);
	end_close(&r->c);
	end_close(&r->s);
	if (r->pd)
		verbs_pd_dealloc(r->pd);
	if (r->dev)
		verbs_device_close(r->dev);
	if (r->fab)
		verbs_fake_fabric_destroy(r->fab);
}

static void report(const struct run *r, double seconds)
{
	double rdma_mib = (double)(r->write_bytes + r->read_bytes) / (1024.0 * 1024.0);

	printf("provider:   %s\n", r->opt.provider);
	printf("seed:       %" PRIu64 "\n", r->opt.seed);
	printf("send/recv:  %" PRIu64 " bytes in %u round trips\n", r->send_bytes,
	       r->opt.messages);
	printf("rdma write: %" PRIu64 " bytes\n", r->write_bytes);
	printf("rdma read:  %" PRIu64 " bytes\n", r->read_bytes);
	printf("mismatches: %" PRIu64 "\n", r->mismatches);
	printf("rdma time:  %.3f s\n", seconds);
	printf("throughput: %.1f MiB/s (rdma write + read)\n",
	       seconds > 0 ? rdma_mib / seconds : 0.0);
}

static int run_all(struct run *r)
{
	unsigned int rw = VERBS_ACCESS_LOCAL_WRITE | VERBS_ACCESS_REMOTE_WRITE |
			  VERBS_ACCESS_REMOTE_READ;
	size_t region = (size_t)r->opt.chunk * r->opt.depth;
	double start;
	int rc;

	rc = verbs_pd_alloc(r->dev, &r->pd);
	if (!rc)
		rc = end_open(r, &r->c, 2 * region + 2 * (size_t)r->opt.msg_size,
			      VERBS_ACCESS_LOCAL_WRITE);
	if (!rc)
		rc = end_open(r, &r->s, region + r->opt.msg_size, rw);
	if (!rc)
		rc = inject_corruption(r);
	if (!rc)
		rc = connect_ends(r);
	if (!rc)
		rc = ping_pong(r);
	if (rc)
		return rc;
	start = now_seconds();
	rc = rdma_write_read(r);
	if (rc)
		return rc;
	report(r, now_seconds() - start);
	return disconnect_ends(r);
}

/* The limits the device reports, by name, as the consumer sees them. */
static int print_limits(struct run *r)
{
	struct verbs_device_attr attr;
	char text[2048];
	int rc, n;

	rc = verbs_device_query(r->dev, &attr);
	if (rc)
		return rc;
	n = verbs_device_attr_format(&attr, "  ", text, sizeof(text));
	if (n < 0)
		return n;
	printf("device limits (provider %s%s%s):\n%s", verbs_device_provider(r->dev),
	       r->opt.device ? ", device " : "", r->opt.device ? r->opt.device : "", text);
	if ((size_t)n >= sizeof(text))
		printf("  (list cut short)\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct run r;
	int rc;

	memset(&r, 0, sizeof(r));
	if (parse_options(argc, argv, &r.opt))
		return 2;
	rc = open_device(&r);
	if (rc == -ENODEV || rc == -EPROTONOSUPPORT) {
		printf("verbs_pingpong: no RDMA device for provider '%s' (%s); skipping\n",
		       r.opt.provider, rc == -ENODEV ? "none present on this machine"
						      : "provider not built in");
		teardown(&r);
		return EXIT_SKIP;
	}
	if (rc) {
		fprintf(stderr, "verbs_pingpong: cannot open provider '%s': %s\n", r.opt.provider,
			strerror(-rc));
		teardown(&r);
		return rc == -ENOENT ? 2 : 1;
	}
	if (r.opt.verbose) {
		rc = print_limits(&r);
		if (rc)
			fprintf(stderr, "verbs_pingpong: cannot query the device: %s\n",
				strerror(-rc));
	}
	rc = run_all(&r);
	if (rc)
		fprintf(stderr, "verbs_pingpong: failed: %s\n", strerror(-rc));
	teardown(&r);
	if (rc)
		return 1;
	return r.mismatches ? 1 : 0;
}
