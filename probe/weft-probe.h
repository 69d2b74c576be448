/* weft-probe.h: serving a loop to weft-inspector
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

WEFT_AVAILABLE_IN_0_1
gboolean      weft_loop_serve_inspector     (WeftLoop *loop,
                                             GError  **error);
WEFT_AVAILABLE_IN_0_1
const char   *weft_loop_get_inspector_address (WeftLoop *loop);
WEFT_AVAILABLE_IN_0_1
char         *weft_inspect_get_socket_directory (void);

G_END_DECLS
