/* inspector-ps.h: weft-inspector ps / pstree
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int inspector_ps_main (const char *command,
                       const char *target);

G_END_DECLS
