/** What the preload exposes to the interface as `window.sentral`. */
export interface SentralBridge {
  platform: string
  versions: { electron: string; chrome: string }
}
