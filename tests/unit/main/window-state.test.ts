import { describe, expect, it } from 'vitest'
import type { WindowBounds } from '../../../src/main/settings'
import { restoredBounds, WindowStateKeeper } from '../../../src/main/window-state'
import { FakeWindow, ManualScheduler } from '../../helpers/fake-electron'

const laptop = { x: 0, y: 0, width: 1440, height: 900 }

describe('restoring the window position', () => {
  it('opens where the window was when that is on a connected display', () => {
    const saved = { x: 100, y: 80, width: 1200, height: 760, maximized: false }
    expect(restoredBounds(saved, [laptop])).toEqual(saved)
  })

  it('keeps the size but lets the system place a window whose display is gone', () => {
    const onSecondMonitor = { x: 2200, y: 100, width: 1200, height: 760, maximized: true }
    expect(restoredBounds(onSecondMonitor, [laptop])).toEqual({
      width: 1200,
      height: 760,
      maximized: true,
    })
  })

  it('uses a default size the first time', () => {
    expect(restoredBounds(null, [laptop])).toEqual({ width: 1280, height: 800, maximized: false })
  })
})

describe('saving the window position', () => {
  function tracked() {
    const saved: WindowBounds[] = []
    const scheduler = new ManualScheduler()
    const window = new FakeWindow({ x: 10, y: 10, width: 1000, height: 700 })
    new WindowStateKeeper(
      { saveWindowBounds: (bounds) => saved.push(bounds) },
      scheduler,
      500,
    ).track(window)
    return { saved, scheduler, window }
  }

  it('saves once the user stops moving the window, not on every step', () => {
    const { saved, scheduler, window } = tracked()

    for (let x = 20; x <= 200; x += 20) {
      window.moveTo({ x })
      scheduler.advance(100)
    }
    expect(saved).toEqual([])

    scheduler.advance(500)
    expect(saved).toEqual([{ x: 200, y: 10, width: 1000, height: 700, maximized: false }])
  })

  it('saves at once when the window closes', () => {
    const { saved, scheduler, window } = tracked()
    window.moveTo({ x: 300 })

    window.close()

    expect(saved).toEqual([{ x: 300, y: 10, width: 1000, height: 700, maximized: false }])
    scheduler.advance(1000)
    expect(saved).toHaveLength(1)
  })

  it('does not save the position of a minimised window', () => {
    const { saved, scheduler, window } = tracked()
    window.minimized = true
    window.emit('resize')

    scheduler.advance(500)

    expect(saved).toEqual([])
  })
})
