/* anx-verify-chain.c: `anxin-verify chain`, an evidence bundle end to end
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-verify"

#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>

#include "anx-evidence-bundle.h"
#include "anx-verify-chain.h"
#include "anx-verify-output.h"

static void
print_json (const char        *path,
            AnxEvidenceBundle *bundle,
            GPtrArray         *findings)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;
  AnxChargerEntry *charger = anx_evidence_bundle_get_charger (bundle);
  GPtrArray *records = anx_evidence_bundle_get_records (bundle);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "bundle");
  json_builder_add_string_value (builder, path);
  json_builder_set_member_name (builder, "charger_id");
  json_builder_add_string_value (builder, anx_charger_entry_get_charger_id (charger));
  json_builder_set_member_name (builder, "from_sequence");
  json_builder_add_int_value (builder, (gint64) anx_evidence_bundle_get_from_sequence (bundle));
  json_builder_set_member_name (builder, "to_sequence");
  json_builder_add_int_value (builder, (gint64) anx_evidence_bundle_get_to_sequence (bundle));
  json_builder_set_member_name (builder, "records");
  json_builder_add_int_value (builder, records->len);
  if (records->len > 0)
    {
      g_autofree char *head = anx_chain_hash_to_hex (
          anx_chain_record_get_hash (g_ptr_array_index (records, records->len - 1)));

      json_builder_set_member_name (builder, "last_record_hash");
      json_builder_add_string_value (builder, head);
    }
  json_builder_set_member_name (builder, "valid");
  json_builder_add_boolean_value (builder, findings->len == 0);
  json_builder_set_member_name (builder, "findings");
  json_builder_begin_array (builder);
  for (guint i = 0; i < findings->len; i++)
    json_builder_add_value (builder, anx_finding_to_json_node (g_ptr_array_index (findings, i)));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  anx_verify_print_json (root);
}

static void
print_human (AnxEvidenceBundle *bundle,
             GPtrArray         *findings)
{
  AnxChargerEntry *charger = anx_evidence_bundle_get_charger (bundle);
  guint n_records = anx_evidence_bundle_get_records (bundle)->len;
  g_autofree char *from =
      g_strdup_printf ("%" G_GUINT64_FORMAT, anx_evidence_bundle_get_from_sequence (bundle));
  g_autofree char *to =
      g_strdup_printf ("%" G_GUINT64_FORMAT, anx_evidence_bundle_get_to_sequence (bundle));

  printf (_("Charger %s, station %s, operator %s\n"), anx_charger_entry_get_charger_id (charger),
          anx_charger_entry_get_station_name (charger),
          anx_charger_entry_get_operator_name (charger));
  printf (g_dngettext (GETTEXT_PACKAGE, "Records %s to %s: %u record in the bundle\n",
                       "Records %s to %s: %u records in the bundle\n", n_records),
          from, to, n_records);

  for (guint i = 0; i < findings->len; i++)
    anx_verify_print_finding (g_ptr_array_index (findings, i));

  if (findings->len == 0)
    printf (_("Verified: every hash, link, signature and bill checks out\n"));
  else
    printf (g_dngettext (GETTEXT_PACKAGE, "%u finding\n", "%u findings\n", findings->len),
            findings->len);
}

/**
 * anx_verify_chain_run:
 * @argc: arguments after the command name, counting it
 * @argv: (array length=argc): the arguments
 *
 * Verifies an evidence bundle and prints every finding.
 *
 * Returns: an #AnxVerifyExit status
 */
int
anx_verify_chain_run (int    argc,
                      char **argv)
{
  g_auto(GStrv) files = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the result as JSON"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("BUNDLE") },
    { NULL },
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxEvidenceBundle) bundle = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autofree char *text = NULL;
  const char *path;
  gsize length = 0;

  /* so that --help says "anxin-verify chain ..." */
  g_set_prgname ("anxin-verify chain");
  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Verifies an evidence bundle of a charger's chain: hashes, "
                                   "links, sequence, meter signatures, meter status and "
                                   "billing."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      anx_verify_print_error ("%s", error->message);
      return ANX_VERIFY_EXIT_USAGE;
    }
  if (files == NULL || g_strv_length (files) != 1)
    {
      anx_verify_print_error (_("chain: give exactly one evidence bundle (or - for standard "
                                 "input)"));
      return ANX_VERIFY_EXIT_USAGE;
    }
  path = files[0];

  text = anx_verify_read_input (path, &length, &error);
  if (text == NULL)
    {
      anx_verify_print_error ("%s", error->message);
      return ANX_VERIFY_EXIT_USAGE;
    }
  bundle = anx_evidence_bundle_new_from_json (text, (gssize) length, &error);
  if (bundle == NULL)
    {
      anx_verify_print_error ("%s: %s", g_str_equal (path, "-") ? _("standard input") : path,
                              error->message);
      return ANX_VERIFY_EXIT_USAGE;
    }

  findings = anx_evidence_bundle_verify (bundle);
  if (json)
    print_json (path, bundle, findings);
  else
    print_human (bundle, findings);

  return findings->len == 0 ? ANX_VERIFY_EXIT_OK : ANX_VERIFY_EXIT_FINDINGS;
}
