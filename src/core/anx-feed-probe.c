/* anx-feed-probe.c: try a feed address and token before using them
 *
 * The welcome page and the preferences test what the officer typed: the
 * address answers `GET /v1/health` as an Anxin feed of the protocol version
 * this console speaks, and the token is accepted by `GET
 * /v1/registry/operators?limit=1`. Each way this can fail is its own error
 * code, so that the window can say what to fix.
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-feed-probe"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "anx-feed-probe.h"
#include "anx-feed-uri.h"

/* A health answer is a small object; anything larger is not one. */
#define MAX_BODY (64 * 1024)

G_DEFINE_QUARK (anx-feed-probe-error-quark, anx_feed_probe_error)

typedef struct
{
  SoupSession *session;
  char        *uri;
  char        *token;
  char        *server_version;
} Probe;

static void
probe_free (Probe *probe)
{
  g_clear_object (&probe->session);
  g_free (probe->uri);
  g_free (probe->token);
  g_free (probe->server_version);
  g_free (probe);
}

static void
set_transport_error (GTask  *task,
                     GError *error)
{
  Probe *probe = g_task_get_task_data (task);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, g_error_copy (error));
  else if (error->domain == G_TLS_ERROR)
    g_task_return_new_error (task, ANX_FEED_PROBE_ERROR, ANX_FEED_PROBE_ERROR_CERTIFICATE,
                             /* Translators: %1$s is the feed's address, %2$s the reason */
                             _("The certificate of %1$s is not trusted: %2$s"), probe->uri,
                             error->message);
  else
    g_task_return_new_error (task, ANX_FEED_PROBE_ERROR, ANX_FEED_PROBE_ERROR_UNREACHABLE,
                             /* Translators: %1$s is the feed's address, %2$s the reason */
                             _("Cannot reach %1$s: %2$s"), probe->uri, error->message);
}

static void
on_operators_read (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Probe *probe = g_task_get_task_data (task);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (body == NULL)
    {
      set_transport_error (task, error);
      return;
    }

  status = soup_message_get_status (msg);
  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    g_task_return_new_error (task, ANX_FEED_PROBE_ERROR, ANX_FEED_PROBE_ERROR_UNAUTHORIZED, "%s",
                             status == SOUP_STATUS_UNAUTHORIZED
                               ? _("The feed refused the access token: it is wrong, revoked or "
                                   "expired")
                               : _("The access token may not read the registry: ask for a "
                                   "viewer token"));
  else if (status != SOUP_STATUS_OK)
    g_task_return_new_error (task, ANX_FEED_PROBE_ERROR, ANX_FEED_PROBE_ERROR_INCOMPATIBLE,
                             /* Translators: %u is an HTTP status code such as 404 */
                             _("The feed answered the registry with HTTP %u"), status);
  else
    g_task_return_pointer (task, g_steal_pointer (&probe->server_version), g_free);
}

static gboolean
check_health (Probe        *probe,
              SoupMessage  *msg,
              GBytes       *body,
              GError      **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *object;
  JsonNode *version;
  gint64 protocol;

  if (soup_message_get_status (msg) != SOUP_STATUS_OK ||
      g_bytes_get_size (body) > MAX_BODY ||
      !json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                   (gssize) g_bytes_get_size (body), NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (version = json_object_get_member (object = json_node_get_object (root),
                                         "protocol_version")) == NULL ||
      json_node_get_value_type (version) != G_TYPE_INT64)
    {
      g_set_error (error, ANX_FEED_PROBE_ERROR, ANX_FEED_PROBE_ERROR_INCOMPATIBLE,
                   /* Translators: %1$s is an address, %2$u an HTTP status code */
                   _("%1$s is not an Anxin feed: /v1/health answered HTTP %2$u without a "
                     "protocol version"),
                   probe->uri, soup_message_get_status (msg));
      return FALSE;
    }

  protocol = json_node_get_int (version);
  if (protocol != ANX_FEED_PROBE_PROTOCOL_VERSION)
    {
      g_set_error (error, ANX_FEED_PROBE_ERROR, ANX_FEED_PROBE_ERROR_INCOMPATIBLE,
                   /* Translators: %1$s is an address, %2$d and %3$d protocol versions */
                   _("%1$s speaks feed protocol version %2$d; this console speaks version %3$d"),
                   probe->uri, (int) CLAMP (protocol, G_MININT, G_MAXINT),
                   ANX_FEED_PROBE_PROTOCOL_VERSION);
      return FALSE;
    }

  if (json_object_has_member (object, "version") &&
      JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "version")) &&
      json_node_get_value_type (json_object_get_member (object, "version")) == G_TYPE_STRING)
    probe->server_version = g_strdup (json_object_get_string_member (object, "version"));
  else
    probe->server_version = g_strdup ("");
  return TRUE;
}

static void
on_health_read (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Probe *probe = g_task_get_task_data (task);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) next = NULL;
  g_autofree char *next_uri = NULL;
  g_autofree char *auth = NULL;
  GCancellable *cancellable;

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (body == NULL)
    {
      set_transport_error (task, error);
      return;
    }
  if (!check_health (probe, msg, body, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  next_uri = g_strconcat (probe->uri, "/v1/registry/operators?limit=1", NULL);
  next = soup_message_new ("GET", next_uri);
  auth = g_strconcat ("Bearer ", probe->token, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (next), "Authorization", auth);
  cancellable = g_task_get_cancellable (task);
  soup_session_send_and_read_async (probe->session, next, G_PRIORITY_DEFAULT, cancellable,
                                    on_operators_read, g_steal_pointer (&task));
}

/**
 * anx_feed_probe_async:
 * @uri: the feed address as typed (it is normalized first)
 * @token: the bearer token
 * @ca_file: (nullable): a PEM file of CA certificates to trust instead of the system's
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the probe is done
 * @user_data: data for @callback
 *
 * Tests that @uri is an Anxin feed of protocol version 1 that accepts @token.
 * TLS is always verified.
 */
void
anx_feed_probe_async (const char          *uri,
                      const char          *token,
                      const char          *ca_file,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *health = NULL;
  Probe *probe;

  g_task_set_source_tag (task, anx_feed_probe_async);
  probe = g_new0 (Probe, 1);
  g_task_set_task_data (task, probe, (GDestroyNotify) probe_free);

  probe->uri = anx_feed_uri_normalize (uri, &error);
  if (probe->uri == NULL)
    {
      g_task_return_new_error (task, ANX_FEED_PROBE_ERROR, ANX_FEED_PROBE_ERROR_ADDRESS, "%s",
                               error->message);
      return;
    }
  if (token == NULL || *token == '\0')
    {
      g_task_return_new_error (task, ANX_FEED_PROBE_ERROR, ANX_FEED_PROBE_ERROR_UNAUTHORIZED,
                               "%s", _("The access token is empty"));
      return;
    }
  probe->token = g_strstrip (g_strdup (token));

  probe->session = soup_session_new_with_options ("timeout", ANX_FEED_PROBE_TIMEOUT_S,
                                                  "user-agent", "anxin-console/" PACKAGE_VERSION,
                                                  NULL);
  if (ca_file != NULL && *ca_file != '\0')
    {
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (ca_file, &error);

      if (database == NULL)
        {
          g_task_return_new_error (task, ANX_FEED_PROBE_ERROR, ANX_FEED_PROBE_ERROR_CERTIFICATE,
                                   /* Translators: %1$s is a file name, %2$s the reason */
                                   _("Cannot use the CA file %1$s: %2$s"), ca_file,
                                   error->message);
          return;
        }
      soup_session_set_tls_database (probe->session, database);
    }

  health = g_strconcat (probe->uri, "/v1/health", NULL);
  msg = soup_message_new ("GET", health);
  soup_session_send_and_read_async (probe->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    on_health_read, g_steal_pointer (&task));
}

/**
 * anx_feed_probe_finish:
 * @result: the #GAsyncResult
 * @error: return location for an #ANX_FEED_PROBE_ERROR (or %G_IO_ERROR_CANCELLED)
 *
 * Returns: (transfer full): the server's version (possibly empty) when the feed
 *   and the token work, %NULL with @error set otherwise
 */
char *
anx_feed_probe_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
