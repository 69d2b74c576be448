/* weft-inspector-module.c: WEFT_INSPECTOR=1 opens the inspector in-process
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Like GTK_DEBUG=interactive for GTK's inspector: an app that never linked the
 * inspector gets its window when run with WEFT_INSPECTOR=1. libweft does not
 * depend on GTK, so it loads the inspector module (installed in
 * $libdir/weft-1/, or the path in WEFT_INSPECTOR_MODULE) and hands it each new
 * loop; the module waits for GTK to be initialised and opens the window.
 */
#include "config.h"

#include <gmodule.h>

#include "weft-inspect-server-private.h"
#include "weft-loop-private.h"

typedef void (*AttachFunc) (WeftLoop *loop);

static AttachFunc
load_module (void)
{
  static AttachFunc attach;
  static gsize loaded;

  if (g_once_init_enter (&loaded))
    {
      const char *override = g_getenv ("WEFT_INSPECTOR_MODULE");
      g_autofree char *path = override ? g_strdup (override)
                                       : g_build_filename (WEFT_MODULE_DIR, "libweft-inspector-module.so", NULL);
      GModule *module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
      gpointer symbol = NULL;

      if (module == NULL)
        g_warning ("WEFT_INSPECTOR=1: cannot load the inspector module: %s", g_module_error ());
      else if (!g_module_symbol (module, "weft_inspector_module_attach", &symbol))
        {
          g_warning ("WEFT_INSPECTOR=1: %s is not the Weft inspector module", path);
          g_module_close (module);
        }
      else
        {
          g_module_make_resident (module);
          attach = (AttachFunc) symbol;
        }
      g_once_init_leave (&loaded, 1);
    }
  return attach;
}

static void
maybe_attach (WeftLoop *loop)
{
  AttachFunc attach;

  if (g_strcmp0 (g_getenv ("WEFT_INSPECTOR"), "1") != 0)
    return;
  /* GTK lives on the main context: loops of other threads are not shown. */
  if (loop->context != g_main_context_default ())
    return;
  if ((attach = load_module ()) != NULL)
    attach (loop);
}

const WeftObserver _weft_inspector_module_observer = {
  .name = "in-process inspector (WEFT_INSPECTOR=1)",
  .loop_created = maybe_attach,
};
