/* test-threadsafe.c: call_soon_threadsafe under contention
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "weft-test-common.h"

/* 4 × 100,000 by default; the TSan stress run in CI uses 8 × 1,000,000
 * (WEFT_STRESS_THREADS, WEFT_STRESS_POSTS). */
#define MAX_THREADS 64
static guint n_threads = 4;
static guint n_posts = 100000;

typedef struct
{
  WeftLoop *loop;
  guint     next[MAX_THREADS];  /* the sequence number expected from each thread */
  guint     total;
  gboolean  in_order;
  gint      started;
} Stress;

static Stress stress;

static void
receive (gpointer data)
{
  guint thread = GPOINTER_TO_UINT (data) >> 24;
  guint seq = GPOINTER_TO_UINT (data) & 0xffffff;

  if (stress.next[thread] != seq)
    stress.in_order = FALSE;
  stress.next[thread] = seq + 1;
  if (++stress.total == n_threads * n_posts)
    weft_loop_stop (stress.loop);
}

static gpointer
poster (gpointer data)
{
  guint thread = GPOINTER_TO_UINT (data);

  g_atomic_int_inc (&stress.started);
  for (guint i = 0; i < n_posts; i++)
    g_assert_true (weft_loop_call_soon_threadsafe (stress.loop, receive, GUINT_TO_POINTER (thread << 24 | i), NULL));
  return NULL;
}

static void
tick (gpointer data)
{
  /* Keep timers busy on the loop while the posts arrive. */
  weft_loop_call_later (stress.loop, 0.0001, tick, NULL, NULL);
}

static gpointer
spinning_task (gpointer data, GError **error)
{
  guint *steps = data;

  /* Tasks keep switching stacks on the loop thread while the posts arrive. */
  while (weft_sleep (0, error))
    (*steps)++;
  return NULL;
}

static void
test_no_post_lost (void)
{
  GThread *threads[MAX_THREADS];
  g_autoptr(WeftTask) task = NULL;
  guint steps = 0;

  stress.loop = test_loop_new ();
  stress.in_order = TRUE;
  weft_loop_call_soon (stress.loop, tick, NULL, NULL);
  task = weft_loop_create_task (stress.loop, spinning_task, &steps, NULL);
  for (guint i = 0; i < n_threads; i++)
    threads[i] = g_thread_new ("poster", poster, GUINT_TO_POINTER (i));
  g_assert_true (weft_loop_run_forever (stress.loop, NULL));
  for (guint i = 0; i < n_threads; i++)
    g_thread_join (threads[i]);

  g_test_message ("%u threads x %u posts: %u run, task stepped %u times", n_threads, n_posts, stress.total, steps);
  g_assert_cmpuint (stress.total, ==, n_threads * n_posts);
  g_assert_true (stress.in_order);
  for (guint i = 0; i < n_threads; i++)
    g_assert_cmpuint (stress.next[i], ==, n_posts);
  g_assert_cmpuint (steps, >, 0);
  weft_task_cancel (task, NULL);
  g_assert_false (weft_loop_run_until_complete (stress.loop, WEFT_FUTURE (task), NULL));
  g_assert_true (weft_future_is_cancelled (WEFT_FUTURE (task)));
  test_loop_finish (stress.loop);
}

typedef struct
{
  WeftLoop *loop;
  gint64    posted;
  gint64    received;
} Wake;

static void
woken (gpointer data)
{
  Wake *wake = data;

  wake->received = test_monotonic_ns ();
  weft_loop_stop (wake->loop);
}

static gpointer
post_later (gpointer data)
{
  Wake *wake = data;

  g_usleep (50000);
  wake->posted = test_monotonic_ns ();
  weft_loop_call_soon_threadsafe (wake->loop, woken, wake, NULL);
  return NULL;
}

/* A loop asleep with nothing to do (no timer at all) wakes at once. */
static void
test_wakes_sleeping_loop (void)
{
  Wake wake = { test_loop_new (), 0, 0 };
  GThread *thread = g_thread_new ("post", post_later, &wake);

  g_assert_true (weft_loop_run_forever (wake.loop, NULL));
  g_thread_join (thread);
  g_test_message ("wake-up latency: %" G_GINT64_FORMAT " µs", (wake.received - wake.posted) / 1000);
  /* Without a wake-up the loop would sleep for ever: any bound proves it. A
   * second leaves room for valgrind, which runs one thread at a time, on a
   * busy machine (typical: tens of µs). */
  g_assert_cmpint (wake.received - wake.posted, <, 1000 * 1000000);
  test_loop_finish (wake.loop);
}

static gpointer
counting_task (gpointer data, GError **error)
{
  int *count = data;

  for (int i = 0; i < 50; i++)
    {
      if (!weft_sleep (i % 5 == 0 ? 0.0005 : 0, error))
        return NULL;
      (*count)++;
    }
  return NULL;
}

static gpointer
loop_thread (gpointer data)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  WeftLoop *loop;
  WeftFuture *tasks[8];
  g_autoptr(WeftFuture) all = NULL;
  int counts[8] = { 0 };
  int total = 0;

  g_main_context_push_thread_default (context);
  loop = weft_loop_new ();
  weft_set_event_loop (loop);
  for (int i = 0; i < 8; i++)
    tasks[i] = WEFT_FUTURE (weft_loop_create_task (loop, counting_task, &counts[i], NULL));
  all = weft_gatherv (tasks, 8, FALSE);
  g_assert_true (weft_loop_run_until_complete (loop, all, NULL));
  for (int i = 0; i < 8; i++)
    {
      g_assert_null (weft_current_task ());
      total += counts[i];
      weft_future_unref (tasks[i]);
    }
  test_loop_finish (loop);
  g_main_context_pop_thread_default (context);
  return GINT_TO_POINTER (total);
}

/* A loop per thread, each on its thread-default context, with tasks on each:
 * stacks, current task and current loop are per thread. */
static void
test_loop_per_thread_with_tasks (void)
{
  GThread *threads[4];

  for (int i = 0; i < 4; i++)
    threads[i] = g_thread_new ("loop", loop_thread, NULL);
  for (int i = 0; i < 4; i++)
    g_assert_cmpint (GPOINTER_TO_INT (g_thread_join (threads[i])), ==, 8 * 50);
}


/* Posting threads racing weft_loop_close(): every post that returned TRUE
 * either ran or had its destroy notify called, exactly once. */
typedef struct
{
  WeftLoop *loop;
  gint      accepted;
  gint      destroyed;
  gint      ran;
  gint      go;
} CloseRace;

static void
race_ran (gpointer data)
{
  g_atomic_int_inc (&((CloseRace *) data)->ran);
}

static void
race_destroyed (gpointer data)
{
  g_atomic_int_inc (&((CloseRace *) data)->destroyed);
}

#define RACE_MAX_POSTS 400000   /* per thread: bounds the memory the queue takes */

static gpointer
race_poster (gpointer data)
{
  CloseRace *race = data;

  g_atomic_int_inc (&race->go);
  for (guint i = 0; i < RACE_MAX_POSTS; i++)
    {
      if (!weft_loop_call_soon_threadsafe (race->loop, race_ran, race, race_destroyed))
        break;
      g_atomic_int_inc (&race->accepted);
      if (i % 1024 == 0)
        g_thread_yield ();
    }
  return NULL;
}

static void
nothing (gpointer data)
{
}

static void
test_post_vs_close (void)
{
  CloseRace race = { 0 };
  GThread *threads[16];

  race.loop = test_loop_new ();
  /* Pending timers make close() take milliseconds. */
  for (guint i = 0; i < 300000; i++)
    weft_loop_call_later (race.loop, 1000, nothing, NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("poster", race_poster, &race);
  while (g_atomic_int_get (&race.go) < (gint) G_N_ELEMENTS (threads) || g_atomic_int_get (&race.accepted) < 20000)
    g_thread_yield ();
  /* One iteration runs what was posted so far, then close while they post. */
  _weft_loop_run_iteration (race.loop);
  weft_loop_close (race.loop);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  g_test_message ("accepted %d, ran %d, destroyed %d", race.accepted, race.ran, race.destroyed);
  g_assert_cmpint (race.accepted, >, 0);
  g_assert_cmpint (race.destroyed, ==, race.accepted);
  g_assert_cmpint (race.ran, <=, race.destroyed);
  weft_loop_unref (race.loop);
}

static gpointer
wrong_thread_post (gpointer data)
{
  weft_loop_call_soon (data, nothing, NULL, NULL);
  return NULL;
}

static void
start_wrong_thread (gpointer data)
{
  g_thread_join (g_thread_new ("wrong", wrong_thread_post, data));
}

/* Debug mode, as asyncio's: call_soon from another thread than the loop's is
 * refused with a message that says what to use instead. */
static void
test_debug_wrong_thread (void)
{
  if (g_test_subprocess ())
    {
      WeftLoop *loop = test_loop_new ();

      weft_loop_set_debug (loop, TRUE);
      weft_loop_call_soon (loop, start_wrong_thread, loop, NULL);
      weft_loop_call_later (loop, 0.05, (WeftCallback) weft_loop_stop, loop, NULL);
      weft_loop_run_forever (loop, NULL);
      g_print ("no complaint\n");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stdout_unmatched ("*no complaint*");
  g_test_trap_assert_stderr ("*non-thread-safe operation weft_loop_call_soon() invoked on an event loop other than the current one*call_soon_threadsafe*");
}

/* As in asyncio (one ready queue for both), a post from another thread that
 * happened before a call_soon() runs before it. */
static void
append_tag (gpointer data)
{
  g_string_append (data, "x");
}

static void
append_other (gpointer data)
{
  g_string_append (data, "y");
}

static gpointer
post_x (gpointer data)
{
  WeftLoop *loop = ((gpointer *) data)[0];

  weft_loop_call_soon_threadsafe (loop, append_tag, ((gpointer *) data)[1], NULL);
  return NULL;
}

static void
test_order_with_call_soon (void)
{
  WeftLoop *loop = weft_loop_new ();
  GString *order = g_string_new (NULL);
  gpointer args[2] = { loop, order };
  GThread *thread;

  weft_loop_call_soon (loop, append_other, order, NULL);
  thread = g_thread_new ("poster", post_x, args);
  g_thread_join (thread);         /* the post happened before the next call */
  weft_loop_call_soon (loop, append_other, order, NULL);
  weft_loop_stop (loop);
  weft_loop_run_forever (loop, NULL);
  g_assert_cmpstr (order->str, ==, "yxy");
  g_string_free (order, TRUE);
  weft_loop_unref (loop);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("WEFT_STRESS_THREADS"))
    n_threads = CLAMP ((guint) g_ascii_strtoull (g_getenv ("WEFT_STRESS_THREADS"), NULL, 10), 1, MAX_THREADS);
  if (g_getenv ("WEFT_STRESS_POSTS"))
    n_posts = CLAMP ((guint) g_ascii_strtoull (g_getenv ("WEFT_STRESS_POSTS"), NULL, 10), 1, 0xffffff);

  g_test_add_func ("/Weft/Threadsafe/no-post-lost", test_no_post_lost);
  g_test_add_func ("/Weft/Threadsafe/wakes-sleeping-loop", test_wakes_sleeping_loop);
  g_test_add_func ("/Weft/Threadsafe/loop-per-thread-with-tasks", test_loop_per_thread_with_tasks);
  g_test_add_func ("/Weft/Threadsafe/post-vs-close", test_post_vs_close);
  g_test_add_func ("/Weft/Threadsafe/debug-wrong-thread", test_debug_wrong_thread);
  g_test_add_func ("/Weft/Threadsafe/order-with-call-soon", test_order_with_call_soon);

  return g_test_run ();
}
