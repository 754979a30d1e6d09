/* anx-chain-row.c: one record of a charger's chain, as a list row
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Kind, time (in the configured zone, in the user's locale), billed
 * against metered energy, and one badge per aspect of the console's own
 * verification. A record whose link, hash or sequence is wrong carries a
 * banner naming the break, so breaks show where they are in the history.
 */

#define G_LOG_DOMAIN "anx-chain-row"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "anx-chain-row.h"
#include "anx-chain-verifier.h"
#include "anx-finding.h"

struct _AnxChainRow
{
  GtkWidget parent_instance;

  GtkWidget *banner;
  GtkWidget *kind;
  GtkWidget *time;
  GtkWidget *sequence;
  GtkWidget *energy;
  GtkWidget *badges[ANX_CHAIN_N_BADGES];
  GtkWidget *notes;
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
set_state_class (GtkWidget  *widget,
                 const char *name)
{
  static const char *const classes[] = { "success", "error", "warning", "dim-label" };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (widget, classes[i]);
  if (name != NULL)
    gtk_widget_add_css_class (widget, name);
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
  g_autofree char *energy = NULL;
  const char *findings, *messages, *kind;
  GVariant *row;
  double metered = 0;
  gint64 billed;
  gboolean is_break, has_metered;
  guint checks;

  if (item == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->kind), "");
      gtk_label_set_text (GTK_LABEL (self->time), "");
      gtk_label_set_text (GTK_LABEL (self->sequence), "");
      gtk_label_set_text (GTK_LABEL (self->energy), "");
      gtk_widget_set_visible (self->banner, FALSE);
      gtk_widget_set_visible (self->notes, FALSE);
      return;
    }

  row = anx_store_item_get_row (item);
  kind = anx_store_item_get_string (item, "kind");
  findings = anx_store_item_get_string (item, "findings");
  messages = anx_store_item_get_string (item, "messages");
  checks = (guint) anx_store_item_get_int (item, "checks");
  billed = anx_store_item_get_int (item, "billed_wh");
  has_metered = g_variant_lookup (row, "metered_wh", "d", &metered);

  gtk_label_set_text (GTK_LABEL (self->kind), kind_title (kind));
  utc = g_date_time_new_from_unix_utc (anx_store_item_get_int (item, "recorded_at_us") /
                                       G_USEC_PER_SEC);
  local = utc != NULL ? g_date_time_to_timezone (utc, zone) : NULL;
  time = local != NULL ? g_date_time_format (local, "%x %X") : g_strdup ("");
  gtk_label_set_text (GTK_LABEL (self->time), time);
  /* Translators: a record's sequence number in its charger's chain */
  sequence = g_strdup_printf (_("No. %" G_GINT64_FORMAT), anx_store_item_get_int (item, "sequence"));
  gtk_label_set_text (GTK_LABEL (self->sequence), sequence);

  if (g_strcmp0 (kind, "charge") == 0 && has_metered && metered > 0)
    {
      double deviation = 100.0 * ((double) billed - metered) / metered;
      gboolean outside = tolerance_bp > 0 && fabs (deviation) > tolerance_bp / 100.0 &&
                         fabs ((double) billed - metered) > 1.0;

      /* Translators: billed energy, metered energy, deviation in percent */
      energy = g_strdup_printf (_("%1$.2f kWh billed · %2$.2f kWh metered · %3$+.1f %%"),
                                (double) billed / 1000.0, metered / 1000.0, deviation);
      set_state_class (self->energy, outside ? "error" : NULL);
    }
  else if (g_strcmp0 (kind, "charge") == 0)
    {
      /* Translators: billed energy of a record without signed readings */
      energy = g_strdup_printf (_("%.2f kWh billed · no signed reading"), (double) billed / 1000.0);
      set_state_class (self->energy, "warning");
    }
  else
    {
      energy = g_strdup ("");
      set_state_class (self->energy, NULL);
    }
  gtk_label_set_text (GTK_LABEL (self->energy), energy);

  for (guint b = 0; b < ANX_CHAIN_N_BADGES; b++)
    {
      AnxChainBadgeState state = anx_chain_row_badge_state (checks, findings, b);
      g_autofree char *tooltip = NULL;
      g_autofree char *text = g_strdup_printf ("%s\u2009%s",
                                               state == ANX_CHAIN_BADGE_PASSED   ? "\u2713"
                                               : state == ANX_CHAIN_BADGE_FAILED ? "\u2717"
                                                                                 : "\u2013",
                                               badge_title (b));

      gtk_label_set_text (GTK_LABEL (self->badges[b]), text);
      set_state_class (self->badges[b], state == ANX_CHAIN_BADGE_PASSED   ? "success"
                                        : state == ANX_CHAIN_BADGE_FAILED ? "error"
                                                                          : "dim-label");
      gtk_widget_set_opacity (self->badges[b], state == ANX_CHAIN_BADGE_NOT_CHECKED ? 0.45 : 1.0);
      tooltip = g_strdup_printf ("%s: %s", badge_title (b),
                                 state == ANX_CHAIN_BADGE_PASSED   ? _("verified")
                                 : state == ANX_CHAIN_BADGE_FAILED ? _("failed")
                                                                   : _("not checked"));
      gtk_widget_set_tooltip_text (self->badges[b], tooltip);
    }

  is_break = anx_chain_row_is_break (findings);
  gtk_widget_set_visible (self->banner, is_break);
  if (is_break)
    {
      /* Translators: a banner in the chain history; %s says what is wrong */
      g_autofree char *text = g_strdup_printf (_("Chain break: %s"), messages != NULL ? messages : findings);

      gtk_label_set_text (GTK_LABEL (self->banner), text);
    }
  gtk_widget_set_visible (self->notes, !is_break && messages != NULL && *messages != '\0');
  gtk_label_set_text (GTK_LABEL (self->notes), messages != NULL ? messages : "");
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
  return gtk_label_get_text (GTK_LABEL (self->energy));
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
  return gtk_widget_has_css_class (self->energy, "error");
}

static GtkWidget *
new_label (const char *css,
           int         width_chars)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (width_chars > 0)
    gtk_label_set_width_chars (GTK_LABEL (label), width_chars);
  if (css != NULL)
    gtk_widget_add_css_class (label, css);
  return label;
}

static void
anx_chain_row_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (anx_chain_row_parent_class)->dispose (object);
}

static void
anx_chain_row_class_init (AnxChainRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = anx_chain_row_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "chainrow");
}

static void
anx_chain_row_init (AnxChainRow *self)
{
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *badges = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);

  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  gtk_widget_set_margin_start (GTK_WIDGET (self), 6);
  gtk_widget_set_margin_end (GTK_WIDGET (self), 6);
  gtk_widget_set_margin_top (GTK_WIDGET (self), 4);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self), 4);

  self->banner = new_label ("error", 0);
  gtk_label_set_ellipsize (GTK_LABEL (self->banner), PANGO_ELLIPSIZE_NONE);
  gtk_label_set_wrap (GTK_LABEL (self->banner), TRUE);
  gtk_widget_add_css_class (self->banner, "heading");
  gtk_widget_set_margin_bottom (self->banner, 2);
  gtk_widget_set_visible (self->banner, FALSE);
  gtk_widget_set_parent (self->banner, GTK_WIDGET (self));

  self->kind = new_label ("heading", 8);
  self->time = new_label ("numeric", 17);
  self->sequence = new_label ("dim-label", 7);
  gtk_widget_add_css_class (self->sequence, "numeric");
  self->energy = new_label ("numeric", 0);
  gtk_label_set_ellipsize (GTK_LABEL (self->energy), PANGO_ELLIPSIZE_NONE);
  gtk_widget_set_hexpand (self->energy, TRUE);
  gtk_box_append (GTK_BOX (line), self->kind);
  gtk_box_append (GTK_BOX (line), self->time);
  gtk_box_append (GTK_BOX (line), self->sequence);
  gtk_box_append (GTK_BOX (line), self->energy);
  gtk_widget_set_parent (line, GTK_WIDGET (self));

  /* Second line: the badges, then what the verifier said. */
  line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  for (guint b = 0; b < ANX_CHAIN_N_BADGES; b++)
    {
      self->badges[b] = gtk_label_new (badge_title (b));
      gtk_widget_add_css_class (self->badges[b], "caption-heading");
      gtk_box_append (GTK_BOX (badges), self->badges[b]);
    }
  gtk_box_append (GTK_BOX (line), badges);
  self->notes = new_label ("caption", 0);
  gtk_widget_add_css_class (self->notes, "dim-label");
  gtk_widget_set_hexpand (self->notes, TRUE);
  gtk_widget_set_visible (self->notes, FALSE);
  gtk_box_append (GTK_BOX (line), self->notes);
  gtk_widget_set_parent (line, GTK_WIDGET (self));
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
