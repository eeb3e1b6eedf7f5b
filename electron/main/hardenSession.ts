import { isTrustedSender } from './isTrustedSender';

/*
 * Every session the app uses refuses every permission (camera, geolocation, notifications,
 * clipboard reads, HID/USB/serial devices, ...) and every download: saving goes through the
 * bridge's save dialog. One exception, for voice notes (issue 18): the app's own page, in its main
 * frame, may use the microphone, audio only. A camera request, audio and video together, a frame
 * showing anything but app://fieldwise/, or a session that did not ask for it (the print window's)
 * is refused like everything else.
 */

/** The part of Electron's Session this needs (tests pass a fake). */
export interface GuardedSession {
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (isGranted: boolean) => void, details: unknown) => void): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string, requestingOrigin: string, details: unknown) => boolean): void;
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void;
  on(event: 'will-download', listener: (event: { preventDefault(): void }) => void): unknown;
}

export interface SessionPolicy {
  /** The app's own page may record audio (the main window's session; never the print window's). */
  readonly isMicrophoneAllowed: boolean;
}

const field = (details: unknown, name: string): unknown => (typeof details === 'object' && details !== null ? (details as Record<string, unknown>)[name] : undefined);

/**
 * A permission request (Electron's PermissionRequestHandlerHandlerDetails): granted only for
 * `media` asking for audio alone, from the app's own page in the main frame.
 */
export function isPermissionRequestGranted(permission: string, details: unknown, policy: SessionPolicy): boolean {
  if (!policy.isMicrophoneAllowed || permission !== 'media') return false;
  const mediaTypes = field(details, 'mediaTypes');
  const isAudioOnly = Array.isArray(mediaTypes) && mediaTypes.length > 0 && mediaTypes.every((type) => type === 'audio');
  const requestingUrl = field(details, 'requestingUrl');
  return isAudioOnly && field(details, 'isMainFrame') === true && typeof requestingUrl === 'string' && isTrustedSender(requestingUrl);
}

/** A permission check (navigator.permissions, device labels): the same grant, audio only, for the app's origin. */
export function isPermissionCheckGranted(permission: string, requestingOrigin: string, details: unknown, policy: SessionPolicy): boolean {
  if (!policy.isMicrophoneAllowed || permission !== 'media') return false;
  const securityOrigin = field(details, 'securityOrigin');
  return field(details, 'mediaType') === 'audio' && isTrustedSender(requestingOrigin) && (securityOrigin === undefined || (typeof securityOrigin === 'string' && isTrustedSender(securityOrigin)));
}

export function hardenSession(session: GuardedSession, policy: SessionPolicy = { isMicrophoneAllowed: false }): void {
  session.setPermissionRequestHandler((_webContents, permission, callback, details) => callback(isPermissionRequestGranted(permission, details, policy)));
  session.setPermissionCheckHandler((_webContents, permission, requestingOrigin, details) => isPermissionCheckGranted(permission, requestingOrigin, details, policy));
  session.setDevicePermissionHandler(() => false);
  session.on('will-download', (event) => event.preventDefault());
}
