/* weft-inspect.c: looking inside a running loop, pausing and stepping it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Listing the ready queue, the timers and the tasks reads the loop's own
 * structures, so it costs nothing until asked. Iteration records cost a branch
 * per iteration and per callback until recording is turned on; then no clock
 * read per callback: an iteration is recorded when timers fired in it, or one
 * in 64 (or after 1 ms, by the clock reads the loop makes anyway), and its
 * callbacks' names are copied. They are kept in a ring of RECORDS_KEPT, so
 * memory stays bounded.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>

#include "weft-backend-private.h"
#include "weft-inspect.h"
#include "weft-observer-private.h"
#include "weft-task-private.h"

#define RECORDS_KEPT 512
#define MAX_SNAPSHOT_TASKS 1000
#define MAX_SNAPSHOT_CALLS 200    /* ready callbacks and timers, each: a view shows a few dozen */

static GArray *list_ready_upto  (WeftLoop *loop, guint max);
static GArray *list_timers_upto (WeftLoop *loop, guint max);

/* Recording keeps a record of an iteration when timers fired in it, or when
 * 64 iterations or 1 ms (by the clock reads the loop makes anyway) went by
 * since the last record: a quiet app's loop gets every iteration recorded, a
 * loop spinning through a million short iterations one in 64, and recording
 * costs no clock read per callback. */
void
_weft_inspect_iteration_begin (WeftLoop *loop,
                               gint64    now,
                               guint     n_timers,
                               gint64    max_lateness)
{
  loop->record_this = n_timers > 0
                   || loop->iteration - loop->last_recorded_iteration >= 64
                   || loop->last_now - loop->last_recorded_time >= 1000000;
  if (!loop->record_this)
    return;
  if (now == 0)
    now = loop->last_now = _weft_loop_now (loop);
  loop->last_recorded_iteration = loop->iteration;
  loop->last_recorded_time = now;
  _weft_inspect_record_iteration (loop, now, n_timers, max_lateness);
}

/**
 * weft_loop_list_ready:
 * @loop: a #WeftLoop
 *
 * The callbacks in the ready queue, in the order they will run (cancelled ones
 * left out). The first ones belong to the current iteration if it is paused
 * half-way (see weft_loop_step_callback()).
 *
 * Returns: (transfer full) (element-type WeftCallInfo): the calls
 */
GArray *
weft_loop_list_ready (WeftLoop *loop)
{
  g_return_val_if_fail (loop != NULL, NULL);

  return list_ready_upto (loop, G_MAXUINT);
}

static GArray *
list_ready_upto (WeftLoop *loop,
                 guint     max)
{
  GArray *calls = g_array_new (FALSE, FALSE, sizeof (WeftCallInfo));

  for (guint32 i = 0; i < loop->ready.length && calls->len < max; i++)
    {
      guint32 index = _weft_ready_queue_peek (&loop->ready, i);
      WeftSlot *slot = _weft_slot_table_get (&loop->slots, index);
      WeftCallInfo info = { slot->name, slot->where, 0, _weft_loop_handle_for (loop, index) };

      if (slot->flags & WEFT_SLOT_CANCELLED)
        continue;
      if (slot->flags & WEFT_SLOT_TIMER)
        info.when = (double) slot->when / 1e9;
      g_array_append_val (calls, info);
    }
  return calls;
}


/**
 * weft_loop_list_timers:
 * @loop: a #WeftLoop
 *
 * The pending timers in the order they will fire: by deadline, and in
 * scheduling order for equal deadlines (cancelled ones left out).
 *
 * Returns: (transfer full) (element-type WeftCallInfo): the timers
 */
GArray *
weft_loop_list_timers (WeftLoop *loop)
{
  g_return_val_if_fail (loop != NULL, NULL);

  return list_timers_upto (loop, G_MAXUINT);
}

static gboolean
frontier_less (WeftLoop *loop,
               guint     a,
               guint     b)
{
  return _weft_timer_entry_less (&loop->timers.entries[a], &loop->timers.entries[b]);
}

/* The first @max timers in firing order. The timer heap is a binary heap, so
 * the k smallest come out of a small heap of candidates (the root, then the
 * children of each one taken): O(k log k), not a sort of 100,000 timers for a
 * view that shows the first thousand. */
static GArray *
list_timers_upto (WeftLoop *loop,
                  guint     max)
{
  guint length = loop->timers.length;
  GArray *calls = g_array_sized_new (FALSE, FALSE, sizeof (WeftCallInfo), MIN (length, max));
  g_autoptr(GArray) frontier = g_array_new (FALSE, FALSE, sizeof (guint));
  guint root = 0;

  if (length == 0)
    return calls;
  g_array_append_val (frontier, root);
  while (frontier->len > 0 && calls->len < max)
    {
      guint *f = (guint *) frontier->data, n = frontier->len, top = f[0], last, i = 0;
      WeftSlot *slot = _weft_slot_table_get (&loop->slots, loop->timers.entries[top].slot);

      /* Pop the smallest candidate (sift the last one down from the top). */
      last = f[--n];
      g_array_set_size (frontier, n);
      f = (guint *) frontier->data;
      if (n > 0)
        {
          for (;;)
            {
              guint child = 2 * i + 1;

              if (child >= n)
                break;
              if (child + 1 < n && frontier_less (loop, f[child + 1], f[child]))
                child++;
              if (!frontier_less (loop, f[child], last))
                break;
              f[i] = f[child];
              i = child;
            }
          f[i] = last;
        }
      /* Push its children in the timer heap. */
      for (guint c = 2 * top + 1; c <= 2 * top + 2 && c < length; c++)
        {
          guint j = frontier->len;

          g_array_append_val (frontier, c);
          f = (guint *) frontier->data;
          while (j > 0 && frontier_less (loop, c, f[(j - 1) / 2]))
            {
              f[j] = f[(j - 1) / 2];
              j = (j - 1) / 2;
            }
          f[j] = c;
        }
      if (!(slot->flags & WEFT_SLOT_CANCELLED))
        {
          WeftCallInfo info = { slot->name, slot->where, (double) slot->when / 1e9,
                                _weft_loop_handle_for (loop, loop->timers.entries[top].slot) };

          g_array_append_val (calls, info);
        }
    }
  return calls;
}

/**
 * weft_loop_get_iteration:
 * @loop: a #WeftLoop
 *
 * Gets the number of iterations the loop has started.
 *
 * Returns: how many iterations the loop has started
 */
guint64
weft_loop_get_iteration (WeftLoop *loop)
{
  g_return_val_if_fail (loop != NULL, 0);

  return loop->iteration;
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
  g_return_if_fail (loop != NULL);

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
  if (recording)
    loop->observed |= WEFT_OBSERVED_RECORDING;
  else
    loop->observed &= ~WEFT_OBSERVED_RECORDING;
  if (recording && loop->records == NULL)
    loop->records = g_array_sized_new (FALSE, TRUE, sizeof (WeftIterationRecord), RECORDS_KEPT);
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
  GArray *copy;

  g_return_val_if_fail (loop != NULL, NULL);

  copy = g_array_new (FALSE, FALSE, sizeof (WeftIterationRecord));
  if (loop->records == NULL)
    return copy;
  for (guint i = 0; i < loop->records->len; i++)
    {
      guint at = (loop->records_head + i) % loop->records->len;

      g_array_append_val (copy, g_array_index (loop->records, WeftIterationRecord, at));
    }
  return copy;
}

void
_weft_inspect_record_iteration (WeftLoop *loop,
                                gint64    now,
                                guint     n_timers,
                                gint64    max_lateness)
{
  WeftIterationRecord record = {
    .index = loop->iteration,
    .start = (double) now / 1e9,
    .n_timers = n_timers,
    .max_lateness = (double) max_lateness / 1e9,
  };

  if (loop->records->len < RECORDS_KEPT)
    g_array_append_val (loop->records, record);
  else
    {
      g_array_index (loop->records, WeftIterationRecord, loop->records_head) = record;
      loop->records_head = (loop->records_head + 1) % RECORDS_KEPT;
    }
}

static WeftIterationRecord *
last_record (WeftLoop *loop)
{
  if (loop->records == NULL || loop->records->len == 0)
    return NULL;
  return &g_array_index (loop->records, WeftIterationRecord,
                         (loop->records_head + loop->records->len - 1) % loop->records->len);
}

void
_weft_inspect_callback_ran (WeftLoop   *loop,
                            const char *name)
{
  WeftIterationRecord *record = last_record (loop);
  gsize used, room;

  if (record == NULL)
    return;
  record->n_callbacks++;
  /* Names are copied (a task's name dies with it), as long as they fit. */
  used = strlen (record->callbacks);
  room = sizeof record->callbacks - used;
  if (room <= 4 || (used >= 3 && strcmp (record->callbacks + used - 3, "…") == 0))
    return;
  if (g_snprintf (record->callbacks + used, room, "%s%s", used ? ", " : "", name ? name : "?") >= (int) room)
    strcpy (record->callbacks + sizeof record->callbacks - 4, "…");
}

void
_weft_inspect_iteration_end (WeftLoop *loop,
                             gint64    now)
{
  WeftIterationRecord *record = last_record (loop);

  if (record != NULL)
    record->duration = MAX ((double) now / 1e9 - record->start, 0.0);
}

void
_weft_inspect_clear (WeftLoop *loop)
{
  g_clear_pointer (&loop->records, g_array_unref);
  g_clear_pointer (&loop->finished, g_array_unref);
  g_clear_pointer (&loop->warnings, g_ptr_array_unref);
  g_clear_pointer (&loop->lint_cache, g_ptr_array_unref);
}

static void
task_record_clear (gpointer data)
{
  WeftTaskRecord *record = data;

  g_free (record->name);
  g_free (record->error_message);
}

/* Keeps a snapshot, not the task: a finished task holds its loop alive, and
 * the history must not. */
void
_weft_inspect_task_finished (WeftLoop *loop,
                             WeftTask *task)
{
  WeftTaskRecord record = {
    .id = task->id,
    .name = g_strdup (task->name),
    .state = weft_task_get_state (task),
    .runs = task->runs,
    .created_at = task->created_at,
    .error_message = task->parent.error ? g_strdup (task->parent.error->message) : NULL,
    .busy_ns = task->busy_ns,
    .max_run_ns = task->max_run_ns,
    .created = task->created_ns / 1e9,
  };

  if (loop->history_length == 0)
    {
      task_record_clear (&record);
      return;
    }
  if (loop->finished == NULL)
    {
      loop->finished = g_array_new (FALSE, FALSE, sizeof (WeftTaskRecord));
      g_array_set_clear_func (loop->finished, task_record_clear);
    }
  if (loop->finished->len < loop->history_length)
    g_array_append_val (loop->finished, record);
  else
    {
      WeftTaskRecord *oldest = &g_array_index (loop->finished, WeftTaskRecord, loop->finished_head);

      task_record_clear (oldest);
      *oldest = record;
      loop->finished_head = (loop->finished_head + 1) % loop->finished->len;
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
  g_return_if_fail (loop != NULL);

  loop->history_length = length;
  g_clear_pointer (&loop->finished, g_array_unref);
  loop->finished_head = 0;
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
  GArray *copy;

  g_return_val_if_fail (loop != NULL, NULL);

  copy = g_array_new (FALSE, FALSE, sizeof (WeftTaskRecord));
  g_array_set_clear_func (copy, task_record_clear);
  for (guint i = 0; loop->finished != NULL && i < loop->finished->len; i++)
    {
      WeftTaskRecord record = g_array_index (loop->finished, WeftTaskRecord,
                                             (loop->finished_head + i) % loop->finished->len);

      record.name = g_strdup (record.name);
      record.error_message = g_strdup (record.error_message);
      g_array_append_val (copy, record);
    }
  return copy;
}

/**
 * weft_loop_set_paused:
 * @loop: a #WeftLoop
 * @paused: whether to hold the loop back
 *
 * Pauses the loop: its #GSource stops dispatching (GTK keeps running), timers
 * that come due wait. Use weft_loop_step_callback() and
 * weft_loop_step_iteration() to move it on by hand.
 */
void
weft_loop_set_paused (WeftLoop *loop,
                      gboolean  paused)
{
  g_return_if_fail (loop != NULL);

  if (loop->paused == !!paused)
    return;
  loop->paused = !!paused;
  if (!paused && loop->backend != NULL)
    _weft_backend_wakeup (loop);
  _weft_loop_notify (loop, WEFT_LOOP_PROP_PAUSED);
}

/**
 * weft_loop_get_paused:
 * @loop: a #WeftLoop
 *
 * Gets whether the loop is held back by weft_loop_set_paused().
 *
 * Returns: whether the loop is paused
 */
gboolean
weft_loop_get_paused (WeftLoop *loop)
{
  g_return_val_if_fail (loop != NULL, FALSE);

  return loop->paused;
}

/**
 * weft_loop_step_callback:
 * @loop: a #WeftLoop, usually paused
 *
 * Runs exactly one callback: the head of weft_loop_list_ready(), starting a
 * new iteration first (collecting due timers) if the last one is over.
 *
 * Returns: %TRUE if a callback ran, %FALSE if there was none to run
 */
gboolean
weft_loop_step_callback (WeftLoop *loop)
{
  g_return_val_if_fail (loop != NULL, FALSE);
  g_return_val_if_fail (!loop->closed, FALSE);
  g_return_val_if_fail (loop->dispatch_depth == 0, FALSE);

  return _weft_loop_run_one (loop);
}

/**
 * weft_loop_step_iteration:
 * @loop: a #WeftLoop, usually paused
 *
 * Runs the rest of the current iteration, or one whole new iteration.
 *
 * Returns: the number of callbacks that ran
 */
guint
weft_loop_step_iteration (WeftLoop *loop)
{
  g_return_val_if_fail (loop != NULL, 0);
  g_return_val_if_fail (!loop->closed, 0);
  g_return_val_if_fail (loop->dispatch_depth == 0, 0);

  return _weft_loop_run_iteration (loop);
}

/**
 * weft_task_get_state:
 * @task: a #WeftTask
 *
 * Gets the task's state, as the inspector shows it.
 *
 * Returns: what the task is doing
 */
WeftTaskState
weft_task_get_state (WeftTask *task)
{
  g_return_val_if_fail (task != NULL, WEFT_TASK_STATE_DONE);

  switch ((WeftTaskPhase) task->phase)
    {
    case WEFT_TASK_CREATED:
      return WEFT_TASK_STATE_PENDING;
    case WEFT_TASK_RUNNING:
      return WEFT_TASK_STATE_RUNNING;
    case WEFT_TASK_SUSPENDED:
      return WEFT_TASK_STATE_SUSPENDED;
    case WEFT_TASK_DONE:
    default:
      if (task->parent.state == WEFT_FUTURE_CANCELLED)
        return WEFT_TASK_STATE_CANCELLED;
      if (task->parent.state == WEFT_FUTURE_ERROR)
        return WEFT_TASK_STATE_FAILED;
      return WEFT_TASK_STATE_DONE;
    }
}

/**
 * weft_task_state_to_string:
 * @state: a #WeftTaskState
 *
 * Gives the name of a task state, as the inspector shows it.
 *
 * Returns: the state's name ("pending", "running", ...), untranslated
 */
const char *
weft_task_state_to_string (WeftTaskState state)
{
  static const char * const names[] = { "pending", "running", "suspended", "done", "failed", "cancelled" };

  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (names), NULL);
  return names[state];
}

/**
 * weft_task_get_awaited:
 * @task: a #WeftTask
 *
 * Gets the future the task is suspended on.
 *
 * Returns: (transfer none) (nullable): the future (or task) @task awaits, if any
 */
WeftFuture *
weft_task_get_awaited (WeftTask *task)
{
  g_return_val_if_fail (task != NULL, NULL);

  return task->waiter;
}

/**
 * weft_task_describe_await:
 * @task: a #WeftTask
 *
 * Describes what the task is suspended on, for people.
 *
 * Returns: (transfer full) (nullable): what @task waits for, in words, along
 *   the chain of tasks it awaits ("task fetch → future created at file.c:12",
 *   "sleep, 0.500 s left", "its next turn"), or %NULL if it does not wait
 */
/* One link of the await chain. */
/* One hop of an await chain. @live adds what changes by the moment (a sleep's
 * time left): the table shows what a task awaits, which only changes when the
 * task does, so a view of 100,000 tasks need not redraw them all every tick. */
static void
describe_one (GString  *text,
              WeftTask *task,
              gboolean  live)
{
  if (task->waiter != NULL && _weft_future_is_task (task->waiter))
    g_string_append_printf (text, "task %s", weft_task_get_name ((WeftTask *) task->waiter));
  else if (task->waiter != NULL && task->waiter->created_at != NULL)
    g_string_append_printf (text, "future created at %s", task->waiter->created_at);
  else if (task->waiter != NULL)
    g_string_append (text, "a future");
  else if (task->sleep_handle != NULL)
    {
      if (task->sleep_ns >= WEFT_TIME_NEVER / 2)
        g_string_append (text, "sleep, forever");
      else
        g_string_append_printf (text, "sleep, %.3f s", task->sleep_ns / 1e9);
      if (live)
        g_string_append_printf (text, ", %.3f s left",
                                MAX (weft_handle_when (task->sleep_handle) - weft_loop_time (task->parent.loop), 0.0));
    }
  else
    g_string_append (text, "its next turn");
}

char *
weft_task_describe_await (WeftTask *task)
{
  GString *text;

  g_return_val_if_fail (task != NULL, NULL);

  if (task->phase != WEFT_TASK_SUSPENDED)
    return NULL;
  /* Follow the chain through awaited tasks: "task B → task C → sleep, 0.5 s left". */
  text = g_string_new (NULL);
  describe_one (text, task, FALSE);
  for (guint depth = 0; depth < 8 && task->waiter != NULL && _weft_future_is_task (task->waiter); depth++)
    {
      task = (WeftTask *) task->waiter;
      if (task->phase != WEFT_TASK_SUSPENDED)
        break;
      g_string_append (text, " → ");
      describe_one (text, task, FALSE);
    }
  return g_string_free (text, FALSE);
}

/**
 * weft_task_get_created_at:
 * @task: a #WeftTask
 *
 * Gets where the task was created (file:line).
 *
 * Returns: (nullable): file:line where the task was created
 */
const char *
weft_task_get_created_at (WeftTask *task)
{
  g_return_val_if_fail (task != NULL, NULL);

  return task->created_at;
}

/**
 * weft_task_get_runs:
 * @task: a #WeftTask
 *
 * Counts the times the task has run (started or resumed).
 *
 * Returns: how many steps the task has run
 */
guint64
weft_task_get_runs (WeftTask *task)
{
  g_return_val_if_fail (task != NULL, 0);

  return task->runs;
}

/**
 * weft_task_get_busy_time:
 * @task: a #WeftTask
 * @max_run: (out) (optional): the longest single step, in seconds
 *
 * Gets the time the task has spent running (not suspended). Measured only
 * while the loop records for an inspector (weft_loop_set_recording()), so it
 * costs nothing otherwise.
 *
 * Returns: the task's busy time, in seconds
 */
double
weft_task_get_busy_time (WeftTask *task,
                         double   *max_run)
{
  g_return_val_if_fail (task != NULL, 0);

  if (max_run != NULL)
    *max_run = task->max_run_ns / 1e9;
  return task->busy_ns / 1e9;
}

/**
 * weft_task_get_age:
 * @task: a #WeftTask
 *
 * Gets how long ago the task was created, on its loop's clock.
 *
 * Returns: the task's age, in seconds
 */
double
weft_task_get_age (WeftTask *task)
{
  g_return_val_if_fail (task != NULL, 0);

  return MAX ((_weft_loop_now (task->parent.loop) - task->created_ns) / 1e9, 0.0);
}

/**
 * weft_task_get_await_location:
 * @task: a #WeftTask
 *
 * Gets where the task awaits now: the file:line of the weft_await() or
 * weft_sleep() it is suspended in (the macros capture it).
 *
 * Returns: (nullable): file:line, or %NULL if the task is not suspended or
 *   the await was not made through the macros
 */
const char *
weft_task_get_await_location (WeftTask *task)
{
  g_return_val_if_fail (task != NULL, NULL);

  return task->phase == WEFT_TASK_SUSPENDED ? task->await_at : NULL;
}

/* The await chain, a hop an entry: "task B (at demo.c:40)", "sleep, 0.5 s left". */
static GVariant *
await_chain (WeftTask *task)
{
  GVariantBuilder chain;

  g_variant_builder_init (&chain, G_VARIANT_TYPE_STRING_ARRAY);
  for (guint depth = 0; depth < 16 && task != NULL && task->phase == WEFT_TASK_SUSPENDED; depth++)
    {
      g_autoptr(GString) hop = g_string_new (NULL);

      describe_one (hop, task, TRUE);
      if (task->await_at != NULL)
        g_string_append_printf (hop, " (at %s)", task->await_at);
      g_variant_builder_add (&chain, "s", hop->str);
      task = task->waiter != NULL && _weft_future_is_task (task->waiter) ? (WeftTask *) task->waiter : NULL;
    }
  return g_variant_builder_end (&chain);
}

/**
 * weft_loop_list_changed_tasks:
 * @loop: a #WeftLoop
 * @cursor: (inout): 0 the first time; then what the last call left there
 *
 * Lists the live tasks that were created or ran since the call that left
 * @cursor, in the order they last changed, and moves @cursor on: a view of
 * 100,000 tasks looks at the few that moved instead of all of them. Tasks are
 * tracked while the loop records (weft_loop_set_recording()); finished tasks
 * are not listed (see weft_loop_list_finished_tasks() and
 * weft_loop_get_finished_count()).
 *
 * Returns: (transfer full) (element-type WeftTask) (nullable): the changed
 *   tasks, or %NULL when they cannot be told (first call, or the loop did not
 *   record all the while): walk weft_all_tasks() then
 */
GPtrArray *
weft_loop_list_changed_tasks (WeftLoop *loop,
                              guint64  *cursor)
{
  GPtrArray *changed;
  guint64 since;

  g_return_val_if_fail (loop != NULL, NULL);
  g_return_val_if_fail (cursor != NULL, NULL);

  since = *cursor;
  *cursor = loop->task_changes;
  if (since == 0 || since < loop->changes_since || !loop->recording)
    return NULL;
  changed = g_ptr_array_new_with_free_func ((GDestroyNotify) weft_task_unref);
  for (GList *l = loop->changed_tasks.tail; l != NULL && ((WeftTask *) l->data)->change_gen > since; l = l->prev)
    g_ptr_array_add (changed, weft_task_ref (l->data));
  /* Collected newest first; listed oldest first. */
  for (guint i = 0, j = changed->len; i + 1 < j; i++, j--)
    {
      gpointer swap = changed->pdata[i];

      changed->pdata[i] = changed->pdata[j - 1];
      changed->pdata[j - 1] = swap;
    }
  return changed;
}

/**
 * weft_loop_get_finished_count:
 * @loop: a #WeftLoop
 *
 * Counts the tasks of @loop that have finished, ever: with the history
 * (weft_loop_list_finished_tasks()), tells a view whether it missed some.
 *
 * Returns: how many tasks finished
 */
guint64
weft_loop_get_finished_count (WeftLoop *loop)
{
  g_return_val_if_fail (loop != NULL, 0);

  return loop->tasks_finished;
}

/* What a live task and a finished one's record both tell. */
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
  GVariantDict dict;

  g_return_val_if_fail (loop != NULL, NULL);

  /* The history first: it is short, the live tasks may be 100,000. */
  for (guint i = 0; loop->finished != NULL && i < loop->finished->len; i++)
    {
      WeftTaskRecord *r = &g_array_index (loop->finished, WeftTaskRecord, i);

      if (r->id != task_id || r->name == NULL)
        continue;
      describe_common (&dict, task_id, r->name, r->state, r->created_at, r->runs, r->busy_ns, r->max_run_ns);
      if (r->error_message != NULL)
        g_variant_dict_insert (&dict, "error", "s", r->error_message);
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

  g_return_val_if_fail (task != NULL, NULL);

  describe_common (&dict, task->id, task->name, weft_task_get_state (task), task->created_at, task->runs,
                   task->busy_ns, task->max_run_ns);
  g_variant_dict_insert (&dict, "parent", "t", task->parent_task ? task->parent_task->id : (guint64) 0);
  if (task->last_run_iteration != 0)
    g_variant_dict_insert (&dict, "last-run-iteration", "t", task->last_run_iteration);
  if (weft_task_get_await_location (task) != NULL)
    g_variant_dict_insert (&dict, "await-at", "s", task->await_at);
  if (task->phase != WEFT_TASK_DONE)
    g_variant_dict_insert_value (&dict, "await-chain", await_chain (task));
  G_STATIC_ASSERT (G_N_ELEMENTS (task->run_hist) == WEFT_RUN_HISTOGRAM_BUCKETS);
  if (task->runs > 0 && task->busy_ns > 0)
    g_variant_dict_insert_value (&dict, "run-histogram",
                                 g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32, task->run_hist,
                                                            WEFT_RUN_HISTOGRAM_BUCKETS, sizeof (guint32)));
  return g_variant_dict_end (&dict);
}

/**
 * weft_task_row_encode:
 * @builder: a #GVariantBuilder of an array of #WEFT_TASK_ROW_TYPE
 * @row: the task
 *
 * Adds @row to @builder as the inspector's snapshots, Changed signals and
 * recordings carry it (%NULL strings are written as "").
 */
void
weft_task_row_encode (GVariantBuilder   *builder,
                      const WeftTaskRow *row)
{
  g_return_if_fail (builder != NULL);
  g_return_if_fail (row != NULL);

  g_variant_builder_add (builder, "(tssststtd)", row->id, row->name ? row->name : "", row->state ? row->state : "",
                         row->awaits ? row->awaits : "", row->runs, row->created_at ? row->created_at : "",
                         row->busy_ns, row->max_run_ns, row->age);
}

/**
 * weft_task_row_decode:
 * @iter: a #GVariantIter over an array of #WEFT_TASK_ROW_TYPE
 * @row: (out caller-allocates): the next task; its strings belong to the array
 *
 * Reads the next task of @iter.
 *
 * Returns: %TRUE if there was one, %FALSE at the end
 */
gboolean
weft_task_row_decode (GVariantIter *iter,
                      WeftTaskRow  *row)
{
  g_return_val_if_fail (iter != NULL, FALSE);
  g_return_val_if_fail (row != NULL, FALSE);

  return g_variant_iter_next (iter, "(t&s&s&st&sttd)", &row->id, &row->name, &row->state, &row->awaits,
                              &row->runs, &row->created_at, &row->busy_ns, &row->max_run_ns, &row->age);
}

void
_weft_inspect_add_task (GVariantBuilder *builder,
                        WeftTask        *task)
{
  g_autofree char *awaits = weft_task_describe_await (task);
  WeftTaskRow row = {
    .id = task->id,
    .name = task->name,
    .state = weft_task_state_to_string (weft_task_get_state (task)),
    .awaits = awaits,
    .runs = task->runs,
    .created_at = task->created_at,
    .busy_ns = task->busy_ns,
    .max_run_ns = task->max_run_ns,
    .age = weft_task_get_age (task),
  };

  weft_task_row_encode (builder, &row);
}

/* @now: the loop's time (weft_loop_time()), for the task's age. */
void
_weft_inspect_add_record (GVariantBuilder      *builder,
                          const WeftTaskRecord *r,
                          double                now)
{
  WeftTaskRow row = {
    .id = r->id,
    .name = r->name,
    .state = weft_task_state_to_string (r->state),
    .awaits = r->error_message,
    .runs = r->runs,
    .created_at = r->created_at,
    .busy_ns = r->busy_ns,
    .max_run_ns = r->max_run_ns,
    .age = MAX (now - r->created, 0.0),
  };

  weft_task_row_encode (builder, &row);
}

/**
 * WEFT_SNAPSHOT_TYPE:
 *
 * The #GVariant type of weft_loop_snapshot():
 * `(tbsa(tssststtd)a(ss)a(ssd)as)`: the iteration, whether the loop is paused,
 * what it is blocked in ("" when it is not), the tasks (id, name, state, what
 * it awaits, runs, created at; finished tasks from the history first), the
 * ready queue (callback, scheduled at) in execution order, the timers
 * (callback, scheduled at, seconds left) earliest first, and the warnings of
 * weft_loop_lint(). At most 1,000 live tasks are listed (the oldest).
 */

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
  guint n_tasks;
  g_autoptr(GArray) finished = NULL;
  g_autoptr(GArray) ready = NULL;
  g_autoptr(GArray) timers = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  GVariantBuilder task_builder, ready_builder, timer_builder;
  double now;

  g_return_val_if_fail (loop != NULL, NULL);

  now = weft_loop_time (loop);
  g_variant_builder_init (&task_builder, G_VARIANT_TYPE ("a(tssststtd)"));   /* of WEFT_TASK_ROW_TYPE */
  finished = weft_loop_list_finished_tasks (loop);
  for (guint i = 0; i < finished->len; i++)
    _weft_inspect_add_record (&task_builder, &g_array_index (finished, WeftTaskRecord, i), now);
  /* At most MAX_SNAPSHOT_TASKS live tasks, the oldest first: a snapshot must
   * stay cheap for a loop with 100,000 tasks. */
  n_tasks = 0;
  for (GList *l = loop->tasks.head; l != NULL && n_tasks < MAX_SNAPSHOT_TASKS; l = l->next, n_tasks++)
    _weft_inspect_add_task (&task_builder, l->data);

  g_variant_builder_init (&ready_builder, G_VARIANT_TYPE ("a(ss)"));
  /* At most MAX_SNAPSHOT_CALLS of each, then a row that says how many more. */
  ready = list_ready_upto (loop, MAX_SNAPSHOT_CALLS + 1);
  for (guint i = 0; i < MIN (ready->len, MAX_SNAPSHOT_CALLS); i++)
    {
      WeftCallInfo *info = &g_array_index (ready, WeftCallInfo, i);

      g_variant_builder_add (&ready_builder, "(ss)", info->name ? info->name : "", info->where ? info->where : "");
    }
  if (ready->len > MAX_SNAPSHOT_CALLS)
    {
      g_autofree char *more = g_strdup_printf ("%u more", loop->ready.length - MAX_SNAPSHOT_CALLS);

      g_variant_builder_add (&ready_builder, "(ss)", "…", more);
    }

  g_variant_builder_init (&timer_builder, G_VARIANT_TYPE ("a(ssd)"));
  timers = list_timers_upto (loop, MAX_SNAPSHOT_CALLS + 1);
  for (guint i = 0; i < MIN (timers->len, MAX_SNAPSHOT_CALLS); i++)
    {
      WeftCallInfo *info = &g_array_index (timers, WeftCallInfo, i);

      g_variant_builder_add (&timer_builder, "(ssd)", info->name ? info->name : "", info->where ? info->where : "",
                             isinf (info->when) ? -1.0 : MAX (info->when - now, 0.0));
    }
  if (timers->len > MAX_SNAPSHOT_CALLS)
    {
      g_autofree char *more = g_strdup_printf ("%u more", loop->timers.length - MAX_SNAPSHOT_CALLS);

      g_variant_builder_add (&timer_builder, "(ssd)", "…", more, -1.0);
    }

  /* The lint walks every task: in snapshots (ten a second, for views of
   * 100,000 tasks) its findings are at most a second old. */
  if (loop->lint_cache == NULL || g_get_monotonic_time () - loop->lint_time > G_USEC_PER_SEC)
    {
      g_clear_pointer (&loop->lint_cache, g_ptr_array_unref);
      loop->lint_cache = weft_loop_lint (loop);
      loop->lint_time = g_get_monotonic_time ();
    }
  warnings = g_ptr_array_new ();
  for (guint i = 0; i < loop->lint_cache->len; i++)
    g_ptr_array_add (warnings, g_ptr_array_index (loop->lint_cache, i));
  g_ptr_array_add (warnings, NULL);
  return g_variant_new ("(tbsa(tssststtd)a(ss)a(ssd)^as)", loop->iteration, (gboolean) loop->paused, "",
                        &task_builder, &ready_builder, &timer_builder, (char **) warnings->pdata);
}

/* ------------------------------------------------------------------ lint */

#define WARNINGS_KEPT        64
#define BUSY_POLL_MIN_RUNS   100

void
_weft_inspect_warn (WeftLoop   *loop,
                    const char *format,
                    ...)
{
  va_list args;
  char *text;

  if (loop->warnings == NULL)
    loop->warnings = g_ptr_array_new_with_free_func (g_free);
  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  if (loop->warnings->len >= WARNINGS_KEPT)
    g_ptr_array_remove_index (loop->warnings, 0);
  g_ptr_array_add (loop->warnings, text);
}

void
_weft_inspect_task_stepped (WeftLoop *loop,
                            WeftTask *task)
{
  if (!task->warned_busy && task->runs >= BUSY_POLL_MIN_RUNS && task->self_wakes * 10 >= task->runs * 9)
    {
      task->warned_busy = TRUE;
      _weft_inspect_warn (loop, "task %s mostly wakes itself (%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                          " runs after sleep(0)): busy polling?", task->name, task->self_wakes, task->runs);
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
  GPtrArray *warnings = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (loop != NULL, warnings);

  for (guint i = 0; loop->warnings != NULL && i < loop->warnings->len; i++)
    g_ptr_array_add (warnings, g_strdup (g_ptr_array_index (loop->warnings, i)));

  for (GList *l = loop->tasks.head; l != NULL; l = l->next)
    {
      WeftTask *task = l->data;
      WeftFuture *waiter = task->waiter;

      if (task->phase != WEFT_TASK_SUSPENDED || waiter == NULL)
        continue;
      /* A future the task created itself and holds only its own two references
       * to (its local and its await): nobody else can complete it. */
      if (waiter->klass == &_weft_plain_future_class && waiter->creator == task && waiter->ref_count <= 2)
        g_ptr_array_add (warnings, g_strdup_printf ("task %s waits for a future it created and nothing else "
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
                    g_ptr_array_add (warnings, g_strdup_printf ("await cycle: %s", chain->str));
                  break;
                }
              next = next->waiter && _weft_future_is_task (next->waiter) && next->phase == WEFT_TASK_SUSPENDED
                   ? (WeftTask *) next->waiter : NULL;
            }
        }
    }
  return warnings;
}
