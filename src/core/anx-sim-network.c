/* anx-sim-network.c: deterministic simulated charger network (Hangzhou 2022)
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-sim-network"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "anx-sim-network.h"
#include "anx-sim-random.h"

/* Fused multiply-add gives different last bits on machines that have it, so
 * the generator keeps every a * b + c as two rounded operations. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

/*
 * The generator must give the same network for the same seed on every
 * machine and every GLib, so it carries its own PRNG (xoshiro256**, seeded
 * through splitmix64) instead of g_random. Each kind of entity draws from its
 * own stream keyed by (seed, purpose, index): changing the number of
 * chargers does not reshuffle the operators, and a station's place does not
 * depend on how many random numbers the station before it consumed.
 */

typedef AnxSimRandom AnxRng;

enum
{
  STREAM_OPERATORS = 1,
  STREAM_TARIFF,
  STREAM_LAYOUT,
  STREAM_STATION,
  STREAM_CHARGER,
};


/* Uniform in [0, n). */
static guint
rng_below (AnxRng *rng,
           guint   n)
{
  return (guint) anx_sim_random_below (rng, n);
}

/* Uniform in [lo, hi]. */
static guint
rng_range (AnxRng *rng,
           guint   lo,
           guint   hi)
{
  return lo + rng_below (rng, hi - lo + 1);
}

static gboolean
rng_chance (AnxRng *rng,
            double  p)
{
  return anx_sim_random_double (rng) < p;
}

static double
rng_gaussian (AnxRng *rng)
{
  double u1 = 1.0 - anx_sim_random_double (rng); /* (0, 1] keeps log() finite */
  double u2 = anx_sim_random_double (rng);

  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

static guint
rng_weighted (AnxRng       *rng,
              const double *weights,
              guint         n)
{
  double total = 0;
  double x;

  for (guint i = 0; i < n; i++)
    total += weights[i];

  x = anx_sim_random_double (rng) * total;
  for (guint i = 0; i < n; i++)
    {
      if (x < weights[i])
        return i;
      x -= weights[i];
    }

  return n - 1;
}

static void
rng_shuffle (AnxRng *rng,
             guint  *items,
             guint   n)
{
  for (guint i = n; i > 1; i--)
    {
      guint j = rng_below (rng, i);
      guint tmp = items[i - 1];

      items[i - 1] = items[j];
      items[j] = tmp;
    }
}

/* Splits @total into @n parts proportional to @weights, each at least
 * @minimum, by the largest-remainder method, so the parts add up exactly. */
static void
allocate_proportional (const double *weights,
                       guint         n,
                       guint         total,
                       guint         minimum,
                       guint        *out)
{
  g_autofree double *remainders = g_new0 (double, n);
  double weight_sum = 0;
  guint spare;
  guint assigned = 0;

  g_assert (total >= n * minimum);
  spare = total - n * minimum;

  for (guint i = 0; i < n; i++)
    weight_sum += weights[i];

  for (guint i = 0; i < n; i++)
    {
      double share = weight_sum > 0 ? spare * weights[i] / weight_sum : 0;
      guint whole = (guint) floor (share);

      out[i] = minimum + whole;
      remainders[i] = share - whole;
      assigned += whole;
    }

  /* Hand out what rounding down left over, largest remainder first, ties to
   * the lower index; at most n rounds. */
  while (assigned < spare)
    {
      guint best = 0;

      for (guint i = 1; i < n; i++)
        if (remainders[i] > remainders[best])
          best = i;

      out[best]++;
      remainders[best] = -1;
      assigned++;
    }
}

static double
round6 (double value)
{
  return round (value * 1e6) / 1e6;
}

/* Districts and counties of Hangzhou after the 2021 redistricting. Centres
 * and spreads are in GCJ-02, the datum Chinese operators report; the station
 * weights add up to the 1,016 stations of 2022 with the urban core holding
 * most of them. */
typedef struct
{
  const char *code; /* administrative division code */
  const char *name;
  const char *name_en;
  gboolean urban;
  double latitude;
  double longitude;
  double sigma_km;
  double radius_km;
  double station_weight;
  const char *const *places;
  const char *const *roads;
} DistrictInfo;

#define STRV(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* clang-format off */
static const DistrictInfo districts[] = {
  { "330102", "上城区", "Shangcheng", TRUE, 30.2600, 120.1930, 3.5, 9, 120,
    STRV ("湖滨", "南星", "望江", "清波", "四季青", "凯旋", "采荷", "闸弄口", "笕桥", "丁兰", "九堡", "彭埠", "钱江新城"),
    STRV ("解放路", "延安路", "庆春东路", "秋涛路", "新塘路", "富春路", "钱江路", "天城路", "九堡大道", "之江路") },
  { "330105", "拱墅区", "Gongshu", TRUE, 30.3190, 120.1420, 3.0, 8, 110,
    STRV ("米市巷", "湖墅", "小河", "和睦", "大关", "祥符", "康桥", "上塘", "半山", "拱宸桥", "武林", "天水", "长庆", "潮鸣"),
    STRV ("莫干山路", "湖墅南路", "沈半路", "丽水路", "上塘路", "石祥路", "大关路", "登云路", "绍兴路", "体育场路") },
  { "330106", "西湖区", "Xihu", TRUE, 30.2650, 120.1050, 4.5, 12, 120,
    STRV ("文新", "古荡", "翠苑", "西溪", "留下", "转塘", "蒋村", "三墩", "双浦", "灵隐", "北山", "文三路"),
    STRV ("文一西路", "文二路", "天目山路", "古墩路", "紫金港路", "留和路", "西溪路", "丰潭路", "学院路", "教工路") },
  { "330108", "滨江区", "Binjiang", TRUE, 30.2080, 120.2110, 2.5, 6, 90,
    STRV ("西兴", "长河", "浦沿", "奥体", "江南", "白马湖"),
    STRV ("江南大道", "滨盛路", "江晖路", "长河路", "西兴路", "网商路", "物联网街", "月明路") },
  { "330109", "萧山区", "Xiaoshan", TRUE, 30.1750, 120.2700, 7.0, 20, 150,
    STRV ("城厢", "北干", "蜀山", "新塘", "宁围", "新街", "闻堰", "瓜沥", "义桥", "临浦", "衙前", "所前", "萧山机场"),
    STRV ("市心路", "金城路", "北干山路", "建设一路", "鸿宁路", "通惠路", "萧绍路", "机场大道", "博奥路") },
  { "330110", "余杭区", "Yuhang", TRUE, 30.2950, 120.0000, 7.0, 18, 140,
    STRV ("五常", "仓前", "闲林", "中泰", "良渚", "仁和", "瓶窑", "径山", "余杭街道", "未来科技城"),
    STRV ("文一西路", "五常大道", "良渚路", "荆长大道", "龙潭路", "余杭塘路", "高教路", "闲林东路") },
  { "330113", "临平区", "Linping", TRUE, 30.4200, 120.2990, 5.0, 12, 80,
    STRV ("临平", "南苑", "东湖", "星桥", "乔司", "运河", "崇贤", "塘栖"),
    STRV ("迎宾路", "世纪大道", "星桥南路", "藕花洲大街", "南苑街", "人民大道", "乔莫西路") },
  { "330114", "钱塘区", "Qiantang", TRUE, 30.3000, 120.4000, 6.0, 14, 70,
    STRV ("下沙", "白杨", "河庄", "义蓬", "新湾", "临江", "前进"),
    STRV ("下沙路", "学林街", "文泽路", "海达南路", "江东大道", "青六路", "金沙大道") },
  { "330111", "富阳区", "Fuyang", FALSE, 30.0490, 119.9600, 6.0, 20, 50,
    STRV ("富春", "东洲", "银湖", "春江", "新登", "场口", "万市"),
    STRV ("金桥北路", "桂花路", "大桥路", "江滨西大道", "迎宾北路", "新登路") },
  { "330112", "临安区", "Lin'an", FALSE, 30.2340, 119.7250, 7.0, 25, 35,
    STRV ("锦城", "锦北", "玲珑", "青山湖", "於潜", "昌化", "太湖源"),
    STRV ("钱王大街", "衣锦街", "城中街", "万马路", "青山大道", "天目路") },
  { "330122", "桐庐县", "Tonglu", FALSE, 29.7970, 119.6920, 6.0, 20, 20,
    STRV ("桐君", "旧县", "城南", "富春江", "分水", "横村"),
    STRV ("迎春南路", "白云源路", "学圣路", "富春路", "体育路") },
  { "330127", "淳安县", "Chun'an", FALSE, 29.6050, 119.0420, 8.0, 30, 15,
    STRV ("千岛湖", "汾口", "威坪", "姜家", "文昌", "石林"),
    STRV ("环湖北路", "千岛湖大道", "新安东路", "梦姑路", "排岭路") },
  { "330182", "建德市", "Jiande", FALSE, 29.4750, 119.2810, 7.0, 25, 16,
    STRV ("新安江", "洋溪", "更楼", "寿昌", "乾潭", "梅城", "大同"),
    STRV ("新安路", "府东街", "洋安大道", "白沙路", "江滨中路") },
};
/* clang-format on */

/* Operators that dominate Chinese public charging, plus a few local ones.
 * The weights shape how many stations each runs; dc_share is the share of
 * DC chargers at their typical station. */
typedef struct
{
  const char *name;
  const char *name_en;
  const char *short_name;
  double weight;
  double dc_share;
} OperatorInfo;

static const OperatorInfo major_operators[] = {
  { "国网浙江电动汽车服务有限公司", "State Grid Zhejiang Electric Vehicle Service Co., Ltd.",
    "国网", 14, 0.50 },
  { "特来电新能源股份有限公司", "TELD New Energy Co., Ltd.", "特来电", 12, 0.45 },
  { "万帮数字能源股份有限公司（星星充电）", "Wanbang Digital Energy Co., Ltd. (Star Charge)",
    "星星充电", 11, 0.35 },
  { "小桔充电（杭州）科技有限公司", "Xiaoju Charging (Hangzhou) Technology Co., Ltd.", "小桔", 8,
    0.60 },
  { "云快充新能源科技有限公司", "YKC New Energy Technology Co., Ltd.", "云快充", 6, 0.30 },
  { "浙江万马爱充科技有限公司", "Zhejiang Wanma Aichong Technology Co., Ltd.", "爱充", 6, 0.35 },
  { "蔚来能源科技（杭州）有限公司", "NIO Power (Hangzhou) Co., Ltd.", "蔚来", 3, 0.75 },
  { "杭州市公交集团新能源有限公司", "Hangzhou Bus Group New Energy Co., Ltd.", "杭州公交", 4,
    0.90 },
  { "浙江省能源集团综合能源有限公司", "Zhejiang Energy Group Integrated Energy Co., Ltd.", "浙能",
    4, 0.45 },
  { "杭州城投充电服务有限公司", "Hangzhou Urban Investment Charging Service Co., Ltd.", "杭州城投",
    3, 0.35 },
  { "中国石化销售股份有限公司浙江杭州石油分公司", "Sinopec Zhejiang Hangzhou Petroleum Branch",
    "中石化", 3, 0.85 },
  { "中国石油天然气股份有限公司浙江杭州销售分公司", "PetroChina Zhejiang Hangzhou Marketing Branch",
    "中石油", 2, 0.75 },
  { "安心充（杭州）能源科技有限公司", "Anxinchong (Hangzhou) Energy Technology Co., Ltd.", "安心充",
    2, 0.30 },
};

typedef struct
{
  const char *zh;
  const char *en;
} NamePart;

/* Invented operators: region + brand + company kind, all combinations. */
static const NamePart operator_regions[] = {
  { "杭州", "Hangzhou" },
  { "浙江", "Zhejiang" },
};

static const NamePart operator_brands[] = {
  { "易充", "Yichong" },   { "快电", "Kuaidian" },     { "绿源", "Lvyuan" },
  { "恒通", "Hengtong" },  { "启源", "Qiyuan" },       { "联电", "Liandian" },
  { "闪充", "Shanchong" }, { "智桩", "Zhizhuang" },    { "云桩", "Yunzhuang" },
  { "优电", "Youdian" },   { "电小二", "Dianxiaoer" }, { "途电", "Tudian" },
  { "安桩", "Anzhuang" },  { "能链", "Nenglian" },     { "充之道", "Chongzhidao" },
  { "汇能", "Huineng" },   { "鑫电", "Xindian" },      { "瑞驰", "Ruichi" },
  { "蓝海", "Lanhai" },    { "新耀", "Xinyao" },       { "青能", "Qingneng" },
  { "和达", "Heda" },      { "通源", "Tongyuan" },     { "博电", "Bodian" },
  { "钱江", "Qianjiang" }, { "之江", "Zhijiang" },     { "西溪", "Xixi" },
  { "运河", "Yunhe" },     { "湘湖", "Xianghu" },      { "良渚", "Liangzhu" },
  { "千岛", "Qiandao" },   { "富春", "Fuchun" },       { "天目", "Tianmu" },
  { "吴越", "Wuyue" },     { "驰骋", "Chicheng" },     { "电桩侠", "Dianzhuangxia" },
};

static const NamePart operator_kinds[] = {
  { "新能源科技有限公司", "New Energy Technology Co., Ltd." },
  { "充电服务有限公司", "Charging Service Co., Ltd." },
  { "能源科技有限公司", "Energy Technology Co., Ltd." },
};

/* Modelled on Zhejiang's time-of-use schedule for commercial users: the
 * evening 尖峰 maps to peak, 高峰 to flat, 低谷 to valley. */
static const AnxSimTariffPeriod zhejiang_periods[] = {
  { 0, 8 * 60, ANX_SIM_TARIFF_BAND_VALLEY },        { 8 * 60, 11 * 60, ANX_SIM_TARIFF_BAND_FLAT },
  { 11 * 60, 13 * 60, ANX_SIM_TARIFF_BAND_VALLEY }, { 13 * 60, 19 * 60, ANX_SIM_TARIFF_BAND_FLAT },
  { 19 * 60, 21 * 60, ANX_SIM_TARIFF_BAND_PEAK },   { 21 * 60, 22 * 60, ANX_SIM_TARIFF_BAND_FLAT },
  { 22 * 60, 24 * 60, ANX_SIM_TARIFF_BAND_VALLEY },
};

typedef struct
{
  const char *manufacturer;
  const char *serial_prefix;
  const char *model;
} MeterModel;

static const MeterModel ac_single_phase_models[] = {
  { "正泰", "CHT", "DDSU666-C" },
  { "德力西", "DLX", "DDSY606" },
  { "安科瑞", "ACR", "ADL200" },
  { "威胜", "WSE", "DDZY719-Z" },
};

static const MeterModel ac_three_phase_models[] = {
  { "正泰", "CHT", "DTSU666" },
  { "安科瑞", "ACR", "ADL400" },
  { "威胜", "WSE", "DTZY341" },
};

/* DC chargers carry one integrated meter that measures and signs. */
static const MeterModel dc_models[] = {
  { "安科瑞", "ACR", "DJSF1352-RN" },
  { "海兴电力", "HXE", "HXE-DC310" },
  { "炬华科技", "SRE", "DDZY-DC100" },
  { "安心计量", "AXM", "AXM-IDM100" },
};

typedef struct
{
  const char *name;
  double weight;
} WeightedName;

static const WeightedName signature_algorithms[] = {
  { "ECDSA-secp256r1-SHA256", 78 },     { "SM2-SM3", 15 },
  { "ECDSA-secp256k1-SHA256", 3 },      { "ECDSA-secp384r1-SHA256", 2 },
  { "ECDSA-brainpool256r1-SHA256", 2 },
};

typedef struct
{
  guint watts;
  double weight;
} PowerChoice;

static const PowerChoice ac_powers[] = {
  { 7000, 84 },
  { 11000, 8 },
  { 22000, 8 },
};

static const PowerChoice dc_powers[] = {
  { 60000, 15 }, { 120000, 35 }, { 160000, 20 }, { 180000, 15 }, { 240000, 12 }, { 360000, 3 },
};

static const char *const fast_station_kinds[] = { "超级充电站", "快充站", "充电站" };
static const char *const mixed_station_kinds[] = { "公共充电站", "停车场充电站", "综合能源站",
                                                   "商业广场充电站", "P+R 停车场充电站" };

/* Hangzhou's own figures of 2022: the platform's launch day. */
#define REFERENCE_YEAR 2022
#define REFERENCE_MONTH G_DATE_MAY
#define REFERENCE_DAY 20

/* Sanity bound so codes and memory stay sensible. */
#define MAX_CHARGERS 10000000

struct _AnxSimNetwork
{
  AnxSimParams params;
  GStringChunk *strings;
  AnxSimOperator *operators;
  AnxSimStation *stations;
  AnxSimCharger *chargers;
  AnxSimMeter *meters;
  guint *district_stations;
  guint *district_chargers;
  guint n_overdue;
};

G_DEFINE_QUARK (anx-sim-network-error-quark, anx_sim_network_error)

typedef struct
{
  const char *name;
  guint n_operators;
  guint n_stations;
  guint n_chargers;
} Scale;

static const Scale scales[] = {
  { "tiny", 3, 6, 24 },
  { "small", 8, 40, 320 },
  { "hangzhou", ANX_SIM_HANGZHOU_OPERATORS, ANX_SIM_HANGZHOU_STATIONS, ANX_SIM_HANGZHOU_CHARGERS },
  { "province", 600, 12000, 150000 },
};

/**
 * anx_sim_params_init_hangzhou:
 * @params: parameters to fill
 * @seed: the simulator seed
 *
 * Fills @params with the Hangzhou 2022 figures: 91 operators, 1,016 stations
 * and 12,258 chargers, judged against the platform's launch day.
 */
void
anx_sim_params_init_hangzhou (AnxSimParams *params,
                              guint64       seed)
{
  g_return_if_fail (params != NULL);

  memset (params, 0, sizeof *params);
  params->seed = seed;
  params->n_operators = ANX_SIM_HANGZHOU_OPERATORS;
  params->n_stations = ANX_SIM_HANGZHOU_STATIONS;
  params->n_chargers = ANX_SIM_HANGZHOU_CHARGERS;
  g_date_clear (&params->reference_date, 1);
  g_date_set_dmy (&params->reference_date, REFERENCE_DAY, REFERENCE_MONTH, REFERENCE_YEAR);
}

/**
 * anx_sim_scale_names:
 *
 * Returns: (transfer none): the scale names anx_sim_params_init_scale()
 *   knows, smallest first
 */
const char *const *
anx_sim_scale_names (void)
{
  static const char *const names[] = { "tiny", "small", "hangzhou", "province", NULL };

  G_STATIC_ASSERT (G_N_ELEMENTS (names) == G_N_ELEMENTS (scales) + 1);
  return names;
}

/**
 * anx_sim_params_init_scale:
 * @params: parameters to fill
 * @scale: "tiny", "small", "hangzhou" or "province"
 * @seed: the simulator seed
 * @error: return location for an #ANX_SIM_NETWORK_ERROR
 *
 * Like anx_sim_params_init_hangzhou() with the sizes of a named scale, so
 * tests can use a small network and benchmarks a large one; the geography
 * stays Hangzhou's.
 *
 * Returns: %TRUE if @scale is known
 */
gboolean
anx_sim_params_init_scale (AnxSimParams  *params,
                           const char    *scale,
                           guint64        seed,
                           GError       **error)
{
  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (scale != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (scales); i++)
    {
      if (g_str_equal (scale, scales[i].name))
        {
          anx_sim_params_init_hangzhou (params, seed);
          params->n_operators = scales[i].n_operators;
          params->n_stations = scales[i].n_stations;
          params->n_chargers = scales[i].n_chargers;
          return TRUE;
        }
    }

  g_set_error (error, ANX_SIM_NETWORK_ERROR, ANX_SIM_NETWORK_ERROR_UNKNOWN_SCALE,
               _("Unknown simulator scale “%s” (known: tiny, small, hangzhou, province)"), scale);
  return FALSE;
}

static gboolean
check_params (const AnxSimParams  *params,
              GError             **error)
{
  if (params->n_operators == 0 || params->n_stations < params->n_operators ||
      params->n_chargers < params->n_stations || params->n_chargers > MAX_CHARGERS)
    {
      g_set_error (error, ANX_SIM_NETWORK_ERROR, ANX_SIM_NETWORK_ERROR_INVALID_PARAMS,
                   _("A simulated network needs at least one operator, at least one station "
                      "per operator, at least one charger per station and at most %u chargers "
                      "(asked for %u operators, %u stations, %u chargers)"),
                   MAX_CHARGERS, params->n_operators, params->n_stations, params->n_chargers);
      return FALSE;
    }

  if (!g_date_valid (&params->reference_date))
    {
      g_set_error_literal (error, ANX_SIM_NETWORK_ERROR, ANX_SIM_NETWORK_ERROR_INVALID_PARAMS,
                           _("The simulator's reference date is not a valid date"));
      return FALSE;
    }

  if (params->signature_algorithm != ANX_SIGNATURE_ALGORITHM_UNKNOWN &&
      anx_signature_algorithm_to_ocmf (params->signature_algorithm) == NULL)
    {
      g_set_error_literal (error, ANX_SIM_NETWORK_ERROR, ANX_SIM_NETWORK_ERROR_INVALID_PARAMS,
                           _("The simulator's signature algorithm is not one meters use"));
      return FALSE;
    }

  return TRUE;
}

/* Private per-operator traits the public struct does not carry. */
typedef struct
{
  double weight;
  double dc_share;
} OperatorTraits;

static void
generate_operators (AnxSimNetwork  *self,
                    OperatorTraits *traits)
{
  const guint n_major = G_N_ELEMENTS (major_operators);
  const guint n_combos = G_N_ELEMENTS (operator_regions) * G_N_ELEMENTS (operator_brands) *
                         G_N_ELEMENTS (operator_kinds);
  g_autofree guint *combos = g_new (guint, n_combos);
  AnxRng rng;

  anx_sim_random_init (&rng, self->params.seed, STREAM_OPERATORS, 0);
  for (guint i = 0; i < n_combos; i++)
    combos[i] = i;
  rng_shuffle (&rng, combos, n_combos);

  for (guint i = 0; i < self->params.n_operators; i++)
    {
      AnxSimOperator *op = &self->operators[i];
      AnxRng tariff_rng;

      op->id = i + 1;
      if (i < n_major)
        {
          op->name = g_string_chunk_insert_const (self->strings, major_operators[i].name);
          op->name_en = g_string_chunk_insert_const (self->strings, major_operators[i].name_en);
          op->short_name =
              g_string_chunk_insert_const (self->strings, major_operators[i].short_name);
          traits[i].weight = major_operators[i].weight;
          traits[i].dc_share = major_operators[i].dc_share;
        }
      else
        {
          guint k = i - n_major;
          guint combo = combos[k % n_combos];
          guint round = k / n_combos;
          const NamePart *region = &operator_regions[combo % G_N_ELEMENTS (operator_regions)];
          const NamePart *brand = &operator_brands[(combo / G_N_ELEMENTS (operator_regions)) %
                                                   G_N_ELEMENTS (operator_brands)];
          const NamePart *kind = &operator_kinds[combo / (G_N_ELEMENTS (operator_regions) *
                                                          G_N_ELEMENTS (operator_brands))];
          g_autofree char *name = NULL;
          g_autofree char *name_en = NULL;

          /* Past the last combination (only very large scales), number
           * them so names stay unique. */
          if (round == 0)
            {
              name = g_strconcat (region->zh, brand->zh, kind->zh, NULL);
              name_en = g_strconcat (region->en, " ", brand->en, " ", kind->en, NULL);
            }
          else
            {
              name = g_strdup_printf ("%s%s%s（%u）", region->zh, brand->zh, kind->zh, round + 1);
              name_en =
                  g_strdup_printf ("%s %s %s (%u)", region->en, brand->en, kind->en, round + 1);
            }

          op->name = g_string_chunk_insert (self->strings, name);
          op->name_en = g_string_chunk_insert (self->strings, name_en);
          op->short_name = g_string_chunk_insert_const (self->strings, brand->zh);
          traits[i].weight = 0.3 + 1.2 * anx_sim_random_double (&rng);
          traits[i].dc_share = 0.15 + 0.35 * anx_sim_random_double (&rng);
        }

      anx_sim_random_init (&tariff_rng, self->params.seed, STREAM_TARIFF, i);
      op->tariff.peak_fen_per_kwh = rng_range (&tariff_rng, 105, 135);
      op->tariff.flat_fen_per_kwh = rng_range (&tariff_rng, 78, 98);
      op->tariff.valley_fen_per_kwh = rng_range (&tariff_rng, 32, 50);
      op->tariff.service_fen_per_kwh = 5 * rng_range (&tariff_rng, 8, 16);
      op->tariff.periods = zhejiang_periods;
      op->tariff.n_periods = G_N_ELEMENTS (zhejiang_periods);
    }
}

static void
place_station (AnxSimStation      *station,
               const DistrictInfo *district,
               AnxRng             *rng)
{
  const double km_per_deg_lat = 111.0;
  const double km_per_deg_lon = 111.0 * cos (district->latitude * G_PI / 180.0);
  double north = 0, east = 0;
  gboolean inside = FALSE;

  /* Normal around the centre, cut off at the district's radius. */
  for (guint attempt = 0; attempt < 16 && !inside; attempt++)
    {
      north = rng_gaussian (rng) * district->sigma_km;
      east = rng_gaussian (rng) * district->sigma_km;
      inside = north * north + east * east <= district->radius_km * district->radius_km;
    }
  if (!inside)
    north = east = 0;

  station->latitude = round6 (district->latitude + north / km_per_deg_lat);
  station->longitude = round6 (district->longitude + east / km_per_deg_lon);
  station->datum = ANX_GEO_DATUM_GCJ02;
}

static const MeterModel *
pick_model (AnxRng           *rng,
            const MeterModel *models,
            guint             n)
{
  return &models[rng_below (rng, n)];
}

static guint
pick_power (AnxRng            *rng,
            const PowerChoice *choices,
            guint              n)
{
  double weights[8];

  g_assert (n <= G_N_ELEMENTS (weights));
  for (guint i = 0; i < n; i++)
    weights[i] = choices[i].weight;

  return choices[rng_weighted (rng, weights, n)].watts;
}

static void
generate_meter (AnxSimNetwork *self,
                AnxSimCharger *charger,
                AnxRng        *rng)
{
  AnxSimMeter *meter = &self->meters[charger->id - 1];
  const MeterModel *model;
  double algorithm_weights[G_N_ELEMENTS (signature_algorithms)];
  g_autofree char *serial = NULL;
  g_autofree char *physical = NULL;
  g_autofree char *electronic = NULL;
  guint32 first_day, last_day, reference_day;

  meter->id = charger->id;
  meter->charger_id = charger->id;
  charger->meter_id = meter->id;

  if (charger->current == ANX_SIM_CURRENT_DC)
    {
      model = pick_model (rng, dc_models, G_N_ELEMENTS (dc_models));
      meter->accuracy_class = rng_chance (rng, 0.9) ? 1 : 2;
    }
  else
    {
      if (charger->rated_power_w > 7400)
        model = pick_model (rng, ac_three_phase_models, G_N_ELEMENTS (ac_three_phase_models));
      else
        model = pick_model (rng, ac_single_phase_models, G_N_ELEMENTS (ac_single_phase_models));
      meter->accuracy_class = rng_chance (rng, 0.3) ? 1 : 2;
    }

  for (guint i = 0; i < G_N_ELEMENTS (signature_algorithms); i++)
    algorithm_weights[i] = signature_algorithms[i].weight;
  meter->signature_algorithm =
      signature_algorithms[rng_weighted (rng, algorithm_weights,
                                         G_N_ELEMENTS (signature_algorithms))]
          .name;
  /* Drawn all the same, so that the rest of the network does not change. */
  if (self->params.signature_algorithm != ANX_SIGNATURE_ALGORITHM_UNKNOWN)
    meter->signature_algorithm = anx_signature_algorithm_to_ocmf (self->params.signature_algorithm);

  /* Most meters were verified when the build-out of 2018–2022 installed
   * them; some old stock from 2014–2017 is due or overdue for rotation. */
  reference_day = g_date_get_julian (&self->params.reference_date);
  g_date_clear (&meter->first_verification, 1);
  if (rng_chance (rng, 0.06))
    {
      GDate from, to;

      g_date_clear (&from, 1);
      g_date_clear (&to, 1);
      g_date_set_dmy (&from, 1, G_DATE_JUNE, 2014);
      g_date_set_dmy (&to, 31, G_DATE_DECEMBER, 2017);
      first_day = g_date_get_julian (&from);
      last_day = g_date_get_julian (&to);
    }
  else
    {
      GDate from;

      g_date_clear (&from, 1);
      g_date_set_dmy (&from, 1, G_DATE_JANUARY, 2018);
      first_day = g_date_get_julian (&from);
      last_day = reference_day > 30 ? reference_day - 30 : reference_day;
    }
  last_day = MIN (last_day, reference_day);
  first_day = MIN (first_day, last_day);
  g_date_set_julian (&meter->first_verification, rng_range (rng, first_day, last_day));

  meter->rotation_due = meter->first_verification;
  g_date_add_years (&meter->rotation_due, rng_range (rng, 5, 8));

  serial = g_strdup_printf ("%s%02u%07u", model->serial_prefix,
                            g_date_get_year (&meter->first_verification) % 100, meter->id);
  physical =
      g_strdup_printf ("ZJHZ-%04u-%07u", g_date_get_year (&meter->first_verification), meter->id);
  electronic = g_strdup_printf ("ES%08X%07u", (guint) (anx_sim_random_next (rng) >> 32), meter->id);

  meter->serial = g_string_chunk_insert (self->strings, serial);
  meter->manufacturer = g_string_chunk_insert_const (self->strings, model->manufacturer);
  meter->model = g_string_chunk_insert_const (self->strings, model->model);
  meter->physical_seal_id = g_string_chunk_insert (self->strings, physical);
  meter->electronic_seal_id = g_string_chunk_insert (self->strings, electronic);

  if (anx_sim_meter_is_overdue (meter, &self->params.reference_date))
    self->n_overdue++;
}

static void
generate_stations (AnxSimNetwork        *self,
                   const OperatorTraits *traits)
{
  const AnxSimParams *p = &self->params;
  const guint n_districts = G_N_ELEMENTS (districts);
  double district_weights[G_N_ELEMENTS (districts)];
  guint per_district[G_N_ELEMENTS (districts)];
  g_autofree guint *station_district = g_new (guint, p->n_stations);
  g_autofree guint *station_operator = g_new (guint, p->n_stations);
  g_autofree double *operator_weights = g_new (double, p->n_operators);
  g_autofree double *size_weights = g_new (double, p->n_stations);
  g_autofree double *dc_shares = g_new (double, p->n_stations);
  g_autofree guint *sizes = g_new (guint, p->n_stations);
  AnxRng layout;
  guint next_charger = 1;
  guint k = 0;

  anx_sim_random_init (&layout, p->seed, STREAM_LAYOUT, 0);

  /* Which district each station is in: exact proportional counts, then a
   * shuffle so that ids do not run district by district. */
  for (guint d = 0; d < n_districts; d++)
    district_weights[d] = districts[d].station_weight;
  allocate_proportional (district_weights, n_districts, p->n_stations, 0, per_district);
  for (guint d = 0; d < n_districts; d++)
    for (guint i = 0; i < per_district[d]; i++)
      station_district[k++] = d;
  g_assert (k == p->n_stations);
  rng_shuffle (&layout, station_district, p->n_stations);

  /* Which operator runs each: one station for every operator, the rest by
   * weight, shuffled. */
  for (guint o = 0; o < p->n_operators; o++)
    {
      station_operator[o] = o;
      operator_weights[o] = traits[o].weight;
    }
  for (guint s = p->n_operators; s < p->n_stations; s++)
    station_operator[s] = rng_weighted (&layout, operator_weights, p->n_operators);
  rng_shuffle (&layout, station_operator, p->n_stations);

  for (guint s = 0; s < p->n_stations; s++)
    {
      AnxSimStation *station = &self->stations[s];
      const DistrictInfo *district = &districts[station_district[s]];
      const AnxSimOperator *op = &self->operators[station_operator[s]];
      guint n_places = g_strv_length ((char **) district->places);
      guint n_roads = g_strv_length ((char **) district->roads);
      const char *kind;
      g_autofree char *name = NULL;
      g_autofree char *address = NULL;
      g_autofree char *code = NULL;
      double dc_noise, size_noise;
      guint place, road, number;
      AnxRng rng;

      anx_sim_random_init (&rng, p->seed, STREAM_STATION, s);

      station->id = s + 1;
      code = g_strdup_printf ("%s-%04u", district->code, station->id);
      station->operator_id = op->id;
      station->district = station_district[s];
      place_station (station, district, &rng);

      /* One draw per statement: the order of evaluation of function
       * arguments (and CLAMP's repeated argument) is not fixed by C, and a
       * different order would make another network. */
      dc_noise = rng_gaussian (&rng);
      dc_shares[s] = CLAMP (traits[station_operator[s]].dc_share + 0.2 * dc_noise, 0.0, 1.0);
      /* Fast-charging hubs are larger than car-park sites. */
      size_noise = rng_gaussian (&rng);
      size_weights[s] = exp (0.55 * size_noise) * (dc_shares[s] >= 0.7 ? 1.4 : 1.0);

      if (dc_shares[s] >= 0.7)
        kind = fast_station_kinds[rng_below (&rng, G_N_ELEMENTS (fast_station_kinds))];
      else
        kind = mixed_station_kinds[rng_below (&rng, G_N_ELEMENTS (mixed_station_kinds))];

      place = rng_below (&rng, n_places);
      road = rng_below (&rng, n_roads);
      number = rng_range (&rng, 1, 999);
      name = g_strconcat (op->short_name, district->places[place], kind, NULL);
      address =
          g_strdup_printf ("浙江省杭州市%s%s%u号", district->name, district->roads[road], number);
      station->name = g_string_chunk_insert (self->strings, name);
      station->address = g_string_chunk_insert (self->strings, address);
      station->code = g_string_chunk_insert (self->strings, code);
    }

  allocate_proportional (size_weights, p->n_stations, p->n_chargers, 1, sizes);

  for (guint s = 0; s < p->n_stations; s++)
    {
      AnxSimStation *station = &self->stations[s];
      guint n_dc = (guint) lround (sizes[s] * dc_shares[s]);

      station->first_charger_id = next_charger;
      station->n_chargers = sizes[s];
      self->district_stations[station->district]++;
      self->district_chargers[station->district] += sizes[s];

      for (guint i = 0; i < sizes[s]; i++)
        {
          AnxSimCharger *charger = &self->chargers[next_charger - 1];
          g_autofree char *code = NULL;
          AnxRng rng;

          anx_sim_random_init (&rng, p->seed, STREAM_CHARGER, next_charger);

          charger->id = next_charger++;
          charger->station_id = station->id;
          charger->current = i < n_dc ? ANX_SIM_CURRENT_DC : ANX_SIM_CURRENT_AC;
          if (charger->current == ANX_SIM_CURRENT_DC)
            charger->rated_power_w = pick_power (&rng, dc_powers, G_N_ELEMENTS (dc_powers));
          else
            charger->rated_power_w = pick_power (&rng, ac_powers, G_N_ELEMENTS (ac_powers));

          /* Numbered per kind within the station: "330106-0042-DC02", the
           * form chain records carry as their charger_id. */
          if (charger->current == ANX_SIM_CURRENT_DC)
            code = g_strdup_printf ("%s-DC%02u", station->code, i + 1);
          else
            code = g_strdup_printf ("%s-AC%02u", station->code, i + 1 - n_dc);
          charger->code = g_string_chunk_insert (self->strings, code);

          generate_meter (self, charger, &rng);
        }
    }

  g_assert (next_charger == p->n_chargers + 1);
}

/**
 * anx_sim_network_new:
 * @params: sizes, seed and reference date
 * @error: return location for an #ANX_SIM_NETWORK_ERROR
 *
 * Generates a network. The same @params give the same network, byte for
 * byte, on any machine.
 *
 * Returns: (transfer full): the network, or %NULL if @params are invalid
 */
AnxSimNetwork *
anx_sim_network_new (const AnxSimParams  *params,
                     GError             **error)
{
  g_autoptr(AnxSimNetwork) self = NULL;
  g_autofree OperatorTraits *traits = NULL;

  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_params (params, error))
    return NULL;

  self = g_new0 (AnxSimNetwork, 1);
  self->params = *params;
  self->strings = g_string_chunk_new (64 * 1024);
  self->operators = g_new0 (AnxSimOperator, params->n_operators);
  self->stations = g_new0 (AnxSimStation, params->n_stations);
  self->chargers = g_new0 (AnxSimCharger, params->n_chargers);
  self->meters = g_new0 (AnxSimMeter, params->n_chargers);
  self->district_stations = g_new0 (guint, G_N_ELEMENTS (districts));
  self->district_chargers = g_new0 (guint, G_N_ELEMENTS (districts));
  traits = g_new0 (OperatorTraits, params->n_operators);

  generate_operators (self, traits);
  generate_stations (self, traits);

  return g_steal_pointer (&self);
}

/**
 * anx_sim_network_free:
 * @network: (transfer full) (nullable): a network
 *
 * Frees @network and every string and struct it handed out.
 */
void
anx_sim_network_free (AnxSimNetwork *network)
{
  if (network == NULL)
    return;

  g_clear_pointer (&network->strings, g_string_chunk_free);
  g_free (network->operators);
  g_free (network->stations);
  g_free (network->chargers);
  g_free (network->meters);
  g_free (network->district_stations);
  g_free (network->district_chargers);
  g_free (network);
}

/**
 * anx_sim_network_get_params:
 * @network: a network
 *
 * Returns: (transfer none): the parameters @network was generated from
 */
const AnxSimParams *
anx_sim_network_get_params (AnxSimNetwork *network)
{
  g_return_val_if_fail (network != NULL, NULL);

  return &network->params;
}

/**
 * anx_sim_network_get_operators:
 * @network: a network
 * @n_operators: (out) (optional): the length of the array
 *
 * Returns: (transfer none): all operators, ordered by id (id = index + 1)
 */
const AnxSimOperator *
anx_sim_network_get_operators (AnxSimNetwork *network,
                               guint         *n_operators)
{
  g_return_val_if_fail (network != NULL, NULL);

  if (n_operators != NULL)
    *n_operators = network->params.n_operators;
  return network->operators;
}

/**
 * anx_sim_network_get_stations:
 * @network: a network
 * @n_stations: (out) (optional): the length of the array
 *
 * Returns: (transfer none): all stations, ordered by id (id = index + 1)
 */
const AnxSimStation *
anx_sim_network_get_stations (AnxSimNetwork *network,
                              guint         *n_stations)
{
  g_return_val_if_fail (network != NULL, NULL);

  if (n_stations != NULL)
    *n_stations = network->params.n_stations;
  return network->stations;
}

/**
 * anx_sim_network_get_chargers:
 * @network: a network
 * @n_chargers: (out) (optional): the length of the array
 *
 * Returns: (transfer none): all chargers, ordered by id (id = index + 1);
 *   a station's chargers are contiguous
 */
const AnxSimCharger *
anx_sim_network_get_chargers (AnxSimNetwork *network,
                              guint         *n_chargers)
{
  g_return_val_if_fail (network != NULL, NULL);

  if (n_chargers != NULL)
    *n_chargers = network->params.n_chargers;
  return network->chargers;
}

/**
 * anx_sim_network_get_meters:
 * @network: a network
 * @n_meters: (out) (optional): the length of the array
 *
 * Returns: (transfer none): all meters, one per charger, ordered by id
 */
const AnxSimMeter *
anx_sim_network_get_meters (AnxSimNetwork *network,
                            guint         *n_meters)
{
  g_return_val_if_fail (network != NULL, NULL);

  if (n_meters != NULL)
    *n_meters = network->params.n_chargers;
  return network->meters;
}

/**
 * anx_sim_network_get_operator:
 * @network: a network
 * @id: an operator id
 *
 * Returns: (transfer none) (nullable): the operator, or %NULL for an unknown id
 */
const AnxSimOperator *
anx_sim_network_get_operator (AnxSimNetwork *network,
                              guint          id)
{
  g_return_val_if_fail (network != NULL, NULL);

  return id >= 1 && id <= network->params.n_operators ? &network->operators[id - 1] : NULL;
}

/**
 * anx_sim_network_get_station:
 * @network: a network
 * @id: a station id
 *
 * Returns: (transfer none) (nullable): the station, or %NULL for an unknown id
 */
const AnxSimStation *
anx_sim_network_get_station (AnxSimNetwork *network,
                             guint          id)
{
  g_return_val_if_fail (network != NULL, NULL);

  return id >= 1 && id <= network->params.n_stations ? &network->stations[id - 1] : NULL;
}

/**
 * anx_sim_network_get_charger:
 * @network: a network
 * @id: a charger id
 *
 * Returns: (transfer none) (nullable): the charger, or %NULL for an unknown id
 */
const AnxSimCharger *
anx_sim_network_get_charger (AnxSimNetwork *network,
                             guint          id)
{
  g_return_val_if_fail (network != NULL, NULL);

  return id >= 1 && id <= network->params.n_chargers ? &network->chargers[id - 1] : NULL;
}

/**
 * anx_sim_network_get_meter:
 * @network: a network
 * @id: a meter id
 *
 * Returns: (transfer none) (nullable): the meter, or %NULL for an unknown id
 */
const AnxSimMeter *
anx_sim_network_get_meter (AnxSimNetwork *network,
                           guint          id)
{
  g_return_val_if_fail (network != NULL, NULL);

  return id >= 1 && id <= network->params.n_chargers ? &network->meters[id - 1] : NULL;
}

/**
 * anx_sim_network_count_district:
 * @network: a network
 * @district: a district index below anx_sim_district_count()
 * @n_stations: (out) (optional): stations in @district
 * @n_chargers: (out) (optional): chargers in @district
 *
 * Counts what @network placed in one district.
 */
void
anx_sim_network_count_district (AnxSimNetwork *network,
                                guint          district,
                                guint         *n_stations,
                                guint         *n_chargers)
{
  g_return_if_fail (network != NULL);
  g_return_if_fail (district < G_N_ELEMENTS (districts));

  if (n_stations != NULL)
    *n_stations = network->district_stations[district];
  if (n_chargers != NULL)
    *n_chargers = network->district_chargers[district];
}

/**
 * anx_sim_network_count_overdue:
 * @network: a network
 *
 * Returns: how many meters are past their rotation date on the reference day
 */
guint
anx_sim_network_count_overdue (AnxSimNetwork *network)
{
  g_return_val_if_fail (network != NULL, 0);

  return network->n_overdue;
}

/**
 * anx_sim_meter_is_overdue:
 * @meter: a meter
 * @reference_date: the day to judge against
 *
 * Returns: %TRUE if @meter's rotation date is before @reference_date
 */
gboolean
anx_sim_meter_is_overdue (const AnxSimMeter *meter,
                          const GDate       *reference_date)
{
  g_return_val_if_fail (meter != NULL, FALSE);
  g_return_val_if_fail (reference_date != NULL && g_date_valid (reference_date), FALSE);

  return g_date_compare (&meter->rotation_due, reference_date) < 0;
}

/**
 * anx_sim_district_count:
 *
 * Returns: the number of districts and counties of Hangzhou the simulator uses
 */
guint
anx_sim_district_count (void)
{
  return G_N_ELEMENTS (districts);
}

/**
 * anx_sim_district_get_code:
 * @district: a district index
 *
 * Returns: the six-digit administrative division code, e.g. "330106"
 */
const char *
anx_sim_district_get_code (guint district)
{
  g_return_val_if_fail (district < G_N_ELEMENTS (districts), NULL);

  return districts[district].code;
}

/**
 * anx_sim_district_get_name:
 * @district: a district index
 *
 * Returns: the Chinese name, e.g. "西湖区"
 */
const char *
anx_sim_district_get_name (guint district)
{
  g_return_val_if_fail (district < G_N_ELEMENTS (districts), NULL);

  return districts[district].name;
}

/**
 * anx_sim_district_get_name_en:
 * @district: a district index
 *
 * Returns: the pinyin name, e.g. "Xihu"
 */
const char *
anx_sim_district_get_name_en (guint district)
{
  g_return_val_if_fail (district < G_N_ELEMENTS (districts), NULL);

  return districts[district].name_en;
}

/**
 * anx_sim_district_is_urban:
 * @district: a district index
 *
 * Returns: %TRUE for the eight districts of the urban core
 */
gboolean
anx_sim_district_is_urban (guint district)
{
  g_return_val_if_fail (district < G_N_ELEMENTS (districts), FALSE);

  return districts[district].urban;
}

/**
 * anx_sim_current_to_string:
 * @current: AC or DC
 *
 * Returns: "AC" or "DC"
 */
const char *
anx_sim_current_to_string (AnxSimCurrent current)
{
  switch (current)
    {
    case ANX_SIM_CURRENT_AC:
      return "AC";
    case ANX_SIM_CURRENT_DC:
      return "DC";
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * anx_sim_tariff_band_to_string:
 * @band: a time-of-use band
 *
 * Returns: "peak", "flat" or "valley"
 */
const char *
anx_sim_tariff_band_to_string (AnxSimTariffBand band)
{
  switch (band)
    {
    case ANX_SIM_TARIFF_BAND_PEAK:
      return "peak";
    case ANX_SIM_TARIFF_BAND_FLAT:
      return "flat";
    case ANX_SIM_TARIFF_BAND_VALLEY:
      return "valley";
    default:
      g_return_val_if_reached (NULL);
    }
}
