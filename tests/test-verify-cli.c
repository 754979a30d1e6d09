/* test-verify-cli.c: anxin-verify as a user runs it
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "anx-evidence-bundle.h"
#include "anx-test-chain.h"

typedef struct
{
  char *dir;
  AnxTestChain *chain;
  AnxTestMeter *meter;
} Fixture;

typedef struct
{
  int status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnxTestMeter, anx_test_meter_free)

static void
run_verify (Run        *run,
            const char *stdin_path,
            ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = g_get_environ ();
  const char *verify = g_getenv ("ANXIN_VERIFY");
  const char *arg;
  va_list ap;
  int wait_status = 0;
  g_autofree char *command_line = NULL;

  g_assert_nonnull (verify);
  g_ptr_array_add (args, (gpointer) verify);
  va_start (ap, stdin_path);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);
  env = g_environ_setenv (env, "LANGUAGE", "C", TRUE);

  if (stdin_path != NULL)
    {
      /* through a shell only to redirect standard input */
      g_autofree char *joined = NULL;
      g_autoptr(GString) quoted = g_string_new (NULL);

      for (guint i = 0; g_ptr_array_index (args, i) != NULL; i++)
        {
          g_autofree char *q = g_shell_quote (g_ptr_array_index (args, i));

          g_string_append_printf (quoted, "%s ", q);
        }
      joined = g_shell_quote (stdin_path);
      command_line = g_strdup_printf ("%s< %s", quoted->str, joined);
      {
        const char *sh_args[] = { "/bin/sh", "-c", command_line, NULL };

        g_spawn_sync (NULL, (char **) sh_args, env, G_SPAWN_DEFAULT, NULL, NULL, &run->out,
                      &run->err, &wait_status, &error);
      }
    }
  else
    g_spawn_sync (NULL, (char **) args->pdata, env, G_SPAWN_DEFAULT, NULL, NULL, &run->out,
                  &run->err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  run->status = WEXITSTATUS (wait_status);
  g_test_message ("exit %d\nstdout: %s\nstderr: %s", run->status, run->out, run->err);
}

static char *
fixture_path (Fixture    *f,
              const char *name)
{
  return g_build_filename (f->dir, name, NULL);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("anxin-verify-cli-XXXXXX", &error);
  g_assert_no_error (error);
  f->chain = anx_test_chain_new ("330106-0042-DC02");
  f->meter = anx_test_meter_new ("AXM-2026-000042", ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256);
  anx_test_chain_register (f->chain, f->meter, "1", 0, G_MAXUINT64);
  for (guint i = 0; i < 4; i++)
    anx_test_chain_add_charge (f->chain, f->meter, NULL);
  anx_test_chain_add_seal (f->chain, ANX_SEAL_ACTION_CLOSED);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = fixture_path (f, name);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  anx_test_chain_free (f->chain);
  anx_test_meter_free (f->meter);
}

static char *
write_bundle (Fixture    *f,
              const char *name)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 ("2026-04-01T10:00:00+08:00", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxEvidenceBundle) bundle = anx_evidence_bundle_new_from_chain (
      f->chain->entry, now, f->chain->records, 0, G_MAXUINT64, &error);
  char *path = fixture_path (f, name);

  g_assert_no_error (error);
  g_assert_true (anx_evidence_bundle_save (bundle, path, &error));
  g_assert_no_error (error);
  return path;
}

static JsonObject *
parse_json_output (Run        *run,
                   JsonParser *parser)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, run->out, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_help_and_version (void)
{
  g_auto(Run) help = { 0 };
  g_auto(Run) version = { 0 };
  g_auto(Run) none = { 0 };
  g_auto(Run) unknown = { 0 };
  g_auto(Run) sub_help = { 0 };

  run_verify (&help, NULL, "--help", NULL);
  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "anxin-verify ocmf --key KEY"));
  g_assert_nonnull (strstr (help.out, "anxin-verify chain"));

  run_verify (&version, NULL, "--version", NULL);
  g_assert_cmpint (version.status, ==, 0);
  g_assert_true (g_str_has_prefix (version.out, "anxin-verify "));
  g_assert_nonnull (strstr (version.out, PACKAGE_VERSION));

  run_verify (&none, NULL, NULL);
  g_assert_cmpint (none.status, ==, 2);

  run_verify (&unknown, NULL, "frobnicate", NULL);
  g_assert_cmpint (unknown.status, ==, 2);
  g_assert_nonnull (strstr (unknown.err, "frobnicate"));

  run_verify (&sub_help, NULL, "chain", "--help", NULL);
  g_assert_cmpint (sub_help.status, ==, 0);
  g_assert_nonnull (strstr (sub_help.out, "--json"));
}

static void
test_chain_valid (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *path = write_bundle (f, "bundle.json");
  g_auto(Run) human = { 0 };
  g_auto(Run) json = { 0 };
  g_auto(Run) piped = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *result;

  run_verify (&human, NULL, "chain", path, NULL);
  g_assert_cmpint (human.status, ==, 0);
  g_assert_nonnull (strstr (human.out, "330106-0042-DC02"));
  g_assert_cmpstr (human.err, ==, "");

  run_verify (&json, NULL, "chain", "--json", path, NULL);
  g_assert_cmpint (json.status, ==, 0);
  result = parse_json_output (&json, parser);
  g_assert_true (json_object_get_boolean_member (result, "valid"));
  g_assert_cmpint (json_object_get_int_member (result, "records"), ==, 5);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (result, "findings")), ==,
                    0);

  run_verify (&piped, path, "chain", "-", NULL);
  g_assert_cmpint (piped.status, ==, 0);
}

static void
test_chain_tampered (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_auto(Run) human = { 0 };
  g_auto(Run) json = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  AnxChainRecord *record = g_ptr_array_index (f->chain->records, 2);
  JsonObject *result, *finding;
  JsonArray *findings;

  /* 5 % over-billed, consistently with the tariff, and the hash recomputed:
   * only the comparison with the meter can tell */
  anx_chain_record_set_charge (record, anx_chain_record_get_session_id (record),
                               anx_chain_record_get_ocmf (record), 32760, 2795);
  anx_chain_record_clear_tariff (record);
  anx_chain_record_add_tariff_segment (record, "平", 32760, ANX_TEST_PRICE_MILLIFEN);
  anx_test_chain_relink (f->chain, 2);
  path = write_bundle (f, "tampered.json");

  run_verify (&human, NULL, "chain", path, NULL);
  g_assert_cmpint (human.status, ==, 1);
  g_assert_nonnull (strstr (human.out, "energy-mismatch"));

  run_verify (&json, NULL, "chain", "--json", path, NULL);
  g_assert_cmpint (json.status, ==, 1);
  result = parse_json_output (&json, parser);
  g_assert_false (json_object_get_boolean_member (result, "valid"));
  findings = json_object_get_array_member (result, "findings");
  g_assert_cmpuint (json_array_get_length (findings), >=, 1);
  finding = json_array_get_object_element (findings, 0);
  g_assert_cmpint (json_object_get_int_member (finding, "sequence"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (finding, "severity"), ==, "critical");
}

static void
test_chain_malformed (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *path = fixture_path (f, "broken.json");
  g_autofree char *missing = fixture_path (f, "missing.json");
  g_autofree char *semantic = fixture_path (f, "semantic.json");
  g_autofree char *expected = NULL;
  g_auto(Run) syntax = { 0 };
  g_auto(Run) absent = { 0 };
  g_auto(Run) wrong = { 0 };
  g_auto(Run) usage = { 0 };

  g_assert_true (g_file_set_contents (path,
                                      "{\n  \"format\": \"anxin-evidence-bundle\",\n"
                                      "  \"version\": 1,\n  \"exported_at\": ]\n}\n",
                                      -1, NULL));
  run_verify (&syntax, NULL, "chain", path, NULL);
  g_assert_cmpint (syntax.status, ==, 2);
  expected = g_strdup_printf ("anxin-verify: %s: 4:", path);
  g_assert_true (g_str_has_prefix (syntax.err, expected));
  /* one line */
  g_assert_cmpint (strchr (syntax.err, '\n') - syntax.err, ==, strlen (syntax.err) - 1);
  g_assert_cmpstr (syntax.out, ==, "");

  run_verify (&absent, NULL, "chain", missing, NULL);
  g_assert_cmpint (absent.status, ==, 2);
  g_assert_nonnull (strstr (absent.err, "missing.json"));

  g_assert_true (g_file_set_contents (semantic,
                                      "{\"format\":\"anxin-evidence-bundle\",\"version\":1,"
                                      "\"exported_at\":\"2026-04-01T10:00:00Z\",\"charger\":"
                                      "{\"charger_id\":\"C\",\"meters\":[]},\"range\":"
                                      "{\"from_sequence\":0,\"to_sequence\":0,\"prev_hash\":"
                                      "\"5e41bf1fe13b03ff8ae3d18dfcb5e7a8cfabbe2dbe7b4a5951370636"
                                      "0495190c\"},\"records\":[{\"version\":1}]}",
                                      -1, NULL));
  run_verify (&wrong, NULL, "chain", semantic, NULL);
  g_assert_cmpint (wrong.status, ==, 2);
  g_assert_nonnull (strstr (wrong.err, "semantic.json: records[0]."));

  run_verify (&usage, NULL, "chain", path, missing, NULL);
  g_assert_cmpint (usage.status, ==, 2);
}

static char *
write_ocmf_lines (Fixture    *f,
                  const char *name,
                  gboolean    with_bad_signature,
                  gboolean    with_garbage)
{
  g_autoptr(GString) text = g_string_new (NULL);
  char *path = fixture_path (f, name);

  for (guint i = 0; i < 4; i++)
    {
      AnxChainRecord *record = g_ptr_array_index (f->chain->records, i);
      const char *ocmf = anx_chain_record_get_ocmf (record);

      if (i == 2 && with_bad_signature)
        {
          g_autoptr(GString) forged = g_string_new (ocmf);

          g_string_replace (forged, "\"ID\":\"\"", "\"ID\":\"X\"", 1);
          g_string_append_printf (text, "%s\n", forged->str);
        }
      else if (i == 3 && with_garbage)
        g_string_append (text, "OCMF|{\"FV\":\"1.0\",\"PG\":|{}\n");
      else
        g_string_append_printf (text, "%s\r\n", ocmf);
      if (i == 0)
        g_string_append (text, "\n");
    }
  g_assert_true (g_file_set_contents (path, text->str, -1, NULL));
  return path;
}

static void
test_ocmf (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *good = write_ocmf_lines (f, "good.txt", FALSE, FALSE);
  g_autofree char *forged = write_ocmf_lines (f, "forged.txt", TRUE, FALSE);
  g_autofree char *garbage = write_ocmf_lines (f, "garbage.txt", FALSE, TRUE);
  g_autofree char *pem_path = fixture_path (f, "meter.pem");
  g_autofree char *hex = anx_meter_key_export_public_hex (f->meter->key);
  g_autofree char *pem = anx_meter_key_export_public_pem (f->meter->key, NULL);
  g_autoptr(AnxTestMeter) other = NULL;
  g_autofree char *other_hex = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *expected = NULL;
  g_auto(Run) ok_hex = { 0 };
  g_auto(Run) ok_pem = { 0 };
  g_auto(Run) ok_stdin = { 0 };
  g_auto(Run) bad = { 0 };
  g_auto(Run) bad_json = { 0 };
  g_auto(Run) wrong_key = { 0 };
  g_auto(Run) malformed = { 0 };
  g_auto(Run) no_key = { 0 };
  g_auto(Run) bad_key = { 0 };
  JsonObject *result;
  JsonArray *results;

  g_assert_true (g_file_set_contents (pem_path, pem, -1, NULL));

  run_verify (&ok_hex, NULL, "ocmf", "--key", hex, good, NULL);
  g_assert_cmpint (ok_hex.status, ==, 0);
  g_assert_nonnull (strstr (ok_hex.out, "line 5: valid"));

  run_verify (&ok_pem, NULL, "ocmf", "--key", pem_path, good, NULL);
  g_assert_cmpint (ok_pem.status, ==, 0);

  run_verify (&ok_stdin, good, "ocmf", "--key", hex, "-", NULL);
  g_assert_cmpint (ok_stdin.status, ==, 0);

  run_verify (&bad, NULL, "ocmf", "--key", hex, forged, NULL);
  g_assert_cmpint (bad.status, ==, 1);
  g_assert_nonnull (strstr (bad.out, "line 4: invalid"));

  run_verify (&bad_json, NULL, "ocmf", "--json", "--key", hex, forged, NULL);
  g_assert_cmpint (bad_json.status, ==, 1);
  result = parse_json_output (&bad_json, parser);
  results = json_object_get_array_member (result, "results");
  g_assert_cmpuint (json_array_get_length (results), ==, 4);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (results, 2), "line"),
                   ==, 4);
  g_assert_cmpstr (
      json_object_get_string_member (json_array_get_object_element (results, 2), "verdict"), ==,
      "invalid");
  g_assert_cmpstr (
      json_object_get_string_member (json_array_get_object_element (results, 0), "meter_serial"),
      ==, "AXM-2026-000042");
  g_assert_cmpint (json_object_get_int_member (result, "valid"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (result, "invalid"), ==, 1);

  other = anx_test_meter_new ("X", ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256);
  other_hex = anx_meter_key_export_public_hex (other->key);
  run_verify (&wrong_key, NULL, "ocmf", "--key", other_hex, good, NULL);
  g_assert_cmpint (wrong_key.status, ==, 1);

  run_verify (&malformed, NULL, "ocmf", "--key", hex, garbage, NULL);
  g_assert_cmpint (malformed.status, ==, 2);
  expected = g_strdup_printf ("anxin-verify: %s:5: ", garbage);
  g_assert_true (g_str_has_prefix (malformed.err, expected));

  run_verify (&no_key, NULL, "ocmf", good, NULL);
  g_assert_cmpint (no_key.status, ==, 2);

  run_verify (&bad_key, NULL, "ocmf", "--key", "zz-not-a-key", good, NULL);
  g_assert_cmpint (bad_key.status, ==, 2);
}

/* The real records of ../shared/vectors/ocmf, grouped by key, through the
 * command line: every verdict must be the one the vector file expects */
static void
test_ocmf_real_vectors (void)
{
  const char *root = g_getenv ("ANXIN_SOURCE_ROOT");
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GHashTable) groups = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer key_hex, group;
  guint n_checked = 0;

  if (root == NULL)
    {
      g_test_skip ("ANXIN_SOURCE_ROOT is not set");
      return;
    }
  path =
      g_build_filename (root, "..", "shared", "vectors", "ocmf", "transparenzsoftware.jsonl", NULL);
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    {
      g_autofree char *message = g_strdup_printf ("no OCMF vectors at %s", path);

      g_test_skip (message);
      return;
    }

  /* key → array of JSON objects */
  groups =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      JsonNode *node;
      GPtrArray *members;
      const char *key;

      if (*lines[i] == '\0')
        continue;
      node = json_from_string (lines[i], &error);
      g_assert_no_error (error);
      key = json_object_get_string_member (json_node_get_object (node), "public_key_der_hex");
      members = g_hash_table_lookup (groups, key);
      if (members == NULL)
        {
          members = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
          g_hash_table_insert (groups, g_strdup (key), members);
        }
      g_ptr_array_add (members, node);
    }

  dir = g_dir_make_tmp ("anxin-verify-vectors-XXXXXX", &error);
  g_assert_no_error (error);

  g_hash_table_iter_init (&iter, groups);
  while (g_hash_table_iter_next (&iter, &key_hex, &group))
    {
      GPtrArray *members = group;
      g_autoptr(GString) text = g_string_new (NULL);
      g_autofree char *file = g_build_filename (dir, "records.txt", NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_auto(Run) run = { 0 };
      gboolean all_valid = TRUE;
      JsonArray *results;

      for (guint i = 0; i < members->len; i++)
        {
          JsonObject *vector = json_node_get_object (g_ptr_array_index (members, i));

          g_string_append_printf (text, "%s\n", json_object_get_string_member (vector, "ocmf"));
          all_valid &= g_str_equal (json_object_get_string_member (vector, "expected"), "valid");
        }
      g_assert_true (g_file_set_contents (file, text->str, -1, NULL));

      run_verify (&run, NULL, "ocmf", "--json", "--key", key_hex, file, NULL);
      g_assert_cmpint (run.status, ==, all_valid ? 0 : 1);
      results = json_object_get_array_member (parse_json_output (&run, parser), "results");
      g_assert_cmpuint (json_array_get_length (results), ==, members->len);
      for (guint i = 0; i < members->len; i++)
        {
          JsonObject *vector = json_node_get_object (g_ptr_array_index (members, i));
          JsonObject *result = json_array_get_object_element (results, i);
          const char *expected = json_object_get_string_member (vector, "expected");

          g_assert_cmpint (json_object_get_int_member (result, "line"), ==, i + 1);
          /* "invalid" in the vectors is any verdict but valid (wrong-curve, ...) */
          g_assert_cmpint (g_str_equal (json_object_get_string_member (result, "verdict"), "valid"),
                           ==, g_str_equal (expected, "valid"));
          n_checked++;
        }
      g_unlink (file);
    }
  g_rmdir (dir);
  g_assert_cmpuint (n_checked, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/verify-cli/help-and-version", test_help_and_version);
#define ADD(path, func) \
  g_test_add ("/verify-cli/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("chain-valid", test_chain_valid);
  ADD ("chain-tampered", test_chain_tampered);
  ADD ("chain-malformed", test_chain_malformed);
  ADD ("ocmf", test_ocmf);
#undef ADD
  g_test_add_func ("/verify-cli/ocmf-real-vectors", test_ocmf_real_vectors);

  return g_test_run ();
}
