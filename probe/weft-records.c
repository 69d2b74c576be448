/* weft-records.c: what an inspector reads that the loop does not keep itself
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * While recording (weft_loop_set_recording()) this observer of the loop keeps
 * iteration records (a ring of RECORDS_KEPT, sampled so that recording costs
 * no clock read per callback), the history of finished tasks, and warnings
 * (slow callbacks, errors, busy polling); it builds snapshots
 * (weft_loop_snapshot(), their rows written by weft-row-writer.c) and the
 * lint. The core measures task steps and lists changed tasks while
 * recording; this file keeps and
 * serves the rest. Its state hangs off the loop (GObject data), so a history
 * length set before recording starts is kept.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "weft-inspect.h"
#include "weft-observer-private.h"
#include "weft-probe.h"
#include "weft-records-private.h"
#include "weft-task-private.h"

#define RECORDS_KEPT 512
#define SNAPSHOT_RECORDS 64   /* the newest, in every snapshot */
/* A record at least every this many iterations (and every 1 ms): the
 * recorded iterations cost a clock read and the callbacks' names. */
#define RECORD_EVERY     1024
#define MAX_SNAPSHOT_TASKS 1000
#define MAX_SNAPSHOT_CALLS 200    /* ready callbacks and timers, each: a view shows a few dozen */
#define WARNINGS_KEPT        64
#define BUSY_POLL_MIN_RUNS   100

typedef struct
{
  GArray    *records;          /* WeftIterationRecord ring */
  guint      records_head;
  GVariant  *record_variants[RECORDS_KEPT];      /* ring entries as snapshots carry them ... */
  guint64    record_variant_index[RECORDS_KEPT]; /* ... made of the iteration of this index */
  GArray    *finished;         /* KeptRecord ring of finished tasks */
  guint      finished_head;
  guint      history_length;
  GPtrArray *warnings;         /* char * */
  GPtrArray *lint_cache;       /* weft_loop_lint() for snapshots */
  gint64     lint_time;
  gboolean   record_this;      /* this iteration gets a record */
  gboolean   names_full;       /* its callbacks' names fill the record: no more hooks */
  guint      n_todo;           /* the callbacks of the recorded iteration */
  WeftTaskRowsFunc tasks_func;  /* tasks of another runtime (asyncio's) */
  GVariant        *foreign_rows;/* their rows in the last snapshot */
  gpointer         tasks_data;
  GDestroyNotify   tasks_destroy;
} WeftRecords;

static guint records_observer_id;

static void
records_free (gpointer data)
{
  WeftRecords *rec = data;

  g_clear_pointer (&rec->records, g_array_unref);
  for (guint i = 0; i < RECORDS_KEPT; i++)
    g_clear_pointer (&rec->record_variants[i], g_variant_unref);
  g_clear_pointer (&rec->finished, g_array_unref);
  g_clear_pointer (&rec->warnings, g_ptr_array_unref);
  g_clear_pointer (&rec->lint_cache, g_ptr_array_unref);
  if (rec->tasks_destroy != NULL)
    rec->tasks_destroy (rec->tasks_data);
  g_clear_pointer (&rec->foreign_rows, g_variant_unref);
  g_free (rec);
}

/* The loop's records, made on first use; freed with the loop. */
static WeftRecords *
records_of (WeftLoop *loop)
{
  static GQuark quark;
  WeftRecords *rec;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("weft-records");
  rec = g_object_get_qdata (G_OBJECT (loop), quark);
  if (rec == NULL)
    {
      rec = g_new0 (WeftRecords, 1);
      rec->history_length = 256;
      g_object_set_qdata_full (G_OBJECT (loop), quark, rec, records_free);
    }
  return rec;
}

static void _weft_inspect_record_iteration (WeftRecords *rec,
                                            WeftLoop    *loop,
                                            gint64       now,
                                            guint        n_timers,
                                            gint64       max_lateness);

/* Recording keeps a record of the iterations the loop samples for it
 * (_weft_loop_sample_iterations()): those where timers fired, every one
 * while paused (stepped), and the first after RECORD_EVERY iterations or 1 ms
 * (by the clock reads the loop makes anyway) since the last record. A quiet
 * app's loop gets every iteration recorded, a loop spinning through a million
 * short iterations one in RECORD_EVERY, and the iterations in between cost
 * recording nothing. */
static void
_weft_inspect_iteration_begin (WeftRecords *rec,
                               WeftLoop    *loop,
                               gint64       now,
                               guint        n_timers,
                               gint64       max_lateness)
{
  rec->record_this = TRUE;
  rec->names_full = FALSE;
  rec->n_todo = loop->ntodo;
  /* The callback hooks (the names of the callbacks that ran) only in the
   * iterations recorded: per callback they are what recording costs. */
  _weft_loop_want_callback_hooks (loop, records_observer_id, TRUE);
  if (now == 0)
    now = loop->last_now = _weft_loop_now (loop);
  _weft_loop_sample_iterations (loop, records_observer_id, loop->iteration + RECORD_EVERY, now + 1000000);
  _weft_inspect_record_iteration (rec, loop, now, n_timers, max_lateness);
}

/**
 * weft_loop_set_recording:
 * @loop: a #WeftLoop
 * @recording: whether to record iterations
 *
 * Turns iteration records on or off (the inspector's timeline).
 */
void
weft_loop_set_recording (WeftLoop *loop,
                         gboolean  recording)
{
  WeftRecords *rec;

  g_return_if_fail (loop != NULL);
  rec = records_of (loop);

  if (recording && !loop->recording)
    {
      _weft_ns_per_tick ();   /* calibrate the step clock now, not in a step */
      /* Changes made while not recording were not tracked: readers of
       * weft_loop_list_changed_tasks() from before must walk all tasks. */
      loop->changes_since = ++loop->task_changes;
      while (loop->changed_tasks.head != NULL)
        {
          GList *link = loop->changed_tasks.head;

          g_queue_unlink (&loop->changed_tasks, link);
          link->data = NULL;
        }
    }
  loop->recording = !!recording;
  if (recording && rec->records == NULL)
    rec->records = g_array_sized_new (FALSE, TRUE, sizeof (WeftIterationRecord), RECORDS_KEPT);
  _weft_loop_observe (loop, records_observer_id, recording ? rec : NULL);
  if (recording)
    _weft_loop_sample_iterations (loop, records_observer_id, 0, G_MININT64);   /* the next iteration */
}

/**
 * weft_loop_get_recording:
 * @loop: a #WeftLoop
 *
 * Tells whether the loop records for an inspector (weft_loop_set_recording()):
 * a runtime that schedules through the loop measures its own tasks then.
 *
 * Returns: %TRUE while recording
 */
gboolean
weft_loop_get_recording (WeftLoop *loop)
{
  g_return_val_if_fail (loop != NULL, FALSE);

  return loop->recording;
}

/**
 * weft_loop_get_iterations:
 * @loop: a #WeftLoop
 *
 * Copies the recent iteration records (see weft_loop_set_recording()), oldest first.
 *
 * Returns: (transfer full) (element-type WeftIterationRecord): the recorded
 *   iterations, oldest first (at most the last 512)
 */
GArray *
weft_loop_get_iterations (WeftLoop *loop)
{
  WeftRecords *rec;
  GArray *copy;

  g_return_val_if_fail (loop != NULL, NULL);
  rec = records_of (loop);

  copy = g_array_new (FALSE, FALSE, sizeof (WeftIterationRecord));
  if (rec->records == NULL)
    return copy;
  for (guint i = 0; i < rec->records->len; i++)
    {
      guint at = (rec->records_head + i) % rec->records->len;

      g_array_append_val (copy, g_array_index (rec->records, WeftIterationRecord, at));
    }
  return copy;
}

static void
_weft_inspect_record_iteration (WeftRecords *rec,
                                WeftLoop    *loop,
                                gint64       now,
                                guint        n_timers,
                                gint64       max_lateness)
{
  WeftIterationRecord record = {
    .index = loop->iteration,
    .start = (double) now / 1e9,
    .n_timers = n_timers,
    .max_lateness = (double) max_lateness / 1e9,
  };

  if (rec->records->len < RECORDS_KEPT)
    g_array_append_val (rec->records, record);
  else
    {
      g_array_index (rec->records, WeftIterationRecord, rec->records_head) = record;
      rec->records_head = (rec->records_head + 1) % RECORDS_KEPT;
    }
}

static WeftIterationRecord *
last_record (WeftRecords *rec)
{
  if (rec->records == NULL || rec->records->len == 0)
    return NULL;
  return &g_array_index (rec->records, WeftIterationRecord,
                         (rec->records_head + rec->records->len - 1) % rec->records->len);
}

static void
_weft_inspect_callback_ran (WeftRecords *rec,
                            WeftLoop    *loop,
                            const char  *name)
{
  WeftIterationRecord *record = last_record (rec);
  gsize used, room;

  if (record == NULL)
    return;
  record->n_callbacks++;
  /* Names are copied (a task's name dies with it), as long as they fit;
   * then the hooks stop and the iteration's end counts the rest. */
  used = strlen (record->callbacks);
  room = sizeof record->callbacks - used;
  if (room > 4 && g_snprintf (record->callbacks + used, room, "%s%s", used ? ", " : "", name ? name : "?") >= (int) room)
    strcpy (record->callbacks + sizeof record->callbacks - 4, "…");
  if (room <= 4 || strlen (record->callbacks) + 4 >= sizeof record->callbacks)
    {
      rec->names_full = TRUE;
      _weft_loop_want_callback_hooks (loop, records_observer_id, FALSE);
    }
}

static void
_weft_inspect_iteration_end (WeftRecords *rec,
                             gint64       now)
{
  WeftIterationRecord *record = last_record (rec);

  if (record != NULL)
    record->duration = MAX ((double) now / 1e9 - record->start, 0.0);
}


static void
task_record_clear (gpointer data)
{
  WeftTaskRecord *record = data;

  g_free (record->name);
  g_free (record->error_message);
}

/* A finished task in the history: its record, whose name is the task's own
 * static one when it had one (weft_loop_create_task() names a task after its
 * function: copying that name cost every finishing task a malloc and a free;
 * created_at is kept the same way). weft_loop_list_finished_tasks() copies. */
typedef struct
{
  WeftTaskRecord record;
  gboolean       name_static;
} KeptRecord;

static void
kept_record_clear (gpointer data)
{
  KeptRecord *kept = data;

  if (kept->name_static)
    kept->record.name = NULL;
  task_record_clear (&kept->record);
}

static const WeftTaskRecord *
kept_record (WeftRecords *rec,
             guint        i)
{
  return &g_array_index (rec->finished, KeptRecord, i).record;
}

/* Keeps a snapshot, not the task: a finished task holds its loop alive, and
 * the history must not. */
static void
_weft_inspect_task_finished (WeftRecords *rec,
                             WeftTask    *task)
{
  KeptRecord kept = {
    .record = {
      .id = task->id,
      .name = task->name_owned ? g_strdup (task->name) : task->name,
      .state = weft_task_get_state (task),
      .runs = task->runs,
      .created_at = task->created_at,
      .error_message = task->parent.error ? g_strdup (task->parent.error->message) : NULL,
      .busy_ns = _weft_task_peek_stats (task)->busy_ns,
      .max_run_ns = _weft_task_peek_stats (task)->max_run_ns,
      .created = task->created_ns / 1e9,
    },
    .name_static = !task->name_owned,
  };

  memcpy (kept.record.run_hist, _weft_task_peek_stats (task)->run_hist, sizeof kept.record.run_hist);
  if (rec->history_length == 0)
    {
      kept_record_clear (&kept);
      return;
    }
  if (rec->finished == NULL)
    {
      rec->finished = g_array_new (FALSE, FALSE, sizeof (KeptRecord));
      g_array_set_clear_func (rec->finished, kept_record_clear);
    }
  if (rec->finished->len < rec->history_length)
    g_array_append_val (rec->finished, kept);
  else
    {
      KeptRecord *oldest = &g_array_index (rec->finished, KeptRecord, rec->finished_head);

      kept_record_clear (oldest);
      *oldest = kept;
      rec->finished_head = (rec->finished_head + 1) % rec->finished->len;
    }
}

/**
 * weft_loop_set_task_history:
 * @loop: a #WeftLoop
 * @length: how many finished tasks to remember (default 256; 0 for none)
 *
 * While recording is on (weft_loop_set_recording()), the loop remembers the
 * last @length tasks that finished, for weft_loop_list_finished_tasks().
 */
void
weft_loop_set_task_history (WeftLoop *loop,
                            guint     length)
{
  WeftRecords *rec;

  g_return_if_fail (loop != NULL);
  rec = records_of (loop);

  rec->history_length = length;
  g_clear_pointer (&rec->finished, g_array_unref);
  rec->finished_head = 0;
}

/**
 * weft_loop_list_finished_tasks:
 * @loop: a #WeftLoop
 *
 * Copies the bounded history of finished tasks (see weft_loop_set_task_history()), oldest first.
 *
 * Returns: (transfer full) (element-type WeftTaskRecord): the remembered
 *   finished tasks, oldest first
 */
GArray *
weft_loop_list_finished_tasks (WeftLoop *loop)
{
  WeftRecords *rec;
  GArray *copy;

  g_return_val_if_fail (loop != NULL, NULL);
  rec = records_of (loop);

  copy = g_array_new (FALSE, FALSE, sizeof (WeftTaskRecord));
  g_array_set_clear_func (copy, task_record_clear);
  for (guint i = 0; rec->finished != NULL && i < rec->finished->len; i++)
    {
      WeftTaskRecord record = *kept_record (rec, (rec->finished_head + i) % rec->finished->len);

      record.name = g_strdup (record.name);
      record.error_message = g_strdup (record.error_message);
      g_array_append_val (copy, record);
    }
  return copy;
}

static void
describe_common (GVariantDict  *dict,
                 guint64        id,
                 const char    *name,
                 WeftTaskState  state,
                 const char    *created_at,
                 guint64        runs,
                 guint64        busy_ns,
                 guint64        max_run_ns)
{
  g_variant_dict_init (dict, NULL);
  g_variant_dict_insert (dict, "id", "t", id);
  g_variant_dict_insert (dict, "name", "s", name);
  g_variant_dict_insert (dict, "state", "s", weft_task_state_to_string (state));
  g_variant_dict_insert (dict, "created-at", "s", created_at ? created_at : "");
  g_variant_dict_insert (dict, "runs", "t", runs);
  g_variant_dict_insert (dict, "busy-ns", "t", busy_ns);
  g_variant_dict_insert (dict, "max-run-ns", "t", max_run_ns);
}

/* `run-histogram`, if the steps were measured. */
static void
insert_histogram (GVariantDict  *dict,
                  guint64        runs,
                  guint64        busy_ns,
                  const guint32 *run_hist)
{
  if (runs > 0 && busy_ns > 0)
    g_variant_dict_insert_value (dict, "run-histogram",
                                 g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32, run_hist,
                                                            WEFT_RUN_HISTOGRAM_BUCKETS, sizeof (guint32)));
}

/**
 * weft_loop_describe_task:
 * @loop: a #WeftLoop
 * @task_id: a task's id (weft_task_get_id())
 *
 * Everything the inspector's detail pane shows of one task, live or in the
 * finished-task history: `id`, `name`, `state`, `created-at` (strings), `runs`,
 * `busy-ns`, `max-run-ns` (uint64) and, for a live task, `parent` (its
 * creator's id, uint64), `last-run-iteration` (the loop iteration of its
 * last step, uint64, while recording), `await-at` (string), `await-chain` (the await chain,
 * a hop an entry, string array) and `run-histogram` (uint32 array of
 * %WEFT_RUN_HISTOGRAM_BUCKETS, while recording); for a finished one, `error`.
 *
 * Returns: (transfer floating) (nullable): an `a{sv}` dictionary, or %NULL if
 *   the loop has no such task
 */
GVariant *
weft_loop_describe_task (WeftLoop *loop,
                         guint64   task_id)
{
  WeftRecords *rec;
  GVariantDict dict;

  g_return_val_if_fail (loop != NULL, NULL);
  rec = records_of (loop);

  /* The history first: it is short, the live tasks may be 100,000. */
  for (guint i = 0; rec->finished != NULL && i < rec->finished->len; i++)
    {
      const WeftTaskRecord *r = kept_record (rec, i);

      if (r->id != task_id || r->name == NULL)
        continue;
      describe_common (&dict, task_id, r->name, r->state, r->created_at, r->runs, r->busy_ns, r->max_run_ns);
      if (r->error_message != NULL)
        g_variant_dict_insert (&dict, "error", "s", r->error_message);
      insert_histogram (&dict, r->runs, r->busy_ns, r->run_hist);
      return g_variant_dict_end (&dict);
    }
  for (GList *l = loop->tasks.head; l != NULL; l = l->next)
    if (((WeftTask *) l->data)->id == task_id)
      return weft_task_describe (l->data);
  return NULL;
}

/**
 * weft_task_describe:
 * @task: a #WeftTask
 *
 * What weft_loop_describe_task() gives, for a task at hand (no search).
 *
 * Returns: (transfer floating): an `a{sv}` dictionary
 */
GVariant *
weft_task_describe (WeftTask *task)
{
  GVariantDict dict;
  const WeftTaskStats *stats;

  g_return_val_if_fail (task != NULL, NULL);

  stats = _weft_task_peek_stats (task);
  describe_common (&dict, task->id, task->name, weft_task_get_state (task), task->created_at, task->runs,
                   stats->busy_ns, stats->max_run_ns);
  g_variant_dict_insert (&dict, "parent", "t", task->parent_task ? task->parent_task->id : (guint64) 0);
  if (stats->last_run_iteration != 0)
    g_variant_dict_insert (&dict, "last-run-iteration", "t", stats->last_run_iteration);
  if (weft_task_get_await_location (task) != NULL)
    g_variant_dict_insert (&dict, "await-at", "s", task->await_at);
  if (task->phase != WEFT_TASK_DONE)
    g_variant_dict_insert_value (&dict, "await-chain", _weft_task_await_chain (task));
  insert_histogram (&dict, task->runs, stats->busy_ns, stats->run_hist);
  return g_variant_dict_end (&dict);
}

/**
 * WEFT_SNAPSHOT_TYPE:
 *
 * The #GVariant type of weft_loop_snapshot():
 * `(tbsa(tssststtd)a(ss)a(ssd)asa(tdduuds))`: the iteration, whether the loop
 * is paused, what it is blocked in ("" when it is not), the tasks (id, name,
 * state, what it awaits, runs, created at; finished tasks from the history
 * first), the ready queue (callback, scheduled at) in execution order, the
 * timers (callback, scheduled at, seconds left) earliest first, the warnings
 * of weft_loop_lint(), and the latest iteration records (index, start,
 * duration, callbacks, timers, lateness, the callbacks' names; see
 * #WeftIterationRecord) while recording, oldest first: a reader that keeps
 * them by index has the loop's timeline. At most 1,000 live tasks are listed
 * (the oldest).
 */

/* The ring's entry @at, as snapshots carry it. A finished iteration's record
 * does not change: it is made a GVariant once and kept (a snapshot carries
 * the newest 64, and making them all again each time was most of its cost,
 * ~150 µs of a busy loop's time per publication). The newest one may still
 * grow (@latest): made afresh, not kept. */
static void
add_record (WeftRecords     *rec,
            GVariantBuilder *builder,
            guint            at,
            gboolean         latest)
{
  const WeftIterationRecord *r = &g_array_index (rec->records, WeftIterationRecord, at);
  GVariant *record;

  if (!latest && rec->record_variants[at] != NULL && rec->record_variant_index[at] == r->index)
    {
      g_variant_builder_add_value (builder, rec->record_variants[at]);
      return;
    }
  record = g_variant_new ("(tdduuds)", r->index, r->start, r->duration, r->n_callbacks, r->n_timers,
                          r->max_lateness, r->callbacks);
  if (!latest)
    {
      g_clear_pointer (&rec->record_variants[at], g_variant_unref);
      rec->record_variants[at] = g_variant_ref_sink (record);
      rec->record_variant_index[at] = r->index;
    }
  g_variant_builder_add_value (builder, record);
}

/**
 * weft_loop_snapshot:
 * @loop: a #WeftLoop
 *
 * Everything the inspector shows, in one value: the same format in process
 * and across the inspector's socket.
 *
 * Returns: (transfer floating): a #GVariant of type %WEFT_SNAPSHOT_TYPE
 */
GVariant *
weft_loop_snapshot (WeftLoop *loop)
{
  WeftRecords *rec;
  guint n_tasks;
  g_autoptr(GArray) finished = NULL;
  g_autoptr(GArray) ready = NULL;
  g_autoptr(GArray) timers = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  WeftRowWriter task_rows, call_rows;
  GVariant *tasks, *ready_calls, *timer_calls;
  GVariantBuilder record_builder;
  double now;

  g_return_val_if_fail (loop != NULL, NULL);
  rec = records_of (loop);

  now = weft_loop_time (loop);
  _weft_row_writer_init (&task_rows);
  finished = weft_loop_list_finished_tasks (loop);
  for (guint i = 0; i < finished->len; i++)
    _weft_inspect_add_record (&task_rows, &g_array_index (finished, WeftTaskRecord, i), now);
  /* At most MAX_SNAPSHOT_TASKS live tasks, the oldest first: a snapshot must
   * stay cheap for a loop with 100,000 tasks. */
  n_tasks = 0;
  for (GList *l = loop->tasks.head; l != NULL && n_tasks < MAX_SNAPSHOT_TASKS; l = l->next, n_tasks++)
    _weft_inspect_add_task (&task_rows, l->data);
  g_clear_pointer (&rec->foreign_rows, g_variant_unref);
  if (rec->tasks_func != NULL && n_tasks < MAX_SNAPSHOT_TASKS)
    {
      GVariantBuilder foreign;
      GVariantIter iter;
      GVariant *row;

      g_variant_builder_init (&foreign, G_VARIANT_TYPE ("a(tssststtd)"));
      rec->tasks_func (loop, &foreign, MAX_SNAPSHOT_TASKS - n_tasks, rec->tasks_data);
      rec->foreign_rows = g_variant_ref_sink (g_variant_builder_end (&foreign));
      g_variant_iter_init (&iter, rec->foreign_rows);
      while ((row = g_variant_iter_next_value (&iter)) != NULL)
        {
          _weft_row_writer_add_value (&task_rows, row);
          g_variant_unref (row);
        }
    }
  tasks = _weft_row_writer_end (&task_rows);

  /* At most MAX_SNAPSHOT_CALLS of each, then a row that says how many more. */
  _weft_row_writer_init_calls (&call_rows, FALSE);
  ready = _weft_loop_list_ready_upto (loop, MAX_SNAPSHOT_CALLS + 1);
  for (guint i = 0; i < MIN (ready->len, MAX_SNAPSHOT_CALLS); i++)
    {
      WeftCallInfo *info = &g_array_index (ready, WeftCallInfo, i);

      _weft_row_writer_add_call (&call_rows, info->name, info->where, 0);
    }
  if (ready->len > MAX_SNAPSHOT_CALLS)
    {
      g_autofree char *more = g_strdup_printf ("%u more", loop->ready.length - MAX_SNAPSHOT_CALLS);

      _weft_row_writer_add_call (&call_rows, "…", more, 0);
    }
  ready_calls = _weft_row_writer_end (&call_rows);

  _weft_row_writer_init_calls (&call_rows, TRUE);
  timers = _weft_loop_list_timers_upto (loop, MAX_SNAPSHOT_CALLS + 1);
  for (guint i = 0; i < MIN (timers->len, MAX_SNAPSHOT_CALLS); i++)
    {
      WeftCallInfo *info = &g_array_index (timers, WeftCallInfo, i);

      _weft_row_writer_add_call (&call_rows, info->name, info->where,
                                 isinf (info->when) ? -1.0 : MAX (info->when - now, 0.0));
    }
  if (timers->len > MAX_SNAPSHOT_CALLS)
    {
      g_autofree char *more = g_strdup_printf ("%u more", loop->timers.length - MAX_SNAPSHOT_CALLS);

      _weft_row_writer_add_call (&call_rows, "…", more, -1.0);
    }
  timer_calls = _weft_row_writer_end (&call_rows);

  /* The lint walks every task: in snapshots (ten a second, for views of
   * 100,000 tasks) its findings are at most a second old. */
  if (rec->lint_cache == NULL || g_get_monotonic_time () - rec->lint_time > G_USEC_PER_SEC)
    {
      g_clear_pointer (&rec->lint_cache, g_ptr_array_unref);
      rec->lint_cache = weft_loop_lint (loop);
      rec->lint_time = g_get_monotonic_time ();
    }
  warnings = g_ptr_array_new ();
  for (guint i = 0; i < rec->lint_cache->len; i++)
    g_ptr_array_add (warnings, g_ptr_array_index (rec->lint_cache, i));
  g_ptr_array_add (warnings, NULL);
  /* The latest iteration records: readers keep them by index. */
  g_variant_builder_init (&record_builder, G_VARIANT_TYPE ("a(tdduuds)"));
  if (rec->records != NULL)
    for (guint i = rec->records->len > SNAPSHOT_RECORDS ? rec->records->len - SNAPSHOT_RECORDS : 0;
         i < rec->records->len; i++)
      add_record (rec, &record_builder, (rec->records_head + i) % rec->records->len, i + 1 == rec->records->len);
  return g_variant_new ("(tbs@a(tssststtd)@a(ss)@a(ssd)^asa(tdduuds))", loop->iteration, (gboolean) loop->paused, "",
                        tasks, ready_calls, timer_calls, (char **) warnings->pdata, &record_builder);
}

/**
 * WeftTaskRowsFunc:
 * @loop: the #WeftLoop being described
 * @builder: where to add rows, with weft_task_row_encode()
 * @max_rows: add at most this many
 * @user_data: the data given to weft_loop_set_task_rows_func()
 *
 * Describes the tasks of another runtime that schedules through @loop (weft
 * for Python: asyncio's tasks), as #WeftTaskRow rows. Called on the loop's
 * thread.
 */

/**
 * weft_loop_set_task_rows_func:
 * @loop: a #WeftLoop
 * @func: (nullable) (scope notified) (closure user_data) (destroy destroy): adds
 *   the rows, or %NULL to stop
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data when @func is replaced or the loop goes
 *
 * Lets tasks that are not #WeftTask (a language runtime's own, like asyncio's
 * in weft for Python) appear in the inspector: every snapshot of @loop
 * (weft_loop_snapshot()) lists them after the loop's own tasks.
 */
void
weft_loop_set_task_rows_func (WeftLoop         *loop,
                              WeftTaskRowsFunc  func,
                              gpointer          user_data,
                              GDestroyNotify    destroy)
{
  WeftRecords *rec;

  g_return_if_fail (WEFT_IS_LOOP (loop));
  rec = records_of (loop);
  if (rec->tasks_destroy != NULL)
    rec->tasks_destroy (rec->tasks_data);
  g_clear_pointer (&rec->foreign_rows, g_variant_unref);
  rec->tasks_func = func;
  rec->tasks_data = user_data;
  rec->tasks_destroy = destroy;
}

GVariant *
_weft_records_foreign_rows (WeftLoop *loop)
{
  return records_of (loop)->foreign_rows;
}

/* ------------------------------------------------------------------ lint */

/* The same warning as the last one, maybe with its " (×N)": how many, or 0. */
static guint
repeats_of (const char *last,
            const char *text)
{
  gsize n = strlen (text);
  guint64 times;
  char *end;

  if (strncmp (last, text, n) != 0)
    return 0;
  if (last[n] == '\0')
    return 1;
  if (!g_str_has_prefix (last + n, " (×"))
    return 0;
  times = g_ascii_strtoull (last + n + strlen (" (×"), &end, 10);
  return end[0] == ')' && end[1] == '\0' && times >= 2 && times < G_MAXUINT ? (guint) times : 0;
}

/* Keeps @text (taken) among the last WARNINGS_KEPT warnings; the same one
 * again counts on the last ("… (×3)"): a program that blocks every second
 * would fill the list with one line. */
static void
add_warning (WeftRecords *rec,
             char        *text)
{
  guint times;

  if (rec->warnings == NULL)
    rec->warnings = g_ptr_array_new_with_free_func (g_free);
  if (rec->warnings->len > 0
      && (times = repeats_of (g_ptr_array_index (rec->warnings, rec->warnings->len - 1), text)) > 0)
    {
      g_free (rec->warnings->pdata[rec->warnings->len - 1]);
      rec->warnings->pdata[rec->warnings->len - 1] = g_strdup_printf ("%s (×%u)", text, times + 1);
      g_free (text);
      return;
    }
  if (rec->warnings->len >= WARNINGS_KEPT)
    g_ptr_array_remove_index (rec->warnings, 0);
  g_ptr_array_add (rec->warnings, text);
}

/* What a task's recorded statistics say is wrong, once each: a step that
 * kept the loop from everything else for longer than the slow-callback
 * duration (debug mode or not), and mostly waking itself (sleep(0)), busy
 * polling. Looked at as the task finishes and, for the live ones, by the
 * lint (weft_loop_lint(), in snapshots at most a second old), not at every
 * step: that cost each timed step a hook. Steps are timed while recording:
 * all of a task's first 8, then every step that follows one of 8 µs or more,
 * else one in 8 to 256 (weft-task.c: next_timed_span()): a rare slow step
 * amid very short ones may go unseen here (debug mode times every callback,
 * steps included; the inspector's server sees a loop blocked for half a
 * second). */
static void
check_task (WeftRecords *rec,
            WeftTask    *task)
{
  const WeftTaskStats *stats = _weft_task_peek_stats (task);

  if (!stats->warned_slow && stats->max_run_ns >= (guint64) task->parent.loop->slow_callback_ns)
    {
      _weft_task_stats (task)->warned_slow = TRUE;
      add_warning (rec, g_strdup_printf ("task %s ran %.1f ms in one step without yielding to the loop (it waits at %s)",
                                         task->name ? task->name : "(unnamed)", stats->max_run_ns / 1e6,
                                         task->await_at ? task->await_at : task->created_at ? task->created_at : "?"));
    }
  if (!stats->warned_busy && task->runs >= BUSY_POLL_MIN_RUNS && task->self_wakes * 10 >= task->runs * 9)
    {
      _weft_task_stats (task)->warned_busy = TRUE;
      add_warning (rec, g_strdup_printf ("task %s mostly wakes itself (%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                                         " runs after sleep(0)): busy polling?",
                                         task->name, task->self_wakes, task->runs));
    }
}

/**
 * weft_loop_lint:
 * @loop: a #WeftLoop
 *
 * What looks wrong, like a linter: from what was recorded (while recording,
 * see weft_loop_set_recording()) — callbacks slower than the slow-callback
 * duration, tasks that run that long without yielding, tasks that mostly wake
 * themselves (busy polling), errors never retrieved — and from the loop's
 * state now: tasks suspended on a future nothing else references (they can
 * never wake) and await cycles.
 *
 * Returns: (transfer full) (element-type utf8): the warnings, oldest first
 */
GPtrArray *
weft_loop_lint (WeftLoop *loop)
{
  WeftRecords *rec;
  GPtrArray *warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) now = NULL;

  g_return_val_if_fail (loop != NULL, warnings);
  rec = records_of (loop);
  now = g_ptr_array_new_with_free_func (g_free);

  /* One walk of the tasks (100,000 of them touch as many pages): what their
   * statistics say goes to the recorded warnings, listed first; what their
   * state says now, after them. */
  for (GList *l = loop->tasks.head; l != NULL; l = l->next)
    {
      WeftTask *task = l->data;
      WeftFuture *waiter = task->waiter;

      if (loop->recording)
        check_task (rec, task);
      if (task->phase != WEFT_TASK_SUSPENDED || waiter == NULL)
        continue;
      /* A future the task created itself and holds only its own two references
       * to (its local and its await): nobody else can complete it. */
      if (waiter->klass == &_weft_plain_future_class && waiter->creator == task && waiter->ref_count <= 2)
        g_ptr_array_add (now, g_strdup_printf ("task %s waits for a future it created and nothing else "
                                               "references: it may never wake", task->name));
      if (_weft_future_is_task (waiter))
        {
          g_autoptr(GString) chain = g_string_new (task->name);
          WeftTask *next = (WeftTask *) waiter;

          for (guint depth = 0; next != NULL && depth < 64; depth++)
            {
              g_string_append_printf (chain, " → %s", next->name);
              if (next == task)
                {
                  /* Reported once, by the cycle's oldest task. */
                  gboolean oldest = TRUE;
                  WeftTask *t = (WeftTask *) task->waiter;

                  while (t != task)
                    {
                      oldest &= t->id > task->id;
                      t = (WeftTask *) t->waiter;
                    }
                  if (oldest)
                    g_ptr_array_add (now, g_strdup_printf ("await cycle: %s", chain->str));
                  break;
                }
              next = next->waiter && _weft_future_is_task (next->waiter) && next->phase == WEFT_TASK_SUSPENDED
                   ? (WeftTask *) next->waiter : NULL;
            }
        }
    }
  for (guint i = 0; rec->warnings != NULL && i < rec->warnings->len; i++)
    g_ptr_array_add (warnings, g_strdup (g_ptr_array_index (rec->warnings, i)));
  g_ptr_array_extend_and_steal (warnings, g_steal_pointer (&now));
  return warnings;
}


/* -------------------------------------------------- the records as observer */

static void
on_iteration_begin (WeftLoop *loop,
                    gpointer  data,
                    gint64    now,
                    guint     n_timers,
                    gint64    max_lateness)
{
  _weft_inspect_iteration_begin (data, loop, now, n_timers, max_lateness);
}

static void
on_callback_begin (WeftLoop   *loop,
                   gpointer    data,
                   const char *name)
{
  /* Before the call: a task step's name is the task's, which may be freed
   * by the time the step returns. */
  if (((WeftRecords *) data)->record_this)
    _weft_inspect_callback_ran (data, loop, name);
}

static void
on_iteration_end (WeftLoop *loop,
                  gpointer  data)
{
  WeftRecords *rec = data;

  if (!rec->record_this)
    return;
  rec->record_this = FALSE;
  _weft_loop_want_callback_hooks (loop, records_observer_id, FALSE);
  if (rec->names_full && last_record (rec) != NULL)
    last_record (rec)->n_callbacks = rec->n_todo;   /* the whole iteration ran */
  _weft_inspect_iteration_end (rec, loop->last_now = _weft_loop_now (loop));
}

static void
on_task_finished (WeftLoop *loop,
                  gpointer  data,
                  WeftTask *task)
{
  check_task (data, task);
  _weft_inspect_task_finished (data, task);
}

static void
on_warning (WeftLoop   *loop,
            gpointer    data,
            const char *text)
{
  add_warning (data, g_strdup (text));
}

static void
on_loop_closing (WeftLoop *loop,
                 gpointer  data)
{
  _weft_loop_observe (loop, records_observer_id, NULL);
}

static const WeftObserver records_observer = {
  .name = "inspector records",
  .loop_closing = on_loop_closing,
  .iteration_begin = on_iteration_begin,
  .iteration_end = on_iteration_end,
  .callback_begin = on_callback_begin,
  .task_finished = on_task_finished,
  .warning = on_warning,
};

void
_weft_records_register (void)
{
  records_observer_id = _weft_observer_register (&records_observer);
}

/**
 * weft_loop_get_task_history:
 * @loop: a #WeftLoop
 *
 * Gets how many finished tasks the loop remembers (weft_loop_set_task_history()).
 *
 * Returns: the length of the finished-task history
 */
guint
weft_loop_get_task_history (WeftLoop *loop)
{
  g_return_val_if_fail (loop != NULL, 0);

  return records_of (loop)->history_length;
}
