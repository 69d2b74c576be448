/* weft-bench.c: Weft's column of ../shared/bench/anchors (same workloads,
 * same output lines). Runs Weft attached to g_main_loop_run() on the default
 * context, so its rows compare directly with the GLib columns.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/resource.h>
#ifdef __linux__
# include <sys/timerfd.h>
#endif
#include <time.h>
#include <unistd.h>

#include <weft.h>

#include "weft-rss.h"

static WeftLoop  *loop;
static GMainLoop *mainloop;
static long       n_target, n_count;

static gint64
wall_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static gint64
cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static long
peak_rss_kb (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

static long
nvcsw (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_nvcsw;
}

static long
minflt (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_minflt;
}

static void
quit (void)
{
  g_main_loop_quit (mainloop);
}

/* ------------------------------------------------------------- row 9 */

/* WEFT_BENCH_INSPECT=attached: the loop is served (weft_loop_serve_inspector())
 * and a peer on a thread of its own connects over the socket and does what
 * the remote inspector does: on every Changed signal it asks for a snapshot
 * (one call in flight, one more asked if signals came meanwhile). The rows
 * start once its first snapshot arrived. =served: served, nobody attached.
 * =recording: recording on (weft_loop_set_recording()), no server.
 * =detached: served, then served no more (the server stopped), as after an
 * inspector went away. */
typedef struct
{
  GMainContext    *context;
  GDBusConnection *connection;
  GMutex           lock;
  GCond            cond;
  gboolean         ready, fetching, refetch, quit;
  guint            snapshots, signals;
} Peer;

static Peer peer;

static void peer_fetch (void);

static void
on_peer_snapshot (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, NULL);

  peer.fetching = FALSE;
  if (reply != NULL)
    peer.snapshots++;
  g_mutex_lock (&peer.lock);
  peer.ready = TRUE;
  g_cond_signal (&peer.cond);
  g_mutex_unlock (&peer.lock);
  if (peer.refetch)
    {
      peer.refetch = FALSE;
      peer_fetch ();
    }
}

static void
peer_fetch (void)
{
  if (peer.fetching)
    {
      peer.refetch = TRUE;
      return;
    }
  peer.fetching = TRUE;
  g_dbus_connection_call (peer.connection, NULL, "/org/weft/Loop", "org.weft.Inspector1", "GetSnapshot", NULL, NULL,
                          G_DBUS_CALL_FLAGS_NONE, 5000, NULL, on_peer_snapshot, NULL);
}

static void
on_peer_signal (GDBusConnection *connection, const char *sender, const char *path, const char *interface,
                const char *signal, GVariant *parameters, gpointer data)
{
  peer.signals++;
  peer_fetch ();
}

static gpointer
peer_thread (gpointer path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = g_strdup_printf ("unix:path=%s", (char *) path);

  g_free (path);

  g_main_context_push_thread_default (peer.context);
  peer.connection = g_dbus_connection_new_for_address_sync (address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT,
                                                            NULL, NULL, &error);
  if (peer.connection == NULL)
    g_error ("weft_bench: cannot attach to %s: %s", address, error->message);
  g_dbus_connection_signal_subscribe (peer.connection, NULL, "org.weft.Inspector1", "Changed", "/org/weft/Loop",
                                      NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_peer_signal, NULL, NULL);
  peer_fetch ();
  while (!g_atomic_int_get (&peer.quit))
    g_main_context_iteration (peer.context, TRUE);
  g_dbus_connection_close_sync (peer.connection, NULL, NULL);
  g_clear_object (&peer.connection);
  g_main_context_pop_thread_default (peer.context);
  return NULL;
}

static GThread *
inspect_setup (const char *how)
{
  g_autoptr(GError) error = NULL;
  GThread *thread;

  if (how == NULL || strcmp (how, "none") == 0)
    return NULL;
  if (strcmp (how, "recording") == 0)
    {
      /* What recording alone costs: no server, no socket. */
      weft_loop_set_recording (loop, TRUE);
      return NULL;
    }
  if (strcmp (how, "served") != 0 && strcmp (how, "attached") != 0 && strcmp (how, "detached") != 0)
    {
      fprintf (stderr, "weft_bench: WEFT_BENCH_INSPECT is none, recording, served, attached or detached, not %s\n", how);
      exit (2);
    }
  if (!weft_loop_serve_inspector (loop, &error))
    {
      fprintf (stderr, "weft_bench: cannot serve the inspector: %s\n", error->message);
      exit (1);
    }
  if (strcmp (how, "detached") == 0)
    {
      weft_loop_stop_serving_inspector (loop);
      return NULL;
    }
  if (strcmp (how, "served") == 0)
    return NULL;
  peer.context = g_main_context_new ();
  g_mutex_init (&peer.lock);
  g_cond_init (&peer.cond);
  thread = g_thread_new ("bench-peer", peer_thread, g_strdup (weft_loop_get_inspector_address (loop)));
  g_mutex_lock (&peer.lock);
  while (!peer.ready)
    {
      g_mutex_unlock (&peer.lock);
      g_main_context_iteration (NULL, FALSE);   /* the server waits for a fresh snapshot from this loop */
      g_usleep (1000);
      g_mutex_lock (&peer.lock);
    }
  g_mutex_unlock (&peer.lock);
  return thread;
}

static void
inspect_teardown (GThread *thread)
{
  if (thread == NULL)
    return;
  g_atomic_int_set (&peer.quit, TRUE);
  g_main_context_wakeup (peer.context);
  g_thread_join (thread);
  fprintf (stderr, "weft_bench: the peer saw %u Changed signals and read %u snapshots\n", peer.signals, peer.snapshots);
  g_main_context_unref (peer.context);
}

/* ------------------------------------------------------------- 1, 2 */

static void
soon_cb (gpointer data)
{
  if (++n_count == n_target)
    quit ();
}

static void
chain_cb (gpointer data)
{
  if (++n_count == n_target)
    quit ();
  else
    weft_loop_call_soon (loop, chain_cb, NULL, NULL);
}

static void
bench_soon (const char *name, long n, gboolean chain)
{
  long rss_base = weft_rss_kb ();
  gint64 t0 = wall_ns (), c0 = cpu_ns (), t1, t2;

  n_target = n;
  if (chain)
    weft_loop_call_soon (loop, chain_cb, NULL, NULL);
  else
    for (long i = 0; i < n; i++)
      weft_loop_call_soon (loop, soon_cb, NULL, NULL);
  t1 = wall_ns ();
  g_main_loop_run (mainloop);
  t2 = wall_ns ();
  printf ("%s weft %ld %.1f sched_ns=%.1f run_ns=%.1f cpu_ns=%.1f rss_base_kb=%ld rss_peak_kb=%ld\n",
          name, n, (double) (t2 - t0) / n, (double) (t1 - t0) / n, (double) (t2 - t1) / n,
          (double) (cpu_ns () - c0) / n, rss_base, peak_rss_kb ());
}

/* ---------------------------------------------------------------- 3 */

static guint64
splitmix64 (guint64 *s)
{
  guint64 z = (*s += 0x9E3779B97F4A7C15ULL);

  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

static void
timer_cb (gpointer data)
{
  if (++n_count == n_target)
    quit ();
}

static void
bench_timers (long k)
{
  WeftHandle **handles = g_new (WeftHandle *, k);
  guint64 seed = 12345;
  long cs0 = nvcsw ();
  gint64 t0 = wall_ns (), c0 = cpu_ns (), t1;

  n_target = k / 2;
  for (long i = 0; i < k; i++)
    handles[i] = weft_loop_call_later (loop, (double) (splitmix64 (&seed) % 201) / 1000.0, timer_cb, NULL, NULL);
  for (long i = 1; i < k; i += 2)
    weft_handle_cancel (handles[i]);
  t1 = wall_ns ();
  g_main_loop_run (mainloop);
  printf ("timers weft %ld %.1f wall_ms=%.1f cpu_ms=%.1f sched_ns=%.1f nvcsw=%ld rss_peak_kb=%ld\n",
          k, (double) (cpu_ns () - c0) / k, (wall_ns () - t0) / 1e6, (cpu_ns () - c0) / 1e6,
          (double) (t1 - t0) / k, nvcsw () - cs0, peak_rss_kb ());
  g_free (handles);
}

/* ---------------------------------------------------------------- 4 */

static WeftFuture *box[2];

static gpointer
pinger (gpointer data, GError **error)
{
  int me = GPOINTER_TO_INT (data), other = 1 - me;

  for (long i = 0; i < n_target; i++)
    {
      if (weft_await (box[me], error) == NULL && *error != NULL)
        return NULL;
      weft_future_unref (box[me]);
      box[me] = weft_loop_create_future (loop);
      weft_future_set_result (box[other], NULL, NULL);
    }
  return NULL;
}

static void
quit_on_done (WeftFuture *future, gpointer data)
{
  quit ();
}

static void
bench_pingpong (long n)
{
  g_autoptr(WeftTask) a = NULL, b = NULL;
  g_autoptr(WeftFuture) both = NULL;
  gint64 t0, t1;

  n_target = n;
  box[0] = weft_loop_create_future (loop);
  box[1] = weft_loop_create_future (loop);
  weft_future_set_result (box[0], NULL, NULL);
  t0 = wall_ns ();
  a = weft_loop_create_task (loop, pinger, GINT_TO_POINTER (0), NULL);
  b = weft_loop_create_task (loop, pinger, GINT_TO_POINTER (1), NULL);
  both = weft_gather (WEFT_FUTURE (a), WEFT_FUTURE (b), NULL);
  weft_future_add_done_callback (both, quit_on_done, NULL, NULL);
  g_main_loop_run (mainloop);
  t1 = wall_ns ();
  printf ("switch weft %ld %.1f round_trip_ns=%.1f\n", n, (double) (t1 - t0) / (2.0 * n), (double) (t1 - t0) / n);
  weft_future_unref (box[0]);
  weft_future_unref (box[1]);
}

/* ---------------------------------------------------------------- 5 */

static long        tasks_left;
static WeftFuture *all_done;

static gpointer
worker (gpointer data, GError **error)
{
  weft_sleep (0, error);
  weft_sleep (0, error);
  if (--tasks_left == 0)
    weft_future_set_result (all_done, NULL, NULL);
  return NULL;
}

static gpointer
main_task (gpointer data, GError **error)
{
  for (long i = 0; i < n_target; i++)
    weft_task_unref (weft_loop_create_task (loop, worker, NULL, NULL));
  weft_await (all_done, error);
  return NULL;
}

/* One wave: a main task that makes @n tasks, each sleeping twice, and waits for them. */
static void
run_wave (long n)
{
  g_autoptr(WeftTask) task = NULL;

  n_target = tasks_left = n;
  all_done = weft_loop_create_future (loop);
  task = weft_loop_create_task (loop, main_task, NULL, NULL);
  weft_future_add_done_callback (WEFT_FUTURE (task), quit_on_done, NULL, NULL);
  g_main_loop_run (mainloop);
  g_clear_pointer (&all_done, weft_future_unref);
}

static void
bench_manytasks (long n)
{
  long rss_base = weft_rss_kb (), peak, f0 = minflt (), f1;
  gint64 t0 = wall_ns (), c0 = cpu_ns (), t1, c1, t2;

  run_wave (n);
  t1 = wall_ns ();
  c1 = cpu_ns ();
  f1 = minflt ();
  peak = peak_rss_kb ();
  /* Row 5b: the same wave again in the same process (pooled stacks). */
  t2 = wall_ns ();
  run_wave (n);
  printf ("manytasks weft %ld %.1f wall_ms=%.1f cpu_ms=%.1f rss_base_kb=%ld rss_peak_kb=%ld bytes_per_task=%.0f"
          " warm_ms=%.1f faults=%ld warm_faults=%ld\n",
          n, (double) (t1 - t0) / n, (t1 - t0) / 1e6, (c1 - c0) / 1e6,
          rss_base, peak, (double) (peak - rss_base) * 1024.0 / n, (wall_ns () - t2) / 1e6,
          f1 - f0, minflt () - f1);
}

/* ---------------------------------------------------------------- 6 */

static void
idle_done (gpointer data)
{
  quit ();
}

static void
bench_idle (long seconds)
{
  static const char begin[] = "ANCHOR_MARK_BEGIN\n", end[] = "ANCHOR_MARK_END\n";
  long cs0;
  gint64 t0;

  if (write (2, begin, sizeof begin - 1) < 0)
    return;
  cs0 = nvcsw ();
  t0 = wall_ns ();
  weft_loop_call_later (loop, (double) seconds, idle_done, NULL, NULL);
  g_main_loop_run (mainloop);
  if (write (2, end, sizeof end - 1) < 0)
    return;
  printf ("idle weft 1 %lld nvcsw=%ld\n", (long long) (wall_ns () - t0), nvcsw () - cs0);
}

/* The floor under row 3 at small K: what one wake-up from a timer costs
 * this process when nothing else runs (a timerfd armed 1 ms ahead, then
 * poll() until it fires), in CPU time, kernel included. Row 3's timers need
 * one wake-up per group of deadlines within the slack (nvcsw there). */
static void
bench_wakeups (long n)
{
#ifdef __linux__
  int fd = timerfd_create (CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  gint64 c0 = cpu_ns ();

  for (long i = 0; i < n; i++)
    {
      gint64 at = wall_ns () + 1000000;
      struct itimerspec spec = { .it_value = { at / 1000000000, at % 1000000000 } };
      struct pollfd pfd = { fd, POLLIN, 0 };
      guint64 expirations;

      timerfd_settime (fd, TFD_TIMER_ABSTIME, &spec, NULL);
      while (poll (&pfd, 1, -1) < 0)
        ;
      if (read (fd, &expirations, sizeof expirations) < 0)
        break;
    }
  printf ("wakeups floor %ld %.1f\n", n, (double) (cpu_ns () - c0) / n);
  close (fd);
#else
  printf ("wakeups floor %ld -\n", n);
#endif
}

/* ---------------------------------------------------------------- 7 */

static gint64 *deadlines, *lateness_us;

static void
late_cb (gpointer data)
{
  long i = GPOINTER_TO_INT (data);

  lateness_us[i] = (wall_ns () - deadlines[i]) / 1000;
  if (++n_count == n_target)
    quit ();
}

static int
cmp_i64 (const void *a, const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static void
bench_lateness (long n)
{
  gint64 p50, p99;

  n_target = n;
  deadlines = g_new (gint64, n);
  lateness_us = g_new (gint64, n);
  for (long i = 0; i < n; i++)
    {
      deadlines[i] = wall_ns () + (i + 1) * 1000000;
      weft_loop_call_later (loop, (i + 1) / 1000.0, late_cb, GINT_TO_POINTER ((int) i), NULL);
    }
  g_main_loop_run (mainloop);
  qsort (lateness_us, n, sizeof (gint64), cmp_i64);
  p50 = lateness_us[(long) (0.50 * (n - 1))];
  p99 = lateness_us[(long) (0.99 * (n - 1))];
  printf ("lateness weft %ld %lld p50_us=%lld p99_us=%lld min_us=%lld max_us=%lld\n", n,
          (long long) (p50 * 1000), (long long) p50, (long long) p99,
          (long long) lateness_us[0], (long long) lateness_us[n - 1]);
  g_free (deadlines);
  g_free (lateness_us);
}

int
main (int argc, char **argv)
{
  const char *what;
  GThread *peer_thread_handle;
  long n;

  if (argc != 3)
    {
      fprintf (stderr, "usage: weft_bench {soon|chain|timers|pingpong|manytasks|idle|lateness|wakeups} N\n");
      return 2;
    }
  what = argv[1];
  n = atol (argv[2]);
  loop = weft_loop_new ();
  mainloop = g_main_loop_new (NULL, FALSE);
  /* WEFT_BENCH_RECORD=1: recording on, nobody attached. */
  if (g_strcmp0 (g_getenv ("WEFT_BENCH_RECORD"), "1") == 0)
    weft_loop_set_recording (loop, TRUE);
  peer_thread_handle = inspect_setup (g_getenv ("WEFT_BENCH_INSPECT"));

  if (strcmp (what, "soon") == 0)
    bench_soon ("soon", n, FALSE);
  else if (strcmp (what, "chain") == 0)
    bench_soon ("chain", n, TRUE);
  else if (strcmp (what, "timers") == 0)
    bench_timers (n);
  else if (strcmp (what, "pingpong") == 0)
    bench_pingpong (n);
  else if (strcmp (what, "manytasks") == 0)
    bench_manytasks (n);
  else if (strcmp (what, "idle") == 0)
    bench_idle (n);
  else if (strcmp (what, "lateness") == 0)
    bench_lateness (n);
  else if (strcmp (what, "wakeups") == 0)
    bench_wakeups (n);
  else
    {
      fprintf (stderr, "weft_bench: unknown benchmark %s\n", what);
      return 2;
    }
  fflush (stdout);
  inspect_teardown (peer_thread_handle);
  weft_loop_close (loop);
  weft_loop_unref (loop);
  g_main_loop_unref (mainloop);
  return 0;
}
