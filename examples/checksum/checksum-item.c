/* checksum-item.c: one file of the folder, as the list shows it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "checksum-item.h"

struct _ChecksumItem
{
  GObject            parent_instance;
  GFile             *file;
  char              *name;
  guint64            size;
  ChecksumItemState  state;
  char              *digest;    /* or the error message when FAILED */
};

enum { PROP_0, PROP_NAME, PROP_SIZE_TEXT, PROP_STATUS, PROP_DIGEST, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (ChecksumItem, checksum_item, G_TYPE_OBJECT)

static const char *
state_text (ChecksumItemState state)
{
  switch (state)
    {
    case CHECKSUM_ITEM_QUEUED:    return _("Queued");
    case CHECKSUM_ITEM_HASHING:   return _("Reading");
    case CHECKSUM_ITEM_DONE:      return _("Done");
    case CHECKSUM_ITEM_FAILED:    return _("Failed");
    case CHECKSUM_ITEM_CANCELLED: return _("Cancelled");
    default:                      g_assert_not_reached ();
    }
}

static void
checksum_item_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ChecksumItem *self = CHECKSUM_ITEM (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_SIZE_TEXT:
      g_value_take_string (value, g_format_size (self->size));
      break;
    case PROP_STATUS:
      g_value_set_string (value, state_text (self->state));
      break;
    case PROP_DIGEST:
      g_value_set_string (value, self->digest ? self->digest : "");
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
checksum_item_finalize (GObject *object)
{
  ChecksumItem *self = CHECKSUM_ITEM (object);

  g_object_unref (self->file);
  g_free (self->name);
  g_free (self->digest);
  G_OBJECT_CLASS (checksum_item_parent_class)->finalize (object);
}

static void
checksum_item_class_init (ChecksumItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = checksum_item_get_property;
  object_class->finalize = checksum_item_finalize;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIZE_TEXT] = g_param_spec_string ("size-text", NULL, NULL, NULL,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL,
                                                 G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DIGEST] = g_param_spec_string ("digest", NULL, NULL, NULL,
                                                 G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
checksum_item_init (ChecksumItem *self)
{
}

ChecksumItem *
checksum_item_new (GFile      *file,
                   const char *name,
                   guint64     size)
{
  ChecksumItem *self = g_object_new (CHECKSUM_TYPE_ITEM, NULL);

  self->file = g_object_ref (file);
  self->name = g_strdup (name);
  self->size = size;
  return self;
}

GFile *
checksum_item_get_file (ChecksumItem *self)
{
  return self->file;
}

const char *
checksum_item_get_name (ChecksumItem *self)
{
  return self->name;
}

guint64
checksum_item_get_size (ChecksumItem *self)
{
  return self->size;
}

const char *
checksum_item_get_digest (ChecksumItem *self)
{
  return self->state == CHECKSUM_ITEM_DONE ? self->digest : NULL;
}

ChecksumItemState
checksum_item_get_state (ChecksumItem *self)
{
  return self->state;
}

void
checksum_item_set_state (ChecksumItem      *self,
                         ChecksumItemState  state,
                         const char        *digest_or_message)
{
  if (g_strcmp0 (self->digest, digest_or_message) != 0)
    {
      g_free (self->digest);
      self->digest = g_strdup (digest_or_message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIGEST]);
    }
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
    }
}
