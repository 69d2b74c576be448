/* weft-timeout.c: weft_wait_for() and timeout scopes (asyncio.wait_for(),
 * asyncio.timeout())
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>

#include "weft-error.h"
#include "weft-task-private.h"
#include "weft-timeout-private.h"

/**
 * WeftTimeout:
 *
 * A timeout scope (asyncio.timeout()), opened with weft_timeout_enter() and
 * closed with weft_timeout_leave().
 */
G_DEFINE_BOXED_TYPE (WeftTimeout, weft_timeout, weft_timeout_ref, weft_timeout_unref)

/* ------------------------------------------------------------- wait_for */

typedef struct
{
  WeftFuture           parent;
  WeftFuture          *inner;
  WeftHandle          *timer;
  gboolean             timed_out;
  gboolean             cancel_requested;
} WeftWaitFor;

WeftHandle *
_weft_wait_for_get_timer (WeftFuture *wait_for)
{
  return ((WeftWaitFor *) wait_for)->timer;
}

static void
wait_for_finalize (WeftFuture *future)
{
  WeftWaitFor *self = (WeftWaitFor *) future;

  if (self->timer)
    weft_handle_cancel (self->timer);
  g_clear_pointer (&self->inner, weft_future_unref);
}

/* Cancelling the waiting future cancels the inner one; the waiting future is
 * done (cancelled) only once the inner one is. */
static gboolean
wait_for_cancel (WeftFuture *future,
                 const char *message)
{
  WeftWaitFor *self = (WeftWaitFor *) future;

  self->cancel_requested = TRUE;
  weft_future_cancel (self->inner, message);
  return TRUE;
}

static void
wait_for_complete (WeftWaitFor *self)
{
  WeftFuture *outer = &self->parent;
  WeftFuture *inner = self->inner;

  if (outer->state != WEFT_FUTURE_PENDING)
    return;
  if (inner->state == WEFT_FUTURE_CANCELLED && self->timed_out && !self->cancel_requested)
    _weft_future_fail (outer, g_error_new_literal (WEFT_ERROR, WEFT_ERROR_TIMEOUT, "Timeout expired"));
  else if (self->cancel_requested && inner->state != WEFT_FUTURE_RESULT)
    {
      inner->error_retrieved = TRUE;
      _weft_future_cancel_internal (outer, NULL);
    }
  else
    _weft_future_copy_outcome (outer, inner);
}

static void
inner_done (WeftFuture *inner,
            gpointer    user_data)
{
  WeftWaitFor *self = user_data;

  if (self->timer)
    weft_handle_cancel (g_steal_pointer (&self->timer));
  wait_for_complete (self);
}

static void
on_timeout (gpointer user_data)
{
  WeftWaitFor *self = user_data;

  self->timer = NULL;
  self->timed_out = TRUE;
  weft_future_cancel (self->inner, "Timeout expired");
}

static const WeftFutureClass wait_for_class = {
  .name = "wait_for()",
  .cancel = wait_for_cancel,
  .finalize = wait_for_finalize,
};

/**
 * weft_wait_for:
 * @future: the future (or task) to wait for; a reference is taken
 * @timeout: seconds; +infinity waits forever
 *
 * Waits for @future with a time limit (asyncio.wait_for()). When the time is
 * up, @future is cancelled and the returned future fails with
 * %WEFT_ERROR_TIMEOUT only after @future has finished cancelling. A @timeout
 * of 0 or less cancels @future at once (a task that has not started never
 * starts), unless it is already done.
 *
 * Returns: (transfer full): a future with @future's result, or the timeout
 */
WeftFuture *
weft_wait_for (WeftFuture *future,
               double      timeout)
{
  WeftWaitFor *self;
  WeftFuture *outer;

  g_return_val_if_fail (future != NULL, NULL);
  g_return_val_if_fail (!isnan (timeout), NULL);

  self = _weft_future_new_of_class (future->loop, sizeof (WeftWaitFor), &wait_for_class);
  outer = &self->parent;
  self->inner = weft_future_ref (future);

  if (future->state != WEFT_FUTURE_PENDING)
    {
      _weft_future_copy_outcome (outer, future);
      return outer;
    }

  if (timeout <= 0)
    {
      self->timed_out = TRUE;
      weft_future_cancel (future, "Timeout expired");
    }
  else if (isfinite (timeout))
    self->timer = weft_loop_call_later (future->loop, timeout, on_timeout, self, NULL);
  /* The callback's reference keeps the waiting future alive for the timer. */
  weft_future_add_done_callback (future, inner_done, weft_future_ref (outer), (GDestroyNotify) weft_future_unref);
  return outer;
}

/* ------------------------------------------------------- timeout scopes */

typedef enum
{
  SCOPE_ACTIVE,
  SCOPE_EXPIRING,
  SCOPE_EXPIRED,
  SCOPE_LEFT,      /* left before it expired */
} ScopeState;

struct _WeftTimeout
{
  guint       ref_count;
  WeftTask   *task;
  WeftHandle *timer;
  guint       cancelling;  /* the task's cancelling() on entry */
  ScopeState  state;
};

static void
scope_expire (gpointer user_data)
{
  WeftTimeout *scope = user_data;

  scope->timer = NULL;
  scope->state = SCOPE_EXPIRING;
  weft_task_cancel (scope->task, "Timeout expired");
}

/**
 * weft_timeout_enter:
 * @delay: seconds until the scope expires; +infinity never
 *
 * Opens a timeout scope in the current task (asyncio.timeout()): when @delay
 * is up, the task is cancelled. Close the scope with weft_timeout_leave(),
 * which turns that cancellation into %WEFT_ERROR_TIMEOUT. Scopes nest; when
 * several expire, only the outermost one reports the timeout.
 *
 * Returns: (transfer full): the scope, or %NULL outside a task
 */
WeftTimeout *
weft_timeout_enter (double delay)
{
  WeftTask *task = weft_current_task ();
  WeftTimeout *scope;

  g_return_val_if_fail (task != NULL, NULL);
  g_return_val_if_fail (!isnan (delay), NULL);

  scope = g_new0 (WeftTimeout, 1);
  scope->ref_count = 1;
  scope->task = weft_task_ref (task);
  scope->cancelling = weft_task_cancelling (task);
  scope->state = SCOPE_ACTIVE;
  if (delay <= 0)
    scope->timer = weft_loop_call_soon (task->parent.loop, scope_expire, scope, NULL);
  else if (isfinite (delay))
    scope->timer = weft_loop_call_later (task->parent.loop, delay, scope_expire, scope, NULL);
  return scope;
}

/**
 * weft_timeout_expired:
 * @timeout: a timeout scope
 *
 * Tells whether the scope's time is up.
 *
 * Returns: whether the scope's time is up
 */
gboolean
weft_timeout_expired (WeftTimeout *timeout)
{
  g_return_val_if_fail (timeout != NULL, FALSE);

  return timeout->state == SCOPE_EXPIRING || timeout->state == SCOPE_EXPIRED;
}

/**
 * weft_timeout_leave:
 * @timeout: (transfer full): the scope to close
 * @error: (inout) (optional) (nullable): the error the scope's body ends with
 *
 * Closes and frees the scope. If the scope expired and *@error is the
 * cancellation it caused, *@error becomes %WEFT_ERROR_TIMEOUT.
 *
 * Returns: %TRUE if *@error is unset afterwards
 */
gboolean
weft_timeout_leave (WeftTimeout  *timeout,
                    GError      **error)
{
  gboolean ok;

  g_return_val_if_fail (timeout != NULL, FALSE);
  g_return_val_if_fail (timeout->state == SCOPE_ACTIVE || timeout->state == SCOPE_EXPIRING, FALSE);

  if (timeout->timer != NULL)
    weft_handle_cancel (g_steal_pointer (&timeout->timer));
  if (timeout->state == SCOPE_EXPIRING)
    {
      timeout->state = SCOPE_EXPIRED;
      if (weft_task_uncancel (timeout->task) <= timeout->cancelling
          && error != NULL && g_error_matches (*error, WEFT_ERROR, WEFT_ERROR_CANCELLED))
        {
          g_clear_error (error);
          g_set_error_literal (error, WEFT_ERROR, WEFT_ERROR_TIMEOUT, "Timeout expired");
        }
    }
  timeout->state = timeout->state == SCOPE_ACTIVE ? SCOPE_LEFT : timeout->state;
  ok = error == NULL || *error == NULL;
  weft_timeout_unref (timeout);
  return ok;
}

/**
 * weft_timeout_ref:
 * @timeout: a timeout scope
 *
 * Keeps the scope's memory alive after weft_timeout_leave() (to ask
 * weft_timeout_expired() later).
 *
 * Returns: (transfer full): @timeout
 */
WeftTimeout *
weft_timeout_ref (WeftTimeout *timeout)
{
  g_return_val_if_fail (timeout != NULL, NULL);

  timeout->ref_count++;
  return timeout;
}

/**
 * weft_timeout_unref:
 * @timeout: (transfer full): a timeout scope
 *
 * Drops a reference taken with weft_timeout_ref(). A scope still open is
 * closed by weft_timeout_leave(), not by this.
 */
void
weft_timeout_unref (WeftTimeout *timeout)
{
  g_return_if_fail (timeout != NULL);

  if (--timeout->ref_count > 0)
    return;
  /* A scope dropped without weft_timeout_leave() (say, by g_autoptr on an
   * early return) must not expire later on freed memory. */
  if (timeout->timer != NULL)
    weft_handle_cancel (g_steal_pointer (&timeout->timer));
  g_clear_pointer (&timeout->task, weft_task_unref);
  g_free (timeout);
}
