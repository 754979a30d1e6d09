/* anx-csv.c: CSV files that spreadsheets in China open as they are
 *
 * RFC 4180: fields separated by commas, rows ended by CRLF, a field that
 * holds a comma, a double quote, a line break or leading or trailing
 * spaces is quoted, with its double quotes doubled. The file starts with
 * a UTF-8 byte order mark: without it Excel in a Chinese locale reads the
 * file as GBK and garbles every Chinese character.
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-csv"

#include "config.h"

#include <string.h>

#include "anx-csv.h"

#define UTF8_BOM "\xEF\xBB\xBF"

/**
 * anx_csv_new:
 *
 * Returns: (transfer full): an empty CSV text, holding only the byte order mark
 */
GString *
anx_csv_new (void)
{
  return g_string_new (UTF8_BOM);
}

static gboolean
needs_quotes (const char *field)
{
  gsize len = strlen (field);

  if (len == 0)
    return FALSE;
  if (field[0] == ' ' || field[0] == '\t' || field[len - 1] == ' ' || field[len - 1] == '\t')
    return TRUE;
  return strpbrk (field, ",\"\r\n") != NULL;
}

/**
 * anx_csv_append_field:
 * @csv: a CSV text
 * @field: (nullable): the field's text (UTF-8); %NULL is an empty field
 * @first: whether it starts a row (no separator before it)
 *
 * Appends one field, quoted when it must be.
 */
void
anx_csv_append_field (GString    *csv,
                      const char *field,
                      gboolean    first)
{
  g_return_if_fail (csv != NULL);

  if (!first)
    g_string_append_c (csv, ',');
  if (field == NULL)
    return;
  if (!needs_quotes (field))
    {
      g_string_append (csv, field);
      return;
    }
  g_string_append_c (csv, '"');
  for (const char *p = field; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (csv, '"');
      g_string_append_c (csv, *p);
    }
  g_string_append_c (csv, '"');
}

/**
 * anx_csv_append_row:
 * @csv: a CSV text
 * @fields: (array length=n_fields): the fields, %NULL ones empty
 * @n_fields: the number of fields, or -1 if @fields is %NULL-terminated
 *
 * Appends a row ended by CRLF.
 */
void
anx_csv_append_row (GString           *csv,
                    const char *const *fields,
                    gssize             n_fields)
{
  g_return_if_fail (csv != NULL);

  if (n_fields < 0)
    n_fields = fields != NULL ? (gssize) g_strv_length ((char **) fields) : 0;
  for (gssize i = 0; i < n_fields; i++)
    anx_csv_append_field (csv, fields[i], i == 0);
  g_string_append (csv, "\r\n");
}

/**
 * anx_csv_save:
 * @csv: a CSV text
 * @path: where to write it
 * @error: return location for an error
 *
 * Writes @csv atomically (a temporary file renamed over @path).
 *
 * Returns: %TRUE on success
 */
gboolean
anx_csv_save (GString     *csv,
              const char  *path,
              GError     **error)
{
  g_return_val_if_fail (csv != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  return g_file_set_contents (path, csv->str, (gssize) csv->len, error);
}
