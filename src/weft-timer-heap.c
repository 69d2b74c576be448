/* weft-timer-heap.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "weft-timer-heap-private.h"

void
_weft_timer_heap_init (WeftTimerHeap *heap)
{
  heap->entries = NULL;
  heap->length = 0;
  heap->capacity = 0;
}

void
_weft_timer_heap_clear (WeftTimerHeap *heap)
{
  g_clear_pointer (&heap->entries, g_free);
  heap->length = 0;
  heap->capacity = 0;
}

static void
sift_down (WeftTimerEntry *e,
           guint           length,
           guint           i)
{
  WeftTimerEntry item = e[i];

  for (;;)
    {
      guint child = 2 * i + 1;

      if (child >= length)
        break;
      if (child + 1 < length && _weft_timer_entry_less (&e[child + 1], &e[child]))
        child++;
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
                       guint64        seq,
                       guint32        slot)
{
  WeftTimerEntry item = { when, seq, slot };
  WeftTimerEntry *e;
  guint i;

  if (G_UNLIKELY (heap->length == heap->capacity))
    {
      heap->capacity = MAX (64, heap->capacity * 2);
      heap->entries = g_renew (WeftTimerEntry, heap->entries, heap->capacity);
    }

  e = heap->entries;
  i = heap->length++;
  while (i > 0)
    {
      guint parent = (i - 1) / 2;

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
  for (guint i = heap->length / 2; i-- > 0;)
    sift_down (heap->entries, heap->length, i);
}
