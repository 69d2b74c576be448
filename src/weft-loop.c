/* weft-loop.c: the event loop core (ready queue, timers, iterations)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * An iteration is asyncio's _run_once(): move the threadsafe posts and every due
 * timer to the ready queue, then run exactly the callbacks that are in the ready
 * queue at that moment; whatever they schedule runs in the next iteration. The
 * number of callbacks left in the current iteration is loop->ntodo, so an
 * iteration can be paused between two callbacks (the GSource's time budget, the
 * inspector's single-stepping) and resumed without changing what runs.
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "weft-error.h"
#include "weft-future-private.h"
#include "weft-inspect.h"
#include "weft-backend-private.h"
#include "weft-loop-private.h"
#include "weft-observer-private.h"
#include "weft-task-private.h"

#define DEFAULT_BUDGET_NS        (2 * G_GINT64_CONSTANT (1000000))
#define DEFAULT_SLOW_CALLBACK_NS (100 * G_GINT64_CONSTANT (1000000))
#define BUDGET_CHECK_EVERY       32
#define MIN_TIMERS_TO_COMPACT    100

/* POSIX mutexes rather than GMutex: ThreadSanitizer understands them. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static WeftLoop *registry[WEFT_MAX_LOOPS];
static guint32   registry_gen_base[WEFT_MAX_LOOPS]; /* where the next loop of an id starts its generations */
static guint     registry_cursor;

static GPrivate  default_loop_key;
static GPrivate  running_loop_key;

/* ------------------------------------------------------------ cheap clock */

/* Measured once per process against CLOCK_MONOTONIC over 200 µs (0.1 % is
 * plenty for busy times). */
double
_weft_ns_per_tick (void)
{
  static double ns_per_tick;
  static gsize once;

  if (g_once_init_enter (&once))
    {
      struct timespec ts;
      gint64 t0, t1;
      guint64 c0, c1;

      clock_gettime (CLOCK_MONOTONIC, &ts);
      t0 = (gint64) ts.tv_sec * WEFT_NS_PER_SEC + ts.tv_nsec;
      c0 = _weft_ticks ();
      do
        {
          clock_gettime (CLOCK_MONOTONIC, &ts);
          t1 = (gint64) ts.tv_sec * WEFT_NS_PER_SEC + ts.tv_nsec;
        }
      while (t1 - t0 < 200000);
      c1 = _weft_ticks ();
      ns_per_tick = c1 > c0 ? (double) (t1 - t0) / (double) (c1 - c0) : 1.0;
      g_once_init_leave (&once, 1);
    }
  return ns_per_tick;
}

/* ------------------------------------------------------------------ registry */

static guint
registry_add (WeftLoop *loop)
{
  guint id = 0;
  guint32 gen_base = 0;

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
          registry_cursor = id + 1;
          break;
        }
    }
  pthread_mutex_unlock (&registry_lock);

  loop->slots.gen_base = gen_base;
  loop->slots.gen_max = gen_base;
  return id;
}

static void
registry_remove (WeftLoop *loop)
{
  guint32 last = (guint32) WEFT_TOKEN_MASK (WEFT_TOKEN_GEN_BITS);

  /* The highest generation a slot reached is the one it has now (its last
   * free bumped it); the next loop of this id starts past all of them. */
  for (guint32 i = 0; i < loop->slots.n_slots; i++)
    loop->slots.gen_max = MAX (loop->slots.gen_max, _weft_slot_table_get (&loop->slots, i)->gen);
  pthread_mutex_lock (&registry_lock);
  registry_gen_base[loop->id] = loop->slots.gen_max + 1 < last ? loop->slots.gen_max + 1 : 0;
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

/* ---------------------------------------------------------------- slot table */

void
_weft_slot_table_init (WeftSlotTable *table)
{
  guint32 gen_base = table->gen_base;

  memset (table, 0, sizeof *table);
  table->free_head = WEFT_SLOT_NONE;
  table->gen_base = gen_base;
  table->gen_max = gen_base;
}

void
_weft_slot_table_clear (WeftSlotTable *table)
{
  for (guint32 i = 0; i < table->n_chunks; i++)
    g_free (table->chunks[i]);
  g_free (table->chunks);
  table->chunks = NULL;
  table->n_chunks = table->n_slots = table->n_live = 0;
  table->free_head = WEFT_SLOT_NONE;
}

/* Adds a chunk of slots to the free list and returns one of them. */
guint32
_weft_slot_table_grow (WeftSlotTable *table)
{
  guint32 first = table->n_chunks * WEFT_SLOT_CHUNK_SIZE;
  WeftSlot *chunk;

  if (first + WEFT_SLOT_CHUNK_SIZE > WEFT_MAX_SLOTS)
    g_error ("Weft: more than %u callbacks pending in one loop", WEFT_MAX_SLOTS);

  table->chunks = g_renew (WeftSlot *, table->chunks, table->n_chunks + 1);
  chunk = g_new0 (WeftSlot, WEFT_SLOT_CHUNK_SIZE);
  table->chunks[table->n_chunks++] = chunk;
  table->n_slots = first + WEFT_SLOT_CHUNK_SIZE;

  /* Thread the new slots onto the free list in ascending order; the caller
   * pops the first one. */
  for (guint32 i = 0; i < WEFT_SLOT_CHUNK_SIZE; i++)
    {
      chunk[i].gen = table->gen_base;
      chunk[i].when = i + 1 < WEFT_SLOT_CHUNK_SIZE ? first + i + 1 : table->free_head;
    }
  table->free_head = first;
  return first;
}

WeftHandle *
_weft_loop_handle_for (WeftLoop *loop,
                       guint32   index)
{
  return _weft_handle_encode (loop->id, index, _weft_slot_table_get (&loop->slots, index)->gen);
}

/* ---------------------------------------------------------------- lifecycle */

static gboolean
env_debug (void)
{
  const char *env = g_getenv ("WEFT_DEBUG");

  return env != NULL && *env != '\0' && strcmp (env, "0") != 0;
}

/**
 * weft_loop_new:
 *
 * Creates a new event loop (asyncio.new_event_loop()) on the thread-default
 * #GMainContext. The loop attaches one #GSource to that context at once, so
 * anything that runs the context also runs the loop's callbacks.
 *
 * Returns: (transfer full): a new #WeftLoop
 */
WeftLoop *
weft_loop_new (void)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  return weft_loop_new_for_context (context);
}

/**
 * WeftLoop:
 *
 * asyncio's event loop, reaching GLib through one #GSource on a
 * #GMainContext. A #GObject: its state (#WeftLoop:running, #WeftLoop:closed,
 * #WeftLoop:debug, #WeftLoop:paused) is readable as properties that notify,
 * so widgets can bind to it with g_object_bind_property().
 *
 * A loop belongs to one thread at a time; only
 * weft_loop_call_soon_threadsafe() may be called from other threads.
 */
G_DEFINE_FINAL_TYPE (WeftLoop, weft_loop, G_TYPE_OBJECT)

static GParamSpec *properties[WEFT_LOOP_N_PROPS];

void
_weft_loop_notify (WeftLoop         *loop,
                   WeftLoopProperty  property)
{
  g_object_notify_by_pspec (G_OBJECT (loop), properties[property]);
}

static void
weft_loop_init (WeftLoop *loop)
{
  loop->id = registry_add (loop);
  if (loop->id == 0)
    g_critical ("Weft: too many loops alive (at most %u)", WEFT_MAX_LOOPS - 1);

  _weft_slot_table_init (&loop->slots);
  _weft_ready_queue_init (&loop->ready);
  _weft_timer_heap_init (&loop->timers);
  loop->current = WEFT_SLOT_NONE;
  pthread_mutex_init (&loop->ts_lock, NULL);
  loop->ts_queue = g_array_new (FALSE, FALSE, sizeof (WeftThreadsafeCall));
  loop->ts_spare = g_array_new (FALSE, FALSE, sizeof (WeftThreadsafeCall));
  loop->budget_ns = DEFAULT_BUDGET_NS;
  loop->timer_slack_ns = WEFT_DEFAULT_TIMER_SLACK_NS;
  loop->history_length = 256;
  loop->slow_callback_ns = DEFAULT_SLOW_CALLBACK_NS;
  loop->debug = env_debug ();
  loop->schedule_checks = loop->debug;
  g_queue_init (&loop->tasks);
}

static void
weft_loop_constructed (GObject *object)
{
  WeftLoop *loop = WEFT_LOOP (object);

  G_OBJECT_CLASS (weft_loop_parent_class)->constructed (object);

  if (loop->context == NULL)
    loop->context = g_main_context_ref_thread_default ();
  if (loop->id == 0)
    return;

  loop->backend = _weft_backend_attach (loop);
  /* Attaching signals the context's wake-up fd. If nobody runs the context
   * now, take that signal back (g_main_context_pending() polls with a zero
   * timeout and dispatches nothing), so an idle loop's first sleep is not cut
   * short. */
  if (g_main_context_acquire (loop->context))
    {
      g_main_context_pending (loop->context);
      g_main_context_release (loop->context);
    }

  /* The inspector's probe (WEFT_INSPECT=1, WEFT_INSPECTOR=1), Sysprof... */
  _weft_observers_loop_created (loop);
}

static void
weft_loop_dispose (GObject *object)
{
  WeftLoop *loop = WEFT_LOOP (object);

  weft_loop_close (loop);
  if (g_private_get (&default_loop_key) == loop)
    g_private_set (&default_loop_key, NULL);

  G_OBJECT_CLASS (weft_loop_parent_class)->dispose (object);
}

static void close_threadsafe (WeftLoop *loop);

static void
weft_loop_finalize (GObject *object)
{
  WeftLoop *loop = WEFT_LOOP (object);

  _weft_loop_free_stacks (loop);
  _weft_future_pool_clear (loop);
  _weft_inspect_clear (loop);
  if (loop->id != 0)
    registry_remove (loop);
  _weft_slot_table_clear (&loop->slots);
  _weft_ready_queue_clear (&loop->ready);
  _weft_timer_heap_clear (&loop->timers);
  close_threadsafe (loop);
  g_array_unref (loop->ts_queue);
  g_array_unref (loop->ts_spare);
  pthread_mutex_destroy (&loop->ts_lock);
  if (loop->exception_destroy)
    loop->exception_destroy (loop->exception_data);
  g_clear_pointer (&loop->context, g_main_context_unref);

  G_OBJECT_CLASS (weft_loop_parent_class)->finalize (object);
}

static void
weft_loop_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  WeftLoop *loop = WEFT_LOOP (object);

  switch ((WeftLoopProperty) prop_id)
    {
    case WEFT_LOOP_PROP_CONTEXT:
      g_value_set_boxed (value, loop->context);
      break;
    case WEFT_LOOP_PROP_RUNNING:
      g_value_set_boolean (value, weft_loop_is_running (loop));
      break;
    case WEFT_LOOP_PROP_CLOSED:
      g_value_set_boolean (value, loop->closed);
      break;
    case WEFT_LOOP_PROP_DEBUG:
      g_value_set_boolean (value, loop->debug);
      break;
    case WEFT_LOOP_PROP_PAUSED:
      g_value_set_boolean (value, loop->paused);
      break;
    case WEFT_LOOP_PROP_SLOW_CALLBACK_DURATION:
      g_value_set_double (value, weft_loop_get_slow_callback_duration (loop));
      break;
    case WEFT_LOOP_PROP_0:
    case WEFT_LOOP_N_PROPS:
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_loop_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  WeftLoop *loop = WEFT_LOOP (object);

  switch ((WeftLoopProperty) prop_id)
    {
    case WEFT_LOOP_PROP_CONTEXT:
      loop->context = g_value_dup_boxed (value);
      if (loop->context == NULL)
        loop->context = g_main_context_ref (g_main_context_default ());
      break;
    case WEFT_LOOP_PROP_DEBUG:
      weft_loop_set_debug (loop, g_value_get_boolean (value));
      break;
    case WEFT_LOOP_PROP_PAUSED:
      weft_loop_set_paused (loop, g_value_get_boolean (value));
      break;
    case WEFT_LOOP_PROP_SLOW_CALLBACK_DURATION:
      weft_loop_set_slow_callback_duration (loop, g_value_get_double (value));
      break;
    case WEFT_LOOP_PROP_0:
    case WEFT_LOOP_PROP_RUNNING:
    case WEFT_LOOP_PROP_CLOSED:
    case WEFT_LOOP_N_PROPS:
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_loop_class_init (WeftLoopClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = weft_loop_constructed;
  object_class->dispose = weft_loop_dispose;
  object_class->finalize = weft_loop_finalize;
  object_class->get_property = weft_loop_get_property;
  object_class->set_property = weft_loop_set_property;

  /**
   * WeftLoop:context: (getter get_context)
   *
   * The #GMainContext the loop's one #GSource is attached to. Construct-only;
   * unset, the thread-default context (as for weft_loop_new()).
   */
  properties[WEFT_LOOP_PROP_CONTEXT] =
    g_param_spec_boxed ("context", NULL, NULL, G_TYPE_MAIN_CONTEXT,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * WeftLoop:running: (getter is_running)
   *
   * Whether weft_loop_run_forever() or weft_loop_run_until_complete() is
   * running the loop. Notified when a run starts and when it returns; in
   * attached mode (GTK runs the context) it reads %TRUE only from inside the
   * loop's callbacks and is not notified per dispatch.
   */
  properties[WEFT_LOOP_PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * WeftLoop:closed: (getter is_closed)
   *
   * Whether weft_loop_close() was called. Notified once, when it is.
   */
  properties[WEFT_LOOP_PROP_CLOSED] =
    g_param_spec_boolean ("closed", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * WeftLoop:debug: (setter set_debug) (getter get_debug)
   *
   * Debug mode, see weft_loop_set_debug().
   */
  properties[WEFT_LOOP_PROP_DEBUG] =
    g_param_spec_boolean ("debug", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * WeftLoop:paused: (setter set_paused) (getter get_paused)
   *
   * Whether the loop is held back (by the inspector), see
   * weft_loop_set_paused(). A toggle button can be bound to it.
   */
  properties[WEFT_LOOP_PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * WeftLoop:slow-callback-duration: (setter set_slow_callback_duration) (getter get_slow_callback_duration)
   *
   * In debug mode, callbacks running at least this many seconds are reported.
   */
  properties[WEFT_LOOP_PROP_SLOW_CALLBACK_DURATION] =
    g_param_spec_double ("slow-callback-duration", NULL, NULL, 0, G_MAXDOUBLE, DEFAULT_SLOW_CALLBACK_NS / 1e9,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, WEFT_LOOP_N_PROPS, properties);
}

/**
 * weft_loop_new_for_context:
 * @context: (nullable): the #GMainContext to run in, %NULL for the global default
 *
 * Creates a new event loop whose one #GSource is attached to @context.
 *
 * Returns: (transfer full) (nullable): a new #WeftLoop, %NULL (with a critical)
 *   if too many loops are alive
 */
WeftLoop *
weft_loop_new_for_context (GMainContext *context)
{
  WeftLoop *loop = g_object_new (WEFT_TYPE_LOOP,
                                 "context", context ? context : g_main_context_default (),
                                 NULL);

  if (loop->id == 0)
    {
      g_object_unref (loop);
      return NULL;
    }
  return loop;
}

/**
 * weft_loop_ref:
 * @loop: a #WeftLoop
 *
 * Takes a reference, like g_object_ref().
 *
 * Returns: (transfer full): @loop
 */
WeftLoop *
weft_loop_ref (WeftLoop *loop)
{
  g_return_val_if_fail (WEFT_IS_LOOP (loop), NULL);

  return g_object_ref (loop);
}

/* Refuses further posts and gives up those queued: their destroy notifies
 * run. Under one lock, so a post that returned TRUE is either in this queue
 * or was drained before: none is lost. */
static void
close_threadsafe (WeftLoop *loop)
{
  GArray *ts;

  pthread_mutex_lock (&loop->ts_lock);
  ts = loop->ts_queue;
  loop->ts_queue = g_array_new (FALSE, FALSE, sizeof (WeftThreadsafeCall));
  loop->ts_closed = TRUE;
  g_atomic_int_set (&loop->ts_pending, 0);
  pthread_mutex_unlock (&loop->ts_lock);

  for (guint i = 0; i < ts->len; i++)
    {
      WeftThreadsafeCall *call = &g_array_index (ts, WeftThreadsafeCall, i);

      if (call->destroy)
        call->destroy (call->data);
    }
  g_array_unref (ts);
}

/* Drops every pending callback without running it. */
static void
drop_pending (WeftLoop *loop)
{
  close_threadsafe (loop);

  for (guint32 i = 0; i < loop->slots.n_slots; i++)
    {
      WeftSlot *slot = _weft_slot_table_get (&loop->slots, i);
      GDestroyNotify destroy = slot->destroy;
      gpointer data = slot->data;

      if (!(slot->flags & WEFT_SLOT_QUEUED))
        continue;
      slot->flags = (slot->flags & ~WEFT_SLOT_QUEUED) | WEFT_SLOT_CANCELLED;
      slot->destroy = NULL;
      slot->callback = NULL;
      slot->data = NULL;
      if (destroy)
        destroy (data);
      _weft_slot_table_release (&loop->slots, i);
    }

  loop->ready.head = 0;
  loop->ready.length = 0;
  loop->timers.length = 0;
  loop->n_cancelled_timers = 0;
  loop->ntodo = 0;
}

/**
 * weft_loop_close:
 * @loop: a #WeftLoop
 *
 * Closes the loop (asyncio's close()): pending callbacks and timers are dropped
 * without running (their destroy notifies run), tasks still pending are reported
 * to the exception handler and freed, and the loop's #GSource leaves its context.
 * Closing a closed loop does nothing; closing a running loop is a programmer
 * error.
 */
void
weft_loop_close (WeftLoop *loop)
{
  g_return_if_fail (loop != NULL);

  if (loop->closed)
    return;
  if (loop->mainloop != NULL || loop->dispatch_depth > 0)
    {
      g_critical ("Weft: cannot close a running event loop");
      return;
    }

  WEFT_OBSERVE (loop, loop_closing);
  {
    /* The tasks unwind as if the loop ran: inside them it is the running
     * loop, so a nested run_until_complete() is refused as usual. */
    gpointer previous_running = g_private_get (&running_loop_key);

    g_private_set (&running_loop_key, loop);
    _weft_loop_destroy_tasks (loop);
    g_private_set (&running_loop_key, previous_running);
  }
  drop_pending (loop);
  if (loop->backend != NULL)
    _weft_backend_detach (loop);
  loop->backend = NULL;
  loop->closed = TRUE;
  loop->schedule_checks = TRUE;
  _weft_loop_notify (loop, WEFT_LOOP_PROP_CLOSED);
}

/* Only the futures' toggle reference is left: nobody can reach the loop but
 * its own tasks and futures, which would keep each other alive (and, on an
 * attached loop, running) for ever. Close it, as the last unref promises:
 * pending tasks are reported ("Task was destroyed but it is pending") and
 * unwound, and once their futures are gone the loop is freed. A running
 * loop is closed by the unref that ends its run. */
void
_weft_loop_toggled (gpointer  data,
                    GObject  *object,
                    gboolean  is_last_ref)
{
  WeftLoop *loop = (WeftLoop *) object;

  if (!is_last_ref || loop->closed || loop->mainloop != NULL || loop->dispatch_depth > 0)
    return;
  g_object_ref (object);
  weft_loop_close (loop);
  g_object_unref (object);
}

/**
 * weft_loop_unref:
 * @loop: (transfer full): a #WeftLoop
 *
 * Drops a reference, like g_object_unref(). The last one closes the loop
 * (see weft_loop_close()) and frees it, also while tasks are pending (they
 * hold the loop only until then: they are reported and unwound as by
 * weft_loop_close()).
 */
void
weft_loop_unref (WeftLoop *loop)
{
  g_return_if_fail (WEFT_IS_LOOP (loop));

  g_object_unref (loop);
}

/**
 * weft_loop_get_context:
 * @loop: a #WeftLoop
 *
 * Gets the #GMainContext the loop's #GSource is attached to.
 *
 * Returns: (transfer none): the #GMainContext the loop's #GSource is attached to
 */
GMainContext *
weft_loop_get_context (WeftLoop *loop)
{
  g_return_val_if_fail (loop != NULL, NULL);

  return loop->context;
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

/* ------------------------------------------------------------- scheduling */

/* Off the hot path: a closed loop refuses (a critical), and in debug mode so
 * does a call from another thread than the loop's. */
static __attribute__ ((noinline)) gboolean
may_schedule (WeftLoop   *loop,
              const char *name,
              const char *what)
{
  if (loop->closed)
    {
      g_critical ("Weft: cannot schedule %s: the event loop is closed", name ? name : "a callback");
      return FALSE;
    }
  return _weft_loop_check_thread (loop, what);
}

gboolean
_weft_loop_check_thread_slow (WeftLoop   *loop,
                              const char *what)
{
  if (loop->owner == NULL || loop->owner == g_thread_self ())
    return TRUE;
  g_critical ("Weft: non-thread-safe operation %s() invoked on an event loop other than the current one "
              "(the loop runs in another thread; use weft_loop_call_soon_threadsafe())", what);
  return FALSE;
}

static gint64
seconds_to_ns (double seconds)
{
  if (seconds >= (double) (WEFT_TIME_NEVER / WEFT_NS_PER_SEC))
    return WEFT_TIME_NEVER;
  if (seconds <= (double) (G_MININT64 / WEFT_NS_PER_SEC))
    return G_MININT64 + 1;
  return (gint64) llround (seconds * 1e9);
}

guint32
_weft_loop_schedule (WeftLoop       *loop,
                     gint64          when,
                     WeftCallback    callback,
                     gpointer        user_data,
                     GDestroyNotify  destroy,
                     const char     *name,
                     const char     *where)
{
  guint32 index = _weft_slot_table_alloc (&loop->slots);
  WeftSlot *slot = _weft_slot_table_get (&loop->slots, index);

  slot->callback = callback;
  slot->data = user_data;
  slot->destroy = destroy;
  slot->name = name;
  slot->where = where;
  slot->when = when;
  if (when == 0)
    {
      slot->flags |= WEFT_SLOT_QUEUED;
      _weft_ready_queue_push (&loop->ready, index);
    }
  else
    {
      slot->flags |= WEFT_SLOT_QUEUED | WEFT_SLOT_TIMER;
      _weft_timer_heap_push (&loop->timers, when, loop->timer_seq++, index);
    }
  return index;
}

/**
 * weft_loop_call_soon_full: (rename-to weft_loop_call_soon)
 * @loop: a #WeftLoop
 * @callback: (scope notified) (closure user_data) (destroy destroy): the callback
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data once the callback ran or was cancelled
 * @name: (nullable): a static string naming the callback (for debug mode and the inspector)
 * @where: (nullable): a static string, file:line of the call
 *
 * Schedules @callback to run in the next iteration of the loop, after the
 * callbacks scheduled before it (FIFO). The weft_loop_call_soon() macro fills in
 * @name and @where.
 *
 * Returns: (transfer none): a handle to cancel the call. It needs no unref and
 *   stays safe to use after the callback ran (operations on it then do nothing).
 */
WeftHandle *
weft_loop_call_soon_full (WeftLoop       *loop,
                          WeftCallback    callback,
                          gpointer        user_data,
                          GDestroyNotify  destroy,
                          const char     *name,
                          const char     *where)
{
  g_return_val_if_fail (loop != NULL, NULL);
  g_return_val_if_fail (callback != NULL, NULL);
  /* One test on the hot path for both. */
  if (G_UNLIKELY (loop->schedule_checks) && !may_schedule (loop, name, "weft_loop_call_soon"))
    return NULL;

  return _weft_loop_handle_for (loop, _weft_loop_schedule (loop, 0, callback, user_data, destroy, name, where));
}

/**
 * weft_loop_call_soon:
 * @loop: a #WeftLoop
 * @callback: (scope notified) (closure user_data) (destroy destroy): the callback
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data once the callback ran or was cancelled
 *
 * Schedules @callback to run in the next iteration (asyncio's call_soon()).
 * In C this is a macro that also records the callback's name and file:line
 * (see weft_loop_call_soon_full()); this function is what bindings call.
 *
 * Returns: (transfer none): a handle to cancel the call; it needs no unref
 */
WeftHandle *
(weft_loop_call_soon) (WeftLoop       *loop,
                       WeftCallback    callback,
                       gpointer        user_data,
                       GDestroyNotify  destroy)
{
  return weft_loop_call_soon_full (loop, callback, user_data, destroy, NULL, NULL);
}

/**
 * weft_loop_call_at_full: (rename-to weft_loop_call_at)
 * @loop: a #WeftLoop
 * @when: the deadline, in seconds on the clock of weft_loop_time(); must not be NaN
 * @callback: (scope notified) (closure user_data) (destroy destroy): the callback
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data once the callback ran or was cancelled
 * @name: (nullable): a static string naming the callback
 * @where: (nullable): a static string, file:line of the call
 *
 * Schedules @callback to run at @when, never earlier. Timers with equal
 * deadlines run in the order they were scheduled. A deadline of +infinity never
 * fires.
 *
 * Returns: (transfer none): a handle to cancel the timer
 */
WeftHandle *
weft_loop_call_at_full (WeftLoop       *loop,
                        double          when,
                        WeftCallback    callback,
                        gpointer        user_data,
                        GDestroyNotify  destroy,
                        const char     *name,
                        const char     *where)
{
  gint64 when_ns;

  g_return_val_if_fail (loop != NULL, NULL);
  g_return_val_if_fail (callback != NULL, NULL);
  g_return_val_if_fail (!isnan (when), NULL);
  if (G_UNLIKELY (loop->schedule_checks) && !may_schedule (loop, name, "weft_loop_call_at"))
    return NULL;

  /* 0 means "not a timer" in a slot, so no timer is due at 0 ns exactly. */
  when_ns = MAX (seconds_to_ns (when), 1);
  return _weft_loop_handle_for (loop, _weft_loop_schedule (loop, when_ns, callback, user_data, destroy, name, where));
}

/**
 * weft_loop_call_at:
 * @loop: a #WeftLoop
 * @when: the deadline on the clock of weft_loop_time()
 * @callback: (scope notified) (closure user_data) (destroy destroy): the callback
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data once the callback ran or was cancelled
 *
 * Schedules @callback at @when (asyncio's call_at()). See
 * weft_loop_call_at_full().
 *
 * Returns: (transfer none): a handle to cancel the timer
 */
WeftHandle *
(weft_loop_call_at) (WeftLoop       *loop,
                     double          when,
                     WeftCallback    callback,
                     gpointer        user_data,
                     GDestroyNotify  destroy)
{
  return weft_loop_call_at_full (loop, when, callback, user_data, destroy, NULL, NULL);
}

/**
 * weft_loop_call_later_full: (rename-to weft_loop_call_later)
 * @loop: a #WeftLoop
 * @delay: seconds from now; negative is the same as 0; +infinity never fires;
 *   must not be NaN
 * @callback: (scope notified) (closure user_data) (destroy destroy): the callback
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data once the callback ran or was cancelled
 * @name: (nullable): a static string naming the callback
 * @where: (nullable): a static string, file:line of the call
 *
 * Schedules @callback to run @delay seconds from now, never earlier.
 *
 * Returns: (transfer none): a handle to cancel the timer
 */
WeftHandle *
weft_loop_call_later_full (WeftLoop       *loop,
                           double          delay,
                           WeftCallback    callback,
                           gpointer        user_data,
                           GDestroyNotify  destroy,
                           const char     *name,
                           const char     *where)
{
  gint64 now, delay_ns;

  g_return_val_if_fail (loop != NULL, NULL);
  g_return_val_if_fail (!isnan (delay), NULL);

  now = _weft_loop_now (loop);
  delay_ns = seconds_to_ns (MAX (delay, 0.0));
  if (delay_ns >= WEFT_TIME_NEVER - now)
    return weft_loop_call_at_full (loop, INFINITY, callback, user_data, destroy, name, where);
  return weft_loop_call_at_full (loop, (double) (now + delay_ns) / 1e9, callback, user_data, destroy, name, where);
}

/**
 * weft_loop_call_later:
 * @loop: a #WeftLoop
 * @delay: seconds from now
 * @callback: (scope notified) (closure user_data) (destroy destroy): the callback
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data once the callback ran or was cancelled
 *
 * Schedules @callback @delay seconds from now (asyncio's call_later()). See
 * weft_loop_call_later_full().
 *
 * Returns: (transfer none): a handle to cancel the timer
 */
WeftHandle *
(weft_loop_call_later) (WeftLoop       *loop,
                        double          delay,
                        WeftCallback    callback,
                        gpointer        user_data,
                        GDestroyNotify  destroy)
{
  return weft_loop_call_later_full (loop, delay, callback, user_data, destroy, NULL, NULL);
}

/**
 * weft_loop_call_soon_threadsafe_full: (rename-to weft_loop_call_soon_threadsafe)
 * @loop: a #WeftLoop
 * @callback: (scope notified) (closure user_data) (destroy destroy): the callback
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data once the callback ran, or if the loop
 *   closes before it could run
 * @name: (nullable): a static string naming the callback
 * @where: (nullable): a static string, file:line of the call
 *
 * Schedules @callback from any thread and wakes the loop at once. Posts from one
 * thread run in the order they were made.
 *
 * Returns: %TRUE if the loop took the call over: it runs, or, if the loop
 *   closes first, @destroy runs; %FALSE if the loop is closed (or closing), in
 *   which case nothing was taken over (@destroy is not called)
 */
gboolean
weft_loop_call_soon_threadsafe_full (WeftLoop       *loop,
                                     WeftCallback    callback,
                                     gpointer        user_data,
                                     GDestroyNotify  destroy,
                                     const char     *name,
                                     const char     *where)
{
  WeftThreadsafeCall call = { callback, user_data, destroy, name, where };
  gboolean wake;

  g_return_val_if_fail (loop != NULL, FALSE);
  g_return_val_if_fail (callback != NULL, FALSE);

  pthread_mutex_lock (&loop->ts_lock);
  if (loop->ts_closed)
    {
      pthread_mutex_unlock (&loop->ts_lock);
      return FALSE;
    }
  wake = loop->ts_queue->len == 0;
  g_array_append_val (loop->ts_queue, call);
  if (wake)
    g_atomic_int_set (&loop->ts_pending, 1);
  pthread_mutex_unlock (&loop->ts_lock);

  if (wake)
    g_main_context_wakeup (loop->context);
  return TRUE;
}

/**
 * weft_loop_call_soon_threadsafe:
 * @loop: a #WeftLoop
 * @callback: (scope notified) (closure user_data) (destroy destroy): the callback
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data once the callback ran
 *
 * Schedules @callback from any thread (asyncio's call_soon_threadsafe()). See
 * weft_loop_call_soon_threadsafe_full().
 *
 * Returns: %FALSE if the loop is closed
 */
gboolean
(weft_loop_call_soon_threadsafe) (WeftLoop       *loop,
                                  WeftCallback    callback,
                                  gpointer        user_data,
                                  GDestroyNotify  destroy)
{
  return weft_loop_call_soon_threadsafe_full (loop, callback, user_data, destroy, NULL, NULL);
}

static void
drain_threadsafe (WeftLoop *loop)
{
  GArray *calls;

  pthread_mutex_lock (&loop->ts_lock);
  calls = loop->ts_queue;
  loop->ts_queue = loop->ts_spare;
  g_atomic_int_set (&loop->ts_pending, 0);
  pthread_mutex_unlock (&loop->ts_lock);

  for (guint i = 0; i < calls->len; i++)
    {
      WeftThreadsafeCall *call = &g_array_index (calls, WeftThreadsafeCall, i);

      _weft_loop_schedule (loop, 0, call->callback, call->data, call->destroy, call->name, call->where);
    }
  g_array_set_size (calls, 0);
  loop->ts_spare = calls;
}

/* ------------------------------------------------------------------ timers */

/* A cancelled timer that just left the heap. */
static void
drop_cancelled_timer (WeftLoop *loop,
                      guint32   index)
{
  loop->n_cancelled_timers--;
  _weft_slot_table_get (&loop->slots, index)->flags &= ~WEFT_SLOT_QUEUED;
  _weft_slot_table_release (&loop->slots, index);
}

/* Drops cancelled timers from the heap in one O(n) pass once they are the
 * majority, so a loop that cancels most of its timers does not carry them. */
static void
compact_timers (WeftLoop *loop)
{
  WeftTimerHeap *heap = &loop->timers;
  guint kept = 0;

  for (guint i = 0; i < heap->length; i++)
    {
      guint32 index = heap->entries[i].slot;
      WeftSlot *slot = _weft_slot_table_get (&loop->slots, index);

      if (slot->flags & WEFT_SLOT_CANCELLED)
        {
          slot->flags &= ~WEFT_SLOT_QUEUED;
          _weft_slot_table_release (&loop->slots, index);
        }
      else
        heap->entries[kept++] = heap->entries[i];
    }
  heap->length = kept;
  loop->n_cancelled_timers = 0;
  _weft_timer_heap_heapify (heap);
}

/* Pops cancelled timers off the top of the heap and returns the earliest live
 * deadline, or WEFT_TIME_NEVER. */
gint64
_weft_loop_next_deadline (WeftLoop *loop)
{
  const WeftTimerEntry *top;

  if (loop->n_cancelled_timers > MIN_TIMERS_TO_COMPACT / 2
      && loop->n_cancelled_timers > loop->timers.length / 2)
    compact_timers (loop);

  while ((top = _weft_timer_heap_top (&loop->timers)) != NULL)
    {
      guint32 index = top->slot;
      WeftSlot *slot = _weft_slot_table_get (&loop->slots, index);

      if (!(slot->flags & WEFT_SLOT_CANCELLED))
        return top->when;
      _weft_timer_heap_pop (&loop->timers);
      drop_cancelled_timer (loop, index);
    }
  return WEFT_TIME_NEVER;
}

/* The deadline to sleep until: the latest deadline among the timers due
 * within the loop's timer slack of the earliest one, so that timers scheduled a
 * few microseconds apart share one wake-up (GLib and libuv get the same effect
 * from their millisecond clocks). No timer fires early; the earliest one of a
 * group fires at most the slack late. The heap is walked only where it holds
 * deadlines inside the window. */
gint64
_weft_loop_wake_deadline (WeftLoop *loop)
{
  gint64 earliest = _weft_loop_next_deadline (loop);
  const WeftTimerHeap *heap = &loop->timers;
  gint64 limit, latest;
  guint stack[64], depth = 0;

  if (earliest == WEFT_TIME_NEVER || earliest > WEFT_TIME_NEVER - loop->timer_slack_ns)
    return earliest;
  limit = earliest + loop->timer_slack_ns;
  latest = earliest;
  stack[depth++] = 0;
  while (depth > 0)
    {
      guint i = stack[--depth];

      if (i >= heap->length || heap->entries[i].when > limit)
        continue;
      latest = MAX (latest, heap->entries[i].when);
      if (depth + 2 <= G_N_ELEMENTS (stack))
        {
          stack[depth++] = 2 * i + 1;
          stack[depth++] = 2 * i + 2;
        }
    }
  return latest;
}

/* ---------------------------------------------------------------- iterations */

static void
begin_iteration (WeftLoop *loop)
{
  gint64 now = 0, max_lateness = 0;
  guint n_timers = 0;

  if (g_atomic_int_get (&loop->ts_pending))
    drain_threadsafe (loop);

  if (_weft_loop_next_deadline (loop) != WEFT_TIME_NEVER)
    {
      const WeftTimerEntry *top;

      now = loop->last_now = _weft_loop_now (loop);
      while ((top = _weft_timer_heap_top (&loop->timers)) != NULL && top->when <= now)
        {
          guint32 index = top->slot;
          WeftSlot *slot = _weft_slot_table_get (&loop->slots, index);

          _weft_timer_heap_pop (&loop->timers);
          if (slot->flags & WEFT_SLOT_CANCELLED)
            {
              drop_cancelled_timer (loop, index);
              continue;
            }
          n_timers++;
          max_lateness = MAX (max_lateness, now - slot->when);
          _weft_ready_queue_push (&loop->ready, index);
        }
    }

  loop->ntodo = loop->ready.length;
  loop->iteration++;
  if (G_UNLIKELY (loop->observed != 0))
    {
      if (loop->recording)
        _weft_inspect_iteration_begin (loop, now, n_timers, max_lateness);
      _weft_observers_iteration_begin (loop);
    }
}

static void
report_slow_callback (WeftLoop *loop,
                      WeftSlot *slot,
                      gint64    elapsed)
{
  g_warning ("Executing callback %s (scheduled at %s) took %.3f seconds",
             slot->name ? slot->name : "(unnamed)",
             slot->where ? slot->where : "(unknown)",
             (double) elapsed / 1e9);
}

/* Pops the head of the ready queue and runs it. The caller has already counted
 * it off loop->ntodo, so a nested main loop inside the callback that dispatches
 * the loop again goes on with the next callback, never this one. */
static void
run_ready_head (WeftLoop *loop)
{
  guint32 index = _weft_ready_queue_pop (&loop->ready);
  WeftSlot *slot = _weft_slot_table_get (&loop->slots, index);
  guint32 previous = loop->current;
  GDestroyNotify destroy;
  gpointer data;
  gboolean timed = loop->debug;
  gint64 start = 0;

  if (slot->flags & WEFT_SLOT_CANCELLED)
    {
      slot->flags &= ~WEFT_SLOT_QUEUED;
      _weft_slot_table_release (&loop->slots, index);
      return;
    }

  slot->flags = (slot->flags & ~WEFT_SLOT_QUEUED) | WEFT_SLOT_RUNNING;
  loop->current = index;
  if (G_UNLIKELY (loop->observed != 0))
    {
      _weft_observers_callback_begin (loop, slot->name);
      /* Before the call: a task step's name is the task's, which may be
       * freed by the time the step returns. */
      if (loop->record_this)
        _weft_inspect_callback_ran (loop, slot->name);
    }
  if (G_UNLIKELY (timed))
    start = _weft_loop_now (loop);

  slot->callback (slot->data);

  if (G_UNLIKELY (timed))
    {
      gint64 elapsed = _weft_loop_now (loop) - start;

      if (elapsed >= loop->slow_callback_ns)
        {
          report_slow_callback (loop, slot, elapsed);
          if (loop->recording)
            _weft_inspect_warn (loop, "%s ran %.1f ms without returning to the loop (scheduled at %s)",
                                slot->name ? slot->name : "a callback", elapsed / 1e6, slot->where ? slot->where : "?");
        }
    }

  loop->current = previous;
  WEFT_OBSERVE (loop, callback_end, slot->name);
  destroy = slot->destroy;
  data = slot->data;
  slot->destroy = NULL;
  slot->flags = (slot->flags & ~WEFT_SLOT_RUNNING) | WEFT_SLOT_DONE;
  if (destroy)
    destroy (data);
  _weft_slot_table_release (&loop->slots, index);
}

/* A half-run iteration counts too: its callbacks are still in the ready
 * queue (loop->ntodo <= loop->ready.length). */
gboolean
_weft_loop_has_work (WeftLoop *loop)
{
  return loop->ready.length > 0
      || g_atomic_int_get (&loop->ts_pending)
      || (loop->stopping && loop->mainloop != NULL);
}

static void
end_iteration (WeftLoop *loop)
{
  if (G_UNLIKELY (loop->observed != 0))
    {
      _weft_observers_iteration_end (loop);
      if (loop->record_this)
        {
          loop->record_this = FALSE;
          if (loop->recording)
            _weft_inspect_iteration_end (loop, loop->last_now = _weft_loop_now (loop));
        }
    }
  if (loop->stopping && loop->mainloop != NULL)
    {
      loop->stopping = FALSE;
      g_main_loop_quit (loop->mainloop);
    }
}

/* GIO delivers to the thread-default context of the caller: while the loop
 * runs its callbacks and tasks, that must be the loop's own context, also
 * when it is a private one. Pushes it if it is not the thread default yet;
 * returns whether it did. */
static gboolean
push_context (WeftLoop *loop)
{
  GMainContext *current = g_main_context_get_thread_default ();

  if ((current ? current : g_main_context_default ()) == loop->context)
    return FALSE;
  g_main_context_push_thread_default (loop->context);
  return TRUE;
}

/* What the GSource's dispatch does: run iterations while there is work, for at
 * most the loop's time budget, so GTK's input and frames are never starved. The
 * budget is checked between callbacks, every BUDGET_CHECK_EVERY of them, to keep
 * clock reads off the per-callback path. */
void
_weft_loop_dispatch (WeftLoop *loop)
{
  gpointer previous_running = g_private_get (&running_loop_key);
  gint64 deadline = (loop->last_now = _weft_loop_now (loop)) + loop->budget_ns;
  guint until_check = BUDGET_CHECK_EVERY;
  gboolean pushed;

  weft_loop_ref (loop);
  pushed = push_context (loop);
  g_private_set (&running_loop_key, loop);
  if (loop->mainloop == NULL)
    loop->owner = g_thread_self ();  /* attached: the context's thread */
  loop->dispatch_depth++;
  WEFT_OBSERVE (loop, dispatch_begin);

  while (!loop->closed && !loop->paused)
    {
      if (loop->ntodo == 0)
        begin_iteration (loop);

      while (loop->ntodo > 0 && !loop->paused)
        {
          loop->ntodo--;
          run_ready_head (loop);
          if (--until_check == 0)
            {
              until_check = BUDGET_CHECK_EVERY;
              if ((loop->last_now = _weft_loop_now (loop)) >= deadline)
                goto out;
            }
        }
      if (loop->ntodo > 0)
        break;

      end_iteration (loop);
      if (loop->mainloop != NULL && !g_main_loop_is_running (loop->mainloop))
        break;
      if (loop->ready.length == 0 && !g_atomic_int_get (&loop->ts_pending)
          && _weft_loop_next_deadline (loop) > _weft_loop_now (loop))
        break;
      if (--until_check == 0)
        {
          until_check = BUDGET_CHECK_EVERY;
          if ((loop->last_now = _weft_loop_now (loop)) >= deadline)
            break;
        }
    }

out:
  loop->dispatch_depth--;
  WEFT_OBSERVE (loop, dispatch_end);
  g_private_set (&running_loop_key, previous_running);
  if (pushed)
    g_main_context_pop_thread_default (loop->context);
  weft_loop_unref (loop);
}

gboolean
_weft_loop_run_one (WeftLoop *loop)
{
  gpointer previous_running = g_private_get (&running_loop_key);
  gboolean ran = FALSE;
  gboolean pushed;

  g_return_val_if_fail (!loop->closed, FALSE);

  pushed = push_context (loop);
  g_private_set (&running_loop_key, loop);
  loop->owner = g_thread_self ();
  loop->dispatch_depth++;
  if (loop->ntodo == 0)
    begin_iteration (loop);
  if (loop->ntodo > 0)
    {
      loop->ntodo--;
      run_ready_head (loop);
      ran = TRUE;
    }
  if (loop->ntodo == 0)
    end_iteration (loop);
  loop->dispatch_depth--;
  g_private_set (&running_loop_key, previous_running);
  if (pushed)
    g_main_context_pop_thread_default (loop->context);
  return ran;
}

/* Runs the rest of the current iteration, or one whole new iteration, and
 * returns how many callbacks ran. */
guint
_weft_loop_run_iteration (WeftLoop *loop)
{
  guint ran = 0;

  do
    ran += _weft_loop_run_one (loop);
  while (loop->ntodo > 0);
  return ran;
}

void
_weft_loop_set_clock (WeftLoop      *loop,
                      WeftClockFunc  clock_func,
                      gpointer       clock_data)
{
  loop->clock_func = clock_func;
  loop->clock_data = clock_data;
  _weft_backend_wakeup (loop);
}

/* ------------------------------------------------------------------ running */

static gboolean
check_can_run (WeftLoop  *loop,
               GError   **error)
{
  WeftLoop *running = g_private_get (&running_loop_key);

  if (loop->closed)
    {
      g_set_error_literal (error, WEFT_ERROR, WEFT_ERROR_CLOSED, "The event loop is closed");
      return FALSE;
    }
  if (loop->mainloop != NULL || running == loop)
    {
      g_set_error_literal (error, WEFT_ERROR, WEFT_ERROR_INVALID_STATE, "This event loop is already running");
      return FALSE;
    }
  if (running != NULL)
    {
      g_set_error_literal (error, WEFT_ERROR, WEFT_ERROR_INVALID_STATE,
                           "Cannot run the event loop while another loop is running");
      return FALSE;
    }
  return TRUE;
}

/**
 * weft_loop_run_forever:
 * @loop: a #WeftLoop
 * @error: return location for a #GError
 *
 * Runs the loop's #GMainContext (so GTK keeps running too) until
 * weft_loop_stop() is called. While it runs, that context is the thread-default
 * one (g_main_context_push_thread_default()), so GIO calls made from its
 * callbacks and tasks complete on it, even for a loop on a private context. If stop() was called before, runs exactly one
 * iteration.
 *
 * Returns: %TRUE after a stop; %FALSE with %WEFT_ERROR_CLOSED or
 *   %WEFT_ERROR_INVALID_STATE if the loop cannot run
 */
gboolean
weft_loop_run_forever (WeftLoop  *loop,
                       GError   **error)
{
  gpointer previous_running;
  GMainLoop *mainloop;
  gboolean pushed;

  g_return_val_if_fail (loop != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_can_run (loop, error))
    return FALSE;

  weft_loop_ref (loop);
  pushed = push_context (loop);
  previous_running = g_private_get (&running_loop_key);
  g_private_set (&running_loop_key, loop);
  mainloop = g_main_loop_new (loop->context, FALSE);
  loop->mainloop = mainloop;
  loop->owner = g_thread_self ();
  _weft_loop_notify (loop, WEFT_LOOP_PROP_RUNNING);

  g_main_loop_run (mainloop);

  loop->mainloop = NULL;
  loop->owner = NULL;
  loop->stopping = FALSE;
  g_main_loop_unref (mainloop);
  _weft_loop_notify (loop, WEFT_LOOP_PROP_RUNNING);
  g_private_set (&running_loop_key, previous_running);
  if (pushed)
    g_main_context_pop_thread_default (loop->context);
  weft_loop_unref (loop);
  return TRUE;
}

static void
stop_on_done (WeftFuture *future,
              gpointer    user_data)
{
  weft_loop_stop (user_data);
}

/**
 * weft_loop_run_until_complete:
 * @loop: a #WeftLoop
 * @future: the future (or task, see WEFT_FUTURE()) to wait for
 * @error: return location for a #GError
 *
 * Runs the loop until @future is done (asyncio's run_until_complete()).
 *
 * Returns: %TRUE if @future finished with a result (read it with
 *   weft_future_get_result()); %FALSE with @future's error, or with
 *   %WEFT_ERROR_CLOSED / %WEFT_ERROR_INVALID_STATE if the loop cannot run or was
 *   stopped before @future was done
 */
gboolean
weft_loop_run_until_complete (WeftLoop    *loop,
                              WeftFuture  *future,
                              GError     **error)
{
  g_autoptr(WeftFuture) hold = NULL;
  gboolean ok;

  g_return_val_if_fail (loop != NULL, FALSE);
  g_return_val_if_fail (future != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_can_run (loop, error))
    return FALSE;
  if (weft_future_get_loop (future) != loop)
    {
      g_set_error_literal (error, WEFT_ERROR, WEFT_ERROR_INVALID_STATE,
                           "The future belongs to another event loop");
      return FALSE;
    }

  hold = weft_future_ref (future);
  if (!weft_future_is_done (future))
    {
      weft_future_add_done_callback (future, stop_on_done, loop, NULL);
      ok = weft_loop_run_forever (loop, error);
      weft_future_remove_done_callback (future, stop_on_done, loop);
      if (!ok)
        return FALSE;
      if (!weft_future_is_done (future))
        {
          g_set_error_literal (error, WEFT_ERROR, WEFT_ERROR_INVALID_STATE,
                               "The event loop stopped before the future completed");
          return FALSE;
        }
    }

  return weft_future_propagate (future, error);
}

/**
 * weft_loop_stop:
 * @loop: a #WeftLoop
 *
 * Asks run_forever() to return once the current iteration is over. Called
 * before the loop runs, the next run_forever() runs exactly one iteration.
 */
void
weft_loop_stop (WeftLoop *loop)
{
  g_return_if_fail (loop != NULL);

  loop->stopping = TRUE;
  if (loop->backend != NULL)
    _weft_backend_wakeup (loop);
}

/**
 * weft_loop_is_running:
 * @loop: a #WeftLoop
 *
 * Tells whether the loop is running.
 *
 * Returns: %TRUE while run_forever() or run_until_complete() runs, or while
 *   the loop's #GSource dispatches callbacks (attached mode)
 */
gboolean
weft_loop_is_running (WeftLoop *loop)
{
  g_return_val_if_fail (loop != NULL, FALSE);

  return loop->mainloop != NULL || loop->dispatch_depth > 0;
}

/**
 * weft_loop_is_closed:
 * @loop: a #WeftLoop
 *
 * Tells whether the loop was closed.
 *
 * Returns: %TRUE once weft_loop_close() was called
 */
gboolean
weft_loop_is_closed (WeftLoop *loop)
{
  g_return_val_if_fail (loop != NULL, TRUE);

  return loop->closed;
}

/**
 * weft_loop_time:
 * @loop: a #WeftLoop
 *
 * The loop's clock: CLOCK_MONOTONIC in seconds, with nanosecond resolution.
 * Deadlines of weft_loop_call_at() are on this clock.
 *
 * Returns: the current time in seconds
 */
double
weft_loop_time (WeftLoop *loop)
{
  g_return_val_if_fail (loop != NULL, 0.0);

  return (double) _weft_loop_now (loop) / 1e9;
}

/* -------------------------------------------------------- exception handler */

/**
 * weft_loop_set_exception_handler:
 * @loop: a #WeftLoop
 * @handler: (nullable) (scope notified) (closure user_data) (destroy destroy):
 *   the new handler, or %NULL for the default one
 * @user_data: data for @handler
 * @destroy: (nullable): frees @user_data when the handler is replaced
 *
 * Replaces the loop's exception handler.
 */
void
weft_loop_set_exception_handler (WeftLoop             *loop,
                                 WeftExceptionHandler  handler,
                                 gpointer              user_data,
                                 GDestroyNotify        destroy)
{
  GDestroyNotify old_destroy;
  gpointer old_data;

  g_return_if_fail (loop != NULL);

  old_destroy = loop->exception_destroy;
  old_data = loop->exception_data;
  loop->exception_handler = handler;
  loop->exception_data = user_data;
  loop->exception_destroy = destroy;
  if (old_destroy)
    old_destroy (old_data);
}

/**
 * weft_loop_default_exception_handler:
 * @loop: a #WeftLoop
 * @context: what happened
 *
 * Logs @context with g_warning(): the message, the error, the callback and,
 * in debug mode, where it was scheduled. A custom handler can call it.
 */
void
weft_loop_default_exception_handler (WeftLoop                   *loop,
                                     const WeftExceptionContext *context)
{
  g_autoptr(GString) text = g_string_new (context->message ? context->message : "Unhandled error in event loop");

  g_return_if_fail (loop != NULL);
  g_return_if_fail (context != NULL);

  if (context->error != NULL)
    g_string_append_printf (text, ": %s (%s, %d)", context->error->message,
                            g_quark_to_string (context->error->domain), context->error->code);
  if (context->task != NULL)
    g_string_append_printf (text, "; task %s", weft_task_get_name (context->task));
  if (context->callback_name != NULL)
    g_string_append_printf (text, "; callback %s", context->callback_name);
  if (context->scheduled_at != NULL)
    g_string_append_printf (text, "; scheduled at %s", context->scheduled_at);
  else if (!loop->debug)
    g_string_append (text, "; enable debug mode (WEFT_DEBUG=1) to see where it was scheduled");

  g_warning ("%s", text->str);
}

/**
 * weft_loop_call_exception_handler:
 * @loop: a #WeftLoop
 * @context: what happened
 *
 * Reports an error to the loop's exception handler (asyncio's
 * call_exception_handler()). From inside a callback, the callback's name and
 * (in debug mode) where it was scheduled are filled in. The loop keeps running.
 */
void
weft_loop_call_exception_handler (WeftLoop                   *loop,
                                  const WeftExceptionContext *context)
{
  WeftExceptionContext filled;

  g_return_if_fail (loop != NULL);
  g_return_if_fail (context != NULL);

  filled = *context;
  if (loop->current != WEFT_SLOT_NONE)
    {
      WeftSlot *slot = _weft_slot_table_get (&loop->slots, loop->current);

      if (filled.handle == NULL)
        filled.handle = _weft_loop_handle_for (loop, loop->current);
      if (filled.callback_name == NULL)
        filled.callback_name = slot->name;
      if (filled.scheduled_at == NULL && loop->debug)
        filled.scheduled_at = slot->where;
    }

  if (loop->recording)
    _weft_inspect_warn (loop, "%s%s%s%s%s", filled.message ? filled.message : "error",
                        filled.error ? ": " : "", filled.error ? filled.error->message : "",
                        filled.task ? "; task " : "", filled.task ? weft_task_get_name (filled.task) : "");
  if (loop->exception_handler != NULL)
    loop->exception_handler (loop, &filled, loop->exception_data);
  else
    weft_loop_default_exception_handler (loop, &filled);
}

/* ------------------------------------------------------------- debug, knobs */

/**
 * weft_loop_set_debug:
 * @loop: a #WeftLoop
 * @debug: whether to enable debug mode
 *
 * Debug mode (also on when the environment has WEFT_DEBUG=1) reports where
 * callbacks and tasks were scheduled and warns about callbacks that run longer
 * than the slow-callback duration.
 */
void
weft_loop_set_debug (WeftLoop *loop,
                     gboolean  debug)
{
  g_return_if_fail (loop != NULL);

  if (loop->debug == !!debug)
    return;
  loop->debug = !!debug;
  loop->schedule_checks = loop->closed || loop->debug;
  _weft_loop_notify (loop, WEFT_LOOP_PROP_DEBUG);
}

/**
 * weft_loop_get_debug:
 * @loop: a #WeftLoop
 *
 * Gets whether debug mode is on.
 *
 * Returns: whether debug mode is on
 */
gboolean
weft_loop_get_debug (WeftLoop *loop)
{
  g_return_val_if_fail (loop != NULL, FALSE);

  return loop->debug;
}

/**
 * weft_loop_set_slow_callback_duration:
 * @loop: a #WeftLoop
 * @seconds: the threshold, >= 0 (default 0.1)
 *
 * In debug mode, callbacks running at least this long are reported.
 */
void
weft_loop_set_slow_callback_duration (WeftLoop *loop,
                                      double    seconds)
{
  g_return_if_fail (loop != NULL);
  g_return_if_fail (seconds >= 0 && isfinite (seconds));

  if (loop->slow_callback_ns == seconds_to_ns (seconds))
    return;
  loop->slow_callback_ns = seconds_to_ns (seconds);
  _weft_loop_notify (loop, WEFT_LOOP_PROP_SLOW_CALLBACK_DURATION);
}

/**
 * weft_loop_get_slow_callback_duration:
 * @loop: a #WeftLoop
 *
 * Gets the slow-callback threshold of debug mode, in seconds.
 *
 * Returns: the slow-callback threshold in seconds
 */
double
weft_loop_get_slow_callback_duration (WeftLoop *loop)
{
  g_return_val_if_fail (loop != NULL, 0.0);

  return (double) loop->slow_callback_ns / 1e9;
}

/**
 * weft_loop_set_dispatch_budget:
 * @loop: a #WeftLoop
 * @seconds: the budget, > 0 (default 0.002)
 *
 * How long one dispatch of the loop's #GSource may keep running iterations
 * before it gives the #GMainContext back (to GTK's input and frame clock).
 */
void
weft_loop_set_dispatch_budget (WeftLoop *loop,
                               double    seconds)
{
  g_return_if_fail (loop != NULL);
  g_return_if_fail (seconds > 0 && isfinite (seconds));

  loop->budget_ns = MAX (seconds_to_ns (seconds), 1);
}

/**
 * weft_loop_get_dispatch_budget:
 * @loop: a #WeftLoop
 *
 * Gets how long one dispatch of the loop's #GSource may run iterations.
 *
 * Returns: the dispatch budget in seconds
 */
double
weft_loop_get_dispatch_budget (WeftLoop *loop)
{
  g_return_val_if_fail (loop != NULL, 0.0);

  return (double) loop->budget_ns / 1e9;
}

/**
 * weft_loop_set_timer_slack:
 * @loop: a #WeftLoop
 * @seconds: the slack, >= 0 (default 0.001)
 *
 * Timers due within @seconds of the earliest one share its wake-up: the loop
 * sleeps until the latest of them, so a timer may fire up to @seconds late,
 * never early. 0 wakes for every distinct deadline (lowest lateness, most
 * wake-ups); GLib's millisecond timeouts behave like a slack of 1 ms.
 */
void
weft_loop_set_timer_slack (WeftLoop *loop,
                           double    seconds)
{
  g_return_if_fail (loop != NULL);
  g_return_if_fail (seconds >= 0 && seconds <= 1.0);

  loop->timer_slack_ns = seconds_to_ns (seconds);
}

/**
 * weft_loop_get_timer_slack:
 * @loop: a #WeftLoop
 *
 * Gets the timer slack, in seconds (see weft_loop_set_timer_slack()).
 *
 * Returns: the timer slack in seconds
 */
double
weft_loop_get_timer_slack (WeftLoop *loop)
{
  g_return_val_if_fail (loop != NULL, 0.0);

  return (double) loop->timer_slack_ns / 1e9;
}
