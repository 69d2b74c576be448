/* inspector-window.h: weft-inspector's window
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <adwaita.h>
#include <weft.h>

#include "weft-inspector.h"

G_BEGIN_DECLS

#define INSPECTOR_APP_ID "org.weft.Inspector"

#define INSPECTOR_TYPE_WINDOW (inspector_window_get_type ())
G_DECLARE_FINAL_TYPE (InspectorWindow, inspector_window, INSPECTOR, WINDOW, AdwApplicationWindow)

InspectorWindow *inspector_window_new           (GtkApplication  *app,
                                                 WeftLoop        *loop);
InspectorWindow *inspector_window_new_remote    (GtkApplication  *app,
                                                 GDBusConnection *connection,
                                                 const char      *path,
                                                 guint            pid);
InspectorWindow *inspector_window_new_replay    (GtkApplication  *app,
                                                 GPtrArray       *records,
                                                 const char      *path);
gboolean         inspector_window_start_demo    (InspectorWindow *self,
                                                 const char      *name,
                                                 gboolean         step_by_step);
GSettings       *inspector_window_get_settings  (InspectorWindow *self);
WeftInspector   *inspector_window_get_inspector (InspectorWindow *self);
WeftLoop        *inspector_window_get_loop      (InspectorWindow *self);
char            *inspector_window_get_output    (InspectorWindow *self);
guint            inspector_window_get_highlighted_line (InspectorWindow *self);
GArray          *inspector_window_get_suspended_lines  (InspectorWindow *self);

G_END_DECLS
