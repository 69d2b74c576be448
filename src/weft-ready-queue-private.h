/* weft-ready-queue-private.h: the ready queue, a ring array of slot indices
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The capacity is a power of two; the ring grows by doubling and never shrinks
 * below its high-water mark until the loop is freed (asyncio's deque behaves the
 * same way for the pointer array).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint32 *items;
  guint32  mask;   /* capacity - 1 */
  guint32  head;   /* index of the first item */
  guint32  length;
} WeftReadyQueue;

void _weft_ready_queue_init  (WeftReadyQueue *queue);
void _weft_ready_queue_clear (WeftReadyQueue *queue);
void _weft_ready_queue_grow  (WeftReadyQueue *queue);

static inline void
_weft_ready_queue_push (WeftReadyQueue *queue,
                        guint32         item)
{
  if (G_UNLIKELY (queue->length > queue->mask))
    _weft_ready_queue_grow (queue);
  queue->items[(queue->head + queue->length) & queue->mask] = item;
  queue->length++;
}

static inline guint32
_weft_ready_queue_pop (WeftReadyQueue *queue)
{
  guint32 item = queue->items[queue->head];

  queue->head = (queue->head + 1) & queue->mask;
  queue->length--;
  return item;
}

/* The n-th item from the head, for instrumentation. */
static inline guint32
_weft_ready_queue_peek (const WeftReadyQueue *queue,
                        guint32               n)
{
  return queue->items[(queue->head + n) & queue->mask];
}

G_END_DECLS
