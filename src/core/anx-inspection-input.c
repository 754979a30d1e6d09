/* anx-inspection-input.c: what an officer types into the inspection form,
 * checked field by field
 *
 * Each function returns %NULL when the text is good (and its value through
 * the out parameter), or a translated sentence that says what is wrong, for
 * the form to show next to the field.
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-inspection-input"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "anx-inspection-input.h"

/* Full-width digits, signs and punctuation (common with Chinese input
 * methods) become their ASCII forms; spaces around are dropped. */
static char *
normalize (const char *text)
{
  char *folded;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return NULL;
  folded = g_utf8_normalize (text, -1, G_NORMALIZE_ALL_COMPOSE);
  return folded != NULL ? g_strstrip (folded) : NULL;
}

/**
 * anx_inspection_parse_error:
 * @text: the measured error in percent, e.g. "+1.80", "-0.5 %", or empty
 * @measured: (out): whether an error was given
 * @error_bp: (out): the error in basis points (0.01 %)
 *
 * Returns: (transfer full) (nullable): what is wrong, or %NULL
 */
char *
anx_inspection_parse_error (const char *text,
                            gboolean   *measured,
                            gint32     *error_bp)
{
  g_autofree char *clean = normalize (text);
  const char *p;
  gboolean negative = FALSE;
  gint64 whole = 0;
  gint64 hundredths = 0;
  guint n_digits = 0;
  guint n_decimals = 0;
  gsize len;

  *measured = FALSE;
  *error_bp = 0;
  if (clean == NULL)
    return g_strdup (_("Not valid text"));
  len = strlen (clean);
  if (len > 0 && clean[len - 1] == '%')
    {
      clean[len - 1] = '\0';
      g_strchomp (clean);
    }
  if (*clean == '\0')
    return NULL; /* not measured */

  p = clean;
  if (*p == '+' || *p == '-')
    negative = *p++ == '-';
  for (; g_ascii_isdigit (*p); p++, n_digits++)
    {
      whole = whole * 10 + (*p - '0');
      if (whole > 1000000)
        break;
    }
  if (*p == '.' || *p == ',')
    {
      for (p++; g_ascii_isdigit (*p); p++, n_decimals++)
        {
          if (n_decimals < 2)
            hundredths = hundredths * 10 + (*p - '0');
          else if (*p != '0')
            return g_strdup (_("Give the error to two decimal places at most, e.g. 1.25"));
        }
      if (n_decimals == 1)
        hundredths *= 10;
    }
  if (*p != '\0' || n_digits + n_decimals == 0)
    return g_strdup (_("Not a number: write the error in percent, e.g. -0.35"));

  if (whole * 100 + hundredths > ANX_INSPECTION_MAX_ERROR_BP)
    /* Translators: %d is the largest error in percent, e.g. 100 */
    return g_strdup_printf (_("Out of range: the error must lie between −%1$d %% and %2$d %%"),
                            ANX_INSPECTION_MAX_ERROR_BP / 100, ANX_INSPECTION_MAX_ERROR_BP / 100);

  *measured = TRUE;
  *error_bp = (gint32) (whole * 100 + hundredths) * (negative ? -1 : 1);
  return NULL;
}

static gboolean
is_seal_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_' || c == '.' || c == '/';
}

/**
 * anx_inspection_parse_seals:
 * @text: seal numbers separated by commas, semicolons, spaces or lines
 * @seals: (out) (transfer full): the seal numbers, in order
 *
 * A seal number is 1 to 64 ASCII letters, digits, `-`, `_`, `.` or `/`;
 * at most 32 in a list, each once.
 *
 * Returns: (transfer full) (nullable): what is wrong, or %NULL
 */
char *
anx_inspection_parse_seals (const char *text,
                            GStrv      *seals)
{
  g_autofree char *clean = normalize (text);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) parts = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = 0;

  *seals = NULL;
  if (clean == NULL)
    return g_strdup (_("Not valid text"));

  /* The ideographic comma and full-width separators fold to ASCII above,
   * except 、, which has no compatibility form. */
  {
    g_autoptr(GString) spaced = g_string_new (NULL);

    for (const char *p = clean; *p != '\0'; p = g_utf8_next_char (p))
      {
        gunichar c = g_utf8_get_char (p);

        if (c == 0x3001 || c == ',' || c == ';' || g_unichar_isspace (c))
          g_string_append_c (spaced, ' ');
        else
          g_string_append_unichar (spaced, c);
      }
    parts = g_strsplit (spaced->str, " ", -1);
  }

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *seal = parts[i];

      if (*seal == '\0')
        continue;
      for (const char *p = seal; *p != '\0'; p++)
        if (!is_seal_char (*p))
          /* Translators: %s is the seal number as typed */
          return g_strdup_printf (_("“%s” is not a seal number: use letters, digits, "
                                    "“-”, “_”, “.” or “/”"),
                                  seal);
      if (strlen (seal) > ANX_INSPECTION_MAX_SEAL_BYTES)
        return g_strdup_printf (_("“%s” is too long for a seal number (64 characters at most)"),
                                seal);
      if (!g_hash_table_add (seen, (gpointer) seal))
        return g_strdup_printf (_("“%s” is listed twice"), seal);
      if (++n > ANX_INSPECTION_MAX_SEALS)
        return g_strdup (_("At most 32 seal numbers"));
      g_strv_builder_add (builder, seal);
    }
  *seals = g_strv_builder_end (builder);
  return NULL;
}

/**
 * anx_inspection_parse_time:
 * @text: a date and time, "YYYY-MM-DD HH:MM" (seconds optional)
 * @zone: the zone @text is in
 * @now: the present
 * @time: (out) (transfer full): the time
 *
 * The time may not lie in the future (a minute of slack for clocks).
 *
 * Returns: (transfer full) (nullable): what is wrong, or %NULL
 */
char *
anx_inspection_parse_time (const char  *text,
                           GTimeZone   *zone,
                           GDateTime   *now,
                           GDateTime  **time)
{
  g_autofree char *clean = normalize (text);
  g_autoptr(GDateTime) parsed = NULL;
  int year, month, day, hour, minute, second = 0;
  int used = 0;
  int n;

  *time = NULL;
  if (clean == NULL)
    return g_strdup (_("Not valid text"));
  n = sscanf (clean, "%4d-%2d-%2d %2d:%2d%n", &year, &month, &day, &hour, &minute, &used);
  if (n == 5 && clean[used] == ':')
    {
      int more = 0;

      if (sscanf (clean + used, ":%2d%n", &second, &more) != 1)
        n = 0;
      used += more;
    }
  if (n != 5 || clean[used] != '\0')
    return g_strdup (_("Write the date and time as 2026-03-16 10:20"));
  parsed = g_date_time_new (zone, year, month, day, hour, minute, second);
  if (parsed == NULL || year < 2000)
    return g_strdup (_("There is no such date or time"));
  if (g_date_time_difference (parsed, now) > 60 * G_TIME_SPAN_SECOND)
    return g_strdup (_("The inspection cannot lie in the future"));
  *time = g_steal_pointer (&parsed);
  return NULL;
}

/**
 * anx_inspection_format_time:
 * @time: a time
 * @zone: the zone to write it in
 *
 * Returns: (transfer full): @time as anx_inspection_parse_time() reads it
 */
char *
anx_inspection_format_time (GDateTime *time,
                            GTimeZone *zone)
{
  g_autoptr(GDateTime) local = g_date_time_to_timezone (time, zone);

  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

/**
 * anx_inspection_check_inspector:
 * @text: who inspected
 *
 * Returns: (transfer full) (nullable): what is wrong, or %NULL
 */
char *
anx_inspection_check_inspector (const char *text)
{
  g_autofree char *clean = normalize (text);

  if (clean == NULL || *clean == '\0')
    return g_strdup (_("Say who inspected"));
  if (strlen (clean) > ANX_INSPECTION_MAX_INSPECTOR)
    return g_strdup (_("Too long (256 bytes at most)"));
  return NULL;
}

/**
 * anx_inspection_check_notes:
 * @text: (nullable): the notes
 *
 * Returns: (transfer full) (nullable): what is wrong, or %NULL
 */
char *
anx_inspection_check_notes (const char *text)
{
  if (text == NULL)
    return NULL;
  if (!g_utf8_validate (text, -1, NULL))
    return g_strdup (_("Not valid text"));
  if (strlen (text) > ANX_INSPECTION_MAX_NOTES)
    return g_strdup (_("The notes are too long (4,096 bytes at most)"));
  return NULL;
}

/**
 * anx_inspection_seals_to_text:
 * @stored: (nullable): seal numbers as the store keeps them (a JSON array)
 *
 * Returns: (transfer full): the seal numbers separated by ", " (empty for
 *   none); text that is not a JSON array of strings is returned as it is
 */
char *
anx_inspection_seals_to_text (const char *stored)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) text = g_string_new (NULL);
  JsonArray *array;

  if (stored == NULL)
    return g_strdup ("");
  if (!json_parser_load_from_data (parser, stored, -1, NULL) ||
      !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    return g_strdup (stored);
  array = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        return g_strdup (stored);
      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append (text, json_node_get_string (element));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/**
 * anx_inspection_display_time:
 * @stored: (nullable): an RFC 3339 time, as the store keeps it
 * @zone: the zone to show it in
 *
 * Returns: (transfer full): the time in the user's locale (`%x %X`) in
 *   @zone, or @stored as it is when it is not a time
 */
char *
anx_inspection_display_time (const char *stored,
                             GTimeZone  *zone)
{
  g_autoptr(GDateTime) time = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (stored == NULL)
    return g_strdup ("");
  time = g_date_time_new_from_iso8601 (stored, NULL);
  if (time == NULL)
    return g_strdup (stored);
  local = g_date_time_to_timezone (time, zone);
  return g_date_time_format (local, "%x %X");
}
