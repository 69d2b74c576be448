/* inspector-program.h: a program run in a child process and inspected over
 * its socket (the Python demos)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define INSPECTOR_TYPE_PROGRAM (inspector_program_get_type ())
G_DECLARE_FINAL_TYPE (InspectorProgram, inspector_program, INSPECTOR, PROGRAM, GObject)

InspectorProgram *inspector_program_new            (const char * const *argv,
                                                    const char * const *environment,
                                                    GError            **error);
guint             inspector_program_get_pid        (InspectorProgram   *self);
GDBusConnection  *inspector_program_get_connection (InspectorProgram   *self);
gboolean          inspector_program_get_running    (InspectorProgram   *self);
void              inspector_program_stop           (InspectorProgram   *self);

G_END_DECLS
