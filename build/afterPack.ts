/*
 * electron-builder's afterPack hook: flips the Electron fuses of the packaged binary, after the app
 * is packed and before it is signed (a flip after signing would break the signature). The fuses
 * switch off what an attacker with local access would use to run their own code under the app's
 * name: ELECTRON_RUN_AS_NODE, NODE_OPTIONS, --inspect, and app code from outside app.asar.
 */
import { join } from 'node:path';

import { flipFuses, FuseV1Options, FuseVersion, type FuseV1Config } from '@electron/fuses';
import { Arch, type AfterPackContext } from 'electron-builder';

export const FUSES = {
  version: FuseVersion.V1,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  // Checked by Electron on macOS and Windows; with OnlyLoadAppFromAsar, no unchecked app code runs.
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  // The app never loads file:// pages (the UI comes from app://).
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
} as const satisfies FuseV1Config;

/** The fields of electron-builder's context this hook reads (tests pass a fake). */
export type FuseContext = Pick<AfterPackContext, 'appOutDir' | 'electronPlatformName' | 'arch'> & {
  readonly packager: { readonly appInfo: { readonly productFilename: string }; readonly executableName?: string };
};

/** The file holding the fuse wire: the .app bundle (the library resolves the framework), .exe or ELF. */
export function electronExecutablePath(context: FuseContext): string {
  const { appOutDir, electronPlatformName, packager } = context;
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return join(appOutDir, `${packager.appInfo.productFilename}.app`);
    case 'win32':
      return join(appOutDir, `${packager.appInfo.productFilename}.exe`);
    default:
      return join(appOutDir, packager.executableName ?? packager.appInfo.productFilename);
  }
}

export async function afterPack(context: FuseContext): Promise<void> {
  const isDarwin = context.electronPlatformName === 'darwin' || context.electronPlatformName === 'mas';
  await flipFuses(electronExecutablePath(context), {
    ...FUSES,
    // Apple silicon refuses a binary whose ad-hoc signature no longer matches.
    resetAdHocDarwinSignature: isDarwin && context.arch === Arch.arm64,
  });
}
