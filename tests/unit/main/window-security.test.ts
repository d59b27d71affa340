import { afterEach, describe, expect, it } from 'vitest'
import { contentSecurityPolicy } from '../../../src/main/app-pages'
import { startShell } from '../../../src/main/shell'
import { FakeElectron, MemoryStore, RecordingLog } from '../../helpers/fake-electron'
import { appEntryUrl, launch, type Launched } from './shell-harness'

let launched: Launched | null = null
afterEach(async () => {
  await launched?.shell.core()?.stop()
  launched?.cleanup()
  launched = null
})

async function start(options: Parameters<typeof launch>[0] = {}): Promise<Launched> {
  launched = await launch(options)
  return launched
}

describe('the main window', () => {
  it('isolates the interface: context isolation, sandbox, no Node, web security, our preload', async () => {
    const { electron } = await start()

    const preferences = electron.window.options.webPreferences
    expect(preferences).toMatchObject({
      preload: '/app/out/preload/index.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    })
    expect(preferences).not.toHaveProperty('enableBlinkFeatures')
  })

  it('loads the built interface over the app scheme, registered as a privileged scheme', async () => {
    const { electron } = await start()

    expect(electron.window.loadedUrl).toBe(appEntryUrl)
    expect(electron.protocol.privileged).toEqual([
      expect.objectContaining({
        scheme: 'sentral',
        privileges: expect.objectContaining({ standard: true, secure: true }) as unknown,
      }),
    ])
    const page = await electron.protocol.fetch(appEntryUrl)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<title>Sentral</title>')
    expect(page.headers.get('content-security-policy')).toBe(contentSecurityPolicy)
  })

  it('loads the dev server in development, and treats only its origin as the app', async () => {
    const electron = new FakeElectron()
    const shell = startShell({
      electron,
      paths: {
        preload: '/p.js',
        rendererDir: '/nowhere',
        devServerUrl: 'http://localhost:5173/',
        resourcesDir: '/r',
        coreModule: '/c.js',
      },
      store: new MemoryStore(),
      env: {},
      log: new RecordingLog(),
    })
    await shell?.ready

    expect(electron.window.loadedUrl).toBe('http://localhost:5173/')
    expect(
      electron.window.webContents.navigate('will-navigate', 'http://localhost:5173/#/board'),
    ).toBe(false)
    expect(electron.window.webContents.navigate('will-navigate', 'http://localhost:5174/')).toBe(
      true,
    )
    await shell?.core()?.stop()
  })

  it('is shown when ready, at the saved position when that is still on a screen', async () => {
    const { electron } = await start({
      settings: {},
      prepare: (fake) => {
        fake.workAreas = [{ x: 0, y: 0, width: 2560, height: 1440 }]
      },
      store: (() => {
        const store = new MemoryStore()
        store.set('windowBounds', { x: 300, y: 200, width: 1400, height: 900, maximized: true })
        return store
      })(),
    })

    expect(electron.window.options).toMatchObject({ x: 300, y: 200, width: 1400, height: 900 })
    expect(electron.window.visible).toBe(false)
    electron.window.emit('ready-to-show')
    expect(electron.window.visible).toBe(true)
    expect(electron.window.maximized).toBe(true)
  })
})

describe('navigation, new windows and webviews', () => {
  it('refuses to navigate away from the app, in the main frame, a subframe or by redirect', async () => {
    const { electron } = await start()
    const contents = electron.window.webContents

    expect(contents.navigate('will-navigate', 'https://evil.example/phish')).toBe(true)
    expect(contents.navigate('will-frame-navigate', 'https://evil.example/frame')).toBe(true)
    expect(contents.navigate('will-redirect', 'http://127.0.0.1:5170/')).toBe(true)
    expect(contents.navigate('will-navigate', 'file:///etc/passwd')).toBe(true)
    expect(contents.navigate('will-navigate', 'sentral://app/index.html')).toBe(false)
  })

  it('denies every new window, opening https links in the browser and nothing else', async () => {
    const { electron } = await start()
    const open = electron.window.webContents.windowOpenHandler!

    expect(open({ url: 'https://www.brreg.no/' })).toEqual({ action: 'deny' })
    expect(open({ url: 'file:///C:/Windows/System32/calc.exe' })).toEqual({ action: 'deny' })
    expect(open({ url: 'sentral://app/index.html' })).toEqual({ action: 'deny' })
    expect(electron.opened).toEqual(['https://www.brreg.no/'])
  })

  it('refuses <webview>, in any web contents the app creates', async () => {
    const { electron } = await start()

    expect(electron.window.webContents.attachWebview()).toBe(true)
    const other = electron.createWindow({})
    expect(other.webContents.attachWebview()).toBe(true)
    expect(other.webContents.navigate('will-navigate', 'https://evil.example/')).toBe(true)
  })
})

describe('the session', () => {
  it('denies every permission request and check', async () => {
    const { electron } = await start()

    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal'])
      await expect(electron.session.requestPermission(permission)).resolves.toBe(false)
    expect(electron.session.permissionCheckHandler?.(null, 'media')).toBe(false)
  })

  it('sends the CSP header with the app pages, replacing any other policy', async () => {
    const { electron } = await start()

    const response = electron.session.receiveHeaders(appEntryUrl, {
      'content-security-policy': ['default-src *'],
      'X-Other': ['kept'],
    })

    expect(response.responseHeaders).toEqual({
      'X-Other': ['kept'],
      'Content-Security-Policy': [contentSecurityPolicy],
    })
    expect(contentSecurityPolicy).toContain("script-src 'self'")
    expect(contentSecurityPolicy).toContain("object-src 'none'")
    expect(contentSecurityPolicy).toContain("frame-ancestors 'none'")
    expect(contentSecurityPolicy).not.toContain('unsafe-eval')
    expect(contentSecurityPolicy).not.toMatch(/script-src[^;]*unsafe-inline/)
  })

  it('leaves the headers of other responses (the core API) alone', async () => {
    const { electron } = await start()

    expect(electron.session.receiveHeaders('http://127.0.0.1:5170/api/session')).toEqual({})
  })
})

describe('one instance', () => {
  it('quits when another instance holds the lock', () => {
    const electron = new FakeElectron()
    electron.app.lockAvailable = false

    const shell = startShell({
      electron,
      paths: { preload: '', rendererDir: '', devServerUrl: null, resourcesDir: '', coreModule: '' },
      store: new MemoryStore(),
      env: {},
      log: new RecordingLog(),
    })

    expect(shell).toBeNull()
    expect(electron.app.quitRequests).toBe(1)
    expect(electron.windows).toHaveLength(0)
  })

  it('brings the window forward when a second instance starts', async () => {
    const { electron } = await start()
    electron.window.minimized = true

    electron.app.emit('second-instance')

    expect(electron.window.minimized).toBe(false)
    expect(electron.window.visible).toBe(true)
    expect(electron.window.focusCount).toBe(1)
  })

  it('hides the window on close and keeps running from the tray until the user quits', async () => {
    const { electron } = await start({ settings: { mode: 'remote' } })

    expect(electron.window.close()).toBe(false)
    expect(electron.window.visible).toBe(false)

    electron.tray.menu!.click('Avslutt Sentral')
    expect(electron.app.quitted).toBe(true)
    expect(electron.window.close()).toBe(true)
  })

  it('lets the window close when Windows ends the session (no before-quit comes then)', async () => {
    const { electron } = await start({ settings: { mode: 'remote' } })

    electron.window.emit('session-end')

    expect(electron.window.close()).toBe(true)
  })

  it('loads the interface again when its process crashes, not when it exits cleanly', async () => {
    const { electron, log } = await start({ settings: { mode: 'remote' } })
    const contents = electron.window.webContents

    contents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 })
    contents.emit('render-process-gone', {}, { reason: 'clean-exit', exitCode: 0 })

    expect(contents.reloads).toBe(1)
    expect(log.messages('error')).toContain('the interface process is gone')
  })
})
