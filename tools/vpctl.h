/* SPDX-License-Identifier: MIT */
/*
 * vpctl.h - vprimectl: every shared structure and prototype, in blocks named
 * after the file that defines them.
 *
 *   xlcfg.c      the xl config reader: `name` and `vprime = [ '...' ]` (pure)
 *   devops.c     the toolstack's part of a device over a store (pure logic:
 *                add, remove, enumerate, domain lookup)
 *   store_xs.c   the store over libxenstore
 *   engctl.c     one request to vprimed's control socket
 *   findcfg.c    which config files a domain may come from (running
 *                `xl create`s and xl monitors, config directories)
 *   watch.c      the watch service's logic over a store (cmd_watch.c
 *                runs it on xenstore's events)
 *   cmd_*.c      one file per subcommand; vprimectl.c the table
 *
 * Return convention: 0 or a negative errno; messages for the user go to
 * stderr through vpctl_err() with the subcommand's name in front.
 */
#ifndef VPCTL_H
#define VPCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vprime_abi.h"

#define VPCTL_ERR_LEN		256u

/* ---- xlcfg.c ------------------------------------------------------------- */

#define VPX_DEVS_MAX		64u	/* vprime devices per guest */
#define VPX_DEVID_MAX		65535u
#define VPX_DOMNAME_LEN		64u	/* xl's domain names, NUL included */
#define VPX_TEXT_MAX		(1u << 20)	/* config text we read at most */
#define VPX_SPEC_MAX		1024u	/* one 'mac=...' string */

struct vpx_dev {
	uint8_t mac[6];
	bool has_name, has_devid, has_mtu, has_pool;
	uint32_t devid;		/* given, or the lowest one left free */
	uint32_t mtu;		/* VPRIME_MTU_MIN..VPRIME_MTU_MAX */
	/* pages per direction, VPRIME_POOL_PAGES_MIN..MAX: the backend's
	 * pool-pages; without it vprime-back's max_pool_pages applies */
	uint32_t pool;
	char name[VPRIME_NAME_LEN];
	uint32_t line;		/* where the spec was, for messages */
};

struct vpx_cfg {
	bool has_domname;
	char domname[VPX_DOMNAME_LEN];
	bool has_vprime;	/* a vprime key was present (maybe empty) */
	uint32_t ndev;
	struct vpx_dev dev[VPX_DEVS_MAX];
};

/*
 * vpx_parse - read an xl config (the file's bytes, no NUL needed) and take
 * out the domain name and the vprime devices.  The whole file must be
 * valid xl syntax (as xl would refuse it otherwise); only `name` and
 * `vprime` are interpreted.  Returns 0, or -EINVAL / -E2BIG with "line N:
 * why" in @err.
 */
int vpx_parse(const char *text, size_t len, struct vpx_cfg *out, char *err,
	      size_t errlen);

/* vpx_parse_spec - one device string ("mac=..,name=..,devid=..,mtu=..,
 * pool=.."). */
int vpx_parse_spec(const char *s, size_t len, struct vpx_dev *d, char *err,
		   size_t errlen);

/* vpx_format_spec - the canonical string of @d (as `config` prints it). */
void vpx_format_spec(const struct vpx_dev *d, char *out, size_t cap);

/* ---- devops.c ------------------------------------------------------------ */

/*
 * A xenstore, as the toolstack code needs it.  store_xs.c implements it over
 * libxenstore; the unit tests with an in-memory store that records the
 * order of operations.  Transaction 0 is "no transaction".
 */
struct vpx_store;
struct vpx_store_ops {
	int (*txn_start)(struct vpx_store *s, uint32_t *t);
	/* 0, -EAGAIN (conflict: retry the whole transaction), -errno */
	int (*txn_end)(struct vpx_store *s, uint32_t t, bool abort);
	/* length of the value (NUL-terminated in @buf), -ENOENT, -E2BIG (it
	 * does not fit in @cap with its NUL), -errno */
	int (*read)(struct vpx_store *s, uint32_t t, const char *path,
		    char *buf, size_t cap);
	int (*write)(struct vpx_store *s, uint32_t t, const char *path,
		     const char *val);
	int (*rm)(struct vpx_store *s, uint32_t t, const char *path);
	/* children's names, one malloc'd block (free() it), count in *n */
	int (*list)(struct vpx_store *s, uint32_t t, const char *path,
		    char ***names, unsigned int *n);
	/* owner @owner (no access for others by default), @reader may read */
	int (*set_perms)(struct vpx_store *s, uint32_t t, const char *path,
			 uint32_t owner, uint32_t reader);
	/* xenstored knows the domain (introduced, not yet released) */
	bool (*domain_alive)(struct vpx_store *s, uint32_t domid);
	/* sleep, for the polling waits (tests make it virtual) */
	void (*sleep_ms)(struct vpx_store *s, uint32_t ms);
};
struct vpx_store {
	const struct vpx_store_ops *ops;
	void *priv;
};

#define VPX_PATH_MAX		256u
#define VPX_TXN_TRIES		32

/* A device as xenstore shows it. */
struct vpx_devstate {
	uint32_t domid, devid;
	bool has_mac, has_name, has_pool;
	uint32_t pool;			/* the backend's pool-pages */
	uint8_t mac[6];
	char name[VPRIME_NAME_LEN];
	int be_state, fe_state;		/* -1: node missing or unreadable */
	bool fe_dir;			/* frontend directory exists */
};

void vpx_be_path(char *out, uint32_t domid, uint32_t devid);
void vpx_fe_path(char *out, uint32_t domid, uint32_t devid);
const char *vpx_state_name(int state);

/* vpx_domid - a domain by numeric id or by name; -ENOENT, -EINVAL. */
int vpx_domid(struct vpx_store *s, const char *arg, uint32_t *domid);
/* vpx_domname - the name of @domid ("" when it has none). */
int vpx_domname(struct vpx_store *s, uint32_t domid, char *out, size_t cap);

/*
 * vpx_dev_add - the toolstack's part of one device (docs/protocol.md 2):
 * transaction 1: every node of both ends but `state`, with permissions
 * (backend n0 r<domid>, frontend n<domid> r0); transaction 2: both `state`
 * nodes = 1.  @d->devid is used when @d->has_devid, else the lowest free id
 * is chosen and written back; with @d->has_pool, backend pool-pages too.
 * Returns 0, -ESRCH (no such domain), -EEXIST (devid taken), -EBUSY (the
 * MAC or name is another device's), -ERANGE (pool out of range), -errno.
 */
int vpx_dev_add(struct vpx_store *s, uint32_t domid, struct vpx_dev *d);

/*
 * vpx_dev_remove - graceful: backend online=0 state=5 (Closing), wait up to
 * @timeout_ms for the frontend to close (state Closed, Initialising or
 * gone), then remove both directories.  @force: no domain check, no wait.
 * Returns 0, -ENOENT (no such device), -ESRCH (domain gone: use force),
 * -ETIMEDOUT (frontend still open; nodes left, backend Closing), -errno.
 */
int vpx_dev_remove(struct vpx_store *s, uint32_t domid, uint32_t devid,
		   bool force, uint32_t timeout_ms, int *fe_state);

/* vpx_devids - devids of @domid's vprime devices (backend or frontend). */
int vpx_devids(struct vpx_store *s, uint32_t domid, uint32_t *ids,
	       uint32_t cap);
/* vpx_domids - domids that have a backend/vprime/<domid> directory. */
int vpx_domids(struct vpx_store *s, uint32_t *ids, uint32_t cap);
int vpx_dev_state(struct vpx_store *s, uint32_t domid, uint32_t devid,
		  struct vpx_devstate *out);

/* ---- store_xs.c ---------------------------------------------------------- */

int vpx_store_xs_open(struct vpx_store *s, bool readonly);
void vpx_store_xs_close(struct vpx_store *s);
/* the libxenstore handle behind @s (for watches) */
struct xs_handle *vpx_store_xs_handle(struct vpx_store *s);

/* ---- engctl.c ------------------------------------------------------------ */

#define VPCTL_SOCKET_DEFAULT	"/run/vprimed.sock"

/* The socket path: $VPRIMED_SOCKET, or the default. */
const char *vpctl_engine_socket(void);
/*
 * vpctl_engine_cmd - send one line, print the data lines of the answer to
 * @out (if non-NULL).  Returns 0 ("ok"), -EREMOTEIO ("error: ..." copied to
 * @err), -ENOENT / -ECONNREFUSED (no vprimed), -errno.
 */
int vpctl_engine_cmd(const char *sock, const char *line, void *out,
		     char *err, size_t errlen);

/* print why a request failed (for the user); returns 1 */
int vpctl_engine_fail(int r, const char *err);
/* a word for the engine's line protocol: 1..@max printable, no blanks */
bool vpctl_word_ok(const char *s, size_t max);

/* ---- findcfg.c ----------------------------------------------------------- */

/*
 * The xl configs a domain may come from, each handed to @fn as the text xl
 * would build (the file, then the command line's key=value overrides) and
 * @where (the file, and for a process "(xl create|xl monitor, pid N)").
 * vpctl_sweep_procs: every `xl create` running under @proc ("/proc"; a
 * relative file through the process' cwd, or the PWD of its environment
 * when it has daemonised); vpctl_sweep_dirs: every file of @dirs
 * (NULL-terminated).
 */
typedef void (*vpctl_cfg_fn)(void *ctx, const char *where, const char *text,
			     size_t len);
void vpctl_sweep_procs(const char *proc, vpctl_cfg_fn fn, void *ctx);
void vpctl_sweep_dirs(const char *const *dirs, vpctl_cfg_fn fn, void *ctx);
/* vpctl_read_file - at most VPX_TEXT_MAX bytes, malloc'd, NUL added. */
int vpctl_read_file(const char *path, char **text, size_t *len);
/* why vpctl_read_file() failed, for the user */
const char *vpctl_file_err(int r);

/* ---- watch.c ------------------------------------------------------------ */

#define VPW_DOMID_MAX		0x7ff0u	/* DOMID_FIRST_RESERVED */
#define VPW_DIRS_MAX		16
#define VPW_REC_MAX		512	/* configs remembered, by domain name */
#define VPW_WHERE_LEN		(4096u + 64u)
#define VPW_RETRY_MS_DEFAULT	60000u	/* how long a domain is retried */

enum vpw_dom {
	VPW_DOM_NONE,		/* not seen (or gone) */
	VPW_DOM_PENDING,	/* seen; name or config not found yet */
	VPW_DOM_DONE,		/* devices added, or nothing to add, or given up */
};

/* A config seen for a domain name, and where. */
struct vpw_rec {
	bool used;
	uint64_t age;		/* for replacement: least recently seen goes */
	struct vpx_cfg cfg;
	char where[VPW_WHERE_LEN];
};

struct vpw_stats {
	uint64_t scans, sweeps, added, add_errors, gave_up, bad_config;
	uint64_t removed, retried;
};

/*
 * The service's state: per domid, whether its devices were dealt with;
 * the configs seen; the sources to look in.  vpw_scan() compares it with
 * the store and acts; @now_ms is a monotonic clock (the bound on retries).
 * @log gets one line per action or give-up (no newline).
 */
struct vpw {
	struct vpx_store *s;
	const char *proc;			/* "/proc" */
	const char *dirs[VPW_DIRS_MAX + 1];	/* NULL-terminated */
	uint32_t retry_ms;
	void (*log)(void *ctx, const char *line);
	void *log_ctx;
	uint8_t state[VPW_DOMID_MAX];
	uint64_t since[VPW_DOMID_MAX];		/* first seen, ms */
	struct vpw_rec rec[VPW_REC_MAX];
	uint64_t clock;
	uint32_t npending;
	struct vpw_stats st;
};

/* vpw_init - zeroes @w, "/proc", no dirs, the default retry bound */
void vpw_init(struct vpw *w, struct vpx_store *s);
/* vpw_scan - new domains, pending ones again, leftovers of gone ones */
void vpw_scan(struct vpw *w, uint64_t now_ms);

/* ---- kdev.c --------------------------------------------------------------- */

/* /dev/vprime: $VPRIME_DEV, or the default */
const char *vpctl_dev_path(void);
/* VPRIME_IOC_LIST: a malloc'd array of *n entries (free() it) */
int vpctl_kernel_list(struct vprime_devinfo **out, uint32_t *n);
/* one device's counters from vprime-back's debugfs file, to @out */
int vpctl_debugfs_counters(uint32_t domid, uint32_t devid, void *out);

/* ---- vprimectl.c ---------------------------------------------------------- */

extern const char *vpctl_prog;
void vpctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vpctl_usage_of(const char *cmd);
/* open the store or print why not; 0 or 1 (the exit status) */
int vpctl_store_open(struct vpx_store *s, bool readonly);
/* a strict decimal u32 in [min, max] */
bool vpctl_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);

int vpctl_cmd_add(int argc, char **argv);
int vpctl_cmd_remove(int argc, char **argv);
int vpctl_cmd_list(int argc, char **argv);
int vpctl_cmd_stats(int argc, char **argv);
int vpctl_cmd_capture(int argc, char **argv);
int vpctl_cmd_link(int argc, char **argv);
int vpctl_cmd_config(int argc, char **argv);
int vpctl_cmd_watch(int argc, char **argv);

#endif /* VPCTL_H */
