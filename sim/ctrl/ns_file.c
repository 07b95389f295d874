/* The file back end: pread/pwrite on a regular file (or block device),
 * extended sparsely to the namespace size when it is shorter.
 *
 * Deallocate punches holes, and only where the open probe found that holes
 * can be punched: then DLFEAT promises zeros and a hole costs the file
 * system work per extent (the device's Write Zeroes with unmap, on a
 * disk).  Elsewhere nothing is punched and nothing promised (DLFEAT 000b),
 * and Deallocate, advisory in NVMe, does nothing (Write Zeroes then
 * writes its zeros, no more than MDTS: io.c).  Nothing else is tried:
 * FALLOC_FL_ZERO_RANGE allocates extents in a sparse file, the opposite of
 * deallocating, and on a disk without Write Zeroes the kernel carries it
 * out by writing zero pages, the whole range while the target's one
 * thread waits. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ctrl/ns.h"

struct file_be {
	int fd;
	bool punch; /* holes can be punched: Deallocate leaves zeros behind */
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

static int file_punch(int fd, uint64_t off, uint64_t len)
{
	const int mode = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
	int ret;

	do
		ret = fallocate(fd, mode, (off_t)off, (off_t)len);
	while (ret && errno == EINTR);
	return ret ? -errno : 0;
}

/* Only EOPNOTSUPP means "no holes here" (a probe that was wrong): the
 * promise stops, and the caller decides what the command gets.  Any other
 * failure is the medium's. */
static int file_deallocate(void *be, uint64_t off, uint64_t len)
{
	struct file_be *f = be;
	int ret;

	if (!f->punch)
		return 0;
	ret = file_punch(f->fd, off, len);
	if (ret == -EOPNOTSUPP)
		f->punch = false;
	else if (ret)
		ret = ret == -ENOSPC ? -ENOSPC : -EIO;
	return ret;
}

static bool file_dealloc_zeroes(const void *be)
{
	const struct file_be *f = be;

	return f->punch;
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

/* A regular file: punch a hole past its end, which changes nothing where
 * holes are supported and fails where they are not. */
static bool probe_punch_file(int fd, uint64_t file_size)
{
	uint64_t at = (file_size + 4095) & ~4095ull;

	if (at < file_size || at > (uint64_t)INT64_MAX - 4096)
		return false;
	return file_punch(fd, at, 4096) == 0;
}

/* A disk: the kernel turns a hole into Write Zeroes with unmap allowed
 * and no fallback, so it needs the device's Write Zeroes (sysfs
 * write_zeroes_max_bytes, on the whole disk for a partition) and LBAs that
 * are whole logical blocks of the disk.  Unknown means no. */
static bool probe_punch_disk(int fd, dev_t rdev, uint32_t lba_size)
{
	static const char *const fmt[] = { "/sys/dev/block/%u:%u/queue/write_zeroes_max_bytes",
					   "/sys/dev/block/%u:%u/../queue/write_zeroes_max_bytes" };
	unsigned long long wz = 0;
	char path[96];
	int lbs = 0;

	if (ioctl(fd, BLKSSZGET, &lbs) || lbs <= 0 || lba_size % (uint32_t)lbs)
		return false;
	for (unsigned int i = 0; i < 2; i++) {
		FILE *sys;

		snprintf(path, sizeof(path), fmt[i], major(rdev), minor(rdev));
		sys = fopen(path, "re");
		if (!sys)
			continue;
		if (fscanf(sys, "%llu", &wz) != 1)
			wz = 0;
		fclose(sys);
		break;
	}
	return wz > 0;
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
	if (cfg->file_no_punch)
		f->punch = false;
	else if (S_ISREG(st.st_mode))
		f->punch = probe_punch_file(f->fd, (uint64_t)st.st_size > cfg->size_bytes
							   ? (uint64_t)st.st_size
							   : cfg->size_bytes);
	else
		f->punch = probe_punch_disk(f->fd, st.st_rdev, cfg->lba_size);
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
	.dealloc_zeroes = file_dealloc_zeroes,
	.flush = file_flush,
	.usage = file_usage,
	.destroy = file_destroy,
};
