/* weft-demos.c: the list of demos
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <glib/gi18n.h>

#include "weft-demos.h"

const WeftDemo weft_demos[] = {
  { "greet", N_("new loop, set loop, run_until_complete, close"), "demo-greet.c",
    weft_demo_greet, weft_demo_greet_start },
  { "callbacks", N_("call_soon and call_later(2 s) inside a 3 s run"), "demo-callbacks.c",
    weft_demo_callbacks, weft_demo_callbacks_start },
  { "countdown", N_("a task counting down 3, 2, 1 with weft_sleep()"), "demo-countdown.c",
    weft_demo_countdown, weft_demo_countdown_start },
  { "countdowns", N_("three countdowns at different paces, interleaved, gathered"), "demo-countdowns.c",
    weft_demo_countdowns, weft_demo_countdowns_start },
  { NULL, NULL, NULL, NULL, NULL },
};

const WeftDemo *
weft_demo_lookup (const char *name)
{
  for (const WeftDemo *demo = weft_demos; demo->name; demo++)
    if (strcmp (demo->name, name) == 0)
      return demo;
  return NULL;
}
