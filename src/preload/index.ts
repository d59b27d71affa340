/**
 * The narrow bridge between the sandboxed interface and the main process: verbs, never
 * ipcRenderer itself. A sandboxed preload can load only `electron`; everything else it uses
 * is bundled into it.
 */
import { contextBridge, ipcRenderer } from 'electron'
import { createBridge } from './create-bridge'

contextBridge.exposeInMainWorld(
  'sentral',
  createBridge(ipcRenderer, { platform: process.platform, versions: process.versions }),
)
