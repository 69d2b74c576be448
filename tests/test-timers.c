/* test-timers.c: call_later / call_at ordering, earliness, cancellation
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "weft-test-common.h"

typedef struct
{
  WeftLoop *loop;
  GArray   *fired;     /* int */
  int       remaining;
} Timers;

typedef struct
{
  Timers *t;
  int     id;
  double  when;        /* loop clock */
  gint64  deadline_ns; /* CLOCK_MONOTONIC */
} Timer;

static void
fire (gpointer data)
{
  Timer *timer = data;
  double now = weft_loop_time (timer->t->loop);
  gint64 mono = test_monotonic_ns ();

  /* Never early, on either clock. */
  g_assert_cmpfloat (now, >=, timer->when);
  g_assert_cmpint (mono, >=, timer->deadline_ns);
  g_array_append_val (timer->t->fired, timer->id);
  if (--timer->t->remaining == 0)
    weft_loop_stop (timer->t->loop);
}

static void
equal_deadlines_from (guint32 first_seq)
{
  Timers t = { test_loop_new (), g_array_new (FALSE, FALSE, sizeof (int)), 200 };
  double when = weft_loop_time (t.loop) + 0.005;
  Timer timers[200];

  t.loop->timer_seq = first_seq;

  for (int i = 0; i < 200; i++)
    {
      timers[i] = (Timer) { &t, i, when, 0 };
      /* Interleave two deadlines: each group keeps its scheduling order. */
      if (i % 2)
        timers[i].when = when + 0.001;
      weft_loop_call_at (t.loop, timers[i].when, fire, &timers[i], NULL);
    }
  g_assert_true (weft_loop_run_forever (t.loop, NULL));
  for (int i = 0; i < 100; i++)
    {
      g_assert_cmpint (g_array_index (t.fired, int, i), ==, 2 * i);
      g_assert_cmpint (g_array_index (t.fired, int, 100 + i), ==, 2 * i + 1);
    }
  g_array_unref (t.fired);
  test_loop_finish (t.loop);
}

static void
test_equal_deadlines (void)
{
  equal_deadlines_from (0);
}

/* The heap's sequence numbers are 32 bits: equal deadlines keep their order
 * when the numbering wraps around between them. */
static void
test_equal_deadlines_across_wrap (void)
{
  equal_deadlines_from (G_MAXUINT32 - 77);
}

static void
test_never_early (void)
{
  Timers t = { test_loop_new (), g_array_new (FALSE, FALSE, sizeof (int)), 0 };
  Timer timers[300];
  GRand *rand = g_rand_new_with_seed (42);

  for (int i = 0; i < 300; i++)
    {
      double delay = g_rand_double_range (rand, 0, 0.03);
      WeftHandle *h;

      timers[i] = (Timer) { &t, i, 0, test_monotonic_ns () + (gint64) (delay * 1e9) };
      h = weft_loop_call_later (t.loop, delay, fire, &timers[i], NULL);
      timers[i].when = weft_handle_when (h);
      t.remaining++;
    }
  g_assert_true (weft_loop_run_forever (t.loop, NULL));
  g_assert_cmpuint (t.fired->len, ==, 300);
  /* They fired in deadline order. */
  for (guint i = 1; i < t.fired->len; i++)
    g_assert_cmpfloat (timers[g_array_index (t.fired, int, i - 1)].when, <=, timers[g_array_index (t.fired, int, i)].when);
  g_rand_free (rand);
  g_array_unref (t.fired);
  test_loop_finish (t.loop);
}

static void
count (gpointer data)
{
  (*(int *) data)++;
}

/* Cancelled timers never run, and once they are the majority the heap drops
 * them instead of carrying them to their deadline. */
static void
test_cancel_compacts (void)
{
  WeftLoop *loop = test_loop_new ();
  WeftHandle *handles[1000];
  int ran = 0;

  for (int i = 0; i < 1000; i++)
    handles[i] = weft_loop_call_later (loop, i % 2 ? 3600 : 0.001 + i * 1e-6, count, &ran, NULL);
  for (int i = 1; i < 1000; i += 2)
    g_assert_true (weft_handle_cancel (handles[i]));
  for (int i = 0; i < 900; i += 2)
    g_assert_true (weft_handle_cancel (handles[i]));
  g_assert_cmpuint (loop->timers.length, ==, 1000);
  weft_loop_call_later (loop, 0.01, test_stop_loop, loop, NULL);
  g_assert_true (weft_loop_run_forever (loop, NULL));
  g_assert_cmpint (ran, ==, 50);
  g_assert_cmpuint (loop->timers.length, ==, 0);
  g_assert_cmpuint (loop->n_cancelled_timers, ==, 0);
  test_loop_finish (loop);
}

typedef struct
{
  WeftLoop *loop;
  gint64    deadline;
  gint64    late;
} Precise;

static void
precise_fire (gpointer data)
{
  Precise *p = data;

  p->late = test_monotonic_ns () - p->deadline;
  weft_loop_stop (p->loop);
}

/* Sub-millisecond timers: GLib's poll timeout is whole milliseconds, the
 * timerfd is not. A 300 µs timer must not wait for a millisecond boundary. */
static void
test_sub_millisecond (void)
{
  WeftLoop *loop = test_loop_new ();
  gint64 lateness[20];

  for (int i = 0; i < 20; i++)
    {
      Precise p = { loop, test_monotonic_ns () + 300000, 0 };

      weft_loop_call_later (loop, 0.0003, precise_fire, &p, NULL);
      g_assert_true (weft_loop_run_forever (loop, NULL));
      g_assert_cmpint (p.late, >=, 0);
      lateness[i] = p.late;
    }
  /* The median lateness is well under the millisecond GLib would round to. */
  for (int i = 0; i < 20; i++)
    for (int j = i + 1; j < 20; j++)
      if (lateness[j] < lateness[i])
        {
          gint64 tmp = lateness[i];
          lateness[i] = lateness[j];
          lateness[j] = tmp;
        }
  g_test_message ("median lateness of a 300 µs timer: %" G_GINT64_FORMAT " µs", lateness[10] / 1000);
  g_assert_cmpint (lateness[10], <, 500000);
  test_loop_finish (loop);
}

/* Timers within the slack of the earliest share its wake-up, and none fires
 * early; with no slack each distinct deadline costs a wake-up. */
static guint
polls_for_spread_timers (double slack)
{
  Timers t = { test_loop_new (), g_array_new (FALSE, FALSE, sizeof (int)), 40 };
  GMainContext *context = weft_loop_get_context (t.loop);
  Timer timers[40];
  double base = weft_loop_time (t.loop) + 0.01;

  weft_loop_set_timer_slack (t.loop, slack);
  g_assert_cmpfloat (weft_loop_get_timer_slack (t.loop), ==, slack);
  for (int i = 0; i < 40; i++)
    {
      /* 40 deadlines 5 ms apart: far enough apart that even a slow (sanitized,
       * valgrind, on a busy machine) dispatch cannot reach the next one before
       * sleeping. */
      timers[i] = (Timer) { &t, i, base + i * 5e-3, test_monotonic_ns () + (gint64) ((base + i * 5e-3 - weft_loop_time (t.loop)) * 1e9) - 1000 };
      weft_loop_call_at (t.loop, timers[i].when, fire, &timers[i], NULL);
    }
  test_count_polls (context);
  g_assert_true (weft_loop_run_forever (t.loop, NULL));
  g_assert_cmpuint (t.fired->len, ==, 40);
  g_array_unref (t.fired);
  test_loop_finish (t.loop);
  return test_n_polls;
}

static void
test_slack_coalesces (void)
{
  guint with_slack = polls_for_spread_timers (0.25);
  guint without = polls_for_spread_timers (0);

  g_test_message ("polls: %u with 250 ms slack, %u without", with_slack, without);
  g_assert_cmpuint (with_slack, <=, 3);
  g_assert_cmpuint (without, >=, 20);
}

static gint64
virtual_now (gpointer data)
{
  return *(gint64 *) data;
}

static void
record_when (gpointer data)
{
  Timer *timer = data;

  g_array_append_val (timer->t->fired, timer->id);
  g_assert_cmpfloat (weft_loop_time (timer->t->loop), >=, timer->when);
}

/* The heap under load: 5,000 timers at random deadlines (many equal), most
 * of them cancelled so that the heap compacts, more scheduled while they
 * fire. On a virtual clock stepped through every deadline they run in
 * (deadline, scheduling) order, and the cancelled ones never. */
static void
test_heap_order (void)
{
  Timers t = { test_loop_new (), g_array_new (FALSE, FALSE, sizeof (int)), 0 };
  gint64 now = 1000 * G_GINT64_CONSTANT (1000000000);
  GRand *rand = g_rand_new_with_seed (7);
  enum { N = 5000 };
  Timer *timers = g_new0 (Timer, N);
  WeftHandle **handles = g_new0 (WeftHandle *, N);
  gboolean *cancelled = g_new0 (gboolean, N);
  int expected = 0, last = -1;

  _weft_loop_set_clock (t.loop, virtual_now, &now);
  for (int i = 0; i < N; i++)
    {
      /* Deadlines on a 1 ms grid over 2 s: ~2.5 timers per deadline. */
      timers[i] = (Timer) { &t, i, 1000.0 + g_rand_int_range (rand, 1, 2000) / 1000.0, 0 };
      handles[i] = weft_loop_call_at (t.loop, timers[i].when, record_when, &timers[i], NULL);
      if (i % 5 == 4)   /* a few cancelled as they come */
        cancelled[i] = weft_handle_cancel (handles[i]);
    }
  for (int i = 0; i < N; i++)   /* then most of the rest: the heap compacts */
    if (!cancelled[i] && g_rand_int_range (rand, 0, 10) < 6)
      cancelled[i] = weft_handle_cancel (handles[i]);
  for (int i = 0; i < N; i++)
    expected += !cancelled[i];
  weft_loop_step_iteration (t.loop);                /* nothing due yet */
  g_assert_cmpuint (t.fired->len, ==, 0);
  g_assert_cmpuint (t.loop->timers.length, ==, expected);   /* compacted */
  for (int ms = 0; ms <= 2000; ms++)
    {
      now = 1000 * G_GINT64_CONSTANT (1000000000) + ms * G_GINT64_CONSTANT (1000000);
      weft_loop_step_iteration (t.loop);
      while (weft_loop_step_iteration (t.loop) > 0)
        ;
    }
  g_assert_cmpuint (t.fired->len, ==, expected);
  for (guint k = 0; k < t.fired->len; k++)
    {
      int id = g_array_index (t.fired, int, k);

      g_assert_false (cancelled[id]);
      if (last >= 0)
        g_assert_true (timers[last].when < timers[id].when || (timers[last].when == timers[id].when && last < id));
      last = id;
    }
  g_free (cancelled);
  g_free (handles);
  g_free (timers);
  g_rand_free (rand);
  g_array_unref (t.fired);
  test_loop_finish (t.loop);
}

static void
record_id (gpointer data)
{
  Timer *timer = data;

  g_array_append_val (timer->t->fired, timer->id);
}

/* With an injected clock, time moves only when the test says so: timers fire
 * exactly when the clock passes their deadline, without any sleeping. */
static void
test_virtual_clock (void)
{
  Timers t = { test_loop_new (), g_array_new (FALSE, FALSE, sizeof (int)), 0 };
  gint64 now = 1000 * G_GINT64_CONSTANT (1000000000);
  Timer timers[3];

  _weft_loop_set_clock (t.loop, virtual_now, &now);
  g_assert_cmpfloat (weft_loop_time (t.loop), ==, 1000.0);
  for (int i = 0; i < 3; i++)
    {
      timers[i] = (Timer) { &t, i, 0, 0 };
      weft_loop_call_later (t.loop, 10.0 * (3 - i), record_id, &timers[i], NULL);
    }
  weft_loop_step_iteration (t.loop);
  g_assert_cmpuint (t.fired->len, ==, 0);
  now += 10 * G_GINT64_CONSTANT (1000000000);      /* +10 s: the third timer */
  weft_loop_step_iteration (t.loop);
  g_assert_cmpuint (t.fired->len, ==, 1);
  g_assert_cmpint (g_array_index (t.fired, int, 0), ==, 2);
  now += 20 * G_GINT64_CONSTANT (1000000000) - 1;  /* 1 ns short of the first */
  weft_loop_step_iteration (t.loop);
  g_assert_cmpuint (t.fired->len, ==, 2);
  now += 1;
  weft_loop_step_iteration (t.loop);
  g_assert_cmpuint (t.fired->len, ==, 3);
  g_assert_cmpint (g_array_index (t.fired, int, 2), ==, 0);
  g_array_unref (t.fired);
  test_loop_finish (t.loop);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Weft/Timers/equal-deadlines", test_equal_deadlines);
  g_test_add_func ("/Weft/Timers/equal-deadlines-across-wrap", test_equal_deadlines_across_wrap);
  g_test_add_func ("/Weft/Timers/heap-order", test_heap_order);
  g_test_add_func ("/Weft/Timers/never-early", test_never_early);
  g_test_add_func ("/Weft/Timers/cancel-compacts", test_cancel_compacts);
  g_test_add_func ("/Weft/Timers/sub-millisecond", test_sub_millisecond);
  g_test_add_func ("/Weft/Timers/slack-coalesces", test_slack_coalesces);
  g_test_add_func ("/Weft/Timers/virtual-clock", test_virtual_clock);

  return g_test_run ();
}
