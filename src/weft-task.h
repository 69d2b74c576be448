/* weft-task.h: WeftTask, asyncio's Task, and what runs inside one
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
# error "Only <weft.h> can be included directly."
#endif

#include <gio/gio.h>

#include "weft-future.h"
#include "weft-types.h"
#include "weft-version-macros.h"

G_BEGIN_DECLS

#define WEFT_TYPE_TASK_GROUP (weft_task_group_get_type ())
#define WEFT_TYPE_TIMEOUT (weft_timeout_get_type ())

WEFT_AVAILABLE_IN_0_1
GType weft_task_group_get_type (void) G_GNUC_CONST;
WEFT_AVAILABLE_IN_0_1
GType weft_timeout_get_type (void) G_GNUC_CONST;

#define WEFT_TYPE_TASK (weft_task_get_type ())

WEFT_AVAILABLE_IN_0_1
GType weft_task_get_type (void) G_GNUC_CONST;

/**
 * WeftTaskFunc:
 * @data: the data given to weft_loop_create_task()
 * @error: return location for the task's error
 *
 * The body of a task: a plain C function that runs on its own stack, so its
 * local variables survive every weft_await() and weft_sleep().
 *
 * Returns: (nullable): the task's result; %NULL with @error set on failure
 */
typedef gpointer (*WeftTaskFunc) (gpointer   data,
                                  GError   **error);

typedef struct _WeftTimeout WeftTimeout;

WEFT_AVAILABLE_IN_0_1
WeftTask     *weft_loop_create_task       (WeftLoop       *loop,
                                           WeftTaskFunc    func,
                                           gpointer        data,
                                           GDestroyNotify  data_destroy) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_0_1
WeftTask     *weft_loop_create_task_full  (WeftLoop       *loop,
                                           WeftTaskFunc    func,
                                           gpointer        data,
                                           GDestroyNotify  data_destroy,
                                           const char     *name,
                                           const char     *where) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_0_1
WeftTask     *weft_loop_create_task_static (WeftLoop      *loop,
                                           WeftTaskFunc    func,
                                           gpointer        data,
                                           GDestroyNotify  data_destroy,
                                           const char     *static_name,
                                           const char     *where) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_0_1
WeftTask     *weft_create_task            (WeftTaskFunc    func,
                                           gpointer        data,
                                           GDestroyNotify  data_destroy) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_0_1
WeftTask     *weft_task_ref               (WeftTask       *task);
WEFT_AVAILABLE_IN_0_1
void          weft_task_unref             (WeftTask       *task);
WEFT_AVAILABLE_IN_0_1
void          weft_task_set_name          (WeftTask       *task,
                                           const char     *name);
WEFT_AVAILABLE_IN_0_1
const char   *weft_task_get_name          (WeftTask       *task);
WEFT_AVAILABLE_IN_0_1
guint64       weft_task_get_id            (WeftTask       *task);
WEFT_AVAILABLE_IN_0_1
void          weft_task_set_result_destroy (WeftTask      *task,
                                           GDestroyNotify  result_destroy);
WEFT_AVAILABLE_IN_0_1
gboolean      weft_task_set_stack_size    (WeftTask       *task,
                                           gsize           stack_size);
WEFT_AVAILABLE_IN_0_1
gboolean      weft_task_cancel            (WeftTask       *task,
                                           const char     *message);
WEFT_AVAILABLE_IN_0_1
guint         weft_task_cancelling        (WeftTask       *task);
WEFT_AVAILABLE_IN_0_1
guint         weft_task_uncancel          (WeftTask       *task);
WEFT_AVAILABLE_IN_0_1
GCancellable *weft_task_get_cancellable   (WeftTask       *task);
WEFT_AVAILABLE_IN_0_1
WeftTask     *weft_current_task           (void);
WEFT_AVAILABLE_IN_0_1
GPtrArray    *weft_all_tasks              (WeftLoop       *loop);

/* Inside a task. */
WEFT_AVAILABLE_IN_0_1
gpointer      weft_await                  (WeftFuture     *future,
                                           GError        **error);
WEFT_AVAILABLE_IN_0_1
gboolean      weft_sleep                  (double          seconds,
                                           GError        **error);
WEFT_AVAILABLE_IN_0_1
gpointer      weft_await_at               (WeftFuture     *future,
                                           GError        **error,
                                           const char     *where);
WEFT_AVAILABLE_IN_0_1
gboolean      weft_sleep_at               (double          seconds,
                                           GError        **error,
                                           const char     *where);

/* Awaits remember where they were written (file:line), for the inspector's
 * task details; call (weft_await) (...) in parentheses to skip it. */
#define weft_await(future, error) weft_await_at (future, error, G_STRLOC)
#define weft_sleep(seconds, error) weft_sleep_at (seconds, error, G_STRLOC)

/* Combinators: they take their own references to the futures given. */
WEFT_AVAILABLE_IN_0_1
WeftFuture   *weft_gather                 (WeftFuture     *first,
                                           ...) G_GNUC_NULL_TERMINATED G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_0_1
WeftFuture   *weft_gatherv                (WeftFuture   **futures,
                                           guint           n_futures,
                                           gboolean        return_exceptions) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_0_1
WeftFuture   *weft_gather_get_child       (WeftFuture     *gather,
                                           guint           index);
WEFT_AVAILABLE_IN_0_1
WeftFuture   *weft_wait_for               (WeftFuture     *future,
                                           double          timeout) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_0_1
WeftFuture   *weft_shield                 (WeftFuture     *future) G_GNUC_WARN_UNUSED_RESULT;

WEFT_AVAILABLE_IN_0_1
WeftTimeout  *weft_timeout_enter          (double          delay);
WEFT_AVAILABLE_IN_0_1
gboolean      weft_timeout_expired        (WeftTimeout    *timeout);
WEFT_AVAILABLE_IN_0_1
gboolean      weft_timeout_leave          (WeftTimeout    *timeout,
                                           GError        **error);
WEFT_AVAILABLE_IN_0_1
WeftTimeout  *weft_timeout_ref            (WeftTimeout    *timeout);
WEFT_AVAILABLE_IN_0_1
void          weft_timeout_unref          (WeftTimeout    *timeout);

WEFT_AVAILABLE_IN_0_1
WeftTaskGroup *weft_task_group_new        (void) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_0_1
WeftTask     *weft_task_group_create_task (WeftTaskGroup  *group,
                                           WeftTaskFunc    func,
                                           gpointer        data,
                                           GDestroyNotify  data_destroy);
WEFT_AVAILABLE_IN_0_1
WeftTask     *weft_task_group_create_task_full (WeftTaskGroup  *group,
                                                WeftTaskFunc    func,
                                                gpointer        data,
                                                GDestroyNotify  data_destroy,
                                                const char     *name,
                                                const char     *where);
WEFT_AVAILABLE_IN_0_1
gboolean      weft_task_group_wait        (WeftTaskGroup  *group,
                                           GError        **error);
WEFT_AVAILABLE_IN_0_1
GPtrArray    *weft_task_group_get_errors  (WeftTaskGroup  *group);
WEFT_AVAILABLE_IN_0_1
WeftTaskGroup *weft_task_group_ref        (WeftTaskGroup  *group);
WEFT_AVAILABLE_IN_0_1
void          weft_task_group_unref       (WeftTaskGroup  *group);
WEFT_AVAILABLE_IN_0_1
void          weft_task_group_free        (WeftTaskGroup  *group);

/* The name is the function's, a literal: the task keeps it, no copy. */
#define weft_loop_create_task(loop, func, data, data_destroy) \
  weft_loop_create_task_static (loop, func, data, data_destroy, #func, G_STRLOC)
#define weft_create_task(func, data, data_destroy) \
  weft_loop_create_task_static (weft_get_event_loop (), func, data, data_destroy, #func, G_STRLOC)
#define weft_task_group_create_task(group, func, data, data_destroy) \
  weft_task_group_create_task_full (group, func, data, data_destroy, #func, G_STRLOC)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WeftTask, weft_task_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WeftTaskGroup, weft_task_group_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WeftTimeout, weft_timeout_unref)

G_END_DECLS
