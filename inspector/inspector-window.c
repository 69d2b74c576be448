/* inspector-window.c: the app window: a demo picker, the inspector, and the
 * demo's C source with the line of the next callback highlighted
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>

#include "inspector-window.h"
#include "inspector-demos.h"

struct _InspectorWindow
{
  GtkApplicationWindow  parent_instance;
  WeftLoop             *loop;
  WeftInspector        *inspector;
  GtkDropDown          *demo_picker;
  GtkTextView          *source_view;
  GtkTextTag           *current_line;
  const WeftDemo       *demo;
  WeftFuture           *running;
  guint                 highlight_id;
  GSettings            *settings;
};

G_DEFINE_FINAL_TYPE (InspectorWindow, inspector_window, GTK_TYPE_APPLICATION_WINDOW)

/* The app's settings, or NULL (defaults, nothing kept) when the schema is not
 * installed, as when running from a build tree without GSETTINGS_SCHEMA_DIR. */
static GSettings *
settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, INSPECTOR_APP_ID, TRUE);
  if (schema == NULL)
    {
      g_debug ("schema %s not installed: settings are not kept", INSPECTOR_APP_ID);
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}

static void
apply_history_length (InspectorWindow *self)
{
  weft_loop_set_task_history (self->loop, g_settings_get_uint (self->settings, "history-length"));
}

/* Highlights the source line of the next callback to run, if it is in the
 * demo's file. */
static gboolean
highlight_next (gpointer data)
{
  InspectorWindow *self = data;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->source_view);
  g_autoptr(GArray) ready = NULL;
  GtkTextIter start, end;
  const char *where, *colon;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_remove_tag (buffer, self->current_line, &start, &end);
  if (self->demo == NULL || weft_loop_is_closed (self->loop))
    return G_SOURCE_CONTINUE;
  ready = weft_loop_list_ready (self->loop);
  if (ready->len == 0 || (where = g_array_index (ready, WeftCallInfo, 0).where) == NULL)
    return G_SOURCE_CONTINUE;
  if (strstr (where, self->demo->source) == NULL || (colon = strrchr (where, ':')) == NULL)
    return G_SOURCE_CONTINUE;
  gtk_text_buffer_get_iter_at_line (buffer, &start, atoi (colon + 1) - 1);
  end = start;
  gtk_text_iter_forward_to_line_end (&end);
  gtk_text_buffer_apply_tag (buffer, self->current_line, &start, &end);
  gtk_text_view_scroll_to_iter (self->source_view, &start, 0.1, FALSE, 0, 0);
  return G_SOURCE_CONTINUE;
}

static void
show_source (InspectorWindow *self)
{
  g_autofree char *path = g_strconcat ("/org/weft/Inspector/demos/", self->demo->source, NULL);
  g_autoptr(GBytes) bytes = g_resources_lookup_data (path, 0, NULL);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->source_view);

  if (bytes != NULL)
    gtk_text_buffer_set_text (buffer, g_bytes_get_data (bytes, NULL), (int) g_bytes_get_size (bytes));
  else
    gtk_text_buffer_set_text (buffer, _("(source not available)"), -1);
}

gboolean
inspector_window_start_demo (InspectorWindow *self,
                             const char      *name,
                             gboolean         step_by_step)
{
  const WeftDemo *demo = inspector_demo_lookup (name);

  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), FALSE);

  if (demo == NULL)
    return FALSE;
  self->demo = demo;
  show_source (self);
  if (step_by_step)
    g_object_set (self->inspector, "paused", TRUE, NULL);
  g_clear_pointer (&self->running, weft_future_unref);
  self->running = demo->start (self->loop);
  weft_inspector_refresh (self->inspector);
  highlight_next (self);
  return TRUE;
}

static void
run_selected (InspectorWindow *self,
              gboolean         step_by_step)
{
  guint selected = gtk_drop_down_get_selected (self->demo_picker);

  if (selected != GTK_INVALID_LIST_POSITION && inspector_demo_nth (selected) != NULL)
    inspector_window_start_demo (self, inspector_demo_nth (selected)->name, step_by_step);
}

static void
on_run (InspectorWindow *self)
{
  run_selected (self, FALSE);
}

static void
on_step (InspectorWindow *self)
{
  run_selected (self, TRUE);
}

static void
inspector_window_dispose (GObject *object)
{
  InspectorWindow *self = INSPECTOR_WINDOW (object);

  g_clear_handle_id (&self->highlight_id, g_source_remove);
  g_clear_pointer (&self->running, weft_future_unref);
  g_clear_pointer (&self->loop, weft_loop_unref);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (inspector_window_parent_class)->dispose (object);
}

static void
inspector_window_class_init (InspectorWindowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = inspector_window_dispose;
}

static void
inspector_window_init (InspectorWindow *self)
{
  GtkWidget *header = gtk_header_bar_new ();
  GtkWidget *run = gtk_button_new_with_mnemonic (_("_Run"));
  GtkWidget *step = gtk_button_new_with_mnemonic (_("Run _Step by Step"));
  GtkStringList *names = gtk_string_list_new (NULL);

  for (guint i = 0; inspector_demo_nth (i) != NULL; i++)
    gtk_string_list_append (names, inspector_demo_nth (i)->name);
  self->demo_picker = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (names), NULL));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->demo_picker), _("Tutorial demo"));
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), GTK_WIDGET (self->demo_picker));
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), run);
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), step);
  gtk_window_set_titlebar (GTK_WINDOW (self), header);
  gtk_window_set_title (GTK_WINDOW (self), _("Weft Inspector"));
  gtk_window_set_default_size (GTK_WINDOW (self), 1100, 640);
  g_signal_connect_swapped (run, "clicked", G_CALLBACK (on_run), self);
  g_signal_connect_swapped (step, "clicked", G_CALLBACK (on_step), self);
}

InspectorWindow *
inspector_window_new (GtkApplication *app,
                      WeftLoop       *loop)
{
  InspectorWindow *self = g_object_new (INSPECTOR_TYPE_WINDOW, "application", app, NULL);
  GtkWidget *paned = gtk_paned_new (GTK_ORIENTATION_HORIZONTAL);
  GtkWidget *scroller = gtk_scrolled_window_new ();

  self->loop = weft_loop_ref (loop);
  self->inspector = WEFT_INSPECTOR (weft_inspector_new (loop));
  self->source_view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_editable (self->source_view, FALSE);
  gtk_text_view_set_monospace (self->source_view, TRUE);
  self->current_line = gtk_text_buffer_create_tag (gtk_text_view_get_buffer (self->source_view), "current-line",
                                                   "background", "#f6d32d", "foreground", "#000000", NULL);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->source_view));
  gtk_paned_set_start_child (GTK_PANED (paned), GTK_WIDGET (self->inspector));
  gtk_paned_set_end_child (GTK_PANED (paned), scroller);
  gtk_paned_set_position (GTK_PANED (paned), 700);
  gtk_window_set_child (GTK_WINDOW (self), paned);
  self->highlight_id = g_timeout_add (100, highlight_next, self);

  if ((self->settings = settings_new ()) != NULL)
    {
      g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "refresh-interval", self->inspector, "refresh-interval", G_SETTINGS_BIND_GET);
      g_signal_connect_swapped (self->settings, "changed::history-length", G_CALLBACK (apply_history_length), self);
      apply_history_length (self);
    }
  return self;
}

GSettings *
inspector_window_get_settings (InspectorWindow *self)
{
  return self->settings;
}
