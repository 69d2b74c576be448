/* weft.h: the one header to include for libweft
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#define WEFT_INSIDE
#include "weft-version-macros.h"
#include "weft-types.h"
#include "weft-error.h"
#include "weft-handle.h"
#include "weft-loop.h"
#include "weft-future.h"
#include "weft-task.h"
#include "weft-inspect.h"
#include "weft-gio.h"
#include "weft-probe.h"
#undef WEFT_INSIDE
