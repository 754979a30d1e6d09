/* anx-map-page.h
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "anx-charger-layer.h"
#include "anx-store.h"

G_BEGIN_DECLS

#define ANX_TYPE_MAP_PAGE (anx_map_page_get_type ())

/* Close enough to a station to tell its neighbours apart, past clustering. */
#define ANX_MAP_PAGE_STATION_ZOOM 16.0

G_DECLARE_FINAL_TYPE (AnxMapPage, anx_map_page, ANX, MAP_PAGE, AdwBin)

void             anx_map_page_set_store         (AnxMapPage *self,
                                                 AnxStore   *store);
AnxMapPoints    *anx_map_page_get_points        (AnxMapPage *self);
AnxChargerLayer *anx_map_page_get_charger_layer (AnxMapPage *self);
void             anx_map_page_show_station      (AnxMapPage *self,
                                                 const char *station_id);
GListModel      *anx_map_page_get_station_chargers (AnxMapPage *self);
gboolean         anx_map_page_centre_on_station (AnxMapPage *self,
                                                 const char *station_id,
                                                 double      zoom_level);
gboolean         anx_map_page_follow_charger    (AnxMapPage *self,
                                                 const char *charger_code);
gboolean         anx_map_page_filter_operator   (AnxMapPage *self,
                                                 const char *operator_id);
const char      *anx_map_page_get_station_id    (AnxMapPage *self);
ShumateSimpleMap *anx_map_page_get_map          (AnxMapPage *self);
void              anx_map_page_set_map_source   (AnxMapPage       *self,
                                                 ShumateMapSource *source);
ShumateMapSource *anx_map_page_get_map_source   (AnxMapPage       *self);

G_END_DECLS
