/* weft-handle.c: operations on handle tokens
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See weft-handle-private.h: a handle is a token, resolved here against its
 * loop's slot table; a token whose slot moved on resolves to nothing.
 */
#include "config.h"

#include <math.h>

#include "weft-loop-private.h"

/**
 * WeftHandle:
 *
 * A scheduled callback, as returned by weft_loop_call_soon() and friends
 * (asyncio.Handle / TimerHandle). A handle is a token, never dereferenced:
 * using one after its callback ran or its loop closed is a harmless no-op.
 * weft_handle_ref() pins it so weft_handle_get_loop() and friends keep answering.
 */
G_DEFINE_BOXED_TYPE (WeftHandle, weft_handle, weft_handle_ref, weft_handle_unref)

static WeftSlot *
resolve (WeftHandle  *handle,
         WeftLoop   **loop_out,
         guint32     *index_out)
{
  guintptr token = (guintptr) handle;
  guint loop_id = (guint) (token >> (WEFT_TOKEN_SLOT_BITS + WEFT_TOKEN_GEN_BITS));
  guint32 gen = (guint32) ((token >> WEFT_TOKEN_SLOT_BITS) & WEFT_TOKEN_MASK (WEFT_TOKEN_GEN_BITS));
  guint32 index = (guint32) (token & WEFT_TOKEN_MASK (WEFT_TOKEN_SLOT_BITS));
  WeftLoop *loop = _weft_loop_lookup (loop_id);
  WeftSlot *slot;

  if (loop == NULL || index >= loop->slots.n_slots)
    return NULL;
  slot = _weft_slot_table_get (&loop->slots, index);
  if (!(slot->flags & WEFT_SLOT_LIVE) || slot->gen != gen)
    return NULL;
  *loop_out = loop;
  *index_out = index;
  return slot;
}

/**
 * weft_handle_cancel:
 * @handle: (nullable): a handle from weft_loop_call_soon() and friends
 *
 * Cancels the call: its callback will not run, and its destroy notify runs
 * now. Cancelling a call that already ran, or was cancelled, does nothing.
 *
 * Returns: %TRUE if this call cancelled it
 */
gboolean
weft_handle_cancel (WeftHandle *handle)
{
  WeftLoop *loop;
  WeftSlot *slot;
  guint32 index;
  GDestroyNotify destroy;
  gpointer data;

  if (handle == NULL || (slot = resolve (handle, &loop, &index)) == NULL)
    return FALSE;
  if (!(slot->flags & WEFT_SLOT_QUEUED) || (slot->flags & WEFT_SLOT_CANCELLED))
    return FALSE;

  /* The slot stays queued (lazily deleted) until the ready queue or the timer
   * heap drops it, so the token stays valid until then. */
  slot->flags |= WEFT_SLOT_CANCELLED;
  if (slot->flags & WEFT_SLOT_TIMER)
    loop->n_cancelled_timers++;
  destroy = slot->destroy;
  data = slot->data;
  slot->destroy = NULL;
  slot->data = NULL;
  if (destroy)
    destroy (data);
  return TRUE;
}

/**
 * weft_handle_is_cancelled:
 * @handle: (nullable): a handle
 *
 * Tells whether the handle was cancelled.
 *
 * Returns: %TRUE if the call was cancelled. Once a call ran or was dropped,
 *   its handle only remembers this if it was pinned with weft_handle_ref().
 */
gboolean
weft_handle_is_cancelled (WeftHandle *handle)
{
  WeftLoop *loop;
  WeftSlot *slot;
  guint32 index;

  if (handle == NULL || (slot = resolve (handle, &loop, &index)) == NULL)
    return FALSE;
  return (slot->flags & WEFT_SLOT_CANCELLED) != 0;
}

/**
 * weft_handle_when:
 * @handle: a timer handle (from weft_loop_call_later() or weft_loop_call_at())
 *
 * Gets the time (weft_loop_time()) the callback is due at.
 *
 * Returns: the timer's deadline on the clock of weft_loop_time(), +infinity
 *   for a timer that never fires, or NaN if @handle is not a timer or is gone
 */
double
weft_handle_when (WeftHandle *handle)
{
  WeftLoop *loop;
  WeftSlot *slot;
  guint32 index;

  if (handle == NULL || (slot = resolve (handle, &loop, &index)) == NULL
      || !(slot->flags & WEFT_SLOT_TIMER))
    return NAN;
  if (slot->when == WEFT_TIME_NEVER)
    return INFINITY;
  return (double) slot->when / 1e9;
}

/**
 * weft_handle_get_loop:
 * @handle: a handle
 *
 * Gets the loop the handle's callback was scheduled on.
 *
 * Returns: (transfer none) (nullable): the handle's loop, or %NULL if the
 *   handle is gone
 */
WeftLoop *
weft_handle_get_loop (WeftHandle *handle)
{
  WeftLoop *loop;
  guint32 index;

  if (handle == NULL || resolve (handle, &loop, &index) == NULL)
    return NULL;
  return loop;
}

/**
 * weft_handle_ref:
 * @handle: a handle
 *
 * Pins the handle, so that weft_handle_is_cancelled() and weft_handle_when()
 * still answer after the call ran. Pinning a handle that is gone does nothing.
 * Handles belong to their loop's thread.
 *
 * Returns: @handle
 */
WeftHandle *
weft_handle_ref (WeftHandle *handle)
{
  WeftLoop *loop;
  WeftSlot *slot;
  guint32 index;

  if (handle != NULL && (slot = resolve (handle, &loop, &index)) != NULL)
    {
      g_return_val_if_fail (slot->pins < G_MAXUINT16, handle);
      slot->pins++;
    }
  return handle;
}

/**
 * weft_handle_unref:
 * @handle: a handle
 *
 * Unpins a handle pinned with weft_handle_ref(). Handles returned by the
 * scheduling calls carry no reference of their own, so unpinning a handle that
 * is not pinned does nothing (a g_autoptr() on a plain handle is harmless).
 */
void
weft_handle_unref (WeftHandle *handle)
{
  WeftLoop *loop;
  WeftSlot *slot;
  guint32 index;

  if (handle == NULL || (slot = resolve (handle, &loop, &index)) == NULL || slot->pins == 0)
    return;

  slot->pins--;
  _weft_slot_table_release (&loop->slots, index);
}

/* The deadline in ns on the loop clock, or 0 if @handle is gone or not a
 * timer (for tests and the fuzzer's model). */
gint64
_weft_handle_when_ns (WeftHandle *handle)
{
  WeftLoop *loop;
  WeftSlot *slot;
  guint32 index;

  if (handle == NULL || (slot = resolve (handle, &loop, &index)) == NULL || !(slot->flags & WEFT_SLOT_TIMER))
    return 0;
  return slot->when;
}

/* Whether the handle's callback is running right now. */
gboolean
_weft_handle_is_running (WeftHandle *handle)
{
  WeftLoop *loop;
  WeftSlot *slot;
  guint32 index;

  if (handle == NULL || (slot = resolve (handle, &loop, &index)) == NULL)
    return FALSE;
  return (slot->flags & WEFT_SLOT_RUNNING) != 0;
}
