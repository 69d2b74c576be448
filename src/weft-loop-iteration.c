/* weft-loop-iteration.c: one iteration, and the dispatch that runs them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * An iteration is asyncio's _run_once(): move the threadsafe posts and every due
 * timer to the ready queue, then run exactly the callbacks that are in the ready
 * queue at that moment; whatever they schedule runs in the next iteration. The
 * number of callbacks left in the current iteration is loop->ntodo, so an
 * iteration can be paused between two callbacks (the GSource's time budget, the
 * inspector's single-stepping) and resumed without changing what runs.
 */
#include "config.h"

#include <math.h>

#include "weft-backend-private.h"
#include "weft-inspect.h"
#include "weft-loop-iteration-private.h"
#include "weft-task-private.h"

#define BUDGET_CHECK_EVERY       64   /* at most; fewer while callbacks are slow */

/* ------------------------------------------------------------ cheap clock */

/* Measured once per process against CLOCK_MONOTONIC over 200 µs (0.1 % is
 * plenty for busy times). */
double
_weft_ns_per_tick (void)
{
  static double ns_per_tick;
  static gsize once;

  if (g_once_init_enter (&once))
    {
      struct timespec ts;
      gint64 t0, t1;
      guint64 c0, c1;

      clock_gettime (CLOCK_MONOTONIC, &ts);
      t0 = (gint64) ts.tv_sec * WEFT_NS_PER_SEC + ts.tv_nsec;
      c0 = _weft_ticks ();
      do
        {
          clock_gettime (CLOCK_MONOTONIC, &ts);
          t1 = (gint64) ts.tv_sec * WEFT_NS_PER_SEC + ts.tv_nsec;
        }
      while (t1 - t0 < 200000);
      c1 = _weft_ticks ();
      ns_per_tick = c1 > c0 ? (double) (t1 - t0) / (double) (c1 - c0) : 1.0;
      g_once_init_leave (&once, 1);
    }
  return ns_per_tick;
}

/* ---------------------------------------------------------------- iterations */

static void
report_slow_callback (const char *name,
                      const char *where,
                      gint64      elapsed)
{
  g_warning ("Executing callback %s (scheduled at %s) took %.3f seconds",
             name ? name : "(unnamed)", where ? where : "(unknown)", (double) elapsed / 1e9);
}

/* Runs a callback with the hooks of the observers that want them around it
 * and, in debug mode, timed (the slow-callback report). */
static __attribute__ ((noinline)) void
run_checked (WeftLoop     *loop,
             WeftCallback  callback,
             gpointer      data,
             const char   *name,
             const char   *where)
{
  gboolean timed = loop->debug;
  gint64 start = timed ? _weft_loop_now (loop) : 0;

  if (G_UNLIKELY (loop->callback_hooks != 0))
    WEFT_OBSERVE (loop, callback_begin, name);
  callback (data);
  if (G_UNLIKELY (loop->callback_hooks != 0))
    WEFT_OBSERVE (loop, callback_end, name);
  if (timed)
    {
      gint64 elapsed = _weft_loop_now (loop) - start;

      if (elapsed >= loop->slow_callback_ns)
        {
          report_slow_callback (name, where, elapsed);
          if (loop->observed != 0)
            _weft_observers_warning (loop, "%s ran %.1f ms without returning to the loop (scheduled at %s)",
                                     name ? name : "a callback", elapsed / 1e6, where ? where : "?");
        }
    }
}

/* A call with a slot (a timer, a destroy notify, an internal call). */
static __attribute__ ((noinline)) void
run_slot (WeftLoop *loop,
          guint32   index)
{
  WeftSlot *slot = _weft_slot_table_get (&loop->slots, index);
  guint32 previous = loop->current;
  guint64 previous_seq = loop->current_seq;
  GDestroyNotify destroy;
  gpointer data;

  if (slot->flags & WEFT_SLOT_CANCELLED)
    {
      slot->flags &= ~WEFT_SLOT_QUEUED;
      _weft_slot_table_release (&loop->slots, index);
      return;
    }

  slot->flags = (slot->flags & ~WEFT_SLOT_QUEUED) | WEFT_SLOT_RUNNING;
  __atomic_store_n (&loop->current, index, __ATOMIC_RELAXED);
  __atomic_store_n (&loop->current_seq, 0, __ATOMIC_RELAXED);
  /* One test when nobody observes and debug mode is off. */
  if (G_UNLIKELY (loop->callback_checks))
    run_checked (loop, slot->callback, slot->data, slot->name, slot->where);
  else
    slot->callback (slot->data);
  __atomic_store_n (&loop->current, previous, __ATOMIC_RELAXED);
  __atomic_store_n (&loop->current_seq, previous_seq, __ATOMIC_RELAXED);

  destroy = slot->destroy;
  data = slot->data;
  slot->destroy = NULL;
  slot->flags = (slot->flags & ~WEFT_SLOT_RUNNING) | WEFT_SLOT_DONE;
  if (destroy)
    destroy (data);
  _weft_slot_table_release (&loop->slots, index);
}

/* run_checked() for a light call, named as _weft_call_describe() says. */
static __attribute__ ((noinline)) void
run_described (WeftLoop           *loop,
               WeftCallback        callback,
               gpointer            data,
               const WeftCallSite *site)
{
  const char *name, *where;

  _weft_call_describe (site, data, &name, &where);
  run_checked (loop, callback, data, name, where);
}

/* Runs a light call popped as @seq, marked as the running call for the
 * exception handler and a watchdog (relaxed atomic stores: plain stores). */
static inline __attribute__ ((always_inline)) void
run_light_marked (WeftLoop             *loop,
                  guint64               seq,
                  const WeftReadyEntry *entry,
                  gboolean              internal)
{
  WeftCallback callback = entry->callback;
  gpointer data = entry->data;
  const WeftCallSite *site = _weft_entry_site (entry);

  __atomic_store_n (&loop->current_site, site, __ATOMIC_RELAXED);
  if (internal)
    __atomic_store_n (&loop->current_data, data, __ATOMIC_RELAXED);
  __atomic_store_n (&loop->current_seq, seq + 1, __ATOMIC_RELAXED);
  if (G_UNLIKELY (loop->callback_checks))
    run_described (loop, callback, data, site);
  else
    callback (data);
  if (internal)
    _weft_site_destroy (site) (data);
}

/* The same inside another callback (a nested main loop): what was running
 * is running again afterwards. */
static __attribute__ ((noinline)) void
run_light_nested (WeftLoop             *loop,
                  guint64               seq,
                  const WeftReadyEntry *entry,
                  gboolean              internal)
{
  guint64 previous_seq = loop->current_seq;
  guint32 previous = loop->current;
  const WeftCallSite *previous_site = loop->current_site;
  gpointer previous_data = loop->current_data;

  __atomic_store_n (&loop->current, WEFT_SLOT_NONE, __ATOMIC_RELAXED);
  run_light_marked (loop, seq, entry, internal);
  __atomic_store_n (&loop->current_site, previous_site, __ATOMIC_RELAXED);
  __atomic_store_n (&loop->current_data, previous_data, __ATOMIC_RELAXED);
  __atomic_store_n (&loop->current_seq, previous_seq, __ATOMIC_RELAXED);
  __atomic_store_n (&loop->current, previous, __ATOMIC_RELAXED);
}

static inline __attribute__ ((always_inline)) void
run_light (WeftLoop             *loop,
           guint64               seq,
           const WeftReadyEntry *entry,
           gboolean              internal)
{
  if (G_UNLIKELY (loop->current_seq != 0 || loop->current != WEFT_SLOT_NONE))
    {
      run_light_nested (loop, seq, entry, internal);
      return;
    }
  /* As few stores as can be: current_site means nothing while current_seq is 0. */
  run_light_marked (loop, seq, entry, internal);
  __atomic_store_n (&loop->current_seq, 0, __ATOMIC_RELAXED);
}

/* An internal light call: a task step, a done callback (their destroy
 * notify after the call). */
static __attribute__ ((noinline)) void
run_internal (WeftLoop             *loop,
              guint64               seq,
              const WeftReadyEntry *entry)
{
  run_light (loop, seq, entry, TRUE);
}

/* Pops the head of the ready queue and runs it. The caller has already counted
 * it off loop->ntodo, so a nested main loop inside the callback that dispatches
 * the loop again goes on with the next callback, never this one. A light call
 * is all in its entry: no slot to touch. */
static inline __attribute__ ((always_inline)) void
run_ready_head (WeftLoop *loop)
{
  guint64 seq = loop->ready.head_seq;
  WeftReadyEntry entry = _weft_ready_queue_pop (&loop->ready);

  if (G_LIKELY (!(entry.meta & (WEFT_ENTRY_SLOT | WEFT_ENTRY_CANCELLED | WEFT_ENTRY_DESTROY))))
    run_light (loop, seq, &entry, FALSE);
  else if (_weft_entry_is_slot (&entry))
    run_slot (loop, _weft_entry_slot (&entry));
  else if (!(entry.meta & WEFT_ENTRY_CANCELLED))
    run_internal (loop, seq, &entry);
}

const char *
_weft_loop_watch_name (WeftLoop *loop)
{
  guint32 current = __atomic_load_n (&loop->current, __ATOMIC_RELAXED);
  const WeftCallSite *site = __atomic_load_n (&loop->current_site, __ATOMIC_RELAXED);

  if (__atomic_load_n (&loop->current_seq, __ATOMIC_RELAXED) != 0 && site != NULL)
    {
      /* (An internal call's data is alive while it runs.) */
      const char *name, *where;

      _weft_call_describe (site, __atomic_load_n (&loop->current_data, __ATOMIC_RELAXED), &name, &where);
      return name != NULL ? name : "(unnamed)";
    }
  if (current != WEFT_SLOT_NONE)
    {
      const char *name = _weft_slot_table_get (&loop->slots, current)->name;

      return name != NULL ? name : "(unnamed)";
    }
  return NULL;
}

/* A watchdog saw a callback block the loop: now that it returned, its report
 * becomes a warning (debug mode or not). */
void
_weft_loop_report_blocked (WeftLoop *loop)
{
  g_autofree char *report = __atomic_exchange_n (&loop->blocked_report, NULL, __ATOMIC_ACQ_REL);

  if (report != NULL && loop->observed != 0)
    _weft_observers_warning (loop, "the loop was blocked in %s for %.1f s", report,
                             (g_get_monotonic_time () - __atomic_load_n (&loop->blocked_since, __ATOMIC_RELAXED)) / 1e6);
}

/* A half-run iteration counts too: its callbacks are still in the ready
 * queue (loop->ntodo <= loop->ready.length). */
gboolean
_weft_loop_has_work (WeftLoop *loop)
{
  return loop->ready.length > 0
      || g_atomic_int_get (&loop->ts_pending)
      || (loop->stopping && loop->mainloop != NULL);
}

/* GIO delivers to the thread-default context of the caller: while the loop
 * runs its callbacks and tasks, that must be the loop's own context, also
 * when it is a private one. Pushes it if it is not the thread default yet;
 * returns whether it did. */
gboolean
_weft_loop_push_context (WeftLoop *loop)
{
  GMainContext *current = g_main_context_get_thread_default ();

  if ((current ? current : g_main_context_default ()) == loop->context)
    return FALSE;
  g_main_context_push_thread_default (loop->context);
  return TRUE;
}

/* Phase 0: the loop is this thread's running loop, its context the thread
 * default, the observers told. */
static inline __attribute__ ((always_inline)) void
dispatch_enter (WeftLoop *loop,
                Dispatch *d)
{
  d->previous_running = weft_get_running_loop ();
  d->deadline = _weft_loop_read_clock (loop) + loop->budget_ns;
  d->until_check = d->check_every = BUDGET_CHECK_EVERY;
  weft_loop_ref (loop);
  d->pushed = _weft_loop_push_context (loop);
  _weft_set_running_loop (loop);
  if (loop->mainloop == NULL)
    loop->owner = g_thread_self ();  /* attached: the context's thread */
  loop->dispatch_depth++;
  d->previous_handoff = loop->handoff;
  loop->handoff = d;
  WEFT_OBSERVE (loop, dispatch_begin);
}

static inline __attribute__ ((always_inline)) void
dispatch_leave (WeftLoop *loop,
                Dispatch *d)
{
  loop->handoff = d->previous_handoff;
  if (--loop->dispatch_depth == 0)
    loop->interrupted = FALSE;   /* interrupt() left every nested dispatch */
  _weft_loop_check_blocked (loop);
  WEFT_OBSERVE (loop, dispatch_end);
  _weft_set_running_loop (d->previous_running);
  if (d->pushed)
    g_main_context_pop_thread_default (loop->context);
  weft_loop_unref (loop);
}

/* Whether the time budget is spent. */
static inline __attribute__ ((always_inline)) gboolean
budget_spent (WeftLoop *loop,
              Dispatch *d)
{
  gint64 before;

  if (--d->until_check != 0)
    return FALSE;
  before = loop->last_now;
  _weft_loop_read_clock (loop);
  /* The clock is read every check_every callbacks: 64 while callbacks are
   * short (a clock read costs a few callbacks' time), down to every one
   * when they are slow, so the budget is never overrun by much. */
  if (loop->last_now - before > loop->budget_ns / 8)
    d->check_every = MAX (d->check_every / 4, 1);
  else if (d->check_every < BUDGET_CHECK_EVERY)
    d->check_every *= 2;
  d->until_check = d->check_every;
  return loop->last_now >= d->deadline;
}

/* A long iteration: the task steps a few entries ahead start loading their
 * task and stack (_weft_task_prefetch()). */
static inline __attribute__ ((always_inline)) void
prefetch_ahead (WeftLoop *loop)
{
  static const guint stages[] = { WEFT_TASK_PREFETCH_STRUCT, WEFT_TASK_PREFETCH_STACK, WEFT_TASK_PREFETCH_CANARY };

  for (guint i = 0; i < G_N_ELEMENTS (stages); i++)
    {
      const WeftReadyEntry *entry = _weft_ready_queue_peek (&loop->ready, stages[i]);

      if (_weft_entry_is_task_step (entry))
        _weft_task_prefetch (entry->data, stages[i]);
    }
}

/* Phase 2: the iteration's callbacks, while the budget lasts. Returns FALSE
 * if the iteration is left half-run (paused, or out of budget). */
static inline __attribute__ ((always_inline)) gboolean
run_callbacks (WeftLoop *loop,
               Dispatch *d)
{
  while (loop->ntodo > 0 && !loop->paused && !loop->interrupted)
    {
      loop->ntodo--;
      if (G_UNLIKELY (loop->ntodo > WEFT_LONG_ITERATION))
        prefetch_ahead (loop);
      run_ready_head (loop);
      if (budget_spent (loop, d))
        return FALSE;
    }
  return loop->ntodo == 0;
}

/* Phase 4: another iteration now? Not if run_forever() was stopped, or
 * nothing is ready or due. (The budget is counted in callbacks: phase 2.) */
static inline __attribute__ ((always_inline)) gboolean
more_to_run (WeftLoop *loop)
{
  if (loop->mainloop != NULL && !g_main_loop_is_running (loop->mainloop))
    return FALSE;
  if (loop->ready.length == 0 && !g_atomic_int_get (&loop->ts_pending)
      && (loop->timers.length == 0 || _weft_loop_next_deadline (loop) > _weft_loop_read_clock (loop)))
    return FALSE;
  return TRUE;
}

/* What the GSource's dispatch does, phase by phase (as uv_run does): run
 * iterations while there is work, for at most the loop's time budget, so
 * GTK's input and frames are never starved. */
void
_weft_loop_dispatch (WeftLoop *loop)
{
  Dispatch d;

  dispatch_enter (loop, &d);
  while (!loop->closed && !loop->paused && !loop->interrupted)
    {
      if (loop->ntodo == 0)
        begin_iteration (loop);     /* 1: threadsafe posts and due timers join the ready queue */
      if (!run_callbacks (loop, &d))
        break;                      /* 2: the iteration's callbacks (may stop half-way) */
      end_iteration (loop);         /* 3: observers, a pending stop */
      if (!more_to_run (loop))
        break;                      /* 4: another iteration now? */
    }
  dispatch_leave (loop, &d);
}

gboolean
_weft_loop_run_one (WeftLoop *loop)
{
  gpointer previous_running = weft_get_running_loop ();
  gpointer previous_handoff = loop->handoff;
  gboolean ran = FALSE;
  gboolean pushed;

  g_return_val_if_fail (!loop->closed, FALSE);

  loop->handoff = NULL;   /* one callback: no task hands off to the next */
  pushed = _weft_loop_push_context (loop);
  _weft_set_running_loop (loop);
  loop->owner = g_thread_self ();
  loop->dispatch_depth++;
  _weft_loop_read_clock (loop);   /* stepping: every iteration is on the clock (and recorded) */
  if (loop->ntodo == 0)
    begin_iteration (loop);
  if (loop->ntodo > 0)
    {
      loop->ntodo--;
      run_ready_head (loop);
      ran = TRUE;
    }
  if (loop->ntodo == 0)
    end_iteration (loop);
  _weft_loop_check_blocked (loop);
  if (--loop->dispatch_depth == 0)
    loop->interrupted = FALSE;
  loop->handoff = previous_handoff;
  _weft_set_running_loop (previous_running);
  if (pushed)
    g_main_context_pop_thread_default (loop->context);
  return ran;
}

/* Runs the rest of the current iteration, or one whole new iteration, and
 * returns how many callbacks ran. */
guint
_weft_loop_run_iteration (WeftLoop *loop)
{
  guint ran = 0;

  do
    ran += _weft_loop_run_one (loop);
  while (loop->ntodo > 0);
  return ran;
}

void
_weft_loop_set_clock (WeftLoop      *loop,
                      WeftClockFunc  clock_func,
                      gpointer       clock_data)
{
  loop->clock_func = clock_func;
  loop->clock_data = clock_data;
  _weft_backend_wakeup (loop);
}
