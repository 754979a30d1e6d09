/* anx-evidence-bundle.c: a range of a charger's chain, checkable on its own
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-evidence-bundle"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "anx-chain-json.h"
#include "anx-chain-verifier.h"
#include "anx-evidence-bundle.h"

struct _AnxEvidenceBundle
{
  gatomicrefcount ref_count;
  AnxChargerEntry *charger;
  GDateTime *exported_at;
  guint64 from_sequence;
  guint64 to_sequence;
  guint8 prev_hash[ANX_CHAIN_HASH_SIZE];
  GPtrArray *records;
};

G_DEFINE_BOXED_TYPE (AnxEvidenceBundle,
                     anx_evidence_bundle,
                     anx_evidence_bundle_ref,
                     anx_evidence_bundle_unref)

/**
 * anx_evidence_bundle_new:
 * @charger: the charger's registry entry
 * @exported_at: when the bundle is made
 * @from_sequence: the first record of the range
 * @to_sequence: the last record of the range
 * @prev_hash: (nullable): the hash of record @from_sequence - 1, %NULL for
 *   the genesis value (when @from_sequence is 0)
 *
 * Creates an empty bundle; add the range's records in order with
 * anx_evidence_bundle_add_record().
 *
 * Returns: (transfer full): the bundle
 */
AnxEvidenceBundle *
anx_evidence_bundle_new (AnxChargerEntry *charger,
                         GDateTime       *exported_at,
                         guint64          from_sequence,
                         guint64          to_sequence,
                         const guint8    *prev_hash)
{
  AnxEvidenceBundle *self;

  g_return_val_if_fail (charger != NULL, NULL);
  g_return_val_if_fail (exported_at != NULL, NULL);
  g_return_val_if_fail (from_sequence <= to_sequence, NULL);

  self = g_new0 (AnxEvidenceBundle, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->charger = anx_charger_entry_ref (charger);
  self->exported_at = g_date_time_ref (exported_at);
  self->from_sequence = from_sequence;
  self->to_sequence = to_sequence;
  memcpy (self->prev_hash, prev_hash != NULL ? prev_hash : anx_chain_genesis_hash (),
          ANX_CHAIN_HASH_SIZE);
  self->records = g_ptr_array_new_with_free_func ((GDestroyNotify) anx_chain_record_unref);
  return self;
}

/**
 * anx_evidence_bundle_new_from_chain:
 * @charger: the charger's registry entry
 * @exported_at: when the bundle is made
 * @chain: (element-type AnxChainRecord): the charger's records in sequence
 *   order, at least up to @to_sequence and from @from_sequence - 1
 * @from_sequence: the first record to export
 * @to_sequence: the last record to export (G_MAXUINT64 for the last there is)
 * @error: return location for an %ANX_CHAIN_RECORD_ERROR
 *
 * Cuts the range out of @chain, taking the link value from the record
 * before it.
 *
 * Returns: (transfer full): the bundle, or %NULL if @chain does not hold
 *   the range
 */
AnxEvidenceBundle *
anx_evidence_bundle_new_from_chain (AnxChargerEntry  *charger,
                                    GDateTime        *exported_at,
                                    GPtrArray        *chain,
                                    guint64           from_sequence,
                                    guint64           to_sequence,
                                    GError          **error)
{
  g_autoptr(AnxEvidenceBundle) self = NULL;
  const guint8 *prev_hash = NULL;
  guint64 last = 0;
  gboolean found = FALSE;

  g_return_val_if_fail (chain != NULL, NULL);

  for (guint i = 0; i < chain->len; i++)
    {
      AnxChainRecord *record = g_ptr_array_index (chain, i);
      guint64 sequence = anx_chain_record_get_sequence (record);

      if (from_sequence > 0 && sequence == from_sequence - 1)
        prev_hash = anx_chain_record_get_hash (record);
      if (sequence >= from_sequence && sequence <= to_sequence)
        {
          found = TRUE;
          last = MAX (last, sequence);
        }
    }

  if (!found || (from_sequence > 0 && prev_hash == NULL))
    {
      g_set_error (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_INVALID_VALUE,
                   _("The chain does not hold the records needed for this range"));
      return NULL;
    }

  self = anx_evidence_bundle_new (charger, exported_at, from_sequence,
                                  to_sequence == G_MAXUINT64 ? last : to_sequence, prev_hash);
  for (guint i = 0; i < chain->len; i++)
    {
      AnxChainRecord *record = g_ptr_array_index (chain, i);
      guint64 sequence = anx_chain_record_get_sequence (record);

      if (sequence >= from_sequence && sequence <= self->to_sequence)
        anx_evidence_bundle_add_record (self, record);
    }
  return g_steal_pointer (&self);
}

/**
 * anx_evidence_bundle_ref:
 * @self: a bundle
 *
 * Returns: (transfer full): @self
 */
AnxEvidenceBundle *
anx_evidence_bundle_ref (AnxEvidenceBundle *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * anx_evidence_bundle_unref:
 * @self: (transfer full): a bundle
 */
void
anx_evidence_bundle_unref (AnxEvidenceBundle *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  anx_charger_entry_unref (self->charger);
  g_date_time_unref (self->exported_at);
  g_ptr_array_unref (self->records);
  g_free (self);
}

/**
 * anx_evidence_bundle_add_record:
 * @self: a bundle
 * @record: the next record of the range
 */
void
anx_evidence_bundle_add_record (AnxEvidenceBundle *self,
                                AnxChainRecord    *record)
{
  g_return_if_fail (record != NULL);
  g_ptr_array_add (self->records, anx_chain_record_ref (record));
}

/**
 * anx_evidence_bundle_get_charger:
 * @self: a bundle
 *
 * Returns: (transfer none): the charger's registry entry
 */
AnxChargerEntry *
anx_evidence_bundle_get_charger (AnxEvidenceBundle *self)
{
  return self->charger;
}

/**
 * anx_evidence_bundle_get_exported_at:
 * @self: a bundle
 *
 * Returns: (transfer none): when the bundle was made
 */
GDateTime *
anx_evidence_bundle_get_exported_at (AnxEvidenceBundle *self)
{
  return self->exported_at;
}

guint64
anx_evidence_bundle_get_from_sequence (AnxEvidenceBundle *self)
{
  return self->from_sequence;
}

guint64
anx_evidence_bundle_get_to_sequence (AnxEvidenceBundle *self)
{
  return self->to_sequence;
}

/**
 * anx_evidence_bundle_get_prev_hash:
 * @self: a bundle
 *
 * Returns: (transfer none): the hash the range's first record links to
 */
const guint8 *
anx_evidence_bundle_get_prev_hash (AnxEvidenceBundle *self)
{
  return self->prev_hash;
}

/**
 * anx_evidence_bundle_get_records:
 * @self: a bundle
 *
 * Returns: (transfer none) (element-type AnxChainRecord): the records
 */
GPtrArray *
anx_evidence_bundle_get_records (AnxEvidenceBundle *self)
{
  return self->records;
}

/**
 * anx_evidence_bundle_verify:
 * @self: a bundle
 *
 * Verifies the range end to end with #AnxChainVerifier, starting from the
 * bundle's `prev_hash` and requiring every record up to `to_sequence`.
 *
 * Returns: (transfer container) (element-type AnxFinding): all findings, in
 *   record order; empty when the range is intact and every check passes
 */
GPtrArray *
anx_evidence_bundle_verify (AnxEvidenceBundle *self)
{
  g_autoptr(AnxChainVerifier) verifier = anx_chain_verifier_new (self->charger);
  g_autoptr(GPtrArray) end = NULL;
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify) anx_finding_unref);

  anx_chain_verifier_start_at (verifier, self->from_sequence, self->prev_hash);
  for (guint i = 0; i < self->records->len; i++)
    {
      g_autoptr(GPtrArray) findings =
          anx_chain_verifier_add (verifier, g_ptr_array_index (self->records, i));

      g_ptr_array_extend_and_steal (all, g_steal_pointer (&findings));
    }
  end = anx_chain_verifier_finish (verifier, self->to_sequence);
  g_ptr_array_extend_and_steal (all, g_steal_pointer (&end));
  return all;
}

/**
 * anx_evidence_bundle_new_from_json:
 * @text: a bundle as JSON text
 * @length: its length, or -1 if nul-terminated
 * @error: return location for an %ANX_CHAIN_RECORD_ERROR
 *
 * Reads a bundle. Syntax errors name the line and column; other errors
 * name the member (e.g. `records[3].charge.billed_wh`). A bundle that
 * reads fine may still fail verification: that is for
 * anx_evidence_bundle_verify() to say.
 *
 * Returns: (transfer full): the bundle, or %NULL with @error set
 */
AnxEvidenceBundle *
anx_evidence_bundle_new_from_json (const char  *text,
                                   gssize       length,
                                   GError     **error)
{
  static const char *const allowed[] = {
    "format", "version", "exported_at", "charger", "range", "records", NULL,
  };
  static const char *const range_allowed[] = {
    "from_sequence",
    "to_sequence",
    "prev_hash",
    NULL,
  };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(AnxChargerEntry) charger = NULL;
  g_autoptr(GDateTime) exported_at = NULL;
  g_autoptr(AnxEvidenceBundle) self = NULL;
  g_autofree char *format = NULL;
  guint8 prev_hash[ANX_CHAIN_HASH_SIZE];
  gboolean present;
  JsonObject *object, *range;
  JsonNode *charger_node, *records_node;
  JsonArray *records;
  gint64 version, from_sequence, to_sequence;

  g_return_val_if_fail (text != NULL, NULL);

  root = anx_chain_json_parse_strict (text, length, error);
  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_WRONG_TYPE,
                           _("an evidence bundle must be a JSON object"));
      return NULL;
    }
  object = json_node_get_object (root);

  if (!anx_chain_json_read_string (object, NULL, "format", TRUE, FALSE, &format, error))
    return NULL;
  if (!g_str_equal (format, ANX_EVIDENCE_BUNDLE_FORMAT))
    {
      g_set_error (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_INVALID_VALUE,
                   _("format: “%s” is not an Anxin evidence bundle"), format);
      return NULL;
    }
  if (!anx_chain_json_read_integer (object, NULL, "version", 0, G_MAXINT32, &version, error))
    return NULL;
  if (version != ANX_EVIDENCE_BUNDLE_VERSION)
    {
      g_set_error (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_UNSUPPORTED_VERSION,
                   _("version: bundle version %d is not supported (only %d)"), (int) version,
                   ANX_EVIDENCE_BUNDLE_VERSION);
      return NULL;
    }
  if (!anx_chain_json_check_members (object, NULL, allowed, error))
    return NULL;

  exported_at = anx_chain_json_read_time (object, NULL, "exported_at", error);
  if (exported_at == NULL)
    return NULL;

  charger_node = anx_chain_json_get_member (object, NULL, "charger", TRUE, error);
  if (charger_node == NULL)
    return NULL;
  charger = anx_charger_entry_new_from_json_node (charger_node, error);
  if (charger == NULL)
    {
      g_prefix_error (error, "charger: ");
      return NULL;
    }

  range = anx_chain_json_read_object (object, NULL, "range", error);
  if (range == NULL || !anx_chain_json_check_members (range, "range", range_allowed, error) ||
      !anx_chain_json_read_integer (range, "range", "from_sequence", 0, ANX_CHAIN_MAX_INTEGER,
                                    &from_sequence, error) ||
      !anx_chain_json_read_integer (range, "range", "to_sequence", 0, ANX_CHAIN_MAX_INTEGER,
                                    &to_sequence, error) ||
      !anx_chain_json_read_hash (range, "range", "prev_hash", TRUE, prev_hash, &present, error))
    return NULL;
  if (to_sequence < from_sequence)
    {
      g_set_error_literal (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_INVALID_VALUE,
                           _("range: to_sequence is before from_sequence"));
      return NULL;
    }

  self = anx_evidence_bundle_new (charger, exported_at, (guint64) from_sequence,
                                  (guint64) to_sequence, prev_hash);

  records_node = anx_chain_json_get_member (object, NULL, "records", TRUE, error);
  if (records_node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (records_node))
    {
      anx_chain_json_wrong_type (error, NULL, "records", _("an array"));
      return NULL;
    }
  records = json_node_get_array (records_node);
  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      g_autoptr(AnxChainRecord) record =
          anx_chain_record_new_from_json_node (json_array_get_element (records, i), error);
      guint64 sequence;

      if (record == NULL)
        {
          g_prefix_error (error, "records[%u].", i);
          return NULL;
        }
      sequence = anx_chain_record_get_sequence (record);
      if (sequence < (guint64) from_sequence || sequence > (guint64) to_sequence)
        {
          /* numbers as text: xgettext cannot see through G_GUINT64_FORMAT */
          g_autofree char *sequence_text = g_strdup_printf ("%" G_GUINT64_FORMAT, sequence);
          g_autofree char *from_text = g_strdup_printf ("%" G_GINT64_FORMAT, from_sequence);
          g_autofree char *to_text = g_strdup_printf ("%" G_GINT64_FORMAT, to_sequence);

          g_set_error (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_INVALID_VALUE,
                       _("records[%u].sequence: %s is outside the range %s to %s"), i,
                       sequence_text, from_text, to_text);
          return NULL;
        }
      anx_evidence_bundle_add_record (self, record);
    }

  return g_steal_pointer (&self);
}

/**
 * anx_evidence_bundle_new_from_file:
 * @path: a file holding a bundle
 * @error: return location for a #GFileError or an %ANX_CHAIN_RECORD_ERROR
 *
 * Returns: (transfer full): the bundle, or %NULL with @error set; the
 *   message starts with @path
 */
AnxEvidenceBundle *
anx_evidence_bundle_new_from_file (const char  *path,
                                   GError     **error)
{
  g_autofree char *text = NULL;
  gsize length;
  AnxEvidenceBundle *self;

  if (!g_file_get_contents (path, &text, &length, error))
    return NULL;
  self = anx_evidence_bundle_new_from_json (text, (gssize) length, error);
  if (self == NULL)
    g_prefix_error (error, "%s: ", path);
  return self;
}

/**
 * anx_evidence_bundle_to_json:
 * @self: a bundle
 *
 * Returns: (transfer full): the bundle as indented JSON text
 */
char *
anx_evidence_bundle_to_json (AnxEvidenceBundle *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *exported_at = anx_chain_format_time (self->exported_at);
  g_autofree char *prev_hash = anx_chain_hash_to_hex (self->prev_hash);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, ANX_EVIDENCE_BUNDLE_FORMAT);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, ANX_EVIDENCE_BUNDLE_VERSION);
  json_builder_set_member_name (builder, "exported_at");
  json_builder_add_string_value (builder, exported_at);
  json_builder_set_member_name (builder, "charger");
  json_builder_add_value (builder, anx_charger_entry_to_json_node (self->charger));
  json_builder_set_member_name (builder, "range");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "from_sequence");
  json_builder_add_int_value (builder, (gint64) self->from_sequence);
  json_builder_set_member_name (builder, "to_sequence");
  json_builder_add_int_value (builder, (gint64) self->to_sequence);
  json_builder_set_member_name (builder, "prev_hash");
  json_builder_add_string_value (builder, prev_hash);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "records");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->records->len; i++)
    json_builder_add_value (builder,
                            anx_chain_record_to_json_node (g_ptr_array_index (self->records, i)));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, TRUE);
}

/**
 * anx_evidence_bundle_save:
 * @self: a bundle
 * @path: where to write it
 * @error: return location for a #GFileError
 *
 * Returns: %TRUE if the file was written
 */
gboolean
anx_evidence_bundle_save (AnxEvidenceBundle  *self,
                          const char         *path,
                          GError            **error)
{
  g_autofree char *text = anx_evidence_bundle_to_json (self);

  return g_file_set_contents (path, text, -1, error);
}
