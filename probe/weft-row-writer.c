/* weft-row-writer.c: task rows, the inspector's one codec, and arrays of
 * them written as GVariant bytes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A task is a #WeftTaskRow on the wire (weft_task_row_encode() and
 * _decode(); _weft_inspect_add_task() and _add_record() make the rows of a
 * live task and of a finished one). The writer serialises arrays of them,
 * and the snapshot's lists of calls (`a(tssststtd)`, `a(ss)`, `a(ssd)`), in
 * GVariant's serialised format (see GLib's gvariant-serialiser.c): a tuple
 * lays out its members in order, each aligned to its type (8 for t and d, 1
 * for s, strings with their NUL), and ends with the end offsets of its
 * variable-size members but the last, the first one's last; an array of
 * variable-size elements aligns each to the element's alignment and ends
 * with every element's end offset, in order. Offsets are little-endian, of
 * the smallest of 1, 2, 4 or 8 bytes that can address the whole container,
 * offsets included.
 */
#include "config.h"

#include <string.h>

#include "weft-inspect.h"
#include "weft-records-private.h"
#include "weft-row-writer-private.h"
#include "weft-task-private.h"

#define ROW_STRINGS 4   /* name, state, awaits, created_at */

/* The size of the offsets of a container whose body is @body bytes and that
 * has @n offsets (GLib's gvs_calculate_total_size()). */
static guint
offset_size (gsize body,
             gsize n)
{
  if (body + n <= G_MAXUINT8)
    return 1;
  if (body + 2 * n <= G_MAXUINT16)
    return 2;
  if (body + 4 * n <= G_MAXUINT32)
    return 4;
  return 8;
}

static void
put_le (guint8 *at,
        guint64 value,
        guint   size)
{
  for (guint i = 0; i < size; i++)
    at[i] = (guint8) (value >> (8 * i));
}

static void
pad_to (GByteArray *bytes,
        gsize       start,
        guint       align)
{
  static const guint8 zeros[8] = { 0 };
  gsize used = bytes->len - start;

  if (used % align != 0)
    g_byte_array_append (bytes, zeros, (guint) (align - used % align));
}

static void
pad_to_8 (GByteArray *bytes,
          gsize       start)
{
  pad_to (bytes, start, 8);
}

static void
put_u64 (GByteArray *bytes,
         guint64     value)
{
  g_byte_array_append (bytes, (const guint8 *) &value, sizeof value);
}

/* A string member, "" for NULL, made valid UTF-8 as an `s` must be.
 * Returns where it ends in the tuple that begins at @start. */
static gsize
put_string (GByteArray *bytes,
            gsize       start,
            const char *text)
{
  g_autofree char *valid = NULL;

  if (text == NULL)
    text = "";
  if (G_UNLIKELY (!g_utf8_validate (text, -1, NULL)))
    text = valid = g_utf8_make_valid (text, -1);
  g_byte_array_append (bytes, (const guint8 *) text, (guint) strlen (text) + 1);
  return bytes->len - start;
}

/* Ends the tuple that begins at @start: the end offsets @ends of its @n
 * variable-size members but the last, the first member's offset last. */
static void
end_tuple (GByteArray  *bytes,
           gsize        start,
           const gsize *ends,
           guint        n)
{
  gsize body = bytes->len - start;
  guint size = offset_size (body, n);
  guint8 *offsets;

  g_byte_array_set_size (bytes, (guint) (bytes->len + n * size));
  offsets = bytes->data + start + body;
  for (guint i = 0; i < n; i++)
    put_le (offsets + (n - 1 - i) * size, ends[i], size);
}

static void
writer_init (WeftRowWriter *writer,
             const char    *type,
             guint          align)
{
  writer->bytes = g_byte_array_new ();
  writer->ends = g_array_new (FALSE, FALSE, sizeof (gsize));
  writer->type = G_VARIANT_TYPE (type);
  writer->align = align;
}

void
_weft_row_writer_init (WeftRowWriter *writer)
{
  writer_init (writer, "a(tssststtd)", 8);
}

void
_weft_row_writer_init_calls (WeftRowWriter *writer,
                             gboolean       with_left)
{
  if (with_left)
    writer_init (writer, "a(ssd)", 8);
  else
    writer_init (writer, "a(ss)", 1);
}

static void
row_done (WeftRowWriter *writer)
{
  gsize end = writer->bytes->len;

  g_array_append_val (writer->ends, end);
}

void
_weft_row_writer_add (WeftRowWriter     *writer,
                      const WeftTaskRow *row)
{
  GByteArray *bytes = writer->bytes;
  gsize start, ends[ROW_STRINGS];
  double age = row->age;

  /* (The array's elements begin aligned to 8; the tuple's members align
   * from its start.) */
  pad_to_8 (bytes, 0);
  start = bytes->len;
  put_u64 (bytes, row->id);
  ends[0] = put_string (bytes, start, row->name);
  ends[1] = put_string (bytes, start, row->state);
  ends[2] = put_string (bytes, start, row->awaits);
  pad_to_8 (bytes, start);
  put_u64 (bytes, row->runs);
  ends[3] = put_string (bytes, start, row->created_at);
  pad_to_8 (bytes, start);
  put_u64 (bytes, row->busy_ns);
  put_u64 (bytes, row->max_run_ns);
  g_byte_array_append (bytes, (const guint8 *) &age, sizeof age);
  end_tuple (bytes, start, ends, ROW_STRINGS);
  row_done (writer);
}

void
_weft_row_writer_add_call (WeftRowWriter *writer,
                           const char    *name,
                           const char    *where,
                           double         left)
{
  GByteArray *bytes = writer->bytes;
  gboolean with_left = writer->align == 8;
  gsize start, ends[2];

  pad_to (bytes, 0, writer->align);
  start = bytes->len;
  ends[0] = put_string (bytes, start, name);
  ends[1] = put_string (bytes, start, where);
  if (with_left)
    {
      pad_to_8 (bytes, start);
      g_byte_array_append (bytes, (const guint8 *) &left, sizeof left);
    }
  /* (Without the seconds, the place is the last member: no offset.) */
  end_tuple (bytes, start, ends, with_left ? 2 : 1);
  row_done (writer);
}

void
_weft_row_writer_add_value (WeftRowWriter *writer,
                            GVariant      *row)
{
  g_return_if_fail (g_variant_type_equal (writer->type, G_VARIANT_TYPE ("a(tssststtd)")));
  g_return_if_fail (g_variant_is_of_type (row, WEFT_TASK_ROW_TYPE));

  pad_to_8 (writer->bytes, 0);
  g_byte_array_append (writer->bytes, g_variant_get_data (row), (guint) g_variant_get_size (row));
  row_done (writer);
}

GVariant *
_weft_row_writer_end (WeftRowWriter *writer)
{
  GByteArray *bytes = g_steal_pointer (&writer->bytes);
  gsize body = bytes->len, n = writer->ends->len;
  GBytes *data;
  GVariant *rows;

  if (n > 0)
    {
      guint size = offset_size (body, n);

      g_byte_array_set_size (bytes, (guint) (body + n * size));
      for (gsize i = 0; i < n; i++)
        put_le (bytes->data + body + i * size, g_array_index (writer->ends, gsize, i), size);
    }
  g_clear_pointer (&writer->ends, g_array_unref);
  data = g_byte_array_free_to_bytes (bytes);
  rows = g_variant_new_from_bytes (writer->type, data, TRUE);
  g_bytes_unref (data);
  return rows;
}

/**
 * weft_task_row_encode:
 * @builder: a #GVariantBuilder of an array of #WEFT_TASK_ROW_TYPE
 * @row: the task
 *
 * Adds @row to @builder as the inspector's snapshots, Changed signals and
 * recordings carry it (%NULL strings are written as "").
 */
void
weft_task_row_encode (GVariantBuilder   *builder,
                      const WeftTaskRow *row)
{
  g_return_if_fail (builder != NULL);
  g_return_if_fail (row != NULL);

  g_variant_builder_add (builder, "(tssststtd)", row->id, row->name ? row->name : "", row->state ? row->state : "",
                         row->awaits ? row->awaits : "", row->runs, row->created_at ? row->created_at : "",
                         row->busy_ns, row->max_run_ns, row->age);
}

/**
 * weft_task_row_decode:
 * @iter: a #GVariantIter over an array of #WEFT_TASK_ROW_TYPE
 * @row: (out caller-allocates): the next task; its strings belong to the array
 *
 * Reads the next task of @iter.
 *
 * Returns: %TRUE if there was one, %FALSE at the end
 */
gboolean
weft_task_row_decode (GVariantIter *iter,
                      WeftTaskRow  *row)
{
  g_return_val_if_fail (iter != NULL, FALSE);
  g_return_val_if_fail (row != NULL, FALSE);

  return g_variant_iter_next (iter, "(t&s&s&st&sttd)", &row->id, &row->name, &row->state, &row->awaits,
                              &row->runs, &row->created_at, &row->busy_ns, &row->max_run_ns, &row->age);
}

void
_weft_inspect_add_task (WeftRowWriter *rows,
                        WeftTask      *task)
{
  g_autofree char *awaits = weft_task_describe_await (task);
  WeftTaskRow row = {
    .id = task->id,
    .name = task->name,
    .state = weft_task_state_to_string (weft_task_get_state (task)),
    .awaits = awaits,
    .runs = task->runs,
    .created_at = task->created_at,
    .busy_ns = _weft_task_peek_stats (task)->busy_ns,
    .max_run_ns = _weft_task_peek_stats (task)->max_run_ns,
    .age = weft_task_get_age (task),
  };

  _weft_row_writer_add (rows, &row);
}

/* @now: the loop's time (weft_loop_time()), for the task's age. */
void
_weft_inspect_add_record (WeftRowWriter        *rows,
                          const WeftTaskRecord *r,
                          double                now)
{
  WeftTaskRow row = {
    .id = r->id,
    .name = r->name,
    .state = weft_task_state_to_string (r->state),
    .awaits = r->error_message,
    .runs = r->runs,
    .created_at = r->created_at,
    .busy_ns = r->busy_ns,
    .max_run_ns = r->max_run_ns,
    .age = MAX (now - r->created, 0.0),
  };

  _weft_row_writer_add (rows, &row);
}
