/* demo-countdowns.c: three countdowns at different paces, interleaved on one
 * loop, gathered: concurrency without threads
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "weft-demos.h"

typedef struct
{
  const char *name;
  int         from;
  double      pace;
} Countdown;

static const Countdown countdowns[] = {
  { "A", 3, 1.0 },
  { "B", 5, 0.5 },
  { "C", 2, 1.4 },
};

static gpointer
count_down (gpointer data, GError **error)
{
  const Countdown *c = data;

  for (int number = c->from; number > 0; number--)
    {
      g_print ("Countdown %s: %d\n", c->name, number);
      if (!weft_sleep (c->pace, error))
        return NULL;
    }
  g_print ("Countdown %s finished!\n", c->name);
  return (gpointer) c->name;
}

WeftFuture *
weft_demo_countdowns_start (WeftLoop *loop)
{
  WeftFuture *tasks[G_N_ELEMENTS (countdowns)];
  WeftFuture *all;

  for (guint i = 0; i < G_N_ELEMENTS (countdowns); i++)
    {
      tasks[i] = WEFT_FUTURE (weft_loop_create_task (loop, count_down, (gpointer) &countdowns[i], NULL));
      weft_task_set_name ((WeftTask *) tasks[i], countdowns[i].name);
    }
  all = weft_gatherv (tasks, G_N_ELEMENTS (countdowns), FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (countdowns); i++)
    weft_future_unref (tasks[i]);
  return all;
}

int
weft_demo_countdowns (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftLoop) loop = weft_loop_new ();
  weft_set_event_loop (loop);
  g_autoptr (WeftFuture) all = weft_demo_countdowns_start (loop);
  weft_loop_run_until_complete (loop, all, &error);
  g_print ("All countdowns finished.\n");
  weft_loop_close (loop);
  return error ? 1 : 0;
}
