/* weft-call-site.c: call sites, interned
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A light call in the ready queue keeps its name and file:line as one
 * pointer to a site. The weft_loop_call_soon() macro brings a static one of
 * its own (weft_loop_call_soon_at_site()); a caller that passes the two
 * strings (weft_loop_call_soon_full(), bindings) gets the pair made here, once
 * per distinct pair of static strings and never freed. Each loop's ready
 * queue caches the sites it met lately in front of this process-wide table
 * (weft-ready-queue-private.h).
 */
#include "config.h"

#include "weft-loop-private.h"

static const WeftCallSite no_site = { NULL, NULL };
static GMutex             sites_lock;
static GHashTable        *sites;   /* WeftCallSite * -> itself */

static guint
site_hash (gconstpointer key)
{
  const WeftCallSite *site = key;

  return g_direct_hash (site->name) ^ (g_direct_hash (site->where) * 31);
}

static gboolean
site_equal (gconstpointer a,
            gconstpointer b)
{
  const WeftCallSite *x = a, *y = b;

  return x->name == y->name && x->where == y->where;
}

/* A miss in a loop's cache: the process-wide table. */
const WeftCallSite *
_weft_call_site_intern (const char *name,
                        const char *where)
{
  WeftCallSite key = { name, where };
  WeftCallSite *site;

  if (name == NULL && where == NULL)
    return &no_site;
  g_mutex_lock (&sites_lock);
  if (sites == NULL)
    sites = g_hash_table_new (site_hash, site_equal);
  site = g_hash_table_lookup (sites, &key);
  if (site == NULL)
    {
      site = g_new (WeftCallSite, 1);
      *site = key;
      g_hash_table_add (sites, site);
    }
  g_mutex_unlock (&sites_lock);
  return site;
}
