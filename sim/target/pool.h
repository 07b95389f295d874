/* The target's data buffers: one region, registered once, cut into 4 KiB
 * units and handed out as power-of-two runs (a buddy allocator), so every
 * transfer gets one contiguous buffer: one SGE per RDMA operation and one
 * iovec for sim/ctrl, whatever the transfer's size.
 *
 * A request that finds no run free waits in one FIFO, all or nothing: it
 * is granted its whole run or nothing, and nobody behind it is served
 * first.  Holders never wait for more, so every wait ends once the
 * transfers in flight finish.  Nothing here allocates after create, and
 * nothing touches the buffers' bytes (what the data overwrites is not
 * cleared first). */
#ifndef NVSIM_TARGET_POOL_H
#define NVSIM_TARGET_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NVSIM_POOL_UNIT 4096u

struct nvsim_pool;

/* One request, embedded in its owner.  granted is called when a waiting
 * request gets its buffer (never from nvsim_pool_get itself). */
struct nvsim_pool_req {
	struct nvsim_pool_req *next, *prev; /* the FIFO, while waiting */
	void (*granted)(struct nvsim_pool_req *req);
	uint8_t *buf; /* the run, once granted */
	uint32_t first; /* its first unit */
	uint8_t order;	/* 2^order units */
	bool waiting;
	bool held;
};

struct nvsim_pool_stats {
	size_t size_bytes;	 /* the region */
	size_t max_xfer_bytes;	 /* the largest run a request may ask for */
	size_t meta_bytes;	 /* bookkeeping beside the region */
	size_t in_use_bytes;	 /* in runs held now */
	size_t high_water_bytes; /* most ever held at once */
	uint64_t grants;	 /* requests served */
	uint64_t waits;		 /* of those, how many had to wait */
	uint32_t waiting;	 /* in the FIFO now */
	uint32_t max_waiting;	 /* most ever in the FIFO at once */
};

/* A pool of size bytes (rounded down to whole runs of max_xfer) serving
 * requests of up to max_xfer bytes.  -EINVAL: size below one max_xfer
 * run, or max_xfer 0; -ENOMEM. */
int nvsim_pool_create(size_t size, size_t max_xfer, struct nvsim_pool **out);
void nvsim_pool_destroy(struct nvsim_pool *p);
void *nvsim_pool_base(const struct nvsim_pool *p);
size_t nvsim_pool_size(const struct nvsim_pool *p);
/* What a pool created with these arguments would hold (0: refused). */
size_t nvsim_pool_size_for(size_t size, size_t max_xfer);

/* 0: granted now (req->buf set); 1: queued, req->granted follows;
 * -EINVAL: len 0 or above max_xfer; -EBUSY: req already in use. */
int nvsim_pool_get(struct nvsim_pool *p, struct nvsim_pool_req *req, size_t len);
/* Give a granted run back; waiters it satisfies are granted, in order. */
void nvsim_pool_put(struct nvsim_pool *p, struct nvsim_pool_req *req);
/* Leave the FIFO without a buffer (a request whose owner goes away). */
void nvsim_pool_cancel(struct nvsim_pool *p, struct nvsim_pool_req *req);
void nvsim_pool_get_stats(const struct nvsim_pool *p, struct nvsim_pool_stats *st);

#endif
