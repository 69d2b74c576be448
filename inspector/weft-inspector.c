/* weft-inspector.c: the embeddable inspector: tasks, ready queue, timers and
 * timeline of one WeftLoop, with pause and step
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The views are GtkColumnViews over list models of row snapshots
 * (inspector-rows.c), refreshed ten times a second and after every step.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include <adwaita.h>

#include "inspector-histogram.h"
#include "inspector-next.h"
#include "inspector-recording.h"
#include "inspector-rows.h"
#include "inspector-shortcuts.h"
#include "inspector-timeline.h"
#include "weft-inspector.h"

#define REFRESH_MS 100
/* Below GTK's redraw priority: on a slow machine (or under valgrind) a refresh
 * that takes longer than its interval must not keep the window from painting. */
#define REFRESH_PRIORITY G_PRIORITY_DEFAULT_IDLE

struct _WeftInspector
{
  GtkWidget          parent_instance;

  WeftLoop          *loop;         /* in process ... */
  GDBusConnection   *connection;   /* ... or across the socket */
  GCancellable      *cancellable;
  gboolean           fetching;
  gboolean           refetch;        /* remote: the loop moved while a fetch was out */
  guint              blocked_id;     /* remote: the Blocked signal subscription */
  gboolean           remote_paused;
  GListStore        *tasks;
  GListStore        *ready;
  GListStore        *timers;
  GtkStringList     *warnings;
  GtkListView       *warning_view;
  GtkFilterListModel *filtered_tasks;
  GtkSortListModel  *sorted_tasks;
  GtkSingleSelection *task_selection;
  guint              refresh_id;
  guint              refresh_interval;   /* ms */
  char              *status;

  GtkWidget         *box;
  GtkWidget         *toolbar;
  GtkWidget         *step_controls;
  GtkWidget         *switcher;
  GtkLabel          *next_label;
  char              *next_text;
  GtkWidget         *tasks_empty;
  GtkWidget         *ready_empty;
  GtkWidget         *timers_empty;
  GtkWidget         *warnings_empty;
  AdwViewStackPage  *warnings_page;
  gboolean           connected;      /* remote: the loop answers */
  double             clock_origin;   /* in process: the loop's time when it was set */
  GtkColumnView     *task_view;
  GtkColumnView     *ready_view;
  GtkColumnView     *timer_view;
  GtkLabel          *status_label;
  GtkSearchEntry    *search_entry;
  AdwViewStack      *stack;
  InspectorTimeline *timeline;
  GtkScale          *scrubber;
  GtkWidget         *replay_box;
  GtkToggleButton   *play_button;
  guint              play_id;        /* replay: the next record's timeout while playing */
  GtkWidget         *record_button;
  GtkLabel          *detail_label;
  GHashTable        *tracked;        /* in process: task id -> Tracked, one per row */
  guint64            refresh_mark;
  guint64            cursor;         /* weft_loop_list_changed_tasks() */
  guint64            finished_seen;  /* weft_loop_get_finished_count() at the last refresh */
  GHashTable        *final_ids;      /* the ids of tracked tasks that finished (keys of tracked) */
  guint              changed_id;     /* remote: the Changed signal subscription */
  guint64            serial;         /* remote: the last Changed serial applied */
  gboolean           need_full;      /* remote: take the tasks from the next snapshot */
  double             now;            /* the clock rows' births are on: monotonic, or the replay's */
  InspectorHistogram *histogram;
  gboolean           describing;     /* a DescribeTask call is out */

  /* Recording: every snapshot that differs from the last one, with its time. */
  GOutputStream     *recording;
  char              *recording_path;
  GVariant          *last_recorded;
  gint64             recording_start;
  /* Replaying: the records of a file, and the one shown. */
  GPtrArray         *replay;        /* GVariant "(x" SNAPSHOT ")" */
};


G_DEFINE_FINAL_TYPE (WeftInspector, weft_inspector, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_LOOP, PROP_PAUSED, PROP_RECORDING, PROP_REFRESH_INTERVAL, PROP_NOW, PROP_CONNECTED,
       PROP_NEXT, N_PROPS };
static GParamSpec *properties[N_PROPS];

/* What a row showed, to tell cheaply whether its task changed since. */
typedef struct
{
  InspectorTaskRow *row;       /* owned by self->tasks */
  guint64           mark;      /* the refresh that last saw the task */
  guint64           runs;
  guint64           busy_ns;
  gpointer          waiter;
  WeftTaskState     state;
  gboolean          final;     /* the task finished: the row comes from the history */
  guint64           id;
  WeftTask         *task;      /* while it lives: the detail pane describes it without a search */
} Tracked;

static void
tracked_free (gpointer data)
{
  Tracked *t = data;

  g_clear_pointer (&t->task, weft_task_unref);
  g_free (t);
}

static Tracked *
track (WeftInspector     *self,
       guint64            id,
       InspectorTaskRow  *row,
       GPtrArray         *added)
{
  Tracked *t = g_new0 (Tracked, 1);

  t->row = row;
  t->id = id;
  t->mark = self->refresh_mark;
  g_hash_table_insert (self->tracked, g_memdup2 (&id, sizeof id), t);
  g_ptr_array_add (added, row);
  return t;
}


static void
replace_all (GListStore *store,
             GPtrArray  *rows)
{
  g_list_store_splice (store, 0, g_list_model_get_n_items (G_LIST_MODEL (store)), rows->pdata, rows->len);
}

/* ------------------------------------------------------ record and replay */

static void apply_snapshot (WeftInspector *self,
                            GVariant      *snapshot,
                            gboolean       with_tasks);

/* A recording is INSPECTOR_RECORDING_MAGIC, then records, each a guint32 length
 * (little endian) and a serialized INSPECTOR_RECORD_TYPE: microseconds since the start
 * and the snapshot. A truncated last record is ignored when reading. */
static void
record_snapshot (WeftInspector *self,
                 GVariant      *snapshot)
{
  g_autoptr(GVariant) record = NULL;
  g_autoptr(GError) error = NULL;
  guint32 length;

  if (self->last_recorded != NULL && g_variant_equal (self->last_recorded, snapshot))
    return;
  g_clear_pointer (&self->last_recorded, g_variant_unref);
  self->last_recorded = g_variant_ref (snapshot);
  record = g_variant_ref_sink (g_variant_new ("(x@(tbsa(tssststtd)a(ss)a(ssd)as))",
                                              g_get_monotonic_time () - self->recording_start, snapshot));
  length = GUINT32_TO_LE ((guint32) g_variant_get_size (record));
  if (!g_output_stream_write_all (self->recording, &length, sizeof length, NULL, NULL, &error)
      || !g_output_stream_write_all (self->recording, g_variant_get_data (record), g_variant_get_size (record),
                                     NULL, NULL, &error))
    {
      g_warning ("Weft inspector: recording stopped: %s", error->message);
      weft_inspector_stop_recording (self);
    }
}

/**
 * weft_inspector_start_recording:
 * @self: a #WeftInspector
 * @path: the file to write
 * @error: return location for a #GError
 *
 * Records every state the inspector sees to @path, for weft_inspector_new_replay().
 *
 * Returns: %TRUE if recording started
 */
gboolean
weft_inspector_start_recording (WeftInspector  *self,
                                const char     *path,
                                GError        **error)
{
  g_autoptr(GFile) file = NULL;
  GFileOutputStream *stream;

  g_return_val_if_fail (WEFT_IS_INSPECTOR (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (self->replay == NULL, FALSE);

  weft_inspector_stop_recording (self);
  file = g_file_new_for_path (path);
  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, error);
  if (stream == NULL)
    return FALSE;
  if (!g_output_stream_write_all (G_OUTPUT_STREAM (stream), INSPECTOR_RECORDING_MAGIC, strlen (INSPECTOR_RECORDING_MAGIC), NULL, NULL, error))
    {
      g_object_unref (stream);
      return FALSE;
    }
  self->recording = G_OUTPUT_STREAM (stream);
  g_free (self->recording_path);
  self->recording_path = g_strdup (path);
  gtk_widget_add_css_class (self->record_button, "destructive-action");
  self->recording_start = g_get_monotonic_time ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
  weft_inspector_refresh (self);
  return TRUE;
}

/**
 * weft_inspector_stop_recording:
 * @self: a #WeftInspector
 *
 * Stops recording and closes the file.
 */
void
weft_inspector_stop_recording (WeftInspector *self)
{
  g_return_if_fail (WEFT_IS_INSPECTOR (self));

  if (self->recording == NULL)
    return;
  g_output_stream_close (self->recording, NULL, NULL);
  g_clear_object (&self->recording);
  gtk_widget_remove_css_class (self->record_button, "destructive-action");
  g_clear_pointer (&self->last_recorded, g_variant_unref);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
}

static void update_details (WeftInspector *self);
static void set_now        (WeftInspector *self,
                            double         now);

static void
show_replay_record (WeftInspector *self,
                    guint          index)
{
  GVariant *record = g_ptr_array_index (self->replay, MIN (index, self->replay->len - 1));
  g_autoptr(GVariant) snapshot = g_variant_get_child_value (record, 1);
  gint64 at, end;
  g_autofree char *status = NULL;

  g_variant_get_child (record, 0, "x", &at);
  g_variant_get_child (g_ptr_array_index (self->replay, self->replay->len - 1), 0, "x", &end);
  set_now (self, at / 1e6);
  apply_snapshot (self, snapshot, TRUE);
  status = g_strdup_printf (_("Replay %.3f s of %.3f s · %s"), at / 1e6, end / 1e6, self->status);
  g_free (self->status);
  self->status = g_steal_pointer (&status);
  gtk_label_set_text (self->status_label, self->status);
  update_details (self);
}

static void
on_scrub (WeftInspector *self)
{
  show_replay_record (self, (guint) gtk_range_get_value (GTK_RANGE (self->scrubber)));
}

static gint64
record_time (WeftInspector *self,
             guint          index)
{
  gint64 at;

  g_variant_get_child (g_ptr_array_index (self->replay, index), 0, "x", &at);
  return at;
}

static void schedule_play (WeftInspector *self);

/* Playing: the next record, when it came (at the speed it was recorded). */
static gboolean
play_next (gpointer data)
{
  WeftInspector *self = data;
  guint index = (guint) gtk_range_get_value (GTK_RANGE (self->scrubber));

  self->play_id = 0;
  if (index + 1 >= self->replay->len)
    {
      gtk_toggle_button_set_active (self->play_button, FALSE);   /* the end */
      return G_SOURCE_REMOVE;
    }
  gtk_range_set_value (GTK_RANGE (self->scrubber), index + 1);
  schedule_play (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_play (WeftInspector *self)
{
  guint index = (guint) gtk_range_get_value (GTK_RANGE (self->scrubber));
  gint64 wait_us;

  if (index + 1 >= self->replay->len)
    {
      gtk_toggle_button_set_active (self->play_button, FALSE);
      return;
    }
  wait_us = CLAMP (record_time (self, index + 1) - record_time (self, index), 0, 5 * G_USEC_PER_SEC);
  self->play_id = g_timeout_add ((guint) (wait_us / 1000), play_next, self);
}

static void
on_play (WeftInspector *self)
{
  gboolean playing = gtk_toggle_button_get_active (self->play_button);

  g_clear_handle_id (&self->play_id, g_source_remove);
  gtk_button_set_icon_name (GTK_BUTTON (self->play_button),
                            playing ? "media-playback-pause-symbolic" : "media-playback-start-symbolic");
  if (playing)
    {
      /* From the start again once at the end. */
      if ((guint) gtk_range_get_value (GTK_RANGE (self->scrubber)) + 1 >= self->replay->len)
        gtk_range_set_value (GTK_RANGE (self->scrubber), 0);
      schedule_play (self);
    }
}

/* Ticks on the scrubber: the recording's time, a dozen labels at most. */
static void
mark_replay_times (WeftInspector *self)
{
  double end = record_time (self, self->replay->len - 1) / 1e6;
  double step = end <= 12 ? 1 : ceil (end / 12);
  double next = 0;

  for (guint i = 0; i < self->replay->len; i++)
    {
      double at = record_time (self, i) / 1e6;

      if (at + 1e-9 >= next)
        {
          g_autofree char *label = g_strdup_printf (_("%.0f s"), next);

          gtk_scale_add_mark (self->scrubber, i, GTK_POS_BOTTOM, label);
          next += step;
        }
    }
}

/**
 * weft_inspector_new_replay:
 * @path: a recording made with weft_inspector_start_recording()
 * @error: return location for a #GError
 *
 * Returns: (transfer floating) (nullable): an inspector that shows the
 *   recording, with a scrubber to move through it, or %NULL on error
 */
GtkWidget *
weft_inspector_new_replay (const char  *path,
                           GError     **error)
{
  g_autoptr(GPtrArray) records = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if ((records = inspector_recording_load (path, error)) == NULL)
    return NULL;
  return inspector_new_replay_for (records);
}

/* An inspector showing @records (from inspector_recording_load()). */
GtkWidget *
inspector_new_replay_for (GPtrArray *records)
{
  WeftInspector *self;

  self = g_object_new (WEFT_TYPE_INSPECTOR, NULL);
  self->replay = g_ptr_array_ref (records);
  gtk_range_set_range (GTK_RANGE (self->scrubber), 0, self->replay->len - 1);
  gtk_range_set_increments (GTK_RANGE (self->scrubber), 1, 10);
  gtk_range_set_round_digits (GTK_RANGE (self->scrubber), 0);
  gtk_widget_set_visible (self->replay_box, TRUE);
  g_signal_connect_swapped (self->scrubber, "value-changed", G_CALLBACK (on_scrub), self);
  g_signal_connect_swapped (self->play_button, "toggled", G_CALLBACK (on_play), self);
  g_clear_handle_id (&self->refresh_id, g_source_remove);   /* a recording does not move by itself */
  mark_replay_times (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.paused", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.step-callback", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.step-iteration", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.cancel-task", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.recording", FALSE);
  show_replay_record (self, 0);
  return GTK_WIDGET (self);
}

/**
 * weft_inspector_seek:
 * @self: a #WeftInspector showing a recording
 * @index: which recorded state to show
 *
 * Moves the replay to a recorded state (what the scrubber does).
 *
 * Returns: the number of recorded states
 */
guint
weft_inspector_seek (WeftInspector *self,
                     guint          index)
{
  g_return_val_if_fail (WEFT_IS_INSPECTOR (self), 0);
  g_return_val_if_fail (self->replay != NULL, 0);

  gtk_range_set_value (GTK_RANGE (self->scrubber), MIN (index, self->replay->len - 1));
  show_replay_record (self, MIN (index, self->replay->len - 1));
  return self->replay->len;
}

static void
ensure_tracked (WeftInspector *self)
{
  if (self->tracked == NULL)
    {
      self->tracked = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, tracked_free);
      self->final_ids = g_hash_table_new (g_int64_hash, g_int64_equal);
    }
}

/* Drops what the rows were built from (the rows go with the next replace). */
static void
forget_tasks (WeftInspector *self)
{
  g_clear_pointer (&self->final_ids, g_hash_table_unref);
  g_clear_pointer (&self->tracked, g_hash_table_unref);
  ensure_tracked (self);
}

static gboolean
is_final (const char *state)
{
  return g_strcmp0 (state, "done") == 0 || g_strcmp0 (state, "failed") == 0 || g_strcmp0 (state, "cancelled") == 0;
}

/* One task as a snapshot, a Changed signal or the loop's history gives it:
 * its row updated in place, or made and put in @added. */
static Tracked *
apply_task (WeftInspector     *self,
            const WeftTaskRow *row,
            GPtrArray         *added)
{
  Tracked *t;

  ensure_tracked (self);
  t = g_hash_table_lookup (self->tracked, &row->id);
  if (t == NULL)
    t = track (self, row->id, inspector_task_row_new (row->id, row->name, row->state, row->awaits, row->runs,
                                                      row->created_at, row->busy_ns, row->max_run_ns,
                                                      self->now - row->age), added);
  else
    inspector_task_row_update (t->row, row->state, row->awaits, row->runs, row->busy_ns, row->max_run_ns);
  if (is_final (row->state) && !t->final)
    {
      t->final = TRUE;
      g_clear_pointer (&t->task, weft_task_unref);
      g_hash_table_add (self->final_ids, &t->id);
    }
  return t;
}

/* The ready queue and timers change every refresh: their rows are updated in
 * place (row @i gets the @i-th call), new ones collected in @added. */
static void
update_call_row (GListStore *store,
                 guint       i,
                 const char *name,
                 const char *where,
                 double      left,
                 GPtrArray  *added)
{
  if (i < g_list_model_get_n_items (G_LIST_MODEL (store)))
    {
      g_autoptr(InspectorCallRow) row = g_list_model_get_item (G_LIST_MODEL (store), i);

      inspector_call_row_update (row, i + 1, name, where, left);
    }
  else
    g_ptr_array_add (added, inspector_call_row_new (i + 1, name, where, left));
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
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT]);
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
static void
apply_snapshot (WeftInspector *self,
                GVariant      *snapshot,
                gboolean       with_tasks)
{
  g_autoptr(GPtrArray) task_rows = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) ready_rows = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) timer_rows = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GVariantIter) tasks = NULL, ready = NULL, timers = NULL;
  g_autofree const char **warnings = NULL;
  g_autofree char *iteration_text = NULL;
  const char *blocked, *name, *where;
  guint64 iteration;
  WeftTaskRow row;
  gboolean paused;
  double left;
  guint live = 0, n_ready, n_timers;

  if (self->recording != NULL)
    record_snapshot (self, snapshot);
  g_variant_get (snapshot, "(tb&sa(tssststtd)a(ss)a(ssd)^a&s)", &iteration, &paused, &blocked, &tasks, &ready, &timers,
                 &warnings);
  if (with_tasks)
    forget_tasks (self);
  while (with_tasks && weft_task_row_decode (tasks, &row))
    {
      apply_task (self, &row, task_rows);
      live += g_strcmp0 (row.state, "done") != 0 && g_strcmp0 (row.state, "failed") != 0
              && g_strcmp0 (row.state, "cancelled") != 0;
    }
  n_ready = 0;
  while (g_variant_iter_next (ready, "(&s&s)", &name, &where))
    {
      update_call_row (self->ready, n_ready++, name, where, NAN, ready_rows);
    }
  n_timers = 0;
  while (g_variant_iter_next (timers, "(&s&sd)", &name, &where, &left))
    update_call_row (self->timers, n_timers++, name, where, left, timer_rows);
  if (with_tasks)
    replace_all (self->tasks, task_rows);
  else
    live = self->tracked != NULL ? g_hash_table_size (self->tracked) - g_hash_table_size (self->final_ids) : 0;
  finish_call_rows (self->ready, n_ready, ready_rows);
  finish_call_rows (self->timers, n_timers, timer_rows);
  gtk_string_list_splice (self->warnings, 0, g_list_model_get_n_items (G_LIST_MODEL (self->warnings)), warnings);

  if (paused != self->remote_paused && self->connection != NULL)
    {
      self->remote_paused = paused;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
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
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
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
          g_free (self->status);
          self->status = g_strdup_printf (_("Lost the loop: %s"), error->message);
          gtk_label_set_text (self->status_label, self->status);
          set_connected (self, FALSE);
        }
      return;
    }
  set_connected (self, TRUE);
  snapshot = g_variant_get_child_value (reply, 0);
  set_now (self, g_get_monotonic_time () / 1e6);
  /* The tasks stream in with Changed; a snapshot's only after a reset. */
  apply_snapshot (self, snapshot, self->need_full);
  self->need_full = FALSE;
  update_details (self);
  if (self->refetch)
    {
      self->refetch = FALSE;
      weft_inspector_refresh (self);
    }
}

static void
call_remote (WeftInspector *self,
             const char    *method,
             GVariant      *parameters)
{
  g_dbus_connection_call (self->connection, NULL, "/org/weft/Loop", "org.weft.Inspector1", method,
                          parameters, NULL, G_DBUS_CALL_FLAGS_NONE, 1000, self->cancellable, NULL, NULL);
}

static void
set_now (WeftInspector *self,
         double         now)
{
  self->now = now;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NOW]);
}

/* The Age column: a task's age is "now" minus its birth, so the shown rows
 * (only they have a label bound) follow the clock without touching the
 * other rows. */
static void
update_age_label (GtkListItem *item)
{
  WeftInspector *self = g_object_get_data (G_OBJECT (item), "weft-inspector");
  InspectorTaskRow *row = gtk_list_item_get_item (item);
  double age;
  g_autofree char *text = NULL;

  if (row == NULL || self == NULL)
    return;
  age = MAX (self->now - inspector_task_row_get_birth (row), 0.0);
  if (age >= 60)
    text = g_strdup_printf ("%u min %02u s", (guint) age / 60, (guint) age % 60);
  else
    text = g_strdup_printf ("%.1f s", age);
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

static void
age_setup (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           WeftInspector            *self)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_list_item_set_child (item, label);
  g_object_set_data (G_OBJECT (item), "weft-inspector", self);
}

static void
age_bind (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          WeftInspector            *self)
{
  gulong id = g_signal_connect_swapped (self, "notify::now", G_CALLBACK (update_age_label), item);

  g_object_set_data (G_OBJECT (item), "weft-age-handler", GSIZE_TO_POINTER (id));
  update_age_label (item);
}

static void
age_unbind (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            WeftInspector            *self)
{
  gulong id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (item), "weft-age-handler"));

  if (id != 0)
    g_signal_handler_disconnect (self, id);
  g_object_set_data (G_OBJECT (item), "weft-age-handler", NULL);
}

static void
add_age_column (WeftInspector *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *column;
  GtkSorter *sorter = GTK_SORTER (gtk_numeric_sorter_new (gtk_property_expression_new (INSPECTOR_TYPE_TASK_ROW, NULL,
                                                                                         "birth")));

  g_signal_connect (factory, "setup", G_CALLBACK (age_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (age_bind), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (age_unbind), self);
  /* Oldest first when sorted up: by birth, descending. */
  gtk_numeric_sorter_set_sort_order (GTK_NUMERIC_SORTER (sorter), GTK_SORT_DESCENDING);
  column = gtk_column_view_column_new (_("Age"), factory);
  gtk_column_view_column_set_sorter (column, sorter);
  gtk_column_view_column_set_resizable (column, TRUE);
  gtk_column_view_append_column (self->task_view, column);
  g_object_unref (sorter);
  g_object_unref (column);
}

/* ------------------------------------------------------------- details */

/* Fills the detail pane from weft_loop_describe_task()'s dictionary. */
static void
show_details (WeftInspector *self,
              guint64        id,
              GVariant      *details)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree const char **chain = NULL;
  g_autoptr(GVariant) histogram = NULL;
  const char *name = "", *state = "", *created_at = "", *await_at = NULL, *error = NULL;
  guint64 parent = 0, runs = 0, busy = 0, max_run = 0;
  guint64 last_run_iteration = 0;
  const guint32 *counts = NULL;
  gsize n_counts = 0;

  g_variant_lookup (details, "name", "&s", &name);
  g_variant_lookup (details, "state", "&s", &state);
  g_variant_lookup (details, "created-at", "&s", &created_at);
  g_variant_lookup (details, "await-at", "&s", &await_at);
  g_variant_lookup (details, "error", "&s", &error);
  g_variant_lookup (details, "parent", "t", &parent);
  g_variant_lookup (details, "runs", "t", &runs);
  g_variant_lookup (details, "busy-ns", "t", &busy);
  g_variant_lookup (details, "max-run-ns", "t", &max_run);
  g_variant_lookup (details, "await-chain", "^a&s", &chain);
  g_variant_lookup (details, "last-run-iteration", "t", &last_run_iteration);

  g_autofree char *id_text = g_strdup_printf ("%" G_GUINT64_FORMAT, id);
  g_autofree char *parent_text = g_strdup_printf ("%" G_GUINT64_FORMAT, parent);
  g_autofree char *runs_text = NULL;

  /* TRANSLATORS: task id, name, state */
  g_string_append_printf (text, _("Task %s “%s”: %s"), id_text, name, state);
  g_string_append_c (text, '\n');
  {
    g_autofree char *tidy = inspector_tidy_locations (created_at);

    g_string_append_printf (text, _("Created at %s"), *created_at ? tidy : _("(unknown)"));
  }
  if (parent != 0)
    g_string_append_printf (text, _(" by task %s"), parent_text);
  if (await_at != NULL)
    {
      g_string_append_c (text, '\n');
      g_autofree char *tidy = inspector_tidy_locations (await_at);

      g_string_append_printf (text, _("Waits at %s"), tidy);
    }
  for (guint i = 0; chain != NULL && chain[i] != NULL; i++)
    {
      g_string_append_c (text, '\n');
      g_autofree char *tidy = inspector_tidy_locations (chain[i]);

      g_string_append_printf (text, i == 0 ? _("Awaits %s") : _("  → %s"), tidy);
    }
  if (error != NULL)
    {
      g_string_append_c (text, '\n');
      g_string_append_printf (text, _("Error: %s"), error);
    }
  g_string_append_c (text, '\n');
  {
    g_autofree char *busy_text = inspector_format_ns (busy);
    g_autofree char *max_text = inspector_format_ns (max_run);

    runs_text = g_strdup_printf ("%" G_GUINT64_FORMAT, runs);
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%s run, busy %s, longest run %s",
                                               "%s runs, busy %s, longest run %s", runs),
                            runs_text, busy_text, max_text);
    if (last_run_iteration != 0)
      {
        g_autofree char *iteration_text = g_strdup_printf ("%" G_GUINT64_FORMAT, last_run_iteration);

        g_string_append_printf (text, _(", last woke in iteration %s"), iteration_text);
      }
  }
  gtk_label_set_text (self->detail_label, text->str);

  histogram = g_variant_lookup_value (details, "run-histogram", G_VARIANT_TYPE ("au"));
  if (histogram != NULL)
    counts = g_variant_get_fixed_array (histogram, &n_counts, sizeof (guint32));
  inspector_histogram_set_counts (self->histogram, counts, n_counts);
}

static void
on_task_described (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(WeftInspector) self = user_data;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, NULL);
  InspectorTaskRow *row;
  guint64 id = 0;

  self->describing = FALSE;
  row = gtk_single_selection_get_selected_item (self->task_selection);
  if (reply == NULL || row == NULL)
    return;
  g_object_get (row, "id", &id, NULL);
  {
    g_autoptr(GVariant) details = g_variant_get_child_value (reply, 0);
    guint64 described = 0;

    /* A reply for the selected task only (the selection may have moved). */
    if (g_variant_lookup (details, "id", "t", &described) && described != id)
      return;
    show_details (self, id, details);
  }
}

/* Shows the selected task in the detail pane: asked of the loop in process,
 * over the socket (DescribeTask) remotely, from the row in a replay. */
static void
update_details (WeftInspector *self)
{
  InspectorTaskRow *row = gtk_single_selection_get_selected_item (self->task_selection);
  guint64 id = 0;

  if (row == NULL)
    {
      inspector_histogram_set_counts (self->histogram, NULL, 0);
      return;
    }
  g_object_get (row, "id", &id, NULL);
  if (self->connection != NULL)
    {
      if (!self->describing)
        {
          self->describing = TRUE;
          g_dbus_connection_call (self->connection, NULL, "/org/weft/Loop", "org.weft.Inspector1", "DescribeTask",
                                  g_variant_new ("(t)", id), G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE,
                                  1000, self->cancellable, on_task_described, g_object_ref (self));
        }
      return;
    }
  if (self->loop != NULL && !weft_loop_is_closed (self->loop))
    {
      Tracked *t = self->tracked ? g_hash_table_lookup (self->tracked, &id) : NULL;
      g_autoptr(GVariant) details = t != NULL && t->task != NULL ? weft_task_describe (t->task)
                                                                 : weft_loop_describe_task (self->loop, id);

      if (details != NULL)
        {
          g_variant_ref_sink (details);
          show_details (self, id, details);
          return;
        }
    }
  /* A replay, or a task gone from the history: what the row knows. */
  {
    g_autofree char *name = NULL, *state = NULL, *created_at = NULL, *awaits = NULL;
    guint64 runs = 0, busy = 0;
    GVariantDict dict;

    g_object_get (row, "name", &name, "state", &state, "created-at", &created_at, "awaits", &awaits,
                  "runs", &runs, "busy-ns", &busy, NULL);
    g_variant_dict_init (&dict, NULL);
    g_variant_dict_insert (&dict, "name", "s", name ? name : "");
    g_variant_dict_insert (&dict, "state", "s", state ? state : "");
    g_variant_dict_insert (&dict, "created-at", "s", created_at ? created_at : "");
    g_variant_dict_insert (&dict, "runs", "t", runs);
    g_variant_dict_insert (&dict, "busy-ns", "t", busy);
    if (awaits != NULL && *awaits != '\0')
      {
        const char *one[] = { awaits, NULL };

        g_variant_dict_insert (&dict, "await-chain", "^as", one);
      }
    {
      g_autoptr(GVariant) details = g_variant_ref_sink (g_variant_dict_end (&dict));

      show_details (self, id, details);
    }
  }
}

/* ------------------------------------------------- the in-process task table */


/* Finished tasks, from the loop's bounded history: their rows show how they
 * ended; returns the set of their ids. */
static GHashTable *
sync_history (WeftInspector *self,
              GArray        *finished,
              GPtrArray     *added)
{
  GHashTable *ids = g_hash_table_new (g_int64_hash, g_int64_equal);
  double loop_now = weft_loop_time (self->loop);

  for (guint i = 0; i < finished->len; i++)
    {
      WeftTaskRecord *r = &g_array_index (finished, WeftTaskRecord, i);
      Tracked *t = g_hash_table_lookup (self->tracked, &r->id);

      g_hash_table_add (ids, &r->id);
      if (t == NULL || !t->final)
        {
          WeftTaskRow row = {
            .id = r->id,
            .name = r->name,
            .state = weft_task_state_to_string (r->state),
            .awaits = r->error_message ? r->error_message : "",
            .runs = r->runs,
            .created_at = r->created_at ? r->created_at : "",
            .busy_ns = r->busy_ns,
            .max_run_ns = r->max_run_ns,
            .age = MAX (loop_now - r->created, 0.0),
          };

          t = apply_task (self, &row, added);
        }
      t->mark = self->refresh_mark;
    }
  return ids;
}

/* A live task: a hash lookup if its runs, state, awaited future and busy time
 * are what its row shows; else the row is updated in place (or made). */
static void
sync_task (WeftInspector *self,
           WeftTask      *task,
           GPtrArray     *added)
{
  guint64 id = weft_task_get_id (task), runs = weft_task_get_runs (task);
  WeftTaskState state = weft_task_get_state (task);
  gpointer waiter = weft_task_get_awaited (task);
  double max_run, busy = weft_task_get_busy_time (task, &max_run);
  guint64 busy_ns = (guint64) (busy * 1e9);
  Tracked *t = g_hash_table_lookup (self->tracked, &id);
  g_autofree char *awaits = NULL;

  if (t != NULL)
    {
      t->mark = self->refresh_mark;
      if (t->runs == runs && t->state == state && t->waiter == waiter && t->busy_ns == busy_ns)
        return;
    }
  awaits = weft_task_describe_await (task);
  if (t == NULL)
    t = track (self, id, inspector_task_row_new (id, weft_task_get_name (task), weft_task_state_to_string (state),
                                                 awaits ? awaits : "", runs,
                                                 weft_task_get_created_at (task) ? weft_task_get_created_at (task) : "",
                                                 busy_ns, (guint64) (max_run * 1e9),
                                                 self->now - weft_task_get_age (task)), added);
  else
    inspector_task_row_update (t->row, weft_task_state_to_string (state), awaits ? awaits : "", runs, busy_ns,
                               (guint64) (max_run * 1e9));
  if (t->task == NULL && !t->final)
    t->task = weft_task_ref (task);
  t->runs = runs;
  t->state = state;
  t->waiter = waiter;
  t->busy_ns = busy_ns;
}

/* Follows every task of the loop, however many, at the cost of what changed:
 * the tasks that ran since the last refresh (weft_loop_list_changed_tasks())
 * and the history of finished ones. A full walk of the tasks happens only when
 * the changes cannot be told (first refresh, recording was off) or the
 * history overflowed. Finished tasks keep their rows while the history does. */
static void
refresh_tasks (WeftInspector *self)
{
  g_autoptr(GPtrArray) changed = weft_loop_list_changed_tasks (self->loop, &self->cursor);
  g_autoptr(GArray) finished = weft_loop_list_finished_tasks (self->loop);
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) gone = g_ptr_array_new ();
  g_autoptr(GHashTable) in_history = NULL;
  guint64 finished_count = weft_loop_get_finished_count (self->loop);
  gboolean full = changed == NULL || finished_count - self->finished_seen > finished->len;
  GHashTableIter iter;
  gpointer key, value;

  ensure_tracked (self);
  self->refresh_mark++;
  self->finished_seen = finished_count;

  in_history = sync_history (self, finished, added);
  if (full)
    {
      g_autoptr(GPtrArray) tasks = weft_all_tasks (self->loop);

      for (guint i = 0; i < tasks->len; i++)
        sync_task (self, g_ptr_array_index (tasks, i), added);
    }
  else
    for (guint i = 0; i < changed->len; i++)
      sync_task (self, g_ptr_array_index (changed, i), added);

  /* Rows to drop: after a full walk, every task not seen; otherwise finished
   * tasks that left the history (only those are looked at). */
  if (full)
    {
      g_hash_table_iter_init (&iter, self->tracked);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (((Tracked *) value)->mark != self->refresh_mark)
          g_ptr_array_add (gone, value);
    }
  else
    {
      g_hash_table_iter_init (&iter, self->final_ids);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (!g_hash_table_contains (in_history, key))
          g_ptr_array_add (gone, g_hash_table_lookup (self->tracked, key));
    }
  for (guint i = 0; i < gone->len; i++)
    {
      Tracked *t = g_ptr_array_index (gone, i);

      g_ptr_array_index (gone, i) = t->row;
      g_hash_table_remove (self->final_ids, &t->id);
      g_hash_table_remove (self->tracked, &t->id);   /* frees t */
    }
  if (gone->len > 64)
    {
      /* Many at once: one rebuild beats many searches. */
      g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(GHashTable) dead = g_hash_table_new (NULL, NULL);

      for (guint i = 0; i < gone->len; i++)
        g_hash_table_add (dead, g_ptr_array_index (gone, i));
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->tasks)); i++)
        {
          gpointer row = g_list_model_get_item (G_LIST_MODEL (self->tasks), i);

          if (g_hash_table_contains (dead, row))
            g_object_unref (row);
          else
            g_ptr_array_add (kept, row);
        }
      g_ptr_array_extend_and_steal (kept, g_steal_pointer (&added));
      replace_all (self->tasks, kept);
      return;
    }
  for (guint i = 0; i < gone->len; i++)
    {
      guint position;

      if (g_list_store_find (self->tasks, g_ptr_array_index (gone, i), &position))
        g_list_store_remove (self->tasks, position);
    }
  if (added->len > 0)
    g_list_store_splice (self->tasks, g_list_model_get_n_items (G_LIST_MODEL (self->tasks)), 0, added->pdata,
                         added->len);
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
  g_autoptr(GArray) records = NULL;

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
                              NULL, G_VARIANT_TYPE ("((tbsa(tssststtd)a(ss)a(ssd)as))"), G_DBUS_CALL_FLAGS_NONE, 1000,
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
     * (refresh_tasks()); the snapshot (at most 1,000 live tasks) serves the
     * other views and the recording. */
    set_now (self, g_get_monotonic_time () / 1e6);
    refresh_tasks (self);
    apply_snapshot (self, snapshot, FALSE);
  }
  records = weft_loop_get_iterations (self->loop);
  inspector_timeline_set_records (self->timeline, records);
  update_details (self);
}

static gboolean
refresh_tick (gpointer data)
{
  weft_inspector_refresh (data);
  return G_SOURCE_CONTINUE;
}

/* inspector.step-callback and inspector.step-iteration. */
static void
step (GtkWidget  *widget,
      const char *action_name,
      GVariant   *parameter)
{
  WeftInspector *self = WEFT_INSPECTOR (widget);
  gboolean one = g_str_equal (action_name, "inspector.step-callback");

  if (self->connection != NULL)
    call_remote (self, "Step", g_variant_new ("(s)", one ? "callback" : "iteration"));
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
    call_remote (self, "CancelTask", g_variant_new ("(t)", id));
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
  if (loop != NULL)
    {
      self->loop = weft_loop_ref (loop);
      self->clock_origin = weft_loop_time (loop);
      weft_loop_set_recording (loop, TRUE);
    }
  weft_inspector_refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOOP]);
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
          call_remote (self, "SetPaused", g_variant_new ("(b)", self->remote_paused));
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
            self->refresh_id = g_timeout_add_full (REFRESH_PRIORITY, self->refresh_interval, refresh_tick, self, NULL);
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

  properties[PROP_LOOP] = g_param_spec_pointer ("loop", NULL, NULL,
                                                G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAUSED] = g_param_spec_boolean ("paused", NULL, NULL, FALSE,
                                                  G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RECORDING] = g_param_spec_boolean ("recording", NULL, NULL, FALSE,
                                                     G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* How often the views follow a running loop, in ms (the app's
   * refresh-interval setting). Steps refresh at once whatever it is. */
  properties[PROP_REFRESH_INTERVAL] = g_param_spec_uint ("refresh-interval", NULL, NULL, 16, 10000, REFRESH_MS,
                                                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The time the views show the loop at (seconds): tasks' ages follow it. */
  properties[PROP_NOW] = g_param_spec_double ("now", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Remote: whether the loop answers (a lost one leaves the views as they were). */
  properties[PROP_CONNECTED] = g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                                                     G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* What runs next, in words (the Next panel). */
  properties[PROP_NEXT] = g_param_spec_string ("next", NULL, NULL, NULL,
                                               G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

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
  /* The keys (Space, Ctrl+Return, F8, F5...) are in inspector-shortcuts.c:
   * they work wherever the window's focus is. */

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
  g_signal_connect_swapped (self->task_selection, "notify::selected-item", G_CALLBACK (update_details), self);
  add_age_column (self);
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
  self->refresh_id = g_timeout_add_full (REFRESH_PRIORITY, self->refresh_interval, refresh_tick, self, NULL);
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

static void
on_connection_closed (WeftInspector *self)
{
  g_free (self->status);
  self->status = g_strdup (_("Lost the loop: the connection is closed"));
  gtk_label_set_text (self->status_label, self->status);
  set_connected (self, FALSE);
}

/**
 * weft_inspector_new_remote:
 * @connection: a peer-to-peer connection to a loop's inspector socket
 *   (see weft_loop_serve_inspector())
 *
 * Returns: (transfer floating): a new inspector showing the remote loop
 */
/* Remote: the tasks that changed, streamed by the loop about once a frame.
 * A reset or a gap in serials means changes were missed: the next snapshot
 * brings the whole table again. */
static void
on_changed (GDBusConnection *connection,
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

  if (!g_variant_is_of_type (parameters, WEFT_CHANGED_TYPE))
    return;
  self->now = g_get_monotonic_time () / 1e6;   /* births of the rows made below */
  g_variant_get (parameters, "(tba(tssststtd))", &serial, &reset, &tasks);
  if (reset || self->tracked == NULL || (self->serial != 0 && serial != self->serial + 1))
    self->need_full = TRUE;
  self->serial = serial;
  if (self->need_full)
    return;
  while (weft_task_row_decode (tasks, &row))
    apply_task (self, &row, added);
  if (added->len > 0)
    g_list_store_splice (self->tasks, g_list_model_get_n_items (G_LIST_MODEL (self->tasks)), 0, added->pdata,
                         added->len);
}

/* Remote: the loop ran (Changed) or is stuck (Blocked): fetch the rest of
 * its state. The views follow the signals; an idle loop sends none, and the
 * inspector then makes no wake-up at all. */
static void
on_loop_moved (GDBusConnection *connection,
               const char      *sender,
               const char      *path,
               const char      *interface,
               const char      *signal,
               GVariant        *parameters,
               gpointer         data)
{
  if (g_str_equal (signal, "Changed"))
    on_changed (connection, sender, path, interface, signal, parameters, data);
  weft_inspector_refresh (data);
}

GtkWidget *
weft_inspector_new_remote (GDBusConnection *connection)
{
  WeftInspector *self = g_object_new (WEFT_TYPE_INSPECTOR, NULL);

  self->connection = g_object_ref (connection);
  self->connected = !g_dbus_connection_is_closed (connection);
  g_signal_connect_object (connection, "closed", G_CALLBACK (on_connection_closed), self, G_CONNECT_SWAPPED);
  self->need_full = TRUE;
  self->changed_id = g_dbus_connection_signal_subscribe (connection, NULL, "org.weft.Inspector1", "Changed",
                                                         "/org/weft/Loop", NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                         on_loop_moved, self, NULL);
  self->blocked_id = g_dbus_connection_signal_subscribe (connection, NULL, "org.weft.Inspector1", "Blocked",
                                                         "/org/weft/Loop", NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                         on_loop_moved, self, NULL);
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
