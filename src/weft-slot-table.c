/* weft-slot-table.c: where scheduled callbacks live (see weft-handle-private.h)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "weft-loop-private.h"

/* ---------------------------------------------------------------- slot table */

void
_weft_slot_table_init (WeftSlotTable *table)
{
  guint32 gen_base = table->gen_base;

  memset (table, 0, sizeof *table);
  table->free_head = WEFT_SLOT_NONE;
  table->gen_base = gen_base;
  table->gen_max = gen_base;
}

void
_weft_slot_table_clear (WeftSlotTable *table)
{
  for (guint32 i = 0; i < table->n_chunks; i++)
    g_free (table->chunks[i]);
  g_free (table->chunks);
  table->chunks = NULL;
  table->n_chunks = table->n_slots = table->n_live = 0;
  table->free_head = WEFT_SLOT_NONE;
}

/* Adds a chunk of slots to the free list and returns one of them. */
guint32
_weft_slot_table_grow (WeftSlotTable *table)
{
  guint32 first = table->n_chunks * WEFT_SLOT_CHUNK_SIZE;
  WeftSlot *chunk;

  if (first + WEFT_SLOT_CHUNK_SIZE > WEFT_MAX_SLOTS)
    g_error ("Weft: more than %u callbacks pending in one loop", WEFT_MAX_SLOTS);

  table->chunks = g_renew (WeftSlot *, table->chunks, table->n_chunks + 1);
  chunk = g_new0 (WeftSlot, WEFT_SLOT_CHUNK_SIZE);
  table->chunks[table->n_chunks++] = chunk;
  table->n_slots = first + WEFT_SLOT_CHUNK_SIZE;

  /* Thread the new slots onto the free list in ascending order; the caller
   * pops the first one. */
  for (guint32 i = 0; i < WEFT_SLOT_CHUNK_SIZE; i++)
    {
      chunk[i].gen = table->gen_base;
      chunk[i].when = i + 1 < WEFT_SLOT_CHUNK_SIZE ? first + i + 1 : table->free_head;
    }
  table->free_head = first;
  return first;
}
