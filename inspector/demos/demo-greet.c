/* demo-greet.c: the tutorial's first example
 *
 * Python:
 *   async def greet():
 *       print("Hello, World!")
 *   loop = asyncio.new_event_loop()
 *   asyncio.set_event_loop(loop)
 *   loop.run_until_complete(greet())
 *   loop.close()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "weft-demos.h"

static gpointer
greet (gpointer data, GError **error)
{
  g_print ("Hello, World!\n");
  return NULL;
}

WeftFuture *
weft_demo_greet_start (WeftLoop *loop)
{
  return WEFT_FUTURE (weft_loop_create_task (loop, greet, NULL, NULL));
}

int
weft_demo_greet (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftLoop) loop = weft_loop_new ();               /* asyncio.new_event_loop() */
  weft_set_event_loop (loop);                                 /* asyncio.set_event_loop(loop) */
  g_autoptr (WeftTask) task = weft_loop_create_task (loop, greet, NULL, NULL);
  if (!weft_loop_run_until_complete (loop, WEFT_FUTURE (task), &error))
    g_printerr ("greet failed: %s\n", error->message);
  weft_loop_close (loop);                                     /* loop.close() */
  return error ? 1 : 0;
}
