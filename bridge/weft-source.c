/* weft-source.c: the one GSource binding a WeftLoop to its GMainContext
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * prepare() reports the loop ready when its ready queue is not empty, a
 * threadsafe post or a stop is pending, or the earliest timer is due. Otherwise
 * it arms a timerfd (CLOCK_MONOTONIC, absolute, nanoseconds) to the earliest
 * deadline and lets poll() sleep without a timeout: GLib's own poll timeout is
 * whole milliseconds, the timerfd is not. An expired timerfd is not read:
 * re-arming (or disarming) it clears it, one system call per wake-up less.
 * The timerfd is re-armed only when the earliest deadline changes, so a busy loop makes no extra system calls and an
 * idle one makes none at all. Without timerfd, the poll timeout is rounded up to
 * the next millisecond (never early).
 *
 * A dispatch runs for at most the loop's budget (2 ms by default). If work is
 * left when it returns, the next GLib iteration is handed to the context's
 * other sources: prepare() and check() say "not ready" once (with a zero
 * timeout), so sources of lower priority than ours (GTK's paint and layout at
 * GDK_PRIORITY_REDRAW, idles) run too. Without that a queue that never
 * empties would starve them: GLib only dispatches the highest priority that is
 * ready. A frame is then late by at most one budget.
 *
 * fd watches (weft_loop_add_reader/writer) are unix fds of this same source.
 * By default the source may recurse: a nested main loop inside a callback
 * keeps running the loop, and the callback that started it never runs twice,
 * because a callback leaves the ready queue before it runs.
 * weft_loop_set_can_recurse(FALSE) holds the loop while a nested main loop
 * runs inside one of its callbacks (asyncio's tasks need it: a task step never
 * runs inside another).
 *
 * After fork(), the child would share the parent's timerfd (one open file
 * description): each would re-arm the other's wake-up. A fork generation
 * (pthread_atfork) is checked in prepare(), and a child makes itself a timerfd
 * of its own before arming anything. GLib's own context wake-up is not ours
 * to renew: GLib does not support using a context on both sides of a fork, so
 * a child should make a new loop (docs/design-notes.md, "fork()").
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <unistd.h>
#ifdef HAVE_TIMERFD
# include <sys/timerfd.h>
#endif

#include "weft-backend-private.h"
#include "weft-fd-private.h"
#include "weft-gio.h"
#include "weft-observer-private.h"
#include "weft-source-private.h"


/* Bumped in the child of every fork(). */
static volatile guint fork_generation;

static void
on_fork_child (void)
{
  fork_generation++;
}

static void
timerfd_open (WeftSource *self)
{
#ifdef HAVE_TIMERFD
  self->fork_gen = fork_generation;
  self->armed = WEFT_TIME_NEVER;
  if (g_getenv ("WEFT_NO_TIMERFD") == NULL)
    self->timerfd = timerfd_create (CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (self->timerfd >= 0)
    self->timerfd_tag = g_source_add_unix_fd ((GSource *) self, self->timerfd, G_IO_IN);
#endif
}

/* In a forked child: drop the parent's timerfd, make one of our own. */
static void
timerfd_renew (WeftSource *self)
{
  if (self->timerfd_tag != NULL)
    g_source_remove_unix_fd ((GSource *) self, self->timerfd_tag);
  self->timerfd_tag = NULL;
  if (self->timerfd >= 0)
    close (self->timerfd);
  self->timerfd = -1;
  timerfd_open (self);
}

/* The timerfd expired: armed to nothing we know, readable until re-armed. */
#define TIMERFD_FIRED G_MININT64

#ifdef HAVE_TIMERFD
static void
arm_timerfd (WeftSource *self,
             gint64      deadline)
{
  struct itimerspec spec = { { 0, 0 }, { 0, 0 } };

  if (deadline == self->armed)
    return;
  if (deadline != WEFT_TIME_NEVER)
    {
      spec.it_value.tv_sec = deadline / WEFT_NS_PER_SEC;
      spec.it_value.tv_nsec = deadline % WEFT_NS_PER_SEC;
    }
  if (timerfd_settime (self->timerfd, TFD_TIMER_ABSTIME, &spec, NULL) == 0)
    self->armed = deadline;
}
#endif

static gboolean
weft_source_prepare (GSource *source,
                     gint    *timeout)
{
  WeftSource *self = (WeftSource *) source;
  WeftLoop *loop = self->loop;
  gint64 deadline, now;

  *timeout = -1;
  if (G_UNLIKELY (self->fork_gen != fork_generation))
    timerfd_renew (self);
#ifdef HAVE_TIMERFD
  /* Expired and not about to be re-armed below (paused, a test's clock):
   * disarmed, or poll() would return at once for as long as that lasts. */
  if (G_UNLIKELY (self->armed == TIMERFD_FIRED) && (loop->paused || loop->clock_func != NULL || loop->observed != 0))
    arm_timerfd (self, WEFT_TIME_NEVER);
#endif
  if (G_UNLIKELY (loop->observed != 0))
    {
      /* An observer's work (the inspector's commands) runs even while paused. */
      if (_weft_observers_want_dispatch (loop))
        {
          *timeout = 0;
          return TRUE;
        }
      _weft_observers_before_sleep (loop);
    }
  if (loop->paused)
    return FALSE;
  if (G_UNLIKELY (self->yield))
    {
      /* Out of budget last time: this iteration is the other sources'. */
      self->yield = FALSE;
      self->yielding = TRUE;
      *timeout = 0;
      return FALSE;
    }
  if (_weft_loop_has_work (loop))
    {
      *timeout = 0;
      return TRUE;
    }

  deadline = _weft_loop_next_deadline (loop);
  if (deadline == WEFT_TIME_NEVER)
    return FALSE;
  now = _weft_loop_now (loop);
  if (deadline <= now)
    {
      *timeout = 0;
      return TRUE;
    }

  if (loop->clock_func != NULL)
    {
      /* A test's clock: time moves only when the test says so. Virtual
       * time, running: real time from an offset (no absolute timerfd). */
      if (loop->virtual_time)
        *timeout = (gint) MIN ((deadline - now + 999999) / 1000000, G_MAXINT);
      return FALSE;
    }
#ifdef HAVE_TIMERFD
  if (self->timerfd >= 0)
    {
      arm_timerfd (self, _weft_loop_wake_deadline (loop));
      return FALSE;
    }
#endif
  *timeout = (gint) MIN ((deadline - now + 999999) / 1000000, G_MAXINT);
  return FALSE;
}

static gboolean
weft_source_check (GSource *source)
{
  WeftSource *self = (WeftSource *) source;
  WeftLoop *loop = self->loop;

#ifdef HAVE_TIMERFD
  if (self->timerfd_tag != NULL && (g_source_query_unix_fd (source, self->timerfd_tag) & G_IO_IN))
    self->armed = TIMERFD_FIRED;   /* the next arm_timerfd() clears it */
#endif
  /* The watched fds are looked at in dispatch (GLib skips check() when
   * prepare() said ready; GLib itself reports a ready fd of ours). */
  if (G_UNLIKELY (loop->observed != 0) && _weft_observers_want_dispatch (loop))
    return TRUE;
  if (loop->paused)
    return FALSE;
  if (G_UNLIKELY (self->yielding))
    {
      self->yielding = FALSE;
      return FALSE;
    }
  if (_weft_loop_has_work (loop))
    return TRUE;
  return loop->timers.length > 0 && _weft_loop_next_deadline (loop) <= _weft_loop_now (loop);
}

static gboolean
weft_source_dispatch (GSource     *source,
                      GSourceFunc  callback,
                      gpointer     user_data)
{
  WeftSource *self = (WeftSource *) source;
  WeftLoop *loop = self->loop;

  /* Every dispatch follows a poll: what it found joins the ready queue, as
   * asyncio's selector events do each iteration. Not in check(), which GLib
   * skips while prepare() says the loop has work: a busy loop would never
   * see its fds. */
  _weft_fd_watches_check (loop);
  _weft_loop_dispatch (loop);
  self->yield = !loop->closed && !loop->paused && _weft_loop_has_work (loop);
  return G_SOURCE_CONTINUE;
}

static void
weft_source_finalize (GSource *source)
{
  WeftSource *self = (WeftSource *) source;

  if (self->timerfd >= 0)
    close (self->timerfd);
}

static GSourceFuncs weft_source_funcs = {
  .prepare = weft_source_prepare,
  .check = weft_source_check,
  .dispatch = weft_source_dispatch,
  .finalize = weft_source_finalize,
};

/* ------------------------------------------------ the core's backend */

gpointer
_weft_backend_attach (WeftLoop *loop)
{
  static gsize fork_handler;
  GSource *source = g_source_new (&weft_source_funcs, sizeof (WeftSource));
  WeftSource *self = (WeftSource *) source;

  if (g_once_init_enter (&fork_handler))
    {
      pthread_atfork (NULL, NULL, on_fork_child);
      g_once_init_leave (&fork_handler, 1);
    }
  self->loop = loop;
  self->timerfd = -1;
  g_source_set_name (source, "WeftLoop");
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_can_recurse (source, TRUE);
  timerfd_open (self);
  g_source_attach (source, loop->context);
  return self;
}

/* Makes the context look at the loop again (after stop(), a clock change, or
 * resuming from a pause), waking it if it sleeps in another thread. */
void
_weft_backend_wakeup (WeftLoop *loop)
{
  GMainContext *context = g_source_get_context (loop->backend);

  if (context != NULL)
    g_main_context_wakeup (context);
}

void
_weft_backend_detach (WeftLoop *loop)
{
  GSource *source = loop->backend;

  _weft_fd_watches_clear (loop);
  g_source_destroy (source);
  g_source_unref (source);
}

/**
 * weft_loop_set_can_recurse:
 * @loop: a #WeftLoop
 * @can_recurse: whether nested main loops run the loop
 *
 * Sets whether a nested main loop started from inside one of @loop's callbacks
 * (a modal dialog's, g_main_context_iteration()) runs @loop's other callbacks
 * and tasks while it runs: %TRUE by default. With %FALSE the loop waits until
 * the callback that started the nested loop returns, as asyncio requires of
 * its tasks (one task step never runs inside another). Nested main loops started
 * outside the loop's callbacks (from another source's handler) run the loop
 * either way.
 */
void
weft_loop_set_can_recurse (WeftLoop *loop,
                           gboolean  can_recurse)
{
  g_return_if_fail (WEFT_IS_LOOP (loop));
  g_return_if_fail (loop->backend != NULL);

  g_source_set_can_recurse (loop->backend, can_recurse);
}

/**
 * weft_loop_get_can_recurse:
 * @loop: a #WeftLoop
 *
 * Tells whether nested main loops run the loop (weft_loop_set_can_recurse()).
 *
 * Returns: %TRUE if a nested main loop inside a callback runs the loop
 */
gboolean
weft_loop_get_can_recurse (WeftLoop *loop)
{
  g_return_val_if_fail (WEFT_IS_LOOP (loop), FALSE);
  g_return_val_if_fail (loop->backend != NULL, FALSE);

  return g_source_get_can_recurse (loop->backend);
}
