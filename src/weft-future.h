/* weft-future.h: WeftFuture, asyncio's Future
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

#define WEFT_TYPE_FUTURE (weft_future_get_type ())

WEFT_AVAILABLE_IN_0_1
GType weft_future_get_type (void) G_GNUC_CONST;

/**
 * WEFT_FUTURE:
 * @obj: a #WeftTask or a #WeftFuture
 *
 * Casts a task to the future it is (every #WeftTask is a #WeftFuture).
 */
#define WEFT_FUTURE(obj) ((WeftFuture *) (obj))

/**
 * WeftFutureCallback:
 * @future: the future, now done
 * @user_data: the data given to weft_future_add_done_callback()
 *
 * A done callback of a future.
 */
typedef void (*WeftFutureCallback) (WeftFuture *future,
                                    gpointer    user_data);

WEFT_AVAILABLE_IN_0_1
WeftFuture *weft_loop_create_future           (WeftLoop            *loop) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_0_1
WeftFuture *weft_future_ref                   (WeftFuture          *future);
WEFT_AVAILABLE_IN_0_1
void        weft_future_unref                 (WeftFuture          *future);
WEFT_AVAILABLE_IN_0_1
WeftLoop   *weft_future_get_loop              (WeftFuture          *future);
WEFT_AVAILABLE_IN_0_1
void        weft_future_set_name              (WeftFuture          *future,
                                               const char          *name);
WEFT_AVAILABLE_IN_0_1
const char *weft_future_get_name              (WeftFuture          *future);
WEFT_AVAILABLE_IN_0_1
gboolean    weft_future_set_result            (WeftFuture          *future,
                                               gpointer             result,
                                               GDestroyNotify       result_destroy);
WEFT_AVAILABLE_IN_0_1
gboolean    weft_future_set_error             (WeftFuture          *future,
                                               GError              *error);
WEFT_AVAILABLE_IN_0_1
gboolean    weft_future_cancel                (WeftFuture          *future,
                                               const char          *message);
WEFT_AVAILABLE_IN_0_1
gboolean    weft_future_is_done               (WeftFuture          *future);
WEFT_AVAILABLE_IN_0_1
gboolean    weft_future_is_cancelled          (WeftFuture          *future);
WEFT_AVAILABLE_IN_0_1
gpointer    weft_future_get_result            (WeftFuture          *future,
                                               GError             **error);
WEFT_AVAILABLE_IN_0_1
gboolean    weft_future_propagate             (WeftFuture          *future,
                                               GError             **error);
WEFT_AVAILABLE_IN_0_1
void        weft_future_add_done_callback     (WeftFuture          *future,
                                               WeftFutureCallback   callback,
                                               gpointer             user_data,
                                               GDestroyNotify       destroy);
WEFT_AVAILABLE_IN_0_1
guint       weft_future_remove_done_callback  (WeftFuture          *future,
                                               WeftFutureCallback   callback,
                                               gpointer             user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WeftFuture, weft_future_unref)

G_END_DECLS
