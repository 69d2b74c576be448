/* inspector-rows.h: the row objects the inspector's list models hold
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>
#include <weft.h>

G_BEGIN_DECLS

#define INSPECTOR_TYPE_TASK_ROW (inspector_task_row_get_type ())
G_DECLARE_FINAL_TYPE (InspectorTaskRow, inspector_task_row, INSPECTOR, TASK_ROW, GObject)

#define INSPECTOR_TYPE_CALL_ROW (inspector_call_row_get_type ())
G_DECLARE_FINAL_TYPE (InspectorCallRow, inspector_call_row, INSPECTOR, CALL_ROW, GObject)

InspectorTaskRow *inspector_task_row_new (guint64     id,
                                          const char *name,
                                          const char *state,
                                          const char *awaits,
                                          guint64     runs,
                                          const char *created_at,
                                          guint64     busy_ns,
                                          guint64     max_run_ns,
                                          double      birth);
double            inspector_task_row_get_birth (InspectorTaskRow *self);
gboolean          inspector_task_row_is_final  (InspectorTaskRow *self);
gboolean          inspector_state_is_final     (const char       *state);
double            inspector_call_row_get_seconds_left (InspectorCallRow *self);
void              inspector_task_row_update (InspectorTaskRow *self,
                                             const char       *state,
                                             const char       *awaits,
                                             guint64           runs,
                                             guint64           busy_ns,
                                             guint64           max_run_ns);
InspectorCallRow *inspector_call_row_new (guint       position,
                                          const char *name,
                                          const char *where,
                                          double      time_left,
                                          double      scale);
void              inspector_call_row_update (InspectorCallRow *self,
                                             guint             position,
                                             const char       *name,
                                             const char       *where,
                                             double            time_left,
                                             double            scale);
double            inspector_countdown_scale (double           longest_left);
char             *inspector_format_ns       (guint64           ns);
char             *inspector_tidy_locations  (const char       *text);

G_END_DECLS
