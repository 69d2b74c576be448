/* inspector-attach.c: finding the loops other processes serve, and
 * connecting to one
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A loop served with WEFT_INSPECT=1 listens on $XDG_RUNTIME_DIR/weft/PID-LOOP.
 * Sockets of processes that are gone are skipped.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <weft.h>

#include "inspector-attach.h"

/* Connects within CONNECT_TIMEOUT_S and checks the peer is a Weft loop
 * (something else on a socket, an X server say, would never answer). */
#define CONNECT_TIMEOUT_S 5

static void
served_loop_free (gpointer data)
{
  InspectorServedLoop *loop = data;

  g_free (loop->process);
  g_free (loop->path);
  g_free (loop);
}

/* The name of process @pid (its comm), or NULL if it is gone. */
char *
inspector_process_name (guint pid)
{
  g_autofree char *comm_path = g_strdup_printf ("/proc/%u/comm", pid);
  char *comm = NULL;

  if (!g_file_get_contents (comm_path, &comm, NULL, NULL))
    return NULL;
  return g_strstrip (comm);
}

static gint
by_pid_and_loop (gconstpointer a,
                 gconstpointer b)
{
  const InspectorServedLoop *x = *(InspectorServedLoop * const *) a;
  const InspectorServedLoop *y = *(InspectorServedLoop * const *) b;

  return x->pid != y->pid ? (x->pid < y->pid ? -1 : 1) : (x->loop_id < y->loop_id ? -1 : x->loop_id > y->loop_id);
}

/* The loops served by live processes, by PID and loop id. */
GPtrArray *
inspector_list_served_loops (void)
{
  g_autofree char *dir = weft_inspect_get_socket_directory ();
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  GPtrArray *loops = g_ptr_array_new_with_free_func (served_loop_free);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      InspectorServedLoop loop = { 0 };
      char *process;

      if (sscanf (name, "%u-%u", &loop.pid, &loop.loop_id) != 2)
        continue;
      if ((process = inspector_process_name (loop.pid)) == NULL)
        continue;   /* a socket left behind by a process that is gone */
      loop.process = process;
      loop.path = g_build_filename (dir, name, NULL);
      g_ptr_array_add (loops, g_memdup2 (&loop, sizeof loop));
    }
  g_ptr_array_sort (loops, by_pid_and_loop);
  return loops;
}

/* The socket of the first loop of @pid (0: of any process), or NULL. */
char *
inspector_find_served_loop (guint pid)
{
  g_autoptr(GPtrArray) loops = inspector_list_served_loops ();

  for (guint i = 0; i < loops->len; i++)
    {
      InspectorServedLoop *loop = g_ptr_array_index (loops, i);

      if (pid == 0 || loop->pid == pid)
        return g_strdup (loop->path);
    }
  return NULL;
}

typedef struct
{
  GDBusConnection *connection;
  GError          *error;
  gboolean         done;
} Connecting;

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Connecting *c = data;

  c->connection = g_dbus_connection_new_for_address_finish (result, &c->error);
  c->done = TRUE;
}

static gboolean
on_connect_timeout (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

/* Connects to the loop served at @path within CONNECT_TIMEOUT_S (the main
 * context keeps running meanwhile) and checks that it is a Weft loop; its
 * process id goes to @pid. */
GDBusConnection *
inspector_attach (const char  *path,
                  guint       *pid,
                  GError     **error)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *address = g_strdup_printf ("unix:path=%s", path);
  Connecting c = { NULL, NULL, FALSE };
  guint timeout = g_timeout_add_seconds (CONNECT_TIMEOUT_S, on_connect_timeout, cancellable);

  g_dbus_connection_new_for_address (address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, cancellable,
                                     on_connected, &c);
  while (!c.done)
    g_main_context_iteration (NULL, TRUE);
  if (c.connection != NULL)
    {
      g_autoptr(GError) local = NULL;

      /* A Weft loop answers for its org.weft.Inspector1 properties. */
      reply = g_dbus_connection_call_sync (c.connection, NULL, "/org/weft/Loop", "org.freedesktop.DBus.Properties",
                                           "Get", g_variant_new ("(ss)", "org.weft.Inspector1", "Pid"), NULL,
                                           G_DBUS_CALL_FLAGS_NONE, CONNECT_TIMEOUT_S * 1000, cancellable, &local);
      if (reply == NULL)
        {
          g_clear_object (&c.connection);
          c.error = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("%s is not a Weft inspector socket (%s)"),
                                 path, local->message);
        }
      else if (pid != NULL)
        {
          g_autoptr(GVariant) value = NULL;

          g_variant_get (reply, "(v)", &value);
          *pid = g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32) ? g_variant_get_uint32 (value) : 0;
        }
    }
  if (!g_cancellable_is_cancelled (cancellable))
    g_source_remove (timeout);   /* (it cancels, and is gone, once it fired) */
  if (c.connection == NULL)
    {
      if (g_error_matches (c.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_error (&c.error);
          c.error = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                 _("%s did not answer within %d s: is it a Weft inspector socket?"), path,
                                 CONNECT_TIMEOUT_S);
        }
      else if (!g_error_matches (c.error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA))
        g_prefix_error (&c.error, _("Cannot attach to %s: "), path);
      g_propagate_error (error, c.error);
    }
  return c.connection;
}
