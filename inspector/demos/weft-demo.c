/* weft-demo.c: runs the tutorial's examples in a terminal
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <string.h>

#include "weft-demos.h"

const WeftDemo weft_demos[] = {
  { "greet", "new loop, set loop, run_until_complete, close", weft_demo_greet },
  { "callbacks", "call_soon and call_later(2 s) inside a 3 s run", weft_demo_callbacks },
  { "countdown", "a task counting down 3, 2, 1 with weft_sleep()", weft_demo_countdown },
  { NULL, NULL, NULL },
};

static void
list_demos (FILE *out)
{
  fprintf (out, "Usage: weft-demo DEMO | all\n\nDemos:\n");
  for (const WeftDemo *demo = weft_demos; demo->name; demo++)
    fprintf (out, "  %-10s %s\n", demo->name, demo->summary);
}

int
main (int argc, char **argv)
{
  int status = 0;

  if (argc < 2)
    {
      list_demos (stdout);
      return 0;
    }
  for (const WeftDemo *demo = weft_demos; demo->name; demo++)
    {
      if (strcmp (argv[1], "all") == 0)
        {
          g_print ("== %s: %s\n", demo->name, demo->summary);
          status |= demo->run ();
        }
      else if (strcmp (argv[1], demo->name) == 0)
        return demo->run ();
    }
  if (strcmp (argv[1], "all") == 0)
    return status;
  fprintf (stderr, "weft-demo: no demo called '%s'\n\n", argv[1]);
  list_demos (stderr);
  return 2;
}
