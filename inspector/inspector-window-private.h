/* inspector-window-private.h: the window's parts, shared by its shell
 * (inspector-window.c) and its actions (inspector-window-actions.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtksourceview/gtksource.h>

#include "inspector-program.h"
#include "inspector-window.h"

G_BEGIN_DECLS

typedef enum
{
  INSPECTOR_WINDOW_LOCAL,    /* the demos, in this process (or a Python child) */
  INSPECTOR_WINDOW_REMOTE,   /* another process's loop, over its socket */
  INSPECTOR_WINDOW_REPLAY,   /* a recording */
} InspectorWindowMode;

struct _InspectorWindow
{
  AdwApplicationWindow  parent_instance;

  /* template */
  AdwToastOverlay      *toasts;
  GtkDropDown          *demo_picker;
  GtkWidget            *run_button;
  GtkWidget            *step_demo_button;
  AdwViewSwitcherTitle *switcher_title;
  GtkWidget            *source_toggle;
  GtkRevealer          *banner;
  GtkLabel             *banner_label;
  AdwFlap              *flap;
  AdwBin               *inspector_bin;
  GtkSourceView        *source_view;
  GtkTextView          *output_view;

  InspectorWindowMode   mode;
  WeftInspector        *local;        /* on the app's or the demo's loop (a reference) */
  WeftInspector        *inspector;    /* the one shown */
  WeftLoop             *app_loop;
  WeftLoop             *demo_loop;    /* a fresh one per C demo */
  const WeftDemo       *demo;
  WeftFuture           *running;
  InspectorProgram     *program;      /* a Python demo's process */
  GDBusConnection      *connection;   /* remote */
  char                 *remote_path;
  guint                 pid;
  char                 *target;       /* what the title names */
  char                 *replay_path;
  GtkSourceMarkAttributes *next_attributes;
  GtkSourceMarkAttributes *suspended_attributes;
  GtkTextTag           *iteration_tag;
  guint                 next_line;
  guint                 marks_id;
  GSettings            *settings;
};

void            inspector_window_class_add_actions (InspectorWindowClass *klass);
void            inspector_window_update_actions    (InspectorWindow      *self);
void            inspector_window_show_inspector    (InspectorWindow      *self,
                                                    WeftInspector        *inspector);
const WeftDemo *inspector_window_get_selected_demo (InspectorWindow      *self);

G_END_DECLS
