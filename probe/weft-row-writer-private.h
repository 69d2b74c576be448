/* weft-row-writer-private.h: arrays of task rows, written as GVariant bytes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A snapshot lists up to 1,000 tasks, a Changed signal up to a few thousand.
 * Made with g_variant_builder_add() each row is ten GVariants, ~18,000
 * instructions: a snapshot of 1,000 tasks took 4.4 ms of the loop thread.
 * The writer serialises the rows itself, in GVariant's serialised format
 * (the array's and each tuple's framing offsets, as GLib writes them: the
 * tests compare the bytes with GLib's), into one buffer that becomes one
 * GVariant.
 */
#pragma once

#include "weft-probe.h"

G_BEGIN_DECLS

typedef struct
{
  GByteArray         *bytes;   /* the rows so far */
  GArray             *ends;    /* gsize: where each row ends */
  const GVariantType *type;    /* of the array */
  guint               align;   /* of its elements: 1 or 8 */
} WeftRowWriter;

/* An `a(tssststtd)` of task rows. */
void      _weft_row_writer_init      (WeftRowWriter     *writer);
/* An `a(ss)` (@with_left FALSE) or `a(ssd)` of calls: the snapshot's ready
 * queue and timers (_weft_row_writer_add_call()). */
void      _weft_row_writer_init_calls (WeftRowWriter    *writer,
                                       gboolean          with_left);
void      _weft_row_writer_add       (WeftRowWriter     *writer,
                                      const WeftTaskRow *row);
/* A call (name, where it was scheduled) and, for timers, the seconds left. */
void      _weft_row_writer_add_call  (WeftRowWriter     *writer,
                                      const char        *name,
                                      const char        *where,
                                      double             left);
/* A row made elsewhere (another runtime's, a #WEFT_TASK_ROW_TYPE value). */
void      _weft_row_writer_add_value (WeftRowWriter     *writer,
                                      GVariant          *row);
/* The rows as an array of their type (floating); the writer is done (init
 * it again for more). */
GVariant *_weft_row_writer_end       (WeftRowWriter     *writer);

G_END_DECLS
