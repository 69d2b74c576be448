/* inspector-recording.c: reading recordings, bounded
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A recording is INSPECTOR_RECORDING_MAGIC, then records, each a guint32
 * length (little endian) and a serialized INSPECTOR_RECORD_TYPE. A file is
 * untrusted input: every record must be a valid state in normal form (GVariant
 * would otherwise make a default value of each bad one, so 20 MB of empty
 * records cost gigabytes), the records reference the one copy of the file
 * read (no copy each), and the file's size and its number of records are
 * capped. A damaged record makes the whole file invalid; only a truncated
 * last record (a recorder cut off) is ignored.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "inspector-recording.h"

GPtrArray *
inspector_recording_load (const char  *path,
                          GError     **error)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_autoptr(GBytes) file = NULL;
  const char *contents;
  char *data = NULL;
  gsize length, offset;
  GStatBuf st;

  if (g_stat (path, &st) == 0 && (guint64) st.st_size > INSPECTOR_RECORDING_MAX_BYTES)
    {
      g_autofree char *size = g_format_size ((guint64) st.st_size);
      g_autofree char *most = g_format_size (INSPECTOR_RECORDING_MAX_BYTES);

      /* TRANSLATORS: a file's path, its size and the largest size allowed, as in "1.1 GB" */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s is too large for a Weft recording (%s, at most %s)"), path, size, most);
      return NULL;
    }
  if (!g_file_get_contents (path, &data, &length, error))
    return NULL;
  file = g_bytes_new_take (data, length);
  contents = data;
  if (length < strlen (INSPECTOR_RECORDING_MAGIC)
      || memcmp (contents, INSPECTOR_RECORDING_MAGIC, strlen (INSPECTOR_RECORDING_MAGIC)) != 0)
    {
      if (length >= strlen (INSPECTOR_RECORDING_MAGIC) && memcmp (contents, "WEFTREC", 7) == 0)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     _("%s was recorded by another version of Weft (%.8s; this one reads %s): record it again"),
                     path, contents, INSPECTOR_RECORDING_MAGIC);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("%s is not a Weft recording"), path);
      return NULL;
    }
  for (offset = strlen (INSPECTOR_RECORDING_MAGIC); offset + sizeof (guint32) <= length;)
    {
      g_autoptr(GBytes) bytes = NULL;
      GVariant *record;
      guint32 size;

      memcpy (&size, contents + offset, sizeof size);
      size = GUINT32_FROM_LE (size);
      offset += sizeof size;
      if (size > length - offset)
        break;   /* truncated: the recorder was cut off */
      if (records->len == INSPECTOR_RECORDING_MAX_RECORDS)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("%s holds more than %u recorded states"), path, INSPECTOR_RECORDING_MAX_RECORDS);
          return NULL;
        }
      bytes = g_bytes_new_from_bytes (file, offset, size);
      record = g_variant_ref_sink (g_variant_new_from_bytes (INSPECTOR_RECORD_TYPE, bytes, FALSE));
      if (!g_variant_is_normal_form (record))
        {
          g_variant_unref (record);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("%s is damaged: recorded state %u is not valid"), path, records->len + 1);
          return NULL;
        }
      g_ptr_array_add (records, record);
      offset += size;
    }
  if (records->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("%s holds no recorded state"), path);
      return NULL;
    }
  return g_steal_pointer (&records);
}
