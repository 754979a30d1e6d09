/* anx-map-points.c: a compact store of station points for the map, with
 * grid clustering per zoom level, viewport queries and hit-testing
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-map-points"

#include "config.h"

#include <math.h>
#include <string.h>

#include "anx-map-points.h"

/* Points are projected once, to Web Mercator normalized to 0..1, and given
 * the Morton (Z-order) code of their cell in a 2^24 × 2^24 grid. Sorted by
 * that code, the points of any coarser grid cell are one contiguous run, so
 * a cluster level is one sequential pass over the store and the points of a
 * cell are found by binary search. The store is kept physically in Morton
 * order (public indices map through rank[]), which keeps those passes
 * cache-friendly for a million points. Cluster levels are computed lazily,
 * when first asked for, and dropped when a status or the filter changes. */

#define MAX_LATITUDE 85.0511287798
#define GRID_SIDE ((double) (1u << ANX_MAP_POINTS_MAX_LEVEL))
#define NO_OPERATOR G_MAXUINT16

typedef struct
{
  double  x;
  double  y;
  guint64 code;
  guint32 id_offset;
  guint32 user_index;
  guint16 n_chargers[ANX_MAP_N_STATES];
  guint16 operator_index;
  guint8  severity;
  guint8  visible;
} Point;

struct _AnxMapPoints
{
  GObject     parent_instance;

  Point      *points;
  guint       n_points;
  guint       n_allocated;
  guint32    *rank;      /* public index → position in points[] */
  guint32    *order;     /* position → public index */
  gboolean    sorted;
  guint       n_visible;

  GString    *ids;       /* NUL-separated, addressed by Point.id_offset */
  GHashTable *id_index;

  GPtrArray  *operators; /* index → name */
  GHashTable *operator_index;

  guint       state_mask;
  gboolean    alarms_only;
  GStrv       operator_filter;
  GByteArray *operator_allowed;

  GArray     *levels[ANX_MAP_POINTS_MAX_LEVEL + 1];

  guint       changed_source;
};

G_DEFINE_FINAL_TYPE (AnxMapPoints, anx_map_points, G_TYPE_OBJECT)

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static guint64
spread_bits (guint32 v)
{
  guint64 x = v;

  x = (x | (x << 16)) & G_GUINT64_CONSTANT (0x0000FFFF0000FFFF);
  x = (x | (x << 8)) & G_GUINT64_CONSTANT (0x00FF00FF00FF00FF);
  x = (x | (x << 4)) & G_GUINT64_CONSTANT (0x0F0F0F0F0F0F0F0F);
  x = (x | (x << 2)) & G_GUINT64_CONSTANT (0x3333333333333333);
  x = (x | (x << 1)) & G_GUINT64_CONSTANT (0x5555555555555555);
  return      x;
}

static guint64
cell_code (guint32 cx,
           guint32 cy)
{
  return spread_bits (cx) | (spread_bits (cy) << 1);
}

static guint32
grid_coord (double v,
            guint  level)
{
  double side = (double) (1u << level);
  double c = floor (v * side);

  return (guint32) CLAMP (c, 0.0, side - 1.0);
}

static gboolean
emit_changed_idle (gpointer data)
{
  AnxMapPoints *self = data;

  self->changed_source = 0;
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

/* Many changes (a feed snapshot, a million inserts) make one "changed". */
static void
schedule_changed (AnxMapPoints *self)
{
  if (self->changed_source == 0)
    {
      self->changed_source = g_idle_add_full (G_PRIORITY_HIGH_IDLE, emit_changed_idle, self, NULL);
      g_source_set_name_by_id (self->changed_source, "[anxin] map points changed");
    }
}

static void
drop_levels (AnxMapPoints *self)
{
  for (guint i = 0; i <= ANX_MAP_POINTS_MAX_LEVEL; i++)
    g_clear_pointer (&self->levels[i], g_array_unref);
}

static gboolean
point_passes_filter (AnxMapPoints *self,
                     const Point  *p)
{
  if (self->alarms_only && p->severity == ANX_MAP_SEVERITY_NONE)
    return FALSE;

  if (self->operator_filter != NULL &&
      (p->operator_index == NO_OPERATOR || p->operator_index >= self->operator_allowed->len ||
       !self->operator_allowed->data[p->operator_index]))
    return FALSE;

  if ((self->state_mask & ANX_MAP_STATE_MASK_ALL) != ANX_MAP_STATE_MASK_ALL)
    {
      for (guint s = 0; s < ANX_MAP_N_STATES; s++)
        if ((self->state_mask & (1u << s)) && p->n_chargers[s] > 0)
          return TRUE;
      return FALSE;
    }

  return TRUE;
}

static void
update_visibility (AnxMapPoints *self,
                   Point        *p)
{
  gboolean visible = point_passes_filter (self, p);

  if (visible != (gboolean) p->visible)
    {
      p->visible = visible;
      if (visible)
        self->n_visible++;
      else
        self->n_visible--;
    }
}

static guint16
intern_operator (AnxMapPoints *self,
                 const char   *operator_id)
{
  gpointer value;
  guint16 index;

  if (operator_id == NULL)
    return NO_OPERATOR;

  if (g_hash_table_lookup_extended (self->operator_index, operator_id, NULL, &value))
    return GPOINTER_TO_UINT (value);

  if (self->operators->len >= NO_OPERATOR)
    {
      g_warning ("Too many operators on the map; %s is not filtered", operator_id);
      return NO_OPERATOR;
    }

  index = self->operators->len;
  g_ptr_array_add (self->operators, g_strdup (operator_id));
  g_hash_table_insert (self->operator_index, g_ptr_array_index (self->operators, index),
                       GUINT_TO_POINTER (index));

  if (self->operator_filter != NULL)
    {
      guint8 allowed = g_strv_contains ((const char *const *) self->operator_filter, operator_id);

      g_byte_array_append (self->operator_allowed, &allowed, 1);
    }

  return index;
}

/* LSD radix sort of (code, position) pairs, 16 bits a pass: codes use 48. */
static void
sort_by_code (guint64 *keys,
              guint32 *values,
              guint    n)
{
  g_autofree guint64 *tmp_keys = g_new (guint64, n);
  g_autofree guint32 *tmp_values = g_new (guint32, n);
  g_autofree guint *counts = g_new (guint, 65536);
  guint64 *src_k = keys, *dst_k = tmp_keys;
  guint32 *src_v = values, *dst_v = tmp_values;

  for (guint shift = 0; shift < 48; shift += 16)
    {
      guint sum = 0;

      memset (counts, 0, 65536 * sizeof (guint));
      for (guint i = 0; i < n; i++)
        counts[(src_k[i] >> shift) & 0xffff]++;
      for (guint d = 0; d < 65536; d++)
        {
          guint c = counts[d];

          counts[d] = sum;
          sum += c;
        }
      for (guint i = 0; i < n; i++)
        {
          guint d = (src_k[i] >> shift) & 0xffff;

          dst_k[counts[d]] = src_k[i];
          dst_v[counts[d]] = src_v[i];
          counts[d]++;
        }

      {
        guint64 *sk = src_k;
        guint32 *sv = src_v;

        src_k = dst_k;
        src_v = dst_v;
        dst_k = sk;
        dst_v = sv;
      }
    }

  /* Three passes: the result is in the temporary arrays. */
  memcpy (keys, src_k, n * sizeof (guint64));
  memcpy (values, src_v, n * sizeof (guint32));
}

static void
ensure_sorted (AnxMapPoints *self)
{
  g_autofree guint64 *keys = NULL;
  g_autofree guint32 *positions = NULL;
  Point *sorted;

  if (self->sorted)
    return;

  keys = g_new (guint64, MAX (self->n_points, 1));
  positions = g_new (guint32, MAX (self->n_points, 1));
  for (guint i = 0; i < self->n_points; i++)
    {
      keys[i] = self->points[i].code;
      positions[i] = i;
    }
  sort_by_code (keys, positions, self->n_points);

  sorted = g_new (Point, MAX (self->n_allocated, 1));
  for (guint i = 0; i < self->n_points; i++)
    {
      guint32 old = positions[i];
      guint32 index = self->order[old];

      sorted[i] = self->points[old];
      positions[i] = index;
      self->rank[index] = i;
    }
  memcpy (self->order, positions, self->n_points * sizeof (guint32));
  g_free (self->points);
  self->points = sorted;
  self->sorted = TRUE;
}

/* First position in points[] whose code is >= @code. */
static guint
lower_bound (AnxMapPoints *self,
             guint64       code)
{
  guint lo = 0, hi = self->n_points;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (self->points[mid].code < code)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static void
cluster_add_point (AnxMapCluster *c,
                   const Point   *p,
                   guint          index)
{
  if (c->n_points == 0)
    c->point = index;
  c->n_points++;
  c->x += p->x;
  c->y += p->y;
  for (guint s = 0; s < ANX_MAP_N_STATES; s++)
    c->n_chargers[s] += p->n_chargers[s];
  c->severity = MAX (c->severity, (AnxMapSeverity) p->severity);
}

static GArray *
ensure_level (AnxMapPoints *self,
              guint         level)
{
  guint shift = 2 * (ANX_MAP_POINTS_MAX_LEVEL - level);
  GArray *clusters;
  AnxMapCluster current = { 0 };
  gboolean open = FALSE;

  ensure_sorted (self);
  if (self->levels[level] != NULL)
    return self->levels[level];

  /* Zooming out: merge a finer level already computed, if it is clearly
   * smaller than the store. Its cells nest in ours and come in the same
   * Morton order, so this is one pass too. */
  for (guint finer = level + 1; finer <= ANX_MAP_POINTS_MAX_LEVEL; finer++)
    {
      GArray *children = self->levels[finer];
      guint child_shift = 2 * (finer - level);

      if (children == NULL)
        continue;
      if (children->len > self->n_points / 2)
        break;

      clusters = g_array_new (FALSE, FALSE, sizeof (AnxMapCluster));
      for (guint i = 0; i < children->len; i++)
        {
          const AnxMapCluster *c = &g_array_index (children, AnxMapCluster, i);
          guint64 cell = c->cell >> child_shift;

          if (open && cell != current.cell)
            {
              current.x /= current.n_points;
              current.y /= current.n_points;
              g_array_append_val (clusters, current);
              open = FALSE;
            }
          if (!open)
            {
              memset (&current, 0, sizeof current);
              current.level = level;
              current.cell = cell;
              current.point = c->point;
              open = TRUE;
            }
          current.n_points += c->n_points;
          current.x += c->x * c->n_points;
          current.y += c->y * c->n_points;
          for (guint s = 0; s < ANX_MAP_N_STATES; s++)
            current.n_chargers[s] += c->n_chargers[s];
          current.severity = MAX (current.severity, c->severity);
        }
      if (open)
        {
          current.x /= current.n_points;
          current.y /= current.n_points;
          g_array_append_val (clusters, current);
        }

      self->levels[level] = clusters;
      return clusters;
    }

  clusters = g_array_new (FALSE, FALSE, sizeof (AnxMapCluster));
  for (guint i = 0; i < self->n_points; i++)
    {
      const Point *p = &self->points[i];
      guint64 cell = p->code >> shift;

      if (!p->visible)
        continue;

      if (open && cell != current.cell)
        {
          current.x /= current.n_points;
          current.y /= current.n_points;
          g_array_append_val (clusters, current);
          open = FALSE;
        }
      if (!open)
        {
          memset (&current, 0, sizeof current);
          current.level = level;
          current.cell = cell;
          open = TRUE;
        }
      cluster_add_point (&current, p, self->order[i]);
    }
  if (open)
    {
      current.x /= current.n_points;
      current.y /= current.n_points;
      g_array_append_val (clusters, current);
    }

  self->levels[level] = clusters;
  return clusters;
}

static const AnxMapCluster *
find_cluster (GArray  *clusters,
              guint64  cell)
{
  guint lo = 0, hi = clusters->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      const AnxMapCluster *c = &g_array_index (clusters, AnxMapCluster, mid);

      if (c->cell < cell)
        lo = mid + 1;
      else if (c->cell > cell)
        hi = mid;
      else
        return c;
    }
  return NULL;
}

static gboolean
in_rect (double x,
         double y,
         double x0,
         double y0,
         double x1,
         double y1)
{
  return x >= x0 && x <= x1 && y >= y0 && y <= y1;
}

static void
anx_map_points_finalize (GObject *object)
{
  AnxMapPoints *self = ANX_MAP_POINTS (object);

  g_clear_handle_id (&self->changed_source, g_source_remove);
  drop_levels (self);
  g_free (self->points);
  g_free (self->rank);
  g_free (self->order);
  g_string_free (self->ids, TRUE);
  g_clear_pointer (&self->id_index, g_hash_table_unref);
  g_hash_table_unref (self->operator_index);
  g_ptr_array_unref (self->operators);
  g_strfreev (self->operator_filter);
  g_byte_array_unref (self->operator_allowed);

  G_OBJECT_CLASS (anx_map_points_parent_class)->finalize (object);
}

static void
anx_map_points_class_init (AnxMapPointsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = anx_map_points_finalize;

  /**
   * AnxMapPoints::changed:
   *
   * Emitted from an idle callback after points were added or cleared, a
   * status changed or the filter changed; many changes make one emission.
   */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
anx_map_points_init (AnxMapPoints *self)
{
  self->ids = g_string_new (NULL);
  self->operators = g_ptr_array_new_with_free_func (g_free);
  self->operator_index = g_hash_table_new (g_str_hash, g_str_equal);
  self->operator_allowed = g_byte_array_new ();
  self->state_mask = ANX_MAP_STATE_MASK_ALL;
  self->sorted = TRUE;
}

/**
 * anx_map_points_new:
 *
 * Returns: (transfer full): an empty store
 */
AnxMapPoints *
anx_map_points_new (void)
{
  return g_object_new (ANX_TYPE_MAP_POINTS, NULL);
}

/**
 * anx_map_project:
 * @latitude: WGS-84 latitude in degrees (clamped to ±85.0511°)
 * @longitude: WGS-84 longitude in degrees
 * @x: (out): Web Mercator x, 0 (180° W) to 1 (180° E)
 * @y: (out): Web Mercator y, 0 (north edge) to 1 (south edge)
 *
 * Projects a location the way libshumate's map sources do, normalized to
 * the unit square; multiply by the world size in pixels to get map pixels.
 */
void
anx_map_project (double  latitude,
                 double  longitude,
                 double *x,
                 double *y)
{
  double sin_latitude;

  latitude = CLAMP (latitude, -MAX_LATITUDE, MAX_LATITUDE);
  longitude = CLAMP (longitude, -180.0, 180.0);
  sin_latitude = sin (latitude * G_PI / 180.0);
  *x = (longitude + 180.0) / 360.0;
  *y = 0.5 - log ((1.0 + sin_latitude) / (1.0 - sin_latitude)) / (4.0 * G_PI);
}

/**
 * anx_map_unproject:
 * @x: Web Mercator x, normalized
 * @y: Web Mercator y, normalized
 * @latitude: (out): latitude in degrees
 * @longitude: (out): longitude in degrees
 *
 * The inverse of anx_map_project().
 */
void
anx_map_unproject (double  x,
                   double  y,
                   double *latitude,
                   double *longitude)
{
  double n = G_PI - 2.0 * G_PI * y;

  *longitude = x * 360.0 - 180.0;
  *latitude = 180.0 / G_PI * atan (0.5 * (exp (n) - exp (-n)));
}

/**
 * anx_map_worst_state:
 * @n_chargers: (array fixed-size=4): charger counts per #AnxMapState
 *
 * The state a station or cluster is drawn in: fault before offline before
 * charging before idle, among the states with at least one charger.
 *
 * Returns: the worst state present, %ANX_MAP_STATE_IDLE if none is
 */
AnxMapState
anx_map_worst_state (const guint *n_chargers)
{
  static const AnxMapState by_badness[] = { ANX_MAP_STATE_FAULT, ANX_MAP_STATE_OFFLINE,
                                            ANX_MAP_STATE_CHARGING };

  for (guint i = 0; i < G_N_ELEMENTS (by_badness); i++)
    if (n_chargers[by_badness[i]] > 0)
      return by_badness[i];

  return ANX_MAP_STATE_IDLE;
}

/**
 * anx_map_points_add:
 * @id: the station's id (unique in the store)
 * @operator_id: (nullable): the operator's id, for the operator filter
 * @latitude: WGS-84 latitude
 * @longitude: WGS-84 longitude
 * @user_index: any number the caller wants back, e.g. a row in its model
 *
 * Adds a station with no chargers and no alarm; see
 * anx_map_points_set_status(). The location is projected here, once.
 *
 * Returns: the point's index, stable for the life of the store
 */
guint
anx_map_points_add (AnxMapPoints *self,
                    const char   *id,
                    const char   *operator_id,
                    double        latitude,
                    double        longitude,
                    guint         user_index)
{
  Point *p;
  guint index;

  g_return_val_if_fail (ANX_IS_MAP_POINTS (self), G_MAXUINT);
  g_return_val_if_fail (id != NULL, G_MAXUINT);
  g_return_val_if_fail (self->n_points < G_MAXUINT32, G_MAXUINT);

  if (self->n_points == self->n_allocated)
    {
      self->n_allocated = MAX (64, self->n_allocated * 2);
      self->points = g_renew (Point, self->points, self->n_allocated);
      self->rank = g_renew (guint32, self->rank, self->n_allocated);
      self->order = g_renew (guint32, self->order, self->n_allocated);
    }

  index = self->n_points++;
  p = &self->points[index];
  memset (p, 0, sizeof *p);
  anx_map_project (latitude, longitude, &p->x, &p->y);
  p->code = cell_code (grid_coord (p->x, ANX_MAP_POINTS_MAX_LEVEL),
                       grid_coord (p->y, ANX_MAP_POINTS_MAX_LEVEL));
  p->id_offset = self->ids->len;
  g_string_append_len (self->ids, id, strlen (id) + 1);
  p->user_index = user_index;
  p->operator_index = intern_operator (self, operator_id);
  p->visible = FALSE;
  self->rank[index] = index;
  self->order[index] = index;
  update_visibility (self, p);

  /* The id buffer may have moved. */
  g_clear_pointer (&self->id_index, g_hash_table_unref);
  self->sorted = FALSE;
  drop_levels (self);
  schedule_changed (self);

  return index;
}

/**
 * anx_map_points_set_status:
 * @index: a point's index
 * @n_chargers: (array fixed-size=4): the station's charger counts per
 *   #AnxMapState
 * @severity: the worst open alarm at the station
 *
 * Updates a station's state; clusters are recomputed when next asked for.
 */
void
anx_map_points_set_status (AnxMapPoints   *self,
                           guint           index,
                           const guint    *n_chargers,
                           AnxMapSeverity  severity)
{
  Point *p;

  g_return_if_fail (ANX_IS_MAP_POINTS (self));
  g_return_if_fail (index < self->n_points);
  g_return_if_fail (n_chargers != NULL);
  g_return_if_fail (severity <= ANX_MAP_SEVERITY_CRITICAL);

  p = &self->points[self->rank[index]];
  for (guint s = 0; s < ANX_MAP_N_STATES; s++)
    p->n_chargers[s] = MIN (n_chargers[s], G_MAXUINT16);
  p->severity = severity;
  update_visibility (self, p);

  drop_levels (self);
  schedule_changed (self);
}

/**
 * anx_map_points_clear:
 *
 * Removes all points; the filter stays.
 */
void
anx_map_points_clear (AnxMapPoints *self)
{
  g_return_if_fail (ANX_IS_MAP_POINTS (self));

  self->n_points = 0;
  self->n_visible = 0;
  self->sorted = TRUE;
  g_string_truncate (self->ids, 0);
  g_clear_pointer (&self->id_index, g_hash_table_unref);
  drop_levels (self);
  schedule_changed (self);
}

/**
 * anx_map_points_get_n_points:
 *
 * Returns: the number of points, visible or not
 */
guint
anx_map_points_get_n_points (AnxMapPoints *self)
{
  g_return_val_if_fail (ANX_IS_MAP_POINTS (self), 0);

  return self->n_points;
}

/**
 * anx_map_points_get_n_visible:
 *
 * Returns: the number of points the filter lets through
 */
guint
anx_map_points_get_n_visible (AnxMapPoints *self)
{
  g_return_val_if_fail (ANX_IS_MAP_POINTS (self), 0);

  return self->n_visible;
}

/**
 * anx_map_points_lookup:
 * @id: a station id
 * @index: (out) (optional): the point's index
 *
 * Finds a point by id. The id index is built on first use.
 *
 * Returns: %TRUE if a point has @id
 */
gboolean
anx_map_points_lookup (AnxMapPoints *self,
                       const char   *id,
                       guint        *index)
{
  gpointer value;

  g_return_val_if_fail (ANX_IS_MAP_POINTS (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (self->id_index == NULL)
    {
      self->id_index = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i < self->n_points; i++)
        {
          const char *key = anx_map_points_get_id (self, i);

          /* The first point with an id wins. */
          if (!g_hash_table_contains (self->id_index, key))
            g_hash_table_insert (self->id_index, (gpointer) key, GUINT_TO_POINTER (i));
        }
    }

  if (!g_hash_table_lookup_extended (self->id_index, id, NULL, &value))
    return FALSE;

  if (index != NULL)
    *index = GPOINTER_TO_UINT (value);
  return TRUE;
}

/**
 * anx_map_points_get_id:
 * @index: a point's index
 *
 * Returns: (transfer none): the station's id
 */
const char *
anx_map_points_get_id (AnxMapPoints *self,
                       guint         index)
{
  g_return_val_if_fail (ANX_IS_MAP_POINTS (self), NULL);
  g_return_val_if_fail (index < self->n_points, NULL);

  return self->ids->str + self->points[self->rank[index]].id_offset;
}

/**
 * anx_map_points_get_operator_id:
 * @index: a point's index
 *
 * Returns: (transfer none) (nullable): the station's operator id
 */
const char *
anx_map_points_get_operator_id (AnxMapPoints *self,
                                guint         index)
{
  guint16 op;

  g_return_val_if_fail (ANX_IS_MAP_POINTS (self), NULL);
  g_return_val_if_fail (index < self->n_points, NULL);

  op = self->points[self->rank[index]].operator_index;
  return op == NO_OPERATOR ? NULL : g_ptr_array_index (self->operators, op);
}

/**
 * anx_map_points_get_user_index:
 * @index: a point's index
 *
 * Returns: the user index given to anx_map_points_add()
 */
guint
anx_map_points_get_user_index (AnxMapPoints *self,
                               guint         index)
{
  g_return_val_if_fail (ANX_IS_MAP_POINTS (self), 0);
  g_return_val_if_fail (index < self->n_points, 0);

  return self->points[self->rank[index]].user_index;
}

/**
 * anx_map_points_get_location:
 * @index: a point's index
 * @latitude: (out): WGS-84 latitude
 * @longitude: (out): WGS-84 longitude
 *
 * Gets the location back from the projected point (within 1e-9°).
 */
void
anx_map_points_get_location (AnxMapPoints *self,
                             guint         index,
                             double       *latitude,
                             double       *longitude)
{
  const Point *p;

  g_return_if_fail (ANX_IS_MAP_POINTS (self));
  g_return_if_fail (index < self->n_points);

  p = &self->points[self->rank[index]];
  anx_map_unproject (p->x, p->y, latitude, longitude);
}

/**
 * anx_map_points_get_projected:
 * @index: a point's index
 * @x: (out): Web Mercator x, normalized
 * @y: (out): Web Mercator y, normalized
 */
void
anx_map_points_get_projected (AnxMapPoints *self,
                              guint         index,
                              double       *x,
                              double       *y)
{
  const Point *p;

  g_return_if_fail (ANX_IS_MAP_POINTS (self));
  g_return_if_fail (index < self->n_points);

  p = &self->points[self->rank[index]];
  *x = p->x;
  *y = p->y;
}

/**
 * anx_map_points_get_status:
 * @index: a point's index
 * @n_chargers: (out) (array fixed-size=4) (optional): charger counts
 * @severity: (out) (optional): the worst open alarm
 */
void
anx_map_points_get_status (AnxMapPoints   *self,
                           guint           index,
                           guint          *n_chargers,
                           AnxMapSeverity *severity)
{
  const Point *p;

  g_return_if_fail (ANX_IS_MAP_POINTS (self));
  g_return_if_fail (index < self->n_points);

  p = &self->points[self->rank[index]];
  if (n_chargers != NULL)
    for (guint s = 0; s < ANX_MAP_N_STATES; s++)
      n_chargers[s] = p->n_chargers[s];
  if (severity != NULL)
    *severity = p->severity;
}

/**
 * anx_map_points_is_visible:
 * @index: a point's index
 *
 * Returns: %TRUE if the filter lets the point through
 */
gboolean
anx_map_points_is_visible (AnxMapPoints *self,
                           guint         index)
{
  g_return_val_if_fail (ANX_IS_MAP_POINTS (self), FALSE);
  g_return_val_if_fail (index < self->n_points, FALSE);

  return self->points[self->rank[index]].visible;
}

/**
 * anx_map_points_set_filter:
 * @state_mask: bits `1 << AnxMapState`: a station is shown if it has a
 *   charger in one of these states (%ANX_MAP_STATE_MASK_ALL shows all,
 *   including stations without chargers)
 * @alarms_only: show only stations with an open alarm
 * @operator_ids: (nullable) (array zero-terminated=1): show only these
 *   operators' stations; %NULL for all operators
 *
 * Marks the points the filter lets through. Nothing is reallocated;
 * clusters are recomputed when next asked for.
 */
void
anx_map_points_set_filter (AnxMapPoints      *self,
                           guint              state_mask,
                           gboolean           alarms_only,
                           const char *const *operator_ids)
{
  g_return_if_fail (ANX_IS_MAP_POINTS (self));

  self->state_mask = state_mask & ANX_MAP_STATE_MASK_ALL;
  self->alarms_only = !!alarms_only;
  g_clear_pointer (&self->operator_filter, g_strfreev);
  g_byte_array_set_size (self->operator_allowed, 0);
  if (operator_ids != NULL)
    {
      self->operator_filter = g_strdupv ((char **) operator_ids);
      g_byte_array_set_size (self->operator_allowed, self->operators->len);
      for (guint i = 0; i < self->operators->len; i++)
        self->operator_allowed->data[i] =
            g_strv_contains (operator_ids, g_ptr_array_index (self->operators, i));
    }

  for (guint i = 0; i < self->n_points; i++)
    update_visibility (self, &self->points[i]);

  drop_levels (self);
  schedule_changed (self);
}

/**
 * anx_map_points_level_for_scale:
 * @world_size: the width of the whole world in pixels at the zoom level
 *   (tile size × 2^zoom)
 * @cell_size: the clustering cell in pixels
 *
 * The cluster level whose cells are between @cell_size and twice that on
 * screen.
 *
 * Returns: a level for anx_map_points_query_clusters()
 */
guint
anx_map_points_level_for_scale (double world_size,
                                double cell_size)
{
  double cells;

  g_return_val_if_fail (cell_size > 0, 0);

  cells = world_size / cell_size;
  if (!(cells >= 1.0))
    return 0;
  /* A hair of tolerance so that exact powers of two do not round down. */
  return MIN ((guint) floor (log2 (cells) + 1e-9), ANX_MAP_POINTS_MAX_LEVEL);
}

/**
 * anx_map_points_query_clusters:
 * @level: a cluster level, at most %ANX_MAP_POINTS_MAX_LEVEL
 * @x0: west edge of the query rectangle (Mercator, normalized)
 * @y0: north edge
 * @x1: east edge
 * @y1: south edge
 * @clusters: (element-type AnxMapCluster): where the clusters are appended
 *
 * Appends the clusters at @level whose centroid lies in the rectangle.
 * The level is computed on first use and kept until points change.
 */
void
anx_map_points_query_clusters (AnxMapPoints *self,
                               guint         level,
                               double        x0,
                               double        y0,
                               double        x1,
                               double        y1,
                               GArray       *clusters)
{
  GArray *all;
  guint32 cx0, cy0, cx1, cy1;
  guint64 n_cells;

  g_return_if_fail (ANX_IS_MAP_POINTS (self));
  g_return_if_fail (level <= ANX_MAP_POINTS_MAX_LEVEL);
  g_return_if_fail (clusters != NULL);

  if (x1 < x0 || y1 < y0)
    return;

  all = ensure_level (self, level);
  cx0 = grid_coord (x0, level);
  cy0 = grid_coord (y0, level);
  cx1 = grid_coord (x1, level);
  cy1 = grid_coord (y1, level);
  n_cells = (guint64) (cx1 - cx0 + 1) * (cy1 - cy0 + 1);

  if (n_cells > all->len)
    {
      /* Fewer clusters than cells in view: filter them all. */
      for (guint i = 0; i < all->len; i++)
        {
          const AnxMapCluster *c = &g_array_index (all, AnxMapCluster, i);

          if (in_rect (c->x, c->y, x0, y0, x1, y1))
            g_array_append_val (clusters, *c);
        }
      return;
    }

  for (guint32 cy = cy0; cy <= cy1; cy++)
    for (guint32 cx = cx0; cx <= cx1; cx++)
      {
        const AnxMapCluster *c = find_cluster (all, cell_code (cx, cy));

        if (c != NULL && in_rect (c->x, c->y, x0, y0, x1, y1))
          g_array_append_val (clusters, *c);
      }
}

/* Calls @func for each visible point in the rectangle, by position. */
static void
foreach_point_in_rect (AnxMapPoints *self,
                       double x0,
                       double y0,
                       double x1,
                       double y1,
                       void (*func) (AnxMapPoints *self, guint position, gpointer data),
                       gpointer data)
{
  double extent = MAX (x1 - x0, y1 - y0);
  guint level, shift;
  guint32 cx0, cy0, cx1, cy1;

  ensure_sorted (self);
  if (self->n_points == 0 || x1 < x0 || y1 < y0)
    return;

  /* Cells of a quarter of the rectangle or more: a handful of searches. */
  if (extent <= 0)
    level = ANX_MAP_POINTS_MAX_LEVEL;
  else
    level = (guint) CLAMP (floor (-log2 (extent)) + 2, 0, ANX_MAP_POINTS_MAX_LEVEL);
  shift = 2 * (ANX_MAP_POINTS_MAX_LEVEL - level);
  cx0 = grid_coord (x0, level);
  cy0 = grid_coord (y0, level);
  cx1 = grid_coord (x1, level);
  cy1 = grid_coord (y1, level);

  for (guint32 cy = cy0; cy <= cy1; cy++)
    for (guint32 cx = cx0; cx <= cx1; cx++)
      {
        guint64 cell = cell_code (cx, cy);
        guint first = lower_bound (self, cell << shift);
        guint end = lower_bound (self, (cell + 1) << shift);

        for (guint i = first; i < end; i++)
          {
            const Point *p = &self->points[i];

            if (p->visible && in_rect (p->x, p->y, x0, y0, x1, y1))
              func (self, i, data);
          }
      }
}

static void
append_index (AnxMapPoints *self,
              guint         position,
              gpointer      data)
{
  guint index = self->order[position];

  g_array_append_val ((GArray *) data, index);
}

/**
 * anx_map_points_query_points:
 * @x0: west edge of the query rectangle (Mercator, normalized)
 * @y0: north edge
 * @x1: east edge
 * @y1: south edge
 * @indices: (element-type guint): where the indices are appended
 *
 * Appends the indices of the visible points in the rectangle.
 */
void
anx_map_points_query_points (AnxMapPoints *self,
                             double        x0,
                             double        y0,
                             double        x1,
                             double        y1,
                             GArray       *indices)
{
  g_return_if_fail (ANX_IS_MAP_POINTS (self));
  g_return_if_fail (indices != NULL);

  foreach_point_in_rect (self, x0, y0, x1, y1, append_index, indices);
}

/**
 * anx_map_points_pick_cluster:
 * @level: the cluster level drawn
 * @x: Mercator x of the pointer, normalized
 * @y: Mercator y of the pointer, normalized
 * @radius: the pick radius, normalized (pixels / world size)
 * @cluster: (out caller-allocates) (optional): the cluster found
 *
 * Finds the cluster whose centroid is nearest to (@x, @y) within @radius.
 *
 * Returns: %TRUE if one was found
 */
gboolean
anx_map_points_pick_cluster (AnxMapPoints  *self,
                             guint          level,
                             double         x,
                             double         y,
                             double         radius,
                             AnxMapCluster *cluster)
{
  g_autoptr (GArray) found = g_array_new (FALSE, FALSE, sizeof (AnxMapCluster));
  double best = radius * radius;
  const AnxMapCluster *nearest = NULL;

  g_return_val_if_fail (ANX_IS_MAP_POINTS (self), FALSE);

  anx_map_points_query_clusters (self, level, x - radius, y - radius, x + radius, y + radius,
                                 found);
  for (guint i = 0; i < found->len; i++)
    {
      const AnxMapCluster *c = &g_array_index (found, AnxMapCluster, i);
      double d = (c->x - x) * (c->x - x) + (c->y - y) * (c->y - y);

      if (d <= best)
        {
          best = d;
          nearest = c;
        }
    }

  if (nearest == NULL)
    return FALSE;
  if (cluster != NULL)
    *cluster = *nearest;
  return TRUE;
}

typedef struct
{
  double x;
  double y;
  double best;
  gint64 position;
} PickData;

static void
pick_nearest (AnxMapPoints *self,
              guint         position,
              gpointer      data)
{
  PickData *pick = data;
  const Point *p = &self->points[position];
  double d = (p->x - pick->x) * (p->x - pick->x) + (p->y - pick->y) * (p->y - pick->y);

  if (d <= pick->best)
    {
      pick->best = d;
      pick->position = position;
    }
}

/**
 * anx_map_points_pick_point:
 * @x: Mercator x of the pointer, normalized
 * @y: Mercator y of the pointer, normalized
 * @radius: the pick radius, normalized
 * @index: (out) (optional): the nearest visible point's index
 *
 * Returns: %TRUE if a visible point lies within @radius of (@x, @y)
 */
gboolean
anx_map_points_pick_point (AnxMapPoints *self,
                           double        x,
                           double        y,
                           double        radius,
                           guint        *index)
{
  PickData pick = { x, y, radius * radius, -1 };

  g_return_val_if_fail (ANX_IS_MAP_POINTS (self), FALSE);

  foreach_point_in_rect (self, x - radius, y - radius, x + radius, y + radius, pick_nearest, &pick);
  if (pick.position < 0)
    return FALSE;
  if (index != NULL)
    *index = self->order[pick.position];
  return TRUE;
}

/**
 * anx_map_points_get_cluster_bounds:
 * @cluster: a cluster from a query or a pick
 * @x0: (out): west edge of its visible points (Mercator, normalized)
 * @y0: (out): north edge
 * @x1: (out): east edge
 * @y1: (out): south edge
 *
 * Returns: %FALSE if the cluster has no visible point any more
 */
gboolean
anx_map_points_get_cluster_bounds (AnxMapPoints        *self,
                                   const AnxMapCluster *cluster,
                                   double              *x0,
                                   double              *y0,
                                   double              *x1,
                                   double              *y1)
{
  guint shift;
  guint first, end;
  gboolean any = FALSE;

  g_return_val_if_fail (ANX_IS_MAP_POINTS (self), FALSE);
  g_return_val_if_fail (cluster != NULL, FALSE);
  g_return_val_if_fail (cluster->level <= ANX_MAP_POINTS_MAX_LEVEL, FALSE);

  ensure_sorted (self);
  shift = 2 * (ANX_MAP_POINTS_MAX_LEVEL - cluster->level);
  first = lower_bound (self, cluster->cell << shift);
  end = lower_bound (self, (cluster->cell + 1) << shift);
  *x0 = *y0 = G_MAXDOUBLE;
  *x1 = *y1 = -G_MAXDOUBLE;
  for (guint i = first; i < end; i++)
    {
      const Point *p = &self->points[i];

      if (!p->visible)
        continue;
      any = TRUE;
      *x0 = MIN (*x0, p->x);
      *y0 = MIN (*y0, p->y);
      *x1 = MAX (*x1, p->x);
      *y1 = MAX (*y1, p->y);
    }

  return any;
}
