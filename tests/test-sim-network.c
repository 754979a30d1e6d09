/* test-sim-network.c: the simulated Hangzhou charger network
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "anx-sim-network.h"

/* Hangzhou's extent (all districts and counties), generously rounded. */
#define HANGZHOU_SOUTH 29.18
#define HANGZHOU_NORTH 30.57
#define HANGZHOU_WEST 118.34
#define HANGZHOU_EAST 120.73

static void
checksum_str (GChecksum  *checksum,
              const char *value)
{
  g_checksum_update (checksum, (const guchar *) value, strlen (value) + 1);
}

/* clang-format off */
static void checksum_printf (GChecksum  *checksum,
                             const char *format,
                             ...) G_GNUC_PRINTF (2, 3);
/* clang-format on */

static void
checksum_printf (GChecksum  *checksum,
                 const char *format,
                 ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  checksum_str (checksum, text);
}

static void
checksum_date (GChecksum   *checksum,
               const GDate *date)
{
  checksum_printf (checksum, "%04u-%02u-%02u", g_date_get_year (date), g_date_get_month (date),
                   g_date_get_day (date));
}

/* A digest of everything the network exposes, field by field. */
static char *
network_digest (AnxSimNetwork *network)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  const AnxSimOperator *operators;
  const AnxSimStation *stations;
  const AnxSimCharger *chargers;
  const AnxSimMeter *meters;
  guint n_operators, n_stations, n_chargers, n_meters;

  operators = anx_sim_network_get_operators (network, &n_operators);
  stations = anx_sim_network_get_stations (network, &n_stations);
  chargers = anx_sim_network_get_chargers (network, &n_chargers);
  meters = anx_sim_network_get_meters (network, &n_meters);

  for (guint i = 0; i < n_operators; i++)
    {
      const AnxSimOperator *op = &operators[i];

      checksum_printf (checksum, "%u|%s|%s|%s|%u|%u|%u|%u", op->id, op->name, op->name_en,
                       op->short_name, op->tariff.peak_fen_per_kwh, op->tariff.flat_fen_per_kwh,
                       op->tariff.valley_fen_per_kwh, op->tariff.service_fen_per_kwh);
      for (guint p = 0; p < op->tariff.n_periods; p++)
        checksum_printf (checksum, "%u-%u:%d", op->tariff.periods[p].start_minute,
                         op->tariff.periods[p].end_minute, op->tariff.periods[p].band);
    }

  for (guint i = 0; i < n_stations; i++)
    {
      const AnxSimStation *s = &stations[i];

      checksum_printf (checksum, "%u|%u|%u|%s|%s|%s|%.6f|%.6f|%d|%u|%u", s->id, s->operator_id,
                       s->district, s->code, s->name, s->address, s->latitude, s->longitude,
                       s->datum, s->first_charger_id, s->n_chargers);
    }

  for (guint i = 0; i < n_chargers; i++)
    {
      const AnxSimCharger *c = &chargers[i];

      checksum_printf (checksum, "%u|%u|%s|%d|%u|%u", c->id, c->station_id, c->code, c->current,
                       c->rated_power_w, c->meter_id);
    }

  for (guint i = 0; i < n_meters; i++)
    {
      const AnxSimMeter *m = &meters[i];

      checksum_printf (checksum, "%u|%u|%s|%s|%s|%u|%s|%s|%s", m->id, m->charger_id, m->serial,
                       m->manufacturer, m->model, m->accuracy_class, m->signature_algorithm,
                       m->physical_seal_id, m->electronic_seal_id);
      checksum_date (checksum, &m->first_verification);
      checksum_date (checksum, &m->rotation_due);
    }

  return g_strdup (g_checksum_get_string (checksum));
}

static AnxSimNetwork *
new_network (const char *scale,
             guint64     seed)
{
  g_autoptr(GError) error = NULL;
  AnxSimParams params;
  AnxSimNetwork *network;

  g_assert_true (anx_sim_params_init_scale (&params, scale, seed, &error));
  g_assert_no_error (error);
  network = anx_sim_network_new (&params, &error);
  g_assert_no_error (error);
  g_assert_nonnull (network);

  return network;
}

static void
test_deterministic (void)
{
  g_autoptr(AnxSimNetwork) a = new_network ("hangzhou", 2022);
  g_autoptr(AnxSimNetwork) b = new_network ("hangzhou", 2022);
  g_autoptr(AnxSimNetwork) c = new_network ("hangzhou", 2023);
  g_autofree char *digest_a = network_digest (a);
  g_autofree char *digest_b = network_digest (b);
  g_autofree char *digest_c = network_digest (c);

  g_assert_cmpstr (digest_a, ==, digest_b);
  g_assert_cmpstr (digest_a, !=, digest_c);

  /* Different seeds move stations, not just one field somewhere. */
  g_assert_false (anx_sim_network_get_station (a, 1)->latitude ==
                      anx_sim_network_get_station (c, 1)->latitude &&
                  anx_sim_network_get_station (a, 1)->longitude ==
                      anx_sim_network_get_station (c, 1)->longitude);
}

/* The small network of seed 1, pinned: it must not change with the machine,
 * the compiler or GLib. Change this value only together with a deliberate
 * change of the generator. */
#define SMALL_SEED_1_DIGEST "69f3789cc4baa8211535b63cf0d6b47a1c54516be930f2190648a5be816d858d"

static void
test_pinned (void)
{
  g_autoptr(AnxSimNetwork) network = new_network ("small", 1);
  g_autofree char *digest = network_digest (network);

  g_assert_cmpstr (digest, ==, SMALL_SEED_1_DIGEST);
}

static void
test_hangzhou_figures (void)
{
  g_autoptr(AnxSimNetwork) network = new_network ("hangzhou", 7);
  const AnxSimStation *stations;
  const AnxSimCharger *chargers;
  const AnxSimMeter *meters;
  guint n_operators, n_stations, n_chargers, n_meters;
  g_autofree guint *stations_per_operator = NULL;
  guint sum_station_chargers = 0;

  anx_sim_network_get_operators (network, &n_operators);
  stations = anx_sim_network_get_stations (network, &n_stations);
  chargers = anx_sim_network_get_chargers (network, &n_chargers);
  meters = anx_sim_network_get_meters (network, &n_meters);

  g_assert_cmpuint (n_operators, ==, 91);
  g_assert_cmpuint (n_stations, ==, 1016);
  g_assert_cmpuint (n_chargers, ==, 12258);
  g_assert_cmpuint (n_meters, ==, 12258);

  stations_per_operator = g_new0 (guint, n_operators + 1);
  for (guint i = 0; i < n_stations; i++)
    {
      g_assert_cmpuint (stations[i].id, ==, i + 1);
      g_assert_nonnull (anx_sim_network_get_operator (network, stations[i].operator_id));
      g_assert_cmpuint (stations[i].n_chargers, >=, 1);
      stations_per_operator[stations[i].operator_id]++;
      sum_station_chargers += stations[i].n_chargers;

      for (guint k = 0; k < stations[i].n_chargers; k++)
        g_assert_cmpuint (chargers[stations[i].first_charger_id - 1 + k].station_id, ==,
                          stations[i].id);
    }
  g_assert_cmpuint (sum_station_chargers, ==, 12258);
  for (guint o = 1; o <= n_operators; o++)
    g_assert_cmpuint (stations_per_operator[o], >=, 1);

  /* Every charger has exactly one meter, and it points back. */
  for (guint i = 0; i < n_chargers; i++)
    {
      const AnxSimMeter *meter = anx_sim_network_get_meter (network, chargers[i].meter_id);

      g_assert_nonnull (meter);
      g_assert_cmpuint (meter->charger_id, ==, chargers[i].id);
      g_assert_true (meter->accuracy_class == 1 || meter->accuracy_class == 2);
      g_assert_nonnull (meter->serial);
      g_assert_nonnull (meter->physical_seal_id);
      g_assert_nonnull (meter->electronic_seal_id);
    }
  for (guint i = 0; i < n_meters; i++)
    g_assert_cmpuint (anx_sim_network_get_charger (network, meters[i].charger_id)->meter_id, ==,
                      meters[i].id);

  g_assert_null (anx_sim_network_get_charger (network, 0));
  g_assert_null (anx_sim_network_get_charger (network, 12259));
  g_assert_null (anx_sim_network_get_operator (network, 92));
}

static void
test_unique_identifiers (void)
{
  g_autoptr(AnxSimNetwork) network = new_network ("hangzhou", 11);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  const AnxSimOperator *operators;
  const AnxSimCharger *chargers;
  const AnxSimMeter *meters;
  guint n_operators, n_chargers, n_meters;

  operators = anx_sim_network_get_operators (network, &n_operators);
  chargers = anx_sim_network_get_chargers (network, &n_chargers);
  meters = anx_sim_network_get_meters (network, &n_meters);

  for (guint i = 0; i < n_operators; i++)
    g_assert_true (g_hash_table_add (seen, (gpointer) operators[i].name));
  for (guint i = 0; i < n_chargers; i++)
    {
      const AnxSimStation *station = anx_sim_network_get_station (network, chargers[i].station_id);
      g_autofree char *station_code =
          g_strdup_printf ("%s-%04u", anx_sim_district_get_code (station->district), station->id);
      g_autofree char *prefix = g_strconcat (
          station->code, chargers[i].current == ANX_SIM_CURRENT_DC ? "-DC" : "-AC", NULL);

      /* "330106-0042-DC02": district, station, kind and number. */
      g_assert_cmpstr (station->code, ==, station_code);
      g_assert_true (g_str_has_prefix (chargers[i].code, prefix));
      g_assert_cmpuint (strlen (chargers[i].code), ==, strlen (prefix) + 2);
      g_assert_true (g_hash_table_add (seen, (gpointer) chargers[i].code));
    }
  for (guint i = 0; i < n_meters; i++)
    {
      g_assert_true (g_hash_table_add (seen, (gpointer) meters[i].serial));
      g_assert_true (g_hash_table_add (seen, (gpointer) meters[i].physical_seal_id));
      g_assert_true (g_hash_table_add (seen, (gpointer) meters[i].electronic_seal_id));
    }
}

static void
test_districts (void)
{
  g_autoptr(AnxSimNetwork) network = new_network ("hangzhou", 2022);
  guint urban_stations = 0, urban_chargers = 0;
  guint total_stations = 0, total_chargers = 0;
  guint n_districts = anx_sim_district_count ();
  g_autofree guint *recount_stations = g_new0 (guint, n_districts);
  g_autofree guint *recount_chargers = g_new0 (guint, n_districts);
  const AnxSimStation *stations;
  guint n_all;

  g_assert_cmpuint (n_districts, ==, 13);

  /* Counted again from the stations themselves. */
  stations = anx_sim_network_get_stations (network, &n_all);
  for (guint i = 0; i < n_all; i++)
    {
      g_assert_cmpuint (stations[i].district, <, n_districts);
      recount_stations[stations[i].district]++;
      recount_chargers[stations[i].district] += stations[i].n_chargers;
    }

  for (guint d = 0; d < n_districts; d++)
    {
      guint n_stations, n_chargers;

      anx_sim_network_count_district (network, d, &n_stations, &n_chargers);
      g_assert_cmpuint (n_stations, ==, recount_stations[d]);
      g_assert_cmpuint (n_chargers, ==, recount_chargers[d]);
      g_assert_cmpuint (n_stations, >, 0);
      g_assert_true (g_str_has_prefix (anx_sim_district_get_code (d), "3301"));
      total_stations += n_stations;
      total_chargers += n_chargers;
      if (anx_sim_district_is_urban (d))
        {
          urban_stations += n_stations;
          urban_chargers += n_chargers;
        }
    }

  g_assert_cmpuint (total_stations, ==, 1016);
  g_assert_cmpuint (total_chargers, ==, 12258);
  /* The urban core holds the large majority: 880 of the 1,016 stations. */
  g_assert_cmpuint (urban_stations, ==, 880);
  g_assert_cmpuint (urban_stations * 100, >=, total_stations * 75);
  g_assert_cmpuint (urban_chargers * 100, >=, total_chargers * 70);
}

static void
test_geography (void)
{
  g_autoptr(AnxSimNetwork) network = new_network ("hangzhou", 99);
  const AnxSimStation *stations;
  guint n_stations;

  stations = anx_sim_network_get_stations (network, &n_stations);
  for (guint i = 0; i < n_stations; i++)
    {
      const AnxSimStation *s = &stations[i];

      g_assert_cmpint (s->datum, ==, ANX_GEO_DATUM_GCJ02);
      g_assert_cmpfloat (s->latitude, >, HANGZHOU_SOUTH);
      g_assert_cmpfloat (s->latitude, <, HANGZHOU_NORTH);
      g_assert_cmpfloat (s->longitude, >, HANGZHOU_WEST);
      g_assert_cmpfloat (s->longitude, <, HANGZHOU_EAST);
      g_assert_true (g_str_has_prefix (s->address, "浙江省杭州市"));
      g_assert_true (strstr (s->address, anx_sim_district_get_name (s->district)) != NULL);
      g_assert_true (g_utf8_validate (s->name, -1, NULL));
    }

  g_assert_cmpstr (anx_geo_datum_to_string (ANX_GEO_DATUM_GCJ02), ==, "GCJ-02");
}

static void
test_chargers_and_meters (void)
{
  g_autoptr(AnxSimNetwork) network = new_network ("hangzhou", 2022);
  const AnxSimParams *params = anx_sim_network_get_params (network);
  const AnxSimCharger *chargers;
  guint n_chargers, n_dc = 0, n_dc_class1 = 0, n_overdue = 0, n_sm2 = 0, n_p256 = 0;
  g_autoptr(GHashTable) algorithms = g_hash_table_new (g_str_hash, g_str_equal);

  chargers = anx_sim_network_get_chargers (network, &n_chargers);
  for (guint i = 0; i < n_chargers; i++)
    {
      const AnxSimCharger *c = &chargers[i];
      const AnxSimMeter *m = anx_sim_network_get_meter (network, c->meter_id);
      guint years;

      if (c->current == ANX_SIM_CURRENT_DC)
        {
          n_dc++;
          n_dc_class1 += m->accuracy_class == 1;
          g_assert_cmpuint (c->rated_power_w, >=, 60000);
        }
      else
        {
          g_assert_cmpuint (c->rated_power_w, <=, 22000);
        }

      g_hash_table_add (algorithms, (gpointer) m->signature_algorithm);
      n_sm2 += g_str_equal (m->signature_algorithm, "SM2-SM3");
      n_p256 += g_str_equal (m->signature_algorithm, "ECDSA-secp256r1-SHA256");

      /* Rotation is 5–8 years after the first verification, to the day. */
      years = g_date_get_year (&m->rotation_due) - g_date_get_year (&m->first_verification);
      g_assert_cmpuint (years, >=, 5);
      g_assert_cmpuint (years, <=, 8);
      g_assert_cmpint (g_date_compare (&m->first_verification, &params->reference_date), <=, 0);

      n_overdue += anx_sim_meter_is_overdue (m, &params->reference_date);
    }

  /* Public networks: roughly two in five chargers are DC. */
  g_assert_cmpuint (n_dc * 100, >=, n_chargers * 30);
  g_assert_cmpuint (n_dc * 100, <=, n_chargers * 60);
  /* Integrated DC meters are mostly class 1. */
  g_assert_cmpuint (n_dc_class1 * 100, >=, n_dc * 80);
  /* Mostly P-256, some SM2, and each of the other OCMF curves appears. */
  g_assert_cmpuint (n_p256 * 2, >, n_chargers);
  g_assert_cmpuint (n_sm2, >, n_chargers / 20);
  g_assert_true (g_hash_table_contains (algorithms, "ECDSA-secp256k1-SHA256"));
  g_assert_true (g_hash_table_contains (algorithms, "ECDSA-secp384r1-SHA256"));
  g_assert_true (g_hash_table_contains (algorithms, "ECDSA-brainpool256r1-SHA256"));
  g_assert_cmpuint (g_hash_table_size (algorithms), ==, 5);

  g_assert_cmpuint (n_overdue, >, 0);
  g_assert_cmpuint (n_overdue, <, n_chargers / 10);
  g_assert_cmpuint (n_overdue, ==, anx_sim_network_count_overdue (network));
}

static void
test_tariffs (void)
{
  g_autoptr(AnxSimNetwork) network = new_network ("hangzhou", 5);
  const AnxSimOperator *operators;
  guint n_operators;

  operators = anx_sim_network_get_operators (network, &n_operators);
  for (guint i = 0; i < n_operators; i++)
    {
      const AnxSimTariff *t = &operators[i].tariff;
      guint covered = 0;

      g_assert_cmpuint (t->peak_fen_per_kwh, >, t->flat_fen_per_kwh);
      g_assert_cmpuint (t->flat_fen_per_kwh, >, t->valley_fen_per_kwh);
      g_assert_cmpuint (t->service_fen_per_kwh, >, 0);

      /* The periods tile the day without gaps or overlaps. */
      g_assert_cmpuint (t->n_periods, >, 0);
      for (guint p = 0; p < t->n_periods; p++)
        {
          g_assert_cmpuint (t->periods[p].start_minute, ==, covered);
          g_assert_cmpuint (t->periods[p].end_minute, >, t->periods[p].start_minute);
          covered = t->periods[p].end_minute;
        }
      g_assert_cmpuint (covered, ==, 24 * 60);
    }
}

static void
test_scales (void)
{
  g_autoptr(GError) error = NULL;
  AnxSimParams params;
  AnxSimNetwork *network;
  const char *const *names = anx_sim_scale_names ();

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_assert_true (anx_sim_params_init_scale (&params, names[i], 1, &error));
      g_assert_no_error (error);
    }

  g_assert_true (anx_sim_params_init_scale (&params, "small", 3, &error));
  network = anx_sim_network_new (&params, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (anx_sim_network_get_params (network)->n_chargers, ==, params.n_chargers);
  anx_sim_network_free (network);

  g_assert_false (anx_sim_params_init_scale (&params, "nationwide", 1, &error));
  g_assert_error (error, ANX_SIM_NETWORK_ERROR, ANX_SIM_NETWORK_ERROR_UNKNOWN_SCALE);
  g_clear_error (&error);

  /* Custom sizes work, impossible ones are refused. */
  anx_sim_params_init_hangzhou (&params, 1);
  params.n_operators = 2;
  params.n_stations = 2;
  params.n_chargers = 2;
  network = anx_sim_network_new (&params, &error);
  g_assert_no_error (error);
  anx_sim_network_free (network);

  params.n_chargers = 1;
  g_assert_null (anx_sim_network_new (&params, &error));
  g_assert_error (error, ANX_SIM_NETWORK_ERROR, ANX_SIM_NETWORK_ERROR_INVALID_PARAMS);
  g_clear_error (&error);

  params.n_operators = 0;
  params.n_chargers = 2;
  g_assert_null (anx_sim_network_new (&params, &error));
  g_assert_error (error, ANX_SIM_NETWORK_ERROR, ANX_SIM_NETWORK_ERROR_INVALID_PARAMS);
}

/* One signature algorithm for every meter changes that and nothing else. */
static void
test_one_signature (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxSimNetwork) mixed = new_network ("small", 5);
  AnxSimParams params;
  AnxSimNetwork *network;
  const AnxSimMeter *meters, *mixed_meters;
  guint n_meters, n_mixed, n_changed = 0;

  g_assert_true (anx_sim_params_init_scale (&params, "small", 5, &error));
  params.signature_algorithm = ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256;
  network = anx_sim_network_new (&params, &error);
  g_assert_no_error (error);
  meters = anx_sim_network_get_meters (network, &n_meters);
  mixed_meters = anx_sim_network_get_meters (mixed, &n_mixed);
  g_assert_cmpuint (n_meters, ==, n_mixed);
  for (guint i = 0; i < n_meters; i++)
    {
      g_assert_cmpstr (meters[i].signature_algorithm, ==, "ECDSA-secp256r1-SHA256");
      g_assert_cmpstr (meters[i].serial, ==, mixed_meters[i].serial);
      g_assert_cmpstr (meters[i].physical_seal_id, ==, mixed_meters[i].physical_seal_id);
      g_assert_true (g_date_compare (&meters[i].rotation_due, &mixed_meters[i].rotation_due) ==
                     0);
      n_changed += !g_str_equal (mixed_meters[i].signature_algorithm, "ECDSA-secp256r1-SHA256");
    }
  /* The mix had others (about 22 %) */
  g_assert_cmpuint (n_changed, >, n_meters / 10);
  g_assert_cmpuint (n_changed, <, n_meters / 3);
  anx_sim_network_free (network);

  params.signature_algorithm = ANX_SIGNATURE_ALGORITHM_LAST;
  g_assert_null (anx_sim_network_new (&params, &error));
  g_assert_error (error, ANX_SIM_NETWORK_ERROR, ANX_SIM_NETWORK_ERROR_INVALID_PARAMS);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sim-network/deterministic", test_deterministic);
  g_test_add_func ("/sim-network/pinned", test_pinned);
  g_test_add_func ("/sim-network/hangzhou-figures", test_hangzhou_figures);
  g_test_add_func ("/sim-network/unique-identifiers", test_unique_identifiers);
  g_test_add_func ("/sim-network/districts", test_districts);
  g_test_add_func ("/sim-network/geography", test_geography);
  g_test_add_func ("/sim-network/chargers-and-meters", test_chargers_and_meters);
  g_test_add_func ("/sim-network/tariffs", test_tariffs);
  g_test_add_func ("/sim-network/scales", test_scales);
  g_test_add_func ("/sim-network/one-signature", test_one_signature);

  return g_test_run ();
}
