/**
 * The desktop settings, kept with electron-store (userData/settings.json) behind a small
 * key-value interface so tests use `conf`, the library electron-store wraps. Every value read
 * back is validated field by field: one that is missing or no longer valid (an older version,
 * a hand edit) falls back to its default alone, and the repaired file is written back.
 */
import { z } from 'zod'
import type { DesktopSettings, LanguageSetting, ShortcutAction } from '../preload/bridge'
import { isGlobalAccelerator } from './accelerator'
import type { Rectangle } from './electron-api'

/** The methods of electron-store (and conf) the settings use. */
export interface KeyValueStore {
  get(key: string): unknown
  set(key: string, value: unknown): void
  delete(key: string): void
}

/**
 * Ctrl+Alt (Cmd+Option on macOS) with a letter: A answer, H hang up, O transfer ("overfør"),
 * F absent ("fravær"). T is avoided because Ctrl+Alt+T opens a terminal on Ubuntu, and E
 * because Ctrl+Alt is AltGr on Nordic Windows keyboards and AltGr+E types €.
 */
export const defaultShortcuts: Record<ShortcutAction, string> = {
  'answer-next': 'CommandOrControl+Alt+A',
  'hang-up': 'CommandOrControl+Alt+H',
  transfer: 'CommandOrControl+Alt+O',
  'toggle-absent': 'CommandOrControl+Alt+F',
}

/** The address of a headless core started with its defaults (`npm run demo`). */
export const defaultServerUrl = 'http://127.0.0.1:5170'

/** Norwegian (bokmål, nynorsk or plain "no") systems get Norwegian; everyone else English. */
export function languageForLocale(locale: string): LanguageSetting {
  return /^(nb|nn|no)\b/i.test(locale) ? 'nb' : 'en'
}

export function defaultSettings(locale: string): DesktopSettings {
  return {
    mode: 'local',
    serverUrl: defaultServerUrl,
    language: languageForLocale(locale),
    theme: 'system',
    shortcuts: { ...defaultShortcuts },
  }
}

/** http(s) only, no credentials, query or fragment; normalised without a trailing slash. */
export const serverUrlSchema = z
  .string()
  .trim()
  .max(2000)
  .transform((text, context) => {
    let url: URL
    try {
      url = new URL(text)
    } catch {
      context.addIssue({ code: 'custom', message: 'not a URL' })
      return z.NEVER
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      context.addIssue({
        code: 'custom',
        message: 'the server address must be http:// or https://',
      })
      return z.NEVER
    }
    if (url.username || url.password || url.search || url.hash) {
      context.addIssue({
        code: 'custom',
        message: 'the server address has no credentials, query or fragment',
      })
      return z.NEVER
    }
    return url.origin + url.pathname.replace(/\/+$/, '')
  })

const acceleratorSchema = z
  .string()
  .refine(isGlobalAccelerator, { message: 'not an accelerator that can be registered globally' })
  .nullable()

const shortcutsSchema = z
  .object({
    'answer-next': acceleratorSchema,
    'hang-up': acceleratorSchema,
    transfer: acceleratorSchema,
    'toggle-absent': acceleratorSchema,
  })
  .strict()
  .refine(
    (shortcuts) => {
      const used = Object.values(shortcuts).filter((accelerator) => accelerator !== null)
      return new Set(used.map((accelerator) => accelerator.toLowerCase())).size === used.length
    },
    { message: 'two actions cannot share a shortcut' },
  )

const modeSchema = z.enum(['local', 'remote'])
const languageSchema = z.enum(['nb', 'en'])
const themeSchema = z.enum(['system', 'light', 'dark'])

export const desktopSettingsSchema = z
  .object({
    mode: modeSchema,
    serverUrl: serverUrlSchema,
    language: languageSchema,
    theme: themeSchema,
    shortcuts: shortcutsSchema,
  })
  .strict() satisfies z.ZodType<DesktopSettings>

/** What `saveSettings` accepts: any subset of the settings, each field whole and valid. */
export const settingsPatchSchema = desktopSettingsSchema.partial() satisfies z.ZodType<
  Partial<DesktopSettings>
>

/** A saved file, repaired: each invalid or missing field becomes its default. */
function savedSettingsSchema(defaults: DesktopSettings) {
  return z.object({
    mode: modeSchema.catch(defaults.mode),
    serverUrl: serverUrlSchema.catch(defaults.serverUrl),
    language: languageSchema.catch(defaults.language),
    theme: themeSchema.catch(defaults.theme),
    shortcuts: z
      .object({
        'answer-next': acceleratorSchema.catch(defaults.shortcuts['answer-next']),
        'hang-up': acceleratorSchema.catch(defaults.shortcuts['hang-up']),
        transfer: acceleratorSchema.catch(defaults.shortcuts.transfer),
        'toggle-absent': acceleratorSchema.catch(defaults.shortcuts['toggle-absent']),
      })
      .catch(defaults.shortcuts),
  }) satisfies z.ZodType<DesktopSettings>
}

export interface WindowBounds extends Rectangle {
  maximized: boolean
}

const windowBoundsSchema = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(200).max(20_000),
  height: z.number().int().min(150).max(20_000),
  maximized: z.boolean(),
}) satisfies z.ZodType<WindowBounds>

/**
 * The company the bundled core runs in local mode; both null runs the demo company. Set by
 * hand in settings.json for now (FIXME: a settings page to choose the files).
 */
export interface LocalCoreSettings {
  companyFile: string | null
  accountsFile: string | null
}

const localCoreSchema = z.object({
  companyFile: z.string().min(1).nullable(),
  accountsFile: z.string().min(1).nullable(),
}) satisfies z.ZodType<LocalCoreSettings>

/** The keys in settings.json. */
export const settingsKeys = {
  settings: ['mode', 'serverUrl', 'language', 'theme', 'shortcuts'] as const,
  windowBounds: 'windowBounds',
  localCore: 'localCore',
  login: 'login',
} as const

export type SettingsListener = (next: DesktopSettings, previous: DesktopSettings) => void

export class SettingsStore {
  private current: DesktopSettings
  private readonly listeners = new Set<SettingsListener>()

  constructor(
    private readonly store: KeyValueStore,
    private readonly defaults: DesktopSettings,
  ) {
    this.current = this.read()
  }

  get(): DesktopSettings {
    return structuredClone(this.current)
  }

  /** Validates and saves part of the settings; throws a ZodError when the patch is invalid. */
  save(patch: unknown): DesktopSettings {
    const valid = settingsPatchSchema.parse(patch)
    const previous = this.current
    const next: DesktopSettings = { ...previous, ...valid }
    for (const key of settingsKeys.settings) {
      if (key in valid) this.store.set(key, next[key])
    }
    this.current = next
    for (const listener of this.listeners) listener(this.get(), structuredClone(previous))
    return this.get()
  }

  /** Calls `listener` after every save; returns the unsubscribe function. */
  onChange(listener: SettingsListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  windowBounds(): WindowBounds | null {
    const parsed = windowBoundsSchema.safeParse(this.store.get(settingsKeys.windowBounds))
    return parsed.success ? parsed.data : null
  }

  saveWindowBounds(bounds: WindowBounds): void {
    const parsed = windowBoundsSchema.safeParse(bounds)
    if (parsed.success) this.store.set(settingsKeys.windowBounds, parsed.data)
  }

  localCore(): LocalCoreSettings {
    const parsed = localCoreSchema.safeParse(this.store.get(settingsKeys.localCore))
    return parsed.success ? parsed.data : { companyFile: null, accountsFile: null }
  }

  private read(): DesktopSettings {
    const saved = Object.fromEntries(
      settingsKeys.settings.map((key) => [key, this.store.get(key)] as const),
    )
    const repaired = savedSettingsSchema(this.defaults).parse(saved)
    for (const key of settingsKeys.settings) {
      if (JSON.stringify(saved[key]) !== JSON.stringify(repaired[key]))
        this.store.set(key, repaired[key])
    }
    return repaired
  }
}
