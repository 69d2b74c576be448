/* test-recording.c: reading recordings is bounded (hostile files)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sys/resource.h>
#include <string.h>

#include <weft.h>

#include "inspector-recording.h"

static char *dir;

static glong
max_rss_kib (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

/* One valid record: an empty state at @us microseconds. */
static GBytes *
valid_record (gint64 us)
{
  g_autoptr(GVariant) record = g_variant_ref_sink (
    g_variant_new ("(x(tbs@a(tssststtd)@a(ss)@a(ssd)@as@a(tdduuds)))", us, (guint64) 1, FALSE, "",
                   g_variant_new_array (WEFT_TASK_ROW_TYPE, NULL, 0),
                   g_variant_new_array (G_VARIANT_TYPE ("(ss)"), NULL, 0),
                   g_variant_new_array (G_VARIANT_TYPE ("(ssd)"), NULL, 0),
                   g_variant_new_strv (NULL, 0),
                   g_variant_new_array (G_VARIANT_TYPE ("(tdduuds)"), NULL, 0)));

  return g_variant_get_data_as_bytes (record);
}

static void
append_record (GByteArray   *file,
               const guint8 *data,
               guint32       size)
{
  guint32 le = GUINT32_TO_LE (size);

  g_byte_array_append (file, (const guint8 *) &le, sizeof le);
  g_byte_array_append (file, data, size);
}

static char *
write_file (const char *name,
            GByteArray *file)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, (const char *) file->data, file->len, NULL));
  return path;
}

static GByteArray *
new_file (void)
{
  GByteArray *file = g_byte_array_new ();

  g_byte_array_append (file, (const guint8 *) INSPECTOR_RECORDING_MAGIC, strlen (INSPECTOR_RECORDING_MAGIC));
  return file;
}

/* 20 MB of empty records, then of 1-byte records: each used to become a
 * default-valued state (5.8 GB, 4.6 GB). Now: refused, about the file's
 * size in memory. */
static void
test_tiny_records (void)
{
  for (guint size = 0; size <= 1; size++)
    {
      g_autoptr(GByteArray) file = new_file ();
      g_autoptr(GError) error = NULL;
      g_autofree char *path = NULL;
      g_autoptr(GPtrArray) records = NULL;
      guint8 byte = 'x';
      glong before;

      while (file->len < 20 * 1024 * 1024)
        append_record (file, &byte, size);
      path = write_file ("tiny.rec", file);
      before = max_rss_kib ();
      records = inspector_recording_load (path, &error);
      g_test_message ("%u-byte records: peak RSS grew by %ld KiB", size, max_rss_kib () - before);
      g_assert_null (records);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_nonnull (strstr (error->message, "damaged"));
      /* The file is read once (20 MB); nothing per record. */
      g_assert_cmpint (max_rss_kib () - before, <, 64 * 1024);
      g_unlink (path);
    }
}

/* A damaged record in the middle makes the file invalid; a truncated last one
 * (a recorder cut off) is ignored. */
static void
test_damaged_and_truncated (void)
{
  g_autoptr(GBytes) good = valid_record (0);
  g_autoptr(GByteArray) file = new_file ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) records = NULL;
  guint8 junk[40];

  for (int i = 0; i < 3; i++)
    append_record (file, g_bytes_get_data (good, NULL), (guint32) g_bytes_get_size (good));
  /* Cut the last record short: still three? No: two whole ones, the third cut. */
  g_byte_array_set_size (file, file->len - 3);
  path = write_file ("truncated.rec", file);
  records = inspector_recording_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 2);
  g_clear_pointer (&records, g_ptr_array_unref);

  g_byte_array_set_size (file, strlen (INSPECTOR_RECORDING_MAGIC));
  append_record (file, g_bytes_get_data (good, NULL), (guint32) g_bytes_get_size (good));
  memset (junk, 0xff, sizeof junk);
  append_record (file, junk, sizeof junk);
  append_record (file, g_bytes_get_data (good, NULL), (guint32) g_bytes_get_size (good));
  g_free (path);
  path = write_file ("damaged.rec", file);
  records = inspector_recording_load (path, &error);
  g_assert_null (records);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "state 2"));
  g_clear_error (&error);

  /* A recording of an older Weft says so, and what to do. */
  memcpy (file->data, "WEFTREC3", 8);
  g_free (path);
  path = write_file ("older.rec", file);
  records = inspector_recording_load (path, &error);
  g_assert_null (records);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "another version of Weft (WEFTREC3; this one reads WEFTREC4)"));
}

/* More records than a recorder writes in hours: refused. */
static void
test_too_many_records (void)
{
  g_autoptr(GBytes) good = valid_record (0);
  g_autoptr(GByteArray) file = new_file ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) records = NULL;

  for (guint i = 0; i <= INSPECTOR_RECORDING_MAX_RECORDS; i++)
    append_record (file, g_bytes_get_data (good, NULL), (guint32) g_bytes_get_size (good));
  path = write_file ("many.rec", file);
  records = inspector_recording_load (path, &error);
  g_assert_null (records);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "more than"));
  g_unlink (path);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("weft-recording-XXXXXX", NULL);
  g_test_add_func ("/Weft/Recording/tiny-records", test_tiny_records);
  g_test_add_func ("/Weft/Recording/damaged-and-truncated", test_damaged_and_truncated);
  g_test_add_func ("/Weft/Recording/too-many-records", test_too_many_records);
  status = g_test_run ();
  {
    g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (listing)) != NULL)
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);

        g_unlink (path);
      }
  }
  g_rmdir (dir);
  g_free (dir);
  return status;
}
