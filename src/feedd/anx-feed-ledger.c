/* anx-feed-ledger.c: the SQLite ledger behind anxin-feedd
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-feed-ledger"

#include "config.h"

#include <glib/gi18n.h>
#include <sqlite3.h>

#include "anx-feed-ledger.h"

/*
 * One SQLite file in WAL mode with synchronous=FULL: a write the server has
 * acknowledged survives a power cut. The schema is versioned by
 * PRAGMA user_version and upgraded one step at a time; PRAGMA application_id
 * marks the file as ours so a wrong --db is refused rather than written to.
 */

#define LEDGER_APPLICATION_ID 0x416E5846 /* "AnXF" */

static const char *const migrations[] = {
  /* 1: the registry */
  "CREATE TABLE meta ("
  "  key   TEXT PRIMARY KEY,"
  "  value TEXT NOT NULL"
  ") STRICT;"
  "CREATE TABLE operators ("
  "  id      INTEGER PRIMARY KEY,"
  "  name    TEXT NOT NULL,"
  "  name_en TEXT NOT NULL"
  ") STRICT;"
  "CREATE TABLE tariffs ("
  "  operator_id         INTEGER PRIMARY KEY REFERENCES operators (id),"
  "  peak_fen_per_kwh    INTEGER NOT NULL CHECK (peak_fen_per_kwh >= 0),"
  "  flat_fen_per_kwh    INTEGER NOT NULL CHECK (flat_fen_per_kwh >= 0),"
  "  valley_fen_per_kwh  INTEGER NOT NULL CHECK (valley_fen_per_kwh >= 0),"
  "  service_fen_per_kwh INTEGER NOT NULL CHECK (service_fen_per_kwh >= 0),"
  "  periods             TEXT NOT NULL" /* JSON array, see docs/feed-server.md */
  ") STRICT;"
  "CREATE TABLE stations ("
  "  id            INTEGER PRIMARY KEY,"
  "  operator_id   INTEGER NOT NULL REFERENCES operators (id),"
  "  code          TEXT NOT NULL UNIQUE,"
  "  name          TEXT NOT NULL,"
  "  address       TEXT NOT NULL,"
  "  district_code TEXT NOT NULL,"
  "  district_name TEXT NOT NULL,"
  "  latitude      REAL NOT NULL CHECK (latitude BETWEEN -90 AND 90),"
  "  longitude     REAL NOT NULL CHECK (longitude BETWEEN -180 AND 180),"
  "  datum         TEXT NOT NULL CHECK (datum IN ('GCJ-02', 'WGS-84'))"
  ") STRICT;"
  "CREATE INDEX stations_by_operator ON stations (operator_id);"
  "CREATE TABLE chargers ("
  "  id            INTEGER PRIMARY KEY,"
  "  station_id    INTEGER NOT NULL REFERENCES stations (id),"
  "  code          TEXT NOT NULL UNIQUE,"
  "  current       TEXT NOT NULL CHECK (current IN ('AC', 'DC')),"
  "  rated_power_w INTEGER NOT NULL CHECK (rated_power_w > 0),"
  "  status        TEXT NOT NULL DEFAULT 'unknown',"
  "  last_seen     TEXT"
  ") STRICT;"
  "CREATE INDEX chargers_by_station ON chargers (station_id);"
  "CREATE TABLE meters ("
  "  id                  INTEGER PRIMARY KEY,"
  "  charger_id          INTEGER NOT NULL UNIQUE REFERENCES chargers (id),"
  "  serial              TEXT NOT NULL UNIQUE,"
  "  manufacturer        TEXT NOT NULL,"
  "  model               TEXT NOT NULL,"
  "  accuracy_class      INTEGER NOT NULL CHECK (accuracy_class IN (1, 2)),"
  "  signature_algorithm TEXT NOT NULL,"
  "  public_key          TEXT,"
  "  first_verification  TEXT NOT NULL,"
  "  rotation_due        TEXT NOT NULL,"
  "  physical_seal_id    TEXT NOT NULL,"
  "  electronic_seal_id  TEXT NOT NULL"
  ") STRICT;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == ANX_FEED_LEDGER_SCHEMA_VERSION);

typedef JsonObject *(*RowToJson) (sqlite3_stmt *stmt);

static JsonObject *operator_row_to_json (sqlite3_stmt *stmt);
static JsonObject *station_row_to_json (sqlite3_stmt *stmt);
static JsonObject *charger_row_to_json (sqlite3_stmt *stmt);
static JsonObject *meter_row_to_json (sqlite3_stmt *stmt);

#define CHARGER_COLUMNS                                                                     \
  "SELECT c.id, c.station_id, s.operator_id, c.code, c.current, c.rated_power_w, c.status," \
  " c.last_seen, m.id"                                                                      \
  " FROM chargers c JOIN stations s ON s.id = c.station_id"                                 \
  " LEFT JOIN meters m ON m.charger_id = c.id"

#define METER_COLUMNS                                                                        \
  "SELECT id, charger_id, serial, manufacturer, model, accuracy_class, signature_algorithm," \
  " public_key, first_verification, rotation_due, physical_seal_id, electronic_seal_id"      \
  " FROM meters"

/* Pages are keyset-paginated by id: "WHERE id > ?1 ORDER BY id LIMIT ?2". */
/* clang-format off */
static const struct
{
  const char *name;
  const char *sql;
  RowToJson   row_to_json;
} collections[] = {
  [ANX_FEED_COLLECTION_OPERATORS] = {
    "operators",
    "SELECT o.id, o.name, o.name_en, t.peak_fen_per_kwh, t.flat_fen_per_kwh,"
    " t.valley_fen_per_kwh, t.service_fen_per_kwh, t.periods"
    " FROM operators o LEFT JOIN tariffs t ON t.operator_id = o.id"
    " WHERE o.id > ?1 ORDER BY o.id LIMIT ?2",
    operator_row_to_json },
  [ANX_FEED_COLLECTION_STATIONS] = {
    "stations",
    "SELECT s.id, s.operator_id, s.name, s.address, s.district_code, s.district_name,"
    " s.latitude, s.longitude, s.datum,"
    " (SELECT count(*) FROM chargers c WHERE c.station_id = s.id), s.code"
    " FROM stations s WHERE s.id > ?1 ORDER BY s.id LIMIT ?2",
    station_row_to_json },
  [ANX_FEED_COLLECTION_CHARGERS] = {
    "chargers",
    CHARGER_COLUMNS " WHERE c.id > ?1 ORDER BY c.id LIMIT ?2",
    charger_row_to_json },
  [ANX_FEED_COLLECTION_METERS] = {
    "meters",
    METER_COLUMNS " WHERE id > ?1 ORDER BY id LIMIT ?2",
    meter_row_to_json },
};
/* clang-format on */

struct _AnxFeedLedger
{
  GObject parent_instance;

  char *path;
  sqlite3 *db;
  sqlite3_stmt *list_stmts[G_N_ELEMENTS (collections)];
  sqlite3_stmt *charger_stmt;
  sqlite3_stmt *charger_by_code_stmt;
  sqlite3_stmt *meter_by_charger_stmt;
};

G_DEFINE_FINAL_TYPE (AnxFeedLedger, anx_feed_ledger, G_TYPE_OBJECT)

G_DEFINE_QUARK (anx-feed-ledger-error-quark, anx_feed_ledger_error)

static void
anx_feed_ledger_finalize (GObject *object)
{
  AnxFeedLedger *self = ANX_FEED_LEDGER (object);

  for (guint i = 0; i < G_N_ELEMENTS (self->list_stmts); i++)
    g_clear_pointer (&self->list_stmts[i], sqlite3_finalize);
  g_clear_pointer (&self->charger_stmt, sqlite3_finalize);
  g_clear_pointer (&self->charger_by_code_stmt, sqlite3_finalize);
  g_clear_pointer (&self->meter_by_charger_stmt, sqlite3_finalize);

  /* Closing the last connection checkpoints the WAL into the main file. */
  if (self->db != NULL && sqlite3_close (self->db) != SQLITE_OK)
    g_warning ("Closing %s: %s", self->path, sqlite3_errmsg (self->db));
  self->db = NULL;
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (anx_feed_ledger_parent_class)->finalize (object);
}

static void
anx_feed_ledger_class_init (AnxFeedLedgerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = anx_feed_ledger_finalize;
}

static void
anx_feed_ledger_init (AnxFeedLedger *self)
{
}

static gboolean
set_sqlite_error (AnxFeedLedger  *self,
                  GError        **error,
                  const char     *what)
{
  g_set_error (error, ANX_FEED_LEDGER_ERROR, ANX_FEED_LEDGER_ERROR_SQLITE, _("%s: %s failed: %s"),
               self->path, what, sqlite3_errmsg (self->db));
  return FALSE;
}

static gboolean
exec_sql (AnxFeedLedger  *self,
          const char     *sql,
          GError        **error)
{
  char *message = NULL;

  if (sqlite3_exec (self->db, sql, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, ANX_FEED_LEDGER_ERROR, ANX_FEED_LEDGER_ERROR_SQLITE, _("%s: %s"),
                   self->path, message != NULL ? message : sqlite3_errmsg (self->db));
      sqlite3_free (message);
      return FALSE;
    }

  return TRUE;
}

static gboolean
query_int (AnxFeedLedger  *self,
           const char     *sql,
           gint64         *value,
           GError        **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return set_sqlite_error (self, error, sql);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  if (rc != SQLITE_ROW)
    return set_sqlite_error (self, error, sql);
  return TRUE;
}

static gboolean
migrate (AnxFeedLedger  *self,
         GError        **error)
{
  gint64 version = 0;
  gint64 application_id = 0;

  if (!query_int (self, "PRAGMA application_id", &application_id, error) ||
      !query_int (self, "PRAGMA user_version", &version, error))
    return FALSE;

  if (application_id != 0 && application_id != LEDGER_APPLICATION_ID)
    {
      g_set_error (error, ANX_FEED_LEDGER_ERROR, ANX_FEED_LEDGER_ERROR_NOT_A_LEDGER,
                   _("%s is an SQLite database of another program, not an anxin-feedd ledger"),
                   self->path);
      return FALSE;
    }

  if (application_id == 0 && version != 0)
    {
      g_set_error (error, ANX_FEED_LEDGER_ERROR, ANX_FEED_LEDGER_ERROR_NOT_A_LEDGER,
                   _("%s is not an anxin-feedd ledger"), self->path);
      return FALSE;
    }

  if (version > ANX_FEED_LEDGER_SCHEMA_VERSION)
    {
      /* A G_GINT64_FORMAT inside _() would not match the catalogue. */
      g_autofree char *version_text = g_strdup_printf ("%" G_GINT64_FORMAT, version);

      g_set_error (error, ANX_FEED_LEDGER_ERROR, ANX_FEED_LEDGER_ERROR_TOO_NEW,
                   /* Translators: the first %s is a file name */
                   _("%s has schema version %s, newer than this anxin-feedd "
                     "understands (%d)"),
                   self->path, version_text, ANX_FEED_LEDGER_SCHEMA_VERSION);
      return FALSE;
    }

  while (version < ANX_FEED_LEDGER_SCHEMA_VERSION)
    {
      g_autofree char *bump = NULL;

      /* Each step commits alone, so a crash leaves a consistent version. */
      bump = g_strdup_printf ("PRAGMA application_id = %d; PRAGMA user_version = %" G_GINT64_FORMAT,
                              LEDGER_APPLICATION_ID, version + 1);
      if (!exec_sql (self, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!exec_sql (self, migrations[version], error) || !exec_sql (self, bump, error))
        {
          exec_sql (self, "ROLLBACK", NULL);
          return FALSE;
        }
      if (!exec_sql (self, "COMMIT", error))
        return FALSE;

      version++;
      g_debug ("%s: migrated to schema version %" G_GINT64_FORMAT, self->path, version);
    }

  return TRUE;
}

/**
 * anx_feed_ledger_open:
 * @path: the ledger file, created if missing
 * @error: return location for a #GError
 *
 * Opens (or creates) the ledger in WAL mode with synchronous=FULL and
 * brings its schema up to date.
 *
 * Returns: (transfer full): the ledger, or %NULL
 */
AnxFeedLedger *
anx_feed_ledger_open (const char  *path,
                      GError     **error)
{
  g_autoptr(AnxFeedLedger) self = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean wal = FALSE;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (ANX_TYPE_FEED_LEDGER, NULL);
  self->path = g_strdup (path);

  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
      SQLITE_OK)
    {
      set_sqlite_error (self, error, "open");
      return NULL;
    }

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, 5000);

  if (sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error, "PRAGMA journal_mode");
      return NULL;
    }
  if (sqlite3_step (stmt) == SQLITE_ROW)
    wal = g_ascii_strcasecmp ((const char *) sqlite3_column_text (stmt, 0), "wal") == 0;
  sqlite3_finalize (stmt);
  if (!wal)
    {
      g_set_error (error, ANX_FEED_LEDGER_ERROR, ANX_FEED_LEDGER_ERROR_SQLITE,
                   _("%s: could not switch the ledger to WAL mode"), path);
      return NULL;
    }

  if (!exec_sql (self, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON", error))
    return NULL;

  if (!migrate (self, error))
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (collections); i++)
    if (sqlite3_prepare_v3 (self->db, collections[i].sql, -1, SQLITE_PREPARE_PERSISTENT,
                            &self->list_stmts[i], NULL) != SQLITE_OK)
      {
        set_sqlite_error (self, error, collections[i].name);
        return NULL;
      }

  if (sqlite3_prepare_v3 (self->db, CHARGER_COLUMNS " WHERE c.id = ?1", -1,
                          SQLITE_PREPARE_PERSISTENT, &self->charger_stmt, NULL) != SQLITE_OK ||
      sqlite3_prepare_v3 (self->db, CHARGER_COLUMNS " WHERE c.code = ?1", -1,
                          SQLITE_PREPARE_PERSISTENT, &self->charger_by_code_stmt,
                          NULL) != SQLITE_OK ||
      sqlite3_prepare_v3 (self->db, METER_COLUMNS " WHERE charger_id = ?1", -1,
                          SQLITE_PREPARE_PERSISTENT, &self->meter_by_charger_stmt,
                          NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error, "prepare");
      return NULL;
    }

  return g_steal_pointer (&self);
}

static char *
get_meta (AnxFeedLedger  *self,
          const char     *key,
          GError        **error)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db, "SELECT value FROM meta WHERE key = ?1", -1, &stmt, NULL) !=
      SQLITE_OK)
    {
      set_sqlite_error (self, error, "SELECT meta");
      return NULL;
    }

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    set_sqlite_error (self, error, "SELECT meta");
  sqlite3_finalize (stmt);

  return value;
}

static gboolean
step_done (AnxFeedLedger  *self,
           sqlite3_stmt   *stmt,
           const char     *what,
           GError        **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, error, what);
  return TRUE;
}

static char *
format_date (const GDate *date)
{
  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (date), g_date_get_month (date),
                          g_date_get_day (date));
}

static char *
periods_to_json (const AnxSimTariff *tariff)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < tariff->n_periods; i++)
    {
      const AnxSimTariffPeriod *p = &tariff->periods[i];
      g_autofree char *start =
          g_strdup_printf ("%02u:%02u", p->start_minute / 60, p->start_minute % 60);
      g_autofree char *end = g_strdup_printf ("%02u:%02u", p->end_minute / 60, p->end_minute % 60);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "start");
      json_builder_add_string_value (builder, start);
      json_builder_set_member_name (builder, "end");
      json_builder_add_string_value (builder, end);
      json_builder_set_member_name (builder, "band");
      json_builder_add_string_value (builder, anx_sim_tariff_band_to_string (p->band));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static gboolean
insert_network (AnxFeedLedger  *self,
                AnxSimNetwork  *network,
                GError        **error)
{
  static const char *const sql[] = {
    "INSERT INTO operators (id, name, name_en) VALUES (?1, ?2, ?3)",
    "INSERT INTO tariffs (operator_id, peak_fen_per_kwh, flat_fen_per_kwh, valley_fen_per_kwh,"
    " service_fen_per_kwh, periods) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    "INSERT INTO stations (id, operator_id, name, address, district_code, district_name,"
    " latitude, longitude, datum, code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    "INSERT INTO chargers (id, station_id, code, current, rated_power_w) VALUES (?1, ?2, ?3, ?4, "
    "?5)",
    "INSERT INTO meters (id, charger_id, serial, manufacturer, model, accuracy_class,"
    " signature_algorithm, first_verification, rotation_due, physical_seal_id,"
    " electronic_seal_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
  };
  sqlite3_stmt *stmts[G_N_ELEMENTS (sql)] = { NULL };
  const AnxSimOperator *operators;
  const AnxSimStation *stations;
  const AnxSimCharger *chargers;
  const AnxSimMeter *meters;
  guint n_operators, n_stations, n_chargers, n_meters;
  gboolean ok = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (sql); i++)
    if (sqlite3_prepare_v2 (self->db, sql[i], -1, &stmts[i], NULL) != SQLITE_OK)
      {
        set_sqlite_error (self, error, sql[i]);
        goto out;
      }

  operators = anx_sim_network_get_operators (network, &n_operators);
  stations = anx_sim_network_get_stations (network, &n_stations);
  chargers = anx_sim_network_get_chargers (network, &n_chargers);
  meters = anx_sim_network_get_meters (network, &n_meters);

  for (guint i = 0; i < n_operators; i++)
    {
      const AnxSimOperator *op = &operators[i];
      g_autofree char *periods = periods_to_json (&op->tariff);

      sqlite3_bind_int64 (stmts[0], 1, op->id);
      sqlite3_bind_text (stmts[0], 2, op->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmts[0], 3, op->name_en, -1, SQLITE_STATIC);
      if (!step_done (self, stmts[0], "INSERT operators", error))
        goto out;

      sqlite3_bind_int64 (stmts[1], 1, op->id);
      sqlite3_bind_int64 (stmts[1], 2, op->tariff.peak_fen_per_kwh);
      sqlite3_bind_int64 (stmts[1], 3, op->tariff.flat_fen_per_kwh);
      sqlite3_bind_int64 (stmts[1], 4, op->tariff.valley_fen_per_kwh);
      sqlite3_bind_int64 (stmts[1], 5, op->tariff.service_fen_per_kwh);
      sqlite3_bind_text (stmts[1], 6, periods, -1, SQLITE_STATIC);
      if (!step_done (self, stmts[1], "INSERT tariffs", error))
        goto out;
    }

  for (guint i = 0; i < n_stations; i++)
    {
      const AnxSimStation *s = &stations[i];

      sqlite3_bind_int64 (stmts[2], 1, s->id);
      sqlite3_bind_int64 (stmts[2], 2, s->operator_id);
      sqlite3_bind_text (stmts[2], 3, s->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmts[2], 4, s->address, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmts[2], 5, anx_sim_district_get_code (s->district), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmts[2], 6, anx_sim_district_get_name (s->district), -1, SQLITE_STATIC);
      sqlite3_bind_double (stmts[2], 7, s->latitude);
      sqlite3_bind_double (stmts[2], 8, s->longitude);
      sqlite3_bind_text (stmts[2], 9, anx_geo_datum_to_string (s->datum), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmts[2], 10, s->code, -1, SQLITE_STATIC);
      if (!step_done (self, stmts[2], "INSERT stations", error))
        goto out;
    }

  for (guint i = 0; i < n_chargers; i++)
    {
      const AnxSimCharger *c = &chargers[i];

      sqlite3_bind_int64 (stmts[3], 1, c->id);
      sqlite3_bind_int64 (stmts[3], 2, c->station_id);
      sqlite3_bind_text (stmts[3], 3, c->code, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmts[3], 4, anx_sim_current_to_string (c->current), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmts[3], 5, c->rated_power_w);
      if (!step_done (self, stmts[3], "INSERT chargers", error))
        goto out;
    }

  for (guint i = 0; i < n_meters; i++)
    {
      const AnxSimMeter *m = &meters[i];
      g_autofree char *first = format_date (&m->first_verification);
      g_autofree char *due = format_date (&m->rotation_due);

      sqlite3_bind_int64 (stmts[4], 1, m->id);
      sqlite3_bind_int64 (stmts[4], 2, m->charger_id);
      sqlite3_bind_text (stmts[4], 3, m->serial, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmts[4], 4, m->manufacturer, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmts[4], 5, m->model, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmts[4], 6, m->accuracy_class);
      sqlite3_bind_text (stmts[4], 7, m->signature_algorithm, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmts[4], 8, first, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmts[4], 9, due, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmts[4], 10, m->physical_seal_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmts[4], 11, m->electronic_seal_id, -1, SQLITE_STATIC);
      if (!step_done (self, stmts[4], "INSERT meters", error))
        goto out;
    }

  ok = TRUE;

out:
  for (guint i = 0; i < G_N_ELEMENTS (stmts); i++)
    sqlite3_finalize (stmts[i]);
  return ok;
}

static gboolean
set_meta (AnxFeedLedger  *self,
          const char     *key,
          const char     *value,
          GError        **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)", -1,
                          &stmt, NULL) != SQLITE_OK)
    return set_sqlite_error (self, error, "INSERT meta");

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
  if (!step_done (self, stmt, "INSERT meta", error))
    {
      sqlite3_finalize (stmt);
      return FALSE;
    }

  sqlite3_finalize (stmt);
  return TRUE;
}

static char *
now_rfc3339 (void)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("+08:00");
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S%:z");
}

/**
 * anx_feed_ledger_load_simulation:
 * @self: the ledger
 * @scale: the scale's name, recorded with the registry
 * @params: the simulator parameters
 * @loaded_now: (out) (optional): %TRUE if this call wrote the registry,
 *   %FALSE if the ledger already held it
 * @error: return location for a #GError
 *
 * Writes the simulated registry once per ledger, in one transaction. When
 * the ledger already holds the registry of the same parameters it is kept
 * untouched; a registry from other parameters (or a real one) is never
 * overwritten and gives %ANX_FEED_LEDGER_ERROR_REGISTRY_MISMATCH.
 *
 * Returns: %TRUE on success
 */
gboolean
anx_feed_ledger_load_simulation (AnxFeedLedger       *self,
                                 const char          *scale,
                                 const AnxSimParams  *params,
                                 gboolean            *loaded_now,
                                 GError             **error)
{
  g_autoptr(AnxSimNetwork) network = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *source = NULL;
  g_autofree char *existing = NULL;
  g_autofree char *seed = NULL;
  g_autofree char *now = NULL;
  gint64 n_operators = 0;

  g_return_val_if_fail (ANX_IS_FEED_LEDGER (self), FALSE);
  g_return_val_if_fail (scale != NULL && params != NULL, FALSE);

  if (loaded_now != NULL)
    *loaded_now = FALSE;

  reference = format_date (&params->reference_date);
  source = g_strdup_printf ("simulator scale=%s seed=%" G_GUINT64_FORMAT
                            " operators=%u stations=%u chargers=%u reference=%s",
                            scale, params->seed, params->n_operators, params->n_stations,
                            params->n_chargers, reference);

  if (!exec_sql (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  existing = get_meta (self, "registry_source", &local_error);
  if (local_error != NULL)
    goto fail;

  if (existing != NULL)
    {
      exec_sql (self, "ROLLBACK", NULL);
      if (!g_str_equal (existing, source))
        {
          g_set_error (error, ANX_FEED_LEDGER_ERROR, ANX_FEED_LEDGER_ERROR_REGISTRY_MISMATCH,
                       _("%s already holds a registry (%s); it will not be replaced by %s — "
                          "use another --db"),
                       self->path, existing, source);
          return FALSE;
        }

      g_debug ("%s already holds %s; keeping it", self->path, source);
      return TRUE;
    }

  if (!query_int (self, "SELECT count(*) FROM operators", &n_operators, &local_error))
    goto fail;
  if (n_operators != 0)
    {
      g_set_error (&local_error, ANX_FEED_LEDGER_ERROR, ANX_FEED_LEDGER_ERROR_REGISTRY_MISMATCH,
                   _("%s already holds a registry that did not come from the simulator; it "
                      "will not be replaced — use another --db"),
                   self->path);
      goto fail;
    }

  network = anx_sim_network_new (params, &local_error);
  if (network == NULL)
    goto fail;

  seed = g_strdup_printf ("%" G_GUINT64_FORMAT, params->seed);
  now = now_rfc3339 ();
  if (!insert_network (self, network, &local_error) ||
      !set_meta (self, "registry_source", source, &local_error) ||
      !set_meta (self, "registry_kind", "simulator", &local_error) ||
      !set_meta (self, "registry_scale", scale, &local_error) ||
      !set_meta (self, "registry_seed", seed, &local_error) ||
      !set_meta (self, "registry_loaded_at", now, &local_error))
    goto fail;

  if (!exec_sql (self, "COMMIT", &local_error))
    goto fail;

  g_message ("Loaded the simulated registry into %s: %u operators, %u stations, %u chargers",
             self->path, params->n_operators, params->n_stations, params->n_chargers);
  if (loaded_now != NULL)
    *loaded_now = TRUE;
  return TRUE;

fail:
  exec_sql (self, "ROLLBACK", NULL);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/**
 * anx_feed_ledger_describe_registry:
 * @self: the ledger
 * @error: return location for a #GError
 *
 * Returns: (transfer full): where the registry came from — `kind`, `scale`,
 *   `seed` and `loaded_at` for a simulated one — or an empty object if the
 *   ledger holds none; %NULL on error
 */
JsonObject *
anx_feed_ledger_describe_registry (AnxFeedLedger  *self,
                                   GError        **error)
{
  static const char *const keys[] = { "kind", "scale", "seed", "loaded_at" };
  g_autoptr(JsonObject) object = json_object_new ();

  g_return_val_if_fail (ANX_IS_FEED_LEDGER (self), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *key = g_strconcat ("registry_", keys[i], NULL);
      g_autoptr(GError) local_error = NULL;
      g_autofree char *value = get_meta (self, key, &local_error);

      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (value == NULL)
        continue;

      if (g_str_equal (keys[i], "seed"))
        json_object_set_int_member (object, keys[i], g_ascii_strtoll (value, NULL, 10));
      else
        json_object_set_string_member (object, keys[i], value);
    }

  return g_steal_pointer (&object);
}

/**
 * anx_feed_ledger_get_head_cursor:
 * @self: the ledger
 *
 * The cursor of the newest event in the event log; a snapshot read now is
 * consistent with it. This schema has no event log yet, so no event has been
 * appended and the head is 0 by definition (the first event gets cursor 1).
 *
 * Returns: the head cursor
 */
gint64
anx_feed_ledger_get_head_cursor (AnxFeedLedger *self)
{
  g_return_val_if_fail (ANX_IS_FEED_LEDGER (self), 0);

  return 0;
}

static void
set_nullable_string (JsonObject   *object,
                     const char   *member,
                     sqlite3_stmt *stmt,
                     int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    json_object_set_null_member (object, member);
  else
    json_object_set_string_member (object, member,
                                   (const char *) sqlite3_column_text (stmt, column));
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return text != NULL ? text : "";
}

static JsonObject *
operator_row_to_json (sqlite3_stmt *stmt)
{
  JsonObject *object = json_object_new ();

  json_object_set_int_member (object, "id", sqlite3_column_int64 (stmt, 0));
  json_object_set_string_member (object, "name", column_text (stmt, 1));
  json_object_set_string_member (object, "name_en", column_text (stmt, 2));

  if (sqlite3_column_type (stmt, 3) == SQLITE_NULL)
    {
      json_object_set_null_member (object, "tariff");
    }
  else
    {
      JsonObject *tariff = json_object_new ();
      JsonNode *periods = json_from_string (column_text (stmt, 7), NULL);

      json_object_set_string_member (tariff, "currency", "CNY");
      json_object_set_string_member (tariff, "time_zone", "+08:00");
      json_object_set_int_member (tariff, "peak_fen_per_kwh", sqlite3_column_int64 (stmt, 3));
      json_object_set_int_member (tariff, "flat_fen_per_kwh", sqlite3_column_int64 (stmt, 4));
      json_object_set_int_member (tariff, "valley_fen_per_kwh", sqlite3_column_int64 (stmt, 5));
      json_object_set_int_member (tariff, "service_fen_per_kwh", sqlite3_column_int64 (stmt, 6));
      if (periods != NULL && JSON_NODE_HOLDS_ARRAY (periods))
        json_object_set_member (tariff, "periods", periods);
      else
        {
          g_warning ("Operator %" G_GINT64_FORMAT " has unreadable tariff periods",
                     (gint64) sqlite3_column_int64 (stmt, 0));
          g_clear_pointer (&periods, json_node_unref);
          json_object_set_array_member (tariff, "periods", json_array_new ());
        }
      json_object_set_object_member (object, "tariff", tariff);
    }

  return object;
}

static JsonObject *
station_row_to_json (sqlite3_stmt *stmt)
{
  JsonObject *object = json_object_new ();
  JsonObject *district = json_object_new ();
  JsonObject *location = json_object_new ();

  json_object_set_int_member (object, "id", sqlite3_column_int64 (stmt, 0));
  json_object_set_int_member (object, "operator_id", sqlite3_column_int64 (stmt, 1));
  json_object_set_string_member (object, "code", column_text (stmt, 10));
  json_object_set_string_member (object, "name", column_text (stmt, 2));
  json_object_set_string_member (object, "address", column_text (stmt, 3));

  json_object_set_string_member (district, "code", column_text (stmt, 4));
  json_object_set_string_member (district, "name", column_text (stmt, 5));
  json_object_set_object_member (object, "district", district);

  json_object_set_double_member (location, "latitude", sqlite3_column_double (stmt, 6));
  json_object_set_double_member (location, "longitude", sqlite3_column_double (stmt, 7));
  json_object_set_string_member (location, "datum", column_text (stmt, 8));
  json_object_set_object_member (object, "location", location);

  json_object_set_int_member (object, "charger_count", sqlite3_column_int64 (stmt, 9));
  return object;
}

static JsonObject *
charger_row_to_json (sqlite3_stmt *stmt)
{
  JsonObject *object = json_object_new ();

  json_object_set_int_member (object, "id", sqlite3_column_int64 (stmt, 0));
  json_object_set_int_member (object, "station_id", sqlite3_column_int64 (stmt, 1));
  json_object_set_int_member (object, "operator_id", sqlite3_column_int64 (stmt, 2));
  json_object_set_string_member (object, "code", column_text (stmt, 3));
  json_object_set_string_member (object, "current", column_text (stmt, 4));
  json_object_set_int_member (object, "rated_power_w", sqlite3_column_int64 (stmt, 5));
  json_object_set_string_member (object, "status", column_text (stmt, 6));
  set_nullable_string (object, "last_seen", stmt, 7);
  if (sqlite3_column_type (stmt, 8) == SQLITE_NULL)
    json_object_set_null_member (object, "meter_id");
  else
    json_object_set_int_member (object, "meter_id", sqlite3_column_int64 (stmt, 8));

  return object;
}

static JsonObject *
meter_row_to_json (sqlite3_stmt *stmt)
{
  JsonObject *object = json_object_new ();
  JsonObject *seals = json_object_new ();

  json_object_set_int_member (object, "id", sqlite3_column_int64 (stmt, 0));
  json_object_set_int_member (object, "charger_id", sqlite3_column_int64 (stmt, 1));
  json_object_set_string_member (object, "serial", column_text (stmt, 2));
  json_object_set_string_member (object, "manufacturer", column_text (stmt, 3));
  json_object_set_string_member (object, "model", column_text (stmt, 4));
  json_object_set_int_member (object, "accuracy_class", sqlite3_column_int64 (stmt, 5));
  json_object_set_string_member (object, "signature_algorithm", column_text (stmt, 6));
  set_nullable_string (object, "public_key", stmt, 7);
  json_object_set_string_member (object, "first_verification", column_text (stmt, 8));
  json_object_set_string_member (object, "rotation_due", column_text (stmt, 9));
  json_object_set_string_member (seals, "physical", column_text (stmt, 10));
  json_object_set_string_member (seals, "electronic", column_text (stmt, 11));
  json_object_set_object_member (object, "seals", seals);

  return object;
}

/**
 * anx_feed_collection_from_string:
 * @text: "operators", "stations", "chargers" or "meters"
 * @collection: (out): the collection
 *
 * Returns: %TRUE if @text names a registry collection
 */
gboolean
anx_feed_collection_from_string (const char        *text,
                                 AnxFeedCollection *collection)
{
  for (guint i = 0; i < G_N_ELEMENTS (collections); i++)
    {
      if (g_strcmp0 (text, collections[i].name) == 0)
        {
          *collection = (AnxFeedCollection) i;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * anx_feed_ledger_list:
 * @self: the ledger
 * @collection: which registry collection
 * @after: return items with an id above this (0 for the first page)
 * @limit: at most this many items, at least 1
 * @next_after: (out): the @after of the next page, or 0 if this is the last
 * @error: return location for a #GError
 *
 * Reads one page of the registry, ordered by id.
 *
 * Returns: (transfer full): the items, or %NULL on error
 */
JsonArray *
anx_feed_ledger_list (AnxFeedLedger      *self,
                      AnxFeedCollection   collection,
                      gint64              after,
                      guint               limit,
                      gint64             *next_after,
                      GError            **error)
{
  g_autoptr(JsonArray) items = NULL;
  sqlite3_stmt *stmt;
  gint64 last_id = 0;
  gboolean more = FALSE;
  int rc;

  g_return_val_if_fail (ANX_IS_FEED_LEDGER (self), NULL);
  g_return_val_if_fail ((guint) collection < G_N_ELEMENTS (collections), NULL);
  g_return_val_if_fail (limit > 0, NULL);
  g_return_val_if_fail (next_after != NULL, NULL);

  *next_after = 0;
  items = json_array_sized_new (limit);
  stmt = self->list_stmts[collection];

  /* One row more than asked tells whether another page follows. */
  sqlite3_bind_int64 (stmt, 1, after);
  sqlite3_bind_int64 (stmt, 2, (gint64) limit + 1);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (json_array_get_length (items) == limit)
        {
          more = TRUE;
          break;
        }

      last_id = sqlite3_column_int64 (stmt, 0);
      json_array_add_object_element (items, collections[collection].row_to_json (stmt));
    }

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, collections[collection].name);
      sqlite3_reset (stmt);
      return NULL;
    }

  sqlite3_reset (stmt);
  if (more)
    *next_after = last_id;

  return g_steal_pointer (&items);
}

/* Steps @stmt, already bound, and attaches the charger's meter. */
static JsonObject *
read_charger (AnxFeedLedger  *self,
              sqlite3_stmt   *stmt,
              const char     *which,
              GError        **error)
{
  g_autoptr(JsonObject) charger = NULL;
  gint64 id = 0;
  int rc;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      charger = charger_row_to_json (stmt);
      id = sqlite3_column_int64 (stmt, 0);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  if (rc == SQLITE_DONE)
    {
      g_set_error (error, ANX_FEED_LEDGER_ERROR, ANX_FEED_LEDGER_ERROR_NOT_FOUND, "No charger %s",
                   which);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (self, error, "SELECT charger");
      return NULL;
    }

  sqlite3_bind_int64 (self->meter_by_charger_stmt, 1, id);
  rc = sqlite3_step (self->meter_by_charger_stmt);
  if (rc == SQLITE_ROW)
    json_object_set_object_member (charger, "meter",
                                   meter_row_to_json (self->meter_by_charger_stmt));
  else if (rc == SQLITE_DONE)
    json_object_set_null_member (charger, "meter");
  sqlite3_reset (self->meter_by_charger_stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "SELECT meter");
      return NULL;
    }

  return g_steal_pointer (&charger);
}

/**
 * anx_feed_ledger_get_charger:
 * @self: the ledger
 * @id: a charger id
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the charger with its meter under `meter`, or
 *   %NULL with %ANX_FEED_LEDGER_ERROR_NOT_FOUND (or another error)
 */
JsonObject *
anx_feed_ledger_get_charger (AnxFeedLedger  *self,
                             gint64          id,
                             GError        **error)
{
  g_autofree char *which = NULL;

  g_return_val_if_fail (ANX_IS_FEED_LEDGER (self), NULL);

  which = g_strdup_printf ("with id %" G_GINT64_FORMAT, id);
  sqlite3_bind_int64 (self->charger_stmt, 1, id);
  return read_charger (self, self->charger_stmt, which, error);
}

/**
 * anx_feed_ledger_get_charger_by_code:
 * @self: the ledger
 * @code: a charger code, e.g. "330106-0042-DC02", as chain records name
 *   their charger
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the charger with its meter under `meter`, or
 *   %NULL with %ANX_FEED_LEDGER_ERROR_NOT_FOUND (or another error)
 */
JsonObject *
anx_feed_ledger_get_charger_by_code (AnxFeedLedger  *self,
                                     const char     *code,
                                     GError        **error)
{
  g_autofree char *which = NULL;

  g_return_val_if_fail (ANX_IS_FEED_LEDGER (self), NULL);
  g_return_val_if_fail (code != NULL, NULL);

  which = g_strdup_printf ("with code %s", code);
  sqlite3_bind_text (self->charger_by_code_stmt, 1, code, -1, SQLITE_TRANSIENT);
  return read_charger (self, self->charger_by_code_stmt, which, error);
}
