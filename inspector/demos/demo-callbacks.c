/* demo-callbacks.c: the tutorial's second example, call_soon and call_later
 *
 * Python:
 *   def callback(name):
 *       print(f"{name} ran at {loop.time() - start:.2f} s")
 *   loop.call_soon(callback, "call_soon callback")
 *   loop.call_later(2, callback, "call_later callback")
 *   loop.run_until_complete(asyncio.sleep(3))
 *   loop.close()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "weft-demos.h"

static double start;

static void
callback (gpointer name)
{
  WeftLoop *loop = weft_get_running_loop ();

  g_print ("%s ran at %.2f s\n", (const char *) name, weft_loop_time (loop) - start);
}

static void
resolve (gpointer future)
{
  weft_future_set_result (future, NULL, NULL);
}

/* The same calls on a loop that is already running (the inspector's). */
WeftFuture *
weft_demo_callbacks_start (WeftLoop *loop)
{
  WeftFuture *three_seconds = weft_loop_create_future (loop);

  start = weft_loop_time (loop);
  weft_loop_call_soon (loop, callback, "call_soon callback", NULL);
  weft_loop_call_later (loop, 2.0, callback, "call_later callback", NULL);
  weft_loop_call_later (loop, 3.0, resolve, three_seconds, NULL);
  return three_seconds;
}

int
weft_demo_callbacks (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftLoop) loop = weft_loop_new ();
  weft_set_event_loop (loop);
  start = weft_loop_time (loop);

  weft_loop_call_soon (loop, callback, "call_soon callback", NULL);
  weft_loop_call_later (loop, 2.0, callback, "call_later callback", NULL);

  /* loop.run_until_complete(asyncio.sleep(3)) */
  g_autoptr (WeftFuture) three_seconds = weft_loop_create_future (loop);
  weft_loop_call_later (loop, 3.0, resolve, three_seconds, NULL);
  weft_loop_run_until_complete (loop, three_seconds, &error);
  g_print ("loop stopped at %.2f s\n", weft_loop_time (loop) - start);
  weft_loop_close (loop);
  return error ? 1 : 0;
}
