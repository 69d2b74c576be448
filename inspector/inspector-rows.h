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

InspectorTaskRow *inspector_task_row_new (WeftTask           *task);
InspectorTaskRow *inspector_task_row_new_finished (const WeftTaskRecord *record);
InspectorCallRow *inspector_call_row_new (const WeftCallInfo *info,
                                          guint               position,
                                          double              now);
const char       *inspector_task_row_get_state (InspectorTaskRow *row);
const char       *inspector_task_row_get_name  (InspectorTaskRow *row);
const char       *inspector_call_row_get_name  (InspectorCallRow *row);

G_END_DECLS
