/* weft-ready-queue-private.h: the ready queue, a ring array of calls
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each entry is 24 bytes. A light call (weft_loop_call_soon() without a
 * destroy notify, the common case) lives in its entry and nowhere else: its
 * callback, its data, and its call site (one pointer to an interned name and
 * file:line, see weft-call-site.c) with a cancelled bit. Its handle is the
 * entry's sequence number (the how-many-th push it was), so nothing is
 * allocated, and a million pending calls cost 24 MB. A heavy call (a timer, a
 * destroy notify, an internal call) lives in a slot of the slot table
 * (weft-handle-private.h) and its entry only names the slot.
 *
 * The capacity is a power of two; the ring grows by doubling (realloc, so a
 * big ring is moved by the kernel, not copied) and never shrinks below its
 * high-water mark until the loop is freed (asyncio's deque keeps its blocks
 * the same way).
 */
#pragma once

#include <glib.h>

#include "weft-types.h"

G_BEGIN_DECLS

/* An internal call's site (task steps, done callbacks): its destroy notify
 * runs after the call, or when it is cancelled or dropped. */
typedef struct
{
  WeftCallSite    site;
  GDestroyNotify  destroy;
} WeftInternalSite;

#define WEFT_ENTRY_SLOT      ((guintptr) 1)  /* meta is (slot index << 3) | this */
#define WEFT_ENTRY_CANCELLED ((guintptr) 2)  /* a light call, cancelled */
#define WEFT_ENTRY_DESTROY   ((guintptr) 4)  /* a light call whose site has a destroy notify */
#define WEFT_ENTRY_FLAGS     ((guintptr) 7)

typedef struct
{
  WeftCallback callback;  /* light calls */
  gpointer     data;      /* light calls */
  guintptr     meta;      /* light: (const WeftCallSite *) | flags; heavy: slot */
} WeftReadyEntry;

/* One line of the queue's call-site cache: the pair as written and its site. */
typedef struct
{
  const char         *name;
  const char         *where;
  const WeftCallSite *site;
} WeftCallSiteCacheLine;

#define WEFT_CALL_SITE_CACHE 64

typedef struct
{
  WeftReadyEntry *items;
  guint32         mask;      /* capacity - 1 */
  guint32         head;      /* index of the first entry */
  guint32         length;
  guint64         head_seq;  /* the sequence number of the first entry */
  /* The sites this loop's calls came from lately (a loop schedules from its
   * own thread only): a hit is two compares in the line, no thread-local
   * lookup and no load of the site itself. */
  WeftCallSiteCacheLine sites[WEFT_CALL_SITE_CACHE];
} WeftReadyQueue;

void _weft_ready_queue_init  (WeftReadyQueue *queue);
void _weft_ready_queue_clear (WeftReadyQueue *queue);
void _weft_ready_queue_grow  (WeftReadyQueue *queue);

/* Appends an entry; returns its sequence number. */
static inline guint64
_weft_ready_queue_push (WeftReadyQueue *queue,
                        WeftCallback    callback,
                        gpointer        data,
                        guintptr        meta)
{
  WeftReadyEntry *entry;

  if (G_UNLIKELY (queue->length > queue->mask))
    _weft_ready_queue_grow (queue);
  entry = &queue->items[(queue->head + queue->length) & queue->mask];
  entry->callback = callback;
  entry->data = data;
  entry->meta = meta;
  return queue->head_seq + queue->length++;
}

static inline void
_weft_ready_queue_push_slot (WeftReadyQueue *queue,
                             guint32         index)
{
  _weft_ready_queue_push (queue, NULL, NULL, ((guintptr) index << 3) | WEFT_ENTRY_SLOT);
}

static inline WeftReadyEntry
_weft_ready_queue_pop (WeftReadyQueue *queue)
{
  WeftReadyEntry entry = queue->items[queue->head];

  queue->head = (queue->head + 1) & queue->mask;
  queue->length--;
  /* Read by a watchdog thread (_weft_loop_watch_progress()): on x86 and
   * ARM64 a release store is a plain store. */
  __atomic_store_n (&queue->head_seq, queue->head_seq + 1, __ATOMIC_RELEASE);
  return entry;
}

/* The n-th entry from the head. */
static inline WeftReadyEntry *
_weft_ready_queue_peek (const WeftReadyQueue *queue,
                        guint32               n)
{
  return &queue->items[(queue->head + n) & queue->mask];
}

/* The entry pushed as @seq, or NULL once it left the queue. */
static inline WeftReadyEntry *
_weft_ready_queue_find (const WeftReadyQueue *queue,
                        guint64               seq)
{
  if (seq < queue->head_seq || seq - queue->head_seq >= queue->length)
    return NULL;
  return _weft_ready_queue_peek (queue, (guint32) (seq - queue->head_seq));
}

static inline gboolean
_weft_entry_is_slot (const WeftReadyEntry *entry)
{
  return (entry->meta & WEFT_ENTRY_SLOT) != 0;
}

static inline guint32
_weft_entry_slot (const WeftReadyEntry *entry)
{
  return (guint32) (entry->meta >> 3);
}

static inline const WeftCallSite *
_weft_entry_site (const WeftReadyEntry *entry)
{
  return (const WeftCallSite *) (entry->meta & ~WEFT_ENTRY_FLAGS);
}

/* The destroy notify of an entry marked WEFT_ENTRY_DESTROY: its site is
 * an internal one. */
static inline GDestroyNotify
_weft_site_destroy (const WeftCallSite *site)
{
  return ((const WeftInternalSite *) site)->destroy;
}

/* Pushes an internal light call of a static @site; returns its sequence
 * number. */
static inline guint64
_weft_ready_queue_push_internal (WeftReadyQueue         *queue,
                                 WeftCallback            callback,
                                 gpointer                data,
                                 const WeftInternalSite *site)
{
  return _weft_ready_queue_push (queue, callback, data, (guintptr) &site->site | WEFT_ENTRY_DESTROY);
}

/* The internal sites (weft-task.c, weft-future.c). */
extern const WeftInternalSite _weft_task_step_site;
extern const WeftInternalSite _weft_done_record_site;

/* The interned site of (@name, @where): static strings, so a site is never
 * freed (weft-call-site.c). The queue's cache answers with two compares. */
const WeftCallSite *_weft_call_site_intern (const char *name,
                                            const char *where);

static inline const WeftCallSite *
_weft_call_site (WeftReadyQueue *queue,
                 const char     *name,
                 const char     *where)
{
  WeftCallSiteCacheLine *line = &queue->sites[(((guintptr) where >> 3) ^ ((guintptr) name >> 5)) & (WEFT_CALL_SITE_CACHE - 1)];

  if (G_UNLIKELY (line->site == NULL || line->name != name || line->where != where))
    {
      line->name = name;
      line->where = where;
      line->site = _weft_call_site_intern (name, where);
    }
  return line->site;
}

G_END_DECLS
