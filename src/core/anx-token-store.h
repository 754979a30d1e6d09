/* anx-token-store.h: the feed's bearer token, kept in the user's keyring
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The libsecret schema: one token per feed address. */
#define ANX_TOKEN_STORE_SCHEMA "org.anxin.Console.Token"

#define ANX_TYPE_TOKEN_STORE (anx_token_store_get_type ())

G_DECLARE_FINAL_TYPE (AnxTokenStore, anx_token_store, ANX, TOKEN_STORE, GObject)

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
AnxTokenStore *anx_token_store_new          (void);
gboolean       anx_token_store_save_sync    (AnxTokenStore  *self,
                                             const char     *feed_uri,
                                             const char     *token,
                                             GCancellable   *cancellable,
                                             GError        **error);
char          *anx_token_store_lookup_sync  (AnxTokenStore  *self,
                                             const char     *feed_uri,
                                             GCancellable   *cancellable,
                                             GError        **error);
gboolean       anx_token_store_clear_sync   (AnxTokenStore  *self,
                                             const char     *feed_uri,
                                             GCancellable   *cancellable,
                                             GError        **error);
void           anx_token_store_lookup_async (AnxTokenStore      *self,
                                             const char         *feed_uri,
                                             GCancellable       *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data);
char          *anx_token_store_lookup_finish (AnxTokenStore     *self,
                                             GAsyncResult       *result,
                                             GError            **error);
/* clang-format on */

G_END_DECLS
