/* weft-loop-private.h: WeftLoop internals shared with the bridge and tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <math.h>
#include <pthread.h>
#include <time.h>

#include "weft-loop.h"
#include "weft-handle-private.h"
#include "weft-ready-queue-private.h"
#include "weft-timer-heap-private.h"

G_BEGIN_DECLS

#define WEFT_NS_PER_SEC G_GINT64_CONSTANT (1000000000)
#define WEFT_TIME_NEVER G_MAXINT64
#define WEFT_DEFAULT_TIMER_SLACK_NS (1000 * G_GINT64_CONSTANT (1000))

typedef gint64 (*WeftClockFunc) (gpointer user_data);

typedef struct
{
  WeftCallback    callback;
  gpointer        data;
  GDestroyNotify  destroy;
  const char     *name;
  const char     *where;
} WeftThreadsafeCall;

/* An iteration this long is not all in cache: the loop loads the task steps
 * ahead while it runs it (prefetch_ahead() in weft-loop-iteration.c), and
 * its tasks do not hand off to each other (weft-task-private.h). */
#define WEFT_LONG_ITERATION 64

/* What a task step does besides running (loop->step_mode, frame->mode):
 * nothing unless an inspector records or an observer watches every step. */
typedef enum
{
  WEFT_STEP_RECORD = 1 << 0,   /* busy time, the changed-task list */
  WEFT_STEP_HOOKS  = 1 << 1,   /* task_step_begin/end observers (Sysprof's marks) */
  WEFT_STEP_TIMED  = 1 << 2,   /* (frame only) this step is timed */
} WeftStepMode;

struct _WeftLoop
{
  GObject               parent_instance;
  guint                 future_holds;    /* futures alive: while > 0 the loop refs itself */
  guint                 id;              /* registry id, part of every handle token */
  GMainContext         *context;
  gpointer              backend;         /* the host's state for the loop: weft-backend-private.h */
  GMainLoop            *mainloop;        /* set while run_forever runs */

  WeftSlotTable         slots;
  WeftReadyQueue        ready;
  WeftTimerHeap         timers;
  guint                 n_cancelled_timers;
  guint32               timer_seq;       /* wraps: see weft-timer-heap-private.h */
  guint32               ntodo;           /* callbacks left in the current iteration */
  guint32               current;         /* slot running now, or WEFT_SLOT_NONE */
  guint64               current_seq;     /* light call running now: its sequence number + 1, or 0 */
  const WeftCallSite   *current_site;    /* ... and its site */
  GHashTable           *ring_pins;       /* pinned light calls: sequence number -> RingPin */
  guint64               iteration;

  pthread_mutex_t       ts_lock;
  GArray               *ts_queue;        /* WeftThreadsafeCall, under ts_lock */
  GArray               *ts_spare;        /* drained array kept for reuse (loop thread) */
  gint                  ts_pending;      /* atomic: ts_queue is not empty */
  gboolean              ts_closed;       /* under ts_lock: posts are refused */

  WeftClockFunc         clock_func;
  gpointer              clock_data;

  gint64                budget_ns;
  gint64                timer_slack_ns;
  gint64                slow_callback_ns;

  WeftExceptionHandler  exception_handler;
  gpointer              exception_data;
  GDestroyNotify        exception_destroy;

  GQueue                tasks;           /* WeftTask, alive and not yet finished */
  GQueue                changed_tasks;   /* live WeftTask by last change, while recording */
  guint64               task_changes;    /* changes counted while recording */
  guint64               changes_since;   /* task_changes when recording last started */
  guint64               changes_listed;  /* task_changes at the last weft_loop_list_changed_tasks() */
  guint64               tasks_finished;  /* tasks that finished, ever */
  struct _WeftStackPool *stack_pool;
  struct _WeftFuture   *spare_futures;   /* freed plain futures, for reuse */
  guint                 n_spare_futures;
  guint                 observed;        /* bit per observer observing: weft-observer-private.h */
  guint                 callback_hooks;  /* bit per observer that wants callback_begin/end now */
  guint                 iteration_observers; /* bit per observer with iteration hooks */
  guint                 step_observers;  /* bit per observer with task_step_begin/end hooks */
  guint                 timed_observers; /* bit per observer with a task_timed hook */
  guint                 sampled_hooks;   /* bit per observer that wants only sampled iterations */
  guint                 iteration_hooks; /* the observers called for the current iteration */
  guint64               sample_iteration;/* the next sampled iteration ... */
  gint64                sample_time;     /* ... or the first after this time (loop clock) */
  guint64               hook_iteration;  /* no iteration before it has hooks, unless timers
                                          * fired, the loop is paused or sample_time passed */
  /* A watchdog on another thread (the inspector server's blocked-loop watch)
   * reads ready.head_seq, current and current_seq (see _weft_loop_watch_*());
   * when it saw one callback run too long it leaves its report here, which
   * the loop thread turns into a warning once the callback returned. */
  char                 *blocked_report;  /* atomic: the name of the callback */
  gint64                blocked_since;   /* atomic: when it began (µs, monotonic) */
  gpointer              observer_data[8];/* WEFT_MAX_OBSERVERS */
  guint64               next_task_id;
  guint                 dispatch_depth;
  guint8                schedule_checks; /* closed or debug: scheduling takes its slow path */
  guint8                callback_checks; /* callback hooks or debug: callbacks run through run_checked() */
  guint8                step_mode;       /* what a task step does besides running: WeftStepMode */
  GThread              *owner;           /* the thread running or dispatching it (debug checks) */
  guint                 stopping : 1;
  guint                 closing : 1;       /* close() is unwinding tasks */
  guint                 closed : 1;
  guint                 debug : 1;
  guint                 paused : 1;      /* held back by the inspector */
  guint                 interrupted : 1; /* weft_loop_interrupt(): leave the dispatch now */
  guint                 virtual_time : 1;/* the clock stands still while paused */
  guint                 recording : 1;   /* keep iteration records */
  gint64                last_now;        /* the latest clock reading the loop made */
  gint64                time_offset;     /* virtual time, running: the clock is monotonic + this */
  gint64                frozen_ns;       /* virtual time, paused: the clock reads this */
  gpointer              current_data;    /* the running light call's data, if an internal call */
  gpointer              handoff;         /* the innermost dispatch running callbacks (its
                                          * budget), while a task step may hand off to the
                                          * next one: _weft_loop_take_handoff() */
  struct _WeftStepFrame *step_frame;     /* the innermost task step running (weft-task.c) */
  guint64               handoffs;        /* task steps begun by a hand-off, ever (the tests) */
};

static inline gint64
_weft_monotonic_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * WEFT_NS_PER_SEC + ts.tv_nsec;
}

static inline gint64
_weft_loop_now (WeftLoop *loop)
{
  if (G_UNLIKELY (loop->clock_func != NULL))
    return loop->clock_func (loop->clock_data);
  return _weft_monotonic_ns ();
}

/* Seconds as loop-clock nanoseconds, saturating. */
static inline gint64
_weft_seconds_to_ns (double seconds)
{
  if (seconds >= (double) (WEFT_TIME_NEVER / WEFT_NS_PER_SEC))
    return WEFT_TIME_NEVER;
  if (seconds <= (double) (G_MININT64 / WEFT_NS_PER_SEC))
    return G_MININT64 + 1;
  return (gint64) llround (seconds * 1e9);
}

typedef enum
{
  WEFT_LOOP_PROP_0,
  WEFT_LOOP_PROP_CONTEXT,
  WEFT_LOOP_PROP_RUNNING,
  WEFT_LOOP_PROP_CLOSED,
  WEFT_LOOP_PROP_DEBUG,
  WEFT_LOOP_PROP_PAUSED,
  WEFT_LOOP_PROP_SLOW_CALLBACK_DURATION,
  WEFT_LOOP_N_PROPS
} WeftLoopProperty;

void       _weft_loop_notify          (WeftLoop         *loop,
                                       WeftLoopProperty  property);

/* Debug mode (asyncio's _check_thread): a loop-thread operation called from
 * another thread than the one running the loop is refused with a critical
 * instead of corrupting the loop. Returns FALSE then. */
gboolean   _weft_loop_check_thread_slow (WeftLoop      *loop,
                                         const char    *what);

static inline gboolean
_weft_loop_check_thread (WeftLoop   *loop,
                         const char *what)
{
  if (G_LIKELY (!loop->debug) || loop->owner == NULL)
    return TRUE;
  return _weft_loop_check_thread_slow (loop, what);
}

/* Futures are loop-thread objects: they count themselves on the loop, which
 * holds one toggle reference on itself while any is alive (no atomics per
 * await). When that toggle reference is the last one left (the user dropped
 * theirs while tasks were pending), the loop closes: see weft-loop.c. */
void _weft_loop_toggled (gpointer  data,
                         GObject  *object,
                         gboolean  is_last_ref);

static inline void
_weft_loop_hold (WeftLoop *loop)
{
  if (loop->future_holds++ == 0)
    g_object_add_toggle_ref (G_OBJECT (loop), _weft_loop_toggled, NULL);
}

static inline void
_weft_loop_release (WeftLoop *loop)
{
  if (--loop->future_holds == 0)
    g_object_remove_toggle_ref (G_OBJECT (loop), _weft_loop_toggled, NULL);
}

/* A cheap clock for timing task steps while an inspector records: the CPU's
 * cycle counter where there is one (a few ns to read, where clock_gettime()
 * costs 20-30 ns on a VM), scaled by _weft_ns_per_tick(). */
#if defined(__x86_64__) || defined(__i386__)
# include <x86intrin.h>
static inline guint64
_weft_ticks (void)
{
  return __rdtsc ();
}
#elif defined(__aarch64__)
static inline guint64
_weft_ticks (void)
{
  guint64 value;

  __asm__ volatile ("mrs %0, cntvct_el0" : "=r" (value));
  return value;
}
#else
static inline guint64
_weft_ticks (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (guint64) ts.tv_sec * WEFT_NS_PER_SEC + ts.tv_nsec;
}
#endif
double     _weft_ns_per_tick          (void);

GPtrArray *_weft_loop_list_changed_upto (WeftLoop *loop,
                                         guint64  *cursor,
                                         guint     max);

/* What a light call of @site with @data shows as its name and file:line:
 * its site's, or for an internal call (a task step, a done callback) what it
 * stands for. */
void       _weft_call_describe         (const WeftCallSite  *site,
                                        gpointer             data,
                                        const char         **name,
                                        const char         **where);
/* Drops a light call that will not run: its destroy notify, if any. */
static inline void
_weft_entry_drop (WeftReadyEntry *entry)
{
  if ((entry->meta & (WEFT_ENTRY_DESTROY | WEFT_ENTRY_CANCELLED | WEFT_ENTRY_SLOT)) == WEFT_ENTRY_DESTROY)
    _weft_site_destroy (_weft_entry_site (entry)) (entry->data);
  entry->meta |= WEFT_ENTRY_CANCELLED;
}

/* For a watchdog thread: how many callbacks started so far, and whether
 * one runs now (atomic loads of what the dispatch stores anyway, so watching
 * costs the loop nothing). */
static inline guint64
_weft_loop_watch_progress (WeftLoop *loop)
{
  return __atomic_load_n (&loop->ready.head_seq, __ATOMIC_ACQUIRE);
}

static inline gboolean
_weft_loop_watch_busy (WeftLoop *loop)
{
  return __atomic_load_n (&loop->current_seq, __ATOMIC_RELAXED) != 0
      || __atomic_load_n (&loop->current, __ATOMIC_RELAXED) != WEFT_SLOT_NONE;
}

/* The name of the callback running now; only while the watchdog sees the
 * loop stuck in it (nothing changes it then). */
const char *_weft_loop_watch_name   (WeftLoop      *loop);
/* The watchdog's report (the callback's name, a string it allocated, and
 * blocked_since), made a warning on the loop thread, if there is one. */
void       _weft_loop_report_blocked (WeftLoop     *loop);

static inline void
_weft_loop_check_blocked (WeftLoop *loop)
{
  if (G_UNLIKELY (loop->observed != 0) && __atomic_load_n (&loop->blocked_report, __ATOMIC_RELAXED) != NULL)
    _weft_loop_report_blocked (loop);
}

/* The loop's parts, file by file (weft-loop*.c, weft-timers.c, weft-slot-table.c). */
guint      _weft_registry_add          (WeftLoop      *loop);
void       _weft_registry_remove       (WeftLoop      *loop);
void       _weft_set_running_loop      (WeftLoop      *loop);
void       _weft_loop_forget_default   (WeftLoop      *loop);
void       _weft_loop_close_threadsafe (WeftLoop      *loop);
void       _weft_loop_drain_threadsafe (WeftLoop      *loop);
void       _weft_loop_drop_cancelled_timer (WeftLoop  *loop,
                                        guint32        index);
gboolean   _weft_loop_push_context     (WeftLoop      *loop);

/* The bridge's view of the loop. */
gboolean   _weft_loop_has_work        (WeftLoop      *loop);
gint64     _weft_loop_next_deadline   (WeftLoop      *loop);
gint64     _weft_loop_wake_deadline   (WeftLoop      *loop);
void       _weft_loop_shift_timers    (WeftLoop      *loop,
                                       gint64         delta);
void       _weft_loop_dispatch        (WeftLoop      *loop);

/* One scheduling primitive for everything inside libweft. */
guint32    _weft_loop_schedule        (WeftLoop      *loop,
                                       gint64         when,
                                       WeftCallback   callback,
                                       gpointer       user_data,
                                       GDestroyNotify destroy,
                                       const char    *name,
                                       const char    *where);
static inline WeftHandle *
_weft_loop_handle_for (WeftLoop *loop,
                       guint32   index)
{
  return _weft_handle_encode (loop->id, index, _weft_slot_table_get (&loop->slots, index)->gen);
}

/* An internal call (a task step, a done callback): a light call of the
 * static @site, whose destroy notify runs after the call or when it is
 * cancelled or dropped; where there are no light calls, a slot named as
 * _weft_call_describe() says. Returns its handle. (Inline: a task's step is
 * queued at every wake-up.) */
static inline WeftHandle *
_weft_loop_schedule_internal (WeftLoop               *loop,
                              WeftCallback            callback,
                              gpointer                data,
                              const WeftInternalSite *site)
{
#if WEFT_LIGHT_CALLS
  return _weft_handle_encode_ring (loop->id, _weft_ready_queue_push_internal (&loop->ready, callback, data, site));
#else
  const char *name, *where;

  _weft_call_describe (&site->site, data, &name, &where);
  return _weft_loop_handle_for (loop, _weft_loop_schedule (loop, 0, callback, data, site->destroy, name, where));
#endif
}
WeftLoop  *_weft_loop_lookup          (guint          id);

/* Runs exactly one callback (starting a new iteration first if the last one is
 * over). Returns FALSE if there was nothing to run. For tests and stepping. */
gboolean   _weft_loop_run_one         (WeftLoop      *loop);
guint      _weft_loop_run_iteration   (WeftLoop      *loop);
void       _weft_loop_set_clock       (WeftLoop      *loop,
                                       WeftClockFunc  clock_func,
                                       gpointer       clock_data);

/* src/weft-inspect.c, for the probe's snapshots. */
GArray    *_weft_loop_list_ready_upto  (WeftLoop      *loop,
                                        guint          max);
GArray    *_weft_loop_list_timers_upto (WeftLoop      *loop,
                                        guint          max);

G_END_DECLS
