/* anx-feed-server.c: the HTTP front of anxin-feedd
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-feed-server"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <libsoup/soup.h>

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

#define MAX_ID_DIGITS 18 /* stays below G_MAXINT64 */
#define MAX_CODE_LENGTH 64

typedef enum
{
  ROUTE_NOT_FOUND,
  ROUTE_HEALTH,
  ROUTE_REGISTRY,
  ROUTE_CHARGER,
  ROUTE_ADMIN_TOKENS,
} Route;

struct _AnxFeedServer
{
  GObject parent_instance;

  SoupServer *soup;
  AnxFeedLedger *ledger;
  AnxFeedTokens *tokens;
};

G_DEFINE_FINAL_TYPE (AnxFeedServer, anx_feed_server, G_TYPE_OBJECT)

G_DEFINE_QUARK (anx-feed-server-error-quark, anx_feed_server_error)

static void
anx_feed_server_dispose (GObject *object)
{
  AnxFeedServer *self = ANX_FEED_SERVER (object);

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
            const char        **charger_id)
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
      return ANX_FEED_ROLE_VIEWER;
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
           const char        **who)
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
  const char *who = "-";
  Route route;

  route = route_path (path, &collection, &charger_id);

  if (route == ROUTE_NOT_FOUND)
    respond_error (msg, SOUP_STATUS_NOT_FOUND, ERROR_NOT_FOUND, "No endpoint at “%s”", path);
  else if (!authorize (self, msg, route_required_role (route), &who))
    ; /* the response is set */
  else if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    "GET, HEAD");
      respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, ERROR_METHOD_NOT_ALLOWED,
                     "%s is not allowed here; use GET", method);
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
        case ROUTE_NOT_FOUND:
        default:
          g_assert_not_reached ();
        }
    }

  g_debug ("%s %s → %u (%s)", method, path, soup_server_message_get_status (msg), who);
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

  soup_server_disconnect (self->soup);
}
