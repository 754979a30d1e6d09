/* anx-verify-ocmf.c: `anxin-verify ocmf`, signed meter records line by line
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-verify"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "anx-meter-key.h"
#include "anx-ocmf.h"
#include "anx-signature.h"
#include "anx-verify-ocmf.h"
#include "anx-verify-output.h"

/* KEY is a PEM file if such a file exists, otherwise hex or base64 DER */
static AnxMeterKey *
load_key (const char  *key_arg,
          GError     **error)
{
  g_autofree char *contents = NULL;
  AnxMeterKey *key;

  if (g_file_test (key_arg, G_FILE_TEST_IS_REGULAR))
    {
      if (!g_file_get_contents (key_arg, &contents, NULL, error))
        return NULL;
      key = anx_meter_key_new_from_text (contents, error);
      if (key == NULL)
        g_prefix_error (error, "%s: ", key_arg);
      return key;
    }
  return anx_meter_key_new_from_text (key_arg, error);
}

static void
add_result (JsonBuilder *builder,
            guint        line,
            const char  *verdict,
            const char  *reason,
            AnxOcmf     *ocmf)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "line");
  json_builder_add_int_value (builder, line);
  json_builder_set_member_name (builder, "verdict");
  json_builder_add_string_value (builder, verdict);
  json_builder_set_member_name (builder, "reason");
  json_builder_add_string_value (builder, reason != NULL ? reason : "");
  if (ocmf != NULL)
    {
      const char *serial = anx_ocmf_get_string (ocmf, "MS");
      const char *pagination = anx_ocmf_get_string (ocmf, "PG");

      json_builder_set_member_name (builder, "meter_serial");
      json_builder_add_string_value (builder, serial != NULL ? serial : "");
      json_builder_set_member_name (builder, "pagination");
      json_builder_add_string_value (builder, pagination != NULL ? pagination : "");
      json_builder_set_member_name (builder, "algorithm");
      json_builder_add_string_value (builder, anx_ocmf_get_signature_algorithm_name (ocmf));
    }
  json_builder_end_object (builder);
}

/**
 * anx_verify_ocmf_run:
 * @argc: arguments after the command name, counting it
 * @argv: (array length=argc): the arguments
 *
 * Verifies one OCMF record per line of FILE (or standard input) with KEY.
 *
 * Returns: an #AnxVerifyExit status
 */
int
anx_verify_ocmf_run (int    argc,
                     char **argv)
{
  g_autofree char *key_arg = NULL;
  g_auto(GStrv) files = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "key", 'k', 0, G_OPTION_ARG_STRING, &key_arg,
      N_("The meter's public key: hex or base64 DER, or a PEM file"), N_("KEY") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the results as JSON"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("[FILE|-]") },
    { NULL },
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxMeterKey) key = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  const char *path;
  const char *display_name;
  guint n_valid = 0, n_invalid = 0, n_malformed = 0;
  gsize length = 0;

  /* so that --help says "anxin-verify ocmf ..." */
  g_set_prgname ("anxin-verify ocmf");
  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Verifies signed meter records (OCMF), one a line, with the "
                                   "meter's public key."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      anx_verify_print_error ("%s", error->message);
      return ANX_VERIFY_EXIT_USAGE;
    }
  if (key_arg == NULL)
    {
      anx_verify_print_error (_("ocmf: --key is required"));
      return ANX_VERIFY_EXIT_USAGE;
    }
  if (files != NULL && g_strv_length (files) > 1)
    {
      anx_verify_print_error (_("ocmf: give one file, or - for standard input"));
      return ANX_VERIFY_EXIT_USAGE;
    }
  path = files != NULL && files[0] != NULL ? files[0] : "-";
  display_name = g_str_equal (path, "-") ? _("standard input") : path;

  key = load_key (key_arg, &error);
  if (key == NULL)
    {
      anx_verify_print_error (_("the key cannot be read: %s"), error->message);
      return ANX_VERIFY_EXIT_USAGE;
    }

  text = anx_verify_read_input (path, &length, &error);
  if (text == NULL)
    {
      anx_verify_print_error ("%s", error->message);
      return ANX_VERIFY_EXIT_USAGE;
    }
  if (memchr (text, '\0', length) != NULL)
    {
      anx_verify_print_error (_("%s: this is not a text file"), display_name);
      return ANX_VERIFY_EXIT_USAGE;
    }

  if (json)
    {
      builder = json_builder_new_immutable ();
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "file");
      json_builder_add_string_value (builder, path);
      json_builder_set_member_name (builder, "key_fingerprint");
      json_builder_add_string_value (builder, anx_meter_key_get_fingerprint (key));
      json_builder_set_member_name (builder, "results");
      json_builder_begin_array (builder);
    }

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(AnxOcmf) ocmf = NULL;
      g_autoptr(GError) parse_error = NULL;
      g_autofree char *reason = NULL;
      AnxSignatureResult result;
      char *line = lines[i];
      gsize len = strlen (line);
      guint number = i + 1;

      if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
      if (line[strspn (line, " \t")] == '\0')
        continue;

      ocmf = anx_ocmf_parse (line, (gssize) len, &parse_error);
      if (ocmf == NULL)
        {
          n_malformed++;
          /* FILE:LINE: message, the message naming the byte offset */
          anx_verify_print_error ("%s:%u: %s", display_name, number, parse_error->message);
          if (json)
            add_result (builder, number, "malformed", parse_error->message, NULL);
          continue;
        }

      result = anx_signature_verify_ocmf (ocmf, key, &reason);
      if (result == ANX_SIGNATURE_VALID)
        n_valid++;
      else
        n_invalid++;

      if (json)
        add_result (builder, number, anx_signature_result_to_string (result), reason, ocmf);
      else if (result == ANX_SIGNATURE_VALID)
        printf (_("line %u: valid\n"), number);
      else
        printf (_("line %u: %s: %s\n"), number, anx_signature_result_to_string (result),
                reason != NULL ? reason : "");
    }

  if (n_valid + n_invalid + n_malformed == 0)
    {
      anx_verify_print_error (_("%s: no OCMF records"), display_name);
      return ANX_VERIFY_EXIT_USAGE;
    }

  if (json)
    {
      g_autoptr(JsonNode) root = NULL;

      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "valid");
      json_builder_add_int_value (builder, n_valid);
      json_builder_set_member_name (builder, "invalid");
      json_builder_add_int_value (builder, n_invalid);
      json_builder_set_member_name (builder, "malformed");
      json_builder_add_int_value (builder, n_malformed);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      anx_verify_print_json (root);
    }
  else
    printf (_("%u valid, %u not valid, %u unreadable\n"), n_valid, n_invalid, n_malformed);

  if (n_malformed > 0)
    return ANX_VERIFY_EXIT_USAGE;
  return n_invalid > 0 ? ANX_VERIFY_EXIT_FINDINGS : ANX_VERIFY_EXIT_OK;
}
