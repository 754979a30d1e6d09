/* anx-outbox.c: writes to the feed that must not be lost
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An inspection mark or an alarm acknowledgement is committed to the store
 * first, with a fresh idempotency key, and only then sent. Delivery retries
 * until the server answers; the server stores a key once, so a write sent
 * again after a crash, a restart or a lost answer is applied exactly once.
 * Each write is pending, delivered, or rejected with the server's reason
 * (a 4xx other than 401/403: sending it again would not help).
 */

#define G_LOG_DOMAIN "anx-outbox"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "anx-alarm-rules.h"
#include "anx-outbox.h"

struct _AnxOutbox
{
  GObject parent_instance;

  AnxStore *store;
  gboolean delivering;
};

G_DEFINE_FINAL_TYPE (AnxOutbox, anx_outbox, G_TYPE_OBJECT)

typedef struct
{
  char *key;
  char *charger;
  char *inspector;
  char *result;
  char *inspected_at;
  gboolean measured;
  gint32 error_bp;
  char *seals_removed;
  char *seals_applied;
  char *notes;
  gint64 alarm_id;
  char *body;
  char *path;
  char *kind;
  char *actor;
  char *state;
} Write;

static void
write_free (gpointer data)
{
  Write *write = data;

  g_free (write->key);
  g_free (write->charger);
  g_free (write->inspector);
  g_free (write->result);
  g_free (write->inspected_at);
  g_free (write->seals_removed);
  g_free (write->seals_applied);
  g_free (write->notes);
  g_free (write->body);
  g_free (write->path);
  g_free (write->kind);
  g_free (write->actor);
  g_free (write->state);
  g_free (write);
}

static gboolean
insert_outbox (sqlite3     *db,
               Write       *write,
               GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db,
                          "INSERT INTO outbox (kind, idempotency_key, path, body, created_us) "
                          "VALUES (?, ?, ?, ?, ?)",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      anx_store_set_sqlite_error (error, db, "outbox");
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, write->kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, write->key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, write->path, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, write->body, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, g_get_real_time ());
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      anx_store_set_sqlite_error (error, db, "outbox");
      return FALSE;
    }
  return TRUE;
}

static gboolean
inspection_job (AnxStore         *store,
                sqlite3          *db,
                gpointer          data,
                AnxStoreChanges  *changes,
                GError          **error)
{
  Write *write = data;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db,
                          "INSERT INTO inspections (idempotency_key, charger_code, inspector, "
                          "result, inspected_at, measured_error_bp, seals_removed, seals_applied, "
                          "notes, alarm_id, created_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      anx_store_set_sqlite_error (error, db, "inspections");
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, write->key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, write->charger, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, write->inspector, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, write->result, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, write->inspected_at, -1, SQLITE_STATIC);
  if (write->measured)
    sqlite3_bind_int (stmt, 6, write->error_bp);
  sqlite3_bind_text (stmt, 7, write->seals_removed, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, write->seals_applied, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 9, write->notes, -1, SQLITE_STATIC);
  if (write->alarm_id > 0)
    sqlite3_bind_int64 (stmt, 10, write->alarm_id);
  sqlite3_bind_int64 (stmt, 11, g_get_real_time ());
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      anx_store_set_sqlite_error (error, db, "inspections");
      return FALSE;
    }
  *changes |= ANX_STORE_CHANGED_INSPECTIONS | ANX_STORE_CHANGED_OUTBOX;
  return insert_outbox (db, write, error);
}

static gboolean
alarm_state_job (AnxStore         *store,
                 sqlite3          *db,
                 gpointer          data,
                 AnxStoreChanges  *changes,
                 GError          **error)
{
  Write *write = data;
  sqlite3_stmt *stmt = NULL;
  gint64 server_id = 0;

  if (!anx_alarm_rules_set_state (db, write->alarm_id, write->state, write->actor, write->notes,
                                  g_get_real_time (), error))
    return FALSE;
  *changes |= ANX_STORE_CHANGED_ALARMS;
  if (!g_str_equal (write->state, ANX_ALARM_STATE_ACKNOWLEDGED))
    return TRUE;

  /* The server's alarm on the same charger and kind gets the ack too. */
  if (sqlite3_prepare_v2 (db,
                          "SELECT coalesce(a.server_alarm_id, (SELECT s.id FROM server_alarms s "
                          "WHERE s.charger_code = a.charger_code AND s.kind = a.kind AND s.state "
                          "= 'open' ORDER BY s.id DESC LIMIT 1)) FROM alarms a WHERE a.id = ?",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      anx_store_set_sqlite_error (error, db, "alarms");
      return FALSE;
    }
  sqlite3_bind_int64 (stmt, 1, write->alarm_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    server_id = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  if (server_id <= 0)
    return TRUE; /* the server has no such alarm: nothing to tell it */

  {
    g_autoptr(JsonBuilder) builder = json_builder_new ();
    g_autoptr(JsonNode) root = NULL;

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "note");
    json_builder_add_string_value (builder, write->notes != NULL ? write->notes : "");
    json_builder_set_member_name (builder, "idempotency_key");
    json_builder_add_string_value (builder, write->key);
    json_builder_end_object (builder);
    root = json_builder_get_root (builder);
    write->body = json_to_string (root, FALSE);
  }
  write->kind = g_strdup ("ack");
  write->path = g_strdup_printf ("/v1/alarms/%" G_GINT64_FORMAT "/ack", server_id);
  *changes |= ANX_STORE_CHANGED_OUTBOX;
  return insert_outbox (db, write, error);
}

static void
anx_outbox_finalize (GObject *object)
{
  AnxOutbox *self = ANX_OUTBOX (object);

  g_clear_object (&self->store);

  G_OBJECT_CLASS (anx_outbox_parent_class)->finalize (object);
}

static void
anx_outbox_class_init (AnxOutboxClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = anx_outbox_finalize;
}

static void
anx_outbox_init (AnxOutbox *self)
{
}

/**
 * anx_outbox_new:
 * @store: the store that keeps the writes
 *
 * Returns: (transfer full): an outbox
 */
AnxOutbox *
anx_outbox_new (AnxStore *store)
{
  AnxOutbox *self = g_object_new (ANX_TYPE_OUTBOX, NULL);

  self->store = g_object_ref (store);
  return self;
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (anx_store_write_finish (ANX_STORE (source), result, &error))
    g_task_return_pointer (task, g_strdup (g_task_get_task_data (task)), g_free);
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

static char *
join_seals (const char *const *seals)
{
  g_autoptr(JsonArray) array = json_array_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; seals != NULL && seals[i] != NULL; i++)
    json_array_add_string_element (array, seals[i]);
  json_node_set_array (node, array);
  return json_to_string (node, FALSE);
}

/**
 * anx_outbox_mark_inspection_async:
 * @self: an outbox
 * @mark: the inspection
 * @callback: called once it is kept in the store (not yet delivered)
 * @user_data: for @callback
 *
 * Keeps an inspection for delivery. The alarm it answers closes when the
 * inspection comes back as a record of the charger's chain.
 */
void
anx_outbox_mark_inspection_async (AnxOutbox               *self,
                                  const AnxInspectionMark *mark,
                                  GAsyncReadyCallback      callback,
                                  gpointer                 user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);
  Write *write = g_new0 (Write, 1);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  write->key = g_uuid_string_random ();
  write->kind = g_strdup ("inspection");
  write->path = g_strdup ("/v1/inspections");
  write->charger = g_strdup (mark->charger);
  write->inspector = g_strdup (mark->inspector);
  write->result = g_strdup (anx_inspection_result_to_string (mark->result));
  write->inspected_at = mark->inspected_at != NULL ? anx_chain_format_time (mark->inspected_at)
                                                   : NULL;
  write->measured = mark->measured;
  write->error_bp = mark->measured_error_bp;
  write->seals_removed = join_seals (mark->seals_removed);
  write->seals_applied = join_seals (mark->seals_applied);
  write->notes = g_strdup (mark->notes);
  write->alarm_id = mark->alarm_id;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "charger");
  json_builder_add_string_value (builder, write->charger);
  json_builder_set_member_name (builder, "inspector");
  json_builder_add_string_value (builder, write->inspector);
  json_builder_set_member_name (builder, "result");
  json_builder_add_string_value (builder, write->result);
  if (write->inspected_at != NULL)
    {
      json_builder_set_member_name (builder, "inspected_at");
      json_builder_add_string_value (builder, write->inspected_at);
    }
  if (write->measured)
    {
      json_builder_set_member_name (builder, "measured_error_bp");
      json_builder_add_int_value (builder, write->error_bp);
    }
  json_builder_set_member_name (builder, "seals_removed");
  json_builder_begin_array (builder);
  for (guint i = 0; mark->seals_removed != NULL && mark->seals_removed[i] != NULL; i++)
    json_builder_add_string_value (builder, mark->seals_removed[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "seals_applied");
  json_builder_begin_array (builder);
  for (guint i = 0; mark->seals_applied != NULL && mark->seals_applied[i] != NULL; i++)
    json_builder_add_string_value (builder, mark->seals_applied[i]);
  json_builder_end_array (builder);
  if (write->notes != NULL)
    {
      json_builder_set_member_name (builder, "notes");
      json_builder_add_string_value (builder, write->notes);
    }
  json_builder_set_member_name (builder, "idempotency_key");
  json_builder_add_string_value (builder, write->key);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  write->body = json_to_string (root, FALSE);

  g_task_set_task_data (task, g_strdup (write->key), g_free);
  anx_store_write_durable_async (self->store, inspection_job, write, write_free, on_written, task);
}

/**
 * anx_outbox_mark_inspection_finish:
 * @self: an outbox
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the inspection's idempotency key, or %NULL
 */
char *
anx_outbox_mark_inspection_finish (AnxOutbox     *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
alarm_state_async (AnxOutbox          *self,
                   gint64              alarm_id,
                   const char         *state,
                   const char         *actor,
                   const char         *note,
                   GAsyncReadyCallback callback,
                   gpointer            user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);
  Write *write = g_new0 (Write, 1);

  write->key = g_uuid_string_random ();
  write->alarm_id = alarm_id;
  write->state = g_strdup (state);
  write->actor = g_strdup (actor);
  write->notes = g_strdup (note);
  g_task_set_task_data (task, g_strdup (write->key), g_free);
  anx_store_write_durable_async (self->store, alarm_state_job, write, write_free, on_written,
                                 task);
}

/**
 * anx_outbox_acknowledge_alarm_async:
 * @self: an outbox
 * @alarm_id: a console alarm
 * @actor: (nullable): the officer
 * @note: (nullable): a note
 * @callback: called once kept
 * @user_data: for @callback
 *
 * Acknowledges an alarm: its state and history change in the store at once,
 * and, when the server raised an alarm of its own for the same charger and
 * kind, an acknowledgement of that one goes into the outbox.
 */
void
anx_outbox_acknowledge_alarm_async (AnxOutbox          *self,
                                    gint64              alarm_id,
                                    const char         *actor,
                                    const char         *note,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data)
{
  alarm_state_async (self, alarm_id, ANX_ALARM_STATE_ACKNOWLEDGED, actor, note, callback,
                     user_data);
}

/**
 * anx_outbox_schedule_inspection_async:
 * @self: an outbox
 * @alarm_id: a console alarm
 * @actor: (nullable): the officer
 * @note: (nullable): when, who
 * @callback: called once kept
 * @user_data: for @callback
 *
 * Moves an alarm to "inspection scheduled" (local to the console).
 */
void
anx_outbox_schedule_inspection_async (AnxOutbox          *self,
                                      gint64              alarm_id,
                                      const char         *actor,
                                      const char         *note,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data)
{
  alarm_state_async (self, alarm_id, ANX_ALARM_STATE_INSPECTION_SCHEDULED, actor, note, callback,
                     user_data);
}

/**
 * anx_outbox_finish:
 * @self: an outbox
 * @result: the result
 * @error: return location for an error
 *
 * Finishes acknowledge and schedule.
 *
 * Returns: %TRUE on success
 */
gboolean
anx_outbox_finish (AnxOutbox     *self,
                   GAsyncResult  *result,
                   GError       **error)
{
  g_autofree char *key = g_task_propagate_pointer (G_TASK (result), error);

  return key != NULL;
}

/* ------------------------------------------------------------------------ */
/* Delivery                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct
{
  AnxOutbox *self;
  SoupSession *session;
  char *base_uri;
  char *token;
  GQueue items; /* Item */
  guint n_delivered;
  SoupMessage *msg;
} Delivery;

typedef struct
{
  gint64 id;
  char *key;
  char *path;
  char *body;
} Item;

typedef struct
{
  gint64 id;
  char *state;
  char *reason;
  char *response;
} Outcome;

static void
item_free (gpointer data)
{
  Item *item = data;

  g_free (item->key);
  g_free (item->path);
  g_free (item->body);
  g_free (item);
}

static void
delivery_free (gpointer data)
{
  Delivery *delivery = data;

  g_queue_clear_full (&delivery->items, item_free);
  g_clear_object (&delivery->msg);
  g_clear_object (&delivery->session);
  g_object_unref (delivery->self);
  g_free (delivery->base_uri);
  if (delivery->token != NULL)
    memset (delivery->token, 0, strlen (delivery->token));
  g_free (delivery->token);
  g_free (delivery);
}

static void
outcome_free (gpointer data)
{
  Outcome *outcome = data;

  g_free (outcome->state);
  g_free (outcome->reason);
  g_free (outcome->response);
  g_free (outcome);
}

static gboolean
outcome_job (AnxStore         *store,
             sqlite3          *db,
             gpointer          data,
             AnxStoreChanges  *changes,
             GError          **error)
{
  Outcome *outcome = data;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db,
                          "UPDATE outbox SET state = ?, attempts = attempts + 1, last_error = ?, "
                          "response = coalesce(?, response), updated_us = ? WHERE id = ?",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      anx_store_set_sqlite_error (error, db, "outbox");
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, outcome->state, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, outcome->reason, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, outcome->response, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time ());
  sqlite3_bind_int64 (stmt, 5, outcome->id);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      anx_store_set_sqlite_error (error, db, "outbox");
      return FALSE;
    }
  *changes |= ANX_STORE_CHANGED_OUTBOX;
  return TRUE;
}

static void deliver_next (GTask *task);

static void
on_outcome_stored (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!anx_store_write_finish (ANX_STORE (source), result, &error))
    {
      Delivery *delivery = g_task_get_task_data (task);

      delivery->self->delivering = FALSE;
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  deliver_next (task);
}

static char *
reason_of (GBytes *body,
           guint   status)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object, *error;
  g_autoptr(GString) reason = g_string_new (NULL);

  if (body == NULL ||
      !json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                   (gssize) g_bytes_get_size (body), NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return g_strdup_printf ("HTTP %u", status);
  object = json_node_get_object (json_parser_get_root (parser));
  error = json_object_has_member (object, "error") ? json_object_get_object_member (object, "error")
                                                   : NULL;
  if (error == NULL)
    return g_strdup_printf ("HTTP %u", status);
  g_string_append_printf (reason, "%s: %s",
                          json_object_has_member (error, "code")
                              ? json_object_get_string_member (error, "code") : "?",
                          json_object_has_member (error, "message")
                              ? json_object_get_string_member (error, "message") : "");
  if (json_object_has_member (error, "fields"))
    {
      JsonArray *fields = json_object_get_array_member (error, "fields");

      for (guint i = 0; fields != NULL && i < json_array_get_length (fields); i++)
        {
          JsonObject *field = json_array_get_object_element (fields, i);

          g_string_append_printf (reason, "; %s %s", json_object_get_string_member (field, "field"),
                                  json_object_get_string_member (field, "message"));
        }
    }
  return g_string_free (g_steal_pointer (&reason), FALSE);
}

static void
on_posted (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  Delivery *delivery = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                              &error);
  g_autoptr(SoupMessage) msg = g_steal_pointer (&delivery->msg);
  Item *item = g_queue_pop_head (&delivery->items);
  guint status = soup_message_get_status (msg);
  Outcome *outcome;

  outcome = g_new0 (Outcome, 1);
  outcome->id = item->id;
  if (body == NULL || status == 0 || status >= 500 || status == SOUP_STATUS_UNAUTHORIZED ||
      status == SOUP_STATUS_FORBIDDEN || status == 408 || status == 429)
    {
      /* Worth trying again later; the run stops here (order is kept). */
      outcome->state = g_strdup (ANX_OUTBOX_PENDING);
      outcome->reason = body == NULL ? g_strdup (error->message) : reason_of (body, status);
      g_queue_clear_full (&delivery->items, item_free);
      g_queue_init (&delivery->items);
    }
  else if (status == SOUP_STATUS_OK || status == SOUP_STATUS_CREATED)
    {
      outcome->state = g_strdup (ANX_OUTBOX_DELIVERED);
      outcome->response = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
      delivery->n_delivered++;
    }
  else
    {
      outcome->state = g_strdup (ANX_OUTBOX_REJECTED);
      outcome->reason = reason_of (body, status);
    }
  item_free (item);
  anx_store_write_async (delivery->self->store, outcome_job, outcome, outcome_free, NULL,
                         on_outcome_stored, task);
}

static void
deliver_next (GTask *task)
{
  Delivery *delivery = g_task_get_task_data (task);
  Item *item = g_queue_peek_head (&delivery->items);
  g_autofree char *uri = NULL;
  g_autofree char *auth = NULL;
  g_autoptr(GBytes) body = NULL;

  if (item == NULL || g_task_return_error_if_cancelled (task))
    {
      delivery->self->delivering = FALSE;
      if (!g_task_had_error (task))
        g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  uri = g_strconcat (delivery->base_uri, item->path, NULL);
  delivery->msg = soup_message_new (SOUP_METHOD_POST, uri);
  auth = g_strconcat ("Bearer ", delivery->token != NULL ? delivery->token : "", NULL);
  soup_message_headers_replace (soup_message_get_request_headers (delivery->msg),
                                "Authorization", auth);
  soup_message_headers_replace (soup_message_get_request_headers (delivery->msg),
                                "Idempotency-Key", item->key);
  body = g_bytes_new (item->body, strlen (item->body));
  soup_message_set_request_body_from_bytes (delivery->msg, "application/json", body);
  soup_session_send_and_read_async (delivery->session, delivery->msg, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), on_posted, task);
}

/**
 * anx_outbox_deliver_async:
 * @self: an outbox
 * @session: (type Soup.Session): the HTTP session to send with
 * @base_uri: the feed's base address
 * @token: the bearer token (an inspector's)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the run ends
 * @user_data: for @callback
 *
 * Sends the pending writes in the order they were made, until one cannot be
 * delivered now (network, 5xx, 401/403: it stays pending for the next run).
 */
void
anx_outbox_deliver_async (AnxOutbox           *self,
                          gpointer             session,
                          const char          *base_uri,
                          const char          *token,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Delivery *delivery = g_new0 (Delivery, 1);
  sqlite3_stmt *stmt = NULL;

  delivery->self = g_object_ref (self);
  delivery->session = g_object_ref (session);
  delivery->base_uri = g_strdup (base_uri);
  delivery->token = g_strdup (token);
  g_queue_init (&delivery->items);
  g_task_set_task_data (task, delivery, delivery_free);

  if (self->delivering)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("The outbox is being delivered already"));
      g_object_unref (task);
      return;
    }
  self->delivering = TRUE;

  if (sqlite3_prepare_v2 (anx_store_get_read_db (self->store),
                          "SELECT id, idempotency_key, path, body FROM outbox WHERE state = "
                          "'pending' ORDER BY id",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          Item *item = g_new0 (Item, 1);

          item->id = sqlite3_column_int64 (stmt, 0);
          item->key = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
          item->path = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
          item->body = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
          g_queue_push_tail (&delivery->items, item);
        }
      sqlite3_finalize (stmt);
    }
  deliver_next (task);
}

/**
 * anx_outbox_deliver_finish:
 * @self: an outbox
 * @result: the result
 * @n_delivered: (out) (optional): writes delivered in this run
 * @error: return location for an error
 *
 * Returns: %TRUE if the run completed (some writes may still be pending)
 */
gboolean
anx_outbox_deliver_finish (AnxOutbox     *self,
                           GAsyncResult  *result,
                           guint         *n_delivered,
                           GError       **error)
{
  Delivery *delivery = g_task_get_task_data (G_TASK (result));

  if (n_delivered != NULL)
    *n_delivered = delivery->n_delivered;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * anx_outbox_is_delivering:
 * @self: an outbox
 *
 * Returns: whether a delivery run is under way
 */
gboolean
anx_outbox_is_delivering (AnxOutbox *self)
{
  return self->delivering;
}

/**
 * anx_outbox_get_state:
 * @self: an outbox
 * @idempotency_key: a write's key
 * @reason: (out) (optional) (nullable): the server's reason for a rejection,
 *   or the last delivery error of a pending write
 *
 * Returns: (transfer full) (nullable): `pending`, `delivered` or `rejected`
 */
char *
anx_outbox_get_state (AnxOutbox   *self,
                      const char  *idempotency_key,
                      char       **reason)
{
  sqlite3_stmt *stmt = NULL;
  char *state = NULL;

  if (reason != NULL)
    *reason = NULL;
  if (sqlite3_prepare_v2 (anx_store_get_read_db (self->store),
                          "SELECT state, last_error FROM outbox WHERE idempotency_key = ?", -1,
                          &stmt, NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_text (stmt, 1, idempotency_key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      state = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      if (reason != NULL)
        *reason = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_finalize (stmt);
  return state;
}

/**
 * anx_outbox_count:
 * @self: an outbox
 * @state: (nullable): `pending`, `delivered`, `rejected`, or %NULL for all
 *
 * Returns: the writes in @state
 */
guint
anx_outbox_count (AnxOutbox  *self,
                  const char *state)
{
  sqlite3_stmt *stmt = NULL;
  guint n = 0;

  if (sqlite3_prepare_v2 (anx_store_get_read_db (self->store),
                          "SELECT count(*) FROM outbox WHERE ?1 IS NULL OR state = ?1", -1, &stmt,
                          NULL) != SQLITE_OK)
    return 0;
  sqlite3_bind_text (stmt, 1, state, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = (guint) sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}
