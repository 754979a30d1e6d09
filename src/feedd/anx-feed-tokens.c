/* anx-feed-tokens.c: bearer tokens of anxin-feedd, hashed at rest
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-feed-tokens"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "anx-feed-tokens.h"

/*
 * The tokens file holds one token per line, `role:name:hash`, where hash is
 * the lower-case hex SHA-256 of the token, or `salt$hex` for the SHA-256 of
 * salt followed by the token. Generated tokens carry 256 random bits, so a
 * salt adds nothing for them; it is accepted for hand-made tokens. Blank lines
 * and lines starting with '#' are ignored. See docs/feed-protocol.md.
 */

#define TOKEN_RANDOM_BYTES 32
#define TOKEN_PREFIX "anx_"
#define MAX_TOKEN_LENGTH 512
#define MAX_NAME_LENGTH 64
#define SHA256_LENGTH 32

typedef struct
{
  AnxFeedRole role;
  char *name;
  char *salt; /* NULL when unsalted */
  guint8 digest[SHA256_LENGTH];
} Entry;

struct _AnxFeedTokens
{
  GObject parent_instance;

  GArray *entries; /* of Entry */
};

G_DEFINE_FINAL_TYPE (AnxFeedTokens, anx_feed_tokens, G_TYPE_OBJECT)

G_DEFINE_QUARK (anx-feed-tokens-error-quark, anx_feed_tokens_error)

static void
entry_clear (gpointer data)
{
  Entry *entry = data;

  g_clear_pointer (&entry->name, g_free);
  g_clear_pointer (&entry->salt, g_free);
}

static void
anx_feed_tokens_finalize (GObject *object)
{
  AnxFeedTokens *self = ANX_FEED_TOKENS (object);

  g_clear_pointer (&self->entries, g_array_unref);

  G_OBJECT_CLASS (anx_feed_tokens_parent_class)->finalize (object);
}

static void
anx_feed_tokens_class_init (AnxFeedTokensClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = anx_feed_tokens_finalize;
}

static void
anx_feed_tokens_init (AnxFeedTokens *self)
{
  self->entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_array_set_clear_func (self->entries, entry_clear);
}

/**
 * anx_feed_role_to_string:
 * @role: a role
 *
 * Returns: "viewer", "inspector", "admin", or "none"
 */
const char *
anx_feed_role_to_string (AnxFeedRole role)
{
  switch (role)
    {
    case ANX_FEED_ROLE_VIEWER:
      return "viewer";
    case ANX_FEED_ROLE_INSPECTOR:
      return "inspector";
    case ANX_FEED_ROLE_ADMIN:
      return "admin";
    case ANX_FEED_ROLE_NONE:
    default:
      return "none";
    }
}

/**
 * anx_feed_role_from_string:
 * @text: a role name as written in the tokens file
 * @role: (out): the role
 *
 * Returns: %TRUE if @text names a role
 */
gboolean
anx_feed_role_from_string (const char  *text,
                           AnxFeedRole *role)
{
  static const AnxFeedRole roles[] = { ANX_FEED_ROLE_VIEWER, ANX_FEED_ROLE_INSPECTOR,
                                       ANX_FEED_ROLE_ADMIN };

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      if (g_strcmp0 (text, anx_feed_role_to_string (roles[i])) == 0)
        {
          *role = roles[i];
          return TRUE;
        }
    }

  return FALSE;
}

static void
digest_token (const char *salt,
              const char *token,
              guint8      digest[SHA256_LENGTH])
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize len = SHA256_LENGTH;

  if (salt != NULL)
    g_checksum_update (checksum, (const guchar *) salt, strlen (salt));
  g_checksum_update (checksum, (const guchar *) token, strlen (token));
  g_checksum_get_digest (checksum, digest, &len);
  g_assert (len == SHA256_LENGTH);
}

/**
 * anx_feed_tokens_hash_token:
 * @token: a plaintext token
 * @salt: (nullable): a salt, or %NULL
 *
 * Computes what the tokens file stores for @token.
 *
 * Returns: (transfer full): the lower-case hex SHA-256 of @salt and @token
 */
char *
anx_feed_tokens_hash_token (const char *token,
                            const char *salt)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  g_return_val_if_fail (token != NULL, NULL);

  if (salt != NULL)
    g_checksum_update (checksum, (const guchar *) salt, strlen (salt));
  g_checksum_update (checksum, (const guchar *) token, strlen (token));
  return g_strdup (g_checksum_get_string (checksum));
}

/**
 * anx_feed_tokens_format_line:
 * @role: the role to grant
 * @name: who holds the token (letters, digits, `.`, `_`, `-`, `@`)
 * @token: the plaintext token
 *
 * Returns: (transfer full): the unsalted tokens-file line for @token,
 *   without a newline
 */
char *
anx_feed_tokens_format_line (AnxFeedRole  role,
                             const char  *name,
                             const char  *token)
{
  g_autofree char *hash = NULL;

  g_return_val_if_fail (role != ANX_FEED_ROLE_NONE, NULL);
  g_return_val_if_fail (name != NULL && token != NULL, NULL);

  hash = anx_feed_tokens_hash_token (token, NULL);
  return g_strdup_printf ("%s:%s:%s", anx_feed_role_to_string (role), name, hash);
}

static gboolean
name_is_valid (const char *name)
{
  gsize len = strlen (name);

  if (len == 0 || len > MAX_NAME_LENGTH)
    return FALSE;

  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("._-@", *p) == NULL)
      return FALSE;

  return TRUE;
}

static gboolean
parse_hex_digest (const char *hex,
                  guint8      digest[SHA256_LENGTH])
{
  if (strlen (hex) != SHA256_LENGTH * 2)
    return FALSE;

  for (guint i = 0; i < SHA256_LENGTH; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      digest[i] = (guint8) (hi << 4 | lo);
    }

  return TRUE;
}

static gboolean
parse_line (AnxFeedTokens  *self,
            const char     *line,
            guint           line_number,
            GError        **error)
{
  g_auto(GStrv) fields = g_strsplit (line, ":", 3);
  const char *hash_field;
  const char *dollar;
  Entry entry = { 0 };

  if (g_strv_length (fields) != 3)
    {
      g_set_error (error, ANX_FEED_TOKENS_ERROR, ANX_FEED_TOKENS_ERROR_PARSE,
                   _("Line %u: expected “role:name:hash”"), line_number);
      return FALSE;
    }

  if (!anx_feed_role_from_string (fields[0], &entry.role))
    {
      g_set_error (error, ANX_FEED_TOKENS_ERROR, ANX_FEED_TOKENS_ERROR_PARSE,
                   _("Line %u: unknown role “%s” (use viewer, inspector or admin)"), line_number,
                   fields[0]);
      return FALSE;
    }

  if (!name_is_valid (fields[1]))
    {
      g_set_error (error, ANX_FEED_TOKENS_ERROR, ANX_FEED_TOKENS_ERROR_PARSE,
                   _("Line %u: a name is 1 to %u letters, digits, “.”, “_”, “-” or “@”"),
                   line_number, MAX_NAME_LENGTH);
      return FALSE;
    }

  for (guint i = 0; i < self->entries->len; i++)
    {
      if (g_str_equal (g_array_index (self->entries, Entry, i).name, fields[1]))
        {
          g_set_error (error, ANX_FEED_TOKENS_ERROR, ANX_FEED_TOKENS_ERROR_PARSE,
                       _("Line %u: the name “%s” is used twice"), line_number, fields[1]);
          return FALSE;
        }
    }

  hash_field = fields[2];
  dollar = strchr (hash_field, '$');
  if (dollar != NULL)
    {
      if (dollar == hash_field)
        {
          g_set_error (error, ANX_FEED_TOKENS_ERROR, ANX_FEED_TOKENS_ERROR_PARSE,
                       _("Line %u: the salt before “$” is empty"), line_number);
          return FALSE;
        }
      entry.salt = g_strndup (hash_field, dollar - hash_field);
      hash_field = dollar + 1;
    }

  if (!parse_hex_digest (hash_field, entry.digest))
    {
      g_set_error (error, ANX_FEED_TOKENS_ERROR, ANX_FEED_TOKENS_ERROR_PARSE,
                   _("Line %u: the hash is not 64 hexadecimal digits (a SHA-256)"), line_number);
      g_free (entry.salt);
      return FALSE;
    }

  entry.name = g_strdup (fields[1]);
  g_array_append_val (self->entries, entry);
  return TRUE;
}

/**
 * anx_feed_tokens_new_from_data:
 * @data: the contents of a tokens file
 * @error: return location for an #ANX_FEED_TOKENS_ERROR
 *
 * Returns: (transfer full): the tokens, or %NULL if a line is malformed
 */
AnxFeedTokens *
anx_feed_tokens_new_from_data (const char  *data,
                               GError     **error)
{
  g_autoptr(AnxFeedTokens) self = g_object_new (ANX_TYPE_FEED_TOKENS, NULL);
  g_auto(GStrv) lines = NULL;

  g_return_val_if_fail (data != NULL, NULL);

  lines = g_strsplit (data, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (*line == '\0' || *line == '#')
        continue;

      if (!parse_line (self, line, i + 1, error))
        return NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * anx_feed_tokens_load:
 * @path: the tokens file
 * @error: return location for a #GError
 *
 * Reads a tokens file. A file others can read is accepted (it holds only
 * hashes) but logged, since the operator probably did not mean it.
 *
 * Returns: (transfer full): the tokens, or %NULL
 */
AnxFeedTokens *
anx_feed_tokens_load (const char  *path,
                      GError     **error)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) local_error = NULL;
  AnxFeedTokens *self;
  GStatBuf st;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &data, NULL, error))
    return NULL;

  self = anx_feed_tokens_new_from_data (data, &local_error);
  if (self == NULL)
    {
      g_set_error (error, ANX_FEED_TOKENS_ERROR, ANX_FEED_TOKENS_ERROR_PARSE, "%s: %s", path,
                   local_error->message);
      return NULL;
    }

  if (g_stat (path, &st) == 0 && (st.st_mode & 077) != 0)
    g_warning ("Tokens file %s is accessible to other users (mode %03o); chmod 600 it", path,
               (guint) (st.st_mode & 0777));

  if (self->entries->len == 0)
    g_warning ("Tokens file %s grants no tokens: only /v1/health will answer", path);

  return self;
}

/**
 * anx_feed_tokens_generate_token:
 * @error: return location for a #GError
 *
 * Makes a new token from 32 bytes of OpenSSL's CSPRNG, as `anx_` followed by
 * their unpadded base64url form.
 *
 * Returns: (transfer full): the token, or %NULL if no randomness was available
 */
char *
anx_feed_tokens_generate_token (GError **error)
{
  guint8 bytes[TOKEN_RANDOM_BYTES];
  g_autofree char *encoded = NULL;
  char *token;
  gsize len;

  if (RAND_bytes (bytes, sizeof bytes) != 1)
    {
      g_set_error_literal (error, ANX_FEED_TOKENS_ERROR, ANX_FEED_TOKENS_ERROR_RANDOM,
                           _("The system could not provide random bytes for a token"));
      return NULL;
    }

  encoded = g_base64_encode (bytes, sizeof bytes);
  OPENSSL_cleanse (bytes, sizeof bytes);

  /* base64 → base64url without padding, so the token needs no quoting in
   * headers, URLs or shells. */
  len = strlen (encoded);
  while (len > 0 && encoded[len - 1] == '=')
    encoded[--len] = '\0';
  for (char *p = encoded; *p != '\0'; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
    }

  token = g_strconcat (TOKEN_PREFIX, encoded, NULL);
  OPENSSL_cleanse (encoded, len);
  return token;
}

/**
 * anx_feed_tokens_plaintext_path:
 * @tokens_path: the tokens file
 *
 * Returns: (transfer full): where a generated admin token is written: the
 *   tokens file's name with `.admin-token` appended, in the same directory
 */
char *
anx_feed_tokens_plaintext_path (const char *tokens_path)
{
  g_return_val_if_fail (tokens_path != NULL, NULL);

  return g_strconcat (tokens_path, ".admin-token", NULL);
}

/**
 * anx_feed_tokens_load_or_generate:
 * @path: the tokens file
 * @generated_token_path: (out) (optional) (transfer full): set to the file
 *   holding the new plaintext admin token when one was generated, else %NULL
 * @error: return location for a #GError
 *
 * Loads @path, or on first start, when it does not exist, generates an admin
 * token: its plaintext goes to anx_feed_tokens_plaintext_path() and its hash
 * to @path, both created with mode 0600. The plaintext is never logged.
 *
 * Returns: (transfer full): the tokens, or %NULL
 */
AnxFeedTokens *
anx_feed_tokens_load_or_generate (const char  *path,
                                  char       **generated_token_path,
                                  GError     **error)
{
  g_autofree char *token = NULL;
  g_autofree char *plaintext_path = NULL;
  g_autofree char *plaintext = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *line = NULL;
  g_autofree char *directory = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *now_text = NULL;
  gboolean written;

  g_return_val_if_fail (path != NULL, NULL);

  if (generated_token_path != NULL)
    *generated_token_path = NULL;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return anx_feed_tokens_load (path, error);

  directory = g_path_get_dirname (path);
  if (g_mkdir_with_parents (directory, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not create the directory %s: %s"), directory,
                   g_strerror (saved_errno));
      return NULL;
    }

  token = anx_feed_tokens_generate_token (error);
  if (token == NULL)
    return NULL;

  /* The plaintext first: if we stop in between, the next start finds no
   * tokens file and simply generates a fresh pair. */
  plaintext_path = anx_feed_tokens_plaintext_path (path);
  plaintext = g_strconcat (token, "\n", NULL);
  written = g_file_set_contents_full (plaintext_path, plaintext, -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                      0600, error);
  OPENSSL_cleanse (plaintext, strlen (plaintext));
  if (!written)
    {
      OPENSSL_cleanse (token, strlen (token));
      return NULL;
    }

  now = g_date_time_new_now_local ();
  now_text = g_date_time_format_iso8601 (now);
  line = anx_feed_tokens_format_line (ANX_FEED_ROLE_ADMIN, "admin", token);
  OPENSSL_cleanse (token, strlen (token));
  contents =
      g_strdup_printf ("# anxin-feedd tokens: role:name:sha256-hex (see docs/feed-protocol.md)\n"
                       "# generated %s\n"
                       "%s\n",
                       now_text, line);
  if (!g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return NULL;

  g_message ("Generated an admin token; its hash is in %s, the token itself in %s", path,
             plaintext_path);

  if (generated_token_path != NULL)
    *generated_token_path = g_steal_pointer (&plaintext_path);

  return anx_feed_tokens_load (path, error);
}

/**
 * anx_feed_tokens_authenticate:
 * @self: the tokens
 * @token: what a client presented
 * @role: (out) (optional): the token's role
 * @name: (out) (optional) (transfer none): the token's name
 *
 * Checks @token against every entry in constant time per entry, without
 * stopping at the first match.
 *
 * Returns: %TRUE if @token is known
 */
gboolean
anx_feed_tokens_authenticate (AnxFeedTokens  *self,
                              const char     *token,
                              AnxFeedRole    *role,
                              const char    **name)
{
  const Entry *found = NULL;
  guint8 unsalted[SHA256_LENGTH];
  gsize len;

  g_return_val_if_fail (ANX_IS_FEED_TOKENS (self), FALSE);

  if (role != NULL)
    *role = ANX_FEED_ROLE_NONE;
  if (name != NULL)
    *name = NULL;

  if (token == NULL)
    return FALSE;

  len = strlen (token);
  if (len == 0 || len > MAX_TOKEN_LENGTH)
    return FALSE;

  digest_token (NULL, token, unsalted);

  for (guint i = 0; i < self->entries->len; i++)
    {
      const Entry *entry = &g_array_index (self->entries, Entry, i);
      guint8 salted[SHA256_LENGTH];
      const guint8 *digest = unsalted;

      if (entry->salt != NULL)
        {
          digest_token (entry->salt, token, salted);
          digest = salted;
        }

      if (CRYPTO_memcmp (digest, entry->digest, SHA256_LENGTH) == 0 && found == NULL)
        found = entry;
    }

  if (found == NULL)
    return FALSE;

  if (role != NULL)
    *role = found->role;
  if (name != NULL)
    *name = found->name;
  return TRUE;
}

/**
 * anx_feed_tokens_get_n_entries:
 * @self: the tokens
 *
 * Returns: how many tokens the file grants
 */
guint
anx_feed_tokens_get_n_entries (AnxFeedTokens *self)
{
  g_return_val_if_fail (ANX_IS_FEED_TOKENS (self), 0);

  return self->entries->len;
}

/**
 * anx_feed_tokens_get_name:
 * @self: the tokens
 * @index: an entry, in file order
 *
 * Returns: (transfer none): the entry's name
 */
const char *
anx_feed_tokens_get_name (AnxFeedTokens *self,
                          guint          index)
{
  g_return_val_if_fail (ANX_IS_FEED_TOKENS (self), NULL);
  g_return_val_if_fail (index < self->entries->len, NULL);

  return g_array_index (self->entries, Entry, index).name;
}

/**
 * anx_feed_tokens_get_role:
 * @self: the tokens
 * @index: an entry, in file order
 *
 * Returns: the entry's role
 */
AnxFeedRole
anx_feed_tokens_get_role (AnxFeedTokens *self,
                          guint          index)
{
  g_return_val_if_fail (ANX_IS_FEED_TOKENS (self), ANX_FEED_ROLE_NONE);
  g_return_val_if_fail (index < self->entries->len, ANX_FEED_ROLE_NONE);

  return g_array_index (self->entries, Entry, index).role;
}
