/* inspector-ps.c: `weft-inspector ps TARGET` and `weft-inspector pstree
 * TARGET`: a served loop's tasks, for terminals and CI logs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * As Python 3.14's `python -m asyncio ps / pstree`: ps is a table of the live
 * tasks (one GetSnapshot over the socket); pstree is the await tree, each
 * task under the task that awaits it (what "awaits" names: "task B", "gather
 * of task a, task b"), the tasks nobody awaits at the roots.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <weft.h>

#include "inspector-attach.h"
#include "inspector-ps.h"
#include "inspector-rows.h"

typedef struct
{
  guint64  id;
  char    *name;
  char    *state;
  char    *awaits;
  char    *created_at;
  guint64  runs;
  guint64  busy_ns;
  GPtrArray *children;   /* Row, not owned */
  gboolean awaited;
  gboolean printed;
} Row;

static void
row_free (gpointer data)
{
  Row *row = data;

  g_free (row->name);
  g_free (row->state);
  g_free (row->awaits);
  g_free (row->created_at);
  g_ptr_array_unref (row->children);
  g_free (row);
}

/* The live tasks of the loop served at @target (a PID or a socket). */
static GPtrArray *
fetch_rows (const char  *target,
            char       **title,
            GError     **error)
{
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GVariant) reply = NULL, snapshot = NULL, tasks = NULL;
  g_autofree char *path = NULL;
  g_autofree char *process = NULL;
  GPtrArray *rows;
  GVariantIter iter;
  WeftTaskRow task;
  char *end = NULL;
  guint64 pid = g_ascii_strtoull (target, &end, 10);
  guint served_pid = 0;

  path = end != NULL && *end == '\0' && pid > 0 ? inspector_find_served_loop ((guint) pid) : g_strdup (target);
  if (path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No loop of process %s is served (run it with WEFT_INSPECT=1)"),
                   target);
      return NULL;
    }
  if ((connection = inspector_attach (path, &served_pid, error)) == NULL)
    return NULL;
  reply = g_dbus_connection_call_sync (connection, NULL, "/org/weft/Loop", "org.weft.Inspector1", "GetSnapshot", NULL,
                                       G_VARIANT_TYPE ("((tbsa(tssststtd)a(ss)a(ssd)asa(tdduuds)))"), G_DBUS_CALL_FLAGS_NONE,
                                       5000, NULL, error);
  if (reply == NULL)
    return NULL;
  process = inspector_process_name (served_pid);
  snapshot = g_variant_get_child_value (reply, 0);
  {
    g_autoptr(GVariant) iteration = g_variant_get_child_value (snapshot, 0);
    g_autofree char *number = g_strdup_printf ("%" G_GUINT64_FORMAT, g_variant_get_uint64 (iteration));

    /* TRANSLATORS: the first line of ps and pstree: process, PID, iteration */
    *title = g_strdup_printf (_("%s (PID %u), iteration %s"), process ? process : "?", served_pid, number);
  }
  tasks = g_variant_get_child_value (snapshot, 3);
  rows = g_ptr_array_new_with_free_func (row_free);
  g_variant_iter_init (&iter, tasks);
  while (weft_task_row_decode (&iter, &task))
    {
      Row *row;

      if (inspector_state_is_final (task.state))
        continue;
      row = g_new0 (Row, 1);
      row->id = task.id;
      row->name = g_strdup (task.name);
      row->state = g_strdup (task.state);
      row->awaits = inspector_tidy_locations (task.awaits);
      row->created_at = inspector_tidy_locations (task.created_at);
      row->runs = task.runs;
      row->busy_ns = task.busy_ns;
      row->children = g_ptr_array_new ();
      g_ptr_array_add (rows, row);
    }
  return rows;
}

static Row *
find_row (GPtrArray  *rows,
          const char *name,
          gsize       length)
{
  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = g_ptr_array_index (rows, i);

      if (strlen (row->name) == length && strncmp (row->name, name, length) == 0)
        return row;
    }
  return NULL;
}

/* The tasks @row awaits, as its "awaits" names them: "task NAME…", "gather
 * of task a, task b…". */
static void
link_awaited (GPtrArray *rows,
              Row       *row)
{
  const char *text = row->awaits;

  if (g_str_has_prefix (text, "gather of "))
    text += strlen ("gather of ");
  else if (!g_str_has_prefix (text, "task "))
    return;
  while (g_str_has_prefix (text, "task "))
    {
      const char *name = text + strlen ("task ");
      gsize length = strcspn (name, ", ");   /* names end at a space ("at file:line", "→ …") */
      Row *awaited = find_row (rows, name, length);

      if (awaited != NULL && awaited != row)
        {
          g_ptr_array_add (row->children, awaited);
          awaited->awaited = TRUE;
        }
      text = name + length;
      if (!g_str_has_prefix (text, ", "))
        break;
      text += 2;
    }
}

static void
print_tree (Row        *row,
            const char *prefix,
            gboolean    last,
            gboolean    root)
{
  g_autofree char *child_prefix = g_strconcat (prefix, root ? "" : last ? "    " : "│   ", NULL);

  g_print ("%s%s%s (%s)%s%s\n", prefix, root ? "" : last ? "└── " : "├── ", row->name, row->state,
           *row->awaits ? " " : "", row->awaits);
  if (row->printed)
    return;   /* a cycle, or a task awaited twice: once in full */
  row->printed = TRUE;
  for (guint i = 0; i < row->children->len; i++)
    print_tree (g_ptr_array_index (row->children, i), child_prefix, i + 1 == row->children->len, FALSE);
}

/**
 * inspector_ps_main:
 * @command: "ps" or "pstree"
 * @target: (nullable): a PID or a socket path
 *
 * Returns: the exit status: 0, 1 if the loop cannot be read, 2 for bad use
 */
int
inspector_ps_main (const char *command,
                   const char *target)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *title = NULL;

  if (target == NULL)
    {
      g_printerr (_("Usage: weft-inspector %s PID|SOCKET (weft-inspector --list shows them)\n"), command);
      return 2;
    }
  if ((rows = fetch_rows (target, &title, &error)) == NULL)
    {
      g_printerr ("weft-inspector: %s\n", error->message);
      return 1;
    }
  g_print ("%s\n", title);
  if (g_str_equal (command, "ps"))
    {
      g_print ("%-6s %-20s %-10s %6s %-10s %-36s %s\n", _("ID"), _("NAME"), _("STATE"), _("RUNS"), _("BUSY"),
               _("CREATED AT"), _("AWAITS"));
      for (guint i = 0; i < rows->len; i++)
        {
          Row *row = g_ptr_array_index (rows, i);
          g_autofree char *busy = row->busy_ns ? inspector_format_ns (row->busy_ns) : g_strdup ("");

          g_print ("%-6" G_GUINT64_FORMAT " %-20s %-10s %6" G_GUINT64_FORMAT " %-10s %-36s %s\n", row->id, row->name,
                   row->state, row->runs, busy, row->created_at, row->awaits);
        }
      return 0;
    }
  for (guint i = 0; i < rows->len; i++)
    link_awaited (rows, g_ptr_array_index (rows, i));
  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = g_ptr_array_index (rows, i);

      if (!row->awaited)
        print_tree (row, "", TRUE, TRUE);
    }
  return 0;
}
