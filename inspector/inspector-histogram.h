/* inspector-histogram.h: a task's run times, as bars
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define INSPECTOR_TYPE_HISTOGRAM (inspector_histogram_get_type ())
G_DECLARE_FINAL_TYPE (InspectorHistogram, inspector_histogram, INSPECTOR, HISTOGRAM, GtkWidget)

void          inspector_histogram_set_counts (InspectorHistogram *self,
                                              const guint32      *counts,
                                              guint               n_counts,
                                              gboolean            total_only);
const guint32 *inspector_histogram_get_counts (InspectorHistogram *self,
                                              guint              *n_counts);

G_END_DECLS
