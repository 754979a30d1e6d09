/* anx-record-check.c: one stored chain record, checked again from raw data
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * "Verify again" on the record detail: the record's JSON as it was
 * received is parsed again, and the core verifier — built from the
 * registry entry as the ingest builds it, and positioned after the
 * records before this one (the previous record for the link, the meter's
 * previous charge for counter and register continuity) — checks it: hash,
 * link, signature against the registered key, meter status, energy and
 * amount. Nothing of what was stored at ingest is reused.
 */

#define G_LOG_DOMAIN "anx-record-check"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "anx-charger-info.h"
#include "anx-meter-key.h"
#include "anx-record-check.h"
#include "anx-registry-entry.h"
#include "anx-store.h"

static AnxChainRecord *
record_from_row (sqlite3_stmt *stmt,
                 int           column)
{
  if (sqlite3_column_type (stmt, column) != SQLITE_TEXT)
    return NULL;
  return anx_chain_record_new_from_json ((const char *) sqlite3_column_text (stmt, column), -1,
                                         NULL);
}

/* Seeds @verifier with the accepted records before @sequence that the
 * checks of the record at @sequence depend on, in sequence order. */
static void
seed_before (sqlite3          *db,
             AnxChainVerifier *verifier,
             const char       *code,
             gint64            sequence,
             const char       *meter_serial)
{
  sqlite3_stmt *stmt = NULL;

  if (sequence <= 0)
    return;
  if (sqlite3_prepare_v2 (db,
                          /* Newest first, stopping at the first match: the
                           * chain may hold 100,000 records. */
                          "SELECT json FROM records WHERE charger_code = ?1 AND accepted AND ("
                          "sequence = (SELECT sequence FROM records WHERE charger_code = ?1 "
                          "AND accepted AND sequence < ?2 ORDER BY sequence DESC LIMIT 1) OR "
                          "sequence = (SELECT sequence FROM records WHERE charger_code = ?1 AND "
                          "accepted AND kind = 'charge' AND meter_serial IS ?3 AND sequence < ?2 "
                          "ORDER BY sequence DESC LIMIT 1)) ORDER BY sequence",
                          -1, &stmt, NULL) != SQLITE_OK)
    return;
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, sequence);
  sqlite3_bind_text (stmt, 3, meter_serial, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(AnxChainRecord) record = record_from_row (stmt, 0);

      if (record != NULL)
        anx_chain_verifier_seed (verifier, record);
    }
  sqlite3_finalize (stmt);
}

/**
 * anx_record_check_run:
 * @db: a connection of the store
 * @charger_code: the charger
 * @sequence: the record's sequence number
 * @hash_hex: the record's hash, hex (a sequence may have forks)
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the record, its decoded OCMF and
 *   what the core verifier finds in it now
 */
AnxRecordCheck *
anx_record_check_run (sqlite3     *db,
                      const char  *charger_code,
                      gint64       sequence,
                      const char  *hash_hex,
                      GError     **error)
{
  g_autoptr(AnxRecordCheck) check = g_new0 (AnxRecordCheck, 1);
  g_autoptr(AnxChargerEntry) entry = NULL;
  g_autoptr(AnxChainVerifier) verifier = NULL;
  g_autoptr(GPtrArray) meters = NULL;
  g_autofree char *serial = NULL;
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db,
                          "SELECT json, meter_serial FROM records WHERE charger_code = ? AND "
                          "sequence = ? AND lower(hex(hash)) = lower(?)",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      anx_store_set_sqlite_error (error, db, "record");
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, charger_code, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, sequence);
  sqlite3_bind_text (stmt, 3, hash_hex, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      check->json = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      serial = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_finalize (stmt);
  if (check->json == NULL)
    {
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, sequence);

      /* Translators: %1$s is a record's sequence number, %2$s a charger */
      g_set_error (error, ANX_STORE_ERROR, ANX_STORE_ERROR_NOT_FOUND,
                   _("Record %1$s of %2$s is not in the store"), number, charger_code);
      return NULL;
    }
  check->record = anx_chain_record_new_from_json (check->json, -1, error);
  if (check->record == NULL)
    return NULL;

  if (anx_chain_record_get_kind (check->record) == ANX_CHAIN_RECORD_KIND_CHARGE)
    {
      double start, stop;

      check->billed_wh = anx_chain_record_get_billed_wh (check->record);
      check->ocmf = anx_ocmf_parse (anx_chain_record_get_ocmf (check->record), -1,
                                    &check->ocmf_error);
      if (check->ocmf != NULL &&
          anx_ocmf_get_transaction_energy (check->ocmf, &start, &stop, NULL))
        {
          check->has_energy = TRUE;
          check->metered_wh = stop - start;
        }
      if (check->ocmf != NULL && serial == NULL)
        serial = g_strdup (anx_ocmf_get_string (check->ocmf, "MS"));
    }

  entry = anx_registry_entry_load (NULL, db, charger_code);
  if (entry == NULL)
    entry = anx_charger_entry_new (charger_code);
  meters = anx_charger_entry_find_meters (entry, serial, (guint64) sequence);
  if (meters != NULL && meters->len > 0)
    {
      const AnxMeterEntry *meter = meters->pdata[0];
      g_autoptr(AnxMeterKey) key =
          anx_meter_key_new_from_der (g_bytes_get_data (meter->public_key, NULL),
                                      g_bytes_get_size (meter->public_key), NULL);

      if (key != NULL)
        check->key_fingerprint = g_strdup (anx_meter_key_get_fingerprint (key));
      check->accuracy_class = g_strdup (meter->accuracy_class);
      check->tolerance_bp = meter->tolerance_bp;
    }

  verifier = anx_chain_verifier_new (entry);
  /* The first record links to the genesis value; a later one to the
   * previous record seeded below (its own stated link only when the store
   * has nothing before it). */
  anx_chain_verifier_start_at (verifier, (guint64) sequence,
                               sequence == 0 ? NULL
                                             : anx_chain_record_get_prev_hash (check->record));
  seed_before (db, verifier, charger_code, sequence, serial);
  check->findings = anx_chain_verifier_add_full (verifier, check->record, &check->performed);
  return g_steal_pointer (&check);
}

/**
 * anx_record_check_free:
 * @check: (transfer full) (nullable): a check
 */
void
anx_record_check_free (AnxRecordCheck *check)
{
  if (check == NULL)
    return;
  g_clear_pointer (&check->record, anx_chain_record_unref);
  g_clear_pointer (&check->ocmf, anx_ocmf_unref);
  g_clear_error (&check->ocmf_error);
  g_clear_pointer (&check->findings, g_ptr_array_unref);
  g_free (check->json);
  g_free (check->key_fingerprint);
  g_free (check->accuracy_class);
  g_free (check);
}

/**
 * anx_record_check_has_finding:
 * @check: a check
 * @code: a finding code
 *
 * Returns: whether the verifier reported @code
 */
gboolean
anx_record_check_has_finding (AnxRecordCheck *check,
                              const char     *code)
{
  for (guint i = 0; check->findings != NULL && i < check->findings->len; i++)
    if (g_strcmp0 (anx_finding_get_code (check->findings->pdata[i]), code) == 0)
      return TRUE;
  return FALSE;
}

/**
 * anx_record_check_get_deviation:
 * @check: a check with energy
 *
 * Returns: billed against metered energy in percent (+6.1 for 6.1 % more
 *   billed than metered); 0 without a metered figure
 */
double
anx_record_check_get_deviation (AnxRecordCheck *check)
{
  if (!check->has_energy || check->metered_wh == 0)
    return 0;
  return 100.0 * ((double) check->billed_wh - check->metered_wh) / check->metered_wh;
}

/**
 * anx_record_check_energy_outside:
 * @check: a check
 *
 * Returns: whether the core verifier found the billed energy outside the
 *   tolerance of the meter's class
 */
gboolean
anx_record_check_energy_outside (AnxRecordCheck *check)
{
  return anx_record_check_has_finding (check, ANX_FINDING_ENERGY_MISMATCH);
}
