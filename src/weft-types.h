/* weft-types.h: forward declarations shared by every Weft header
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
# error "Only <weft.h> can be included directly."
#endif

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _WeftLoop      WeftLoop;
typedef struct _WeftHandle    WeftHandle;
typedef struct _WeftFuture    WeftFuture;
typedef struct _WeftTask      WeftTask;
typedef struct _WeftTaskGroup WeftTaskGroup;

/**
 * WeftCallback:
 * @user_data: the data passed when the callback was scheduled
 *
 * A callback run by the loop, as scheduled by weft_loop_call_soon() and friends.
 */
typedef void (*WeftCallback) (gpointer user_data);

G_END_DECLS
