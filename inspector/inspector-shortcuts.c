/* inspector-shortcuts.c: the stepping keys, wherever the focus is
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A learner presses Space to step, whatever has the focus: the task table,
 * the source view, a button (which would take Space as a click). So the keys
 * are a shortcut controller of global scope, run by the window in the capture
 * phase, before the focused widget sees the key. Only a text field keeps its
 * keys (Space types a space in the search entry).
 */
#include "config.h"

#include "inspector-shortcuts.h"

static const struct
{
  guint           key;
  GdkModifierType mods;
  const char     *action;
  const char     *target;   /* the action's parameter (a page), or NULL */
} keys[] = {
  { GDK_KEY_space, 0, "inspector.step-callback" },
  { GDK_KEY_F11, 0, "inspector.step-callback" },
  { GDK_KEY_Return, GDK_CONTROL_MASK, "inspector.step-iteration" },
  { GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "inspector.step-iteration" },
  { GDK_KEY_F10, 0, "inspector.step-iteration" },
  { GDK_KEY_F8, 0, "inspector.step-timer" },
  { GDK_KEY_Return, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "inspector.step-timer" },
  { GDK_KEY_F5, 0, "inspector.paused" },
  { GDK_KEY_p, GDK_CONTROL_MASK, "inspector.paused" },
  /* The views, as tabs go in GNOME apps; and the task filter. */
  { GDK_KEY_1, GDK_ALT_MASK, "inspector.show-page", "tasks" },
  { GDK_KEY_2, GDK_ALT_MASK, "inspector.show-page", "ready" },
  { GDK_KEY_3, GDK_ALT_MASK, "inspector.show-page", "timers" },
  { GDK_KEY_4, GDK_ALT_MASK, "inspector.show-page", "warnings" },
  { GDK_KEY_5, GDK_ALT_MASK, "inspector.show-page", "timeline" },
  { GDK_KEY_f, GDK_CONTROL_MASK, "inspector.find" },
  /* The app window's (an embedding window has no such action: the key goes
   * on). Here, not a binding of the window: the task table, which has the
   * focus, takes Ctrl+Shift+A for "unselect all" first. */
  { GDK_KEY_a, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "window.attach" },
};

/* Runs the action unless a text field has the focus and the key types. */
static gboolean
activate (GtkWidget *widget,
          GVariant  *args,
          gpointer   data)
{
  const char *action, *target;
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  guint key = GPOINTER_TO_UINT (data);

  g_variant_get (args, "(&s&s)", &action, &target);
  if (key == GDK_KEY_space && focus != NULL
      && (GTK_IS_EDITABLE (focus) || (GTK_IS_TEXT_VIEW (focus) && gtk_text_view_get_editable (GTK_TEXT_VIEW (focus)))))
    return FALSE;   /* a space, typed */
  if (!gtk_widget_is_sensitive (widget))
    return FALSE;
  return gtk_widget_activate_action_variant (widget, action, *target != '\0' ? g_variant_new_string (target) : NULL);
}

void
inspector_shortcuts_install (GtkWidget *widget)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();

  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller), GTK_SHORTCUT_SCOPE_GLOBAL);
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_event_controller_set_name (controller, "inspector-stepping-keys");
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      GtkShortcut *shortcut = gtk_shortcut_new_with_arguments (gtk_keyval_trigger_new (keys[i].key, keys[i].mods),
                                                               gtk_callback_action_new (activate,
                                                                                        GUINT_TO_POINTER (keys[i].key),
                                                                                        NULL),
                                                               "(ss)", keys[i].action,
                                                               keys[i].target ? keys[i].target : "");

      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), shortcut);
    }
  gtk_widget_add_controller (widget, controller);
}
