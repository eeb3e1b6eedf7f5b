/*
 * Screens live in the URL's hash (#/library, #/entry/<id>), so a reload, the back button and an
 * end-to-end test land on the same screen, from app://fieldwise/ and from a static server alike.
 */

export type Route =
  | { readonly screen: 'library' }
  | { readonly screen: 'entry'; readonly id: string }
  | { readonly screen: 'orgs' }
  | { readonly screen: 'org'; readonly id: string }
  | { readonly screen: 'governance'; readonly path: readonly string[] }
  | { readonly screen: 'workbench'; readonly path: readonly string[] }
  | { readonly screen: 'reports' }
  | { readonly screen: 'sync' }
  | { readonly screen: 'settings' };

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
    // Sections that route within themselves: the rest of the hash is theirs (#/governance/proposal/<id>).
    case 'governance':
    case 'workbench':
      return { screen, path: parts.slice(1) };
    case 'reports':
      return { screen: 'reports' };
    case 'entry':
      return id ? { screen: 'entry', id } : { screen: 'library' };
    case 'orgs':
      return id ? { screen: 'org', id } : { screen: 'orgs' };
    case 'sync':
      return { screen: 'sync' };
    case 'settings':
      return { screen: 'settings' };
    default:
      return { screen: 'library' };
  }
}

export function hrefOf(route: Route): string {
  switch (route.screen) {
    case 'entry':
      return `#/entry/${encodeURIComponent(route.id)}`;
    case 'org':
      return `#/orgs/${encodeURIComponent(route.id)}`;
    case 'orgs':
      return '#/orgs';
    case 'governance':
    case 'workbench':
      return ['#', route.screen, ...route.path.map(encodeURIComponent)].join('/');
    default:
      return `#/${route.screen}`;
  }
}
