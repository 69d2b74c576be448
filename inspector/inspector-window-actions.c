/* inspector-window-actions.c: what the window's header bar and menu do
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * window.run-demo, window.step-demo  run the picked demo, freely or stepped
 * window.toggle-source               show or hide the source and output (F9)
 * window.attach                      pick a process serving a loop, open it (Ctrl+Shift+A)
 * window.open-recording              open a recording in a window of its own (Ctrl+O)
 * window.open-last-recording         the one just saved (the toast's button)
 * window.reconnect                   a remote window whose process went away
 * window.about
 */
#include "config.h"

#include <glib/gi18n.h>

#include "inspector-attach.h"
#include "inspector-demos.h"
#include "inspector-recording.h"
#include "inspector-window-private.h"

static void
toast (InspectorWindow *self,
       const char      *text)
{
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (text));
}

static void
run_demo (GtkWidget  *widget,
          const char *action_name,
          GVariant   *parameter)
{
  InspectorWindow *self = INSPECTOR_WINDOW (widget);
  const WeftDemo *demo = inspector_window_get_selected_demo (self);

  if (demo != NULL)
    inspector_window_start_demo (self, demo->name, g_str_equal (action_name, "window.step-demo"));
}

static void
toggle_source (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  InspectorWindow *self = INSPECTOR_WINDOW (widget);

  adw_flap_set_reveal_flap (self->flap, !adw_flap_get_reveal_flap (self->flap));
}

/* Opens a window on the loop served at @path. */
static void
open_remote (InspectorWindow *self,
             const char      *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  guint pid = 0;

  if ((connection = inspector_attach (path, &pid, &error)) == NULL)
    {
      toast (self, error->message);
      return;
    }
  gtk_window_present (GTK_WINDOW (inspector_window_new_remote (gtk_window_get_application (GTK_WINDOW (self)),
                                                               connection, path, pid)));
}

static void
on_loop_picked (GtkListBox    *list,
                GtkListBoxRow *row,
                gpointer       data)
{
  InspectorWindow *self = data;
  const char *path = g_object_get_data (G_OBJECT (row), "path");
  GtkWindow *dialog = GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (list)));
  g_autofree char *picked = g_strdup (path);

  gtk_window_destroy (dialog);
  open_remote (self, picked);
}

/* A dialog listing the loops served by running processes (WEFT_INSPECT=1). */
static void
attach (GtkWidget  *widget,
        const char *action_name,
        GVariant   *parameter)
{
  InspectorWindow *self = INSPECTOR_WINDOW (widget);
  g_autoptr(GPtrArray) loops = inspector_list_served_loops ();
  GtkWidget *dialog = adw_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *empty = adw_status_page_new ();

  gtk_window_set_title (GTK_WINDOW (dialog), _("Attach to Process"));
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  gtk_window_set_default_size (GTK_WINDOW (dialog), 480, 420);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "network-offline-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("No Served Loops"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _("Run a program with WEFT_INSPECT=1 in its environment (or have it call "
                                     "weft_loop_serve_inspector()), then open this again."));
  gtk_list_box_set_placeholder (GTK_LIST_BOX (list), empty);
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  g_object_set (list, "margin-start", 12, "margin-end", 12, "margin-top", 12, "margin-bottom", 12,
                "valign", GTK_ALIGN_START, NULL);
  for (guint i = 0; i < loops->len; i++)
    {
      InspectorServedLoop *loop = g_ptr_array_index (loops, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = g_strdup_printf (_("%s (PID %u)"), loop->process, loop->pid);
      g_autofree char *subtitle = g_strdup_printf (_("loop %u · %s"), loop->loop_id, loop->path);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "path", g_strdup (loop->path), g_free);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  g_signal_connect (list, "row-activated", G_CALLBACK (on_loop_picked), self);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (box), scroller);
  adw_window_set_content (ADW_WINDOW (dialog), box);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Opens @path in a replay window, or says why not. */
static void
open_recording_at (InspectorWindow *self,
                   const char      *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = inspector_recording_load (path, &error);

  if (records == NULL)
    {
      toast (self, error->message);
      return;
    }
  gtk_window_present (GTK_WINDOW (inspector_window_new_replay (gtk_window_get_application (GTK_WINDOW (self)),
                                                               records, path)));
}

static void
on_recording_chosen (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         data)
{
  InspectorWindow *self = data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        open_recording_at (self, path);
    }
  g_object_unref (chooser);
}

static void
open_recording (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  InspectorWindow *self = INSPECTOR_WINDOW (widget);
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Open Recording"), GTK_WINDOW (self),
                                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  GtkFileFilter *filter = gtk_file_filter_new ();
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "weft", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (dir);

  gtk_file_filter_set_name (filter, _("Weft recordings"));
  gtk_file_filter_add_pattern (filter, "*.weftrec");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_object_unref (filter);
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
  g_signal_connect (chooser, "response", G_CALLBACK (on_recording_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
open_last_recording (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  InspectorWindow *self = INSPECTOR_WINDOW (widget);
  const char *path = weft_inspector_get_recording_path (self->inspector);

  if (path != NULL)
    open_recording_at (self, path);
}

static void
reconnect (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  InspectorWindow *self = INSPECTOR_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autofree char *path = NULL;
  guint pid = 0;

  if (self->mode != INSPECTOR_WINDOW_REMOTE)
    return;
  /* The same socket, or the process's loop served anew. */
  path = g_file_test (self->remote_path, G_FILE_TEST_EXISTS) ? g_strdup (self->remote_path)
                                                             : inspector_find_served_loop (self->pid);
  if (path == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("%s serves no loop any more"), self->target);

      toast (self, text);
      return;
    }
  if ((connection = inspector_attach (path, &pid, &error)) == NULL)
    {
      toast (self, error->message);
      return;
    }
  g_set_object (&self->connection, connection);
  inspector_window_show_inspector (self, WEFT_INSPECTOR (weft_inspector_new_remote (connection)));
}

static void
about (GtkWidget  *widget,
       const char *action_name,
       GVariant   *parameter)
{
  static const char *developers[] = { "Weft developers", NULL };

  adw_show_about_window (GTK_WINDOW (widget),
                         "application-name", _("Weft Inspector"),
                         "application-icon", INSPECTOR_APP_ID,
                         "version", PACKAGE_VERSION,
                         "developer-name", "Weft developers",
                         "developers", developers,
                         "comments", _("See an asyncio-style event loop run inside GTK: its tasks, ready queue and "
                                       "timers, live; pause it and step through it."),
                         "license-type", GTK_LICENSE_LGPL_2_1,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

void
inspector_window_update_actions (InspectorWindow *self)
{
  gboolean local = self->mode == INSPECTOR_WINDOW_LOCAL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "window.run-demo", local);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "window.step-demo", local);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "window.toggle-source", local);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "window.reconnect", self->mode == INSPECTOR_WINDOW_REMOTE);
}

void
inspector_window_class_add_actions (InspectorWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "window.run-demo", NULL, run_demo);
  gtk_widget_class_install_action (widget_class, "window.step-demo", NULL, run_demo);
  gtk_widget_class_install_action (widget_class, "window.toggle-source", NULL, toggle_source);
  gtk_widget_class_install_action (widget_class, "window.attach", NULL, attach);
  gtk_widget_class_install_action (widget_class, "window.open-recording", NULL, open_recording);
  gtk_widget_class_install_action (widget_class, "window.open-last-recording", NULL, open_last_recording);
  gtk_widget_class_install_action (widget_class, "window.reconnect", NULL, reconnect);
  gtk_widget_class_install_action (widget_class, "window.about", NULL, about);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "window.toggle-source", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "window.open-recording", NULL);
  /* Ctrl+Shift+A: inspector-shortcuts.c (before the task table's own). */
}
