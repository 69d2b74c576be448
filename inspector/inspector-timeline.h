/* inspector-timeline.h: the loop's recent iterations on a time axis
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
double inspector_timeline_get_span  (InspectorTimeline *self);
void inspector_timeline_set_span    (InspectorTimeline *self,
                                     double             span);
const char * const *inspector_timeline_get_lanes (InspectorTimeline *self,
                                                  guint             *n_lanes);

G_END_DECLS
