/*
 * electron-builder configuration: `npm run package` (needs the Electron binary, so not run in CI).
 * Packs the bundled shell (out/electron) and the built renderer (renderer/dist) into app.asar;
 * no node_modules, since both bundles carry everything they import.
 */
import type { Configuration } from 'electron-builder';

import { afterPack } from './afterPack';

const config: Configuration = {
  appId: 'org.fieldwise.desktop',
  productName: 'Fieldwise',
  copyright: 'Fieldwise contributors',
  directories: { output: 'out/packages', buildResources: 'build' },
  files: ['out/electron/**/*', 'renderer/dist/**/*', 'package.json', '!**/node_modules/**/*'],
  extraMetadata: { main: 'out/electron/main.cjs', productName: 'Fieldwise' },
  asar: true,
  // Nothing native to rebuild: better-sqlite3 and pg are the hub's, not the desktop app's.
  npmRebuild: false,
  nodeGypRebuild: false,
  afterPack,
  linux: {
    target: ['AppImage', 'deb'],
    icon: 'build/icon.png',
    category: 'Office',
    executableName: 'fieldwise',
    maintainer: 'Fieldwise maintainers <maintainers@fieldwise.invalid>',
    synopsis: 'Offline-first knowledge sharing for NGO networks',
  },
  win: {
    target: ['nsis'],
    icon: 'build/icon.png',
  },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
  },
  mac: {
    target: ['dmg'],
    icon: 'build/icon.png',
    category: 'public.app-category.productivity',
    hardenedRuntime: true,
  },
};

export default config;
