/*
 * test_snapshot.c: a snapshot lives while a reader holds it, however many
 * newer ones are published meanwhile, and is freed (dropping its references
 * to shared object sets) when the last holder lets go; an object set
 * keeps its objects whole while referenced. The counts are read from the
 * structs themselves.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hasync/err.h"
#include "hasync/hasura.h"
#include "hasync/snapshot.h"
#include "hasync/snapshot_build.h"
#include "hasync/worker.h"
#include "hasync/xmalloc.h"

/* A snapshot with one instance reporting set (one reference taken). */
static struct snapshot *
mk(struct objset *set, uint64_t seq)
{
	struct snapshot	*s = xcalloc(1, sizeof(*s));

	s->seq = seq;
	s->label = xstrdup("db");
	s->n_inst = 1;
	s->inst = xcalloc(2, sizeof(*s->inst));
	s->inst[0].endpoint = xstrdup("http://a:1");
	s->inst[0].objects = set;
	objset_ref(set);
	s->objects = xcalloc(1, sizeof(*s->objects));
	s->events = xcalloc(1, sizeof(*s->events));
	return (s);
}

static void
test_lifetime(void **state)
{
	struct objset	*set = objset_new();
	struct snapshot	*r, *s1, *s2;

	(void)state;
	assert_int_equal(snapshot_init(), 0);
	assert_null(snapshot_acquire());
	s1 = mk(set, 1);
	assert_int_equal(set->refs, 2);
	snapshot_publish(s1);
	r = snapshot_acquire();
	assert_ptr_equal(r, s1);
	/* A newer snapshot replaces it; the reader still holds the old. */
	s2 = mk(set, 2);
	snapshot_publish(s2);
	assert_int_equal(set->refs, 3);
	assert_int_equal(r->seq, 1);
	assert_string_equal(r->inst[0].endpoint, "http://a:1");
	snapshot_release(r);		/* the last holder: freed */
	assert_int_equal(set->refs, 2);
	/* The current one survives any number of borrows. */
	r = snapshot_acquire();
	assert_ptr_equal(r, s2);
	snapshot_release(r);
	r = snapshot_acquire();
	snapshot_release(r);
	assert_int_equal(set->refs, 2);
	assert_ptr_equal(snapshot_acquire(), s2);
	snapshot_release(s2);
	snapshot_shutdown();		/* drops the current one */
	assert_int_equal(set->refs, 1);
	objset_unref(set);
}

/*
 * Objects live in their set, which owns every byte of them: a set parsed
 * from an answer stays whole (objects, their strings, the answer they point
 * into) while any holder keeps a reference, and goes in one release.
 */
static void
test_objects(void **state)
{
	static const char body[] = "{\"is_consistent\":false,"
	    "\"inconsistent_objects\":[{\"type\":\"table\",\"name\":"
	    "\"table a in source default\",\"reason\":\"gone\"}]}";
	struct inconsistency	 ic;
	struct err		 e;
	struct snapshot		*s, *r;
	const struct object	*o;

	(void)state;
	assert_int_equal(hasura_parse_inconsistency(body, strlen(body), false,
	    &ic, &e), 0);
	assert_int_equal(ic.objects->refs, 1);
	assert_int_equal(snapshot_init(), 0);
	s = mk(ic.objects, 1);
	assert_int_equal(ic.objects->refs, 2);
	snapshot_publish(s);
	r = snapshot_acquire();
	objset_unref(ic.objects);	/* the parser's reference */
	assert_int_equal(r->inst[0].objects->refs, 1);
	o = &r->inst[0].objects->v[0];	/* still whole: the reader holds it */
	assert_string_equal(o->name, "table a in source default");
	assert_int_equal(o->raw_len, strlen(strstr(body, "{\"type\"")) - 2);
	assert_memory_equal(o->raw, strstr(body, "{\"type\""), o->raw_len);
	snapshot_release(r);
	snapshot_shutdown();		/* the last holder: set freed with it */
}

/* Issue 10, 7: one slow reload must not lengthen the grace for ever. */
static void
test_slowest_reload_decays(void **state)
{
	double	s = 0;
	int	i;

	(void)state;
	s = worker_slowest_after(s, 0.2);
	assert_true(s == 0.2);			/* follows a first reload */
	s = worker_slowest_after(s, 12.0);
	assert_true(s == 12.0);			/* and a slower one at once */
	for (i = 0; i < 6; i++)
		s = worker_slowest_after(s, 0.1);
	assert_true(s < 0.2 && s >= 0.1);	/* six fast ones: back to them */
	s = worker_slowest_after(s, 0.15);
	assert_true(s == 0.15);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lifetime),
		cmocka_unit_test(test_objects),
		cmocka_unit_test(test_slowest_reload_decays),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
