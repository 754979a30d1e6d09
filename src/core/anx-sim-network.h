/* anx-sim-network.h: deterministic simulated charger network (Hangzhou 2022)
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "anx-geo.h"
#include "anx-signature.h"

G_BEGIN_DECLS

#define ANX_SIM_NETWORK_ERROR (anx_sim_network_error_quark ())

typedef enum
{
  ANX_SIM_NETWORK_ERROR_INVALID_PARAMS,
  ANX_SIM_NETWORK_ERROR_UNKNOWN_SCALE,
} AnxSimNetworkError;

/* The Hangzhou figures of 2022 (see docs/feed-protocol.md). */
#define ANX_SIM_HANGZHOU_OPERATORS 91
#define ANX_SIM_HANGZHOU_STATIONS 1016
#define ANX_SIM_HANGZHOU_CHARGERS 12258

typedef enum
{
  ANX_SIM_CURRENT_AC,
  ANX_SIM_CURRENT_DC,
} AnxSimCurrent;

typedef enum
{
  ANX_SIM_TARIFF_BAND_PEAK,
  ANX_SIM_TARIFF_BAND_FLAT,
  ANX_SIM_TARIFF_BAND_VALLEY,
} AnxSimTariffBand;

typedef struct
{
  guint16 start_minute; /* minutes after local midnight, inclusive */
  guint16 end_minute;   /* exclusive; 1440 is midnight */
  AnxSimTariffBand band;
} AnxSimTariffPeriod;

/* Prices in fen (0.01 CNY) per kWh; periods in China Standard Time. */
typedef struct
{
  guint peak_fen_per_kwh;
  guint flat_fen_per_kwh;
  guint valley_fen_per_kwh;
  guint service_fen_per_kwh;
  const AnxSimTariffPeriod *periods;
  guint n_periods;
} AnxSimTariff;

typedef struct
{
  guint id;               /* 1-based, dense */
  const char *name;       /* Chinese legal or trading name */
  const char *name_en;    /* English or pinyin name */
  const char *short_name; /* brand used in station names */
  AnxSimTariff tariff;
} AnxSimOperator;

typedef struct
{
  guint id;
  guint operator_id;
  const char *code;    /* "<district code>-<station id, 4+ digits>", e.g. "330106-0042" */
  guint district;      /* index for anx_sim_district_get_*() */
  const char *name;    /* Chinese */
  const char *address; /* Chinese postal address */
  double latitude;     /* degrees, in @datum, rounded to 1e-6 */
  double longitude;
  AnxGeoDatum datum;
  guint first_charger_id;
  guint n_chargers;
} AnxSimStation;

typedef struct
{
  guint id;
  guint station_id;
  const char *code; /* "<station code>-DC<nn>" or "-AC<nn>", e.g. "330106-0042-DC02" */
  AnxSimCurrent current;
  guint rated_power_w;
  guint meter_id;
} AnxSimCharger;

typedef struct
{
  guint id;
  guint charger_id;
  const char *serial;
  const char *manufacturer;
  const char *model;
  guint accuracy_class;            /* 1 or 2 */
  const char *signature_algorithm; /* OCMF name, e.g. "ECDSA-secp256r1-SHA256", or "SM2-SM3" */
  GDate first_verification;
  GDate rotation_due;
  const char *physical_seal_id;
  const char *electronic_seal_id;
} AnxSimMeter;

typedef struct
{
  guint64 seed;
  guint n_operators;
  guint n_stations;
  guint n_chargers;
  /* Day against which "overdue" is judged: the platform's launch date
   * (2022-05-20) by default. */
  GDate reference_date;
  /* Every meter's signature algorithm; ANX_SIGNATURE_ALGORITHM_UNKNOWN (the
   * default) for the Hangzhou mix (78 % P-256, 15 % SM2, ...). The rest of
   * the network is the same either way. */
  AnxSignatureAlgorithm signature_algorithm;
} AnxSimParams;

typedef struct _AnxSimNetwork AnxSimNetwork;

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
GQuark anx_sim_network_error_quark (void);

void               anx_sim_params_init_hangzhou (AnxSimParams  *params,
                                                 guint64        seed);
gboolean           anx_sim_params_init_scale    (AnxSimParams  *params,
                                                 const char    *scale,
                                                 guint64        seed,
                                                 GError       **error);
const char *const *anx_sim_scale_names          (void);

AnxSimNetwork      *anx_sim_network_new        (const AnxSimParams  *params,
                                                GError             **error);
void                anx_sim_network_free       (AnxSimNetwork       *network);
const AnxSimParams *anx_sim_network_get_params (AnxSimNetwork       *network);

const AnxSimOperator *anx_sim_network_get_operators (AnxSimNetwork *network,
                                                     guint         *n_operators);
const AnxSimStation  *anx_sim_network_get_stations  (AnxSimNetwork *network,
                                                     guint         *n_stations);
const AnxSimCharger  *anx_sim_network_get_chargers  (AnxSimNetwork *network,
                                                     guint         *n_chargers);
const AnxSimMeter    *anx_sim_network_get_meters    (AnxSimNetwork *network,
                                                     guint         *n_meters);

const AnxSimOperator *anx_sim_network_get_operator  (AnxSimNetwork *network,
                                                     guint          id);
const AnxSimStation  *anx_sim_network_get_station   (AnxSimNetwork *network,
                                                     guint          id);
const AnxSimCharger  *anx_sim_network_get_charger   (AnxSimNetwork *network,
                                                     guint          id);
const AnxSimMeter    *anx_sim_network_get_meter     (AnxSimNetwork *network,
                                                     guint          id);

void     anx_sim_network_count_district (AnxSimNetwork     *network,
                                         guint              district,
                                         guint             *n_stations,
                                         guint             *n_chargers);
guint    anx_sim_network_count_overdue  (AnxSimNetwork     *network);
gboolean anx_sim_meter_is_overdue       (const AnxSimMeter *meter,
                                         const GDate       *reference_date);

guint       anx_sim_district_count       (void);
const char *anx_sim_district_get_code    (guint district);
const char *anx_sim_district_get_name    (guint district);
const char *anx_sim_district_get_name_en (guint district);
gboolean    anx_sim_district_is_urban    (guint district);

const char *anx_sim_current_to_string     (AnxSimCurrent    current);
const char *anx_sim_tariff_band_to_string (AnxSimTariffBand band);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnxSimNetwork, anx_sim_network_free)
/* clang-format on */

G_END_DECLS
