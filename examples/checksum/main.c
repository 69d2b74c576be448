/* main.c: weft-checksum, an example GTK 4 app whose async work is Weft tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   weft-checksum [FOLDER]
 *
 * One WeftLoop is attached to GTK's main context (attached mode): the app never
 * calls run_forever(); GTK runs the loop as it runs everything else.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "checksum-window.h"

static void
on_activate (GtkApplication *app,
             WeftLoop       *loop)
{
  gtk_window_present (GTK_WINDOW (checksum_window_new (app, loop)));
}

static void
on_open (GtkApplication  *app,
         GFile          **files,
         int              n_files,
         const char      *hint,
         WeftLoop        *loop)
{
  ChecksumWindow *window = checksum_window_new (app, loop);

  checksum_window_set_folder (window, files[0]);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_autoptr(GtkApplication) app = NULL;
  g_autoptr(WeftLoop) loop = NULL;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = gtk_application_new ("org.weft.Checksum", G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  loop = weft_loop_new_for_context (NULL);      /* GTK's main context */
  g_signal_connect (app, "activate", G_CALLBACK (on_activate), loop);
  g_signal_connect (app, "open", G_CALLBACK (on_open), loop);
  status = g_application_run (G_APPLICATION (app), argc, argv);
  weft_loop_close (loop);
  return status;
}
