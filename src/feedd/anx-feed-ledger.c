/* anx-feed-ledger.c: the SQLite ledger behind anxin-feedd
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-feed-ledger"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <sqlite3.h>

#include "anx-chain-verifier.h"
#include "anx-feed-event.h"
#include "anx-feed-ledger.h"
#include "anx-finding.h"

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
  "  periods             TEXT NOT NULL" /* JSON array, see docs/feed-protocol.md */
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
  /* 2: chains, meter keys, the event log, live state, alarms, writes, the
   * simulator's state */
  "CREATE TABLE chain_records ("
  "  charger_id INTEGER NOT NULL REFERENCES chargers (id),"
  "  sequence   INTEGER NOT NULL CHECK (sequence >= 0),"
  "  hash       BLOB NOT NULL CHECK (length (hash) = 32),"
  "  kind       TEXT NOT NULL,"
  "  record     TEXT NOT NULL," /* the record's JSON as stored and served */
  "  cursor     INTEGER NOT NULL," /* the chain.appended event */
  "  UNIQUE (charger_id, sequence, hash)"
  ") STRICT;"
  "CREATE TABLE chain_heads ("
  "  charger_id INTEGER PRIMARY KEY REFERENCES chargers (id),"
  "  sequence   INTEGER NOT NULL,"
  "  hash       BLOB NOT NULL,"
  "  n_records  INTEGER NOT NULL"
  ") STRICT;"
  "CREATE TABLE meter_keys ("
  "  id            INTEGER PRIMARY KEY,"
  "  charger_id    INTEGER NOT NULL REFERENCES chargers (id),"
  "  meter_id      INTEGER REFERENCES meters (id),"
  "  serial        TEXT NOT NULL,"
  "  algorithm     TEXT NOT NULL,"
  "  public_key    TEXT NOT NULL," /* DER SubjectPublicKeyInfo, lower-case hex */
  "  from_sequence INTEGER NOT NULL CHECK (from_sequence >= 0),"
  "  UNIQUE (charger_id, from_sequence, serial)"
  ") STRICT;"
  "CREATE TABLE events ("
  "  cursor     INTEGER PRIMARY KEY,"
  "  time_us    INTEGER NOT NULL,"
  "  type       TEXT NOT NULL,"
  "  charger_id INTEGER,"
  "  body       TEXT NOT NULL" /* the event's JSON, cursor included */
  ") STRICT;"
  "CREATE INDEX events_by_time ON events (time_us);"
  "ALTER TABLE chargers ADD COLUMN last_seen_us INTEGER;"
  "ALTER TABLE chargers ADD COLUMN status_since_us INTEGER;"
  "CREATE TABLE sessions ("
  "  charger_id INTEGER PRIMARY KEY REFERENCES chargers (id),"
  "  session_id TEXT NOT NULL,"
  "  started_us INTEGER NOT NULL,"
  "  updated_us INTEGER NOT NULL,"
  "  meter_start_wh INTEGER NOT NULL,"
  "  power_w    INTEGER NOT NULL DEFAULT 0,"
  "  energy_wh  INTEGER NOT NULL DEFAULT 0,"
  "  amount_fen INTEGER NOT NULL DEFAULT 0"
  ") STRICT;"
  "CREATE TABLE alarms ("
  "  id              INTEGER PRIMARY KEY,"
  "  charger_id      INTEGER NOT NULL REFERENCES chargers (id),"
  "  code            TEXT NOT NULL,"
  "  severity        TEXT NOT NULL,"
  "  sequence        INTEGER,"
  "  last_sequence   INTEGER,"
  "  occurrences     INTEGER NOT NULL DEFAULT 1,"
  "  message         TEXT NOT NULL,"
  "  details         TEXT NOT NULL,"
  "  raised_us       INTEGER NOT NULL,"
  "  raised_cursor   INTEGER NOT NULL,"
  "  state           TEXT NOT NULL CHECK (state IN ('open', 'cleared')),"
  "  cleared_us      INTEGER,"
  "  cleared_cursor  INTEGER,"
  "  cleared_reason  TEXT,"
  "  cleared_sequence INTEGER,"
  "  acknowledged_by TEXT,"
  "  acknowledged_us INTEGER,"
  "  ack_note        TEXT"
  ") STRICT;"
  "CREATE INDEX alarms_open ON alarms (charger_id, code) WHERE state = 'open';"
  "CREATE TABLE idempotency ("
  "  scope    TEXT NOT NULL," /* 'inspection' or 'ack' */
  "  key      TEXT NOT NULL,"
  "  token    TEXT NOT NULL,"
  "  response TEXT NOT NULL,"
  "  PRIMARY KEY (scope, key)"
  ") STRICT;"
  "CREATE TABLE sim_state ("
  "  charger_id INTEGER PRIMARY KEY,"
  "  state      BLOB NOT NULL"
  ") STRICT;"
  "CREATE TABLE ground_truth ("
  "  id   INTEGER PRIMARY KEY,"
  "  line TEXT NOT NULL"
  ") STRICT;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == ANX_FEED_LEDGER_SCHEMA_VERSION);

/* Statements of the live feed, prepared once on first use. */
typedef enum
{
  S_INSERT_RECORD,
  S_UPSERT_HEAD,
  S_GET_HEAD,
  S_INSERT_EVENT,
  S_FIND_OPEN_ALARM,
  S_BUMP_ALARM,
  S_INSERT_ALARM,
  S_OPEN_ALARMS,
  S_CLEAR_ALARM,
  S_GET_STATUS,
  S_SET_STATUS,
  S_TOUCH_CHARGER,
  S_START_SESSION,
  S_PROGRESS_SESSION,
  S_END_SESSION,
  S_INSERT_KEY,
  S_UPDATE_METER,
  S_SAVE_STATE,
  S_LOAD_STATE,
  S_INSERT_TRUTH,
  S_METER_KEYS,
  S_METER_OF_CHARGER,
  S_SEED_RECORDS,
  S_READ_EVENTS,
  S_OFFLINE,
  S_KEYS_OF_CHARGER,
  S_GET_STATUS_SINCE,
  N_STMTS
} StmtId;

static const char *const stmt_sql[N_STMTS] = {
  [S_KEYS_OF_CHARGER] = "SELECT serial, algorithm, public_key, from_sequence FROM meter_keys"
                        " WHERE charger_id = ?1 ORDER BY from_sequence, id",
  [S_GET_STATUS_SINCE] = "SELECT status_since_us FROM chargers WHERE id = ?1",
  [S_INSERT_RECORD] = "INSERT OR IGNORE INTO chain_records (charger_id, sequence, hash, kind, record,"
                      " cursor) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
  /* The head moves only forward: a fork's second record or a late
   * duplicate does not move it, as a verifier leaves them out. */
  [S_UPSERT_HEAD] = "INSERT INTO chain_heads (charger_id, sequence, hash, n_records)"
                    " VALUES (?1, ?2, ?3, 1) ON CONFLICT (charger_id) DO UPDATE SET"
                    " n_records = n_records + 1,"
                    " hash = CASE WHEN excluded.sequence > sequence THEN excluded.hash ELSE hash END,"
                    " sequence = max (sequence, excluded.sequence)",
  [S_GET_HEAD] = "SELECT sequence, hash, n_records FROM chain_heads WHERE charger_id = ?1",
  [S_INSERT_EVENT] = "INSERT INTO events (cursor, time_us, type, charger_id, body)"
                     " VALUES (?1, ?2, ?3, ?4, ?5)",
  [S_FIND_OPEN_ALARM] = "SELECT id FROM alarms WHERE charger_id = ?1 AND code = ?2 AND state = 'open'",
  [S_BUMP_ALARM] = "UPDATE alarms SET occurrences = occurrences + 1, last_sequence = ?2 WHERE id = ?1",
  [S_INSERT_ALARM] = "INSERT INTO alarms (charger_id, code, severity, sequence, last_sequence, message,"
                     " details, raised_us, raised_cursor, state)"
                     " VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, ?8, 'open')",
  [S_OPEN_ALARMS] = "SELECT id, code FROM alarms WHERE charger_id = ?1 AND state = 'open' ORDER BY id",
  [S_CLEAR_ALARM] = "UPDATE alarms SET state = 'cleared', cleared_us = ?2, cleared_cursor = ?3,"
                    " cleared_reason = ?4, cleared_sequence = ?5 WHERE id = ?1",
  [S_GET_STATUS] = "SELECT status FROM chargers WHERE id = ?1",
  [S_SET_STATUS] = "UPDATE chargers SET status = ?2, status_since_us = ?3, last_seen = ?4,"
                   " last_seen_us = ?3 WHERE id = ?1",
  [S_TOUCH_CHARGER] = "UPDATE chargers SET last_seen = ?2, last_seen_us = ?3 WHERE id = ?1",
  [S_START_SESSION] = "INSERT OR REPLACE INTO sessions (charger_id, session_id, started_us, updated_us,"
                      " meter_start_wh) VALUES (?1, ?2, ?3, ?3, ?4)",
  [S_PROGRESS_SESSION] = "UPDATE sessions SET updated_us = ?2, power_w = ?3, energy_wh = ?4,"
                         " amount_fen = ?5 WHERE charger_id = ?1",
  [S_END_SESSION] = "DELETE FROM sessions WHERE charger_id = ?1",
  [S_INSERT_KEY] = "INSERT OR IGNORE INTO meter_keys (charger_id, meter_id, serial, algorithm, public_key,"
                   " from_sequence) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
  [S_UPDATE_METER] = "UPDATE meters SET public_key = ?2, signature_algorithm = ?3 WHERE id = ?1",
  [S_SAVE_STATE] = "INSERT OR REPLACE INTO sim_state (charger_id, state) VALUES (?1, ?2)",
  [S_LOAD_STATE] = "SELECT state FROM sim_state WHERE charger_id = ?1",
  [S_INSERT_TRUTH] = "INSERT INTO ground_truth (line) VALUES (?1)",
  [S_METER_KEYS] = "SELECT k.serial, k.algorithm, k.public_key, k.from_sequence, m.model,"
                   " m.accuracy_class FROM meter_keys k LEFT JOIN meters m ON m.charger_id = k.charger_id"
                   " WHERE k.charger_id = ?1 ORDER BY k.from_sequence, k.id",
  [S_METER_OF_CHARGER] = "SELECT id FROM meters WHERE charger_id = ?1",
  /* The newest records of the chain (the first received of each sequence)
   * from before @cursor, to seed a verifier with. */
  [S_SEED_RECORDS] = "SELECT record FROM chain_records WHERE rowid IN"
                     " (SELECT min (rowid) FROM chain_records WHERE charger_id = ?1 AND cursor < ?2"
                     "  GROUP BY sequence ORDER BY sequence DESC LIMIT ?3) ORDER BY sequence",
  [S_READ_EVENTS] = "SELECT cursor, body FROM events WHERE cursor > ?1 ORDER BY cursor LIMIT ?2",
  [S_OFFLINE] = "SELECT c.id, c.status_since_us FROM chargers c WHERE c.status = 'offline'"
                " AND c.status_since_us <= ?1 AND NOT EXISTS (SELECT 1 FROM alarms a"
                " WHERE a.charger_id = c.id AND a.code = 'offline' AND a.state = 'open')",
};

typedef JsonObject *(*RowToJson) (sqlite3_stmt *stmt);

static JsonObject *operator_row_to_json (sqlite3_stmt *stmt);
static JsonObject *station_row_to_json (sqlite3_stmt *stmt);
static JsonObject *charger_row_to_json (sqlite3_stmt *stmt);
static JsonObject *meter_row_to_json (sqlite3_stmt *stmt);

#define CHARGER_COLUMNS                                                                     \
  "SELECT c.id, c.station_id, s.operator_id, c.code, c.current, c.rated_power_w, c.status," \
  " c.last_seen, m.id, x.session_id, x.started_us, x.meter_start_wh, x.power_w,"           \
  " x.energy_wh, x.amount_fen, x.updated_us"                                                \
  " FROM chargers c JOIN stations s ON s.id = c.station_id"                                 \
  " LEFT JOIN meters m ON m.charger_id = c.id"                                              \
  " LEFT JOIN sessions x ON x.charger_id = c.id"

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
  sqlite3_stmt *stmts[N_STMTS];

  /* The event log: the head includes the events of the open transaction. */
  gint64 head_cursor;
  gint64 committed_head;
  gint64 oldest_cursor;
  gint64 latest_time_us;
  guint64 retain_events;
  guint retain_days;
  gboolean progress_events;

  /* The open transaction: its events, and its records still to verify. */
  gboolean in_transaction;
  GPtrArray *pending_events;  /* AnxFeedLogEntry */
  GPtrArray *pending_records; /* PendingRecord */

  /* Charger id → code, and the incremental verifiers (ChargerCheck). */
  GPtrArray *codes;
  GHashTable *checks;
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
  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&self->stmts[i], sqlite3_finalize);
  g_clear_pointer (&self->pending_events, g_ptr_array_unref);
  g_clear_pointer (&self->pending_records, g_ptr_array_unref);
  g_clear_pointer (&self->codes, g_ptr_array_unref);
  g_clear_pointer (&self->checks, g_hash_table_unref);

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

static void charger_check_free (gpointer data);

static void
anx_feed_ledger_init (AnxFeedLedger *self)
{
  self->retain_events = ANX_FEED_LEDGER_DEFAULT_RETAIN_EVENTS;
  self->retain_days = ANX_FEED_LEDGER_DEFAULT_RETAIN_DAYS;
  self->progress_events = TRUE;
  self->checks = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, charger_check_free);
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

static gboolean load_log_bounds (AnxFeedLedger  *self,
                                 GError        **error);

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

  if (!load_log_bounds (self, error))
    return NULL;

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
  const char *algorithm;
  gint64 n_operators = 0;

  g_return_val_if_fail (ANX_IS_FEED_LEDGER (self), FALSE);
  g_return_val_if_fail (scale != NULL && params != NULL, FALSE);

  if (loaded_now != NULL)
    *loaded_now = FALSE;

  reference = format_date (&params->reference_date);
  /* One algorithm for every meter is another registry; the mix says nothing
   * (the source of ledgers made before the option). */
  algorithm = anx_signature_algorithm_to_ocmf (params->signature_algorithm);
  source = g_strdup_printf ("simulator scale=%s seed=%" G_GUINT64_FORMAT
                            " operators=%u stations=%u chargers=%u reference=%s%s%s",
                            scale, params->seed, params->n_operators, params->n_stations,
                            params->n_chargers, reference, algorithm != NULL ? " signatures=" : "",
                            algorithm != NULL ? algorithm : "");

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
 * The cursor of the newest committed event in the event log (0 while the
 * log is empty); a snapshot read now is consistent with it.
 *
 * Returns: the head cursor
 */
gint64
anx_feed_ledger_get_head_cursor (AnxFeedLedger *self)
{
  g_return_val_if_fail (ANX_IS_FEED_LEDGER (self), 0);

  return self->committed_head;
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

  /* The session running now: a client that starts from a snapshot sees it
   * without waiting for the next session.started. */
  if (sqlite3_column_type (stmt, 9) == SQLITE_NULL)
    {
      json_object_set_null_member (object, "session");
    }
  else
    {
      JsonObject *session = json_object_new ();
      g_autofree char *started = anx_feed_format_time (sqlite3_column_int64 (stmt, 10));
      g_autofree char *updated = anx_feed_format_time (sqlite3_column_int64 (stmt, 15));

      json_object_set_string_member (session, "session_id", column_text (stmt, 9));
      json_object_set_string_member (session, "started", started);
      json_object_set_int_member (session, "meter_start_wh", sqlite3_column_int64 (stmt, 11));
      json_object_set_int_member (session, "power_w", sqlite3_column_int64 (stmt, 12));
      json_object_set_int_member (session, "energy_wh", sqlite3_column_int64 (stmt, 13));
      json_object_set_int_member (session, "amount_fen", sqlite3_column_int64 (stmt, 14));
      json_object_set_string_member (session, "updated", updated);
      json_object_set_object_member (object, "session", session);
    }

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

static sqlite3_stmt *get_stmt (AnxFeedLedger  *self,
                                StmtId          id,
                                GError        **error);

/* Every key the meter of @charger_id signed with, oldest first: a client
 * verifies old records with the key valid at their sequence. */
static gboolean
attach_meter_keys (AnxFeedLedger  *self,
                   JsonObject     *meter,
                   gint64          charger_id,
                   GError        **error)
{
  sqlite3_stmt *stmt = get_stmt (self, S_KEYS_OF_CHARGER, error);
  JsonArray *keys;
  int rc;

  if (stmt == NULL)
    return FALSE;

  keys = json_array_new ();
  json_object_set_array_member (meter, "keys", keys);
  sqlite3_bind_int64 (stmt, 1, charger_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonObject *key = json_object_new ();

      json_object_set_string_member (key, "serial", column_text (stmt, 0));
      json_object_set_string_member (key, "signature_algorithm", column_text (stmt, 1));
      json_object_set_string_member (key, "public_key", column_text (stmt, 2));
      json_object_set_int_member (key, "from_sequence", sqlite3_column_int64 (stmt, 3));
      json_array_add_object_element (keys, key);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, error, "SELECT meter_keys");
  return TRUE;
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

      JsonObject *item = collections[collection].row_to_json (stmt);

      last_id = sqlite3_column_int64 (stmt, 0);
      if (collection == ANX_FEED_COLLECTION_METERS &&
          !attach_meter_keys (self, item, sqlite3_column_int64 (stmt, 1), error))
        {
          json_object_unref (item);
          sqlite3_reset (stmt);
          return NULL;
        }
      json_array_add_object_element (items, item);
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
    {
      JsonObject *meter = meter_row_to_json (self->meter_by_charger_stmt);

      json_object_set_object_member (charger, "meter", meter);
      if (!attach_meter_keys (self, meter, id, error))
        {
          sqlite3_reset (self->meter_by_charger_stmt);
          return NULL;
        }
    }
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

/* ------------------------------------------------------------------------ */
/* The live feed: chains, the event log, alarms, writes                      */
/* ------------------------------------------------------------------------ */

/* A verifier keeps every accepted hash of its chain; the server keeps only
 * a window of each chain in memory and re-seeds from the ledger after it. */
#define CHECK_WINDOW 64
#define SEED_RECORDS 4

typedef struct
{
  AnxChainVerifier *verifier;
  guint n_added;
} ChargerCheck;

typedef struct
{
  gint64 charger_id;
  gint64 cursor;
  gint64 time_us;
  AnxChainRecord *record;
} PendingRecord;

static void
charger_check_free (gpointer data)
{
  ChargerCheck *check = data;

  g_clear_object (&check->verifier);
  g_free (check);
}

static void
pending_record_free (gpointer data)
{
  PendingRecord *pending = data;

  anx_chain_record_unref (pending->record);
  g_free (pending);
}

/**
 * anx_feed_log_entry_free:
 * @entry: an entry
 */
void
anx_feed_log_entry_free (AnxFeedLogEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->json);
  g_free (entry);
}

static sqlite3_stmt *
get_stmt (AnxFeedLedger  *self,
          StmtId          id,
          GError        **error)
{
  if (self->stmts[id] == NULL &&
      sqlite3_prepare_v3 (self->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &self->stmts[id],
                          NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error, stmt_sql[id]);
      return NULL;
    }

  sqlite3_reset (self->stmts[id]);
  sqlite3_clear_bindings (self->stmts[id]);
  return self->stmts[id];
}

static gboolean
load_log_bounds (AnxFeedLedger  *self,
                 GError        **error)
{
  gint64 head = 0, oldest = 0, latest = 0;

  if (!query_int (self, "SELECT coalesce (max (cursor), 0) FROM events", &head, error) ||
      !query_int (self, "SELECT coalesce (min (cursor), 0) FROM events", &oldest, error) ||
      !query_int (self, "SELECT coalesce (max (time_us), 0) FROM events", &latest, error))
    return FALSE;

  /* The head is also remembered apart, so a log emptied by retention
   * still continues from it rather than from 1. */
  {
    g_autofree char *kept = get_meta (self, "log_head", NULL);

    if (kept != NULL)
      head = MAX (head, g_ascii_strtoll (kept, NULL, 10));
  }

  self->head_cursor = head;
  self->committed_head = head;
  self->oldest_cursor = oldest > 0 ? oldest : head + 1;
  self->latest_time_us = latest;
  return TRUE;
}

/**
 * anx_feed_ledger_set_retention:
 * @self: the ledger
 * @max_events: keep at most this many events (at least 1)
 * @max_days: and none older than this many days before the newest
 *
 * Older events are deleted at each commit; a client asking for them gets
 * told to re-sync from a snapshot.
 */
void
anx_feed_ledger_set_retention (AnxFeedLedger *self,
                               guint64        max_events,
                               guint          max_days)
{
  g_return_if_fail (ANX_IS_FEED_LEDGER (self));

  self->retain_events = MAX (max_events, 1);
  self->retain_days = MAX (max_days, 1);
}

/**
 * anx_feed_ledger_set_progress_events:
 * @self: the ledger
 * @log: whether anx_feed_ledger_session_progress() logs `session.progress`
 *
 * History written after the fact (the simulator's back-fill) has no live
 * session to watch: its progress updates only the session row, which keeps
 * the log a tenth of the size.
 */
void
anx_feed_ledger_set_progress_events (AnxFeedLedger *self,
                                     gboolean       log)
{
  g_return_if_fail (ANX_IS_FEED_LEDGER (self));

  self->progress_events = log;
}

/**
 * anx_feed_ledger_get_oldest_cursor:
 * @self: the ledger
 *
 * Returns: the oldest cursor the log still holds, or head + 1 if it is empty
 */
gint64
anx_feed_ledger_get_oldest_cursor (AnxFeedLedger *self)
{
  g_return_val_if_fail (ANX_IS_FEED_LEDGER (self), 1);

  return self->oldest_cursor;
}

/**
 * anx_feed_ledger_get_meta:
 * @self: the ledger
 * @key: a key
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the value, %NULL if unset or on error
 */
char *
anx_feed_ledger_get_meta (AnxFeedLedger  *self,
                          const char     *key,
                          GError        **error)
{
  g_return_val_if_fail (ANX_IS_FEED_LEDGER (self), NULL);

  return get_meta (self, key, error);
}

/**
 * anx_feed_ledger_set_meta:
 * @self: the ledger, in a transaction
 * @key: a key
 * @value: its value
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
anx_feed_ledger_set_meta (AnxFeedLedger  *self,
                          const char     *key,
                          const char     *value,
                          GError        **error)
{
  g_return_val_if_fail (ANX_IS_FEED_LEDGER (self), FALSE);

  return set_meta (self, key, value, error);
}

static void
load_codes (AnxFeedLedger *self)
{
  sqlite3_stmt *stmt = NULL;

  if (self->codes != NULL)
    return;

  self->codes = g_ptr_array_new_with_free_func (g_free);
  if (sqlite3_prepare_v2 (self->db, "SELECT id, code FROM chargers ORDER BY id", -1, &stmt, NULL) !=
      SQLITE_OK)
    return;

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      if (id < 0 || id > G_MAXINT32)
        continue;
      if ((gint64) self->codes->len <= id)
        g_ptr_array_set_size (self->codes, (guint) id + 1);
      g_free (self->codes->pdata[id]);
      self->codes->pdata[id] = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_finalize (stmt);
}

/**
 * anx_feed_ledger_get_charger_code:
 * @self: the ledger
 * @charger_id: a charger id
 *
 * Returns: (nullable): the charger's code, or %NULL if there is no such charger
 */
const char *
anx_feed_ledger_get_charger_code (AnxFeedLedger *self,
                                  gint64         charger_id)
{
  g_return_val_if_fail (ANX_IS_FEED_LEDGER (self), NULL);

  load_codes (self);
  if (charger_id < 0 || charger_id >= (gint64) self->codes->len)
    return NULL;
  return self->codes->pdata[charger_id];
}

/**
 * anx_feed_ledger_find_charger:
 * @self: the ledger
 * @id_or_code: a charger's decimal id or its code
 *
 * Returns: the charger's id, or 0 if there is none
 */
gint64
anx_feed_ledger_find_charger (AnxFeedLedger *self,
                              const char    *id_or_code)
{
  gboolean numeric = id_or_code != NULL && *id_or_code != '\0' && strlen (id_or_code) <= 18;

  g_return_val_if_fail (ANX_IS_FEED_LEDGER (self), 0);

  for (const char *p = id_or_code; numeric && *p != '\0'; p++)
    numeric = g_ascii_isdigit (*p);

  load_codes (self);
  if (numeric)
    {
      gint64 id = g_ascii_strtoll (id_or_code, NULL, 10);

      return anx_feed_ledger_get_charger_code (self, id) != NULL ? id : 0;
    }

  for (guint i = 0; id_or_code != NULL && i < self->codes->len; i++)
    if (g_strcmp0 (self->codes->pdata[i], id_or_code) == 0)
      return i;

  return 0;
}

/**
 * anx_feed_ledger_begin:
 * @self: the ledger
 * @error: return location for a #GError
 *
 * Opens a write transaction. Nothing written in it is visible to others,
 * nor acknowledged, before anx_feed_ledger_commit() returns.
 *
 * Returns: %TRUE on success
 */
gboolean
anx_feed_ledger_begin (AnxFeedLedger  *self,
                       GError        **error)
{
  g_return_val_if_fail (ANX_IS_FEED_LEDGER (self), FALSE);
  g_return_val_if_fail (!self->in_transaction, FALSE);

  if (!exec_sql (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  self->in_transaction = TRUE;
  self->pending_events = g_ptr_array_new_with_free_func ((GDestroyNotify) anx_feed_log_entry_free);
  self->pending_records = g_ptr_array_new_with_free_func (pending_record_free);
  return TRUE;
}

/**
 * anx_feed_ledger_in_transaction:
 * @self: the ledger
 *
 * Returns: %TRUE between anx_feed_ledger_begin() and its commit or rollback
 */
gboolean
anx_feed_ledger_in_transaction (AnxFeedLedger *self)
{
  return self->in_transaction;
}

/**
 * anx_feed_ledger_rollback:
 * @self: the ledger
 *
 * Abandons the transaction, and the in-memory state that followed it.
 */
void
anx_feed_ledger_rollback (AnxFeedLedger *self)
{
  g_return_if_fail (ANX_IS_FEED_LEDGER (self));

  if (!self->in_transaction)
    return;

  exec_sql (self, "ROLLBACK", NULL);
  self->in_transaction = FALSE;
  g_clear_pointer (&self->pending_events, g_ptr_array_unref);
  g_clear_pointer (&self->pending_records, g_ptr_array_unref);
  /* The verifiers may have taken records in that are gone now. */
  g_hash_table_remove_all (self->checks);
  self->head_cursor = self->committed_head;
}

/* Appends @event to the log of the open transaction; it takes the next
 * cursor, which the caller built it with. */
static gboolean
log_event (AnxFeedLedger  *self,
           AnxFeedEvent   *event,
           GError        **error)
{
  sqlite3_stmt *stmt = get_stmt (self, S_INSERT_EVENT, error);
  AnxFeedLogEntry *entry;
  gint64 charger_id;

  if (stmt == NULL)
    return FALSE;

  g_assert ((gint64) anx_feed_event_get_cursor (event) == self->head_cursor + 1);

  entry = g_new0 (AnxFeedLogEntry, 1);
  entry->cursor = anx_feed_event_get_cursor (event);
  entry->json = anx_feed_event_to_json (event);
  charger_id = anx_feed_event_get_charger_id (event);

  sqlite3_bind_int64 (stmt, 1, (gint64) entry->cursor);
  sqlite3_bind_int64 (stmt, 2, anx_feed_event_get_time (event));
  sqlite3_bind_text (stmt, 3, anx_feed_event_get_type_name (event), -1, SQLITE_STATIC);
  if (charger_id > 0)
    sqlite3_bind_int64 (stmt, 4, charger_id);
  sqlite3_bind_text (stmt, 5, entry->json, -1, SQLITE_STATIC);
  if (!step_done (self, stmt, "INSERT events", error))
    {
      anx_feed_log_entry_free (entry);
      return FALSE;
    }

  self->head_cursor++;
  self->latest_time_us = MAX (self->latest_time_us, anx_feed_event_get_time (event));
  g_ptr_array_add (self->pending_events, entry);
  return TRUE;
}

#define NEXT_CURSOR(self) ((guint64) (self)->head_cursor + 1)

static const char *
code_or_empty (AnxFeedLedger *self,
               gint64         charger_id)
{
  const char *code = anx_feed_ledger_get_charger_code (self, charger_id);

  return code != NULL ? code : "";
}

static gboolean
check_charger (AnxFeedLedger  *self,
               gint64          charger_id,
               GError        **error)
{
  if (anx_feed_ledger_get_charger_code (self, charger_id) == NULL)
    {
      g_set_error (error, ANX_FEED_LEDGER_ERROR, ANX_FEED_LEDGER_ERROR_NOT_FOUND,
                   "No charger with id %" G_GINT64_FORMAT, charger_id);
      return FALSE;
    }
  return TRUE;
}

/* Raises the alarm @code on the charger unless one is open already; then
 * the open one counts the occurrence instead, without an event. */
static gboolean
raise_alarm (AnxFeedLedger  *self,
             gint64          charger_id,
             const char     *code,
             const char     *severity,
             gint64          sequence,
             const char     *message,
             JsonObject     *details,
             gint64          time_us,
             GError        **error)
{
  sqlite3_stmt *stmt = get_stmt (self, S_FIND_OPEN_ALARM, error);
  g_autoptr(JsonNode) details_node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(AnxFeedEvent) event = NULL;
  g_autofree char *details_text = NULL;
  gint64 alarm_id;
  int rc;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, charger_id);
  sqlite3_bind_text (stmt, 2, code, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      alarm_id = sqlite3_column_int64 (stmt, 0);
      sqlite3_reset (stmt);
      stmt = get_stmt (self, S_BUMP_ALARM, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, alarm_id);
      if (sequence >= 0)
        sqlite3_bind_int64 (stmt, 2, sequence);
      return step_done (self, stmt, "UPDATE alarms", error);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, error, "SELECT alarms");

  json_node_set_object (details_node, details);
  details_text = json_to_string (details_node, FALSE);

  stmt = get_stmt (self, S_INSERT_ALARM, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, charger_id);
  sqlite3_bind_text (stmt, 2, code, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, severity, -1, SQLITE_STATIC);
  if (sequence >= 0)
    sqlite3_bind_int64 (stmt, 4, sequence);
  sqlite3_bind_text (stmt, 5, message, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, details_text, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 7, time_us);
  sqlite3_bind_int64 (stmt, 8, (gint64) NEXT_CURSOR (self));
  if (!step_done (self, stmt, "INSERT alarms", error))
    return FALSE;
  alarm_id = sqlite3_last_insert_rowid (self->db);

  event = anx_feed_event_new_alarm_raised (NEXT_CURSOR (self), time_us, charger_id,
                                           code_or_empty (self, charger_id), alarm_id, code,
                                           severity, sequence, message, details);
  return log_event (self, event, error);
}

/* Clears the charger's open alarms whose code is in @codes (all if %NULL). */
static gboolean
clear_alarms (AnxFeedLedger      *self,
              gint64              charger_id,
              const char *const  *codes,
              const char         *reason,
              gint64              sequence,
              gint64              time_us,
              GError            **error)
{
  sqlite3_stmt *stmt = get_stmt (self, S_OPEN_ALARMS, error);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) alarm_codes = g_ptr_array_new_with_free_func (g_free);
  int rc;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, charger_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *code = (const char *) sqlite3_column_text (stmt, 1);
      gint64 id = sqlite3_column_int64 (stmt, 0);

      if (codes != NULL && !g_strv_contains (codes, code))
        continue;
      g_array_append_val (ids, id);
      g_ptr_array_add (alarm_codes, g_strdup (code));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, error, "SELECT alarms");

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(AnxFeedEvent) event = NULL;
      gint64 id = g_array_index (ids, gint64, i);

      stmt = get_stmt (self, S_CLEAR_ALARM, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int64 (stmt, 2, time_us);
      sqlite3_bind_int64 (stmt, 3, (gint64) NEXT_CURSOR (self));
      sqlite3_bind_text (stmt, 4, reason, -1, SQLITE_STATIC);
      if (sequence >= 0)
        sqlite3_bind_int64 (stmt, 5, sequence);
      if (!step_done (self, stmt, "UPDATE alarms", error))
        return FALSE;

      event = anx_feed_event_new_alarm_cleared (NEXT_CURSOR (self), time_us, charger_id,
                                                code_or_empty (self, charger_id), id,
                                                alarm_codes->pdata[i], reason, sequence);
      if (!log_event (self, event, error))
        return FALSE;
    }

  return TRUE;
}

static AnxChargerEntry *
build_charger_entry (AnxFeedLedger  *self,
                     gint64          charger_id,
                     GError        **error)
{
  g_autoptr(AnxChargerEntry) entry = anx_charger_entry_new (code_or_empty (self, charger_id));
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  sqlite3_stmt *stmt = get_stmt (self, S_METER_KEYS, error);
  int rc;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, charger_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      char **row = g_new0 (char *, 7);

      for (int i = 0; i < 6; i++)
        row[i] = g_strdup ((const char *) sqlite3_column_text (stmt, i));
      g_ptr_array_add (rows, row);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "SELECT meter_keys");
      return NULL;
    }

  /* A key is valid until the next key of the charger takes over. */
  for (guint i = 0; i < rows->len; i++)
    {
      char **row = rows->pdata[i];
      g_autoptr(GError) key_error = NULL;
      g_autoptr(AnxMeterKey) key = anx_meter_key_new_from_text (row[2], &key_error);
      guint64 from = g_ascii_strtoull (row[3], NULL, 10);
      guint64 to = G_MAXUINT64;
      const char *accuracy_class = row[5] != NULL ? row[5] : "1";

      for (guint j = i + 1; j < rows->len; j++)
        {
          guint64 next_from = g_ascii_strtoull (((char **) rows->pdata[j])[3], NULL, 10);

          if (next_from > from)
            {
              to = next_from - 1;
              break;
            }
        }

      if (key == NULL)
        {
          g_warning ("Charger %" G_GINT64_FORMAT ": unreadable key of %s: %s", charger_id, row[0],
                     key_error->message);
          continue;
        }

      anx_charger_entry_add_meter (entry, row[0], row[4] != NULL ? row[4] : "", accuracy_class,
                                   row[1], anx_meter_key_get_der (key), from, to);
    }

  return g_steal_pointer (&entry);
}

/* The charger's verifier, positioned after the records stored before
 * @before_cursor. */
static ChargerCheck *
get_check (AnxFeedLedger  *self,
           gint64          charger_id,
           gint64          before_cursor,
           GError        **error)
{
  g_autoptr(AnxChargerEntry) entry = NULL;
  ChargerCheck *check = g_hash_table_lookup (self->checks, &charger_id);
  sqlite3_stmt *stmt;
  gint64 *key;
  int rc;

  if (check != NULL && check->n_added < CHECK_WINDOW)
    return check;
  g_hash_table_remove (self->checks, &charger_id);

  entry = build_charger_entry (self, charger_id, error);
  if (entry == NULL)
    return NULL;

  check = g_new0 (ChargerCheck, 1);
  check->verifier = anx_chain_verifier_new (entry);
  key = g_new (gint64, 1);
  *key = charger_id;
  g_hash_table_insert (self->checks, key, check);

  stmt = get_stmt (self, S_SEED_RECORDS, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, charger_id);
  sqlite3_bind_int64 (stmt, 2, before_cursor);
  sqlite3_bind_int64 (stmt, 3, SEED_RECORDS);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(AnxChainRecord) record =
          anx_chain_record_new_from_json ((const char *) sqlite3_column_text (stmt, 0), -1, NULL);

      if (record != NULL)
        anx_chain_verifier_seed (check->verifier, record);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "SELECT chain_records");
      return NULL;
    }

  return check;
}

static gboolean
verify_pending (AnxFeedLedger  *self,
                GError        **error)
{
  for (guint i = 0; i < self->pending_records->len; i++)
    {
      PendingRecord *pending = self->pending_records->pdata[i];
      g_autoptr(GPtrArray) findings = NULL;
      ChargerCheck *check;

      check = get_check (self, pending->charger_id, pending->cursor, error);
      if (check == NULL)
        return FALSE;

      findings = anx_chain_verifier_add (check->verifier, pending->record);
      check->n_added++;

      for (guint j = 0; j < findings->len; j++)
        {
          AnxFinding *finding = findings->pdata[j];
          g_autoptr(JsonNode) node = anx_finding_to_json_node (finding);
          JsonObject *details =
              json_object_get_object_member (json_node_get_object (node), "details");

          if (!raise_alarm (self, pending->charger_id, anx_finding_get_code (finding),
                            anx_finding_severity_to_string (anx_finding_get_severity (finding)),
                            (gint64) anx_finding_get_sequence (finding),
                            anx_finding_get_message (finding), details, pending->time_us, error))
            return FALSE;
        }
    }

  g_ptr_array_set_size (self->pending_records, 0);
  return TRUE;
}

static gboolean
apply_retention (AnxFeedLedger  *self,
                 GError        **error)
{
  g_autofree char *sql = NULL;
  g_autofree char *head = NULL;
  gint64 oldest = 0;
  gint64 cutoff_cursor = self->head_cursor - (gint64) self->retain_events;
  gint64 cutoff_time = self->latest_time_us - (gint64) self->retain_days * 24 * 3600 * G_USEC_PER_SEC;

  /* The head event itself is always kept. */
  sql = g_strdup_printf ("DELETE FROM events WHERE cursor < %" G_GINT64_FORMAT
                         " AND (cursor <= %" G_GINT64_FORMAT " OR time_us < %" G_GINT64_FORMAT ")",
                         self->head_cursor, cutoff_cursor, cutoff_time);
  if (!exec_sql (self, sql, error))
    return FALSE;

  head = g_strdup_printf ("%" G_GINT64_FORMAT, self->head_cursor);
  if (!set_meta (self, "log_head", head, error))
    return FALSE;

  if (!query_int (self, "SELECT coalesce (min (cursor), 0) FROM events", &oldest, error))
    return FALSE;
  self->oldest_cursor = oldest > 0 ? oldest : self->head_cursor + 1;
  return TRUE;
}

/**
 * anx_feed_ledger_commit:
 * @self: the ledger, in a transaction
 * @error: return location for a #GError
 *
 * Verifies the records appended in the transaction (raising alarms), applies
 * the log's retention and commits. When this returns, the transaction is
 * durable (WAL, synchronous=FULL). On failure the transaction is rolled back.
 *
 * Returns: (transfer container) (element-type AnxFeedLogEntry): the events
 *   committed, in cursor order, to broadcast; %NULL on failure
 */
GPtrArray *
anx_feed_ledger_commit (AnxFeedLedger  *self,
                        GError        **error)
{
  gint64 previous_oldest = self->oldest_cursor;

  g_return_val_if_fail (ANX_IS_FEED_LEDGER (self), NULL);
  g_return_val_if_fail (self->in_transaction, NULL);

  if (!verify_pending (self, error) || !apply_retention (self, error) ||
      !exec_sql (self, "COMMIT", error))
    {
      anx_feed_ledger_rollback (self);
      self->oldest_cursor = previous_oldest;
      return NULL;
    }

  self->in_transaction = FALSE;
  self->committed_head = self->head_cursor;
  g_clear_pointer (&self->pending_records, g_ptr_array_unref);
  return g_steal_pointer (&self->pending_events);
}

static gboolean
touch_charger (AnxFeedLedger  *self,
               gint64          charger_id,
               gint64          time_us,
               GError        **error)
{
  sqlite3_stmt *stmt = get_stmt (self, S_TOUCH_CHARGER, error);
  g_autofree char *text = anx_feed_format_time (time_us);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, charger_id);
  sqlite3_bind_text (stmt, 2, text, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, time_us);
  return step_done (self, stmt, "UPDATE chargers", error);
}

/**
 * anx_feed_ledger_append_record:
 * @self: the ledger, in a transaction
 * @charger_id: the charger whose chain it is
 * @record: the record, stored as received (links and hashes unchanged)
 * @time_us: when it was received
 * @stored: (out) (optional): %FALSE if the very record (charger, sequence
 *   and hash) was stored before, and nothing was done
 * @error: return location for a #GError
 *
 * Stores the record, logs a `chain.appended` event and queues the record
 * for the server's verifier, which runs at commit.
 *
 * Returns: %TRUE on success
 */
gboolean
anx_feed_ledger_append_record (AnxFeedLedger   *self,
                               gint64           charger_id,
                               AnxChainRecord  *record,
                               gint64           time_us,
                               gboolean        *stored,
                               GError         **error)
{
  g_autoptr(AnxFeedEvent) event = NULL;
  g_autofree char *json = NULL;
  const guint8 *hash;
  sqlite3_stmt *stmt;
  PendingRecord *pending;

  g_return_val_if_fail (ANX_IS_FEED_LEDGER (self), FALSE);
  g_return_val_if_fail (self->in_transaction, FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  if (stored != NULL)
    *stored = FALSE;
  if (!check_charger (self, charger_id, error))
    return FALSE;

  hash = anx_chain_record_get_hash (record);
  json = anx_chain_record_to_json (record, FALSE);

  stmt = get_stmt (self, S_INSERT_RECORD, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, charger_id);
  sqlite3_bind_int64 (stmt, 2, (gint64) anx_chain_record_get_sequence (record));
  sqlite3_bind_blob (stmt, 3, hash, ANX_CHAIN_HASH_SIZE, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, anx_chain_record_kind_to_string (anx_chain_record_get_kind (record)),
                     -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, json, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, (gint64) NEXT_CURSOR (self));
  if (!step_done (self, stmt, "INSERT chain_records", error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    return TRUE;

  stmt = get_stmt (self, S_UPSERT_HEAD, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, charger_id);
  sqlite3_bind_int64 (stmt, 2, (gint64) anx_chain_record_get_sequence (record));
  sqlite3_bind_blob (stmt, 3, hash, ANX_CHAIN_HASH_SIZE, SQLITE_STATIC);
  if (!step_done (self, stmt, "UPSERT chain_heads", error))
    return FALSE;

  pending = g_new0 (PendingRecord, 1);
  pending->charger_id = charger_id;
  pending->cursor = (gint64) NEXT_CURSOR (self);
  pending->time_us = time_us;
  pending->record = anx_chain_record_ref (record);
  g_ptr_array_add (self->pending_records, pending);

  event = anx_feed_event_new_chain_appended (NEXT_CURSOR (self), time_us, charger_id, record);
  if (!log_event (self, event, error))
    return FALSE;

  if (stored != NULL)
    *stored = TRUE;
  return TRUE;
}

/**
 * anx_feed_ledger_get_chain_head:
 * @self: the ledger
 * @charger_id: a charger
 * @sequence: (out): the head's sequence
 * @hash: (out caller-allocates) (array fixed-size=32): the head's hash
 *
 * The head is the first record received with the highest sequence; the
 * transaction's own records count.
 *
 * Returns: %FALSE if the chain is empty
 */
gboolean
anx_feed_ledger_get_chain_head (AnxFeedLedger *self,
                                gint64         charger_id,
                                guint64       *sequence,
                                guint8        *hash)
{
  sqlite3_stmt *stmt = get_stmt (self, S_GET_HEAD, NULL);
  gboolean found = FALSE;

  g_return_val_if_fail (ANX_IS_FEED_LEDGER (self), FALSE);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, charger_id);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_bytes (stmt, 1) == ANX_CHAIN_HASH_SIZE)
    {
      *sequence = (guint64) sqlite3_column_int64 (stmt, 0);
      memcpy (hash, sqlite3_column_blob (stmt, 1), ANX_CHAIN_HASH_SIZE);
      found = TRUE;
    }
  sqlite3_reset (stmt);
  return found;
}

/* The offline alarm of a charger offline since @since_us; raise_alarm()
 * keeps it to one open alarm. */
static gboolean
raise_offline_alarm (AnxFeedLedger  *self,
                     gint64          charger_id,
                     gint64          since_us,
                     GError        **error)
{
  g_autoptr(JsonObject) details = json_object_new ();
  g_autofree char *since = anx_feed_format_time (since_us);
  g_autofree char *message = NULL;

  json_object_set_string_member (details, "offline_since", since);
  json_object_set_int_member (details, "debounce_s",
                              ANX_FEED_LEDGER_OFFLINE_AFTER_US / G_USEC_PER_SEC);
  message = g_strdup_printf ("The charger has been offline since %s", since);
  return raise_alarm (self, charger_id, "offline", "warning", -1, message, details,
                      since_us + ANX_FEED_LEDGER_OFFLINE_AFTER_US, error);
}

/**
 * anx_feed_ledger_charger_status:
 * @self: the ledger, in a transaction
 * @charger_id: the charger
 * @status: `available`, `charging`, `offline` or `fault`
 * @time_us: when it was reported
 * @error: return location for a #GError
 *
 * A report of the charger's status, which is also its heartbeat: a change
 * logs a `charger.status` event; a status other than `offline` clears the
 * charger's offline alarm.
 *
 * Returns: %TRUE on success
 */
gboolean
anx_feed_ledger_charger_status (AnxFeedLedger  *self,
                                gint64          charger_id,
                                const char     *status,
                                gint64          time_us,
                                GError        **error)
{
  static const char *const offline_codes[] = { "offline", NULL };
  g_autofree char *previous = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (self->in_transaction, FALSE);

  if (!check_charger (self, charger_id, error))
    return FALSE;

  stmt = get_stmt (self, S_GET_STATUS, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, charger_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    previous = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  if (g_strcmp0 (previous, status) == 0)
    return touch_charger (self, charger_id, time_us, error);

  /* Back from an outage that began and ended between two offline checks:
   * the alarm is raised (as of the end of the debounce) and cleared now. */
  if (g_strcmp0 (previous, "offline") == 0)
    {
      gint64 since = 0;

      stmt = get_stmt (self, S_GET_STATUS_SINCE, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, charger_id);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        since = sqlite3_column_int64 (stmt, 0);
      sqlite3_reset (stmt);

      if (since > 0 && time_us - since > ANX_FEED_LEDGER_OFFLINE_AFTER_US &&
          !raise_offline_alarm (self, charger_id, since, error))
        return FALSE;
    }

  {
    g_autofree char *text = anx_feed_format_time (time_us);
    g_autoptr(AnxFeedEvent) event = NULL;

    stmt = get_stmt (self, S_SET_STATUS, error);
    if (stmt == NULL)
      return FALSE;
    sqlite3_bind_int64 (stmt, 1, charger_id);
    sqlite3_bind_text (stmt, 2, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 3, time_us);
    sqlite3_bind_text (stmt, 4, text, -1, SQLITE_STATIC);
    if (!step_done (self, stmt, "UPDATE chargers", error))
      return FALSE;

    event = anx_feed_event_new_charger_status (NEXT_CURSOR (self), time_us, charger_id,
                                               code_or_empty (self, charger_id), status);
    if (!log_event (self, event, error))
      return FALSE;
  }

  if (!g_str_equal (status, "offline"))
    return clear_alarms (self, charger_id, offline_codes, "back-online", -1, time_us, error);

  return TRUE;
}

/**
 * anx_feed_ledger_check_offline:
 * @self: the ledger, in a transaction
 * @now_us: the feed's time now
 * @error: return location for a #GError
 *
 * Raises the `offline` alarm of every charger that has reported `offline`
 * for longer than %ANX_FEED_LEDGER_OFFLINE_AFTER_US.
 *
 * Returns: %TRUE on success
 */
gboolean
anx_feed_ledger_check_offline (AnxFeedLedger  *self,
                               gint64          now_us,
                               GError        **error)
{
  sqlite3_stmt *stmt = get_stmt (self, S_OFFLINE, error);
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (gint64) * 2);
  int rc;

  g_return_val_if_fail (self->in_transaction, FALSE);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now_us - ANX_FEED_LEDGER_OFFLINE_AFTER_US);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 row[2] = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1) };

      g_array_append_vals (rows, row, 1);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, error, "SELECT chargers");

  for (guint i = 0; i < rows->len; i++)
    {
      gint64 *row = &g_array_index (rows, gint64, i * 2);

      if (!raise_offline_alarm (self, row[0], row[1], error))
        return FALSE;
    }

  return TRUE;
}

/**
 * anx_feed_ledger_session_started:
 * @self: the ledger, in a transaction
 * @charger_id: the charger
 * @session_id: the operator's session id
 * @time_us: when it started
 * @meter_start_wh: the meter's register at the start
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
anx_feed_ledger_session_started (AnxFeedLedger  *self,
                                 gint64          charger_id,
                                 const char     *session_id,
                                 gint64          time_us,
                                 gint64          meter_start_wh,
                                 GError        **error)
{
  g_autoptr(AnxFeedEvent) event = NULL;
  sqlite3_stmt *stmt;

  if (!check_charger (self, charger_id, error))
    return FALSE;
  stmt = get_stmt (self, S_START_SESSION, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, charger_id);
  sqlite3_bind_text (stmt, 2, session_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, time_us);
  sqlite3_bind_int64 (stmt, 4, meter_start_wh);
  if (!step_done (self, stmt, "INSERT sessions", error) ||
      !touch_charger (self, charger_id, time_us, error))
    return FALSE;

  event = anx_feed_event_new_session_started (NEXT_CURSOR (self), time_us, charger_id,
                                              code_or_empty (self, charger_id), session_id,
                                              meter_start_wh);
  return log_event (self, event, error);
}

/**
 * anx_feed_ledger_session_progress:
 * @self: the ledger, in a transaction
 * @charger_id: the charger
 * @session_id: the session
 * @time_us: the time of the reading
 * @power_w: power now
 * @energy_wh: energy so far
 * @amount_fen: amount so far
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
anx_feed_ledger_session_progress (AnxFeedLedger  *self,
                                  gint64          charger_id,
                                  const char     *session_id,
                                  gint64          time_us,
                                  gint64          power_w,
                                  gint64          energy_wh,
                                  gint64          amount_fen,
                                  GError        **error)
{
  g_autoptr(AnxFeedEvent) event = NULL;
  sqlite3_stmt *stmt;

  if (!check_charger (self, charger_id, error))
    return FALSE;
  stmt = get_stmt (self, S_PROGRESS_SESSION, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, charger_id);
  sqlite3_bind_int64 (stmt, 2, time_us);
  sqlite3_bind_int64 (stmt, 3, power_w);
  sqlite3_bind_int64 (stmt, 4, energy_wh);
  sqlite3_bind_int64 (stmt, 5, amount_fen);
  if (!step_done (self, stmt, "UPDATE sessions", error) ||
      !touch_charger (self, charger_id, time_us, error))
    return FALSE;

  if (!self->progress_events)
    return TRUE;

  event = anx_feed_event_new_session_progress (NEXT_CURSOR (self), time_us, charger_id,
                                               code_or_empty (self, charger_id), session_id,
                                               power_w, energy_wh, amount_fen);
  return log_event (self, event, error);
}

/**
 * anx_feed_ledger_session_ended:
 * @self: the ledger, in a transaction
 * @charger_id: the charger
 * @session_id: the session
 * @time_us: when it ended
 * @energy_wh: energy delivered
 * @amount_fen: amount billed
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
anx_feed_ledger_session_ended (AnxFeedLedger  *self,
                               gint64          charger_id,
                               const char     *session_id,
                               gint64          time_us,
                               gint64          energy_wh,
                               gint64          amount_fen,
                               GError        **error)
{
  g_autoptr(AnxFeedEvent) event = NULL;
  sqlite3_stmt *stmt;

  if (!check_charger (self, charger_id, error))
    return FALSE;
  stmt = get_stmt (self, S_END_SESSION, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, charger_id);
  if (!step_done (self, stmt, "DELETE sessions", error) ||
      !touch_charger (self, charger_id, time_us, error))
    return FALSE;

  event = anx_feed_event_new_session_ended (NEXT_CURSOR (self), time_us, charger_id,
                                            code_or_empty (self, charger_id), session_id,
                                            energy_wh, amount_fen);
  return log_event (self, event, error);
}

/**
 * anx_feed_ledger_register_meter_key:
 * @self: the ledger, in a transaction
 * @charger_id: the charger whose meter it is
 * @serial: the meter's serial
 * @key: its public key
 * @from_sequence: the first record of the charger's chain it is valid for
 * @time_us: when it took effect
 * @announce: log a `registry.changed` event (a key registered with the
 *   registry itself, before any record, is part of the snapshot instead)
 * @error: return location for a #GError
 *
 * Registering the same key again does nothing.
 *
 * Returns: %TRUE on success
 */
gboolean
anx_feed_ledger_register_meter_key (AnxFeedLedger  *self,
                                    gint64          charger_id,
                                    const char     *serial,
                                    AnxMeterKey    *key,
                                    guint64         from_sequence,
                                    gint64          time_us,
                                    gboolean        announce,
                                    GError        **error)
{
  g_autofree char *hex = NULL;
  const char *algorithm;
  sqlite3_stmt *stmt;
  gint64 meter_id = 0;

  g_return_val_if_fail (self->in_transaction, FALSE);

  if (!check_charger (self, charger_id, error))
    return FALSE;

  hex = anx_meter_key_export_public_hex (key);
  algorithm = anx_signature_algorithm_to_ocmf (anx_meter_key_get_algorithm (key));

  stmt = get_stmt (self, S_METER_OF_CHARGER, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, charger_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    meter_id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  stmt = get_stmt (self, S_INSERT_KEY, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, charger_id);
  if (meter_id > 0)
    sqlite3_bind_int64 (stmt, 2, meter_id);
  sqlite3_bind_text (stmt, 3, serial, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, algorithm, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, hex, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, (gint64) from_sequence);
  if (!step_done (self, stmt, "INSERT meter_keys", error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    return TRUE;

  if (meter_id > 0)
    {
      stmt = get_stmt (self, S_UPDATE_METER, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, meter_id);
      sqlite3_bind_text (stmt, 2, hex, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, algorithm, -1, SQLITE_STATIC);
      if (!step_done (self, stmt, "UPDATE meters", error))
        return FALSE;
    }

  /* The verifier must see the new key range. */
  g_hash_table_remove (self->checks, &charger_id);

  if (announce)
    {
      g_autoptr(AnxFeedEvent) event = anx_feed_event_new_registry_changed (
          NEXT_CURSOR (self), time_us, charger_id, code_or_empty (self, charger_id), meter_id,
          serial, algorithm, hex, (gint64) from_sequence);

      return log_event (self, event, error);
    }

  return TRUE;
}

/**
 * anx_feed_ledger_save_sim_state:
 * @self: the ledger, in a transaction
 * @charger_id: the charger
 * @state: the simulator's opaque state of it
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
anx_feed_ledger_save_sim_state (AnxFeedLedger  *self,
                                gint64          charger_id,
                                GBytes         *state,
                                GError        **error)
{
  sqlite3_stmt *stmt = get_stmt (self, S_SAVE_STATE, error);
  gsize size;
  gconstpointer data = g_bytes_get_data (state, &size);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, charger_id);
  sqlite3_bind_blob64 (stmt, 2, data != NULL ? data : "", size, SQLITE_STATIC);
  return step_done (self, stmt, "INSERT sim_state", error);
}

/**
 * anx_feed_ledger_load_sim_state:
 * @self: the ledger
 * @charger_id: the charger
 *
 * Returns: (transfer full) (nullable): the state saved last, or %NULL
 */
GBytes *
anx_feed_ledger_load_sim_state (AnxFeedLedger *self,
                                gint64         charger_id)
{
  sqlite3_stmt *stmt = get_stmt (self, S_LOAD_STATE, NULL);
  GBytes *state = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, charger_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    state = g_bytes_new (sqlite3_column_blob (stmt, 0), (gsize) sqlite3_column_bytes (stmt, 0));
  sqlite3_reset (stmt);
  return state;
}

/**
 * anx_feed_ledger_add_ground_truth:
 * @self: the ledger, in a transaction
 * @line: one JSON line of the simulator's ground truth
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
anx_feed_ledger_add_ground_truth (AnxFeedLedger  *self,
                                  const char     *line,
                                  GError        **error)
{
  sqlite3_stmt *stmt = get_stmt (self, S_INSERT_TRUTH, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, line, -1, SQLITE_STATIC);
  return step_done (self, stmt, "INSERT ground_truth", error);
}

/**
 * anx_feed_ledger_read_ground_truth:
 * @self: the ledger
 * @after: skip the first @after lines
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type utf8): the committed lines after
 *   the first @after, in order; %NULL on error
 */
GPtrArray *
anx_feed_ledger_read_ground_truth (AnxFeedLedger  *self,
                                   gint64          after,
                                   GError        **error)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db, "SELECT line FROM ground_truth ORDER BY id LIMIT -1 OFFSET ?1",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error, "SELECT ground_truth");
      return NULL;
    }
  sqlite3_bind_int64 (stmt, 1, after);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (lines, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "SELECT ground_truth");
      return NULL;
    }
  return g_steal_pointer (&lines);
}

static gboolean
lookup_idempotent (AnxFeedLedger  *self,
                   const char     *scope,
                   const char     *key,
                   char          **response,
                   GError        **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  *response = NULL;
  if (key == NULL || *key == '\0')
    return TRUE;

  if (sqlite3_prepare_v2 (self->db, "SELECT response FROM idempotency WHERE scope = ?1 AND key = ?2",
                          -1, &stmt, NULL) != SQLITE_OK)
    return set_sqlite_error (self, error, "SELECT idempotency");
  sqlite3_bind_text (stmt, 1, scope, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, key, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *response = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_sqlite_error (self, error, "SELECT idempotency");
  return TRUE;
}

static gboolean
store_idempotent (AnxFeedLedger  *self,
                  const char     *scope,
                  const char     *key,
                  const char     *token,
                  JsonObject     *response,
                  GError        **error)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean ok;

  if (key == NULL || *key == '\0')
    return TRUE;

  json_node_set_object (node, response);
  text = json_to_string (node, FALSE);
  if (sqlite3_prepare_v2 (self->db,
                          "INSERT INTO idempotency (scope, key, token, response) VALUES (?1, ?2, ?3, ?4)",
                          -1, &stmt, NULL) != SQLITE_OK)
    return set_sqlite_error (self, error, "INSERT idempotency");
  sqlite3_bind_text (stmt, 1, scope, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, token, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, text, -1, SQLITE_STATIC);
  ok = step_done (self, stmt, "INSERT idempotency", error);
  sqlite3_finalize (stmt);
  return ok;
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonNode) node = json_from_string (text, NULL);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_object_ref (json_node_get_object (node));
}

/**
 * anx_feed_ledger_add_inspection:
 * @self: the ledger, not in a transaction
 * @inspection: the inspection
 * @token_name: who posted it
 * @time_us: the feed's time now: the record's `recorded_at`
 * @created: (out): %FALSE if the idempotency key was seen before and the
 *   answer is the record appended then
 * @events: (out) (transfer container): the committed events to broadcast
 * @error: return location for a #GError; %ANX_FEED_LEDGER_ERROR_NOT_FOUND
 *   for an unknown charger
 *
 * Appends the inspection to the charger's chain, linked to its head, and
 * closes the alarms it answers (docs/feed-protocol.md, "Alarms"), in one
 * durable transaction.
 *
 * Returns: (transfer full): `{"charger": {…}, "sequence", "hash", "record"}`,
 *   or %NULL on error
 */
JsonObject *
anx_feed_ledger_add_inspection (AnxFeedLedger            *self,
                                const AnxFeedInspection  *inspection,
                                const char               *token_name,
                                gint64                    time_us,
                                gboolean                 *created,
                                GPtrArray               **events,
                                GError                  **error)
{
  static const char *const seal_codes[] = { ANX_FINDING_SEAL_OPENED, NULL };
  g_autoptr(AnxChainRecord) record = NULL;
  g_autoptr(JsonObject) response = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("+08:00");
  g_autofree char *previous = NULL;
  g_autofree char *hash_hex = NULL;
  JsonObject *charger;
  guint8 head_hash[ANX_CHAIN_HASH_SIZE];
  guint64 head_sequence = 0;
  gboolean has_head;
  gint64 charger_id;
  guint64 sequence;

  g_return_val_if_fail (ANX_IS_FEED_LEDGER (self), NULL);
  g_return_val_if_fail (!self->in_transaction, NULL);

  *created = FALSE;
  *events = NULL;

  charger_id = anx_feed_ledger_find_charger (self, inspection->charger);
  if (charger_id == 0)
    {
      g_set_error (error, ANX_FEED_LEDGER_ERROR, ANX_FEED_LEDGER_ERROR_NOT_FOUND,
                   "No charger %s", inspection->charger);
      return NULL;
    }

  if (!anx_feed_ledger_begin (self, error))
    return NULL;

  if (!lookup_idempotent (self, "inspection", inspection->idempotency_key, &previous, error))
    goto fail;
  if (previous != NULL)
    {
      anx_feed_ledger_rollback (self);
      *events = g_ptr_array_new_with_free_func ((GDestroyNotify) anx_feed_log_entry_free);
      return parse_object (previous);
    }

  has_head = anx_feed_ledger_get_chain_head (self, charger_id, &head_sequence, head_hash);
  sequence = has_head ? head_sequence + 1 : 0;
  {
    g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);
    g_autoptr(GDateTime) exact = g_date_time_add (utc, time_us % G_USEC_PER_SEC);

    now = g_date_time_to_timezone (exact, tz);
  }

  record = anx_chain_record_new (ANX_CHAIN_RECORD_KIND_INSPECTION, code_or_empty (self, charger_id),
                                 sequence, has_head ? head_hash : NULL, now);
  anx_chain_record_set_inspection (record, inspection->inspector, inspection->result,
                                   inspection->inspected_at,
                                   inspection->notes != NULL ? inspection->notes : "",
                                   inspection->idempotency_key != NULL ? inspection->idempotency_key
                                                                       : "");
  anx_chain_record_set_measured_error (record, inspection->measured,
                                       inspection->measured_error_bp);
  for (guint i = 0; inspection->seals_removed != NULL && inspection->seals_removed[i]; i++)
    anx_chain_record_add_seal_removed (record, inspection->seals_removed[i]);
  for (guint i = 0; inspection->seals_applied != NULL && inspection->seals_applied[i]; i++)
    anx_chain_record_add_seal_applied (record, inspection->seals_applied[i]);
  {
    guint8 hash[ANX_CHAIN_HASH_SIZE];

    anx_chain_record_compute_hash (record, hash);
    anx_chain_record_set_stated_hash (record, hash);
  }

  /* The inspection answers alarms raised before it. */
  switch (inspection->result)
    {
    case ANX_INSPECTION_RESULT_PASS:
    case ANX_INSPECTION_RESULT_METER_REPLACED:
      if (!clear_alarms (self, charger_id, NULL, "inspection", (gint64) sequence, time_us, error))
        goto fail;
      break;
    case ANX_INSPECTION_RESULT_SEALED:
      if (!clear_alarms (self, charger_id, seal_codes, "inspection", (gint64) sequence, time_us,
                         error))
        goto fail;
      break;
    case ANX_INSPECTION_RESULT_FAIL:
    case ANX_INSPECTION_RESULT_SUSPENDED:
    default:
      break;
    }

  if (!anx_feed_ledger_append_record (self, charger_id, record, time_us, NULL, error))
    goto fail;

  hash_hex = anx_chain_hash_to_hex (anx_chain_record_get_hash (record));
  response = json_object_new ();
  charger = json_object_new ();
  json_object_set_int_member (charger, "id", charger_id);
  json_object_set_string_member (charger, "code", code_or_empty (self, charger_id));
  json_object_set_object_member (response, "charger", charger);
  json_object_set_int_member (response, "sequence", (gint64) sequence);
  json_object_set_string_member (response, "hash", hash_hex);
  json_object_set_member (response, "record", anx_chain_record_to_json_node (record));

  if (!store_idempotent (self, "inspection", inspection->idempotency_key, token_name, response,
                         error))
    goto fail;

  *events = anx_feed_ledger_commit (self, error);
  if (*events == NULL)
    return NULL;

  *created = TRUE;
  return g_steal_pointer (&response);

fail:
  anx_feed_ledger_rollback (self);
  return NULL;
}

static JsonObject *alarm_row_to_json (sqlite3_stmt *stmt);

#define ALARM_COLUMNS                                                                        \
  "SELECT a.id, a.charger_id, c.code, a.code, a.severity, a.state, a.sequence,"             \
  " a.last_sequence, a.occurrences, a.message, a.details, a.raised_us, a.raised_cursor,"    \
  " a.cleared_us, a.cleared_reason, a.cleared_sequence, a.acknowledged_by,"                 \
  " a.acknowledged_us, a.ack_note FROM alarms a JOIN chargers c ON c.id = a.charger_id"

static JsonObject *
get_alarm (AnxFeedLedger  *self,
           gint64          alarm_id,
           GError        **error)
{
  sqlite3_stmt *stmt = NULL;
  JsonObject *alarm = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db, ALARM_COLUMNS " WHERE a.id = ?1", -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error, "SELECT alarms");
      return NULL;
    }
  sqlite3_bind_int64 (stmt, 1, alarm_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    alarm = alarm_row_to_json (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, ANX_FEED_LEDGER_ERROR, ANX_FEED_LEDGER_ERROR_NOT_FOUND,
                 "No alarm with id %" G_GINT64_FORMAT, alarm_id);
  else
    set_sqlite_error (self, error, "SELECT alarms");
  sqlite3_finalize (stmt);
  return alarm;
}

/**
 * anx_feed_ledger_acknowledge_alarm:
 * @self: the ledger, not in a transaction
 * @alarm_id: the alarm
 * @token_name: who acknowledges it
 * @note: (nullable): a note
 * @idempotency_key: (nullable): the client's key
 * @time_us: the feed's time now
 * @created: (out): %FALSE when this repeats an earlier acknowledgement
 * @events: (out) (transfer container): the committed events to broadcast
 * @error: return location for a #GError
 *
 * Marks the alarm acknowledged (once: a later acknowledgement, whatever its
 * key, answers with the first one) and logs `alarm.acknowledged`.
 *
 * Returns: (transfer full): the alarm, or %NULL on error
 */
JsonObject *
anx_feed_ledger_acknowledge_alarm (AnxFeedLedger  *self,
                                   gint64          alarm_id,
                                   const char     *token_name,
                                   const char     *note,
                                   const char     *idempotency_key,
                                   gint64          time_us,
                                   gboolean       *created,
                                   GPtrArray     **events,
                                   GError        **error)
{
  g_autoptr(JsonObject) alarm = NULL;
  g_autoptr(AnxFeedEvent) event = NULL;
  g_autofree char *previous = NULL;
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 charger_id;

  g_return_val_if_fail (!self->in_transaction, NULL);

  *created = FALSE;
  *events = NULL;

  if (!anx_feed_ledger_begin (self, error))
    return NULL;

  if (!lookup_idempotent (self, "ack", idempotency_key, &previous, error))
    goto fail;
  if (previous != NULL)
    {
      anx_feed_ledger_rollback (self);
      *events = g_ptr_array_new_with_free_func ((GDestroyNotify) anx_feed_log_entry_free);
      return parse_object (previous);
    }

  alarm = get_alarm (self, alarm_id, error);
  if (alarm == NULL)
    goto fail;

  if (!json_object_get_null_member (alarm, "acknowledged"))
    {
      /* Already acknowledged: the same answer, nothing new. */
      anx_feed_ledger_rollback (self);
      *events = g_ptr_array_new_with_free_func ((GDestroyNotify) anx_feed_log_entry_free);
      return g_steal_pointer (&alarm);
    }

  if (sqlite3_prepare_v2 (self->db,
                          "UPDATE alarms SET acknowledged_by = ?2, acknowledged_us = ?3, ack_note = ?4"
                          " WHERE id = ?1",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error, "UPDATE alarms");
      goto fail;
    }
  sqlite3_bind_int64 (stmt, 1, alarm_id);
  sqlite3_bind_text (stmt, 2, token_name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, time_us);
  sqlite3_bind_text (stmt, 4, note != NULL ? note : "", -1, SQLITE_STATIC);
  if (!step_done (self, stmt, "UPDATE alarms", error))
    {
      sqlite3_finalize (stmt);
      goto fail;
    }
  sqlite3_finalize (stmt);

  charger_id = json_object_get_int_member (json_object_get_object_member (alarm, "charger"), "id");
  event = anx_feed_event_new_alarm_acknowledged (NEXT_CURSOR (self), time_us, charger_id,
                                                 code_or_empty (self, charger_id), alarm_id,
                                                 token_name, note);
  if (!log_event (self, event, error))
    goto fail;

  g_clear_pointer (&alarm, json_object_unref);
  alarm = get_alarm (self, alarm_id, error);
  if (alarm == NULL || !store_idempotent (self, "ack", idempotency_key, token_name, alarm, error))
    goto fail;

  *events = anx_feed_ledger_commit (self, error);
  if (*events == NULL)
    return NULL;

  *created = TRUE;
  return g_steal_pointer (&alarm);

fail:
  anx_feed_ledger_rollback (self);
  return NULL;
}

static void
set_time_or_null (JsonObject   *object,
                  const char   *member,
                  sqlite3_stmt *stmt,
                  int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    json_object_set_null_member (object, member);
  else
    {
      g_autofree char *text = anx_feed_format_time (sqlite3_column_int64 (stmt, column));

      json_object_set_string_member (object, member, text);
    }
}

static void
set_int_or_null (JsonObject   *object,
                 const char   *member,
                 sqlite3_stmt *stmt,
                 int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    json_object_set_null_member (object, member);
  else
    json_object_set_int_member (object, member, sqlite3_column_int64 (stmt, column));
}

static JsonObject *
alarm_row_to_json (sqlite3_stmt *stmt)
{
  JsonObject *object = json_object_new ();
  JsonObject *charger = json_object_new ();
  JsonObject *details = parse_object (column_text (stmt, 10));

  json_object_set_int_member (object, "id", sqlite3_column_int64 (stmt, 0));
  json_object_set_int_member (charger, "id", sqlite3_column_int64 (stmt, 1));
  json_object_set_string_member (charger, "code", column_text (stmt, 2));
  json_object_set_object_member (object, "charger", charger);
  json_object_set_string_member (object, "code", column_text (stmt, 3));
  json_object_set_string_member (object, "severity", column_text (stmt, 4));
  json_object_set_string_member (object, "state", column_text (stmt, 5));
  set_int_or_null (object, "sequence", stmt, 6);
  set_int_or_null (object, "last_sequence", stmt, 7);
  json_object_set_int_member (object, "occurrences", sqlite3_column_int64 (stmt, 8));
  json_object_set_string_member (object, "message", column_text (stmt, 9));
  json_object_set_object_member (object, "details", details != NULL ? details : json_object_new ());
  set_time_or_null (object, "raised_at", stmt, 11);
  json_object_set_int_member (object, "raised_cursor", sqlite3_column_int64 (stmt, 12));
  if (sqlite3_column_type (stmt, 13) == SQLITE_NULL)
    json_object_set_null_member (object, "cleared");
  else
    {
      JsonObject *cleared = json_object_new ();

      set_time_or_null (cleared, "at", stmt, 13);
      json_object_set_string_member (cleared, "reason", column_text (stmt, 14));
      set_int_or_null (cleared, "sequence", stmt, 15);
      json_object_set_object_member (object, "cleared", cleared);
    }
  if (sqlite3_column_type (stmt, 16) == SQLITE_NULL)
    json_object_set_null_member (object, "acknowledged");
  else
    {
      JsonObject *ack = json_object_new ();

      json_object_set_string_member (ack, "by", column_text (stmt, 16));
      set_time_or_null (ack, "at", stmt, 17);
      json_object_set_string_member (ack, "note", column_text (stmt, 18));
      json_object_set_object_member (object, "acknowledged", ack);
    }

  return object;
}

/**
 * anx_feed_ledger_list_alarms:
 * @self: the ledger
 * @open_only: only alarms not cleared
 * @after: alarms with an id above this
 * @limit: at most this many
 * @next_after: (out): the @after of the next page, 0 on the last
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the alarms in id order, or %NULL on error
 */
JsonArray *
anx_feed_ledger_list_alarms (AnxFeedLedger  *self,
                             gboolean        open_only,
                             gint64          after,
                             guint           limit,
                             gint64         *next_after,
                             GError        **error)
{
  g_autoptr(JsonArray) items = json_array_new ();
  sqlite3_stmt *stmt = NULL;
  gint64 last_id = 0;
  int rc;

  *next_after = 0;
  if (sqlite3_prepare_v2 (self->db,
                          open_only ? ALARM_COLUMNS " WHERE a.id > ?1 AND a.state = 'open'"
                                                    " ORDER BY a.id LIMIT ?2"
                                    : ALARM_COLUMNS " WHERE a.id > ?1 ORDER BY a.id LIMIT ?2",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error, "SELECT alarms");
      return NULL;
    }
  sqlite3_bind_int64 (stmt, 1, after);
  sqlite3_bind_int64 (stmt, 2, (gint64) limit + 1);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (json_array_get_length (items) == limit)
        {
          *next_after = last_id;
          break;
        }
      last_id = sqlite3_column_int64 (stmt, 0);
      json_array_add_object_element (items, alarm_row_to_json (stmt));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "SELECT alarms");
      return NULL;
    }

  return g_steal_pointer (&items);
}

/**
 * anx_feed_ledger_read_events:
 * @self: the ledger
 * @after: events with a cursor above this
 * @limit: at most this many
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type AnxFeedLogEntry): the committed
 *   events in cursor order, or %NULL on error
 */
GPtrArray *
anx_feed_ledger_read_events (AnxFeedLedger  *self,
                             gint64          after,
                             guint           limit,
                             GError        **error)
{
  g_autoptr(GPtrArray) entries =
      g_ptr_array_new_with_free_func ((GDestroyNotify) anx_feed_log_entry_free);
  sqlite3_stmt *stmt = get_stmt (self, S_READ_EVENTS, error);
  int rc;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, after);
  sqlite3_bind_int64 (stmt, 2, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      AnxFeedLogEntry *entry = g_new0 (AnxFeedLogEntry, 1);

      entry->cursor = (guint64) sqlite3_column_int64 (stmt, 0);
      /* Only what is committed: inside a transaction this connection would
       * see its own uncommitted rows too. */
      if ((gint64) entry->cursor > self->committed_head)
        {
          anx_feed_log_entry_free (entry);
          break;
        }
      entry->json = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      g_ptr_array_add (entries, entry);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "SELECT events");
      return NULL;
    }

  return g_steal_pointer (&entries);
}

/**
 * anx_feed_ledger_get_chain_page:
 * @self: the ledger
 * @charger: a charger id or code
 * @from: the first sequence of the page
 * @limit: at most this many sequences' records (all records of the last
 *   sequence are included, so a fork is never split between pages)
 * @error: return location for a #GError
 *
 * Returns: (transfer full): `{"charger", "head", "records", "next"}`, or
 *   %NULL with %ANX_FEED_LEDGER_ERROR_NOT_FOUND or another error
 */
JsonObject *
anx_feed_ledger_get_chain_page (AnxFeedLedger  *self,
                                const char     *charger,
                                guint64         from,
                                guint           limit,
                                GError        **error)
{
  g_autoptr(JsonObject) page = json_object_new ();
  JsonArray *records = json_array_new ();
  JsonObject *charger_object = json_object_new ();
  sqlite3_stmt *stmt = NULL;
  gint64 charger_id = anx_feed_ledger_find_charger (self, charger);
  guint8 head_hash[ANX_CHAIN_HASH_SIZE];
  guint64 head_sequence;
  gint64 last_sequence = -1;
  gboolean more = FALSE;
  int rc;

  json_object_set_array_member (page, "records", records);
  json_object_set_object_member (page, "charger", charger_object);

  if (charger_id == 0)
    {
      g_set_error (error, ANX_FEED_LEDGER_ERROR, ANX_FEED_LEDGER_ERROR_NOT_FOUND, "No charger %s",
                   charger);
      return NULL;
    }

  json_object_set_int_member (charger_object, "id", charger_id);
  json_object_set_string_member (charger_object, "code", code_or_empty (self, charger_id));

  /* The head first, so the page is at least as new as it. */
  if (anx_feed_ledger_get_chain_head (self, charger_id, &head_sequence, head_hash))
    {
      JsonObject *head = json_object_new ();
      g_autofree char *hex = anx_chain_hash_to_hex (head_hash);

      json_object_set_int_member (head, "sequence", (gint64) head_sequence);
      json_object_set_string_member (head, "hash", hex);
      json_object_set_object_member (page, "head", head);
    }
  else
    json_object_set_null_member (page, "head");

  if (sqlite3_prepare_v2 (self->db,
                          "SELECT sequence, record FROM chain_records WHERE charger_id = ?1"
                          " AND sequence >= ?2 ORDER BY sequence, rowid",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error, "SELECT chain_records");
      return NULL;
    }
  sqlite3_bind_int64 (stmt, 1, charger_id);
  sqlite3_bind_int64 (stmt, 2, (gint64) MIN (from, (guint64) G_MAXINT64));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 sequence = sqlite3_column_int64 (stmt, 0);
      g_autoptr(JsonNode) node = NULL;

      if (json_array_get_length (records) >= limit && sequence != last_sequence)
        {
          more = TRUE;
          break;
        }
      node = json_from_string ((const char *) sqlite3_column_text (stmt, 1), NULL);
      if (node != NULL)
        json_array_add_element (records, g_steal_pointer (&node));
      last_sequence = sequence;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "SELECT chain_records");
      return NULL;
    }

  if (more)
    {
      g_autofree char *next = g_strdup_printf ("%" G_GINT64_FORMAT, last_sequence + 1);

      json_object_set_string_member (page, "next", next);
    }
  else
    json_object_set_null_member (page, "next");

  return g_steal_pointer (&page);
}
