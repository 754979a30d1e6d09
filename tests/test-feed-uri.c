/* test-feed-uri.c: the feed address rules
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "anx-feed-uri.h"

static void
test_normalizes (void)
{
  static const struct {
    const char *input;
    const char *expected;
  } cases[] = {
    { "https://Feed.Example.GOV.cn/", "https://feed.example.gov.cn" },
    { "  https://feed.example.gov.cn:8443/v1/  ", "https://feed.example.gov.cn:8443/v1" },
    { "HTTPS://feed.example.gov.cn/base?x=1#frag", "https://feed.example.gov.cn/base" },
    { "http://127.0.0.1:8080", "http://127.0.0.1:8080" },
    { "http://127.3.4.5:1/", "http://127.3.4.5:1" },
    { "http://localhost:7000/", "http://localhost:7000" },
    { "http://[::1]:7000", "http://[::1]:7000" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *normalized = anx_feed_uri_normalize (cases[i].input, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (normalized, ==, cases[i].expected);
    }
}

static void
test_rejects (void)
{
  static const struct {
    const char *input;
    AnxFeedUriError code;
  } cases[] = {
    { "", ANX_FEED_URI_ERROR_INVALID },
    { "   ", ANX_FEED_URI_ERROR_INVALID },
    { "feed.example.gov.cn", ANX_FEED_URI_ERROR_INVALID },
    { "https://", ANX_FEED_URI_ERROR_MISSING_HOST },
    { "ftp://feed.example.gov.cn", ANX_FEED_URI_ERROR_UNSUPPORTED_SCHEME },
    { "wss://feed.example.gov.cn", ANX_FEED_URI_ERROR_UNSUPPORTED_SCHEME },
    { "http://feed.example.gov.cn", ANX_FEED_URI_ERROR_INSECURE },
    { "http://192.168.1.10:8080", ANX_FEED_URI_ERROR_INSECURE },
    { "http://localhost.example.com", ANX_FEED_URI_ERROR_INSECURE },
    { "https://officer:secret@feed.example.gov.cn", ANX_FEED_URI_ERROR_CREDENTIALS },
    { "https://token@feed.example.gov.cn", ANX_FEED_URI_ERROR_CREDENTIALS },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *normalized = anx_feed_uri_normalize (cases[i].input, &error);

      g_test_message ("input: “%s”", cases[i].input);
      g_assert_null (normalized);
      g_assert_error (error, ANX_FEED_URI_ERROR, (int) cases[i].code);
      g_assert_nonnull (error->message);
      g_assert_cmpstr (error->message, !=, "");
    }
}

static void
test_loopback (void)
{
  g_assert_true (anx_feed_uri_host_is_loopback ("localhost"));
  g_assert_true (anx_feed_uri_host_is_loopback ("LOCALHOST"));
  g_assert_true (anx_feed_uri_host_is_loopback ("127.0.0.1"));
  g_assert_true (anx_feed_uri_host_is_loopback ("127.255.0.9"));
  g_assert_true (anx_feed_uri_host_is_loopback ("::1"));
  g_assert_true (anx_feed_uri_host_is_loopback ("[::1]"));
  g_assert_false (anx_feed_uri_host_is_loopback ("128.0.0.1"));
  g_assert_false (anx_feed_uri_host_is_loopback ("10.0.0.1"));
  g_assert_false (anx_feed_uri_host_is_loopback ("::2"));
  g_assert_false (anx_feed_uri_host_is_loopback (""));
  g_assert_false (anx_feed_uri_host_is_loopback (NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/feed-uri/normalizes", test_normalizes);
  g_test_add_func ("/feed-uri/rejects", test_rejects);
  g_test_add_func ("/feed-uri/loopback", test_loopback);

  return g_test_run ();
}
