/*
 * IPC channel names, derived from the bridge contract in shared/ and nothing else: the preload
 * invokes only these, the main process handles only these, and no channel name ever comes from the
 * renderer. Shared by the preload and the main process (both electron/).
 */
import { desktopBridgeMethods } from '../shared/bridge/desktopBridge';

export type BridgeMethod = (typeof desktopBridgeMethods)[number];

const CHANNEL_PREFIX = 'fieldwise:bridge:';

export type BridgeChannel = `${typeof CHANNEL_PREFIX}${BridgeMethod}`;

export function bridgeChannel(method: BridgeMethod): BridgeChannel {
  return `${CHANNEL_PREFIX}${method}`;
}

