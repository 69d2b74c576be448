/* inspector-shortcuts.h: the stepping keys, wherever the focus is
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void inspector_shortcuts_install (GtkWidget *widget);

G_END_DECLS
