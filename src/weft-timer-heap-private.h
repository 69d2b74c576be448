/* weft-timer-heap-private.h: a 4-ary min-heap of timer deadlines
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Entries are 16 bytes, stored by value (deadline, sequence number, slot
 * index), and the array is placed so that the four children of a node share
 * one 64-byte cache line: a sift touches one line per level, and there are
 * half as many levels as in a binary heap (libuv's is binary, of pointers).
 * Equal deadlines are ordered by the sequence number, i.e. in scheduling
 * order; it is 32 bits and compared modulo 2^32, so the order holds between
 * timers scheduled fewer than 2^31 timers apart. Cancelled timers stay in the
 * heap and are dropped when they reach the top, or all at once
 * (compact_timers() in weft-timers.c, then _weft_timer_heap_heapify()) when
 * they are the majority (asyncio's policy).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gint64  when;
  guint32 seq;
  guint32 slot;
} WeftTimerEntry;

typedef struct
{
  WeftTimerEntry *entries;
  guint           length;
  guint           capacity;
  gpointer        block;     /* the allocation; entries[1] starts a cache line */
} WeftTimerHeap;

#define WEFT_TIMER_HEAP_ARITY 4

/* Node @i's children are first_child (i) .. first_child (i) + 3. */
static inline guint
_weft_timer_heap_first_child (guint i)
{
  return WEFT_TIMER_HEAP_ARITY * i + 1;
}

/* Earlier deadline first, then scheduled first. Without branches (bitwise,
 * not short-circuit): which of a node's children is smallest is a coin toss
 * for the branch predictor (deadlines are random, equal ones common), and a
 * sift mispredicted at every level (weft-timer-heap.c: smallest_of_four()). */
static inline gboolean
_weft_timer_entry_less (const WeftTimerEntry *a,
                        const WeftTimerEntry *b)
{
  return (a->when < b->when) | ((a->when == b->when) & ((gint32) (a->seq - b->seq) < 0));
}

void _weft_timer_heap_init   (WeftTimerHeap  *heap);
void _weft_timer_heap_clear  (WeftTimerHeap  *heap);
void _weft_timer_heap_push   (WeftTimerHeap  *heap,
                              gint64          when,
                              guint32         seq,
                              guint32         slot);
void _weft_timer_heap_pop    (WeftTimerHeap  *heap);
void _weft_timer_heap_heapify (WeftTimerHeap *heap);

static inline const WeftTimerEntry *
_weft_timer_heap_top (const WeftTimerHeap *heap)
{
  return heap->length ? &heap->entries[0] : NULL;
}

G_END_DECLS
