/* checksum-window.h: the example app's window
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <weft.h>

#include "checksum-job.h"

G_BEGIN_DECLS

#define CHECKSUM_TYPE_WINDOW (checksum_window_get_type ())
G_DECLARE_FINAL_TYPE (ChecksumWindow, checksum_window, CHECKSUM, WINDOW, GtkApplicationWindow)

ChecksumWindow *checksum_window_new        (GtkApplication *app,
                                            WeftLoop       *loop);
void            checksum_window_set_folder (ChecksumWindow *self,
                                            GFile          *folder);
ChecksumJob    *checksum_window_get_job    (ChecksumWindow *self);

G_END_DECLS
