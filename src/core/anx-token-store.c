/* anx-token-store.c: the feed's bearer token, kept in the user's keyring
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The token is a password: it lives in the Secret Service (GNOME Keyring,
 * or the file backend libsecret uses inside a Flatpak sandbox), keyed by the
 * feed's address, never in GSettings, the store or a log.
 */

#define G_LOG_DOMAIN "anx-token-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "anx-token-store.h"

struct _AnxTokenStore
{
  GObject parent_instance;

  SecretSchema schema;
};

G_DEFINE_FINAL_TYPE (AnxTokenStore, anx_token_store, G_TYPE_OBJECT)

static void
anx_token_store_class_init (AnxTokenStoreClass *klass)
{
}

static void
anx_token_store_init (AnxTokenStore *self)
{
  self->schema = (SecretSchema){
    ANX_TOKEN_STORE_SCHEMA,
    SECRET_SCHEMA_NONE,
    {
        { "feed-url", SECRET_SCHEMA_ATTRIBUTE_STRING },
        { NULL, 0 },
    },
  };
}

/**
 * anx_token_store_new:
 *
 * Returns: (transfer full): a token store
 */
AnxTokenStore *
anx_token_store_new (void)
{
  return g_object_new (ANX_TYPE_TOKEN_STORE, NULL);
}

/**
 * anx_token_store_save_sync:
 * @self: a token store
 * @feed_uri: the feed's base address
 * @token: the bearer token
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Keeps @token for @feed_uri, replacing any earlier one.
 *
 * Returns: %TRUE on success
 */
gboolean
anx_token_store_save_sync (AnxTokenStore  *self,
                           const char     *feed_uri,
                           const char     *token,
                           GCancellable   *cancellable,
                           GError        **error)
{
  g_autofree char *label = g_strdup_printf (_("Anxin feed token for %s"), feed_uri);

  return secret_password_store_sync (&self->schema, SECRET_COLLECTION_DEFAULT, label, token,
                                     cancellable, error, "feed-url", feed_uri, NULL);
}

/**
 * anx_token_store_lookup_sync:
 * @self: a token store
 * @feed_uri: the feed's base address
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the token, or %NULL if none is kept
 *   (free it with secret_password_free(), which wipes it)
 */
char *
anx_token_store_lookup_sync (AnxTokenStore  *self,
                             const char     *feed_uri,
                             GCancellable   *cancellable,
                             GError        **error)
{
  return secret_password_lookup_sync (&self->schema, cancellable, error, "feed-url", feed_uri,
                                      NULL);
}

/**
 * anx_token_store_clear_sync:
 * @self: a token store
 * @feed_uri: the feed's base address
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Forgets the token of @feed_uri (e.g. after the server revoked it).
 *
 * Returns: %TRUE if a token was removed
 */
gboolean
anx_token_store_clear_sync (AnxTokenStore  *self,
                            const char     *feed_uri,
                            GCancellable   *cancellable,
                            GError        **error)
{
  return secret_password_clear_sync (&self->schema, cancellable, error, "feed-url", feed_uri,
                                     NULL);
}

static void
on_lookup (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  char *token = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, token, (GDestroyNotify) secret_password_free);
  g_object_unref (task);
}

/**
 * anx_token_store_lookup_async:
 * @self: a token store
 * @feed_uri: the feed's base address
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: for @callback
 *
 * Looks the token up without blocking (the keyring may prompt).
 */
void
anx_token_store_lookup_async (AnxTokenStore       *self,
                              const char          *feed_uri,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  secret_password_lookup (&self->schema, cancellable, on_lookup, task, "feed-url", feed_uri, NULL);
}

/**
 * anx_token_store_lookup_finish:
 * @self: a token store
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the token, or %NULL if none is kept
 *   (free it with secret_password_free())
 */
char *
anx_token_store_lookup_finish (AnxTokenStore  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
