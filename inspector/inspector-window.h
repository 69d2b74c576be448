/* inspector-window.h: weft-inspector's main window
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <weft.h>

#include "weft-inspector.h"

G_BEGIN_DECLS

#define INSPECTOR_APP_ID "org.weft.Inspector"

#define INSPECTOR_TYPE_WINDOW (inspector_window_get_type ())
G_DECLARE_FINAL_TYPE (InspectorWindow, inspector_window, INSPECTOR, WINDOW, GtkApplicationWindow)

InspectorWindow *inspector_window_new          (GtkApplication  *app,
                                                WeftLoop        *loop);
gboolean         inspector_window_start_demo   (InspectorWindow *self,
                                                const char      *name,
                                                gboolean         step_by_step);
GSettings       *inspector_window_get_settings (InspectorWindow *self);
WeftInspector   *inspector_window_get_inspector (InspectorWindow *self);
char            *inspector_window_get_output   (InspectorWindow *self);
guint            inspector_window_get_highlighted_line (InspectorWindow *self);

G_END_DECLS
