/* weft-fd-private.h: fd watches on the loop's GSource
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "weft-loop-private.h"

G_BEGIN_DECLS

void _weft_fd_watches_check (WeftLoop *loop);
void _weft_fd_watches_clear (WeftLoop *loop);

G_END_DECLS
