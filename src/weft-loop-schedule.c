/* weft-loop-schedule.c: call_soon, call_later, call_at, call_soon_threadsafe
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>
#include <pthread.h>

#include "weft-backend-private.h"
#include "weft-loop-private.h"

/* ------------------------------------------------------------- scheduling */

/* Off the hot path: a closed loop refuses (a critical), and in debug mode so
 * does a call from another thread than the loop's. */
static __attribute__ ((noinline)) gboolean
may_schedule (WeftLoop   *loop,
              const char *name,
              const char *what)
{
  if (loop->closed)
    {
      g_critical ("Weft: cannot schedule %s: the event loop is closed", name ? name : "a callback");
      return FALSE;
    }
  return _weft_loop_check_thread (loop, what);
}

gboolean
_weft_loop_check_thread_slow (WeftLoop   *loop,
                              const char *what)
{
  if (loop->owner == NULL || loop->owner == g_thread_self ())
    return TRUE;
  g_critical ("Weft: non-thread-safe operation %s() invoked on an event loop other than the current one "
              "(the loop runs in another thread; use weft_loop_call_soon_threadsafe())", what);
  return FALSE;
}

guint32
_weft_loop_schedule (WeftLoop       *loop,
                     gint64          when,
                     WeftCallback    callback,
                     gpointer        user_data,
                     GDestroyNotify  destroy,
                     const char     *name,
                     const char     *where)
{
  guint32 index = _weft_slot_table_alloc (&loop->slots);
  WeftSlot *slot = _weft_slot_table_get (&loop->slots, index);

  slot->callback = callback;
  slot->data = user_data;
  slot->destroy = destroy;
  slot->name = name;
  slot->where = where;
  slot->when = when;
  if (when == 0)
    {
      slot->flags |= WEFT_SLOT_QUEUED;
      _weft_ready_queue_push_slot (&loop->ready, index);
    }
  else
    {
      slot->flags |= WEFT_SLOT_QUEUED | WEFT_SLOT_TIMER;
      _weft_timer_heap_push (&loop->timers, when, loop->timer_seq++, index);
    }
  return index;
}

/* What every call_soon checks first: whether it may schedule (one test on
 * the hot path for both checks), and posts from other threads made before
 * it, which run before it, as in asyncio, where both append to one ready
 * queue. */
static inline gboolean
soon_allowed (WeftLoop   *loop,
              const char *name)
{
  if (G_UNLIKELY (loop->schedule_checks) && !may_schedule (loop, name, "weft_loop_call_soon"))
    return FALSE;
  if (G_UNLIKELY (g_atomic_int_get (&loop->ts_pending)))
    _weft_loop_drain_threadsafe (loop);
  return TRUE;
}

/* call_soon for a caller that keeps no slot index: a light call (the entry
 * only, see weft-ready-queue-private.h) when there is no destroy notify,
 * of @site, or of the site interned for @name and @where when it is NULL. */
static inline WeftHandle *
schedule_soon (WeftLoop           *loop,
               WeftCallback        callback,
               gpointer            user_data,
               GDestroyNotify      destroy,
               const char         *name,
               const char         *where,
               const WeftCallSite *site)
{
  if (WEFT_LIGHT_CALLS && destroy == NULL)
    {
      if (site == NULL)
        site = _weft_call_site (&loop->ready, name, where);
      return _weft_handle_encode_ring (loop->id, _weft_ready_queue_push (&loop->ready, callback, user_data, (guintptr) site));
    }
  return _weft_loop_handle_for (loop, _weft_loop_schedule (loop, 0, callback, user_data, destroy, name, where));
}

/**
 * weft_loop_call_soon_full: (rename-to weft_loop_call_soon)
 * @loop: a #WeftLoop
 * @callback: (scope notified) (closure user_data) (destroy destroy): the callback
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data once the callback ran or was cancelled
 * @name: (nullable): a static string naming the callback (for debug mode and the inspector)
 * @where: (nullable): a static string, file:line of the call
 *
 * Schedules @callback to run in the next iteration of the loop, after the
 * callbacks scheduled before it (FIFO). The weft_loop_call_soon() macro fills in
 * @name and @where.
 *
 * Returns: (transfer none): a handle to cancel the call. It needs no unref and
 *   stays safe to use after the callback ran (operations on it then do nothing).
 */
WeftHandle *
weft_loop_call_soon_full (WeftLoop       *loop,
                          WeftCallback    callback,
                          gpointer        user_data,
                          GDestroyNotify  destroy,
                          const char     *name,
                          const char     *where)
{
  g_return_val_if_fail (loop != NULL, NULL);
  g_return_val_if_fail (callback != NULL, NULL);

  if (!soon_allowed (loop, name))
    return NULL;
  return schedule_soon (loop, callback, user_data, destroy, name, where, NULL);
}

/**
 * weft_loop_call_soon_at_site: (skip)
 * @loop: a #WeftLoop
 * @site: where the call is made from: a static #WeftCallSite, aligned to 8 bytes
 * @callback: (scope notified) (closure user_data) (destroy destroy): the callback
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data once the callback ran or was cancelled
 *
 * weft_loop_call_soon_full() with the name and file:line in one static
 * record: what the weft_loop_call_soon() macro calls in C, so that a call
 * costs no lookup of its call site.
 *
 * Returns: (transfer none): a handle to cancel the call; it needs no unref
 */
WeftHandle *
weft_loop_call_soon_at_site (WeftLoop           *loop,
                             const WeftCallSite *site,
                             WeftCallback        callback,
                             gpointer            user_data,
                             GDestroyNotify      destroy)
{
  g_return_val_if_fail (loop != NULL, NULL);
  g_return_val_if_fail (site != NULL && ((guintptr) site & WEFT_ENTRY_FLAGS) == 0, NULL);
  g_return_val_if_fail (callback != NULL, NULL);

  if (!soon_allowed (loop, site->name))
    return NULL;
  return schedule_soon (loop, callback, user_data, destroy, site->name, site->where, site);
}

/**
 * weft_loop_call_soon:
 * @loop: a #WeftLoop
 * @callback: (scope notified) (closure user_data) (destroy destroy): the callback
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data once the callback ran or was cancelled
 *
 * Schedules @callback to run in the next iteration (asyncio's call_soon()).
 * In C this is a macro that also records the callback's name and file:line
 * (see weft_loop_call_soon_full()); this function is what bindings call.
 *
 * Returns: (transfer none): a handle to cancel the call; it needs no unref
 */
WeftHandle *
(weft_loop_call_soon) (WeftLoop       *loop,
                       WeftCallback    callback,
                       gpointer        user_data,
                       GDestroyNotify  destroy)
{
  return weft_loop_call_soon_full (loop, callback, user_data, destroy, NULL, NULL);
}

/* call_at and call_later, their arguments checked: a timer at @when_ns. */
static WeftHandle *
schedule_timer (WeftLoop       *loop,
                gint64          when_ns,
                WeftCallback    callback,
                gpointer        user_data,
                GDestroyNotify  destroy,
                const char     *name,
                const char     *where,
                const char     *what)
{
  if (G_UNLIKELY (loop->schedule_checks) && !may_schedule (loop, name, what))
    return NULL;
  /* 0 means "not a timer" in a slot, so no timer is due at 0 ns exactly. */
  return _weft_loop_handle_for (loop, _weft_loop_schedule (loop, MAX (when_ns, 1), callback, user_data, destroy, name, where));
}

/**
 * weft_loop_call_at_full: (rename-to weft_loop_call_at)
 * @loop: a #WeftLoop
 * @when: the deadline, in seconds on the clock of weft_loop_time(); must not be NaN
 * @callback: (scope notified) (closure user_data) (destroy destroy): the callback
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data once the callback ran or was cancelled
 * @name: (nullable): a static string naming the callback
 * @where: (nullable): a static string, file:line of the call
 *
 * Schedules @callback to run at @when, never earlier. Timers with equal
 * deadlines run in the order they were scheduled. A deadline of +infinity never
 * fires.
 *
 * Returns: (transfer none): a handle to cancel the timer
 */
WeftHandle *
weft_loop_call_at_full (WeftLoop       *loop,
                        double          when,
                        WeftCallback    callback,
                        gpointer        user_data,
                        GDestroyNotify  destroy,
                        const char     *name,
                        const char     *where)
{
  g_return_val_if_fail (loop != NULL, NULL);
  g_return_val_if_fail (callback != NULL, NULL);
  g_return_val_if_fail (!isnan (when), NULL);

  return schedule_timer (loop, _weft_seconds_to_ns (when), callback, user_data, destroy, name, where, "weft_loop_call_at");
}

/**
 * weft_loop_call_at:
 * @loop: a #WeftLoop
 * @when: the deadline on the clock of weft_loop_time()
 * @callback: (scope notified) (closure user_data) (destroy destroy): the callback
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data once the callback ran or was cancelled
 *
 * Schedules @callback at @when (asyncio's call_at()). See
 * weft_loop_call_at_full().
 *
 * Returns: (transfer none): a handle to cancel the timer
 */
WeftHandle *
(weft_loop_call_at) (WeftLoop       *loop,
                     double          when,
                     WeftCallback    callback,
                     gpointer        user_data,
                     GDestroyNotify  destroy)
{
  return weft_loop_call_at_full (loop, when, callback, user_data, destroy, NULL, NULL);
}

/**
 * weft_loop_call_later_full: (rename-to weft_loop_call_later)
 * @loop: a #WeftLoop
 * @delay: seconds from now; negative is the same as 0; +infinity never fires;
 *   must not be NaN
 * @callback: (scope notified) (closure user_data) (destroy destroy): the callback
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data once the callback ran or was cancelled
 * @name: (nullable): a static string naming the callback
 * @where: (nullable): a static string, file:line of the call
 *
 * Schedules @callback to run @delay seconds from now, never earlier.
 *
 * Returns: (transfer none): a handle to cancel the timer
 */
WeftHandle *
weft_loop_call_later_full (WeftLoop       *loop,
                           double          delay,
                           WeftCallback    callback,
                           gpointer        user_data,
                           GDestroyNotify  destroy,
                           const char     *name,
                           const char     *where)
{
  gint64 now, delay_ns;

  g_return_val_if_fail (loop != NULL, NULL);
  g_return_val_if_fail (callback != NULL, NULL);
  g_return_val_if_fail (!isnan (delay), NULL);

  now = _weft_loop_now (loop);
  delay_ns = _weft_seconds_to_ns (MAX (delay, 0.0));
  return schedule_timer (loop, delay_ns >= WEFT_TIME_NEVER - now ? WEFT_TIME_NEVER : now + delay_ns,
                         callback, user_data, destroy, name, where, "weft_loop_call_later");
}

/**
 * weft_loop_call_later:
 * @loop: a #WeftLoop
 * @delay: seconds from now
 * @callback: (scope notified) (closure user_data) (destroy destroy): the callback
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data once the callback ran or was cancelled
 *
 * Schedules @callback @delay seconds from now (asyncio's call_later()). See
 * weft_loop_call_later_full().
 *
 * Returns: (transfer none): a handle to cancel the timer
 */
WeftHandle *
(weft_loop_call_later) (WeftLoop       *loop,
                        double          delay,
                        WeftCallback    callback,
                        gpointer        user_data,
                        GDestroyNotify  destroy)
{
  return weft_loop_call_later_full (loop, delay, callback, user_data, destroy, NULL, NULL);
}

/**
 * weft_loop_call_soon_threadsafe_full: (rename-to weft_loop_call_soon_threadsafe)
 * @loop: a #WeftLoop
 * @callback: (scope notified) (closure user_data) (destroy destroy): the callback
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data once the callback ran, or if the loop
 *   closes before it could run
 * @name: (nullable): a static string naming the callback
 * @where: (nullable): a static string, file:line of the call
 *
 * Schedules @callback from any thread and wakes the loop at once. Posts from one
 * thread run in the order they were made.
 *
 * Returns: %TRUE if the loop took the call over: it runs, or, if the loop
 *   closes first, @destroy runs; %FALSE if the loop is closed (or closing), in
 *   which case nothing was taken over (@destroy is not called)
 */
gboolean
weft_loop_call_soon_threadsafe_full (WeftLoop       *loop,
                                     WeftCallback    callback,
                                     gpointer        user_data,
                                     GDestroyNotify  destroy,
                                     const char     *name,
                                     const char     *where)
{
  WeftThreadsafeCall call = { callback, user_data, destroy, name, where };
  gboolean wake;

  g_return_val_if_fail (loop != NULL, FALSE);
  g_return_val_if_fail (callback != NULL, FALSE);

  pthread_mutex_lock (&loop->ts_lock);
  if (loop->ts_closed)
    {
      pthread_mutex_unlock (&loop->ts_lock);
      return FALSE;
    }
  wake = loop->ts_queue->len == 0;
  g_array_append_val (loop->ts_queue, call);
  if (wake)
    g_atomic_int_set (&loop->ts_pending, 1);
  pthread_mutex_unlock (&loop->ts_lock);

  if (wake)
    g_main_context_wakeup (loop->context);
  return TRUE;
}

/**
 * weft_loop_call_soon_threadsafe:
 * @loop: a #WeftLoop
 * @callback: (scope notified) (closure user_data) (destroy destroy): the callback
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data once the callback ran
 *
 * Schedules @callback from any thread (asyncio's call_soon_threadsafe()). See
 * weft_loop_call_soon_threadsafe_full().
 *
 * Returns: %FALSE if the loop is closed
 */
gboolean
(weft_loop_call_soon_threadsafe) (WeftLoop       *loop,
                                  WeftCallback    callback,
                                  gpointer        user_data,
                                  GDestroyNotify  destroy)
{
  return weft_loop_call_soon_threadsafe_full (loop, callback, user_data, destroy, NULL, NULL);
}

void
_weft_loop_drain_threadsafe (WeftLoop *loop)
{
  GArray *calls;

  pthread_mutex_lock (&loop->ts_lock);
  calls = loop->ts_queue;
  loop->ts_queue = loop->ts_spare;
  g_atomic_int_set (&loop->ts_pending, 0);
  pthread_mutex_unlock (&loop->ts_lock);

  for (guint i = 0; i < calls->len; i++)
    {
      WeftThreadsafeCall *call = &g_array_index (calls, WeftThreadsafeCall, i);

      schedule_soon (loop, call->callback, call->data, call->destroy, call->name, call->where, NULL);
    }
  g_array_set_size (calls, 0);
  loop->ts_spare = calls;
}

/* Refuses further posts and gives up those queued: their destroy notifies
 * run. Under one lock, so a post that returned TRUE is either in this queue
 * or was drained before: none is lost. */
void
_weft_loop_close_threadsafe (WeftLoop *loop)
{
  GArray *ts;

  pthread_mutex_lock (&loop->ts_lock);
  ts = loop->ts_queue;
  loop->ts_queue = g_array_new (FALSE, FALSE, sizeof (WeftThreadsafeCall));
  loop->ts_closed = TRUE;
  g_atomic_int_set (&loop->ts_pending, 0);
  pthread_mutex_unlock (&loop->ts_lock);

  for (guint i = 0; i < ts->len; i++)
    {
      WeftThreadsafeCall *call = &g_array_index (ts, WeftThreadsafeCall, i);

      if (call->destroy)
        call->destroy (call->data);
    }
  g_array_unref (ts);
}
