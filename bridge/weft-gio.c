/* weft-gio.c: awaiting GIO's asynchronous calls from tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A GIO future completes when GIO calls weft_future_async_ready_callback(),
 * and not before: cancelling it trips its GCancellable and the future ends up
 * cancelled once GIO has really given up the operation. So a task cancelled
 * in the middle of g_input_stream_read_async() never returns while GIO may
 * still write into its buffer.
 */
#include "config.h"

#include "weft-future-private.h"
#include "weft-gio.h"

typedef struct
{
  WeftFuture           parent;
  GCancellable        *cancellable;
  char                *cancel_message;
  gboolean             cancel_requested;
} WeftGioFuture;

static void
gio_future_finalize (WeftFuture *future)
{
  WeftGioFuture *self = (WeftGioFuture *) future;

  g_clear_object (&self->cancellable);
  g_free (self->cancel_message);
}

static gboolean
gio_future_cancel (WeftFuture *future,
                   const char *message)
{
  WeftGioFuture *self = (WeftGioFuture *) future;

  if (self->cancel_requested)
    return FALSE;
  self->cancel_requested = TRUE;
  self->cancel_message = g_strdup (message);
  g_cancellable_cancel (self->cancellable);
  return TRUE;
}

static const WeftFutureClass gio_future_class = {
  .name = "GIO future",
  .cancel = gio_future_cancel,
  .finalize = gio_future_finalize,
};

/**
 * weft_future_new_for_cancellable:
 * @loop: a #WeftLoop
 * @cancellable: (nullable): the #GCancellable passed to the GIO call, or
 *   %NULL if the call is not cancellable
 *
 * Creates a future for one GIO asynchronous call. Start the call with
 * @cancellable and with weft_future_async_ready_callback() as its callback
 * and a reference to the future as its user data:
 *
 * |[<!-- language="C" -->
 * g_autoptr(GCancellable) cancellable = g_cancellable_new ();
 * g_autoptr(WeftFuture) future = weft_future_new_for_cancellable (loop, cancellable);
 * g_file_load_contents_async (file, cancellable, weft_future_async_ready_callback,
 *                             weft_future_ref (future));
 * GAsyncResult *result = weft_await (future, &error);
 * if (result != NULL)
 *   g_file_load_contents_finish (file, result, &contents, &length, NULL, &error);
 * ]|
 *
 * The future's result is the #GAsyncResult. Cancelling the future (or the task
 * awaiting it) cancels @cancellable; the future is then cancelled once GIO
 * calls back, so buffers given to GIO stay in use until then.
 *
 * Returns: (transfer full): the future
 */
WeftFuture *
weft_future_new_for_cancellable (WeftLoop     *loop,
                                 GCancellable *cancellable)
{
  WeftGioFuture *self;

  g_return_val_if_fail (loop != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  self = _weft_future_new_of_class (loop, sizeof (WeftGioFuture), &gio_future_class);
  self->cancellable = cancellable ? g_object_ref (cancellable) : g_cancellable_new ();
  return &self->parent;
}

/**
 * weft_future_async_ready_callback:
 * @source_object: (nullable): the source of the operation
 * @result: its result
 * @user_data: (transfer full): a reference to a future from
 *   weft_future_new_for_cancellable()
 *
 * A #GAsyncReadyCallback that completes the future with @result (or makes it
 * cancelled, if it was cancelled meanwhile) and drops the reference.
 */
void
weft_future_async_ready_callback (GObject      *source_object,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  WeftFuture *future = user_data;
  WeftGioFuture *self = user_data;

  g_return_if_fail (future != NULL);
  g_return_if_fail (future->klass == &gio_future_class);

  if (future->state == WEFT_FUTURE_PENDING)
    {
      if (self->cancel_requested)
        _weft_future_cancel_internal (future, self->cancel_message);
      else
        weft_future_set_result (future, g_object_ref (result), g_object_unref);
    }
  weft_future_unref (future);
}
