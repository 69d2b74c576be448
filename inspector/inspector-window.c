/* inspector-window.c: the app window: a demo picker, the inspector, the
 * demo's source with the line of the next callback highlighted, and what the
 * demo printed
 *
 * A C demo runs in the app's own loop, under the in-process inspector. A
 * Python demo runs in a child process (python3 -m weft, WEFT_INSPECT=1,
 * InspectorProgram) and the window shows a remote inspector attached to it
 * instead, with the same source pane and stepping.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspector-window.h"
#include "inspector-demos.h"
#include "inspector-program.h"

struct _InspectorWindow
{
  GtkApplicationWindow  parent_instance;
  WeftLoop             *loop;
  WeftInspector        *local;        /* on the app's loop (a reference) */
  WeftInspector        *inspector;    /* the one shown: local, or on a Python demo */
  GtkPaned             *paned;
  GtkDropDown          *demo_picker;
  GtkTextView          *source_view;
  GtkTextTag           *current_line;
  GtkTextView          *output_view;
  const WeftDemo       *demo;
  WeftFuture           *running;
  InspectorProgram     *program;      /* a Python demo's process */
  guint                 highlight_id;
  GSettings            *settings;
  GPrintFunc            previous_print;
};

/* The window whose output pane gets what C demos g_print() (the newest). */
static InspectorWindow *print_window;

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

/* Where the next callback was scheduled (file:line), or NULL: read from the
 * loop in process, from the remote inspector's ready queue for a Python demo. */
static char *
next_location (InspectorWindow *self)
{
  g_autoptr(GArray) ready = NULL;
  g_autoptr(GObject) row = NULL;
  char *where = NULL;

  if (self->inspector != self->local)
    {
      if ((row = g_list_model_get_item (weft_inspector_get_ready_model (self->inspector), 0)) != NULL)
        g_object_get (row, "where", &where, NULL);
      return where;
    }
  if (weft_loop_is_closed (self->loop))
    return NULL;
  ready = weft_loop_list_ready (self->loop);
  return ready->len > 0 ? g_strdup (g_array_index (ready, WeftCallInfo, 0).where) : NULL;
}

/* Highlights the source line of the next callback to run, if it is in the
 * demo's file. */
static gboolean
highlight_next (gpointer data)
{
  InspectorWindow *self = data;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->source_view);
  g_autofree char *where = NULL;
  GtkTextIter start, end;
  const char *colon;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_remove_tag (buffer, self->current_line, &start, &end);
  if (self->demo == NULL || (where = next_location (self)) == NULL)
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
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->source_view);
  g_autoptr(GBytes) bytes = NULL;

  if (inspector_demo_is_python (self->demo))
    {
      g_autofree char *path = inspector_demo_python_path (self->demo);
      g_autofree char *text = NULL;
      gsize length;

      if (path != NULL && g_file_get_contents (path, &text, &length, NULL))
        bytes = g_bytes_new_take (g_steal_pointer (&text), length);
    }
  else
    {
      g_autofree char *path = g_strconcat ("/org/weft/Inspector/demos/", self->demo->source, NULL);

      bytes = g_resources_lookup_data (path, 0, NULL);
    }
  if (bytes != NULL)
    gtk_text_buffer_set_text (buffer, g_bytes_get_data (bytes, NULL), (int) g_bytes_get_size (bytes));
  else
    gtk_text_buffer_set_text (buffer, _("(source not available)"), -1);
}

/* Adds a line to the output pane, and keeps the newest in view. */
static void
append_output (InspectorWindow *self,
               const char      *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->output_view);
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, text, -1);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_view_scroll_to_iter (self->output_view, &end, 0, FALSE, 0, 0);
}

/* C demos g_print(): to the terminal, as before, and to the output pane. */
static void
print_to_window (const char *text)
{
  fputs (text, stdout);
  fflush (stdout);
  if (print_window != NULL)
    append_output (print_window, text);
}

static void
show_inspector (InspectorWindow *self,
                WeftInspector   *inspector)
{
  if (self->inspector == inspector)
    return;
  self->inspector = inspector;
  gtk_paned_set_start_child (self->paned, GTK_WIDGET (inspector));
}

static void
on_program_output (InspectorWindow *self,
                   const char      *line)
{
  g_autofree char *text = g_strconcat (line, "\n", NULL);

  append_output (self, text);
}

static void
on_program_attached (InspectorWindow *self,
                     GDBusConnection *connection)
{
  show_inspector (self, WEFT_INSPECTOR (weft_inspector_new_remote (connection)));
}

static void
on_program_exited (InspectorWindow *self,
                   int              status)
{
  g_autofree char *text = status >= 0 ? g_strdup_printf (_("(the program exited with status %d)\n"), status)
                                      : g_strdup (_("(the program was killed)\n"));

  append_output (self, text);
}

static void
stop_program (InspectorWindow *self)
{
  if (self->program == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->program, self);
  inspector_program_stop (self->program);
  g_clear_object (&self->program);
}

/* Runs a Python demo in a child process; the remote inspector replaces the
 * local one once the program's loop serves itself. */
static gboolean
start_python_demo (InspectorWindow *self,
                   gboolean         step_by_step)
{
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) environment = NULL;
  g_autoptr(GError) error = NULL;

  inspector_demo_python_command (self->demo, step_by_step, &argv, &environment);
  self->program = inspector_program_new ((const char * const *) argv, (const char * const *) environment, &error);
  if (self->program == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Cannot run %s: %s\n"), argv[0], error->message);

      append_output (self, text);
      return FALSE;
    }
  g_signal_connect_swapped (self->program, "output", G_CALLBACK (on_program_output), self);
  g_signal_connect_swapped (self->program, "attached", G_CALLBACK (on_program_attached), self);
  g_signal_connect_swapped (self->program, "exited", G_CALLBACK (on_program_exited), self);
  return TRUE;
}

/**
 * inspector_window_get_inspector:
 * @self: an #InspectorWindow
 *
 * Returns: (transfer none): the inspector shown: on the app's loop, or on
 *   the running Python demo once attached
 */
WeftInspector *
inspector_window_get_inspector (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);

  return self->inspector;
}

/**
 * inspector_window_get_output:
 * @self: an #InspectorWindow
 *
 * Returns: (transfer full): what the demos printed, so far
 */
char *
inspector_window_get_output (InspectorWindow *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);

  buffer = gtk_text_view_get_buffer (self->output_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/**
 * inspector_window_get_highlighted_line:
 * @self: an #InspectorWindow
 *
 * Returns: the source line (from 1) highlighted as the next to run, or 0
 */
guint
inspector_window_get_highlighted_line (InspectorWindow *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter iter;

  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), 0);

  buffer = gtk_text_view_get_buffer (self->source_view);
  gtk_text_buffer_get_start_iter (buffer, &iter);
  if (!gtk_text_iter_starts_tag (&iter, self->current_line) && !gtk_text_iter_forward_to_tag_toggle (&iter, self->current_line))
    return 0;
  return (guint) gtk_text_iter_get_line (&iter) + 1;
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
  /* The picker names the demo that runs, however it was started. */
  for (guint i = 0; inspector_demo_nth (i) != NULL; i++)
    if (inspector_demo_nth (i) == demo && gtk_drop_down_get_selected (self->demo_picker) != i)
      gtk_drop_down_set_selected (self->demo_picker, i);
  stop_program (self);
  show_inspector (self, self->local);
  show_source (self);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->output_view), "", 0);
  if (inspector_demo_is_python (demo))
    return start_python_demo (self, step_by_step);
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
  stop_program (self);
  g_clear_object (&self->local);
  if (print_window == self)
    {
      g_set_print_handler (self->previous_print);
      print_window = NULL;
    }
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

static GtkTextView *
monospace_view (void)
{
  GtkTextView *view = GTK_TEXT_VIEW (gtk_text_view_new ());

  gtk_text_view_set_editable (view, FALSE);
  gtk_text_view_set_monospace (view, TRUE);
  return view;
}

static GtkWidget *
scrolled (GtkTextView *view)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (view));
  return scroller;
}

InspectorWindow *
inspector_window_new (GtkApplication *app,
                      WeftLoop       *loop)
{
  InspectorWindow *self = g_object_new (INSPECTOR_TYPE_WINDOW, "application", app, NULL);
  GtkWidget *text_panes = gtk_paned_new (GTK_ORIENTATION_VERTICAL);

  self->loop = weft_loop_ref (loop);
  self->local = g_object_ref_sink (WEFT_INSPECTOR (weft_inspector_new (loop)));
  self->paned = GTK_PANED (gtk_paned_new (GTK_ORIENTATION_HORIZONTAL));
  self->source_view = monospace_view ();
  self->current_line = gtk_text_buffer_create_tag (gtk_text_view_get_buffer (self->source_view), "current-line",
                                                   "background", "#f6d32d", "foreground", "#000000", NULL);
  /* What the demo prints: a C demo's g_print(), a Python demo's stdout and stderr. */
  self->output_view = monospace_view ();
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->output_view), _("What the demo printed"));
  gtk_paned_set_start_child (GTK_PANED (text_panes), scrolled (self->source_view));
  gtk_paned_set_end_child (GTK_PANED (text_panes), scrolled (self->output_view));
  gtk_paned_set_position (GTK_PANED (text_panes), 440);
  show_inspector (self, self->local);
  gtk_paned_set_end_child (self->paned, text_panes);
  gtk_paned_set_position (self->paned, 700);
  gtk_window_set_child (GTK_WINDOW (self), GTK_WIDGET (self->paned));
  self->highlight_id = g_timeout_add (100, highlight_next, self);
  if (print_window == NULL)
    self->previous_print = g_set_print_handler (print_to_window);
  print_window = self;

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
