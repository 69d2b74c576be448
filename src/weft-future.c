/* weft-future.c: WeftFuture, asyncio's Future
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A future belongs to one loop and is used from that loop's thread. Done
 * callbacks never run inside set_result() and friends: they are scheduled with
 * call_soon, in registration order, exactly as asyncio does.
 */
#include "config.h"

#include <string.h>

#include "weft-error.h"
#include "weft-future-private.h"
#include "weft-task-private.h"   /* _weft_current_task: who created a future, for the inspector */

/**
 * WeftFuture:
 *
 * A result that is not there yet (asyncio.Future): pending, then done with a
 * result, an error, or cancelled. Futures belong to their loop's thread; their
 * reference count is not atomic.
 */
G_DEFINE_BOXED_TYPE (WeftFuture, weft_future, weft_future_ref, weft_future_unref)

#define MAX_SPARE_FUTURES 64

static void free_records (WeftDoneRecord *record);

GError *
_weft_cancelled_error_new (const char *message)
{
  return g_error_new_literal (WEFT_ERROR, WEFT_ERROR_CANCELLED, message ? message : "Cancelled");
}

const WeftFutureClass _weft_plain_future_class = {
  .name = "Future",
  .recycled = TRUE,
};

void
_weft_future_init (WeftFuture            *future,
                   WeftLoop              *loop,
                   const WeftFutureClass *klass)
{
  /* Field by field, every one of them (see WeftFuture): zeroing the whole
   * struct compiles to a rep stos, slow to start, and a recycled future is
   * filled here at every await of a fresh one. */
  future->ref_count = 1;
  future->state = WEFT_FUTURE_PENDING;
  future->error_retrieved = FALSE;
  future->finalizing = FALSE;
  future->loop = loop;
  future->klass = klass;
  future->result = NULL;
  future->result_destroy = NULL;
  future->error = NULL;
  future->callbacks = NULL;
  future->callbacks_tail = &future->callbacks;
  future->created_at = NULL;
  future->name = NULL;
  future->creator = NULL;
  _weft_loop_hold (loop);
}

/**
 * weft_loop_create_future:
 * @loop: a #WeftLoop
 *
 * Creates a pending future attached to @loop (asyncio's create_future()).
 *
 * Returns: (transfer full): a new #WeftFuture
 */
WeftFuture *
weft_loop_create_future (WeftLoop *loop)
{
  WeftFuture *future;

  g_return_val_if_fail (loop != NULL, NULL);

  /* Plain futures come and go at every await: recycle them per loop. */
  if (loop->spare_futures != NULL)
    {
      future = loop->spare_futures;
      loop->spare_futures = *(WeftFuture **) future;
      loop->n_spare_futures--;
    }
  else
    future = g_new (WeftFuture, 1);
  _weft_future_init (future, loop, &_weft_plain_future_class);
  future->creator = _weft_current_task;
  return future;
}

/**
 * weft_future_ref:
 * @future: a #WeftFuture
 *
 * Takes a reference on the future.
 *
 * Returns: (transfer full): @future
 */
WeftFuture *
weft_future_ref (WeftFuture *future)
{
  g_return_val_if_fail (future != NULL, NULL);
  g_return_val_if_fail (future->ref_count > 0, NULL);

  future->ref_count++;
  return future;
}

void
_weft_future_report (WeftFuture *future,
                     const char *message)
{
  WeftExceptionContext context = {
    .message = message,
    .error = future->error,
    .future = future,
    .task = _weft_future_is_task (future) ? (WeftTask *) future : NULL,
    .scheduled_at = future->created_at,
  };

  weft_loop_call_exception_handler (future->loop, &context);
}

/* Back to the loop's spare futures (the caller checked there is room). */
static inline void
recycle (WeftLoop   *loop,
         WeftFuture *future)
{
  *(WeftFuture **) future = loop->spare_futures;
  loop->spare_futures = future;
  loop->n_spare_futures++;
}

/* The last reference went: out of line, so that an unref stays a decrement
 * and a test (no stack frame for the report's message). */
G_GNUC_NO_INLINE void
_weft_future_free (WeftFuture *future)
{
  WeftLoop *loop = future->loop;

  /* A plain future that holds nothing (a task's await of a fresh future
   * every time): straight back to the spares. */
  if (G_LIKELY (future->klass == &_weft_plain_future_class && future->callbacks == NULL
                && future->result_destroy == NULL && future->error == NULL
                && loop->n_spare_futures < MAX_SPARE_FUTURES))
    {
      recycle (loop, future);
      _weft_loop_release (loop);
      return;
    }

  /* The report may look at the future (and take and drop references). */
  future->ref_count = 1;
  future->finalizing = TRUE;
  if (future->state == WEFT_FUTURE_ERROR && !future->error_retrieved)
    {
      char message[64];

      g_snprintf (message, sizeof message, "%s error was never retrieved", future->klass->name);
      _weft_future_report (future, message);
    }
  if (future->klass->finalize != NULL)
    future->klass->finalize (future);

  free_records (future->callbacks);
  if (future->result_destroy)
    future->result_destroy (future->result);
  if (future->error != NULL)
    g_clear_error (&future->error);
  if (future->klass->recycled && loop->n_spare_futures < MAX_SPARE_FUTURES)
    recycle (loop, future);
  else if (future->klass->free != NULL)
    future->klass->free (future);
  else
    g_free (future);
  _weft_loop_release (loop);
}

/**
 * weft_future_unref:
 * @future: (transfer full): a #WeftFuture
 *
 * Drops a reference. A future that failed and whose error nobody retrieved is
 * reported to the loop's exception handler when it is freed ("future error was
 * never retrieved").
 */
void
weft_future_unref (WeftFuture *future)
{
  g_return_if_fail (future != NULL);
  g_return_if_fail (future->ref_count > 0);

  _weft_future_unref (future);
}

/**
 * weft_future_get_loop:
 * @future: a #WeftFuture
 *
 * Gets the loop the future belongs to.
 *
 * Returns: (transfer none): the loop @future belongs to
 */
WeftLoop *
weft_future_get_loop (WeftFuture *future)
{
  g_return_val_if_fail (future != NULL, NULL);

  return future->loop;
}

/**
 * weft_future_set_name:
 * @future: a #WeftFuture
 * @name: (nullable): what the future stands for, a static string: the
 *   operation it waits for ("g_file_read_async", "reply from the server")
 *
 * Names the future for people: a task awaiting it is described (in the
 * inspector, in weft_task_describe_await()) as awaiting @name, with where
 * the future was created, rather than as "a future".
 */
void
weft_future_set_name (WeftFuture *future,
                      const char *name)
{
  g_return_if_fail (future != NULL);

  future->name = name;
}

/**
 * weft_future_get_name:
 * @future: a #WeftFuture
 *
 * Gets the name given with weft_future_set_name().
 *
 * Returns: (nullable): the name
 */
const char *
weft_future_get_name (WeftFuture *future)
{
  g_return_val_if_fail (future != NULL, NULL);

  return future->name;
}

static void
run_done_record (gpointer data)
{
  WeftDoneRecord *record = data;

  record->callback (record->future, record->data);
}

/* The slot's destroy notify: runs after the callback, or alone if the loop
 * closes first. */
static void
release_done_record (gpointer data)
{
  WeftDoneRecord *record = data;
  WeftFuture *future = g_steal_pointer (&record->future);

  if (record->owned)
    {
      if (record->destroy)
        record->destroy (record->data);
      g_free (record);
    }
  weft_future_unref (future);
}

/* A scheduled done callback: a light call (weft-ready-queue-private.h)
 * whose destroy notify releases the record after the call, or when it is
 * cancelled or dropped. */
const WeftInternalSite _weft_done_record_site = { { "future done callback", NULL }, release_done_record };

static void
schedule_record (WeftFuture     *future,
                 WeftDoneRecord *record)
{
  record->next = NULL;
  if (record->wakes_task)
    {
      /* A task awaiting @future: its next step is queued in the record's
       * place (asyncio's __wakeup, without a call of its own); the step
       * drops the task's reference on @future once it ran. */
      _weft_task_schedule_step (record->data);
      return;
    }
  record->future = weft_future_ref (future);
  record->handle = _weft_loop_schedule_internal (future->loop, run_done_record, record, &_weft_done_record_site);
}

static void
free_records (WeftDoneRecord *record)
{
  for (WeftDoneRecord *next; record != NULL; record = next)
    {
      next = record->next;
      if (record->owned)
        {
          if (record->destroy)
            record->destroy (record->data);
          g_free (record);
        }
    }
}

/* Moves to a final state and schedules the done callbacks. (Inline: a
 * task's await of a fresh future runs it at every hand-off.) */
static inline __attribute__ ((always_inline)) void
finish (WeftFuture *future)
{
  WeftDoneRecord *record = future->callbacks;

  future->callbacks = NULL;
  future->callbacks_tail = &future->callbacks;
  if (future->loop->closed)
    {
      /* Nothing will run them: drop them now. */
      free_records (record);
      return;
    }
  for (WeftDoneRecord *next; record != NULL; record = next)
    {
      next = record->next;
      schedule_record (future, record);
    }
}

static gboolean
check_settable (WeftFuture *future,
                const char *what)
{
  if (future->state == WEFT_FUTURE_PENDING)
    return TRUE;
  if (future->state != WEFT_FUTURE_CANCELLED)
    g_critical ("Weft: %s on a future that is already done (invalid state)", what);
  return FALSE;
}

/**
 * weft_future_set_result:
 * @future: a pending #WeftFuture
 * @result: (nullable) (transfer full): the result
 * @result_destroy: (nullable): frees @result with the future
 *
 * Marks the future done with @result and schedules its done callbacks.
 * Setting the result of a future that is already done is a programmer error;
 * a future cancelled meanwhile silently drops the result. Either way @result is
 * freed with @result_destroy.
 *
 * Returns: %TRUE if the result was set
 */
gboolean
weft_future_set_result (WeftFuture     *future,
                        gpointer        result,
                        GDestroyNotify  result_destroy)
{
  g_return_val_if_fail (future != NULL, FALSE);
  g_return_val_if_fail (!_weft_future_is_task (future), FALSE);

  if (!check_settable (future, "set_result"))
    {
      if (result_destroy)
        result_destroy (result);
      return FALSE;
    }

  future->state = WEFT_FUTURE_RESULT;
  future->result = result;
  future->result_destroy = result_destroy;
  finish (future);
  return TRUE;
}

/**
 * weft_future_set_error:
 * @future: a pending #WeftFuture
 * @error: (transfer full): the error
 *
 * Marks the future failed with @error and schedules its done callbacks. An
 * error of %WEFT_ERROR_CANCELLED makes the future cancelled.
 *
 * Returns: %TRUE if the error was set
 */
gboolean
weft_future_set_error (WeftFuture *future,
                       GError     *error)
{
  g_return_val_if_fail (future != NULL, FALSE);
  g_return_val_if_fail (error != NULL, FALSE);
  g_return_val_if_fail (!_weft_future_is_task (future), FALSE);

  if (!check_settable (future, "set_error"))
    {
      g_error_free (error);
      return FALSE;
    }

  future->state = g_error_matches (error, WEFT_ERROR, WEFT_ERROR_CANCELLED)
                ? WEFT_FUTURE_CANCELLED : WEFT_FUTURE_ERROR;
  future->error = error;
  finish (future);
  return TRUE;
}

/* Tasks finish their own future through this; user code cannot. */
void
_weft_future_finish_task (WeftFuture     *future,
                          gpointer        result,
                          GDestroyNotify  destroy,
                          GError         *error)
{
  g_assert (future->state == WEFT_FUTURE_PENDING);

  if (error == NULL)
    {
      future->state = WEFT_FUTURE_RESULT;
      future->result = result;
      future->result_destroy = destroy;
    }
  else
    {
      future->state = g_error_matches (error, WEFT_ERROR, WEFT_ERROR_CANCELLED)
                    ? WEFT_FUTURE_CANCELLED : WEFT_FUTURE_ERROR;
      future->error = error;
      if (destroy)
        destroy (result);
    }
  finish (future);
}

gpointer
_weft_future_new_of_class (WeftLoop              *loop,
                           gsize                  size,
                           const WeftFutureClass *klass)
{
  WeftFuture *future = g_malloc0 (size);

  g_assert (size >= sizeof (WeftFuture));
  _weft_future_init (future, loop, klass);
  return future;
}

/* Fails @future with @error even if it is a cancellation: the future is then
 * not "cancelled", but awaiting it gives the cancellation error. */
void
_weft_future_fail (WeftFuture *future,
                   GError     *error)
{
  g_assert (future->state == WEFT_FUTURE_PENDING);

  future->state = WEFT_FUTURE_ERROR;
  future->error = error;
  finish (future);
}

/* Gives @outer the outcome of the done future @inner: the same result (owned by
 * @inner, which the caller keeps alive), a copy of its error, or cancellation. */
void
_weft_future_copy_outcome (WeftFuture *outer,
                           WeftFuture *inner)
{
  switch ((WeftFutureState) inner->state)
    {
    case WEFT_FUTURE_RESULT:
      outer->state = WEFT_FUTURE_RESULT;
      outer->result = inner->result;
      finish (outer);
      break;
    case WEFT_FUTURE_CANCELLED:
      _weft_future_cancel_internal (outer, inner->error->message);
      break;
    case WEFT_FUTURE_ERROR:
      inner->error_retrieved = TRUE;
      _weft_future_fail (outer, g_error_copy (inner->error));
      break;
    case WEFT_FUTURE_PENDING:
    default:
      g_assert_not_reached ();
    }
}

gboolean
_weft_future_cancel_internal (WeftFuture *future,
                              const char *message)
{
  if (future->state != WEFT_FUTURE_PENDING)
    return FALSE;
  future->state = WEFT_FUTURE_CANCELLED;
  future->error = _weft_cancelled_error_new (message);
  finish (future);
  return TRUE;
}

/**
 * weft_future_cancel:
 * @future: a #WeftFuture (or a task, see weft_task_cancel())
 * @message: (nullable): the cancellation message
 *
 * Cancels the future and schedules its done callbacks.
 *
 * Returns: %FALSE if the future was already done, else %TRUE
 */
gboolean
weft_future_cancel (WeftFuture *future,
                    const char *message)
{
  g_return_val_if_fail (future != NULL, FALSE);

  if (future->klass->cancel != NULL)
    return future->state == WEFT_FUTURE_PENDING && future->klass->cancel (future, message);
  return _weft_future_cancel_internal (future, message);
}

/**
 * weft_future_is_done:
 * @future: a #WeftFuture
 *
 * Tells whether the future is done: it has a result or an error, or was cancelled.
 *
 * Returns: %TRUE if the future has a result, an error or was cancelled
 */
gboolean
weft_future_is_done (WeftFuture *future)
{
  g_return_val_if_fail (future != NULL, FALSE);

  return future->state != WEFT_FUTURE_PENDING;
}

/**
 * weft_future_is_cancelled:
 * @future: a #WeftFuture
 *
 * Tells whether the future was cancelled.
 *
 * Returns: %TRUE if the future was cancelled
 */
gboolean
weft_future_is_cancelled (WeftFuture *future)
{
  g_return_val_if_fail (future != NULL, FALSE);

  return future->state == WEFT_FUTURE_CANCELLED;
}

gboolean
_weft_future_succeeded (WeftFuture *future)
{
  return future->state == WEFT_FUTURE_RESULT;
}

/**
 * weft_future_propagate:
 * @future: a #WeftFuture
 * @error: return location for a #GError
 *
 * Tells whether @future succeeded, and otherwise why not: its error, a
 * %WEFT_ERROR_CANCELLED error, or %WEFT_ERROR_INVALID_STATE if it is pending.
 * Retrieving the error keeps it from being reported as never retrieved.
 *
 * Returns: %TRUE if @future has a result
 */
gboolean
weft_future_propagate (WeftFuture  *future,
                       GError     **error)
{
  g_return_val_if_fail (future != NULL, FALSE);

  switch ((WeftFutureState) future->state)
    {
    case WEFT_FUTURE_RESULT:
      return TRUE;
    case WEFT_FUTURE_PENDING:
      g_set_error_literal (error, WEFT_ERROR, WEFT_ERROR_INVALID_STATE, "Result is not set: the future is pending");
      return FALSE;
    case WEFT_FUTURE_ERROR:
    case WEFT_FUTURE_CANCELLED:
    default:
      future->error_retrieved = TRUE;
      if (error != NULL)
        g_propagate_error (error, g_error_copy (future->error));
      return FALSE;
    }
}

/**
 * weft_future_get_result:
 * @future: a #WeftFuture
 * @error: return location for a #GError
 *
 * Returns the result of a future that succeeded. A failed future gives its
 * error, a cancelled one %WEFT_ERROR_CANCELLED, a pending one
 * %WEFT_ERROR_INVALID_STATE. A result may itself be %NULL: check @error (or
 * use weft_future_propagate()) to tell.
 *
 * Returns: (transfer none) (nullable): the result, owned by the future
 */
gpointer
weft_future_get_result (WeftFuture  *future,
                        GError     **error)
{
  g_return_val_if_fail (future != NULL, NULL);

  if (!weft_future_propagate (future, error))
    return NULL;
  return future->result;
}

void
_weft_future_add_record (WeftFuture     *future,
                         WeftDoneRecord *record)
{
  if (future->state != WEFT_FUTURE_PENDING)
    schedule_record (future, record);
  else
    _weft_future_append_record (future, record);
}

/* Takes @record back from @future: out of its list if it is still waiting
 * there, or by cancelling its scheduled call if @future is already done. */
gboolean
_weft_future_remove_record (WeftFuture     *future,
                            WeftDoneRecord *record)
{
  for (WeftDoneRecord **link = &future->callbacks; *link != NULL; link = &(*link)->next)
    {
      if (*link == record)
        {
          *link = record->next;
          if (future->callbacks_tail == &record->next)
            future->callbacks_tail = link;
          record->next = NULL;
          return TRUE;
        }
    }
  if (record->future != NULL)
    return weft_handle_cancel (record->handle);   /* runs release_done_record () now */
  return FALSE;
}

/**
 * weft_future_add_done_callback:
 * @future: a #WeftFuture
 * @callback: (scope notified) (closure user_data) (destroy destroy): the callback
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data after @callback ran or was removed
 *
 * Adds a callback to run (through call_soon, in registration order) once the
 * future is done; if it is done already, schedules it at once.
 */
void
weft_future_add_done_callback (WeftFuture         *future,
                               WeftFutureCallback  callback,
                               gpointer            user_data,
                               GDestroyNotify      destroy)
{
  WeftDoneRecord *record;

  g_return_if_fail (future != NULL);
  g_return_if_fail (callback != NULL);

  record = g_new0 (WeftDoneRecord, 1);
  record->callback = callback;
  record->data = user_data;
  record->destroy = destroy;
  record->owned = TRUE;
  _weft_future_add_record (future, record);
}

/**
 * weft_future_remove_done_callback:
 * @future: a #WeftFuture
 * @callback: (scope call): the callback (only compared, never called)
 * @user_data: the data it was added with
 *
 * Removes every done callback added with @callback and @user_data that was
 * not scheduled yet.
 *
 * Returns: the number of callbacks removed
 */
guint
weft_future_remove_done_callback (WeftFuture         *future,
                                  WeftFutureCallback  callback,
                                  gpointer            user_data)
{
  WeftDoneRecord **link;
  guint removed = 0;

  g_return_val_if_fail (future != NULL, 0);

  link = &future->callbacks;
  while (*link != NULL)
    {
      WeftDoneRecord *record = *link;

      if (record->owned && record->callback == callback && record->data == user_data)
        {
          *link = record->next;
          if (record->destroy)
            record->destroy (record->data);
          g_free (record);
          removed++;
        }
      else
        link = &record->next;
    }
  future->callbacks_tail = link;
  return removed;
}

void
_weft_future_pool_clear (WeftLoop *loop)
{
  while (loop->spare_futures != NULL)
    {
      WeftFuture *future = loop->spare_futures;

      loop->spare_futures = *(WeftFuture **) future;
      g_free (future);
    }
  loop->n_spare_futures = 0;
}
