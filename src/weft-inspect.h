/* weft-inspect.h: looking inside a running loop (for weft-inspector and tests)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
# error "Only <weft.h> can be included directly."
#endif

#include <glib.h>

#include "weft-types.h"
#include "weft-version-macros.h"

G_BEGIN_DECLS

typedef enum _WeftTaskState WeftTaskState;

/**
 * WeftTaskState:
 * @WEFT_TASK_STATE_PENDING: created, has not run yet
 * @WEFT_TASK_STATE_RUNNING: running right now
 * @WEFT_TASK_STATE_SUSPENDED: waiting (for a future, a sleep or its next turn)
 * @WEFT_TASK_STATE_DONE: returned a result
 * @WEFT_TASK_STATE_FAILED: returned an error
 * @WEFT_TASK_STATE_CANCELLED: was cancelled
 *
 * What a task is doing, as the inspector shows it.
 */
enum _WeftTaskState
{
  WEFT_TASK_STATE_PENDING,
  WEFT_TASK_STATE_RUNNING,
  WEFT_TASK_STATE_SUSPENDED,
  WEFT_TASK_STATE_DONE,
  WEFT_TASK_STATE_FAILED,
  WEFT_TASK_STATE_CANCELLED,
};

/**
 * WeftCallInfo:
 * @name: (nullable): the callback's name, as written where it was scheduled
 * @where: (nullable): file:line of the scheduling call
 * @when: the deadline (timers), or 0
 * @handle: the call's handle
 *
 * A scheduled call, as listed by weft_loop_list_ready() and
 * weft_loop_list_timers(). The strings are static.
 */
typedef struct
{
  const char *name;
  const char *where;
  double      when;
  WeftHandle *handle;
} WeftCallInfo;



/**
 * WEFT_RUN_HISTOGRAM_BUCKETS:
 *
 * The buckets of a task's run-time histogram (weft_loop_describe_task()):
 * bucket 0 counts steps under 1 µs, bucket k steps from 2^(k-1) to 2^k µs,
 * the last one steps of 2^(k-1) µs (16.4 ms) and more.
 */
#define WEFT_RUN_HISTOGRAM_BUCKETS 16


WEFT_AVAILABLE_IN_0_1
GArray       *weft_loop_list_ready          (WeftLoop *loop);
WEFT_AVAILABLE_IN_0_1
GArray       *weft_loop_list_timers         (WeftLoop *loop);
WEFT_AVAILABLE_IN_0_1
guint64       weft_loop_get_iteration       (WeftLoop *loop);

WEFT_AVAILABLE_IN_0_1
void          weft_loop_set_paused          (WeftLoop *loop,
                                             gboolean  paused);
WEFT_AVAILABLE_IN_0_1
gboolean      weft_loop_get_paused          (WeftLoop *loop);
WEFT_AVAILABLE_IN_0_1
gboolean      weft_loop_step_callback       (WeftLoop *loop);
WEFT_AVAILABLE_IN_0_1
guint         weft_loop_step_iteration      (WeftLoop *loop);
WEFT_AVAILABLE_IN_0_1
guint         weft_loop_step_to_next_timer  (WeftLoop *loop);
WEFT_AVAILABLE_IN_0_1
void          weft_loop_set_virtual_time    (WeftLoop *loop,
                                             gboolean  virtual_time);
WEFT_AVAILABLE_IN_0_1
gboolean      weft_loop_get_virtual_time    (WeftLoop *loop);

WEFT_AVAILABLE_IN_0_1
WeftTaskState weft_task_get_state           (WeftTask *task);
WEFT_AVAILABLE_IN_0_1
const char   *weft_task_state_to_string     (WeftTaskState state);
WEFT_AVAILABLE_IN_0_1
WeftFuture   *weft_task_get_awaited         (WeftTask *task);
WEFT_AVAILABLE_IN_0_1
char         *weft_task_describe_await      (WeftTask *task);
WEFT_AVAILABLE_IN_0_1
const char   *weft_task_get_created_at      (WeftTask *task);
WEFT_AVAILABLE_IN_0_1
guint64       weft_task_get_runs            (WeftTask *task);
WEFT_AVAILABLE_IN_0_1
double        weft_task_get_busy_time       (WeftTask *task,
                                             double   *max_run);
WEFT_AVAILABLE_IN_0_1
const char   *weft_task_get_await_location  (WeftTask *task);
WEFT_AVAILABLE_IN_0_1
double        weft_task_get_age             (WeftTask *task);
WEFT_AVAILABLE_IN_0_1
GPtrArray    *weft_loop_list_changed_tasks  (WeftLoop *loop,
                                             guint64  *cursor);
WEFT_AVAILABLE_IN_0_1
guint64       weft_loop_get_finished_count  (WeftLoop *loop);

G_END_DECLS
