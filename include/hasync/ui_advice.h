/*
 * ui_advice.h: what to do next, per problem kind, for the detail views: an
 * instance's verdict, an inconsistent object's kind. Pure; no curses; UI
 * thread (and tests/unit/test_ui_text.c).
 */
#ifndef HASYNC_UI_ADVICE_H
#define HASYNC_UI_ADVICE_H

#include "hasync/snapshot.h"

/* One or two sentences for an instance with verdict v. Static text. */
const char	*advice_instance(enum verdict);

/* One or two sentences for inconsistent object o. Static text. */
const char	*advice_object(const struct object *);

#endif
