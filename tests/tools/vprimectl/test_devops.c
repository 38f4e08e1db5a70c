// SPDX-License-Identifier: MIT
/*
 * test_devops.c - the xenstore sequence of vprimectl add/remove
 * (tools/devops.c) over an in-memory store that logs every operation:
 * the order docs/protocol.md asks for, the permissions, transaction retry,
 * and removal with and without a frontend that answers.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vpctl.h"

#define NODES 512
#define LOG 512

struct node {
	bool used;
	char path[VPX_PATH_MAX + 32];
	char val[VPX_PATH_MAX];
	uint32_t owner, reader;
};

struct fake {
	struct node n[NODES], snap[NODES];
	uint32_t txn, next_txn, commits;
	int eagain_left;		/* commits to fail with -EAGAIN */
	bool alive[64];
	char log[LOG][VPX_PATH_MAX + 64];
	int nlog;
	uint32_t sleeps;
	int close_after;		/* sleeps until the frontend closes */
	char fe_state_path[VPX_PATH_MAX + 16];
};

static struct fake fk;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	va_list ap;

	assert_true(fk.nlog < LOG);
	va_start(ap, fmt);
	vsnprintf(fk.log[fk.nlog++], sizeof(fk.log[0]), fmt, ap);
	va_end(ap);
}

static struct node *find(const char *path)
{
	int i;

	for (i = 0; i < NODES; i++)
		if (fk.n[i].used && !strcmp(fk.n[i].path, path))
			return &fk.n[i];
	return NULL;
}

static struct node *mk(const char *path)
{
	char parent[sizeof(fk.n[0].path)], *slash;
	struct node *p, *nd = find(path);
	int i;

	if (nd)
		return nd;
	snprintf(parent, sizeof(parent), "%s", path);
	slash = strrchr(parent, '/');
	p = NULL;
	if (slash && slash != parent) {
		*slash = '\0';
		p = mk(parent);
	}
	for (i = 0; i < NODES && fk.n[i].used; i++)
		;
	assert_true(i < NODES);
	nd = &fk.n[i];
	memset(nd, 0, sizeof(*nd));
	nd->used = true;
	snprintf(nd->path, sizeof(nd->path), "%s", path);
	if (p) {	/* inherit, as xenstored does for dom0 */
		nd->owner = p->owner;
		nd->reader = p->reader;
	}
	return nd;
}

static void put(const char *path, const char *val)
{
	snprintf(mk(path)->val, sizeof(fk.n[0].val), "%s", val);
}

static int f_txn_start(struct vpx_store *s, uint32_t *t)
{
	(void)s;
	assert_int_equal(fk.txn, 0);	/* no nesting */
	memcpy(fk.snap, fk.n, sizeof(fk.n));
	fk.txn = *t = ++fk.next_txn;
	logf_("T%u start", *t);
	return 0;
}

static int f_txn_end(struct vpx_store *s, uint32_t t, bool abort)
{
	(void)s;
	assert_int_equal(t, fk.txn);
	fk.txn = 0;
	if (abort) {
		memcpy(fk.n, fk.snap, sizeof(fk.n));
		logf_("T%u abort", t);
		return 0;
	}
	if (fk.eagain_left > 0) {
		fk.eagain_left--;
		memcpy(fk.n, fk.snap, sizeof(fk.n));
		logf_("T%u eagain", t);
		return -EAGAIN;
	}
	fk.commits++;
	logf_("T%u commit", t);
	return 0;
}

static void check_t(uint32_t t)
{
	assert_true(t == 0 || t == fk.txn);
}

static int f_read(struct vpx_store *s, uint32_t t, const char *path,
		  char *buf, size_t cap)
{
	struct node *nd = find(path);

	(void)s;
	check_t(t);
	if (!nd)
		return -ENOENT;
	if (strlen(nd->val) + 1 > cap)
		return -E2BIG;
	strcpy(buf, nd->val);
	return (int)strlen(nd->val);
}

static int f_write(struct vpx_store *s, uint32_t t, const char *path,
		   const char *val)
{
	(void)s;
	check_t(t);
	put(path, val);
	logf_("T%u write %s=%s", t, path, val);
	return 0;
}

static int f_rm(struct vpx_store *s, uint32_t t, const char *path)
{
	size_t n = strlen(path);
	int i, hit = 0;

	(void)s;
	check_t(t);
	for (i = 0; i < NODES; i++) {
		if (fk.n[i].used && !strncmp(fk.n[i].path, path, n) &&
		    (fk.n[i].path[n] == '\0' || fk.n[i].path[n] == '/')) {
			fk.n[i].used = false;
			hit = 1;
		}
	}
	logf_("T%u rm %s", t, path);
	return hit ? 0 : -ENOENT;
}

static int f_list(struct vpx_store *s, uint32_t t, const char *path,
		  char ***names, unsigned int *cnt)
{
	size_t n = strlen(path);
	char **v, *str;
	unsigned int k = 0;
	int i;

	(void)s;
	check_t(t);
	if (!find(path))
		return -ENOENT;
	v = calloc(NODES, sizeof(char *) + sizeof(fk.n[0].path));
	assert_non_null(v);
	str = (char *)(v + NODES);
	for (i = 0; i < NODES; i++) {
		const char *p = fk.n[i].path;

		if (!fk.n[i].used || strncmp(p, path, n) || p[n] != '/' ||
		    strchr(p + n + 1, '/'))
			continue;
		v[k] = str + k * sizeof(fk.n[0].path);
		strcpy(v[k++], p + n + 1);
	}
	*names = v;
	*cnt = k;
	return 0;
}

static int f_set_perms(struct vpx_store *s, uint32_t t, const char *path,
		       uint32_t owner, uint32_t reader)
{
	struct node *nd = find(path);

	(void)s;
	check_t(t);
	assert_non_null(nd);
	nd->owner = owner;
	nd->reader = reader;
	logf_("T%u perms %s n%u r%u", t, path, owner, reader);
	return 0;
}

static bool f_alive(struct vpx_store *s, uint32_t domid)
{
	(void)s;
	return domid < 64 && fk.alive[domid];
}

static void f_sleep(struct vpx_store *s, uint32_t ms)
{
	(void)s;
	(void)ms;
	fk.sleeps++;
	/* the frontend answers the backend's Closing after a while */
	if (fk.close_after >= 0 && (int)fk.sleeps == fk.close_after)
		put(fk.fe_state_path, "6");
}

static const struct vpx_store_ops f_ops = {
	.txn_start = f_txn_start, .txn_end = f_txn_end, .read = f_read,
	.write = f_write, .rm = f_rm, .list = f_list, .set_perms = f_set_perms,
	.domain_alive = f_alive, .sleep_ms = f_sleep,
};
static struct vpx_store st = { .ops = &f_ops };

static int setup(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof(fk));
	fk.close_after = -1;
	put("/local/domain/0/name", "Domain-0");
	put("/local/domain/0/backend", "");
	put("/local/domain/5/name", "h1");
	mk("/local/domain/5/device")->owner = 5;
	put("/local/domain/6/name", "h2");
	fk.alive[0] = fk.alive[5] = fk.alive[6] = true;
	return 0;
}

static int logidx(const char *line)
{
	int i;

	for (i = 0; i < fk.nlog; i++)
		if (!strcmp(fk.log[i], line))
			return i;
	fail_msg("not in the log: '%s'", line);
	return -1;
}

static struct vpx_dev dev(const char *spec)
{
	struct vpx_dev d = { 0 };
	char err[VPCTL_ERR_LEN];

	if (vpx_parse_spec(spec, strlen(spec), &d, err, sizeof(err)))
		fail_msg("%s: %s", spec, err);
	return d;
}

#define BE "/local/domain/0/backend/vprime/5/0"
#define FE "/local/domain/5/device/vprime/0"

static void test_add_order(void **state)
{
	struct vpx_dev d = dev("mac=00:16:3e:00:00:05,name=h1");
	int i, state_at, commit1;

	(void)state;
	assert_int_equal(vpx_dev_add(&st, 5, &d), 0);
	assert_int_equal(d.devid, 0);
	/* transaction 1: every node but state, with permissions */
	commit1 = logidx("T1 commit");
	assert_true(logidx("T1 write " BE "/frontend=" FE) < commit1);
	assert_true(logidx("T1 write " BE "/frontend-id=5") < commit1);
	assert_true(logidx("T1 write " BE "/online=1") < commit1);
	assert_true(logidx("T1 write " BE "/mac=00:16:3e:00:00:05") < commit1);
	assert_true(logidx("T1 write " BE "/name=h1") < commit1);
	assert_true(logidx("T1 write " FE "/backend=" BE) < commit1);
	assert_true(logidx("T1 write " FE "/backend-id=0") < commit1);
	assert_true(logidx("T1 write " FE "/mac=00:16:3e:00:00:05") < commit1);
	assert_true(logidx("T1 perms " BE " n0 r5") < commit1);
	assert_true(logidx("T1 perms " FE " n5 r0") < commit1);
	/* transaction 2: both state nodes, after transaction 1 */
	state_at = logidx("T2 write " BE "/state=1");
	assert_true(state_at > commit1);
	assert_true(logidx("T2 write " FE "/state=1") < logidx("T2 commit"));
	for (i = 0; i < fk.nlog; i++)
		if (strstr(fk.log[i], "/state=") && i < commit1)
			fail_msg("state written before the other nodes: %s",
				 fk.log[i]);
	/* every node has its end's permissions */
	for (i = 0; i < NODES; i++) {
		if (!fk.n[i].used)
			continue;
		if (!strncmp(fk.n[i].path, BE, strlen(BE))) {
			assert_int_equal(fk.n[i].owner, 0);
			assert_int_equal(fk.n[i].reader, 5);
		}
		if (!strncmp(fk.n[i].path, FE, strlen(FE))) {
			assert_int_equal(fk.n[i].owner, 5);
			assert_int_equal(fk.n[i].reader, 0);
		}
	}
	assert_null(find(FE "/name"));	/* name is backend only */
}

/* pool=: backend pool-pages, dom0's own (n0 r<domid>), in transaction 1 */
static void test_add_pool(void **state)
{
	struct vpx_dev d = dev("mac=00:16:3e:00:00:05,pool=32"), e, f;
	struct vpx_devstate ds;
	struct node *nd;

	(void)state;
	assert_int_equal(vpx_dev_add(&st, 5, &d), 0);
	assert_true(logidx("T1 write " BE "/pool-pages=32") < logidx("T1 commit"));
	nd = find(BE "/pool-pages");
	assert_non_null(nd);
	assert_int_equal(nd->owner, 0);		/* the guest cannot change it */
	assert_int_equal(nd->reader, 5);
	assert_null(find(FE "/pool-pages"));	/* nor is it asked to */
	assert_int_equal(vpx_dev_state(&st, 5, 0, &ds), 0);
	assert_true(ds.has_pool);
	assert_int_equal(ds.pool, 32);
	/* no pool=: no node, vprime-back's max_pool_pages applies */
	e = dev("mac=00:16:3e:00:00:06");
	assert_int_equal(vpx_dev_add(&st, 5, &e), 0);
	assert_null(find("/local/domain/0/backend/vprime/5/1/pool-pages"));
	assert_int_equal(vpx_dev_state(&st, 5, 1, &ds), 0);
	assert_false(ds.has_pool);
	/* a caller that skipped the parser: refused before any write */
	f = dev("mac=00:16:3e:00:00:07");
	f.has_pool = true;
	f.pool = 257;
	fk.nlog = 0;
	assert_int_equal(vpx_dev_add(&st, 5, &f), -ERANGE);
	assert_int_equal(fk.nlog, 0);
	f.pool = 7;
	assert_int_equal(vpx_dev_add(&st, 5, &f), -ERANGE);
	assert_null(find("/local/domain/0/backend/vprime/5/2"));
	/* a hand-written value out of range is not reported as a pool */
	put("/local/domain/0/backend/vprime/5/1/pool-pages", "512");
	assert_int_equal(vpx_dev_state(&st, 5, 1, &ds), 0);
	assert_false(ds.has_pool);
}

static void test_add_ids_and_clashes(void **state)
{
	struct vpx_dev a = dev("mac=00:16:3e:00:00:05"), b, c, e;

	(void)state;
	assert_int_equal(vpx_dev_add(&st, 5, &a), 0);
	b = dev("mac=00:16:3e:00:00:06,name=x");
	assert_int_equal(vpx_dev_add(&st, 5, &b), 0);
	assert_int_equal(b.devid, 1);
	c = dev("mac=00:16:3e:00:00:07,devid=1");
	assert_int_equal(vpx_dev_add(&st, 5, &c), -EEXIST);
	c = dev("mac=00:16:3e:00:00:05,devid=9");
	assert_int_equal(vpx_dev_add(&st, 5, &c), -EBUSY);	/* same mac */
	c = dev("mac=00:16:3e:00:00:08,name=x");
	assert_int_equal(vpx_dev_add(&st, 5, &c), -EBUSY);	/* same name */
	/* another domain may reuse the mac: a clash is per domain only */
	e = dev("mac=00:16:3e:00:00:05");
	assert_int_equal(vpx_dev_add(&st, 6, &e), 0);
	/* no such domain, or dom0 */
	c = dev("mac=00:16:3e:00:00:09");
	assert_int_equal(vpx_dev_add(&st, 7, &c), -ESRCH);
	assert_int_equal(vpx_dev_add(&st, 0, &c), -ESRCH);
	/* a frontend directory alone also blocks the devid */
	put("/local/domain/6/device/vprime/1/state", "1");
	c = dev("mac=00:16:3e:00:00:0a");
	assert_int_equal(vpx_dev_add(&st, 6, &c), 0);
	assert_int_equal(c.devid, 2);
}

static void test_add_retry(void **state)
{
	struct vpx_dev d = dev("mac=00:16:3e:00:00:05");

	(void)state;
	fk.eagain_left = 2;	/* transaction 1 conflicts twice */
	assert_int_equal(vpx_dev_add(&st, 5, &d), 0);
	logidx("T1 eagain");
	logidx("T2 eagain");
	logidx("T3 commit");
	assert_non_null(find(BE "/state"));
	assert_non_null(find(FE "/mac"));
	assert_int_equal(fk.commits, 2);
}

static void test_names(void **state)
{
	uint32_t id = 99;
	char name[VPX_DOMNAME_LEN];

	(void)state;
	assert_int_equal(vpx_domid(&st, "h2", &id), 0);
	assert_int_equal(id, 6);
	assert_int_equal(vpx_domid(&st, "5", &id), 0);
	assert_int_equal(id, 5);
	assert_int_equal(vpx_domid(&st, "nope", &id), -ENOENT);
	assert_int_equal(vpx_domid(&st, "", &id), -EINVAL);
	put("/local/domain/7/name", "h2");
	assert_int_equal(vpx_domid(&st, "h2", &id), -EBUSY);
	assert_int_equal(vpx_domname(&st, 5, name, sizeof(name)), 0);
	assert_string_equal(name, "h1");
	assert_string_equal(vpx_state_name(4), "Connected");
	assert_string_equal(vpx_state_name(-1), "-");
	assert_string_equal(vpx_state_name(99), "?");
}

static void test_remove_graceful(void **state)
{
	struct vpx_dev d = dev("mac=00:16:3e:00:00:05");
	struct vpx_devstate ds;
	uint32_t ids[8];
	int fe = 0;

	(void)state;
	assert_int_equal(vpx_dev_add(&st, 5, &d), 0);
	put(FE "/state", "4");
	put(BE "/state", "4");
	assert_int_equal(vpx_devids(&st, 5, ids, 8), 1);
	assert_int_equal(vpx_dev_state(&st, 5, 0, &ds), 0);
	assert_int_equal(ds.be_state, 4);
	assert_int_equal(ds.fe_state, 4);
	assert_true(ds.has_mac);
	/* the frontend closes after 5 polls */
	snprintf(fk.fe_state_path, sizeof(fk.fe_state_path), FE "/state");
	fk.close_after = 5;
	fk.nlog = 0;
	assert_int_equal(vpx_dev_remove(&st, 5, 0, false, 10000, &fe), 0);
	assert_int_equal(fe, 6);
	assert_int_equal(fk.sleeps, 5);
	assert_true(logidx("T3 write " BE "/online=0") <
		    logidx("T3 write " BE "/state=5"));
	assert_true(logidx("T3 commit") < logidx("T4 rm " FE));
	assert_null(find(BE));
	assert_null(find(FE));
	/* empty parents go too; the guest's device directory stays */
	assert_null(find("/local/domain/0/backend/vprime/5"));
	assert_null(find("/local/domain/5/device/vprime"));
	assert_non_null(find("/local/domain/5/device"));
	assert_int_equal(vpx_dev_remove(&st, 5, 0, false, 0, NULL), -ENOENT);
}

static void test_remove_timeout_and_force(void **state)
{
	struct vpx_dev d = dev("mac=00:16:3e:00:00:05");
	int fe = 0;

	(void)state;
	assert_int_equal(vpx_dev_add(&st, 5, &d), 0);
	put(FE "/state", "4");
	/* a frontend that never answers: nodes stay, backend Closing */
	assert_int_equal(vpx_dev_remove(&st, 5, 0, false, 1000, &fe), -ETIMEDOUT);
	assert_int_equal(fe, 4);
	assert_int_equal(fk.sleeps, 20);
	assert_string_equal(find(BE "/state")->val, "5");
	assert_non_null(find(FE));
	/* the domain dies: graceful is refused, force removes; the error
	 * node the backend left when it failed the device goes too */
	put("/local/domain/0/error/backend/vprime/5/0/error", "14 mapping");
	fk.alive[5] = false;
	assert_int_equal(vpx_dev_remove(&st, 5, 0, false, 1000, NULL), -ESRCH);
	assert_int_equal(vpx_dev_remove(&st, 5, 0, true, 0, NULL), 0);
	assert_null(find(BE));
	assert_null(find("/local/domain/0/backend/vprime/5"));
	assert_null(find("/local/domain/0/error/backend/vprime/5/0/error"));
	assert_null(find("/local/domain/0/error/backend/vprime/5"));
}

static void test_remove_unprobed(void **state)
{
	struct vpx_dev d = dev("mac=00:16:3e:00:00:05");

	(void)state;
	/* no frontend driver in the guest: state stays Initialising */
	assert_int_equal(vpx_dev_add(&st, 5, &d), 0);
	assert_int_equal(vpx_dev_remove(&st, 5, 0, false, 1000, NULL), 0);
	assert_int_equal(fk.sleeps, 0);
	assert_null(find(BE));
}

static void test_enumerate(void **state)
{
	struct vpx_dev d;
	uint32_t ids[8];

	(void)state;
	d = dev("mac=00:16:3e:00:00:05,devid=3");
	assert_int_equal(vpx_dev_add(&st, 5, &d), 0);
	d = dev("mac=00:16:3e:00:00:06,devid=1");
	assert_int_equal(vpx_dev_add(&st, 5, &d), 0);
	d = dev("mac=00:16:3e:00:00:07");
	assert_int_equal(vpx_dev_add(&st, 6, &d), 0);
	put("/local/domain/0/backend/vprime/junk/0/state", "1");
	assert_int_equal(vpx_devids(&st, 5, ids, 8), 2);
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[1], 3);
	assert_int_equal(vpx_domids(&st, ids, 8), 2);
	assert_int_equal(ids[0], 5);
	assert_int_equal(ids[1], 6);
	assert_int_equal(vpx_domids(&st, ids, 1), 2);	/* count beyond cap */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_add_order, setup),
		cmocka_unit_test_setup(test_add_pool, setup),
		cmocka_unit_test_setup(test_add_ids_and_clashes, setup),
		cmocka_unit_test_setup(test_add_retry, setup),
		cmocka_unit_test_setup(test_names, setup),
		cmocka_unit_test_setup(test_remove_graceful, setup),
		cmocka_unit_test_setup(test_remove_timeout_and_force, setup),
		cmocka_unit_test_setup(test_remove_unprobed, setup),
		cmocka_unit_test_setup(test_enumerate, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
