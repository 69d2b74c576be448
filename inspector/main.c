/* main.c: weft-inspector
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "inspector-window.h"

static char *demo_name;
static gboolean step_mode;
static WeftLoop *loop;

static void
activate (GtkApplication *app)
{
  InspectorWindow *window = inspector_window_new (app, loop);

  gtk_window_present (GTK_WINDOW (window));
  if (demo_name != NULL && !inspector_window_start_demo (window, demo_name, step_mode))
    g_printerr (_("No demo called “%s”\n"), demo_name);
}

int
main (int argc, char **argv)
{
  GOptionEntry entries[] = {
    { "demo", 'd', 0, G_OPTION_ARG_STRING, &demo_name, N_("Start this tutorial demo (greet, callbacks, countdown, countdowns)"), N_("NAME") },
    { "step", 's', 0, G_OPTION_ARG_NONE, &step_mode, N_("Start the demo paused, to step through it"), NULL },
    { NULL },
  };
  g_autoptr(GtkApplication) app = NULL;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* The loop runs attached to GTK's own main context: no thread, no run_forever(). */
  loop = weft_loop_new ();
  weft_set_event_loop (loop);
  app = gtk_application_new ("org.weft.Inspector", G_APPLICATION_NON_UNIQUE);
  g_application_add_main_option_entries (G_APPLICATION (app), entries);
  g_signal_connect (app, "activate", G_CALLBACK (activate), NULL);
  status = g_application_run (G_APPLICATION (app), argc, argv);
  weft_loop_close (loop);
  weft_loop_unref (loop);
  return status;
}
