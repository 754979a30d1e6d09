/* anx-feed-server.c: the HTTP front of anxin-feedd
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-feed-server"

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "anx-feed-event.h"
#include "anx-feed-server.h"

/*
 * Every answer is JSON. Errors are {"error":{"code":…,"message":…}} with a
 * code from a fixed list, so clients branch on the code and show the
 * message. Messages are English protocol text, not translated UI.
 */

#define ERROR_UNAUTHORIZED "unauthorized"
#define ERROR_FORBIDDEN "forbidden"
#define ERROR_NOT_FOUND "not-found"
#define ERROR_BAD_REQUEST "bad-request"
#define ERROR_PAYLOAD_TOO_LARGE "payload-too-large"
#define ERROR_LENGTH_REQUIRED "length-required"
#define ERROR_METHOD_NOT_ALLOWED "method-not-allowed"
#define ERROR_INTERNAL "internal"
#define ERROR_INVALID "invalid"
#define ERROR_UNSUPPORTED_MEDIA_TYPE "unsupported-media-type"
#define ERROR_CURSOR_EXPIRED "cursor-expired"
#define ERROR_NOT_WEBSOCKET "websocket-required"

#define MAX_ID_DIGITS 18 /* stays below G_MAXINT64 */
#define MAX_CODE_LENGTH 64

typedef enum
{
  ROUTE_NOT_FOUND,
  ROUTE_HEALTH,
  ROUTE_REGISTRY,
  ROUTE_CHARGER,
  ROUTE_ADMIN_TOKENS,
  ROUTE_CHAIN,
  ROUTE_EVENTS,
  ROUTE_ALARMS,
  ROUTE_ALARM_ACK,
  ROUTE_INSPECTIONS,
  ROUTE_STREAM,
  ROUTE_WHOAMI,
} Route;

/* How many events a subscriber reads from the log at a time while it
 * catches up; only then does it take live broadcasts. */
#define REPLAY_PAGE 500

typedef struct _Subscriber Subscriber;

/* A text frame waiting to be sent; events count against the queue bound,
 * control messages (hello, heartbeat) do not. */
typedef struct
{
  char *json;
  gboolean event;
} Frame;

static void
frame_free (gpointer data)
{
  Frame *frame = data;

  g_free (frame->json);
  g_free (frame);
}

struct _AnxFeedServer
{
  GObject parent_instance;

  SoupServer *soup;
  AnxFeedLedger *ledger;
  AnxFeedTokens *tokens;

  AnxFeedClock clock;
  gpointer clock_data;

  GPtrArray *subscribers;
  guint heartbeat_s;
  guint heartbeat_id;
  guint max_queue;

  char *tokens_path;
  gint64 tokens_mtime;
  gint64 tokens_size;
  guint tokens_watch_id;
};

struct _Subscriber
{
  AnxFeedServer *server; /* unowned: the server closes its subscribers first */
  SoupWebsocketConnection *connection;
  char *token;
  char *who;
  guint64 position; /* the last cursor queued */
  gboolean live;    /* caught up with the log: takes broadcasts */
  gboolean closing;
  GQueue queue;     /* Frames not yet handed to libsoup */
  guint n_events_queued;
  GSource *writable_source;
  guint pump_id;
};

G_DEFINE_FINAL_TYPE (AnxFeedServer, anx_feed_server, G_TYPE_OBJECT)

G_DEFINE_QUARK (anx-feed-server-error-quark, anx_feed_server_error)

static void subscriber_close (Subscriber *sub,
                              gushort     code,
                              const char *reason);
static void subscriber_free (Subscriber *sub);

static void
anx_feed_server_dispose (GObject *object)
{
  AnxFeedServer *self = ANX_FEED_SERVER (object);

  g_clear_handle_id (&self->heartbeat_id, g_source_remove);
  g_clear_handle_id (&self->tokens_watch_id, g_source_remove);
  if (self->subscribers != NULL)
    {
      while (self->subscribers->len > 0)
        {
          Subscriber *sub = self->subscribers->pdata[self->subscribers->len - 1];

          g_ptr_array_remove_index (self->subscribers, self->subscribers->len - 1);
          subscriber_close (sub, ANX_FEED_CLOSE_GOING_AWAY, "server stopping");
          subscriber_free (sub);
        }
      g_clear_pointer (&self->subscribers, g_ptr_array_unref);
    }
  g_clear_pointer (&self->tokens_path, g_free);

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_object (&self->ledger);
  g_clear_object (&self->tokens);

  G_OBJECT_CLASS (anx_feed_server_parent_class)->dispose (object);
}

static void
anx_feed_server_class_init (AnxFeedServerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = anx_feed_server_dispose;
}

static void
anx_feed_server_init (AnxFeedServer *self)
{
  self->subscribers = g_ptr_array_new ();
  self->heartbeat_s = ANX_FEED_SERVER_DEFAULT_HEARTBEAT_S;
  self->max_queue = ANX_FEED_SERVER_DEFAULT_MAX_QUEUE;
}

static gint64
feed_now (AnxFeedServer *self)
{
  if (self->clock != NULL)
    return self->clock (self->clock_data);
  return g_get_real_time ();
}

static char *
now_rfc3339 (void)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("+08:00");
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S%:z");
}

static void
respond_json (SoupServerMessage *msg,
              guint              status,
              JsonNode          *root)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  char *body = json_to_string (root, FALSE);
  gsize length = strlen (body);

  soup_server_message_set_status (msg, status, NULL);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body, length);
}

static void
respond_object (SoupServerMessage *msg,
                guint              status,
                JsonObject        *object)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (root, object);
  respond_json (msg, status, root);
}

/* clang-format off */
static void respond_error (SoupServerMessage *msg,
                           guint              status,
                           const char        *code,
                           const char        *format,
                           ...) G_GNUC_PRINTF (4, 5);
/* clang-format on */

static void
respond_error (SoupServerMessage *msg,
               guint              status,
               const char        *code,
               const char        *format,
               ...)
{
  g_autoptr(JsonObject) object = json_object_new ();
  JsonObject *error = json_object_new ();
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  json_object_set_string_member (error, "code", code);
  json_object_set_string_member (error, "message", message);
  json_object_set_object_member (object, "error", error);
  respond_object (msg, status, object);
}

/* Rejects oversized bodies from the headers alone, before libsoup reads the
 * body into memory; with "Expect: 100-continue" the client never sends it. */
static void
early_handler (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  switch (soup_message_headers_get_encoding (headers))
    {
    case SOUP_ENCODING_CONTENT_LENGTH:
      if (soup_message_headers_get_content_length (headers) > ANX_FEED_SERVER_MAX_BODY_BYTES)
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "Connection", "close");
          respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, ERROR_PAYLOAD_TOO_LARGE,
                         "Request bodies are limited to %d bytes", ANX_FEED_SERVER_MAX_BODY_BYTES);
          g_debug ("%s %s → 413", soup_server_message_get_method (msg), path);
        }
      break;

    case SOUP_ENCODING_CHUNKED:
      /* Without a length the limit could only be enforced after reading. */
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                    "close");
      respond_error (msg, SOUP_STATUS_LENGTH_REQUIRED, ERROR_LENGTH_REQUIRED,
                     "Request bodies must declare their Content-Length");
      break;

    case SOUP_ENCODING_UNRECOGNIZED:
    case SOUP_ENCODING_NONE:
    case SOUP_ENCODING_EOF:
    case SOUP_ENCODING_BYTERANGES:
    default:
      break;
    }
}

static gboolean
parse_id (const char *text,
          gint64     *id)
{
  gsize len = text != NULL ? strlen (text) : 0;
  guint64 value = 0;

  if (len == 0 || len > MAX_ID_DIGITS)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      value = value * 10 + (guint64) (text[i] - '0');
    }

  *id = (gint64) value;
  return TRUE;
}

/* Charger codes are short and plain: letters, digits and '-'. */
static gboolean
code_is_valid (const char *text)
{
  gsize len = strlen (text);

  if (len == 0 || len > MAX_CODE_LENGTH)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (text[i]) && text[i] != '-')
      return FALSE;

  return TRUE;
}

static Route
route_path (const char         *path,
            AnxFeedCollection  *collection,
            const char        **charger_id,
            char              **alarm_id)
{
  g_auto(GStrv) parts = NULL;
  guint n;

  if (!g_str_has_prefix (path, "/v1/"))
    return ROUTE_NOT_FOUND;

  parts = g_strsplit (path + strlen ("/v1/"), "/", -1);
  n = g_strv_length (parts);

  if (n == 1 && g_str_equal (parts[0], "health"))
    return ROUTE_HEALTH;

  if (n == 2 && g_str_equal (parts[0], "registry") &&
      anx_feed_collection_from_string (parts[1], collection))
    return ROUTE_REGISTRY;

  if (n == 2 && g_str_equal (parts[0], "chargers") && *parts[1] != '\0')
    {
      /* Points into @path, which outlives the request handling. */
      *charger_id = path + strlen ("/v1/chargers/");
      return ROUTE_CHARGER;
    }

  if (n == 2 && g_str_equal (parts[0], "admin") && g_str_equal (parts[1], "tokens"))
    return ROUTE_ADMIN_TOKENS;

  if (n == 3 && g_str_equal (parts[0], "chargers") && *parts[1] != '\0' &&
      g_str_equal (parts[2], "chain"))
    {
      *alarm_id = g_strdup (parts[1]); /* the charger, here */
      return ROUTE_CHAIN;
    }

  if (n == 1 && g_str_equal (parts[0], "events"))
    return ROUTE_EVENTS;
  if (n == 1 && g_str_equal (parts[0], "alarms"))
    return ROUTE_ALARMS;
  if (n == 3 && g_str_equal (parts[0], "alarms") && g_str_equal (parts[2], "ack"))
    {
      *alarm_id = g_strdup (parts[1]);
      return ROUTE_ALARM_ACK;
    }
  if (n == 1 && g_str_equal (parts[0], "inspections"))
    return ROUTE_INSPECTIONS;
  if (n == 1 && g_str_equal (parts[0], "stream"))
    return ROUTE_STREAM;
  if (n == 1 && g_str_equal (parts[0], "whoami"))
    return ROUTE_WHOAMI;

  return ROUTE_NOT_FOUND;
}

static AnxFeedRole
route_required_role (Route route)
{
  switch (route)
    {
    case ROUTE_HEALTH:
      return ANX_FEED_ROLE_NONE;
    case ROUTE_REGISTRY:
    case ROUTE_CHARGER:
    case ROUTE_CHAIN:
    case ROUTE_EVENTS:
    case ROUTE_ALARMS:
    case ROUTE_STREAM:
    case ROUTE_WHOAMI:
      return ANX_FEED_ROLE_VIEWER;
    case ROUTE_ALARM_ACK:
    case ROUTE_INSPECTIONS:
      return ANX_FEED_ROLE_INSPECTOR;
    case ROUTE_ADMIN_TOKENS:
      return ANX_FEED_ROLE_ADMIN;
    case ROUTE_NOT_FOUND:
    default:
      return ANX_FEED_ROLE_ADMIN;
    }
}

/* Returns %TRUE if the request may go on; otherwise the response is set. */
static gboolean
authorize (AnxFeedServer      *self,
           SoupServerMessage  *msg,
           AnxFeedRole         required,
           const char        **who,
           AnxFeedRole        *out_role)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");
  g_autofree char *token = NULL;
  AnxFeedRole role;

  *who = "-";
  if (required == ANX_FEED_ROLE_NONE)
    return TRUE;

  if (authorization == NULL || g_ascii_strncasecmp (authorization, "Bearer ", 7) != 0)
    {
      soup_message_headers_replace (response_headers, "WWW-Authenticate",
                                    "Bearer realm=\"anxin-feedd\"");
      respond_error (msg, SOUP_STATUS_UNAUTHORIZED, ERROR_UNAUTHORIZED,
                     "This endpoint needs an “Authorization: Bearer <token>” header");
      return FALSE;
    }

  token = g_strstrip (g_strdup (authorization + 7));
  if (!anx_feed_tokens_authenticate (self->tokens, token, &role, who))
    {
      *who = "-";
      soup_message_headers_replace (response_headers, "WWW-Authenticate",
                                    "Bearer realm=\"anxin-feedd\", error=\"invalid_token\"");
      respond_error (msg, SOUP_STATUS_UNAUTHORIZED, ERROR_UNAUTHORIZED,
                     "The bearer token is not valid");
      return FALSE;
    }

  *out_role = role;
  if (role < required)
    {
      respond_error (msg, SOUP_STATUS_FORBIDDEN, ERROR_FORBIDDEN,
                     "This endpoint needs the %s role; the token has the %s role",
                     anx_feed_role_to_string (required), anx_feed_role_to_string (role));
      return FALSE;
    }

  return TRUE;
}

/* Query parameters not in @allowed are refused, so a typo such as "limt"
 * does not silently fall back to a default. */
static gboolean
check_query_keys (SoupServerMessage *msg,
                  GHashTable        *query,
                  const char *const *allowed)
{
  GHashTableIter iter;
  gpointer key;

  if (query == NULL)
    return TRUE;

  g_hash_table_iter_init (&iter, query);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (!g_strv_contains (allowed, key))
        {
          respond_error (msg, SOUP_STATUS_BAD_REQUEST, ERROR_BAD_REQUEST,
                         "Unknown query parameter “%s”", (const char *) key);
          return FALSE;
        }
    }

  return TRUE;
}

static void
handle_health (AnxFeedServer     *self,
               SoupServerMessage *msg)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *now = now_rfc3339 ();
  JsonObject *registry;

  registry = anx_feed_ledger_describe_registry (self->ledger, &error);
  if (registry == NULL)
    {
      g_warning ("Health: %s", error->message);
      respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, ERROR_INTERNAL,
                     "The ledger could not be read");
      return;
    }

  json_object_set_string_member (object, "status", "ok");
  json_object_set_string_member (object, "service", "anxin-feedd");
  json_object_set_string_member (object, "version", PACKAGE_VERSION);
  json_object_set_int_member (object, "protocol_version", ANX_FEED_PROTOCOL_VERSION);
  json_object_set_string_member (object, "time", now);
  json_object_set_int_member (object, "cursor", anx_feed_ledger_get_head_cursor (self->ledger));
  json_object_set_object_member (object, "registry", registry);

  respond_object (msg, SOUP_STATUS_OK, object);
}

static void
handle_registry (AnxFeedServer     *self,
                 SoupServerMessage *msg,
                 AnxFeedCollection  collection,
                 GHashTable        *query)
{
  static const char *const allowed[] = { "after", "limit", NULL };
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  const char *after_text = NULL;
  const char *limit_text = NULL;
  gint64 after = 0;
  gint64 limit = ANX_FEED_SERVER_DEFAULT_PAGE;
  gint64 next_after = 0;
  gint64 cursor;
  JsonArray *items;

  if (!check_query_keys (msg, query, allowed))
    return;

  if (query != NULL)
    {
      after_text = g_hash_table_lookup (query, "after");
      limit_text = g_hash_table_lookup (query, "limit");
    }

  if (after_text != NULL && !parse_id (after_text, &after))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, ERROR_BAD_REQUEST,
                     "“after” must be a non-negative integer id or a “next” token");
      return;
    }

  if (limit_text != NULL &&
      (!parse_id (limit_text, &limit) || limit < 1 || limit > ANX_FEED_SERVER_MAX_PAGE))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, ERROR_BAD_REQUEST,
                     "“limit” must be an integer from 1 to %d", ANX_FEED_SERVER_MAX_PAGE);
      return;
    }

  /* Read the head first: the page then reflects at least that state. */
  cursor = anx_feed_ledger_get_head_cursor (self->ledger);
  items =
      anx_feed_ledger_list (self->ledger, collection, after, (guint) limit, &next_after, &error);
  if (items == NULL)
    {
      g_warning ("Registry page: %s", error->message);
      respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, ERROR_INTERNAL,
                     "The ledger could not be read");
      return;
    }

  object = json_object_new ();
  json_object_set_int_member (object, "cursor", cursor);
  json_object_set_int_member (object, "limit", limit);
  json_object_set_array_member (object, "items", items);
  if (next_after > 0)
    {
      g_autofree char *next = g_strdup_printf ("%" G_GINT64_FORMAT, next_after);

      json_object_set_string_member (object, "next", next);
    }
  else
    {
      json_object_set_null_member (object, "next");
    }

  respond_object (msg, SOUP_STATUS_OK, object);
}

static void
handle_charger (AnxFeedServer     *self,
                SoupServerMessage *msg,
                const char        *key,
                GHashTable        *query)
{
  static const char *const allowed[] = { NULL };
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *charger;
  gint64 cursor;
  gint64 id;

  if (!check_query_keys (msg, query, allowed))
    return;

  /* A charger is named by its id or by its code ("330106-0042-DC02"), the
   * form chain records use. */
  cursor = anx_feed_ledger_get_head_cursor (self->ledger);
  if (parse_id (key, &id))
    charger = anx_feed_ledger_get_charger (self->ledger, id, &error);
  else if (code_is_valid (key))
    charger = anx_feed_ledger_get_charger_by_code (self->ledger, key, &error);
  else
    {
      respond_error (msg, SOUP_STATUS_NOT_FOUND, ERROR_NOT_FOUND,
                     "A charger is named by its id or its code");
      return;
    }

  if (charger == NULL)
    {
      if (g_error_matches (error, ANX_FEED_LEDGER_ERROR, ANX_FEED_LEDGER_ERROR_NOT_FOUND))
        {
          respond_error (msg, SOUP_STATUS_NOT_FOUND, ERROR_NOT_FOUND, "%s", error->message);
          return;
        }

      g_warning ("Charger %s: %s", key, error->message);
      respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, ERROR_INTERNAL,
                     "The ledger could not be read");
      return;
    }

  object = json_object_new ();
  json_object_set_int_member (object, "cursor", cursor);
  json_object_set_object_member (object, "charger", charger);
  respond_object (msg, SOUP_STATUS_OK, object);
}

static void
handle_admin_tokens (AnxFeedServer     *self,
                     SoupServerMessage *msg,
                     GHashTable        *query)
{
  static const char *const allowed[] = { NULL };
  g_autoptr(JsonObject) object = NULL;
  JsonArray *tokens;
  guint n;

  if (!check_query_keys (msg, query, allowed))
    return;

  /* Names and roles only: the hashes stay in the file. */
  n = anx_feed_tokens_get_n_entries (self->tokens);
  tokens = json_array_sized_new (n);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *entry = json_object_new ();

      json_object_set_string_member (entry, "name", anx_feed_tokens_get_name (self->tokens, i));
      json_object_set_string_member (
          entry, "role", anx_feed_role_to_string (anx_feed_tokens_get_role (self->tokens, i)));
      json_array_add_object_element (tokens, entry);
    }

  object = json_object_new ();
  json_object_set_array_member (object, "tokens", tokens);
  respond_object (msg, SOUP_STATUS_OK, object);
}

/* The token's own name and role, so a console can say who marks an inspection. */
static void
handle_whoami (SoupServerMessage *msg,
               GHashTable        *query,
               const char        *who,
               AnxFeedRole        role)
{
  static const char *const allowed[] = { NULL };
  g_autoptr(JsonObject) object = NULL;

  if (!check_query_keys (msg, query, allowed))
    return;

  object = json_object_new ();
  json_object_set_string_member (object, "name", who);
  json_object_set_string_member (object, "role", anx_feed_role_to_string (role));
  respond_object (msg, SOUP_STATUS_OK, object);
}

static gboolean
parse_limit (SoupServerMessage *msg,
             GHashTable        *query,
             gint64            *limit)
{
  const char *text = query != NULL ? g_hash_table_lookup (query, "limit") : NULL;

  *limit = ANX_FEED_SERVER_DEFAULT_PAGE;
  if (text != NULL &&
      (!parse_id (text, limit) || *limit < 1 || *limit > ANX_FEED_SERVER_MAX_PAGE))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, ERROR_BAD_REQUEST,
                     "“limit” must be an integer from 1 to %d", ANX_FEED_SERVER_MAX_PAGE);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_query_id (SoupServerMessage *msg,
                GHashTable        *query,
                const char        *name,
                gint64            *value)
{
  const char *text = query != NULL ? g_hash_table_lookup (query, name) : NULL;

  *value = 0;
  if (text != NULL && !parse_id (text, value))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, ERROR_BAD_REQUEST,
                     "“%s” must be a non-negative integer of at most %d digits", name,
                     MAX_ID_DIGITS);
      return FALSE;
    }
  return TRUE;
}

static void
respond_internal (SoupServerMessage *msg,
                  const char        *what,
                  GError            *error)
{
  g_warning ("%s: %s", what, error->message);
  respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, ERROR_INTERNAL,
                 "The ledger could not be read or written");
}

static void
handle_chain (AnxFeedServer     *self,
              SoupServerMessage *msg,
              const char        *charger,
              GHashTable        *query)
{
  static const char *const allowed[] = { "from", "limit", NULL };
  g_autoptr(JsonObject) page = NULL;
  g_autoptr(GError) error = NULL;
  gint64 from = 0, limit = 0;
  gint64 cursor;

  if (!check_query_keys (msg, query, allowed) || !parse_query_id (msg, query, "from", &from) ||
      !parse_limit (msg, query, &limit))
    return;

  if (!parse_id (charger, &cursor) && !code_is_valid (charger))
    {
      respond_error (msg, SOUP_STATUS_NOT_FOUND, ERROR_NOT_FOUND,
                     "A charger is named by its id or its code");
      return;
    }

  cursor = anx_feed_ledger_get_head_cursor (self->ledger);
  page = anx_feed_ledger_get_chain_page (self->ledger, charger, (guint64) from, (guint) limit,
                                         &error);
  if (page == NULL)
    {
      if (g_error_matches (error, ANX_FEED_LEDGER_ERROR, ANX_FEED_LEDGER_ERROR_NOT_FOUND))
        respond_error (msg, SOUP_STATUS_NOT_FOUND, ERROR_NOT_FOUND, "%s", error->message);
      else
        respond_internal (msg, "Chain page", error);
      return;
    }

  json_object_set_int_member (page, "cursor", cursor);
  json_object_set_int_member (page, "from", from);
  json_object_set_int_member (page, "limit", limit);
  respond_object (msg, SOUP_STATUS_OK, page);
}

static void
handle_events (AnxFeedServer     *self,
               SoupServerMessage *msg,
               GHashTable        *query)
{
  static const char *const allowed[] = { "after", "limit", NULL };
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  GString *body;
  gint64 after = 0, limit = 0;
  gint64 head, oldest;

  if (!check_query_keys (msg, query, allowed) || !parse_query_id (msg, query, "after", &after) ||
      !parse_limit (msg, query, &limit))
    return;

  head = anx_feed_ledger_get_head_cursor (self->ledger);
  oldest = anx_feed_ledger_get_oldest_cursor (self->ledger);
  if (after > head)
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, ERROR_BAD_REQUEST,
                     "“after” is %" G_GINT64_FORMAT ", beyond the head %" G_GINT64_FORMAT, after,
                     head);
      return;
    }
  if (after < oldest - 1)
    {
      g_autoptr(JsonObject) object = json_object_new ();
      JsonObject *err = json_object_new ();
      g_autofree char *message =
          g_strdup_printf ("Events after %" G_GINT64_FORMAT " are no longer kept; the oldest is "
                           "%" G_GINT64_FORMAT ": re-sync from a snapshot",
                           after, oldest);

      json_object_set_string_member (err, "code", ERROR_CURSOR_EXPIRED);
      json_object_set_string_member (err, "message", message);
      json_object_set_int_member (err, "oldest", oldest);
      json_object_set_int_member (err, "head", head);
      json_object_set_object_member (object, "error", err);
      respond_object (msg, SOUP_STATUS_GONE, object);
      return;
    }

  entries = anx_feed_ledger_read_events (self->ledger, after, (guint) limit, &error);
  if (entries == NULL)
    {
      respond_internal (msg, "Events page", error);
      return;
    }

  /* The events are stored as the JSON text they are sent as. */
  body = g_string_sized_new (256 + entries->len * 512);
  g_string_append_printf (body,
                          "{\"cursor\":%" G_GINT64_FORMAT ",\"head\":%" G_GINT64_FORMAT
                          ",\"oldest\":%" G_GINT64_FORMAT ",\"limit\":%" G_GINT64_FORMAT
                          ",\"events\":[",
                          head, head, oldest, limit);
  for (guint i = 0; i < entries->len; i++)
    {
      AnxFeedLogEntry *entry = entries->pdata[i];

      if (i > 0)
        g_string_append_c (body, ',');
      g_string_append (body, entry->json);
    }
  g_string_append (body, "],\"next\":");
  if (entries->len == (guint) limit)
    g_string_append_printf (body, "\"%" G_GUINT64_FORMAT "\"}",
                            ((AnxFeedLogEntry *) entries->pdata[entries->len - 1])->cursor);
  else
    g_string_append (body, "null}");

  {
    SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
    gsize length = body->len;

    soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
    soup_message_headers_replace (headers, "Cache-Control", "no-store");
    soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                      g_string_free (body, FALSE), length);
  }
}

static void
handle_alarms (AnxFeedServer     *self,
               SoupServerMessage *msg,
               GHashTable        *query)
{
  static const char *const allowed[] = { "state", "after", "limit", NULL };
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  const char *state = query != NULL ? g_hash_table_lookup (query, "state") : NULL;
  gint64 after = 0, limit = 0, next_after = 0, cursor;
  JsonArray *items;

  if (!check_query_keys (msg, query, allowed) || !parse_query_id (msg, query, "after", &after) ||
      !parse_limit (msg, query, &limit))
    return;
  if (state != NULL && !g_str_equal (state, "open") && !g_str_equal (state, "all"))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, ERROR_BAD_REQUEST,
                     "“state” must be “open” or “all”");
      return;
    }

  cursor = anx_feed_ledger_get_head_cursor (self->ledger);
  items = anx_feed_ledger_list_alarms (self->ledger, state == NULL || g_str_equal (state, "open"),
                                       after, (guint) limit, &next_after, &error);
  if (items == NULL)
    {
      respond_internal (msg, "Alarms", error);
      return;
    }

  object = json_object_new ();
  json_object_set_int_member (object, "cursor", cursor);
  json_object_set_int_member (object, "limit", limit);
  json_object_set_array_member (object, "items", items);
  if (next_after > 0)
    {
      g_autofree char *next = g_strdup_printf ("%" G_GINT64_FORMAT, next_after);

      json_object_set_string_member (object, "next", next);
    }
  else
    json_object_set_null_member (object, "next");
  respond_object (msg, SOUP_STATUS_OK, object);
}

/* Field-level validation errors of a write: 422 with every bad field. */
typedef struct
{
  JsonArray *fields;
} Problems;

static void
problem (Problems   *problems,
         const char *field,
         const char *message)
{
  JsonObject *entry = json_object_new ();

  json_object_set_string_member (entry, "field", field);
  json_object_set_string_member (entry, "message", message);
  json_array_add_object_element (problems->fields, entry);
}

static void
respond_problems (SoupServerMessage *msg,
                  Problems          *problems)
{
  g_autoptr(JsonObject) object = json_object_new ();
  JsonObject *error = json_object_new ();

  json_object_set_string_member (error, "code", ERROR_INVALID);
  json_object_set_string_member (error, "message", "The request body has invalid fields");
  json_object_set_array_member (error, "fields", json_array_ref (problems->fields));
  json_object_set_object_member (object, "error", error);
  respond_object (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, object);
}

/* The JSON object of a write's body, or NULL with the response set. */
static JsonObject *
read_body (SoupServerMessage *msg,
           gboolean           optional)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);
  gsize length;
  const char *data;

  bytes = soup_message_body_flatten (body);
  data = g_bytes_get_data (bytes, &length);
  if (optional && length == 0)
    return json_object_new ();

  if (g_strcmp0 (content_type, "application/json") != 0)
    {
      respond_error (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, ERROR_UNSUPPORTED_MEDIA_TYPE,
                     "The body must be JSON, with “Content-Type: application/json”");
      return NULL;
    }

  if (length == 0 || !g_utf8_validate (data, (gssize) length, NULL) ||
      memchr (data, '\0', length) != NULL ||
      !json_parser_load_from_data (parser, data, (gssize) length, &error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, ERROR_BAD_REQUEST,
                     "The body is not a JSON object%s%s", error != NULL ? ": " : "",
                     error != NULL ? error->message : "");
      return NULL;
    }

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static const char *
body_string (JsonObject *body,
             const char *name,
             gboolean    required,
             gsize       max_length,
             Problems   *problems)
{
  JsonNode *node = json_object_get_member (body, name);
  const char *value;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        problem (problems, name, "is required");
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      problem (problems, name, "must be a string");
      return NULL;
    }
  value = json_node_get_string (node);
  if (required && *value == '\0')
    {
      problem (problems, name, "must not be empty");
      return NULL;
    }
  if (strlen (value) > max_length)
    {
      g_autofree char *text = g_strdup_printf ("must be at most %" G_GSIZE_FORMAT " bytes",
                                               max_length);

      problem (problems, name, text);
      return NULL;
    }
  return value;
}

static gboolean
check_body_members (JsonObject        *body,
                    const char *const *allowed,
                    Problems          *problems)
{
  g_autoptr(GList) members = json_object_get_members (body);
  gboolean ok = TRUE;

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      {
        problem (problems, l->data, "is not a member of this request");
        ok = FALSE;
      }
  return ok;
}

/* The key from the Idempotency-Key header or the body; they must agree. */
static const char *
idempotency_key (SoupServerMessage *msg,
                 JsonObject        *body,
                 gboolean           required,
                 Problems          *problems)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                     "Idempotency-Key");
  const char *member = body_string (body, "idempotency_key", FALSE, 128, problems);
  const char *key = member != NULL ? member : header;

  if (header != NULL && member != NULL && !g_str_equal (header, member))
    {
      problem (problems, "idempotency_key", "differs from the Idempotency-Key header");
      return NULL;
    }
  if (key == NULL || *key == '\0')
    {
      if (required)
        problem (problems, "idempotency_key",
                 "is required (in the body or the Idempotency-Key header)");
      return NULL;
    }
  if (strlen (key) > 128)
    {
      problem (problems, "idempotency_key", "must be at most 128 bytes");
      return NULL;
    }
  for (const char *p = key; *p != '\0'; p++)
    if (*p < 0x21 || *p > 0x7e)
      {
        problem (problems, "idempotency_key", "must be printable ASCII without spaces");
        return NULL;
      }
  return key;
}

static char **
body_seals (JsonObject *body,
            const char *name,
            Problems   *problems)
{
  JsonNode *node = json_object_get_member (body, name);
  g_autoptr(GPtrArray) seals = g_ptr_array_new_with_free_func (g_free);
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      g_ptr_array_add (seals, NULL);
      return (char **) g_ptr_array_free (g_steal_pointer (&seals), FALSE);
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      problem (problems, name, "must be an array of seal numbers");
      return NULL;
    }
  array = json_node_get_array (node);
  if (json_array_get_length (array) > 32)
    {
      problem (problems, name, "must hold at most 32 seal numbers");
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      const char *value;

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING ||
          *(value = json_node_get_string (element)) == '\0' || strlen (value) > 64)
        {
          problem (problems, name, "must hold non-empty strings of at most 64 bytes");
          return NULL;
        }
      g_ptr_array_add (seals, g_strdup (value));
    }
  g_ptr_array_add (seals, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&seals), FALSE);
}

static void
broadcast_and_free (AnxFeedServer *self,
                    GPtrArray     *events)
{
  if (events != NULL)
    {
      anx_feed_server_broadcast (self, events);
      g_ptr_array_unref (events);
    }
}

static void
handle_inspections (AnxFeedServer     *self,
                    SoupServerMessage *msg,
                    GHashTable        *query,
                    const char        *who)
{
  static const char *const allowed_query[] = { NULL };
  static const char *const allowed[] = { "charger",      "inspector",     "result",
                                         "inspected_at", "measured_error_bp", "seals_removed",
                                         "seals_applied", "notes",        "idempotency_key",
                                         NULL };
  static const char *const results[] = { "", "pass", "fail", "meter_replaced", "sealed",
                                         "suspended", NULL };
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonObject) response = NULL;
  g_autoptr(GDateTime) inspected_at = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *charger_text = NULL;
  g_auto(GStrv) removed = NULL;
  g_auto(GStrv) applied = NULL;
  g_autoptr(GPtrArray) events = NULL;
  Problems problems = { json_array_new () };
  AnxFeedInspection inspection = { 0 };
  const char *result_text;
  JsonNode *node;
  gboolean created = FALSE;
  gint64 now = feed_now (self);

  if (!check_query_keys (msg, query, allowed_query))
    goto out;
  body = read_body (msg, FALSE);
  if (body == NULL)
    goto out;

  check_body_members (body, allowed, &problems);

  node = json_object_get_member (body, "charger");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_INT64)
    charger_text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  else
    charger_text = g_strdup (body_string (body, "charger", TRUE, MAX_CODE_LENGTH, &problems));
  if (charger_text != NULL && anx_feed_ledger_find_charger (self->ledger, charger_text) == 0)
    problem (&problems, "charger", "no charger has this id or code");
  inspection.charger = charger_text;

  inspection.inspector = body_string (body, "inspector", TRUE, 256, &problems);

  result_text = body_string (body, "result", TRUE, 32, &problems);
  if (result_text != NULL)
    {
      g_autofree char *normal = g_strdelimit (g_strdup (result_text), "-", '_');
      int index = -1;

      for (int i = 1; results[i] != NULL; i++)
        if (g_str_equal (results[i], normal))
          index = i;
      if (index < 0)
        problem (&problems, "result",
                 "must be pass, fail, meter_replaced (or meter-replaced), sealed or suspended");
      else
        inspection.result = (AnxInspectionResult) index;
    }

  {
    const char *text = body_string (body, "inspected_at", FALSE, 64, &problems);

    if (text != NULL)
      {
        g_autoptr(GError) time_error = NULL;

        inspected_at = anx_chain_parse_time (text, &time_error);
        if (inspected_at == NULL)
          problem (&problems, "inspected_at", "must be an RFC 3339 time with an offset");
      }
    else
      {
        g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("+08:00");
        g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (now / G_USEC_PER_SEC);

        inspected_at = g_date_time_to_timezone (utc, tz);
      }
  }
  inspection.inspected_at = inspected_at;

  node = json_object_get_member (body, "measured_error_bp");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
          json_node_get_int (node) < -100000 || json_node_get_int (node) > 100000)
        problem (&problems, "measured_error_bp",
                 "must be an integer of basis points from -100000 to 100000, or null");
      else
        {
          inspection.measured = TRUE;
          inspection.measured_error_bp = (gint32) json_node_get_int (node);
        }
    }

  removed = body_seals (body, "seals_removed", &problems);
  applied = body_seals (body, "seals_applied", &problems);
  inspection.seals_removed = (const char *const *) removed;
  inspection.seals_applied = (const char *const *) applied;
  inspection.notes = body_string (body, "notes", FALSE, 4096, &problems);
  inspection.idempotency_key = idempotency_key (msg, body, TRUE, &problems);

  if (json_array_get_length (problems.fields) > 0)
    {
      respond_problems (msg, &problems);
      goto out;
    }

  response = anx_feed_ledger_add_inspection (self->ledger, &inspection, who, now, &created,
                                             &events, &error);
  if (response == NULL)
    {
      if (g_error_matches (error, ANX_FEED_LEDGER_ERROR, ANX_FEED_LEDGER_ERROR_NOT_FOUND))
        {
          problem (&problems, "charger", error->message);
          respond_problems (msg, &problems);
        }
      else
        respond_internal (msg, "Inspection", error);
      goto out;
    }

  /* Answered only now: the transaction is committed. */
  respond_object (msg, created ? SOUP_STATUS_CREATED : SOUP_STATUS_OK, response);
  broadcast_and_free (self, g_steal_pointer (&events));

out:
  json_array_unref (problems.fields);
}

static void
handle_alarm_ack (AnxFeedServer     *self,
                  SoupServerMessage *msg,
                  const char        *alarm_text,
                  GHashTable        *query,
                  const char        *who)
{
  static const char *const allowed_query[] = { NULL };
  static const char *const allowed[] = { "note", "idempotency_key", NULL };
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonObject) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  Problems problems = { json_array_new () };
  const char *note, *key;
  gboolean created = FALSE;
  gint64 alarm_id;

  if (!parse_id (alarm_text, &alarm_id))
    {
      respond_error (msg, SOUP_STATUS_NOT_FOUND, ERROR_NOT_FOUND, "Alarms are named by their id");
      goto out;
    }
  if (!check_query_keys (msg, query, allowed_query))
    goto out;
  body = read_body (msg, TRUE);
  if (body == NULL)
    goto out;

  check_body_members (body, allowed, &problems);
  note = body_string (body, "note", FALSE, 4096, &problems);
  key = idempotency_key (msg, body, FALSE, &problems);
  if (json_array_get_length (problems.fields) > 0)
    {
      respond_problems (msg, &problems);
      goto out;
    }

  response = anx_feed_ledger_acknowledge_alarm (self->ledger, alarm_id, who, note, key,
                                                feed_now (self), &created, &events, &error);
  if (response == NULL)
    {
      if (g_error_matches (error, ANX_FEED_LEDGER_ERROR, ANX_FEED_LEDGER_ERROR_NOT_FOUND))
        respond_error (msg, SOUP_STATUS_NOT_FOUND, ERROR_NOT_FOUND, "%s", error->message);
      else
        respond_internal (msg, "Acknowledgement", error);
      goto out;
    }

  respond_object (msg, SOUP_STATUS_OK, response);
  broadcast_and_free (self, g_steal_pointer (&events));

out:
  json_array_unref (problems.fields);
}

/* Before the upgrade: the token is checked (by the caller), the cursor
 * parsed. Leaving the status unset lets libsoup complete the handshake. */
static void
handle_stream_request (AnxFeedServer     *self,
                       SoupServerMessage *msg,
                       GHashTable        *query)
{
  static const char *const allowed[] = { "after", NULL };
  gint64 after = 0;

  if (!check_query_keys (msg, query, allowed) || !parse_query_id (msg, query, "after", &after))
    return;

  if (after > anx_feed_ledger_get_head_cursor (self->ledger))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, ERROR_BAD_REQUEST,
                     "“after” is beyond the head %" G_GINT64_FORMAT,
                     anx_feed_ledger_get_head_cursor (self->ledger));
      return;
    }

  if (!soup_websocket_server_check_handshake (msg, NULL, NULL, NULL, NULL))
    respond_error (msg, SOUP_STATUS_BAD_REQUEST, ERROR_NOT_WEBSOCKET,
                   "This endpoint speaks WebSocket: send an upgrade request");
}

static gboolean
route_allows (Route       route,
              const char *method,
              const char **allow)
{
  switch (route)
    {
    case ROUTE_ALARM_ACK:
    case ROUTE_INSPECTIONS:
      *allow = "POST";
      return method == SOUP_METHOD_POST;
    case ROUTE_STREAM:
      *allow = "GET";
      return method == SOUP_METHOD_GET;
    case ROUTE_HEALTH:
    case ROUTE_REGISTRY:
    case ROUTE_CHARGER:
    case ROUTE_ADMIN_TOKENS:
    case ROUTE_CHAIN:
    case ROUTE_EVENTS:
    case ROUTE_ALARMS:
    case ROUTE_WHOAMI:
    case ROUTE_NOT_FOUND:
    default:
      *allow = "GET, HEAD";
      return method == SOUP_METHOD_GET || method == SOUP_METHOD_HEAD;
    }
}

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  AnxFeedServer *self = ANX_FEED_SERVER (user_data);
  const char *method = soup_server_message_get_method (msg);
  AnxFeedCollection collection = ANX_FEED_COLLECTION_OPERATORS;
  const char *charger_id = NULL;
  g_autofree char *item = NULL;
  const char *who = "-";
  const char *allow = NULL;
  AnxFeedRole role = ANX_FEED_ROLE_NONE;
  Route route;

  route = route_path (path, &collection, &charger_id, &item);

  if (route == ROUTE_NOT_FOUND)
    respond_error (msg, SOUP_STATUS_NOT_FOUND, ERROR_NOT_FOUND, "No endpoint at “%s”", path);
  else if (!authorize (self, msg, route_required_role (route), &who, &role))
    ; /* the response is set */
  else if (!route_allows (route, method, &allow))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    allow);
      respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, ERROR_METHOD_NOT_ALLOWED,
                     "%s is not allowed here; use %s", method, allow);
    }
  else
    {
      switch (route)
        {
        case ROUTE_HEALTH:
          handle_health (self, msg);
          break;
        case ROUTE_REGISTRY:
          handle_registry (self, msg, collection, query);
          break;
        case ROUTE_CHARGER:
          handle_charger (self, msg, charger_id, query);
          break;
        case ROUTE_ADMIN_TOKENS:
          handle_admin_tokens (self, msg, query);
          break;
        case ROUTE_CHAIN:
          handle_chain (self, msg, item, query);
          break;
        case ROUTE_EVENTS:
          handle_events (self, msg, query);
          break;
        case ROUTE_ALARMS:
          handle_alarms (self, msg, query);
          break;
        case ROUTE_ALARM_ACK:
          handle_alarm_ack (self, msg, item, query, who);
          break;
        case ROUTE_INSPECTIONS:
          handle_inspections (self, msg, query, who);
          break;
        case ROUTE_STREAM:
          handle_stream_request (self, msg, query);
          break;
        case ROUTE_WHOAMI:
          handle_whoami (msg, query, who, role);
          break;
        case ROUTE_NOT_FOUND:
        default:
          g_assert_not_reached ();
        }
    }

  g_debug ("%s %s → %u (%s)", method, path, soup_server_message_get_status (msg), who);
}

/* ------------------------------------------------------------------------ */
/* The stream                                                                */
/* ------------------------------------------------------------------------ */

static void subscriber_pump (Subscriber *sub);

static void
subscriber_free (Subscriber *sub)
{
  if (sub->writable_source != NULL)
    {
      g_source_destroy (sub->writable_source);
      g_clear_pointer (&sub->writable_source, g_source_unref);
    }
  g_clear_handle_id (&sub->pump_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (sub->connection, sub);
  g_clear_object (&sub->connection);
  g_queue_clear_full (&sub->queue, frame_free);
  if (sub->token != NULL)
    memset (sub->token, 0, strlen (sub->token));
  g_free (sub->token);
  g_free (sub->who);
  g_free (sub);
}

static void
subscriber_close (Subscriber *sub,
                  gushort     code,
                  const char *reason)
{
  if (sub->closing)
    return;
  sub->closing = TRUE;
  g_debug ("Stream of %s closed at cursor %" G_GUINT64_FORMAT ": %u %s", sub->who, sub->position,
           code, reason);
  g_queue_clear_full (&sub->queue, frame_free);
  g_queue_init (&sub->queue);
  sub->n_events_queued = 0;
  if (soup_websocket_connection_get_state (sub->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (sub->connection, code, reason);
}

static void
subscriber_remove (Subscriber *sub)
{
  AnxFeedServer *self = sub->server;

  if (self->subscribers != NULL && g_ptr_array_remove_fast (self->subscribers, sub))
    subscriber_free (sub);
}

static void
on_subscriber_closed (SoupWebsocketConnection *connection,
                      gpointer                 user_data)
{
  subscriber_remove (user_data);
}

static void
on_subscriber_message (SoupWebsocketConnection *connection,
                       gint                     type,
                       GBytes                  *message,
                       gpointer                 user_data)
{
  /* The stream is one-way; a client that talks is not one of ours. */
  subscriber_close (user_data, ANX_FEED_CLOSE_POLICY, "clients send no data frames");
}

static void
subscriber_enqueue (Subscriber *sub,
                    char       *json,
                    gboolean    is_event)
{
  Frame *frame = g_new (Frame, 1);

  frame->json = json;
  frame->event = is_event;
  g_queue_push_tail (&sub->queue, frame);
  if (is_event)
    sub->n_events_queued++;
}

static GPollableOutputStream *
subscriber_output (Subscriber *sub)
{
  GIOStream *io = soup_websocket_connection_get_io_stream (sub->connection);
  GOutputStream *out = io != NULL ? g_io_stream_get_output_stream (io) : NULL;

  if (out != NULL && G_IS_POLLABLE_OUTPUT_STREAM (out) &&
      g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (out)))
    return G_POLLABLE_OUTPUT_STREAM (out);
  return NULL;
}

static gboolean
on_subscriber_writable (GObject  *stream,
                        gpointer  user_data)
{
  Subscriber *sub = user_data;

  g_clear_pointer (&sub->writable_source, g_source_unref);
  subscriber_pump (sub);
  return G_SOURCE_REMOVE;
}

static gboolean
on_subscriber_pump (gpointer user_data)
{
  Subscriber *sub = user_data;

  sub->pump_id = 0;
  subscriber_pump (sub);
  return G_SOURCE_REMOVE;
}

/* Hands frames to libsoup while the socket takes them, so that what waits
 * for a slow client waits in our bounded queue, not in libsoup's; reads the
 * log page by page while the subscriber catches up. */
static void
subscriber_pump (Subscriber *sub)
{
  AnxFeedServer *self = sub->server;
  GPollableOutputStream *out;

  if (sub->closing || sub->writable_source != NULL ||
      soup_websocket_connection_get_state (sub->connection) != SOUP_WEBSOCKET_STATE_OPEN)
    return;

  out = subscriber_output (sub);

  for (guint sent = 0;; sent++)
    {
      Frame *frame;

      if (g_queue_is_empty (&sub->queue))
        {
          g_autoptr(GPtrArray) entries = NULL;
          g_autoptr(GError) error = NULL;

          if (sub->live)
            return;

          entries = anx_feed_ledger_read_events (self->ledger, (gint64) sub->position, REPLAY_PAGE,
                                                 &error);
          if (entries == NULL)
            {
              g_warning ("Stream replay: %s", error->message);
              subscriber_close (sub, SOUP_WEBSOCKET_CLOSE_SERVER_ERROR, "ledger error");
              return;
            }
          if (entries->len == 0)
            {
              /* Caught up with what is committed: from now on the
               * broadcasts bring the rest, in order. */
              sub->live = TRUE;
              return;
            }
          for (guint i = 0; i < entries->len; i++)
            {
              AnxFeedLogEntry *entry = entries->pdata[i];

              subscriber_enqueue (sub, g_steal_pointer (&entry->json), TRUE);
              sub->position = entry->cursor;
            }
        }

      if (out != NULL && !g_pollable_output_stream_is_writable (out))
        {
          sub->writable_source = g_pollable_output_stream_create_source (out, NULL);
          g_source_set_callback (sub->writable_source, G_SOURCE_FUNC (on_subscriber_writable), sub,
                                 NULL);
          g_source_attach (sub->writable_source, NULL);
          return;
        }

      /* Let the main loop breathe during a long replay. */
      if (!sub->live && sent >= 256)
        {
          if (sub->pump_id == 0)
            sub->pump_id = g_idle_add (on_subscriber_pump, sub);
          return;
        }

      frame = g_queue_pop_head (&sub->queue);
      if (frame->event)
        sub->n_events_queued--;
      soup_websocket_connection_send_text (sub->connection, frame->json);
      frame_free (frame);
    }
}

static void
send_control (Subscriber   *sub,
              AnxFeedEvent *event)
{
  subscriber_enqueue (sub, anx_feed_event_to_json (event), FALSE);
}

static char *
bearer_token (SoupServerMessage *msg)
{
  const char *authorization =
      soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");

  if (authorization == NULL || g_ascii_strncasecmp (authorization, "Bearer ", 7) != 0)
    return NULL;
  return g_strstrip (g_strdup (authorization + 7));
}

static void
websocket_handler (SoupServer              *server,
                   SoupServerMessage       *msg,
                   const char              *path,
                   SoupWebsocketConnection *connection,
                   gpointer                 user_data)
{
  AnxFeedServer *self = ANX_FEED_SERVER (user_data);
  GUri *uri = soup_server_message_get_uri (msg);
  const char *query_text = g_uri_get_query (uri);
  g_autoptr(GHashTable) query = NULL;
  g_autoptr(AnxFeedEvent) hello = NULL;
  const char *who = "-";
  const char *after_text = NULL;
  AnxFeedRole role;
  Subscriber *sub;
  gint64 after = 0;
  gint64 head = anx_feed_ledger_get_head_cursor (self->ledger);
  gint64 oldest = anx_feed_ledger_get_oldest_cursor (self->ledger);
  gint64 now = feed_now (self);

  if (query_text != NULL)
    {
      query = soup_form_decode (query_text);
      after_text = g_hash_table_lookup (query, "after");
    }
  if (after_text != NULL)
    parse_id (after_text, &after);

  sub = g_new0 (Subscriber, 1);
  sub->server = self;
  sub->connection = g_object_ref (connection);
  sub->token = bearer_token (msg);
  g_queue_init (&sub->queue);
  if (sub->token != NULL && anx_feed_tokens_authenticate (self->tokens, sub->token, &role, &who))
    sub->who = g_strdup (who);
  else
    sub->who = g_strdup ("-");
  sub->position = (guint64) after;
  g_ptr_array_add (self->subscribers, sub);

  soup_websocket_connection_set_max_incoming_payload_size (connection,
                                                          ANX_FEED_SERVER_MAX_INCOMING_FRAME);
  soup_websocket_connection_set_keepalive_interval (connection, 0);
  g_signal_connect (connection, "closed", G_CALLBACK (on_subscriber_closed), sub);
  g_signal_connect (connection, "message", G_CALLBACK (on_subscriber_message), sub);

  hello = anx_feed_event_new_hello (now, (guint64) head, (guint64) oldest);
  send_control (sub, hello);

  g_debug ("Stream of %s from cursor %" G_GINT64_FORMAT " (head %" G_GINT64_FORMAT
           ", oldest %" G_GINT64_FORMAT ")",
           sub->who, after, head, oldest);

  if (after < oldest - 1)
    {
      g_autoptr(AnxFeedEvent) resync =
          anx_feed_event_new_resync_required (now, (guint64) head, (guint64) oldest);

      send_control (sub, resync);
      sub->live = TRUE; /* nothing more to read */
      subscriber_pump (sub);
      /* The queued frames go out before the close frame. */
      subscriber_close (sub, ANX_FEED_CLOSE_RESYNC_REQUIRED, "resync-required");
      return;
    }

  subscriber_pump (sub);
}

static gboolean
on_heartbeat (gpointer user_data)
{
  AnxFeedServer *self = ANX_FEED_SERVER (user_data);
  g_autoptr(AnxFeedEvent) heartbeat = NULL;
  g_autofree char *json = NULL;

  if (self->subscribers->len == 0)
    return G_SOURCE_CONTINUE;

  heartbeat = anx_feed_event_new_heartbeat (feed_now (self),
                                            (guint64) anx_feed_ledger_get_head_cursor (self->ledger));
  json = anx_feed_event_to_json (heartbeat);
  for (guint i = 0; i < self->subscribers->len; i++)
    {
      Subscriber *sub = self->subscribers->pdata[i];

      if (sub->closing)
        continue;
      subscriber_enqueue (sub, g_strdup (json), FALSE);
      subscriber_pump (sub);
    }

  return G_SOURCE_CONTINUE;
}

/**
 * anx_feed_server_parse_address:
 * @text: `HOST:PORT` with an IPv4 literal, `[IPv6]:PORT`, or `localhost:PORT`
 * @error: return location for an #ANX_FEED_SERVER_ERROR
 *
 * Parses a `--listen` value. Port 0 asks the system for a free port.
 *
 * Returns: (transfer full): the address, or %NULL
 */
GSocketAddress *
anx_feed_server_parse_address (const char  *text,
                               GError     **error)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *host = NULL;
  const char *colon;
  gint64 port = -1;

  g_return_val_if_fail (text != NULL, NULL);

  colon = strrchr (text, ':');
  if (colon != NULL && parse_id (colon + 1, &port) && port <= 65535)
    {
      host = g_strndup (text, colon - text);
      if (host[0] == '[' && strlen (host) > 2 && host[strlen (host) - 1] == ']')
        {
          char *bare = g_strndup (host + 1, strlen (host) - 2);

          address = g_inet_address_new_from_string (bare);
          if (address != NULL && g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6)
            g_clear_object (&address);
          g_free (bare);
        }
      else if (g_ascii_strcasecmp (host, "localhost") == 0)
        {
          address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
        }
      else
        {
          address = g_inet_address_new_from_string (host);
          if (address != NULL && g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV4)
            g_clear_object (&address);
        }
    }

  if (address == NULL)
    {
      g_set_error (error, ANX_FEED_SERVER_ERROR, ANX_FEED_SERVER_ERROR_BAD_ADDRESS,
                   _("“%s” is not an address to listen on; use 127.0.0.1:PORT or [::1]:PORT"),
                   text);
      return NULL;
    }

  return g_inet_socket_address_new (address, (guint16) port);
}

/**
 * anx_feed_server_new:
 * @ledger: the ledger to serve
 * @tokens: the tokens that may read it
 *
 * Returns: (transfer full): a server, not yet listening
 */
AnxFeedServer *
anx_feed_server_new (AnxFeedLedger *ledger,
                     AnxFeedTokens *tokens)
{
  AnxFeedServer *self;

  g_return_val_if_fail (ANX_IS_FEED_LEDGER (ledger), NULL);
  g_return_val_if_fail (ANX_IS_FEED_TOKENS (tokens), NULL);

  self = g_object_new (ANX_TYPE_FEED_SERVER, NULL);
  self->ledger = g_object_ref (ledger);
  self->tokens = g_object_ref (tokens);
  self->soup = soup_server_new ("server-header", "anxin-feedd/" PACKAGE_VERSION, NULL);

  soup_server_add_early_handler (self->soup, NULL, early_handler, self, NULL);
  soup_server_add_handler (self->soup, NULL, handler, self, NULL);
  /* The stream's own entry needs the normal handler too: it checks the
   * token and the cursor before libsoup accepts the upgrade. */
  soup_server_add_handler (self->soup, "/v1/stream", handler, self, NULL);
  soup_server_add_websocket_handler (self->soup, "/v1/stream", NULL, NULL, websocket_handler, self,
                                     NULL);
  self->heartbeat_id = g_timeout_add_seconds (self->heartbeat_s, on_heartbeat, self);

  return self;
}

/**
 * anx_feed_server_listen:
 * @self: the server
 * @address: where to listen
 * @certificate: (nullable): a TLS certificate with its private key, for https
 * @allow_insecure_remote: permit plain http on an address that is not loopback
 * @error: return location for a #GError
 *
 * Starts listening. Plain http is refused on anything but a loopback
 * address unless @allow_insecure_remote is set, because bearer tokens would
 * cross the network in clear.
 *
 * Returns: %TRUE on success
 */
gboolean
anx_feed_server_listen (AnxFeedServer    *self,
                        GSocketAddress   *address,
                        GTlsCertificate  *certificate,
                        gboolean          allow_insecure_remote,
                        GError          **error)
{
  SoupServerListenOptions options = 0;
  GInetAddress *inet;

  g_return_val_if_fail (ANX_IS_FEED_SERVER (self), FALSE);
  g_return_val_if_fail (G_IS_INET_SOCKET_ADDRESS (address), FALSE);

  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));

  if (certificate != NULL)
    {
      soup_server_set_tls_certificate (self->soup, certificate);
      options |= SOUP_SERVER_LISTEN_HTTPS;
    }
  else if (!g_inet_address_get_is_loopback (inet))
    {
      g_autofree char *host = g_inet_address_to_string (inet);

      if (!allow_insecure_remote)
        {
          g_set_error (error, ANX_FEED_SERVER_ERROR, ANX_FEED_SERVER_ERROR_INSECURE,
                       _("Refusing plain HTTP on %s, which is not a loopback address: give "
                          "--tls-cert and --tls-key, or --allow-insecure-remote"),
                       host);
          return FALSE;
        }

      g_warning ("Serving plain HTTP on %s: bearer tokens cross the network in clear", host);
    }

  return soup_server_listen (self->soup, address, options, error);
}

/**
 * anx_feed_server_get_uri:
 * @self: a listening server
 *
 * Returns: (transfer full) (nullable): the base address actually bound,
 *   e.g. `http://127.0.0.1:43121`, with the real port when 0 was asked for
 */
char *
anx_feed_server_get_uri (AnxFeedServer *self)
{
  GSList *uris;
  char *text = NULL;

  g_return_val_if_fail (ANX_IS_FEED_SERVER (self), NULL);

  uris = soup_server_get_uris (self->soup);
  if (uris != NULL)
    {
      text = g_uri_to_string (uris->data);
      if (g_str_has_suffix (text, "/"))
        text[strlen (text) - 1] = '\0';
    }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return text;
}

/**
 * anx_feed_server_disconnect:
 * @self: the server
 *
 * Closes the listening sockets and the open connections.
 */
void
anx_feed_server_disconnect (AnxFeedServer *self)
{
  g_return_if_fail (ANX_IS_FEED_SERVER (self));

  while (self->subscribers->len > 0)
    {
      Subscriber *sub = self->subscribers->pdata[self->subscribers->len - 1];

      g_ptr_array_remove_index (self->subscribers, self->subscribers->len - 1);
      subscriber_close (sub, ANX_FEED_CLOSE_GOING_AWAY, "server stopping");
      subscriber_free (sub);
    }
  soup_server_disconnect (self->soup);
}

/**
 * anx_feed_server_set_clock:
 * @self: the server
 * @clock: (nullable): the feed's clock, or %NULL for the real time
 * @user_data: for @clock
 *
 * Sets the time the server stamps writes and control messages with.
 */
void
anx_feed_server_set_clock (AnxFeedServer *self,
                           AnxFeedClock   clock,
                           gpointer       user_data)
{
  g_return_if_fail (ANX_IS_FEED_SERVER (self));

  self->clock = clock;
  self->clock_data = user_data;
}

/**
 * anx_feed_server_set_heartbeat_interval:
 * @self: the server
 * @seconds: the stream's heartbeat period, at least 1
 */
void
anx_feed_server_set_heartbeat_interval (AnxFeedServer *self,
                                        guint          seconds)
{
  g_return_if_fail (ANX_IS_FEED_SERVER (self));
  g_return_if_fail (seconds > 0);

  self->heartbeat_s = seconds;
  g_clear_handle_id (&self->heartbeat_id, g_source_remove);
  self->heartbeat_id = g_timeout_add_seconds (seconds, on_heartbeat, self);
}

/**
 * anx_feed_server_set_max_queue:
 * @self: the server
 * @events: how many events may wait for one subscriber before it is closed
 *   with %ANX_FEED_CLOSE_TOO_SLOW
 */
void
anx_feed_server_set_max_queue (AnxFeedServer *self,
                               guint          events)
{
  g_return_if_fail (ANX_IS_FEED_SERVER (self));

  self->max_queue = MAX (events, 1);
}

/**
 * anx_feed_server_broadcast:
 * @self: the server
 * @entries: (element-type AnxFeedLogEntry): committed events in cursor order
 *
 * Sends the events to every subscriber that has caught up with the log.
 * One that would have more than the queue bound waiting is closed with
 * %ANX_FEED_CLOSE_TOO_SLOW; it resumes from its last cursor.
 */
void
anx_feed_server_broadcast (AnxFeedServer *self,
                           GPtrArray     *entries)
{
  g_return_if_fail (ANX_IS_FEED_SERVER (self));

  if (entries == NULL || entries->len == 0)
    return;

  for (guint i = 0; i < self->subscribers->len; i++)
    {
      Subscriber *sub = self->subscribers->pdata[i];

      if (sub->closing || !sub->live)
        continue;

      for (guint j = 0; j < entries->len; j++)
        {
          AnxFeedLogEntry *entry = entries->pdata[j];

          if (entry->cursor <= sub->position)
            continue;
          subscriber_enqueue (sub, g_strdup (entry->json), TRUE);
          sub->position = entry->cursor;
        }

      /* What the socket takes now does not count against the bound. */
      subscriber_pump (sub);
      if (sub->n_events_queued > self->max_queue)
        subscriber_close (sub, ANX_FEED_CLOSE_TOO_SLOW, "too slow");
    }
}

/**
 * anx_feed_server_get_n_subscribers:
 * @self: the server
 *
 * Returns: how many streams are open
 */
guint
anx_feed_server_get_n_subscribers (AnxFeedServer *self)
{
  g_return_val_if_fail (ANX_IS_FEED_SERVER (self), 0);

  return self->subscribers->len;
}

static gboolean
stat_tokens (AnxFeedServer *self,
             gint64        *mtime,
             gint64        *size)
{
  GStatBuf st;

  if (self->tokens_path == NULL || g_stat (self->tokens_path, &st) != 0)
    return FALSE;
  *mtime = (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
  *size = (gint64) st.st_size;
  return TRUE;
}

/**
 * anx_feed_server_reload_tokens:
 * @self: the server
 * @error: return location for a #GError
 *
 * Reads the tokens file again (SIGHUP, or its modification seen). Streams
 * whose token is gone, or no longer has a role, are closed with
 * %ANX_FEED_CLOSE_UNAUTHORIZED. A file that does not parse keeps the
 * tokens as they were.
 *
 * Returns: %TRUE if the file was read
 */
gboolean
anx_feed_server_reload_tokens (AnxFeedServer  *self,
                               GError        **error)
{
  g_autoptr(AnxFeedTokens) tokens = NULL;

  g_return_val_if_fail (ANX_IS_FEED_SERVER (self), FALSE);

  if (self->tokens_path == NULL)
    return TRUE;

  stat_tokens (self, &self->tokens_mtime, &self->tokens_size);
  tokens = anx_feed_tokens_load (self->tokens_path, error);
  if (tokens == NULL)
    return FALSE;

  g_set_object (&self->tokens, tokens);
  g_message ("Reloaded the tokens file %s: %u tokens", self->tokens_path,
             anx_feed_tokens_get_n_entries (tokens));

  for (guint i = 0; i < self->subscribers->len; i++)
    {
      Subscriber *sub = self->subscribers->pdata[i];
      AnxFeedRole role = ANX_FEED_ROLE_NONE;
      const char *who = NULL;

      if (sub->token == NULL || !anx_feed_tokens_authenticate (tokens, sub->token, &role, &who) ||
          role < ANX_FEED_ROLE_VIEWER)
        subscriber_close (sub, ANX_FEED_CLOSE_UNAUTHORIZED, "token revoked");
    }

  return TRUE;
}

static gboolean
on_tokens_watch (gpointer user_data)
{
  AnxFeedServer *self = ANX_FEED_SERVER (user_data);
  gint64 mtime = 0, size = 0;

  if (stat_tokens (self, &mtime, &size) && (mtime != self->tokens_mtime || size != self->tokens_size))
    {
      g_autoptr(GError) error = NULL;

      if (!anx_feed_server_reload_tokens (self, &error))
        g_warning ("The tokens file changed but cannot be used; keeping the tokens: %s",
                   error->message);
    }

  return G_SOURCE_CONTINUE;
}

/**
 * anx_feed_server_watch_tokens:
 * @self: the server
 * @path: the tokens file the server's tokens came from
 *
 * Re-reads the file when its modification time or size changes (checked
 * every second), as anx_feed_server_reload_tokens() does on SIGHUP.
 */
void
anx_feed_server_watch_tokens (AnxFeedServer *self,
                              const char    *path)
{
  g_return_if_fail (ANX_IS_FEED_SERVER (self));

  g_free (self->tokens_path);
  self->tokens_path = g_strdup (path);
  stat_tokens (self, &self->tokens_mtime, &self->tokens_size);
  g_clear_handle_id (&self->tokens_watch_id, g_source_remove);
  self->tokens_watch_id = g_timeout_add_seconds (1, on_tokens_watch, self);
}
