/* weft-ready-queue.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "weft-loop-private.h"

#define INITIAL_CAPACITY 64

void
_weft_ready_queue_init (WeftReadyQueue *queue)
{
  queue->items = g_new (WeftReadyEntry, INITIAL_CAPACITY);
  queue->mask = INITIAL_CAPACITY - 1;
  queue->head = 0;
  queue->length = 0;
  memset (queue->sites, 0, sizeof queue->sites);
}

void
_weft_ready_queue_clear (WeftReadyQueue *queue)
{
  g_clear_pointer (&queue->items, g_free);
  /* The dropped calls' tokens stay unique. */
  __atomic_store_n (&queue->head_seq, queue->head_seq + queue->length, __ATOMIC_RELEASE);
  queue->mask = 0;
  queue->head = 0;
  queue->length = 0;
}

/* Doubles the capacity of a full ring. realloc() moves a big ring by
 * remapping its pages (no copy, no second peak of memory); the wrapped part,
 * before the head, moves up behind the rest. */
void
_weft_ready_queue_grow (WeftReadyQueue *queue)
{
  guint32 capacity = queue->mask + 1;

  g_assert (queue->length == capacity);
  if (capacity > G_MAXUINT32 / 2)
    g_error ("Weft: ready queue overflow (%u callbacks pending)", capacity);

  queue->items = g_renew (WeftReadyEntry, queue->items, (gsize) capacity * 2);
  memcpy (queue->items + capacity, queue->items, queue->head * sizeof (WeftReadyEntry));
  queue->mask = capacity * 2 - 1;
}
