/* weft-demo.c: runs the tutorial's examples in a terminal
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <string.h>

#include "weft-demos.h"


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
