/* weft-shield.c: weft_shield(), asyncio.shield()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "weft-task-private.h"

typedef struct
{
  WeftFuture           parent;
  WeftFuture          *inner;
} WeftShield;

static void
shield_finalize (WeftFuture *future)
{
  g_clear_pointer (&((WeftShield *) future)->inner, weft_future_unref);
}

static void
inner_done (WeftFuture *inner,
            gpointer    user_data)
{
  WeftFuture *outer = user_data;

  if (outer->state != WEFT_FUTURE_PENDING)
    {
      /* The shield was cancelled: nobody will look at the inner's error. */
      inner->error_retrieved = TRUE;
      return;
    }
  _weft_future_copy_outcome (outer, inner);
}

static const WeftFutureClass shield_class = {
  .name = "shield()",
  .finalize = shield_finalize,
};

/**
 * weft_shield:
 * @future: the future (or task) to protect; a reference is taken
 *
 * Returns a future that completes like @future, but whose cancellation does
 * not cancel @future (asyncio.shield()). @future is kept alive until it is done.
 *
 * Returns: (transfer full): the shielding future
 */
WeftFuture *
weft_shield (WeftFuture *future)
{
  WeftShield *shield;

  g_return_val_if_fail (future != NULL, NULL);

  shield = _weft_future_new_of_class (future->loop, sizeof (WeftShield), &shield_class);
  shield->inner = weft_future_ref (future);
  if (future->state != WEFT_FUTURE_PENDING)
    _weft_future_copy_outcome (&shield->parent, future);
  else
    weft_future_add_done_callback (future, inner_done,
                                   weft_future_ref (&shield->parent),
                                   (GDestroyNotify) weft_future_unref);
  return &shield->parent;
}
