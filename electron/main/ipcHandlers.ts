/*
 * One IPC handler per bridge method, on the channel derived from the contract. Each refuses a
 * sender frame that is not the app's own page, then refuses arguments that do not fit the
 * method's schema, and only then calls the service.
 */
import { z } from 'zod';

import { desktopBridgeMethods, type DesktopBridge } from '../../shared/bridge/desktopBridge';
import { bridgeChannel, type BridgeChannel, type BridgeMethod } from '../bridgeChannels';
import { bridgeArgumentSchemas } from './bridgeArguments';
import { BridgeError } from './bridgeError';
import { isTrustedSender } from './isTrustedSender';

/** What Electron's `ipcMain.handle` callback hands us, reduced to plain data. */
export interface IpcInvocation {
  /** `event.senderFrame?.url`; undefined when the frame is gone. */
  readonly senderFrameUrl: string | undefined;
  readonly args: readonly unknown[];
}

export type IpcHandler = (invocation: IpcInvocation) => Promise<unknown>;

export function createIpcHandlers(services: DesktopBridge): ReadonlyMap<BridgeChannel, IpcHandler> {
  return new Map(desktopBridgeMethods.map((method) => [bridgeChannel(method), guardedHandler(method, services)]));
}

function guardedHandler(method: BridgeMethod, services: DesktopBridge): IpcHandler {
  const schema: z.ZodType<readonly unknown[]> = bridgeArgumentSchemas[method];
  // The schema for `method` yields exactly that method's parameters (bridgeArguments.ts checks it
  // with `satisfies`); TypeScript cannot follow the correlation through the union of methods.
  const call = services[method] as (...args: readonly unknown[]) => Promise<unknown>;
  return async ({ senderFrameUrl, args }) => {
    if (!isTrustedSender(senderFrameUrl)) {
      throw new BridgeError('untrusted-sender', `${method} is only answered to the app's own page.`);
    }
    const parsed = schema.safeParse(args);
    if (!parsed.success) {
      throw new BridgeError('invalid-arguments', `${method}: ${z.prettifyError(parsed.error)}`);
    }
    return call(...parsed.data);
  };
}
