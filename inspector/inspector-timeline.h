/* inspector-timeline.h: the plot of recent loop iterations
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <weft.h>

G_BEGIN_DECLS

#define INSPECTOR_TYPE_TIMELINE (inspector_timeline_get_type ())
G_DECLARE_FINAL_TYPE (InspectorTimeline, inspector_timeline, INSPECTOR, TIMELINE, GtkWidget)

char *inspector_timeline_describe_at (InspectorTimeline *self,
                                     double             x,
                                     double             y);
void inspector_timeline_set_records (InspectorTimeline *self,
                                     GArray            *records);

G_END_DECLS
