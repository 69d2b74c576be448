/* weft-probe.c: the probe registers itself with the core
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * When libweft is loaded, its observers register with the core (which never
 * names them): the inspector server (weft_loop_serve_inspector(),
 * WEFT_INSPECT=1), the in-process inspector module (WEFT_INSPECTOR=1) and
 * Sysprof marks (under Sysprof).
 */
#include "config.h"

#include "weft-inspect-server-private.h"
#include "weft-records-private.h"
#include "weft-sysprof-private.h"

__attribute__ ((constructor)) static void
weft_probe_register (void)
{
  _weft_inspect_server_observer_id = _weft_observer_register (&_weft_inspect_server_observer);
  _weft_observer_register (&_weft_inspector_module_observer);
  _weft_sysprof_register ();
  _weft_records_register ();
}
