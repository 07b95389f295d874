/* The file back end: pread/pwrite on a regular file (or block device),
 * extended sparsely to the namespace size when it is shorter. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctrl/ns.h"

struct file_be {
	int fd;
};

static int file_read(void *be, uint64_t off, void *buf, size_t len)
{
	struct file_be *f = be;
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(f->fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0) { /* past EOF of a shrunken file: zeros, as if deallocated */
			memset(p, 0, len);
			return 0;
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int file_write(void *be, uint64_t off, const void *buf, size_t len)
{
	struct file_be *f = be;
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(f->fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == ENOSPC ? -ENOSPC : -EIO;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/* Last resort: the zeros really are written, so this costs what the
 * range's length costs on the medium; 64 KiB per call keeps it to one
 * system call per 64 KiB. */
static int file_write_zeros(struct file_be *f, uint64_t off, uint64_t len)
{
	static const uint8_t zeros[64 * 1024];

	while (len) {
		size_t n = len < sizeof(zeros) ? (size_t)len : sizeof(zeros);
		int ret = file_write(f, off, zeros, n);

		if (ret)
			return ret;
		off += n;
		len -= n;
	}
	return 0;
}

/* A hole costs the file system work per extent, not per byte.  Where holes
 * cannot be punched, ZERO_RANGE still zeroes by extent (ext4, xfs) or in
 * the device (block devices: Write Zeroes or discard). */
static int file_deallocate(void *be, uint64_t off, uint64_t len)
{
	struct file_be *f = be;
	const int keep = FALLOC_FL_KEEP_SIZE;

	if (fallocate(f->fd, FALLOC_FL_PUNCH_HOLE | keep, (off_t)off, (off_t)len) == 0)
		return 0;
	if (fallocate(f->fd, FALLOC_FL_ZERO_RANGE | keep, (off_t)off, (off_t)len) == 0)
		return 0;
	return file_write_zeros(f, off, len);
}

static int file_flush(void *be)
{
	struct file_be *f = be;

	return fdatasync(f->fd) ? -errno : 0;
}

/* Holds no memory for data: the usage stays zero. */
static void file_usage(void *be, struct nvsim_ns_usage *u)
{
	(void)be;
	(void)u;
}

static void file_destroy(void *be)
{
	struct file_be *f = be;

	if (!f)
		return;
	close(f->fd);
	free(f);
}

int nvsim_ns_file_open(const struct nvsim_ns_config *cfg, void **be)
{
	struct file_be *f;
	struct stat st;
	int ret;

	if (!cfg->path || !cfg->path[0])
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	/* O_NONBLOCK: a FIFO at the path must not hold the open; fstat then
	 * refuses it and anything else that is not a file or a disk. */
	f->fd = open(cfg->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0644);
	if (f->fd < 0) {
		ret = -errno;
		goto err_free;
	}
	if (fstat(f->fd, &st)) {
		ret = -errno;
		goto err_close;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		ret = S_ISDIR(st.st_mode) ? -EISDIR : -ENODEV;
		goto err_close;
	}
	if (fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) & ~O_NONBLOCK)) {
		ret = -errno;
		goto err_close;
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size < cfg->size_bytes &&
	    ftruncate(f->fd, (off_t)cfg->size_bytes)) {
		ret = -errno;
		goto err_close;
	}
	*be = f;
	return 0;

err_close:
	close(f->fd);
err_free:
	free(f);
	return ret;
}

const struct nvsim_ns_ops nvsim_ns_file_ops = {
	.name = "file",
	.read = file_read,
	.write = file_write,
	.deallocate = file_deallocate,
	.flush = file_flush,
	.usage = file_usage,
	.destroy = file_destroy,
};
