/* inspector-next.h: what runs next, in words (the Next panel)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *ready_name;    /* the head of the ready queue, or NULL */
  const char *ready_where;
  guint       n_ready;
  const char *timer_name;    /* the first timer, or NULL */
  const char *timer_where;
  double      timer_left;    /* seconds */
  const char *task_name;     /* the live task the ready head steps, or NULL */
  guint64     task_runs;
  const char *blocked;       /* "" or what the loop is blocked in */
} InspectorNext;

char *inspector_short_location (const char          *where);
char *inspector_next_text      (const InspectorNext *next);

G_END_DECLS
