/* weft-inspector-state.c: one apply path for a loop's state, in process or remote: a snapshot into the views, the Next panel, the status line; the remote stream (Changed, Blocked) and refreshes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "weft-inspector-private.h"

/* The ready queue and timers change every refresh: their rows are updated in
 * place (row @i gets the @i-th call), new ones collected in @added. */
static void
update_call_row (GListStore *store,
                 guint       i,
                 const char *name,
                 const char *where,
                 double      left,
                 double      scale,
                 GPtrArray  *added)
{
  if (i < g_list_model_get_n_items (G_LIST_MODEL (store)))
    {
      g_autoptr(InspectorCallRow) row = g_list_model_get_item (G_LIST_MODEL (store), i);

      inspector_call_row_update (row, i + 1, name, where, left, scale);
    }
  else
    g_ptr_array_add (added, inspector_call_row_new (i + 1, name, where, left, scale));
}

/* Drops the rows past @n, appends @added. */
static void
finish_call_rows (GListStore *store,
                  guint       n,
                  GPtrArray  *added)
{
  guint old = g_list_model_get_n_items (G_LIST_MODEL (store));

  if (old > n)
    g_list_store_splice (store, n, old - n, NULL, 0);
  else if (added->len > 0)
    g_list_store_splice (store, old, 0, added->pdata, added->len);
}

/* The live task called @name, if the table has one (the ready head is a
 * task's step when it is named after a task). */
static InspectorTaskRow *
find_live_task (WeftInspector *self,
                const char    *name)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->tasks));

  for (guint i = 0; name != NULL && *name != '\0' && i < MIN (n, 10000); i++)
    {
      g_autoptr(InspectorTaskRow) row = g_list_model_get_item (G_LIST_MODEL (self->tasks), i);
      g_autofree char *row_name = NULL;

      g_object_get (row, "name", &row_name, NULL);
      if (g_strcmp0 (row_name, name) == 0 && !inspector_task_row_is_final (row))
        return row;
    }
  return NULL;
}

/* The Next panel: what the first row of the ready queue (or the first timer)
 * is, in words. */
static void
update_next (WeftInspector *self,
             const char    *blocked,
             guint          n_ready,
             guint          n_timers)
{
  g_autoptr(InspectorCallRow) head = n_ready > 0 ? g_list_model_get_item (G_LIST_MODEL (self->ready), 0) : NULL;
  g_autoptr(InspectorCallRow) timer = n_timers > 0 ? g_list_model_get_item (G_LIST_MODEL (self->timers), 0) : NULL;
  g_autofree char *ready_name = NULL, *ready_where = NULL, *timer_name = NULL, *timer_where = NULL;
  g_autofree char *task_name = NULL;
  InspectorNext next = { NULL, NULL, n_ready, NULL, NULL, 0, NULL, 0, blocked };
  InspectorTaskRow *task;
  char *text;

  if (head != NULL)
    {
      g_object_get (head, "name", &ready_name, "where", &ready_where, NULL);
      next.ready_name = ready_name;
      next.ready_where = ready_where;
      if ((task = find_live_task (self, ready_name)) != NULL)
        {
          g_object_get (task, "name", &task_name, "runs", &next.task_runs, NULL);
          next.task_name = task_name;
        }
    }
  if (timer != NULL)
    {
      g_object_get (timer, "name", &timer_name, "where", &timer_where, NULL);
      next.timer_name = timer_name;
      next.timer_where = timer_where;
      next.timer_left = inspector_call_row_get_seconds_left (timer);
    }
  text = inspector_next_text (&next);
  if (g_strcmp0 (text, self->next_text) == 0)
    {
      g_free (text);
      return;
    }
  g_free (self->next_text);
  self->next_text = text;
  gtk_label_set_text (self->next_label, text);
  g_object_notify_by_pspec (G_OBJECT (self), weft_inspector_properties[PROP_NEXT]);
}

/* The loop went away (its program ended, or the connection broke): the
 * views keep its last state, and the Next panel says so instead of what
 * that state had next (a timer "firing in 1.00 s" forever). */
static void
lose_loop (WeftInspector *self,
           char          *status)
{
  g_free (self->status);
  self->status = status;
  gtk_label_set_text (self->status_label, self->status);
  g_free (self->next_text);
  self->next_text = g_strdup (_("Nothing runs any more: the loop is gone, and the views show its last state"));
  gtk_label_set_text (self->next_label, self->next_text);
  g_object_notify_by_pspec (G_OBJECT (self), weft_inspector_properties[PROP_NEXT]);
}

/* What the controls can do now. */
static void
update_actions (WeftInspector *self)
{
  gboolean live = self->replay == NULL
                  && (self->connection != NULL ? self->connected
                                               : self->loop != NULL && !weft_loop_is_closed (self->loop));
  gboolean virtual_time = self->loop != NULL && live && weft_loop_get_virtual_time (self->loop);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.step-callback", live);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.step-iteration", live);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.step-timer", virtual_time);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.cancel-task", live);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.paused", live);
}

/* Fills the views from a snapshot (WEFT_SNAPSHOT_TYPE), local or remote. */
/* Keeps the iteration records a snapshot carries, by index (the newest
 * TIMELINE_KEPT): the timeline's, the same in process, remote and replayed. */
void
inspector_keep_records (WeftInspector *self,
                        GVariantIter  *records)
{
  WeftIterationRecord r = { 0 };
  guint64 last = 0;
  const char *names;

  if (self->timeline_records == NULL)
    self->timeline_records = g_array_new (FALSE, TRUE, sizeof (WeftIterationRecord));
  if (self->timeline_records->len > 0)
    last = g_array_index (self->timeline_records, WeftIterationRecord, self->timeline_records->len - 1).index;
  while (g_variant_iter_next (records, "(tdduud&s)", &r.index, &r.start, &r.duration, &r.n_callbacks, &r.n_timers,
                              &r.max_lateness, &names))
    {
      if (self->timeline_records->len > 0 && r.index <= last)
        continue;   /* had it */
      g_strlcpy (r.callbacks, names, sizeof r.callbacks);
      g_array_append_val (self->timeline_records, r);
      last = r.index;
    }
  if (self->timeline_records->len > TIMELINE_KEPT)
    g_array_remove_range (self->timeline_records, 0, self->timeline_records->len - TIMELINE_KEPT);
  inspector_timeline_set_records (self->timeline, self->timeline_records);
}

void
inspector_apply_snapshot (WeftInspector *self,
                          GVariant      *snapshot,
                          gboolean       with_tasks)
{
  g_autoptr(GPtrArray) task_rows = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) ready_rows = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) timer_rows = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GVariantIter) tasks = NULL, ready = NULL, timers = NULL, records = NULL;
  g_autofree const char **warnings = NULL;
  g_autofree char *iteration_text = NULL;
  const char *blocked, *name, *where;
  guint64 iteration;
  WeftTaskRow row;
  gboolean paused;
  double left, scale;
  guint live = 0, n_ready, n_timers;

  if (self->recording != NULL)
    inspector_record_snapshot (self, snapshot);
  g_variant_get (snapshot, "(tb&sa(tssststtd)a(ss)a(ssd)^a&sa(tdduuds))", &iteration, &paused, &blocked, &tasks, &ready,
                 &timers, &warnings, &records);
  inspector_keep_records (self, records);
  if (with_tasks)
    inspector_forget_tasks (self);
  while (with_tasks && weft_task_row_decode (tasks, &row))
    {
      inspector_apply_task (self, &row, task_rows);
      live += !inspector_state_is_final (row.state);
    }
  n_ready = 0;
  while (g_variant_iter_next (ready, "(&s&s)", &name, &where))
    {
      update_call_row (self->ready, n_ready++, name, where, NAN, 1.0, ready_rows);
    }
  {
    /* The countdown bars' scale: the latest timer that fires. */
    g_autoptr(GVariantIter) copy = g_variant_iter_copy (timers);
    double longest = 0;

    while (g_variant_iter_next (copy, "(&s&sd)", &name, &where, &left))
      longest = MAX (longest, left);
    scale = inspector_countdown_scale (longest);
  }
  n_timers = 0;
  while (g_variant_iter_next (timers, "(&s&sd)", &name, &where, &left))
    update_call_row (self->timers, n_timers++, name, where, left, scale, timer_rows);
  if (with_tasks)
    inspector_replace_all (self->tasks, task_rows);
  else
    live = self->tracked != NULL ? g_hash_table_size (self->tracked) - g_hash_table_size (self->final_ids) : 0;
  finish_call_rows (self->ready, n_ready, ready_rows);
  finish_call_rows (self->timers, n_timers, timer_rows);
  gtk_string_list_splice (self->warnings, 0, g_list_model_get_n_items (G_LIST_MODEL (self->warnings)), warnings);

  if (paused != self->remote_paused && self->connection != NULL)
    {
      self->remote_paused = paused;
      g_object_notify_by_pspec (G_OBJECT (self), weft_inspector_properties[PROP_PAUSED]);
    }

  update_next (self, blocked, n_ready, n_timers);
  g_free (self->status);
  iteration_text = g_strdup_printf ("%" G_GUINT64_FORMAT, iteration);
  if (*blocked != '\0')
    self->status = g_strdup_printf (_("Iteration %s · %s"), iteration_text, blocked);
  else if (self->loop != NULL && !weft_loop_is_closed (self->loop))
    self->status = g_strdup_printf (weft_loop_get_virtual_time (self->loop)
                                      ? _("Iteration %s · clock %.3f s (virtual)")
                                      : _("Iteration %s · clock %.3f s"),
                                    iteration_text, weft_loop_time (self->loop) - self->clock_origin);
  else
    {
      g_autofree char *tasks_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u task", "%u tasks", live), live);
      g_autofree char *timers_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u timer", "%u timers", n_timers),
                                                      n_timers);

      /* TRANSLATORS: the status line of a remote (real clock) or replayed loop */
      self->status = g_strdup_printf (self->connection != NULL ? _("Iteration %s · %s · %s · real clock")
                                                               : _("Iteration %s · %s · %s"),
                                      iteration_text, tasks_text, timers_text);
    }
  if (self->recording != NULL)
    {
      g_autofree char *file = g_path_get_basename (self->recording_path);
      /* TRANSLATORS: appended to the status line while recording: seconds, file */
      char *text = g_strdup_printf (_("%s · ● recording %.0f s to %s"), self->status,
                                    (g_get_monotonic_time () - self->recording_start) / 1e6, file);

      g_free (self->status);
      self->status = text;
    }
  gtk_label_set_text (self->status_label, self->status);
  update_actions (self);
}

static void
set_connected (WeftInspector *self,
               gboolean       connected)
{
  if (self->connected == connected)
    return;
  self->connected = connected;
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), weft_inspector_properties[PROP_CONNECTED]);
}

static void
on_snapshot (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(WeftInspector) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  g_autoptr(GVariant) snapshot = NULL;

  self->fetching = FALSE;
  if (reply == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          lose_loop (self, g_strdup_printf (_("Lost the loop: %s"), error->message));
          set_connected (self, FALSE);
        }
      return;
    }
  set_connected (self, TRUE);
  snapshot = g_variant_get_child_value (reply, 0);
  inspector_set_now (self, g_get_monotonic_time () / 1e6);
  /* The tasks stream in with Changed; a snapshot's only after a reset. */
  inspector_apply_snapshot (self, snapshot, self->need_full);
  self->need_full = FALSE;
  inspector_update_details (self);
  if (self->refetch)
    {
      self->refetch = FALSE;
      weft_inspector_refresh (self);
    }
}

void
inspector_call_remote (WeftInspector *self,
             const char    *method,
             GVariant      *parameters)
{
  g_dbus_connection_call (self->connection, NULL, "/org/weft/Loop", "org.weft.Inspector1", method,
                          parameters, NULL, G_DBUS_CALL_FLAGS_NONE, 1000, self->cancellable, NULL, NULL);
}

void
inspector_set_now (WeftInspector *self,
         double         now)
{
  self->now = now;
  g_object_notify_by_pspec (G_OBJECT (self), weft_inspector_properties[PROP_NOW]);
}

/**
 * weft_inspector_refresh:
 * @self: a #WeftInspector
 *
 * Reads the loop's state into the views now (in process), or asks for it (remote).
 */
void
weft_inspector_refresh (WeftInspector *self)
{
  g_return_if_fail (WEFT_IS_INSPECTOR (self));

  if (self->replay != NULL)
    return;
  if (self->connection != NULL)
    {
      if (self->fetching)
        {
          self->refetch = TRUE;
          return;
        }
      self->fetching = TRUE;
      g_dbus_connection_call (self->connection, NULL, "/org/weft/Loop", "org.weft.Inspector1", "GetSnapshot",
                              NULL, G_VARIANT_TYPE ("((tbsa(tssststtd)a(ss)a(ssd)asa(tdduuds)))"), G_DBUS_CALL_FLAGS_NONE, 1000,
                              self->cancellable, on_snapshot, g_object_ref (self));
      return;
    }
  if (self->loop == NULL || weft_loop_is_closed (self->loop))
    {
      g_free (self->status);
      self->status = g_strdup (_("The loop is closed"));
      gtk_label_set_text (self->status_label, self->status);
      return;
    }
  {
    g_autoptr(GVariant) snapshot = g_variant_ref_sink (weft_loop_snapshot (self->loop));

    /* In process, the task table follows every task, updated in place
     * (inspector_refresh_tasks()); the snapshot (at most 1,000 live tasks) serves the
     * other views and the recording. */
    /* In process, ages are on the loop's clock: on virtual time they stand
     * still with it. */
    inspector_set_now (self, weft_loop_time (self->loop));
    inspector_refresh_tasks (self);
    inspector_apply_snapshot (self, snapshot, FALSE);
  }
  inspector_update_details (self);
}

gboolean
inspector_refresh_tick (gpointer data)
{
  weft_inspector_refresh (data);
  return G_SOURCE_CONTINUE;
}

void
inspector_on_connection_closed (WeftInspector *self)
{
  lose_loop (self, g_strdup (_("Lost the loop: the connection is closed")));
  set_connected (self, FALSE);
}

/* Remote: the loop ran (Changed: with the tasks that changed, streamed about
 * once a frame) or is stuck (Blocked): the tasks are applied, and the rest of
 * its state fetched. The views follow these signals; an idle loop sends none,
 * and the inspector then makes no wake-up at all. A reset or a gap in
 * serials means changes were missed: the next snapshot brings the whole task
 * table again. */
void
inspector_on_loop_moved (GDBusConnection *connection,
                         const char      *sender,
                         const char      *path,
                         const char      *interface,
                         const char      *signal,
                         GVariant        *parameters,
                         gpointer         data)
{
  WeftInspector *self = data;
  g_autoptr(GVariantIter) tasks = NULL;
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_object_unref);
  WeftTaskRow row;
  guint64 serial;
  gboolean reset;

  if (g_str_equal (signal, "Changed") && g_variant_is_of_type (parameters, WEFT_CHANGED_TYPE))
    {
      self->now = g_get_monotonic_time () / 1e6;   /* births of the rows made below */
      g_variant_get (parameters, "(tba(tssststtd))", &serial, &reset, &tasks);
      if (reset || self->tracked == NULL || (self->serial != 0 && serial != self->serial + 1))
        self->need_full = TRUE;
      self->serial = serial;
      while (!self->need_full && weft_task_row_decode (tasks, &row))
        inspector_apply_task (self, &row, added);
      if (added->len > 0)
        g_list_store_splice (self->tasks, g_list_model_get_n_items (G_LIST_MODEL (self->tasks)), 0, added->pdata,
                             added->len);
    }
  weft_inspector_refresh (self);
}
