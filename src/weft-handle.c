/* weft-handle.c: operations on handle tokens
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See weft-handle-private.h: a handle is a token. A slot token is resolved
 * against its loop's slot table (a token whose slot moved on resolves to
 * nothing); a light call's token against the ready queue, where its entry
 * is until it runs, and the loop's few pinned light calls.
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

/* What a pinned light call remembers once it left the ready queue. */
typedef struct
{
  guint32 pins;
  guint32 cancelled;
} RingPin;

/* A resolved token: a slot, or a light call (its entry while queued, its pin
 * record once pinned), or nothing (gone). */
typedef struct
{
  WeftLoop       *loop;
  WeftSlot       *slot;
  guint32         index;
  guint64         seq;
  WeftReadyEntry *entry;
  RingPin        *pin;
} Resolved;

static gboolean
resolve (WeftHandle *handle,
         Resolved   *r)
{
  guintptr token = (guintptr) handle;
  WeftLoop *loop;

  *r = (Resolved) { NULL };
  if (handle == NULL)
    return FALSE;
  loop = _weft_loop_lookup ((guint) (token >> WEFT_TOKEN_LOOP_SHIFT));
  if (loop == NULL)
    return FALSE;
  r->loop = loop;
  if (token & WEFT_TOKEN_RING)
    {
      r->seq = token & WEFT_TOKEN_MASK (WEFT_TOKEN_RING_SHIFT);
      r->entry = _weft_ready_queue_find (&loop->ready, r->seq);
      if (loop->ring_pins != NULL)
        r->pin = g_hash_table_lookup (loop->ring_pins, &r->seq);
      return r->entry != NULL || r->pin != NULL || loop->current_seq == r->seq + 1;
    }
  r->index = (guint32) (token & WEFT_TOKEN_MASK (WEFT_TOKEN_SLOT_BITS));
  if (r->index >= loop->slots.n_slots)
    return FALSE;
  r->slot = _weft_slot_table_get (&loop->slots, r->index);
  if (!(r->slot->flags & WEFT_SLOT_LIVE)
      || r->slot->gen != (guint32) ((token >> WEFT_TOKEN_SLOT_BITS) & WEFT_TOKEN_MASK (WEFT_TOKEN_GEN_BITS)))
    {
      r->slot = NULL;
      return FALSE;
    }
  return TRUE;
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
  Resolved r;
  WeftSlot *slot;
  GDestroyNotify destroy;
  gpointer data;

  if (!resolve (handle, &r))
    return FALSE;
  if (r.slot == NULL)
    {
      /* A light call: cancelled in place (its destroy notify runs now),
       * skipped when it reaches the head. */
      if (r.entry == NULL || (r.entry->meta & WEFT_ENTRY_CANCELLED))
        return FALSE;
      _weft_entry_drop (r.entry);
      if (r.pin != NULL)
        r.pin->cancelled = TRUE;
      return TRUE;
    }
  slot = r.slot;
  if (!(slot->flags & WEFT_SLOT_QUEUED) || (slot->flags & WEFT_SLOT_CANCELLED))
    return FALSE;

  /* The slot stays queued (lazily deleted) until the ready queue or the timer
   * heap drops it, so the token stays valid until then. */
  slot->flags |= WEFT_SLOT_CANCELLED;
  if (slot->flags & WEFT_SLOT_TIMER)
    r.loop->n_cancelled_timers++;
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
  Resolved r;

  if (!resolve (handle, &r))
    return FALSE;
  if (r.slot != NULL)
    return (r.slot->flags & WEFT_SLOT_CANCELLED) != 0;
  if (r.entry != NULL)
    return (r.entry->meta & WEFT_ENTRY_CANCELLED) != 0;
  return r.pin != NULL && r.pin->cancelled;
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
  Resolved r;

  if (!resolve (handle, &r) || r.slot == NULL || !(r.slot->flags & WEFT_SLOT_TIMER))
    return NAN;
  if (r.slot->when == WEFT_TIME_NEVER)
    return INFINITY;
  return (double) r.slot->when / 1e9;
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
  Resolved r;

  return resolve (handle, &r) ? r.loop : NULL;
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
  Resolved r;

  if (!resolve (handle, &r))
    return handle;
  if (r.slot != NULL)
    {
      g_return_val_if_fail (r.slot->pins < G_MAXUINT16, handle);
      r.slot->pins++;
      return handle;
    }
  if (r.pin == NULL)
    {
      guint64 *key = g_new (guint64, 1);

      *key = r.seq;
      r.pin = g_new0 (RingPin, 1);
      r.pin->cancelled = r.entry != NULL && (r.entry->meta & WEFT_ENTRY_CANCELLED);
      if (r.loop->ring_pins == NULL)
        r.loop->ring_pins = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
      g_hash_table_insert (r.loop->ring_pins, key, r.pin);
    }
  r.pin->pins++;
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
  Resolved r;

  if (!resolve (handle, &r))
    return;
  if (r.slot != NULL)
    {
      if (r.slot->pins == 0)
        return;
      r.slot->pins--;
      _weft_slot_table_release (&r.loop->slots, r.index);
    }
  else if (r.pin != NULL && --r.pin->pins == 0)
    g_hash_table_remove (r.loop->ring_pins, &r.seq);
}

/* The deadline in ns on the loop clock, or 0 if @handle is gone or not a
 * timer (for tests and the fuzzer's model). */
gint64
_weft_handle_when_ns (WeftHandle *handle)
{
  Resolved r;

  if (!resolve (handle, &r) || r.slot == NULL || !(r.slot->flags & WEFT_SLOT_TIMER))
    return 0;
  return r.slot->when;
}

/* Whether the handle's callback is running right now. */
gboolean
_weft_handle_is_running (WeftHandle *handle)
{
  Resolved r;

  if (!resolve (handle, &r))
    return FALSE;
  if (r.slot != NULL)
    return (r.slot->flags & WEFT_SLOT_RUNNING) != 0;
  return r.loop->current_seq == r.seq + 1;
}
