/* weft-timer-heap.c: the timers' 4-ary heap (weft-timer-heap-private.h)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "weft-timer-heap-private.h"

#define LINE 64
/* Entries before entries[1] in its cache line: entries[0] and padding. */
#define LEAD (LINE / sizeof (WeftTimerEntry) - 1)

G_STATIC_ASSERT (sizeof (WeftTimerEntry) * WEFT_TIMER_HEAP_ARITY == LINE);

void
_weft_timer_heap_init (WeftTimerHeap *heap)
{
  *heap = (WeftTimerHeap) { NULL, 0, 0, NULL };
}

void
_weft_timer_heap_clear (WeftTimerHeap *heap)
{
  g_aligned_free (heap->block);
  _weft_timer_heap_init (heap);
}

static void
grow (WeftTimerHeap *heap)
{
  guint capacity = MAX (64, heap->capacity * 2);
  WeftTimerEntry *block = g_aligned_alloc (capacity + LEAD, sizeof (WeftTimerEntry), LINE);

  if (heap->length > 0)
    memcpy (block + LEAD - 1, heap->entries, heap->length * sizeof (WeftTimerEntry));
  g_aligned_free (heap->block);
  heap->block = block;
  heap->entries = block + LEAD - 1;
  heap->capacity = capacity;
}

/* The smallest of the four children that start at @c, as a tournament of
 * selects (no branch). */
static inline guint
smallest_of_four (const WeftTimerEntry *c)
{
  guint a = (guint) _weft_timer_entry_less (&c[1], &c[0]);        /* 0 or 1 */
  guint b = 2 + (guint) _weft_timer_entry_less (&c[3], &c[2]);    /* 2 or 3 */

  return _weft_timer_entry_less (&c[b], &c[a]) ? b : a;
}

static void
sift_down (WeftTimerEntry *e,
           guint           length,
           guint           i)
{
  WeftTimerEntry item = e[i];

  for (;;)
    {
      guint first = _weft_timer_heap_first_child (i);
      guint child;

      if (first + WEFT_TIMER_HEAP_ARITY <= length)
        child = first + smallest_of_four (&e[first]);
      else if (first < length)
        {
          /* The one node with fewer than four children. */
          child = first;
          for (guint c = first + 1; c < length; c++)
            if (_weft_timer_entry_less (&e[c], &e[child]))
              child = c;
        }
      else
        break;
      if (!_weft_timer_entry_less (&e[child], &item))
        break;
      e[i] = e[child];
      i = child;
    }
  e[i] = item;
}

void
_weft_timer_heap_push (WeftTimerHeap *heap,
                       gint64         when,
                       guint32        seq,
                       guint32        slot)
{
  WeftTimerEntry item = { when, seq, slot };
  WeftTimerEntry *e;
  guint i;

  if (G_UNLIKELY (heap->length == heap->capacity))
    grow (heap);

  e = heap->entries;
  i = heap->length++;
  while (i > 0)
    {
      guint parent = (i - 1) / WEFT_TIMER_HEAP_ARITY;

      if (!_weft_timer_entry_less (&item, &e[parent]))
        break;
      e[i] = e[parent];
      i = parent;
    }
  e[i] = item;
}

void
_weft_timer_heap_pop (WeftTimerHeap *heap)
{
  g_assert (heap->length > 0);

  heap->length--;
  if (heap->length > 0)
    {
      heap->entries[0] = heap->entries[heap->length];
      sift_down (heap->entries, heap->length, 0);
    }
}

/* Restores the heap property over the whole array in O(n), after the caller
 * removed entries in place. */
void
_weft_timer_heap_heapify (WeftTimerHeap *heap)
{
  if (heap->length < 2)
    return;
  for (guint i = (heap->length - 2) / WEFT_TIMER_HEAP_ARITY + 1; i-- > 0;)
    sift_down (heap->entries, heap->length, i);
}
