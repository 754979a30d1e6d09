/* anx-feed-uri.c: validation of the regulator feed's base address
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-feed-uri"

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gio.h>

#include "anx-feed-uri.h"

G_DEFINE_QUARK (anx-feed-uri-error-quark, anx_feed_uri_error)

/**
 * anx_feed_uri_host_is_loopback:
 * @host: a host name or literal address, IPv6 with or without brackets
 *
 * Plain HTTP is only acceptable to a server on this machine, so this decides
 * whether a feed address may skip TLS.
 *
 * Returns: %TRUE for `localhost`, 127.0.0.0/8 and ::1
 */
gboolean
anx_feed_uri_host_is_loopback (const char *host)
{
  g_autofree char *bare = NULL;
  g_autoptr(GInetAddress) address = NULL;
  gsize len;

  if (host == NULL || *host == '\0')
    return FALSE;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  len = strlen (host);
  if (host[0] == '[' && len > 2 && host[len - 1] == ']')
    bare = g_strndup (host + 1, len - 2);
  else
    bare = g_strdup (host);

  address = g_inet_address_new_from_string (bare);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/**
 * anx_feed_uri_normalize:
 * @text: what the officer typed or passed with `--feed`
 * @error: return location for an #ANX_FEED_URI_ERROR
 *
 * Checks that @text can be the base address of a regulator feed and returns
 * it in canonical form: lower-case scheme and host, no trailing slash, no
 * query or fragment. Credentials in the address are refused because tokens
 * belong in the keyring, and plain `http` is refused unless the host is a
 * loopback address, since TLS verification must stay on for real servers.
 *
 * Returns: (transfer full): the normalized address, or %NULL with @error set
 */
char *
anx_feed_uri_normalize (const char  *text,
                        GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *stripped = NULL;
  g_autofree char *scheme = NULL;
  g_autofree char *host = NULL;
  g_autofree char *path = NULL;
  const char *raw_path;
  gboolean secure;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stripped = g_strstrip (g_strdup (text != NULL ? text : ""));
  if (*stripped == '\0')
    {
      g_set_error_literal (error, ANX_FEED_URI_ERROR, ANX_FEED_URI_ERROR_INVALID,
                           _("The feed address is empty"));
      return NULL;
    }

  uri = g_uri_parse (stripped, G_URI_FLAGS_NONE, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, ANX_FEED_URI_ERROR, ANX_FEED_URI_ERROR_INVALID,
                   _("“%s” is not a valid address: %s"), stripped, local_error->message);
      return NULL;
    }

  scheme = g_ascii_strdown (g_uri_get_scheme (uri), -1);
  if (g_str_equal (scheme, "https"))
    secure = TRUE;
  else if (g_str_equal (scheme, "http"))
    secure = FALSE;
  else
    {
      g_set_error (error, ANX_FEED_URI_ERROR, ANX_FEED_URI_ERROR_UNSUPPORTED_SCHEME,
                   _("The feed address must start with https:// (not “%s:”)"), scheme);
      return NULL;
    }

  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error_literal (error, ANX_FEED_URI_ERROR, ANX_FEED_URI_ERROR_MISSING_HOST,
                           _("The feed address has no server name"));
      return NULL;
    }

  if (g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error_literal (error, ANX_FEED_URI_ERROR, ANX_FEED_URI_ERROR_CREDENTIALS,
                           _("The feed address must not contain a user name or token; "
                             "the token is kept in the keyring"));
      return NULL;
    }

  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  if (!secure && !anx_feed_uri_host_is_loopback (host))
    {
      g_set_error (error, ANX_FEED_URI_ERROR, ANX_FEED_URI_ERROR_INSECURE,
                   _("Plain http is only allowed for a feed on this computer; "
                     "use https://%s"), host);
      return NULL;
    }

  raw_path = g_uri_get_path (uri);
  path = g_strdup (raw_path != NULL ? raw_path : "");
  while (*path != '\0' && g_str_has_suffix (path, "/"))
    path[strlen (path) - 1] = '\0';

  return g_uri_join (G_URI_FLAGS_NONE, scheme, NULL, host, g_uri_get_port (uri),
                     path, NULL, NULL);
}
