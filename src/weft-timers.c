/* weft-timers.c: the loop's timers: due deadlines, slack, compaction
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "weft-loop-private.h"

#define MIN_TIMERS_TO_COMPACT    100

/* ------------------------------------------------------------------ timers */

/* A cancelled timer that just left the heap. */
void
_weft_loop_drop_cancelled_timer (WeftLoop *loop,
                      guint32   index)
{
  loop->n_cancelled_timers--;
  _weft_slot_table_get (&loop->slots, index)->flags &= ~WEFT_SLOT_QUEUED;
  _weft_slot_table_release (&loop->slots, index);
}

/* Drops cancelled timers from the heap in one O(n) pass once they are the
 * majority, so a loop that cancels most of its timers does not carry them. */
static void
compact_timers (WeftLoop *loop)
{
  WeftTimerHeap *heap = &loop->timers;
  guint kept = 0;

  for (guint i = 0; i < heap->length; i++)
    {
      guint32 index = heap->entries[i].slot;
      WeftSlot *slot = _weft_slot_table_get (&loop->slots, index);

      if (slot->flags & WEFT_SLOT_CANCELLED)
        {
          slot->flags &= ~WEFT_SLOT_QUEUED;
          _weft_slot_table_release (&loop->slots, index);
        }
      else
        heap->entries[kept++] = heap->entries[i];
    }
  heap->length = kept;
  loop->n_cancelled_timers = 0;
  _weft_timer_heap_heapify (heap);
}

/* Pops cancelled timers off the top of the heap and returns the earliest live
 * deadline, or WEFT_TIME_NEVER. */
gint64
_weft_loop_next_deadline (WeftLoop *loop)
{
  const WeftTimerEntry *top;

  if (loop->n_cancelled_timers > MIN_TIMERS_TO_COMPACT / 2
      && loop->n_cancelled_timers > loop->timers.length / 2)
    compact_timers (loop);

  while ((top = _weft_timer_heap_top (&loop->timers)) != NULL)
    {
      guint32 index = top->slot;
      WeftSlot *slot = _weft_slot_table_get (&loop->slots, index);

      if (!(slot->flags & WEFT_SLOT_CANCELLED))
        return top->when;
      _weft_timer_heap_pop (&loop->timers);
      _weft_loop_drop_cancelled_timer (loop, index);
    }
  return WEFT_TIME_NEVER;
}

/* The deadline to sleep until: the latest deadline among the timers due
 * within the loop's timer slack of the earliest one, so that timers scheduled a
 * few microseconds apart share one wake-up (GLib and libuv get the same effect
 * from their millisecond clocks). No timer fires early; the earliest one of a
 * group fires at most the slack late. The heap is walked only where it holds
 * deadlines inside the window. */
gint64
_weft_loop_wake_deadline (WeftLoop *loop)
{
  gint64 earliest = _weft_loop_next_deadline (loop);
  const WeftTimerHeap *heap = &loop->timers;
  gint64 limit, latest;
  guint stack[64], depth = 0;

  if (earliest == WEFT_TIME_NEVER || earliest > WEFT_TIME_NEVER - loop->timer_slack_ns)
    return earliest;
  limit = earliest + loop->timer_slack_ns;
  latest = earliest;
  stack[depth++] = 0;
  while (depth > 0)
    {
      guint i = stack[--depth];

      if (i >= heap->length || heap->entries[i].when > limit)
        continue;
      latest = MAX (latest, heap->entries[i].when);
      if (depth + WEFT_TIMER_HEAP_ARITY <= G_N_ELEMENTS (stack))
        for (guint c = 0; c < WEFT_TIMER_HEAP_ARITY; c++)
          stack[depth++] = _weft_timer_heap_first_child (i) + c;
    }
  return latest;
}

/* Moves every pending timer by @delta ns (the loop's clock changed, not
 * the timers' delays); their order stays. */
void
_weft_loop_shift_timers (WeftLoop *loop,
                         gint64    delta)
{
  for (guint i = 0; i < loop->timers.length; i++)
    {
      WeftTimerEntry *entry = &loop->timers.entries[i];

      entry->when += delta;
      _weft_slot_table_get (&loop->slots, entry->slot)->when += delta;
    }
}
