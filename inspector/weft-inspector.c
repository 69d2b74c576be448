/* weft-inspector.c: the embeddable inspector, its shell: tasks, ready queue,
 * timers, warnings and timeline of one WeftLoop, with pause and step; the
 * widget's properties, actions and public API
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The views are GtkColumnViews over list models of row snapshots
 * (inspector-rows.c): in process refreshed ten times a second and after every
 * step; remotely when the loop signals that it ran. The parts are files of
 * their own (weft-inspector-private.h lists them).
 */
#include "config.h"

#include "weft-inspector-private.h"

G_DEFINE_FINAL_TYPE (WeftInspector, weft_inspector, GTK_TYPE_WIDGET)

GParamSpec *weft_inspector_properties[N_PROPS];

/* inspector.step-callback, inspector.step-iteration, inspector.step-timer. */
static void
step (GtkWidget  *widget,
      const char *action_name,
      GVariant   *parameter)
{
  WeftInspector *self = WEFT_INSPECTOR (widget);
  gboolean one = g_str_equal (action_name, "inspector.step-callback");

  if (self->connection != NULL)
    inspector_call_remote (self, "Step", g_variant_new ("(s)", one ? "callback" : "iteration"));
  else if (self->loop != NULL && !weft_loop_is_closed (self->loop))
    {
      /* A step holds the loop: stepping a running loop pauses it first. */
      if (!weft_loop_get_paused (self->loop))
        g_object_set (self, "paused", TRUE, NULL);
      if (one)
        weft_loop_step_callback (self->loop);
      else if (g_str_equal (action_name, "inspector.step-timer"))
        weft_loop_step_to_next_timer (self->loop);
      else
        weft_loop_step_iteration (self->loop);
    }
  weft_inspector_refresh (self);
}

/* inspector.show-page (s): Alt+1 to Alt+5. */
static void
show_page (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  WeftInspector *self = WEFT_INSPECTOR (widget);
  GtkWidget *page;

  weft_inspector_show_page (self, g_variant_get_string (parameter, NULL));
  /* The focus goes with the view (else it stays on a hidden table, or lands
   * on the view switcher). */
  page = adw_view_stack_get_visible_child (self->stack);
  if (page != NULL)
    gtk_widget_child_focus (page, GTK_DIR_TAB_FORWARD);
}

/* inspector.find: Ctrl+F, the task filter. */
static void
find (GtkWidget  *widget,
      const char *action_name,
      GVariant   *parameter)
{
  WeftInspector *self = WEFT_INSPECTOR (widget);

  weft_inspector_show_page (self, "tasks");
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
cancel_task (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  WeftInspector *self = WEFT_INSPECTOR (widget);
  InspectorTaskRow *row = gtk_single_selection_get_selected_item (self->task_selection);
  g_autoptr(GPtrArray) tasks = NULL;
  guint64 id;

  if (row == NULL)
    return;
  g_object_get (row, "id", &id, NULL);
  if (self->connection != NULL)
    inspector_call_remote (self, "CancelTask", g_variant_new ("(t)", id));
  else if (self->loop != NULL)
    {
      tasks = weft_all_tasks (self->loop);
      for (guint i = 0; i < tasks->len; i++)
        if (weft_task_get_id (g_ptr_array_index (tasks, i)) == id)
          weft_task_cancel (g_ptr_array_index (tasks, i), _("Cancelled from the inspector"));
    }
  weft_inspector_refresh (self);
}

static void
on_search_changed (WeftInspector *self)
{
  GtkFilter *filter = gtk_filter_list_model_get_filter (self->filtered_tasks);

  gtk_string_filter_set_search (GTK_STRING_FILTER (filter), gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
weft_inspector_set_loop (WeftInspector *self,
                         WeftLoop      *loop)
{
  if (self->loop == loop)
    return;
  g_clear_pointer (&self->loop, weft_loop_unref);
  /* Another loop: its tasks start a new table. */
  g_clear_pointer (&self->final_ids, g_hash_table_unref);
  g_clear_pointer (&self->tracked, g_hash_table_unref);
  self->cursor = 0;
  self->finished_seen = 0;
  g_list_store_remove_all (self->tasks);
  g_clear_pointer (&self->timeline_records, g_array_unref);   /* another loop, another timeline */
  if (loop != NULL)
    {
      self->loop = weft_loop_ref (loop);
      self->clock_origin = weft_loop_time (loop);
      weft_loop_set_recording (loop, TRUE);
    }
  weft_inspector_refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), weft_inspector_properties[PROP_LOOP]);
}

static void
weft_inspector_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  WeftInspector *self = WEFT_INSPECTOR (object);

  switch (prop_id)
    {
    case PROP_LOOP:
      g_value_set_pointer (value, self->loop);
      break;
    case PROP_PAUSED:
      g_value_set_boolean (value, self->connection != NULL ? self->remote_paused
                                  : self->loop != NULL && weft_loop_get_paused (self->loop));
      break;
    case PROP_RECORDING:
      g_value_set_boolean (value, self->recording != NULL);
      break;
    case PROP_REFRESH_INTERVAL:
      g_value_set_uint (value, self->refresh_interval);
      break;
    case PROP_NOW:
      g_value_set_double (value, self->now);
      break;
    case PROP_CONNECTED:
      g_value_set_boolean (value, self->connected);
      break;
    case PROP_NEXT:
      g_value_set_string (value, self->next_text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_inspector_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  WeftInspector *self = WEFT_INSPECTOR (object);

  switch (prop_id)
    {
    case PROP_LOOP:
      weft_inspector_set_loop (self, g_value_get_pointer (value));
      break;
    case PROP_PAUSED:
      if (self->connection != NULL)
        {
          self->remote_paused = g_value_get_boolean (value);
          inspector_call_remote (self, "SetPaused", g_variant_new ("(b)", self->remote_paused));
          g_object_notify_by_pspec (object, pspec);
        }
      else if (self->loop != NULL && weft_loop_get_paused (self->loop) != g_value_get_boolean (value))
        {
          weft_loop_set_paused (self->loop, g_value_get_boolean (value));
          g_object_notify_by_pspec (object, pspec);
          weft_inspector_refresh (self);
        }
      break;
    case PROP_REFRESH_INTERVAL:
      if (self->refresh_interval != g_value_get_uint (value))
        {
          self->refresh_interval = g_value_get_uint (value);
          g_clear_handle_id (&self->refresh_id, g_source_remove);
          if (self->connection == NULL && self->replay == NULL)
            self->refresh_id = g_timeout_add_full (REFRESH_PRIORITY, self->refresh_interval, inspector_refresh_tick, self, NULL);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_RECORDING:
      if (g_value_get_boolean (value) && self->recording == NULL)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GDateTime) now = g_date_time_new_now_local ();
          g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
          g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "weft", NULL);
          g_autofree char *name = g_strdup_printf ("recording-%s.weftrec", stamp);
          g_autofree char *path = g_build_filename (dir, name, NULL);

          g_mkdir_with_parents (dir, 0700);
          if (!weft_inspector_start_recording (self, path, &error))
            g_warning ("Weft inspector: cannot record: %s", error->message);
          else
            gtk_widget_set_tooltip_text (self->record_button, path);
        }
      else if (!g_value_get_boolean (value))
        weft_inspector_stop_recording (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_inspector_dispose (GObject *object)
{
  WeftInspector *self = WEFT_INSPECTOR (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_handle_id (&self->play_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  weft_inspector_stop_recording (self);
  g_clear_pointer (&self->recording_path, g_free);
  g_clear_pointer (&self->replay, g_ptr_array_unref);
  g_clear_pointer (&self->final_ids, g_hash_table_unref);
  g_clear_pointer (&self->tracked, g_hash_table_unref);
  g_clear_pointer (&self->timeline_records, g_array_unref);
  if (self->changed_id != 0)
    {
      g_dbus_connection_signal_unsubscribe (self->connection, self->changed_id);
      g_dbus_connection_signal_unsubscribe (self->connection, self->blocked_id);
      self->changed_id = self->blocked_id = 0;
    }
  g_clear_object (&self->connection);
  gtk_widget_dispose_template (GTK_WIDGET (self), WEFT_TYPE_INSPECTOR);
  g_clear_pointer (&self->loop, weft_loop_unref);
  g_clear_object (&self->tasks);
  g_clear_object (&self->ready);
  g_clear_object (&self->timers);
  g_clear_object (&self->warnings);
  g_clear_pointer (&self->status, g_free);
  g_clear_pointer (&self->next_text, g_free);
  G_OBJECT_CLASS (weft_inspector_parent_class)->dispose (object);
}

static void
weft_inspector_class_init (WeftInspectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = weft_inspector_get_property;
  object_class->set_property = weft_inspector_set_property;
  object_class->dispose = weft_inspector_dispose;

  weft_inspector_properties[PROP_LOOP] = g_param_spec_pointer ("loop", NULL, NULL,
                                                G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  weft_inspector_properties[PROP_PAUSED] = g_param_spec_boolean ("paused", NULL, NULL, FALSE,
                                                  G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  weft_inspector_properties[PROP_RECORDING] = g_param_spec_boolean ("recording", NULL, NULL, FALSE,
                                                     G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* How often the views follow a running loop, in ms (the app's
   * refresh-interval setting). Steps refresh at once whatever it is. */
  weft_inspector_properties[PROP_REFRESH_INTERVAL] = g_param_spec_uint ("refresh-interval", NULL, NULL, 16, 10000, REFRESH_MS,
                                                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The time the views show the loop at (seconds): tasks' ages follow it. */
  weft_inspector_properties[PROP_NOW] = g_param_spec_double ("now", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Remote: whether the loop answers (a lost one leaves the views as they were). */
  weft_inspector_properties[PROP_CONNECTED] = g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                                                     G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* What runs next, in words (the Next panel). */
  weft_inspector_properties[PROP_NEXT] = g_param_spec_string ("next", NULL, NULL, NULL,
                                               G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, weft_inspector_properties);

  g_type_ensure (ADW_TYPE_VIEW_STACK);
  g_type_ensure (ADW_TYPE_VIEW_SWITCHER);
  g_type_ensure (ADW_TYPE_STATUS_PAGE);
  g_type_ensure (INSPECTOR_TYPE_TASK_ROW);
  g_type_ensure (INSPECTOR_TYPE_CALL_ROW);
  g_type_ensure (INSPECTOR_TYPE_TIMELINE);
  g_type_ensure (INSPECTOR_TYPE_HISTOGRAM);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/weft/Inspector/weft-inspector.ui");
  gtk_widget_class_bind_template_child (widget_class, WeftInspector, box);
  gtk_widget_class_bind_template_child (widget_class, WeftInspector, task_view);
  gtk_widget_class_bind_template_child (widget_class, WeftInspector, ready_view);
  gtk_widget_class_bind_template_child (widget_class, WeftInspector, timer_view);
  gtk_widget_class_bind_template_child (widget_class, WeftInspector, status_label);
  gtk_widget_class_bind_template_child (widget_class, WeftInspector, search_entry);
  gtk_widget_class_bind_template_child (widget_class, WeftInspector, stack);
  gtk_widget_class_bind_template_child (widget_class, WeftInspector, timeline);
  gtk_widget_class_bind_template_child (widget_class, WeftInspector, scrubber);
  gtk_widget_class_bind_template_child (widget_class, WeftInspector, replay_box);
  gtk_widget_class_bind_template_child (widget_class, WeftInspector, play_button);
  gtk_widget_class_bind_template_child (widget_class, WeftInspector, warning_view);
  gtk_widget_class_bind_template_child (widget_class, WeftInspector, record_button);
  gtk_widget_class_bind_template_child (widget_class, WeftInspector, detail_label);
  gtk_widget_class_bind_template_child (widget_class, WeftInspector, histogram);
  gtk_widget_class_bind_template_child (widget_class, WeftInspector, toolbar);
  gtk_widget_class_bind_template_child (widget_class, WeftInspector, step_controls);
  gtk_widget_class_bind_template_child (widget_class, WeftInspector, switcher);
  gtk_widget_class_bind_template_child (widget_class, WeftInspector, next_label);
  gtk_widget_class_bind_template_child (widget_class, WeftInspector, tasks_empty);
  gtk_widget_class_bind_template_child (widget_class, WeftInspector, ready_empty);
  gtk_widget_class_bind_template_child (widget_class, WeftInspector, timers_empty);
  gtk_widget_class_bind_template_child (widget_class, WeftInspector, warnings_empty);
  gtk_widget_class_bind_template_child (widget_class, WeftInspector, warnings_page);

  gtk_widget_class_install_property_action (widget_class, "inspector.paused", "paused");
  gtk_widget_class_install_property_action (widget_class, "inspector.recording", "recording");
  gtk_widget_class_install_action (widget_class, "inspector.step-callback", NULL, step);
  gtk_widget_class_install_action (widget_class, "inspector.step-iteration", NULL, step);
  gtk_widget_class_install_action (widget_class, "inspector.step-timer", NULL, step);
  gtk_widget_class_install_action (widget_class, "inspector.cancel-task", NULL, cancel_task);
  gtk_widget_class_install_action (widget_class, "inspector.show-page", "s", show_page);
  gtk_widget_class_install_action (widget_class, "inspector.find", NULL, find);
  /* The keys (Space, Ctrl+Return, F8, F5, Alt+1, Ctrl+F...) are in
   * inspector-shortcuts.c: they work wherever the window's focus is. */

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "weftinspector");
}

/* Empty pages say what would be there; the Warnings page counts. */
static void
update_empty_states (WeftInspector *self)
{
  guint n_warnings = g_list_model_get_n_items (G_LIST_MODEL (self->warnings));

  gtk_widget_set_visible (self->tasks_empty, g_list_model_get_n_items (G_LIST_MODEL (self->filtered_tasks)) == 0);
  gtk_widget_set_visible (self->ready_empty, g_list_model_get_n_items (G_LIST_MODEL (self->ready)) == 0);
  gtk_widget_set_visible (self->timers_empty, g_list_model_get_n_items (G_LIST_MODEL (self->timers)) == 0);
  gtk_widget_set_visible (self->warnings_empty, n_warnings == 0);
  adw_view_stack_page_set_badge_number (self->warnings_page, n_warnings);
  adw_view_stack_page_set_needs_attention (self->warnings_page, n_warnings > 0);
}

static void
focus_task_table (GtkWidget *widget)
{
  WeftInspector *self = WEFT_INSPECTOR (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  if (focus == NULL || gtk_widget_is_ancestor (focus, self->toolbar))
    gtk_widget_grab_focus (GTK_WIDGET (self->task_view));
}

static void
weft_inspector_init (WeftInspector *self)
{
  GtkExpression *name = gtk_property_expression_new (INSPECTOR_TYPE_TASK_ROW, NULL, "name");

  gtk_widget_init_template (GTK_WIDGET (self));

  self->tasks = g_list_store_new (INSPECTOR_TYPE_TASK_ROW);
  self->ready = g_list_store_new (INSPECTOR_TYPE_CALL_ROW);
  self->timers = g_list_store_new (INSPECTOR_TYPE_CALL_ROW);
  self->warnings = gtk_string_list_new (NULL);
  gtk_list_view_set_model (self->warning_view, GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->warnings)))));
  g_object_unref (gtk_list_view_get_model (self->warning_view));

  self->filtered_tasks = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->tasks)),
                                                    GTK_FILTER (gtk_string_filter_new (name)));
  self->sorted_tasks = gtk_sort_list_model_new (G_LIST_MODEL (self->filtered_tasks),
                                                g_object_ref (gtk_column_view_get_sorter (self->task_view)));
  self->task_selection = gtk_single_selection_new (G_LIST_MODEL (self->sorted_tasks));
  gtk_column_view_set_model (self->task_view, GTK_SELECTION_MODEL (self->task_selection));
  g_object_unref (self->task_selection);
  g_signal_connect_swapped (self->task_selection, "notify::selected-item", G_CALLBACK (inspector_update_details), self);
  inspector_add_age_column (self);
  gtk_column_view_set_model (self->ready_view, GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->ready)))));
  g_object_unref (gtk_column_view_get_model (self->ready_view));
  gtk_column_view_set_model (self->timer_view, GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->timers)))));
  g_object_unref (gtk_column_view_get_model (self->timer_view));

  self->cancellable = g_cancellable_new ();
  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (on_search_changed), self);
  g_signal_connect_swapped (self->filtered_tasks, "items-changed", G_CALLBACK (update_empty_states), self);
  g_signal_connect_swapped (self->ready, "items-changed", G_CALLBACK (update_empty_states), self);
  g_signal_connect_swapped (self->timers, "items-changed", G_CALLBACK (update_empty_states), self);
  g_signal_connect_swapped (self->warnings, "items-changed", G_CALLBACK (update_empty_states), self);
  update_empty_states (self);
  inspector_shortcuts_install (GTK_WIDGET (self));
  /* The table, not the Pause button, has the focus at first. */
  g_signal_connect (self, "map", G_CALLBACK (focus_task_table), NULL);
  self->refresh_interval = REFRESH_MS;
  self->refresh_id = g_timeout_add_full (REFRESH_PRIORITY, self->refresh_interval, inspector_refresh_tick, self, NULL);
}

/**
 * weft_inspector_new:
 * @loop: the loop to inspect
 *
 * Returns: (transfer floating): a new inspector showing @loop
 */
GtkWidget *
weft_inspector_new (WeftLoop *loop)
{
  return g_object_new (WEFT_TYPE_INSPECTOR, "loop", loop, NULL);
}

/**
 * weft_inspector_new_remote:
 * @connection: a peer-to-peer connection to a loop's inspector socket
 *   (see weft_loop_serve_inspector())
 *
 * Returns: (transfer floating): a new inspector showing the remote loop
 */
GtkWidget *
weft_inspector_new_remote (GDBusConnection *connection)
{
  WeftInspector *self = g_object_new (WEFT_TYPE_INSPECTOR, NULL);

  self->connection = g_object_ref (connection);
  self->connected = !g_dbus_connection_is_closed (connection);
  g_signal_connect_object (connection, "closed", G_CALLBACK (inspector_on_connection_closed), self, G_CONNECT_SWAPPED);
  self->need_full = TRUE;
  self->changed_id = g_dbus_connection_signal_subscribe (connection, NULL, "org.weft.Inspector1", "Changed",
                                                         "/org/weft/Loop", NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                         inspector_on_loop_moved, self, NULL);
  self->blocked_id = g_dbus_connection_signal_subscribe (connection, NULL, "org.weft.Inspector1", "Blocked",
                                                         "/org/weft/Loop", NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                         inspector_on_loop_moved, self, NULL);
  g_clear_handle_id (&self->refresh_id, g_source_remove);   /* no polling: the signals say when */
  weft_inspector_refresh (self);
  return GTK_WIDGET (self);
}

WeftLoop *
weft_inspector_get_loop (WeftInspector *self)
{
  g_return_val_if_fail (WEFT_IS_INSPECTOR (self), NULL);
  return self->loop;
}

/* The models the views show, for tests and embedders. The task model is the
 * sorted, filtered one the table shows. */
GListModel *
weft_inspector_get_task_model (WeftInspector *self)
{
  g_return_val_if_fail (WEFT_IS_INSPECTOR (self), NULL);
  return G_LIST_MODEL (self->sorted_tasks);
}

GListModel *
weft_inspector_get_ready_model (WeftInspector *self)
{
  g_return_val_if_fail (WEFT_IS_INSPECTOR (self), NULL);
  return G_LIST_MODEL (self->ready);
}

GListModel *
weft_inspector_get_warning_model (WeftInspector *self)
{
  g_return_val_if_fail (WEFT_IS_INSPECTOR (self), NULL);
  return G_LIST_MODEL (self->warnings);
}

GListModel *
weft_inspector_get_timer_model (WeftInspector *self)
{
  g_return_val_if_fail (WEFT_IS_INSPECTOR (self), NULL);
  return G_LIST_MODEL (self->timers);
}

const char *
weft_inspector_get_status (WeftInspector *self)
{
  g_return_val_if_fail (WEFT_IS_INSPECTOR (self), NULL);
  return self->status;
}

void
weft_inspector_select_task (WeftInspector *self,
                            guint          position)
{
  g_return_if_fail (WEFT_IS_INSPECTOR (self));
  gtk_single_selection_set_selected (self->task_selection, position);
}

void
weft_inspector_show_page (WeftInspector *self,
                          const char    *page)
{
  g_return_if_fail (WEFT_IS_INSPECTOR (self));
  adw_view_stack_set_visible_child_name (self->stack, page);
}

/**
 * weft_inspector_open_window:
 * @loop: the loop to inspect
 *
 * Opens a window with an inspector on @loop, like GTK's own inspector.
 *
 * Returns: (transfer none): the window
 */
GtkWidget *
weft_inspector_open_window (WeftLoop *loop)
{
  GtkWidget *window, *box, *header, *title, *inspector;

  adw_init ();
  window = adw_window_new ();
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  inspector = weft_inspector_new (loop);
  title = adw_view_switcher_title_new ();
  adw_view_switcher_title_set_stack (ADW_VIEW_SWITCHER_TITLE (title), weft_inspector_get_view_stack (WEFT_INSPECTOR (inspector)));
  adw_view_switcher_title_set_title (ADW_VIEW_SWITCHER_TITLE (title), _("Weft Inspector"));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), title);
  weft_inspector_set_show_switcher (WEFT_INSPECTOR (inspector), FALSE);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), inspector);
  adw_window_set_content (ADW_WINDOW (window), box);
  gtk_window_set_title (GTK_WINDOW (window), _("Weft Inspector"));
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 640);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

/**
 * weft_inspector_get_next:
 * @self: a #WeftInspector
 *
 * What runs next, in words, as the Next panel shows it ("Task countdown
 * resumes at demo-countdown.c:13").
 *
 * Returns: (nullable): the text, or %NULL before the first refresh
 */
const char *
weft_inspector_get_next (WeftInspector *self)
{
  g_return_val_if_fail (WEFT_IS_INSPECTOR (self), NULL);

  return self->next_text;
}

/**
 * weft_inspector_get_view_stack:
 * @self: a #WeftInspector
 *
 * The stack of the inspector's pages (Tasks, Ready queue, Timers, Warnings,
 * Timeline), for an #AdwViewSwitcherTitle in a window's header bar.
 *
 * Returns: (transfer none): the stack
 */
AdwViewStack *
weft_inspector_get_view_stack (WeftInspector *self)
{
  g_return_val_if_fail (WEFT_IS_INSPECTOR (self), NULL);

  return self->stack;
}

/**
 * weft_inspector_set_show_switcher:
 * @self: a #WeftInspector
 * @show: whether the inspector shows its own page switcher
 *
 * Hides the inspector's own switcher when the window shows one for
 * weft_inspector_get_view_stack() in its header bar.
 */
void
weft_inspector_set_show_switcher (WeftInspector *self,
                                  gboolean       show)
{
  g_return_if_fail (WEFT_IS_INSPECTOR (self));

  gtk_widget_set_visible (self->switcher, show);
}

/**
 * weft_inspector_get_connected:
 * @self: a #WeftInspector
 *
 * For a remote inspector, whether the loop still answers.
 *
 * Returns: %FALSE once the connection is lost (and always in process)
 */
gboolean
weft_inspector_get_connected (WeftInspector *self)
{
  g_return_val_if_fail (WEFT_IS_INSPECTOR (self), FALSE);

  return self->connected;
}

/**
 * weft_inspector_get_recording_path:
 * @self: a #WeftInspector
 *
 * The file the inspector records to, or recorded to last.
 *
 * Returns: (nullable): its path
 */
const char *
weft_inspector_get_recording_path (WeftInspector *self)
{
  g_return_val_if_fail (WEFT_IS_INSPECTOR (self), NULL);

  return self->recording_path;
}

/**
 * weft_inspector_get_clock:
 * @self: a #WeftInspector
 *
 * The loop's clock, from when the inspector was given the loop: what the
 * status line shows (virtual time stands still while stepping).
 *
 * Returns: seconds, or 0 if the inspector is not in process
 */
double
weft_inspector_get_clock (WeftInspector *self)
{
  g_return_val_if_fail (WEFT_IS_INSPECTOR (self), 0);

  if (self->loop == NULL || weft_loop_is_closed (self->loop))
    return 0;
  return weft_loop_time (self->loop) - self->clock_origin;
}
