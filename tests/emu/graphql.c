/*
 * tests/emu/graphql.c: POST /v1/graphql.  Answers introspection (__schema)
 * with a small schema derived from this instance's consistent tracked
 * tables (one query_root field per table), so two instances with the same
 * cache answer identically and a stale one differently.  Other queries get
 * a GraphQL error in Hasura's shape.  Runs on HTTP handler threads.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"

static json_t *
graphql_type_ref(const char *kind, const char *name, json_t *of)
{
	return (json_pack("{s:s,s:s?,s:o}", "kind", kind, "name", name,
	    "ofType", of != NULL ? of : json_null()));
}

static json_t *
graphql_field(const char *name, json_t *type)
{
	return (json_pack("{s:s,s:n,s:[],s:o,s:b,s:n}", "name", name,
	    "description", "args", "type", type, "isDeprecated", 0,
	    "deprecationReason"));
}

static json_t *
graphql_object(const char *name, json_t *fields)
{
	return (json_pack("{s:s,s:s,s:n,s:o,s:n,s:[],s:n,s:n}", "kind",
	    "OBJECT", "name", name, "description", "fields", fields,
	    "inputFields", "interfaces", "enumValues", "possibleTypes"));
}

static json_t *
graphql_scalar(const char *name)
{
	return (json_pack("{s:s,s:s,s:n,s:n,s:n,s:n,s:n,s:n}", "kind", "SCALAR",
	    "name", name, "description", "fields", "inputFields", "interfaces",
	    "enumValues", "possibleTypes"));
}

/* Hasura's root field name: table, or schema_table outside public. */
static char *
graphql_root_name(const struct cache_table *t)
{
	if (strcmp(t->schema, "public") == 0)
		return (xstrdup(t->name));
	return (xprintf("%s_%s", t->schema, t->name));
}

static json_t *
graphql_schema(const struct cache *c)
{
	json_t	*types = json_array(), *root = json_array(), *cols;
	char	*n;

	for (size_t i = 0; i < c->ntables; i++) {
		const struct cache_table *t = &c->tables[i];
		n = graphql_root_name(t);
		cols = json_array();
		for (size_t k = 0; k < t->st->ncols; k++)
			json_array_append_new(cols, graphql_field(t->st->cols[k],
			    graphql_type_ref("SCALAR", "String", NULL)));
		json_array_append_new(types, graphql_object(n, cols));
		json_array_append_new(root, graphql_field(n, graphql_type_ref(
		    "NON_NULL", NULL, graphql_type_ref("LIST", NULL,
		    graphql_type_ref("NON_NULL", NULL, graphql_type_ref(
		    "OBJECT", n, NULL))))));
		free(n);
	}
	if (c->ntables == 0)
		json_array_append_new(root, graphql_field("no_queries_available",
		    graphql_type_ref("NON_NULL", NULL, graphql_type_ref(
		    "SCALAR", "String", NULL))));
	json_array_insert_new(types, 0, graphql_object("query_root", root));
	json_array_append_new(types, graphql_scalar("String"));
	json_array_append_new(types, graphql_scalar("Boolean"));
	return (json_pack("{s:{s:{s:{s:s},s:n,s:n,s:o,s:[]}}}", "data",
	    "__schema", "queryType", "name", "query_root", "mutationType",
	    "subscriptionType", "types", types, "directives"));
}

static void
graphql_error(struct reply *r, const char *code, const char *path,
    const char *msg)
{
	reply_json(r, 200, json_pack("{s:[{s:{s:s,s:s},s:s}]}", "errors",
	    "extensions", "path", path, "code", code, "message", msg));
}

/* Handle one POST /v1/graphql body. */
void
graphql_handle(struct instance *in, const char *body, size_t len,
    struct reply *r)
{
	json_t		*j;
	const char	*q;
	struct cache	*c;

	j = json_loadb(body ? body : "", len, JSON_DECODE_ANY, NULL);
	if (j == NULL) {
		reply_error(r, 400, "invalid-json", "$", NULL,
		    "Error in $: Failed reading: not a valid json value");
		return;
	}
	if ((q = util_jstr(j, "query")) == NULL)
		graphql_error(r, "parse-failed", "$", "key \"query\" not found");
	else if (strstr(q, "__schema") != NULL) {
		c = instance_cache(in, NULL);
		reply_json(r, 200, graphql_schema(c));
		cache_unref(c);
	} else if (strstr(q, "__typename") != NULL)
		reply_json(r, 200, json_pack("{s:{s:s}}", "data", "__typename",
		    "query_root"));
	else
		graphql_error(r, "validation-failed", "$.selectionSet",
		    "the emulator answers introspection queries only");
	json_decref(j);
}
