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
 * WeftIterationRecord:
 * @index: the iteration's number
 * @start: when it started, on the loop's clock (seconds)
 * @duration: how long its callbacks ran (seconds)
 * @n_callbacks: callbacks run
 * @n_timers: timers that fired
 * @max_lateness: the latest timer's lateness (seconds)
 * @callbacks: the names of the callbacks it ran, in order, comma-separated
 *   (the first ones: cut at the end of the buffer, with "…")
 *
 * One loop iteration, recorded while recording is on.
 */
typedef struct
{
  guint64 index;
  double  start;
  double  duration;
  guint   n_callbacks;
  guint   n_timers;
  double  max_lateness;
  char    callbacks[112];
} WeftIterationRecord;

/**
 * WeftTaskRecord:
 * @id: the task's id
 * @name: its name
 * @state: how it ended: done, failed or cancelled
 * @runs: how many steps it ran
 * @created_at: (nullable): where it was created (file:line)
 * @error_message: (nullable): its error, if it failed or was cancelled
 * @busy_ns: the time it spent running, in nanoseconds (measured while recording)
 * @max_run_ns: its longest step, in nanoseconds (measured while recording)
 * @created: when it was created, on the loop's clock (weft_loop_time())
 *
 * A task that finished while recording was on, kept in the loop's bounded
 * history (weft_loop_set_task_history()).
 */
typedef struct _WeftTaskRecord
{
  guint64        id;
  char          *name;
  WeftTaskState  state;
  guint64        runs;
  const char    *created_at;
  char          *error_message;
  guint64        busy_ns;
  guint64        max_run_ns;
  double         created;
} WeftTaskRecord;

/**
 * WEFT_RUN_HISTOGRAM_BUCKETS:
 *
 * The buckets of a task's run-time histogram (weft_loop_describe_task()):
 * bucket 0 counts steps under 1 µs, bucket k steps from 2^(k-1) to 2^k µs,
 * the last one steps of 2^(k-1) µs (16.4 ms) and more.
 */
#define WEFT_RUN_HISTOGRAM_BUCKETS 16

#define WEFT_SNAPSHOT_TYPE ((const GVariantType *) "(tbsa(tssststtd)a(ss)a(ssd)as)")

/**
 * WEFT_TASK_ROW_TYPE:
 *
 * The #GVariant type of one task as snapshots, Changed signals and recordings
 * carry it: `(tssststtd)`, see #WeftTaskRow.
 */
#define WEFT_TASK_ROW_TYPE ((const GVariantType *) "(tssststtd)")

/**
 * WEFT_CHANGED_TYPE:
 *
 * The #GVariant type of the inspector's Changed signal: `(tba(tssststtd))`,
 * the serial, whether the peer must fetch everything again (reset), and the
 * tasks that changed (#WeftTaskRow).
 */
#define WEFT_CHANGED_TYPE ((const GVariantType *) "(tba(tssststtd))")

/**
 * WeftTaskRow:
 * @id: the task's id
 * @name: its name
 * @state: weft_task_state_to_string() of its state
 * @awaits: what it awaits (weft_task_describe_await()), or its error when it
 *   failed, or ""
 * @runs: how many steps it ran
 * @created_at: where it was created (file:line), or ""
 * @busy_ns: time it spent running, while recording
 * @max_run_ns: its longest step, while recording
 * @age: seconds since it was created
 *
 * One task on the wire (#WEFT_TASK_ROW_TYPE): the one codec of the inspector's
 * snapshots, Changed signals and recordings, written with
 * weft_task_row_encode() and read with weft_task_row_decode(). Decoded
 * strings belong to the #GVariant they were read from.
 */
typedef struct
{
  guint64     id;
  const char *name;
  const char *state;
  const char *awaits;
  guint64     runs;
  const char *created_at;
  guint64     busy_ns;
  guint64     max_run_ns;
  double      age;
} WeftTaskRow;

WEFT_AVAILABLE_IN_0_1
void          weft_task_row_encode          (GVariantBuilder   *builder,
                                             const WeftTaskRow *row);
WEFT_AVAILABLE_IN_0_1
gboolean      weft_task_row_decode          (GVariantIter      *iter,
                                             WeftTaskRow       *row);
WEFT_AVAILABLE_IN_0_1
GVariant     *weft_loop_snapshot            (WeftLoop *loop);
WEFT_AVAILABLE_IN_0_1
GPtrArray    *weft_loop_lint                (WeftLoop *loop);
WEFT_AVAILABLE_IN_0_1
GArray       *weft_loop_list_ready          (WeftLoop *loop);
WEFT_AVAILABLE_IN_0_1
GArray       *weft_loop_list_finished_tasks (WeftLoop *loop);
WEFT_AVAILABLE_IN_0_1
void          weft_loop_set_task_history    (WeftLoop *loop,
                                             guint     length);
WEFT_AVAILABLE_IN_0_1
GArray       *weft_loop_list_timers         (WeftLoop *loop);
WEFT_AVAILABLE_IN_0_1
guint64       weft_loop_get_iteration       (WeftLoop *loop);
WEFT_AVAILABLE_IN_0_1
void          weft_loop_set_recording       (WeftLoop *loop,
                                             gboolean  recording);
WEFT_AVAILABLE_IN_0_1
GArray       *weft_loop_get_iterations      (WeftLoop *loop);

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
WEFT_AVAILABLE_IN_0_1
GVariant     *weft_loop_describe_task       (WeftLoop *loop,
                                             guint64   task_id);
WEFT_AVAILABLE_IN_0_1
GVariant     *weft_task_describe            (WeftTask *task);

G_END_DECLS
