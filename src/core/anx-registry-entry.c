/* anx-registry-entry.c: a charger's registry entry, loaded from the store
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one place that turns the store's registry tables (chargers, meters,
 * meter_keys, stations, operators) into the AnxChargerEntry the chain
 * verifier wants. Ingest, the record check of the charger page and the
 * evidence export all read a charger through it, so all three judge a
 * record against the same keys.
 */

#define G_LOG_DOMAIN "anx-registry-entry"

#include "config.h"

#include <string.h>

#include "anx-chain-json.h"
#include "anx-registry-entry.h"

/* With @store, the writer thread's cached statement (the store resets it);
 * without, one prepared for this call, which finish() finalizes. */
static sqlite3_stmt *
prepare (AnxStore   *store,
         sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  if (store != NULL)
    return anx_store_write_statement (store, db, sql, NULL);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  return stmt;
}

static void
finish (AnxStore     *store,
        sqlite3_stmt *stmt)
{
  if (store != NULL)
    sqlite3_reset (stmt);
  else
    sqlite3_finalize (stmt);
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/**
 * anx_registry_hex_to_bytes:
 * @hex: (nullable): a key as the registry stores it, DER in hex
 *
 * Returns: (transfer full) (nullable): the bytes, or %NULL for no key or
 *   one that is not an even number of hex digits
 */
GBytes *
anx_registry_hex_to_bytes (const char *hex)
{
  gsize len;
  g_autofree guint8 *der = NULL;

  if (hex == NULL || *hex == '\0' || strlen (hex) % 2 != 0)
    return NULL;
  len = strlen (hex) / 2;
  der = g_malloc (len);
  if (!anx_chain_json_hex_decode (hex, der, len))
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&der), len);
}

/**
 * anx_registry_entry_load:
 * @store: (nullable): the store, when called from one of its write jobs
 *   with @db its write connection (its cached statements are used);
 *   %NULL for any other connection
 * @db: a connection of the store
 * @code: the charger's code
 *
 * The charger's registry entry as the store holds it: its station, its
 * operator, and one meter entry per registered key, valid from the key's
 * first sequence number to the one before the next key's. A meter without
 * a keys list has its one key from sequence 0. A meter without a usable
 * key is left out, so its records are "unknown meter key".
 *
 * Returns: (transfer full) (nullable): the entry, or %NULL for a charger
 *   the store does not know
 */
AnxChargerEntry *
anx_registry_entry_load (AnxStore   *store,
                         sqlite3    *db,
                         const char *code)
{
  g_autoptr(AnxChargerEntry) entry = anx_charger_entry_new (code);
  sqlite3_stmt *stmt = NULL;
  g_autofree char *model = NULL;
  g_autofree char *accuracy = NULL;
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) froms = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 charger_id = 0;

  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (code != NULL, NULL);

  stmt = prepare (store, db,
                  "SELECT c.id, m.model, m.accuracy_class, m.serial, m.algorithm, "
                  "m.public_key, s.code, s.name, o.id, o.name FROM chargers c "
                  "LEFT JOIN meters m ON m.id = c.meter_id "
                  "LEFT JOIN stations s ON s.id = c.station_id "
                  "LEFT JOIN operators o ON o.id = c.operator_id WHERE c.code = ?");
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autofree char *operator_id =
          g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 8));

      charger_id = sqlite3_column_int64 (stmt, 0);
      model = column_dup (stmt, 1);
      accuracy = g_strdup_printf ("%d", sqlite3_column_int (stmt, 2) == 2 ? 2 : 1);
      g_ptr_array_add (keys, column_dup (stmt, 3));
      g_ptr_array_add (keys, column_dup (stmt, 4));
      g_ptr_array_add (keys, column_dup (stmt, 5));
      anx_charger_entry_set_station (entry, (const char *) sqlite3_column_text (stmt, 6),
                                     (const char *) sqlite3_column_text (stmt, 7));
      anx_charger_entry_set_operator (entry, operator_id,
                                      (const char *) sqlite3_column_text (stmt, 9));
    }
  finish (store, stmt);
  if (charger_id == 0)
    return NULL;

  stmt = prepare (store, db,
                  "SELECT from_sequence, serial, algorithm, public_key FROM meter_keys "
                  "WHERE charger_id = ? ORDER BY from_sequence");
  if (stmt != NULL)
    {
      gboolean any = FALSE;

      sqlite3_bind_int64 (stmt, 1, charger_id);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          gint64 from = sqlite3_column_int64 (stmt, 0);

          if (!any)
            {
              g_ptr_array_set_size (keys, 0);
              any = TRUE;
            }
          g_array_append_val (froms, from);
          g_ptr_array_add (keys, column_dup (stmt, 1));
          g_ptr_array_add (keys, column_dup (stmt, 2));
          g_ptr_array_add (keys, column_dup (stmt, 3));
        }
      finish (store, stmt);
    }
  if (froms->len == 0 && keys->len == 3)
    {
      gint64 zero = 0;

      g_array_append_val (froms, zero);
    }

  for (guint i = 0; i < froms->len; i++)
    {
      const char *serial = keys->pdata[3 * i];
      const char *algorithm = keys->pdata[3 * i + 1];
      g_autoptr(GBytes) key = anx_registry_hex_to_bytes (keys->pdata[3 * i + 2]);
      guint64 from = (guint64) g_array_index (froms, gint64, i);
      guint64 to = i + 1 < froms->len ? (guint64) g_array_index (froms, gint64, i + 1) - 1
                                      : G_MAXUINT64;

      if (serial == NULL || algorithm == NULL || key == NULL)
        continue;
      anx_charger_entry_add_meter (entry, serial, model != NULL ? model : "", accuracy, algorithm,
                                   key, from, to);
    }
  return g_steal_pointer (&entry);
}
