/*
 * test_snapshot.c: a snapshot lives while a reader holds it, however many
 * newer ones are published meanwhile, and is freed (dropping its references
 * to shared object sets) when the last holder lets go. Object and object
 * set reference counts. The counts are read from the structs themselves.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hasync/snapshot.h"
#include "hasync/snapshot_build.h"
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
	struct objset	*set = objset_new(NULL, 0);
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

static struct object *
obj(const char *key)
{
	struct object	*o = xcalloc(1, sizeof(*o));

	o->refs = 1;
	o->key = xstrdup(key);
	o->type = xstrdup("table");
	o->name = xstrdup(key);
	return (o);
}

static void
test_objects(void **state)
{
	struct object	**v = xcalloc(2, sizeof(*v));
	struct object	 *a, *b;
	struct objset	 *set, *other;

	(void)state;
	a = v[0] = obj("a");
	b = v[1] = obj("b");
	set = objset_new(v, 2);		/* takes one reference of each */
	object_ref(a);			/* and we keep one of a */
	assert_int_equal(a->refs, 2);
	objset_ref(set);
	objset_unref(set);
	assert_int_equal(set->refs, 1);
	assert_int_equal(b->refs, 1);
	objset_unref(set);		/* frees b, drops a to ours */
	assert_int_equal(a->refs, 1);
	v = xcalloc(1, sizeof(*v));
	v[0] = a;
	object_ref(a);
	other = objset_new(v, 1);
	assert_int_equal(a->refs, 2);
	objset_unref(other);
	assert_int_equal(a->refs, 1);
	object_unref(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lifetime),
		cmocka_unit_test(test_objects),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
