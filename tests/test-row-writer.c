/* test-row-writer.c: task rows serialised by hand, byte for byte as GLib does
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "weft-test-common.h"
#include "weft-row-writer-private.h"

/* A string of @len bytes (ASCII, or with multi-byte characters). */
static char *
text_of (GRand *rand,
         guint  len)
{
  GString *text = g_string_new (NULL);

  while (text->len < len)
    {
      if (g_rand_int_range (rand, 0, 8) == 0)
        g_string_append (text, "→");
      else
        g_string_append_c (text, (char) g_rand_int_range (rand, 'a', 'z' + 1));
    }
  return g_string_free (text, FALSE);
}

/* The rows as GLib's own builder serialises them. */
static GVariant *
rows_by_glib (const WeftTaskRow *rows,
              guint              n)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(tssststtd)"));
  for (guint i = 0; i < n; i++)
    weft_task_row_encode (&builder, &rows[i]);
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static void
assert_same_bytes (GVariant *ours,
                   GVariant *glibs)
{
  g_assert_cmpuint (g_variant_get_size (ours), ==, g_variant_get_size (glibs));
  g_assert_cmpmem (g_variant_get_data (ours), g_variant_get_size (ours),
                   g_variant_get_data (glibs), g_variant_get_size (glibs));
  g_assert_true (g_variant_is_normal_form (ours));
  g_assert_true (g_variant_equal (ours, glibs));
}

/* Rows of every size class: strings empty, NULL, short, past 255 bytes (a
 * tuple's offsets of 2 bytes) and past 64 KiB (4 bytes); arrays of one row,
 * of a few, and past 64 KiB in all (the array's offsets of 4 bytes). */
static void
test_same_bytes_as_glib (void)
{
  static const guint lengths[] = { 0, 1, 7, 8, 60, 200, 250, 300, 5000, 70000 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (14);
  WeftRowWriter writer;

  for (guint round = 0; round < 60; round++)
    {
      guint n = round == 0 ? 0 : round < 40 ? (guint) g_rand_int_range (rand, 1, 6) : (guint) g_rand_int_range (rand, 100, 400);
      WeftTaskRow *rows = g_new0 (WeftTaskRow, MAX (n, 1));
      GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GVariant) ours = NULL, glibs = NULL;

      for (guint i = 0; i < n; i++)
        {
          char *name = text_of (rand, lengths[g_rand_int_range (rand, 0, round < 40 ? G_N_ELEMENTS (lengths) : 6)]);
          char *awaits = text_of (rand, lengths[g_rand_int_range (rand, 0, 6)]);

          g_ptr_array_add (texts, name);
          g_ptr_array_add (texts, awaits);
          rows[i] = (WeftTaskRow) {
            .id = g_rand_int (rand) * (guint64) G_MAXUINT32,
            .name = name,
            .state = g_rand_boolean (rand) ? "running" : NULL,
            .awaits = awaits,
            .runs = g_rand_int (rand),
            .created_at = g_rand_boolean (rand) ? "test-row-writer.c:99" : "",
            .busy_ns = g_rand_int (rand),
            .max_run_ns = g_rand_int (rand),
            .age = g_rand_double (rand) * 1e4,
          };
        }
      _weft_row_writer_init (&writer);
      for (guint i = 0; i < n; i++)
        _weft_row_writer_add (&writer, &rows[i]);
      ours = g_variant_ref_sink (_weft_row_writer_end (&writer));
      glibs = rows_by_glib (rows, n);
      g_test_message ("round %u: %u rows, %" G_GSIZE_FORMAT " bytes", round, n, g_variant_get_size (glibs));
      assert_same_bytes (ours, glibs);
      g_ptr_array_unref (texts);
      g_free (rows);
    }
}

/* A row made elsewhere (another runtime's) goes in as it is, between ours;
 * a name that is not UTF-8 goes out made valid, as an `s` must be. */
static void
test_values_and_bad_text (void)
{
  WeftTaskRow row = { .id = 7, .name = "seven", .state = "done", .awaits = "", .runs = 3, .age = 1.5 };
  WeftTaskRow bad = { .id = 8, .name = "caf\xe9 \xff", .state = "pending", .runs = 1 };
  WeftTaskRow bad_made_valid = bad;
  g_autofree char *valid = g_utf8_make_valid (bad.name, -1);
  WeftTaskRow expected[3];
  g_autoptr(GVariant) foreign_rows = NULL, foreign = NULL, ours = NULL, glibs = NULL;
  WeftRowWriter writer;
  GVariantBuilder one;

  g_variant_builder_init (&one, G_VARIANT_TYPE ("a(tssststtd)"));
  weft_task_row_encode (&one, &(WeftTaskRow) { .id = 99, .name = "asyncio main()", .state = "pending",
                                               .awaits = "sleep", .runs = 12, .created_at = "x.py:3" });
  foreign_rows = g_variant_ref_sink (g_variant_builder_end (&one));
  foreign = g_variant_get_child_value (foreign_rows, 0);

  _weft_row_writer_init (&writer);
  _weft_row_writer_add (&writer, &row);
  _weft_row_writer_add_value (&writer, foreign);
  _weft_row_writer_add (&writer, &bad);
  ours = g_variant_ref_sink (_weft_row_writer_end (&writer));

  bad_made_valid.name = valid;
  expected[0] = row;
  g_variant_get (foreign, "(t&s&s&st&sttd)", &expected[1].id, &expected[1].name, &expected[1].state,
                 &expected[1].awaits, &expected[1].runs, &expected[1].created_at, &expected[1].busy_ns,
                 &expected[1].max_run_ns, &expected[1].age);
  expected[2] = bad_made_valid;
  glibs = rows_by_glib (expected, 3);
  assert_same_bytes (ours, glibs);
}

/* The snapshot's ready queue, `a(ss)`, and timers, `a(ssd)`: names and
 * places of every length (offsets of 1, 2 and 4 bytes), NULL for "", the
 * "N more" row, negative seconds for a timer that never fires. */
static void
test_calls_same_bytes_as_glib (void)
{
  static const guint lengths[] = { 0, 1, 9, 120, 250, 300, 70000 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);

  for (guint round = 0; round < 40; round++)
    for (int with_left = 0; with_left < 2; with_left++)
      {
        guint n = round == 0 ? 0 : (guint) g_rand_int_range (rand, 1, round < 30 ? 5 : 300);
        g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
        g_autoptr(GVariant) ours = NULL, glibs = NULL;
        GVariantBuilder builder;
        WeftRowWriter writer;

        _weft_row_writer_init_calls (&writer, with_left);
        g_variant_builder_init (&builder, with_left ? G_VARIANT_TYPE ("a(ssd)") : G_VARIANT_TYPE ("a(ss)"));
        for (guint i = 0; i < n; i++)
          {
            guint kinds = round < 30 ? G_N_ELEMENTS (lengths) : 4;
            char *name = g_rand_int_range (rand, 0, 6) == 0 ? NULL : text_of (rand, lengths[g_rand_int_range (rand, 0, kinds)]);
            char *where = text_of (rand, lengths[g_rand_int_range (rand, 0, kinds)]);
            double left = g_rand_boolean (rand) ? -1.0 : g_rand_double (rand) * 100;

            g_ptr_array_add (texts, name);
            g_ptr_array_add (texts, where);
            _weft_row_writer_add_call (&writer, name, where, left);
            if (with_left)
              g_variant_builder_add (&builder, "(ssd)", name ? name : "", where, left);
            else
              g_variant_builder_add (&builder, "(ss)", name ? name : "", where);
          }
        ours = g_variant_ref_sink (_weft_row_writer_end (&writer));
        glibs = g_variant_ref_sink (g_variant_builder_end (&builder));
        assert_same_bytes (ours, glibs);
      }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Weft/RowWriter/same-bytes-as-glib", test_same_bytes_as_glib);
  g_test_add_func ("/Weft/RowWriter/values-and-bad-text", test_values_and_bad_text);
  g_test_add_func ("/Weft/RowWriter/calls-same-bytes-as-glib", test_calls_same_bytes_as_glib);
  return g_test_run ();
}
