/* test-feed-tokens.c: anxin-feedd's tokens file
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "anx-feed-tokens.h"

/* SHA-256 ("abc"), FIPS 180-2 appendix B.1 */
#define SHA256_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

/* Every log record of this process, so a test can prove what was not said. */
static GString *captured_log;

static GLogWriterOutput
capture_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    {
      if (fields[i].length < 0)
        g_string_append (captured_log, fields[i].value);
      else
        g_string_append_len (captured_log, fields[i].value, fields[i].length);
      g_string_append_c (captured_log, '\n');
    }

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("anx-feed-tokens-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static guint
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

static void
test_hash (void)
{
  g_autofree char *plain = anx_feed_tokens_hash_token ("abc", NULL);
  g_autofree char *salted = anx_feed_tokens_hash_token ("c", "ab");
  g_autofree char *other = anx_feed_tokens_hash_token ("abd", NULL);
  g_autofree char *line = anx_feed_tokens_format_line (ANX_FEED_ROLE_VIEWER, "wall-1", "abc");

  g_assert_cmpstr (plain, ==, SHA256_ABC);
  /* The salt is prepended to the token. */
  g_assert_cmpstr (salted, ==, SHA256_ABC);
  g_assert_cmpstr (other, !=, SHA256_ABC);
  g_assert_cmpstr (line, ==, "viewer:wall-1:" SHA256_ABC);
}

static void
test_format (void)
{
  g_autofree char *viewer_hash = anx_feed_tokens_hash_token ("viewer-token", NULL);
  g_autofree char *inspector_hash = anx_feed_tokens_hash_token ("inspector-token", "s4lt");
  g_autofree char *admin_hash = anx_feed_tokens_hash_token ("admin-token", NULL);
  g_autofree char *upper = NULL;
  g_autofree char *data = NULL;
  g_autoptr(AnxFeedTokens) tokens = NULL;
  g_autoptr(GError) error = NULL;
  AnxFeedRole role;
  const char *name;

  upper = g_ascii_strup (admin_hash, -1);
  data = g_strdup_printf ("# comment\n"
                          "\n"
                          "viewer:wall.room-3:%s\n"
                          "   inspector:officer@hz:s4lt$%s   \n"
                          "admin:root_1:%s\n",
                          viewer_hash, inspector_hash, upper);

  tokens = anx_feed_tokens_new_from_data (data, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (anx_feed_tokens_get_n_entries (tokens), ==, 3);
  g_assert_cmpstr (anx_feed_tokens_get_name (tokens, 1), ==, "officer@hz");
  g_assert_cmpint (anx_feed_tokens_get_role (tokens, 1), ==, ANX_FEED_ROLE_INSPECTOR);

  g_assert_true (anx_feed_tokens_authenticate (tokens, "viewer-token", &role, &name));
  g_assert_cmpint (role, ==, ANX_FEED_ROLE_VIEWER);
  g_assert_cmpstr (name, ==, "wall.room-3");

  g_assert_true (anx_feed_tokens_authenticate (tokens, "inspector-token", &role, &name));
  g_assert_cmpint (role, ==, ANX_FEED_ROLE_INSPECTOR);
  g_assert_cmpstr (name, ==, "officer@hz");

  /* Upper-case hex is the same hash. */
  g_assert_true (anx_feed_tokens_authenticate (tokens, "admin-token", &role, &name));
  g_assert_cmpint (role, ==, ANX_FEED_ROLE_ADMIN);
  g_assert_cmpstr (name, ==, "root_1");

  /* Unknown, empty, salted-without-salt, prefix and the stored hash itself
   * are all refused. */
  g_assert_false (anx_feed_tokens_authenticate (tokens, "viewer-token2", &role, &name));
  g_assert_cmpint (role, ==, ANX_FEED_ROLE_NONE);
  g_assert_null (name);
  g_assert_false (anx_feed_tokens_authenticate (tokens, "", NULL, NULL));
  g_assert_false (anx_feed_tokens_authenticate (tokens, NULL, NULL, NULL));
  g_assert_false (anx_feed_tokens_authenticate (tokens, "viewer", NULL, NULL));
  g_assert_false (anx_feed_tokens_authenticate (tokens, viewer_hash, NULL, NULL));
  g_assert_false (anx_feed_tokens_authenticate (tokens, "s4ltinspector-token", NULL, NULL));
}

static void
test_malformed (void)
{
  static const struct
  {
    const char *line;
    const char *message_part;
  } cases[] = {
    { "viewer:name", "role:name:hash" },
    { "root:name:" SHA256_ABC, "unknown role" },
    { "Viewer:name:" SHA256_ABC, "unknown role" },
    { "viewer::" SHA256_ABC, "name" },
    { "viewer:has space:" SHA256_ABC, "name" },
    { "viewer:name:abc", "64 hexadecimal" },
    { "viewer:name:" SHA256_ABC "00", "64 hexadecimal" },
    { "viewer:name:zz7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      "64 hexadecimal" },
    { "viewer:name:$" SHA256_ABC, "salt" },
    { "viewer:name:" SHA256_ABC ":extra", "64 hexadecimal" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *data = g_strdup_printf ("# first line\n%s\n", cases[i].line);
      g_autoptr(AnxFeedTokens) tokens = anx_feed_tokens_new_from_data (data, &error);

      g_assert_null (tokens);
      g_assert_error (error, ANX_FEED_TOKENS_ERROR, ANX_FEED_TOKENS_ERROR_PARSE);
      g_assert_true (g_str_has_prefix (error->message, "Line 2:"));
      g_assert_nonnull (strstr (error->message, cases[i].message_part));
    }

  /* A name may appear once only. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(AnxFeedTokens) tokens =
        anx_feed_tokens_new_from_data ("viewer:a:" SHA256_ABC "\nadmin:a:" SHA256_ABC "\n", &error);

    g_assert_null (tokens);
    g_assert_error (error, ANX_FEED_TOKENS_ERROR, ANX_FEED_TOKENS_ERROR_PARSE);
  }
}

static void
test_roles (void)
{
  AnxFeedRole role = ANX_FEED_ROLE_NONE;

  g_assert_true (ANX_FEED_ROLE_VIEWER < ANX_FEED_ROLE_INSPECTOR);
  g_assert_true (ANX_FEED_ROLE_INSPECTOR < ANX_FEED_ROLE_ADMIN);

  g_assert_true (anx_feed_role_from_string ("viewer", &role));
  g_assert_cmpint (role, ==, ANX_FEED_ROLE_VIEWER);
  g_assert_true (anx_feed_role_from_string ("inspector", &role));
  g_assert_cmpint (role, ==, ANX_FEED_ROLE_INSPECTOR);
  g_assert_true (anx_feed_role_from_string ("admin", &role));
  g_assert_cmpint (role, ==, ANX_FEED_ROLE_ADMIN);
  g_assert_false (anx_feed_role_from_string ("root", &role));
  g_assert_false (anx_feed_role_from_string ("none", &role));
  g_assert_false (anx_feed_role_from_string (NULL, &role));

  g_assert_cmpstr (anx_feed_role_to_string (ANX_FEED_ROLE_INSPECTOR), ==, "inspector");
}

static void
test_generated_tokens (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = anx_feed_tokens_generate_token (&error);
  g_autofree char *b = anx_feed_tokens_generate_token (&error);

  g_assert_no_error (error);
  g_assert_cmpstr (a, !=, b);
  g_assert_true (g_str_has_prefix (a, "anx_"));
  /* 32 bytes in unpadded base64url: 43 characters. */
  g_assert_cmpuint (strlen (a), ==, 4 + 43);
  for (const char *p = a + 4; *p != '\0'; p++)
    g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
}

static void
test_first_start (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "tokens", NULL);
  g_autofree char *expected_plaintext_path = g_strconcat (path, ".admin-token", NULL);
  g_autofree char *generated_path = NULL;
  g_autofree char *again_path = NULL;
  g_autofree char *plaintext = NULL;
  g_autofree char *stored = NULL;
  g_autoptr(AnxFeedTokens) tokens = NULL;
  g_autoptr(AnxFeedTokens) again = NULL;
  g_autoptr(GError) error = NULL;
  AnxFeedRole role;
  gsize log_start = captured_log->len;

  tokens = anx_feed_tokens_load_or_generate (path, &generated_path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tokens);
  g_assert_cmpstr (generated_path, ==, expected_plaintext_path);

  g_assert_cmpuint (file_mode (path), ==, 0600);
  g_assert_cmpuint (file_mode (generated_path), ==, 0600);

  g_assert_true (g_file_get_contents (generated_path, &plaintext, NULL, &error));
  g_strstrip (plaintext);
  g_assert_true (g_str_has_prefix (plaintext, "anx_"));
  g_assert_true (anx_feed_tokens_authenticate (tokens, plaintext, &role, NULL));
  g_assert_cmpint (role, ==, ANX_FEED_ROLE_ADMIN);

  /* At rest only the hash; in the log only the paths. */
  g_assert_true (g_file_get_contents (path, &stored, NULL, &error));
  g_assert_null (strstr (stored, plaintext));
  {
    g_autofree char *hash = anx_feed_tokens_hash_token (plaintext, NULL);
    g_autofree char *line = g_strconcat ("admin:admin:", hash, "\n", NULL);

    g_assert_nonnull (strstr (stored, line));
  }
  g_assert_nonnull (strstr (captured_log->str + log_start, generated_path));
  g_assert_null (strstr (captured_log->str, plaintext));

  /* The second start loads what the first wrote and generates nothing. */
  again = anx_feed_tokens_load_or_generate (path, &again_path, &error);
  g_assert_no_error (error);
  g_assert_null (again_path);
  g_assert_true (anx_feed_tokens_authenticate (again, plaintext, &role, NULL));
  g_assert_cmpuint (anx_feed_tokens_get_n_entries (again), ==, 1);

  remove_dir (dir);
}

static void
test_load_errors (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad", NULL);
  g_autoptr(AnxFeedTokens) tokens = NULL;
  g_autoptr(GError) error = NULL;

  tokens = anx_feed_tokens_load (missing, &error);
  g_assert_null (tokens);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);

  g_assert_true (
      g_file_set_contents_full (bad, "admin:x:123\n", -1, G_FILE_SET_CONTENTS_NONE, 0600, &error));
  tokens = anx_feed_tokens_load_or_generate (bad, NULL, &error);
  g_assert_null (tokens);
  g_assert_error (error, ANX_FEED_TOKENS_ERROR, ANX_FEED_TOKENS_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, bad));

  remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  captured_log = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);

  g_test_add_func ("/feed-tokens/hash", test_hash);
  g_test_add_func ("/feed-tokens/format", test_format);
  g_test_add_func ("/feed-tokens/malformed", test_malformed);
  g_test_add_func ("/feed-tokens/roles", test_roles);
  g_test_add_func ("/feed-tokens/generated-tokens", test_generated_tokens);
  g_test_add_func ("/feed-tokens/first-start", test_first_start);
  g_test_add_func ("/feed-tokens/load-errors", test_load_errors);

  return g_test_run ();
}
