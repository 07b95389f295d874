/* The command data buffer: a scatter list the transport filled (host to
 * controller) or will send back (controller to host).  Every copy is
 * bounds-checked against the list, so a handler can never step outside what
 * the host described. */
#include <errno.h>
#include <string.h>

#include "ctrl/ctrl.h"

void nvsim_data_init_flat(struct nvsim_data *data, struct nvsim_iov *iov, void *buf, size_t len)
{
	iov->base = buf;
	iov->len = len;
	data->iov = iov;
	data->iovcnt = 1;
	data->len = len;
}

/* Calls fn on each piece of [off, off + len) of the buffer, in order. */
static int data_walk(const struct nvsim_data *data, size_t off, size_t len,
		     void (*fn)(void *seg, size_t n, void *ctx), void *ctx)
{
	if (!data || off > data->len || len > data->len - off)
		return -ERANGE;
	for (unsigned i = 0; i < data->iovcnt && len; i++) {
		const struct nvsim_iov *v = &data->iov[i];
		size_t n;

		if (off >= v->len) {
			off -= v->len;
			continue;
		}
		n = v->len - off < len ? v->len - off : len;
		fn((char *)v->base + off, n, ctx);
		off = 0;
		len -= n;
	}
	return len ? -ERANGE : 0;
}

struct copy_ctx {
	char *flat;
	int fill;
};

static void seg_to_flat(void *seg, size_t n, void *arg)
{
	struct copy_ctx *c = arg;

	memcpy(c->flat, seg, n);
	c->flat += n;
}

static void flat_to_seg(void *seg, size_t n, void *arg)
{
	struct copy_ctx *c = arg;

	memcpy(seg, c->flat, n);
	c->flat += n;
}

static void fill_seg(void *seg, size_t n, void *arg)
{
	struct copy_ctx *c = arg;

	memset(seg, c->fill, n);
}

int nvsim_data_copy_out(const struct nvsim_data *data, size_t off, void *dst, size_t len)
{
	struct copy_ctx c = { .flat = dst };

	return data_walk(data, off, len, seg_to_flat, &c);
}

int nvsim_data_copy_in(struct nvsim_data *data, size_t off, const void *src, size_t len)
{
	struct copy_ctx c = { .flat = (char *)(uintptr_t)src };

	return data_walk(data, off, len, flat_to_seg, &c);
}

int nvsim_data_fill(struct nvsim_data *data, size_t off, int byte, size_t len)
{
	struct copy_ctx c = { .fill = byte };

	return data_walk(data, off, len, fill_seg, &c);
}
