/**
 * Electron accelerators (https://www.electronjs.org/docs/latest/api/accelerator), checked
 * before they reach globalShortcut. A global shortcut fires whatever application has focus, so
 * a plain letter or digit would swallow that key everywhere: those need a modifier. Function
 * keys and media keys may stand alone (switchboards are often driven by F-keys).
 */

const modifiers = new Set([
  'command',
  'cmd',
  'control',
  'ctrl',
  'commandorcontrol',
  'cmdorctrl',
  'alt',
  'option',
  'altgr',
  'shift',
  'super',
  'meta',
])

const namedKeys = new Set([
  'plus',
  'space',
  'tab',
  'capslock',
  'numlock',
  'scrolllock',
  'backspace',
  'delete',
  'insert',
  'return',
  'enter',
  'up',
  'down',
  'left',
  'right',
  'home',
  'end',
  'pageup',
  'pagedown',
  'escape',
  'esc',
  'printscreen',
  'numdec',
  'numadd',
  'numsub',
  'nummult',
  'numdiv',
])

const standaloneKeys = new Set([
  'volumeup',
  'volumedown',
  'volumemute',
  'medianexttrack',
  'mediaprevioustrack',
  'mediastop',
  'mediaplaypause',
])

const punctuation = new Set([...')!@#$%^&*(:;<=>,_-.?/~`{}[]|\\"\''])

function isFunctionKey(key: string): boolean {
  const match = /^f(\d{1,2})$/.exec(key)
  return match !== null && Number(match[1]) >= 1 && Number(match[1]) <= 24
}

function isKey(key: string): boolean {
  return (
    /^[a-z0-9]$/.test(key) ||
    /^num[0-9]$/.test(key) ||
    punctuation.has(key) ||
    namedKeys.has(key) ||
    standaloneKeys.has(key) ||
    isFunctionKey(key)
  )
}

/** Whether `accelerator` is one Electron accepts and that is safe to register globally. */
export function isGlobalAccelerator(accelerator: string): boolean {
  if (accelerator.length === 0 || accelerator.length > 60) return false
  // 'Plus' names the + key, so a literal '+' only ever separates parts.
  const parts = accelerator.split('+').map((part) => part.trim().toLowerCase())
  const key = parts.pop()
  if (key === undefined || !isKey(key)) return false
  if (parts.some((part) => !modifiers.has(part))) return false
  if (new Set(parts).size !== parts.length) return false
  return parts.length > 0 || isFunctionKey(key) || standaloneKeys.has(key)
}
