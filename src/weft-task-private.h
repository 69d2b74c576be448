/* weft-task-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifdef HAVE_SANITIZER_ASAN
# include <sanitizer/common_interface_defs.h>
#endif
#ifdef HAVE_SANITIZER_TSAN
# include <sanitizer/tsan_interface.h>
#endif

#include <string.h>

#include "weft-fiber-private.h"
#include "weft-future-private.h"
#include "weft-inspect.h"
#include "weft-task.h"

G_BEGIN_DECLS

typedef enum
{
  WEFT_TASK_CREATED,    /* first step scheduled, never ran */
  WEFT_TASK_RUNNING,    /* on its stack right now */
  WEFT_TASK_SUSPENDED,  /* waiting for a future, a sleep or its next turn */
  WEFT_TASK_DONE,
} WeftTaskPhase;

/* What recording learns of a task (the records, the inspector): made the
 * first time recording sees the task, so that a task nobody records carries
 * none of it (100,000 tasks: 13 MB less). */
typedef struct
{
  GList             change_link;   /* in loop->changed_tasks, last changed last */
  guint64           change_gen;    /* loop->task_changes when it last changed */
  guint64           busy_ns;       /* time spent running */
  guint64           max_run_ns;    /* the longest step */
  guint64           last_run_iteration; /* the iteration of its last step */
  guint32           run_hist[WEFT_RUN_HISTOGRAM_BUCKETS];
  guint             warned_busy : 1;
  guint             warned_slow : 1;
} WeftTaskStats;

struct _WeftTask
{
  WeftFuture        parent;
  WeftTaskFunc      func;
  gpointer          data;
  GDestroyNotify    data_destroy;
  GDestroyNotify    result_destroy;
  char             *name;
  GSList           *old_names;     /* names before weft_task_set_name(), see there */
  guint64           id;
  GList             link;          /* in loop->tasks while not done */
  WeftTaskStats    *stats;         /* made when recording first sees the task */

  WeftFiberContext  context;       /* the task's own, while switched out */
  WeftFiberContext  caller;        /* whoever resumed it */
  WeftStack        *stack;         /* while it runs or is suspended */
  WeftStack        *home;          /* the stack whose home this struct is, or NULL */
  gsize             stack_size;    /* 0: the pool's default */

  WeftFuture       *waiter;        /* the future awaited (asyncio's _fut_waiter) */
  WeftDoneRecord    wake;
  WeftHandle       *sleep_handle;  /* the timer of weft_sleep() */
  gint64            sleep_ns;      /* how long that sleep is */
  GCancellable     *cancellable;
  char             *cancel_message;
  guint             cancel_requests;
  /* Whole bytes, not bit-fields: the task writes one on its stack and the
   * step reads the next right after the switch back; a bit-field load of the
   * word around a byte store stalls store forwarding at every step. */
  guint8            phase;
  guint8            must_cancel;
  guint8            fiber_done;
  guint8            step_queued;
  guint8            in_cancel;         /* weft_task_cancel() is on the stack */
  guint8            name_owned;        /* name is ours to free (else static) */
  /* While recording: steps to go until the next timed one, and how many
   * steps that one stands for less one (step_time_end() in weft-task.c). */
  guint8            until_timed;
  guint8            timed_span;
  gpointer          ret;
  GError           *ret_error;

  /* For the inspector and diagnostics. */
  WeftTask         *parent_task;
  const char       *created_at;
  const char       *await_at;
  guint64           runs;
  gint64            created_ns;    /* when it was created, on the loop's clock */
  guint64           self_wakes;    /* runs that followed a sleep(0) */

#ifdef HAVE_SANITIZER_TSAN
  void             *tsan_fiber;
  void             *tsan_caller;
#endif
#ifdef HAVE_SANITIZER_ASAN
  void             *asan_fake_stack;
  const void       *asan_caller_bottom;  /* the stack of caller, the loop's */
  gsize             asan_caller_size;
  gboolean          asan_handed;         /* resumed by a hand-off: the stack it
                                          * came from is not its caller's */
#endif
};

void _weft_task_finalize       (WeftTask *task);

/* How far ahead in a long ready queue a queued step starts loading what it
 * will touch (_weft_task_prefetch()). */
#define WEFT_TASK_PREFETCH_STRUCT 6
#define WEFT_TASK_PREFETCH_STACK  2
#define WEFT_TASK_PREFETCH_CANARY 1

/* A queued step @ahead entries from the head of a long ready queue: with
 * 100,000 tasks neither their structs nor their stacks stay in any cache, so
 * each step would wait for memory three or four times in a row. Loaded in
 * stages instead, each with a few steps' time to arrive: the struct (in its
 * stack's top page, with the stack's header) first, then (read from it) the
 * stack's top frame, then (read from the header) the canary. Only
 * prefetches: nothing changes, nothing faults. (Always inlined: GCC finds a
 * function of nothing but loads and prefetches pure, and drops its calls.) */
static inline __attribute__ ((always_inline)) void
_weft_task_prefetch (WeftTask *task,
                     guint     ahead)
{
  if (ahead == WEFT_TASK_PREFETCH_STRUCT)
    {
      for (guint offset = 0; offset < sizeof (WeftTask); offset += 64)
        __builtin_prefetch ((const guint8 *) task + offset);
    }
  else if (ahead == WEFT_TASK_PREFETCH_STACK)
    {
      if (task->stack != NULL)
        {
          __builtin_prefetch (task->context.sp);
          __builtin_prefetch ((const guint8 *) task->context.sp + 64);
          __builtin_prefetch (task->stack);   /* the header: the canary's stage reads it */
        }
    }
  else if (ahead == WEFT_TASK_PREFETCH_CANARY)
    {
      if (task->stack != NULL && !task->stack->guarded)
        __builtin_prefetch (_weft_stack_canary_address (task->stack));
    }
}

/* The task's parts, file by file (weft-task.c, weft-await.c, weft-task-overflow.c). */
void _weft_task_step           (gpointer  data);

/* Queues @task's next step, unless it is queued already (inline: every
 * future a task awaits does it when it completes). */
static inline void
_weft_task_schedule_step (WeftTask *task)
{
  if (task->step_queued)
    return;
  task->step_queued = TRUE;
  /* The queued step holds the task (and so its name, which the ready queue
   * shows) until the loop is done with it. */
  _weft_loop_schedule_internal (task->parent.loop, _weft_task_step, _weft_future_ref (task), &_weft_task_step_site);
}

/* The task running on this thread (weft_current_task()); initial-exec: a
 * plain %fs-relative load on every step and await. */
extern _Thread_local WeftTask *_weft_current_task __attribute__ ((tls_model ("initial-exec")));

#ifdef HAVE_SANITIZER_ASAN
/* @task runs again (its first step: @fake_stack NULL): ASan learns which
 * stack it left, the caller's when the loop resumed it, which the task goes
 * back to; after a hand-off, the other task's, which it does not (the
 * caller's came with the hand-off). */
static inline void
_weft_task_asan_resumed (WeftTask *task,
                         void     *fake_stack)
{
  if (task->asan_handed)
    {
      task->asan_handed = FALSE;
      __sanitizer_finish_switch_fiber (fake_stack, NULL, NULL);
    }
  else
    __sanitizer_finish_switch_fiber (fake_stack, &task->asan_caller_bottom, &task->asan_caller_size);
}
#endif

/* Switches from @task back to whoever resumed it. */
static inline void
_weft_task_switch_out (WeftTask *task,
                       gboolean  for_good)
{
#ifdef HAVE_SANITIZER_TSAN
  __tsan_switch_to_fiber (task->tsan_caller, 0);
#endif
#ifdef HAVE_SANITIZER_ASAN
  __sanitizer_start_switch_fiber (for_good ? NULL : &task->asan_fake_stack,
                                  task->asan_caller_bottom, task->asan_caller_size);
#endif
  _weft_fiber_swap (&task->context, &task->caller);
#ifdef HAVE_SANITIZER_ASAN
  _weft_task_asan_resumed (task, task->asan_fake_stack);
#endif
}

/* A task step under way, in _weft_task_step()'s frame on the loop's stack:
 * the task running (a hand-off changes it), the future its step holds until
 * it ends, and what ran around it. */
typedef struct _WeftStepFrame WeftStepFrame;
struct _WeftStepFrame
{
  WeftTask      *task;     /* the task running now */
  gboolean       handed;   /* its step began with a hand-off: the queued step's
                            * reference is ours to drop (else the loop's caller's) */
  guint8         mode;     /* WeftStepMode: as its step began, so it ends */
  guint64        started;  /* WEFT_STEP_TIMED: since then (cycle counter) */
  WeftFuture    *awaited;  /* dropped when that task's step ends */
  WeftTask      *outer;    /* _weft_current_task around the step */
  WeftStepFrame *up;       /* the step this one runs inside (a nested main loop) */
};

/* Whether @task runs on the stack its struct lives on (a default size): its
 * start takes nothing from the pool, and cannot fail for want of a stack. */
static inline gboolean
_weft_task_runs_on_home (const WeftTask *task)
{
  return task->home != NULL && _weft_stack_size_is_default (task->stack_size);
}

/* Whether the entry is a task's queued step (not cancelled). */
static inline gboolean
_weft_entry_is_task_step (const WeftReadyEntry *entry)
{
  return entry->meta == ((guintptr) &_weft_task_step_site.site | WEFT_ENTRY_DESTROY);
}

/* A suspending task switches straight to the next queued task step when the
 * loop would run it next anyway (one switch instead of two: see
 * _weft_task_handoff()). */
#if defined(WEFT_FIBER_ASM)
# define WEFT_TASK_HANDOFF 1
WeftTask *_weft_task_handoff      (WeftTask *from);

/* Whether a hand-off can begin @task's next step: a suspended task, or one
 * whose first step cannot fail (not cancelled before it ran, its stack the
 * one its struct lives on: task_start() takes nothing from anywhere). */
static inline gboolean
_weft_task_can_take_handoff (const WeftTask *task)
{
  return task->phase == WEFT_TASK_SUSPENDED
      || (task->phase == WEFT_TASK_CREATED && !task->must_cancel && _weft_task_runs_on_home (task));
}
#endif

/* Suspends the running task until something schedules its next step. */
static inline void
_weft_task_suspend (WeftTask *task)
{
  task->phase = WEFT_TASK_SUSPENDED;
#ifdef WEFT_TASK_HANDOFF
  /* Not in a long iteration: there the loop's stack loads the steps ahead
   * (100,000 tasks ran 10 % slower handing off), and asking would write
   * frames on this stack, cold there. */
  if (task->parent.loop->handoff != NULL && task->parent.loop->ntodo <= WEFT_LONG_ITERATION)
    {
      WeftTask *next = _weft_task_handoff (task);

      if (next != NULL)
        {
          /* (The sanitizers follow the switch; the caller's stack goes
           * with it: _weft_task_handoff().) */
#ifdef HAVE_SANITIZER_TSAN
          __tsan_switch_to_fiber (next->tsan_fiber, 0);
#endif
#ifdef HAVE_SANITIZER_ASAN
          __sanitizer_start_switch_fiber (&task->asan_fake_stack, next->stack->base, next->stack->size);
#endif
          _weft_fiber_swap (&task->context, &next->context);
#ifdef HAVE_SANITIZER_ASAN
          _weft_task_asan_resumed (task, task->asan_fake_stack);
#endif
          return;   /* resumed: the step that did it made it running */
        }
    }
#endif
  _weft_task_switch_out (task, FALSE);
  task->phase = WEFT_TASK_RUNNING;
}
void _weft_task_ensure_overflow_handler (void);
/* src/weft-inspect.c: the await chain of @task, hop by hop (a{sv} array). */
GVariant *_weft_task_await_chain (WeftTask *task);

extern const WeftTaskStats _weft_task_no_stats;

/* Where a task whose struct lives in its stack's home keeps its statistics:
 * in the home too, right after the struct (nothing to allocate per task). */
#define WEFT_TASK_HOME_STATS_OFFSET ((sizeof (WeftTask) + 7) & ~(gsize) 7)

static inline WeftTaskStats *
_weft_task_home_stats (WeftTask *task)
{
  return (WeftTaskStats *) (void *) ((guint8 *) task + WEFT_TASK_HOME_STATS_OFFSET);
}

/* @task's statistics, made now if recording had not seen it yet. */
static inline WeftTaskStats *
_weft_task_stats (WeftTask *task)
{
  if (G_UNLIKELY (task->stats == NULL))
    task->stats = task->home != NULL ? memset (_weft_task_home_stats (task), 0, sizeof (WeftTaskStats))
                                     : g_new0 (WeftTaskStats, 1);
  return task->stats;
}

/* @task's statistics to read: all zero if recording never saw it. */
static inline const WeftTaskStats *
_weft_task_peek_stats (const WeftTask *task)
{
  return task->stats != NULL ? task->stats : &_weft_task_no_stats;
}

void _weft_task_relist       (WeftLoop      *loop,
                              WeftTask      *task,
                              WeftTaskStats *stats);

/* Marks @task, whose statistics are @stats, as changed for
 * weft_loop_list_changed_tasks() (while recording). Listed already as
 * changed since the last listing, it stays where it is (a task stepping a
 * million times between two listings moves once): one compare per step. */
static inline void
_weft_task_touch_stats (WeftLoop      *loop,
                        WeftTask      *task,
                        WeftTaskStats *stats)
{
  if (G_UNLIKELY (stats->change_gen <= loop->changes_listed || stats->change_link.data == NULL))
    _weft_task_relist (loop, task, stats);
}

/* The same for any task (while recording; nothing otherwise). */
static inline void
_weft_task_touch (WeftLoop *loop,
                  WeftTask *task)
{
  if (G_UNLIKELY (loop->recording))
    _weft_task_touch_stats (loop, task, _weft_task_stats (task));
}
void _weft_loop_destroy_tasks  (WeftLoop *loop);
/* Frees the loop's stack pool (its tasks are gone). */
void _weft_loop_free_stacks    (WeftLoop *loop);

G_END_DECLS
