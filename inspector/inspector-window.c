/* inspector-window.c: weft-inspector's window: a loop's inspector, and for
 * the tutorial's demos their source and output
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One window class for the three things the app opens:
 * - the demos (local): a C demo runs in a fresh loop of the app's own (on a
 *   virtual clock when stepped), under the in-process inspector; a Python
 *   demo runs in a child process (python3 -m weft, WEFT_INSPECT=1,
 *   InspectorProgram) and a remote inspector attached to it takes the
 *   inspector's place. The source pane (GtkSourceView) marks the line of the
 *   next callback and the lines suspended tasks resume at; the output pane
 *   shows what the demo prints.
 * - a process attached over its socket (remote): its name and PID in the
 *   title, a banner with Reconnect when the connection is lost;
 * - a recording (replay).
 * The header bar has the view switcher, the demo controls and the primary
 * menu; its actions are in inspector-window-actions.c.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspector-attach.h"
#include "inspector-demos.h"
#include "inspector-program.h"
#include "inspector-recording.h"
#include "inspector-rows.h"
#include "inspector-window-private.h"

G_DEFINE_FINAL_TYPE (InspectorWindow, inspector_window, ADW_TYPE_APPLICATION_WINDOW)

#define MARK_NEXT      "next"        /* the line of the next callback */
#define MARK_SUSPENDED "suspended"   /* lines suspended tasks resume at */

/* The window whose output pane gets what C demos g_print() (the newest). */
static InspectorWindow *print_window;
static GPrintFunc previous_print;

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
  if (self->demo_loop != NULL)
    weft_loop_set_task_history (self->demo_loop, g_settings_get_uint (self->settings, "history-length"));
  weft_loop_set_task_history (self->app_loop, g_settings_get_uint (self->settings, "history-length"));
}

/* ---------------------------------------------------------------- source */

/* "file.c:12" (or a path ending so) in @text: the line, if the file is the
 * demo's. */
static guint
line_in_demo (InspectorWindow *self,
              const char      *text)
{
  const char *at, *colon;

  if (text == NULL || self->demo == NULL || (at = strstr (text, self->demo->source)) == NULL)
    return 0;
  colon = at + strlen (self->demo->source);
  return *colon == ':' ? (guint) atoi (colon + 1) : 0;
}

static void
mark_line (InspectorWindow *self,
           guint            line,
           const char      *category)
{
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view)));
  GtkTextIter iter;

  if (line == 0 || line > (guint) gtk_text_buffer_get_line_count (GTK_TEXT_BUFFER (buffer)))
    return;
  gtk_text_buffer_get_iter_at_line (GTK_TEXT_BUFFER (buffer), &iter, (int) line - 1);
  gtk_source_buffer_create_source_mark (buffer, NULL, category, &iter);
}

/* Marks the line of the next callback to run and the lines suspended tasks
 * resume at, from what the inspector shows. */
static gboolean
update_marks (gpointer data)
{
  InspectorWindow *self = data;
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view)));
  GListModel *tasks = weft_inspector_get_task_model (self->inspector);
  /* What runs next: the head of the ready queue, else the first timer. */
  g_autoptr(GObject) head = g_list_model_get_n_items (weft_inspector_get_ready_model (self->inspector)) > 0
                            ? g_list_model_get_item (weft_inspector_get_ready_model (self->inspector), 0)
                            : g_list_model_get_item (weft_inspector_get_timer_model (self->inspector), 0);
  g_autofree char *where = NULL;
  GtkTextIter start, end;
  guint next = 0;

  gtk_text_buffer_get_bounds (GTK_TEXT_BUFFER (buffer), &start, &end);
  gtk_source_buffer_remove_source_marks (buffer, &start, &end, NULL);
  if (self->demo == NULL)
    return G_SOURCE_CONTINUE;
  for (guint i = 0; i < MIN (g_list_model_get_n_items (tasks), 200); i++)
    {
      g_autoptr(GObject) row = g_list_model_get_item (tasks, i);
      g_autofree char *awaits = NULL;

      if (inspector_task_row_is_final (INSPECTOR_TASK_ROW (row)))
        continue;
      g_object_get (row, "awaits", &awaits, NULL);
      mark_line (self, line_in_demo (self, awaits), MARK_SUSPENDED);
    }
  if (head != NULL)
    {
      g_object_get (head, "where", &where, NULL);
      next = line_in_demo (self, where);
    }
  if (next != self->next_line && next != 0)
    {
      gtk_text_buffer_get_iter_at_line (GTK_TEXT_BUFFER (buffer), &start, (int) next - 1);
      gtk_text_view_scroll_to_iter (GTK_TEXT_VIEW (self->source_view), &start, 0.2, FALSE, 0, 0);
    }
  self->next_line = next;
  mark_line (self, next, MARK_NEXT);
  return G_SOURCE_CONTINUE;
}

static void
set_style_scheme (InspectorWindow *self)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  GtkSourceStyleScheme *scheme
    = gtk_source_style_scheme_manager_get_scheme (schemes, adw_style_manager_get_dark (style) ? "Adwaita-dark" : "Adwaita");
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view));
  GdkRGBA next, suspended;

  gtk_source_buffer_set_style_scheme (GTK_SOURCE_BUFFER (buffer), scheme);
  /* The next line in yellow, suspended tasks' lines in blue (GNOME's palette),
   * readable on light and dark. */
  gdk_rgba_parse (&next, adw_style_manager_get_dark (style) ? "rgba(245,194,17,0.35)" : "rgba(249,240,107,0.9)");
  gdk_rgba_parse (&suspended, adw_style_manager_get_dark (style) ? "rgba(53,132,228,0.35)" : "rgba(153,193,241,0.55)");
  g_object_set (self->next_attributes, "background", &next, NULL);
  g_object_set (self->suspended_attributes, "background", &suspended, NULL);
}

static void
show_source (InspectorWindow *self)
{
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view)));
  GtkSourceLanguageManager *languages = gtk_source_language_manager_get_default ();
  g_autoptr(GBytes) bytes = NULL;

  if (inspector_demo_is_python (self->demo))
    {
      g_autofree char *path = inspector_demo_python_path (self->demo);
      g_autofree char *text = NULL;
      gsize length;

      if (path != NULL && g_file_get_contents (path, &text, &length, NULL))
        bytes = g_bytes_new_take (g_steal_pointer (&text), length);
      gtk_source_buffer_set_language (buffer, gtk_source_language_manager_get_language (languages, "python3"));
    }
  else
    {
      g_autofree char *path = g_strconcat ("/org/weft/Inspector/demos/", self->demo->source, NULL);

      bytes = g_resources_lookup_data (path, 0, NULL);
      gtk_source_buffer_set_language (buffer, gtk_source_language_manager_get_language (languages, "c"));
    }
  if (bytes != NULL)
    gtk_text_buffer_set_text (GTK_TEXT_BUFFER (buffer), g_bytes_get_data (bytes, NULL), (int) g_bytes_get_size (bytes));
  else
    gtk_text_buffer_set_text (GTK_TEXT_BUFFER (buffer), _("(source not available)"), -1);
  self->next_line = 0;
}

/* ---------------------------------------------------------------- output */

/* Adds @text to the output pane after the number of the iteration that
 * printed it (if known), and keeps the newest line in view. */
static void
append_output (InspectorWindow *self,
               const char      *text,
               guint64          iteration)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->output_view);
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  if (iteration > 0 && gtk_text_iter_starts_line (&end))
    {
      g_autofree char *stamp = g_strdup_printf ("%5" G_GUINT64_FORMAT " │ ", iteration);

      gtk_text_buffer_insert_with_tags (buffer, &end, stamp, -1, self->iteration_tag, NULL);
    }
  gtk_text_buffer_insert (buffer, &end, text, -1);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_view_scroll_to_iter (self->output_view, &end, 0, FALSE, 0, 0);
}

/* C demos g_print(): to the terminal (stderr: stdout may be a test's TAP
 * stream), and to the output pane, what the demo's loop prints (from its
 * callbacks and tasks) only. */
static void
print_to_window (const char *text)
{
  fputs (text, stderr);
  if (print_window != NULL && print_window->demo_loop != NULL
      && weft_get_running_loop () == print_window->demo_loop)
    append_output (print_window, text, weft_loop_get_iteration (print_window->demo_loop));
}

/* ----------------------------------------------------- the inspector shown */

static void
on_recording (InspectorWindow *self)
{
  gboolean recording = FALSE;
  const char *path = weft_inspector_get_recording_path (self->inspector);
  AdwToast *toast;

  g_object_get (self->inspector, "recording", &recording, NULL);
  if (recording || path == NULL)
    return;
  /* TRANSLATORS: a toast once the Record button is released */
  toast = adw_toast_new (_("Recording saved"));
  adw_toast_set_button_label (toast, _("_Open"));
  adw_toast_set_action_name (toast, "window.open-last-recording");
  adw_toast_overlay_add_toast (self->toasts, toast);
}

static void
on_connected (InspectorWindow *self)
{
  gboolean lost = self->mode == INSPECTOR_WINDOW_REMOTE && !weft_inspector_get_connected (self->inspector);
  g_autofree char *text = NULL;

  if (lost)
    text = g_strdup_printf (_("Lost the connection to %s: the views show its last state."), self->target);
  gtk_label_set_text (self->banner_label, text ? text : "");
  gtk_revealer_set_reveal_child (self->banner, lost);
}

void
inspector_window_show_inspector (InspectorWindow *self,
                                 WeftInspector   *inspector)
{
  if (self->inspector == inspector)
    return;
  if (self->inspector != NULL)
    g_signal_handlers_disconnect_by_data (self->inspector, self);
  self->inspector = inspector;
  weft_inspector_set_show_switcher (inspector, FALSE);
  adw_bin_set_child (self->inspector_bin, GTK_WIDGET (inspector));
  adw_view_switcher_title_set_stack (self->switcher_title, weft_inspector_get_view_stack (inspector));
  g_signal_connect_swapped (inspector, "notify::recording", G_CALLBACK (on_recording), self);
  g_signal_connect_swapped (inspector, "notify::connected", G_CALLBACK (on_connected), self);
  if (self->settings != NULL)
    g_settings_bind (self->settings, "refresh-interval", inspector, "refresh-interval", G_SETTINGS_BIND_GET);
  on_connected (self);
}

/* ----------------------------------------------------------------- demos */

static void
on_program_output (InspectorWindow *self,
                   const char      *line)
{
  g_autofree char *text = g_strconcat (line, "\n", NULL);

  append_output (self, text, 0);
}

static void
on_program_attached (InspectorWindow *self,
                     GDBusConnection *connection)
{
  inspector_window_show_inspector (self, WEFT_INSPECTOR (weft_inspector_new_remote (connection)));
}

static void
on_program_exited (InspectorWindow *self,
                   int              status)
{
  g_autofree char *text = status >= 0 ? g_strdup_printf (_("(the program exited with status %d)\n"), status)
                                      : g_strdup (_("(the program was killed)\n"));

  append_output (self, text, 0);
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

/* The previous demo's loop goes with its tasks: they are cancelled and
 * unwind (a few iterations) before the loop closes. */
static void
drop_demo_loop (InspectorWindow *self)
{
  g_autoptr(GPtrArray) tasks = NULL;

  g_clear_pointer (&self->running, weft_future_unref);
  if (self->demo_loop == NULL)
    return;
  g_object_set (self->local, "loop", self->app_loop, NULL);
  tasks = weft_all_tasks (self->demo_loop);
  for (guint i = 0; i < tasks->len; i++)
    weft_task_cancel (g_ptr_array_index (tasks, i), _("The demo was stopped"));
  g_clear_pointer (&tasks, g_ptr_array_unref);
  for (guint i = 0; i < 100; i++)
    {
      tasks = weft_all_tasks (self->demo_loop);
      if (tasks->len == 0)
        break;
      g_clear_pointer (&tasks, g_ptr_array_unref);
      weft_loop_step_iteration (self->demo_loop);
    }
  weft_loop_close (self->demo_loop);
  g_clear_pointer (&self->demo_loop, weft_loop_unref);
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

      append_output (self, text, 0);
      return FALSE;
    }
  g_signal_connect_swapped (self->program, "output", G_CALLBACK (on_program_output), self);
  g_signal_connect_swapped (self->program, "attached", G_CALLBACK (on_program_attached), self);
  g_signal_connect_swapped (self->program, "exited", G_CALLBACK (on_program_exited), self);
  return TRUE;
}

/**
 * inspector_window_start_demo:
 * @self: an #InspectorWindow
 * @name: the demo's name (inspector_demo_lookup())
 * @step_by_step: start it paused, on a virtual clock, to step through it
 *
 * Runs a demo in a fresh loop (a Python one in a child process), with its
 * source and output in the side pane.
 *
 * Returns: %FALSE if there is no such demo, or it could not start
 */
gboolean
inspector_window_start_demo (InspectorWindow *self,
                             const char      *name,
                             gboolean         step_by_step)
{
  const WeftDemo *demo = inspector_demo_lookup (name);

  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (self->mode == INSPECTOR_WINDOW_LOCAL, FALSE);

  if (demo == NULL)
    return FALSE;
  self->demo = demo;
  /* The picker names the demo that runs, however it was started. */
  for (guint i = 0; inspector_demo_nth (i) != NULL; i++)
    if (inspector_demo_nth (i) == demo && gtk_drop_down_get_selected (self->demo_picker) != i)
      gtk_drop_down_set_selected (self->demo_picker, i);
  adw_view_switcher_title_set_subtitle (self->switcher_title, demo->name);
  stop_program (self);
  drop_demo_loop (self);
  inspector_window_show_inspector (self, self->local);
  show_source (self);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->output_view), "", 0);
  if (adw_flap_get_folded (self->flap) == FALSE)
    adw_flap_set_reveal_flap (self->flap, TRUE);
  if (inspector_demo_is_python (demo))
    return start_python_demo (self, step_by_step);

  self->demo_loop = weft_loop_new ();
  if (self->settings != NULL)
    apply_history_length (self);
  if (step_by_step)
    {
      /* The clock stands still while the learner reads: call_later (2)
       * fires two seconds in, however long that takes. */
      weft_loop_set_virtual_time (self->demo_loop, TRUE);
      weft_loop_set_paused (self->demo_loop, TRUE);
    }
  g_object_set (self->local, "loop", self->demo_loop, NULL);
  self->running = demo->start (self->demo_loop);
  weft_inspector_refresh (self->local);
  update_marks (self);
  return TRUE;
}

/* --------------------------------------------------------------- the rest */

static void
inspector_window_dispose (GObject *object)
{
  InspectorWindow *self = INSPECTOR_WINDOW (object);

  g_clear_handle_id (&self->marks_id, g_source_remove);
  stop_program (self);
  if (self->local != NULL)
    drop_demo_loop (self);
  if (self->inspector != NULL)
    g_signal_handlers_disconnect_by_data (self->inspector, self);
  g_clear_object (&self->local);
  if (print_window == self)
    {
      g_set_print_handler (previous_print);
      print_window = NULL;
    }
  g_clear_pointer (&self->app_loop, weft_loop_unref);
  g_clear_object (&self->settings);
  g_clear_object (&self->connection);
  g_clear_object (&self->next_attributes);
  g_clear_object (&self->suspended_attributes);
  g_clear_pointer (&self->target, g_free);
  g_clear_pointer (&self->remote_path, g_free);
  g_clear_pointer (&self->replay_path, g_free);
  G_OBJECT_CLASS (inspector_window_parent_class)->dispose (object);
}

static void
inspector_window_class_init (InspectorWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = inspector_window_dispose;
  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/weft/Inspector/inspector-window.ui");
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, demo_picker);
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, run_button);
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, step_demo_button);
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, source_toggle);
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, banner);
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, inspector_bin);
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, source_view);
  gtk_widget_class_bind_template_child (widget_class, InspectorWindow, output_view);
  inspector_window_class_add_actions (klass);
}

/* The picker's list: each demo's name, and under it what it shows. */
static void
demo_item_setup (GtkSignalListItemFactory *factory,
                 GtkListItem              *item)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *summary = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_xalign (GTK_LABEL (summary), 0);
  gtk_widget_add_css_class (summary, "dim-label");
  gtk_widget_add_css_class (summary, "caption");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), summary);
  gtk_list_item_set_child (item, box);
}

static void
demo_item_bind (GtkSignalListItemFactory *factory,
                GtkListItem              *item)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  const char *name = gtk_string_object_get_string (gtk_list_item_get_item (item));
  const WeftDemo *demo = inspector_demo_lookup (name);

  gtk_label_set_text (GTK_LABEL (gtk_widget_get_first_child (box)), name);
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_last_child (box)), demo != NULL ? _(demo->summary) : "");
}

static void
inspector_window_init (InspectorWindow *self)
{
  GtkStringList *names = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  g_object_set_data (G_OBJECT (self), "step-demo-button", self->step_demo_button);   /* for the tests */
  for (guint i = 0; inspector_demo_nth (i) != NULL; i++)
    gtk_string_list_append (names, inspector_demo_nth (i)->name);
  gtk_drop_down_set_model (self->demo_picker, G_LIST_MODEL (names));
  g_object_unref (names);
  {
    GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

    g_signal_connect (factory, "setup", G_CALLBACK (demo_item_setup), NULL);
    g_signal_connect (factory, "bind", G_CALLBACK (demo_item_bind), NULL);
    gtk_drop_down_set_list_factory (self->demo_picker, factory);
    g_object_unref (factory);
  }

  self->next_attributes = gtk_source_mark_attributes_new ();
  self->suspended_attributes = gtk_source_mark_attributes_new ();
  gtk_source_view_set_mark_attributes (self->source_view, MARK_NEXT, self->next_attributes, 10);
  gtk_source_view_set_mark_attributes (self->source_view, MARK_SUSPENDED, self->suspended_attributes, 5);
  set_style_scheme (self);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark", G_CALLBACK (set_style_scheme), self,
                           G_CONNECT_SWAPPED);
  self->iteration_tag = gtk_text_buffer_create_tag (gtk_text_view_get_buffer (self->output_view), "iteration",
                                                    "foreground", "#77767b", NULL);
  if (print_window == NULL)
    previous_print = g_set_print_handler (print_to_window);
  print_window = self;
}

/* What every mode shares: the settings and the window's size. */
static InspectorWindow *
window_new (GtkApplication     *app,
            InspectorWindowMode mode)
{
  InspectorWindow *self = g_object_new (INSPECTOR_TYPE_WINDOW, "application", app, NULL);

  self->mode = mode;
  if ((self->settings = settings_new ()) != NULL)
    {
      g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
    }
  /* Only the demos have source and output to show. */
  gtk_widget_set_visible (GTK_WIDGET (self->demo_picker), mode == INSPECTOR_WINDOW_LOCAL);
  gtk_widget_set_visible (self->run_button, mode == INSPECTOR_WINDOW_LOCAL);
  gtk_widget_set_visible (self->step_demo_button, mode == INSPECTOR_WINDOW_LOCAL);
  gtk_widget_set_visible (self->source_toggle, mode == INSPECTOR_WINDOW_LOCAL);
  if (mode != INSPECTOR_WINDOW_LOCAL)
    {
      adw_flap_set_locked (self->flap, TRUE);
      adw_flap_set_reveal_flap (self->flap, FALSE);
    }
  inspector_window_update_actions (self);
  return self;
}

/**
 * inspector_window_new:
 * @app: (nullable): the application
 * @loop: the app's loop, shown until a demo runs
 *
 * The demos' window.
 *
 * Returns: (transfer none): the window
 */
InspectorWindow *
inspector_window_new (GtkApplication *app,
                      WeftLoop       *loop)
{
  InspectorWindow *self = window_new (app, INSPECTOR_WINDOW_LOCAL);

  self->app_loop = weft_loop_ref (loop);
  adw_flap_set_reveal_flap (self->flap, FALSE);   /* no source to show until a demo runs */
  self->local = g_object_ref_sink (WEFT_INSPECTOR (weft_inspector_new (loop)));
  inspector_window_show_inspector (self, self->local);
  self->marks_id = g_timeout_add (100, update_marks, self);
  if (self->settings != NULL)
    {
      g_signal_connect_swapped (self->settings, "changed::history-length", G_CALLBACK (apply_history_length), self);
      apply_history_length (self);
    }
  return self;
}

/**
 * inspector_window_new_remote:
 * @app: (nullable): the application
 * @connection: a connection to a served loop (inspector_attach())
 * @path: its socket, to reconnect
 * @pid: its process
 *
 * A window on a loop of another process; the title names it.
 *
 * Returns: (transfer none): the window
 */
InspectorWindow *
inspector_window_new_remote (GtkApplication  *app,
                             GDBusConnection *connection,
                             const char      *path,
                             guint            pid)
{
  InspectorWindow *self = window_new (app, INSPECTOR_WINDOW_REMOTE);
  g_autofree char *process = inspector_process_name (pid);
  g_autofree char *title = NULL;

  self->connection = g_object_ref (connection);
  self->remote_path = g_strdup (path);
  self->pid = pid;
  /* TRANSLATORS: the process a window inspects: its name and PID */
  self->target = g_strdup_printf (_("%s (PID %u)"), process ? process : _("a process"), pid);
  title = g_strdup_printf (_("%s — Weft Inspector"), self->target);
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_view_switcher_title_set_title (self->switcher_title, self->target);
  adw_view_switcher_title_set_subtitle (self->switcher_title, path);
  inspector_window_show_inspector (self, WEFT_INSPECTOR (weft_inspector_new_remote (connection)));
  return self;
}

/**
 * inspector_window_new_replay:
 * @app: (nullable): the application
 * @records: a recording's records (inspector_recording_load())
 * @path: the file they came from
 *
 * A window replaying a recording; the title names the file.
 *
 * Returns: (transfer none): the window
 */
InspectorWindow *
inspector_window_new_replay (GtkApplication *app,
                             GPtrArray      *records,
                             const char     *path)
{
  InspectorWindow *self = window_new (app, INSPECTOR_WINDOW_REPLAY);
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *title = g_strdup_printf (_("%s — Weft Inspector"), name);

  self->replay_path = g_strdup (path);
  self->target = g_strdup (name);
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_view_switcher_title_set_title (self->switcher_title, name);
  adw_view_switcher_title_set_subtitle (self->switcher_title, _("Recording"));
  inspector_window_show_inspector (self, WEFT_INSPECTOR (inspector_new_replay_for (records)));
  return self;
}

GSettings *
inspector_window_get_settings (InspectorWindow *self)
{
  return self->settings;
}

/**
 * inspector_window_get_inspector:
 * @self: an #InspectorWindow
 *
 * Returns: (transfer none): the inspector shown: on the app's or the demo's
 *   loop, on the running Python demo once attached, remote or replaying
 */
WeftInspector *
inspector_window_get_inspector (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);

  return self->inspector;
}

/**
 * inspector_window_get_loop:
 * @self: an #InspectorWindow
 *
 * Returns: (transfer none): the running C demo's loop, else the app's
 */
WeftLoop *
inspector_window_get_loop (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), NULL);

  return self->demo_loop != NULL ? self->demo_loop : self->app_loop;
}

/**
 * inspector_window_get_output:
 * @self: an #InspectorWindow
 *
 * Returns: (transfer full): what the demo printed, so far
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
 * Returns: the source line (from 1) marked as the next to run, or 0
 */
guint
inspector_window_get_highlighted_line (InspectorWindow *self)
{
  g_return_val_if_fail (INSPECTOR_IS_WINDOW (self), 0);

  update_marks (self);
  return self->next_line;
}

/**
 * inspector_window_get_suspended_lines:
 * @self: an #InspectorWindow
 *
 * Returns: (transfer full) (element-type guint): the source lines marked as
 *   where suspended tasks resume
 */
GArray *
inspector_window_get_suspended_lines (InspectorWindow *self)
{
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view)));
  GArray *lines = g_array_new (FALSE, FALSE, sizeof (guint));
  GtkTextIter iter;

  update_marks (self);
  gtk_text_buffer_get_start_iter (GTK_TEXT_BUFFER (buffer), &iter);
  do
    {
      GSList *marks = gtk_source_buffer_get_source_marks_at_iter (buffer, &iter, MARK_SUSPENDED);
      guint line = (guint) gtk_text_iter_get_line (&iter) + 1;

      if (marks != NULL)
        g_array_append_val (lines, line);
      g_slist_free (marks);
    }
  while (gtk_text_iter_forward_line (&iter));
  return lines;
}

/* For the actions: the selected demo of the picker. */
const WeftDemo *
inspector_window_get_selected_demo (InspectorWindow *self)
{
  guint selected = gtk_drop_down_get_selected (self->demo_picker);

  return selected != GTK_INVALID_LIST_POSITION ? inspector_demo_nth (selected) : NULL;
}
