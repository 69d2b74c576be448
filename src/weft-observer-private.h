/* weft-observer-private.h: who watches a loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The core reports what it does through observers: the inspector's probe
 * (probe/: the D-Bus server, the in-process module) and Sysprof marks. An
 * observer registers itself once per process, is offered every new loop
 * (loop_created) and observes the loops it chooses (_weft_loop_observe()).
 * The hot paths call one-line hooks (weft_observe_*) that cost one
 * predictable branch, on loop->observed, when nothing observes, as libuv's
 * uv__metrics_* calls do. The core never names an observer.
 */
#pragma once

#include "weft-loop-private.h"

G_BEGIN_DECLS

#define WEFT_MAX_OBSERVERS 8

typedef struct _WeftObserver WeftObserver;
struct _WeftObserver
{
  const char *name;
  /* Every new loop, on its thread: observe it here if wanted. */
  void     (*loop_created)    (WeftLoop *loop);
  /* The rest only for loops the observer observes, with its data. Any may
   * be NULL. */
  void     (*loop_closing)    (WeftLoop *loop, gpointer data);   /* stop observing here */
  gboolean (*wants_dispatch)  (WeftLoop *loop, gpointer data);   /* work for the loop thread, even paused */
  void     (*before_sleep)    (WeftLoop *loop, gpointer data);   /* the context prepares to poll */
  void     (*dispatch_begin)  (WeftLoop *loop, gpointer data);
  void     (*dispatch_end)    (WeftLoop *loop, gpointer data);
  void     (*iteration_begin) (WeftLoop *loop, gpointer data,
                               gint64 now, guint n_timers, gint64 max_lateness);
  void     (*iteration_end)   (WeftLoop *loop, gpointer data);
  void     (*callback_begin)  (WeftLoop *loop, gpointer data, const char *name);
  void     (*callback_end)    (WeftLoop *loop, gpointer data, const char *name);
  void     (*task_step_begin) (WeftLoop *loop, gpointer data, WeftTask *task);
  void     (*task_step_end)   (WeftLoop *loop, gpointer data, WeftTask *task);
  /* A step that was timed (while recording: a task's first 8, then one in 1 to
   * 256 by how long its steps run, see next_timed_span() in weft-task.c). */
  void     (*task_timed)      (WeftLoop *loop, gpointer data, WeftTask *task);
  void     (*task_finished)   (WeftLoop *loop, gpointer data, WeftTask *task);
  /* Something looks wrong: a slow callback (debug mode), an error. */
  void     (*warning)         (WeftLoop *loop, gpointer data, const char *text);
};

/* Registers @observer (static) for the life of the process; returns its id. */
guint     _weft_observer_register   (const WeftObserver *observer);
/* Whether @observer_id's callback_begin/end run (loop thread; off when it
 * starts observing). Per callback they are the costly hooks: an observer
 * turns them on only while it needs them (the records: in the iterations
 * they record). */
void      _weft_loop_want_callback_hooks (WeftLoop *loop,
                                          guint     observer_id,
                                          gboolean  want);
/* From now on @observer_id's iteration hooks run only in sampled
 * iterations: those where timers fired, every iteration while paused, and
 * the first at or after @next_iteration or after @next_time (loop clock, as
 * far as the loop read it). Called again from its hooks to set the next
 * sample. Costs nothing per iteration in between. */
void      _weft_loop_sample_iterations (WeftLoop *loop,
                                        guint     observer_id,
                                        guint64   next_iteration,
                                        gint64    next_time);
/* Whether the current iteration may have hooks at all: two compares in
 * the iterations between two samples (begin_iteration), the same whether
 * anything observes the loop or not (hook_iteration is G_MAXUINT64 then),
 * and no branch taken: an iteration of a chain of callbacks is ~30 cycles,
 * and testing "observed" first, with the compares out of line, made it
 * 17 % slower while an inspector recorded. What else makes a sample moves
 * hook_iteration to 0 where it happens: pausing
 * (_weft_loop_update_hook_iteration()), the clock passing sample_time
 * (_weft_loop_read_clock()). */
static inline gboolean
_weft_loop_iteration_may_hook (WeftLoop *loop,
                               guint     n_timers)
{
  return loop->iteration >= loop->hook_iteration || (n_timers > 0 && loop->observed != 0);
}

void      _weft_loop_update_hook_iteration (WeftLoop *loop);

/* Reads the loop's clock into last_now (at a dispatch's start, a budget
 * check, due timers, a step): past sample_time, the next iteration is a
 * sample. Returns the time read. */
static inline gint64
_weft_loop_read_clock (WeftLoop *loop)
{
  loop->last_now = _weft_loop_now (loop);
  if (G_UNLIKELY (loop->last_now >= loop->sample_time))
    loop->hook_iteration = 0;
  return loop->last_now;
}

/* Which observers the current iteration's hooks go to (begin_iteration). */
static inline guint
_weft_loop_iteration_observers (WeftLoop *loop,
                                guint     n_timers)
{
  guint mask = loop->iteration_observers & ~loop->sampled_hooks;

  if (loop->sampled_hooks != 0
      && (n_timers > 0 || loop->paused || loop->iteration >= loop->sample_iteration
          || loop->last_now >= loop->sample_time))
    mask |= loop->sampled_hooks & loop->observed;
  return mask;
}
/* Starts (@data not NULL) or stops observing @loop (loop thread). */
void      _weft_loop_observe        (WeftLoop *loop,
                                     guint     observer_id,
                                     gpointer  data);
gpointer  _weft_loop_get_observer_data (WeftLoop *loop,
                                        guint     observer_id);

/* Called by the core. */
void      _weft_observers_loop_created (WeftLoop *loop);
void      _weft_observers_loop_closing (WeftLoop *loop);
gboolean  _weft_observers_want_dispatch (WeftLoop *loop);
void      _weft_observers_before_sleep (WeftLoop *loop);
void      _weft_observers_dispatch_begin (WeftLoop *loop);
void      _weft_observers_dispatch_end (WeftLoop *loop);
void      _weft_observers_iteration_begin (WeftLoop *loop,
                                           gint64    now,
                                           guint     n_timers,
                                           gint64    max_lateness);
void      _weft_observers_iteration_end (WeftLoop *loop);
void      _weft_observers_callback_begin (WeftLoop   *loop,
                                          const char *name);
void      _weft_observers_callback_end (WeftLoop   *loop,
                                        const char *name);
void      _weft_observers_task_step_begin (WeftLoop *loop,
                                           WeftTask *task);
void      _weft_observers_task_step_end (WeftLoop *loop,
                                         WeftTask *task);
void      _weft_observers_task_timed (WeftLoop *loop,
                                      WeftTask *task);
void      _weft_observers_task_finished (WeftLoop *loop,
                                         WeftTask *task);
void      _weft_observers_warning (WeftLoop   *loop,
                                   const char *format,
                                   ...) G_GNUC_PRINTF (2, 3);

/* The hooks the hot paths call: one branch when nothing observes. */
#define WEFT_OBSERVE(loop, hook, ...) \
  G_STMT_START { \
    if (G_UNLIKELY ((loop)->observed != 0)) \
      _weft_observers_##hook (loop, ##__VA_ARGS__); \
  } G_STMT_END

G_END_DECLS
