/* weft-loop-registry.c: the loops of the process and of each thread
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <pthread.h>

#include "weft-loop-private.h"

/* POSIX mutexes rather than GMutex: ThreadSanitizer understands them. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static WeftLoop *registry[WEFT_MAX_LOOPS];
static guint32   registry_gen_base[WEFT_MAX_LOOPS]; /* where the next loop of an id starts its generations */
static guint64   registry_seq_base[WEFT_MAX_LOOPS]; /* ... and its light calls' sequence numbers */
static guint     registry_cursor;

static GPrivate  default_loop_key;
static GPrivate  running_loop_key;

/* ------------------------------------------------------------------ registry */

/* As asyncio does (os.register_at_fork), a forked child starts with no
 * running loop: the parent's run is not the child's, and the child may run a
 * loop of its own (a process pool's worker forked from inside a callback). */
static void
forget_running_in_child (void)
{
  g_private_set (&running_loop_key, NULL);
}

guint
_weft_registry_add (WeftLoop *loop)
{
  static gsize atfork_once;
  guint id = 0;
  guint32 gen_base = 0;
  guint64 seq_base = 0;

  if (g_once_init_enter (&atfork_once))
    {
      pthread_atfork (NULL, NULL, forget_running_in_child);
      g_once_init_leave (&atfork_once, 1);
    }

  pthread_mutex_lock (&registry_lock);
  /* Ids are handed out round-robin, so a freed loop's id is reused as late as
   * possible. Id 0 is never used: no valid token is NULL. */
  for (guint n = 0; n < WEFT_MAX_LOOPS; n++)
    {
      guint candidate = (registry_cursor + n) % WEFT_MAX_LOOPS;

      if (candidate != 0 && registry[candidate] == NULL)
        {
          id = candidate;
          g_atomic_pointer_set (&registry[id], loop);
          gen_base = registry_gen_base[id];
          seq_base = registry_seq_base[id];
          registry_cursor = id + 1;
          break;
        }
    }
  pthread_mutex_unlock (&registry_lock);

  loop->slots.gen_base = gen_base;
  loop->slots.gen_max = gen_base;
  __atomic_store_n (&loop->ready.head_seq, seq_base, __ATOMIC_RELEASE);
  return id;
}

void
_weft_registry_remove (WeftLoop *loop)
{
  guint32 last = (guint32) WEFT_TOKEN_MASK (WEFT_TOKEN_GEN_BITS);

  /* The highest generation a slot reached is the one it has now (its last
   * free bumped it); the next loop of this id starts past all of them. */
  for (guint32 i = 0; i < loop->slots.n_slots; i++)
    loop->slots.gen_max = MAX (loop->slots.gen_max, _weft_slot_table_get (&loop->slots, i)->gen);
  pthread_mutex_lock (&registry_lock);
  registry_gen_base[loop->id] = loop->slots.gen_max + 1 < last ? loop->slots.gen_max + 1 : 0;
  registry_seq_base[loop->id] = loop->ready.head_seq + loop->ready.length;
  g_atomic_pointer_set (&registry[loop->id], NULL);
  pthread_mutex_unlock (&registry_lock);
}

WeftLoop *
_weft_loop_lookup (guint id)
{
  if (id == 0 || id >= WEFT_MAX_LOOPS)
    return NULL;
  return g_atomic_pointer_get (&registry[id]);
}

/* ------------------------------------------------------- per-thread loops */

/**
 * weft_set_event_loop:
 * @loop: (nullable): a #WeftLoop, or %NULL to unset
 *
 * Makes @loop the current loop of the calling thread (asyncio.set_event_loop()).
 * No reference is taken: freeing the loop unsets it.
 */
void
weft_set_event_loop (WeftLoop *loop)
{
  g_private_set (&default_loop_key, loop);
}

/**
 * weft_get_event_loop:
 *
 * Returns the running loop of this thread if there is one, else the loop set
 * with weft_set_event_loop(), else %NULL.
 *
 * Returns: (transfer none) (nullable): the current loop
 */
WeftLoop *
weft_get_event_loop (void)
{
  WeftLoop *loop = g_private_get (&running_loop_key);

  return loop ? loop : g_private_get (&default_loop_key);
}

/**
 * weft_get_running_loop:
 *
 * Returns the loop running in this thread: the one whose run_forever() or
 * run_until_complete() is on the stack, or whose callback is being dispatched
 * (attached mode).
 *
 * Returns: (transfer none) (nullable): the running loop, or %NULL
 */
WeftLoop *
weft_get_running_loop (void)
{
  return g_private_get (&running_loop_key);
}

/* The loop whose run or dispatch is on this thread's stack, or NULL. */
void
_weft_set_running_loop (WeftLoop *loop)
{
  g_private_set (&running_loop_key, loop);
}

/* A loop going away stops being this thread's default one. */
void
_weft_loop_forget_default (WeftLoop *loop)
{
  if (g_private_get (&default_loop_key) == loop)
    g_private_set (&default_loop_key, NULL);
}
