/* inspector-module.c: the module libweft loads for WEFT_INSPECTOR=1
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Gets each loop created on the main context; once GTK is initialised (the app
 * may create its loop before gtk_init() or GApplication's startup), opens an
 * inspector window on it. Holds only a weak reference: a loop freed first is
 * simply not shown.
 */
#include "config.h"

#include <gmodule.h>

#include "weft-inspector.h"

G_MODULE_EXPORT void weft_inspector_module_attach (WeftLoop *loop);

static gboolean
open_when_gtk_is_ready (gpointer data)
{
  GWeakRef *weak = data;
  g_autoptr(WeftLoop) loop = g_weak_ref_get (weak);

  if (loop == NULL || weft_loop_is_closed (loop))
    return G_SOURCE_REMOVE;
  if (!gtk_is_initialized ())
    return G_SOURCE_CONTINUE;
  weft_inspector_open_window (loop);
  return G_SOURCE_REMOVE;
}

static void
free_weak_ref (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

void
weft_inspector_module_attach (WeftLoop *loop)
{
  GWeakRef *weak = g_new0 (GWeakRef, 1);

  g_weak_ref_init (weak, loop);
  g_timeout_add_full (G_PRIORITY_DEFAULT_IDLE, 50, open_when_gtk_is_ready, weak, free_weak_ref);
}
