/* weft-gio.h: GIO interop and fd watches
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
# error "Only <weft.h> can be included directly."
#endif

#include <gio/gio.h>

#include "weft-types.h"
#include "weft-version-macros.h"

G_BEGIN_DECLS

WEFT_AVAILABLE_IN_0_1
void        weft_loop_set_can_recurse        (WeftLoop      *loop,
                                              gboolean       can_recurse);
WEFT_AVAILABLE_IN_0_1
gboolean    weft_loop_get_can_recurse        (WeftLoop      *loop);

WEFT_AVAILABLE_IN_0_1
WeftFuture *weft_future_new_for_cancellable  (WeftLoop      *loop,
                                              GCancellable  *cancellable) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_0_1
void        weft_future_async_ready_callback (GObject       *source_object,
                                              GAsyncResult  *result,
                                              gpointer       user_data);

WEFT_AVAILABLE_IN_0_1
gboolean    weft_loop_add_reader             (WeftLoop      *loop,
                                              int            fd,
                                              WeftCallback   callback,
                                              gpointer       user_data,
                                              GDestroyNotify destroy);
WEFT_AVAILABLE_IN_0_1
gboolean    weft_loop_remove_reader          (WeftLoop      *loop,
                                              int            fd);
WEFT_AVAILABLE_IN_0_1
gboolean    weft_loop_add_writer             (WeftLoop      *loop,
                                              int            fd,
                                              WeftCallback   callback,
                                              gpointer       user_data,
                                              GDestroyNotify destroy);
WEFT_AVAILABLE_IN_0_1
gboolean    weft_loop_remove_writer          (WeftLoop      *loop,
                                              int            fd);

G_END_DECLS
