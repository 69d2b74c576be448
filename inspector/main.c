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
#include "inspector-ps.h"
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
static char *remote_path;
static guint remote_pid;

/* --list: PID, process name, loop id, socket path, one loop a line. */
static void
print_served_loops (void)
{
  g_autoptr(GPtrArray) loops = inspector_list_served_loops ();

  g_print ("%-8s %-16s %-5s %s\n", _("PID"), _("PROCESS"), _("LOOP"), _("SOCKET"));
  for (guint i = 0; i < loops->len; i++)
    {
      InspectorServedLoop *served = g_ptr_array_index (loops, i);

      g_print ("%-8u %-16s %-5u %s\n", served->pid, served->process, served->loop_id, served->path);
    }
}

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
  InspectorWindow *window;

  if (remote != NULL)
    window = inspector_window_new_remote (app, remote, remote_path, remote_pid);
  else if (replay_path != NULL)
    window = inspector_window_new_replay (app, replay_records, replay_path);
  else
    window = inspector_window_new (app, loop);
  gtk_window_present (GTK_WINDOW (window));
  if (demo_name != NULL && !inspector_window_start_demo (window, demo_name, step_mode))
    g_printerr (_("No demo called “%s”\n"), demo_name);
}

/* --attach PATH or PID: connect to a served loop before the app starts. */
static gboolean
connect_remote (GError **error)
{
  g_autofree char *path = NULL;
  char *end = NULL;
  guint64 pid = g_ascii_strtoull (attach_to, &end, 10);

  if (end != NULL && *end == '\0' && pid > 0)
    path = inspector_find_served_loop ((guint) pid);
  else
    path = g_strdup (attach_to);
  if (path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No loop of process %s is served (run it with WEFT_INSPECT=1)"), attach_to);
      return FALSE;
    }
  remote = inspector_attach (path, &remote_pid, error);
  remote_path = g_steal_pointer (&path);
  return remote != NULL;
}

static gboolean
wants_help (int    argc,
            char **argv)
{
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "-h") || g_str_has_prefix (argv[i], "--help"))
      return TRUE;
  return FALSE;
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

  /* weft-inspector ps|pstree PID: the terminal views, no window. */
  if (argc >= 2 && (g_str_equal (argv[1], "ps") || g_str_equal (argv[1], "pstree")))
    return inspector_ps_main (argv[1], argc >= 3 ? argv[2] : NULL);

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
        print_served_loops ();
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
          g_printerr ("  %-12s %s\n", inspector_demo_nth (i)->name, _(inspector_demo_nth (i)->summary));
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

  /* A window needs a display: say so, and what to do, rather than GTK's
   * bare warning (--help needs none). */
  if (!wants_help (argc, argv) && !gtk_init_check ())
    {
      g_printerr (_("weft-inspector: cannot open a display (neither DISPLAY nor WAYLAND_DISPLAY works).\n"
                    "On a machine without one, run it under xvfb-run or with GDK_BACKEND=broadway; in a terminal,\n"
                    "weft-inspector ps PID lists a served loop’s tasks and weft-demo runs the demos.\n"));
      free_options ();
      return 1;
    }

  /* The loop runs attached to GTK's own main context: no thread, no run_forever(). */
  loop = weft_loop_new ();
  weft_set_event_loop (loop);
  app = GTK_APPLICATION (adw_application_new (INSPECTOR_APP_ID, G_APPLICATION_NON_UNIQUE));
  g_application_add_main_option_entries (G_APPLICATION (app), entries);
  g_application_set_option_context_summary (G_APPLICATION (app),
                                            _("In a terminal: weft-inspector ps PID|SOCKET lists a served loop’s "
                                              "tasks, weft-inspector pstree PID|SOCKET shows who awaits whom."));
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
  g_clear_pointer (&remote_path, g_free);
  g_clear_pointer (&replay_records, g_ptr_array_unref);
  free_options ();
  return status;
}
