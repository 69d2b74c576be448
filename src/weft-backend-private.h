/* weft-backend-private.h: how the core reaches its host
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The core knows no GSource, no timerfd and no fd. Its host implements these
 * few operations (bridge/weft-source.c: the one GSource on the loop's
 * GMainContext), the way libuv's core reaches its platform only through the
 * prototypes of src/unix/internal.h. The host calls back into the core with
 * _weft_loop_has_work(), _weft_loop_next_deadline(), _weft_loop_wake_deadline()
 * and _weft_loop_dispatch() (weft-loop-private.h), and arms its own wake-up
 * for the deadline they give.
 */
#pragma once

#include "weft-loop.h"

G_BEGIN_DECLS

/* Binds @loop to loop->context: from now on the context runs the loop's
 * iterations when it has work or a timer is due. Returns the host's state
 * for the loop (kept in loop->backend), or NULL if it could not attach. */
gpointer _weft_backend_attach (WeftLoop *loop);

/* Makes the context look at the loop again (a stop, a resume, a clock
 * change), waking it if it sleeps in another thread. */
void     _weft_backend_wakeup (WeftLoop *loop);

/* Drops what the host holds for @loop (its fd watches, whose destroy
 * notifies run) and leaves the context. */
void     _weft_backend_detach (WeftLoop *loop);

G_END_DECLS
