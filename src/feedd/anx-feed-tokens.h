/* anx-feed-tokens.h: bearer tokens of anxin-feedd, hashed at rest
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define ANX_FEED_TOKENS_ERROR (anx_feed_tokens_error_quark ())

typedef enum
{
  ANX_FEED_TOKENS_ERROR_PARSE,
  ANX_FEED_TOKENS_ERROR_RANDOM,
} AnxFeedTokensError;

/* Ordered: a role may do everything the roles below it may. */
typedef enum
{
  ANX_FEED_ROLE_NONE = 0,
  ANX_FEED_ROLE_VIEWER,
  ANX_FEED_ROLE_INSPECTOR,
  ANX_FEED_ROLE_ADMIN,
} AnxFeedRole;

#define ANX_TYPE_FEED_TOKENS (anx_feed_tokens_get_type ())

G_DECLARE_FINAL_TYPE (AnxFeedTokens, anx_feed_tokens, ANX, FEED_TOKENS, GObject)

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
GQuark anx_feed_tokens_error_quark (void);

AnxFeedTokens *anx_feed_tokens_load             (const char  *path,
                                                 GError     **error);
AnxFeedTokens *anx_feed_tokens_load_or_generate (const char  *path,
                                                 char       **generated_token_path,
                                                 GError     **error);
AnxFeedTokens *anx_feed_tokens_new_from_data    (const char  *data,
                                                 GError     **error);

gboolean    anx_feed_tokens_authenticate  (AnxFeedTokens  *self,
                                           const char     *token,
                                           AnxFeedRole    *role,
                                           const char    **name);
guint       anx_feed_tokens_get_n_entries (AnxFeedTokens  *self);
const char *anx_feed_tokens_get_name      (AnxFeedTokens  *self,
                                           guint           index);
AnxFeedRole anx_feed_tokens_get_role      (AnxFeedTokens  *self,
                                           guint           index);

char *anx_feed_tokens_generate_token (GError     **error);
char *anx_feed_tokens_hash_token     (const char  *token,
                                      const char  *salt);
char *anx_feed_tokens_format_line    (AnxFeedRole  role,
                                      const char  *name,
                                      const char  *token);
char *anx_feed_tokens_plaintext_path (const char  *tokens_path);

const char *anx_feed_role_to_string   (AnxFeedRole  role);
gboolean    anx_feed_role_from_string (const char  *text,
                                       AnxFeedRole *role);

/* clang-format on */

G_END_DECLS
