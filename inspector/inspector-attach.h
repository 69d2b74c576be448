/* inspector-attach.h: finding the loops other processes serve
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *inspector_find_served_loop (guint    pid,
                                  gboolean print);

G_END_DECLS
