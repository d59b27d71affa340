/**
 * The narrow bridge between the sandboxed interface and the main process: verbs, never
 * ipcRenderer itself.
 */
import { contextBridge } from 'electron'
import type { SentralBridge } from './bridge'

const bridge: SentralBridge = {
  platform: process.platform,
  versions: {
    electron: process.versions.electron ?? 'unknown',
    chrome: process.versions.chrome ?? 'unknown',
  },
}

contextBridge.exposeInMainWorld('sentral', bridge)
