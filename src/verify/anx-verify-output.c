/* anx-verify-output.c: how anxin-verify reports, for people and machines
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-verify"

#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>

#include "anx-verify-output.h"

/**
 * anx_verify_print_error:
 * @format: printf-style format of a one-line message
 *
 * Prints "anxin-verify: MESSAGE" on standard error: one line, so that a
 * script can show it as it is.
 */
void
anx_verify_print_error (const char *format,
                        ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* keep it to one line even if a message from below has several */
  g_strdelimit (message, "\n\r", ' ');
  fprintf (stderr, "anxin-verify: %s\n", message);
}

/**
 * anx_verify_print_json:
 * @node: the document
 *
 * Prints @node, indented, on standard output.
 */
void
anx_verify_print_json (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, TRUE);

  fputs (text, stdout);
  fputc ('\n', stdout);
}

/**
 * anx_verify_print_finding:
 * @finding: a finding
 *
 * Prints one line: record number, severity, code and the sentence.
 */
void
anx_verify_print_finding (AnxFinding *finding)
{
  g_autofree char *sequence =
      g_strdup_printf ("%" G_GUINT64_FORMAT, anx_finding_get_sequence (finding));
  const char *severity;

  switch (anx_finding_get_severity (finding))
    {
    case ANX_FINDING_SEVERITY_CRITICAL:
      severity = _("critical");
      break;
    case ANX_FINDING_SEVERITY_WARNING:
      severity = _("warning");
      break;
    case ANX_FINDING_SEVERITY_NOTICE:
    default:
      severity = _("notice");
      break;
    }

  /* TRANSLATORS: "record 12  critical  energy-mismatch  Billed ..." */
  printf (_("record %s  %s  %s  %s\n"), sequence, severity, anx_finding_get_code (finding),
          anx_finding_get_message (finding));
}

/**
 * anx_verify_read_input:
 * @path: a file name, or `-` for standard input
 * @length: (out): the length read
 * @error: return location for a #GFileError
 *
 * Returns: (transfer full): the whole input, nul-terminated
 */
char *
anx_verify_read_input (const char  *path,
                       gsize       *length,
                       GError     **error)
{
  GString *text;
  char buffer[8192];
  size_t n;

  if (!g_str_equal (path, "-"))
    {
      char *contents = NULL;

      if (!g_file_get_contents (path, &contents, length, error))
        return NULL;
      return contents;
    }

  text = g_string_new (NULL);
  while ((n = fread (buffer, 1, sizeof buffer, stdin)) > 0)
    g_string_append_len (text, buffer, (gssize) n);
  if (ferror (stdin))
    {
      g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_IO,
                           _("Could not read standard input"));
      g_string_free (text, TRUE);
      return NULL;
    }
  *length = text->len;
  return g_string_free (text, FALSE);
}
