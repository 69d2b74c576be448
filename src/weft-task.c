/* weft-task.c: WeftTask, tasks as stackful coroutines
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A task's body runs on its own stack. A step (asyncio's Task.__step) is an
 * ordinary loop callback that switches onto that stack; the body runs until it
 * awaits something that is not done, then switches back and the step returns.
 * Whoever resumes a task is recorded in task->caller, so a task resumed from a
 * nested main loop inside another task goes back to the right place.
 *
 * When the next callback the loop would run is another task's step, the
 * suspending task switches straight to it instead (a hand-off:
 * _weft_task_handoff()), ending its own step and beginning the other's as the
 * loop would; the step's frame on the loop's stack (WeftStepFrame) ends the
 * step of whichever task finally switches back. Two tasks trading a future
 * cost one switch per hand-off, not two.
 *
 * The loop holds a reference on every task from creation until it finishes, so
 * a fire-and-forget task cannot vanish.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_SANITIZER_ASAN
# include <sanitizer/common_interface_defs.h>
#endif
#ifdef HAVE_SANITIZER_TSAN
# include <sanitizer/tsan_interface.h>
#endif

#include "weft-error.h"
#include "weft-inspect.h"
#include "weft-observer-private.h"
#include "weft-task-private.h"
#include "weft-loop-handoff-private.h"

/**
 * WeftTask:
 *
 * A coroutine written as plain sequential C: a function run on its own stack
 * by the loop, whose locals survive every await (asyncio.Task). A task is a
 * #WeftFuture (see WEFT_FUTURE()) that completes with the function's result.
 */
G_DEFINE_BOXED_TYPE (WeftTask, weft_task, weft_task_ref, weft_task_unref)

#define MAX_UNWIND_ROUNDS 16

/* initial-exec: a plain %fs-relative load instead of a __tls_get_addr() call
 * on every step and await. */
_Thread_local WeftTask *_weft_current_task __attribute__ ((tls_model ("initial-exec")));


/* ------------------------------------------------------------- switching */

static void
switch_into (WeftTask *task)
{
#ifdef HAVE_SANITIZER_ASAN
  void *fake_stack = NULL;

  __sanitizer_start_switch_fiber (&fake_stack, task->stack->base, task->stack->size);
#endif
#ifdef HAVE_SANITIZER_TSAN
  task->tsan_caller = __tsan_get_current_fiber ();
  __tsan_switch_to_fiber (task->tsan_fiber, 0);
#endif
  _weft_fiber_swap (&task->caller, &task->context);
#ifdef HAVE_SANITIZER_ASAN
  __sanitizer_finish_switch_fiber (fake_stack, NULL, NULL);
#endif
}


static void
task_entry (void *arg)
{
  WeftTask *task = arg;
  GError *error = NULL;

#ifdef HAVE_SANITIZER_ASAN
  _weft_task_asan_resumed (task, NULL);
#endif
  task->ret = task->func (task->data, &error);
  task->ret_error = error;
  task->fiber_done = TRUE;
  _weft_task_switch_out (task, TRUE);
  g_assert_not_reached ();
}


/* ------------------------------------------------------------- lifecycle */

static void
task_finish (WeftTask *task)
{
  WeftLoop *loop = task->parent.loop;
  GError *error = g_steal_pointer (&task->ret_error);
  gpointer ret = g_steal_pointer (&task->ret);

  if (error == NULL && task->must_cancel)
    {
      /* Cancelled after its last await and returned normally: asyncio makes
       * such a task cancelled. */
      if (task->result_destroy)
        task->result_destroy (ret);
      ret = NULL;
      error = _weft_cancelled_error_new (task->cancel_message);
    }
  task->phase = WEFT_TASK_DONE;
  task->must_cancel = FALSE;
  _weft_future_finish_task (&task->parent, ret, task->result_destroy, error);
  g_queue_unlink (&loop->tasks, &task->link);
  if (task->stats != NULL && task->stats->change_link.data != NULL)
    {
      g_queue_unlink (&loop->changed_tasks, &task->stats->change_link);
      task->stats->change_link.data = NULL;
    }
  loop->tasks_finished++;
  WEFT_OBSERVE (loop, task_finished, task);
  if (task->data_destroy)
    {
      GDestroyNotify destroy = g_steal_pointer (&task->data_destroy);

      destroy (task->data);
    }
  weft_task_unref (task);
}

/* _weft_task_touch_stats()'s slow path: @task goes to the end of the
 * list of changed tasks, with a new change number. */
void
_weft_task_relist (WeftLoop      *loop,
                   WeftTask      *task,
                   WeftTaskStats *stats)
{
  stats->change_gen = ++loop->task_changes;
  if (stats->change_link.data != NULL)
    g_queue_unlink (&loop->changed_tasks, &stats->change_link);
  stats->change_link.data = task;
  g_queue_push_tail_link (&loop->changed_tasks, &stats->change_link);
}

static void
release_stack (WeftTask *task)
{
  WeftStackPool *pool = task->parent.loop->stack_pool;

  if (task->stack == NULL)
    return;
#ifdef HAVE_SANITIZER_TSAN
  __tsan_destroy_fiber (task->tsan_fiber);
  task->tsan_fiber = NULL;
#endif
  if (!_weft_stack_check_canary (task->stack, task->parent.loop->debug))
    g_error ("Weft: task %s overflowed its %" G_GSIZE_FORMAT "-byte stack "
             "(use weft_task_set_stack_size() for deep call chains)",
             weft_task_get_name (task), task->stack->size);
  /* (Its home goes back with the task's struct: task_free_vfunc().) */
  if (task->stack != task->home)
    _weft_stack_pool_release (pool, task->stack);
  task->stack = NULL;
}

/* At a switch out: an unguarded stack whose canary is gone overflowed
 * (release_stack() reports it, and the process ends). */
static inline void
check_stack (WeftLoop *loop,
             WeftTask *task)
{
  if (G_UNLIKELY (!task->stack->guarded && !_weft_stack_check_canary (task->stack, loop->debug)))
    release_stack (task);
}

/* A step while an inspector records or an observer watches every step
 * (loop->step_mode): the hooks of the observers that watch every step
 * (Sysprof's marks) around it, and, while recording, its busy time and the
 * list of changed tasks.
 *
 * Timing a step costs two cycle-counter reads (11 ns each on a VM) and its
 * bookkeeping, ~50 ns, so not every step is timed: all of a task's first
 * 8, then one in how many its last timed step says (step_time_end()), each
 * counted for the steps it stands for. */
static inline void
step_observe_begin (WeftTask      *task,
                    WeftStepFrame *frame)
{
  WeftLoop *loop = task->parent.loop;

  /* (A timed step's end sets until_timed again: the wrap does not stay.) */
  if ((frame->mode & WEFT_STEP_RECORD) && task->until_timed-- == 0)
    {
      frame->mode |= WEFT_STEP_TIMED;
      frame->started = _weft_ticks ();
    }
  if (G_UNLIKELY (frame->mode & WEFT_STEP_HOOKS))
    _weft_observers_task_step_begin (loop, task);
}

/* How many steps the next timed one stands for, after one that ran @ran ns:
 * the shorter a task's steps, the rarer the timing, so that it costs any
 * task under 1 % of its time (~50 ns in 256 steps of under 250 ns, in 64 up
 * to 1 µs, in 8 up to 8 µs: ping-pong's steps pay 0.25 ns, against 6 ns when
 * one step in 8 was timed), and the longer they are, the closer the measure
 * (every step from 8 µs on). A sample's own weight was set by the one before
 * it, not by what it measured: the busy time's estimate stays unbiased. */
static inline guint
next_timed_span (WeftTask *task,
                 guint64   ran)
{
  if (task->runs < 8 || ran >= 8000)
    return 1;
  return ran >= 1000 ? 8 : ran >= 250 ? 64 : 256;
}

/* (Out of line: the untimed steps need none of its registers.) */
G_GNUC_NO_INLINE static void
step_time_end (WeftLoop      *loop,
               WeftTask      *task,
               WeftStepFrame *frame)
{
  guint64 ticks = _weft_ticks ();
  guint64 ran = ticks > frame->started ? (guint64) ((ticks - frame->started) * _weft_ns_per_tick ()) : 0;
  guint weight = task->timed_span + 1u;
  guint span = next_timed_span (task, ran);
  WeftTaskStats *stats = _weft_task_stats (task);

  task->timed_span = (guint8) (span - 1);
  task->until_timed = (guint8) (span - 1);
  stats->busy_ns += ran * weight;
  stats->max_run_ns = MAX (stats->max_run_ns, ran);
  stats->run_hist[MIN (g_bit_storage (ran / 1000), WEFT_RUN_HISTOGRAM_BUCKETS - 1)] += weight;
  if (loop->timed_observers != 0)
    _weft_observers_task_timed (loop, task);
}

static inline __attribute__ ((always_inline)) void
step_observe_end (WeftLoop      *loop,
                  WeftTask      *task,
                  WeftStepFrame *frame)
{
  if (frame->mode & WEFT_STEP_TIMED)
    step_time_end (loop, task, frame);
  if (G_UNLIKELY (frame->mode & WEFT_STEP_HOOKS))
    _weft_observers_task_step_end (loop, task);
  /* (Still recording: an observer may have stopped it in the step.) */
  if (loop->step_mode & WEFT_STEP_RECORD)
    {
      WeftTaskStats *stats = _weft_task_stats (task);

      stats->last_run_iteration = loop->iteration;
      if (!task->fiber_done)
        _weft_task_touch_stats (loop, task, stats);
    }
}

/* Before the first step: a stack and a context on it. Returns FALSE if the
 * task ended instead (cancelled before it ran, or no stack to be had). */
static gboolean
task_start (WeftTask *task)
{
  WeftLoop *loop = task->parent.loop;

  if (task->must_cancel)
    {
      /* Cancelled before it ever ran: the body never starts. */
      task->ret_error = _weft_cancelled_error_new (task->cancel_message);
      task->must_cancel = FALSE;
      task_finish (task);
      return FALSE;
    }
  _weft_task_ensure_overflow_handler ();
  if (_weft_task_runs_on_home (task))
    task->stack = task->home;
  else
    task->stack = _weft_stack_pool_acquire (loop->stack_pool, task->stack_size, &task->ret_error);
  if (G_UNLIKELY (task->stack == NULL))
    {
      /* Out of address space or mappings: the task fails, nothing aborts. */
      task_finish (task);
      return FALSE;
    }
  _weft_fiber_context_init (&task->context, task->stack, task_entry, task);
#ifdef HAVE_SANITIZER_TSAN
  task->tsan_fiber = __tsan_create_fiber (0);
#endif
  return TRUE;
}

/* A step begins: @task runs from here, in @frame. */
static inline void
step_begin (WeftLoop      *loop,
            WeftTask      *task,
            WeftStepFrame *frame)
{
  /* Woken by the future it awaits (schedule_record() in weft-future.c): it
   * waits no more, and its reference on the future lasts until this step
   * ends, so the result weft_await() returns stays valid until the task
   * suspends again (as asyncio's callback holds the future). */
  frame->task = task;
  frame->awaited = NULL;
  if (task->waiter != NULL && task->waiter->state != WEFT_FUTURE_PENDING)
    frame->awaited = g_steal_pointer (&task->waiter);
  task->phase = WEFT_TASK_RUNNING;
  task->runs++;
  _weft_current_task = task;
  /* One branch when nothing records or watches steps. */
  frame->mode = loop->step_mode;
  if (G_UNLIKELY (frame->mode != 0))
    step_observe_begin (task, frame);
}

/* @task's step in @frame ends (on the loop's stack, or in a hand-off on
 * the task's own): the observers told, the outer task current again, the
 * future the step held released. (The step's own reference is the
 * caller's to drop: frame->handed.) */
static inline void
step_end (WeftLoop      *loop,
          WeftTask      *task,
          WeftStepFrame *frame)
{
  if (G_UNLIKELY (frame->mode != 0))
    step_observe_end (loop, task, frame);
  _weft_current_task = frame->outer;
  if (frame->awaited != NULL)
    _weft_future_unref (g_steal_pointer (&frame->awaited));
}

/* asyncio's Task.__step: run the body until it suspends or returns. */
void
_weft_task_step (gpointer data)
{
  WeftTask *task = data;
  WeftLoop *loop = task->parent.loop;
  WeftStepFrame frame = { .outer = _weft_current_task, .up = loop->step_frame };

  task->step_queued = FALSE;
  if (task->phase == WEFT_TASK_DONE)
    return;
  if (task->phase == WEFT_TASK_CREATED && !task_start (task))
    return;

  /* The caller holds a reference for the step: the queued step's, the
   * sleep's timer's, or close()'s list of tasks. */
  step_begin (loop, task, &frame);
  loop->step_frame = &frame;
  switch_into (task);
  loop->step_frame = frame.up;
  /* The task that came back: after hand-offs, another one than we ran. */
  task = frame.task;
  step_end (loop, task, &frame);

  if (task->fiber_done)
    {
      release_stack (task);
      task_finish (task);
    }
  else
    check_stack (loop, task);
  if (frame.handed)
    _weft_future_unref (task);   /* its step's reference, taken with the hand-off */
}

#ifdef WEFT_TASK_HANDOFF
/* @from suspends, on its own stack. If the loop would run another task's
 * step next anyway (_weft_loop_take_handoff() says, and takes it), @from's
 * step ends here as it would on the loop's stack, the next one begins, and
 * the caller switches straight to it: one switch per hand-off between two
 * tasks instead of two (to the loop's stack and back). The step frame on the
 * loop's stack follows: it ends the step of whichever task comes back.
 * Returns the task to switch to, or NULL to switch back to the loop. */
WeftTask *
_weft_task_handoff (WeftTask *from)
{
  WeftLoop *loop = from->parent.loop;
  WeftStepFrame *frame = loop->step_frame;
  WeftTask *next;

  if (frame == NULL || frame->task != from || (next = _weft_loop_take_handoff (loop, from)) == NULL)
    return NULL;
  check_stack (loop, from);
  /* Before anything that may run other code (releasing the future can): it
   * cannot fail now (_weft_task_can_take_handoff()). */
  if (next->phase == WEFT_TASK_CREATED)
    task_start (next);
  step_end (loop, from, frame);
  if (frame->handed)
    _weft_future_unref (from);   /* its step's reference (it stays the loop's) */
  frame->handed = TRUE;
  next->step_queued = FALSE;
  step_begin (loop, next, frame);
  /* It goes back where @from would have gone: the loop's stack. */
  next->caller = from->caller;
#ifdef HAVE_SANITIZER_TSAN
  next->tsan_caller = from->tsan_caller;
#endif
#ifdef HAVE_SANITIZER_ASAN
  next->asan_caller_bottom = from->asan_caller_bottom;
  next->asan_caller_size = from->asan_caller_size;
  next->asan_handed = TRUE;
#endif
  return next;
}
#endif

const WeftTaskStats _weft_task_no_stats;

/* A queued step: a light call (weft-ready-queue-private.h) that holds the
 * task until it ran or was dropped; _weft_call_describe() names it. */
const WeftInternalSite _weft_task_step_site = { { "task step", NULL }, (GDestroyNotify) weft_future_unref };


static gboolean
task_cancel_vfunc (WeftFuture *future,
                   const char *message)
{
  return weft_task_cancel ((WeftTask *) future, message);
}

static void
task_finalize_vfunc (WeftFuture *future)
{
  _weft_task_finalize ((WeftTask *) future);
}

static void task_free_vfunc (WeftFuture *future);

static const WeftFutureClass task_class = {
  .name = "Task",
  .cancel = task_cancel_vfunc,
  .finalize = task_finalize_vfunc,
  .free = task_free_vfunc,
  .is_task = TRUE,
};

/* A task's struct lives in the home of the stack it will run on, in the page
 * its first frames take (weft-fiber-private.h): a small task touches one
 * page, and nothing is allocated for it. That stack stays the task's until
 * its last reference goes (a finished task that is still referenced keeps
 * the page). Without a stack to be had, the struct comes from the heap and
 * the task fails when it first runs (task_start()). */
static WeftTask *
task_alloc (WeftLoop *loop)
{
  WeftStack *home;
  WeftTask *task;

  if (loop->stack_pool == NULL)
    loop->stack_pool = _weft_stack_pool_new ();
  /* (Creating many tasks in a row walks the pool: the next homes are cold.) */
  _weft_stack_pool_prefetch (loop->stack_pool, 8);
  home = _weft_stack_pool_acquire (loop->stack_pool, 0, NULL);
  if (G_UNLIKELY (home == NULL))
    return g_new0 (WeftTask, 1);
  task = _weft_stack_home (home);
  memset (task, 0, sizeof *task);
  task->home = home;
  return task;
}

static void
task_free_vfunc (WeftFuture *future)
{
  WeftTask *task = (WeftTask *) future;

  if (task->home != NULL)
    _weft_stack_pool_release (future->loop->stack_pool, task->home);
  else
    g_free (task);
}

G_STATIC_ASSERT (WEFT_TASK_HOME_STATS_OFFSET + sizeof (WeftTaskStats) <= WEFT_STACK_HOME_SIZE);

static WeftTask *create_task (WeftLoop       *loop,
                               WeftTaskFunc    func,
                               gpointer        data,
                               GDestroyNotify  data_destroy,
                               const char     *name,
                               gboolean        name_static,
                               const char     *where);

/**
 * weft_loop_create_task_full: (rename-to weft_loop_create_task)
 * @loop: a #WeftLoop
 * @func: (scope notified) (closure data) (destroy data_destroy): the task's body
 * @data: data for @func
 * @data_destroy: (nullable): frees @data once the task is done
 * @name: (nullable): the task's name; the weft_loop_create_task() macro
 *   passes the function's name
 * @where: (nullable): a static string, file:line of the call
 *
 * Creates a task running @func and schedules its first step
 * (asyncio's create_task()). The loop keeps the task alive until it is done;
 * drop the returned reference whenever you like.
 *
 * Returns: (transfer full): the new task
 */
WeftTask *
weft_loop_create_task_full (WeftLoop       *loop,
                            WeftTaskFunc    func,
                            gpointer        data,
                            GDestroyNotify  data_destroy,
                            const char     *name,
                            const char     *where)
{
  g_return_val_if_fail (loop != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);
  return create_task (loop, func, data, data_destroy, name, FALSE, where);
}

/**
 * weft_loop_create_task_static: (skip)
 * @loop: a #WeftLoop
 * @func: (scope notified) (closure data) (destroy data_destroy): the task's body
 * @data: data for @func
 * @data_destroy: (nullable): frees @data once the task is done
 * @static_name: the task's name: a string that lives as long as the process
 *   (a literal), which the task keeps instead of a copy
 * @where: (nullable): a static string, file:line of the call
 *
 * weft_loop_create_task_full() without copying the name: what the
 * weft_loop_create_task() macro calls in C.
 *
 * Returns: (transfer full): the new task
 */
WeftTask *
weft_loop_create_task_static (WeftLoop       *loop,
                              WeftTaskFunc    func,
                              gpointer        data,
                              GDestroyNotify  data_destroy,
                              const char     *static_name,
                              const char     *where)
{
  g_return_val_if_fail (loop != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);
  g_return_val_if_fail (static_name != NULL, NULL);
  return create_task (loop, func, data, data_destroy, static_name, TRUE, where);
}

/* @name is copied unless @name_static says it lives as long as the process. */
static WeftTask *
create_task (WeftLoop       *loop,
             WeftTaskFunc    func,
             gpointer        data,
             GDestroyNotify  data_destroy,
             const char     *name,
             gboolean        name_static,
             const char     *where)
{
  WeftTask *task;

  if (loop->closed || loop->closing)
    {
      g_critical ("Weft: cannot create task %s: the event loop is closed", name ? name : "");
      return NULL;
    }
  if (!_weft_loop_check_thread (loop, "weft_loop_create_task"))
    return NULL;

  task = task_alloc (loop);
  _weft_future_init (&task->parent, loop, &task_class);
  task->func = func;
  task->data = data;
  task->data_destroy = data_destroy;
  task->id = ++loop->next_task_id;
  if (name_static)
    task->name = (char *) name;
  else
    task->name = name ? g_strdup (name) : g_strdup_printf ("Task-%" G_GUINT64_FORMAT, task->id);
  task->name_owned = !name_static;
  task->created_at = where;
  task->parent.created_at = where;
  task->parent_task = _weft_current_task;
  task->wake.wakes_task = TRUE;
  task->wake.data = task;
  task->link.data = task;
  task->phase = WEFT_TASK_CREATED;

  /* The loop's reference, dropped when the task finishes. */
  weft_task_ref (task);
  /* Inside a dispatch the loop's latest clock reading will do (no clock read
   * per task). */
  task->created_ns = loop->dispatch_depth > 0 ? loop->last_now : _weft_loop_now (loop);
  g_queue_push_tail_link (&loop->tasks, &task->link);
  _weft_task_touch (loop, task);
  _weft_task_schedule_step (task);
  return task;
}

/**
 * weft_loop_create_task:
 * @loop: a #WeftLoop
 * @func: (scope notified) (closure data) (destroy data_destroy): the task's body
 * @data: data for @func
 * @data_destroy: (nullable): frees @data once the task is done
 *
 * Creates a task and schedules its first step (asyncio's create_task()). In C
 * this is a macro that names the task after @func and records where it was
 * created (see weft_loop_create_task_full()).
 *
 * Returns: (transfer full): the new task
 */
WeftTask *
(weft_loop_create_task) (WeftLoop       *loop,
                         WeftTaskFunc    func,
                         gpointer        data,
                         GDestroyNotify  data_destroy)
{
  return weft_loop_create_task_full (loop, func, data, data_destroy, NULL, NULL);
}

/**
 * weft_create_task:
 * @func: (scope notified) (closure data) (destroy data_destroy): the task's body
 * @data: data for @func
 * @data_destroy: (nullable): frees @data once the task is done
 *
 * Creates a task on the current loop (weft_get_event_loop()).
 *
 * Returns: (transfer full): the new task
 */
WeftTask *
(weft_create_task) (WeftTaskFunc    func,
                    gpointer        data,
                    GDestroyNotify  data_destroy)
{
  return weft_loop_create_task_full (weft_get_event_loop (), func, data, data_destroy, NULL, NULL);
}

/**
 * weft_task_ref:
 * @task: a #WeftTask
 *
 * Takes a reference on the task.
 *
 * Returns: (transfer full): @task
 */
WeftTask *
weft_task_ref (WeftTask *task)
{
  return (WeftTask *) weft_future_ref (WEFT_FUTURE (task));
}

/**
 * weft_task_unref:
 * @task: (transfer full): a #WeftTask
  *
 * Drops a reference on the task.
 */
void
weft_task_unref (WeftTask *task)
{
  weft_future_unref (WEFT_FUTURE (task));
}

void
_weft_task_finalize (WeftTask *task)
{
  g_assert (task->stack == NULL);
  if (task->data_destroy)
    task->data_destroy (task->data);
  /* (Tested first: most tasks have none of these, and the calls freeing
   * nothing were 5 % of a small task's instructions.) */
  if (task->cancellable != NULL)
    g_clear_object (&task->cancellable);
  if (task->cancel_message != NULL)
    g_free (task->cancel_message);
  if (task->stats != NULL && task->stats != _weft_task_home_stats (task))
    g_free (task->stats);
  if (task->name_owned)
    g_free (task->name);
  if (task->old_names != NULL)
    g_slist_free_full (g_steal_pointer (&task->old_names), g_free);
}

/**
 * weft_task_set_name:
 * @task: a #WeftTask
 * @name: the new name
 *
 * Names the task (asyncio's Task.set_name()); the inspector and error reports use it.
 */
void
weft_task_set_name (WeftTask   *task,
                    const char *name)
{
  g_return_if_fail (task != NULL);
  g_return_if_fail (name != NULL);

  /* A queued step or timer may still show the old name: keep it until the
   * task goes (renames are rare). */
  if (task->name_owned)
    task->old_names = g_slist_prepend (task->old_names, task->name);
  task->name = g_strdup (name);
  task->name_owned = TRUE;
}

/**
 * weft_task_get_name:
 * @task: a #WeftTask
 *
 * Gets the task's name.
 *
 * Returns: the task's name: the one set, else its function's name, else "Task-N"
 */
const char *
weft_task_get_name (WeftTask *task)
{
  g_return_val_if_fail (task != NULL, NULL);

  return task->name;
}

/**
 * weft_task_get_id:
 * @task: a #WeftTask
 *
 * Gets the task's id, unique within its loop.
 *
 * Returns: the task's id, unique in its loop, counting from 1
 */
guint64
weft_task_get_id (WeftTask *task)
{
  g_return_val_if_fail (task != NULL, 0);

  return task->id;
}

/**
 * weft_task_set_result_destroy:
 * @task: a #WeftTask
 * @result_destroy: (nullable): frees the task's result with the task
 *
 * Tells how to free the pointer the task's function returns.
 */
void
weft_task_set_result_destroy (WeftTask       *task,
                              GDestroyNotify  result_destroy)
{
  g_return_if_fail (task != NULL);

  task->result_destroy = result_destroy;
  if (task->phase == WEFT_TASK_DONE)
    task->parent.result_destroy = result_destroy;
}

/**
 * weft_task_set_stack_size:
 * @task: a #WeftTask that has not started yet
 * @stack_size: bytes of stack (at least 128 KiB are reserved); 0 for the
 *   default (256 KiB, of which only touched pages cost memory)
 *
 * Sets the size of the stack the task will run on. Only before the task first runs.
 *
 * Returns: %FALSE if the task already started
 */
gboolean
weft_task_set_stack_size (WeftTask *task,
                          gsize     stack_size)
{
  g_return_val_if_fail (task != NULL, FALSE);
  g_return_val_if_fail (task->phase == WEFT_TASK_CREATED, FALSE);

  task->stack_size = stack_size;
  return TRUE;
}

/* ----------------------------------------------------------- cancellation */

/**
 * weft_task_cancel:
 * @task: a #WeftTask
 * @message: (nullable): the cancellation message
 *
 * Requests cancellation: the task sees %WEFT_ERROR_CANCELLED at its current
 * await (which cancels the future it awaits) or its next one. The task may
 * handle it and go on. A task that has not started never runs.
 *
 * Returns: %FALSE if the task is already done, else %TRUE
 */
gboolean
weft_task_cancel (WeftTask   *task,
                  const char *message)
{
  g_return_val_if_fail (task != NULL, FALSE);

  if (task->phase == WEFT_TASK_DONE)
    return FALSE;

  task->cancel_requests++;
  if (task->cancellable != NULL)
    g_cancellable_cancel (task->cancellable);

  if (task->in_cancel && task->waiter != NULL)
    {
      /* The cancellation came back to us through the futures we await: an
       * await cycle. Break it here: stop waiting and wake with the error. */
      _weft_future_remove_record (task->waiter, &task->wake);
      g_clear_pointer (&task->waiter, weft_future_unref);
      task->must_cancel = TRUE;
      g_free (task->cancel_message);
      task->cancel_message = g_strdup (message);
      _weft_task_schedule_step (task);
      return TRUE;
    }
  if (task->waiter != NULL)
    {
      gboolean cancelled;

      task->in_cancel = TRUE;
      cancelled = weft_future_cancel (task->waiter, message);
      task->in_cancel = FALSE;
      if (cancelled)
        return TRUE;
    }

  task->must_cancel = TRUE;
  g_free (task->cancel_message);
  task->cancel_message = g_strdup (message);
  if (task->sleep_handle != NULL)
    {
      weft_handle_cancel (g_steal_pointer (&task->sleep_handle));
      _weft_task_schedule_step (task);
    }
  return TRUE;
}

/**
 * weft_task_cancelling:
 * @task: a #WeftTask
 *
 * Counts the cancellation requests pending on the task (asyncio's Task.cancelling()).
 *
 * Returns: the number of pending cancellation requests (asyncio 3.11)
 */
guint
weft_task_cancelling (WeftTask *task)
{
  g_return_val_if_fail (task != NULL, 0);

  return task->cancel_requests;
}

/**
 * weft_task_uncancel:
 * @task: a #WeftTask
 *
 * Decrements the count of cancellation requests.
 *
 * Returns: the remaining count
 */
guint
weft_task_uncancel (WeftTask *task)
{
  g_return_val_if_fail (task != NULL, 0);

  if (task->cancel_requests > 0)
    task->cancel_requests--;
  if (task->cancel_requests == 0)
    task->must_cancel = FALSE;
  return task->cancel_requests;
}

/**
 * weft_task_get_cancellable:
 * @task: a #WeftTask
 *
 * A #GCancellable that weft_task_cancel() trips, to pass to GIO calls.
 *
 * Returns: (transfer none): the task's cancellable
 */
GCancellable *
weft_task_get_cancellable (WeftTask *task)
{
  g_return_val_if_fail (task != NULL, NULL);

  if (task->cancellable == NULL)
    {
      task->cancellable = g_cancellable_new ();
      if (task->cancel_requests > 0)
        g_cancellable_cancel (task->cancellable);
    }
  return task->cancellable;
}

/**
 * weft_current_task:
 *
 * Gets the task running on this thread (asyncio.current_task()).
 *
 * Returns: (transfer none) (nullable): the task running on this thread, or
 *   %NULL outside tasks
 */
WeftTask *
weft_current_task (void)
{
  return _weft_current_task;
}

/**
 * weft_all_tasks:
 * @loop: a #WeftLoop
 *
 * Lists the tasks of the current loop that are not finished (asyncio.all_tasks()).
 *
 * Returns: (transfer full) (element-type WeftTask): the loop's tasks that are
 *   not done yet, oldest first
 */
GPtrArray *
weft_all_tasks (WeftLoop *loop)
{
  GPtrArray *tasks;

  g_return_val_if_fail (loop != NULL, NULL);

  tasks = g_ptr_array_new_full (loop->tasks.length, (GDestroyNotify) weft_task_unref);
  for (GList *l = loop->tasks.head; l != NULL; l = l->next)
    g_ptr_array_add (tasks, weft_task_ref (l->data));
  return tasks;
}

/* ----------------------------------------------------------------- close */

/* Called by weft_loop_close(): reports every task that is not done ("Task was
 * destroyed but it is pending"), then lets the started ones unwind: each is
 * resumed with WEFT_ERROR_CLOSED at its await, so its cleanup code (g_autoptr,
 * g_clear_*) runs and its stack is freed. */
void
_weft_loop_destroy_tasks (WeftLoop *loop)
{
  loop->closing = TRUE;

  for (guint round = 0; loop->tasks.length > 0; round++)
    {
      g_autoptr(GPtrArray) tasks = weft_all_tasks (loop);

      for (guint i = 0; i < tasks->len; i++)
        {
          WeftTask *task = g_ptr_array_index (tasks, i);

          if (task->phase == WEFT_TASK_DONE)
            continue;
          if (round == 0)
            {
              WeftExceptionContext context = {
                .message = "Task was destroyed but it is pending",
                .future = &task->parent,
                .task = task,
                .scheduled_at = task->created_at,
              };
              weft_loop_call_exception_handler (loop, &context);
            }
          if (task->phase == WEFT_TASK_CREATED || round >= MAX_UNWIND_ROUNDS)
            {
              if (task->phase != WEFT_TASK_CREATED)
                g_warning ("Weft: task %s does not return after its awaits fail; its stack is freed as it is", task->name);
              task->fiber_done = TRUE;
              task->ret_error = g_error_new_literal (WEFT_ERROR, WEFT_ERROR_CLOSED, "The event loop is closed");
            }
          else if (task->phase == WEFT_TASK_SUSPENDED)
            {
              task->step_queued = FALSE;
              _weft_task_step (task);
              continue;
            }
          if (task->fiber_done && task->phase != WEFT_TASK_DONE)
            {
              if (task->waiter != NULL)
                {
                  _weft_future_remove_record (task->waiter, &task->wake);
                  g_clear_pointer (&task->waiter, weft_future_unref);
                }
              release_stack (task);
              task_finish (task);
            }
        }
      /* Nobody is left to read these errors. */
      for (guint i = 0; i < tasks->len; i++)
        ((WeftFuture *) g_ptr_array_index (tasks, i))->error_retrieved = TRUE;
    }
  loop->closing = FALSE;
}

void
_weft_loop_free_stacks (WeftLoop *loop)
{
  g_clear_pointer (&loop->stack_pool, _weft_stack_pool_free);
}
