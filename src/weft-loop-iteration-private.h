/* weft-loop-iteration-private.h: an iteration's two ends and a dispatch's
 * state, for the dispatch (weft-loop-iteration.c) and for the task steps
 * that begin the next iteration themselves (weft-loop-handoff-private.h,
 * inline in weft-task.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "weft-loop-private.h"
#include "weft-observer-private.h"

G_BEGIN_DECLS

typedef struct
{
  WeftLoop *previous_running;
  gpointer  previous_handoff;
  gboolean  pushed;
  gint64    deadline;     /* the time budget ends */
  guint     until_check;  /* callbacks until the next clock read */
  guint     check_every;  /* callbacks between two clock reads */
} Dispatch;

static inline __attribute__ ((always_inline)) void
begin_iteration (WeftLoop *loop)
{
  gint64 now = 0, max_lateness = 0;
  guint n_timers = 0;

  if (g_atomic_int_get (&loop->ts_pending))
    _weft_loop_drain_threadsafe (loop);

  if (loop->timers.length > 0 && _weft_loop_next_deadline (loop) != WEFT_TIME_NEVER)
    {
      const WeftTimerEntry *top;

      now = _weft_loop_read_clock (loop);
      while ((top = _weft_timer_heap_top (&loop->timers)) != NULL && top->when <= now)
        {
          guint32 index = top->slot;
          WeftSlot *slot = _weft_slot_table_get (&loop->slots, index);

          _weft_timer_heap_pop (&loop->timers);
          /* The next timer's slot is a cache miss of its own (slots are in
           * scheduling order, deadlines are not): start it now. */
          if (loop->timers.length > 0)
            __builtin_prefetch (_weft_slot_table_get (&loop->slots, loop->timers.entries[0].slot));
          if (slot->flags & WEFT_SLOT_CANCELLED)
            {
              _weft_loop_drop_cancelled_timer (loop, index);
              continue;
            }
          n_timers++;
          max_lateness = MAX (max_lateness, now - slot->when);
          _weft_ready_queue_push_slot (&loop->ready, index);
        }
    }

  loop->ntodo = loop->ready.length;
  loop->iteration++;
  if (G_UNLIKELY (_weft_loop_iteration_may_hook (loop, n_timers))
      && (loop->iteration_hooks = _weft_loop_iteration_observers (loop, n_timers)) != 0)
    _weft_observers_iteration_begin (loop, now, n_timers, max_lateness);
}

static inline void
end_iteration (WeftLoop *loop)
{
  /* (A blocked-loop report waits for the end of the dispatch, or of the step.) */
  if (G_UNLIKELY (loop->iteration_hooks != 0))
    {
      _weft_observers_iteration_end (loop);
      loop->iteration_hooks = 0;
    }
  if (loop->stopping && loop->mainloop != NULL)
    {
      loop->stopping = FALSE;
      g_main_loop_quit (loop->mainloop);
    }
}

G_END_DECLS
