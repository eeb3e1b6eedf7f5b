/*
 * The preload of the main window. It runs sandboxed, where `require` knows only a few modules, so
 * build/buildDesktop.ts bundles it into one CommonJS file. It exposes one frozen object of named
 * functions and nothing else: no ipcRenderer, no channel names chosen by the page.
 */
import { contextBridge, ipcRenderer } from 'electron';

import { DESKTOP_BRIDGE_GLOBAL, type DesktopBridge } from '../shared/bridge/desktopBridge';
import { createBridge } from './createBridge';

const bridge: Readonly<DesktopBridge> = createBridge((channel, ...args) => ipcRenderer.invoke(channel, ...args));

contextBridge.exposeInMainWorld(DESKTOP_BRIDGE_GLOBAL, bridge);
