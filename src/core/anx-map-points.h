/* anx-map-points.h: a compact store of station points for the map, with
 * grid clustering per zoom level, viewport queries and hit-testing
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * AnxMapState:
 * @ANX_MAP_STATE_CHARGING: a session is running
 * @ANX_MAP_STATE_IDLE: online, no session
 * @ANX_MAP_STATE_OFFLINE: no heartbeat within the debounce window
 * @ANX_MAP_STATE_FAULT: the charger reports a fault
 * @ANX_MAP_N_STATES: the number of states
 *
 * The state of one charger, as the map counts them per station.
 */
typedef enum
{
  ANX_MAP_STATE_CHARGING,
  ANX_MAP_STATE_IDLE,
  ANX_MAP_STATE_OFFLINE,
  ANX_MAP_STATE_FAULT,
  ANX_MAP_N_STATES
} AnxMapState;

/**
 * AnxMapStateMask:
 *
 * Bits `1 << AnxMapState` for anx_map_points_set_filter().
 */
#define ANX_MAP_STATE_MASK_ALL ((1u << ANX_MAP_N_STATES) - 1)

/**
 * AnxMapSeverity:
 * @ANX_MAP_SEVERITY_NONE: no open alarm
 * @ANX_MAP_SEVERITY_INFO: an informational alarm is open
 * @ANX_MAP_SEVERITY_WARNING: a warning is open
 * @ANX_MAP_SEVERITY_CRITICAL: a critical alarm is open
 *
 * The worst open alarm at a station; ordered, so `MAX` combines them.
 */
typedef enum
{
  ANX_MAP_SEVERITY_NONE,
  ANX_MAP_SEVERITY_INFO,
  ANX_MAP_SEVERITY_WARNING,
  ANX_MAP_SEVERITY_CRITICAL,
} AnxMapSeverity;

/**
 * ANX_MAP_POINTS_MAX_LEVEL:
 *
 * The finest cluster level: 2^24 grid cells along each side of the world.
 */
#define ANX_MAP_POINTS_MAX_LEVEL 24

/**
 * AnxMapCluster:
 * @x: the centroid of the visible member points, Web Mercator normalized (0..1,
 *   west to east)
 * @y: the centroid, normalized (0..1, north to south)
 * @n_points: the number of visible stations in the cluster
 * @n_chargers: the summed charger counts per #AnxMapState
 * @severity: the worst open alarm of the member stations
 * @point: the index of a member point; the only one when @n_points is 1
 * @level: the cluster level (2^@level cells along each side of the world)
 * @cell: the cell at @level (its Morton code)
 *
 * One cell of the clustering grid with at least one visible point.
 */
typedef struct
{
  double         x;
  double         y;
  guint          n_points;
  guint          n_chargers[ANX_MAP_N_STATES];
  AnxMapSeverity severity;
  guint          point;
  guint          level;
  guint64        cell;
} AnxMapCluster;

#define ANX_TYPE_MAP_POINTS (anx_map_points_get_type ())

G_DECLARE_FINAL_TYPE (AnxMapPoints, anx_map_points, ANX, MAP_POINTS, GObject)

AnxMapPoints *anx_map_points_new                (void);

guint         anx_map_points_add                (AnxMapPoints        *self,
                                                 const char          *id,
                                                 const char          *operator_id,
                                                 double               latitude,
                                                 double               longitude,
                                                 guint                user_index);
void          anx_map_points_set_status         (AnxMapPoints        *self,
                                                 guint                index,
                                                 const guint         *n_chargers,
                                                 AnxMapSeverity       severity);
void          anx_map_points_clear              (AnxMapPoints        *self);

guint         anx_map_points_get_n_points       (AnxMapPoints        *self);
guint         anx_map_points_get_n_visible      (AnxMapPoints        *self);
gboolean      anx_map_points_lookup             (AnxMapPoints        *self,
                                                 const char          *id,
                                                 guint               *index);
const char   *anx_map_points_get_id             (AnxMapPoints        *self,
                                                 guint                index);
const char   *anx_map_points_get_operator_id    (AnxMapPoints        *self,
                                                 guint                index);
guint         anx_map_points_get_user_index     (AnxMapPoints        *self,
                                                 guint                index);
void          anx_map_points_get_location       (AnxMapPoints        *self,
                                                 guint                index,
                                                 double              *latitude,
                                                 double              *longitude);
void          anx_map_points_get_projected      (AnxMapPoints        *self,
                                                 guint                index,
                                                 double              *x,
                                                 double              *y);
void          anx_map_points_get_status         (AnxMapPoints        *self,
                                                 guint                index,
                                                 guint               *n_chargers,
                                                 AnxMapSeverity      *severity);
gboolean      anx_map_points_is_visible         (AnxMapPoints        *self,
                                                 guint                index);

void          anx_map_points_set_filter         (AnxMapPoints        *self,
                                                 guint                state_mask,
                                                 gboolean             alarms_only,
                                                 const char *const   *operator_ids);

guint         anx_map_points_level_for_scale    (double               world_size,
                                                 double               cell_size);
void          anx_map_points_query_clusters     (AnxMapPoints        *self,
                                                 guint                level,
                                                 double               x0,
                                                 double               y0,
                                                 double               x1,
                                                 double               y1,
                                                 GArray              *clusters);
void          anx_map_points_query_points       (AnxMapPoints        *self,
                                                 double               x0,
                                                 double               y0,
                                                 double               x1,
                                                 double               y1,
                                                 GArray              *indices);
gboolean      anx_map_points_pick_cluster       (AnxMapPoints        *self,
                                                 guint                level,
                                                 double               x,
                                                 double               y,
                                                 double               radius,
                                                 AnxMapCluster       *cluster);
gboolean      anx_map_points_pick_point         (AnxMapPoints        *self,
                                                 double               x,
                                                 double               y,
                                                 double               radius,
                                                 guint               *index);
gboolean      anx_map_points_get_cluster_bounds (AnxMapPoints        *self,
                                                 const AnxMapCluster *cluster,
                                                 double              *x0,
                                                 double              *y0,
                                                 double              *x1,
                                                 double              *y1);

void          anx_map_project                   (double               latitude,
                                                 double               longitude,
                                                 double              *x,
                                                 double              *y);
void          anx_map_unproject                 (double               x,
                                                 double               y,
                                                 double              *latitude,
                                                 double              *longitude);
AnxMapState   anx_map_worst_state               (const guint         *n_chargers);

G_END_DECLS
