/* weft-loop-handoff-private.h: which task step a suspending task hands off to
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The loop's side of a hand-off (weft-task.c: _weft_task_handoff()): a task
 * that suspends runs the next queued task step itself when the loop would
 * run it next anyway, doing on its own stack what the dispatch
 * (weft-loop-iteration.c) does between two callbacks. Inline in the task's
 * side: one call per hand-off, not two (4 % of a hand-off's time).
 */
#pragma once

#include "weft-loop-iteration-private.h"
#include "weft-task-private.h"

#ifdef WEFT_TASK_HANDOFF
/* A task suspends in a dispatch (_weft_task_handoff()): the next queued
 * callback is another task's step that the loop would run next anyway? The
 * head of this iteration, or of the next one when this one is over (and the
 * loop is not stopping): then it is popped here, counted as run_callbacks()
 * counts it, and its task returned; else NULL, and the loop goes on as
 * usual. Not while callbacks are timed or named one by one (debug mode, a
 * recorded iteration: run_checked() does that on the loop's stack), and
 * never for the call that reads the budget's clock. Observers see what they
 * would see without hand-offs: the iterations' hooks are called here, the
 * steps' by _weft_task_handoff(). */
static inline __attribute__ ((always_inline)) WeftTask *
_weft_loop_take_handoff (WeftLoop *loop,
                         WeftTask *from)
{
  Dispatch *d = loop->handoff;
  const WeftReadyEntry *head;
  WeftTask *next;
  guint64 seq;

  if (d == NULL || d->until_check <= 1 || loop->callback_checks || loop->paused || loop->interrupted
      || loop->closed || loop->ready.length == 0)
    return NULL;
  head = _weft_ready_queue_peek (&loop->ready, 0);
  if (!_weft_entry_is_task_step (head))
    return NULL;
  next = head->data;
  if (next == from || !_weft_task_can_take_handoff (next))
    return NULL;
  if (loop->ntodo == 0)
    {
      /* What _weft_loop_dispatch() does between two iterations, unless it
       * would stop there. (The due timers and threadsafe posts that
       * begin_iteration() adds go after the head.) */
      if (loop->stopping || (loop->mainloop != NULL && !g_main_loop_is_running (loop->mainloop)))
        return NULL;
      end_iteration (loop);
      if (loop->paused || loop->interrupted)
        return NULL;   /* (by an observer: the loop's frame goes on from here) */
      begin_iteration (loop);
      /* A recorded iteration (its callbacks go through run_checked()), or a
       * long one (_weft_task_suspend() does not ask in those). */
      if (loop->callback_checks || loop->paused || loop->ntodo > WEFT_LONG_ITERATION)
        return NULL;
    }
  loop->ntodo--;
  loop->handoffs++;
  d->until_check--;
  seq = loop->ready.head_seq;
  _weft_ready_queue_pop (&loop->ready);
  /* The running call is the new step (its reference is the task's now). */
  __atomic_store_n (&loop->current_site, &_weft_task_step_site.site, __ATOMIC_RELAXED);
  __atomic_store_n (&loop->current_data, next, __ATOMIC_RELAXED);
  __atomic_store_n (&loop->current_seq, seq + 1, __ATOMIC_RELAXED);
  return next;
}
#endif
