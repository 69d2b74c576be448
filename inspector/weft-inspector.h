/* weft-inspector.h: the embeddable inspector widget
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <adwaita.h>
#include <gtk/gtk.h>
#include <weft.h>

G_BEGIN_DECLS

#define WEFT_TYPE_INSPECTOR (weft_inspector_get_type ())
WEFT_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (WeftInspector, weft_inspector, WEFT, INSPECTOR, GtkWidget)

WEFT_AVAILABLE_IN_0_1
GtkWidget  *weft_inspector_new             (WeftLoop      *loop);
WEFT_AVAILABLE_IN_0_1
GtkWidget  *weft_inspector_new_remote      (GDBusConnection *connection);
WEFT_AVAILABLE_IN_0_1
GtkWidget  *weft_inspector_new_replay      (const char    *path,
                                            GError       **error);
WEFT_AVAILABLE_IN_0_1
gboolean    weft_inspector_start_recording (WeftInspector *self,
                                            const char    *path,
                                            GError       **error);
WEFT_AVAILABLE_IN_0_1
void        weft_inspector_stop_recording  (WeftInspector *self);
WEFT_AVAILABLE_IN_0_1
guint       weft_inspector_seek            (WeftInspector *self,
                                            guint          index);
WEFT_AVAILABLE_IN_0_1
WeftLoop   *weft_inspector_get_loop        (WeftInspector *self);
WEFT_AVAILABLE_IN_0_1
void        weft_inspector_refresh         (WeftInspector *self);
WEFT_AVAILABLE_IN_0_1
GListModel *weft_inspector_get_task_model  (WeftInspector *self);
WEFT_AVAILABLE_IN_0_1
GListModel *weft_inspector_get_ready_model (WeftInspector *self);
WEFT_AVAILABLE_IN_0_1
GListModel *weft_inspector_get_timer_model (WeftInspector *self);
WEFT_AVAILABLE_IN_0_1
GListModel *weft_inspector_get_warning_model (WeftInspector *self);
WEFT_AVAILABLE_IN_0_1
const char *weft_inspector_get_status      (WeftInspector *self);
WEFT_AVAILABLE_IN_0_1
void        weft_inspector_select_task     (WeftInspector *self,
                                            guint          position);
WEFT_AVAILABLE_IN_0_1
void        weft_inspector_show_page       (WeftInspector *self,
                                            const char    *page);
WEFT_AVAILABLE_IN_0_1
GtkWidget  *weft_inspector_open_window     (WeftLoop      *loop);
WEFT_AVAILABLE_IN_0_1
const char *weft_inspector_get_next        (WeftInspector *self);
WEFT_AVAILABLE_IN_0_1
AdwViewStack *weft_inspector_get_view_stack (WeftInspector *self);
WEFT_AVAILABLE_IN_0_1
void        weft_inspector_set_show_switcher (WeftInspector *self,
                                              gboolean       show);
WEFT_AVAILABLE_IN_0_1
gboolean    weft_inspector_get_connected   (WeftInspector *self);
WEFT_AVAILABLE_IN_0_1
const char *weft_inspector_get_recording_path (WeftInspector *self);
WEFT_AVAILABLE_IN_0_1
double      weft_inspector_get_clock       (WeftInspector *self);

G_END_DECLS
