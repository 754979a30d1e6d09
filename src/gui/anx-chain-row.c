/* anx-chain-row.c: one record of a charger's chain, as a list row
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Kind, time (in the configured zone, in the user's locale), billed
 * against metered energy, and one badge per aspect of the console's own
 * verification. A record whose link, hash or sequence is wrong carries a
 * banner naming the break, so breaks show where they are in the history.
 *
 * GTK 4.8's list view keeps about 200 rows bound around what is visible,
 * and a new charger rebinds them all: so a row is one widget that keeps
 * its texts and states on bind and lays them out with Pango only when it is
 * drawn (only the rows on screen are), instead of a dozen labels each.
 */

#define G_LOG_DOMAIN "anx-chain-row"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "anx-chain-model.h"
#include "anx-chain-row.h"
#include "anx-chain-verifier.h"
#include "anx-finding.h"

typedef enum
{
  TONE_NORMAL,
  TONE_DIM,
  TONE_SUCCESS,
  TONE_WARNING,
  TONE_ERROR,
} Tone;

struct _AnxChainRow
{
  GtkWidget parent_instance;

  char *banner; /* NULL: no break here */
  char *kind;
  char *time;
  char *sequence;
  char *energy; /* NULL: not decoded yet */
  Tone energy_tone;
  AnxStoreItem *item;
  guint tolerance_bp;
  AnxChainBadgeState badges[ANX_CHAIN_N_BADGES];
  char *notes;
  int line_height; /* 0: not measured since the style changed */
};

G_DEFINE_FINAL_TYPE (AnxChainRow, anx_chain_row, GTK_TYPE_WIDGET)

static const struct
{
  AnxChainChecks checks;
  const char *const findings[8];
} badge_rules[ANX_CHAIN_N_BADGES] = {
  [ANX_CHAIN_BADGE_HASH] = { ANX_CHAIN_CHECK_HASH, { ANX_FINDING_CHAIN_HASH_MISMATCH } },
  [ANX_CHAIN_BADGE_LINK] = { ANX_CHAIN_CHECK_LINK,
                             { ANX_FINDING_CHAIN_LINK_BROKEN, ANX_FINDING_CHAIN_SEQUENCE_GAP,
                               ANX_FINDING_CHAIN_SEQUENCE_DUPLICATE, ANX_FINDING_CHAIN_FORK } },
  [ANX_CHAIN_BADGE_SIGNATURE] = { ANX_CHAIN_CHECK_SIGNATURE,
                                  { ANX_FINDING_SIGNATURE_INVALID, ANX_FINDING_UNKNOWN_METER_KEY,
                                    ANX_FINDING_OCMF_MALFORMED } },
  [ANX_CHAIN_BADGE_METER] = { ANX_CHAIN_CHECK_METER_STATUS | ANX_CHAIN_CHECK_COUNTER |
                                  ANX_CHAIN_CHECK_REGISTER,
                              { ANX_FINDING_METER_STATUS, ANX_FINDING_CLOCK_UNSYNCHRONISED,
                                ANX_FINDING_COUNTER_GAP, ANX_FINDING_REGISTER_REGRESSION,
                                ANX_FINDING_SEAL_OPENED } },
  [ANX_CHAIN_BADGE_BILLING] = { ANX_CHAIN_CHECK_ENERGY | ANX_CHAIN_CHECK_AMOUNT,
                                { ANX_FINDING_ENERGY_MISMATCH, ANX_FINDING_AMOUNT_MISMATCH,
                                  ANX_FINDING_TARIFF_INCONSISTENT } },
};

static const char *
badge_title (AnxChainBadge badge)
{
  switch (badge)
    {
    case ANX_CHAIN_BADGE_HASH:
      return C_("verification badge", "Hash");
    case ANX_CHAIN_BADGE_LINK:
      return C_("verification badge", "Link");
    case ANX_CHAIN_BADGE_SIGNATURE:
      return C_("verification badge", "Signature");
    case ANX_CHAIN_BADGE_METER:
      return C_("verification badge", "Meter");
    case ANX_CHAIN_BADGE_BILLING:
      return C_("verification badge", "Billing");
    case ANX_CHAIN_N_BADGES:
    default:
      return "";
    }
}

static gboolean
has_code (const char *findings,
          const char *code)
{
  g_auto(GStrv) codes = NULL;

  if (findings == NULL || code == NULL)
    return FALSE;
  codes = g_strsplit (findings, " ", -1);
  return g_strv_contains ((const char *const *) codes, code);
}

/**
 * anx_chain_row_badge_state:
 * @checks: the #AnxChainChecks the ingest carried out
 * @findings: (nullable): the record's finding codes, space-separated
 * @badge: which badge
 *
 * Returns: whether the aspect was checked, and whether it passed
 */
AnxChainBadgeState
anx_chain_row_badge_state (guint          checks,
                           const char    *findings,
                           AnxChainBadge  badge)
{
  for (guint i = 0; badge_rules[badge].findings[i] != NULL; i++)
    if (has_code (findings, badge_rules[badge].findings[i]))
      return ANX_CHAIN_BADGE_FAILED;
  if ((checks & badge_rules[badge].checks) == 0)
    return ANX_CHAIN_BADGE_NOT_CHECKED;
  return ANX_CHAIN_BADGE_PASSED;
}

/**
 * anx_chain_row_is_break:
 * @findings: (nullable): a record's finding codes, space-separated
 *
 * Returns: whether the chain breaks at this record (hash, link, sequence)
 */
gboolean
anx_chain_row_is_break (const char *findings)
{
  return anx_chain_row_badge_state (ANX_CHAIN_CHECK_HASH | ANX_CHAIN_CHECK_LINK, findings,
                                    ANX_CHAIN_BADGE_HASH) == ANX_CHAIN_BADGE_FAILED ||
         anx_chain_row_badge_state (ANX_CHAIN_CHECK_HASH | ANX_CHAIN_CHECK_LINK, findings,
                                    ANX_CHAIN_BADGE_LINK) == ANX_CHAIN_BADGE_FAILED;
}

static const char *
kind_title (const char *kind)
{
  if (g_strcmp0 (kind, "charge") == 0)
    return C_("record kind", "Charge");
  if (g_strcmp0 (kind, "seal") == 0)
    return C_("record kind", "Seal");
  if (g_strcmp0 (kind, "meter_exchange") == 0)
    return C_("record kind", "Meter exchange");
  if (g_strcmp0 (kind, "inspection") == 0)
    return C_("record kind", "Inspection");
  return kind;
}

static void
set_text (char       **field,
          const char  *text)
{
  if (g_strcmp0 (*field, text) == 0)
    return;
  g_free (*field);
  *field = g_strdup (text);
}

/**
 * anx_chain_row_set_item:
 * @self: a row
 * @item: (nullable): a record of #AnxChainModel
 * @zone: the zone to show times in
 * @tolerance_bp: the meter class's tolerance, to colour the energy
 */
void
anx_chain_row_set_item (AnxChainRow  *self,
                        AnxStoreItem *item,
                        GTimeZone    *zone,
                        guint         tolerance_bp)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *time = NULL;
  g_autofree char *sequence = NULL;
  g_autofree char *number = NULL;
  g_autofree char *banner = NULL;
  g_autofree char *label = NULL;
  const char *findings, *messages, *kind;
  gboolean had_banner = self->banner != NULL;
  guint checks;

  if (item == NULL)
    {
      g_clear_pointer (&self->kind, g_free);
      g_clear_pointer (&self->time, g_free);
      g_clear_pointer (&self->sequence, g_free);
      g_clear_pointer (&self->energy, g_free);
      g_clear_object (&self->item);
      g_clear_pointer (&self->banner, g_free);
      g_clear_pointer (&self->notes, g_free);
      gtk_widget_queue_resize (GTK_WIDGET (self));
      return;
    }

  kind = anx_store_item_get_string (item, "kind");
  findings = anx_store_item_get_string (item, "findings");
  messages = anx_store_item_get_string (item, "messages");
  checks = (guint) anx_store_item_get_int (item, "checks");

  set_text (&self->kind, kind_title (kind));
  utc = g_date_time_new_from_unix_utc (anx_store_item_get_int (item, "recorded_at_us") /
                                       G_USEC_PER_SEC);
  local = utc != NULL ? g_date_time_to_timezone (utc, zone) : NULL;
  time = local != NULL ? g_date_time_format (local, "%x %X") : g_strdup ("");
  set_text (&self->time, time);
  /* Translators: a record's sequence number in its charger's chain */
  number = g_strdup_printf ("%" G_GINT64_FORMAT, anx_store_item_get_int (item, "sequence"));
  sequence = g_strdup_printf (_("No. %s"), number);
  set_text (&self->sequence, sequence);

  /* The signed data is decoded when the row is drawn. */
  g_set_object (&self->item, item);
  self->tolerance_bp = tolerance_bp;
  g_clear_pointer (&self->energy, g_free);

  for (guint b = 0; b < ANX_CHAIN_N_BADGES; b++)
    self->badges[b] = anx_chain_row_badge_state (checks, findings, b);

  /* "messages" holds code U+001F message pairs, U+001E between them: the
   * breaks go into the banner, the rest under the figures. */
  {
    g_auto(GStrv) pairs = g_strsplit (messages != NULL ? messages : "", "\x1e", -1);
    g_autoptr(GString) breaks = g_string_new (NULL);
    g_autoptr(GString) others = g_string_new (NULL);

    for (guint i = 0; pairs[i] != NULL; i++)
      {
        g_auto(GStrv) pair = g_strsplit (pairs[i], "\x1f", 2);
        GString *into;

        if (pair[0] == NULL || pair[1] == NULL)
          continue;
        into = anx_chain_row_is_break (pair[0]) ? breaks : others;
        g_string_append_printf (into, "%s%s", into->len > 0 ? " · " : "", pair[1]);
      }
    if (anx_chain_row_is_break (findings))
      /* Translators: a banner in the chain history; %s says what is wrong */
      banner = g_strdup_printf (_("Chain break: %s"), breaks->len > 0 ? breaks->str : findings);
    set_text (&self->banner, banner);
    set_text (&self->notes, others->len > 0 ? others->str : NULL);
  }

  label = g_strdup_printf ("%s%s%s %s %s%s%s", banner != NULL ? banner : "",
                           banner != NULL ? ". " : "", self->kind, self->time, self->sequence,
                           self->notes != NULL ? ". " : "",
                           self->notes != NULL ? self->notes : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  if (had_banner != (self->banner != NULL))
    gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
ensure_energy (AnxChainRow *self)
{
  const char *kind;
  gint64 billed;
  double metered = 0;

  if (self->energy != NULL || self->item == NULL)
    return;
  kind = anx_store_item_get_string (self->item, "kind");
  billed = anx_store_item_get_int (self->item, "billed_wh");
  self->energy_tone = TONE_NORMAL;
  if (g_strcmp0 (kind, "charge") != 0)
    self->energy = g_strdup ("");
  else if (anx_chain_model_item_get_metered_wh (self->item, &metered) && metered > 0)
    {
      double deviation = 100.0 * ((double) billed - metered) / metered;
      gboolean outside = self->tolerance_bp > 0 && fabs (deviation) > self->tolerance_bp / 100.0 &&
                         fabs ((double) billed - metered) > 1.0;

      /* Translators: billed energy, metered energy, deviation in percent */
      self->energy = g_strdup_printf (_("%1$.2f kWh billed · %2$.2f kWh metered · %3$+.1f %%"),
                                      (double) billed / 1000.0, metered / 1000.0, deviation);
      self->energy_tone = outside ? TONE_ERROR : TONE_NORMAL;
    }
  else
    {
      /* Translators: billed energy of a record without signed readings */
      self->energy = g_strdup_printf (_("%.2f kWh billed · no signed reading"),
                                      (double) billed / 1000.0);
      self->energy_tone = TONE_WARNING;
    }
}

/**
 * anx_chain_row_get_energy_text:
 * @self: a row
 *
 * Returns: the billed/metered figures shown
 */
const char *
anx_chain_row_get_energy_text (AnxChainRow *self)
{
  ensure_energy (self);
  return self->energy != NULL ? self->energy : "";
}

/**
 * anx_chain_row_shows_mismatch:
 * @self: a row
 *
 * Returns: whether the row shows its energy as outside the tolerance
 */
gboolean
anx_chain_row_shows_mismatch (AnxChainRow *self)
{
  ensure_energy (self);
  return self->energy_tone == TONE_ERROR;
}

/**
 * anx_chain_row_get_sequence:
 * @self: a row
 *
 * Returns: the sequence number of the record shown, or -1
 */
gint64
anx_chain_row_get_sequence (AnxChainRow *self)
{
  return self->item != NULL ? anx_store_item_get_int (self->item, "sequence") : -1;
}

/**
 * anx_chain_row_get_banner:
 * @self: a row
 *
 * Returns: (nullable): the chain-break banner shown above the record
 */
const char *
anx_chain_row_get_banner (AnxChainRow *self)
{
  return self->banner;
}

#define PAD_X 10
#define PAD_Y 5
#define GAP   12

static GdkRGBA
tone_color (GtkWidget *widget,
            Tone       tone)
{
  GtkStyleContext *context = gtk_widget_get_style_context (widget);
  const char *name = tone == TONE_SUCCESS   ? "success_color"
                     : tone == TONE_WARNING ? "warning_color"
                     : tone == TONE_ERROR   ? "error_color"
                                            : NULL;
  GdkRGBA color;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (context, &color);
  if (name != NULL)
    gtk_style_context_lookup_color (context, name, &color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  if (tone == TONE_DIM)
    color.alpha *= 0.55f;
  return color;
}

static int
line_height (GtkWidget *widget)
{
  AnxChainRow *self = ANX_CHAIN_ROW (widget);

  if (self->line_height == 0)
    {
      PangoContext *context = gtk_widget_get_pango_context (widget);
      PangoFontMetrics *metrics = pango_context_get_metrics (context, NULL, NULL);

      self->line_height = PANGO_PIXELS_CEIL (pango_font_metrics_get_height (metrics)) + 2;
      pango_font_metrics_unref (metrics);
    }
  return self->line_height;
}

/* Draws @text at (@x, @y); returns its width. */
static int
draw_text (GtkSnapshot *snapshot,
           GtkWidget   *widget,
           const char  *text,
           int          x,
           int          y,
           int          max_width,
           gboolean     bold,
           gboolean     small,
           Tone         tone)
{
  g_autoptr(PangoLayout) layout = NULL;
  GdkRGBA color = tone_color (widget, tone);
  int width, height;

  if (text == NULL || *text == '\0' || max_width <= 0)
    return 0;
  layout = gtk_widget_create_pango_layout (widget, text);
  if (bold || small)
    {
      PangoAttrList *attrs = pango_attr_list_new ();

      if (bold)
        pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
      if (small)
        pango_attr_list_insert (attrs, pango_attr_scale_new (0.85));
      pango_layout_set_attributes (layout, attrs);
      pango_attr_list_unref (attrs);
    }
  pango_layout_set_width (layout, max_width * PANGO_SCALE);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_single_paragraph_mode (layout, TRUE);
  pango_layout_get_pixel_size (layout, &width, &height);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float) x, (float) y));
  gtk_snapshot_append_layout (snapshot, layout, &color);
  gtk_snapshot_restore (snapshot);
  return width;
}

static void
anx_chain_row_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  AnxChainRow *self = ANX_CHAIN_ROW (widget);
  int width = gtk_widget_get_width (widget);
  int line = line_height (widget);
  int x = PAD_X, y = PAD_Y, right = width - PAD_X;

  if (self->kind == NULL)
    return;
  ensure_energy (self);
  if (self->banner != NULL)
    {
      draw_text (snapshot, widget, self->banner, x, y, right - x, TRUE, FALSE, TONE_ERROR);
      y += line;
    }
  /* The columns line up from row to row: a fixed width for the kind, the
   * time and number as wide as they are (the same format in every row). */
  draw_text (snapshot, widget, self->kind, x, y, 90, TRUE, FALSE, TONE_NORMAL);
  x += 90 + GAP;
  x += draw_text (snapshot, widget, self->time, x, y, 200, FALSE, FALSE, TONE_NORMAL) + GAP;
  x += MAX (64, draw_text (snapshot, widget, self->sequence, x, y, 120, FALSE, FALSE, TONE_DIM)) + GAP;
  draw_text (snapshot, widget, self->energy, x, y, right - x, FALSE, FALSE, self->energy_tone);

  x = PAD_X;
  y += line;
  for (guint b = 0; b < ANX_CHAIN_N_BADGES; b++)
    {
      g_autofree char *text = g_strdup_printf ("%s\u2009%s",
                                               self->badges[b] == ANX_CHAIN_BADGE_PASSED   ? "\u2713"
                                               : self->badges[b] == ANX_CHAIN_BADGE_FAILED ? "\u2717"
                                                                                          : "\u2013",
                                               badge_title (b));

      x += draw_text (snapshot, widget, text, x, y, right - x, TRUE, TRUE,
                      self->badges[b] == ANX_CHAIN_BADGE_PASSED   ? TONE_SUCCESS
                      : self->badges[b] == ANX_CHAIN_BADGE_FAILED ? TONE_ERROR
                                                                 : TONE_DIM) +
           8;
    }
  draw_text (snapshot, widget, self->notes, x + GAP, y, right - x - GAP, FALSE, TRUE, TONE_DIM);
}

static void
anx_chain_row_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  AnxChainRow *self = ANX_CHAIN_ROW (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 480;
      *natural = 900;
      return;
    }
  *minimum = *natural = 2 * PAD_Y + line_height (widget) * (self->banner != NULL ? 3 : 2);
}

static void
anx_chain_row_css_changed (GtkWidget         *widget,
                           GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (anx_chain_row_parent_class)->css_changed (widget, change);
  ANX_CHAIN_ROW (widget)->line_height = 0;
  gtk_widget_queue_resize (widget);
}

static void
anx_chain_row_finalize (GObject *object)
{
  AnxChainRow *self = ANX_CHAIN_ROW (object);

  g_free (self->banner);
  g_free (self->kind);
  g_free (self->time);
  g_free (self->sequence);
  g_free (self->energy);
  g_free (self->notes);
  g_clear_object (&self->item);

  G_OBJECT_CLASS (anx_chain_row_parent_class)->finalize (object);
}

static void
anx_chain_row_class_init (AnxChainRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = anx_chain_row_finalize;
  widget_class->snapshot = anx_chain_row_snapshot;
  widget_class->measure = anx_chain_row_measure;
  widget_class->css_changed = anx_chain_row_css_changed;
  gtk_widget_class_set_css_name (widget_class, "chainrow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LIST_ITEM);
}

static void
anx_chain_row_init (AnxChainRow *self)
{
}

/**
 * anx_chain_row_new:
 *
 * Returns: (transfer floating): a new row
 */
GtkWidget *
anx_chain_row_new (void)
{
  return g_object_new (ANX_TYPE_CHAIN_ROW, NULL);
}
