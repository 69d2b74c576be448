/* weft-gtk-test-common.h: helpers for the GTK tests under Xvfb
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <weft.h>

G_BEGIN_DECLS

/* Runs the default main context for @ms milliseconds. */
void  spin                    (guint        ms);
/* Renders @widget to build/tests/screenshot-NAME.png; returns how many colours
 * it has (a blank render has one or two). */
guint screenshot              (GtkWidget   *widget,
                               const char  *name);
/* The same, on the second paint from now, once the widget is laid out
 * (G_MAXUINT if valgrind slowed the frame clock so much that nothing painted). */
guint screenshot_when_painted (GtkWidget   *widget,
                               const char  *name);
/* The first widget of @type in @root's tree (depth first), or NULL. */
GtkWidget *find_widget_of_type (GtkWidget *root,
                                GType      type);
/* Presses @keys (xdotool's names, e.g. "space", "ctrl+Return") as real X
 * key events, with the keyboard focus on @window; returns once GTK has had
 * them. */
void  press_keys              (GtkWindow   *window,
                               const char  *keys);
void  weft_gtk_test_init      (int         *argc,
                               char      ***argv);
/* How many of @loop's tasks are not done; how many are in @state. */
guint count_live              (WeftLoop     *loop);
guint count_tasks_in          (WeftLoop     *loop,
                               WeftTaskState state);

G_END_DECLS
