/* inspector-attach.h: finding the loops other processes serve, and
 * connecting to one
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  guint  pid;
  guint  loop_id;
  char  *process;    /* /proc/PID/comm */
  char  *path;       /* the socket */
} InspectorServedLoop;

GPtrArray       *inspector_list_served_loops (void);
char            *inspector_find_served_loop  (guint         pid);
GDBusConnection *inspector_attach            (const char   *path,
                                              guint        *pid,
                                              GError      **error);
char            *inspector_process_name      (guint         pid);

G_END_DECLS
