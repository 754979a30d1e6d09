/* anx-ingest.c: verifies what the feed sends and writes it to the store
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Nothing here runs on the main thread. Chain pages of the initial sync go
 * to a thread pool, one charger ("lane") per worker at a time, so that the
 * signatures of different chargers are verified on all cores while each
 * charger's records stay in order; the verified results are committed by
 * the store's writer thread. Events (the log and the stream) are applied in
 * cursor order by write jobs on the writer thread, chain records included,
 * and each job stores the cursor it reaches with its rows: a job is
 * committed entirely or not at all, so the store never holds an event
 * without its cursor or a cursor without its event.
 *
 * Records are idempotent by their identity (charger, sequence, hash): a
 * record seen again (a replay after a reconnection) is dropped before it
 * reaches the verifier, so that it raises no duplicate finding.
 */

#define G_LOG_DOMAIN "anx-ingest"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "anx-alarm-rules.h"
#include "anx-chain-verifier.h"
#include "anx-charger-entry.h"
#include "anx-finding.h"
#include "anx-ingest.h"
#include "anx-registry-entry.h"
#include "anx-thread.h"

typedef struct
{
  char *code;
  GMutex lock;
  AnxChainVerifier *verifier;
  gboolean stale;
  GQueue pages;       /* GPtrArray of AnxChainRecord, under the ingest's lock */
  gboolean scheduled; /* under the ingest's lock */
  GList used_link;    /* in AnxIngest.used while it may hold a verifier; ingest's lock */
  gboolean in_used;
} Lane;

struct _AnxIngest
{
  GObject parent_instance;

  AnxStore *store;
  GThreadPool *pool;
  GMutex lock;
  GCond cond;
  GHashTable *lanes;  /* code → Lane */
  GQueue used;        /* lanes that may hold a verifier, most recently used first */
  guint max_verifiers;
  AnxKeyCache *keys;  /* parsed meter keys, shared by every lane's verifier */
  guint64 pending_records;
  guint pending_lanes;
  gint64 offline_debounce_us;
  /* A meter exchange that ended a batch of events, waiting (on the writer
   * thread) for the registry event that follows it. */
  GPtrArray *held;
};

/* How long (feed time) a held meter exchange waits for its registry event. */
#define EXCHANGE_HOLD_US (60 * G_USEC_PER_SEC)

/* Sequences behind a chain's head whose hashes a verifier remembers. */
#define VERIFIER_WINDOW 32

/* Chain verifiers (and parsed meter keys) kept at most. A charger's is
 * built from the store when it is needed again: a few queries, a fraction
 * of a millisecond, against memory that would otherwise grow with every
 * charger that reported since the console started (a verifier with its
 * key is about 6 KB). A sync verifies a chain page by page, and live
 * records come once per charging session, hours apart: a larger cache
 * would hardly be used again, only fill (bench-wall-soak). */
#define MAX_VERIFIERS 256

G_DEFINE_FINAL_TYPE (AnxIngest, anx_ingest, G_TYPE_OBJECT)

/* One record after verification, ready for the writer. */
typedef struct
{
  AnxChainRecord *record;
  char *json;
  guint checks;
  GPtrArray *findings;
  gboolean accepted;
} Result;

typedef struct
{
  char *code;
  GPtrArray *results;
  guint64 next_sequence;
  guint8 head_hash[ANX_CHAIN_HASH_SIZE];
} ResultBatch;

static void
result_free (gpointer data)
{
  Result *result = data;

  g_clear_pointer (&result->record, anx_chain_record_unref);
  g_clear_pointer (&result->findings, g_ptr_array_unref);
  g_free (result->json);
  g_free (result);
}

static void
lane_free (gpointer data)
{
  Lane *lane = data;

  g_clear_object (&lane->verifier);
  g_queue_clear_full (&lane->pages, (GDestroyNotify) g_ptr_array_unref);
  g_mutex_clear (&lane->lock);
  g_free (lane->code);
  g_free (lane);
}

static Lane *
get_lane (AnxIngest  *self,
          const char *code)
{
  Lane *lane;

  g_mutex_lock (&self->lock);
  lane = g_hash_table_lookup (self->lanes, code);
  if (lane == NULL)
    {
      lane = g_new0 (Lane, 1);
      lane->code = g_strdup (code);
      lane->used_link.data = lane;
      g_mutex_init (&lane->lock);
      g_queue_init (&lane->pages);
      g_hash_table_insert (self->lanes, lane->code, lane);
    }
  g_mutex_unlock (&self->lock);
  return lane;
}

/* @lane was used (the caller does not hold its lock): it goes first, and
 * the least recently used lanes beyond the limit give their verifier
 * back, unless they are busy. */
static void
note_lane_used (AnxIngest *self,
                Lane      *lane)
{
  GList *link;

  g_mutex_lock (&self->lock);
  if (lane->in_used)
    g_queue_unlink (&self->used, &lane->used_link);
  g_queue_push_head_link (&self->used, &lane->used_link);
  lane->in_used = TRUE;

  link = self->used.tail;
  while (link != NULL && self->used.length > self->max_verifiers)
    {
      Lane *old = link->data;
      GList *previous = link->prev;

      /* Scheduled: a worker is on it (the ingest's lock says so). Locked:
       * the writer is verifying an event with it. */
      if (old != lane && !old->scheduled && g_mutex_trylock (&old->lock))
        {
          g_clear_object (&old->verifier);
          old->stale = FALSE;
          g_mutex_unlock (&old->lock);
          g_queue_unlink (&self->used, link);
          old->in_used = FALSE;
        }
      link = previous;
    }
  g_mutex_unlock (&self->lock);
}

static void
mark_lanes_stale (AnxIngest  *self,
                  const char *code)
{
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->lanes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Lane *lane = value;

      if (code == NULL || g_str_equal (code, lane->code))
        {
          g_mutex_lock (&lane->lock);
          lane->stale = TRUE;
          g_mutex_unlock (&lane->lock);
        }
    }
  g_mutex_unlock (&self->lock);
}

static gint64
time_to_us (GDateTime *time)
{
  return g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
}

/* ------------------------------------------------------------------------ */
/* Verifiers: built from the registry and the stored chain                    */
/* ------------------------------------------------------------------------ */

/* A verifier positioned after the stored chain: seeded with the last
 * accepted charge record of each meter (counter and register continuity)
 * and the last accepted record (the link). */
static AnxChainVerifier *
load_verifier (AnxStore    *store,
               sqlite3     *db,
               const char  *code,
               AnxKeyCache *keys)
{
  g_autoptr(AnxChargerEntry) entry = anx_registry_entry_load (store, db, code);
  g_autoptr(AnxChainVerifier) verifier = NULL;
  sqlite3_stmt *stmt = NULL;

  if (entry == NULL)
    entry = anx_charger_entry_new (code);
  verifier = anx_chain_verifier_new (entry);
  /* A verifier is built again after every registry change of its charger:
   * the keys it needs are parsed (and checked on their curve) once. */
  anx_chain_verifier_set_key_cache (verifier, keys);
  /* It lives as long as the console: the store tells a record received
   * twice (see verify_records()), so the verifier need not remember every
   * hash of the chain. */
  anx_chain_verifier_set_window (verifier, VERIFIER_WINDOW);

  stmt = anx_store_write_statement (
      store, db,
      "SELECT json FROM records WHERE charger_code = ?1 AND accepted AND "
      "(sequence = (SELECT max(sequence) FROM records WHERE charger_code = ?1 "
      "AND accepted) OR sequence IN (SELECT max(sequence) FROM records WHERE "
      "charger_code = ?1 AND accepted AND kind = 'charge' GROUP BY "
      "meter_serial)) ORDER BY sequence",
      NULL);
  if (stmt == NULL)
    return g_steal_pointer (&verifier);
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(AnxChainRecord) record =
          anx_chain_record_new_from_json ((const char *) sqlite3_column_text (stmt, 0), -1, NULL);

      if (record != NULL)
        anx_chain_verifier_seed (verifier, record);
    }
  return g_steal_pointer (&verifier);
}

static gboolean
record_exists (sqlite3        *db,
               AnxChainRecord *record)
{
  sqlite3_stmt *stmt = NULL;
  gboolean exists = FALSE;

  if (db == NULL ||
      sqlite3_prepare_v2 (db,
                          "SELECT 1 FROM records WHERE charger_code = ? AND sequence = ? AND "
                          "hash = ?",
                          -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;
  sqlite3_bind_text (stmt, 1, anx_chain_record_get_charger_id (record), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, (gint64) anx_chain_record_get_sequence (record));
  sqlite3_bind_blob (stmt, 3, anx_chain_record_get_hash (record), ANX_CHAIN_HASH_SIZE,
                     SQLITE_STATIC);
  exists = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  return exists;
}

/* Verifies @records on @lane (locked by the caller, verifier loaded). */
static ResultBatch *
verify_records (Lane      *lane,
                GPtrArray *records,
                sqlite3   *db)
{
  ResultBatch *batch = g_new0 (ResultBatch, 1);

  batch->code = g_strdup (lane->code);
  batch->results = g_ptr_array_new_with_free_func (result_free);

  for (guint i = 0; i < records->len; i++)
    {
      AnxChainRecord *record = records->pdata[i];
      AnxChainChecks checks = 0;
      Result *result;

      /* A record seen again: dropped before the verifier sees it. */
      if (anx_chain_record_get_sequence (record) <
              anx_chain_verifier_get_next_sequence (lane->verifier) &&
          record_exists (db, record))
        continue;

      result = g_new0 (Result, 1);
      result->record = anx_chain_record_ref (record);
      result->findings = anx_chain_verifier_add_full (lane->verifier, record, &checks);
      result->checks = checks;
      result->accepted = TRUE;
      for (guint j = 0; j < result->findings->len; j++)
        {
          const char *code = anx_finding_get_code (result->findings->pdata[j]);

          if (g_str_equal (code, ANX_FINDING_CHAIN_SEQUENCE_DUPLICATE) ||
              g_str_equal (code, ANX_FINDING_CHAIN_FORK))
            result->accepted = FALSE;
        }
      result->json = anx_chain_record_to_json (record, FALSE);
      g_ptr_array_add (batch->results, result);
    }

  batch->next_sequence = anx_chain_verifier_get_next_sequence (lane->verifier);
  memcpy (batch->head_hash, anx_chain_verifier_get_head_hash (lane->verifier),
          ANX_CHAIN_HASH_SIZE);
  return batch;
}

static void
result_batch_free (ResultBatch *batch)
{
  g_ptr_array_unref (batch->results);
  g_free (batch->code);
  g_free (batch);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ResultBatch, result_batch_free)

/* "MS" of the OCMF payload, without parsing it all again. */
static char *
meter_serial (AnxChainRecord *record)
{
  const char *ocmf = anx_chain_record_get_ocmf (record);
  const char *start, *end;

  if (ocmf == NULL || (start = strstr (ocmf, "\"MS\":\"")) == NULL)
    return NULL;
  start += 6;
  end = strchr (start, '"');
  return end != NULL ? g_strndup (start, (gsize) (end - start)) : NULL;
}

static JsonObject *
finding_evidence (AnxFinding     *finding,
                  AnxChainRecord *record)
{
  g_autoptr(JsonNode) node = anx_finding_to_json_node (finding);
  JsonObject *object = json_node_get_object (node);
  JsonObject *details = json_object_get_object_member (object, "details");
  JsonObject *evidence = json_object_new ();
  g_autoptr(GList) members = details != NULL ? json_object_get_members (details) : NULL;
  g_autofree char *hash = anx_chain_hash_to_hex (anx_chain_record_get_hash (record));

  for (GList *l = members; l != NULL; l = l->next)
    json_object_set_member (evidence, l->data,
                            json_node_copy (json_object_get_member (details, l->data)));
  json_object_set_string_member (evidence, "finding", anx_finding_get_code (finding));
  json_object_set_int_member (evidence, "sequence", (gint64) anx_finding_get_sequence (finding));
  json_object_set_string_member (evidence, "hash", hash);
  json_object_set_string_member (evidence, "message", anx_finding_get_message (finding));
  return evidence;
}

/* Writer thread: stores a verified batch and raises its alarms. */
static gboolean
store_results (AnxIngest        *self,
               sqlite3          *db,
               ResultBatch      *batch,
               AnxStoreChanges  *changes,
               GError          **error)
{
  sqlite3_stmt *insert = NULL;
  sqlite3_stmt *finding_stmt = NULL;
  sqlite3_stmt *head = NULL;
  gboolean ok = FALSE;
  gint64 inserted = 0;

  /* Prepared once on the write connection and kept by the store. */
  insert = anx_store_write_statement (
      self->store, db,
      "INSERT OR IGNORE INTO records (charger_code, sequence, hash, kind, "
      "recorded_at_us, meter_serial, billed_wh, amount_fen, checks, "
      "n_findings, accepted, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      NULL);
  finding_stmt = anx_store_write_statement (
      self->store, db,
      "INSERT INTO findings (charger_code, sequence, hash, code, severity, "
      "message, details, alarm_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      NULL);
  head = anx_store_write_statement (
      self->store, db,
      "INSERT INTO chain_heads (charger_code, next_sequence, head_hash, "
      "n_records) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (charger_code) DO UPDATE "
      "SET next_sequence = ?2, head_hash = ?3, n_records = n_records + ?4",
      NULL);
  if (insert == NULL || finding_stmt == NULL || head == NULL)
    {
      anx_store_set_sqlite_error (error, db, "records");
      goto out;
    }

  for (guint i = 0; i < batch->results->len; i++)
    {
      Result *result = batch->results->pdata[i];
      AnxChainRecord *record = result->record;
      AnxChainRecordKind kind = anx_chain_record_get_kind (record);
      g_autofree char *serial = kind == ANX_CHAIN_RECORD_KIND_CHARGE ? meter_serial (record) : NULL;
      gint64 sequence = (gint64) anx_chain_record_get_sequence (record);
      gint64 recorded = time_to_us (anx_chain_record_get_recorded_at (record));

      sqlite3_reset (insert);
      sqlite3_bind_text (insert, 1, batch->code, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (insert, 2, sequence);
      sqlite3_bind_blob (insert, 3, anx_chain_record_get_hash (record), ANX_CHAIN_HASH_SIZE,
                         SQLITE_STATIC);
      sqlite3_bind_text (insert, 4, anx_chain_record_kind_to_string (kind), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (insert, 5, recorded);
      sqlite3_bind_text (insert, 6, serial, -1, SQLITE_STATIC);
      if (kind == ANX_CHAIN_RECORD_KIND_CHARGE)
        {
          sqlite3_bind_int64 (insert, 7, anx_chain_record_get_billed_wh (record));
          sqlite3_bind_int64 (insert, 8, anx_chain_record_get_amount_fen (record));
        }
      else
        {
          sqlite3_bind_null (insert, 7);
          sqlite3_bind_null (insert, 8);
        }
      sqlite3_bind_int (insert, 9, (int) result->checks);
      sqlite3_bind_int (insert, 10, (int) result->findings->len);
      sqlite3_bind_int (insert, 11, result->accepted);
      sqlite3_bind_text (insert, 12, result->json, -1, SQLITE_STATIC);
      if (sqlite3_step (insert) != SQLITE_DONE)
        {
          anx_store_set_sqlite_error (error, db, "records");
          goto out;
        }
      if (sqlite3_changes (db) == 0)
        continue; /* stored before: its findings and alarms are too */
      inserted++;

      for (guint j = 0; j < result->findings->len; j++)
        {
          AnxFinding *finding = result->findings->pdata[j];
          const char *kind_name = anx_alarm_kind_for_finding (anx_finding_get_code (finding));
          g_autoptr(JsonObject) evidence = finding_evidence (finding, record);
          g_autoptr(JsonNode) details = json_node_new (JSON_NODE_OBJECT);
          g_autofree char *details_text = NULL;
          gint64 alarm_id = 0;

          json_node_set_object (details, evidence);
          details_text = json_to_string (details, FALSE);
          if (kind_name != NULL &&
              !anx_alarm_rules_raise (db, batch->code, kind_name,
                                      anx_finding_severity_to_string (
                                          anx_finding_get_severity (finding)),
                                      sequence, evidence, recorded, &alarm_id, error))
            goto out;

          sqlite3_reset (finding_stmt);
          sqlite3_bind_text (finding_stmt, 1, batch->code, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (finding_stmt, 2, sequence);
          sqlite3_bind_blob (finding_stmt, 3, anx_chain_record_get_hash (record),
                             ANX_CHAIN_HASH_SIZE, SQLITE_STATIC);
          sqlite3_bind_text (finding_stmt, 4, anx_finding_get_code (finding), -1, SQLITE_STATIC);
          sqlite3_bind_text (finding_stmt, 5,
                             anx_finding_severity_to_string (anx_finding_get_severity (finding)),
                             -1, SQLITE_STATIC);
          sqlite3_bind_text (finding_stmt, 6, anx_finding_get_message (finding), -1,
                             SQLITE_STATIC);
          sqlite3_bind_text (finding_stmt, 7, details_text, -1, SQLITE_STATIC);
          if (alarm_id != 0)
            sqlite3_bind_int64 (finding_stmt, 8, alarm_id);
          else
            sqlite3_bind_null (finding_stmt, 8);
          if (sqlite3_step (finding_stmt) != SQLITE_DONE)
            {
              anx_store_set_sqlite_error (error, db, "findings");
              goto out;
            }
          *changes |= ANX_STORE_CHANGED_ALARMS;
        }

      /* An inspection that passed closes what the chain had raised. */
      if (kind == ANX_CHAIN_RECORD_KIND_INSPECTION && result->accepted)
        {
          AnxInspectionResult verdict = anx_chain_record_get_inspection_result (record);
          const char *key = anx_chain_record_get_idempotency_key (record);
          sqlite3_stmt *stmt;

          if (verdict != ANX_INSPECTION_RESULT_FAIL && verdict != ANX_INSPECTION_RESULT_SUSPENDED)
            {
              guint n_closed = 0;

              if (!anx_alarm_rules_close_by_inspection (db, batch->code, sequence, key, recorded,
                                                        &n_closed, error))
                goto out;
              if (n_closed > 0)
                *changes |= ANX_STORE_CHANGED_ALARMS;
            }
          if (key != NULL && *key != '\0' &&
              (stmt = anx_store_write_statement (self->store, db,
                                                 "UPDATE inspections SET sequence = ? WHERE "
                                                 "idempotency_key = ?",
                                                 NULL)) != NULL)
            {
              sqlite3_bind_int64 (stmt, 1, sequence);
              sqlite3_bind_text (stmt, 2, key, -1, SQLITE_STATIC);
              sqlite3_step (stmt);
              sqlite3_reset (stmt);
              *changes |= ANX_STORE_CHANGED_INSPECTIONS;
            }
        }
    }

  sqlite3_bind_text (head, 1, batch->code, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (head, 2, (gint64) batch->next_sequence);
  sqlite3_bind_blob (head, 3, batch->head_hash, ANX_CHAIN_HASH_SIZE, SQLITE_STATIC);
  sqlite3_bind_int64 (head, 4, inserted);
  if (sqlite3_step (head) != SQLITE_DONE)
    {
      anx_store_set_sqlite_error (error, db, "chain head");
      goto out;
    }
  if (inserted > 0)
    *changes |= ANX_STORE_CHANGED_RECORDS;
  ok = TRUE;

out:
  return ok;
}

/* ------------------------------------------------------------------------ */
/* Chain pages: the thread pool                                              */
/* ------------------------------------------------------------------------ */

typedef struct
{
  AnxIngest *self;
  Lane *lane;
  ResultBatch *batch;
  AnxChainVerifier *verifier; /* load job: out */
} LaneJob;

static gboolean
load_job (AnxStore         *store,
          sqlite3          *db,
          gpointer          data,
          AnxStoreChanges  *changes,
          GError          **error)
{
  LaneJob *job = data;

  job->verifier = load_verifier (store, db, job->lane->code, job->self->keys);
  return TRUE;
}


/* A per-thread read connection, for the duplicate checks of the workers. */
static void
close_db (gpointer data)
{
  sqlite3_close (data);
}

static GPrivate worker_db = G_PRIVATE_INIT (close_db);

static sqlite3 *
get_worker_db (AnxIngest *self)
{
  sqlite3 *db = g_private_get (&worker_db);

  if (db == NULL &&
      sqlite3_open_v2 (anx_store_get_path (self->store), &db,
                       SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK)
    {
      sqlite3_busy_timeout (db, 10000);
      g_private_set (&worker_db, db);
    }
  return db;
}

/* A verified batch on its way to the writer. */
typedef struct
{
  AnxIngest *self;
  Lane *lane;
  ResultBatch *batch;
  guint n_records;
} StoreJob;

static gboolean
queued_store_job (AnxStore         *store,
                  sqlite3          *db,
                  gpointer          data,
                  AnxStoreChanges  *changes,
                  GError          **error)
{
  StoreJob *job = data;

  return store_results (job->self, db, job->batch, changes, error);
}

static void
records_done (AnxIngest *self,
              guint      n_records)
{
  g_mutex_lock (&self->lock);
  self->pending_records -= n_records;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

/* Writer thread: the batch is committed, or failed. */
static void
queued_store_done (gpointer      data,
                   const GError *error)
{
  StoreJob *job = data;

  if (error != NULL)
    {
      g_warning ("Chain of %s: %s", job->lane->code, error->message);
      /* The verifier is ahead of the store: reload it. */
      g_mutex_lock (&job->lane->lock);
      job->lane->stale = TRUE;
      g_mutex_unlock (&job->lane->lock);
    }
  records_done (job->self, job->n_records);
  result_batch_free (job->batch);
  g_free (job);
}

static void
process_lane (gpointer data,
              gpointer user_data)
{
  AnxIngest *self = user_data;
  Lane *lane = data;

  anx_thread_lower_priority ();

  for (;;)
    {
      g_autoptr(GPtrArray) records = NULL;
      g_autoptr(ResultBatch) batch = NULL;
      g_autoptr(GError) error = NULL;
      gboolean need_load;

      g_mutex_lock (&self->lock);
      records = g_queue_pop_head (&lane->pages);
      if (records == NULL)
        {
          lane->scheduled = FALSE;
          self->pending_lanes--;
          g_cond_broadcast (&self->cond);
          g_mutex_unlock (&self->lock);
          return;
        }
      g_mutex_unlock (&self->lock);

      g_mutex_lock (&lane->lock);
      need_load = lane->verifier == NULL || lane->stale;
      g_mutex_unlock (&lane->lock);
      if (need_load)
        {
          LaneJob job = { self, lane, NULL, NULL };

          /* Loaded on the writer thread, which sees everything committed
           * and queued before. */
          if (anx_store_write_sync (self->store, load_job, &job, &error))
            {
              g_mutex_lock (&lane->lock);
              g_set_object (&lane->verifier, job.verifier);
              lane->stale = FALSE;
              g_mutex_unlock (&lane->lock);
            }
          g_clear_object (&job.verifier);
        }

      g_mutex_lock (&lane->lock);
      if (lane->verifier != NULL)
        batch = verify_records (lane, records, get_worker_db (self));
      g_mutex_unlock (&lane->lock);
      note_lane_used (self, lane);

      if (batch != NULL)
        {
          /* Not waited for: the writer commits the batches of all lanes
           * together while this thread verifies the next page. The
           * lane's batches reach the writer in order. */
          StoreJob *job = g_new0 (StoreJob, 1);

          job->self = self;
          job->lane = lane;
          job->batch = g_steal_pointer (&batch);
          job->n_records = records->len;
          anx_store_write_queue (self->store, queued_store_job, job, queued_store_done);
        }
      else
        {
          if (error != NULL)
            g_warning ("Chain of %s: %s", lane->code, error->message);
          records_done (self, records->len);
        }
    }
}


/* ------------------------------------------------------------------------ */
/* Registry                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct
{
  AnxIngest *self;
  AnxRegistryCollection collection;
  JsonArray *items;
} RegistryJob;

static void
registry_job_free (gpointer data)
{
  RegistryJob *job = data;

  g_object_unref (job->self);
  json_array_unref (job->items);
  g_free (job);
}

static const char *
obj_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
obj_int (JsonObject *object,
         const char *name,
         gint64      fallback)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return (gint64) json_node_get_double (node);
  return fallback;
}

static double
obj_double (JsonObject *object,
            const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_double (node) : 0.0;
}

static gint64
parse_time_us (const char *text)
{
  g_autoptr(GDateTime) time = NULL;

  if (text == NULL)
    return 0;
  time = g_date_time_new_from_iso8601 (text, NULL);
  return time != NULL ? time_to_us (time) : 0;
}

static gboolean
step_done (sqlite3      *db,
           sqlite3_stmt *stmt,
           GError      **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      anx_store_set_sqlite_error (error, db, "registry");
      return FALSE;
    }
  return TRUE;
}

/* The session a charger of the snapshot is running: the events after the
 * snapshot's cursor, replayed next, bring it up to date. A feed that does
 * not say (no "session" member) leaves the sessions to its events. */
static gboolean
store_snapshot_session (sqlite3          *db,
                        JsonObject       *charger,
                        AnxStoreChanges  *changes,
                        GError          **error)
{
  JsonNode *node = json_object_get_member (charger, "session");
  const char *code = obj_string (charger, "code");
  JsonObject *session;
  gint64 started, updated;

  if (node == NULL || code == NULL)
    return TRUE;
  *changes |= ANX_STORE_CHANGED_SESSIONS;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return anx_store_exec_bound (db, "DELETE FROM sessions WHERE charger_code = ?", error, "s", code);

  session = json_node_get_object (node);
  started = parse_time_us (obj_string (session, "started"));
  updated = parse_time_us (obj_string (session, "updated"));
  if (obj_string (session, "session_id") == NULL || started == 0)
    return TRUE;
  return anx_store_exec_bound (db,
                     "INSERT OR REPLACE INTO sessions (charger_code, session_id, started_us, "
                     "meter_start_wh, power_w, energy_wh, amount_fen, updated_us) VALUES "
                     "(?, ?, ?, ?, ?, ?, ?, ?)",
                     error, "ssiiiiii", code, obj_string (session, "session_id"), started,
                     obj_int (session, "meter_start_wh", 0), obj_int (session, "power_w", 0),
                     obj_int (session, "energy_wh", 0), obj_int (session, "amount_fen", 0),
                     MAX (updated, started));
}

static gboolean
registry_job (AnxStore         *store,
              sqlite3          *db,
              gpointer          data,
              AnxStoreChanges  *changes,
              GError          **error)
{
  RegistryJob *job = data;
  static const char *const sql[] = {
    [ANX_REGISTRY_OPERATORS] = "INSERT OR REPLACE INTO operators (id, name, name_en, tariff) "
                               "VALUES (?, ?, ?, ?)",
    [ANX_REGISTRY_STATIONS] = "INSERT OR REPLACE INTO stations (id, operator_id, code, name, "
                              "address, district_code, district_name, latitude, longitude, datum, "
                              "charger_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ANX_REGISTRY_CHARGERS] =
        "INSERT INTO chargers (id, station_id, operator_id, code, current, rated_power_w, status, "
        "status_since_us, last_seen_us, meter_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9) "
        "ON CONFLICT (id) DO UPDATE SET station_id = ?2, operator_id = ?3, code = ?4, "
        "current = ?5, rated_power_w = ?6, meter_id = ?9, last_seen_us = max(coalesce("
        "last_seen_us, 0), coalesce(?8, 0)), status_since_us = CASE WHEN status = ?7 THEN "
        "status_since_us ELSE ?8 END, status = ?7",
    [ANX_REGISTRY_METERS] = "INSERT OR REPLACE INTO meters (id, charger_id, serial, manufacturer, "
                            "model, accuracy_class, algorithm, public_key, first_verification, "
                            "rotation_due, seal_physical, seal_electronic) VALUES (?, ?, ?, ?, ?, "
                            "?, ?, ?, ?, ?, ?, ?)",
    [ANX_REGISTRY_SERVER_ALARMS] = "INSERT OR REPLACE INTO server_alarms (id, charger_code, code, "
                                   "kind, severity, state, sequence, message, details, "
                                   "raised_at_us, cleared_at_us, acknowledged_by) VALUES (?, ?, "
                                   "?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  };
  sqlite3_stmt *stmt = NULL;
  sqlite3_stmt *key_stmt = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (job->collection < G_N_ELEMENTS (sql), FALSE);
  if (sqlite3_prepare_v2 (db, sql[job->collection], -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (db,
                          "INSERT OR REPLACE INTO meter_keys (charger_id, from_sequence, serial, "
                          "algorithm, public_key) VALUES (?, ?, ?, ?, ?)",
                          -1, &key_stmt, NULL) != SQLITE_OK)
    {
      anx_store_set_sqlite_error (error, db, "registry");
      goto out;
    }

  for (guint i = 0; i < json_array_get_length (job->items); i++)
    {
      JsonNode *node = json_array_get_element (job->items, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      if (o == NULL)
        continue;
      sqlite3_bind_int64 (stmt, 1, obj_int (o, "id", 0));
      switch (job->collection)
        {
        case ANX_REGISTRY_OPERATORS:
          {
            JsonNode *tariff = json_object_get_member (o, "tariff");
            g_autofree char *tariff_text = tariff != NULL ? json_to_string (tariff, FALSE) : NULL;

            sqlite3_bind_text (stmt, 2, obj_string (o, "name"), -1, SQLITE_STATIC);
            sqlite3_bind_text (stmt, 3, obj_string (o, "name_en"), -1, SQLITE_STATIC);
            sqlite3_bind_text (stmt, 4, tariff_text, -1, SQLITE_TRANSIENT);
          }
          break;
        case ANX_REGISTRY_STATIONS:
          {
            JsonObject *district = json_object_has_member (o, "district")
                                       ? json_object_get_object_member (o, "district")
                                       : NULL;
            JsonObject *location = json_object_has_member (o, "location")
                                       ? json_object_get_object_member (o, "location")
                                       : NULL;

            sqlite3_bind_int64 (stmt, 2, obj_int (o, "operator_id", 0));
            sqlite3_bind_text (stmt, 3, obj_string (o, "code"), -1, SQLITE_STATIC);
            sqlite3_bind_text (stmt, 4, obj_string (o, "name"), -1, SQLITE_STATIC);
            sqlite3_bind_text (stmt, 5, obj_string (o, "address"), -1, SQLITE_STATIC);
            sqlite3_bind_text (stmt, 6, obj_string (district, "code"), -1, SQLITE_STATIC);
            sqlite3_bind_text (stmt, 7, obj_string (district, "name"), -1, SQLITE_STATIC);
            sqlite3_bind_double (stmt, 8, obj_double (location, "latitude"));
            sqlite3_bind_double (stmt, 9, obj_double (location, "longitude"));
            sqlite3_bind_text (stmt, 10,
                               obj_string (location, "datum") ? obj_string (location, "datum")
                                                              : "GCJ-02",
                               -1, SQLITE_STATIC);
            sqlite3_bind_int64 (stmt, 11, obj_int (o, "charger_count", 0));
          }
          break;
        case ANX_REGISTRY_CHARGERS:
          {
            gint64 seen = parse_time_us (obj_string (o, "last_seen"));

            sqlite3_bind_int64 (stmt, 2, obj_int (o, "station_id", 0));
            sqlite3_bind_int64 (stmt, 3, obj_int (o, "operator_id", 0));
            sqlite3_bind_text (stmt, 4, obj_string (o, "code"), -1, SQLITE_STATIC);
            sqlite3_bind_text (stmt, 5, obj_string (o, "current"), -1, SQLITE_STATIC);
            sqlite3_bind_int64 (stmt, 6, obj_int (o, "rated_power_w", 0));
            sqlite3_bind_text (stmt, 7,
                               obj_string (o, "status") ? obj_string (o, "status") : "unknown", -1,
                               SQLITE_STATIC);
            if (seen != 0)
              sqlite3_bind_int64 (stmt, 8, seen);
            else
              sqlite3_bind_null (stmt, 8);
            sqlite3_bind_int64 (stmt, 9, obj_int (o, "meter_id", 0));
            if (!store_snapshot_session (db, o, changes, error))
              goto out;
          }
          break;
        case ANX_REGISTRY_METERS:
          {
            JsonObject *seals = json_object_has_member (o, "seals")
                                    ? json_object_get_object_member (o, "seals")
                                    : NULL;
            JsonArray *keys = json_object_has_member (o, "keys")
                                  ? json_object_get_array_member (o, "keys")
                                  : NULL;
            gint64 charger_id = obj_int (o, "charger_id", 0);

            sqlite3_bind_int64 (stmt, 2, charger_id);
            sqlite3_bind_text (stmt, 3, obj_string (o, "serial"), -1, SQLITE_STATIC);
            sqlite3_bind_text (stmt, 4, obj_string (o, "manufacturer"), -1, SQLITE_STATIC);
            sqlite3_bind_text (stmt, 5, obj_string (o, "model"), -1, SQLITE_STATIC);
            sqlite3_bind_int64 (stmt, 6, obj_int (o, "accuracy_class", 1));
            sqlite3_bind_text (stmt, 7, obj_string (o, "signature_algorithm"), -1, SQLITE_STATIC);
            sqlite3_bind_text (stmt, 8, obj_string (o, "public_key"), -1, SQLITE_STATIC);
            sqlite3_bind_text (stmt, 9, obj_string (o, "first_verification"), -1, SQLITE_STATIC);
            sqlite3_bind_text (stmt, 10, obj_string (o, "rotation_due"), -1, SQLITE_STATIC);
            sqlite3_bind_text (stmt, 11, obj_string (seals, "physical"), -1, SQLITE_STATIC);
            sqlite3_bind_text (stmt, 12, obj_string (seals, "electronic"), -1, SQLITE_STATIC);

            for (guint k = 0; keys != NULL && k < json_array_get_length (keys); k++)
              {
                JsonObject *key = json_array_get_object_element (keys, k);

                sqlite3_bind_int64 (key_stmt, 1, charger_id);
                sqlite3_bind_int64 (key_stmt, 2, obj_int (key, "from_sequence", 0));
                sqlite3_bind_text (key_stmt, 3, obj_string (key, "serial"), -1, SQLITE_STATIC);
                sqlite3_bind_text (key_stmt, 4, obj_string (key, "signature_algorithm"), -1,
                                   SQLITE_STATIC);
                sqlite3_bind_text (key_stmt, 5, obj_string (key, "public_key"), -1,
                                   SQLITE_STATIC);
                if (!step_done (db, key_stmt, error))
                  goto out;
              }
          }
          break;
        case ANX_REGISTRY_SERVER_ALARMS:
          {
            JsonObject *charger = json_object_has_member (o, "charger")
                                      ? json_object_get_object_member (o, "charger")
                                      : NULL;
            JsonObject *cleared = json_object_has_member (o, "cleared") &&
                                          !json_object_get_null_member (o, "cleared")
                                      ? json_object_get_object_member (o, "cleared")
                                      : NULL;
            JsonObject *acked = json_object_has_member (o, "acknowledged") &&
                                        !json_object_get_null_member (o, "acknowledged")
                                    ? json_object_get_object_member (o, "acknowledged")
                                    : NULL;
            JsonNode *details = json_object_get_member (o, "details");
            g_autofree char *details_text = details != NULL ? json_to_string (details, FALSE)
                                                            : NULL;
            const char *code = obj_string (o, "code");

            sqlite3_bind_text (stmt, 2, obj_string (charger, "code"), -1, SQLITE_STATIC);
            sqlite3_bind_text (stmt, 3, code, -1, SQLITE_STATIC);
            sqlite3_bind_text (stmt, 4, code != NULL ? anx_alarm_kind_for_server (code) : NULL, -1,
                               SQLITE_STATIC);
            sqlite3_bind_text (stmt, 5, obj_string (o, "severity"), -1, SQLITE_STATIC);
            sqlite3_bind_text (stmt, 6, obj_string (o, "state"), -1, SQLITE_STATIC);
            sqlite3_bind_int64 (stmt, 7, obj_int (o, "sequence", -1));
            sqlite3_bind_text (stmt, 8, obj_string (o, "message"), -1, SQLITE_STATIC);
            sqlite3_bind_text (stmt, 9, details_text, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64 (stmt, 10, parse_time_us (obj_string (o, "raised_at")));
            if (cleared != NULL)
              sqlite3_bind_int64 (stmt, 11, parse_time_us (obj_string (cleared, "at")));
            else
              sqlite3_bind_null (stmt, 11);
            sqlite3_bind_text (stmt, 12, obj_string (acked, "by"), -1, SQLITE_STATIC);
            if (!step_done (db, stmt, error) ||
                !anx_store_exec_bound (db,
                             "UPDATE alarms SET server_alarm_id = ?1 WHERE charger_code = ?2 AND "
                             "kind = ?3 AND server_alarm_id IS NULL AND state IN ('open', "
                             "'acknowledged', 'inspection-scheduled')",
                             error, "iss", obj_int (o, "id", 0), obj_string (charger, "code"),
                             code != NULL ? anx_alarm_kind_for_server (code) : ""))
              goto out;
            sqlite3_clear_bindings (stmt);
            *changes |= ANX_STORE_CHANGED_ALARMS;
            continue;
          }
        default:
          g_assert_not_reached ();
        }
      if (!step_done (db, stmt, error))
        goto out;
      sqlite3_clear_bindings (stmt);
    }

  /* New registry dates: the overdue rule runs again at the next tick. */
  if (job->collection == ANX_REGISTRY_METERS && !anx_store_exec (db, "DELETE FROM meta WHERE key "
                                                                 "= 'overdue_checked_day'", error))
    goto out;
  *changes |= ANX_STORE_CHANGED_REGISTRY | ANX_STORE_CHANGED_CHARGERS;
  ok = TRUE;

out:
  sqlite3_finalize (stmt);
  sqlite3_finalize (key_stmt);
  return ok;
}

/* ------------------------------------------------------------------------ */
/* Events                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct
{
  AnxIngest *self;
  GPtrArray *events;
  gint64 now_us;
  guint64 cursor;
  gboolean snapshot;
} EventsJob;

static void
events_job_free (gpointer data)
{
  EventsJob *job = data;

  g_object_unref (job->self);
  g_clear_pointer (&job->events, g_ptr_array_unref);
  g_free (job);
}


static gboolean
apply_chain_event (AnxIngest        *self,
                   sqlite3          *db,
                   AnxFeedEvent     *event,
                   AnxStoreChanges  *changes,
                   GError          **error)
{
  AnxChainRecord *record = anx_feed_event_get_record (event);
  const char *code;
  Lane *lane;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(ResultBatch) batch = NULL;

  if (record == NULL)
    return TRUE;
  code = anx_chain_record_get_charger_id (record);
  if (record_exists (db, record))
    return TRUE;

  lane = get_lane (self, code);
  g_mutex_lock (&lane->lock);
  if (lane->verifier == NULL || lane->stale)
    {
      g_clear_object (&lane->verifier);
      lane->verifier = load_verifier (self->store, db, code, self->keys);
      lane->stale = FALSE;
    }
  records = g_ptr_array_new ();
  g_ptr_array_add (records, record);
  batch = verify_records (lane, records, db);
  g_mutex_unlock (&lane->lock);
  note_lane_used (self, lane);

  if (!store_results (self, db, batch, changes, error))
    {
      g_mutex_lock (&lane->lock);
      lane->stale = TRUE;
      g_mutex_unlock (&lane->lock);
      return FALSE;
    }
  return TRUE;
}

/* When the charger went offline, or 0 if it is not offline. */
static gint64
offline_since_us (sqlite3    *db,
                  const char *code)
{
  sqlite3_stmt *stmt = NULL;
  gint64 since = 0;

  if (sqlite3_prepare_v2 (db,
                          "SELECT status_since_us FROM chargers WHERE code = ? AND status = "
                          "'offline'",
                          -1, &stmt, NULL) != SQLITE_OK)
    return 0;
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    since = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return since;
}

static gboolean
apply_event (AnxIngest        *self,
             sqlite3          *db,
             AnxFeedEvent     *event,
             AnxStoreChanges  *changes,
             GError          **error)
{
  const char *code = anx_feed_event_get_charger_code (event);
  gint64 time_us = anx_feed_event_get_time (event);

  switch (anx_feed_event_get_event_type (event))
    {
    case ANX_FEED_EVENT_CHARGER_STATUS:
      {
        gint64 offline_since = 0;
        guint n_changed = 0;

        *changes |= ANX_STORE_CHANGED_CHARGERS;
        if (g_strcmp0 (anx_feed_event_get_status (event), "offline") != 0)
          offline_since = offline_since_us (db, code);
        if (!anx_store_exec_bound (db,
                         "UPDATE chargers SET status_since_us = CASE WHEN status = ?1 THEN "
                         "status_since_us ELSE ?2 END, status = ?1, last_seen_us = ?2 WHERE "
                         "code = ?3",
                         error, "sis", anx_feed_event_get_status (event), time_us, code))
          return FALSE;
        if (g_strcmp0 (anx_feed_event_get_status (event), "offline") == 0)
          return TRUE;
        /* Back: an outage seen whole (within one batch) counts too. */
        if (!anx_alarm_rules_offline_ended (db, code, offline_since, time_us,
                                            self->offline_debounce_us, &n_changed, error))
          return FALSE;
        if (n_changed > 0)
          *changes |= ANX_STORE_CHANGED_ALARMS;
        return TRUE;
      }

    case ANX_FEED_EVENT_SESSION_STARTED:
      *changes |= ANX_STORE_CHANGED_SESSIONS;
      return anx_store_exec_bound (db,
                         "INSERT OR REPLACE INTO sessions (charger_code, session_id, started_us, "
                         "meter_start_wh, power_w, energy_wh, amount_fen, updated_us) VALUES "
                         "(?, ?, ?, ?, 0, 0, 0, ?)",
                         error, "ssiii", code, anx_feed_event_get_session_id (event), time_us,
                         anx_feed_event_get_meter_start_wh (event), time_us);

    case ANX_FEED_EVENT_SESSION_PROGRESS:
      *changes |= ANX_STORE_CHANGED_SESSIONS;
      return anx_store_exec_bound (db,
                         "UPDATE sessions SET power_w = ?, energy_wh = ?, amount_fen = ?, "
                         "updated_us = ? WHERE charger_code = ? AND session_id = ?",
                         error, "iiiiss", anx_feed_event_get_power_w (event),
                         anx_feed_event_get_energy_wh (event),
                         anx_feed_event_get_amount_fen (event), time_us, code,
                         anx_feed_event_get_session_id (event));

    case ANX_FEED_EVENT_SESSION_ENDED:
      *changes |= ANX_STORE_CHANGED_SESSIONS;
      return anx_store_exec_bound (db, "DELETE FROM sessions WHERE charger_code = ? AND session_id = ?",
                         error, "ss", code, anx_feed_event_get_session_id (event));

    case ANX_FEED_EVENT_CHAIN_APPENDED:
      return apply_chain_event (self, db, event, changes, error);

    case ANX_FEED_EVENT_ALARM_RAISED:
      {
        JsonObject *details = anx_feed_event_get_details (event);
        g_autofree char *details_text = NULL;

        if (details != NULL)
          {
            g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

            json_node_set_object (node, details);
            details_text = json_to_string (node, FALSE);
          }
        *changes |= ANX_STORE_CHANGED_ALARMS;
        return anx_store_exec_bound (db,
                           "INSERT OR REPLACE INTO server_alarms (id, charger_code, code, kind, "
                           "severity, state, sequence, message, details, raised_at_us) VALUES "
                           "(?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)",
                           error, "issssissi", anx_feed_event_get_alarm_id (event), code,
                           anx_feed_event_get_code (event),
                           anx_alarm_kind_for_server (anx_feed_event_get_code (event)),
                           anx_feed_event_get_severity (event),
                           anx_feed_event_get_sequence (event),
                           anx_feed_event_get_message (event),
                           details_text != NULL ? details_text : "{}", time_us) &&
               anx_store_exec_bound (db,
                           "UPDATE alarms SET server_alarm_id = ?1 WHERE charger_code = ?2 AND "
                           "kind = ?3 AND server_alarm_id IS NULL AND state IN ('open', "
                           "'acknowledged', 'inspection-scheduled')",
                           error, "iss", anx_feed_event_get_alarm_id (event), code,
                           anx_alarm_kind_for_server (anx_feed_event_get_code (event)));
      }

    case ANX_FEED_EVENT_ALARM_CLEARED:
      *changes |= ANX_STORE_CHANGED_ALARMS;
      return anx_store_exec_bound (db,
                         "UPDATE server_alarms SET state = 'cleared', cleared_at_us = ? WHERE id = ?",
                         error, "ii", time_us, anx_feed_event_get_alarm_id (event));

    case ANX_FEED_EVENT_ALARM_ACKNOWLEDGED:
      *changes |= ANX_STORE_CHANGED_ALARMS;
      return anx_store_exec_bound (db,
                         "UPDATE server_alarms SET state = CASE WHEN state = 'open' THEN "
                         "'acknowledged' ELSE state END, acknowledged_by = ? WHERE id = ?",
                         error, "si", anx_feed_event_get_actor (event),
                         anx_feed_event_get_alarm_id (event));

    case ANX_FEED_EVENT_REGISTRY_CHANGED:
      {
        gint64 charger_id = anx_feed_event_get_charger_id (event);

        *changes |= ANX_STORE_CHANGED_REGISTRY;
        if (!anx_store_exec_bound (db,
                         "INSERT OR REPLACE INTO meter_keys (charger_id, from_sequence, serial, "
                         "algorithm, public_key) VALUES (?, ?, ?, ?, ?)",
                         error, "iisss", charger_id, anx_feed_event_get_sequence (event),
                         anx_feed_event_get_meter_serial (event),
                         anx_feed_event_get_algorithm (event),
                         anx_feed_event_get_public_key (event)))
          return FALSE;
        mark_lanes_stale (self, code);
        return TRUE;
      }

    case ANX_FEED_EVENT_UNKNOWN:
    case ANX_FEED_EVENT_HELLO:
    case ANX_FEED_EVENT_HEARTBEAT:
    case ANX_FEED_EVENT_RESYNC_REQUIRED:
    case ANX_FEED_EVENT_ERROR_MESSAGE:
    default:
      /* An event type this build does not know: skipped, the cursor moves. */
      return TRUE;
    }
}

static gboolean
check_time_rules (AnxIngest        *self,
                  sqlite3          *db,
                  gint64            now_us,
                  AnxStoreChanges  *changes,
                  GError          **error)
{
  g_autofree char *checked = anx_store_get_meta_db (db, "overdue_checked_day");
  g_autofree char *day = g_strdup_printf ("%" G_GINT64_FORMAT,
                                          (now_us / G_USEC_PER_SEC + 8 * 3600) / 86400);
  guint n = 0;

  if (now_us <= 0)
    return TRUE;
  if (!anx_alarm_rules_check_offline (db, now_us, self->offline_debounce_us, &n, error))
    return FALSE;
  if (n > 0)
    *changes |= ANX_STORE_CHANGED_ALARMS;
  if (g_strcmp0 (checked, day) != 0)
    {
      if (!anx_alarm_rules_check_overdue (db, now_us, &n, error) ||
          !anx_store_set_meta_db (db, "overdue_checked_day", day, error))
        return FALSE;
      if (n > 0)
        *changes |= ANX_STORE_CHANGED_ALARMS;
    }
  return TRUE;
}

static gboolean
set_newest_time (sqlite3     *db,
                 gint64       time_us,
                 GError     **error)
{
  g_autofree char *old = anx_store_get_meta_db (db, "newest_time_us");
  g_autofree char *text = NULL;

  if (old != NULL && g_ascii_strtoll (old, NULL, 10) >= time_us)
    return TRUE;
  text = g_strdup_printf ("%" G_GINT64_FORMAT, time_us);
  return anx_store_set_meta_db (db, "newest_time_us", text, error);
}

static gboolean
is_meter_exchange (AnxFeedEvent *event)
{
  AnxChainRecord *record = anx_feed_event_get_event_type (event) == ANX_FEED_EVENT_CHAIN_APPENDED
                               ? anx_feed_event_get_record (event)
                               : NULL;

  return record != NULL &&
         anx_chain_record_get_kind (record) == ANX_CHAIN_RECORD_KIND_METER_EXCHANGE;
}

/* The registry event that registers the new meter of the exchange at
 * @index, later in @events, or -1. */
static gint
find_exchange_registration (GPtrArray *events,
                            guint      index)
{
  const char *code = anx_feed_event_get_charger_code (events->pdata[index]);

  for (guint i = index + 1; i < events->len; i++)
    if (anx_feed_event_get_event_type (events->pdata[i]) == ANX_FEED_EVENT_REGISTRY_CHANGED &&
        g_strcmp0 (anx_feed_event_get_charger_code (events->pdata[i]), code) == 0)
      return (gint) i;
  return -1;
}

static gboolean
events_job (AnxStore         *store,
            sqlite3          *db,
            gpointer          data,
            AnxStoreChanges  *changes,
            GError          **error)
{
  EventsJob *job = data;
  AnxIngest *self = job->self;
  g_autofree char *cursor_text = anx_store_get_meta_db (db, "cursor");
  guint64 cursor = cursor_text != NULL ? g_ascii_strtoull (cursor_text, NULL, 10) : 0;
  gint64 now_us = job->now_us;
  sqlite3_stmt *receipt = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (
      (GDestroyNotify) anx_feed_event_unref);
  g_autoptr(GPtrArray) taken = g_steal_pointer (&self->held);
  gboolean ok = FALSE;

  /* A meter exchange is appended to the chain just before the registry
   * takes the new meter's key: verified in that order, a legitimate
   * exchange would raise "meter exchange unregistered". The registration
   * is applied first when it is in the same batch; an exchange that ends
   * a batch waits for the next one (not committed, so the cursor stays
   * before it and a crash loses nothing), or for a minute of feed time. */
  for (guint i = 0; taken != NULL && i < taken->len; i++)
    g_ptr_array_add (events, anx_feed_event_ref (taken->pdata[i]));
  for (guint i = 0; job->events != NULL && i < job->events->len; i++)
    g_ptr_array_add (events, anx_feed_event_ref (job->events->pdata[i]));
  if (events->len > 0 && is_meter_exchange (events->pdata[events->len - 1]) &&
      anx_feed_event_get_cursor (events->pdata[events->len - 1]) > cursor &&
      !job->snapshot &&
      now_us < anx_feed_event_get_time (events->pdata[events->len - 1]) + EXCHANGE_HOLD_US)
    {
      self->held = g_ptr_array_new_with_free_func ((GDestroyNotify) anx_feed_event_unref);
      g_ptr_array_add (self->held, g_ptr_array_steal_index (events, events->len - 1));
    }

  if (sqlite3_prepare_v2 (db,
                          "INSERT INTO events (cursor, type, charger_code, time_us) VALUES "
                          "(?, ?, ?, ?)",
                          -1, &receipt, NULL) != SQLITE_OK)
    {
      anx_store_set_sqlite_error (error, db, "events");
      goto out;
    }

  for (guint i = 0; i < events->len; i++)
    {
      AnxFeedEvent *event = events->pdata[i];
      guint64 event_cursor = anx_feed_event_get_cursor (event);

      /* Delivered again (at-least-once): applied already. */
      if (event_cursor <= cursor)
        continue;

      if (is_meter_exchange (event))
        {
          gint registration = find_exchange_registration (events, i);

          /* Applied again in its turn, harmlessly (an upsert). */
          if (registration >= 0 &&
              !apply_event (self, db, events->pdata[registration], changes, error))
            goto out;
        }

      sqlite3_bind_int64 (receipt, 1, (gint64) event_cursor);
      sqlite3_bind_text (receipt, 2, anx_feed_event_get_type_name (event), -1, SQLITE_STATIC);
      sqlite3_bind_text (receipt, 3, anx_feed_event_get_charger_code (event), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (receipt, 4, anx_feed_event_get_time (event));
      if (sqlite3_step (receipt) != SQLITE_DONE)
        {
          anx_store_set_sqlite_error (error, db, "events");
          goto out;
        }
      sqlite3_reset (receipt);

      if (!apply_event (self, db, event, changes, error))
        goto out;
      cursor = event_cursor;
      now_us = MAX (now_us, anx_feed_event_get_time (event));
    }

  if (job->snapshot)
    {
      /* A snapshot: its cursor, and what happened before it is history. */
      g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, job->cursor);

      cursor = MAX (cursor, job->cursor);
      if (!anx_store_set_meta_db (db, "snapshot_done", "1", error) ||
          !anx_store_set_meta_db (db, "snapshot_cursor", text, error))
        goto out;
    }

  {
    g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, cursor);

    if (!anx_store_set_meta_db (db, "cursor", text, error))
      goto out;
  }
  if (now_us > 0 && !set_newest_time (db, now_us, error))
    goto out;
  if (!check_time_rules (self, db, now_us, changes, error))
    goto out;

  *changes |= ANX_STORE_CHANGED_CURSOR;
  ok = TRUE;

out:
  sqlite3_finalize (receipt);
  if (!ok)
    {
      /* Rolled back: what this job took is waiting again. */
      g_clear_pointer (&self->held, g_ptr_array_unref);
      self->held = g_steal_pointer (&taken);
    }
  return ok;
}

static gboolean
resync_job (AnxStore         *store,
            sqlite3          *db,
            gpointer          data,
            AnxStoreChanges  *changes,
            GError          **error)
{
  /* The chains stay (they are verified history); the live state does not. */
  *changes |= ANX_STORE_CHANGED_SESSIONS;
  return anx_store_exec (db, "DELETE FROM sessions", error) &&
         anx_store_set_meta_db (db, "snapshot_done", "0", error);
}

/* ------------------------------------------------------------------------ */

static void
anx_ingest_finalize (GObject *object)
{
  AnxIngest *self = ANX_INGEST (object);

  if (self->pool != NULL)
    g_thread_pool_free (g_steal_pointer (&self->pool), FALSE, TRUE);
  /* Batches still queued on the store point to the lanes. */
  g_mutex_lock (&self->lock);
  while (self->pending_records > 0)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
  /* The lanes' links go with the lanes. */
  g_queue_init (&self->used);
  g_clear_pointer (&self->lanes, g_hash_table_unref);
  g_clear_pointer (&self->keys, anx_key_cache_unref);
  g_clear_pointer (&self->held, g_ptr_array_unref);
  g_clear_object (&self->store);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (anx_ingest_parent_class)->finalize (object);
}

static void
anx_ingest_class_init (AnxIngestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = anx_ingest_finalize;
}

static void
anx_ingest_init (AnxIngest *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->lanes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, lane_free);
  self->offline_debounce_us = ANX_ALARM_DEFAULT_OFFLINE_DEBOUNCE_US;
  self->max_verifiers = MAX_VERIFIERS;
  /* The keys of the verifiers kept, and of as many that went. */
  self->keys = anx_key_cache_new (2 * MAX_VERIFIERS);
}

/**
 * anx_ingest_new:
 * @store: the store to write to
 *
 * Returns: (transfer full): an ingest with two verification threads per core
 */
AnxIngest *
anx_ingest_new (AnxStore *store)
{
  AnxIngest *self;

  g_return_val_if_fail (ANX_IS_STORE (store), NULL);

  self = g_object_new (ANX_TYPE_INGEST, NULL);
  self->store = g_object_ref (store);
  /* Exclusive: its threads run as batch threads and serve nothing else.
   * Twice the cores: a thread waiting for a verifier to be loaded by the
   * writer leaves its core to another. */
  self->pool = g_thread_pool_new (process_lane, self, (gint) (2 * g_get_num_processors ()), TRUE,
                                  NULL);
  return self;
}

/**
 * anx_ingest_get_store:
 * @self: an ingest
 *
 * Returns: (transfer none): its store
 */
AnxStore *
anx_ingest_get_store (AnxIngest *self)
{
  return self->store;
}

/**
 * anx_ingest_get_key_cache:
 * @self: an ingest
 *
 * Returns: (transfer none): the parsed meter keys its verifiers share
 */
AnxKeyCache *
anx_ingest_get_key_cache (AnxIngest *self)
{
  return self->keys;
}

/**
 * anx_ingest_set_offline_debounce:
 * @self: an ingest
 * @debounce_us: how long a charger must be offline before it raises an alarm
 */
void
anx_ingest_set_offline_debounce (AnxIngest *self,
                                 gint64     debounce_us)
{
  self->offline_debounce_us = debounce_us;
}

/**
 * anx_ingest_set_max_verifiers:
 * @self: an ingest
 * @max_verifiers: chain verifiers kept at most (256 by default), at least 1
 *
 * The verifiers of the chargers used least recently beyond @max_verifiers
 * are let go, and built again from the store when their charger reports.
 */
void
anx_ingest_set_max_verifiers (AnxIngest *self,
                              guint      max_verifiers)
{
  g_return_if_fail (ANX_IS_INGEST (self));
  g_return_if_fail (max_verifiers > 0);

  g_mutex_lock (&self->lock);
  self->max_verifiers = max_verifiers;
  g_mutex_unlock (&self->lock);
}

/**
 * anx_ingest_set_threads:
 * @self: an ingest
 * @n_threads: verification threads (twice the number of cores by default)
 */
void
anx_ingest_set_threads (AnxIngest *self,
                        guint      n_threads)
{
  g_thread_pool_set_max_threads (self->pool, (gint) MAX (n_threads, 1), NULL);
}

static void
job_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (anx_store_write_finish (ANX_STORE (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

static void
submit (AnxIngest          *self,
        AnxStoreWriteFunc   func,
        gpointer            data,
        GDestroyNotify      destroy,
        gpointer            tag,
        GAsyncReadyCallback callback,
        gpointer            user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, tag);
  anx_store_write_async (self->store, func, data, destroy, NULL, job_done, task);
}

/**
 * anx_ingest_registry_async:
 * @self: an ingest
 * @collection: which collection @items come from
 * @items: a page of the registry, as the feed sends it
 * @callback: (nullable): called once the page is committed
 * @user_data: for @callback
 *
 * Stores a registry page (upserts by id).
 */
void
anx_ingest_registry_async (AnxIngest             *self,
                           AnxRegistryCollection  collection,
                           JsonArray             *items,
                           GAsyncReadyCallback    callback,
                           gpointer               user_data)
{
  RegistryJob *job = g_new0 (RegistryJob, 1);

  job->self = g_object_ref (self);
  job->collection = collection;
  job->items = json_array_ref (items);
  if (collection == ANX_REGISTRY_METERS)
    mark_lanes_stale (self, NULL);
  submit (self, registry_job, job, registry_job_free, anx_ingest_registry_async, callback,
          user_data);
}

/**
 * anx_ingest_chain_page:
 * @self: an ingest
 * @charger_code: the charger
 * @records: (element-type AnxChainRecord): its records, in sequence order
 *
 * Queues a page of a charger's chain for verification (on the thread
 * pool) and storage. See anx_ingest_get_pending_records() for
 * back-pressure and anx_ingest_wait_async() for completion.
 */
void
anx_ingest_chain_page (AnxIngest  *self,
                       const char *charger_code,
                       GPtrArray  *records)
{
  Lane *lane = get_lane (self, charger_code);
  gboolean schedule;

  g_mutex_lock (&self->lock);
  g_queue_push_tail (&lane->pages, g_ptr_array_ref (records));
  self->pending_records += records->len;
  schedule = !lane->scheduled;
  if (schedule)
    {
      lane->scheduled = TRUE;
      self->pending_lanes++;
    }
  g_mutex_unlock (&self->lock);

  if (schedule)
    g_thread_pool_push (self->pool, lane, NULL);
}

/**
 * anx_ingest_get_pending_records:
 * @self: an ingest
 *
 * Returns: chain records queued and not yet committed
 */
guint64
anx_ingest_get_pending_records (AnxIngest *self)
{
  guint64 pending;

  g_mutex_lock (&self->lock);
  pending = self->pending_records;
  g_mutex_unlock (&self->lock);
  return pending;
}

/**
 * anx_ingest_wait_sync:
 * @self: an ingest
 * @error: return location for an error
 *
 * Waits until every chain page queued is verified and committed. Not on
 * the main thread.
 *
 * Returns: %TRUE on success
 */
gboolean
anx_ingest_wait_sync (AnxIngest  *self,
                      GError    **error)
{
  g_mutex_lock (&self->lock);
  while (self->pending_lanes > 0 || self->pending_records > 0)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
  return anx_store_flush_sync (self->store, error);
}

static void
wait_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;

  if (anx_ingest_wait_sync (source, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * anx_ingest_wait_async:
 * @self: an ingest
 * @callback: called when everything queued is committed
 * @user_data: for @callback
 *
 * Finish with anx_ingest_finish().
 */
void
anx_ingest_wait_async (AnxIngest           *self,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, anx_ingest_wait_async);
  g_task_run_in_thread (task, wait_thread);
}

/**
 * anx_ingest_events_async:
 * @self: an ingest
 * @events: (element-type AnxFeedEvent): events in cursor order
 * @callback: (nullable): called once they are committed
 * @user_data: for @callback
 *
 * Applies events in one job: those at or below the stored cursor are
 * skipped, the others applied and the cursor moved, all or nothing.
 */
void
anx_ingest_events_async (AnxIngest           *self,
                         GPtrArray           *events,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  EventsJob *job = g_new0 (EventsJob, 1);

  job->self = g_object_ref (self);
  job->events = g_ptr_array_ref (events);
  submit (self, events_job, job, events_job_free, anx_ingest_events_async, callback, user_data);
}

/**
 * anx_ingest_tick_async:
 * @self: an ingest
 * @feed_now_us: the feed's time (a heartbeat's)
 * @callback: (nullable): called once done
 * @user_data: for @callback
 *
 * Runs the rules that depend on time alone: offline (debounced) and
 * verification overdue.
 */
void
anx_ingest_tick_async (AnxIngest           *self,
                       gint64               feed_now_us,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  EventsJob *job = g_new0 (EventsJob, 1);

  job->self = g_object_ref (self);
  job->now_us = feed_now_us;
  submit (self, events_job, job, events_job_free, anx_ingest_tick_async, callback, user_data);
}

/**
 * anx_ingest_snapshot_done_async:
 * @self: an ingest
 * @cursor: the cursor the registry snapshot was consistent with
 * @callback: (nullable): called once committed
 * @user_data: for @callback
 *
 * Records that the snapshot and the chains are stored: from now on the
 * event log is read from @cursor. Queue it after the snapshot's pages and
 * after anx_ingest_wait_async() completed.
 */
void
anx_ingest_snapshot_done_async (AnxIngest           *self,
                                guint64              cursor,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  EventsJob *job = g_new0 (EventsJob, 1);

  job->self = g_object_ref (self);
  job->cursor = cursor;
  job->snapshot = TRUE;
  submit (self, events_job, job, events_job_free, anx_ingest_snapshot_done_async, callback,
          user_data);
}

/**
 * anx_ingest_begin_resync_async:
 * @self: an ingest
 * @callback: (nullable): called once committed
 * @user_data: for @callback
 *
 * Marks the snapshot as incomplete (the server said the cursor is too old)
 * and forgets the live sessions; chains and alarms stay.
 */
void
anx_ingest_begin_resync_async (AnxIngest           *self,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  mark_lanes_stale (self, NULL);
  submit (self, resync_job, NULL, NULL, anx_ingest_begin_resync_async, callback, user_data);
}

/**
 * anx_ingest_finish:
 * @self: an ingest
 * @result: the result
 * @error: return location for an error
 *
 * Finishes any of the asynchronous operations above.
 *
 * Returns: %TRUE on success
 */
gboolean
anx_ingest_finish (AnxIngest     *self,
                   GAsyncResult  *result,
                   GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * anx_ingest_get_snapshot_done:
 * @self: an ingest
 *
 * Returns: whether the store holds a complete snapshot to resume from
 */
gboolean
anx_ingest_get_snapshot_done (AnxIngest *self)
{
  g_autofree char *done = anx_store_get_meta (self->store, "snapshot_done");

  return g_strcmp0 (done, "1") == 0;
}

/**
 * anx_ingest_get_next_sequence:
 * @self: an ingest
 * @charger_code: a charger
 *
 * Returns: the sequence number the stored chain expects next (committed)
 */
guint64
anx_ingest_get_next_sequence (AnxIngest  *self,
                              const char *charger_code)
{
  /* Called for every chain a sync fetches, on the main thread: the
   * statement is prepared once. */
  sqlite3_stmt *stmt = anx_store_read_statement (
      self->store, "SELECT next_sequence FROM chain_heads WHERE charger_code = ?", NULL);
  guint64 next = 0;

  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, charger_code, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    next = (guint64) sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return next;
}
