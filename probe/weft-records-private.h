/* weft-records-private.h: the inspector's records, an observer of loops
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "weft-probe.h"
#include "weft-row-writer-private.h"

G_BEGIN_DECLS

/* Registers the observer (weft-probe.c, at load time). */
void _weft_records_register (void);

/* One task as snapshots and Changed signals carry it (WEFT_TASK_ROW_TYPE). */
void _weft_inspect_add_task   (WeftRowWriter        *rows,
                               WeftTask             *task);
void _weft_inspect_add_record (WeftRowWriter        *rows,
                               const WeftTaskRecord *record,
                               double                now);
/* The rows weft_loop_set_task_rows_func()'s runtime gave the last snapshot
 * (a(tssststtd)), or NULL. */
GVariant *_weft_records_foreign_rows (WeftLoop      *loop);

G_END_DECLS
