/* test-records.c: what recording keeps: sampled step timing, the
 * iteration records a snapshot carries
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#ifdef HAVE_VALGRIND_H
# include <valgrind/valgrind.h>
#else
# define RUNNING_ON_VALGRIND 0
#endif

#include "weft-test-common.h"
#include "weft-observer-private.h"
#include "weft-task-private.h"

/* Steps timed, counted by an observer of the task_timed hook. */
static guint timed_steps;

static void
on_task_timed (WeftLoop *loop,
               gpointer  data,
               WeftTask *task)
{
  timed_steps++;
}

static const WeftObserver timing_watcher = {
  .name = "test: timed steps",
  .task_timed = on_task_timed,
};
static guint timing_watcher_id;

static gpointer
long_steps (gpointer data, GError **error)
{
  for (int i = 0; i < 40; i++)
    {
      test_spin_for (20000);
      if (!weft_sleep (0, error))
        return NULL;
    }
  return NULL;
}

static gpointer
short_steps (gpointer data, GError **error)
{
  for (int i = 0; i < 4000; i++)
    if (!weft_sleep (0, error))
      return NULL;
  return NULL;
}

static guint64
histogram_sum (WeftTask *task)
{
  guint64 sum = 0;

  for (guint i = 0; i < WEFT_RUN_HISTOGRAM_BUCKETS; i++)
    sum += _weft_task_peek_stats (task)->run_hist[i];
  return sum;
}

/* While recording, which steps are timed follows how long they run: every
 * step of a task whose steps take 8 µs or more, one in up to 256 of a task
 * whose steps are short (timing costs ~60 ns); each timed step counts for
 * the steps it stands for, so the histogram still counts every step. */
static void
test_step_timing_sampled (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(WeftTask) slow = NULL, quick = NULL;
  guint64 counted;

  weft_loop_set_recording (loop, TRUE);
  _weft_loop_observe (loop, timing_watcher_id, loop);

  timed_steps = 0;
  slow = weft_loop_create_task (loop, long_steps, NULL, NULL);
  test_run (loop, WEFT_FUTURE (slow));
  g_assert_cmpuint (weft_task_get_runs (slow), ==, 41);
  g_assert_cmpuint (timed_steps, ==, 41);
  g_assert_cmpuint (histogram_sum (slow), ==, 41);
  g_assert_cmpuint (_weft_task_peek_stats (slow)->busy_ns, >=, 40 * 20000);

  timed_steps = 0;
  quick = weft_loop_create_task (loop, short_steps, NULL, NULL);
  test_run (loop, WEFT_FUTURE (quick));
  counted = histogram_sum (quick);
  g_test_message ("%u of %" G_GUINT64_FORMAT " short steps timed, counted for %" G_GUINT64_FORMAT,
                  timed_steps, weft_task_get_runs (quick), counted);
  g_assert_cmpuint (weft_task_get_runs (quick), ==, 4001);
  /* Every step counted once, but those after the last timed one. */
  g_assert_cmpuint (counted, <=, 4001);
  g_assert_cmpuint (counted, >, 4001 - 256);
  g_assert_cmpuint (timed_steps, >=, 8);
  /* Far from all of them: one in 8 to 256 (under valgrind a step may take
   * over 8 µs, and be timed every time). */
  g_assert_cmpuint (timed_steps, <=, RUNNING_ON_VALGRIND ? 4001 : 4001 / 4);

  _weft_loop_observe (loop, timing_watcher_id, NULL);
  test_loop_finish (loop);
}

typedef struct
{
  WeftLoop *loop;
  guint     ticks;
} Ticker;

/* A timer per iteration (so each is recorded), a snapshot every 50. */
static void
tick (gpointer data)
{
  Ticker *t = data;

  if (++t->ticks % 50 == 0)
    g_variant_unref (g_variant_ref_sink (weft_loop_snapshot (t->loop)));
  if (t->ticks < 700)
    weft_loop_call_later (t->loop, 0, tick, t, NULL);
}

/* A snapshot carries the newest 64 iteration records as the loop has them
 * (weft_loop_get_iterations()), also once the ring of records has wrapped
 * and the snapshots before kept what they made of the older ones: the one
 * still running when a snapshot was taken is not kept as it was then. */
static void
test_snapshot_records (void)
{
  WeftLoop *loop = test_loop_new ();
  Ticker t = { loop, 0 };
  g_autoptr(GArray) records = NULL;
  g_autoptr(GVariant) snapshot = NULL, carried = NULL;
  guint n;

  weft_loop_set_recording (loop, TRUE);
  weft_loop_call_soon (loop, tick, &t, NULL);
  test_run_until_idle (loop);
  g_assert_cmpuint (t.ticks, ==, 700);
  records = weft_loop_get_iterations (loop);
  g_assert_cmpuint (records->len, ==, 512);   /* the ring wrapped */
  snapshot = g_variant_ref_sink (weft_loop_snapshot (loop));
  carried = g_variant_get_child_value (snapshot, 7);
  n = g_variant_n_children (carried);
  g_assert_cmpuint (n, ==, 64);
  for (guint i = 0; i < n; i++)
    {
      const WeftIterationRecord *r = &g_array_index (records, WeftIterationRecord, records->len - n + i);
      guint64 index;
      double start, duration, max_lateness;
      guint n_callbacks, n_timers;
      const char *callbacks;

      g_variant_get_child (carried, i, "(tdduud&s)", &index, &start, &duration, &n_callbacks, &n_timers,
                           &max_lateness, &callbacks);
      g_assert_cmpuint (index, ==, r->index);
      g_assert_cmpfloat (start, ==, r->start);
      g_assert_cmpfloat (duration, ==, r->duration);
      g_assert_cmpuint (n_callbacks, ==, r->n_callbacks);
      g_assert_cmpuint (n_timers, ==, r->n_timers);
      g_assert_cmpstr (callbacks, ==, r->callbacks);
    }
  test_loop_finish (loop);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  timing_watcher_id = _weft_observer_register (&timing_watcher);
  g_test_add_func ("/Weft/Records/step-timing-sampled", test_step_timing_sampled);
  g_test_add_func ("/Weft/Records/snapshot-records", test_snapshot_records);
  return g_test_run ();
}
