/* Reading an nvmetcli saved config.  Namespace paths name a file or block
 * device, as in nvmetcli; "ram:SIZE" and "null:SIZE" are our extensions for
 * memory-backed and discarding namespaces.
 *
 * Every object's keys are checked against what nvmetcli writes for it (so a
 * typo is refused, not ignored), every value against its type and range,
 * and each error names the element by its path. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stddef.h>
#include <nvme/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/config.h"
#include "cli/json_in.h"

struct ctx {
	struct json_in in;
	struct nvsim_target *t;
	struct cli_config *out;
	unsigned int lba_size;
	unsigned int flags; /* CLI_CONFIG_* */
	struct json_object *subsystems; /* the root's list, for "also subsystems[i]" */
	uint16_t *nsid_at; /* per NSID: index + 1 of the namespace entry holding it */
};

/* A value as the message shows it: scalars as written, containers by kind. */
static const char *shown(struct json_object *v)
{
	if (json_object_is_type(v, json_type_object))
		return "an object";
	if (json_object_is_type(v, json_type_array))
		return "an array";
	return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
}

static int oom(struct ctx *c, const char *where)
{
	json_in_fail(&c->in, where, NULL, "out of memory");
	return -ENOMEM;
}

/* An nvmetcli attribute flag: the string "0" or "1" (what nvmetcli writes),
 * or the integer 0 or 1. */
static int flag(struct ctx *c, struct json_object *o, const char *where, const char *key,
		bool *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return -ENOENT;
	if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);

		if (!strcmp(s, "0") || !strcmp(s, "1")) {
			*out = s[0] == '1';
			return 0;
		}
	} else if (json_object_is_type(v, json_type_int)) {
		int64_t i = json_object_get_int64(v);

		if (i == 0 || i == 1) {
			*out = i == 1;
			return 0;
		}
	}
	return json_in_fail(&c->in, where, key, "want \"0\" or \"1\", got %s", shown(v));
}

/* An optional string that nvmetcli may write empty (a loop port's address,
 * a disabled namespace's path): "" when empty_ok, else json_in_string. */
static int str_opt(struct ctx *c, struct json_object *o, const char *where, const char *key,
		   size_t max, bool empty_ok, const char **out)
{
	struct json_object *v;

	if (empty_ok && json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_string) && !json_object_get_string_len(v)) {
		*out = "";
		return 0;
	}
	return json_in_string(&c->in, o, where, key, false, max, out);
}

/* An attribute group we read and ignore (a namespace's "ana" and "resv"):
 * it must be an object of strings. */
static int ignored_group(struct ctx *c, struct json_object *o, const char *where,
			 const char *key)
{
	struct json_object *g;
	char path[160];
	int ret = json_in_object(&c->in, o, where, key, false, &g);

	if (ret)
		return ret == -ENOENT ? 0 : ret;
	snprintf(path, sizeof(path), "%s%s%s", where, *where ? "." : "", key);
	json_object_object_foreach(g, k, v) {
		if (!json_object_is_type(v, json_type_string))
			return json_in_fail(&c->in, path, k, "want a string, got %s", shown(v));
	}
	return 0;
}

/* Identify strings (SN, MN) are printable ASCII (NVMe Base 2.0 §1.5
 * (approx.): ASCII string). */
static int ascii_opt(struct ctx *c, struct json_object *o, const char *where, const char *key,
		     size_t max, const char **out)
{
	int ret = json_in_string(&c->in, o, where, key, false, max, out);

	if (ret)
		return ret;
	for (const char *p = *out; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return json_in_fail(&c->in, where, key, "byte %zu is not printable ASCII",
					    (size_t)(p - *out));
	return 0;
}

static int not_a_disk(const struct stat *st, char *err, size_t len)
{
	const char *kind = S_ISDIR(st->st_mode)    ? "a directory"
			   : S_ISFIFO(st->st_mode) ? "a FIFO"
			   : S_ISSOCK(st->st_mode) ? "a socket"
			   : S_ISCHR(st->st_mode)  ? "a character device"
						   : "not a file";

	snprintf(err, len, "%s, not a regular file or a block device", kind);
	return -EINVAL;
}

int cli_ns_path_check(const char *path, bool may_create, uint64_t *size, char *err, size_t len)
{
	struct stat st;
	off_t end;
	int fd;

	*size = 0;
	/* stat first: a socket cannot even be opened (ENXIO) */
	if (stat(path, &st)) {
		int e = errno;

		if (e == ENOENT && may_create)
			return 0;
		snprintf(err, len, "%s", strerror(e));
		return -e;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return not_a_disk(&st, err, len);
	/* O_NONBLOCK: should the path become a FIFO meanwhile, the open must
	 * not hang; fstat then judges what was opened. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st)) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		snprintf(err, len, "%s", strerror(e));
		return -e;
	}
	if (S_ISREG(st.st_mode)) {
		close(fd);
		*size = (uint64_t)st.st_size;
		return 0;
	}
	if (S_ISBLK(st.st_mode)) {
		end = lseek(fd, 0, SEEK_END);
		close(fd);
		if (end < 0) {
			snprintf(err, len, "size: %s", strerror(errno));
			return -EIO;
		}
		*size = (uint64_t)end;
		return 0;
	}
	close(fd);
	return not_a_disk(&st, err, len);
}

/* device.path: "ram:SIZE", "null:SIZE" or a file or block device. */
static int ns_backing(struct ctx *c, const char *where, const char *path,
		      struct nvsim_ns_config *ns)
{
	char why[200];
	int ret;

	if (!strncmp(path, "ram:", 4) || !strncmp(path, "null:", 5)) {
		ns->backend = path[0] == 'r' ? NVSIM_NS_RAM : NVSIM_NS_NULL;
		/* As --ns: a size that is not whole LBAs is refused, not rounded. */
		if (cli_parse_size_multiple(strchr(path, ':') + 1, c->lba_size, &ns->size_bytes, why,
					    sizeof(why)))
			return json_in_fail(&c->in, where, "path", "'%s': %s (the LBA size)", path,
					    why);
		if (!ns->size_bytes)
			return json_in_fail(&c->in, where, "path", "'%s': size 0", path);
		return 0;
	}
	if (c->flags & CLI_CONFIG_NO_FILES)
		return json_in_fail(&c->in, where, "path", "'%s': only ram:SIZE and null:SIZE here "
				    "(files are not opened)", path);
	ns->backend = NVSIM_NS_FILE;
	ns->path = path;
	ret = cli_ns_path_check(path, false, &ns->size_bytes, why, sizeof(why));
	if (ret)
		return json_in_fail(&c->in, where, "path", "%s: %s", path, why);
	/* A file is used in whole LBAs, as Linux nvmet does (size >> shift). */
	ns->size_bytes -= ns->size_bytes % c->lba_size;
	if (!ns->size_bytes)
		return json_in_fail(&c->in, where, "path", "%s holds less than one %u-byte LBA",
				    path, c->lba_size);
	return 0;
}

static int load_namespace(struct ctx *c, struct nvsim_subsys *s, struct json_object *j,
			  const char *where, size_t k)
{
	static const char *const keys[] = { "device", "enable", "nsid", "ana_grpid", "ana",
					    "resv", NULL };
	static const char *const dev_keys[] = { "path", "nguid", "uuid", "eui64", NULL };
	struct nvsim_ns_config ns = { .lba_size = c->lba_size };
	struct json_object *dev;
	char dwhere[128];
	uint64_t nsid, enable = 1, grp;
	const char *path = NULL, *id;
	int ret;

	if ((ret = json_in_keys(&c->in, j, where, keys)) ||
	    (ret = json_in_uint(&c->in, j, where, "nsid", true, 1, CLI_CONFIG_MAX_NSID, &nsid)))
		return ret;
	ret = json_in_uint(&c->in, j, where, "enable", false, 0, 1, &enable);
	if (ret && ret != -ENOENT)
		return ret;
	/* nvmetcli writes 0 when the kernel has no ANA group file. */
	ret = json_in_uint(&c->in, j, where, "ana_grpid", false, 0, 1024, &grp);
	if ((ret && ret != -ENOENT) || (ret = ignored_group(c, j, where, "ana")) ||
	    (ret = ignored_group(c, j, where, "resv")))
		return ret;
	if (c->nsid_at[nsid]) {
		/* where is "subsystems[i].namespaces[k]": name its sibling */
		return json_in_fail(&c->in, where, "nsid", "%llu is also namespaces[%u]'s",
				    (unsigned long long)nsid, c->nsid_at[nsid] - 1u);
	}
	c->nsid_at[nsid] = (uint16_t)(k + 1);
	snprintf(dwhere, sizeof(dwhere), "%s.device", where);
	if ((ret = json_in_object(&c->in, j, where, "device", true, &dev)) ||
	    (ret = json_in_keys(&c->in, dev, dwhere, dev_keys)))
		return ret;
	/* The identifiers are ours (derived from serial, NQN and NSID), so
	 * nguid, uuid and eui64 are only type-checked. */
	for (const char *const *key = dev_keys + 1; *key; key++) {
		ret = str_opt(c, dev, dwhere, *key, 64, true, &id);
		if (ret && ret != -ENOENT)
			return ret;
	}
	/* A disabled namespace is not opened; nvmetcli may leave its path empty. */
	ret = str_opt(c, dev, dwhere, "path", PATH_MAX - 1, !enable, &path);
	if (ret == -ENOENT && enable)
		return json_in_fail(&c->in, dwhere, "path", "missing");
	if (ret && ret != -ENOENT)
		return ret;
	if (!enable)
		return 0;
	ret = ns_backing(c, dwhere, path, &ns);
	if (ret)
		return ret;
	ret = nvsim_subsys_add_ns(s, (uint32_t)nsid, &ns);
	if (ret == -ENOMEM)
		return oom(c, where);
	if (ret)
		return json_in_fail(&c->in, dwhere, "path", "%s: %s", path, strerror(-ret));
	c->out->nr_ns++;
	return 0;
}

/* Index of the earlier subsystems[] entry named nqn, for a duplicate. */
static size_t earlier_subsys(struct ctx *c, const char *nqn, size_t before)
{
	for (size_t i = 0; i < before; i++) {
		struct json_object *v;
		struct json_object *e = json_object_array_get_idx(c->subsystems, i);

		if (json_object_object_get_ex(e, "nqn", &v) && !strcmp(json_object_get_string(v), nqn))
			return i;
	}
	return before;
}

static int load_attrs(struct ctx *c, struct json_object *j, const char *where,
		      struct nvsim_subsys_config *sc)
{
	/* What nvmetcli writes from a subsystem's attr_* files; only these
	 * three change what we serve, the rest are read and ignored. */
	static const char *const keys[] = { "allow_any_host", "serial", "model", "version",
					    "cntlid_min", "cntlid_max", "firmware", "ieee_oui",
					    "pi_enable", "qid_max", NULL };
	struct json_object *attr;
	char awhere[64];
	const char *ignored;
	int ret = json_in_object(&c->in, j, where, "attr", false, &attr);

	if (ret)
		return ret == -ENOENT ? 0 : ret;
	snprintf(awhere, sizeof(awhere), "%s.attr", where);
	ret = json_in_keys(&c->in, attr, awhere, keys);
	if (!ret)
		ret = flag(c, attr, awhere, "allow_any_host", &sc->allow_any_host);
	if (!ret || ret == -ENOENT)
		ret = ascii_opt(c, attr, awhere, "serial", 20, &sc->serial);
	if (!ret || ret == -ENOENT)
		ret = ascii_opt(c, attr, awhere, "model", 40, &sc->model);
	for (const char *const *k = keys + 3; *k && (!ret || ret == -ENOENT); k++)
		ret = str_opt(c, attr, awhere, *k, 64, true, &ignored);
	return ret == -ENOENT ? 0 : ret;
}

static int load_subsystem(struct ctx *c, struct json_object *j, size_t i)
{
	static const char *const keys[] = { "nqn", "attr", "namespaces", "allowed_hosts",
					    "passthru", NULL };
	struct nvsim_subsys_config sc = { 0 };
	struct json_object *list;
	struct nvsim_subsys *s;
	char where[48], ewhere[96], why[200];
	int ret;

	json_in_elem(where, sizeof(where), "subsystems", i);
	if ((ret = json_in_keys(&c->in, j, where, keys)) ||
	    (ret = json_in_string(&c->in, j, where, "nqn", true, 1024, &sc.nqn)))
		return ret;
	if (json_object_object_get_ex(j, "passthru", &list))
		return json_in_fail(&c->in, where, "passthru",
				    "passthru subsystems (a real controller behind) are not "
				    "simulated");
	if (cli_check_nqn(sc.nqn, why, sizeof(why)))
		return json_in_fail(&c->in, where, "nqn", "'%s': %s", sc.nqn, why);
	if (!strcmp(sc.nqn, NVME_DISC_SUBSYS_NAME))
		return json_in_fail(&c->in, where, "nqn", "'%s' is the discovery subsystem's",
				    sc.nqn);
	if (nvsim_subsys_find(c->t, sc.nqn))
		return json_in_fail(&c->in, where, "nqn", "'%s' is also subsystems[%zu]'s", sc.nqn,
				    earlier_subsys(c, sc.nqn, i));
	ret = load_attrs(c, j, where, &sc);
	if (ret)
		return ret;
	ret = nvsim_subsys_add(c->t, &sc, &s);
	if (ret == -ENOMEM)
		return oom(c, where);
	if (ret)
		return json_in_fail(&c->in, where, NULL, "refused: %s", strerror(-ret));
	c->out->nr_subsys++;

	ret = json_in_array(&c->in, j, where, "allowed_hosts", false, NVSIM_SUBSYS_MAX_HOSTS,
			    &list);
	if (ret && ret != -ENOENT)
		return ret;
	for (size_t k = 0; !ret && k < json_object_array_length(list); k++) {
		struct json_object *h = json_object_array_get_idx(list, k);
		const char *nqn = json_object_get_string(h);

		snprintf(ewhere, sizeof(ewhere), "%s.allowed_hosts[%zu]", where, k);
		if (!json_object_is_type(h, json_type_string))
			return json_in_fail(&c->in, ewhere, NULL, "want a string, got %s", shown(h));
		if (cli_check_nqn(nqn, why, sizeof(why)))
			return json_in_fail(&c->in, ewhere, NULL, "'%s' is not an NQN: %s", nqn, why);
		ret = nvsim_subsys_allow_host(s, nqn);
		if (ret == -EEXIST)
			return json_in_fail(&c->in, ewhere, NULL, "'%s' is listed twice", nqn);
		if (ret == -ENOMEM)
			return oom(c, ewhere);
		if (ret)
			return json_in_fail(&c->in, ewhere, NULL, "'%s': %s", nqn, strerror(-ret));
	}

	ret = json_in_array(&c->in, j, where, "namespaces", false, CLI_CONFIG_MAX_NSID, &list);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;
	/* Only the NSIDs this subsystem's entries set are cleared afterwards. */
	for (size_t k = 0; !ret && k < json_object_array_length(list); k++) {
		snprintf(ewhere, sizeof(ewhere), "%s.namespaces[%zu]", where, k);
		ret = load_namespace(c, s, json_object_array_get_idx(list, k), ewhere, k);
	}
	memset(c->nsid_at, 0, (CLI_CONFIG_MAX_NSID + 1) * sizeof(*c->nsid_at));
	return ret;
}

struct addr {
	uint8_t trtype, adrfam, treq;
	const char *traddr, *trsvcid;
	char canon[INET6_ADDRSTRLEN]; /* rdma/tcp: traddr as inet_ntop writes it */
	bool wildcard;
};

static int name_in(const char *s, const char *const *names, const uint8_t *values, uint8_t *out)
{
	for (size_t i = 0; names[i]; i++)
		if (!strcmp(s, names[i])) {
			*out = values[i];
			return 0;
		}
	return -1;
}

/* An "addr" group of a port or referral.  A served (rdma) or tcp address
 * must be an IP address and a port number; loop needs neither. */
static int load_addr(struct ctx *c, struct json_object *j, const char *where, struct addr *a)
{
	static const char *const keys[] = { "adrfam", "traddr", "treq", "trsvcid", "trtype",
					    "tsas", NULL };
	static const char *const trtypes[] = { "rdma", "tcp", "loop", NULL };
	static const uint8_t trtype_v[] = { NVMF_TRTYPE_RDMA, NVMF_TRTYPE_TCP, NVMF_TRTYPE_LOOP };
	/* the names Linux nvmet's addr_adrfam takes */
	static const char *const adrfams[] = { "ipv4", "ipv6", "ib", "fc", "pcie", "loop", NULL };
	static const uint8_t adrfam_v[] = { NVMF_ADDR_FAMILY_IP4, NVMF_ADDR_FAMILY_IP6,
					    NVMF_ADDR_FAMILY_IB,  NVMF_ADDR_FAMILY_FC,
					    NVMF_ADDR_FAMILY_PCI, NVMF_ADDR_FAMILY_LOOP };
	static const char *const treqs[] = { "not specified", "required", "not required", NULL };
	static const uint8_t treq_v[] = { NVMF_TREQ_NOT_SPECIFIED, NVMF_TREQ_REQUIRED,
					  NVMF_TREQ_NOT_REQUIRED };
	struct json_object *o;
	char awhere[128];
	const char *s, *adrfam = NULL, *tsas;
	uint8_t bin[16];
	int ret;

	snprintf(awhere, sizeof(awhere), "%s.addr", where);
	if ((ret = json_in_object(&c->in, j, where, "addr", true, &o)) ||
	    (ret = json_in_keys(&c->in, o, awhere, keys)) ||
	    (ret = json_in_string(&c->in, o, awhere, "trtype", true, 16, &s)))
		return ret;
	if (name_in(s, trtypes, trtype_v, &a->trtype))
		return json_in_fail(&c->in, awhere, "trtype", "'%s' is not rdma, tcp or loop", s);
	ret = str_opt(c, o, awhere, "adrfam", 16, true, &adrfam);
	if (ret && ret != -ENOENT)
		return ret;
	if (adrfam && *adrfam && name_in(adrfam, adrfams, adrfam_v, &a->adrfam))
		return json_in_fail(&c->in, awhere, "adrfam", "'%s' is not ipv4, ipv6, ib, fc, "
				    "pcie or loop", adrfam);
	ret = str_opt(c, o, awhere, "treq", 32, true, &s);
	if (!ret && *s && name_in(s, treqs, treq_v, &a->treq))
		return json_in_fail(&c->in, awhere, "treq", "'%s' is not \"not specified\", "
				    "\"required\" or \"not required\"", s);
	if ((ret && ret != -ENOENT) ||
	    ((ret = str_opt(c, o, awhere, "tsas", 64, true, &tsas)) && ret != -ENOENT))
		return ret;
	a->traddr = "";
	a->trsvcid = "";
	ret = str_opt(c, o, awhere, "traddr", NVMF_TRADDR_SIZE, a->trtype == NVMF_TRTYPE_LOOP,
		      &a->traddr);
	if (ret && ret != -ENOENT)
		return ret;
	ret = str_opt(c, o, awhere, "trsvcid", NVMF_TRSVCID_SIZE, a->trtype == NVMF_TRTYPE_LOOP,
		      &a->trsvcid);
	if (ret && ret != -ENOENT)
		return ret;
	if (a->trtype == NVMF_TRTYPE_LOOP) {
		if (!adrfam || !*adrfam)
			a->adrfam = NVMF_ADDR_FAMILY_LOOP;
		return 0;
	}
	/* rdma and tcp: an IP address and a port number */
	if (!*a->traddr)
		return json_in_fail(&c->in, awhere, "traddr", "missing");
	if (!*a->trsvcid)
		a->trsvcid = "4420";
	if (!adrfam || !*adrfam)
		a->adrfam = strchr(a->traddr, ':') ? NVMF_ADDR_FAMILY_IP6 : NVMF_ADDR_FAMILY_IP4;
	if (a->adrfam != NVMF_ADDR_FAMILY_IP4 && a->adrfam != NVMF_ADDR_FAMILY_IP6)
		return json_in_fail(&c->in, awhere, "adrfam", "'%s': an %s port needs ipv4 or "
				    "ipv6", adrfam, a->trtype == NVMF_TRTYPE_RDMA ? "rdma" : "tcp");
	if (inet_pton(a->adrfam == NVMF_ADDR_FAMILY_IP4 ? AF_INET : AF_INET6, a->traddr, bin) != 1)
		return json_in_fail(&c->in, awhere, "traddr", "'%s' is not an %s address",
				    a->traddr, a->adrfam == NVMF_ADDR_FAMILY_IP4 ? "IPv4" : "IPv6");
	inet_ntop(a->adrfam == NVMF_ADDR_FAMILY_IP4 ? AF_INET : AF_INET6, bin, a->canon,
		  sizeof(a->canon));
	a->wildcard = !strcmp(a->canon, "0.0.0.0") || !strcmp(a->canon, "::");
	if (!cli_port_number(a->trsvcid))
		return json_in_fail(&c->in, awhere, "trsvcid", "'%s' is not a port number 1 to "
				    "65535", a->trsvcid);
	return 0;
}

bool cli_port_number(const char *text)
{
	unsigned long v = 0;
	size_t n = strlen(text);

	/* decimal only: the listener's getaddrinfo would take "0x10" as a name */
	if (!n || n > 5 || strspn(text, "0123456789") != n)
		return false;
	v = strtoul(text, NULL, 10);
	return v >= 1 && v <= 65535;
}

/* Whether two served addresses would take the same listener. */
static bool addr_clash(const struct addr *a, const struct addr *b)
{
	if (a->trtype != b->trtype || a->trtype == NVMF_TRTYPE_LOOP || a->adrfam != b->adrfam ||
	    strcmp(a->trsvcid, b->trsvcid))
		return false;
	return a->wildcard || b->wildcard || !strcmp(a->canon, b->canon);
}

static int load_referral(struct ctx *c, struct nvsim_port *p, struct json_object *j,
			 const char *where)
{
	static const char *const keys[] = { "addr", "enable", "name", "portid", NULL };
	struct nvsim_port_config ref = { 0 };
	struct addr a = { 0 };
	uint64_t enable = 1, portid = 0;
	const char *name;
	int ret;

	if ((ret = json_in_keys(&c->in, j, where, keys)) || (ret = load_addr(c, j, where, &a)))
		return ret;
	if ((ret = json_in_uint(&c->in, j, where, "enable", false, 0, 1, &enable)) &&
	    ret != -ENOENT)
		return ret;
	if ((ret = json_in_uint(&c->in, j, where, "portid", false, 0, 65535, &portid)) &&
	    ret != -ENOENT)
		return ret;
	if ((ret = json_in_string(&c->in, j, where, "name", false, 255, &name)) && ret != -ENOENT)
		return ret;
	if (!enable) /* nvmet lists an enabled referral only */
		return 0;
	ref = (struct nvsim_port_config){ .portid = (uint16_t)portid, .trtype = a.trtype,
					  .adrfam = a.adrfam, .treq = a.treq,
					  .traddr = a.traddr, .trsvcid = a.trsvcid };
	ret = nvsim_port_add_referral(p, &ref);
	if (ret)
		return json_in_fail(&c->in, where, "addr", "%s", strerror(-ret));
	return 0;
}

/* One "param" value: a string nvmetcli style, a whole number in [min, max]
 * (a size when is_size). */
static int param_value(struct ctx *c, const char *where, const char *key,
		       struct json_object *v, bool is_size, uint64_t min, uint64_t max,
		       uint64_t *out)
{
	const char *text = json_object_get_string(v);
	char why[160];
	int ret;

	if (!json_object_is_type(v, json_type_string))
		return json_in_fail(&c->in, where, key, "want a string (nvmetcli writes every "
				    "param as one), got %s", shown(v));
	ret = is_size ? cli_parse_size_multiple(text, 0, out, why, sizeof(why))
		      : cli_parse_u64(text, max, out);
	if (is_size && ret)
		return json_in_fail(&c->in, where, key, "%s", why);
	if (ret || *out < min || *out > max)
		return json_in_fail(&c->in, where, key, "want %llu to %llu, got \"%s\"",
				    (unsigned long long)min, (unsigned long long)max, text);
	return 0;
}

/* The numeric "param" keys, and where each goes. */
static const struct {
	const char *key;
	bool is_size;
	uint64_t min, max;
	size_t off;
	bool wide; /* a u64 field, else a u32 */
} param_keys[] = {
	{ "buffer_pool_size", true, 1, UINT64_MAX, offsetof(struct cli_port_params, buffer_pool_bytes),
	  true },
	{ "max_queue_size", false, 2, 65536, offsetof(struct cli_port_params, max_queue_size) },
	{ "max_connections", false, 1, 1u << 20, offsetof(struct cli_port_params, max_connections) },
	{ "max_connections_per_host", false, 1, 1u << 20,
	  offsetof(struct cli_port_params, max_connections_per_host) },
	{ "connect_timeout_ms", false, 1, 3600000,
	  offsetof(struct cli_port_params, connect_timeout_ms) },
	{ "max_pending_connections", false, 1, 1u << 20,
	  offsetof(struct cli_port_params, max_pending_connections) },
	{ "receive_ring_size", true, 1, UINT64_MAX,
	  offsetof(struct cli_port_params, recv_ring_bytes), true },
};

static int load_param(struct ctx *c, const char *path, const char *k, struct json_object *val,
		      struct cli_port_params *p)
{
	uint64_t v;
	int ret;

	/* nvmetcli writes it; our in-capsule data size is the target's, for
	 * every port (stated in --help). */
	if (!strcmp(k, "inline_data_size"))
		return param_value(c, path, k, val, false, 0, UINT32_MAX, &v);
	if (!strcmp(k, "pi_enable")) {
		if (json_object_is_type(val, json_type_string) &&
		    !strcmp(json_object_get_string(val), "0"))
			return 0;
		return json_in_fail(&c->in, path, k, "only \"0\": this target serves no "
				    "protection information");
	}
	for (size_t i = 0; i < sizeof(param_keys) / sizeof(param_keys[0]); i++) {
		if (strcmp(k, param_keys[i].key))
			continue;
		ret = param_value(c, path, k, val, param_keys[i].is_size, param_keys[i].min,
				  param_keys[i].max, &v);
		if (ret)
			return ret;
		if (param_keys[i].wide)
			*(uint64_t *)((char *)p + param_keys[i].off) = v;
		else
			*(uint32_t *)((char *)p + param_keys[i].off) = (uint32_t)v;
		return 0;
	}
	return json_in_fail(&c->in, path, k, "not a port setting this target has (it takes "
			    "max_queue_size, pi_enable, inline_data_size, buffer_pool_size, "
			    "receive_ring_size, max_connections, max_connections_per_host, "
			    "max_pending_connections, connect_timeout_ms)");
}

static int load_params(struct ctx *c, struct json_object *j, const char *where,
		       struct cli_port_params *p)
{
	struct json_object *g;
	char path[64];
	int ret = json_in_object(&c->in, j, where, "param", false, &g);

	if (ret)
		return ret == -ENOENT ? 0 : ret;
	snprintf(path, sizeof(path), "%s.param", where);
	json_object_object_foreach(g, k, val) {
		ret = load_param(c, path, k, val, p);
		if (ret)
			return ret;
	}
	return 0;
}

static int load_port(struct ctx *c, struct json_object *j, size_t i, struct addr *addrs)
{
	static const char *const keys[] = { "addr", "param", "portid", "subsystems", "referrals",
					    "ana_groups", NULL };
	struct cli_config_port *cp = &c->out->ports[i];
	struct nvsim_port_config pc = { 0 };
	struct addr *a = &addrs[i];
	struct json_object *list;
	char where[32], ewhere[96];
	uint64_t portid;
	int ret;

	json_in_elem(where, sizeof(where), "ports", i);
	if ((ret = json_in_keys(&c->in, j, where, keys)) ||
	    (ret = json_in_uint(&c->in, j, where, "portid", true, 0, 65535, &portid)) ||
	    (ret = load_addr(c, j, where, a)) || (ret = load_params(c, j, where, &cp->params)))
		return ret;
	for (size_t k = 0; k < i; k++) {
		if (c->out->ports[k].portid == portid)
			return json_in_fail(&c->in, where, "portid", "%llu is also ports[%zu]'s",
					    (unsigned long long)portid, k);
		if (addr_clash(a, &addrs[k]))
			return json_in_fail(&c->in, where, "addr", "%s:%s is also ports[%zu]'s "
					    "address (%s:%s)", a->traddr, a->trsvcid, k,
					    addrs[k].traddr, addrs[k].trsvcid);
	}
	/* ANA groups: nvmetcli writes them; we serve no ANA, so type-checked only */
	ret = json_in_array(&c->in, j, where, "ana_groups", false, 1024, &list);
	if (ret && ret != -ENOENT)
		return ret;
	pc = (struct nvsim_port_config){ .portid = (uint16_t)portid, .trtype = a->trtype,
					 .adrfam = a->adrfam, .treq = a->treq,
					 .traddr = a->traddr, .trsvcid = a->trsvcid };
	ret = nvsim_port_add(c->t, &pc, &cp->port);
	if (ret == -ENOMEM)
		return oom(c, where);
	if (ret)
		return json_in_fail(&c->in, where, "addr", "%s", strerror(-ret));
	cp->portid = (uint16_t)portid;
	cp->trtype = a->trtype;
	cp->rdma = a->trtype == NVMF_TRTYPE_RDMA;
	snprintf(cp->addr, sizeof(cp->addr), "%s%s%s:%s", strchr(a->traddr, ':') ? "[" : "",
		 a->traddr, strchr(a->traddr, ':') ? "]" : "", a->trsvcid);
	c->out->nr_ports++;

	ret = json_in_array(&c->in, j, where, "subsystems", false, NVSIM_PORT_MAX_SUBSYS, &list);
	if (ret && ret != -ENOENT)
		return ret;
	for (size_t k = 0; !ret && k < json_object_array_length(list); k++) {
		struct json_object *e = json_object_array_get_idx(list, k);
		const char *nqn = json_object_get_string(e);
		struct nvsim_subsys *s;

		snprintf(ewhere, sizeof(ewhere), "%s.subsystems[%zu]", where, k);
		if (!json_object_is_type(e, json_type_string))
			return json_in_fail(&c->in, ewhere, NULL, "want a string, got %s", shown(e));
		s = nvsim_subsys_find(c->t, nqn);
		if (!s || !strcmp(nqn, NVME_DISC_SUBSYS_NAME))
			return json_in_fail(&c->in, ewhere, NULL, "no subsystem '%s'", nqn);
		ret = nvsim_port_add_subsys(cp->port, s);
		if (ret == -EEXIST)
			return json_in_fail(&c->in, ewhere, NULL, "'%s' is listed twice", nqn);
		if (ret)
			return json_in_fail(&c->in, ewhere, NULL, "%s", strerror(-ret));
	}

	ret = json_in_array(&c->in, j, where, "referrals", false, NVSIM_PORT_MAX_REFERRALS, &list);
	if (ret == -ENOENT)
		return 0;
	for (size_t k = 0; !ret && k < json_object_array_length(list); k++) {
		snprintf(ewhere, sizeof(ewhere), "%s.referrals[%zu]", where, k);
		ret = load_referral(c, cp->port, json_object_array_get_idx(list, k), ewhere);
	}
	return ret;
}

static int load_hosts(struct ctx *c, struct json_object *root)
{
	static const char *const keys[] = { "nqn", "dhchap", NULL };
	struct json_object *list;
	char where[32], why[200];
	const char *nqn;
	int ret = json_in_array(&c->in, root, "", "hosts", false, CLI_CONFIG_MAX_HOSTS, &list);

	if (ret)
		return ret == -ENOENT ? 0 : ret;
	/* Hosts only name NQNs for allowed_hosts (which need not list them). */
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *h = json_object_array_get_idx(list, i);

		json_in_elem(where, sizeof(where), "hosts", i);
		if ((ret = json_in_keys(&c->in, h, where, keys)) ||
		    (ret = json_in_string(&c->in, h, where, "nqn", true, 1024, &nqn)) ||
		    (ret = ignored_group(c, h, where, "dhchap")))
			return ret;
		if (cli_check_nqn(nqn, why, sizeof(why)))
			return json_in_fail(&c->in, where, "nqn", "'%s': %s", nqn, why);
	}
	return 0;
}

static int load_root(struct ctx *c, struct json_object *root)
{
	static const char *const keys[] = { "hosts", "ports", "subsystems", NULL };
	struct addr addrs[CLI_CONFIG_MAX_PORTS];
	struct json_object *list;
	int ret = json_in_keys(&c->in, root, "", keys);

	if (!ret)
		ret = load_hosts(c, root);
	if (!ret) {
		ret = json_in_array(&c->in, root, "", "subsystems", false, CLI_CONFIG_MAX_SUBSYS,
				    &list);
		if (ret == -ENOENT)
			ret = 0;
		else
			c->subsystems = list;
		for (size_t i = 0; !ret && c->subsystems && i < json_object_array_length(list); i++)
			ret = load_subsystem(c, json_object_array_get_idx(list, i), i);
	}
	if (!ret) {
		ret = json_in_array(&c->in, root, "", "ports", true, CLI_CONFIG_MAX_PORTS, &list);
		for (size_t i = 0; !ret && i < json_object_array_length(list); i++)
			ret = load_port(c, json_object_array_get_idx(list, i), i, addrs);
	}
	if (!ret && !c->out->nr_ports)
		ret = json_in_fail(&c->in, "", "ports", "empty: nothing to listen on");
	return ret;
}

/* path: the file to read, or NULL to parse text (named name in messages). */
static int load(const char *path, const char *name, const char *text, size_t len,
		unsigned int lba_size, unsigned int flags, struct nvsim_target *t,
		struct cli_config *out, char *err, size_t errlen)
{
	struct ctx c = { .t = t, .out = out, .lba_size = lba_size, .flags = flags };
	struct json_object *root = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	c.in.file = path ? path : name;
	c.nsid_at = calloc(CLI_CONFIG_MAX_NSID + 1, sizeof(*c.nsid_at));
	if (!c.nsid_at) {
		ret = oom(&c, "");
		goto out;
	}
	if (path)
		ret = json_in_parse_file(&c.in, path, CLI_CONFIG_MAX_BYTES, &root);
	else if (len > CLI_CONFIG_MAX_BYTES)
		ret = json_in_fail(&c.in, "", NULL, "%zu bytes, more than the %u a config may have",
				   len, CLI_CONFIG_MAX_BYTES);
	else
		ret = json_in_parse(&c.in, text, len, &root);
	if (!ret)
		ret = load_root(&c, root);
out:
	free(c.nsid_at);
	json_object_put(root);
	if (ret)
		snprintf(err, errlen, "%s", c.in.err);
	return ret;
}

int cli_config_load(const char *path, unsigned int lba_size, struct nvsim_target *t,
		    struct cli_config *out, char *err, size_t errlen)
{
	return load(path, NULL, NULL, 0, lba_size, 0, t, out, err, errlen);
}

int cli_config_parse(const char *name, const char *text, size_t len, unsigned int lba_size,
		     unsigned int flags, struct nvsim_target *t, struct cli_config *out,
		     char *err, size_t errlen)
{
	return load(NULL, name, text, len, lba_size, flags, t, out, err, errlen);
}
