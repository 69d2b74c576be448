/* weft-timer-heap-private.h: a binary min-heap of timer deadlines
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Entries are stored by value (deadline, sequence number, slot index), so a sift
 * touches one contiguous array. Equal deadlines are ordered by the sequence
 * number, i.e. in scheduling order. Cancelled timers stay in the heap and are
 * dropped when they reach the top, or all at once (compact_timers() in
 * weft-loop.c, then _weft_timer_heap_heapify()) when they are the majority
 * (asyncio's policy).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gint64  when;
  guint64 seq;
  guint32 slot;
} WeftTimerEntry;

typedef struct
{
  WeftTimerEntry *entries;
  guint           length;
  guint           capacity;
} WeftTimerHeap;

static inline gboolean
_weft_timer_entry_less (const WeftTimerEntry *a,
                        const WeftTimerEntry *b)
{
  return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

void _weft_timer_heap_init   (WeftTimerHeap  *heap);
void _weft_timer_heap_clear  (WeftTimerHeap  *heap);
void _weft_timer_heap_push   (WeftTimerHeap  *heap,
                              gint64          when,
                              guint64         seq,
                              guint32         slot);
void _weft_timer_heap_pop    (WeftTimerHeap  *heap);
void _weft_timer_heap_heapify (WeftTimerHeap *heap);

static inline const WeftTimerEntry *
_weft_timer_heap_top (const WeftTimerHeap *heap)
{
  return heap->length ? &heap->entries[0] : NULL;
}

G_END_DECLS
