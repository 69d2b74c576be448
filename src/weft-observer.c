/* weft-observer.c: the observers of loops, see weft-observer-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdarg.h>

#include "weft-observer-private.h"

static const WeftObserver *observers[WEFT_MAX_OBSERVERS];
static guint n_observers;   /* written before any loop exists (at load time) */
static GMutex register_lock;

guint
_weft_observer_register (const WeftObserver *observer)
{
  guint id;

  g_mutex_lock (&register_lock);
  g_assert (n_observers < WEFT_MAX_OBSERVERS);
  id = n_observers;
  g_atomic_pointer_set (&observers[id], observer);
  g_atomic_int_set (&n_observers, n_observers + 1);
  g_mutex_unlock (&register_lock);
  return id;
}

static inline void
set_bit (guint    *mask,
         guint     bit,
         gboolean  on)
{
  if (on)
    *mask |= 1u << bit;
  else
    *mask &= ~(1u << bit);
}

/* hook_iteration and sample_time, after the masks, the sample or the
 * pause changed. */
void
_weft_loop_update_hook_iteration (WeftLoop *loop)
{
  if ((loop->iteration_observers & ~loop->sampled_hooks) != 0)
    loop->hook_iteration = 0;                        /* every iteration */
  else if ((loop->sampled_hooks & loop->observed) != 0)
    loop->hook_iteration = loop->paused ? 0 : loop->sample_iteration;   /* the next sample */
  else
    {
      loop->hook_iteration = G_MAXUINT64;            /* none */
      loop->sample_time = G_MAXINT64;
    }
}

void
_weft_loop_observe (WeftLoop *loop,
                    guint     observer_id,
                    gpointer  data)
{
  const WeftObserver *observer;

  g_return_if_fail (observer_id < WEFT_MAX_OBSERVERS);

  observer = observers[observer_id];
  loop->observer_data[observer_id] = data;
  set_bit (&loop->observed, observer_id, data != NULL);
  set_bit (&loop->callback_hooks, observer_id, FALSE);
  set_bit (&loop->sampled_hooks, observer_id, FALSE);
  set_bit (&loop->iteration_observers, observer_id,
           data != NULL && (observer->iteration_begin != NULL || observer->iteration_end != NULL));
  set_bit (&loop->step_observers, observer_id,
           data != NULL && (observer->task_step_begin != NULL || observer->task_step_end != NULL));
  set_bit (&loop->timed_observers, observer_id, data != NULL && observer->task_timed != NULL);
  loop->iteration_hooks &= loop->observed;
  loop->step_mode = (loop->recording ? WEFT_STEP_RECORD : 0) | (loop->step_observers != 0 ? WEFT_STEP_HOOKS : 0);
  loop->callback_checks = loop->callback_hooks != 0 || loop->debug;
  _weft_loop_update_hook_iteration (loop);
}

void
_weft_loop_sample_iterations (WeftLoop *loop,
                              guint     observer_id,
                              guint64   next_iteration,
                              gint64    next_time)
{
  g_return_if_fail (observer_id < WEFT_MAX_OBSERVERS);

  if (!(loop->observed & (1u << observer_id)))
    return;
  loop->sampled_hooks |= 1u << observer_id;
  loop->sample_iteration = next_iteration;
  loop->sample_time = next_time;
  _weft_loop_update_hook_iteration (loop);
}

void
_weft_loop_want_callback_hooks (WeftLoop *loop,
                                guint     observer_id,
                                gboolean  want)
{
  g_return_if_fail (observer_id < WEFT_MAX_OBSERVERS);

  set_bit (&loop->callback_hooks, observer_id, want && (loop->observed & (1u << observer_id)));
  loop->callback_checks = loop->callback_hooks != 0 || loop->debug;
}

gpointer
_weft_loop_get_observer_data (WeftLoop *loop,
                              guint     observer_id)
{
  g_return_val_if_fail (observer_id < WEFT_MAX_OBSERVERS, NULL);

  return loop->observer_data[observer_id];
}

void
_weft_observers_loop_created (WeftLoop *loop)
{
  guint n = (guint) g_atomic_int_get (&n_observers);

  for (guint id = 0; id < n; id++)
    {
      const WeftObserver *observer = g_atomic_pointer_get (&observers[id]);

      if (observer->loop_created != NULL)
        observer->loop_created (loop);
    }
}

/* Calls @hook of every observer in @mask. */
#define EACH_OBSERVER_IN(mask, loop, hook, ...) \
  for (guint bits = (mask); bits != 0; bits &= bits - 1) \
    { \
      guint id = (guint) __builtin_ctz (bits); \
      const WeftObserver *observer = observers[id]; \
      if (observer->hook != NULL) \
        observer->hook ((loop), (loop)->observer_data[id], ##__VA_ARGS__); \
    }
/* Calls @hook of every observer of @loop. */
#define EACH_OBSERVER(loop, hook, ...) EACH_OBSERVER_IN ((loop)->observed, loop, hook, ##__VA_ARGS__)

void
_weft_observers_loop_closing (WeftLoop *loop)
{
  EACH_OBSERVER (loop, loop_closing);
}

gboolean
_weft_observers_want_dispatch (WeftLoop *loop)
{
  for (guint bits = loop->observed; bits != 0; bits &= bits - 1)
    {
      guint id = (guint) __builtin_ctz (bits);

      if (observers[id]->wants_dispatch != NULL && observers[id]->wants_dispatch (loop, loop->observer_data[id]))
        return TRUE;
    }
  return FALSE;
}

void
_weft_observers_before_sleep (WeftLoop *loop)
{
  EACH_OBSERVER (loop, before_sleep);
}

void
_weft_observers_dispatch_begin (WeftLoop *loop)
{
  EACH_OBSERVER (loop, dispatch_begin);
}

void
_weft_observers_dispatch_end (WeftLoop *loop)
{
  EACH_OBSERVER (loop, dispatch_end);
}

void
_weft_observers_iteration_begin (WeftLoop *loop,
                                 gint64    now,
                                 guint     n_timers,
                                 gint64    max_lateness)
{
  EACH_OBSERVER_IN (loop->iteration_hooks, loop, iteration_begin, now, n_timers, max_lateness);
}

void
_weft_observers_iteration_end (WeftLoop *loop)
{
  EACH_OBSERVER_IN (loop->iteration_hooks & loop->observed, loop, iteration_end);
}

void
_weft_observers_callback_begin (WeftLoop   *loop,
                                const char *name)
{
  EACH_OBSERVER_IN (loop->callback_hooks & loop->observed, loop, callback_begin, name);
}

void
_weft_observers_callback_end (WeftLoop   *loop,
                              const char *name)
{
  EACH_OBSERVER_IN (loop->callback_hooks & loop->observed, loop, callback_end, name);
}

void
_weft_observers_task_step_begin (WeftLoop *loop,
                                 WeftTask *task)
{
  EACH_OBSERVER_IN (loop->step_observers, loop, task_step_begin, task);
}

void
_weft_observers_task_step_end (WeftLoop *loop,
                               WeftTask *task)
{
  EACH_OBSERVER_IN (loop->step_observers, loop, task_step_end, task);
}

void
_weft_observers_task_timed (WeftLoop *loop,
                            WeftTask *task)
{
  EACH_OBSERVER_IN (loop->timed_observers, loop, task_timed, task);
}

void
_weft_observers_task_finished (WeftLoop *loop,
                               WeftTask *task)
{
  EACH_OBSERVER (loop, task_finished, task);
}

void
_weft_observers_warning (WeftLoop   *loop,
                         const char *format,
                         ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  EACH_OBSERVER (loop, warning, text);
}
