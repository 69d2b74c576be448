/* weft-probe.h: serving a loop to weft-inspector
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
# error "Only <weft.h> can be included directly."
#endif

#include <glib.h>

#include <glib-object.h>

#include "weft-inspect.h"
#include "weft-types.h"
#include "weft-version-macros.h"

G_BEGIN_DECLS

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
 * @run_hist: how many of its steps took each power of two of microseconds
 *   (as the `run-histogram` of weft_task_describe(); measured while recording)
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
  guint32        run_hist[WEFT_RUN_HISTOGRAM_BUCKETS];
} WeftTaskRecord;

#define WEFT_SNAPSHOT_TYPE ((const GVariantType *) "(tbsa(tssststtd)a(ss)a(ssd)asa(tdduuds))")

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

typedef void (*WeftTaskRowsFunc) (WeftLoop        *loop,
                                  GVariantBuilder *builder,
                                  guint            max_rows,
                                  gpointer         user_data);

WEFT_AVAILABLE_IN_0_1
void          weft_loop_set_task_rows_func  (WeftLoop         *loop,
                                             WeftTaskRowsFunc  func,
                                             gpointer          user_data,
                                             GDestroyNotify    destroy);

WEFT_AVAILABLE_IN_0_1
gboolean      weft_loop_serve_inspector     (WeftLoop *loop,
                                             GError  **error);
WEFT_AVAILABLE_IN_0_1
void          weft_loop_stop_serving_inspector (WeftLoop *loop);
WEFT_AVAILABLE_IN_0_1
const char   *weft_loop_get_inspector_address (WeftLoop *loop);
WEFT_AVAILABLE_IN_0_1
char         *weft_inspect_get_socket_directory (void);

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
GArray       *weft_loop_list_finished_tasks (WeftLoop *loop);
WEFT_AVAILABLE_IN_0_1
void          weft_loop_set_task_history    (WeftLoop *loop,
                                             guint     length);
WEFT_AVAILABLE_IN_0_1
void          weft_loop_set_recording       (WeftLoop *loop,
                                             gboolean  recording);
WEFT_AVAILABLE_IN_0_1
gboolean      weft_loop_get_recording       (WeftLoop *loop);
WEFT_AVAILABLE_IN_0_1
GArray       *weft_loop_get_iterations      (WeftLoop *loop);
WEFT_AVAILABLE_IN_0_1
GVariant     *weft_loop_describe_task       (WeftLoop *loop,
                                             guint64   task_id);
WEFT_AVAILABLE_IN_0_1
GVariant     *weft_task_describe            (WeftTask *task);
WEFT_AVAILABLE_IN_0_1
guint         weft_loop_get_task_history    (WeftLoop *loop);

G_END_DECLS
