/* inspector-demos.h: the demos the inspector runs: the tutorial's (weft-demos.h)
 * and the GTK ones, which only exist inside the app
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "weft-demos.h"

G_BEGIN_DECLS

extern const WeftDemo inspector_demos[];

WeftFuture     *inspector_demo_buttons_start (WeftLoop   *loop);
const WeftDemo *inspector_demo_lookup        (const char *name);
const WeftDemo *inspector_demo_nth           (guint       n);

G_END_DECLS
