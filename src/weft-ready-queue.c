/* weft-ready-queue.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "weft-ready-queue-private.h"

#define INITIAL_CAPACITY 64

void
_weft_ready_queue_init (WeftReadyQueue *queue)
{
  queue->items = g_new (guint32, INITIAL_CAPACITY);
  queue->mask = INITIAL_CAPACITY - 1;
  queue->head = 0;
  queue->length = 0;
}

void
_weft_ready_queue_clear (WeftReadyQueue *queue)
{
  g_clear_pointer (&queue->items, g_free);
  queue->mask = 0;
  queue->head = 0;
  queue->length = 0;
}

/* Doubles the capacity of a full ring and unwraps it, so that the items run
 * from index 0 in order. */
void
_weft_ready_queue_grow (WeftReadyQueue *queue)
{
  guint32 capacity = queue->mask + 1;
  guint32 *items;
  guint32 first = capacity - queue->head;

  g_assert (queue->length == capacity);
  if (capacity > G_MAXUINT32 / 2)
    g_error ("Weft: ready queue overflow (%u callbacks pending)", capacity);

  items = g_new (guint32, (gsize) capacity * 2);
  memcpy (items, queue->items + queue->head, first * sizeof (guint32));
  memcpy (items + first, queue->items, queue->head * sizeof (guint32));
  g_free (queue->items);
  queue->items = items;
  queue->mask = capacity * 2 - 1;
  queue->head = 0;
}
