/* checksum-item.h: one file of the folder, as the list shows it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  CHECKSUM_ITEM_QUEUED,
  CHECKSUM_ITEM_HASHING,
  CHECKSUM_ITEM_DONE,
  CHECKSUM_ITEM_FAILED,
  CHECKSUM_ITEM_CANCELLED,
} ChecksumItemState;

#define CHECKSUM_TYPE_ITEM (checksum_item_get_type ())
G_DECLARE_FINAL_TYPE (ChecksumItem, checksum_item, CHECKSUM, ITEM, GObject)

ChecksumItem      *checksum_item_new        (GFile             *file,
                                             const char        *name,
                                             guint64            size);
GFile             *checksum_item_get_file   (ChecksumItem      *self);
const char        *checksum_item_get_name   (ChecksumItem      *self);
guint64            checksum_item_get_size   (ChecksumItem      *self);
const char        *checksum_item_get_digest (ChecksumItem      *self);
ChecksumItemState  checksum_item_get_state  (ChecksumItem      *self);
void               checksum_item_set_state  (ChecksumItem      *self,
                                             ChecksumItemState  state,
                                             const char        *digest_or_message);

G_END_DECLS
