/* weft-inspect.c: looking inside a running loop, pausing and stepping it
 * (what the loop keeps for an inspector, records and snapshots, is in
 * probe/weft-records.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Listing the ready queue, the timers and the tasks reads the loop's own
 * structures, so it costs nothing until asked.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>

#include "weft-backend-private.h"
#include "weft-inspect.h"
#include "weft-observer-private.h"
#include "weft-task-private.h"

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

  return _weft_loop_list_ready_upto (loop, G_MAXUINT);
}

/* A task's queued step shows the task, listed where it resumes (the await it
 * is suspended at, or where it was created); a done callback shows where its
 * future was created. */
void
_weft_call_describe (const WeftCallSite  *site,
                     gpointer             data,
                     const char         **name,
                     const char         **where)
{
  if (site == &_weft_task_step_site.site)
    {
      WeftTask *task = data;

      *name = task->name ? task->name : "task step";
      *where = task->await_at ? task->await_at : task->created_at;
    }
  else if (site == &_weft_done_record_site.site)
    {
      WeftDoneRecord *record = data;

      *name = site->name;
      *where = record->future != NULL ? record->future->created_at : NULL;
    }
  else
    {
      *name = site->name;
      *where = site->where;
    }
}

GArray *
_weft_loop_list_ready_upto (WeftLoop *loop,
                 guint     max)
{
  GArray *calls = g_array_new (FALSE, FALSE, sizeof (WeftCallInfo));

  for (guint32 i = 0; i < loop->ready.length && calls->len < max; i++)
    {
      const WeftReadyEntry *entry = _weft_ready_queue_peek (&loop->ready, i);
      guint32 index;
      WeftSlot *slot;
      WeftCallInfo info;

      if (!_weft_entry_is_slot (entry))
        {
          if (entry->meta & WEFT_ENTRY_CANCELLED)
            continue;
          info = (WeftCallInfo) { NULL, NULL, 0, _weft_handle_encode_ring (loop->id, loop->ready.head_seq + i) };
          _weft_call_describe (_weft_entry_site (entry), entry->data, &info.name, &info.where);
          g_array_append_val (calls, info);
          continue;
        }
      index = _weft_entry_slot (entry);
      slot = _weft_slot_table_get (&loop->slots, index);
      info = (WeftCallInfo) { slot->name, slot->where, 0, _weft_loop_handle_for (loop, index) };
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

  return _weft_loop_list_timers_upto (loop, G_MAXUINT);
}

static gboolean
frontier_less (WeftLoop *loop,
               guint     a,
               guint     b)
{
  return _weft_timer_entry_less (&loop->timers.entries[a], &loop->timers.entries[b]);
}

/* The first @max timers in firing order. The timer heap is a heap, so
 * the k smallest come out of a small heap of candidates (the root, then the
 * children of each one taken): O(k log k), not a sort of 100,000 timers for a
 * view that shows the first thousand. */
GArray *
_weft_loop_list_timers_upto (WeftLoop *loop,
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
      for (guint c = _weft_timer_heap_first_child (top);
           c < _weft_timer_heap_first_child (top) + WEFT_TIMER_HEAP_ARITY && c < length; c++)
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
  if (loop->virtual_time)
    {
      /* The clock stops where it is, and goes on from there. */
      if (paused)
        loop->frozen_ns = _weft_monotonic_ns () + loop->time_offset;
      else
        loop->time_offset = loop->frozen_ns - _weft_monotonic_ns ();
    }
  loop->paused = !!paused;
  _weft_loop_update_hook_iteration (loop);   /* paused: every iteration is a sample */
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

static void jump_to_next_timer (WeftLoop *loop);

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

  if (loop->ntodo == 0 && loop->ready.length == 0)
    jump_to_next_timer (loop);
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

  if (loop->ntodo == 0 && loop->ready.length == 0)
    jump_to_next_timer (loop);
  return _weft_loop_run_iteration (loop);
}

/**
 * weft_loop_step_to_next_timer:
 * @loop: a paused #WeftLoop with virtual time (weft_loop_set_virtual_time())
 *
 * Finishes the current iteration if it is half-run (or, while no timer is
 * pending, runs the callbacks that are ready: a program's start), moves the
 * clock to the next timer's deadline, and runs that iteration: the timer's
 * callback and whatever else was ready.
 *
 * Returns: the number of callbacks that ran; 0 if no timer is pending
 */
guint
weft_loop_step_to_next_timer (WeftLoop *loop)
{
  guint ran = 0;
  gint64 deadline;

  g_return_val_if_fail (loop != NULL, 0);
  g_return_val_if_fail (!loop->closed, 0);
  g_return_val_if_fail (loop->dispatch_depth == 0, 0);
  g_return_val_if_fail (loop->virtual_time && loop->paused, 0);

  /* A half-run iteration first; and callbacks that are ready while no timer
   * is pending (a program's start) run, so that their timers exist. */
  if (loop->ntodo > 0 || (loop->ready.length > 0 && _weft_loop_next_deadline (loop) == WEFT_TIME_NEVER))
    ran += _weft_loop_run_iteration (loop);
  if ((deadline = _weft_loop_next_deadline (loop)) == WEFT_TIME_NEVER)
    return ran;
  loop->frozen_ns = MAX (loop->frozen_ns, deadline);
  return ran + _weft_loop_run_iteration (loop);
}

static gint64
virtual_clock (gpointer data)
{
  WeftLoop *loop = data;

  return loop->paused ? loop->frozen_ns : _weft_monotonic_ns () + loop->time_offset;
}

/**
 * weft_loop_set_virtual_time:
 * @loop: a #WeftLoop
 * @virtual_time: whether the clock stands still while the loop is paused
 *
 * Gives the loop a clock for stepping through it: while the loop is paused,
 * its time (weft_loop_time(), the timers) does not move, except that a step
 * with nothing ready moves it to the next timer's deadline (and
 * weft_loop_step_to_next_timer() does so on purpose). So call_later (2) and
 * call_later (3) fire two and three seconds into the program however long
 * the learner takes. Resumed, the clock runs at real speed from where it
 * stood.
 */
void
weft_loop_set_virtual_time (WeftLoop *loop,
                            gboolean  virtual_time)
{
  g_return_if_fail (loop != NULL);
  g_return_if_fail (loop->clock_func == NULL || loop->virtual_time);

  if (loop->virtual_time == !!virtual_time)
    return;
  if (virtual_time)
    {
      loop->time_offset = 0;
      loop->frozen_ns = _weft_monotonic_ns ();
      loop->virtual_time = TRUE;
      _weft_loop_set_clock (loop, virtual_clock, loop);
    }
  else
    {
      /* Back on the real clock: the timers keep their delays from now. */
      _weft_loop_shift_timers (loop, -(virtual_clock (loop) - _weft_monotonic_ns ()));
      loop->virtual_time = FALSE;
      _weft_loop_set_clock (loop, NULL, NULL);
    }
}

/**
 * weft_loop_get_virtual_time:
 * @loop: a #WeftLoop
 *
 * Tells whether the loop has virtual time (weft_loop_set_virtual_time()).
 *
 * Returns: whether the loop's clock stands still while it is paused
 */
gboolean
weft_loop_get_virtual_time (WeftLoop *loop)
{
  g_return_val_if_fail (loop != NULL, FALSE);

  return loop->virtual_time;
}

/* A step with nothing ready, on virtual time: the clock moves to the next
 * timer's deadline, as if the learner had waited for it. */
static void
jump_to_next_timer (WeftLoop *loop)
{
  gint64 deadline;

  if (!loop->virtual_time || !loop->paused || g_atomic_int_get (&loop->ts_pending))
    return;
  if ((deadline = _weft_loop_next_deadline (loop)) != WEFT_TIME_NEVER)
    loop->frozen_ns = MAX (loop->frozen_ns, deadline);
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
  else if (task->waiter != NULL && task->waiter->name != NULL)
    g_string_append_printf (text, task->waiter->created_at ? "%s (future created at %s)" : "%s", task->waiter->name,
                            task->waiter->created_at);
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
    *max_run = _weft_task_peek_stats (task)->max_run_ns / 1e9;
  return _weft_task_peek_stats (task)->busy_ns / 1e9;
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
GVariant *
_weft_task_await_chain (WeftTask *task)
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
 * @cursor, in the order they first changed after the previous listing (by
 * any caller; a task that changed again since stays where it was), and moves
 * @cursor on: a view of
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
  g_return_val_if_fail (loop != NULL, NULL);
  g_return_val_if_fail (cursor != NULL, NULL);

  return _weft_loop_list_changed_upto (loop, cursor, G_MAXUINT);
}

/* weft_loop_list_changed_tasks(), or %NULL as soon as more than @max tasks
 * changed (a view that would rather fetch everything then: the inspector's
 * server, whose Changed signal carries at most a few thousand). */
GPtrArray *
_weft_loop_list_changed_upto (WeftLoop *loop,
                              guint64  *cursor,
                              guint     max)
{
  GPtrArray *changed;
  guint64 since = *cursor;

  *cursor = loop->changes_listed = loop->task_changes;
  if (since == 0 || since < loop->changes_since || !loop->recording)
    return NULL;
  changed = g_ptr_array_new_with_free_func ((GDestroyNotify) weft_task_unref);
  for (GList *l = loop->changed_tasks.tail; l != NULL && ((WeftTask *) l->data)->stats->change_gen > since; l = l->prev)
    {
      if (changed->len == max)
        {
          g_ptr_array_unref (changed);
          return NULL;
        }
      g_ptr_array_add (changed, weft_task_ref (l->data));
    }
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
