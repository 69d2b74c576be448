/* weft-await.c: what a task does to wait: weft_await(), weft_sleep()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Both suspend the calling task (never the thread) until something schedules
 * its next step: the awaited future's done callback, or the sleep's timer.
 */
#include "config.h"

#include <math.h>

#include "weft-error.h"
#include "weft-task-private.h"

/* -------------------------------------------------------------- awaiting */

static WeftTask *
check_in_task (const char  *what,
               GError     **error)
{
  WeftTask *task = _weft_current_task;

  if (G_UNLIKELY (task == NULL))
    {
      g_critical ("Weft: %s() called outside a task", what);
      g_set_error (error, WEFT_ERROR, WEFT_ERROR_INVALID_STATE, "%s() called outside a task", what);
      return NULL;
    }
  if (G_UNLIKELY (task->parent.loop->closing || task->parent.loop->closed))
    {
      g_set_error_literal (error, WEFT_ERROR, WEFT_ERROR_CLOSED, "The event loop is closed");
      return NULL;
    }
  return task;
}

static gboolean
take_cancellation (WeftTask  *task,
                   GError   **error)
{
  if (!task->must_cancel)
    return FALSE;
  task->must_cancel = FALSE;
  g_propagate_error (error, _weft_cancelled_error_new (task->cancel_message));
  return TRUE;
}

/**
 * weft_await:
 * @future: the future (or task) to wait for
 * @error: return location for a #GError
 *
 * Suspends the calling task (never the thread) until @future is done. Must be
 * called from inside a task. A future that is already done returns at once.
 *
 * Returns: (transfer none) (nullable): @future's result (owned by @future); or
 *   %NULL with @error set to its error, %WEFT_ERROR_CANCELLED, or
 *   %WEFT_ERROR_INVALID_STATE when called outside a task or on the task itself
 */
gpointer
(weft_await) (WeftFuture  *future,
              GError     **error)
{
  return weft_await_at (future, error, NULL);
}

/**
 * weft_await_at:
 * @future: the future (or task) to wait for
 * @error: return location for a #GError
 * @where: (nullable): where the await is written (file:line), static
 *
 * weft_await(), remembering @where: the inspector shows the line a suspended
 * task waits at. The weft_await() macro passes %G_STRLOC.
 *
 * Returns: (transfer none) (nullable): as weft_await()
 */
gpointer
weft_await_at (WeftFuture  *future,
               GError     **error,
               const char  *where)
{
  WeftTask *task;

  g_return_val_if_fail (future != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((task = check_in_task ("weft_await", error)) == NULL)
    return NULL;
  if (G_UNLIKELY (future == &task->parent))
    {
      g_critical ("Weft: task %s awaits itself", task->name);
      g_set_error (error, WEFT_ERROR, WEFT_ERROR_INVALID_STATE, "Task %s cannot await itself", task->name);
      return NULL;
    }
  if (G_UNLIKELY (future->loop != task->parent.loop))
    {
      g_set_error_literal (error, WEFT_ERROR, WEFT_ERROR_INVALID_STATE, "The future belongs to another event loop");
      return NULL;
    }

  if (future->state == WEFT_FUTURE_PENDING)
    {
      task->await_at = where;
      task->waiter = _weft_future_ref (future);
      _weft_future_append_record (future, &task->wake);
      if (task->must_cancel && weft_future_cancel (future, task->cancel_message))
        task->must_cancel = FALSE;
      _weft_task_suspend (task);
      if (task->waiter == future)
        {
          /* Resumed by close() while still waiting: detach from the future. */
          _weft_future_remove_record (future, &task->wake);
          task->waiter = NULL;
          weft_future_unref (future);
          g_set_error_literal (error, WEFT_ERROR, WEFT_ERROR_CLOSED, "The event loop is closed");
          return NULL;
        }
    }

  if (take_cancellation (task, error))
    return NULL;
  if (G_LIKELY (future->state == WEFT_FUTURE_RESULT))
    return future->result;
  return weft_future_get_result (future, error);
}

static void
sleep_done (gpointer data)
{
  WeftTask *task = data;

  task->sleep_handle = NULL;
  _weft_task_step (task);
}

/**
 * weft_sleep:
 * @seconds: how long to sleep; 0 (or less) yields to the loop for exactly one
 *   iteration
 * @error: return location for a #GError
 *
 * Suspends the calling task for @seconds (asyncio.sleep()).
 *
 * Returns: %TRUE after the sleep; %FALSE with %WEFT_ERROR_CANCELLED if the task
 *   was cancelled meanwhile
 */
gboolean
(weft_sleep) (double    seconds,
              GError  **error)
{
  return weft_sleep_at (seconds, error, NULL);
}

/**
 * weft_sleep_at:
 * @seconds: how long to sleep, as for weft_sleep()
 * @error: return location for a #GError
 * @where: (nullable): where the sleep is written (file:line), static
 *
 * weft_sleep(), remembering @where for the inspector. The weft_sleep() macro
 * passes %G_STRLOC.
 *
 * Returns: as weft_sleep()
 */
gboolean
weft_sleep_at (double    seconds,
               GError  **error,
               const char *where)
{
  WeftTask *task;
  WeftLoop *loop;

  g_return_val_if_fail (!isnan (seconds), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((task = check_in_task ("weft_sleep", error)) == NULL)
    return FALSE;
  loop = task->parent.loop;
  task->await_at = where;

  if (seconds <= 0 || task->must_cancel)
    {
      task->self_wakes++;
      _weft_task_schedule_step (task);
    }
  else
    {
      gint64 now = _weft_loop_now (loop);
      gint64 delay = isinf (seconds) || seconds > 1e9 ? WEFT_TIME_NEVER - now : (gint64) (seconds * 1e9);

      task->sleep_ns = delay;
      task->sleep_handle = _weft_loop_handle_for (loop, _weft_loop_schedule (loop, now + MAX (delay, 1), sleep_done,
                                                                              weft_task_ref (task),
                                                                              (GDestroyNotify) weft_task_unref,
                                                                              task->name, where ? where : task->created_at));
    }
  _weft_task_suspend (task);
  if (task->sleep_handle != NULL)
    {
      /* Resumed by close() during the sleep. */
      weft_handle_cancel (g_steal_pointer (&task->sleep_handle));
      g_set_error_literal (error, WEFT_ERROR, WEFT_ERROR_CLOSED, "The event loop is closed");
      return FALSE;
    }
  if (loop->closing)
    {
      g_set_error_literal (error, WEFT_ERROR, WEFT_ERROR_CLOSED, "The event loop is closed");
      return FALSE;
    }
  return !take_cancellation (task, error);
}
