/*
 * Navigation rules for every web page the app creates (app.on('web-contents-created')): the page
 * may move within the app's own origin and nowhere else; a link out is opened in the OS browser
 * when the allow-list accepts it and dropped otherwise; new windows and <webview>s are refused.
 */
import { APP_HOST, APP_SCHEME } from './appOrigin';
import { isAllowedExternalUrl, type ExternalLinkAllowList } from './isAllowedExternalUrl';

/** What Electron passes to will-navigate, will-frame-navigate and will-redirect listeners. */
export interface NavigationEvent {
  readonly url: string;
  readonly isMainFrame: boolean;
  preventDefault(): void;
}

/** The part of Electron's WebContents this needs (tests pass a fake). */
export interface GuardedWebContents {
  on(event: 'will-navigate' | 'will-frame-navigate' | 'will-redirect', listener: (details: NavigationEvent) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface NavigationPolicy {
  readonly externalLinks: () => ExternalLinkAllowList;
  readonly openExternal: (url: string) => Promise<void>;
  /** Told about refused navigations, for the log. */
  readonly onDidRefuse?: (what: 'navigation' | 'window' | 'webview', url: string | null) => void;
}

export type NavigationDecision = 'stay' | 'open-external' | 'refuse';

/** `stay` for the app's own pages, `open-external` for allow-listed links, `refuse` for the rest. */
export function navigationDecision(url: string, externalLinks: ExternalLinkAllowList): NavigationDecision {
  if (isAppPage(url)) return 'stay';
  return isAllowedExternalUrl(url, externalLinks) ? 'open-external' : 'refuse';
}

function isAppPage(candidate: string): boolean {
  try {
    const url = new URL(candidate);
    return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

export function hardenWebContents(contents: GuardedWebContents, policy: NavigationPolicy): void {
  const openOutside = (url: string): void => {
    policy.openExternal(new URL(url).href).catch((error: unknown) => {
      console.error(`Could not open ${url} in the OS:`, error);
    });
  };

  // The main frame: a link out that the allow-list accepts opens in the OS browser instead.
  contents.on('will-navigate', (details) => {
    const decision = navigationDecision(details.url, policy.externalLinks());
    if (decision === 'stay') return;
    details.preventDefault();
    if (decision === 'open-external') openOutside(details.url);
    else policy.onDidRefuse?.('navigation', details.url);
  });
  // Subframes (will-frame-navigate also fires for the main frame, which will-navigate handles):
  // they stay within the app or do not move.
  contents.on('will-frame-navigate', (details) => {
    if (details.isMainFrame || isAppPage(details.url)) return;
    details.preventDefault();
    policy.onDidRefuse?.('navigation', details.url);
  });
  // A redirect is never a link the person clicked: refuse it unless it stays in the app.
  contents.on('will-redirect', (details) => {
    if (isAppPage(details.url)) return;
    details.preventDefault();
    policy.onDidRefuse?.('navigation', details.url);
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    policy.onDidRefuse?.('webview', null);
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (navigationDecision(url, policy.externalLinks()) === 'open-external') openOutside(url);
    else policy.onDidRefuse?.('window', url);
    return { action: 'deny' };
  });
}
