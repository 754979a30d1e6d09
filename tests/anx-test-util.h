/* anx-test-util.h: a test's own directory, the console's files in it, and
 * waiting for something to happen
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <glib/gstdio.h>

/* Removes @path and everything below it (symbolic links are not followed). */
static inline void
anx_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        anx_test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* A new temporary directory from @tmpl ("anxin-…-XXXXXX") for a console
 * test: libsecret's file backend keeps the tokens in it (no daemon), and
 * the console's store is there too. Call it before anything touches
 * libsecret; remove the directory with anx_test_remove_tree(). */
static inline char *
anx_test_console_dir_new (const char *tmpl)
{
  char *dir = g_dir_make_tmp (tmpl, NULL);
  g_autofree char *keyring = NULL;
  g_autofree char *store = NULL;

  g_assert_nonnull (dir);
  keyring = g_build_filename (dir, "keyring", NULL);
  store = g_build_filename (dir, "console", "console.sqlite", NULL);
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "anxin-test", TRUE);
  g_setenv ("ANXIN_CONSOLE_STORE", store, TRUE);
  return dir;
}

typedef gboolean (*AnxTestCondition) (gpointer data);

/* Runs the default main context until @condition holds; fails the test,
 * naming @what, after @seconds. */
static inline void
anx_test_run_until (AnxTestCondition  condition,
                    gpointer          data,
                    guint             seconds,
                    const char       *what)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out after %u s waiting for %s", seconds, what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}
