import { afterEach, describe, expect, it } from 'vitest'
import { launch, status, type Launched } from './shell-harness'

let launched: Launched | null = null
afterEach(async () => {
  await launched?.shell.core()?.stop()
  launched?.cleanup()
  launched = null
})

async function start(options: Parameters<typeof launch>[0] = {}): Promise<Launched> {
  launched = await launch({ settings: { mode: 'remote' }, ...options })
  return launched
}

describe('the tray icon', () => {
  it('shows how many callers wait in the user’s queues, in Norwegian', async () => {
    const { electron, report } = await start({ settings: { mode: 'remote', language: 'nb' } })
    expect(electron.tray.toolTip).toBe('Sentral – Ingen venter i køene dine')

    report(status({ waiting: 3 }))
    expect(electron.tray.toolTip).toBe('Sentral – 3 innringere venter i køene dine')
    expect(electron.tray.image).toBe('/app/resources/icons/tray-waiting.png')
    expect(electron.app.badgeCount).toBe(3)

    report(status({ waiting: 1 }))
    expect(electron.tray.toolTip).toBe('Sentral – 1 innringer venter i køene dine')

    report(status({ waiting: 0 }))
    expect(electron.tray.toolTip).toBe('Sentral – Ingen venter i køene dine')
    expect(electron.tray.image).toBe('/app/resources/icons/tray.png')
  })

  it('speaks English when the user chose English, and switches when the setting changes', async () => {
    const { electron, report, invoke } = await start({
      settings: { mode: 'remote', language: 'en' },
    })
    report(status({ waiting: 2 }))
    expect(electron.tray.toolTip).toBe('Sentral – 2 callers waiting in your queues')
    expect(electron.tray.menu!.labels()).toEqual(['Show Sentral', 'Set absent', 'Quit Sentral'])

    await invoke('settings:save', { language: 'nb' })

    expect(electron.tray.toolTip).toBe('Sentral – 2 innringere venter i køene dine')
    expect(electron.tray.menu!.labels()).toEqual([
      'Vis Sentral',
      'Sett fraværende',
      'Avslutt Sentral',
    ])
  })

  it('puts the number beside the icon on macOS', async () => {
    const { electron, report } = await start({ platform: 'darwin' })

    report(status({ waiting: 12 }))
    expect(electron.tray.title).toBe('12')

    report(status({ waiting: 0 }))
    expect(electron.tray.title).toBe('')
  })

  it('marks the taskbar button on Windows while callers wait', async () => {
    const { electron, report } = await start({
      platform: 'win32',
      settings: { mode: 'remote', language: 'en' },
    })

    report(status({ waiting: 4 }))
    expect(electron.window.overlay?.image).not.toBeNull()
    expect(electron.window.overlay?.description).toBe('4 waiting')

    report(status({ waiting: 0 }))
    expect(electron.window.overlay?.image).toBeNull()
  })

  it('offers "set absent" to an available user, and sends the command to the interface', async () => {
    const { electron, report, commands } = await start({
      settings: { mode: 'remote', language: 'en' },
    })
    report(status({ absent: false }))

    electron.tray.menu!.click('Set absent')

    expect(commands()).toEqual([{ kind: 'set-absent' }])
  })

  it('offers "set available" to an absent user', async () => {
    const { electron, report, commands } = await start({
      settings: { mode: 'remote', language: 'en' },
    })
    report(status({ absent: true }))

    expect(electron.tray.menu!.labels()).toContain('Set available')
    electron.tray.menu!.click('Set available')

    expect(commands()).toEqual([{ kind: 'set-available' }])
  })

  it('shows the hidden window from the menu or a click on the icon', async () => {
    const { electron } = await start({ settings: { mode: 'remote', language: 'en' } })
    electron.window.close()
    expect(electron.window.visible).toBe(false)

    electron.tray.menu!.click('Show Sentral')
    expect(electron.window.visible).toBe(true)

    electron.window.close()
    electron.tray.emit('click')
    expect(electron.window.visible).toBe(true)
  })

  it('is removed when the app quits', async () => {
    const { electron } = await start({ settings: { mode: 'remote', language: 'en' } })

    electron.tray.menu!.click('Quit Sentral')

    expect(electron.tray.destroyed).toBe(true)
  })
})

describe('notifications of offered calls', () => {
  const offered = {
    callId: 'call-17',
    callerName: 'Ola Nordmann',
    callerNumber: '+47 912 34 567',
    queueName: 'Sentralbord',
  }

  it('tells the user who calls and in which queue', async () => {
    const { electron, report } = await start({ settings: { mode: 'remote', language: 'nb' } })

    report(status({ waiting: 1, offered: [offered] }))

    expect(electron.notifications).toHaveLength(1)
    const [notification] = electron.notifications
    expect(notification!.shown).toBe(true)
    expect(notification!.options.title).toContain('Ola Nordmann')
    expect(notification!.options.body).toContain('Sentralbord')
    expect(notification!.options.body).toContain('+47 912 34 567')
  })

  it('names the number when the caller is unknown, and says when the call is direct', async () => {
    const { electron, report } = await start({ settings: { mode: 'remote', language: 'en' } })

    report(status({ offered: [{ ...offered, callerName: null, queueName: null }] }))

    expect(electron.notifications[0]!.options.title).toBe('Call from +47 912 34 567')
    expect(electron.notifications[0]!.options.body).toContain('Direct to you')
  })

  it('notifies a call once, however often the interface reports it', async () => {
    const { electron, report } = await start()

    report(status({ waiting: 1, offered: [offered] }))
    report(status({ waiting: 2, offered: [offered] }))
    report(status({ waiting: 2, offered: [offered, { ...offered, callId: 'call-18' }] }))

    expect(electron.notifications.map((n) => n.options.title)).toHaveLength(2)
  })

  it('closes the notification when the call is no longer offered to the user', async () => {
    const { electron, report } = await start()
    report(status({ offered: [offered] }))

    report(status({ offered: [] }))

    expect(electron.notifications[0]!.closed).toBe(true)
  })

  it('brings the window forward on that call when clicked', async () => {
    const { electron, report, commands } = await start()
    report(status({ offered: [offered] }))
    electron.window.close()
    electron.window.minimized = true

    electron.notifications[0]!.click()

    expect(electron.window.visible).toBe(true)
    expect(electron.window.minimized).toBe(false)
    expect(electron.window.focusCount).toBe(1)
    expect(commands()).toEqual([{ kind: 'show-call', callId: 'call-17' }])
  })

  it('shows nothing where the system has no notifications', async () => {
    const { electron, report } = await start({
      prepare: (fake) => {
        fake.notificationSupport = false
      },
    })

    report(status({ offered: [offered] }))

    expect(electron.notifications).toHaveLength(0)
  })
})
