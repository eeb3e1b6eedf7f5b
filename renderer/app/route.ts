/*
 * Screens live in the URL's hash (#/library, #/entry/<id>), so a reload, the back button and an
 * end-to-end test land on the same screen, from app://fieldwise/ and from a static server alike.
 * Every route is built (hrefOf) and parsed (parseRoute) here and nowhere else: a screen links to a
 * Route, never to a hand-written hash, so a link and the screen it opens cannot drift apart.
 * An address that names no screen opens its area's first screen (the library, the proposal list,
 * the workbench's default section).
 */

export const workbenchSections = ['finder', 'offers', 'pipeline', 'health', 'stages'] as const;
export type WorkbenchSection = (typeof workbenchSections)[number];

/** The secretariat's console (renderer/admin): one section per task. */
export const adminSections = ['invite', 'invitations', 'orgs', 'settings', 'audit'] as const;
export type AdminSection = (typeof adminSections)[number];

export type Route =
  /** #/inbox: what needs this organization. */
  | { readonly screen: 'inbox' }
  | { readonly screen: 'library' }
  | { readonly screen: 'entry'; readonly id: string }
  | { readonly screen: 'orgs' }
  | { readonly screen: 'org'; readonly id: string }
  /** #/governance: the proposal list. */
  | { readonly screen: 'governance' }
  | { readonly screen: 'proposal-new' }
  | { readonly screen: 'proposal'; readonly id: string }
  | { readonly screen: 'proposal-edit'; readonly id: string }
  /** #/workbench[/<section>]; without a section the workbench picks one for the role. */
  | { readonly screen: 'workbench'; readonly section: WorkbenchSection | null }
  | { readonly screen: 'offer-new' }
  | { readonly screen: 'offer'; readonly id: string }
  | { readonly screen: 'reports' }
  | { readonly screen: 'sync' }
  | { readonly screen: 'settings' }
  /** #/admin[/<section>]: the secretariat's console; without a section, invite. */
  | { readonly screen: 'admin'; readonly section: AdminSection };

export type GovernanceRoute = Extract<Route, { screen: 'governance' | 'proposal-new' | 'proposal' | 'proposal-edit' }>;
export type WorkbenchRoute = Extract<Route, { screen: 'workbench' | 'offer-new' | 'offer' }>;

/** The top-level areas, one per navigation item. */
export type Area = 'inbox' | 'library' | 'orgs' | 'governance' | 'workbench' | 'reports' | 'sync' | 'settings' | 'admin';

export function areaOf(route: Route): Area {
  switch (route.screen) {
    case 'entry':
      return 'library';
    case 'org':
      return 'orgs';
    case 'proposal-new':
    case 'proposal':
    case 'proposal-edit':
      return 'governance';
    case 'offer-new':
    case 'offer':
      return 'workbench';
    default:
      return route.screen;
  }
}

const isAdminSection = (value: string | undefined): value is AdminSection => (adminSections as readonly (string | undefined)[]).includes(value);

const isWorkbenchSection = (value: string | undefined): value is WorkbenchSection => (workbenchSections as readonly (string | undefined)[]).includes(value);

function parseGovernance([page, id, action]: readonly string[]): Route {
  if (page === 'new') return { screen: 'proposal-new' };
  if (page === 'proposal' && id) return action === 'edit' ? { screen: 'proposal-edit', id } : { screen: 'proposal', id };
  return { screen: 'governance' };
}

function parseWorkbench([section, item]: readonly string[]): Route {
  if (section === 'offers' && item) return item === 'new' ? { screen: 'offer-new' } : { screen: 'offer', id: item };
  return { screen: 'workbench', section: isWorkbenchSection(section) ? section : null };
}

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  });
  const [screen, id] = parts;
  switch (screen) {
    case 'governance':
      return parseGovernance(parts.slice(1));
    case 'workbench':
      return parseWorkbench(parts.slice(1));
    case 'entry':
      return id ? { screen: 'entry', id } : { screen: 'library' };
    case 'orgs':
      return id ? { screen: 'org', id } : { screen: 'orgs' };
    case 'inbox':
    case 'reports':
    case 'sync':
    case 'settings':
      return { screen };
    case 'admin':
      return { screen: 'admin', section: isAdminSection(id) ? id : 'invite' };
    default:
      return { screen: 'library' };
  }
}

/** The route's path segments, not yet encoded: ['governance', 'proposal', 'proposal~a/b']. */
export function segmentsOf(route: Route): readonly string[] {
  switch (route.screen) {
    case 'entry':
      return ['entry', route.id];
    case 'org':
      return ['orgs', route.id];
    case 'proposal-new':
      return ['governance', 'new'];
    case 'proposal':
      return ['governance', 'proposal', route.id];
    case 'proposal-edit':
      return ['governance', 'proposal', route.id, 'edit'];
    case 'workbench':
      return route.section ? ['workbench', route.section] : ['workbench'];
    case 'offer-new':
      return ['workbench', 'offers', 'new'];
    case 'offer':
      return ['workbench', 'offers', route.id];
    case 'admin':
      return ['admin', route.section];
    default:
      return [route.screen];
  }
}

export function hrefOf(route: Route): string {
  return ['#', ...segmentsOf(route).map(encodeURIComponent)].join('/');
}

/** The governance screens' links to a proposal and its editor. */
export const proposalHref = (id: string, action?: 'edit'): string => hrefOf(action === 'edit' ? { screen: 'proposal-edit', id } : { screen: 'proposal', id });
