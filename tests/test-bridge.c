/* test-bridge.c: the one GSource: attached mode, nested main loops, the
 * dispatch budget, fd watches
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-heartbeat.h"
#include "weft-test-common.h"

typedef struct
{
  WeftLoop  *loop;
  GMainLoop *mainloop;
  int        soon_ran;
  int        timer_ran;
} Attached;

static void
attached_soon (gpointer data)
{
  Attached *a = data;

  a->soon_ran++;
  g_assert_true (weft_get_running_loop () == a->loop);
  g_assert_true (weft_loop_is_running (a->loop));
}

static void
attached_timer (gpointer data)
{
  Attached *a = data;

  a->timer_ran++;
  g_main_loop_quit (a->mainloop);
}

/* A plain g_main_loop_run() on the loop's context runs Weft's callbacks and
 * timers: nobody calls run_forever(). */
static void
test_attached_mode (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  Attached a = { weft_loop_new_for_context (context), g_main_loop_new (context, FALSE), 0, 0 };

  weft_loop_call_soon (a.loop, attached_soon, &a, NULL);
  weft_loop_call_later (a.loop, 0.02, attached_timer, &a, NULL);
  g_main_loop_run (a.mainloop);
  g_assert_cmpint (a.soon_ran, ==, 1);
  g_assert_cmpint (a.timer_ran, ==, 1);
  g_assert_false (weft_loop_is_running (a.loop));
  g_assert_null (weft_get_running_loop ());
  g_main_loop_unref (a.mainloop);
  test_loop_finish (a.loop);
}

typedef struct
{
  WeftLoop  *loop;
  GMainLoop *nested;
  int        outer_runs;
  int        inner_runs;
  int        after_runs;
} Nested;

static void
inner_quit (gpointer data)
{
  Nested *n = data;

  n->inner_runs++;
  g_main_loop_quit (n->nested);
}

static void
outer_with_nested_loop (gpointer data)
{
  Nested *n = data;

  n->outer_runs++;
  /* Like a modal dialog: a nested main loop inside a Weft callback, quit by
   * another Weft callback. */
  n->nested = g_main_loop_new (weft_loop_get_context (n->loop), FALSE);
  weft_loop_call_later (n->loop, 0.01, inner_quit, n, NULL);
  g_main_loop_run (n->nested);
  g_main_loop_unref (n->nested);
}

static void
after (gpointer data)
{
  Nested *n = data;

  n->after_runs++;
}

static void
test_nested_main_loop (void)
{
  Nested n = { test_loop_new (), NULL, 0, 0, 0 };

  weft_loop_call_soon (n.loop, outer_with_nested_loop, &n, NULL);
  weft_loop_call_soon (n.loop, after, &n, NULL);
  weft_loop_call_later (n.loop, 0.05, test_stop_loop, n.loop, NULL);
  g_assert_true (weft_loop_run_forever (n.loop, NULL));
  g_assert_cmpint (n.outer_runs, ==, 1);
  g_assert_cmpint (n.inner_runs, ==, 1);
  g_assert_cmpint (n.after_runs, ==, 1);
  test_loop_finish (n.loop);
}

/* With can_recurse FALSE a nested main loop inside a callback holds the
 * loop: "after" runs once the callback has returned, not inside it. */
static gboolean
quit_nested (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
outer_with_held_loop (gpointer data)
{
  Nested *n = data;
  GMainLoop *nested = g_main_loop_new (weft_loop_get_context (n->loop), FALSE);
  GSource *timeout = g_timeout_source_new (30);

  n->outer_runs++;
  g_source_set_callback (timeout, quit_nested, nested, NULL);
  g_source_attach (timeout, weft_loop_get_context (n->loop));
  g_source_unref (timeout);
  g_main_loop_run (nested);
  g_main_loop_unref (nested);
  n->inner_runs = n->after_runs;  /* how often "after" ran inside */
}

static void
test_nested_main_loop_held (void)
{
  Nested n = { test_loop_new (), NULL, 0, 0, 0 };

  g_assert_true (weft_loop_get_can_recurse (n.loop));
  weft_loop_set_can_recurse (n.loop, FALSE);
  g_assert_false (weft_loop_get_can_recurse (n.loop));
  weft_loop_call_soon (n.loop, outer_with_held_loop, &n, NULL);
  weft_loop_call_soon (n.loop, after, &n, NULL);
  weft_loop_call_later (n.loop, 0.1, test_stop_loop, n.loop, NULL);
  g_assert_true (weft_loop_run_forever (n.loop, NULL));
  g_assert_cmpint (n.outer_runs, ==, 1);
  g_assert_cmpint (n.inner_runs, ==, 0);
  g_assert_cmpint (n.after_runs, ==, 1);
  test_loop_finish (n.loop);
}

typedef struct
{
  WeftLoop      *loop;
  guint64        callbacks;
  TestHeartbeat  heart;   /* GLib's ticks, in thread CPU time */
} Budget;

static void
busy (gpointer data)
{
  Budget *b = data;

  b->callbacks++;
  weft_loop_call_soon (b->loop, busy, b, NULL);
}

static gboolean
glib_tick (gpointer data)
{
  Budget *b = data;

  test_heartbeat_beat (&b->heart, test_thread_cpu_ns ());
  if (b->heart.beats == 20)
    {
      weft_loop_stop (b->loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* A loop that always has work must not starve the other sources of its
 * context (GTK's input and frame clock): each dispatch stops after its budget. */
static void
test_budget_shares_context (void)
{
  Budget b = { test_loop_new (), 0, { 0 } };
  GSource *tick = g_timeout_source_new (5);

  weft_loop_set_dispatch_budget (b.loop, 0.002);
  g_assert_cmpfloat (weft_loop_get_dispatch_budget (b.loop), ==, 0.002);
  g_source_set_callback (tick, glib_tick, &b, NULL);
  g_source_attach (tick, weft_loop_get_context (b.loop));
  b.heart.last = test_thread_cpu_ns ();
  weft_loop_call_soon (b.loop, busy, &b, NULL);
  g_assert_true (weft_loop_run_forever (b.loop, NULL));
  g_source_unref (tick);

  /* Gaps in this thread's CPU time: the loop's work between two ticks, without
   * the time other processes took from us. */
  g_test_message ("%" G_GUINT64_FORMAT " callbacks, longest gap between 5 ms ticks %" G_GINT64_FORMAT " ms of CPU",
                  b.callbacks, b.heart.worst / 1000000);
  g_assert_cmpint (b.heart.beats, ==, 20);
  g_assert_cmpuint (b.callbacks, >, 1000);
  g_assert_cmpint (b.heart.worst, <, 50 * 1000000);
  test_loop_finish (b.loop);
}

static void
noop (gpointer data)
{
  (*(guint *) data)++;
}

/* busy, but gives up after 20M callbacks (a starved tick would never stop
 * the loop: the test fails instead of hanging). */
static void
busy_bounded (gpointer data)
{
  Budget *b = data;

  if (++b->callbacks == 20000000)
    weft_loop_stop (b->loop);
  else
    weft_loop_call_soon (b->loop, busy_bounded, b, NULL);
}

static gboolean
count_idle (gpointer data)
{
  (*(guint *) data)++;
  return G_SOURCE_CONTINUE;
}

/* GLib dispatches only the highest priority that is ready, and the loop's
 * source (G_PRIORITY_DEFAULT) is ready as long as work is queued: after a
 * dispatch that ran out of budget it lets one GLib iteration go to the
 * others, so GTK's paint (GDK_PRIORITY_REDRAW, 120) and idles (200) run while
 * a queue never empties. */
static void
test_budget_yields_to_lower_priorities (void)
{
  Budget b = { test_loop_new (), 0, { 0 } };
  GSource *redraw = g_timeout_source_new (5);
  GSource *idle = g_idle_source_new ();
  guint idles = 0;

  weft_loop_set_dispatch_budget (b.loop, 0.002);
  g_source_set_priority (redraw, G_PRIORITY_HIGH_IDLE + 20);
  g_source_set_callback (redraw, glib_tick, &b, NULL);
  g_source_attach (redraw, weft_loop_get_context (b.loop));
  g_source_set_priority (idle, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_callback (idle, count_idle, &idles, NULL);
  g_source_attach (idle, weft_loop_get_context (b.loop));
  b.heart.last = test_thread_cpu_ns ();
  weft_loop_call_soon (b.loop, busy_bounded, &b, NULL);
  g_assert_true (weft_loop_run_forever (b.loop, NULL));
  g_source_destroy (idle);
  g_source_unref (idle);
  g_source_unref (redraw);
  g_test_message ("%" G_GUINT64_FORMAT " callbacks, %u idles, longest gap between 5 ms ticks at priority 120: "
                  "%" G_GINT64_FORMAT " ms of CPU", b.callbacks, idles, b.heart.worst / 1000000);
  g_assert_cmpint (b.heart.beats, ==, 20);
  g_assert_cmpuint (idles, >, 0);
  g_assert_cmpuint (b.callbacks, >, 1000);
  g_assert_cmpint (b.heart.worst, <, 50 * 1000000);
  test_loop_finish (b.loop);
}

/* A million queued callbacks (one iteration's snapshot) still give the
 * context back every budget: the iteration is paused between callbacks. */
static void
test_budget_splits_iteration (void)
{
  Budget b = { test_loop_new (), 0, { 0 } };
  GSource *tick = g_timeout_source_new (1);
  guint ran = 0;

  for (int i = 0; i < 1000000; i++)
    weft_loop_call_soon (b.loop, noop, &ran, NULL);
  g_source_set_callback (tick, glib_tick, &b, NULL);
  g_source_attach (tick, weft_loop_get_context (b.loop));
  b.heart.last = test_thread_cpu_ns ();
  g_assert_true (weft_loop_run_forever (b.loop, NULL));
  g_source_destroy (tick);
  g_source_unref (tick);
  g_test_message ("longest gap between 1 ms ticks: %" G_GINT64_FORMAT " µs", b.heart.worst / 1000);
  g_assert_cmpint (b.heart.worst, <, 50 * 1000000);
  test_loop_finish (b.loop);
}

typedef struct
{
  WeftLoop *loop;
  int       fds[2];
  char      got[16];
  int       reads;
} Pipe;

static void
on_readable (gpointer data)
{
  Pipe *p = data;
  ssize_t n = read (p->fds[0], p->got, sizeof p->got - 1);

  g_assert_cmpint (n, >, 0);
  p->got[n] = '\0';
  p->reads++;
  g_assert_true (weft_loop_remove_reader (p->loop, p->fds[0]));
  weft_loop_stop (p->loop);
}

static void
on_writable (gpointer data)
{
  Pipe *p = data;

  g_assert_cmpint (write (p->fds[1], "weft", 4), ==, 4);
  g_assert_true (weft_loop_remove_writer (p->loop, p->fds[1]));
}

static void
test_fd_watches (void)
{
  Pipe p = { test_loop_new (), { -1, -1 }, "", 0 };

  g_assert_cmpint (pipe (p.fds), ==, 0);
  g_assert_true (weft_loop_add_reader (p.loop, p.fds[0], on_readable, &p, NULL));
  g_assert_true (weft_loop_add_writer (p.loop, p.fds[1], on_writable, &p, NULL));
  g_assert_true (weft_loop_run_forever (p.loop, NULL));
  g_assert_cmpstr (p.got, ==, "weft");
  g_assert_cmpint (p.reads, ==, 1);
  g_assert_false (weft_loop_remove_reader (p.loop, p.fds[0]));
  close (p.fds[0]);
  close (p.fds[1]);
  test_loop_finish (p.loop);
}


/* A loop kept busy (each callback schedules the next, so prepare() always
 * says ready) still sees its fds, as asyncio polls every iteration. */
typedef struct
{
  Pipe  pipe;
  guint chained;
} Busy;

static void
busy_step (gpointer data)
{
  Busy *b = data;

  if (++b->chained == 100000)
    {
      weft_loop_stop (b->pipe.loop);  /* the reader never ran: give up */
      return;
    }
  weft_loop_call_soon (b->pipe.loop, busy_step, b, NULL);
}

static void
test_fd_seen_while_busy (void)
{
  Busy b = { { test_loop_new (), { -1, -1 }, "", 0 }, 0 };

  g_assert_cmpint (pipe (b.pipe.fds), ==, 0);
  g_assert_cmpint (write (b.pipe.fds[1], "busy", 4), ==, 4);
  g_assert_true (weft_loop_add_reader (b.pipe.loop, b.pipe.fds[0], on_readable, &b.pipe, NULL));
  weft_loop_call_soon (b.pipe.loop, busy_step, &b, NULL);
  g_assert_true (weft_loop_run_forever (b.pipe.loop, NULL));
  g_assert_cmpint (b.pipe.reads, ==, 1);
  g_assert_cmpstr (b.pipe.got, ==, "busy");
  g_assert_cmpuint (b.chained, <, 100000);
  close (b.pipe.fds[0]);
  close (b.pipe.fds[1]);
  test_loop_finish (b.pipe.loop);
}

/* asyncio refuses a bad fd when it is added. */
static void
test_fd_bad_at_add (void)
{
  WeftLoop *loop = test_loop_new ();
  int fds[2];

  g_assert_cmpint (pipe (fds), ==, 0);
  close (fds[0]);
  close (fds[1]);
  g_test_expect_message ("Weft", G_LOG_LEVEL_CRITICAL, "*cannot watch fd*not an open file descriptor*");
  g_assert_false (weft_loop_add_reader (loop, fds[0], test_stop_loop, loop, NULL));
  g_test_assert_expected_messages ();
  test_loop_finish (loop);
}

static void
set_true (gpointer data)
{
  *(gboolean *) data = TRUE;
}

static void
never_runs (gpointer data)
{
  g_assert_not_reached ();
}

/* An fd closed while watched: reported to the exception handler and dropped
 * (its destroy notify runs), never spun on. */
static void
test_fd_closed_while_watched (void)
{
  WeftLoop *loop = test_loop_new ();
  TestExceptions ex;
  gboolean destroyed = FALSE;
  int fds[2];

  test_exceptions_init (&ex, loop);
  g_assert_cmpint (pipe (fds), ==, 0);
  g_assert_true (weft_loop_add_reader (loop, fds[0], never_runs, &destroyed, set_true));
  close (fds[0]);
  close (fds[1]);
  test_count_polls (weft_loop_get_context (loop));
  weft_loop_call_later (loop, 0.2, test_stop_loop, loop, NULL);
  g_assert_true (weft_loop_run_forever (loop, NULL));
  g_test_message ("%u polls over 200 ms", test_n_polls);
  g_assert_cmpuint (test_n_polls, <=, 10);
  g_assert_cmpuint (ex.messages->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (ex.messages, 0), "File descriptor"));
  g_assert_nonnull (strstr (g_ptr_array_index (ex.messages, 0), "closed while watched (reader)"));
  g_assert_true (destroyed);
  g_assert_false (weft_loop_remove_reader (loop, fds[0]));
  test_exceptions_clear (&ex);
  test_loop_finish (loop);
}

typedef struct
{
  WeftLoop *loop;
  int       fds[2];
  gboolean  destroyed;
  gboolean  destroyed_inside;
} SelfRemove;

static void
self_remove_destroy (gpointer data)
{
  ((SelfRemove *) data)->destroyed = TRUE;
}

static void
self_removing_reader (gpointer data)
{
  SelfRemove *s = data;

  g_assert_true (weft_loop_remove_reader (s->loop, s->fds[0]));
  /* Still inside the callback: its data must still be there. */
  s->destroyed_inside = s->destroyed;
  weft_loop_call_soon (s->loop, test_stop_loop, s->loop, NULL);
}

/* remove_reader() from its own callback frees the data after the callback. */
static void
test_fd_remove_inside_callback (void)
{
  SelfRemove s = { test_loop_new (), { -1, -1 }, FALSE, FALSE };

  g_assert_cmpint (pipe (s.fds), ==, 0);
  g_assert_cmpint (write (s.fds[1], "x", 1), ==, 1);
  g_assert_true (weft_loop_add_reader (s.loop, s.fds[0], self_removing_reader, &s, self_remove_destroy));
  g_assert_true (weft_loop_run_forever (s.loop, NULL));
  g_assert_false (s.destroyed_inside);
  g_assert_true (s.destroyed);
  close (s.fds[0]);
  close (s.fds[1]);
  test_loop_finish (s.loop);
}

/* After fork(), a child running the inherited loop must not re-arm the
 * parent's timerfd: the parent's 300 ms timer still fires after 300 ms. */
static void
test_fork_own_timerfd (void)
{
  WeftLoop *loop = test_loop_new ();
  gint64 start, took;
  pid_t child;
  int ready[2];
  char byte;

  g_assert_cmpint (pipe (ready), ==, 0);
  /* Let the source arm its timerfd once before the fork. */
  weft_loop_call_later (loop, 0.001, test_stop_loop, loop, NULL);
  g_assert_true (weft_loop_run_forever (loop, NULL));

  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      /* Arms a deadline 5 s out: on a shared timerfd, the parent's too. */
      weft_loop_call_later (loop, 5, test_stop_loop, loop, NULL);
      weft_loop_call_soon (loop, test_stop_loop, loop, NULL);
      weft_loop_run_forever (loop, NULL);  /* arms, then returns at once */
      if (write (ready[1], "r", 1) != 1)
        _exit (1);
      weft_loop_run_forever (loop, NULL);
      _exit (0);
    }
  g_assert_cmpint (read (ready[0], &byte, 1), ==, 1);
  start = g_get_monotonic_time ();
  weft_loop_call_later (loop, 0.3, test_stop_loop, loop, NULL);
  g_assert_true (weft_loop_run_forever (loop, NULL));
  took = g_get_monotonic_time () - start;
  kill (child, SIGKILL);
  waitpid (child, NULL, 0);
  close (ready[0]);
  close (ready[1]);
  g_test_message ("the parent's 300 ms timer took %" G_GINT64_FORMAT " ms", took / 1000);
  g_assert_cmpint (took, <, 1500 * 1000);
  test_loop_finish (loop);
}

/* An idle loop with one timer sleeps in one poll() until the timer. */
static void
test_idle_one_poll (void)
{
  WeftLoop *loop = test_loop_new ();
  GMainContext *context = weft_loop_get_context (loop);

  test_count_polls (context);
  weft_loop_call_later (loop, 0.3, test_stop_loop, loop, NULL);
  g_assert_true (weft_loop_run_forever (loop, NULL));
  g_test_message ("%u polls over 300 ms idle", test_n_polls);
  g_assert_cmpuint (test_n_polls, <=, 3);
  test_loop_finish (loop);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Weft/Bridge/attached-mode", test_attached_mode);
  g_test_add_func ("/Weft/Bridge/nested-main-loop", test_nested_main_loop);
  g_test_add_func ("/Weft/Bridge/nested-main-loop-held", test_nested_main_loop_held);
  g_test_add_func ("/Weft/Bridge/budget-shares-context", test_budget_shares_context);
  g_test_add_func ("/Weft/Bridge/budget-splits-iteration", test_budget_splits_iteration);
  g_test_add_func ("/Weft/Bridge/budget-yields-to-lower-priorities", test_budget_yields_to_lower_priorities);
  g_test_add_func ("/Weft/Bridge/fd-watches", test_fd_watches);
  g_test_add_func ("/Weft/Bridge/fd-seen-while-busy", test_fd_seen_while_busy);
  g_test_add_func ("/Weft/Bridge/fd-bad-at-add", test_fd_bad_at_add);
  g_test_add_func ("/Weft/Bridge/fd-closed-while-watched", test_fd_closed_while_watched);
  g_test_add_func ("/Weft/Bridge/fd-remove-inside-callback", test_fd_remove_inside_callback);
  g_test_add_func ("/Weft/Bridge/idle-one-poll", test_idle_one_poll);
  g_test_add_func ("/Weft/Bridge/fork-own-timerfd", test_fork_own_timerfd);

  return g_test_run ();
}
