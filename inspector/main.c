/* main.c: weft-inspector
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "inspector-attach.h"
#include "inspector-demos.h"
#include "inspector-recording.h"
#include "inspector-window.h"

static char *demo_name;
static char *attach_to;
static char *replay_path;
static GPtrArray *replay_records;  /* read before GTK starts: a bad file exits 1 */
static gboolean step_mode;
static gboolean list_loops;
static WeftLoop *loop;
static GDBusConnection *remote;

/* The options' strings (parsed before GTK starts, and again by it). */
static void
free_options (void)
{
  g_clear_pointer (&demo_name, g_free);
  g_clear_pointer (&attach_to, g_free);
  g_clear_pointer (&replay_path, g_free);
}

static void
activate (GtkApplication *app)
{
  if (remote != NULL || replay_path != NULL)
    {
      GtkWidget *view = remote ? weft_inspector_new_remote (remote) : inspector_new_replay_for (replay_records);
      GtkWidget *window;

      window = gtk_application_window_new (app);
      gtk_window_set_title (GTK_WINDOW (window), _("Weft Inspector"));
      gtk_window_set_default_size (GTK_WINDOW (window), 900, 560);
      gtk_window_set_child (GTK_WINDOW (window), view);
      gtk_window_present (GTK_WINDOW (window));
      return;
    }
  {
    InspectorWindow *window = inspector_window_new (app, loop);

    gtk_window_present (GTK_WINDOW (window));
    if (demo_name != NULL && !inspector_window_start_demo (window, demo_name, step_mode))
      g_printerr (_("No demo called “%s”\n"), demo_name);
  }
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

/* Connects within CONNECT_TIMEOUT_S and checks the peer is a Weft loop
 * (something else on a socket, an X server say, would never answer). */
#define CONNECT_TIMEOUT_S 5

static GDBusConnection *
connect_with_timeout (const char  *address,
                      const char  *path,
                      GError     **error)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GVariant) pid = NULL;
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
      pid = g_dbus_connection_call_sync (c.connection, NULL, "/org/weft/Loop", "org.freedesktop.DBus.Properties",
                                         "Get", g_variant_new ("(ss)", "org.weft.Inspector1", "Pid"), NULL,
                                         G_DBUS_CALL_FLAGS_NONE, CONNECT_TIMEOUT_S * 1000, cancellable, &local);
      if (pid == NULL)
        {
          g_clear_object (&c.connection);
          c.error = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("%s is not a Weft inspector socket (%s)"),
                                 path, local->message);
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

/* --attach PATH or PID: connect to a served loop before the app starts. */
static gboolean
connect_remote (GError **error)
{
  g_autofree char *path = NULL;
  g_autofree char *address = NULL;
  char *end = NULL;
  guint64 pid = g_ascii_strtoull (attach_to, &end, 10);

  if (end != NULL && *end == '\0' && pid > 0)
    path = inspector_find_served_loop ((guint) pid, FALSE);
  else
    path = g_strdup (attach_to);
  if (path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No loop of process %s is served (run it with WEFT_INSPECT=1)"), attach_to);
      return FALSE;
    }
  address = g_strdup_printf ("unix:path=%s", path);
  remote = connect_with_timeout (address, path, error);
  return remote != NULL;
}

int
main (int argc, char **argv)
{
  GOptionEntry entries[] = {
    { "demo", 'd', 0, G_OPTION_ARG_STRING, &demo_name, N_("Start this demo (greet, callbacks, countdown, countdowns, buttons)"), N_("NAME") },
    { "step", 's', 0, G_OPTION_ARG_NONE, &step_mode, N_("Start the demo paused, to step through it"), NULL },
    { "list", 'l', 0, G_OPTION_ARG_NONE, &list_loops, N_("List the loops served by running processes (WEFT_INSPECT=1)"), NULL },
    { "attach", 'a', 0, G_OPTION_ARG_STRING, &attach_to, N_("Inspect the loop served at this socket, or the first loop of this process"), N_("SOCKET|PID") },
    { "replay", 'r', 0, G_OPTION_ARG_FILENAME, &replay_path, N_("Open a recording made with the Record button"), N_("FILE") },
    { NULL },
  };
  g_autoptr(GtkApplication) app = NULL;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Options that do not open a window are handled before GTK starts. */
  {
    g_autoptr(GOptionContext) options = g_option_context_new (NULL);
    g_auto(GStrv) args = g_strdupv (argv);
    g_autoptr(GError) error = NULL;

    g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
    g_option_context_set_ignore_unknown_options (options, TRUE);
    g_option_context_set_help_enabled (options, FALSE);
    /* The strv form frees the arguments it takes out of the copy. */
    g_option_context_parse_strv (options, &args, NULL);
    if (list_loops)
      {
        g_free (inspector_find_served_loop (0, TRUE));
        free_options ();
        return 0;
      }
    if (attach_to != NULL && !connect_remote (&error))
      {
        g_printerr ("weft-inspector: %s\n", error->message);
        free_options ();
        return 1;
      }
    if (demo_name != NULL && inspector_demo_lookup (demo_name) == NULL)
      {
        g_printerr (_("weft-inspector: no demo called “%s”. The demos:\n"), demo_name);
        for (guint i = 0; inspector_demo_nth (i) != NULL; i++)
          g_printerr ("  %-12s %s\n", inspector_demo_nth (i)->name, inspector_demo_nth (i)->summary);
        free_options ();
        return 2;
      }
    if (replay_path != NULL && (replay_records = inspector_recording_load (replay_path, &error)) == NULL)
      {
        g_printerr ("weft-inspector: %s\n", error->message);
        free_options ();
        return 1;
      }
  }

  /* The loop runs attached to GTK's own main context: no thread, no run_forever(). */
  loop = weft_loop_new ();
  weft_set_event_loop (loop);
  app = gtk_application_new ("org.weft.Inspector", G_APPLICATION_NON_UNIQUE);
  g_application_add_main_option_entries (G_APPLICATION (app), entries);
  g_signal_connect (app, "activate", G_CALLBACK (activate), NULL);
  /* Ctrl+Q quits; Ctrl+? opens gtk/help-overlay.ui (found by GtkApplication). */
  {
    static const char * const quit_accels[] = { "<Control>q", NULL };
    g_autoptr(GSimpleAction) quit = g_simple_action_new ("quit", NULL);

    g_signal_connect_swapped (quit, "activate", G_CALLBACK (g_application_quit), app);
    g_action_map_add_action (G_ACTION_MAP (app), G_ACTION (quit));
    gtk_application_set_accels_for_action (app, "app.quit", quit_accels);
  }
  /* GApplication parses the same options again, into the same variables. */
  free_options ();
  status = g_application_run (G_APPLICATION (app), argc, argv);
  weft_loop_close (loop);
  weft_loop_unref (loop);
  g_clear_object (&remote);
  g_clear_pointer (&replay_records, g_ptr_array_unref);
  free_options ();
  return status;
}
