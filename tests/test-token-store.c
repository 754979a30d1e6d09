/* test-token-store.c: the feed token in libsecret, never anywhere else
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs with libsecret's file backend (SECRET_BACKEND=file,
 * SECRET_FILE_TEST_PATH, SECRET_FILE_TEST_PASSWORD), no keyring daemon.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "anx-token-store.h"

static void
test_round_trip (void)
{
  g_autoptr(AnxTokenStore) store = anx_token_store_new ();
  g_autoptr(GError) error = NULL;
  const char *feed_a = "https://feed.example.cn:8443";
  const char *feed_b = "https://other.example.cn";
  char *token;

  g_assert_nonnull (g_getenv ("SECRET_FILE_TEST_PATH"));
  g_assert_cmpstr (g_getenv ("SECRET_BACKEND"), ==, "file");

  token = anx_token_store_lookup_sync (store, feed_a, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (token);

  g_assert_true (anx_token_store_save_sync (store, feed_a, "anx_token-a", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (anx_token_store_save_sync (store, feed_b, "anx_token-b", NULL, &error));
  g_assert_no_error (error);

  /* Keyed by the feed's address. */
  token = anx_token_store_lookup_sync (store, feed_a, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, "anx_token-a");
  secret_password_free (token);
  token = anx_token_store_lookup_sync (store, feed_b, NULL, &error);
  g_assert_cmpstr (token, ==, "anx_token-b");
  secret_password_free (token);

  /* Replaced, then cleared. */
  g_assert_true (anx_token_store_save_sync (store, feed_a, "anx_token-a2", NULL, &error));
  token = anx_token_store_lookup_sync (store, feed_a, NULL, &error);
  g_assert_cmpstr (token, ==, "anx_token-a2");
  secret_password_free (token);
  g_assert_true (anx_token_store_clear_sync (store, feed_a, NULL, &error));
  g_assert_no_error (error);
  token = anx_token_store_lookup_sync (store, feed_a, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (token);

  /* The file backend encrypts: the token is not in the file in clear. */
  {
    g_autofree char *contents = NULL;
    gsize length = 0;

    g_assert_true (g_file_get_contents (g_getenv ("SECRET_FILE_TEST_PATH"), &contents, &length,
                                        NULL));
    g_assert_null (g_strstr_len (contents, (gssize) length, "anx_token-b"));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = g_dir_make_tmp ("anx-token-store-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "keyring", NULL);
  int status;

  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", path, TRUE);
  if (g_getenv ("SECRET_FILE_TEST_PASSWORD") == NULL)
    g_setenv ("SECRET_FILE_TEST_PASSWORD", "test-password", TRUE);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/token-store/round-trip", test_round_trip);
  status = g_test_run ();

  {
    /* The file backend leaves a backup ("keyring~") beside the file. */
    g_autofree char *backup = g_strconcat (path, "~", NULL);

    g_unlink (path);
    g_unlink (backup);
    g_rmdir (dir);
  }
  return status;
}
