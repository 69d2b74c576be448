/* inspector-demos.h: the demos the inspector runs: the tutorial's (weft-demos.h),
 * the GTK one, which only exists inside the app, and the tutorial's Python
 * programs
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
gboolean        inspector_demo_is_python     (const WeftDemo *demo);
char           *inspector_demo_python_path   (const WeftDemo *demo);
void            inspector_demo_python_command (const WeftDemo *demo,
                                               gboolean        paused,
                                               GStrv          *argv,
                                               GStrv          *environment);

G_END_DECLS
