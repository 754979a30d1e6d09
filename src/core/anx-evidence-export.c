/* anx-evidence-export.c: a charger's evidence from the console's store
 *
 * An evidence bundle (docs/evidence-bundle.md) cut from the records the
 * console stored, with the registry entry it knows, and the content of the
 * printable report that goes with it: the charger, its meter, the records,
 * what verifying the bundle found, and the inspections.
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-evidence-export"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "anx-evidence-export.h"
#include "anx-finding.h"
#include "anx-inspection-input.h"
#include "anx-registry-entry.h"

/* Records listed one by one in a report; findings are always listed. */
#define REPORT_MAX_ROWS 200

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

/* The sequence numbers of the records recorded in [from, to). */
static gboolean
sequences_of_times (sqlite3     *db,
                    const char  *code,
                    GDateTime   *from_time,
                    GDateTime   *to_time,
                    guint64     *from,
                    guint64     *to)
{
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;

  if (sqlite3_prepare_v2 (db,
                          "SELECT min(sequence), max(sequence) FROM records WHERE charger_code = ? "
                          "AND recorded_at_us >= ? AND recorded_at_us < ?",
                          -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, g_date_time_to_unix (from_time) * G_USEC_PER_SEC);
  sqlite3_bind_int64 (stmt, 3,
                      to_time != NULL ? g_date_time_to_unix (to_time) * G_USEC_PER_SEC
                                      : G_MAXINT64);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    {
      *from = (guint64) sqlite3_column_int64 (stmt, 0);
      *to = (guint64) sqlite3_column_int64 (stmt, 1);
      found = TRUE;
    }
  sqlite3_finalize (stmt);
  return found;
}

/**
 * anx_evidence_export_bundle:
 * @db: a store connection
 * @code: the charger's code
 * @range: which records
 * @exported_at: the time of the export
 * @error: return location for an error
 *
 * Cuts the evidence bundle of @range out of the stored chain. Every stored
 * record of the range goes in, forks and rejected records included: they
 * are what verification must report.
 *
 * Returns: (transfer full): the bundle, or %NULL
 */
AnxEvidenceBundle *
anx_evidence_export_bundle (sqlite3                *db,
                            const char             *code,
                            const AnxEvidenceRange *range,
                            GDateTime              *exported_at,
                            GError                **error)
{
  g_autoptr(AnxChargerEntry) charger = anx_registry_entry_load (NULL, db, code);
  g_autoptr (GPtrArray) chain =
      g_ptr_array_new_with_free_func ((GDestroyNotify) anx_chain_record_unref);
  guint64 from = range->from_sequence;
  guint64 to = range->to_sequence;
  sqlite3_stmt *stmt = NULL;

  if (charger == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No charger “%s” in the store"),
                   code);
      return NULL;
    }
  if (range->from_time != NULL &&
      !sequences_of_times (db, code, range->from_time, range->to_time, &from, &to))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("The charger has no records in this period"));
      return NULL;
    }
  if (from > to)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The range ends before it starts"));
      return NULL;
    }

  /* The accepted record of a sequence number comes last, so that the link
   * into the range is taken from it. */
  if (sqlite3_prepare_v2 (db,
                          "SELECT json FROM records WHERE charger_code = ? AND sequence >= ? AND "
                          "sequence <= ? ORDER BY sequence, accepted, id",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", sqlite3_errmsg (db));
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, from > 0 ? (gint64) from - 1 : 0);
  sqlite3_bind_int64 (stmt, 3, to == G_MAXUINT64 ? G_MAXINT64 : (gint64) to);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      AnxChainRecord *record = anx_chain_record_new_from_json (column_text (stmt, 0), -1, NULL);

      if (record != NULL)
        g_ptr_array_add (chain, record);
    }
  sqlite3_finalize (stmt);

  return anx_evidence_bundle_new_from_chain (charger, exported_at, chain, from, to, error);
}

static char *
format_time (GDateTime *time,
             GTimeZone *zone)
{
  g_autoptr(GDateTime) local = NULL;

  if (time == NULL)
    return NULL;
  local = g_date_time_to_timezone (time, zone);
  return g_date_time_format (local, "%x %X");
}

static char *
format_kwh (gint64 wh)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT ".%03" G_GINT64_FORMAT, wh / 1000, ABS (wh) % 1000);
}

static const char *
kind_title (AnxChainRecordKind kind)
{
  switch (kind)
    {
    case ANX_CHAIN_RECORD_KIND_CHARGE:
      return C_("record kind", "Charge");
    case ANX_CHAIN_RECORD_KIND_SEAL:
      return C_("record kind", "Seal");
    case ANX_CHAIN_RECORD_KIND_METER_EXCHANGE:
      return C_("record kind", "Meter exchange");
    case ANX_CHAIN_RECORD_KIND_INSPECTION:
      return C_("record kind", "Inspection");
    default:
      return "?";
    }
}

static const char *
result_title (const char *result)
{
  if (g_strcmp0 (result, "pass") == 0)
    return C_("inspection result", "Pass");
  if (g_strcmp0 (result, "fail") == 0)
    return C_("inspection result", "Fail");
  if (g_strcmp0 (result, "meter_replaced") == 0)
    return C_("inspection result", "Meter replaced");
  if (g_strcmp0 (result, "sealed") == 0)
    return C_("inspection result", "Sealed");
  if (g_strcmp0 (result, "suspended") == 0)
    return C_("inspection result", "Suspended");
  return result;
}

static char *
format_error_bp (sqlite3_stmt *stmt,
                 int           column)
{
  gint64 bp;

  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NULL;
  bp = sqlite3_column_int64 (stmt, column);
  return g_strdup_printf ("%s%" G_GINT64_FORMAT ".%02" G_GINT64_FORMAT " %%", bp < 0 ? "−" : "+",
                          ABS (bp) / 100, ABS (bp) % 100);
}

static void
add_charger_section (AnxReport         *report,
                     sqlite3           *db,
                     AnxEvidenceBundle *bundle,
                     GTimeZone         *zone)
{
  AnxChargerEntry *charger = anx_evidence_bundle_get_charger (bundle);
  AnxReportSection *section = anx_report_add_section (report, _("Charger"));
  sqlite3_stmt *stmt = NULL;

  anx_report_section_add_fact (section, _("Charger"), anx_charger_entry_get_charger_id (charger));
  anx_report_section_add_fact (section, _("Station"), anx_charger_entry_get_station_name (charger));
  anx_report_section_add_fact (section, _("Station code"),
                               anx_charger_entry_get_station_id (charger));
  anx_report_section_add_fact (section, _("Operator"),
                               anx_charger_entry_get_operator_name (charger));

  section = anx_report_add_section (report, _("Meter"));
  if (sqlite3_prepare_v2 (db,
                          "SELECT m.serial, m.manufacturer, m.model, m.accuracy_class, "
                          "m.algorithm, m.first_verification, m.rotation_due, m.seal_physical, "
                          "m.seal_electronic FROM chargers c JOIN meters m ON m.id = c.meter_id "
                          "WHERE c.code = ?",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, anx_charger_entry_get_charger_id (charger), -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          g_autofree char *accuracy = g_strdup_printf ("%d", sqlite3_column_int (stmt, 3));

          anx_report_section_add_fact (section, _("Serial number"), column_text (stmt, 0));
          anx_report_section_add_fact (section, _("Manufacturer"), column_text (stmt, 1));
          anx_report_section_add_fact (section, _("Model"), column_text (stmt, 2));
          anx_report_section_add_fact (section, _("Accuracy class"), accuracy);
          anx_report_section_add_fact (section, _("Signature algorithm"), column_text (stmt, 4));
          anx_report_section_add_fact (section, _("First verification"), column_text (stmt, 5));
          anx_report_section_add_fact (section, _("Rotation due"), column_text (stmt, 6));
          anx_report_section_add_fact (section, _("Physical seal"), column_text (stmt, 7));
          anx_report_section_add_fact (section, _("Electronic seal"), column_text (stmt, 8));
        }
      sqlite3_finalize (stmt);
    }

  {
    const char *const columns[] = { _("Serial number"), _("Algorithm"),
                                    _("Key fingerprint (SHA-256)"), _("Records"), NULL };

    anx_report_section_set_columns (section, columns);
  }
  for (guint i = 0; i < anx_charger_entry_get_n_meters (charger); i++)
    {
      const AnxMeterEntry *meter = anx_charger_entry_get_meter (charger, i);
      g_autofree char *digest = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, meter->public_key);
      g_autofree char *fingerprint = g_strndup (digest, 32);
      g_autofree char *from = g_strdup_printf ("%" G_GUINT64_FORMAT, meter->from_sequence);
      /* Translators: %s is the first record a meter key is valid for, with no end yet */
      g_autofree char *records =
          meter->to_sequence == G_MAXUINT64
              ? g_strdup_printf (_("from %s"), from)
              : g_strdup_printf ("%" G_GUINT64_FORMAT "–%" G_GUINT64_FORMAT, meter->from_sequence,
                                 meter->to_sequence);
      const char *cells[] = { meter->serial, meter->algorithm, fingerprint, records, NULL };

      anx_report_section_add_row (section, cells);
    }
}

static void
add_records_section (AnxReport         *report,
                     AnxEvidenceBundle *bundle,
                     GPtrArray         *findings,
                     GTimeZone         *zone)
{
  GPtrArray *records = anx_evidence_bundle_get_records (bundle);
  AnxReportSection *section = anx_report_add_section (report, _("Records"));
  const char *const columns[] = { _("No."), _("Kind"), _("Recorded"), _("Billed (kWh)"),
                                  _("Amount (¥)"), _("Verification"), NULL };
  g_autoptr(GHashTable) flagged = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GArray) sequences = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 billed_wh = 0;
  guint listed = 0;
  g_autofree char *summary = NULL;
  g_autofree char *billed_text = NULL;
  g_autofree char *range = g_strdup_printf ("%" G_GUINT64_FORMAT "–%" G_GUINT64_FORMAT,
                                            anx_evidence_bundle_get_from_sequence (bundle),
                                            anx_evidence_bundle_get_to_sequence (bundle));
  g_autofree char *count = g_strdup_printf ("%u", records->len);

  for (guint i = 0; i < findings->len; i++)
    {
      gint64 sequence = (gint64) anx_finding_get_sequence (findings->pdata[i]);

      g_array_append_val (sequences, sequence);
    }
  for (guint i = 0; i < sequences->len; i++)
    g_hash_table_add (flagged, &g_array_index (sequences, gint64, i));

  for (guint i = 0; i < records->len; i++)
    billed_wh += anx_chain_record_get_kind (records->pdata[i]) == ANX_CHAIN_RECORD_KIND_CHARGE
                     ? anx_chain_record_get_billed_wh (records->pdata[i])
                     : 0;
  billed_text = format_kwh (billed_wh);
  anx_report_section_add_fact (section, _("Sequence numbers"), range);
  anx_report_section_add_fact (section, _("Records in the bundle"), count);
  anx_report_section_add_fact (section, _("Energy billed (kWh)"), billed_text);

  anx_report_section_set_columns (section, columns);
  for (guint i = 0; i < records->len; i++)
    {
      AnxChainRecord *record = records->pdata[i];
      gint64 sequence = (gint64) anx_chain_record_get_sequence (record);
      gboolean bad = g_hash_table_contains (flagged, &sequence);
      gboolean charge = anx_chain_record_get_kind (record) == ANX_CHAIN_RECORD_KIND_CHARGE;
      g_autofree char *number = NULL;
      g_autofree char *recorded = NULL;
      g_autofree char *billed = NULL;
      g_autofree char *amount = NULL;

      if (!bad && listed >= REPORT_MAX_ROWS)
        continue;
      listed++;
      number = g_strdup_printf ("%" G_GINT64_FORMAT, sequence);
      recorded = format_time (anx_chain_record_get_recorded_at (record), zone);
      if (charge)
        {
          gint64 fen = anx_chain_record_get_amount_fen (record);

          billed = format_kwh (anx_chain_record_get_billed_wh (record));
          amount = g_strdup_printf ("%" G_GINT64_FORMAT ".%02" G_GINT64_FORMAT, fen / 100,
                                    ABS (fen) % 100);
        }
      {
        const char *cells[] = { number, kind_title (anx_chain_record_get_kind (record)), recorded,
                                billed != NULL ? billed : "", amount != NULL ? amount : "",
                                bad ? _("Finding") : _("Verified"), NULL };

        anx_report_section_add_row (section, cells);
      }
    }
  if (listed < records->len)
    {
      summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "%u more record without findings is in the bundle.",
                                              "%u more records without findings are in the bundle.",
                                              records->len - listed),
                                 records->len - listed);
      anx_report_section_add_note (section, summary);
    }
}

static void
add_verification_section (AnxReport         *report,
                          AnxEvidenceBundle *bundle,
                          GPtrArray         *findings)
{
  AnxReportSection *section = anx_report_add_section (report, _("Verification"));
  GPtrArray *records = anx_evidence_bundle_get_records (bundle);
  g_autofree char *last = NULL;

  if (records->len > 0)
    last = anx_chain_hash_to_hex (anx_chain_record_get_hash (records->pdata[records->len - 1]));
  anx_report_section_add_fact (section, _("Result"),
                               findings->len == 0 ? _("Valid: every record verified, no findings")
                                                  : _("Not valid: see the findings below"));
  anx_report_section_add_fact (section, _("Hash of the last record"), last);
  anx_report_section_add_note (
      section, _("Verified by the console with the same checks as “anxin-verify chain”: each "
                 "record's hash, its link to the record before, the meter's signature and the "
                 "energy and amount against the meter's data."));
  if (findings->len > 0)
    {
      const char *const columns[] = { _("No."), _("Finding"), _("Details"), NULL };

      anx_report_section_set_columns (section, columns);
      for (guint i = 0; i < findings->len; i++)
        {
          AnxFinding *finding = findings->pdata[i];
          g_autofree char *number = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                                     anx_finding_get_sequence (finding));
          const char *cells[] = { number, anx_finding_get_code (finding),
                                  anx_finding_get_message (finding), NULL };

          anx_report_section_add_row (section, cells);
        }
    }
}

static void
add_inspections_section (AnxReport         *report,
                         sqlite3           *db,
                         AnxEvidenceBundle *bundle,
                         GTimeZone         *zone)
{
  AnxChargerEntry *charger = anx_evidence_bundle_get_charger (bundle);
  AnxReportSection *section = anx_report_add_section (report, _("Inspections"));
  const char *const columns[] = { _("Inspected"), _("Inspector"), _("Result"),
                                  _("Measured error"), _("Seals removed / applied"),
                                  _("Record"), NULL };
  sqlite3_stmt *stmt = NULL;
  guint n = 0;

  anx_report_section_set_columns (section, columns);
  if (sqlite3_prepare_v2 (db,
                          "SELECT i.inspected_at, i.inspector, i.result, i.measured_error_bp, "
                          "i.seals_removed, i.seals_applied, i.sequence, o.state, i.notes "
                          "FROM inspections i LEFT JOIN outbox o ON o.idempotency_key = "
                          "i.idempotency_key WHERE i.charger_code = ? ORDER BY i.created_us",
                          -1, &stmt, NULL) != SQLITE_OK)
    return;
  sqlite3_bind_text (stmt, 1, anx_charger_entry_get_charger_id (charger), -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autofree char *error = format_error_bp (stmt, 3);
      g_autofree char *when = anx_inspection_display_time (column_text (stmt, 0), zone);
      g_autofree char *removed = anx_inspection_seals_to_text (column_text (stmt, 4));
      g_autofree char *applied = anx_inspection_seals_to_text (column_text (stmt, 5));
      g_autofree char *seals = g_strdup_printf ("%s / %s", *removed != '\0' ? removed : "—",
                                                *applied != '\0' ? applied : "—");
      g_autofree char *record =
          sqlite3_column_type (stmt, 6) != SQLITE_NULL
              ? g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 6))
              : g_strdup (g_strcmp0 (column_text (stmt, 7), "rejected") == 0
                              ? _("Rejected by the feed")
                              : _("Not yet in the chain"));
      const char *cells[] = { when, column_text (stmt, 1) ?: "",
                              result_title (column_text (stmt, 2)), error != NULL ? error : "—",
                              seals, record, NULL };

      anx_report_section_add_row (section, cells);
      if (column_text (stmt, 8) != NULL && *column_text (stmt, 8) != '\0')
        {
          /* Translators: %1$s is when, %2$s the inspector's notes */
          g_autofree char *note = g_strdup_printf (_("Notes of %1$s: %2$s"), when,
                                                   column_text (stmt, 8));

          anx_report_section_add_note (section, note);
        }
      n++;
    }
  sqlite3_finalize (stmt);
  if (n == 0)
    anx_report_section_add_note (section, _("No inspection was marked for this charger."));
}

/**
 * anx_evidence_export_report:
 * @db: a store connection
 * @bundle: the bundle the report goes with
 * @zone: the zone to write times in
 *
 * The content of the printable report: the charger and its meter, the
 * records of @bundle, what verifying @bundle finds, and the inspections of
 * the charger marked in this console. The strings are in the UI language.
 *
 * Returns: (transfer full): the report
 */
AnxReport *
anx_evidence_export_report (sqlite3           *db,
                            AnxEvidenceBundle *bundle,
                            GTimeZone         *zone)
{
  AnxChargerEntry *charger = anx_evidence_bundle_get_charger (bundle);
  g_autoptr(GPtrArray) findings = anx_evidence_bundle_verify (bundle);
  g_autofree char *exported = format_time (anx_evidence_bundle_get_exported_at (bundle), zone);
  /* Translators: %1$s is the charger's code, %2$s when the report was made */
  g_autofree char *subtitle = g_strdup_printf (
      _("Charger %1$s · exported %2$s"), anx_charger_entry_get_charger_id (charger), exported);
  AnxReport *report = anx_report_new (_("Metrology Evidence Report"), subtitle);

  add_charger_section (report, db, bundle, zone);
  add_records_section (report, bundle, findings, zone);
  add_verification_section (report, bundle, findings);
  add_inspections_section (report, db, bundle, zone);
  return report;
}
