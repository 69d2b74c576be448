/* inspector-program.c: a program run in a child process and inspected over
 * its socket (the Python demos)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The child runs with WEFT_INSPECT=1 (and whatever else the caller adds, such
 * as WEFT_INSPECT_PAUSED=1), so its first loop serves itself on a socket named
 * after its pid. This object starts it, reads its output line by line
 * ("output"), waits for the socket to appear and connects ("attached"), and
 * reports its end ("exited"). Disposing of it ends the child.
 */
#include "config.h"

#include <signal.h>
#include <unistd.h>
#ifdef __linux__
# include <sys/prctl.h>
#endif

#include <glib/gi18n.h>
#include <weft.h>

#include "inspector-attach.h"
#include "inspector-program.h"

#define POLL_MS        20
#define ATTACH_WITHIN  (10 * 1000 / POLL_MS)   /* polls: 10 s */

struct _InspectorProgram
{
  GObject           parent_instance;
  GSubprocess      *process;
  GDataInputStream *output;
  GCancellable     *cancellable;
  GDBusConnection  *connection;
  guint             poll_id;
  guint             polls;
  guint             pid;           /* read at once: GSubprocess forgets it when it reaps the child */
  gboolean          running;
  gboolean          output_done;   /* its output reached its end */
  gboolean          exit_pending;  /* it exited: "exited" once the output is all read */
};

G_DEFINE_FINAL_TYPE (InspectorProgram, inspector_program, G_TYPE_OBJECT)

enum { SIGNAL_OUTPUT, SIGNAL_ATTACHED, SIGNAL_EXITED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void read_line (InspectorProgram *self);

static void
emit_exited (InspectorProgram *self)
{
  self->exit_pending = FALSE;
  g_signal_emit (self, signals[SIGNAL_EXITED], 0,
                 g_subprocess_get_if_exited (self->process) ? g_subprocess_get_exit_status (self->process) : -1);
}

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  g_autoptr(InspectorProgram) self = data;
  g_autofree char *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), result, NULL, NULL);
  g_autofree char *text = NULL;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;   /* disposed */
  if (line == NULL)
    {
      self->output_done = TRUE;   /* the end of its output */
      if (self->exit_pending)
        emit_exited (self);
      return;
    }
  text = g_utf8_make_valid (line, -1);
  g_signal_emit (self, signals[SIGNAL_OUTPUT], 0, text);
  read_line (self);
}

static void
read_line (InspectorProgram *self)
{
  g_data_input_stream_read_line_async (self->output, G_PRIORITY_DEFAULT, self->cancellable, on_line,
                                       g_object_ref (self));
}

static void
on_exited (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  g_autoptr(InspectorProgram) self = data;

  if (!g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL))
    return;   /* disposed */
  self->running = FALSE;
  g_clear_handle_id (&self->poll_id, g_source_remove);
  /* What it printed last is still in the pipe: "exited" comes after it. */
  self->exit_pending = TRUE;
  if (self->output_done)
    emit_exited (self);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(InspectorProgram) self = data;
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection = g_dbus_connection_new_for_address_finish (result, &error);

  if (connection == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot attach to the demo: %s", error->message);
      return;
    }
  self->connection = connection;
  g_signal_emit (self, signals[SIGNAL_ATTACHED], 0, connection);
}

/* Waits for the child's first loop to serve itself, then connects. */
static gboolean
poll_socket (gpointer data)
{
  InspectorProgram *self = data;
  g_autofree char *path = inspector_find_served_loop (self->pid);
  g_autofree char *address = NULL;

  if (path == NULL)
    {
      if (++self->polls < ATTACH_WITHIN)
        return G_SOURCE_CONTINUE;
      g_signal_emit (self, signals[SIGNAL_OUTPUT], 0, _("(the program served no loop within 10 s: not attached)"));
      self->poll_id = 0;
      return G_SOURCE_REMOVE;
    }
  address = g_strdup_printf ("unix:path=%s", path);
  g_dbus_connection_new_for_address (address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, self->cancellable,
                                     on_connected, g_object_ref (self));
  self->poll_id = 0;
  return G_SOURCE_REMOVE;
}

static void
inspector_program_dispose (GObject *object)
{
  InspectorProgram *self = INSPECTOR_PROGRAM (object);

  inspector_program_stop (self);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  if (self->connection != NULL)
    g_dbus_connection_close (self->connection, NULL, NULL, NULL);
  g_clear_object (&self->connection);
  g_clear_object (&self->output);
  g_clear_object (&self->process);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (inspector_program_parent_class)->dispose (object);
}

static void
inspector_program_class_init (InspectorProgramClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = inspector_program_dispose;

  /* A line the program printed (stdout and stderr, without its newline). */
  signals[SIGNAL_OUTPUT] = g_signal_new ("output", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 1, G_TYPE_STRING);
  /* Connected to the program's first loop. */
  signals[SIGNAL_ATTACHED] = g_signal_new ("attached", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                           NULL, G_TYPE_NONE, 1, G_TYPE_DBUS_CONNECTION);
  /* It ended: its exit status, or -1 if a signal killed it. */
  signals[SIGNAL_EXITED] = g_signal_new ("exited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
inspector_program_init (InspectorProgram *self)
{
  self->cancellable = g_cancellable_new ();
}

/* In the child, before it runs the program: it ends (SIGTERM) when the
 * inspector that started it does. A demo paused from its first callback
 * waits for its inspector's commands, and would otherwise wait for ever
 * after the inspector crashed or was killed. (If the inspector is gone
 * already, its child has another parent now: it ends at once.) */
static void
end_with_inspector (gpointer data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
  if (getppid () != (pid_t) GPOINTER_TO_INT (data))
    _exit (1);
}

/**
 * inspector_program_new:
 * @argv: the program and its arguments
 * @environment: (nullable): KEY=VALUE strings added to the inherited environment
 * @error: return location for a #GError
 *
 * Starts @argv with WEFT_INSPECT=1 and attaches to its first loop.
 *
 * Returns: (transfer full) (nullable): the running program, or %NULL
 */
InspectorProgram *
inspector_program_new (const char * const  *argv,
                       const char * const  *environment,
                       GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                                        | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  InspectorProgram *self;
  GSubprocess *process;

  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);

  g_subprocess_launcher_set_child_setup (launcher, end_with_inspector, GINT_TO_POINTER (getpid ()), NULL);
  g_subprocess_launcher_setenv (launcher, "WEFT_INSPECT", "1", TRUE);
  for (guint i = 0; environment != NULL && environment[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (environment[i], "=", 2);

      if (pair[0] != NULL && pair[1] != NULL)
        g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
    }
  if ((process = g_subprocess_launcher_spawnv (launcher, argv, error)) == NULL)
    return NULL;
  self = g_object_new (INSPECTOR_TYPE_PROGRAM, NULL);
  self->process = process;
  self->pid = (guint) g_ascii_strtoull (g_subprocess_get_identifier (process), NULL, 10);
  self->running = TRUE;
  self->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  read_line (self);
  g_subprocess_wait_async (process, self->cancellable, on_exited, g_object_ref (self));
  self->poll_id = g_timeout_add (POLL_MS, poll_socket, self);
  return self;
}

/**
 * inspector_program_get_pid:
 * @self: an #InspectorProgram
 *
 * Returns: the process id of the program (it may have exited since)
 */
guint
inspector_program_get_pid (InspectorProgram *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PROGRAM (self), 0);

  return self->pid;
}

/**
 * inspector_program_get_connection:
 * @self: an #InspectorProgram
 *
 * Returns: (transfer none) (nullable): the connection to its loop, once attached
 */
GDBusConnection *
inspector_program_get_connection (InspectorProgram *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PROGRAM (self), NULL);

  return self->connection;
}

gboolean
inspector_program_get_running (InspectorProgram *self)
{
  g_return_val_if_fail (INSPECTOR_IS_PROGRAM (self), FALSE);

  return self->running;
}

/* Ends the child (if it still runs); what it printed so far stays read. */
void
inspector_program_stop (InspectorProgram *self)
{
  g_return_if_fail (INSPECTOR_IS_PROGRAM (self));

  if (self->running && self->process != NULL)
    g_subprocess_force_exit (self->process);
  self->running = FALSE;
  g_cancellable_cancel (self->cancellable);
}
