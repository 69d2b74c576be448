/* weft-timeout-private.h: weft_wait_for() internals
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "weft-future.h"
#include "weft-handle.h"

G_BEGIN_DECLS

/* The timer of a weft_wait_for() future, or NULL (for the fuzzer's model). */
WeftHandle *_weft_wait_for_get_timer (WeftFuture *wait_for);

G_END_DECLS
