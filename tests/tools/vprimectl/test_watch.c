// SPDX-License-Identifier: MIT
/*
 * test_watch.c - the watch service's logic (tools/watch.c with the real
 * config finder, tools/findcfg.c) over a simulated xenstore and a
 * simulated /proc (a directory tree: <pid>/cmdline, <pid>/environ,
 * <pid>/cwd as a symlink, as procfs shows them), on a virtual clock.
 *
 * The race it reproduces: a domain is introduced before its config can be
 * found (its `xl create` has already exited and only the daemonised xl
 * monitor is left, whose cwd is `/`; or its name is not written yet; or
 * the config is nowhere yet), then becomes findable: the service must add
 * its devices; many domains at once, found in any order; and every domain
 * given up is logged once, with the reason.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "vpctl.h"

/* ---- the simulated xenstore ---------------------------------------------- */

struct node {
	char path[VPX_PATH_MAX + 32];
	char val[VPX_PATH_MAX];
};

static struct {
	struct node *n;
	size_t nn, cap;
	bool alive[VPW_DOMID_MAX];
	uint32_t txn;
} xs;

static struct node *xs_find(const char *path)
{
	size_t i;

	for (i = 0; i < xs.nn; i++)
		if (!strcmp(xs.n[i].path, path))
			return &xs.n[i];
	return NULL;
}

static void xs_put(const char *path, const char *val)
{
	char parent[sizeof(xs.n[0].path)], *slash;
	struct node *nd = xs_find(path);

	if (!nd) {
		snprintf(parent, sizeof(parent), "%s", path);
		slash = strrchr(parent, '/');
		if (slash && slash != parent) {
			*slash = '\0';
			if (!xs_find(parent))
				xs_put(parent, "");
		}
		if (xs.nn == xs.cap) {
			xs.cap = xs.cap ? 2 * xs.cap : 1024;
			xs.n = realloc(xs.n, xs.cap * sizeof(*xs.n));
			assert_non_null(xs.n);
		}
		nd = &xs.n[xs.nn++];
		snprintf(nd->path, sizeof(nd->path), "%s", path);
	}
	snprintf(nd->val, sizeof(nd->val), "%s", val);
}

static int x_txn_start(struct vpx_store *s, uint32_t *t)
{
	(void)s;
	*t = ++xs.txn;
	return 0;
}

static int x_txn_end(struct vpx_store *s, uint32_t t, bool abort)
{
	(void)s, (void)t, (void)abort;
	return 0;
}

static int x_read(struct vpx_store *s, uint32_t t, const char *path,
		  char *buf, size_t cap)
{
	struct node *nd = xs_find(path);

	(void)s, (void)t;
	if (!nd)
		return -ENOENT;
	if (strlen(nd->val) + 1 > cap)
		return -E2BIG;
	strcpy(buf, nd->val);
	return (int)strlen(nd->val);
}

static int x_write(struct vpx_store *s, uint32_t t, const char *path,
		   const char *val)
{
	(void)s, (void)t;
	xs_put(path, val);
	return 0;
}

static int x_rm(struct vpx_store *s, uint32_t t, const char *path)
{
	size_t n = strlen(path), i, k = 0;
	bool hit = false;

	(void)s, (void)t;
	for (i = 0; i < xs.nn; i++) {
		const char *p = xs.n[i].path;

		if (!strncmp(p, path, n) && (p[n] == '\0' || p[n] == '/')) {
			hit = true;
			continue;
		}
		xs.n[k++] = xs.n[i];
	}
	xs.nn = k;
	return hit ? 0 : -ENOENT;
}

static bool xs_child(const char *p, const char *path, size_t n)
{
	return !strncmp(p, path, n) && p[n] == '/' && !strchr(p + n + 1, '/');
}

static int x_list(struct vpx_store *s, uint32_t t, const char *path,
		  char ***names, unsigned int *cnt)
{
	size_t n = strlen(path), i, k = 0, nk = 0, slot = sizeof(xs.n[0].path);
	char **v, *str;

	(void)s, (void)t;
	if (!xs_find(path))
		return -ENOENT;
	for (i = 0; i < xs.nn; i++)
		nk += xs_child(xs.n[i].path, path, n);
	v = calloc(nk + 1, sizeof(char *) + slot);
	assert_non_null(v);
	str = (char *)(v + nk + 1);
	for (i = 0; i < xs.nn; i++) {
		if (!xs_child(xs.n[i].path, path, n))
			continue;
		v[k] = str + k * slot;
		strcpy(v[k++], xs.n[i].path + n + 1);
	}
	*names = v;
	*cnt = (unsigned int)k;
	return 0;
}

static int x_set_perms(struct vpx_store *s, uint32_t t, const char *path,
		       uint32_t owner, uint32_t reader)
{
	(void)s, (void)t, (void)owner, (void)reader;
	return xs_find(path) ? 0 : -ENOENT;
}

static bool x_alive(struct vpx_store *s, uint32_t domid)
{
	(void)s;
	return domid < VPW_DOMID_MAX && xs.alive[domid];
}

static void x_sleep(struct vpx_store *s, uint32_t ms)
{
	(void)s, (void)ms;
}

static const struct vpx_store_ops x_ops = {
	.txn_start = x_txn_start, .txn_end = x_txn_end, .read = x_read,
	.write = x_write, .rm = x_rm, .list = x_list,
	.set_perms = x_set_perms, .domain_alive = x_alive,
	.sleep_ms = x_sleep,
};
static struct vpx_store st = { .ops = &x_ops };

/* libxl's part of a domain: its directory (and name, unless @name NULL) */
static void dom_make(uint32_t domid, const char *name)
{
	char p[VPX_PATH_MAX];

	snprintf(p, sizeof(p), "/local/domain/%u/domid", domid);
	xs_put(p, "");
	if (name) {
		snprintf(p, sizeof(p), "/local/domain/%u/name", domid);
		xs_put(p, name);
	}
	xs.alive[domid] = true;
}

static void dom_name(uint32_t domid, const char *name)
{
	char p[VPX_PATH_MAX];

	snprintf(p, sizeof(p), "/local/domain/%u/name", domid);
	xs_put(p, name);
}

static void dom_destroy(uint32_t domid)
{
	char p[VPX_PATH_MAX];

	snprintf(p, sizeof(p), "/local/domain/%u", domid);
	x_rm(&st, 0, p);
	xs.alive[domid] = false;
}

static bool dev_there(uint32_t domid, uint32_t devid, const char *mac)
{
	char p[VPX_PATH_MAX];
	struct node *nd;

	snprintf(p, sizeof(p), "/local/domain/0/backend/vprime/%u/%u/mac", domid,
		 devid);
	nd = xs_find(p);
	return nd && (!mac || !strcmp(nd->val, mac));
}

/* ---- the simulated /proc and config files -------------------------------- */

static char root[64], proc[96], scen[96], etc[96];

static void w_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void cfg_write(const char *dir, const char *name, const char *vprime)
{
	char path[256], text[512];
	int n;

	snprintf(path, sizeof(path), "%s/%s.cfg", dir, name);
	n = snprintf(text, sizeof(text),
		     "name = \"%s\"\ntype = \"pv\"\nmemory = 64\n%s%s%s\n", name,
		     vprime ? "vprime = [ '" : "", vprime ? vprime : "",
		     vprime ? "' ]" : "");
	w_file(path, text, (size_t)n);
}

/*
 * A process running `xl create NAME.cfg extra...`: @cwd its directory
 * (the monitor: "/"), @pwd its environment's PWD (NULL: none).
 */
static void proc_xl(int pid, const char *file, const char *cwd,
		    const char *pwd, const char *extra)
{
	char dir[256], path[300], args[512], env[300];
	size_t n = 0;
	int e;

	snprintf(dir, sizeof(dir), "%s/%d", proc, pid);
	assert_int_equal(mkdir(dir, 0755), 0);
	n += (size_t)snprintf(args + n, sizeof(args) - n, "/usr/sbin/xl") + 1;
	n += (size_t)snprintf(args + n, sizeof(args) - n, "create") + 1;
	n += (size_t)snprintf(args + n, sizeof(args) - n, "%s", file) + 1;
	if (extra)
		n += (size_t)snprintf(args + n, sizeof(args) - n, "%s", extra) + 1;
	snprintf(path, sizeof(path), "%s/cmdline", dir);
	w_file(path, args, n);
	e = pwd ? snprintf(env, sizeof(env), "HOME=/root%cPWD=%s%c", 0, pwd, 0) :
		  snprintf(env, sizeof(env), "HOME=/root%c", 0);
	snprintf(path, sizeof(path), "%s/environ", dir);
	w_file(path, env, (size_t)e);
	snprintf(path, sizeof(path), "%s/cwd", dir);
	assert_int_equal(symlink(cwd, path), 0);
}

/* another process: not xl, or xl doing something else */
static void proc_other(int pid, const char *argv0, const char *arg1)
{
	char dir[256], path[300], args[256];
	int n;

	snprintf(dir, sizeof(dir), "%s/%d", proc, pid);
	assert_int_equal(mkdir(dir, 0755), 0);
	n = snprintf(args, sizeof(args), "%s%c%s%c", argv0, 0, arg1, 0);
	snprintf(path, sizeof(path), "%s/cmdline", dir);
	w_file(path, args, (size_t)n);
}

static void proc_exit(int pid)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/%d/cmdline", proc, pid);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%d/environ", proc, pid);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%d/cwd", proc, pid);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%d", proc, pid);
	assert_int_equal(rmdir(path), 0);
}

/* ---- the service under test ----------------------------------------------- */

#define LOGS 512
static struct vpw w;
static char logs[LOGS][2 * VPW_WHERE_LEN];
static int nlogs;
static uint64_t now;

static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	assert_true(nlogs < LOGS);
	snprintf(logs[nlogs++], sizeof(logs[0]), "%s", line);
}

static int log_count(const char *a, const char *b)
{
	int i, c = 0;

	for (i = 0; i < nlogs; i++)
		if (strstr(logs[i], a) && (!b || strstr(logs[i], b)))
			c++;
	return c;
}

static void scan(uint64_t advance_ms)
{
	now += advance_ms;
	vpw_scan(&w, now);
}

static int setup(void **state)
{
	(void)state;
	memset(&xs, 0, sizeof(xs));
	xs_put("/local/domain/0/name", "Domain-0");
	xs_put("/local/domain/0/backend", "");
	xs.alive[0] = true;
	snprintf(root, sizeof(root), "/tmp/vpw-test.XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(proc, sizeof(proc), "%s/proc", root);
	snprintf(scen, sizeof(scen), "%s/scen", root);
	snprintf(etc, sizeof(etc), "%s/etc", root);
	assert_int_equal(mkdir(proc, 0755), 0);
	assert_int_equal(mkdir(scen, 0755), 0);
	assert_int_equal(mkdir(etc, 0755), 0);
	proc_other(1, "/sbin/init", "splash");
	proc_other(2, "/usr/sbin/xl", "list");
	vpw_init(&w, &st);
	w.proc = proc;
	w.dirs[0] = etc;
	w.retry_ms = 30000;
	w.log = log_line;
	nlogs = 0;
	now = 1000;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	free(xs.n);
	memset(&xs, 0, sizeof(xs));
	return 0;
}

/* ---- tests ------------------------------------------------------------------ */

/* The usual case: the building `xl create` still runs, relative file. */
static void test_building_xl(void **state)
{
	(void)state;
	cfg_write(scen, "h1", "mac=00:16:3e:00:00:01,name=h1-a");
	proc_xl(100, "h1.cfg", scen, scen, NULL);
	dom_make(5, "h1");
	scan(0);
	assert_true(dev_there(5, 0, "00:16:3e:00:00:01"));
	assert_int_equal(log_count("dom5 (h1): added vprime device 0", "xl create, pid 100"), 1);
	assert_int_equal(w.npending, 0);
}

/* pool= on the vprime line reaches the backend directory as pool-pages. */
static void test_pool(void **state)
{
	struct node *nd;

	(void)state;
	cfg_write(scen, "h1", "mac=00:16:3e:00:00:01,pool=32', "
		  "'mac=00:16:3e:00:00:02");
	proc_xl(100, "h1.cfg", scen, scen, NULL);
	dom_make(5, "h1");
	scan(0);
	assert_true(dev_there(5, 0, "00:16:3e:00:00:01"));
	assert_true(dev_there(5, 1, "00:16:3e:00:00:02"));
	nd = xs_find("/local/domain/0/backend/vprime/5/0/pool-pages");
	assert_non_null(nd);
	assert_string_equal(nd->val, "32");
	assert_null(xs_find("/local/domain/0/backend/vprime/5/1/pool-pages"));
	assert_int_equal(log_count("dom5 (h1): added vprime device 0 "
				   "(mac=00:16:3e:00:00:01,devid=0,pool=32)", "h1.cfg"), 1);
}

/*
 * The race: when the domain is looked at, its `xl create` has
 * exited; the config is in no config directory.  Then the monitor shows
 * up (cwd "/", the shell's PWD in its environment): found through it.
 */
static void test_late_monitor(void **state)
{
	(void)state;
	cfg_write(scen, "g20", "mac=00:16:3e:00:00:20");
	dom_make(20, "g20");
	scan(0);
	assert_false(dev_there(20, 0, NULL));
	assert_int_equal(w.npending, 1);
	assert_int_equal(nlogs, 0);
	scan(250);
	assert_false(dev_there(20, 0, NULL));
	proc_xl(300, "g20.cfg", "/", scen, NULL);
	scan(250);
	assert_true(dev_there(20, 0, "00:16:3e:00:00:20"));
	assert_int_equal(log_count("dom20 (g20): added", "xl monitor, pid 300"), 1);
	assert_int_equal(w.npending, 0);
	/* dealt with: no second add, no more logs */
	scan(250);
	assert_int_equal(nlogs, 1);
}

/* The key=value overrides of the command line count, as for xl. */
static void test_monitor_overrides(void **state)
{
	(void)state;
	cfg_write(scen, "base", "mac=00:16:3e:00:00:30");
	proc_xl(301, "base.cfg", "/", scen, "name=\"o1\"");
	dom_make(21, "o1");
	scan(0);
	assert_true(dev_there(21, 0, "00:16:3e:00:00:30"));
}

/* Name not written yet when the domain is first seen. */
static void test_name_late(void **state)
{
	(void)state;
	cfg_write(etc, "n1", "mac=00:16:3e:00:00:40");
	dom_make(7, NULL);
	scan(0);
	assert_int_equal(w.npending, 1);
	assert_false(dev_there(7, 0, NULL));
	dom_name(7, "n1");
	scan(250);
	assert_true(dev_there(7, 0, "00:16:3e:00:00:40"));
	assert_int_equal(log_count("dom7 (n1): added", etc), 1);
}

/* A config seen while its xl create ran is remembered after it exits. */
static void test_record(void **state)
{
	(void)state;
	cfg_write(scen, "a", "mac=00:16:3e:00:00:50");
	cfg_write(scen, "b", "mac=00:16:3e:00:00:51");
	proc_xl(400, "a.cfg", scen, scen, NULL);
	proc_xl(401, "b.cfg", scen, NULL, NULL);
	dom_make(8, "a");
	scan(0);		/* a's scan sees b's xl create as well */
	proc_exit(400);
	proc_exit(401);		/* b's xl exits, no monitor (xl create -e) */
	dom_make(9, "b");
	scan(10);
	assert_true(dev_there(8, 0, "00:16:3e:00:00:50"));
	assert_true(dev_there(9, 0, "00:16:3e:00:00:51"));
	assert_int_equal(log_count("dom9 (b): added", "xl create, pid 401"), 1);
}

/* Never found: given up once, at the bound, with the reason. */
static void test_give_up(void **state)
{
	(void)state;
	dom_make(10, "lost");
	dom_make(11, NULL);
	scan(0);
	scan(29000);
	assert_int_equal(w.npending, 2);
	assert_int_equal(nlogs, 0);
	scan(1000);
	assert_int_equal(w.npending, 0);
	assert_int_equal(log_count("dom10 (lost): no config with this name found", etc), 1);
	assert_int_equal(log_count("dom11: no name in xenstore", NULL), 1);
	assert_int_equal(w.st.gave_up, 2);
	/* no more lines later, and a config appearing now changes nothing */
	cfg_write(etc, "lost", "mac=00:16:3e:00:00:60");
	scan(1000);
	assert_int_equal(nlogs, 2);
	assert_false(dev_there(10, 0, NULL));
}

/* No vprime line: not an error, nothing logged, nothing retried. */
static void test_no_vprime(void **state)
{
	(void)state;
	cfg_write(scen, "plain", NULL);
	proc_xl(500, "plain.cfg", scen, scen, NULL);
	dom_make(12, "plain");
	scan(0);
	assert_int_equal(w.npending, 0);
	scan(60000);
	assert_int_equal(nlogs, 0);
}

/* A config naming the domain that does not parse: one line, no retry. */
static void test_bad_config(void **state)
{
	char path[256];
	const char bad[] = "name = \"bad1\"\nvprime = [ 'mac=zz' ]\n";

	(void)state;
	snprintf(path, sizeof(path), "%s/bad1.cfg", scen);
	w_file(path, bad, sizeof(bad) - 1);
	proc_xl(600, "bad1.cfg", scen, scen, NULL);
	dom_make(13, "bad1");
	scan(0);
	assert_int_equal(w.npending, 0);
	assert_int_equal(log_count("dom13 (bad1)", "line 2"), 1);
	scan(60000);
	assert_int_equal(nlogs, 1);
}

/* Gone while pending: no give-up line; its leftovers go; its id reused. */
static void test_gone_pending(void **state)
{
	(void)state;
	dom_make(14, "short");
	scan(0);
	dom_destroy(14);
	scan(40000);
	assert_int_equal(nlogs, 0);
	assert_int_equal(w.npending, 0);
	/* the id again, this time with a config and a device, then gone */
	cfg_write(etc, "again", "mac=00:16:3e:00:00:70");
	dom_make(14, "again");
	scan(100);
	assert_true(dev_there(14, 0, "00:16:3e:00:00:70"));
	dom_destroy(14);
	scan(100);
	assert_false(dev_there(14, 0, NULL));
	assert_int_equal(log_count("dom14 is gone: removed vprime device 0", NULL), 1);
}

/*
 * Many domains at once: 64 introduced in one burst; a third found through
 * their building xl, a third only once their monitor appears (in a
 * shuffled order, over several scans), a third from the config dir after
 * their names are written late.  Every device added exactly once.
 */
#define MANY 64
static void test_many(void **state)
{
	uint32_t order[MANY], i, j, t;
	char name[16], mac[24], macs[64];

	(void)state;
	srand(17);
	for (i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "m%u", i);
		snprintf(macs, sizeof(macs), "mac=00:16:3e:01:%02x:01,name=m%u-0",
			 i, i);
		cfg_write(i % 3 == 2 ? etc : scen, name, macs);
		if (i % 3 == 0)
			proc_xl(1000 + (int)i, strcat(name, ".cfg"), scen, scen,
				NULL);
		snprintf(name, sizeof(name), "m%u", i);
		dom_make(100 + i, i % 3 == 2 ? NULL : name);
		order[i] = i;
	}
	for (i = MANY - 1; i > 0; i--) {
		j = (uint32_t)rand() % (i + 1);
		t = order[i], order[i] = order[j], order[j] = t;
	}
	scan(0);
	assert_int_equal(w.npending, MANY - (MANY + 2) / 3);
	for (i = 0; i < MANY; i++) {
		uint32_t k = order[i];

		snprintf(name, sizeof(name), "m%u", k);
		if (k % 3 == 1) {
			char file[24];

			snprintf(file, sizeof(file), "m%u.cfg", k);
			proc_xl(3000 + (int)k, file, "/", scen, NULL);
		} else if (k % 3 == 2) {
			dom_name(100 + k, name);
		}
		if (i % 5 == 4)
			scan(250);
	}
	scan(250);
	assert_int_equal(w.npending, 0);
	for (i = 0; i < MANY; i++) {
		snprintf(mac, sizeof(mac), "00:16:3e:01:%02x:01", i);
		assert_true(dev_there(100 + i, 0, mac));
	}
	assert_int_equal(w.st.added, MANY);
	assert_int_equal(log_count("added vprime device", NULL), MANY);
	assert_int_equal(w.st.gave_up, 0);
	scan(60000);
	assert_int_equal(nlogs, MANY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_building_xl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_late_monitor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_overrides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_late, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_give_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_vprime, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many, setup, teardown),
	};

	if (getenv("VPW_TEST"))
		cmocka_set_test_filter(getenv("VPW_TEST"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
