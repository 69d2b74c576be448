/* weft-handle-private.h: the loop's slot table and handle tokens
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A scheduled callback lives in a slot of its loop's slot table. Slots sit in
 * fixed-size chunks, so a slot never moves while the table grows. A WeftHandle is
 * never dereferenced: it is a token that packs the loop's registry id, the slot
 * index and the slot's generation. A slot's generation changes each time the slot
 * is freed, so a token for a callback that has run (and whose slot was reused)
 * no longer matches and every operation on it is a harmless no-op: no handle can
 * ever be used after free, and a fire-and-forget call needs no unref.
 * weft_handle_ref() pins a slot so that its state stays readable after it ran.
 *
 * Generations never wrap: a slot whose generation reaches the last value is
 * retired (never handed out again), so a token from long ago cannot match a
 * later call in the same loop (2^25 uses per slot, 2^28 slots: ~2^53 calls).
 *
 * A light call (weft-ready-queue-private.h) has no slot: its token has the
 * WEFT_TOKEN_RING bit and carries the call's sequence number in the ready
 * queue (53 bits: no loop makes 2^53 calls), which is never reused.
 * A loop that reuses a freed loop's registry id starts its generations past
 * the highest one the old loop used (ids are reused round-robin, as late as
 * possible), so a stale token of the old loop matches nothing either, unless
 * that id's generations were used up, when they start over at 0.
 */
#pragma once

#include "weft-handle.h"

G_BEGIN_DECLS

#define WEFT_SLOT_CHUNK_SHIFT 10
#define WEFT_SLOT_CHUNK_SIZE  (1u << WEFT_SLOT_CHUNK_SHIFT)
#define WEFT_SLOT_NONE        G_MAXUINT32

#if GLIB_SIZEOF_VOID_P == 8
# define WEFT_TOKEN_SLOT_BITS 28
# define WEFT_TOKEN_GEN_BITS  25
# define WEFT_TOKEN_LOOP_BITS 10
/* Light calls need tokens that are never reused: 64-bit only. */
# define WEFT_LIGHT_CALLS     1
#else
# define WEFT_LIGHT_CALLS     0
# define WEFT_TOKEN_SLOT_BITS 20
# define WEFT_TOKEN_GEN_BITS  5
# define WEFT_TOKEN_LOOP_BITS 6
#endif
#define WEFT_TOKEN_MASK(bits) ((((guintptr) 1) << (bits)) - 1)
#define WEFT_TOKEN_RING_SHIFT (WEFT_TOKEN_SLOT_BITS + WEFT_TOKEN_GEN_BITS)
#define WEFT_TOKEN_RING       (((guintptr) 1) << WEFT_TOKEN_RING_SHIFT)
#define WEFT_TOKEN_LOOP_SHIFT (WEFT_TOKEN_RING_SHIFT + 1)
#define WEFT_MAX_LOOPS        (1u << WEFT_TOKEN_LOOP_BITS)
#define WEFT_MAX_SLOTS        (((guint32) 1) << WEFT_TOKEN_SLOT_BITS)

typedef enum
{
  WEFT_SLOT_LIVE      = 1 << 0, /* allocated */
  WEFT_SLOT_QUEUED    = 1 << 1, /* referenced by the ready ring or the timer heap */
  WEFT_SLOT_TIMER     = 1 << 2, /* scheduled with call_later / call_at */
  WEFT_SLOT_CANCELLED = 1 << 3,
  WEFT_SLOT_RUNNING   = 1 << 4,
  WEFT_SLOT_DONE      = 1 << 5, /* its callback has returned */
} WeftSlotFlags;

typedef struct
{
  WeftCallback    callback;
  gpointer        data;
  GDestroyNotify  destroy;
  const char     *name;   /* the callback's name as written at the call site */
  const char     *where;  /* G_STRLOC of the scheduling call */
  gint64          when;   /* timers: deadline in ns on the loop clock; else 0 */
  guint32         gen;
  guint16         flags;
  guint16         pins;
} WeftSlot;

typedef struct
{
  WeftSlot **chunks;
  guint32    n_chunks;
  guint32    n_slots;     /* slots handed out so far (high-water mark) */
  guint32    free_head;   /* free list threaded through WeftSlot.when */
  guint32    n_live;
  guint32    gen_base;    /* the generation new slots start at */
  guint32    gen_max;     /* the highest generation any slot reached */
  guint32    n_retired;   /* slots whose generations ran out */
} WeftSlotTable;

static inline WeftSlot *
_weft_slot_table_get (WeftSlotTable *table,
                      guint32        index)
{
  return &table->chunks[index >> WEFT_SLOT_CHUNK_SHIFT][index & (WEFT_SLOT_CHUNK_SIZE - 1)];
}

void     _weft_slot_table_init  (WeftSlotTable *table);
void     _weft_slot_table_clear (WeftSlotTable *table);
guint32  _weft_slot_table_grow  (WeftSlotTable *table);

/* Returns a zeroed-out LIVE slot's index. */
static inline guint32
_weft_slot_table_alloc (WeftSlotTable *table)
{
  guint32 index = table->free_head;
  WeftSlot *slot;

  if (G_UNLIKELY (index == WEFT_SLOT_NONE))
    index = _weft_slot_table_grow (table);
  slot = _weft_slot_table_get (table, index);
  table->free_head = (guint32) slot->when;
  slot->flags = WEFT_SLOT_LIVE;
  slot->pins = 0;
  table->n_live++;
  return index;
}

static inline void
_weft_slot_table_free (WeftSlotTable *table,
                       guint32        index)
{
  WeftSlot *slot = _weft_slot_table_get (table, index);

  slot->gen++;
  slot->flags = 0;
  slot->callback = NULL;
  slot->data = NULL;
  slot->destroy = NULL;
  table->n_live--;
  if (G_UNLIKELY (slot->gen >= WEFT_TOKEN_MASK (WEFT_TOKEN_GEN_BITS)))
    {
      /* Out of generations: retired, so no old token can ever match it. */
      table->gen_max = (guint32) WEFT_TOKEN_MASK (WEFT_TOKEN_GEN_BITS);
      table->n_retired++;
      return;
    }
  slot->when = table->free_head;
  table->free_head = index;
}

/* Frees a slot once nothing refers to it any more: not queued, not running and
 * not pinned by weft_handle_ref(). */
static inline void
_weft_slot_table_release (WeftSlotTable *table,
                          guint32        index)
{
  WeftSlot *slot = _weft_slot_table_get (table, index);

  if (slot->pins == 0 && !(slot->flags & (WEFT_SLOT_QUEUED | WEFT_SLOT_RUNNING)))
    _weft_slot_table_free (table, index);
}

static inline WeftHandle *
_weft_handle_encode (guint    loop_id,
                     guint32  index,
                     guint32  gen)
{
  guintptr token = ((guintptr) loop_id << WEFT_TOKEN_LOOP_SHIFT)
                 | ((guintptr) gen << WEFT_TOKEN_SLOT_BITS)
                 | (guintptr) index;
  return (WeftHandle *) token;
}

/* A light call's token: its sequence number in the ready queue. */
static inline WeftHandle *
_weft_handle_encode_ring (guint    loop_id,
                          guint64  seq)
{
  return (WeftHandle *) (((guintptr) loop_id << WEFT_TOKEN_LOOP_SHIFT) | WEFT_TOKEN_RING
                         | ((guintptr) seq & WEFT_TOKEN_MASK (WEFT_TOKEN_RING_SHIFT)));
}

gint64   _weft_handle_when_ns    (WeftHandle *handle);
gboolean _weft_handle_is_running (WeftHandle *handle);

G_END_DECLS
