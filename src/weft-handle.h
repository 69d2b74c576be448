/* weft-handle.h: handles of scheduled callbacks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
# error "Only <weft.h> can be included directly."
#endif

#include "weft-types.h"
#include "weft-version-macros.h"

G_BEGIN_DECLS

#define WEFT_TYPE_HANDLE (weft_handle_get_type ())

WEFT_AVAILABLE_IN_0_1
GType weft_handle_get_type (void) G_GNUC_CONST;

WEFT_AVAILABLE_IN_0_1
gboolean    weft_handle_cancel       (WeftHandle *handle);
WEFT_AVAILABLE_IN_0_1
gboolean    weft_handle_is_cancelled (WeftHandle *handle);
WEFT_AVAILABLE_IN_0_1
double      weft_handle_when         (WeftHandle *handle);
WEFT_AVAILABLE_IN_0_1
WeftLoop   *weft_handle_get_loop     (WeftHandle *handle);
WEFT_AVAILABLE_IN_0_1
WeftHandle *weft_handle_ref          (WeftHandle *handle);
WEFT_AVAILABLE_IN_0_1
void        weft_handle_unref        (WeftHandle *handle);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WeftHandle, weft_handle_unref)

G_END_DECLS
