/* test-feedd-rest.c: the real anxin-feedd binary over loopback HTTP
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sqlite3.h>

#include "anx-feed-ledger.h"
#include "anx-feed-server.h"
#include "anx-sim-network.h"
#include "anx-test-util.h"

#define SEED 42

#define VIEWER_TOKEN "viewer-7f3a9c2e41b8d6057e1c"
#define INSPECTOR_TOKEN "inspector-0b5d8e7a93c14f26"
#define ADMIN_TOKEN "admin-c41e96b07d2a5f38e1"

typedef struct
{
  GSubprocess *process;
  GDataInputStream *stdout_lines;
  GString *stdout_text;
  char *stderr_path;
  char *base_url;
  double startup_ms;
} Feedd;

typedef struct
{
  char *dir;
  char *db;
  char *tokens;
  SoupSession *session;
  gboolean skip_leak_check;
} Fixture;

static const char *
feedd_binary (void)
{
  const char *path = g_getenv ("ANXIN_FEEDD");

  g_assert_nonnull (path);
  return path;
}

static char *
sha256_hex (const char *text)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *viewer = sha256_hex (VIEWER_TOKEN);
  g_autofree char *inspector = sha256_hex (INSPECTOR_TOKEN);
  g_autofree char *admin = sha256_hex (ADMIN_TOKEN);
  g_autofree char *contents = NULL;

  fixture->dir = g_dir_make_tmp ("anx-feedd-rest-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->db = g_build_filename (fixture->dir, "ledger.sqlite", NULL);
  fixture->tokens = g_build_filename (fixture->dir, "tokens", NULL);

  /* Written independently of the tokens module: plain SHA-256 hex. */
  contents = g_strdup_printf ("# test tokens\n"
                              "viewer:wall:%s\n"
                              "inspector:officer:%s\n"
                              "admin:root:%s\n",
                              viewer, inspector, admin);
  g_assert_true (g_file_set_contents_full (fixture->tokens, contents, -1, G_FILE_SET_CONTENTS_NONE,
                                           0600, &error));
  g_assert_no_error (error);

  fixture->session = soup_session_new_with_options ("timeout", 30, NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->session);
  anx_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db);
  g_free (fixture->tokens);
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static void
feedd_free (Feedd *feedd)
{
  if (feedd->process != NULL && g_subprocess_get_identifier (feedd->process) != NULL)
    {
      g_subprocess_force_exit (feedd->process);
      g_subprocess_wait (feedd->process, NULL, NULL);
    }
  g_clear_object (&feedd->stdout_lines);
  g_clear_object (&feedd->process);
  g_string_free (feedd->stdout_text, TRUE);
  g_free (feedd->stderr_path);
  g_free (feedd->base_url);
  g_free (feedd);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Feedd, feedd_free)

/* A failed assertion aborts the test; the server must not outlive it. */
static void
die_with_parent (gpointer user_data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
}

/* Starts anxin-feedd and reads its stdout up to the "listening on" line;
 * returns with base_url NULL if the process ended before that. */
static Feedd *
feedd_spawn (Fixture           *fixture,
             const char        *tokens_path,
             const char *const *extra)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  Feedd *feedd = g_new0 (Feedd, 1);
  gint64 start;
  static guint serial;

  feedd->stdout_text = g_string_new (NULL);
  feedd->stderr_path = g_strdup_printf ("%s/stderr-%u.log", fixture->dir, serial++);

  g_ptr_array_add (argv, (gpointer) feedd_binary ());
  g_ptr_array_add (argv, (gpointer) "--db");
  g_ptr_array_add (argv, fixture->db);
  g_ptr_array_add (argv, (gpointer) "--tokens");
  g_ptr_array_add (argv, (gpointer) tokens_path);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) extra[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_stderr_file_path (launcher, feedd->stderr_path);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  /* The lines the tests look for are the untranslated ones. */
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  if (fixture->skip_leak_check)
    {
      g_autofree char *asan = g_strconcat (
          g_getenv ("ASAN_OPTIONS") ? g_getenv ("ASAN_OPTIONS") : "", ":detect_leaks=0", NULL);

      g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", asan, TRUE);
    }

  start = g_get_monotonic_time ();
  feedd->process =
      g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);

  feedd->stdout_lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (feedd->process));

  for (;;)
    {
      g_autofree char *line =
          g_data_input_stream_read_line_utf8 (feedd->stdout_lines, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        break;

      g_string_append_printf (feedd->stdout_text, "%s\n", line);
      if (g_str_has_prefix (line, "anxin-feedd: listening on "))
        {
          feedd->base_url = g_strdup (line + strlen ("anxin-feedd: listening on "));
          break;
        }
    }

  feedd->startup_ms = (g_get_monotonic_time () - start) / 1000.0;
  return feedd;
}

static Feedd *
feedd_start (Fixture    *fixture,
             const char *scale)
{
  const char *extra[] = { "--listen",         "127.0.0.1:0", "--simulate", "hangzhou", "--seed",
                          G_STRINGIFY (SEED), "--sim-scale", scale,        NULL };
  Feedd *feedd = feedd_spawn (fixture, fixture->tokens, extra);

  g_assert_nonnull (feedd->base_url);
  g_assert_true (g_str_has_prefix (feedd->base_url, "http://127.0.0.1:"));
  return feedd;
}

/* SIGTERM, then the process must exit by itself with status 0. */
static void
feedd_stop (Feedd *feedd)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (feedd->process, SIGTERM);
  g_subprocess_wait (feedd->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (feedd->process));
  g_assert_cmpint (g_subprocess_get_exit_status (feedd->process), ==, 0);

  for (;;)
    {
      g_autofree char *line =
          g_data_input_stream_read_line_utf8 (feedd->stdout_lines, NULL, NULL, NULL);
      if (line == NULL)
        break;
      g_string_append_printf (feedd->stdout_text, "%s\n", line);
    }
}

typedef struct
{
  guint status;
  SoupMessageHeaders *headers;
  JsonNode *root;
} Reply;

static void
reply_clear (Reply *reply)
{
  g_clear_pointer (&reply->headers, soup_message_headers_unref);
  g_clear_pointer (&reply->root, json_node_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Reply, reply_clear)

static void
send_request (Fixture    *fixture,
              Feedd      *feedd,
              const char *method,
              const char *path,
              const char *authorization,
              GBytes     *body,
              gboolean    expect_continue,
              Reply      *reply)
{
  g_autofree char *url = g_strconcat (feedd->base_url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  SoupMessageHeaders *request_headers;
  const char *content_type;
  gsize length;
  const char *data;

  g_assert_nonnull (msg);
  request_headers = soup_message_get_request_headers (msg);
  if (authorization != NULL)
    soup_message_headers_replace (request_headers, "Authorization", authorization);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/octet-stream", body);
  if (expect_continue)
    soup_message_headers_set_expectations (request_headers, SOUP_EXPECTATION_CONTINUE);

  response = soup_session_send_and_read (fixture->session, msg, NULL, &error);
  g_assert_no_error (error);

  reply->status = soup_message_get_status (msg);
  reply->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));

  /* Every answer, errors included, is JSON. */
  content_type = soup_message_headers_get_content_type (reply->headers, NULL);
  g_assert_cmpstr (content_type, ==, "application/json");
  data = g_bytes_get_data (response, &length);
  if (g_str_equal (method, "HEAD"))
    return;
  g_assert_true (json_parser_load_from_data (parser, data, length, &error));
  g_assert_no_error (error);
  reply->root = json_node_ref (json_parser_get_root (parser));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (reply->root));
}

static JsonObject *
get_json (Fixture    *fixture,
          Feedd      *feedd,
          const char *path,
          const char *token,
          guint       expected_status,
          Reply      *reply)
{
  g_autofree char *authorization = token != NULL ? g_strconcat ("Bearer ", token, NULL) : NULL;

  send_request (fixture, feedd, "GET", path, authorization, NULL, FALSE, reply);
  g_assert_cmpuint (reply->status, ==, expected_status);
  return json_node_get_object (reply->root);
}

static void
assert_error (Reply      *reply,
              guint       status,
              const char *code)
{
  JsonObject *error;

  g_assert_cmpuint (reply->status, ==, status);
  error = json_object_get_object_member (json_node_get_object (reply->root), "error");
  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  g_assert_cmpuint (strlen (json_object_get_string_member (error, "message")), >, 0);
}

static AnxSimNetwork *
expected_network (const char *scale)
{
  g_autoptr(GError) error = NULL;
  AnxSimParams params;
  AnxSimNetwork *network;

  g_assert_true (anx_sim_params_init_scale (&params, scale, SEED, &error));
  network = anx_sim_network_new (&params, &error);
  g_assert_no_error (error);
  return network;
}

/* Pages through one collection; returns the items in order. */
static GPtrArray *
fetch_all (Fixture    *fixture,
           Feedd      *feedd,
           const char *collection,
           guint       limit)
{
  GPtrArray *items = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autofree char *after = NULL;
  gint64 last_id = 0;

  for (;;)
    {
      g_auto(Reply) reply = { 0 };
      g_autofree char *path = NULL;
      JsonObject *page;
      JsonArray *page_items;
      JsonNode *next;

      if (after == NULL)
        path = g_strdup_printf ("/v1/registry/%s?limit=%u", collection, limit);
      else
        path = g_strdup_printf ("/v1/registry/%s?limit=%u&after=%s", collection, limit, after);

      page = get_json (fixture, feedd, path, VIEWER_TOKEN, 200, &reply);
      g_assert_cmpint (json_object_get_int_member (page, "cursor"), ==, 0);
      g_assert_cmpint (json_object_get_int_member (page, "limit"), ==, limit);
      page_items = json_object_get_array_member (page, "items");
      g_assert_cmpuint (json_array_get_length (page_items), <=, limit);

      for (guint i = 0; i < json_array_get_length (page_items); i++)
        {
          JsonObject *item = json_array_get_object_element (page_items, i);
          gint64 id = json_object_get_int_member (item, "id");

          g_assert_cmpint (id, >, last_id);
          last_id = id;
          g_ptr_array_add (items, json_object_ref (item));
        }

      next = json_object_get_member (page, "next");
      g_assert_nonnull (next);
      g_clear_pointer (&after, g_free);
      if (JSON_NODE_HOLDS_NULL (next))
        break;

      /* A full page, and the token continues right after its last item. */
      g_assert_cmpuint (json_array_get_length (page_items), ==, limit);
      after = g_strdup (json_node_get_string (next));
      g_assert_cmpint (g_ascii_strtoll (after, NULL, 10), ==, last_id);
    }

  return items;
}

static void
test_health (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(Feedd) feedd = feedd_start (fixture, "tiny");
  g_auto(Reply) reply = { 0 };
  g_autoptr(GDateTime) time = NULL;
  JsonObject *health;
  JsonObject *registry;
  const char *time_text;

  health = get_json (fixture, feedd, "/v1/health", NULL, 200, &reply);
  g_assert_cmpstr (json_object_get_string_member (health, "status"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (health, "service"), ==, "anxin-feedd");
  g_assert_cmpstr (json_object_get_string_member (health, "version"), ==, PACKAGE_VERSION);
  g_assert_cmpint (json_object_get_int_member (health, "protocol_version"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (health, "cursor"), ==, 0);

  time_text = json_object_get_string_member (health, "time");
  g_assert_true (g_str_has_suffix (time_text, "+08:00"));
  time = g_date_time_new_from_iso8601 (time_text, NULL);
  g_assert_nonnull (time);

  registry = json_object_get_object_member (health, "registry");
  g_assert_cmpstr (json_object_get_string_member (registry, "kind"), ==, "simulator");
  g_assert_cmpstr (json_object_get_string_member (registry, "scale"), ==, "tiny");
  g_assert_cmpint (json_object_get_int_member (registry, "seed"), ==, SEED);

  feedd_stop (feedd);
}

static void
test_registry_paging (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(AnxSimNetwork) network = expected_network ("small");
  g_autoptr(Feedd) feedd = feedd_start (fixture, "small");
  g_autoptr(GPtrArray) operators = fetch_all (fixture, feedd, "operators", 3);
  g_autoptr(GPtrArray) stations = fetch_all (fixture, feedd, "stations", 7);
  g_autoptr(GPtrArray) chargers = fetch_all (fixture, feedd, "chargers", 64);
  g_autoptr(GPtrArray) meters = fetch_all (fixture, feedd, "meters", 100);
  guint n_operators, n_stations, n_chargers, n_meters;

  anx_sim_network_get_operators (network, &n_operators);
  anx_sim_network_get_stations (network, &n_stations);
  anx_sim_network_get_chargers (network, &n_chargers);
  anx_sim_network_get_meters (network, &n_meters);

  g_assert_cmpuint (operators->len, ==, n_operators);
  g_assert_cmpuint (stations->len, ==, n_stations);
  g_assert_cmpuint (chargers->len, ==, n_chargers);
  g_assert_cmpuint (meters->len, ==, n_meters);

  for (guint i = 0; i < operators->len; i++)
    {
      JsonObject *op = g_ptr_array_index (operators, i);
      const AnxSimOperator *expected = anx_sim_network_get_operator (network, i + 1);
      JsonObject *tariff = json_object_get_object_member (op, "tariff");

      g_assert_cmpstr (json_object_get_string_member (op, "name"), ==, expected->name);
      g_assert_cmpstr (json_object_get_string_member (op, "name_en"), ==, expected->name_en);
      g_assert_cmpint (json_object_get_int_member (tariff, "peak_fen_per_kwh"), ==,
                       expected->tariff.peak_fen_per_kwh);
      g_assert_cmpint (json_object_get_int_member (tariff, "service_fen_per_kwh"), ==,
                       expected->tariff.service_fen_per_kwh);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (tariff, "periods")),
                        ==, expected->tariff.n_periods);
    }

  for (guint i = 0; i < stations->len; i++)
    {
      JsonObject *station = g_ptr_array_index (stations, i);
      const AnxSimStation *expected = anx_sim_network_get_station (network, i + 1);
      JsonObject *location = json_object_get_object_member (station, "location");
      JsonObject *district = json_object_get_object_member (station, "district");

      g_assert_cmpstr (json_object_get_string_member (station, "code"), ==, expected->code);
      g_assert_cmpstr (json_object_get_string_member (station, "name"), ==, expected->name);
      g_assert_cmpstr (json_object_get_string_member (station, "address"), ==, expected->address);
      g_assert_cmpstr (json_object_get_string_member (location, "datum"), ==, "GCJ-02");
      g_assert_cmpfloat (json_object_get_double_member (location, "latitude"), ==,
                         expected->latitude);
      g_assert_cmpfloat (json_object_get_double_member (location, "longitude"), ==,
                         expected->longitude);
      g_assert_cmpstr (json_object_get_string_member (district, "code"), ==,
                       anx_sim_district_get_code (expected->district));
      g_assert_cmpint (json_object_get_int_member (station, "charger_count"), ==,
                       expected->n_chargers);
    }

  for (guint i = 0; i < chargers->len; i++)
    {
      JsonObject *charger = g_ptr_array_index (chargers, i);
      const AnxSimCharger *expected = anx_sim_network_get_charger (network, i + 1);

      g_assert_cmpstr (json_object_get_string_member (charger, "code"), ==, expected->code);
      g_assert_cmpstr (json_object_get_string_member (charger, "current"), ==,
                       anx_sim_current_to_string (expected->current));
      g_assert_cmpint (json_object_get_int_member (charger, "rated_power_w"), ==,
                       expected->rated_power_w);
      g_assert_cmpint (json_object_get_int_member (charger, "meter_id"), ==, expected->meter_id);
    }

  for (guint i = 0; i < meters->len; i++)
    {
      JsonObject *meter = g_ptr_array_index (meters, i);
      const AnxSimMeter *expected = anx_sim_network_get_meter (network, i + 1);

      g_assert_cmpstr (json_object_get_string_member (meter, "serial"), ==, expected->serial);
      g_assert_cmpstr (json_object_get_string_member (meter, "signature_algorithm"), ==,
                       expected->signature_algorithm);
      g_assert_cmpint (json_object_get_int_member (meter, "accuracy_class"), ==,
                       expected->accuracy_class);
      g_assert_cmpstr (json_object_get_string_member (
                           json_object_get_object_member (meter, "seals"), "electronic"),
                       ==, expected->electronic_seal_id);
    }

  /* Past the end: an empty last page. */
  {
    g_auto(Reply) reply = { 0 };
    g_autofree char *path = g_strdup_printf ("/v1/registry/chargers?after=%u", n_chargers);
    JsonObject *page = get_json (fixture, feedd, path, VIEWER_TOKEN, 200, &reply);

    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (page, "items")), ==, 0);
    g_assert_true (json_object_get_null_member (page, "next"));
  }

  /* Without limit: the default page size. */
  {
    g_auto(Reply) reply = { 0 };
    JsonObject *page =
        get_json (fixture, feedd, "/v1/registry/chargers", VIEWER_TOKEN, 200, &reply);

    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (page, "items")), ==,
                      ANX_FEED_SERVER_DEFAULT_PAGE);
  }

  feedd_stop (feedd);
}

static void
test_hangzhou_scale (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(Feedd) feedd = feedd_start (fixture, "hangzhou");
  g_autoptr(GPtrArray) operators = fetch_all (fixture, feedd, "operators", 1000);
  g_autoptr(GPtrArray) stations = fetch_all (fixture, feedd, "stations", 1000);
  g_autoptr(GPtrArray) chargers = NULL;
  g_autoptr(GPtrArray) meters = NULL;
  gint64 start = g_get_monotonic_time ();

  chargers = fetch_all (fixture, feedd, "chargers", 1000);
  meters = fetch_all (fixture, feedd, "meters", 1000);
  g_test_message ("first start with the Hangzhou network: %.0f ms; 12,258 chargers and meters "
                  "read in pages of 1,000: %.0f ms",
                  feedd->startup_ms, (g_get_monotonic_time () - start) / 1000.0);

  g_assert_cmpuint (operators->len, ==, 91);
  g_assert_cmpuint (stations->len, ==, 1016);
  g_assert_cmpuint (chargers->len, ==, 12258);
  g_assert_cmpuint (meters->len, ==, 12258);

  feedd_stop (feedd);
}

static void
test_charger (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(AnxSimNetwork) network = expected_network ("small");
  g_autoptr(Feedd) feedd = feedd_start (fixture, "small");
  const AnxSimCharger *expected = anx_sim_network_get_charger (network, 17);
  const AnxSimMeter *expected_meter = anx_sim_network_get_meter (network, expected->meter_id);
  g_auto(Reply) reply = { 0 };
  JsonObject *object, *charger, *meter;
  g_autofree char *first_verification = NULL;
  static const char *const unknown[] = {
    "/v1/chargers/999999",
    "/v1/chargers/0",
    "/v1/chargers/abc",
    "/v1/chargers/-3",
    "/v1/chargers/99999999999999999999999",
    "/v1/chargers/330106-9999-DC99",
    "/v1/chargers/330106%200042",
    "/v1/chargers/%E5%85%85",
  };

  object = get_json (fixture, feedd, "/v1/chargers/17", VIEWER_TOKEN, 200, &reply);
  g_assert_cmpint (json_object_get_int_member (object, "cursor"), ==, 0);
  charger = json_object_get_object_member (object, "charger");
  g_assert_cmpint (json_object_get_int_member (charger, "id"), ==, 17);
  g_assert_cmpint (json_object_get_int_member (charger, "station_id"), ==, expected->station_id);
  g_assert_cmpint (json_object_get_int_member (charger, "operator_id"), ==,
                   anx_sim_network_get_station (network, expected->station_id)->operator_id);
  g_assert_cmpstr (json_object_get_string_member (charger, "status"), ==, "unknown");
  g_assert_true (json_object_get_null_member (charger, "last_seen"));
  g_assert_true (json_object_get_null_member (charger, "session"));

  meter = json_object_get_object_member (charger, "meter");
  g_assert_nonnull (meter);
  g_assert_cmpstr (json_object_get_string_member (meter, "serial"), ==, expected_meter->serial);
  g_assert_cmpstr (json_object_get_string_member (meter, "model"), ==, expected_meter->model);
  first_verification =
      g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (&expected_meter->first_verification),
                       g_date_get_month (&expected_meter->first_verification),
                       g_date_get_day (&expected_meter->first_verification));
  g_assert_cmpstr (json_object_get_string_member (meter, "first_verification"), ==,
                   first_verification);
  g_assert_true (json_object_get_null_member (meter, "public_key"));

  /* The same charger by its code, as chain records name it. */
  {
    g_auto(Reply) by_code = { 0 };
    g_autofree char *path = g_strconcat ("/v1/chargers/", expected->code, NULL);
    JsonObject *same = json_object_get_object_member (
        get_json (fixture, feedd, path, VIEWER_TOKEN, 200, &by_code), "charger");

    g_assert_cmpint (json_object_get_int_member (same, "id"), ==, 17);
    g_assert_cmpstr (json_object_get_string_member (same, "code"), ==, expected->code);
    g_assert_cmpstr (
        json_object_get_string_member (json_object_get_object_member (same, "meter"), "serial"), ==,
        expected_meter->serial);
  }

  for (guint i = 0; i < G_N_ELEMENTS (unknown); i++)
    {
      g_auto(Reply) missing = { 0 };

      get_json (fixture, feedd, unknown[i], VIEWER_TOKEN, 404, &missing);
      assert_error (&missing, 404, "not-found");
    }

  feedd_stop (feedd);
}

static void
test_auth (Fixture       *fixture,
           gconstpointer  user_data)
{
  g_autoptr(Feedd) feedd = feedd_start (fixture, "tiny");
  static const char *const bad_authorizations[] = {
    "Bearer garbage",      "Bearer ", "Basic dmlld2VyOnBhc3M=", "Bearer " VIEWER_TOKEN "x",
    "bearer" VIEWER_TOKEN,
  };

  /* Missing: 401 with a challenge. */
  {
    g_auto(Reply) reply = { 0 };

    send_request (fixture, feedd, "GET", "/v1/registry/stations", NULL, NULL, FALSE, &reply);
    assert_error (&reply, 401, "unauthorized");
    g_assert_true (g_str_has_prefix (
        soup_message_headers_get_one (reply.headers, "WWW-Authenticate"), "Bearer"));
  }

  for (guint i = 0; i < G_N_ELEMENTS (bad_authorizations); i++)
    {
      g_auto(Reply) reply = { 0 };

      send_request (fixture, feedd, "GET", "/v1/chargers/1", bad_authorizations[i], NULL, FALSE,
                    &reply);
      assert_error (&reply, 401, "unauthorized");
    }

  /* The scheme is case-insensitive. */
  {
    g_auto(Reply) reply = { 0 };

    send_request (fixture, feedd, "GET", "/v1/chargers/1", "bEaReR " VIEWER_TOKEN, NULL, FALSE,
                  &reply);
    g_assert_cmpuint (reply.status, ==, 200);
  }

  /* Every role reads the registry; only admin lists tokens. */
  {
    const char *const readers[] = { VIEWER_TOKEN, INSPECTOR_TOKEN, ADMIN_TOKEN };

    for (guint i = 0; i < G_N_ELEMENTS (readers); i++)
      {
        g_auto(Reply) reply = { 0 };

        get_json (fixture, feedd, "/v1/registry/operators", readers[i], 200, &reply);
      }
  }

  {
    g_auto(Reply) viewer = { 0 };
    g_auto(Reply) inspector = { 0 };
    g_auto(Reply) admin = { 0 };
    g_autofree char *body = NULL;
    g_autofree char *hash = sha256_hex (ADMIN_TOKEN);
    JsonArray *tokens;

    get_json (fixture, feedd, "/v1/admin/tokens", VIEWER_TOKEN, 403, &viewer);
    assert_error (&viewer, 403, "forbidden");
    get_json (fixture, feedd, "/v1/admin/tokens", INSPECTOR_TOKEN, 403, &inspector);
    assert_error (&inspector, 403, "forbidden");

    tokens = json_object_get_array_member (
        get_json (fixture, feedd, "/v1/admin/tokens", ADMIN_TOKEN, 200, &admin), "tokens");
    g_assert_cmpuint (json_array_get_length (tokens), ==, 3);
    g_assert_cmpstr (
        json_object_get_string_member (json_array_get_object_element (tokens, 0), "name"), ==,
        "wall");
    g_assert_cmpstr (
        json_object_get_string_member (json_array_get_object_element (tokens, 1), "role"), ==,
        "inspector");
    body = json_to_string (admin.root, FALSE);
    g_assert_null (strstr (body, hash));
  }

  /* Health needs no token. */
  {
    g_auto(Reply) reply = { 0 };

    get_json (fixture, feedd, "/v1/health", NULL, 200, &reply);
  }

  feedd_stop (feedd);

  /* The tokens never reach the log, even with debug messages on. */
  {
    g_autofree char *log = read_file (feedd->stderr_path);

    g_assert_null (strstr (log, VIEWER_TOKEN));
    g_assert_null (strstr (log, ADMIN_TOKEN));
    g_assert_null (strstr (log, "garbage"));
    g_assert_nonnull (strstr (log, "(wall)")); /* the access log names the holder */
  }
}

static void
test_bad_requests (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(Feedd) feedd = feedd_start (fixture, "tiny");
  static const char *const bad_queries[] = {
    "/v1/registry/meters?limit=0",
    "/v1/registry/meters?limit=1001",
    "/v1/registry/meters?limit=abc",
    "/v1/registry/meters?limit=",
    "/v1/registry/meters?limit=-5",
    "/v1/registry/meters?limit=1e3",
    "/v1/registry/meters?after=-1",
    "/v1/registry/meters?after=abc",
    "/v1/registry/meters?after=",
    "/v1/registry/meters?after=1.5",
    "/v1/registry/meters?after=99999999999999999999999",
    "/v1/registry/meters?limt=5",
    "/v1/chargers/1?verbose=1",
  };
  static const char *const unknown_paths[] = {
    "/v1/registry/sessions",
    "/v1/registry",
    "/v1/registry/stations/",
    "/v2/health",
    "/health",
    "/v1/chargers/",
    "/v1/admin/tokens/x",
    "/",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad_queries); i++)
    {
      g_auto(Reply) reply = { 0 };

      get_json (fixture, feedd, bad_queries[i], VIEWER_TOKEN, 400, &reply);
      assert_error (&reply, 400, "bad-request");
    }

  for (guint i = 0; i < G_N_ELEMENTS (unknown_paths); i++)
    {
      g_auto(Reply) reply = { 0 };

      get_json (fixture, feedd, unknown_paths[i], VIEWER_TOKEN, 404, &reply);
      assert_error (&reply, 404, "not-found");
    }

  /* Reading endpoints take GET (and HEAD) only. */
  {
    g_auto(Reply) reply = { 0 };
    g_autoptr(GBytes) body = g_bytes_new_static ("{}", 2);

    send_request (fixture, feedd, "POST", "/v1/registry/stations", "Bearer " VIEWER_TOKEN, body,
                  FALSE, &reply);
    assert_error (&reply, 405, "method-not-allowed");
    g_assert_cmpstr (soup_message_headers_get_one (reply.headers, "Allow"), ==, "GET, HEAD");
  }
  {
    g_auto(Reply) reply = { 0 };

    send_request (fixture, feedd, "DELETE", "/v1/chargers/1", "Bearer " ADMIN_TOKEN, NULL, FALSE,
                  &reply);
    assert_error (&reply, 405, "method-not-allowed");
  }
  {
    g_auto(Reply) reply = { 0 };

    send_request (fixture, feedd, "HEAD", "/v1/chargers/1", "Bearer " VIEWER_TOKEN, NULL, FALSE,
                  &reply);
    g_assert_cmpuint (reply.status, ==, 200);
  }

  feedd_stop (feedd);
}

static void
test_payload_too_large (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(Feedd) feedd = feedd_start (fixture, "tiny");
  gsize big_size = 4 * 1024 * 1024;
  g_autoptr(GBytes) big = g_bytes_new_take (g_malloc0 (big_size), big_size);
  g_autoptr(GBytes) just_over = g_bytes_new_take (g_malloc0 (ANX_FEED_SERVER_MAX_BODY_BYTES + 1),
                                                   ANX_FEED_SERVER_MAX_BODY_BYTES + 1);
  g_autoptr(GBytes) at_limit =
      g_bytes_new_take (g_malloc0 (ANX_FEED_SERVER_MAX_BODY_BYTES), ANX_FEED_SERVER_MAX_BODY_BYTES);

  /* With "Expect: 100-continue" the 413 comes before the body is sent. */
  {
    g_auto(Reply) reply = { 0 };

    send_request (fixture, feedd, "POST", "/v1/registry/stations", "Bearer " ADMIN_TOKEN, big, TRUE,
                  &reply);
    assert_error (&reply, 413, "payload-too-large");
  }

  /* Anonymous too: the size is checked before anything else. */
  {
    g_auto(Reply) reply = { 0 };

    send_request (fixture, feedd, "POST", "/v1/health", NULL, just_over, FALSE, &reply);
    assert_error (&reply, 413, "payload-too-large");
  }

  /* At the limit the body is read and the request judged on its merits. */
  {
    g_auto(Reply) reply = { 0 };

    send_request (fixture, feedd, "POST", "/v1/registry/stations", "Bearer " ADMIN_TOKEN, at_limit,
                  FALSE, &reply);
    assert_error (&reply, 405, "method-not-allowed");
  }

  /* The server is still serving. */
  {
    g_auto(Reply) reply = { 0 };

    get_json (fixture, feedd, "/v1/health", NULL, 200, &reply);
  }

  feedd_stop (feedd);
}

static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* What the server left on disk: a WAL-mode ledger of our schema. */
static void
check_ledger_file (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
  sqlite3_finalize (stmt);

  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, ANX_FEED_LEDGER_SCHEMA_VERSION);
  g_assert_cmpint (query_int (db, "PRAGMA application_id"), ==, 0x416E5846);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM operators"), ==, 91);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM tariffs"), ==, 91);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM stations"), ==, 1016);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM chargers"), ==, 12258);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM meters"), ==, 12258);

  sqlite3_close (db);
}

static void
test_restart (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autofree char *loaded_at = NULL;
  g_autofree char *first_station = NULL;
  double first_start_ms;

  {
    g_autoptr(Feedd) feedd = feedd_start (fixture, "hangzhou");
    g_auto(Reply) health = { 0 };
    g_auto(Reply) page = { 0 };
    JsonObject *registry;
    JsonObject *first_page;

    registry = json_object_get_object_member (
        get_json (fixture, feedd, "/v1/health", NULL, 200, &health), "registry");
    loaded_at = g_strdup (json_object_get_string_member (registry, "loaded_at"));
    first_page =
        get_json (fixture, feedd, "/v1/registry/stations?limit=1", VIEWER_TOKEN, 200, &page);
    first_station = json_to_string (json_object_get_member (first_page, "items"), FALSE);
    first_start_ms = feedd->startup_ms;
    feedd_stop (feedd);
  }

  /* Make a changed load_at observable, should the registry be rewritten. */
  g_usleep (1100 * 1000);

  {
    g_autoptr(Feedd) feedd = feedd_start (fixture, "hangzhou");
    g_auto(Reply) health = { 0 };
    g_auto(Reply) page = { 0 };
    g_autofree char *station = NULL;
    g_autofree char *log = NULL;
    JsonObject *registry;

    registry = json_object_get_object_member (
        get_json (fixture, feedd, "/v1/health", NULL, 200, &health), "registry");
    g_assert_cmpstr (json_object_get_string_member (registry, "loaded_at"), ==, loaded_at);

    station = json_to_string (
        json_object_get_member (
            get_json (fixture, feedd, "/v1/registry/stations?limit=1", VIEWER_TOKEN, 200, &page),
            "items"),
        FALSE);
    g_assert_cmpstr (station, ==, first_station);

    g_test_message ("start that simulated the Hangzhou network: %.0f ms; restart on the same "
                    "ledger: %.0f ms",
                    first_start_ms, feedd->startup_ms);
    feedd_stop (feedd);

    log = read_file (feedd->stderr_path);
    g_assert_nonnull (strstr (log, "keeping it"));
  }

  check_ledger_file (fixture->db);

  /* Another seed on the same ledger is refused, not silently mixed in. */
  {
    const char *extra[] = { "--listen", "127.0.0.1:0", "--simulate", "hangzhou",
                            "--seed",   "43",          NULL };
    g_autoptr(Feedd) feedd = feedd_spawn (fixture, fixture->tokens, extra);
    g_autoptr(GError) error = NULL;
    g_autofree char *log = NULL;

    g_assert_null (feedd->base_url);
    g_subprocess_wait (feedd->process, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (g_subprocess_get_exit_status (feedd->process), ==, 1);
    log = read_file (feedd->stderr_path);
    g_assert_nonnull (strstr (log, "already holds a registry"));
  }
}

static void
test_generated_admin_token (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autofree char *tokens_path = g_build_filename (fixture->dir, "fresh", "tokens", NULL);
  g_autofree char *plaintext_path = g_strconcat (tokens_path, ".admin-token", NULL);
  g_autofree char *token = NULL;
  g_autofree char *expected_line = NULL;
  const char *extra[] = { "--listen",    "127.0.0.1:0", "--simulate", "hangzhou",
                          "--sim-scale", "tiny",        NULL };
  GStatBuf st;

  {
    g_autoptr(Feedd) feedd = feedd_spawn (fixture, tokens_path, extra);
    g_auto(Reply) reply = { 0 };
    g_autofree char *log = NULL;

    g_assert_nonnull (feedd->base_url);
    expected_line =
        g_strdup_printf ("anxin-feedd: generated an admin token; it is in %s", plaintext_path);

    g_assert_cmpint (g_stat (tokens_path, &st), ==, 0);
    g_assert_cmpuint (st.st_mode & 0777, ==, 0600);
    g_assert_cmpint (g_stat (plaintext_path, &st), ==, 0);
    g_assert_cmpuint (st.st_mode & 0777, ==, 0600);

    token = g_strstrip (read_file (plaintext_path));
    get_json (fixture, feedd, "/v1/admin/tokens", token, 200, &reply);

    feedd_stop (feedd);
    g_assert_nonnull (strstr (feedd->stdout_text->str, expected_line));
    g_assert_null (strstr (feedd->stdout_text->str, token));
    log = read_file (feedd->stderr_path);
    g_assert_null (strstr (log, token));
  }

  /* Said once: the next start just loads the file. */
  {
    g_autoptr(Feedd) feedd = feedd_spawn (fixture, tokens_path, extra);
    g_auto(Reply) reply = { 0 };

    g_assert_nonnull (feedd->base_url);
    get_json (fixture, feedd, "/v1/admin/tokens", token, 200, &reply);
    feedd_stop (feedd);
    g_assert_null (strstr (feedd->stdout_text->str, "generated"));
  }
}

static void
test_ipv6 (Fixture       *fixture,
           gconstpointer  user_data)
{
  const char *extra[] = { "--listen",    "[::1]:0", "--simulate", "hangzhou",
                          "--sim-scale", "tiny",    NULL };
  g_autoptr(GInetAddress) loopback6 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocketAddress) probe_address = g_inet_socket_address_new (loopback6, 0);
  g_autoptr(GSocket) probe = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Feedd) feedd = NULL;
  g_auto(Reply) reply = { 0 };

  probe = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  if (probe == NULL || !g_socket_bind (probe, probe_address, FALSE, &error))
    {
      g_test_skip ("No IPv6 loopback here");
      return;
    }
  g_socket_close (probe, NULL);

  feedd = feedd_spawn (fixture, fixture->tokens, extra);
  g_assert_nonnull (feedd->base_url);
  g_assert_true (g_str_has_prefix (feedd->base_url, "http://[::1]:"));
  get_json (fixture, feedd, "/v1/registry/operators", VIEWER_TOKEN, 200, &reply);
  feedd_stop (feedd);
}

static void
test_refuses_insecure_remote (Fixture       *fixture,
                              gconstpointer  user_data)
{
  /* 192.0.2.1 is TEST-NET-1 (RFC 5737): never bound here, so even a broken
   * check opens no socket; the message tells the refusal from a bind
   * failure. */
  const char *extra[] = { "--listen", "192.0.2.1:0", NULL };
  g_autoptr(Feedd) feedd = feedd_spawn (fixture, fixture->tokens, extra);
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  g_assert_null (feedd->base_url);
  g_subprocess_wait (feedd->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (feedd->process), ==, 1);
  log = read_file (feedd->stderr_path);
  g_assert_nonnull (strstr (log, "Refusing plain HTTP on 192.0.2.1"));
}

/* --sim-signature: every meter of the registry served has that algorithm;
 * an algorithm meters do not use is refused before anything starts, and a
 * ledger holds to the algorithm it was simulated with. */
static void
test_sim_signature (Fixture       *fixture,
                    gconstpointer  user_data)
{
  const char *extra[] = { "--listen", "127.0.0.1:0", "--simulate", "hangzhou", "--seed",
                          G_STRINGIFY (SEED), "--sim-scale", "tiny", "--sim-signature",
                          "SM2-SM3", NULL };
  const char *unknown[] = { "--listen", "127.0.0.1:0", "--simulate", "hangzhou",
                            "--sim-signature", "ECDSA-secp256r1-SHA512", NULL };
  const char *mixed[] = { "--listen", "127.0.0.1:0", "--simulate", "hangzhou", "--seed",
                          G_STRINGIFY (SEED), "--sim-scale", "tiny", NULL };
  g_autoptr(Feedd) feedd = feedd_spawn (fixture, fixture->tokens, extra);
  g_autoptr(Feedd) refused = NULL;
  g_autoptr(Feedd) other = NULL;
  g_autoptr(GPtrArray) meters = NULL;
  g_autofree char *log = NULL;

  g_assert_nonnull (feedd->base_url);
  meters = fetch_all (fixture, feedd, "meters", 1000);
  g_assert_cmpuint (meters->len, >, 10);
  for (guint i = 0; i < meters->len; i++)
    g_assert_cmpstr (json_object_get_string_member (meters->pdata[i], "signature_algorithm"), ==,
                     "SM2-SM3");
  feedd_stop (feedd);

  refused = feedd_spawn (fixture, fixture->tokens, unknown);
  g_assert_null (refused->base_url);
  g_subprocess_wait (refused->process, NULL, NULL);
  g_assert_cmpint (g_subprocess_get_exit_status (refused->process), ==, 2); /* usage */
  log = read_file (refused->stderr_path);
  g_assert_nonnull (strstr (log, "Unknown signature algorithm “ECDSA-secp256r1-SHA512”"));

  /* The same ledger without the option is another registry: refused */
  other = feedd_spawn (fixture, fixture->tokens, mixed);
  g_assert_null (other->base_url);
  g_subprocess_wait (other->process, NULL, NULL);
  g_assert_cmpint (g_subprocess_get_exit_status (other->process), ==, 1);
  g_clear_pointer (&log, g_free);
  log = read_file (other->stderr_path);
  g_assert_nonnull (strstr (log, "signatures=SM2-SM3"));
}

static void
test_tls (Fixture       *fixture,
          gconstpointer  user_data)
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *cert = g_build_filename (fixture->dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (fixture->dir, "key.pem", NULL);
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Feedd) feedd = NULL;
  g_autoptr(SoupSession) plain_session = NULL;
  g_auto(Reply) reply = { 0 };
  int wait_status = 0;

  if (openssl == NULL || !g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("No openssl command or no GIO TLS backend");
      return;
    }

  {
    const char *argv[] = { openssl,
                           "req",
                           "-x509",
                           "-newkey",
                           "ec",
                           "-pkeyopt",
                           "ec_paramgen_curve:prime256v1",
                           "-nodes",
                           "-days",
                           "2",
                           "-subj",
                           "/CN=127.0.0.1",
                           "-addext",
                           "subjectAltName=IP:127.0.0.1",
                           "-keyout",
                           key,
                           "-out",
                           cert,
                           NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL,
                                 G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                                 NULL, NULL, NULL, &wait_status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (wait_status, &error));
    g_assert_no_error (error);
  }

  /* LeakSanitizer in this toolchain crashes at exit on the bogus dynamic
   * TLS range of glib-networking's handshake threads ("Tracer caught signal
   * 11"), so only this server skips the leak check; every other test runs
   * the same code with it. */
  fixture->skip_leak_check = TRUE;

  {
    const char *extra[] = { "--listen",   "127.0.0.1:0", "--tls-cert",  cert,   "--tls-key", key,
                            "--simulate", "hangzhou",    "--sim-scale", "tiny", NULL };

    feedd = feedd_spawn (fixture, fixture->tokens, extra);
  }
  g_assert_nonnull (feedd->base_url);
  g_assert_true (g_str_has_prefix (feedd->base_url, "https://127.0.0.1:"));

  /* Trusting exactly the test certificate. */
  database = g_tls_file_database_new (cert, &error);
  g_assert_no_error (error);
  soup_session_set_tls_database (fixture->session, database);
  get_json (fixture, feedd, "/v1/registry/operators", VIEWER_TOKEN, 200, &reply);

  feedd_stop (feedd);
}

static void
test_listen_address (void)
{
  static const char *const good[] = { "127.0.0.1:0", "127.0.0.1:8420", "[::1]:65535",
                                      "localhost:1" };
  static const char *const bad[] = {
    "127.0.0.1",      "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "::1:80",
    "[127.0.0.1]:80", "host:80",    "[::1]",           ":80",          ""
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocketAddress) address = anx_feed_server_parse_address (good[i], &error);

      g_assert_no_error (error);
      g_assert_true (G_IS_INET_SOCKET_ADDRESS (address));
      g_assert_true (g_inet_address_get_is_loopback (
          g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address))));
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocketAddress) address = anx_feed_server_parse_address (bad[i], &error);

      g_assert_null (address);
      g_assert_error (error, ANX_FEED_SERVER_ERROR, ANX_FEED_SERVER_ERROR_BAD_ADDRESS);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/feedd/listen-address", test_listen_address);
#define ADD(path, func) \
  g_test_add ("/feedd/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("health", test_health);
  ADD ("registry-paging", test_registry_paging);
  ADD ("hangzhou-scale", test_hangzhou_scale);
  ADD ("charger", test_charger);
  ADD ("auth", test_auth);
  ADD ("bad-requests", test_bad_requests);
  ADD ("payload-too-large", test_payload_too_large);
  ADD ("restart", test_restart);
  ADD ("generated-admin-token", test_generated_admin_token);
  ADD ("ipv6", test_ipv6);
  ADD ("refuses-insecure-remote", test_refuses_insecure_remote);
  ADD ("tls", test_tls);
  ADD ("sim-signature", test_sim_signature);
#undef ADD

  return g_test_run ();
}
