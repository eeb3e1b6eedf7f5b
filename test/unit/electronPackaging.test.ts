// Packaging and launching the desktop app (build/), without the Electron binary: the
// electron-builder configuration passes electron-builder's own schema, the afterPack hook really
// flips the fuses (on a stand-in binary carrying Electron's fuse wire), `npm install` never
// downloads the binary, and `npm start` finds a missing binary and explains.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { getCurrentFuseWire, FuseV1Options } from '@electron/fuses';
// electron-builder's own validation; app-builder-lib and builder-util come with electron-builder.
import { validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';
import { Arch } from 'electron-builder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { afterPack, electronExecutablePath, FUSES } from '../../build/afterPack';
import { DESKTOP_OUT_DIR, desktopBundles, desktopPackageJson } from '../../build/desktopBundles';
import { electronBinaryPath, missingBinaryExplanation } from '../../build/electronBinary';
import config from '../../build/electronBuilder.config';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The fuse wire as Electron binaries carry it: sentinel, version 1, length, one byte per fuse. */
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** A fuse's byte: '0' off, '1' on (@electron/fuses keeps its FuseState enum internal). */
const FuseState = { DISABLE: 0x30, ENABLE: 0x31 } as const;
function fakeElectronBinary(fuseCount: number): Buffer {
  // Electron's defaults: RunAsNode, cookie encryption off, NODE_OPTIONS and --inspect on, ...
  const defaults = [FuseState.ENABLE, FuseState.DISABLE, FuseState.ENABLE, FuseState.ENABLE, FuseState.DISABLE, FuseState.DISABLE, FuseState.DISABLE, FuseState.ENABLE];
  const wire = Array.from({ length: fuseCount }, (_, index) => defaults[index] ?? FuseState.ENABLE);
  return Buffer.concat([Buffer.from('\x7fELF...code...'), Buffer.from(SENTINEL), Buffer.from([1, fuseCount, ...wire]), Buffer.from('...more code')]);
}

describe('electron-builder configuration', () => {
  it("passes electron-builder's schema (and a typo would not)", async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...config, asr: true } as typeof config, new DebugLogger(false))).rejects.toThrow();
  });

  it('builds AppImage and deb, NSIS and dmg, as Fieldwise, with asar', () => {
    expect(config.appId).toMatch(/^[a-z]+(\.[a-z]+)+$/);
    expect(config.productName).toBe('Fieldwise');
    expect(config.asar).toBe(true);
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.mac?.target).toEqual(['dmg']);
  });

  it('packs the bundles and the renderer build, and starts the bundled main', () => {
    const { main } = desktopBundles(REPO_ROOT);
    const mainPath = relative(REPO_ROOT, main.outfile ?? '').split('\\').join('/');
    expect(config.extraMetadata?.main).toBe(mainPath);
    expect(config.files).toEqual(expect.arrayContaining([`${DESKTOP_OUT_DIR.split('\\').join('/')}/**/*`, 'renderer/dist/**/*', 'package.json']));
    expect(config.files).toContain('!**/node_modules/**/*');
    expect(config.afterPack).toBe(afterPack);
  });

  it('has a PNG icon big enough for every platform', async () => {
    const icon = await readFile(join(REPO_ROOT, 'build', 'icon.png'));
    expect(icon.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(icon.readUInt32BE(16)).toBeGreaterThanOrEqual(512);
    expect(icon.readUInt32BE(20)).toBeGreaterThanOrEqual(512);
  });
});

describe('fuses (afterPack)', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fieldwise-fuses-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('sets run-as-node, NODE_OPTIONS and --inspect off; cookie encryption, asar integrity and asar-only on', () => {
    expect(FUSES).toMatchObject({
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
      [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
    });
  });

  it('flips them in the packed Linux binary', async () => {
    const appOutDir = join(dir, 'linux-unpacked');
    await mkdir(appOutDir);
    await writeFile(join(appOutDir, 'fieldwise'), fakeElectronBinary(10));
    await afterPack({
      appOutDir,
      electronPlatformName: 'linux',
      arch: Arch.x64,
      packager: { appInfo: { productFilename: 'Fieldwise' }, executableName: 'fieldwise' },
    });
    const wire = await getCurrentFuseWire(join(appOutDir, 'fieldwise'));
    expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(FuseState.DISABLE);
    // Fuses newer than @electron/fuses knows keep Electron's default.
    expect(wire[9 as FuseV1Options]).toBe(FuseState.ENABLE);
  });

  it('finds the binary on each platform', () => {
    const context = { appOutDir: '/out', arch: Arch.x64, packager: { appInfo: { productFilename: 'Fieldwise' }, executableName: 'fieldwise' } };
    expect(electronExecutablePath({ ...context, electronPlatformName: 'linux' })).toBe(join('/out', 'fieldwise'));
    expect(electronExecutablePath({ ...context, electronPlatformName: 'win32' })).toBe(join('/out', 'Fieldwise.exe'));
    expect(electronExecutablePath({ ...context, electronPlatformName: 'darwin' })).toBe(join('/out', 'Fieldwise.app'));
  });

  it('fails the package when the binary has no fuse wire, rather than shipping without fuses', async () => {
    const appOutDir = join(dir, 'win-unpacked');
    await mkdir(appOutDir);
    await writeFile(join(appOutDir, 'Fieldwise.exe'), 'MZ not electron');
    await expect(
      afterPack({ appOutDir, electronPlatformName: 'win32', arch: Arch.x64, packager: { appInfo: { productFilename: 'Fieldwise' } } }),
    ).rejects.toThrow(/sentinel/);
  });
});

describe('installing and starting', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fieldwise-electron-pkg-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('never downloads the Electron binary during npm install', async () => {
    const electronPackage = JSON.parse(await readFile(join(REPO_ROOT, 'node_modules/electron/package.json'), 'utf8'));
    const scripts: Record<string, string> = electronPackage.scripts ?? {};
    expect(Object.keys(scripts).filter((name) => /install/.test(name))).toEqual([]);
    const rootPackage = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8'));
    expect(rootPackage.allowScripts?.electron).not.toBe(true);
    expect(rootPackage.devDependencies.electron).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('finds the binary only once install.js has unpacked it', async () => {
    const electronDir = join(dir, 'electron');
    await mkdir(join(electronDir, 'dist'), { recursive: true });
    expect(electronBinaryPath(electronDir)).toBeNull();
    await writeFile(join(electronDir, 'path.txt'), 'electron');
    expect(electronBinaryPath(electronDir)).toBeNull();
    await writeFile(join(electronDir, 'dist', 'electron'), '');
    expect(electronBinaryPath(electronDir)).toBe(join(electronDir, 'dist', 'electron'));
  });

  it('explains a missing binary and how to go on', () => {
    const text = missingBinaryExplanation('45.5.0');
    expect(text).toContain('Electron 45.5.0');
    expect(text).toContain('node node_modules/electron/install.js');
    expect(text).toContain('ELECTRON_MIRROR');
    expect(text).toContain('npm run web');
    expect(text).toContain('npm run demo');
  });

  it('names the development app Fieldwise and points it at the bundled main', () => {
    const metadata = JSON.parse(desktopPackageJson({ version: '1.2.3' }));
    expect(metadata).toMatchObject({ name: 'fieldwise', productName: 'Fieldwise', version: '1.2.3', main: 'main.cjs' });
    const { main, preload } = desktopBundles(REPO_ROOT);
    expect(main.outfile).toBe(join(REPO_ROOT, DESKTOP_OUT_DIR, 'main.cjs'));
    expect(preload.outfile).toBe(join(REPO_ROOT, DESKTOP_OUT_DIR, 'preload.cjs'));
    expect(preload.format).toBe('cjs');
    expect(main.external).toEqual(['electron']);
  });
});
