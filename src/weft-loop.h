/* weft-loop.h: WeftLoop, asyncio's event loop inside a GMainContext
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
# error "Only <weft.h> can be included directly."
#endif

#include <glib-object.h>

#include "weft-types.h"
#include "weft-version-macros.h"

G_BEGIN_DECLS

#define WEFT_TYPE_LOOP (weft_loop_get_type ())

WEFT_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (WeftLoop, weft_loop, WEFT, LOOP, GObject)

/**
 * WeftExceptionContext:
 * @message: what went wrong, in a sentence
 * @error: (nullable): the error being reported
 * @handle: (nullable): the handle of the callback that reported it
 * @future: (nullable): the future concerned
 * @task: (nullable): the task concerned
 * @callback_name: (nullable): the name of the callback, as written where it was scheduled
 * @scheduled_at: (nullable): where the callback or task was scheduled (file:line)
 *
 * What weft_loop_call_exception_handler() passes to the exception handler: the
 * C counterpart of asyncio's exception context dict. Members left %NULL by the
 * caller are filled in from the callback that is running, if any.
 */
typedef struct
{
  const char   *message;
  const GError *error;
  WeftHandle   *handle;
  WeftFuture   *future;
  WeftTask     *task;
  const char   *callback_name;
  const char   *scheduled_at;
  /*< private >*/
  gpointer      padding[4];
} WeftExceptionContext;

/**
 * WeftExceptionHandler:
 * @loop: the loop
 * @context: what happened
 * @user_data: the data given to weft_loop_set_exception_handler()
 *
 * Receives errors that nobody else could handle: errors reported by callbacks,
 * failed futures whose error was never retrieved, tasks destroyed while pending.
 */
typedef void (*WeftExceptionHandler) (WeftLoop                   *loop,
                                      const WeftExceptionContext *context,
                                      gpointer                    user_data);

WEFT_AVAILABLE_IN_0_1
WeftLoop     *weft_loop_new                        (void) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_0_1
WeftLoop     *weft_loop_new_for_context            (GMainContext          *context) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_0_1
WeftLoop     *weft_loop_ref                        (WeftLoop              *loop);
WEFT_AVAILABLE_IN_0_1
void          weft_loop_unref                      (WeftLoop              *loop);
WEFT_AVAILABLE_IN_0_1
GMainContext *weft_loop_get_context                (WeftLoop              *loop);

WEFT_AVAILABLE_IN_0_1
void          weft_set_event_loop                  (WeftLoop              *loop);
WEFT_AVAILABLE_IN_0_1
WeftLoop     *weft_get_event_loop                  (void);
WEFT_AVAILABLE_IN_0_1
WeftLoop     *weft_get_running_loop                (void);

WEFT_AVAILABLE_IN_0_1
gboolean      weft_loop_run_until_complete         (WeftLoop              *loop,
                                                    WeftFuture            *future,
                                                    GError               **error);
WEFT_AVAILABLE_IN_0_1
gboolean      weft_loop_run_forever                (WeftLoop              *loop,
                                                    GError               **error);
WEFT_AVAILABLE_IN_0_1
void          weft_loop_stop                       (WeftLoop              *loop);
WEFT_AVAILABLE_IN_0_1
void          weft_loop_interrupt                  (WeftLoop              *loop);
WEFT_AVAILABLE_IN_0_1
void          weft_loop_close                      (WeftLoop              *loop);
WEFT_AVAILABLE_IN_0_1
gboolean      weft_loop_is_running                 (WeftLoop              *loop);
WEFT_AVAILABLE_IN_0_1
gboolean      weft_loop_is_closed                  (WeftLoop              *loop);
WEFT_AVAILABLE_IN_0_1
double        weft_loop_time                       (WeftLoop              *loop);

WEFT_AVAILABLE_IN_0_1
WeftHandle   *weft_loop_call_soon                  (WeftLoop              *loop,
                                                    WeftCallback           callback,
                                                    gpointer               user_data,
                                                    GDestroyNotify         destroy);
WEFT_AVAILABLE_IN_0_1
WeftHandle   *weft_loop_call_later                 (WeftLoop              *loop,
                                                    double                 delay,
                                                    WeftCallback           callback,
                                                    gpointer               user_data,
                                                    GDestroyNotify         destroy);
WEFT_AVAILABLE_IN_0_1
WeftHandle   *weft_loop_call_at                    (WeftLoop              *loop,
                                                    double                 when,
                                                    WeftCallback           callback,
                                                    gpointer               user_data,
                                                    GDestroyNotify         destroy);
WEFT_AVAILABLE_IN_0_1
gboolean      weft_loop_call_soon_threadsafe       (WeftLoop              *loop,
                                                    WeftCallback           callback,
                                                    gpointer               user_data,
                                                    GDestroyNotify         destroy);

WEFT_AVAILABLE_IN_0_1
WeftHandle   *weft_loop_call_soon_full             (WeftLoop              *loop,
                                                    WeftCallback           callback,
                                                    gpointer               user_data,
                                                    GDestroyNotify         destroy,
                                                    const char            *name,
                                                    const char            *where);
WEFT_AVAILABLE_IN_0_1
WeftHandle   *weft_loop_call_soon_at_site          (WeftLoop              *loop,
                                                    const WeftCallSite    *site,
                                                    WeftCallback           callback,
                                                    gpointer               user_data,
                                                    GDestroyNotify         destroy);
WEFT_AVAILABLE_IN_0_1
WeftHandle   *weft_loop_call_at_full               (WeftLoop              *loop,
                                                    double                 when,
                                                    WeftCallback           callback,
                                                    gpointer               user_data,
                                                    GDestroyNotify         destroy,
                                                    const char            *name,
                                                    const char            *where);
WEFT_AVAILABLE_IN_0_1
WeftHandle   *weft_loop_call_later_full            (WeftLoop              *loop,
                                                    double                 delay,
                                                    WeftCallback           callback,
                                                    gpointer               user_data,
                                                    GDestroyNotify         destroy,
                                                    const char            *name,
                                                    const char            *where);
WEFT_AVAILABLE_IN_0_1
gboolean      weft_loop_call_soon_threadsafe_full  (WeftLoop              *loop,
                                                    WeftCallback           callback,
                                                    gpointer               user_data,
                                                    GDestroyNotify         destroy,
                                                    const char            *name,
                                                    const char            *where);

WEFT_AVAILABLE_IN_0_1
void          weft_loop_set_exception_handler      (WeftLoop              *loop,
                                                    WeftExceptionHandler   handler,
                                                    gpointer               user_data,
                                                    GDestroyNotify         destroy);
WEFT_AVAILABLE_IN_0_1
void          weft_loop_call_exception_handler     (WeftLoop              *loop,
                                                    const WeftExceptionContext *context);
WEFT_AVAILABLE_IN_0_1
void          weft_loop_default_exception_handler  (WeftLoop              *loop,
                                                    const WeftExceptionContext *context);

WEFT_AVAILABLE_IN_0_1
void          weft_loop_set_debug                  (WeftLoop              *loop,
                                                    gboolean               debug);
WEFT_AVAILABLE_IN_0_1
gboolean      weft_loop_get_debug                  (WeftLoop              *loop);
WEFT_AVAILABLE_IN_0_1
void          weft_loop_set_slow_callback_duration (WeftLoop              *loop,
                                                    double                 seconds);
WEFT_AVAILABLE_IN_0_1
double        weft_loop_get_slow_callback_duration (WeftLoop              *loop);
WEFT_AVAILABLE_IN_0_1
void          weft_loop_set_dispatch_budget        (WeftLoop              *loop,
                                                    double                 seconds);
WEFT_AVAILABLE_IN_0_1
double        weft_loop_get_dispatch_budget        (WeftLoop              *loop);
WEFT_AVAILABLE_IN_0_1
void          weft_loop_set_timer_slack            (WeftLoop              *loop,
                                                    double                 seconds);
WEFT_AVAILABLE_IN_0_1
double        weft_loop_get_timer_slack            (WeftLoop              *loop);

/*
 * The scheduling calls record the callback's name and the file:line they were
 * made from, for debug mode and the inspector. Call the function itself (in
 * parentheses, or through a pointer) to skip that.
 */
#if defined(__GNUC__) && !defined(__cplusplus)
/* One static record per call site: the call carries a single pointer. */
# define weft_loop_call_soon(loop, callback, user_data, destroy) \
  (__extension__ ({ \
    static const WeftCallSite _weft_site_ __attribute__ ((aligned (8))) = { #callback, G_STRLOC }; \
    weft_loop_call_soon_at_site (loop, &_weft_site_, callback, user_data, destroy); \
  }))
#else
# define weft_loop_call_soon(loop, callback, user_data, destroy) \
  weft_loop_call_soon_full (loop, callback, user_data, destroy, #callback, G_STRLOC)
#endif
#define weft_loop_call_later(loop, delay, callback, user_data, destroy) \
  weft_loop_call_later_full (loop, delay, callback, user_data, destroy, #callback, G_STRLOC)
#define weft_loop_call_at(loop, when, callback, user_data, destroy) \
  weft_loop_call_at_full (loop, when, callback, user_data, destroy, #callback, G_STRLOC)
#define weft_loop_call_soon_threadsafe(loop, callback, user_data, destroy) \
  weft_loop_call_soon_threadsafe_full (loop, callback, user_data, destroy, #callback, G_STRLOC)


G_END_DECLS
