/*
 * Every session the app uses refuses every permission (camera, microphone, geolocation,
 * notifications, clipboard reads, HID/USB/serial devices, ...) and every download: the app needs
 * none of them, and saving goes through the bridge's save dialog.
 */

/** The part of Electron's Session this needs (tests pass a fake). */
export interface GuardedSession {
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (isGranted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void;
  on(event: 'will-download', listener: (event: { preventDefault(): void }) => void): unknown;
}

export function hardenSession(session: GuardedSession): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.on('will-download', (event) => event.preventDefault());
}
