/*
 * The object the preload exposes as `window.fieldwise`: one named function per method of the bridge
 * contract, each invoking its own fixed channel with its own arguments. Kept apart from
 * preload.ts (which only wires it to Electron) so that it is tested without Electron.
 */
import type {
  AppInfo,
  DesktopBridge,
  NotificationRequest,
  PrintToPdfRequest,
  SaveFileRequest,
  SaveFileResult,
  SecretProtection,
  SetHubUrlResult,
} from '../shared/bridge/desktopBridge';
import { bridgeChannel, type BridgeChannel } from './bridgeChannels';

/** `ipcRenderer.invoke` narrowed to the bridge's channels. */
export type BridgeInvoke = (channel: BridgeChannel, ...args: unknown[]) => Promise<unknown>;

export function createBridge(invoke: BridgeInvoke): Readonly<DesktopBridge> {
  // The main process validates every argument and answers with the contract's types (its handlers
  // are typed against DesktopBridge too); the casts below only restate that answer's type.
  const bridge = {
    appInfo: () => invoke(bridgeChannel('appInfo')) as Promise<AppInfo>,
    secretProtection: () => invoke(bridgeChannel('secretProtection')) as Promise<SecretProtection>,
    setSecret: (key: string, value: string, passphrase?: string) =>
      invoke(bridgeChannel('setSecret'), key, value, passphrase) as Promise<void>,
    getSecret: (key: string, passphrase?: string) =>
      invoke(bridgeChannel('getSecret'), key, passphrase) as Promise<string | null>,
    deleteSecret: (key: string) => invoke(bridgeChannel('deleteSecret'), key) as Promise<void>,
    saveFile: (request: SaveFileRequest) => invoke(bridgeChannel('saveFile'), request) as Promise<SaveFileResult>,
    printToPdf: (request: PrintToPdfRequest) =>
      invoke(bridgeChannel('printToPdf'), request) as Promise<SaveFileResult>,
    openExternal: (url: string) => invoke(bridgeChannel('openExternal'), url) as Promise<boolean>,
    setHubUrl: (url: string) => invoke(bridgeChannel('setHubUrl'), url) as Promise<SetHubUrlResult>,
    notify: (request: NotificationRequest) => invoke(bridgeChannel('notify'), request) as Promise<boolean>,
  } satisfies DesktopBridge;
  return Object.freeze(bridge);
}
