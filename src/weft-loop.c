/* weft-loop.c: WeftLoop, the object: lifecycle, running, errors, settings
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The loop's other parts, each in a file of its own: weft-loop-schedule.c
 * (call_soon and friends), weft-loop-iteration.c (one iteration, the
 * dispatch), weft-timers.c, weft-slot-table.c, weft-loop-registry.c.
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
  loop->id = _weft_registry_add (loop);
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
  loop->slow_callback_ns = DEFAULT_SLOW_CALLBACK_NS;
  loop->debug = env_debug ();
  loop->schedule_checks = loop->debug;
  loop->callback_checks = loop->debug;
  _weft_loop_update_hook_iteration (loop);   /* nothing observes it: no hooks */
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
  _weft_loop_forget_default (loop);

  G_OBJECT_CLASS (weft_loop_parent_class)->dispose (object);
}

static void
weft_loop_finalize (GObject *object)
{
  WeftLoop *loop = WEFT_LOOP (object);

  _weft_loop_free_stacks (loop);
  _weft_future_pool_clear (loop);
  if (loop->id != 0)
    _weft_registry_remove (loop);
  _weft_slot_table_clear (&loop->slots);
  _weft_ready_queue_clear (&loop->ready);
  g_clear_pointer (&loop->ring_pins, g_hash_table_unref);
  g_free (loop->blocked_report);
  _weft_timer_heap_clear (&loop->timers);
  _weft_loop_close_threadsafe (loop);
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

/* Drops every pending callback without running it. */
static void
drop_pending (WeftLoop *loop)
{
  _weft_loop_close_threadsafe (loop);

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

  /* Light calls: internal ones have a destroy notify; their tokens are gone
   * with them. */
  for (guint32 i = 0; i < loop->ready.length; i++)
    _weft_entry_drop (_weft_ready_queue_peek (&loop->ready, i));
  __atomic_store_n (&loop->ready.head_seq, loop->ready.head_seq + loop->ready.length, __ATOMIC_RELEASE);
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
    gpointer previous_running = weft_get_running_loop ();

    _weft_set_running_loop (loop);
    _weft_loop_destroy_tasks (loop);
    _weft_set_running_loop (previous_running);
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

/* ------------------------------------------------------------------ running */

static gboolean
check_can_run (WeftLoop  *loop,
               GError   **error)
{
  WeftLoop *running = weft_get_running_loop ();

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
  pushed = _weft_loop_push_context (loop);
  previous_running = weft_get_running_loop ();
  _weft_set_running_loop (loop);
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
  _weft_set_running_loop (previous_running);
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
 * weft_loop_interrupt:
 * @loop: a #WeftLoop
 *
 * Leaves the loop as soon as the running callback returns: run_forever()
 * returns without finishing the iteration, and the callbacks the iteration
 * had left stay in the ready queue, first in line for the next run. This is
 * what asyncio does when a callback raises KeyboardInterrupt or SystemExit;
 * weft_loop_stop() lets the iteration finish first.
 *
 * Attached to a main loop it does not own, the loop's #GSource stops
 * dispatching for this once; quitting that main loop is the caller's job.
 */
void
weft_loop_interrupt (WeftLoop *loop)
{
  g_return_if_fail (loop != NULL);

  if (loop->dispatch_depth == 0)
    return;   /* nothing runs: nothing to leave */
  loop->interrupted = TRUE;
  if (loop->mainloop != NULL)
    g_main_loop_quit (loop->mainloop);
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
  if (loop->current_seq != 0)
    {
      const char *name, *where;

      if (filled.handle == NULL)
        filled.handle = _weft_handle_encode_ring (loop->id, loop->current_seq - 1);
      _weft_call_describe (loop->current_site, loop->current_data, &name, &where);
      if (filled.callback_name == NULL)
        filled.callback_name = name;
      if (filled.scheduled_at == NULL && loop->debug)
        filled.scheduled_at = where;
    }
  else if (loop->current != WEFT_SLOT_NONE)
    {
      WeftSlot *slot = _weft_slot_table_get (&loop->slots, loop->current);

      if (filled.handle == NULL)
        filled.handle = _weft_loop_handle_for (loop, loop->current);
      if (filled.callback_name == NULL)
        filled.callback_name = slot->name;
      if (filled.scheduled_at == NULL && loop->debug)
        filled.scheduled_at = slot->where;
    }

  if (loop->observed != 0)
    _weft_observers_warning (loop, "%s%s%s%s%s", filled.message ? filled.message : "error",
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
  loop->callback_checks = loop->callback_hooks != 0 || loop->debug;
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

  if (loop->slow_callback_ns == _weft_seconds_to_ns (seconds))
    return;
  loop->slow_callback_ns = _weft_seconds_to_ns (seconds);
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

  loop->budget_ns = MAX (_weft_seconds_to_ns (seconds), 1);
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

  loop->timer_slack_ns = _weft_seconds_to_ns (seconds);
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
