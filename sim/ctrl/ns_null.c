/* The null back end: every write is discarded, every read returns zeros.
 * Useful for protocol tests and for pure transport throughput. */
#include <string.h>

#include "ctrl/ns.h"

static int null_read(void *be, uint64_t off, void *buf, size_t len)
{
	(void)be;
	(void)off;
	memset(buf, 0, len);
	return 0;
}

static int null_write(void *be, uint64_t off, const void *buf, size_t len)
{
	(void)be;
	(void)off;
	(void)buf;
	(void)len;
	return 0;
}

static int null_deallocate(void *be, uint64_t off, uint64_t len)
{
	(void)be;
	(void)off;
	(void)len;
	return 0;
}

/* Every block reads zeros already. */
static bool null_dealloc_zeroes(const void *be)
{
	(void)be;
	return true;
}

static int null_flush(void *be)
{
	(void)be;
	return 0;
}

/* Holds no memory for data: the usage stays zero. */
static void null_usage(void *be, struct nvsim_ns_usage *u)
{
	(void)be;
	(void)u;
}

static void null_destroy(void *be)
{
	(void)be;
}

int nvsim_ns_null_open(const struct nvsim_ns_config *cfg, void **be)
{
	(void)cfg;
	*be = NULL;
	return 0;
}

const struct nvsim_ns_ops nvsim_ns_null_ops = {
	.name = "null",
	.read = null_read,
	.write = null_write,
	.deallocate = null_deallocate,
	.dealloc_zeroes = null_dealloc_zeroes,
	.flush = null_flush,
	.usage = null_usage,
	.destroy = null_destroy,
};
