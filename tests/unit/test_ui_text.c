/*
 * test_ui_text.c: the console's pure logic: column widths, truncation with
 * an ellipsis, wrapping, the instance order and object filter over a
 * hand-built snapshot, and the key table (dispatch, readonly).
 */
#include "config.h"

#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curses.h>

#include "hasync/snapshot.h"
#include "hasync/ui_advice.h"
#include "hasync/ui_glossary.h"
#include "hasync/ui_keys.h"
#include "hasync/ui_text.h"
#include "hasync/ui_view.h"

#define S(x)	((char *)(x))	/* string literals into snapshot fields */

static void
fit(const char *in, int cols, int flags, const char *want, int wantw)
{
	char	buf[256];
	int	w;

	w = text_fit(buf, sizeof buf, in, cols, flags);
	assert_string_equal(buf, want);
	assert_int_equal(w, wantw);
}

static void
test_width(void **state)
{
	(void)state;
	text_set_utf8(true);
	assert_int_equal(text_width("abc"), 3);
	assert_int_equal(text_width(""), 0);
	assert_int_equal(text_width(NULL), 0);
	assert_int_equal(text_width("h\xc3\xa9"), 2);		/* hé */
	assert_int_equal(text_width("\xe6\x97\xa5\xe6\x9c\xac"), 4); /* 日本 */
	assert_int_equal(text_width("e\xcc\x81"), 1);		/* combining */
	assert_int_equal(text_width("\xff"), 1);		/* invalid byte */
}

static void
test_fit_utf8(void **state)
{
	(void)state;
	text_set_utf8(true);
	fit("hello", 10, 0, "hello", 5);
	fit("hello", 10, TEXT_PAD, "hello     ", 10);
	fit("hello", 8, TEXT_RIGHT, "   hello", 8);
	fit("hello world", 8, 0, "hello w\xe2\x80\xa6", 8);
	fit("hello", 5, 0, "hello", 5);
	fit("hello", 1, 0, "\xe2\x80\xa6", 1);
	fit("hello", 0, 0, "", 0);
	/* A wide character never straddles the edge. */
	fit("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 4, TEXT_PAD,
	    "\xe6\x97\xa5\xe2\x80\xa6 ", 4);
	fit("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 5, 0,
	    "\xe6\x97\xa5\xe6\x9c\xac\xe2\x80\xa6", 5);
	/* Control characters that slipped through become '?'. */
	fit("a\x1b" "b", 5, 0, "a?b", 3);
}

static void
test_fit_ascii(void **state)
{
	(void)state;
	text_set_utf8(false);
	fit("hello world", 8, 0, "hello w~", 8);
	fit("h\xc3\xa9llo", 10, 0, "h?llo", 5);
	fit("\xe6\x97\xa5\xe6\x9c\xac", 10, 0, "??", 2);
	text_set_utf8(true);
}

static void
test_fit_raw(void **state)
{
	char	buf[256];

	(void)state;
	text_set_utf8(true);
	/* Escape sequences are shown escaped, never passed through. */
	text_fit_raw(buf, sizeof buf, "x\x1b[2J\x1b]0;pwn\x07", 40, 0);
	assert_string_equal(buf, "x\\e[2J\\e]0;pwn\\x07");
	assert_null(strchr(buf, 0x1b));
	text_fit_raw(buf, sizeof buf, NULL, 5, 0);
	assert_string_equal(buf, "-");
	/* A tiny buffer is never overrun. */
	assert_true(text_fit(buf, 4, "abcdefgh", 20, 0) <= 3);
	assert_int_equal(strlen(buf), 3);
}

static void
test_wrap(void **state)
{
	char	**l;
	size_t	  n;

	(void)state;
	n = text_wrap("the quick brown fox", 10, &l);
	assert_int_equal(n, 2);
	assert_string_equal(l[0], "the quick");
	assert_string_equal(l[1], "brown fox");
	text_lines_free(l, n);

	n = text_wrap("abcdefghijkl", 5, &l);
	assert_int_equal(n, 3);
	assert_string_equal(l[0], "abcde");
	assert_string_equal(l[2], "kl");
	text_lines_free(l, n);

	n = text_wrap("{\n  \"a\": 1\n}", 20, &l);
	assert_int_equal(n, 3);
	assert_string_equal(l[1], "  \"a\": 1");
	text_lines_free(l, n);

	n = text_wrap("", 20, &l);
	assert_int_equal(n, 1);
	assert_string_equal(l[0], "");
	text_lines_free(l, n);

	n = text_wrap("x", 0, &l);		/* 1x1 terminals */
	assert_int_equal(n, 1);
	text_lines_free(l, n);
}

static void
test_contains(void **state)
{
	(void)state;
	assert_true(text_contains("Remote_Schema rs1", "schema"));
	assert_true(text_contains("abc", ""));
	assert_false(text_contains("abc", "abcd"));
	assert_false(text_contains(NULL, "a"));
	assert_true(text_contains("aab", "ab"));
}

/* A hand-built snapshot: three instances, three union objects. */
#define OBJ(k, t, n, r, c) { .key = k, .type = t, .name = n, .reason = r, \
	.cause = c, .raw = "{}", .raw_len = 2 }
static struct object	 objs2[2] = {
	OBJ("remote_schema\trs1", "remote_schema", "rs1",
	    "Inconsistent object: connection refused", "connection refused"),
	OBJ("table\tpublic.gone", "table", "public.gone", "no such table",
	    "no such table"),
};
static struct object	 o3 = OBJ("action\tcreate_user", "action",
	"create_user", "unknown type", "unknown type");
static struct object	*set2[] = { &objs2[0], &objs2[1] };
static struct objset	 none = { .refs = 0 };
static struct objset	 two = { .hash = 1, .v = objs2, .n = 2, .uniq = set2,
	.n_uniq = 2 };

static void
make_snapshot(struct snapshot *s, struct snap_instance *in,
    struct snap_object *u)
{
	memset(s, 0, sizeof *s);
	memset(in, 0, 3 * sizeof *in);
	in[0].endpoint = S("http://c:8080");
	in[0].health = HEALTH_OK;
	in[0].verdict = VERDICT_OK;
	in[0].latency_ms = 30;
	in[0].objects = &none;
	in[0].consistency_known = true;
	in[0].mem_version = 5;
	in[1].endpoint = S("http://a:8080");
	in[1].health = HEALTH_UNREACHABLE;
	in[1].verdict = VERDICT_UNREACHABLE;
	in[1].latency_ms = -1;
	in[1].objects = &none;
	in[1].mem_version = -1;
	in[2].endpoint = S("http://b:8080");
	in[2].health = HEALTH_WARN;
	in[2].verdict = VERDICT_INCONSISTENT;
	in[2].latency_ms = 10;
	in[2].objects = &two;
	in[2].consistency_known = true;
	in[2].mem_version = 4;
	s->inst = in;
	s->n_inst = 3;
	memset(u, 0, 3 * sizeof *u);
	u[0].obj = &objs2[0];
	u[1].obj = &objs2[1];
	u[2].obj = &o3;
	s->objects = u;
	s->n_objects = 3;
}

static void
test_sort(void **state)
{
	struct snapshot		s;
	struct snap_instance	in[3];
	struct snap_object	u[3];
	size_t			order[3];

	(void)state;
	make_snapshot(&s, in, u);
	view_sort_instances(&s, VIEW_SORT_ENDPOINT, false, order);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 0);
	view_sort_instances(&s, VIEW_SORT_ENDPOINT, true, order);
	assert_int_equal(order[0], 0);
	view_sort_instances(&s, VIEW_SORT_VERDICT, false, order);
	assert_int_equal(order[0], 1);		/* unreachable first */
	assert_int_equal(order[1], 2);		/* then inconsistent */
	assert_int_equal(order[2], 0);		/* ok last */
	view_sort_instances(&s, VIEW_SORT_NUMBER, false, order);
	assert_int_equal(order[0], 0);		/* as configured */
	assert_int_equal(order[2], 2);
	view_sort_instances(&s, VIEW_SORT_LATENCY, false, order);
	assert_int_equal(order[0], 2);
	assert_int_equal(order[2], 1);		/* unknown last */
	view_sort_instances(&s, VIEW_SORT_INCONSISTENT, false, order);
	assert_int_equal(order[0], 2);
	view_sort_instances(&s, VIEW_SORT_MEMVER, false, order);
	assert_int_equal(order[0], 2);
	assert_int_equal(view_find_instance(&s, order, 3, "http://c:8080"), 1);
	assert_int_equal(view_find_instance(&s, order, 3, "http://x"), -1);
	assert_int_equal(view_find_instance(&s, order, 3, NULL), -1);
	assert_string_equal(view_sort_name(VIEW_SORT_VERDICT), "verdict");
	assert_int_equal(VIEW_SORT_VERDICT, 0);	/* the default */
}

static void
test_filter(void **state)
{
	struct snapshot		s;
	struct snap_instance	in[3];
	struct snap_object	u[3];
	size_t			idx[3], n;

	(void)state;
	make_snapshot(&s, in, u);
	assert_int_equal(view_filter_objects(&s, "", idx), 3);
	n = view_filter_objects(&s, "REMOTE", idx);	/* type */
	assert_int_equal(n, 1);
	assert_int_equal(idx[0], 0);
	n = view_filter_objects(&s, "gone", idx);	/* name */
	assert_int_equal(n, 1);
	assert_int_equal(idx[0], 1);
	n = view_filter_objects(&s, "unknown type", idx); /* reason, cause */
	assert_int_equal(n, 1);
	assert_int_equal(idx[0], 2);
	assert_int_equal(view_filter_objects(&s, "zzz", idx), 0);
	n = view_filter_objects(&s, "e", idx);
	assert_int_equal(view_find_object(&s, idx, n, "table\tpublic.gone"), 1);
	assert_int_equal(view_object_by_key(&s, "action\tcreate_user"), 2);
	assert_int_equal(view_object_by_key(&s, "nope"), -1);
}

static void
test_keys(void **state)
{
	const struct keybind	*k;
	size_t			 n, i, j, a, b;

	(void)state;
	k = keys_table(&n);
	assert_true(n > 10);
	assert_int_equal(keys_lookup('r', false), ACT_RELOAD_INSTANCE);
	assert_int_equal(keys_lookup('R', false), ACT_RELOAD_CLUSTER);
	assert_int_equal(keys_lookup('D', false), ACT_DROP);
	assert_int_equal(keys_lookup('r', true), ACT_NONE);
	assert_int_equal(keys_lookup('R', true), ACT_NONE);
	assert_int_equal(keys_lookup('D', true), ACT_NONE);
	assert_int_equal(keys_lookup('q', true), ACT_QUIT);
	assert_int_equal(keys_lookup(KEY_F(10), false), ACT_QUIT);
	assert_int_equal(keys_lookup(KEY_F(5), false), ACT_REFRESH);
	assert_int_equal(keys_lookup('?', false), ACT_HELP);
	assert_int_equal(keys_lookup(KEY_F(1), false), ACT_HELP);
	assert_int_equal(keys_lookup('/', false), ACT_FILTER);
	assert_int_equal(keys_lookup('j', false), ACT_DOWN);
	assert_int_equal(keys_lookup('G', false), ACT_END);
	assert_int_equal(keys_lookup('x', false), ACT_NONE);
	/* Every binding is documented and no key is bound twice. */
	for (i = 0; i < n; i++) {
		assert_non_null(k[i].label);
		assert_non_null(k[i].help);
		assert_true(k[i].fkey == NULL || k[i].word != NULL);
		for (a = 0; a < 5 && k[i].keys[a] != 0; a++)
			for (j = i; j < n; j++)
				for (b = j == i ? a + 1 : 0; b < 5 &&
				    k[j].keys[b] != 0; b++)
					assert_int_not_equal(k[i].keys[a],
					    k[j].keys[b]);
	}
}

/* elide(in, cols, a, b, want): text_elide's result. */
static void
elide(const char *in, int cols, size_t a, size_t b, const char *want)
{
	char	buf[256];

	text_elide(buf, sizeof buf, in, cols, a, b);
	assert_string_equal(buf, want);
	assert_true(text_width(buf) <= cols);
}

static void
test_elide(void **state)
{
	char	*eps[2], a0[64], a1[64];
	size_t	 a, b;

	(void)state;
	text_set_utf8(false);
	elide("127.0.0.1:8080", 20, 0, 0, "127.0.0.1:8080");
	elide("abcdefghijklmnopqrstuvwxyz", 11, 0, 0, "abcde~vwxyz");
	/* Two endpoints that differ only in the port's last digit. */
	snprintf(a0, sizeof a0, "hasura-replica.prod.example.com:18080");
	snprintf(a1, sizeof a1, "hasura-replica.prod.example.com:18081");
	eps[0] = a0;
	eps[1] = a1;
	view_differs(eps, 2, 0, &a, &b);
	assert_int_equal(a, strlen(a0) - 1);
	assert_int_equal(b, strlen(a0));
	elide(a0, 16, a, b, "hasura-~om:18080");
	elide(a1, 16, a, b, "hasura-~om:18081");
	/* ...or only near the start: the head keeps what differs. */
	snprintf(a0, sizeof a0, "hasura-0.hasura-headless.prod.svc.local:8080");
	snprintf(a1, sizeof a1, "hasura-1.hasura-headless.prod.svc.local:8080");
	view_differs(eps, 2, 1, &a, &b);
	assert_int_equal(a, 7);
	assert_int_equal(b, 8);
	elide(a1, 20, a, b, "hasura-1.~local:8080");
	elide(a1, 12, a, b, "hasura-1~080");
	/* The same text differs from nothing. */
	eps[1] = a0;
	view_differs(eps, 2, 0, &a, &b);
	assert_int_equal(a, 0);
	assert_int_equal(b, 0);
	text_set_utf8(true);
	elide("abcdefghijklmnopqrstuvwxyz", 11, 0, 0,
	    "abcde\xe2\x80\xa6vwxyz");
}

static void
test_names(void **state)
{
	struct snapshot		s;
	struct snap_instance	in[3];
	struct snap_object	u[3];
	struct object		o = OBJ("remote_schema\tremote_schema rs",
				    "remote_schema", "remote_schema rs", "r", "c");
	char			buf[128], *t;

	(void)state;
	assert_string_equal(view_object_name(&o), "rs");
	assert_string_equal(view_object_name(&objs2[0]), objs2[0].name);
	view_hostport("http://h:8080/", buf, sizeof buf);
	assert_string_equal(buf, "h:8080");
	view_hostport("https://user.example/hasura", buf, sizeof buf);
	assert_string_equal(buf, "user.example/hasura");
	make_snapshot(&s, in, u);
	in[1].label = S("blue");
	view_endpoint(&s, 1, buf, sizeof buf);
	assert_string_equal(buf, "blue a:8080");
	in[2].instance_id = S("6f0c");
	assert_int_equal(view_instance_by_id(&s, "6f0c"), 3);
	assert_int_equal(view_instance_by_id(&s, "nope"), 0);
	t = view_short_text(&s, "reload via http://a:8080: ok; by 6f0c, "
	    "not http://a:80800 nor x6f0c");
	assert_string_equal(t, "reload via #2: ok; by #3, not "
	    "http://a:80800 nor x6f0c");
	free(t);
}

static void
test_glossary(void **state)
{
	const struct glossary_entry	*v;
	const struct glossary_section	*g;
	size_t				 n, i, j;

	(void)state;
	/* The help's verdicts are the engine's words, in its rank order. */
	v = glossary_verdicts(&n);
	assert_int_equal(n, VERDICT_OK + 1);
	for (i = 0; i < n; i++)
		assert_string_equal(v[i].term, verdict_word((enum verdict)i));
	g = glossary(&n);
	for (i = 0; i < n; i++)
		for (j = 0; j < g[i].n; j++) {
			assert_non_null(g[i].v[j].text);
			assert_null(strstr(g[i].v[j].text, "warn"));
		}
	/* Advice for every verdict and object kind. */
	for (i = 0; i <= VERDICT_OK; i++)
		assert_non_null(advice_instance((enum verdict)i));
	assert_non_null(strstr(advice_object(&objs2[0]), "start it"));
	assert_non_null(strstr(advice_object(&objs2[1]), "recreate it"));
	assert_non_null(strstr(advice_instance(VERDICT_BEHIND), "restart"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_elide),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_glossary),
		cmocka_unit_test(test_fit_utf8),
		cmocka_unit_test(test_fit_ascii),
		cmocka_unit_test(test_fit_raw),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_keys),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		setlocale(LC_ALL, "en_US.UTF-8");
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
