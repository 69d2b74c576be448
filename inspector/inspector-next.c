/* inspector-next.c: what runs next, in words (the Next panel)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * "Task countdown resumes at demo-countdown.c:13", "Timer tick from
 * demo-callbacks.c:31 fires in 1.00 s": the one sentence a learner reads
 * before pressing Space. Built from what every view has (a snapshot's ready
 * queue, timers and tasks), so it reads the same in process, attached and in
 * a replay.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "inspector-next.h"

/* "demo-countdown.c:13": the file's name and the line, the directories gone
 * (they are in the views' columns). */
char *
inspector_short_location (const char *where)
{
  const char *slash;

  if (where == NULL || *where == '\0')
    return g_strdup (_("an unknown place"));
  slash = strrchr (where, '/');
  return g_strdup (slash != NULL ? slash + 1 : where);
}

char *
inspector_next_text (const InspectorNext *next)
{
  g_autofree char *where = NULL;
  g_autofree char *first = NULL;

  if (next->blocked != NULL && *next->blocked != '\0')
    return g_strdup_printf (_("Nothing can run: %s"), next->blocked);
  if (next->ready_name != NULL)
    {
      where = inspector_short_location (next->ready_where);
      if (next->task_name != NULL && next->task_runs == 0)
        first = g_strdup_printf (_("Task %s starts at %s"), next->task_name, where);
      else if (next->task_name != NULL)
        first = g_strdup_printf (_("Task %s resumes at %s"), next->task_name, where);
      else
        first = g_strdup_printf (_("%s runs, scheduled at %s"), *next->ready_name ? next->ready_name : _("A callback"),
                                 where);
      if (next->n_ready <= 1)
        return g_steal_pointer (&first);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s; then %u more callback is ready",
                                           "%s; then %u more callbacks are ready", next->n_ready - 1),
                              first, next->n_ready - 1);
    }
  if (next->timer_name != NULL)
    {
      where = inspector_short_location (next->timer_where);
      if (next->timer_left <= 0)
        return g_strdup_printf (_("Timer %s from %s is due: it runs next"), next->timer_name, where);
      return g_strdup_printf (_("Timer %s from %s fires in %.2f s"), next->timer_name, where, next->timer_left);
    }
  return g_strdup (_("Nothing is scheduled: the loop waits for I/O, another thread or a signal"));
}
