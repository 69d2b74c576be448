/* inspector-attach.c: finding the loops other processes serve
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <weft.h>

#include "inspector-attach.h"

/* Prints the loops served in the socket directory, one per line:
 * PID, process name, loop id, socket path. Returns the path of the first
 * loop of @pid (0: any) for --attach PID. */
char *
inspector_find_served_loop (guint pid, gboolean print)
{
  g_autofree char *dir = weft_inspect_get_socket_directory ();
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  char *found = NULL;
  const char *name;

  if (print)
    g_print ("%-8s %-16s %-5s %s\n", _("PID"), _("PROCESS"), _("LOOP"), _("SOCKET"));
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *comm_path = NULL;
      g_autofree char *comm = NULL;
      g_autofree char *path = g_build_filename (dir, name, NULL);
      guint entry_pid = 0, loop_id = 0;

      if (sscanf (name, "%u-%u", &entry_pid, &loop_id) != 2)
        continue;
      comm_path = g_strdup_printf ("/proc/%u/comm", entry_pid);
      if (!g_file_get_contents (comm_path, &comm, NULL, NULL))
        continue;   /* a socket left behind by a process that is gone */
      g_strstrip (comm);
      if (print)
        g_print ("%-8u %-16s %-5u %s\n", entry_pid, comm, loop_id, path);
      if (found == NULL && (pid == 0 || pid == entry_pid))
        found = g_steal_pointer (&path);
    }
  return found;
}
