/* inspector-demos.c: the demos the app offers: the tutorial's (in C, run in
 * the app's own loop), the GTK one, and the tutorial's Python programs (run
 * with weft for Python in a child process the app attaches to)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "inspector-config.h"
#include "inspector-demos.h"

const WeftDemo inspector_demos[] = {
  { "buttons", N_("a GTK window whose button starts tasks (GTK only)"), "demo-buttons.c",
    NULL, inspector_demo_buttons_start },
#ifdef INSPECTOR_PYTHON
  { "py-greet", N_("the greet coroutine, in Python (asyncio on Weft)"), "greet.py", NULL, NULL },
  { "py-callbacks", N_("call_soon and call_later(2) while sleep(3) runs, in Python"), "callbacks.py", NULL, NULL },
  { "py-countdown", N_("a countdown task, one second a step, in Python"), "countdown.py", NULL, NULL },
#endif
  { NULL, NULL, NULL, NULL, NULL },
};

/* The tutorial's demos, then the app's own. */
const WeftDemo *
inspector_demo_lookup (const char *name)
{
  const WeftDemo *demo = weft_demo_lookup (name);

  for (const WeftDemo *d = inspector_demos; demo == NULL && d->name != NULL; d++)
    if (g_strcmp0 (d->name, name) == 0)
      demo = d;
  return demo;
}

const WeftDemo *
inspector_demo_nth (guint n)
{
  guint n_tutorial = 0;

  while (weft_demos[n_tutorial].name != NULL)
    n_tutorial++;
  if (n < n_tutorial)
    return &weft_demos[n];
  n -= n_tutorial;
  for (guint i = 0; inspector_demos[i].name != NULL; i++)
    if (i == n)
      return &inspector_demos[i];
  return NULL;
}

/* A Python demo runs in a child process (it has no start function). */
gboolean
inspector_demo_is_python (const WeftDemo *demo)
{
  return demo->start == NULL && g_str_has_suffix (demo->source, ".py");
}

#ifdef INSPECTOR_PYTHON
/* Whether this binary runs from its build tree (tests, ./weft.sh demo): then
 * the Python package and examples are taken from the tree, not the install. */
static gboolean
uninstalled (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  return exe != NULL && g_str_has_prefix (exe, INSPECTOR_BUILD_ROOT "/");
}
#endif

/* The path of a Python demo's program. */
char *
inspector_demo_python_path (const WeftDemo *demo)
{
#ifdef INSPECTOR_PYTHON
  return g_build_filename (uninstalled () ? INSPECTOR_SOURCE_ROOT "/python/examples" : INSPECTOR_PYTHON_EXAMPLES,
                           demo->source, NULL);
#else
  return NULL;
#endif
}

/* How to run a Python demo: argv (python3 -m weft PROGRAM) and the
 * environment it needs besides WEFT_INSPECT=1. */
void
inspector_demo_python_command (const WeftDemo  *demo,
                               gboolean         paused,
                               GStrv           *argv,
                               GStrv           *environment)
{
  g_autoptr(GStrvBuilder) args = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) env = g_strv_builder_new ();

#ifdef INSPECTOR_PYTHON
  g_autofree char *path = inspector_demo_python_path (demo);

  g_strv_builder_add_many (args, INSPECTOR_PYTHON, "-m", "weft", path, NULL);
  if (uninstalled ())
    g_strv_builder_add (env, "PYTHONPATH=" INSPECTOR_BUILD_ROOT "/python:" INSPECTOR_SOURCE_ROOT "/python");
#endif
  g_strv_builder_add (env, "PYTHONUNBUFFERED=1");   /* each line as it is printed */
  if (paused)
    g_strv_builder_add (env, "WEFT_INSPECT_PAUSED=1");
  *argv = g_strv_builder_end (args);
  *environment = g_strv_builder_end (env);
}
