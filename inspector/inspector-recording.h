/* inspector-recording.h: reading recordings, bounded
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define INSPECTOR_RECORDING_MAGIC "WEFTREC4"   /* 2: tasks carry busy and max run time; 3: and their age; 4: iteration records */
#define INSPECTOR_RECORD_TYPE     ((const GVariantType *) "(x(tbsa(tssststtd)a(ss)a(ssd)asa(tdduuds)))")

/* The most a recording may hold: a recorder writes one state a refresh (about
 * 30 a second), so these are hours of recording. */
#define INSPECTOR_RECORDING_MAX_BYTES   (G_GUINT64_CONSTANT (1) << 30)
#define INSPECTOR_RECORDING_MAX_RECORDS 500000

GPtrArray *inspector_recording_load     (const char  *path,
                                         GError     **error);
GtkWidget *inspector_new_replay_for     (GPtrArray   *records);

G_END_DECLS
