/* weft-gather.c: weft_gather(), asyncio.gather()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdarg.h>

#include "weft-error.h"
#include "weft-task-private.h"

typedef struct
{
  WeftFuture           parent;
  WeftFuture         **children;
  guint                n_children;
  guint                n_done;
  gboolean             return_exceptions;
  gboolean             cancel_requested;
  char                *cancel_message;
} WeftGather;

static void
gather_finalize (WeftFuture *future)
{
  WeftGather *gather = (WeftGather *) future;

  for (guint i = 0; i < gather->n_children; i++)
    weft_future_unref (gather->children[i]);
  g_free (gather->children);
  g_free (gather->cancel_message);
}

/* Cancelling a gather cancels every child that is not done (asyncio's
 * _GatheringFuture.cancel()). As in asyncio, the gather then fails with the
 * first cancelled child's error (at once, without return_exceptions), or
 * with a cancellation error once all are done (with it): it is not itself
 * in the cancelled state. */
static gboolean
gather_cancel (WeftFuture *future,
               const char *message)
{
  WeftGather *gather = (WeftGather *) future;
  gboolean any = FALSE;

  for (guint i = 0; i < gather->n_children; i++)
    any |= weft_future_cancel (gather->children[i], message);
  if (any)
    {
      gather->cancel_requested = TRUE;
      g_free (gather->cancel_message);
      gather->cancel_message = g_strdup (message);
    }
  return any;
}

/* Fails the gather with a cancellation. Nobody has to read that error: a
 * cancelled gather nobody awaits is not worth a "never retrieved" report. */
static void
fail_cancelled (WeftGather *gather,
                GError     *error)
{
  WeftFuture *outer = &gather->parent;

  _weft_future_fail (outer, error);
  outer->error_retrieved = TRUE;
}

static void
gather_complete (WeftGather *gather)
{
  WeftFuture *outer = &gather->parent;
  GPtrArray *results;

  if (gather->cancel_requested)
    {
      fail_cancelled (gather, _weft_cancelled_error_new (gather->cancel_message));
      return;
    }

  results = g_ptr_array_sized_new (gather->n_children);
  for (guint i = 0; i < gather->n_children; i++)
    {
      WeftFuture *child = gather->children[i];

      if (child->state == WEFT_FUTURE_RESULT)
        g_ptr_array_add (results, child->result);
      else
        {
          child->error_retrieved = TRUE;
          g_ptr_array_add (results, NULL);
        }
    }
  weft_future_set_result (outer, results, (GDestroyNotify) g_ptr_array_unref);
}

static void
child_done (WeftFuture *child,
            gpointer    user_data)
{
  WeftGather *gather = user_data;
  WeftFuture *outer = &gather->parent;

  gather->n_done++;
  if (outer->state != WEFT_FUTURE_PENDING)
    {
      /* The gather failed already: its other errors are not reported. */
      child->error_retrieved = TRUE;
      return;
    }

  if (!gather->return_exceptions && child->state != WEFT_FUTURE_RESULT)
    {
      /* The first failure wins, at once. A cancelled child (also one the
       * gather's own cancel() cancelled) fails the gather with its
       * cancellation error, but does not make the gather cancelled. */
      child->error_retrieved = TRUE;
      if (gather->cancel_requested)
        fail_cancelled (gather, g_error_copy (child->error));
      else
        _weft_future_fail (outer, g_error_copy (child->error));
      return;
    }

  if (gather->n_done == gather->n_children)
    gather_complete (gather);
}

static const WeftFutureClass gather_class = {
  .name = "gather()",
  .cancel = gather_cancel,
  .finalize = gather_finalize,
};

/**
 * weft_gatherv:
 * @futures: (array length=n_futures): the futures (or tasks) to wait for; a
 *   reference is taken on each
 * @n_futures: how many
 * @return_exceptions: if %FALSE, the first failure fails the gather; if
 *   %TRUE, the gather waits for all and succeeds, and failed children give %NULL
 *   results (look at them with weft_gather_get_child())
 *
 * Waits for all @futures (asyncio.gather()). The result is a #GPtrArray of the
 * children's results in argument order (owned by the children, which the
 * gather keeps alive). Cancelling the gather cancels the children and, as in
 * asyncio, the gather fails with %WEFT_ERROR_CANCELLED as soon as the first
 * of them is cancelled (or, with @return_exceptions, once all are done), so a
 * task awaiting it sees the cancellation at once; weft_future_is_cancelled()
 * stays %FALSE for the gather itself. A child cancelled on its own fails the
 * gather the same way.
 *
 * Returns: (transfer full): the gathering future
 */
WeftFuture *
weft_gatherv (WeftFuture **futures,
              guint        n_futures,
              gboolean     return_exceptions)
{
  WeftLoop *loop;
  WeftGather *gather;

  g_return_val_if_fail (futures != NULL || n_futures == 0, NULL);

  loop = n_futures > 0 ? futures[0]->loop : weft_get_event_loop ();
  g_return_val_if_fail (loop != NULL, NULL);
  for (guint i = 0; i < n_futures; i++)
    {
      g_return_val_if_fail (futures[i] != NULL, NULL);
      g_return_val_if_fail (futures[i]->loop == loop, NULL);
    }

  gather = _weft_future_new_of_class (loop, sizeof (WeftGather), &gather_class);
  gather->children = g_new (WeftFuture *, MAX (n_futures, 1));
  gather->n_children = n_futures;
  gather->return_exceptions = return_exceptions;
  for (guint i = 0; i < n_futures; i++)
    gather->children[i] = weft_future_ref (futures[i]);

  if (n_futures == 0)
    gather_complete (gather);
  /* Each child's callback holds a reference on the gather. */
  for (guint i = 0; i < n_futures; i++)
    weft_future_add_done_callback (futures[i], child_done,
                                   weft_future_ref (&gather->parent),
                                   (GDestroyNotify) weft_future_unref);
  return &gather->parent;
}

/**
 * weft_gather:
 * @first: the first future
 * @...: more futures, then %NULL
 *
 * weft_gatherv() over a %NULL-terminated list, with return_exceptions off.
 *
 * Returns: (transfer full): the gathering future
 */
WeftFuture *
weft_gather (WeftFuture *first,
             ...)
{
  g_autoptr(GPtrArray) futures = g_ptr_array_new ();
  va_list args;

  va_start (args, first);
  for (WeftFuture *f = first; f != NULL; f = va_arg (args, WeftFuture *))
    g_ptr_array_add (futures, f);
  va_end (args);

  return weft_gatherv ((WeftFuture **) futures->pdata, futures->len, FALSE);
}

/**
 * weft_gather_get_child:
 * @gather: a future from weft_gather() or weft_gatherv()
 * @index: which child
 *
 * Gets one of the futures a gather() future waits for, to read its own result or error.
 *
 * Returns: (transfer none): the @index-th future given to the gather
 */
WeftFuture *
weft_gather_get_child (WeftFuture *gather,
                       guint       index)
{
  WeftGather *self = (WeftGather *) gather;

  g_return_val_if_fail (gather != NULL, NULL);
  g_return_val_if_fail (gather->klass == &gather_class, NULL);
  g_return_val_if_fail (index < self->n_children, NULL);

  return self->children[index];
}
