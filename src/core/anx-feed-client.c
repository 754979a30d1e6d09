/* anx-feed-client.c: subscribes to the regulator feed and keeps the store current
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The client runs on the main context and does only network work there:
 * parsing and verification happen in AnxIngest's threads.
 *
 *   health ──► snapshot (registry pages, then each charger's chain pages)
 *          ──► event-log pages from the stored cursor until caught up
 *          ──► WebSocket stream from there (hello, events, heartbeats)
 *
 * Anything unexpected (a network error, a gap in the cursors, a watchdog
 * timeout, too much waiting to be stored) closes the connection and starts
 * again from the cursor the store committed, after an exponential backoff
 * with jitter. A cursor the server no longer keeps (410, resync-required)
 * starts again from a snapshot. A token the server refuses stops the client
 * in the "unauthorized" state until a new token is set.
 *
 * Memory is bounded: responses above ANX_FEED_CLIENT_MAX_RESPONSE and
 * frames above ANX_FEED_CLIENT_MAX_FRAME are refused, and when the store
 * falls behind the stream by more than the queue limit the stream is
 * dropped and resumed from the cursor later (the server keeps the log).
 */

#define G_LOG_DOMAIN "anx-feed-client"

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* SCHED_BATCH */
#endif

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#ifdef __linux__
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "anx-feed-client.h"

#define PAGE_LIMIT          1000
#define CHAINS_IN_FLIGHT    6
#define MAX_STORE_BACKLOG   8   /* write jobs before reading slows down */
#define FLUSH_INTERVAL_MS   25
#define FLUSH_EVENTS        500
#define TICK_INTERVAL_US    (2 * G_USEC_PER_SEC)
#define CLOSE_UNAUTHORIZED  4401
#define CLOSE_TOO_SLOW      4408
#define CLOSE_RESYNC        4409

/* What a response is parsed into, off the main thread. */
typedef enum
{
  PARSE_JSON,
  PARSE_RECORDS, /* JSON, then root.records as AnxChainRecord */
  PARSE_EVENTS,  /* JSON, then root.events as AnxFeedEvent */
} ParseKind;

typedef struct _Request Request;

typedef void (*JsonCallback) (AnxFeedClient *self,
                              guint          status,
                              JsonNode      *root,
                              GError        *error,
                              gpointer       data,
                              GPtrArray     *parsed);

struct _AnxFeedClient
{
  GObject parent_instance;

  AnxIngest *ingest;
  AnxStore *store;
  AnxOutbox *outbox;
  GThreadPool *parse_pool;
  GMainContext *context;
  SoupSession *session;
  char *uri;
  char *token;

  AnxFeedClientState state;
  char *last_error;
  gint64 next_attempt;
  gint64 newest_time;       /* feed time of the newest data, µs */
  gint64 last_message_mono; /* monotonic time of the last frame */
  guint64 cursor;           /* the last event handed to the ingest */
  guint64 head;
  guint n_rejected;

  guint watchdog_s;
  guint max_queue;
  guint backoff_initial_ms;
  guint backoff_max_ms;
  guint attempt;

  GCancellable *cancellable;
  SoupWebsocketConnection *ws;
  guint watchdog_id;
  guint reconnect_id;
  guint flush_id;
  guint age_id;
  guint wait_id;
  gint64 last_tick_mono;

  /* snapshot */
  guint collection;
  guint64 snapshot_cursor;
  GQueue chargers;
  GHashTable *known_meters; /* serials the stored registry has a key for */
  guint chains_in_flight;
  gboolean chains_listed;

  GPtrArray *batch;
  guint jobs_in_flight;
  gboolean running;
  char *ca_file;
};

G_DEFINE_FINAL_TYPE (AnxFeedClient, anx_feed_client, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_LAST_ERROR,
  PROP_NEXT_ATTEMPT,
  PROP_NEWEST_TIME,
  PROP_DATA_AGE,
  PROP_CURSOR,
  PROP_N_REJECTED_FRAMES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *const collection_paths[] = { "registry/operators", "registry/stations",
                                                "registry/chargers", "registry/meters",
                                                "alarms?state=all&" };

static void connect_attempt (AnxFeedClient *self);
static void catch_up (AnxFeedClient *self);
static void start_snapshot (AnxFeedClient *self);
static gboolean handle_tls_error (AnxFeedClient *self,
                                  const GError  *error);
static void schedule_reconnect (AnxFeedClient *self,
                                const char    *reason);

G_DEFINE_ENUM_TYPE (AnxFeedClientState, anx_feed_client_state,
                    G_DEFINE_ENUM_VALUE (ANX_FEED_CLIENT_STOPPED, "stopped"),
                    G_DEFINE_ENUM_VALUE (ANX_FEED_CLIENT_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (ANX_FEED_CLIENT_SYNCING, "syncing"),
                    G_DEFINE_ENUM_VALUE (ANX_FEED_CLIENT_LIVE, "live"),
                    G_DEFINE_ENUM_VALUE (ANX_FEED_CLIENT_RECONNECTING, "reconnecting"),
                    G_DEFINE_ENUM_VALUE (ANX_FEED_CLIENT_STALE, "stale"),
                    G_DEFINE_ENUM_VALUE (ANX_FEED_CLIENT_UNAUTHORIZED, "unauthorized"),
                    G_DEFINE_ENUM_VALUE (ANX_FEED_CLIENT_INCOMPATIBLE, "incompatible"),
                    G_DEFINE_ENUM_VALUE (ANX_FEED_CLIENT_BAD_CERTIFICATE, "bad-certificate"))

/**
 * anx_feed_client_state_to_string:
 * @state: a state
 *
 * Returns: its stable name (`live`, `stale` …)
 */
const char *
anx_feed_client_state_to_string (AnxFeedClientState state)
{
  GEnumClass *klass = g_type_class_ref (ANX_TYPE_FEED_CLIENT_STATE);
  GEnumValue *value = g_enum_get_value (klass, (gint) state);
  const char *nick = value != NULL ? value->value_nick : "?";

  g_type_class_unref (klass);
  return nick;
}

static void
set_state (AnxFeedClient      *self,
           AnxFeedClientState  state)
{
  if (self->state == state)
    return;
  g_debug ("State: %s → %s", anx_feed_client_state_to_string (self->state),
           anx_feed_client_state_to_string (state));
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_error (AnxFeedClient *self,
           const char    *message)
{
  if (g_strcmp0 (self->last_error, message) == 0)
    return;
  g_free (self->last_error);
  self->last_error = g_strdup (message);
  if (message != NULL)
    g_debug ("%s", message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

static void
reject_frame (AnxFeedClient *self,
              const char    *why)
{
  self->n_rejected++;
  set_error (self, why);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_REJECTED_FRAMES]);
}

static void
set_newest_time (AnxFeedClient *self,
                 gint64         time_us)
{
  if (time_us <= self->newest_time)
    return;
  self->newest_time = time_us;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEWEST_TIME]);
}

static void
close_stream (AnxFeedClient *self)
{
  g_clear_handle_id (&self->watchdog_id, g_source_remove);
  if (self->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->ws, self);
      if (soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&self->ws);
    }
}

static void
stop_everything (AnxFeedClient *self)
{
  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
    }
  close_stream (self);
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  g_clear_handle_id (&self->flush_id, g_source_remove);
  g_clear_handle_id (&self->wait_id, g_source_remove);
  g_queue_clear_full (&self->chargers, g_free);
  g_queue_init (&self->chargers);
  self->chains_in_flight = 0;
}

/* ------------------------------------------------------------------------ */
/* HTTP                                                                      */
/* ------------------------------------------------------------------------ */

struct _Request
{
  AnxFeedClient *self;
  SoupMessage *msg;
  JsonCallback callback;
  gpointer data;
  GDestroyNotify destroy;
  GByteArray *body;
  GInputStream *stream;
  GCancellable *cancellable;
  ParseKind parse;
  guint status;
  JsonNode *root;
  GError *parse_error;
  GPtrArray *parsed;
  GPtrArray *item_errors;
};

static void
request_free (Request *request)
{
  g_clear_object (&request->msg);
  g_clear_object (&request->stream);
  g_clear_object (&request->cancellable);
  if (request->body != NULL)
    g_byte_array_unref (request->body);
  g_clear_pointer (&request->root, json_node_unref);
  g_clear_error (&request->parse_error);
  g_clear_pointer (&request->parsed, g_ptr_array_unref);
  g_clear_pointer (&request->item_errors, g_ptr_array_unref);
  if (request->destroy != NULL)
    request->destroy (request->data);
  g_object_unref (request->self);
  g_free (request);
}

/* Parse thread: a page of 1,000 records is a megabyte of JSON; parsing it
 * on the main thread would stall the UI. */
static void
parse_request (Request *request)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  JsonArray *array = NULL;

  if (!json_parser_load_from_data (parser, (const char *) request->body->data,
                                   (gssize) request->body->len, &request->parse_error))
    return;
  request->root = json_parser_steal_root (parser);
  if (request->parse == PARSE_JSON || request->status != SOUP_STATUS_OK ||
      !JSON_NODE_HOLDS_OBJECT (request->root))
    return;

  object = json_node_get_object (request->root);
  if (request->parse == PARSE_RECORDS && json_object_has_member (object, "records"))
    array = json_object_get_array_member (object, "records");
  else if (request->parse == PARSE_EVENTS && json_object_has_member (object, "events"))
    array = json_object_get_array_member (object, "events");
  if (array == NULL)
    return;

  request->parsed = g_ptr_array_new_with_free_func (
      request->parse == PARSE_RECORDS ? (GDestroyNotify) anx_chain_record_unref
                                      : (GDestroyNotify) anx_feed_event_unref);
  request->item_errors = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autoptr(GError) error = NULL;
      gpointer item;

      if (request->parse == PARSE_RECORDS)
        item = anx_chain_record_new_from_json_node (json_array_get_element (array, i), &error);
      else
        item = anx_feed_event_new_from_json_node (json_array_get_element (array, i), &error);
      if (item != NULL)
        g_ptr_array_add (request->parsed, item);
      else
        g_ptr_array_add (request->item_errors, g_strdup (error->message));
    }
  /* The page's JSON tree is freed here too, not on the main thread; an
   * empty array stays in its place. */
  json_object_set_array_member (object, request->parse == PARSE_RECORDS ? "records" : "events",
                                json_array_new ());
}

static gboolean
on_parsed (gpointer user_data)
{
  Request *request = user_data;
  GError *error = NULL;

  if (g_cancellable_is_cancelled (request->cancellable))
    {
      request_free (request);
      return G_SOURCE_REMOVE;
    }
  if (request->root == NULL && request->status == SOUP_STATUS_OK)
    error = request->parse_error;
  /* Items that could not be read are left out: a record missing from a
   * chain shows as a gap, which the verifier reports; an event missing
   * from the log, as a gap in the cursors. */
  if (request->item_errors != NULL && request->item_errors->len > 0)
    {
      g_autofree char *why = g_strdup_printf (_("The feed sent %u items that cannot be read: %s"),
                                              request->item_errors->len,
                                              (char *) request->item_errors->pdata[0]);

      reject_frame (request->self, why);
    }
  request->callback (request->self, request->status, request->root, error, request->data,
                     request->parsed);
  request_free (request);
  return G_SOURCE_REMOVE;
}

/* The client's parse threads (a pool of its own, so that their lower
 * priority touches nothing else). */
static void
parse_worker (gpointer data,
              gpointer user_data)
{
  Request *request = data;
  GMainContext *context = user_data;
  GSource *source;

#ifdef __linux__
  /* Parsing never preempts the UI thread when it wakes up, but keeps a
   * normal share of the CPU (a nice value starved it on a busy machine). */
  {
    struct sched_param param = { 0 };

    sched_setscheduler (0, SCHED_BATCH, &param);
  }
#endif
  parse_request (request);
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, on_parsed, request, NULL);
  g_source_attach (source, context);
  g_source_unref (source);
}

/* What is wrong with the feed's certificate, in words. */
static char *
describe_tls_error (SoupMessage  *msg,
                    const GError *error)
{
  GTlsCertificateFlags flags = msg != NULL ? soup_message_get_tls_peer_certificate_errors (msg) : 0;
  g_autoptr(GString) why = g_string_new (NULL);
  static const struct
  {
    GTlsCertificateFlags flag;
    const char *text;
  } reasons[] = {
    { G_TLS_CERTIFICATE_UNKNOWN_CA, N_("it is not signed by a trusted certificate authority") },
    { G_TLS_CERTIFICATE_BAD_IDENTITY, N_("it is not issued for this host name") },
    { G_TLS_CERTIFICATE_NOT_ACTIVATED, N_("it is not valid yet") },
    { G_TLS_CERTIFICATE_EXPIRED, N_("it has expired") },
    { G_TLS_CERTIFICATE_REVOKED, N_("it has been revoked") },
    { G_TLS_CERTIFICATE_INSECURE, N_("it uses an insecure algorithm") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
    if (flags & reasons[i].flag)
      {
        if (why->len > 0)
          g_string_append (why, "; ");
        g_string_append (why, _(reasons[i].text));
      }
  if (why->len == 0)
    g_string_append (why, error->message);
  /* TRANSLATORS: %s says why, e.g. "it has expired" */
  return g_strdup_printf (_("Bad certificate: the feed's TLS certificate is not trusted (%s). "
                            "Check the feed address and the certificate authority file."),
                          why->str);
}

static void
request_complete (Request *request,
                  GError  *error)
{
  g_autoptr(GError) tls_error = NULL;

  request->status = soup_message_get_status (request->msg);
  if (error != NULL && error->domain == G_TLS_ERROR)
    {
      g_autofree char *message = describe_tls_error (request->msg, error);

      tls_error = g_error_new_literal (G_TLS_ERROR, error->code, message);
      error = tls_error;
    }
  if (g_cancellable_is_cancelled (request->cancellable))
    {
      request_free (request);
      return;
    }
  if (error != NULL)
    {
      request->callback (request->self, request->status, NULL, error, request->data, NULL);
      request_free (request);
      return;
    }
  g_thread_pool_push (request->self->parse_pool, request, NULL);
}

static void
on_body_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                              &error);

  if (bytes == NULL)
    {
      request_complete (request, error);
      return;
    }
  if (g_bytes_get_size (bytes) == 0)
    {
      request_complete (request, NULL);
      return;
    }
  if (request->body->len + g_bytes_get_size (bytes) > ANX_FEED_CLIENT_MAX_RESPONSE)
    {
      g_autoptr(GError) too_large =
          g_error_new (G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                       _("The server sent a response larger than %u bytes"),
                       ANX_FEED_CLIENT_MAX_RESPONSE);

      request_complete (request, too_large);
      return;
    }
  g_byte_array_append (request->body, g_bytes_get_data (bytes, NULL),
                       (guint) g_bytes_get_size (bytes));
  g_input_stream_read_bytes_async (request->stream, 65536, G_PRIORITY_DEFAULT,
                                   request->cancellable, on_body_read, request);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr(GError) error = NULL;
  goffset length;

  request->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (request->stream == NULL)
    {
      request_complete (request, error);
      return;
    }
  length = soup_message_headers_get_content_length (
      soup_message_get_response_headers (request->msg));
  if (length > ANX_FEED_CLIENT_MAX_RESPONSE)
    {
      g_autoptr(GError) too_large =
          g_error_new (G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                       _("The server sent a response larger than %u bytes"),
                       ANX_FEED_CLIENT_MAX_RESPONSE);

      request_complete (request, too_large);
      return;
    }
  g_input_stream_read_bytes_async (request->stream, 65536, G_PRIORITY_DEFAULT,
                                   request->cancellable, on_body_read, request);
}

static SoupMessage *
new_message (AnxFeedClient *self,
             const char    *method,
             const char    *path)
{
  g_autofree char *uri = g_strconcat (self->uri, path, NULL);
  SoupMessage *msg = soup_message_new (method, uri);

  if (msg == NULL)
    return NULL;
  if (self->token != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", self->token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    value);
    }
  return msg;
}

static void
http_get (AnxFeedClient *self,
          const char    *path,
          ParseKind      parse,
          JsonCallback   callback,
          gpointer       data,
          GDestroyNotify destroy)
{
  Request *request = g_new0 (Request, 1);

  request->parse = parse;
  request->self = g_object_ref (self);
  request->msg = new_message (self, SOUP_METHOD_GET, path);
  request->callback = callback;
  request->data = data;
  request->destroy = destroy;
  request->body = g_byte_array_new ();
  request->cancellable = g_object_ref (self->cancellable);
  if (request->msg == NULL)
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                             _("The feed address “%s” is not valid"), self->uri);

      request_complete (request, error);
      return;
    }
  soup_session_send_async (self->session, request->msg, G_PRIORITY_DEFAULT, request->cancellable,
                           on_sent, request);
}

static const char *
error_code (JsonNode *root)
{
  JsonObject *object, *error;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  object = json_node_get_object (root);
  if (!json_object_has_member (object, "error"))
    return NULL;
  error = json_object_get_object_member (object, "error");
  return error != NULL && json_object_has_member (error, "code")
             ? json_object_get_string_member (error, "code")
             : NULL;
}

static void
set_unauthorized (AnxFeedClient *self,
                  guint          status)
{
  g_autofree char *message = g_strdup_printf (_("The feed refused the token (HTTP %u)"), status);

  stop_everything (self);
  set_error (self, message);
  set_state (self, ANX_FEED_CLIENT_UNAUTHORIZED);
}

static void
begin_resync (AnxFeedClient *self)
{
  set_error (self, _("The feed no longer keeps events from the stored cursor; re-syncing from "
                     "a snapshot"));
  close_stream (self);
  start_snapshot (self);
}

/* Common handling; returns TRUE if the caller may use @root. */
static gboolean
check_response (AnxFeedClient *self,
                guint          status,
                JsonNode      *root,
                GError        *error)
{
  if (handle_tls_error (self, error))
    return FALSE;
  if (error != NULL)
    {
      schedule_reconnect (self, error->message);
      return FALSE;
    }
  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    {
      set_unauthorized (self, status);
      return FALSE;
    }
  if (status == SOUP_STATUS_GONE)
    {
      begin_resync (self);
      return FALSE;
    }
  if (status != SOUP_STATUS_OK || root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_autofree char *message = g_strdup_printf (_("The feed answered HTTP %u (%s)"), status,
                                                  error_code (root) ? error_code (root) : "?");

      schedule_reconnect (self, message);
      return FALSE;
    }
  return TRUE;
}

static gint64
member_int (JsonObject *object,
            const char *name,
            gint64      fallback)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return fallback;
  return json_node_get_int (node);
}

static const char *
member_next (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "next");

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* ------------------------------------------------------------------------ */
/* Reconnection and the watchdog                                             */
/* ------------------------------------------------------------------------ */

static gboolean
on_reconnect (gpointer user_data)
{
  AnxFeedClient *self = user_data;

  self->reconnect_id = 0;
  connect_attempt (self);
  return G_SOURCE_REMOVE;
}

static AnxFeedClientState
waiting_state (AnxFeedClient *self)
{
  gint64 silent = g_get_monotonic_time () - self->last_message_mono;

  return self->last_message_mono != 0 && silent > (gint64) self->watchdog_s * G_USEC_PER_SEC
             ? ANX_FEED_CLIENT_STALE
             : ANX_FEED_CLIENT_RECONNECTING;
}

static void
flush_batch (AnxFeedClient *self);

static void
schedule_reconnect (AnxFeedClient *self,
                    const char    *reason)
{
  guint delay_ms;
  double factor;

  if (!self->running)
    return;

  flush_batch (self);
  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
    }
  close_stream (self);
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  g_clear_handle_id (&self->wait_id, g_source_remove);
  g_queue_clear_full (&self->chargers, g_free);
  g_queue_init (&self->chargers);
  self->chains_in_flight = 0;

  if (reason != NULL)
    set_error (self, reason);

  /* Exponential, with "equal jitter": between half and all of the step. */
  factor = (double) (1u << MIN (self->attempt, 16u));
  delay_ms = (guint) MIN ((double) self->backoff_max_ms, self->backoff_initial_ms * factor);
  delay_ms = delay_ms / 2 + (guint) g_random_int_range (0, (gint32) (delay_ms / 2 + 1));
  self->attempt++;

  self->next_attempt = g_get_real_time () + (gint64) delay_ms * 1000;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_ATTEMPT]);
  set_state (self, waiting_state (self));
  self->reconnect_id = g_timeout_add (delay_ms, on_reconnect, self);
}

/* A certificate that is not trusted: retried like any failure (the server
 * may fix it, or the officer set a CA file), but shown for what it is. */
static gboolean
handle_tls_error (AnxFeedClient *self,
                  const GError  *error)
{
  if (error == NULL || error->domain != G_TLS_ERROR)
    return FALSE;
  schedule_reconnect (self, error->message);
  if (self->running)
    set_state (self, ANX_FEED_CLIENT_BAD_CERTIFICATE);
  return TRUE;
}

static gboolean
on_watchdog (gpointer user_data)
{
  AnxFeedClient *self = user_data;
  g_autofree char *message = g_strdup_printf (_("No heartbeat from the feed for %u s"),
                                              self->watchdog_s);

  self->watchdog_id = 0;
  schedule_reconnect (self, message);
  return G_SOURCE_REMOVE;
}

static void
feed_watchdog (AnxFeedClient *self)
{
  self->last_message_mono = g_get_monotonic_time ();
  g_clear_handle_id (&self->watchdog_id, g_source_remove);
  self->watchdog_id = g_timeout_add_seconds (self->watchdog_s, on_watchdog, self);
}

static void
on_delivered (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  guint n = 0;

  if (!anx_outbox_deliver_finish (ANX_OUTBOX (source), result, &n, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Outbox: %s", error->message);
  else if (n > 0)
    g_debug ("Outbox: %u writes delivered", n);
}

static void
deliver_outbox (AnxFeedClient *self)
{
  if (self->outbox == NULL || self->state != ANX_FEED_CLIENT_LIVE ||
      anx_outbox_is_delivering (self->outbox) ||
      anx_outbox_count (self->outbox, ANX_OUTBOX_PENDING) == 0)
    return;
  anx_outbox_deliver_async (self->outbox, self->session, self->uri, self->token,
                            self->cancellable, on_delivered, NULL);
}

static gboolean
on_age (gpointer user_data)
{
  AnxFeedClient *self = user_data;

  deliver_outbox (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATA_AGE]);
  if (self->state == ANX_FEED_CLIENT_RECONNECTING)
    set_state (self, waiting_state (self));
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------------ */
/* Events: batching them to the ingest                                       */
/* ------------------------------------------------------------------------ */

static void
on_events_stored (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(AnxFeedClient) self = user_data;
  g_autoptr(GError) error = NULL;

  self->jobs_in_flight--;
  if (!anx_ingest_finish (ANX_INGEST (source), result, &error))
    {
      /* Nothing of the batch is stored: go back to the stored cursor. */
      g_warning ("Storing events: %s", error->message);
      self->cursor = anx_store_get_cursor (self->store);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURSOR]);
      schedule_reconnect (self, error->message);
    }
}

static void
flush_batch (AnxFeedClient *self)
{
  g_clear_handle_id (&self->flush_id, g_source_remove);
  if (self->batch->len == 0)
    return;
  /* The job takes this array; the stream fills a new one. */
  {
    g_autoptr(GPtrArray) batch = g_steal_pointer (&self->batch);

    self->batch = g_ptr_array_new_with_free_func ((GDestroyNotify) anx_feed_event_unref);
    self->jobs_in_flight++;
    anx_ingest_events_async (self->ingest, batch, on_events_stored, g_object_ref (self));
  }
}

static gboolean
on_flush (gpointer user_data)
{
  AnxFeedClient *self = user_data;

  self->flush_id = 0;
  flush_batch (self);
  return G_SOURCE_REMOVE;
}

static void
on_tick_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!anx_ingest_finish (ANX_INGEST (source), result, &error))
    g_warning ("Time rules: %s", error->message);
}

/* ------------------------------------------------------------------------ */
/* The stream                                                                */
/* ------------------------------------------------------------------------ */

static void
on_ws_message (SoupWebsocketConnection *ws,
               gint                     type,
               GBytes                  *message,
               gpointer                 user_data)
{
  AnxFeedClient *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxFeedEvent) event = NULL;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);
  guint64 cursor;

  feed_watchdog (self);

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      reject_frame (self, _("The feed sent a binary frame"));
      return;
    }
  event = anx_feed_event_new_from_json (data, (gssize) length, &error);
  if (event == NULL)
    {
      g_autofree char *why = g_strdup_printf (_("The feed sent an invalid frame: %s"),
                                              error->message);

      reject_frame (self, why);
      return;
    }

  switch (anx_feed_event_get_event_type (event))
    {
    case ANX_FEED_EVENT_HELLO:
      self->head = anx_feed_event_get_head (event);
      self->attempt = 0;
      set_newest_time (self, anx_feed_event_get_time (event));
      set_error (self, NULL);
      /* The time rules (offline, overdue) run with the feed's clock. */
      self->last_tick_mono = g_get_monotonic_time ();
      anx_ingest_tick_async (self->ingest, anx_feed_event_get_time (event), on_tick_done, NULL);
      set_state (self, ANX_FEED_CLIENT_LIVE);
      deliver_outbox (self);
      return;
    case ANX_FEED_EVENT_HEARTBEAT:
      self->head = anx_feed_event_get_head (event);
      set_newest_time (self, anx_feed_event_get_time (event));
      if (g_get_monotonic_time () - self->last_tick_mono > TICK_INTERVAL_US)
        {
          self->last_tick_mono = g_get_monotonic_time ();
          anx_ingest_tick_async (self->ingest, anx_feed_event_get_time (event), on_tick_done,
                                 NULL);
        }
      return;
    case ANX_FEED_EVENT_RESYNC_REQUIRED:
      /* The close (4409) follows; it starts the re-sync. */
      return;
    case ANX_FEED_EVENT_ERROR_MESSAGE:
      set_error (self, anx_feed_event_get_message (event));
      return;
    case ANX_FEED_EVENT_UNKNOWN:
    case ANX_FEED_EVENT_CHARGER_STATUS:
    case ANX_FEED_EVENT_SESSION_STARTED:
    case ANX_FEED_EVENT_SESSION_PROGRESS:
    case ANX_FEED_EVENT_SESSION_ENDED:
    case ANX_FEED_EVENT_CHAIN_APPENDED:
    case ANX_FEED_EVENT_ALARM_RAISED:
    case ANX_FEED_EVENT_ALARM_CLEARED:
    case ANX_FEED_EVENT_ALARM_ACKNOWLEDGED:
    case ANX_FEED_EVENT_REGISTRY_CHANGED:
    default:
      break;
    }

  cursor = anx_feed_event_get_cursor (event);
  if (cursor <= self->cursor)
    {
      /* Delivered twice (at-least-once): dropped. */
      reject_frame (self, _("The feed sent an event twice"));
      return;
    }
  if (cursor != self->cursor + 1)
    {
      g_autofree char *from = g_strdup_printf ("%" G_GUINT64_FORMAT, self->cursor);
      g_autofree char *to = g_strdup_printf ("%" G_GUINT64_FORMAT, cursor);
      g_autofree char *why = g_strdup_printf (_("The feed skipped from cursor %s to %s; catching "
                                                "up"),
                                              from, to);

      reject_frame (self, why);
      flush_batch (self);
      close_stream (self);
      catch_up (self);
      return;
    }

  self->cursor = cursor;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURSOR]);
  set_newest_time (self, anx_feed_event_get_time (event));
  g_ptr_array_add (self->batch, g_steal_pointer (&event));

  /* Back-pressure: the store cannot keep up. Drop the stream; the log
   * keeps the events and we come back for them from the cursor. */
  if (self->batch->len + (guint64) anx_store_get_backlog (self->store) * FLUSH_EVENTS >
      self->max_queue)
    {
      flush_batch (self);
      schedule_reconnect (self, _("The store is behind the stream; resuming from the cursor"));
      return;
    }

  if (self->batch->len >= FLUSH_EVENTS)
    flush_batch (self);
  else if (self->flush_id == 0)
    self->flush_id = g_timeout_add (FLUSH_INTERVAL_MS, on_flush, self);
}

static void
on_ws_closed (SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  AnxFeedClient *self = user_data;
  gushort code = soup_websocket_connection_get_close_code (ws);
  g_autofree char *message = g_strdup_printf (_("The feed closed the stream (%u %s)"), code,
                                              soup_websocket_connection_get_close_data (ws)
                                                  ? soup_websocket_connection_get_close_data (ws)
                                                  : "");

  flush_batch (self);
  g_signal_handlers_disconnect_by_data (ws, self);
  g_clear_object (&self->ws);
  g_clear_handle_id (&self->watchdog_id, g_source_remove);

  if (code == CLOSE_UNAUTHORIZED)
    set_unauthorized (self, 401);
  else if (code == CLOSE_RESYNC)
    begin_resync (self);
  else
    schedule_reconnect (self, message);
}

static void
on_ws_error (SoupWebsocketConnection *ws,
             GError                  *error,
             gpointer                 user_data)
{
  AnxFeedClient *self = user_data;

  /* Oversize frames end here too; the connection closes next. */
  reject_frame (self, error->message);
}

typedef struct
{
  AnxFeedClient *self;
  SoupMessage *msg;
} Connect;

static void
on_ws_connected (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Connect *connect = user_data;
  g_autoptr(AnxFeedClient) self = connect->self;
  g_autoptr(SoupMessage) msg = connect->msg;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupWebsocketConnection) ws = NULL;
  guint status = soup_message_get_status (msg);

  g_free (connect);
  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !self->running)
    return;

  if (ws == NULL)
    {
      if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
        set_unauthorized (self, status);
      else if (status == SOUP_STATUS_GONE)
        begin_resync (self);
      else if (error->domain == G_TLS_ERROR)
        {
          g_autofree char *message = describe_tls_error (msg, error);
          g_autoptr(GError) tls_error = g_error_new_literal (G_TLS_ERROR, error->code, message);

          handle_tls_error (self, tls_error);
        }
      else
        schedule_reconnect (self, error->message);
      return;
    }

  self->ws = g_steal_pointer (&ws);
  soup_websocket_connection_set_max_incoming_payload_size (self->ws, ANX_FEED_CLIENT_MAX_FRAME);
  soup_websocket_connection_set_keepalive_interval (self->ws, 0);
  g_signal_connect (self->ws, "message", G_CALLBACK (on_ws_message), self);
  g_signal_connect (self->ws, "closed", G_CALLBACK (on_ws_closed), self);
  g_signal_connect (self->ws, "error", G_CALLBACK (on_ws_error), self);
  feed_watchdog (self);
}

static void
open_stream (AnxFeedClient *self)
{
  g_autofree char *path = g_strdup_printf ("/v1/stream?after=%" G_GUINT64_FORMAT, self->cursor);
  Connect *connect = g_new0 (Connect, 1);

  connect->self = g_object_ref (self);
  connect->msg = new_message (self, SOUP_METHOD_GET, path);
  soup_session_websocket_connect_async (self->session, connect->msg, NULL, NULL,
                                        G_PRIORITY_DEFAULT, self->cancellable, on_ws_connected,
                                        connect);
}

/* ------------------------------------------------------------------------ */
/* Catching up through the event log                                          */
/* ------------------------------------------------------------------------ */

static gboolean
on_catch_up_wait (gpointer user_data)
{
  AnxFeedClient *self = user_data;

  self->wait_id = 0;
  catch_up (self);
  return G_SOURCE_REMOVE;
}

static void
on_events_page (AnxFeedClient *self,
                guint          status,
                JsonNode      *root,
                GError        *error,
                gpointer       data,
                GPtrArray     *parsed)
{
  JsonObject *object;
  JsonArray *events;
  g_autoptr(GPtrArray) batch = NULL;

  if (!check_response (self, status, root, error))
    return;

  object = json_node_get_object (root);
  self->head = (guint64) member_int (object, "head", (gint64) self->head);
  events = json_object_has_member (object, "events")
               ? json_object_get_array_member (object, "events")
               : NULL;
  if (events == NULL)
    {
      schedule_reconnect (self, _("The feed sent an event page without events"));
      return;
    }

  batch = g_ptr_array_new_with_free_func ((GDestroyNotify) anx_feed_event_unref);
  for (guint i = 0; parsed != NULL && i < parsed->len; i++)
    {
      AnxFeedEvent *event = parsed->pdata[i];
      guint64 cursor = anx_feed_event_get_cursor (event);

      if (cursor <= self->cursor)
        continue;
      self->cursor = cursor;
      set_newest_time (self, anx_feed_event_get_time (event));
      g_ptr_array_add (batch, anx_feed_event_ref (event));
    }
  if (batch->len > 0)
    {
      self->jobs_in_flight++;
      anx_ingest_events_async (self->ingest, batch, on_events_stored, g_object_ref (self));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURSOR]);
    }

  if (member_next (object) != NULL && batch->len > 0)
    catch_up (self);
  else
    open_stream (self);
}

static void
catch_up (AnxFeedClient *self)
{
  g_autofree char *path = NULL;

  /* Reading waits while the store is behind. */
  if (anx_store_get_backlog (self->store) > MAX_STORE_BACKLOG)
    {
      if (self->wait_id == 0)
        self->wait_id = g_timeout_add (20, on_catch_up_wait, self);
      return;
    }
  if (self->state != ANX_FEED_CLIENT_LIVE)
    set_state (self, ANX_FEED_CLIENT_SYNCING);
  path = g_strdup_printf ("/v1/events?after=%" G_GUINT64_FORMAT "&limit=%d", self->cursor,
                          PAGE_LIMIT);
  http_get (self, path, PARSE_EVENTS, on_events_page, NULL, NULL);
}

/* ------------------------------------------------------------------------ */
/* The snapshot: registry pages, then the chains                             */
/* ------------------------------------------------------------------------ */

static void fetch_registry_page (AnxFeedClient *self,
                                 const char    *after);
static void fetch_more_chains (AnxFeedClient *self);

static void
on_snapshot_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(AnxFeedClient) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!anx_ingest_finish (ANX_INGEST (source), result, &error))
    {
      schedule_reconnect (self, error->message);
      return;
    }
  if (!self->running)
    return;
  self->cursor = anx_store_get_cursor (self->store);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURSOR]);
  catch_up (self);
}

static void
on_chains_stored (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(AnxFeedClient) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!anx_ingest_finish (ANX_INGEST (source), result, &error))
    {
      schedule_reconnect (self, error->message);
      return;
    }
  if (!self->running || self->cancellable == NULL)
    return;
  anx_ingest_snapshot_done_async (self->ingest, self->snapshot_cursor, on_snapshot_done,
                                  g_object_ref (self));
}

typedef struct
{
  char *code;
} ChainFetch;

static void
chain_fetch_free (gpointer data)
{
  ChainFetch *fetch = data;

  g_free (fetch->code);
  g_free (fetch);
}

static void fetch_chain_page (AnxFeedClient *self,
                              const char    *code,
                              guint64        from);

/* The serials a registry meter names: its own and its keys'. */
static void
note_meter (AnxFeedClient *self,
            JsonObject    *meter)
{
  JsonArray *keys;

  if (meter == NULL)
    return;
  if (json_object_has_member (meter, "serial") &&
      JSON_NODE_HOLDS_VALUE (json_object_get_member (meter, "serial")))
    g_hash_table_add (self->known_meters,
                      g_strdup (json_object_get_string_member (meter, "serial")));
  keys = json_object_has_member (meter, "keys") &&
                 JSON_NODE_HOLDS_ARRAY (json_object_get_member (meter, "keys"))
             ? json_object_get_array_member (meter, "keys")
             : NULL;
  for (guint i = 0; keys != NULL && i < json_array_get_length (keys); i++)
    {
      JsonNode *node = json_array_get_element (keys, i);
      JsonObject *key = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      if (key != NULL && json_object_has_member (key, "serial") &&
          JSON_NODE_HOLDS_VALUE (json_object_get_member (key, "serial")))
        g_hash_table_add (self->known_meters,
                          g_strdup (json_object_get_string_member (key, "serial")));
    }
}

/* Whether a record names a meter the registry pages did not: "MS" of a
 * charge record, the new meter of an exchange. */
static gboolean
names_unknown_meter (AnxFeedClient  *self,
                     AnxChainRecord *record)
{
  const char *ocmf, *start, *end;

  switch (anx_chain_record_get_kind (record))
    {
    case ANX_CHAIN_RECORD_KIND_METER_EXCHANGE:
      return anx_chain_record_get_new_meter_serial (record) != NULL &&
             !g_hash_table_contains (self->known_meters,
                                     anx_chain_record_get_new_meter_serial (record));
    case ANX_CHAIN_RECORD_KIND_CHARGE:
      ocmf = anx_chain_record_get_ocmf (record);
      if (ocmf == NULL || (start = strstr (ocmf, "\"MS\":\"")) == NULL)
        return FALSE;
      start += 6;
      end = strchr (start, '"');
      if (end == NULL)
        return FALSE;
      {
        g_autofree char *serial = g_strndup (start, (gsize) (end - start));

        return !g_hash_table_contains (self->known_meters, serial);
      }
    default:
      return FALSE;
    }
}

/* A page of a chain, verified with a registry that knows its meters. */
static void
take_chain_page (AnxFeedClient *self,
                 const char    *code,
                 GPtrArray     *parsed,
                 const char    *next)
{
  if (parsed->len > 0)
    anx_ingest_chain_page (self->ingest, code, parsed);
  if (next != NULL && parsed->len > 0)
    fetch_chain_page (self, code, g_ascii_strtoull (next, NULL, 10));
  else
    {
      self->chains_in_flight--;
      fetch_more_chains (self);
    }
}

typedef struct
{
  char *code;
  GPtrArray *records;
  char *next;
} PendingPage;

static void
pending_page_free (gpointer data)
{
  PendingPage *page = data;

  g_free (page->code);
  g_ptr_array_unref (page->records);
  g_free (page->next);
  g_free (page);
}

static void
on_charger_refreshed (AnxFeedClient *self,
                      guint          status,
                      JsonNode      *root,
                      GError        *error,
                      gpointer       data,
                      GPtrArray     *parsed)
{
  PendingPage *page = data;
  JsonObject *object;
  JsonNode *meter;

  if (!check_response (self, status, root, error))
    return;
  object = json_node_get_object (root);
  meter = json_object_get_member (object, "meter");
  if (meter != NULL && JSON_NODE_HOLDS_OBJECT (meter))
    {
      g_autoptr(JsonArray) items = json_array_new ();

      json_array_add_element (items, json_node_copy (meter));
      note_meter (self, json_node_get_object (meter));
      /* Queued before the page: its verifier is loaded after it. */
      anx_ingest_registry_async (self->ingest, ANX_REGISTRY_METERS, items, NULL, NULL);
    }
  take_chain_page (self, page->code, page->records, page->next);
}

static void
on_chain_page (AnxFeedClient *self,
               guint          status,
               JsonNode      *root,
               GError        *error,
               gpointer       data,
               GPtrArray     *parsed)
{
  ChainFetch *fetch = data;
  JsonObject *object;

  if (status == SOUP_STATUS_NOT_FOUND && error == NULL)
    {
      /* A charger without a chain yet. */
      self->chains_in_flight--;
      fetch_more_chains (self);
      return;
    }
  if (!check_response (self, status, root, error))
    return;

  object = json_node_get_object (root);
  if (parsed == NULL)
    {
      self->chains_in_flight--;
      fetch_more_chains (self);
      return;
    }

  /* The chain is newer than the registry pages read before it: a meter
   * exchanged in between signs records with a key they do not hold, and
   * verifying them now would raise a false "unknown meter key". The
   * charger's registry entry is read again first. */
  for (guint i = 0; i < parsed->len; i++)
    if (names_unknown_meter (self, parsed->pdata[i]))
      {
        g_autofree char *escaped = g_uri_escape_string (fetch->code, NULL, FALSE);
        g_autofree char *path = g_strconcat ("/v1/chargers/", escaped, NULL);
        PendingPage *page = g_new0 (PendingPage, 1);

        page->code = g_strdup (fetch->code);
        page->records = g_ptr_array_ref (parsed);
        page->next = g_strdup (member_next (object));
        http_get (self, path, PARSE_JSON, on_charger_refreshed, page, pending_page_free);
        return;
      }

  take_chain_page (self, fetch->code, parsed, member_next (object));
}

static gboolean
on_chains_wait (gpointer user_data)
{
  AnxFeedClient *self = user_data;

  self->wait_id = 0;
  fetch_more_chains (self);
  return G_SOURCE_REMOVE;
}

static void
fetch_chain_page (AnxFeedClient *self,
                  const char    *code,
                  guint64        from)
{
  g_autofree char *escaped = g_uri_escape_string (code, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/v1/chargers/%s/chain?from=%" G_GUINT64_FORMAT
                                           "&limit=%d",
                                           escaped, from, PAGE_LIMIT);
  ChainFetch *fetch = g_new0 (ChainFetch, 1);

  fetch->code = g_strdup (code);
  http_get (self, path, PARSE_RECORDS, on_chain_page, fetch, chain_fetch_free);
}

static void
fetch_more_chains (AnxFeedClient *self)
{
  /* Back-pressure: the verifiers decide the pace. */
  if (anx_ingest_get_pending_records (self->ingest) > (guint64) self->max_queue)
    {
      if (self->wait_id == 0)
        self->wait_id = g_timeout_add (10, on_chains_wait, self);
      return;
    }

  while (self->chains_in_flight < CHAINS_IN_FLIGHT && !g_queue_is_empty (&self->chargers))
    {
      g_autofree char *code = g_queue_pop_head (&self->chargers);

      self->chains_in_flight++;
      fetch_chain_page (self, code, anx_ingest_get_next_sequence (self->ingest, code));
    }

  if (self->chains_in_flight == 0 && g_queue_is_empty (&self->chargers))
    anx_ingest_wait_async (self->ingest, on_chains_stored, g_object_ref (self));
}

static void
on_registry_stored (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!anx_ingest_finish (ANX_INGEST (source), result, &error))
    g_warning ("Registry: %s", error->message);
}

static void
on_registry_page (AnxFeedClient *self,
                  guint          status,
                  JsonNode      *root,
                  GError        *error,
                  gpointer       data,
                  GPtrArray     *parsed)
{
  JsonObject *object;
  JsonArray *items;
  const char *next;
  gint64 cursor;

  if (!check_response (self, status, root, error))
    return;

  object = json_node_get_object (root);
  items = json_object_has_member (object, "items") ? json_object_get_array_member (object, "items")
                                                   : NULL;
  if (items == NULL)
    {
      schedule_reconnect (self, _("The feed sent a registry page without items"));
      return;
    }
  /* The snapshot is consistent with the oldest cursor of its pages. */
  cursor = member_int (object, "cursor", 0);
  if (self->snapshot_cursor == G_MAXUINT64 || (guint64) cursor < self->snapshot_cursor)
    self->snapshot_cursor = (guint64) cursor;

  anx_ingest_registry_async (self->ingest, self->collection, items, on_registry_stored, NULL);
  if (self->collection == ANX_REGISTRY_METERS)
    for (guint i = 0; i < json_array_get_length (items); i++)
      {
        JsonNode *node = json_array_get_element (items, i);

        if (JSON_NODE_HOLDS_OBJECT (node))
          note_meter (self, json_node_get_object (node));
      }
  if (self->collection == ANX_REGISTRY_CHARGERS)
    for (guint i = 0; i < json_array_get_length (items); i++)
      {
        JsonObject *charger = json_array_get_object_element (items, i);

        if (charger != NULL && json_object_has_member (charger, "code"))
          g_queue_push_tail (&self->chargers,
                             g_strdup (json_object_get_string_member (charger, "code")));
      }

  next = member_next (object);
  if (next != NULL && json_array_get_length (items) > 0)
    {
      fetch_registry_page (self, next);
      return;
    }
  if (self->collection < ANX_REGISTRY_SERVER_ALARMS)
    {
      self->collection++;
      fetch_registry_page (self, NULL);
      return;
    }
  fetch_more_chains (self);
}

static void
fetch_registry_page (AnxFeedClient *self,
                     const char    *after)
{
  g_autofree char *path = NULL;

  if (after != NULL)
    {
      g_autofree char *escaped = g_uri_escape_string (after, NULL, FALSE);

      path = g_strdup_printf ("/v1/%s%slimit=%d&after=%s", collection_paths[self->collection],
                              strchr (collection_paths[self->collection], '?') ? "" : "?",
                              PAGE_LIMIT, escaped);
    }
  else
    path = g_strdup_printf ("/v1/%s%slimit=%d", collection_paths[self->collection],
                            strchr (collection_paths[self->collection], '?') ? "" : "?",
                            PAGE_LIMIT);
  http_get (self, path, PARSE_JSON, on_registry_page, NULL, NULL);
}

static void
on_resync_marked (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(AnxFeedClient) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!anx_ingest_finish (ANX_INGEST (source), result, &error))
    {
      schedule_reconnect (self, error->message);
      return;
    }
  if (!self->running || self->cancellable == NULL)
    return;
  self->collection = ANX_REGISTRY_OPERATORS;
  self->snapshot_cursor = G_MAXUINT64;
  fetch_registry_page (self, NULL);
}

static void
start_snapshot (AnxFeedClient *self)
{
  set_state (self, ANX_FEED_CLIENT_SYNCING);
  g_hash_table_remove_all (self->known_meters);
  g_queue_clear_full (&self->chargers, g_free);
  g_queue_init (&self->chargers);
  self->chains_in_flight = 0;
  anx_ingest_begin_resync_async (self->ingest, on_resync_marked, g_object_ref (self));
}

/* ------------------------------------------------------------------------ */

static void
on_health (AnxFeedClient *self,
           guint          status,
           JsonNode      *root,
           GError        *error,
           gpointer       data,
           GPtrArray     *parsed)
{
  JsonObject *object;

  if (handle_tls_error (self, error))
    return;
  if (error != NULL)
    {
      schedule_reconnect (self, error->message);
      return;
    }
  if (status >= 500 || status == 0)
    {
      g_autofree char *message = g_strdup_printf (_("The feed answered HTTP %u"), status);

      schedule_reconnect (self, message);
      return;
    }
  if (status != SOUP_STATUS_OK || root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      member_int (json_node_get_object (root), "protocol_version", 0) != 1)
    {
      stop_everything (self);
      set_error (self, _("The server does not speak version 1 of the Anxin feed protocol"));
      set_state (self, ANX_FEED_CLIENT_INCOMPATIBLE);
      return;
    }
  object = json_node_get_object (root);
  self->head = (guint64) member_int (object, "cursor", 0);
  set_newest_time (self, 0);

  if (!anx_ingest_get_snapshot_done (self->ingest))
    start_snapshot (self);
  else
    {
      self->cursor = anx_store_get_cursor (self->store);
      catch_up (self);
    }
}

static void
connect_attempt (AnxFeedClient *self)
{
  if (!self->running)
    return;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (self->state != ANX_FEED_CLIENT_STALE && self->state != ANX_FEED_CLIENT_RECONNECTING &&
      self->state != ANX_FEED_CLIENT_BAD_CERTIFICATE)
    set_state (self, ANX_FEED_CLIENT_CONNECTING);
  http_get (self, "/v1/health", PARSE_JSON, on_health, NULL, NULL);
}

static void
anx_feed_client_dispose (GObject *object)
{
  AnxFeedClient *self = ANX_FEED_CLIENT (object);

  self->running = FALSE;
  stop_everything (self);
  /* Waits for the parses under way; their results go nowhere (cancelled). */
  if (self->parse_pool != NULL)
    g_thread_pool_free (g_steal_pointer (&self->parse_pool), FALSE, TRUE);
  g_clear_handle_id (&self->age_id, g_source_remove);
  if (self->batch != NULL && self->batch->len > 0 && self->ingest != NULL)
    flush_batch (self);

  G_OBJECT_CLASS (anx_feed_client_parent_class)->dispose (object);
}

static void
anx_feed_client_finalize (GObject *object)
{
  AnxFeedClient *self = ANX_FEED_CLIENT (object);

  g_clear_pointer (&self->batch, g_ptr_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->session);
  g_free (self->ca_file);
  g_clear_pointer (&self->known_meters, g_hash_table_unref);
  g_clear_object (&self->outbox);
  g_clear_object (&self->ingest);
  g_clear_object (&self->store);
  g_free (self->uri);
  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  g_free (self->last_error);

  G_OBJECT_CLASS (anx_feed_client_parent_class)->finalize (object);
}

static void
anx_feed_client_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  AnxFeedClient *self = ANX_FEED_CLIENT (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    case PROP_NEXT_ATTEMPT:
      g_value_set_int64 (value, self->next_attempt);
      break;
    case PROP_NEWEST_TIME:
      g_value_set_int64 (value, self->newest_time);
      break;
    case PROP_DATA_AGE:
      g_value_set_int64 (value, anx_feed_client_get_data_age (self));
      break;
    case PROP_CURSOR:
      g_value_set_uint64 (value, self->cursor);
      break;
    case PROP_N_REJECTED_FRAMES:
      g_value_set_uint (value, self->n_rejected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
anx_feed_client_class_init (AnxFeedClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = anx_feed_client_dispose;
  object_class->finalize = anx_feed_client_finalize;
  object_class->get_property = anx_feed_client_get_property;

  properties[PROP_STATE] =
      g_param_spec_enum ("state", NULL, NULL, ANX_TYPE_FEED_CLIENT_STATE, ANX_FEED_CLIENT_STOPPED,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_ERROR] =
      g_param_spec_string ("last-error", NULL, NULL, NULL,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NEXT_ATTEMPT] =
      g_param_spec_int64 ("next-attempt", NULL, NULL, 0, G_MAXINT64, 0,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NEWEST_TIME] =
      g_param_spec_int64 ("newest-time", NULL, NULL, 0, G_MAXINT64, 0,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DATA_AGE] =
      g_param_spec_int64 ("data-age", NULL, NULL, -1, G_MAXINT64, -1,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CURSOR] =
      g_param_spec_uint64 ("cursor", NULL, NULL, 0, G_MAXUINT64, 0,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_REJECTED_FRAMES] =
      g_param_spec_uint ("n-rejected-frames", NULL, NULL, 0, G_MAXUINT, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
anx_feed_client_init (AnxFeedClient *self)
{
  self->batch = g_ptr_array_new_with_free_func ((GDestroyNotify) anx_feed_event_unref);
  self->watchdog_s = ANX_FEED_CLIENT_DEFAULT_WATCHDOG;
  self->max_queue = ANX_FEED_CLIENT_MAX_QUEUE;
  self->backoff_initial_ms = 1000;
  self->backoff_max_ms = ANX_FEED_CLIENT_MAX_BACKOFF * 1000;
  self->snapshot_cursor = G_MAXUINT64;
  g_queue_init (&self->chargers);
}

/**
 * anx_feed_client_new:
 * @ingest: where what arrives goes
 * @uri: the feed's base address, `https://host:port` (no trailing `/v1`)
 *
 * Returns: (transfer full): a stopped client
 */
AnxFeedClient *
anx_feed_client_new (AnxIngest  *ingest,
                     const char *uri)
{
  AnxFeedClient *self;
  gsize len;

  g_return_val_if_fail (ANX_IS_INGEST (ingest), NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  self = g_object_new (ANX_TYPE_FEED_CLIENT, NULL);
  self->ingest = g_object_ref (ingest);
  self->store = g_object_ref (anx_ingest_get_store (ingest));
  self->uri = g_strdup (uri);
  self->context = g_main_context_ref_thread_default ();
  self->parse_pool = g_thread_pool_new (parse_worker, self->context, 2, TRUE, NULL);
  self->known_meters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  len = strlen (self->uri);
  while (len > 0 && self->uri[len - 1] == '/')
    self->uri[--len] = '\0';
  /* TLS is always verified; the session's default database is the
   * system's, anx_feed_client_set_ca_file() replaces it. */
  self->session = soup_session_new_with_options ("max-conns-per-host", CHAINS_IN_FLIGHT + 2,
                                                 "timeout", 60, "idle-timeout", 60, NULL);
  soup_session_set_user_agent (self->session, "anxin-console/" PACKAGE_VERSION);
  return self;
}

/**
 * anx_feed_client_set_ca_file:
 * @self: a client
 * @path: (nullable): a PEM file of the certificate authorities the feed's
 *   certificate must chain to; %NULL for the system's
 * @error: return location for an error
 *
 * Replaces the certificate authorities the feed's certificate is checked
 * against (it always is, host name included). A client waiting in the
 * bad-certificate state tries again at once.
 *
 * Returns: %TRUE if the file was read; on %FALSE nothing changed
 */
gboolean
anx_feed_client_set_ca_file (AnxFeedClient  *self,
                             const char     *path,
                             GError        **error)
{
  g_autoptr(GTlsDatabase) database = NULL;

  g_return_val_if_fail (ANX_IS_FEED_CLIENT (self), FALSE);

  if (path != NULL && *path != '\0')
    {
      database = g_tls_file_database_new (path, error);
      if (database == NULL)
        return FALSE;
    }
  else
    database = g_tls_backend_get_default_database (g_tls_backend_get_default ());
  soup_session_set_tls_database (self->session, database);
  g_free (self->ca_file);
  self->ca_file = path != NULL && *path != '\0' ? g_strdup (path) : NULL;
  if (self->running && self->state == ANX_FEED_CLIENT_BAD_CERTIFICATE)
    {
      g_clear_handle_id (&self->reconnect_id, g_source_remove);
      self->attempt = 0;
      connect_attempt (self);
    }
  return TRUE;
}

/**
 * anx_feed_client_get_ca_file:
 * @self: a client
 *
 * Returns: (nullable): the CA file set with anx_feed_client_set_ca_file()
 */
const char *
anx_feed_client_get_ca_file (AnxFeedClient *self)
{
  g_return_val_if_fail (ANX_IS_FEED_CLIENT (self), NULL);

  return self->ca_file;
}

/**
 * anx_feed_client_set_token:
 * @self: a client
 * @token: (nullable): the bearer token (see #AnxTokenStore)
 *
 * Sets the token; a client stopped as unauthorized starts again.
 */
void
anx_feed_client_set_token (AnxFeedClient *self,
                           const char    *token)
{
  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  self->token = g_strdup (token);
  if (self->running && self->state == ANX_FEED_CLIENT_UNAUTHORIZED)
    {
      self->attempt = 0;
      set_state (self, ANX_FEED_CLIENT_CONNECTING);
      connect_attempt (self);
    }
}

/**
 * anx_feed_client_set_outbox:
 * @self: a client
 * @outbox: (nullable): writes to deliver while the feed is live
 */
void
anx_feed_client_set_outbox (AnxFeedClient *self,
                            AnxOutbox     *outbox)
{
  g_set_object (&self->outbox, outbox);
}

/**
 * anx_feed_client_set_watchdog:
 * @self: a client
 * @seconds: silence after which the connection counts as dead (the server
 *   sends a heartbeat every few seconds; libsoup 3.2 has no pong timeout)
 */
void
anx_feed_client_set_watchdog (AnxFeedClient *self,
                              guint          seconds)
{
  self->watchdog_s = MAX (seconds, 1);
}

/**
 * anx_feed_client_set_max_queue:
 * @self: a client
 * @events: events (and chain records) that may wait for the store before
 *   the client stops reading
 */
void
anx_feed_client_set_max_queue (AnxFeedClient *self,
                               guint          events)
{
  self->max_queue = MAX (events, FLUSH_EVENTS);
}

/**
 * anx_feed_client_set_backoff:
 * @self: a client
 * @initial_ms: the first reconnection delay
 * @max_ms: the largest
 */
void
anx_feed_client_set_backoff (AnxFeedClient *self,
                             guint          initial_ms,
                             guint          max_ms)
{
  self->backoff_initial_ms = MAX (initial_ms, 1);
  self->backoff_max_ms = MAX (max_ms, self->backoff_initial_ms);
}

/**
 * anx_feed_client_start:
 * @self: a client
 *
 * Connects, syncs and subscribes; keeps doing so until stopped.
 */
void
anx_feed_client_start (AnxFeedClient *self)
{
  g_autofree char *newest = NULL;

  if (self->running)
    return;
  self->running = TRUE;
  self->attempt = 0;
  self->cursor = anx_store_get_cursor (self->store);
  newest = anx_store_get_meta (self->store, "newest_time_us");
  if (newest != NULL)
    set_newest_time (self, g_ascii_strtoll (newest, NULL, 10));
  if (self->age_id == 0)
    self->age_id = g_timeout_add_seconds (1, on_age, self);
  connect_attempt (self);
}

/**
 * anx_feed_client_stop:
 * @self: a client
 *
 * Disconnects. What was received is still handed to the store.
 */
void
anx_feed_client_stop (AnxFeedClient *self)
{
  flush_batch (self);
  self->running = FALSE;
  stop_everything (self);
  g_clear_handle_id (&self->age_id, g_source_remove);
  set_state (self, ANX_FEED_CLIENT_STOPPED);
}

/**
 * anx_feed_client_get_state:
 * @self: a client
 *
 * Returns: the connection state
 */
AnxFeedClientState
anx_feed_client_get_state (AnxFeedClient *self)
{
  return self->state;
}

/**
 * anx_feed_client_get_last_error:
 * @self: a client
 *
 * Returns: (nullable): why the client is not live, in words
 */
const char *
anx_feed_client_get_last_error (AnxFeedClient *self)
{
  return self->last_error;
}

/**
 * anx_feed_client_get_next_attempt:
 * @self: a client
 *
 * Returns: the real time (µs) of the next reconnection attempt
 */
gint64
anx_feed_client_get_next_attempt (AnxFeedClient *self)
{
  return self->next_attempt;
}

/**
 * anx_feed_client_get_newest_time:
 * @self: a client
 *
 * Returns: the feed time (µs) of the newest data received, 0 if none
 */
gint64
anx_feed_client_get_newest_time (AnxFeedClient *self)
{
  return self->newest_time;
}

/**
 * anx_feed_client_get_data_age:
 * @self: a client
 *
 * Returns: seconds since the last frame from the feed, -1 before the first
 */
gint64
anx_feed_client_get_data_age (AnxFeedClient *self)
{
  if (self->last_message_mono == 0)
    return -1;
  return (g_get_monotonic_time () - self->last_message_mono) / G_USEC_PER_SEC;
}

/**
 * anx_feed_client_get_cursor:
 * @self: a client
 *
 * Returns: the last event handed to the store
 */
guint64
anx_feed_client_get_cursor (AnxFeedClient *self)
{
  return self->cursor;
}

/**
 * anx_feed_client_get_head:
 * @self: a client
 *
 * Returns: the server's head cursor, as last heard
 */
guint64
anx_feed_client_get_head (AnxFeedClient *self)
{
  return self->head;
}

/**
 * anx_feed_client_get_n_rejected_frames:
 * @self: a client
 *
 * Returns: frames refused (malformed, oversize, duplicate, out of order)
 */
guint
anx_feed_client_get_n_rejected_frames (AnxFeedClient *self)
{
  return self->n_rejected;
}

/**
 * anx_feed_client_get_session:
 * @self: a client
 *
 * Returns: (transfer none) (type Soup.Session): the HTTP session
 */
gpointer
anx_feed_client_get_session (AnxFeedClient *self)
{
  return self->session;
}

/**
 * anx_feed_client_get_uri:
 * @self: a client
 *
 * Returns: the feed's base address
 */
const char *
anx_feed_client_get_uri (AnxFeedClient *self)
{
  return self->uri;
}

/**
 * anx_feed_client_get_token:
 * @self: a client
 *
 * Returns: (nullable): the bearer token
 */
const char *
anx_feed_client_get_token (AnxFeedClient *self)
{
  return self->token;
}
