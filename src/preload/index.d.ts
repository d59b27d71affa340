import type { SentralBridge } from './bridge'

declare global {
  interface Window {
    /** Present inside the desktop app; absent in the web switchboard. */
    sentral?: SentralBridge
  }
}
